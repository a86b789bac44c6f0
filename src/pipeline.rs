//! The pipeline: config, load, locate, analyse, publish, with progress reported to a
//! callback so the binary decides where messages go.

use std::path::PathBuf;

use crate::analyse::{self, Analysis, Distances};
use crate::config::Config;
use crate::load::{self, Inputs};
use crate::locate::{self, Placement};
use std::collections::BTreeSet;

use crate::config::OnBadRow;
use crate::model::Demand;
use crate::problem::{InputErrors, Place, Problems};
use crate::publish::disk::DiskHandle;
use crate::publish::label_lock::{LabelLock, Waiting};
use crate::publish::published::PublishedRun;
use crate::publish::{self, RunData};
use crate::Error;

/// Options of one run, resolved from the command line.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Folder holding run folders.
    pub outputs: PathBuf,
    /// Overrides the config's label.
    pub label: Option<String>,
    /// Replace an existing run of the same label.
    pub force: bool,
    /// Compare with this earlier run (a label under `outputs`, or a run folder).
    pub compare_with: Option<String>,
    /// Also print the report to `report.pdf` with headless Chromium, when installed.
    pub pdf: bool,
    /// Queue behind another run of the same label instead of being refused.
    pub wait: bool,
    /// Where the run folder's files go (the local disk; in tests, one that fails).
    pub disk: DiskHandle,
}

impl RunOptions {
    /// The run's label: the one given, or the config's.
    pub fn label(&self, config: &Config) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| config.file.label.clone())
    }
}

/// What a finished run reports back.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub folder: PathBuf,
    pub label: String,
    pub published: PublishedRun,
    pub warnings: Vec<String>,
    /// What reading the inputs set aside or inferred, counted exactly (for the terminal;
    /// published outputs give these counts under disclosure control).
    pub input_notes: Vec<crate::load::mapping::Note>,
}

/// Inputs loaded, located and checked.
pub struct Checked {
    pub inputs: Inputs,
    pub placement: Placement,
    /// How distances are measured: straight line, or the travel costs (checked to hold
    /// every pair the run needs, or allowed to estimate the rest).
    pub distances: Distances,
    pub warnings: Vec<String>,
}

/// Loads and locates everything, reporting each stage.
pub fn check(config: &Config, progress: &mut dyn FnMut(&str)) -> Result<Checked, Error> {
    progress("loading inputs");
    let mut inputs = load::load(config)?;
    progress(&format!(
        "loaded {} services, {} areas in {} districts",
        inputs.services.len(),
        inputs.areas.len(),
        inputs.districts.len()
    ));
    progress("placing services and people in areas");
    let placement = match place(&inputs) {
        Ok(p) => p,
        Err(problems) if config.file.validation.on_bad_row == OnBadRow::Skip => {
            drop_rows(&mut inputs.demand, &problems);
            inputs.rejected.extend(problems);
            place(&inputs).map_err(InputErrors)?
        }
        Err(problems) => return Err(InputErrors(problems).into()),
    };
    let distances = travel_costs(config, &mut inputs)?;
    let mut warnings = placement.warnings.clone();
    let estimated = analyse::access::check_travel_costs(
        &config.catalogue,
        &inputs,
        &placement,
        config.file.areas.district_property.is_some(),
        &distances,
    )?;
    if let (Some(costs), true) = (distances.travel_costs(), estimated > 0) {
        warnings.push(format!(
            "{estimated} origin-destination pair{} the run needs {} missing from {} and {} estimated by straight line, as the config allows (missing_pairs = \"straight_line\")",
            if estimated == 1 { "" } else { "s" },
            if estimated == 1 { "was" } else { "were" },
            costs.source,
            if estimated == 1 { "was" } else { "were" },
        ));
    }
    if !inputs.rejected.is_empty() {
        warnings.push(format!(
            "{} bad row{} left out, as the config allows (on_bad_row = \"skip\"); each is listed with its reason in NOT-FOR-PUBLICATION/rejects.csv",
            inputs.rejected.len(),
            if inputs.rejected.len() == 1 { " was" } else { "s were" }
        ));
    }
    Ok(Checked {
        inputs,
        placement,
        distances,
        warnings,
    })
}

