//! The standalone plan, for points a GIS team already has (`gapmap plan --demand ...`):
//! demand and existing services read by the access engine's readers, candidates by
//! [`super::io`], distances measured as `gapmap access` measures them (great-circle km for
//! lon/lat, planar km for x/y, times circuity; in reach when at most the catchment), and
//! the chosen sites written as CSV, whole or not at all.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::io::{read_candidates_csv, write_plan_csv};
use super::pairs::{geometric_instance, PairRange, PlacedSite};
use super::{plan, Objective, Plan, PlanError, PlanInstance, PlanSettings, Site};
use crate::access::{self, AccessError, Coordinates, Location, Metric};

/// Options of a standalone plan, resolved from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct PointPlanOptions {
    pub demand: PathBuf,
    pub candidates: PathBuf,
    /// Existing services (the `gapmap access` services layout), open already.
    pub services: Option<PathBuf>,
    pub out: PathBuf,
    pub new_services: usize,
    pub catchment: f64,
    pub objective: Objective,
    /// Places of every candidate without its own capacity; giving it (or candidate
    /// capacities) makes the plan capacitated.
    pub capacity: Option<f64>,
    /// The need to plan for; required when the demand has more than one.
    pub need: Option<String>,
    pub circuity: f64,
}

/// What a standalone plan did.
#[derive(Debug, Clone)]
pub struct PointPlanReport {
    pub need: String,
    pub demand_points: usize,
    pub existing: usize,
    pub candidates: usize,
    pub pairs: usize,
    pub instance: PlanInstance,
    pub plan: Plan,
}

/// Reads the files, plans and writes the chosen sites to `options.out`.
pub fn run_point_plan(options: &PointPlanOptions) -> Result<PointPlanReport, PlanError> {
    if options.out.extension().and_then(|e| e.to_str()) != Some("csv") {
        return Err(PlanError::Input {
            file: options.out.display().to_string(),
            message: "the output must end in .csv".to_string(),
        });
    }
    let demand_name = options.demand.display().to_string();
    let demand = access::read_demand_csv(open(&options.demand)?, &demand_name)?;
    let need = pick_need(&demand.needs, options.need.as_deref(), &demand_name)?;
    let candidates_name = options.candidates.display().to_string();
    let candidates = read_candidates_csv(open(&options.candidates)?, &candidates_name)?;
    same_coordinates(
        demand.coordinates,
        &demand_name,
        candidates.coordinates,
        &candidates_name,
    )?;
    let mut sites = existing_sites(options, demand.coordinates, &need)?;
    let existing = sites.len();
    let capacitated =
        options.capacity.is_some() || candidates.candidates.iter().any(|c| c.capacity.is_some());
    for c in &candidates.candidates {
        let capacity = match (c.capacity, options.capacity, capacitated) {
            (Some(own), _, _) => own,
            (None, Some(given), _) => given,
            (None, None, true) => {
                return Err(PlanError::Input {
                    file: candidates_name.clone(),
                    message: format!(
                    "candidate {:?} has no capacity while others do; fill it in or give --capacity",
                    c.id
                ),
                })
            }
            (None, None, false) => 0.0,
        };
        sites.push(PlacedSite {
            site: Site {
                id: c.id.clone(),
                capacity,
                existing: false,
            },
            location: c.location,
        });
    }
    let points: Vec<(Location, f64)> = demand
        .sites
        .iter()
        .filter(|d| demand.needs[d.need] == need)
        .map(|d| (d.location, d.weight))
        .collect();
    let metric = match demand.coordinates {
        Coordinates::LonLat => Metric::GreatCircle {
            circuity: options.circuity,
        },
        Coordinates::EastingNorthing => Metric::Planar {
            circuity: options.circuity,
        },
    };
    let range = match (options.objective, capacitated) {
        (Objective::Distance, false) => PairRange::All,
        _ => PairRange::Catchment,
    };
    let locations: Vec<Location> = sites.iter().map(|s| s.location).collect();
    let instance = geometric_instance(
        demand.coordinates,
        metric,
        &points,
        sites,
        options.catchment,
        range,
    )?;
    let plan = plan(
        &instance,
        &PlanSettings {
            objective: options.objective,
            new_sites: options.new_services,
            capacitated,
            ..PlanSettings::default()
        },
    )?;
    let mut bytes = Vec::new();
    let out_name = options.out.display().to_string();
    write_plan_csv(
        &mut bytes,
        &out_name,
        &instance,
        &plan,
        &locations,
        demand.coordinates,
    )?;
    write_whole(&options.out, &bytes)?;
    Ok(PointPlanReport {
        need,
        demand_points: points.len(),
        existing,
        candidates: candidates.candidates.len(),
        pairs: instance.pair_count(),
        instance,
        plan,
    })
}

fn open(path: &Path) -> Result<File, PlanError> {
    File::open(path).map_err(|source| {
        AccessError::Io {
            file: path.display().to_string(),
            source,
        }
        .into()
    })
}

fn pick_need(needs: &[String], asked: Option<&str>, file: &str) -> Result<String, PlanError> {
    match (asked, needs) {
        (Some(name), _) if needs.iter().any(|n| n == name) => Ok(name.to_string()),
        (Some(name), _) => Err(PlanError::Input {
            file: file.to_string(),
            message: format!(
                "no demand row has need {name:?} (the needs are: {})",
                needs.join(", ")
            ),
        }),
        (None, [only]) => Ok(only.clone()),
        (None, []) => Err(PlanError::Input {
            file: file.to_string(),
            message: "no demand rows".to_string(),
        }),
        (None, _) => Err(PlanError::Input {
            file: file.to_string(),
            message: format!(
                "the demand has several needs; choose one with --need (one of: {})",
                needs.join(", ")
            ),
        }),
    }
}

fn same_coordinates(
    a: Coordinates,
    a_file: &str,
    b: Coordinates,
    b_file: &str,
) -> Result<(), PlanError> {
    if a == b {
        return Ok(());
    }
    Err(AccessError::MixedCoordinates {
        demand_file: a_file.to_string(),
        demand: coordinate_name(a),
        services_file: b_file.to_string(),
        services: coordinate_name(b),
    }
    .into())
}

fn coordinate_name(c: Coordinates) -> &'static str {
    match c {
        Coordinates::LonLat => "longitude/latitude",
        Coordinates::EastingNorthing => "easting/northing",
    }
}

/// The active services serving `need`, with their capacity as room.
fn existing_sites(
    options: &PointPlanOptions,
    coordinates: Coordinates,
    need: &str,
) -> Result<Vec<PlacedSite>, PlanError> {
    let Some(path) = &options.services else {
        return Ok(Vec::new());
    };
    let name = path.display().to_string();
    let file = access::read_services_csv(open(path)?, &name)?;
    same_coordinates(
        coordinates,
        &options.demand.display().to_string(),
        file.coordinates,
        &name,
    )?;
    let Some(index) = file.needs.iter().position(|n| n == need) else {
        return Ok(Vec::new());
    };
    Ok(file
        .services
        .into_iter()
        .filter(|s| s.active && s.needs.contains(&index))
        .map(|s| PlacedSite {
            site: Site {
                id: s.id,
                capacity: s.capacity,
                existing: true,
            },
            location: s.location,
        })
        .collect())
}

/// Writes a file through a temporary name beside it, so a failure leaves no half file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), PlanError> {
    let tmp = path.with_extension("partial");
    let fail = |file: &Path, source| -> PlanError {
        AccessError::Io {
            file: file.display().to_string(),
            source,
        }
        .into()
    };
    std::fs::write(&tmp, bytes).map_err(|e| fail(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| fail(path, e))
}
