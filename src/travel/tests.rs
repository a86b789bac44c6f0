//! Tests on the real Rutland extract: statistics, hand-checked routes, and the matrix against
//! its plain Dijkstra twin.

use std::path::PathBuf;

use super::*;

fn extract() -> Option<PathBuf> {
    let path = bench::rutland_extract();
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {} is missing", path.display());
    }
    eprintln!("skipping: {} is absent", path.display());
    None
}

struct Rutland {
    graph: RoadGraph,
    osm: OsmStats,
}

fn rutland() -> Option<Rutland> {
    let path = extract()?;
    let (graph, osm) = job::load_network(&path, &CarProfile::default()).expect("extract reads");
    Some(Rutland { graph, osm })
}

fn snap_all(graph: &RoadGraph, places: &[[f64; 2]]) -> Vec<Snap> {
    let index = SnapIndex::new(graph);
    places
        .iter()
        .map(|p| index.snap(*p).expect("a road"))
        .collect()
}

#[test]
fn rutland_graph_counts() {
    let Some(r) = rutland() else { return };
    // The extract's README counts 6,140 ways tagged highway.
    assert_eq!(r.osm.highway_ways, 6_140);
    assert_eq!(
        r.osm.car_ways + r.osm.not_car_class + r.osm.no_access + r.osm.reversible + r.osm.areas,
        6_140
    );
    let s = r.graph.stats;
    assert_eq!(s.junctions + s.junctions_dropped, s.junctions_all);
    assert_eq!(s.edges + s.edges_dropped, s.edges_all);
    // The main network holds nearly everything; what is dropped is small.
    assert!(s.junctions_dropped * 10 < s.junctions, "{s:?}");
    assert!(s.components > 1);
}

/// Expected road distances from tools/check_routes.py: an independent Python Dijkstra over
/// every road node of the extract, whose routes were checked by eye (Oakham's Market Place,
/// B640, B641 Mount Pleasant, then the A6003 to Uppingham; Upper Hambleton round the north
/// shore of Rutland Water by the A606 and Normanton to Edith Weston). The places are the
/// road nodes the script chose, so snapping adds nothing.
#[test]
fn hand_checked_rutland_routes() {
    let Some(r) = rutland() else { return };
    let cases = [
        // (from, to, expected road km, straight-line km)
        (
            [-0.7275505, 52.6702168],
            [-0.722639, 52.5878189],
            9.974,
            9.168,
        ),
        (
            [-0.6557558, 52.6562246],
            [-0.6339689, 52.6376625],
            16.950,
            2.534,
        ),
    ];
    for (from, to, expected_km, straight_km) in cases {
        let origins = snap_all(&r.graph, &[from]);
        let destinations = snap_all(&r.graph, &[to]);
        assert!(origins[0].distance_m < 0.5 && destinations[0].distance_m < 0.5);
        let pairs = travel_matrix(&r.graph, &origins, &destinations, Limit::NONE);
        assert_eq!(pairs.len(), 1);
        let km = pairs[0].cost.km();
        assert!(
            (km - expected_km).abs() <= 0.02 * expected_km,
            "{from:?} -> {to:?}: {km} km, expected {expected_km}"
        );
        let straight = great_circle_m(from, to) / 1000.0;
        assert!((straight - straight_km).abs() < 0.01);
    }
}

/// Places spread over Rutland (a seeded scatter over its extent).
fn scatter(count: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = crate::rng::SplitMix64::new(seed);
    (0..count)
        .map(|_| [-0.82 + 0.39 * rng.unit(), 52.53 + 0.22 * rng.unit()])
        .collect()
}

#[test]
fn matrix_equals_plain_dijkstra_on_rutland() {
    let Some(r) = rutland() else { return };
    let origins = snap_all(&r.graph, &scatter(60, 1));
    let mut destinations = snap_all(&r.graph, &scatter(12, 2));
    // A destination on an origin's own edge, ahead and behind, and at the same point.
    destinations.push(origins[0]);
    let mut ahead = origins[1];
    ahead.fraction = 1.0;
    let start = r.graph.edges[ahead.edge as usize].shape.start as usize;
    ahead.offset = r.graph.segment_cost[start..ahead.segment as usize]
        .iter()
        .fold(Cost::ZERO, |a, &c| a + c)
        + r.graph.segment_cost[ahead.segment as usize];
    destinations.push(ahead);
    for limit in [Limit::NONE, Limit::minutes(12.0), Limit::minutes(3.5)] {
        let fast = travel_matrix(&r.graph, &origins, &destinations, limit);
        let plain = reference::travel_matrix_plain(&r.graph, &origins, &destinations, limit);
        assert_eq!(fast, plain, "limit {limit:?}");
        assert_eq!(
            travel_matrix_serial(&r.graph, &origins, &destinations, limit),
            fast
        );
        if limit == Limit::NONE {
            // Every pair in the largest component reaches every other.
            assert_eq!(fast.len(), origins.len() * destinations.len());
        } else {
            assert!(fast.len() < origins.len() * destinations.len());
            assert!(fast.iter().all(|p| p.cost.time_ms <= limit.time_ms));
        }
    }
}

