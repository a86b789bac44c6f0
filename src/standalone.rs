//! The standalone jobs around the access engine, for analysts and GIS teams who already
//! have points: `gapmap access` (the engine on CSV inputs, CSV or Parquet out) and
//! `gapmap synth` (generated instances for tests and benchmarks). Options arrive as plain
//! values resolved by the binary; files are written whole or not at all.

use std::path::{Path, PathBuf};

use crate::access::{
    self, AccessProblem, AccessResult, AccessSettings, Catchment, Coordinates, Decay, Extent,
    Metric, SynthSpec, Zone,
};
use crate::io::table::{Table, TableError};

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Access(#[from] access::AccessError),
    #[error("{0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("writing {0}: {1}")]
    Table(PathBuf, TableError),
    #[error("{0}")]
    Option(String),
}

/// How the access job measures and weights distance.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessOptions {
    pub catchment: f64,
    /// Step zones as (upper bound, weight); empty means the Gaussian decay.
    pub zones: Vec<(f64, f64)>,
    pub circuity: f64,
}

impl Default for AccessOptions {
    fn default() -> Self {
        AccessOptions {
            catchment: 30.0,
            zones: vec![(10.0, 1.0), (20.0, 0.68), (30.0, 0.22)],
            circuity: 1.0,
        }
    }
}

/// Parses zones written as "10:1,20:0.68,30:0.22".
pub fn parse_zones(text: &str) -> Result<Vec<(f64, f64)>, JobError> {
    text.split(',')
        .map(|z| {
            let (upper, weight) = z.split_once(':').ok_or_else(|| {
                JobError::Option(format!("zone {z:?} is not UPPER:WEIGHT (e.g. 10:1)"))
            })?;
            let number = |s: &str| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| JobError::Option(format!("zone {z:?}: {s:?} is not a number")))
            };
            Ok((number(upper)?, number(weight)?))
        })
        .collect()
}

/// The engine's settings for a problem's coordinates.
pub fn settings_for(problem: &AccessProblem, options: &AccessOptions) -> AccessSettings {
    let metric = if problem.travel_costs.is_some() {
        Metric::TravelCost
    } else {
        match problem.coordinates {
            Coordinates::LonLat => Metric::GreatCircle {
                circuity: options.circuity,
            },
            Coordinates::EastingNorthing => Metric::Planar {
                circuity: options.circuity,
            },
        }
    };
    let decay = if options.zones.is_empty() {
        Decay::Gaussian
    } else {
        Decay::Step {
            zones: options
                .zones
                .iter()
                .map(|&(upper, weight)| Zone { upper, weight })
                .collect(),
        }
    };
    AccessSettings {
        metric,
        catchment: Catchment {
            radius: options.catchment,
            decay,
        },
        ..AccessSettings::default()
    }
}

/// What the access job did, for the terminal.
#[derive(Debug, Clone)]
pub struct AccessSummary {
    pub demand_sites: usize,
    pub services: usize,
    pub pairs_in_reach: u64,
    pub out: PathBuf,
    pub result: AccessResult,
}

/// Runs the engine on CSV inputs and writes one row per demand site and need, as CSV or
/// Parquet by the output's extension.
pub fn run_access(
    demand: &Path,
    services: &Path,
    cost: Option<&Path>,
    out: &Path,
    options: &AccessOptions,
) -> Result<AccessSummary, JobError> {
    let problem = access::read_problem(demand, services, cost)?;
    let settings = settings_for(&problem, options);
    let result = access::compute_access_parallel(&problem, &settings)?;
    let mut bytes = Vec::new();
    match out.extension().and_then(|e| e.to_str()) {
        Some("parquet") => access_table(&problem, &result)
            .write_parquet(&mut bytes)
            .map_err(|e| JobError::Table(out.to_path_buf(), e))?,
        Some("csv") => {
            access::write_access_csv(&mut bytes, &out.display().to_string(), &problem, &result)?
        }
        _ => {
            return Err(JobError::Option(format!(
                "{}: the output must end in .csv or .parquet",
                out.display()
            )))
        }
    }
    write_whole(out, &bytes)?;
    Ok(AccessSummary {
        demand_sites: problem.demand.len(),
        services: problem.services.len(),
        pairs_in_reach: result.pairs_in_reach(),
        out: out.to_path_buf(),
        result,
    })
}

