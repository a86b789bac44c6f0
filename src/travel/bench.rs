//! Benchmark cases for the travel stage: building the Rutland graph from its extract, a
//! 10,000 x 50 matrix on it, and a generated county-sized grid of about 2 million road points
//! (build, and 50,000 x 500 within 60 minutes). The binary runs each case in a fresh process
//! and reads the [`TravelBenchReport`] back as JSON.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::grid::{generate_grid, GridSpec};
use super::job::load_network;
use super::route::{travel_matrix, Limit};
use super::snap::{Snap, SnapIndex};
use super::{CarProfile, RoadGraph, TravelError};
use crate::access::peak_memory_bytes;
use crate::rng::SplitMix64;

/// The cases, by name.
pub const CASES: [&str; 4] = [
    "travel-rutland-build",
    "travel-rutland-10000x50",
    "travel-grid-build",
    "travel-grid-50000x500",
];

/// The grid of the county-sized cases: 535 x 535 junctions, 3 shape points per road, 120 m
/// apart (a 64 km square): 2,000,000 road points or so.
pub const COUNTY_GRID: GridSpec = GridSpec {
    side: 535,
    shape_points: 3,
    spacing_m: 120.0,
    seed: 1,
};

/// The measurements of one case (seconds are medians over the runs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TravelBenchReport {
    pub case: String,
    pub runs: usize,
    pub threads: usize,
    pub road_points: usize,
    pub junctions: usize,
    pub edges: usize,
    pub junctions_dropped: usize,
    pub origins: usize,
    pub destinations: usize,
    /// Pairs within the limit.
    pub pairs: usize,
    pub build_seconds: f64,
    pub snap_seconds: f64,
    pub route_seconds: f64,
    pub peak_memory_bytes: Option<u64>,
}

/// The Rutland extract shipped with the example, inside a checkout of gapmap.
pub const RUTLAND_EXTRACT: &str = "examples/rutland/rutland-2021-05-07.osm.pbf";

/// The Rutland extract in the checkout this gapmap was built from (for tests, which always
/// run there).
pub fn rutland_extract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(RUTLAND_EXTRACT)
}

/// Where the Rutland extract is for the benchmark: `given`, when given; otherwise
/// [`RUTLAND_EXTRACT`] under the current folder (a checkout), then in the checkout this
/// gapmap was built from (which an installed or copied binary may no longer have).
/// `Err` lists every place looked at.
pub fn find_rutland_extract(given: Option<&Path>) -> Result<PathBuf, Vec<PathBuf>> {
    let candidates = match given {
        Some(path) => vec![path.to_path_buf()],
        None => vec![PathBuf::from(RUTLAND_EXTRACT), rutland_extract()],
    };
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or(candidates)
}

/// Whether a case reads the Rutland extract.
pub fn reads_rutland(name: &str) -> bool {
    name.starts_with("travel-rutland")
}

/// Runs one case `runs` times (at least once); the Rutland cases read the extract at
/// `extract`.
pub fn bench_travel_case(
    name: &str,
    runs: usize,
    extract: &Path,
) -> Result<TravelBenchReport, TravelError> {
    let runs = runs.max(1);
    let (rutland, od) = match name {
        "travel-rutland-build" => (true, None),
        "travel-rutland-10000x50" => (true, Some((10_000, 50))),
        "travel-grid-build" => (false, None),
        "travel-grid-50000x500" => (false, Some((50_000, 500))),
        other => return Err(TravelError::Option(format!("no benchmark case {other:?}"))),
    };
    let grid = (!rutland).then(|| generate_grid(&COUNTY_GRID));
    let build = || -> Result<RoadGraph, TravelError> {
        match &grid {
            Some(ways) => Ok(RoadGraph::build(ways)),
            None => Ok(load_network(extract, &CarProfile::default())?.0),
        }
    };
    let mut report = TravelBenchReport {
        case: name.to_string(),
        runs,
        threads: rayon::current_num_threads(),
        road_points: 0,
        junctions: 0,
        edges: 0,
        junctions_dropped: 0,
        origins: 0,
        destinations: 0,
        pairs: 0,
        build_seconds: 0.0,
        snap_seconds: 0.0,
        route_seconds: 0.0,
        peak_memory_bytes: None,
    };
    let (mut builds, mut snaps, mut routes) = (Vec::new(), Vec::new(), Vec::new());
    let graph_runs = if od.is_some() { 1 } else { runs };
    let mut graph = None;
    for _ in 0..graph_runs {
        let start = Instant::now();
        let built = build()?;
        let index = SnapIndex::new(&built);
        drop(index);
        builds.push(start.elapsed().as_secs_f64());
        graph = Some(built);
    }
    let graph = graph.ok_or_else(|| TravelError::Option("no run".to_string()))?;
    report.road_points = graph.stats.points;
    report.junctions = graph.stats.junctions;
    report.edges = graph.stats.edges;
    report.junctions_dropped = graph.stats.junctions_dropped;
    if let Some((origins, destinations)) = od {
        let index = SnapIndex::new(&graph);
        let mut rng = SplitMix64::new(42);
        let mut places = |count: usize| -> Vec<[f64; 2]> {
            let bounds = bounds(&graph);
            (0..count)
                .map(|_| {
                    [
                        bounds[0] + rng.unit() * (bounds[2] - bounds[0]),
                        bounds[1] + rng.unit() * (bounds[3] - bounds[1]),
                    ]
                })
                .collect()
        };
        let (from, to) = (places(origins), places(destinations));
        for _ in 0..runs {
            let start = Instant::now();
            let snap = |p: &[f64; 2]| index.snap(*p);
            let origin_snaps: Vec<Snap> = from.iter().filter_map(snap).collect();
            let destination_snaps: Vec<Snap> = to.iter().filter_map(snap).collect();
            snaps.push(start.elapsed().as_secs_f64());
            let start = Instant::now();
            let pairs = travel_matrix(
                &graph,
                &origin_snaps,
                &destination_snaps,
                Limit::minutes(60.0),
            );
            routes.push(start.elapsed().as_secs_f64());
            report.pairs = pairs.len();
        }
        report.origins = origins;
        report.destinations = destinations;
    }
    report.build_seconds = median(builds);
    report.snap_seconds = median(snaps);
    report.route_seconds = median(routes);
    report.peak_memory_bytes = peak_memory_bytes();
    Ok(report)
}

/// West, south, east, north of the graph's junctions.
fn bounds(graph: &RoadGraph) -> [f64; 4] {
    graph
        .junctions
        .iter()
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        })
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rutland_extract_is_looked_for_where_it_is_said_to_be() {
        let dir = tempfile::tempdir().expect("tempdir");
        let given = dir.path().join("rutland.osm.pbf");
        assert_eq!(find_rutland_extract(Some(&given)), Err(vec![given.clone()]));
        std::fs::write(&given, b"pbf").expect("write");
        assert_eq!(find_rutland_extract(Some(&given)), Ok(given));
        // Without one given: the current folder's checkout first, then the build's.
        let looked = match find_rutland_extract(None) {
            Ok(found) => vec![found],
            Err(looked) => looked,
        };
        assert!(looked[0].ends_with(RUTLAND_EXTRACT), "{looked:?}");
    }
}
