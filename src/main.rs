//! The `gapmap` command: turns arguments into settings, runs the library, prints the result
//! and sets the exit code. All the work is in the library; each command's arguments and
//! handler are in [`cli`], one file per command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// Capacity and access gaps for adult social care day opportunities.
///
/// gapmap joins service locations, area boundaries and demand by need category, computes
/// supply, demand and gaps by district and need, the distance from each person to the
/// nearest suitable service, accessibility (2SFCA, E2SFCA) and cost at the framework's band
/// rates, and writes tables (CSV, Parquet), GeoJSON maps with QGIS styles, charts (SVG,
/// PNG), a market position statement report (HTML) and a manifest. It compares each
/// quarter's run with earlier ones.
#[derive(Debug, Parser)]
#[command(name = "gapmap", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Each command's help (about, long about, examples) is on its arguments struct in `cli`.
#[derive(Debug, Subcommand)]
enum Command {
    Run(cli::run::RunArgs),
    Validate(cli::validate::ValidateArgs),
    Inspect(cli::inspect::InspectArgs),
    Access(cli::access::AccessArgs),
    Travel(cli::travel::TravelArgs),
    Plan(cli::plan::PlanArgs),
    Synth(cli::synth::SynthArgs),
    Bench(cli::bench::BenchArgs),
    Compare(cli::compare::CompareArgs),
    Exit(cli::exit::ExitArgs),
    History(cli::history::HistoryArgs),
    Sample(cli::sample::SampleArgs),
    Verify(cli::verify::VerifyArgs),
}

fn main() -> ExitCode {
    return_large_blocks_on_free();
    let result = match Cli::parse().command {
        Command::Run(args) => cli::run::run(args).map_err(|e| e.to_string()),
        Command::Validate(args) => cli::validate::validate(args).map_err(|e| e.to_string()),
        Command::Compare(args) => cli::compare::compare(args).map_err(|e| e.to_string()),
        Command::Exit(args) => cli::exit::exit(args).map_err(|e| e.to_string()),
        Command::History(args) => cli::history::history(args).map_err(|e| e.to_string()),
        Command::Sample(args) => cli::sample::sample(args),
        Command::Inspect(args) => cli::inspect::inspect(args),
        Command::Access(args) => cli::access::access(args),
        Command::Synth(args) => cli::synth::synth(args),
        Command::Plan(args) => cli::plan::plan(args),
        Command::Travel(args) => cli::travel::travel(args),
        Command::Bench(args) => cli::bench::bench(args),
        Command::Verify(args) => cli::verify::verify(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gapmap: error: {}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}

/// Largest allocation glibc may serve from its heaps; larger ones get their own mapping.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_MAPPING_FROM_BYTES: i32 = 1 << 20;

/// Has glibc give every allocation of [`OWN_MAPPING_FROM_BYTES`] or more its own mapping,
/// returned to the system when it is freed. By default glibc raises that threshold to the
/// size of each large block freed (up to 32 MB), after which such blocks come from its
/// heaps and stay with the process once freed: on England's real boundaries that kept
/// about 90 MB that nothing used (peak 747-768 MB; with this, 669-673 MB, no slower).
/// Elsewhere the allocator's defaults stay.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn return_large_blocks_on_free() {
    // SAFETY: mallopt only sets one of glibc's allocation parameters; it is called first
    // thing in main, before any other thread exists, with a parameter and value glibc
    // documents (M_MMAP_THRESHOLD, at most HEAP_MAX / 2). Its result (1 when set) needs no
    // handling: when refused, glibc keeps its defaults, which are correct, only larger.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_FROM_BYTES);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_on_free() {}