#[test]
fn parallel_equals_serial_at_any_thread_count() {
    let Some(r) = rutland() else { return };
    let origins = snap_all(&r.graph, &scatter(200, 3));
    let destinations = snap_all(&r.graph, &scatter(9, 4));
    let serial = travel_matrix_serial(&r.graph, &origins, &destinations, Limit::minutes(20.0));
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parallel =
            pool.install(|| travel_matrix(&r.graph, &origins, &destinations, Limit::minutes(20.0)));
        assert_eq!(parallel, serial);
    }
}

#[test]
fn snapping_finds_the_nearest_point_on_a_segment() {
    // One straight east-west road of 2 km with a point in its middle at 500 m north: the
    // nearest road point is the middle of the segment, not a junction 1 km away.
    let ways = RoadWays {
        points: vec![[0.0, 52.0], [0.0293, 52.0]],
        ways: vec![RoadWay {
            id: 1,
            points: vec![0, 1],
            direction: Direction::Both,
            speed_kmh: 60.0,
        }],
    };
    let graph = RoadGraph::build(&ways);
    let index = SnapIndex::new(&graph);
    let place = [0.01465, 52.0 + (500.0 / 6_371_008.8f64).to_degrees()];
    let snap = index.snap(place).unwrap();
    assert!((snap.fraction - 0.5).abs() < 1e-3, "{snap:?}");
    assert!((snap.distance_m - 500.0).abs() < 1.0, "{snap:?}");
    // Half the edge's cost, to the unit.
    let half = graph.edges[0].cost.part(0.5);
    assert!(snap.offset.length_mm.abs_diff(half.length_mm) < 2_000);
}

#[test]
fn drive_times_for_a_run_name_a_place_far_from_the_roads() {
    let Some(path) = extract() else { return };
    let section: run::TravelSection =
        toml::from_str("network = \"rutland.osm.pbf\"\nmax_snap_metres = 500").unwrap();
    let place = |id: &str, location: [f64; 2], line: u64| io::Place {
        id: id.to_string(),
        location,
        line,
    };
    let people = run::PlaceGroup {
        places: vec![place("P1", [-0.7277, 52.6705], 2)],
        describe: Box::new(|p| format!("people.csv:{}", p.line)),
    };
    let services = run::PlaceGroup {
        places: vec![
            place("OAK1", [-0.7290, 52.6700], 2),
            place("UPP1", [-0.7230, 52.5880], 3),
        ],
        describe: Box::new(|p| format!("services.csv:{}", p.line)),
    };
    let times = run::drive_times(&section, &path, &[people], &services).unwrap();
    assert_eq!(times.rows.len(), 2);
    assert_eq!(
        (times.rows[0].0.as_str(), times.rows[0].1.as_str()),
        ("P1", "OAK1")
    );
    // Oakham's market place to Uppingham by the A6003 is about ten minutes (9.8 by
    // tools/check_routes.py from the nearest road node).
    assert!((8.0..13.0).contains(&times.rows[1].2), "{:?}", times.rows);
    let areas = run::PlaceGroup {
        places: vec![place("E01000001", [-0.4, 52.9], 4)],
        describe: Box::new(|p| format!("areas.geojson, feature {}", p.line)),
    };
    let services = run::PlaceGroup {
        places: vec![place("OAK1", [-0.7290, 52.6700], 2)],
        describe: Box::new(|p| format!("services.csv:{}", p.line)),
    };
    let error = run::drive_times(&section, &path, &[areas], &services).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("areas.geojson, feature 4: \"E01000001\" is ")
            && message.contains("more than the 500 m allowed"),
        "{message}"
    );
    let bad: run::TravelSection = toml::from_str("network = \"x\"\n[speeds]\nprimary = 0").unwrap();
    assert!(bad.profile().unwrap_err().contains("\"primary\""));
}
