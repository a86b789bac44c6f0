//! `gapmap verify`: its arguments, and the list it prints of what
//! [`gapmap::publish::verify::verify`] found: every file missing, changed or not listed.
//! The exit code is success only when the run folder is whole.

use std::path::{Path, PathBuf};

/// Check a run folder against its manifest: every file it lists is there with the same
/// SHA-256, and no other file is.
///
/// RUN is a run folder's path, or a label under --outputs. Prints each file missing,
/// changed or not listed, and exits with success only when the folder is whole. Use it on
/// a run folder you have received, copied or published, or after a crash.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap verify 2025-Q2\n  gapmap verify outputs/2025-Q2\n  gapmap verify /shared/gapmap-runs/2025-Q3"
)]
pub struct VerifyArgs {
    /// The run folder (its path, or its label under --outputs).
    run: String,
    /// Folder holding run folders.
    #[arg(long, default_value = "outputs")]
    outputs: PathBuf,
}

/// Checks the run folder and prints what is wrong with it; an error unless it is whole.
pub fn verify(args: VerifyArgs) -> Result<(), String> {
    let as_path = PathBuf::from(&args.run);
    let folder = if as_path.is_dir() {
        as_path
    } else {
        args.outputs.join(&args.run)
    };
    let started = std::time::Instant::now();
    let found = gapmap::publish::verify::verify(&folder).map_err(|e| e.to_string())?;
    let seconds = started.elapsed().as_secs_f64();
    for (what, files) in [
        ("missing", &found.missing),
        ("changed", &found.changed),
        ("not listed", &found.unlisted),
    ] {
        for file in files {
            say!("{what}: {}", display(&folder, file));
        }
    }
    if found.is_whole() {
        say!(
            "{} is whole: {} files match manifest.json ({seconds:.2} s)",
            folder.display(),
            found.listed
        );
        return Ok(());
    }
    Err(format!(
        "{} is not whole: of {} files listed in manifest.json, {} missing and {} changed; {} not listed",
        folder.display(),
        found.listed,
        found.missing.len(),
        found.changed.len(),
        found.unlisted.len()
    ))
}

fn display(folder: &Path, file: &str) -> String {
    folder.join(file).display().to_string()
}