/// Reads the travel-cost matrix the config names, if any, recording it for the manifest;
/// bad rows stop the run, or with `on_bad_row = "skip"` are left out and listed.
fn travel_costs(config: &Config, inputs: &mut Inputs) -> Result<Distances, Error> {
    if let Some(travel) = &config.file.travel {
        let costs = drive_times(config, travel, inputs)?;
        return Ok(Distances::from_settings(&config.file.analysis, Some(costs)));
    }
    let loaded = load::travel_costs::load(config, inputs).map_err(InputErrors)?;
    let Some(loaded) = loaded else {
        return Ok(Distances::from_settings(&config.file.analysis, None));
    };
    inputs.records.push(loaded.record);
    if !loaded.rejected.is_empty() {
        if config.file.validation.on_bad_row == OnBadRow::Skip {
            inputs.rejected.extend(loaded.rejected);
        } else {
            return Err(InputErrors(loaded.rejected).into());
        }
    }
    Ok(Distances::from_settings(
        &config.file.analysis,
        Some(loaded.costs),
    ))
}

/// Drive times from the run's origins to its active services over the `[travel] network`
/// extract, recorded (with its SHA-256) for the manifest. The origins mirror what a matrix
/// file would hold: with small areas, each area's interior point under its code (people
/// then travel from their area's point); otherwise each person's home under their id.
fn drive_times(
    config: &Config,
    travel: &crate::travel::run::TravelSection,
    inputs: &mut Inputs,
) -> Result<analyse::TravelCosts, Error> {
    use crate::travel::io::Place as RoadPlace;
    use crate::travel::run::PlaceGroup;
    let name = &travel.network;
    let path = match &config.origin {
        crate::config::Origin::Directory(dir) => dir.join(name),
        crate::config::Origin::EmbeddedSample => {
            return Err(crate::travel::TravelError::Option(format!(
                "{name}: [travel] network needs a config read from a folder (the embedded sample has no road network)"
            ))
            .into())
        }
    };
    let file = crate::io::InputFile::read(name, &path).map_err(|p| {
        let mut problems = Problems::default();
        problems.push(p);
        InputErrors(problems)
    })?;
    let areas_file = &config.file.inputs.areas;
    let demand_file = &config.file.inputs.demand.file;
    let origins = if config.file.areas.district_property.is_some() {
        let places = inputs
            .areas
            .iter()
            .zip(&inputs.area_points)
            .filter_map(|(a, point)| {
                let point = (*point)?;
                Some(RoadPlace {
                    id: a.code.clone(),
                    location: [point.x(), point.y()],
                    line: 0,
                })
            })
            .collect();
        let features: std::collections::HashMap<String, usize> = inputs
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| (a.code.clone(), i + 1))
            .collect();
        PlaceGroup {
            places,
            describe: Box::new(move |p: &RoadPlace| {
                format!(
                    "{areas_file}, feature {} (interior point of the area)",
                    features.get(&p.id).copied().unwrap_or(0)
                )
            }),
        }
    } else {
        let places = match &inputs.demand {
            Demand::People(people) => people
                .iter()
                .map(|p| RoadPlace {
                    id: p.person_id.clone(),
                    location: [p.location.x(), p.location.y()],
                    line: p.line,
                })
                .collect(),
            Demand::Aggregated(_) => Vec::new(),
        };
        PlaceGroup {
            places,
            describe: Box::new(move |p: &RoadPlace| format!("{demand_file}:{}", p.line)),
        }
    };
    let services_file = &config.file.inputs.services.file;
    let destinations = PlaceGroup {
        places: inputs
            .services
            .iter()
            .filter(|s| s.status == crate::model::ServiceStatus::Active)
            .map(|s| RoadPlace {
                id: s.id.clone(),
                location: [s.location.x(), s.location.y()],
                line: 0,
            })
            .collect(),
        describe: Box::new(move |p: &RoadPlace| format!("{services_file}, service {}", p.id)),
    };
    let times = crate::travel::run::drive_times(travel, &path, &[origins], &destinations)?;
    let matrix = crate::access::TravelCosts::from_rows(
        times
            .rows
            .iter()
            .map(|(o, d, minutes)| (o.as_str(), d.as_str(), *minutes)),
    )?;
    inputs.records.push(crate::load::InputRecord {
        role: "road_network".into(),
        file: name.clone(),
        sha256: file.sha256(),
        records: times.graph.ways,
    });
    Ok(analyse::TravelCosts {
        matrix,
        unit: crate::config::TravelCostUnit::Minutes,
        source: format!(
            "drive times from OpenStreetMap ({name}, {})",
            crate::travel::OSM_ATTRIBUTION
        ),
    })
}

