//! `gapmap history`: its arguments, and the lines it prints once [`gapmap::compare::history()`]
//! has listed the kept runs and written the chart across them.

use std::path::PathBuf;

use gapmap::compare::HistoryOptions;

/// List every kept run in time order, and chart the county's gaps across them.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap history\n  gapmap history --outputs /shared/gapmap-runs"
)]
pub struct HistoryArgs {
    /// Folder holding run folders.
    #[arg(long, default_value = "outputs")]
    outputs: PathBuf,
}

/// Lists every kept run under `--outputs`, charts the gaps across them and prints the list.
pub fn history(args: HistoryArgs) -> Result<(), gapmap::compare::CompareError> {
    let HistoryArgs { outputs } = args;
    let report = gapmap::compare::history(&HistoryOptions { outputs })?;
    for note in &report.recovered {
        super::progress(note);
    }
    for line in &report.lines {
        say!("{line}");
    }
    say!("Wrote {}", report.folder.display());
    Ok(())
}
