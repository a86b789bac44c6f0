//! `gapmap validate`: its arguments, and the line it prints once [`gapmap::pipeline::check`]
//! has loaded and checked every input. It writes no files.

use std::path::PathBuf;

use gapmap::pipeline;

use super::{load_config, progress};

/// Load and check every input, writing nothing.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap validate\n  gapmap validate --config quarter/gapmap.toml"
)]
pub struct ValidateArgs {
    /// The config file (TOML); with none, the embedded sample.
    #[arg(long, short)]
    config: Option<PathBuf>,
}

/// Loads and checks every input, printing warnings and a one-line verdict.
pub fn validate(args: ValidateArgs) -> Result<(), gapmap::Error> {
    let config = load_config(args.config.as_ref())?;
    let checked = pipeline::check(&config, &mut |m| progress(m))?;
    for w in &checked.warnings {
        eprintln!("gapmap: warning: {w}");
    }
    super::print_input_notes(&checked.inputs.notes);
    say!(
        "{}: inputs are valid ({} services, {} areas, {} districts)",
        config.file_name,
        checked.inputs.services.len(),
        checked.inputs.areas.len(),
        checked.inputs.districts.len()
    );
    Ok(())
}
