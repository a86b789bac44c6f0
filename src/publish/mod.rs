//! Publish: disclosure control, then tables, maps, charts and the manifest, written into a
//! run folder that appears only when every file was written.
//!
//! [`published`] applies disclosure control once; every writer reads only its result. The
//! safety of the run folder (one writer per label, atomic replacement, recovery after a
//! crash, checking against the manifest) is in [`label_lock`], [`run_folder`],
//! [`leftovers`], [`disk`] and [`verify`].

pub mod charts;
pub mod disclosure;
pub mod disk;
pub mod figures;
pub mod geopackage;
pub mod label_lock;
mod leftovers;
pub mod manifest;
pub mod maps;
pub mod market;
pub mod market_charts;
pub mod pdf;
pub mod projections;
pub mod published;
pub mod qgis;
pub mod report;
pub mod run_folder;
pub mod tables;
pub mod topology;
pub mod verify;
pub mod workbook;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::io::geojson::{write_feature_collection, write_features_in_parallel};
use crate::io::table::{Table, TableError};
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::ServiceStatus;
use disk::DiskHandle;
use label_lock::LabelLock;
use manifest::{ConfigRecord, Counts, DisclosureRecord, Manifest, OutputRecord, MANIFEST};
use published::PublishedRun;
use run_folder::RunFolder;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("run label {0:?} cannot name a folder (use letters, digits, '-', '_' and '.', not starting with '.')")]
    Label(String),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    /// Writing the folder failed: nothing was published.
    #[error("{0}: {1} (stopped: nothing was published, and what the outputs folder held before is as it was)")]
    Write(PathBuf, std::io::Error),
    #[error("{} already exists: give --force to replace that run, or --label to name a new one", .0.display())]
    Exists(PathBuf),
    #[error("run label {label:?} is busy: {} is writing {} (try again when it has finished, or give --wait to queue behind it)", .holder.map_or_else(|| "another process".to_string(), |pid| format!("process {pid}")), .folder.display())]
    Busy {
        label: String,
        folder: PathBuf,
        /// The process holding the label, when it could be read.
        holder: Option<u32>,
    },
    #[error("{}: {message}", .path.display())]
    Manifest { path: PathBuf, message: String },
    #[error("writing a table: {0}")]
    Table(#[from] TableError),
    #[error("drawing a chart: {0}")]
    Chart(#[from] charts::ChartError),
    #[error("comparing with the earlier run: {0}")]
    Compare(String),
    #[error("writing tables/gapmap.xlsx: {0}")]
    Workbook(#[from] rust_xlsxwriter::XlsxError),
    #[error("writing report.pdf: {0}")]
    Pdf(#[from] pdf::PdfError),
    #[error("writing maps/gapmap.gpkg: {0}")]
    Geopackage(String),
}

/// Writes the comparison with an earlier run into the run folder (whose manifest, tables
/// and maps are written by then) and returns the report's section and the change tables
/// (for the workbook). The pipeline supplies
/// it from [`crate::compare`], so publishing never calls comparing: `compare` reuses
/// publish's writers, and the dependency runs one way.
pub type CompareStep<'a> = &'a (dyn Fn(&mut RunFolder<'_>) -> Result<(report::SinceLast, Vec<(String, Table)>), String>
         + Sync);

/// What a run hands to publishing.
pub struct RunData<'a> {
    pub config: &'a Config,
    pub inputs: &'a Inputs,
    pub placement: &'a Placement,
    pub published: &'a PublishedRun,
    /// The unprotected analysis: used only for the internal table, when configured.
    pub analysis: &'a crate::analyse::Analysis,
    pub label: &'a str,
    /// The lock on the label, held by the caller for the run's whole life.
    pub lock: &'a LabelLock,
    /// Where the files go (the local disk, or in tests one that fails).
    pub disk: DiskHandle,
    /// Whether an existing run of the same label may be replaced.
    pub replace: bool,
    /// The comparison with an earlier run ("Since last quarter"), when asked for.
    pub compare_with: Option<CompareStep<'a>>,
    pub warnings: &'a [String],
    /// Chromium, to print the report to `report.pdf`; `None` to write no PDF.
    pub chromium: Option<&'a str>,
}

/// Writes a table as `<name>.csv` and `<name>.parquet` in the folder.
pub(crate) fn table_files(
    folder: &mut RunFolder,
    name: &str,
    table: &Table,
) -> Result<(), PublishError> {
    let mut csv = Vec::new();
    table.write_csv(&mut csv)?;
    folder.write_owned(&format!("{name}.csv"), csv)?;
    let mut parquet = Vec::new();
    table.write_parquet(&mut parquet)?;
    folder.write_owned(&format!("{name}.parquet"), parquet)
}

fn geojson_file(
    folder: &mut RunFolder,
    name: &str,
    features: &[crate::io::geojson::OutFeature],
) -> Result<(), PublishError> {
    let mut bytes = Vec::new();
    write_feature_collection(&mut bytes, features)
        .map_err(|e| PublishError::Io(PathBuf::from(name), e))?;
    folder.write_owned(&format!("maps/{name}.geojson"), bytes)
}

/// A QGIS style per lot's gap, and `districts.qml` (loaded by default) for the lot with the
/// largest shortfall; with small areas, the same for their distance to the nearest service;
/// and `services.qml`, services labelled by name.
fn qgis_styles(
    folder: &mut RunFolder,
    run: &RunData,
    maps: &figures::Maps,
) -> Result<(), PublishError> {
    let (config, published) = (run.config, run.published);
    let areas = &config.file.areas;
    let label_field = match &areas.district_property {
        None => areas.name_property.clone(),
        Some(p) => areas
            .district_name_property
            .clone()
            .unwrap_or_else(|| format!("{p}_name")),
    };
    let headline = published.largest_shortfalls(1).first().map_or(0, |r| r.lot);
    for (lot, l) in config.catalogue.lots.iter().enumerate() {
        let qml = qgis::graduated_style(
            &format!("{}_gap", l.id),
            Some(&label_field),
            &charts::legend_classes(&maps.gap[lot]),
        );
        folder.write(&format!("maps/districts_{}_gap.qml", l.id), qml.as_bytes())?;
        if lot == headline {
            folder.write("maps/districts.qml", qml.as_bytes())?;
        }
        if let Some(map) = maps.access.get(lot) {
            let unit = published.distances.suffix();
            let qml = qgis::graduated_style(
                &format!("{}_nearest_{unit}", l.id),
                None,
                &charts::legend_classes(map),
            );
            folder.write(
                &format!("maps/small_areas_{}_nearest_{unit}.qml", l.id),
                qml.as_bytes(),
            )?;
            if lot == headline {
                folder.write("maps/small_areas.qml", qml.as_bytes())?;
            }
        }
    }
    let services = qgis::point_style("service_name", qgis::POINT_COLOUR);
    folder.write("maps/services.qml", services.as_bytes())
}

/// Writes the whole run folder of the locked label and returns its path.
/// `progress` hears each step as it starts.
pub fn publish(run: &RunData, progress: &mut dyn FnMut(&str)) -> Result<PathBuf, PublishError> {
    let (config, inputs, published) = (run.config, run.inputs, run.published);
    let mut folder = RunFolder::create_on(run.lock, run.replace, run.disk.clone())?;
    let mut all_rows = published.districts.clone();
    all_rows.extend(published.groupings.iter().cloned());
    // Every published table, kept for the workbook in the order of its sheets.
    let mut sheets: Vec<(String, Table)> = Vec::new();
    let mut table = |folder: &mut RunFolder, name: &str, t: Table| {
        table_files(folder, &format!("tables/{name}"), &t)?;
        sheets.push((name.to_string(), t));
        Ok::<(), PublishError>(())
    };
    table(
        &mut folder,
        "gaps",
        tables::gaps(config, &all_rows, published.distances.suffix()),
    )?;
    table(
        &mut folder,
        "demand",
        tables::demand(config, &published.districts),
    )?;
    table(
        &mut folder,
        "supply",
        tables::supply(config, inputs, published),
    )?;
    if !published.cost.is_empty() {
        table(&mut folder, "cost_by_band", tables::cost(config, published))?;
    }
    if let Some(p) = &published.projections {
        table(&mut folder, "projections", projections::table(config, p))?;
    }
    for (name, t) in market::tables(config, inputs, published) {
        table(&mut folder, name, t)?;
    }
    let districts = maps::districts(config, inputs, published);
    geojson_file(&mut folder, "districts", &districts)?;
    let services = maps::services(config, inputs, published);
    geojson_file(&mut folder, "services", &services)?;
    let maps = figures::maps(config, inputs, published);
    qgis_styles(&mut folder, run, &maps)?;
    let small_areas = maps::SmallAreas::new(config, inputs, published);
    if !published.areas.is_empty() {
        table(
            &mut folder,
            "access_by_area",
            tables::access_by_area(config, inputs, published),
        )?;
        let mut bytes = Vec::new();
        write_features_in_parallel(&mut bytes, small_areas.len(), |i| small_areas.feature(i))
            .map_err(|e| PublishError::Io(PathBuf::from("small_areas"), e))?;
        folder.write_owned("maps/small_areas.geojson", bytes)?;
    }
    if !inputs.rejected.is_empty() {
        let mut csv = Vec::new();
        tables::rejects(&inputs.rejected).write_csv(&mut csv)?;
        folder.write("NOT-FOR-PUBLICATION/rejects.csv", &csv)?;
    }
    if config.file.disclosure.write_unrounded {
        let table = tables::gaps(
            config,
            &published::unrounded_rows(config, inputs, run.analysis),
            published.distances.suffix(),
        );
        table_files(&mut folder, "NOT-FOR-PUBLICATION/gaps_unrounded", &table)?;
    }
    let since = match run.compare_with {
        Some(compare) => {
            progress("comparing with the earlier run");
            // The comparison reads this run's manifest, so write it first; it is rewritten
            // below with every file's checksum.
            let manifest = manifest_of(run, folder.files()?).to_json();
            folder.write_owned(MANIFEST, manifest)?;
            let (since, changes) = compare(&mut folder).map_err(PublishError::Compare)?;
            sheets.extend(changes);
            Some(since)
        }
        None => None,
    };
    progress(geopackage::STEP);
    {
        let district = |i: usize| districts[i].clone();
        let district_properties = |i: usize| districts[i].properties.clone();
        let service = |i: usize| services[i].clone();
        let service_properties = |i: usize| services[i].properties.clone();
        let small_area = |i: usize| small_areas.feature(i);
        let small_area_properties = |i: usize| small_areas.properties(i);
        let mut held = vec![
            geopackage::Held {
                stem: "districts",
                count: districts.len(),
                feature: &district,
                properties: &district_properties,
            },
            geopackage::Held {
                stem: "services",
                count: services.len(),
                feature: &service,
                properties: &service_properties,
            },
        ];
        if !published.areas.is_empty() {
            held.push(geopackage::Held {
                stem: "small_areas",
                count: small_areas.len(),
                feature: &small_area,
                properties: &small_area_properties,
            });
        }
        geopackage::write(&mut folder, &config.file.data_date, &held)?;
    }
    drop((districts, services, small_areas));
    // The GeoPackage's database (England's: about 100 MB) is freed before the last and
    // largest stage starts.
    folder.wait_written()?;
    // The workbook is written on one thread while the others simplify the interactive
    // maps and draw the figures: it is a single stream of cells, they are many pieces.
    progress("writing the workbook, the interactive maps and the figures");
    let (xlsx, drawn) = rayon::join(
        || {
            let xlsx = workbook::workbook(config, &published.disclosure, &sheets);
            drop(sheets);
            xlsx
        },
        || {
            let interactive = report::InteractiveMaps::new(config, inputs, published, &maps);
            figures::draw_all(config, inputs, published, maps).map(|f| (interactive, f))
        },
    );
    let (xlsx, (interactive, figures)) = (xlsx?, drawn?);
    figures::write_all(&mut folder, &figures)?;
    folder.write_owned(workbook::FILE, xlsx)?;
    progress("writing the report");
    folder.write_owned(
        "report.html",
        report::html(
            config,
            inputs,
            published,
            &figures,
            since.as_ref(),
            &interactive,
        ),
    )?;
    if let Some(browser) = run.chromium {
        progress("printing the report to PDF");
        let html = folder.written()?.join("report.html");
        let bytes = pdf::print(browser, &html, &config.file.data_date)?;
        folder.write("report.pdf", &bytes)?;
    }
    let manifest = manifest_of(run, folder.files()?);
    folder.write_owned(MANIFEST, manifest.to_json())?;
    folder.commit()
}

fn manifest_of(run: &RunData, files: &[(String, String)]) -> Manifest {
    let (config, inputs) = (run.config, run.inputs);
    let digest = Sha256::digest(config.text.as_bytes());
    Manifest {
        tool: "gapmap",
        version: env!("CARGO_PKG_VERSION"),
        label: run.label.to_string(),
        data_date: config.file.data_date.clone(),
        title: config.file.title.clone(),
        config: ConfigRecord {
            file: Path::new(&config.file_name)
                .file_name()
                .map_or_else(|| config.file_name.clone(), |n| n.to_string_lossy().into_owned()),
            sha256: crate::io::hex(&digest),
            text: config.text.clone(),
        },
        inputs: inputs.records.clone(),
        disclosure: DisclosureRecord {
            threshold: run.published.disclosure.threshold,
            rounding_base: run.published.disclosure.base,
            rule: "counts of people from 1 to the threshold suppressed, others rounded to the base; a total's parts both suppressed when either is",
        },
        counts: Counts {
            services: inputs.services.len(),
            active_services: inputs.services.iter().filter(|s| s.status == ServiceStatus::Active).count(),
            services_outside_areas: run.placement.service_district.iter().filter(|d| d.is_none()).count(),
            areas: inputs.areas.len(),
            districts: inputs.districts.len(),
            demand_rows: inputs.records.iter().find(|r| r.role == "demand").map_or(0, |r| r.records),
            rejected_rows: inputs.rejected.len(),
        },
        warnings: run.warnings.to_vec(),
        input_notes: inputs
            .notes
            .iter()
            .map(|n| manifest::InputNote {
                file: n.file.clone(),
                count: run.published.disclosure.count(u32::try_from(n.count).unwrap_or(u32::MAX)),
                what: n.what.clone(),
            })
            .collect(),
        outputs: files
            .iter()
            .filter(|(file, _)| file != MANIFEST)
            .map(|(file, sha256)| OutputRecord {
                file: file.clone(),
                sha256: sha256.clone(),
            })
            .collect(),
    }
}
