//! Compare: what changed between two kept runs, and the history of every kept run.
//!
//! Works only from run folders already written (`outputs/<label>/`): their manifest, the
//! published tables and the district map. Nothing is recomputed from inputs, so every
//! count of people in a comparison is one that was already published, and a change that
//! involves a suppressed figure is itself suppressed. Where two runs used different
//! settings for a measure (catchment, disclosure, lots and units, band rates), the
//! comparison says that measure is not comparable instead of reporting a change.
//!
//! [`runs`] reads run folders; [`comparability`] compares their settings; [`changes`]
//! computes the changes (plain data in, plain data out); [`summary`] puts them in words;
//! [`outputs`] turns them into tables, a map and charts; [`history`] orders runs in time
//! and follows the county's gaps across them. This module resolves folders and writes
//! files.

pub mod changes;
pub mod comparability;
pub mod history;
pub mod market;
pub mod outputs;
pub mod runs;
pub mod summary;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::io::table::TableError;
use crate::problem::Problems;
use crate::publish::charts::{ChartError, Figure};
use crate::publish::label_lock::{LabelLock, Waiting};
use crate::publish::report::{SinceChart, SinceLast};
use crate::publish::run_folder::{check_label, RunFolder};
use crate::publish::PublishError;
use changes::Comparison;
use runs::Run;

/// Drawn charts: (file name without extension, figure).
pub type Figures = Vec<(String, Figure)>;

/// Gap changes smaller than this (in the lot's unit) are not listed, unless told otherwise.
pub const DEFAULT_THRESHOLD: f64 = 2.0;