/// The access rows as a table (for Parquet).
pub fn access_table(problem: &AccessProblem, result: &AccessResult) -> Table {
    let rows: Vec<access::AccessRow> = result.rows(problem).collect();
    Table::default()
        .text(
            "demand_id",
            rows.iter().map(|r| r.demand_id.to_string()).collect(),
        )
        .text("need", rows.iter().map(|r| r.need.to_string()).collect())
        .text(
            "nearest_service",
            rows.iter()
                .map(|r| r.nearest_service.unwrap_or("").to_string())
                .collect(),
        )
        .float(
            "nearest_distance",
            rows.iter().map(|r| r.nearest_distance).collect(),
            6,
        )
        .int(
            "services_in_reach",
            rows.iter()
                .map(|r| Some(i64::from(r.services_in_reach)))
                .collect(),
        )
        .float(
            "accessibility_2sfca",
            rows.iter().map(|r| Some(r.accessibility_2sfca)).collect(),
            12,
        )
        .float(
            "accessibility_e2sfca",
            rows.iter().map(|r| Some(r.accessibility_e2sfca)).collect(),
            12,
        )
}

/// Writes a file through a temporary name beside it, so a failure leaves no half file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), JobError> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| JobError::Io(tmp.clone(), e))?;
    std::fs::rename(&tmp, path).map_err(|e| JobError::Io(path.to_path_buf(), e))
}

/// Generates an instance and writes `demand.csv` and `services.csv` into `dir`.
pub fn run_synth(spec: &SynthSpec, dir: &Path) -> Result<(PathBuf, PathBuf), JobError> {
    let problem = access::synth(spec);
    std::fs::create_dir_all(dir).map_err(|e| JobError::Io(dir.to_path_buf(), e))?;
    let demand = dir.join("demand.csv");
    let services = dir.join("services.csv");
    let mut bytes = Vec::new();
    access::write_demand_csv(&mut bytes, &demand.display().to_string(), &problem)?;
    write_whole(&demand, &bytes)?;
    bytes.clear();
    access::write_services_csv(&mut bytes, &services.display().to_string(), &problem)?;
    write_whole(&services, &bytes)?;
    Ok((demand, services))
}

/// The extent named on the command line.
pub fn extent(name: &str) -> Result<Extent, JobError> {
    match name {
        "county" => Ok(Extent::County),
        "england" => Ok(Extent::England),
        other => Err(JobError::Option(format!(
            "extent {other:?} is not county or england"
        ))),
    }
}

/// The benchmark case of the whole `gapmap access` job at density: 33,000 demand points
/// and 20,000 services in a 100 km square (a generated county, lon/lat), 30 km catchment
/// and Luo and Qi's zones, about 244 million pairs in reach.
pub const DENSE_CASE: &str = "access-dense-33000x20000";

/// The measurements of [`bench_access_job`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobBenchReport {
    pub case: String,
    pub demand_sites: usize,
    pub services: usize,
    pub pairs_in_reach: u64,
    pub runs: usize,
    /// Median wall time of the job (read both CSVs, compute, write the CSV), seconds.
    pub median_seconds: f64,
    pub fastest_seconds: f64,
    /// Peak resident memory of the process (VmHWM), bytes.
    pub peak_memory_bytes: Option<u64>,
}

/// Writes [`DENSE_CASE`]'s inputs into a scratch folder, then times the access job on
/// them `runs` times (at least once), as `gapmap access --demand demand.csv --services
/// services.csv --out access.csv` runs it; process start-up is not included.
pub fn bench_access_job(runs: usize) -> Result<JobBenchReport, JobError> {
    let scratch = std::env::temp_dir().join(format!("gapmap-bench-access-{}", std::process::id()));
    let result = bench_access_job_in(&scratch, runs);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn bench_access_job_in(scratch: &Path, runs: usize) -> Result<JobBenchReport, JobError> {
    let (demand, services) = run_synth(&SynthSpec::new(Extent::County, 33_000, 20_000), scratch)?;
    let out = scratch.join("access.csv");
    let mut seconds = Vec::new();
    let mut summary = None;
    for _ in 0..runs.max(1) {
        let start = std::time::Instant::now();
        summary = Some(run_access(
            &demand,
            &services,
            None,
            &out,
            &AccessOptions::default(),
        )?);
        seconds.push(start.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let middle = seconds.len() / 2;
    let median_seconds = if seconds.len() % 2 == 1 {
        seconds[middle]
    } else {
        (seconds[middle - 1] + seconds[middle]) / 2.0
    };
    let summary = summary.ok_or_else(|| JobError::Option("no run".to_string()))?;
    Ok(JobBenchReport {
        case: DENSE_CASE.to_string(),
        demand_sites: summary.demand_sites,
        services: summary.services,
        pairs_in_reach: summary.pairs_in_reach,
        runs: seconds.len(),
        median_seconds,
        fastest_seconds: seconds[0],
        peak_memory_bytes: access::peak_memory_bytes(),
    })
}
