//! `gapmap exit`: its arguments, and the lines it prints once [`gapmap::exit_run::exit`]
//! has told one provider's exit and drawn its map.

use std::path::PathBuf;

use gapmap::exit_run::{self, ExitOptions};

use super::{load_config, progress};

/// What happens if one provider leaves: where its people would go and who would be left.
///
/// Closes every service of the provider and re-places the people using them in the room
/// other providers' services have left for their lot (capacity minus current users),
/// within the catchment, on the run's distances (straight line, travel-cost matrix or
/// drive times): as many people placed as the room allows, the nearest first. Prints the
/// exit by district and lot and writes a map (exit_<ID>.png and .svg). Counts of people
/// are rounded and small ones suppressed, as in the run's outputs.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap exit --provider PR23\n  gapmap exit --provider PR07 --config quarter/gapmap.toml --out exits"
)]
pub struct ExitArgs {
    /// The provider's id (provider_id in the services file).
    #[arg(long)]
    provider: String,
    /// The config file (TOML); with none, the embedded sample.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Folder for the map (created if needed).
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

/// Tells one provider's exit and writes its map.
pub fn exit(args: ExitArgs) -> Result<(), gapmap::Error> {
    let config = load_config(args.config.as_ref())?;
    let options = ExitOptions {
        provider: args.provider,
        out: args.out,
    };
    let report = exit_run::exit(&config, &options, &mut |m| progress(m))?;
    for line in &report.lines {
        say!("{line}");
    }
    for file in &report.files {
        say!("Wrote {}", file.display());
    }
    Ok(())
}
