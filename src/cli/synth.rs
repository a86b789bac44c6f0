//! `gapmap synth`: its arguments, turned into a [`SynthSpec`], and the files it names once
//! [`gapmap::standalone::run_synth`] has written them.

use std::path::PathBuf;

use gapmap::access::SynthSpec;
use gapmap::standalone;

/// Generate a seeded instance (demand.csv, services.csv) with town-like clustering.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap synth --demand 33000 --services 3000 --seed 1 --out county\n  gapmap synth --demand 35000 --services 20000 --extent england --out england"
)]
pub struct SynthArgs {
    #[arg(long)]
    demand: usize,
    #[arg(long)]
    services: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// county (a 100 km square) or england (England's extent and density).
    #[arg(long, default_value = "county")]
    extent: String,
    /// Need categories to spread demand and services over.
    #[arg(long, default_value_t = 1)]
    needs: usize,
    /// Folder to write into.
    #[arg(long, short)]
    out: PathBuf,
}

/// Generates a seeded instance and writes its demand and services files into `--out`.
pub fn synth(args: SynthArgs) -> Result<(), String> {
    let SynthArgs {
        demand,
        services,
        seed,
        extent,
        needs,
        out,
    } = args;
    let mut spec = SynthSpec::new(
        standalone::extent(&extent).map_err(|e| e.to_string())?,
        demand,
        services,
    );
    spec.seed = seed;
    spec.needs = needs.max(1);
    let (d, s) = standalone::run_synth(&spec, &out).map_err(|e| e.to_string())?;
    say!("Wrote {} and {}", d.display(), s.display());
    Ok(())
}
