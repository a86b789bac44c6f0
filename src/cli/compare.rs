//! `gapmap compare`: its arguments, turned into [`CompareOptions`], and the summary it prints
//! once [`gapmap::compare::compare`] has written the comparison folder.

use std::path::PathBuf;

use gapmap::compare::CompareOptions;

/// Compare two kept runs: what changed in supply, demand, gaps, access and services.
///
/// BEFORE and AFTER are run folder paths, or labels of run folders under --outputs.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap compare 2025-Q2 2025-Q3\n  gapmap compare outputs/2025-Q2 outputs/2025-Q3 --threshold 5\n  gapmap compare 2025-Q2 2025-Q3 --out q3-changes --force"
)]
pub struct CompareArgs {
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
}

/// Compares two kept runs, writes the comparison folder and prints its summary.
pub fn compare(args: CompareArgs) -> Result<(), gapmap::compare::CompareError> {
    let options = CompareOptions {
        before: args.before,
        after: args.after,
        outputs: args.outputs,
        out: args.out,
        threshold: args.threshold,
        force: args.force,
    };
    let report = gapmap::compare::compare(&options)?;
    for note in &report.recovered {
        super::progress(note);
    }
    for line in &report.summary {
        say!("{line}");
    }
    say!("Wrote {}", report.folder.display());
    Ok(())
}
