//! The `gapmap` command: turns arguments into settings, runs the library, prints the result
//! and sets the exit code. All the work is in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use gapmap::compare::{CompareOptions, HistoryOptions};
use gapmap::config::Config;
use gapmap::pipeline::{self, RunOptions};

/// Capacity and access gaps for adult social care day opportunities.
///
/// gapmap joins service locations, area boundaries and demand by need category, computes
/// supply, demand and gaps by district and need, the distance from each person to the
/// nearest suitable service, and cost at the framework's band rates, and writes tables
/// (CSV, Parquet), GeoJSON maps, charts (SVG, PNG) and a manifest.
#[derive(Debug, Parser)]
#[command(name = "gapmap", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the analysis and write a run folder.
    ///
    /// With no --config, runs the embedded Leicestershire sample.
    #[command(
        after_help = "Examples:\n  gapmap run\n  gapmap run --config quarter/gapmap.toml --label 2025-Q3\n  gapmap run --config gapmap.toml --out /shared/gapmap-runs"
    )]
    Run {
        /// The run's config file (TOML); paths in it are relative to it.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Folder to write run folders into.
        #[arg(long, short, default_value = "outputs")]
        out: PathBuf,
        /// Label of the run folder (default: the config's `label`, such as 2025-Q2).
        #[arg(long, short)]
        label: Option<String>,
        /// Replace an existing run folder of the same label.
        #[arg(long)]
        force: bool,
    },
    /// Load and check every input, writing nothing.
    #[command(
        after_help = "Examples:\n  gapmap validate\n  gapmap validate --config quarter/gapmap.toml"
    )]
    Validate {
        /// The config file (TOML); with none, the embedded sample.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Compare two kept runs: what changed in supply, demand, gaps, access and services.
    ///
    /// BEFORE and AFTER are run folder paths, or labels of run folders under --outputs.
    #[command(
        after_help = "Examples:\n  gapmap compare 2025-Q2 2025-Q3\n  gapmap compare outputs/2025-Q2 outputs/2025-Q3 --threshold 5\n  gapmap compare 2025-Q2 2025-Q3 --out q3-changes --force"
    )]
    Compare {
        /// The earlier run (folder path, or label under --outputs).
        before: String,
        /// The later run (folder path, or label under --outputs).
        after: String,
        /// Folder to write the comparison into (default: <outputs>/compare-<BEFORE>-<AFTER>).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Folder holding run folders.
        #[arg(long, default_value = "outputs")]
        outputs: PathBuf,
        /// List gaps that opened, closed, widened or narrowed by more than this (in the lot's unit).
        #[arg(long, default_value_t = gapmap::compare::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// Replace an existing comparison folder.
        #[arg(long)]
        force: bool,
    },
    /// List every kept run in time order, and chart the county's gaps across them.
    #[command(
        after_help = "Examples:\n  gapmap history\n  gapmap history --outputs /shared/gapmap-runs"
    )]
    History {
        /// Folder holding run folders.
        #[arg(long, default_value = "outputs")]
        outputs: PathBuf,
    },
    /// Write the sample inputs and their config into a folder, as templates to edit.
    #[command(
        after_help = "Examples:\n  gapmap sample --out my-council\n  gapmap run --config my-council/gapmap.toml"
    )]
    Sample {
        /// Folder to write into (created if missing; existing files are never overwritten).
        #[arg(long, short)]
        out: PathBuf,
    },
}

fn load_config(path: Option<&PathBuf>) -> Result<Config, gapmap::Error> {
    Ok(match path {
        Some(p) => Config::read(p)?,
        None => gapmap::sample::config()?,
    })
}

fn progress(message: &str) {
    eprintln!("gapmap: {message}");
}

fn run(
    config: Option<PathBuf>,
    out: PathBuf,
    label: Option<String>,
    force: bool,
) -> Result<(), gapmap::Error> {
    let config = load_config(config.as_ref())?;
    let options = RunOptions {
        outputs: out,
        label,
        force,
    };
    let started = std::time::Instant::now();
    let report = pipeline::run(&config, &options, &mut |m| progress(m))?;
    for w in &report.warnings {
        eprintln!("gapmap: warning: {w}");
    }
    println!("Largest shortfalls ({}):", report.label);
    let gaps = pipeline::largest_gaps(&report.published, 8);
    if gaps.is_empty() {
        println!("  none: supply meets demand in every district and lot");
    }
    for row in gaps {
        println!("  {}", pipeline::describe_gap(&config, row));
    }
    println!(
        "Wrote {} in {:.2} s",
        report.folder.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn validate(config: Option<PathBuf>) -> Result<(), gapmap::Error> {
    let config = load_config(config.as_ref())?;
    let checked = pipeline::check(&config, &mut |m| progress(m))?;
    for w in &checked.warnings {
        eprintln!("gapmap: warning: {w}");
    }
    println!(
        "{}: inputs are valid ({} services, {} areas, {} districts)",
        config.file_name,
        checked.inputs.services.len(),
        checked.inputs.areas.len(),
        checked.inputs.districts.len()
    );
    Ok(())
}

fn sample(out: PathBuf) -> Result<(), String> {
    let config = gapmap::sample::write_to(&out).map_err(|e| format!("writing the sample: {e}"))?;
    println!("Wrote the sample to {}", out.display());
    println!("Run it with: gapmap run --config {}", config.display());
    Ok(())
}

fn compare(options: CompareOptions) -> Result<(), gapmap::compare::CompareError> {
    let report = gapmap::compare::compare(&options)?;
    for line in &report.summary {
        println!("{line}");
    }
    println!("Wrote {}", report.folder.display());
    Ok(())
}

fn history(outputs: PathBuf) -> Result<(), gapmap::compare::CompareError> {
    let report = gapmap::compare::history(&HistoryOptions { outputs })?;
    for line in &report.lines {
        println!("{line}");
    }
    println!("Wrote {}", report.folder.display());
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            config,
            out,
            label,
            force,
        } => run(config, out, label, force).map_err(|e| e.to_string()),
        Command::Validate { config } => validate(config).map_err(|e| e.to_string()),
        Command::Compare {
            before,
            after,
            out,
            outputs,
            threshold,
            force,
        } => compare(CompareOptions {
            before,
            after,
            outputs,
            out,
            threshold,
            force,
        })
        .map_err(|e| e.to_string()),
        Command::History { outputs } => history(outputs).map_err(|e| e.to_string()),
        Command::Sample { out } => sample(out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gapmap: error: {}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}