/// Why a comparison or a history could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("{arg:?} is not a run folder: neither {} nor {} holds a manifest.json", .tried[0].display(), .tried[1].display())]
    NotARun { arg: String, tried: [PathBuf; 2] },
    #[error("{}: cannot be read: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", .path.display())]
    Manifest { path: PathBuf, message: String },
    #[error("{}: member config.text: is not a readable gapmap config: {message}", .path.display())]
    Config { path: PathBuf, message: String },
    #[error("{} problem{} in run folder {}:\n{}", .problems.len(), if .problems.len() == 1 { "" } else { "s" }, .folder.display(), list(.problems))]
    Files { folder: PathBuf, problems: Problems },
    #[error("{}: no run folders (folders holding a manifest.json) to list", .0.display())]
    NoRuns(PathBuf),
    #[error("{} already exists: give --force to replace it, or --out to write elsewhere", .0.display())]
    Exists(PathBuf),
    #[error("the comparison folder {0:?} cannot be named so (use letters, digits, '-', '_' and '.', not starting with '.')")]
    FolderName(String),
    #[error("--threshold {0} is not a number of 0 or more")]
    Threshold(f64),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error("writing a table: {0}")]
    Table(#[from] TableError),
    #[error("drawing a chart: {0}")]
    Chart(#[from] ChartError),
}

fn list(problems: &Problems) -> String {
    let lines: Vec<String> = problems
        .listed
        .iter()
        .take(crate::problem::MAX_PROBLEMS)
        .map(|p| format!("  {p}"))
        .collect();
    lines.join("\n")
}

/// What to compare, resolved from the command line.
#[derive(Debug, Clone)]
pub struct CompareOptions {
    /// The earlier run: a run folder's path, or a label under `outputs`.
    pub before: String,
    /// The later run, likewise.
    pub after: String,
    /// The folder holding run folders (default `outputs`).
    pub outputs: PathBuf,
    /// Where to write; default `<outputs>/compare-<BEFORE>-<AFTER>/`.
    pub out: Option<PathBuf>,
    /// Gap changes of at most this many units are not listed.
    pub threshold: f64,
    /// Replace an existing comparison folder.
    pub force: bool,
}

/// What a finished comparison reports back.
#[derive(Debug, Clone)]
pub struct CompareReport {
    pub folder: PathBuf,
    pub comparison: Comparison,
    /// The plain-text summary, one line per entry.
    pub summary: Vec<String>,
    /// What a stopped writer of the comparison folder had left, and what was done with it.
    pub recovered: Vec<String>,
}

/// Compares two runs and writes the comparison folder.
pub fn compare(options: &CompareOptions) -> Result<CompareReport, CompareError> {
    if !(options.threshold >= 0.0 && options.threshold.is_finite()) {
        return Err(CompareError::Threshold(options.threshold));
    }
    let before = Run::read(&runs::resolve(&options.before, &options.outputs)?)?;
    let after = Run::read(&runs::resolve(&options.after, &options.outputs)?)?;
    let shapes = runs::read_district_shapes(&after.folder)?;
    let comparison = changes::compare(&before, &after, options.threshold);
    let summary = summary::lines(&comparison);
    let target = options.out.clone().unwrap_or_else(|| {
        options.outputs.join(format!(
            "compare-{}-{}",
            before.manifest.label, after.manifest.label
        ))
    });
    let lock = lock_folder(&target)?;
    if target.exists() && !options.force {
        return Err(CompareError::Exists(target));
    }
    let mut folder = RunFolder::create(&lock, options.force)?;
    write_comparison(&mut folder, &comparison, &after, &shapes, &summary)?;
    let folder = folder.commit()?;
    Ok(CompareReport {
        folder,
        comparison,
        summary,
        recovered: lock.recovered().to_vec(),
    })
}

/// Compares an earlier run with a run being written into `folder` (whose manifest, gap and
/// supply tables and district map are already there), and writes the change tables, map
/// and charts into it: the `--compare-with` of `gapmap run`. Returns the summary lines and
/// the change charts, for the report, and the change tables, for the workbook.
pub fn compare_into(
    folder: &mut RunFolder,
    before: &Path,
    threshold: f64,
) -> Result<(Vec<String>, Vec<SinceChart>, ChangeTables), CompareError> {
    let before = Run::read(before)?;
    let staged = folder.written()?;
    let after = Run::read(staged)?;
    let shapes = runs::read_district_shapes(staged)?;
    let comparison = changes::compare(&before, &after, threshold);
    let summary = summary::lines(&comparison);
    let (figures, tables) = write_comparison(folder, &comparison, &after, &shapes, &summary)?;
    let charts = figures
        .into_iter()
        .zip(outputs::change_charts(&comparison))
        .zip(outputs::change_findings(&comparison))
        .map(|(((name, figure), (_, chart)), finding)| SinceChart {
            name,
            figure,
            chart,
            finding,
        })
        .collect();
    Ok((summary, charts, tables))
}

/// [`compare_into`] for `gapmap run --compare-with`: the report's "Since last quarter"
/// section comparing the run being written (labelled `after`) with the earlier run folder
/// `before`.
pub fn since_last(
    folder: &mut RunFolder,
    before: &Path,
    after: &str,
) -> Result<(SinceLast, Vec<(String, crate::io::table::Table)>), CompareError> {
    let (lines, charts, changes) = compare_into(folder, before, DEFAULT_THRESHOLD)?;
    let since = SinceLast {
        before: before.file_name().map_or_else(
            || before.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        after: after.to_string(),
        lines,
        charts,
    };
    let tables = changes
        .into_iter()
        .map(|(name, table)| (name.to_string(), table))
        .collect();
    Ok((since, tables))
}

/// Takes the lock on the folder at `target`, to write it as a run folder is written (waiting
/// for another writer of it to finish).
fn lock_folder(target: &Path) -> Result<LabelLock, CompareError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    check_label(&name).map_err(|_| CompareError::FolderName(name.clone()))?;
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok(LabelLock::acquire(
        &parent,
        &name,
        Waiting::Queue,
        &mut |_| {},
    )?)
}

fn write_comparison(
    folder: &mut RunFolder,
    comparison: &Comparison,
    after: &Run,
    shapes: &[crate::io::geojson::PolygonFeature],
    summary: &[String],
) -> Result<(Vec<(String, Figure)>, ChangeTables), CompareError> {
    let tables = outputs::tables(comparison);
    for (name, table) in &tables {
        crate::publish::table_files(folder, &format!("tables/{name}"), table)?;
    }
    let features = outputs::change_map(comparison, &after.settings, shapes);
    let mut geojson = Vec::new();
    crate::io::geojson::write_feature_collection(&mut geojson, &features)
        .map_err(|e| PublishError::Io(PathBuf::from("maps/districts_change.geojson"), e))?;
    folder.write("maps/districts_change.geojson", &geojson)?;
    for (file, qml) in outputs::change_styles(comparison, &after.settings, shapes) {
        folder.write(&file, qml.as_bytes())?;
    }
    let charts = outputs::change_charts(comparison);
    let figures = draw(&charts, crate::publish::charts::bar_chart)?;
    crate::publish::figures::write_all(folder, &figures)?;
    let mut text = summary.join("\n");
    text.push('\n');
    folder.write("summary.txt", text.as_bytes())?;
    Ok((figures, tables))
}

/// The change tables by file name (without extension).
pub type ChangeTables = Vec<(&'static str, crate::io::table::Table)>;

/// Draws charts in parallel, keeping their order: (file name without extension, figure).
fn draw<C: Sync>(
    charts: &[(String, C)],
    draw_one: fn(&C) -> Result<Figure, ChartError>,
) -> Result<Vec<(String, Figure)>, CompareError> {
    let drawn: Vec<Result<Figure, ChartError>> =
        charts.par_iter().map(|(_, c)| draw_one(c)).collect();
    charts
        .iter()
        .zip(drawn)
        .map(|((name, _), figure)| Ok((name.clone(), figure?)))
        .collect()
}

/// Options of `gapmap history`.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    /// The folder holding run folders (default `outputs`).
    pub outputs: PathBuf,
}

/// What `gapmap history` reports back.
#[derive(Debug, Clone)]
pub struct HistoryReport {
    /// One line per run, in time order.
    pub lines: Vec<String>,
    /// The `history/` folder written.
    pub folder: PathBuf,
    /// What a stopped writer of `history/` had left, and what was done with it.
    pub recovered: Vec<String>,
}

/// Lists every kept run in time order and writes `<outputs>/history/` (the trend charts
/// and `history.csv`), replacing the one written before.
pub fn history(options: &HistoryOptions) -> Result<HistoryReport, CompareError> {
    let folders = runs::list(&options.outputs)?;
    if folders.is_empty() {
        return Err(CompareError::NoRuns(options.outputs.clone()));
    }
    let read: Vec<Result<Run, CompareError>> = folders.par_iter().map(|f| Run::read(f)).collect();
    let mut kept = read
        .into_iter()
        .collect::<Result<Vec<Run>, CompareError>>()?;
    history::order(&mut kept);
    let trend = history::Trend::of(&kept);
    let lock = LabelLock::acquire(&options.outputs, "history", Waiting::Queue, &mut |_| {})
        .map_err(CompareError::from)?;
    let mut folder = RunFolder::create(&lock, true)?;
    let mut csv = Vec::new();
    history::table(&kept, &trend).write_csv(&mut csv)?;
    folder.write("history.csv", &csv)?;
    let charts = history::trend_charts(&kept, &trend);
    for (name, figure) in draw(&charts, crate::publish::charts::line_chart)? {
        folder.write(&format!("{name}.svg"), figure.svg.as_bytes())?;
        folder.write(&format!("{name}.png"), &figure.png)?;
    }
    let folder = folder.commit()?;
    Ok(HistoryReport {
        lines: kept.iter().map(history::line).collect(),
        folder,
        recovered: lock.recovered().to_vec(),
    })
}
