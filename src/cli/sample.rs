//! `gapmap sample`: its arguments, and what it prints after [`gapmap::sample::write_to`] has
//! written the embedded sample's inputs and config into a folder.

use std::path::PathBuf;

/// Write the sample inputs and their config into a folder, as templates to edit.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap sample --out my-council\n  gapmap run --config my-council/gapmap.toml"
)]
pub struct SampleArgs {
    /// Folder to write into (created if missing; existing files are never overwritten).
    #[arg(long, short)]
    out: PathBuf,
}

/// Writes the sample inputs and config into `--out` and says how to run them.
pub fn sample(args: SampleArgs) -> Result<(), String> {
    let SampleArgs { out } = args;
    let config = gapmap::sample::write_to(&out).map_err(|e| format!("writing the sample: {e}"))?;
    say!("Wrote the sample to {}", out.display());
    say!("Run it with: gapmap run --config {}", config.display());
    Ok(())
}
