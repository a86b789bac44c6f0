//! `gapmap run`: its arguments, and what it prints around the library's run (the
//! largest shortfalls, the time by stage, the configured plans). The run itself, from
//! inputs to the run folder, is [`gapmap::pipeline::run`]; this file only wires it.

use std::io::IsTerminal;
use std::path::PathBuf;

use gapmap::pipeline::{self, RunOptions};

use super::{load_config, progress};

/// Run the analysis and write a run folder.
///
/// With no --config, runs the embedded Leicestershire sample.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap run\n  gapmap run --config quarter/gapmap.toml --label 2025-Q3\n  gapmap run --config gapmap.toml --out /shared/gapmap-runs\n  gapmap run --force                   # replace outputs/2025-Q2\n  gapmap run --force --wait            # after any run of 2025-Q2 still writing\n  gapmap run --config q3/gapmap.toml --label 2025-Q3 --compare-with 2025-Q2"
)]
pub struct RunArgs {
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
    /// Compare with an earlier run (its label under --out, or its folder): the report
    /// gains a "Since last quarter" section and the run folder the change tables and map.
    #[arg(long, value_name = "LABEL")]
    compare_with: Option<String>,
    /// Also print the report to report.pdf (A4) with headless Chromium, when it is
    /// installed; the run says so when it is not.
    #[arg(long)]
    pdf: bool,
    /// When another run or plan is writing the same label, wait for it to finish instead
    /// of stopping at once.
    #[arg(long)]
    wait: bool,
}

/// Runs the analysis, then the plans the config lists, and prints the largest shortfalls,
/// the time by stage and each plan's summary.
pub fn run(args: RunArgs) -> Result<(), gapmap::Error> {
    let config = load_config(args.config.as_ref())?;
    let options = RunOptions {
        outputs: args.out,
        label: args.label,
        force: args.force,
        compare_with: args.compare_with,
        pdf: args.pdf,
        wait: args.wait,
        disk: Default::default(),
    };
    let started = std::time::Instant::now();
    // Held until the run and its plans are written; refused at once when the label is busy.
    let lock = pipeline::lock(&config, &options, &mut |m| progress(m))?;
    for note in lock.recovered() {
        progress(note);
    }
    let mut stages = gapmap::progress::Stages::new(std::io::stderr().is_terminal());
    let report = pipeline::run(&config, &options, &lock, &mut |m| stages.stage(m));
    let stages = stages.finish();
    let report = report?;
    for w in &report.warnings {
        eprintln!("gapmap: warning: {w}");
    }
    super::print_input_notes(&report.input_notes);
    say!("Largest shortfalls ({}):", report.label);
    let gaps = report.published.largest_shortfalls(8);
    if gaps.is_empty() {
        say!("  none: supply meets demand in every district and lot");
    }
    for row in gaps {
        say!("  {}", gapmap::publish::report::gap_sentence(&config, row));
    }
    say!(
        "Wrote {} in {:.2} s",
        report.folder.display(),
        started.elapsed().as_secs_f64()
    );
    let times = gapmap::progress::summary(&stages);
    if !times.is_empty() {
        say!("Time by stage:");
    }
    for line in times {
        say!("{line}");
    }
    let plans = gapmap::plan::run::run_configured_plans(&config, &lock, &mut |m| progress(m))?;
    for plan in plans {
        say!("{}", plan.summary);
        for line in &plan.lines {
            say!("  {line}");
        }
        say!("Wrote {}", plan.folder.display());
    }
    Ok(())
}