fn place(inputs: &Inputs) -> Result<Placement, Problems> {
    locate::locate(
        &inputs.services,
        &inputs.demand,
        &inputs.areas,
        &inputs.districts,
    )
}

/// Leaves out the demand rows on the lines the problems name.
fn drop_rows(demand: &mut Demand, problems: &Problems) {
    let places: BTreeSet<(&str, &Place)> = problems
        .listed
        .iter()
        .map(|p| (p.file.as_str(), &p.place))
        .collect();
    let named = |at: &crate::model::RecordAt| places.contains(&(&*at.file, &at.place));
    match demand {
        Demand::People(people) => people.retain(|p| !named(&p.at)),
        Demand::Aggregated(cells) => cells.retain(|c| !named(&c.at)),
    }
}

/// Takes the lock on the run's label for the whole run (and the plans that follow it),
/// refused at once when another process holds it, unless `options.wait`; `on_wait` hears
/// when it queues. What a stopped run of the label left behind is recovered by then
/// ([`LabelLock::recovered`] says what).
pub fn lock(
    config: &Config,
    options: &RunOptions,
    on_wait: &mut dyn FnMut(&str),
) -> Result<LabelLock, Error> {
    let waiting = Waiting::queue_if(options.wait);
    Ok(LabelLock::acquire(
        &options.outputs,
        &options.label(config),
        waiting,
        on_wait,
    )?)
}

/// Runs the whole pipeline and writes the run folder of the label `lock` holds (taken with
/// [`lock`]).
pub fn run(
    config: &Config,
    options: &RunOptions,
    lock: &LabelLock,
    progress: &mut dyn FnMut(&str),
) -> Result<RunReport, Error> {
    let compare_with = match &options.compare_with {
        Some(label) => Some(
            crate::compare::runs::resolve(label, &options.outputs)
                .map_err(|e| crate::publish::PublishError::Compare(e.to_string()))?,
        ),
        None => None,
    };
    let checked = check(config, progress)?;
    progress("computing gaps, distances and costs");
    let analysis: Analysis = analyse::analyse(
        config,
        &checked.inputs,
        &checked.placement,
        &checked.distances,
    )?;
    let published = PublishedRun::new(config, &checked.inputs, &checked.placement, &analysis);
    let label = lock.label().to_string();
    let chromium = options.pdf.then(publish::pdf::find_chromium);
    let mut notes = Vec::new();
    if chromium == Some(None) {
        notes.push("report.pdf was not written: Chromium is not installed (apt-get install chromium, or put chromium on the PATH); report.html prints to PDF from any browser".to_string());
    }
    progress("writing tables and maps");
    // Publishing does not call comparing: the comparison is handed to it as a step.
    let after = label.as_str();
    let since_last = compare_with.as_deref().map(|before| {
        move |folder: &mut crate::publish::run_folder::RunFolder| {
            crate::compare::since_last(folder, before, after).map_err(|e| e.to_string())
        }
    });
    let folder = publish::publish(
        &RunData {
            config,
            inputs: &checked.inputs,
            placement: &checked.placement,
            published: &published,
            analysis: &analysis,
            label: &label,
            lock,
            disk: options.disk.clone(),
            replace: options.force,
            compare_with: since_last.as_ref().map(|step| step as publish::CompareStep),
            warnings: &checked.warnings,
            chromium: chromium.flatten().as_deref(),
        },
        progress,
    )?;
    let mut warnings = checked.warnings;
    warnings.extend(notes);
    Ok(RunReport {
        folder,
        label,
        published,
        warnings,
        input_notes: checked.inputs.notes.clone(),
    })
}
