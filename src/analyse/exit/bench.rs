//! The `gapmap bench` case for provider exits at England scale: the generated England run
//! ([`crate::synth_run`]: 150,000 people, 6,000 services, 32,844 small areas) with its
//! services shared between 2,000 providers and each current person naming a service of
//! their lot near home (the optional `service_id` column), as long as the service has
//! current users left to name. Every provider's exit is then computed, re-placing people
//! from their homes, with the market shape; loading, placing and the rest of the analysis
//! are done once beforehand and not timed.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::config::Config;
use crate::Error;

/// The bench case's name.
pub const CASE: &str = "exit-england-2000-providers";
/// Providers the generated services are shared between.
const PROVIDERS: usize = 2_000;
/// Cells for finding a service near home, in degrees.
const CELL: f64 = 0.1;

/// Services of a lot in a cell of the grid, with the current users each has left to name.
type NearHome = HashMap<(String, (i64, i64)), Vec<(String, u32)>>;

/// What the case measured.
#[derive(Debug, Clone, Serialize)]
pub struct ExitBenchReport {
    pub case: String,
    pub providers: usize,
    pub services: usize,
    pub people: usize,
    /// People naming a service: those re-placed when their provider leaves.
    pub people_naming_a_service: usize,
    /// Exits that leave someone without a place.
    pub exits_leaving_people: usize,
    pub runs: usize,
    /// Median wall time of every provider's exit and the market shape, seconds.
    pub median_seconds: f64,
    pub fastest_seconds: f64,
    /// Peak resident memory of the process, bytes (includes loading the run's inputs).
    pub peak_memory_bytes: Option<u64>,
}

/// Generates the inputs in a scratch folder, times every exit `runs` times and removes the
/// folder.
pub fn bench_exits(runs: usize) -> Result<ExitBenchReport, Error> {
    let scratch = std::env::temp_dir().join(format!("gapmap-bench-exit-{}", std::process::id()));
    let result = bench_in(&scratch, runs);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn bench_in(scratch: &Path, runs: usize) -> Result<ExitBenchReport, Error> {
    let config_path = crate::synth_run::write_inputs(scratch)?;
    name_services(scratch)
        .map_err(|e| Error::from(crate::publish::PublishError::Io(scratch.to_path_buf(), e)))?;
    let config = Config::read(&config_path)?;
    let checked = crate::pipeline::check(&config, &mut |_| {})?;
    let gaps = super::super::gaps::compute(&config.catalogue, &checked.inputs, &checked.placement);
    let catchment = config.file.analysis.catchment();
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        let exits = super::compute(
            &config.catalogue,
            &checked.inputs,
            &checked.placement,
            &gaps,
            &checked.distances,
            catchment,
        );
        let market = super::super::market::compute(
            &checked.inputs,
            &checked.placement,
            &exits.providers,
            &exits.users,
        );
        times.push(started.elapsed().as_secs_f64());
        std::hint::black_box(&market);
        last = Some(exits);
    }
    times.sort_by(f64::total_cmp);
    let exits = last.expect("at least one run");
    Ok(ExitBenchReport {
        case: CASE.to_string(),
        providers: exits.providers.len(),
        services: checked.inputs.services.len(),
        people: match &checked.inputs.demand {
            crate::model::Demand::People(p) => p.len(),
            crate::model::Demand::Aggregated(_) => 0,
        },
        people_naming_a_service: exits.users.groups.len(),
        exits_leaving_people: exits.exits.iter().filter(|e| e.unplaced > 0).count(),
        runs: times.len(),
        median_seconds: times[times.len() / 2],
        fastest_seconds: times[0],
        peak_memory_bytes: crate::access::peak_memory_bytes(),
    })
}

/// Shares the generated services between [`PROVIDERS`] providers and adds a `service_id`
/// to each current person: the first active service of their lot in their cell of the
/// grid with current users left to name.
fn name_services(dir: &Path) -> std::io::Result<()> {
    let services = std::fs::read_to_string(dir.join("services.csv"))?;
    let mut out = String::new();
    // (lot, cell) -> [(service id, users left)]
    let mut near: NearHome = HashMap::new();
    let cell = |lat: f64, lon: f64| ((lat / CELL).floor() as i64, (lon / CELL).floor() as i64);
    for (n, line) in services.lines().enumerate() {
        if n == 0 {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let provider = (n - 1) * 7_919 % PROVIDERS;
        let _ = writeln!(
            out,
            "{},P{provider:04},Provider {provider},{}",
            f[0],
            f[3..].join(",")
        );
        if f[11] != "active" {
            continue;
        }
        let (lat, lon) = (f[6].parse().unwrap_or(0.0), f[7].parse().unwrap_or(0.0));
        let users: u32 = f[9].parse().unwrap_or(0);
        for lot in f[5].split(';') {
            near.entry((lot.to_string(), cell(lat, lon)))
                .or_default()
                .push((f[0].to_string(), users));
        }
    }
    std::fs::write(dir.join("services.csv"), out)?;
    let people = std::fs::read_to_string(dir.join("people.csv"))?;
    let mut named: HashMap<String, u32> = HashMap::new();
    let mut out = String::with_capacity(people.len() + people.len() / 8);
    for (n, line) in people.lines().enumerate() {
        if n == 0 {
            let _ = writeln!(out, "{line},service_id");
            continue;
        }
        let f: Vec<&str> = line.split(',').collect();
        let mut id = "";
        if f[6] == "current" {
            let (lat, lon) = (f[1].parse().unwrap_or(0.0), f[2].parse().unwrap_or(0.0));
            if let Some(list) = near.get(&(f[5].to_string(), cell(lat, lon))) {
                for (service, users) in list {
                    let used = named.entry(service.clone()).or_default();
                    if *used < *users {
                        *used += 1;
                        id = service;
                        break;
                    }
                }
            }
        }
        let _ = writeln!(out, "{line},{id}");
    }
    std::fs::write(dir.join("people.csv"), out)
}
