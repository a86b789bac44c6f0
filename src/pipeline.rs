//! The pipeline: config, load, locate, analyse, publish, with progress reported to a
//! callback so the binary decides where messages go.

use std::path::{Path, PathBuf};

use crate::analyse::{self, Analysis};
use crate::config::Config;
use crate::load::{self, Inputs};
use crate::locate::{self, Placement};
use crate::problem::InputErrors;
use crate::publish::published::{GapRow, PublishedRun};
use crate::publish::{self, RunData};
use crate::Error;

/// Options of one run, resolved from the command line.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Folder holding run folders.
    pub outputs: PathBuf,
    /// Overrides the config's label.
    pub label: Option<String>,
}

/// What a finished run reports back.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub folder: PathBuf,
    pub label: String,
    pub published: PublishedRun,
    pub warnings: Vec<String>,
}

/// Inputs loaded, located and checked.
pub struct Checked {
    pub inputs: Inputs,
    pub placement: Placement,
    pub warnings: Vec<String>,
}

/// Loads and locates everything, reporting each stage.
pub fn check(config: &Config, progress: &mut dyn FnMut(&str)) -> Result<Checked, Error> {
    progress("loading inputs");
    let inputs = load::load(config)?;
    progress(&format!(
        "loaded {} services, {} areas in {} districts",
        inputs.services.len(),
        inputs.areas.len(),
        inputs.districts.len()
    ));
    progress("placing services and people in areas");
    let placement = locate::locate(
        &inputs.services,
        &inputs.demand,
        &inputs.areas,
        &inputs.districts,
        &config.file.inputs.demand,
    )
    .map_err(InputErrors)?;
    let warnings = placement.warnings.clone();
    Ok(Checked {
        inputs,
        placement,
        warnings,
    })
}

/// Runs the whole pipeline and writes the run folder.
pub fn run(
    config: &Config,
    options: &RunOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<RunReport, Error> {
    let checked = check(config, progress)?;
    progress("computing gaps, distances and costs");
    let analysis: Analysis = analyse::analyse(config, &checked.inputs, &checked.placement);
    let published = PublishedRun::new(config, &checked.inputs, &checked.placement, &analysis);
    let label = options
        .label
        .clone()
        .unwrap_or_else(|| config.file.label.clone());
    progress("writing tables, maps and charts");
    let folder = publish::publish(
        &RunData {
            config,
            inputs: &checked.inputs,
            placement: &checked.placement,
            published: &published,
            analysis: &analysis,
            label: &label,
            warnings: &checked.warnings,
        },
        &options.outputs,
    )?;
    Ok(RunReport {
        folder,
        label,
        published,
        warnings: checked.warnings,
    })
}

/// The largest shortfalls among districts (see [`PublishedRun::largest_shortfalls`]).
pub fn largest_gaps(published: &PublishedRun, n: usize) -> Vec<&GapRow> {
    published.largest_shortfalls(n)
}

/// A one-line description of a gap row, as the summary prints it.
pub fn describe_gap(config: &Config, row: &GapRow) -> String {
    crate::publish::report::gap_sentence(config, row)
}

/// The default outputs folder: `outputs/` in the working directory.
pub fn default_outputs() -> PathBuf {
    Path::new("outputs").to_path_buf()
}
