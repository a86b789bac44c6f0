//! Benchmark cases for the planner on generated county instances (the access engine's
//! seeded generator: towns with Zipf sizes, lon/lat, great-circle km): each run uses a
//! different seed, so the report gives the median time and the worst gap to the bound
//! over several instances. The gap is an upper limit on how far the plan is from the
//! optimum (the bound holds for every plan).

use std::time::Instant;

use serde::Serialize;

use super::pairs::{geometric_instance, PairRange, PlacedSite};
use super::{plan, Objective, PlanError, PlanSettings, Site};
use crate::access::{synth, Coordinates, Extent, Location, Metric, SynthSpec};

/// A named planning problem to generate and solve.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanBenchCase {
    pub name: &'static str,
    pub demand: usize,
    pub candidates: usize,
    pub new_sites: usize,
    pub catchment_km: f64,
    pub objective: Objective,
    /// Places at every candidate: a capacitated plan with one person per demand point.
    pub places: Option<f64>,
}

/// The measurements of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanBenchReport {
    pub case: String,
    pub demand: usize,
    pub candidates: usize,
    pub new_sites: usize,
    pub runs: usize,
    /// Median pairs joined (within the catchment, or all for the distance model).
    pub pairs: usize,
    /// Median wall time from the points to the plan and its bound, seconds.
    pub median_seconds: f64,
    pub slowest_seconds: f64,
    /// Largest gap between plan and bound over the runs, as a share.
    pub worst_gap: f64,
    pub median_gap: f64,
    pub peak_memory_bytes: Option<u64>,
}

/// The three targets: coverage 10,000 x 500 with p = 10 and a 10 km catchment; distance
/// 2,000 x 200 with p = 5; capacitated coverage 100,000 people x 5,000 candidates, p = 50
/// (and a smaller capacitated case, 10,000 x 500, p = 10).
pub fn plan_cases() -> Vec<PlanBenchCase> {
    vec![
        PlanBenchCase {
            name: "plan-coverage-10000x500-p10",
            demand: 10_000,
            candidates: 500,
            new_sites: 10,
            catchment_km: 10.0,
            objective: Objective::Coverage,
            places: None,
        },
        PlanBenchCase {
            name: "plan-distance-2000x200-p5",
            demand: 2_000,
            candidates: 200,
            new_sites: 5,
            catchment_km: 10.0,
            objective: Objective::Distance,
            places: None,
        },
        PlanBenchCase {
            name: "plan-capacitated-10000x500-p10",
            demand: 10_000,
            candidates: 500,
            new_sites: 10,
            catchment_km: 10.0,
            objective: Objective::Coverage,
            places: Some(20.0),
        },
        PlanBenchCase {
            name: "plan-capacitated-100000x5000-p50",
            demand: 100_000,
            candidates: 5_000,
            new_sites: 50,
            catchment_km: 10.0,
            objective: Objective::Coverage,
            places: Some(20.0),
        },
    ]
}

/// Generates and solves the case `runs` times (at least once), seeds 1, 2, ...
pub fn bench_plan_case(case: &PlanBenchCase, runs: usize) -> Result<PlanBenchReport, PlanError> {
    let mut seconds = Vec::new();
    let mut gaps = Vec::new();
    let mut pairs = Vec::new();
    for run in 0..runs.max(1) {
        let mut spec = SynthSpec::new(Extent::County, case.demand, case.candidates);
        spec.seed = run as u64 + 1;
        let problem = synth(&spec);
        let demand: Vec<(Location, f64)> = problem
            .demand
            .iter()
            .map(|d| {
                (
                    d.location,
                    if case.places.is_some() { 1.0 } else { d.weight },
                )
            })
            .collect();
        let sites: Vec<PlacedSite> = problem
            .services
            .iter()
            .map(|s| PlacedSite {
                site: Site {
                    id: s.id.clone(),
                    capacity: case.places.unwrap_or(0.0),
                    existing: false,
                },
                location: s.location,
            })
            .collect();
        let range = match (case.objective, case.places) {
            (Objective::Distance, None) => PairRange::All,
            _ => PairRange::Catchment,
        };
        let start = Instant::now();
        let instance = geometric_instance(
            Coordinates::LonLat,
            Metric::GreatCircle { circuity: 1.0 },
            &demand,
            sites,
            case.catchment_km,
            range,
        )?;
        let found = plan(
            &instance,
            &PlanSettings {
                objective: case.objective,
                new_sites: case.new_sites,
                capacitated: case.places.is_some(),
                ..PlanSettings::default()
            },
        )?;
        seconds.push(start.elapsed().as_secs_f64());
        gaps.push(found.gap());
        pairs.push(instance.pair_count());
    }
    seconds.sort_by(f64::total_cmp);
    gaps.sort_by(f64::total_cmp);
    pairs.sort_unstable();
    Ok(PlanBenchReport {
        case: case.name.to_string(),
        demand: case.demand,
        candidates: case.candidates,
        new_sites: case.new_sites,
        runs: seconds.len(),
        pairs: pairs[pairs.len() / 2],
        median_seconds: seconds[seconds.len() / 2],
        slowest_seconds: seconds[seconds.len() - 1],
        worst_gap: gaps[gaps.len() - 1],
        median_gap: gaps[gaps.len() / 2],
        peak_memory_bytes: crate::access::peak_memory_bytes(),
    })
}
