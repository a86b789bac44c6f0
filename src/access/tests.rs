//! Tests of the access engine: hand-worked values, inclusive thresholds, conservation,
//! serial against parallel, the indexed engine against brute force, metrics, validation
//! and CSV.

use super::engine::{compute_access_by, compute_access_unshared, Method};
use super::metric::{haversine_km, key_between, Frame, Scale};
use super::reference::brute_force;
use super::*;
use crate::rng::SplitMix64;

/// Relative difference within 1e-12 (or both exactly zero).
fn assert_close(actual: f64, expected: f64, what: &str) {
    let scale = actual.abs().max(expected.abs());
    assert!(
        (actual - expected).abs() <= 1e-12 * scale,
        "{what}: {actual} != {expected}"
    );
}

fn planar() -> AccessSettings {
    AccessSettings {
        metric: Metric::Planar { circuity: 1.0 },
        ..AccessSettings::default()
    }
}

/// One need; demand (x km, y km, weight), services (x km, y km, capacity).
fn planar_problem(demand: &[(f64, f64, f64)], services: &[(f64, f64, f64)]) -> AccessProblem {
    AccessProblem {
        coordinates: Coordinates::EastingNorthing,
        needs: vec!["PMLD".to_string()],
        demand: demand
            .iter()
            .enumerate()
            .map(|(k, &(x, y, weight))| DemandSite {
                id: format!("D{}", k + 1),
                location: Location {
                    x: x * 1000.0,
                    y: y * 1000.0,
                },
                weight,
                need: 0,
            })
            .collect(),
        services: services
            .iter()
            .enumerate()
            .map(|(k, &(x, y, capacity))| ServiceSite {
                id: format!("S{}", k + 1),
                location: Location {
                    x: x * 1000.0,
                    y: y * 1000.0,
                },
                capacity,
                needs: vec![0],
                active: true,
            })
            .collect(),
        travel_costs: None,
    }
}

#[test]
fn hand_worked_three_sites_two_services() {
    // S1 (capacity 10) at 0 km and S2 (capacity 6) at 40 km on a line; demand D1 = 100 at
    // 5 km, D2 = 50 at 15 km, D3 = 20 at 25 km. Distances and zones (10/20/30 km weighted
    // 1.00/0.68/0.22):
    //   D1-S1  5 km zone 1    D2-S1 15 km zone 2    D3-S1 25 km zone 3
    //   D1-S2 35 km out       D2-S2 25 km zone 3    D3-S2 15 km zone 2
    // E2SFCA: R1 = 10 / (100 + 50 x 0.68 + 20 x 0.22) = 10 / 138.4 = 0.0722543...
    //         R2 =  6 / (50 x 0.22 + 20 x 0.68)        =  6 / 24.6  = 0.2439024...
    //         A1 = R1 = 0.0722543
    //         A2 = 0.68 R1 + 0.22 R2 = 0.0491329 + 0.0536585 = 0.1027914
    //         A3 = 0.22 R1 + 0.68 R2 = 0.0158960 + 0.1658537 = 0.1817496
    // 2SFCA:  R1 = 10 / 170, R2 = 6 / 70; A1 = 0.0588235, A2 = A3 = 0.0588235 + 0.0857143
    //         = 0.1445378.
    // Nearest: D1 S1 at 5 km, D2 S1 at 15 km, D3 S2 at 15 km; in reach 1, 2, 2.
    let problem = planar_problem(
        &[(5.0, 0.0, 100.0), (15.0, 0.0, 50.0), (25.0, 0.0, 20.0)],
        &[(0.0, 0.0, 10.0), (40.0, 0.0, 6.0)],
    );
    let result = compute_access(&problem, &planar()).unwrap();
    let r1 = 10.0 / 138.4;
    let r2 = 6.0 / 24.6;
    let expected_e2sfca = [r1, 0.68 * r1 + 0.22 * r2, 0.22 * r1 + 0.68 * r2];
    let expected_2sfca = [
        10.0 / 170.0,
        10.0 / 170.0 + 6.0 / 70.0,
        10.0 / 170.0 + 6.0 / 70.0,
    ];
    let worked_e2sfca = [0.0722543, 0.1027914, 0.1817496];
    let worked_2sfca = [0.0588235, 0.1445378, 0.1445378];
    let nearest = [(0, 5.0), (0, 15.0), (1, 15.0)];
    let in_reach = [1, 2, 2];
    for (i, site) in result.sites.iter().enumerate() {
        assert_close(site.accessibility_e2sfca, expected_e2sfca[i], "E2SFCA");
        assert_close(site.accessibility_2sfca, expected_2sfca[i], "2SFCA");
        assert!((site.accessibility_e2sfca - worked_e2sfca[i]).abs() < 1e-7);
        assert!((site.accessibility_2sfca - worked_2sfca[i]).abs() < 1e-7);
        let found = site.nearest.unwrap();
        assert_eq!((found.service, found.distance), nearest[i]);
        assert_eq!(site.services_in_reach, in_reach[i]);
    }
    let summary = &result.needs[0];
    assert_eq!(summary.pairs_in_reach, 5);
    assert_eq!(summary.sites_out_of_reach, 0);
    assert_eq!(summary.share_out_of_reach, 0.0);
}

#[test]
fn pairs_exactly_on_zone_bounds_take_the_inner_zone() {
    // One demand site of weight 2 and one service of capacity 8 at each distance: with a
    // single pair, R = 8 / (2 W) and A = R W = 4 when W > 0, and A_2SFCA = 4 in reach.
    let cases = [
        (10.0, Some(1.0)),
        (10.000_001, Some(0.68)),
        (20.0, Some(0.68)),
        (30.0, Some(0.22)),
        (30.000_001, None),
    ];
    for (distance, weight) in cases {
        let problem = planar_problem(&[(0.0, 0.0, 2.0)], &[(distance, 0.0, 8.0)]);
        let site = compute_access(&problem, &planar()).unwrap().sites[0];
        match weight {
            Some(_) => {
                assert_eq!(site.services_in_reach, 1, "{distance} km");
                assert_eq!(site.accessibility_2sfca, 4.0, "{distance} km");
                assert_close(site.accessibility_e2sfca, 4.0, "single pair");
            }
            None => {
                assert_eq!(site.services_in_reach, 0, "{distance} km");
                assert_eq!(site.accessibility_2sfca, 0.0);
            }
        }
        assert_eq!(site.nearest.unwrap().distance, distance);
    }
}

#[test]
fn zone_weights_at_exact_bounds_follow_the_decay() {
    // Two services share a demand site, one at exactly 10 km, one at 5 km: R1 = 1/(1 x W1),
    // R2 = 1/(1 x 1). A = R1 W1 + R2 x 1 = 2 whatever W1, so use two demand sites instead:
    // D1 (weight 1) at 0 km and D2 (weight 1) at 10 km from one service of capacity 1:
    // R = 1 / (1 + W(10)); A(D2) / A(D1) = W(10) = 1.00 (inclusive), not 0.68.
    let problem = planar_problem(&[(0.0, 0.0, 1.0), (10.0, 0.0, 1.0)], &[(0.0, 0.0, 1.0)]);
    let result = compute_access(&problem, &planar()).unwrap();
    assert_eq!(result.sites[0].accessibility_e2sfca, 0.5);
    assert_eq!(result.sites[1].accessibility_e2sfca, 0.5);
    let moved = planar_problem(&[(0.0, 0.0, 1.0), (10.5, 0.0, 1.0)], &[(0.0, 0.0, 1.0)]);
    let result = compute_access(&moved, &planar()).unwrap();
    assert_close(result.sites[0].accessibility_e2sfca, 1.0 / 1.68, "W(0)");
    assert_close(result.sites[1].accessibility_e2sfca, 0.68 / 1.68, "W(10.5)");
}

#[test]
fn travel_cost_thresholds_are_inclusive() {
    let mut problem = planar_problem(
        &[(0.0, 0.0, 1.0), (0.0, 0.0, 1.0), (0.0, 0.0, 1.0)],
        &[(0.0, 0.0, 1.0)],
    );
    problem.travel_costs = Some(
        TravelCosts::from_rows([("D1", "S1", 10.0), ("D2", "S1", 20.0), ("D3", "S1", 30.0)])
            .unwrap(),
    );
    let settings = AccessSettings {
        metric: Metric::TravelCost,
        ..AccessSettings::default()
    };
    let result = compute_access(&problem, &settings).unwrap();
    // R = 1 / (1 + 0.68 + 0.22) = 1 / 1.9; A_i = R W_i.
    let r = 1.0 / 1.9;
    let weights = [1.0, 0.68, 0.22];
    for (site, weight) in result.sites.iter().zip(weights) {
        assert_eq!(site.services_in_reach, 1);
        assert_close(site.accessibility_e2sfca, r * weight, "zone weight");
        assert_close(site.accessibility_2sfca, 1.0 / 3.0, "flat");
    }
    assert_eq!(result.sites[0].nearest.unwrap().distance, 10.0);
}

#[test]
fn site_out_of_reach_gets_zero_and_the_nearest_beyond() {
    // D2 is 45 km from the only service: no service in reach, A = 0, nearest at 45 km.
    let problem = planar_problem(&[(5.0, 0.0, 3.0), (45.0, 0.0, 7.0)], &[(0.0, 0.0, 6.0)]);
    let result = compute_access(&problem, &planar()).unwrap();
    let far = result.sites[1];
    assert_eq!(far.services_in_reach, 0);
    assert_eq!(far.accessibility_2sfca, 0.0);
    assert_eq!(far.accessibility_e2sfca, 0.0);
    assert_eq!(
        far.nearest,
        Some(Nearest {
            service: 0,
            distance: 45.0
        })
    );
    let summary = &result.needs[0];
    assert_eq!(summary.sites_out_of_reach, 1);
    assert_eq!(summary.weight_out_of_reach, 7.0);
    assert_eq!(summary.share_out_of_reach, 0.7);
}

#[test]
fn need_without_services_and_service_without_demand() {
    let mut problem = planar_problem(&[(0.0, 0.0, 1.0)], &[(100.0, 0.0, 5.0)]);
    problem.needs.push("dementia".to_string());
    problem.demand.push(DemandSite {
        id: "D9".to_string(),
        location: Location { x: 0.0, y: 0.0 },
        weight: 4.0,
        need: 1,
    });
    let result = compute_access(&problem, &planar()).unwrap();
    assert_eq!(result.needs[0].services_without_demand, 1);
    assert_eq!(result.sites[1].nearest, None);
    assert_eq!(result.sites[1].accessibility_e2sfca, 0.0);
    assert_eq!(result.needs[1].services, 0);
    assert_eq!(result.needs[1].share_out_of_reach, 1.0);
}

#[test]
fn zero_weighted_demand_leaves_ratio_undefined() {
    // Zones end at 10 km inside a 30 km catchment: a pair at 25 km is in reach with W = 0.
    let problem = planar_problem(&[(25.0, 0.0, 5.0)], &[(0.0, 0.0, 5.0)]);
    let mut settings = planar();
    settings.catchment.decay = Decay::Step {
        zones: vec![Zone {
            upper: 10.0,
            weight: 1.0,
        }],
    };
    let result = compute_access(&problem, &settings).unwrap();
    assert_eq!(result.sites[0].accessibility_2sfca, 1.0);
    assert_eq!(result.sites[0].accessibility_e2sfca, 0.0);
    assert_eq!(result.needs[0].services_without_weighted_demand, 1);
}

/// A clustered county instance: `demand` x `services`, several needs, some inactive.
fn county(coordinates: Coordinates, demand: usize, services: usize, seed: u64) -> AccessProblem {
    let mut spec = SynthSpec::new(Extent::County, demand, services);
    spec.coordinates = coordinates;
    spec.needs = 3;
    spec.inactive_share = 0.15;
    spec.towns = 12;
    spec.seed = seed;
    synth(&spec)
}

fn short_catchment(metric: Metric, decay: Decay) -> AccessSettings {
    AccessSettings {
        metric,
        catchment: Catchment {
            radius: 12.0,
            decay,
        },
        by_need: [(
            "need 2".to_string(),
            Catchment {
                radius: 30.0,
                decay: Decay::luo_qi(),
            },
        )]
        .into(),
    }
}

fn small_zones() -> Decay {
    Decay::Step {
        zones: vec![
            Zone {
                upper: 4.0,
                weight: 1.0,
            },
            Zone {
                upper: 8.0,
                weight: 0.6,
            },
            Zone {
                upper: 12.0,
                weight: 0.25,
            },
        ],
    }
}

#[test]
fn two_step_conservation() {
    // Flat weight, every site in reach of some service: sum_i A_i P_i = sum_j R_j sum_i P_i
    // = the capacity of services with demand in reach. It holds for E2SFCA too.
    for decay in [
        Decay::Step {
            zones: vec![Zone {
                upper: 500.0,
                weight: 1.0,
            }],
        },
        Decay::luo_qi(),
    ] {
        let mut problem = county(Coordinates::LonLat, 300, 40, 7);
        problem.needs.truncate(1);
        for site in &mut problem.demand {
            site.need = 0;
        }
        for service in &mut problem.services {
            service.needs = vec![0];
        }
        let settings = AccessSettings {
            catchment: Catchment {
                radius: 500.0,
                decay,
            },
            ..AccessSettings::default()
        };
        let result = compute_access(&problem, &settings).unwrap();
        assert_eq!(result.needs[0].sites_out_of_reach, 0);
        let served: f64 = problem
            .demand
            .iter()
            .zip(&result.sites)
            .map(|(d, a)| d.weight * a.accessibility_2sfca)
            .sum();
        let weighted: f64 = problem
            .demand
            .iter()
            .zip(&result.sites)
            .map(|(d, a)| d.weight * a.accessibility_e2sfca)
            .sum();
        let capacity: f64 = problem
            .services
            .iter()
            .filter(|s| s.active)
            .map(|s| s.capacity)
            .sum();
        assert_close(served, capacity, "2SFCA conservation");
        assert!(
            (weighted - capacity).abs() <= 1e-9 * capacity,
            "E2SFCA conservation"
        );
    }
}

#[test]
fn two_step_conservation_with_a_short_catchment() {
    // Sites out of reach hold no capacity, and services with no demand in reach give none.
    let problem = planar_problem(
        &[(0.0, 0.0, 3.0), (8.0, 0.0, 2.0), (200.0, 0.0, 9.0)],
        &[(4.0, 0.0, 10.0), (100.0, 0.0, 50.0)],
    );
    let result = compute_access(&problem, &planar()).unwrap();
    let served: f64 = problem
        .demand
        .iter()
        .zip(&result.sites)
        .map(|(d, a)| d.weight * a.accessibility_2sfca)
        .sum();
    assert_close(served, 10.0, "only S1 has demand in reach");
    assert_eq!(result.needs[0].services_without_demand, 1);
}

/// Whether two results agree bit for bit in every site's figures.
fn same_bits(a: &AccessResult, b: &AccessResult) -> bool {
    let bits = |r: &AccessResult| -> Vec<_> {
        r.sites
            .iter()
            .map(|s| {
                (
                    s.accessibility_2sfca.to_bits(),
                    s.accessibility_e2sfca.to_bits(),
                    s.services_in_reach,
                    s.nearest.map(|n| (n.service, n.distance.to_bits())),
                )
            })
            .collect()
    };
    bits(a) == bits(b)
}

fn assert_identical(a: &AccessResult, b: &AccessResult) {
    assert_eq!(a.sites.len(), b.sites.len());
    for (x, y) in a.sites.iter().zip(&b.sites) {
        assert_eq!(
            x.accessibility_2sfca.to_bits(),
            y.accessibility_2sfca.to_bits()
        );
        assert_eq!(
            x.accessibility_e2sfca.to_bits(),
            y.accessibility_e2sfca.to_bits()
        );
        assert_eq!(x.services_in_reach, y.services_in_reach);
        assert_eq!(
            x.nearest.map(|n| (n.service, n.distance.to_bits())),
            y.nearest.map(|n| (n.service, n.distance.to_bits()))
        );
    }
    assert_eq!(a, b);
}

#[test]
fn serial_and_parallel_agree_bit_for_bit() {
    let problem = county(Coordinates::LonLat, 1500, 150, 11);
    let settings = AccessSettings::default();
    let serial = compute_access(&problem, &settings).unwrap();
    for threads in [1, 2, 3, 5] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parallel = pool
            .install(|| compute_access_parallel(&problem, &settings))
            .unwrap();
        assert_identical(&serial, &parallel);
    }
}

#[test]
fn disk_sums_serial_and_parallel_agree_bit_for_bit() {
    let problem = county(Coordinates::LonLat, 3000, 300, 12);
    for settings in [
        AccessSettings::default(),
        short_catchment(Metric::GreatCircle { circuity: 1.2 }, small_zones()),
    ] {
        let serial = compute_access_by(&problem, &settings, false, Method::DiskSums).unwrap();
        let unshared = compute_access_unshared(&problem, &settings, false).unwrap();
        for threads in [1, 2, 3, 5] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let parallel = pool
                .install(|| compute_access_by(&problem, &settings, true, Method::DiskSums))
                .unwrap();
            assert_identical(&serial, &parallel);
            let parallel = pool
                .install(|| compute_access_unshared(&problem, &settings, true))
                .unwrap();
            assert_identical(&unshared, &parallel);
        }
    }
}

/// The same counts and nearest service, accessibility within 1e-12.
fn assert_equivalent(a: &SiteAccess, b: &SiteAccess) {
    assert_eq!(a.services_in_reach, b.services_in_reach);
    assert_eq!(a.nearest, b.nearest);
    assert_close(a.accessibility_2sfca, b.accessibility_2sfca, "2SFCA");
    assert_close(a.accessibility_e2sfca, b.accessibility_e2sfca, "E2SFCA");
}

#[test]
fn disk_sums_equal_pair_enumeration() {
    // A dense county (about 2,000 services within 30 km of a site): the same pairs, counts
    // and nearest services, sums within 1e-12, on both frames.
    for coordinates in [Coordinates::LonLat, Coordinates::EastingNorthing] {
        let mut spec = SynthSpec::new(Extent::County, 4000, 2500);
        spec.coordinates = coordinates;
        let problem = synth(&spec);
        let settings = match coordinates {
            Coordinates::LonLat => AccessSettings::default(),
            Coordinates::EastingNorthing => planar(),
        };
        let pairs = compute_access_by(&problem, &settings, true, Method::Pairs).unwrap();
        let disks = compute_access_by(&problem, &settings, true, Method::DiskSums).unwrap();
        let unshared = compute_access_unshared(&problem, &settings, true).unwrap();
        for ((a, b), c) in pairs.sites.iter().zip(&disks.sites).zip(&unshared.sites) {
            assert_equivalent(b, a);
            assert_equivalent(c, a);
        }
        assert_eq!(pairs.needs[0].pairs_in_reach, disks.needs[0].pairs_in_reach);
        assert!(
            disks.pairs_in_reach() > 800 * 4000,
            "the instance should be dense"
        );
        // By density, this instance takes disk sums for both passes, shared within query
        // cells or not: the same bits as one of the forced runs.
        let by_density = compute_access(&problem, &settings).unwrap();
        assert!(
            same_bits(&by_density, &disks) || same_bits(&by_density, &unshared),
            "by density should equal a forced disk-sum run bit for bit"
        );
    }
}

#[test]
fn rising_zones_keep_pair_enumeration() {
    // A zone weighing more than the one inside it has no nested-disk form: the forced
    // disk method falls back to pairs and still matches brute force.
    let rising = Decay::Step {
        zones: vec![
            Zone {
                upper: 4.0,
                weight: 0.5,
            },
            Zone {
                upper: 12.0,
                weight: 1.0,
            },
        ],
    };
    let problem = county(Coordinates::EastingNorthing, 500, 50, 8);
    let settings = short_catchment(Metric::Planar { circuity: 1.0 }, rising);
    assert_method_matches_brute_force(&problem, &settings, Method::DiskSums);
}

fn assert_matches_brute_force(problem: &AccessProblem, settings: &AccessSettings) {
    for method in [Method::Pairs, Method::DiskSums] {
        assert_method_matches_brute_force(problem, settings, method);
    }
}

fn assert_method_matches_brute_force(
    problem: &AccessProblem,
    settings: &AccessSettings,
    method: Method,
) {
    let engine = compute_access_by(problem, settings, true, method).unwrap();
    assert_result_matches_brute_force(problem, settings, &engine);
    if method == Method::DiskSums {
        let engine = compute_access_unshared(problem, settings, true).unwrap();
        assert_result_matches_brute_force(problem, settings, &engine);
    }
}

fn assert_result_matches_brute_force(
    problem: &AccessProblem,
    settings: &AccessSettings,
    engine: &AccessResult,
) {
    let reference = brute_force(problem, settings);
    for (i, (a, b)) in engine.sites.iter().zip(&reference.sites).enumerate() {
        assert_eq!(a.services_in_reach, b.services_in_reach, "site {i}");
        assert_eq!(a.nearest, b.nearest, "site {i}");
        assert_close(a.accessibility_2sfca, b.accessibility_2sfca, "2SFCA");
        assert_close(a.accessibility_e2sfca, b.accessibility_e2sfca, "E2SFCA");
    }
    for (a, b) in engine.needs.iter().zip(&reference.needs) {
        assert_eq!(
            (
                a.demand_sites,
                a.services,
                a.pairs_in_reach,
                a.sites_out_of_reach
            ),
            (
                b.demand_sites,
                b.services,
                b.pairs_in_reach,
                b.sites_out_of_reach
            )
        );
        assert_eq!(
            (
                a.services_without_demand,
                a.services_without_weighted_demand
            ),
            (
                b.services_without_demand,
                b.services_without_weighted_demand
            )
        );
        assert_close(a.demand_weight, b.demand_weight, "demand weight");
        assert_close(
            a.share_out_of_reach,
            b.share_out_of_reach,
            "share out of reach",
        );
    }
    let reached = engine.pairs_in_reach();
    assert!(
        reached > 0 && engine.needs.iter().any(|n| n.sites_out_of_reach > 0),
        "a test instance should mix reach and no reach"
    );
}

#[test]
fn great_circle_engine_matches_brute_force() {
    for seed in [1, 2, 3] {
        let problem = county(Coordinates::LonLat, 700, 60, seed);
        for circuity in [1.0, 1.3] {
            let settings = short_catchment(Metric::GreatCircle { circuity }, small_zones());
            assert_matches_brute_force(&problem, &settings);
        }
    }
}

#[test]
fn planar_engine_matches_brute_force() {
    for seed in [4, 5] {
        let problem = county(Coordinates::EastingNorthing, 700, 60, seed);
        for circuity in [1.0, 1.25] {
            let settings = short_catchment(Metric::Planar { circuity }, small_zones());
            assert_matches_brute_force(&problem, &settings);
        }
    }
}

#[test]
fn gaussian_engine_matches_brute_force() {
    let problem = county(Coordinates::LonLat, 600, 50, 6);
    assert_matches_brute_force(
        &problem,
        &short_catchment(Metric::GreatCircle { circuity: 1.0 }, Decay::Gaussian),
    );
    let problem = county(Coordinates::EastingNorthing, 600, 50, 6);
    assert_matches_brute_force(
        &problem,
        &short_catchment(Metric::Planar { circuity: 1.0 }, Decay::Gaussian),
    );
}

/// Costs for a random half of the pairs, in whole minutes (so many sit on zone bounds),
/// plus rows for ids that are not in the problem.
fn random_travel_costs(problem: &AccessProblem, seed: u64) -> TravelCosts {
    let mut rng = SplitMix64::new(seed);
    let mut costs = TravelCosts::default();
    for demand in &problem.demand {
        for service in &problem.services {
            if rng.unit() < 0.5 {
                let cost = rng.below(40) as f64;
                costs.insert(&demand.id, &service.id, cost).unwrap();
            }
        }
    }
    costs.insert("elsewhere", "S0", 3.0).unwrap();
    costs.insert("D0", "closed long ago", 3.0).unwrap();
    costs
}

#[test]
fn travel_cost_engine_matches_brute_force() {
    let mut problem = county(Coordinates::LonLat, 300, 40, 8);
    problem.travel_costs = Some(random_travel_costs(&problem, 9));
    for decay in [small_zones(), Decay::Gaussian] {
        let settings = short_catchment(Metric::TravelCost, decay);
        assert_matches_brute_force(&problem, &settings);
    }
    let settings = short_catchment(Metric::TravelCost, small_zones());
    assert_eq!(
        compute_access(&problem, &settings)
            .unwrap()
            .travel_costs_unmatched,
        2
    );
}

#[test]
fn chord_distances_match_haversine() {
    let mut rng = SplitMix64::new(3);
    let frame = Frame::for_problem(&county(Coordinates::LonLat, 10, 10, 1));
    let scale = Scale::for_metric(Metric::GreatCircle { circuity: 1.0 });
    for _ in 0..2000 {
        let a = Location {
            x: -6.0 + 8.0 * rng.unit(),
            y: 50.0 + 6.0 * rng.unit(),
        };
        let b = if rng.unit() < 0.5 {
            Location {
                x: a.x + 0.05 * (rng.unit() - 0.5),
                y: a.y + 0.05 * (rng.unit() - 0.5),
            }
        } else {
            Location {
                x: -180.0 + 360.0 * rng.unit(),
                y: -60.0 + 140.0 * rng.unit(),
            }
        };
        let chord = scale.distance(key_between(frame.project(a), frame.project(b)));
        let haversine = haversine_km(a, b);
        assert!(
            (chord - haversine).abs() <= 1e-9 * haversine + 1e-9,
            "{a:?} {b:?}: {chord} vs {haversine}"
        );
    }
}

#[test]
fn key_limits_match_distance_bounds() {
    let scales = [
        Scale::Chord { circuity: 1.0 },
        Scale::Chord { circuity: 1.3 },
        Scale::Planar { circuity: 1.0 },
        Scale::Planar { circuity: 1.2 },
        Scale::Cost,
    ];
    for scale in scales {
        for bound in [0.001, 1.0, 10.0, 20.0, 30.0, 123.456, 5000.0] {
            let limit = scale.key_limit(bound);
            assert!(scale.distance(limit) <= bound, "{scale:?} {bound}");
            let above = f64::from_bits(limit.to_bits() + 1);
            assert!(scale.distance(above) > bound, "{scale:?} {bound}");
        }
    }
    // Planar keys are m²: a pair exactly 10,000 m apart (key 1e8) is within 10 km.
    assert!(Scale::Planar { circuity: 1.0 }.key_limit(10.0) >= 1e8);
    assert_eq!(Scale::Planar { circuity: 1.0 }.distance(9e8), 30.0);
    assert_eq!(Scale::Chord { circuity: 1.0 }.key_limit(30_000.0), f64::MAX);
}

#[test]
fn rejects_unusable_inputs() {
    let good = planar_problem(&[(0.0, 0.0, 1.0)], &[(1.0, 0.0, 1.0)]);
    let mut bad = good.clone();
    bad.demand[0].weight = f64::NAN;
    let message = compute_access(&bad, &planar()).unwrap_err().to_string();
    assert!(
        message.contains("demand row 0") && message.contains("weight = NaN"),
        "{message}"
    );
    let mut bad = good.clone();
    bad.services[0].capacity = -1.0;
    assert!(compute_access(&bad, &planar()).is_err());
    let mut bad = good.clone();
    bad.services.push(bad.services[0].clone());
    assert!(compute_access(&bad, &planar())
        .unwrap_err()
        .to_string()
        .contains("\"S1\""));
    let mut bad = good.clone();
    bad.demand[0].need = 4;
    assert!(compute_access(&bad, &planar()).is_err());
    let message = compute_access(&good, &AccessSettings::default())
        .unwrap_err()
        .to_string();
    assert!(message.contains("longitude/latitude"), "{message}");
    let travel = AccessSettings {
        metric: Metric::TravelCost,
        ..AccessSettings::default()
    };
    assert!(matches!(
        compute_access(&good, &travel),
        Err(AccessError::MissingTravelCosts)
    ));
}

#[test]
fn rejects_unusable_settings() {
    let problem = planar_problem(&[(0.0, 0.0, 1.0)], &[(1.0, 0.0, 1.0)]);
    let mut settings = planar();
    settings.catchment.radius = 0.0;
    assert!(compute_access(&problem, &settings)
        .unwrap_err()
        .to_string()
        .contains("catchment.radius"));
    let mut settings = planar();
    settings.catchment.decay = Decay::Step {
        zones: vec![
            Zone {
                upper: 20.0,
                weight: 1.0,
            },
            Zone {
                upper: 10.0,
                weight: 0.5,
            },
        ],
    };
    let message = compute_access(&problem, &settings).unwrap_err().to_string();
    assert!(message.contains("zones[1].upper"), "{message}");
    let mut settings = planar();
    settings.metric = Metric::Planar {
        circuity: f64::INFINITY,
    };
    assert!(compute_access(&problem, &settings).is_err());
    let mut settings = planar();
    settings.by_need.insert(
        "PMLD".to_string(),
        Catchment {
            radius: f64::NAN,
            decay: Decay::Gaussian,
        },
    );
    assert!(compute_access(&problem, &settings)
        .unwrap_err()
        .to_string()
        .contains("by_need.PMLD"));
}

#[test]
fn settings_default_and_round_trip_through_json() {
    let settings = AccessSettings::default();
    assert_eq!(settings.catchment.radius, 30.0);
    assert_eq!(settings.metric, Metric::GreatCircle { circuity: 1.0 });
    let json = serde_json::to_string(&settings).unwrap();
    let back: AccessSettings = serde_json::from_str(&json).unwrap();
    assert_eq!(back, settings);
}

#[test]
fn synth_is_seeded_and_stays_in_its_extent() {
    let spec = SynthSpec::new(Extent::England, 2000, 100);
    assert_eq!(synth(&spec), synth(&spec));
    let other = SynthSpec { seed: 2, ..spec };
    assert_ne!(synth(&spec), synth(&other));
    let grid = SynthSpec {
        coordinates: Coordinates::EastingNorthing,
        ..spec
    };
    for site in &synth(&grid).demand {
        assert!((100_000.0..=600_000.0).contains(&site.location.x));
        assert!((50_000.0..=650_000.0).contains(&site.location.y));
    }
}

const DEMAND_CSV: &str = "id,x,y,weight,need\n\
    D1,5000,0,100,PMLD\n\
    D2,15000,0,50,PMLD\n\
    D3,25000,0,20,PMLD\n\
    D4,0,0,3,dementia\n";

const SERVICES_CSV: &str = "id,x,y,capacity,needs,active\n\
    S1,0,0,10,PMLD; dementia,true\n\
    S2,40000,0,6,PMLD,yes\n\
    S3,1000,0,99,PMLD,no\n";

#[test]
fn reads_csv_computes_and_writes_rows() {
    let demand = read_demand_csv(DEMAND_CSV.as_bytes(), "demand.csv").unwrap();
    let services = read_services_csv(SERVICES_CSV.as_bytes(), "services.csv").unwrap();
    let problem = assemble_problem(demand, services, None).unwrap();
    assert_eq!(problem.needs, ["PMLD", "dementia"]);
    assert_eq!(problem.services[0].needs, [0, 1]);
    assert!(!problem.services[2].active);
    let result = compute_access(&problem, &planar()).unwrap();
    // The hand-worked example again (S3 is inactive).
    assert_close(result.sites[0].accessibility_e2sfca, 10.0 / 138.4, "A1");
    let mut out = Vec::new();
    write_access_csv(&mut out, "access.csv", &problem, &result).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "demand_id,need,nearest_service,nearest_distance,services_in_reach,accessibility_2sfca,accessibility_e2sfca");
    assert!(lines[1].starts_with("D1,PMLD,S1,5.0,1,"), "{}", lines[1]);
    assert!(
        lines[4].starts_with("D4,dementia,S1,0.0,1,3"),
        "{}",
        lines[4]
    );
    let mut summary = Vec::new();
    write_need_summary_csv(&mut summary, "needs.csv", &result.needs).unwrap();
    assert_eq!(String::from_utf8(summary).unwrap().lines().count(), 3);
}

#[test]
fn reads_lon_lat_columns_and_travel_costs() {
    let demand = "ID,Longitude,Latitude,Weight,Need\nE01,-1.13,52.63,12.5,dementia\n";
    let demand = read_demand_csv(demand.as_bytes(), "d.csv").unwrap();
    assert_eq!(demand.coordinates, Coordinates::LonLat);
    assert_eq!(demand.sites[0].location, Location { x: -1.13, y: 52.63 });
    let services = "id,lon,lat,capacity,needs\nS1,-1.0,52.7,20,dementia\n";
    let services = read_services_csv(services.as_bytes(), "s.csv").unwrap();
    assert!(services.services[0].active);
    let costs = "origin,destination,minutes\nE01,S1,17.5\nE01,S2,3\n";
    let costs = read_travel_costs_csv(costs.as_bytes(), "od.csv").unwrap();
    let problem = assemble_problem(demand, services, Some(costs)).unwrap();
    let settings = AccessSettings {
        metric: Metric::TravelCost,
        ..AccessSettings::default()
    };
    let result = compute_access(&problem, &settings).unwrap();
    assert_eq!(
        result.sites[0].nearest,
        Some(Nearest {
            service: 0,
            distance: 17.5
        })
    );
    assert_eq!(result.travel_costs_unmatched, 1);
}

#[test]
fn csv_errors_name_file_line_column_and_value() {
    let bad_weight = "id,x,y,weight,need\nD1,0,0,1,PMLD\nD2,0,0,lots,PMLD\n";
    let message = read_demand_csv(bad_weight.as_bytes(), "demand.csv")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("demand.csv, line 3, column weight: \"lots\""),
        "{message}"
    );
    let negative = "id,x,y,weight,need\nD1,0,0,-2,PMLD\n";
    assert!(read_demand_csv(negative.as_bytes(), "d.csv")
        .unwrap_err()
        .to_string()
        .contains("line 2"));
    let latitude = "id,longitude,latitude,weight,need\nD1,-1,95,1,PMLD\n";
    let message = read_demand_csv(latitude.as_bytes(), "d.csv")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("column latitude") && message.contains("95"),
        "{message}"
    );
    let missing = "id,x,y,need\nD1,0,0,PMLD\n";
    let message = read_demand_csv(missing.as_bytes(), "d.csv")
        .unwrap_err()
        .to_string();
    assert!(message.contains("no column weight"), "{message}");
    let duplicate = "id,x,y,capacity,needs\nS1,0,0,1,PMLD\nS1,5,5,1,PMLD\n";
    let message = read_services_csv(duplicate.as_bytes(), "s.csv")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("line 3") && message.contains("service id"),
        "{message}"
    );
    let flag = "id,x,y,capacity,needs,active\nS1,0,0,1,PMLD,maybe\n";
    assert!(read_services_csv(flag.as_bytes(), "s.csv")
        .unwrap_err()
        .to_string()
        .contains("maybe"));
    let empty_need = "id,x,y,capacity,needs\nS1,0,0,1,PMLD;;\n";
    assert!(read_services_csv(empty_need.as_bytes(), "s.csv").is_err());
    let ragged = "id,x,y,weight,need\nD1,0,0\n";
    assert!(read_demand_csv(ragged.as_bytes(), "d.csv")
        .unwrap_err()
        .to_string()
        .contains("line 2"));
    let costs = "origin,destination,cost\nA,B,1\nA,B,2\n";
    let message = read_travel_costs_csv(costs.as_bytes(), "od.csv")
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("od.csv, line 3") && message.contains("A -> B"),
        "{message}"
    );
    let costs = "origin,destination,cost\nA,B,-1\n";
    assert!(read_travel_costs_csv(costs.as_bytes(), "od.csv").is_err());
    // r5py's column names are read as they are.
    let r5py = "from_id,to_id,travel_time\nE01000001,S1,12.5\n";
    let costs = read_travel_costs_csv(r5py.as_bytes(), "od.csv").unwrap();
    assert_eq!(costs.cost("E01000001", "S1"), Some(12.5));
}

#[test]
fn mixed_coordinates_are_an_error() {
    let demand = read_demand_csv(DEMAND_CSV.as_bytes(), "demand.csv").unwrap();
    let services = "id,longitude,latitude,capacity,needs\nS1,-1,52,1,PMLD\n";
    let services = read_services_csv(services.as_bytes(), "s.csv").unwrap();
    let message = assemble_problem(demand, services, None)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("demand.csv") && message.contains("s.csv"),
        "{message}"
    );
}

#[test]
fn many_zones_engine_matches_brute_force() {
    // More zones than the fixed-size kernel holds, and zones ending before the catchment.
    let zones = (1..=6)
        .map(|k| Zone {
            upper: 1.5 * k as f64,
            weight: 1.0 / k as f64,
        })
        .collect();
    let problem = county(Coordinates::LonLat, 500, 50, 12);
    let settings = short_catchment(Metric::GreatCircle { circuity: 1.1 }, Decay::Step { zones });
    assert_matches_brute_force(&problem, &settings);
}

#[test]
fn bench_case_names_are_unique() {
    let mut names: Vec<&str> = standard_cases()
        .iter()
        .chain(&variant_cases())
        .map(|c| c.name)
        .collect();
    assert_eq!(standard_cases().len(), 5);
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 7);
}

#[test]
fn catchment_wider_than_the_earth_reaches_everything() {
    let problem = county(Coordinates::LonLat, 200, 20, 13);
    let settings = AccessSettings {
        catchment: Catchment {
            radius: 50_000.0,
            decay: Decay::Gaussian,
        },
        ..AccessSettings::default()
    };
    let engine = compute_access(&problem, &settings).unwrap();
    let reference = brute_force(&problem, &settings);
    for (a, b) in engine.sites.iter().zip(&reference.sites) {
        assert_eq!(a.services_in_reach, b.services_in_reach);
        assert_close(a.accessibility_e2sfca, b.accessibility_e2sfca, "E2SFCA");
    }
    assert!(engine
        .needs
        .iter()
        .all(|n| n.sites_out_of_reach == 0 || n.services == 0));
}

#[test]
fn empty_inputs_give_empty_results() {
    let problem = planar_problem(&[], &[]);
    let result = compute_access_parallel(&problem, &planar()).unwrap();
    assert!(result.sites.is_empty());
    assert_eq!(result.needs[0].share_out_of_reach, 0.0);
    let only_demand = planar_problem(&[(1.0, 1.0, 1.0)], &[]);
    let result = compute_access(&only_demand, &planar()).unwrap();
    assert_eq!(result.sites[0], SiteAccess::default());
}

/// British National Grid points in whole metres, and a partner at exactly a zone bound or
/// the catchment from each: (easting, northing, east offset, north offset, km). Each start
/// was picked so that the km-scaled key, ((x + dx) / 1000 - x / 1000)² + ..., lands just
/// outside the bound, as it did before planar keys were kept in m².
const EXACT_TIES: [(f64, f64, f64, f64, f64); 6] = [
    (249_523.0, 1_141_331.0, 30_000.0, 0.0, 30.0),
    (635_017.0, 27_615.0, 18_000.0, 24_000.0, 30.0),
    (15_882.0, 134_283.0, 6_000.0, 8_000.0, 10.0),
    (353_123.0, 60_105.0, 12_000.0, 16_000.0, 20.0),
    (618_006.0, 127_038.0, 0.0, 10_000.0, 10.0),
    (250_290.0, 687_417.0, 20_000.0, 0.0, 20.0),
];

fn metre_problem(demand: &[(f64, f64, f64)], services: &[(f64, f64, f64)]) -> AccessProblem {
    let km = |v: &[(f64, f64, f64)]| -> Vec<(f64, f64, f64)> {
        v.iter()
            .map(|&(x, y, w)| (x / 1000.0, y / 1000.0, w))
            .collect()
    };
    let mut problem = planar_problem(&km(demand), &km(services));
    // Set the metres exactly (km x 1000 need not give them back).
    for (site, &(x, y, _)) in problem.demand.iter_mut().zip(demand) {
        site.location = Location { x, y };
    }
    for (site, &(x, y, _)) in problem.services.iter_mut().zip(services) {
        site.location = Location { x, y };
    }
    problem
}

#[test]
fn whole_metre_pairs_exactly_on_a_bound_are_inside_it() {
    // Demand of weight 1 at the service's own site (zone 1) and at the tie: with capacity
    // 1, R = 1 / (1 + W) and A_tie = W / (1 + W), W the inner zone's weight at the bound
    // (1.00 at 10 km, 0.68 at 20 km, 0.22 at 30 km). 2SFCA: R = 1/2, A_tie = 1/2.
    for (x, y, dx, dy, km) in EXACT_TIES {
        let old_key =
            ((x + dx) / 1000.0 - x / 1000.0).powi(2) + ((y + dy) / 1000.0 - y / 1000.0).powi(2);
        assert!(
            old_key.sqrt() > km,
            "({x}, {y}) is not a case that used to fail"
        );
        let problem = metre_problem(&[(x, y, 1.0), (x + dx, y + dy, 1.0)], &[(x, y, 1.0)]);
        let tie = compute_access(&problem, &planar()).unwrap().sites[1];
        let by_disks = compute_access_by(&problem, &planar(), false, Method::DiskSums).unwrap();
        assert_equivalent(&by_disks.sites[1], &tie);
        let unshared = compute_access_unshared(&problem, &planar(), false).unwrap();
        assert_equivalent(&unshared.sites[1], &tie);
        let w = match km {
            10.0 => 1.0,
            20.0 => 0.68,
            _ => 0.22,
        };
        assert_eq!(tie.services_in_reach, 1, "({x}, {y}) + ({dx}, {dy})");
        assert_eq!(tie.nearest.unwrap().distance, km);
        assert_eq!(tie.accessibility_2sfca, 0.5);
        assert_close(
            tie.accessibility_e2sfca,
            w / (1.0 + w),
            "E2SFCA at the bound",
        );
        // One metre further is outside the bound (and the catchment, at 30 km).
        let further = if dx > 0.0 {
            (x + dx + 1.0, y + dy)
        } else {
            (x, y + dy + 1.0)
        };
        let problem = metre_problem(&[(x, y, 1.0), (further.0, further.1, 1.0)], &[(x, y, 1.0)]);
        let beyond = compute_access(&problem, &planar()).unwrap().sites[1];
        let by_disks = compute_access_by(&problem, &planar(), false, Method::DiskSums).unwrap();
        assert_equivalent(&by_disks.sites[1], &beyond);
        let unshared = compute_access_unshared(&problem, &planar(), false).unwrap();
        assert_equivalent(&unshared.sites[1], &beyond);
        let w_beyond = match km {
            10.0 => 0.68,
            20.0 => 0.22,
            _ => 0.0,
        };
        assert_eq!(beyond.services_in_reach, u32::from(km < 30.0));
        assert_close(
            beyond.accessibility_e2sfca,
            if w_beyond > 0.0 {
                w_beyond / (1.0 + w_beyond)
            } else {
                0.0
            },
            "E2SFCA beyond the bound",
        );
    }
}

/// An independent all-pairs reference on whole metres: squared distances as integers,
/// compared with the squared bounds in m², Luo and Qi's zones, a 30 km catchment.
fn integer_metre_reference(problem: &AccessProblem) -> Vec<(u32, f64, f64, f64)> {
    let d2 = |i: usize, j: usize| -> i64 {
        let (a, b) = (problem.demand[i].location, problem.services[j].location);
        let dx = a.x as i64 - b.x as i64;
        let dy = a.y as i64 - b.y as i64;
        dx * dx + dy * dy
    };
    let weight = |d2: i64| -> f64 {
        match d2 {
            d if d <= 10_000 * 10_000 => 1.0,
            d if d <= 20_000 * 20_000 => 0.68,
            d if d <= 30_000 * 30_000 => 0.22,
            _ => 0.0,
        }
    };
    let (n, m) = (problem.demand.len(), problem.services.len());
    let active: Vec<usize> = (0..m).filter(|&j| problem.services[j].active).collect();
    let mut flat = vec![0.0; m];
    let mut weighted = vec![0.0; m];
    for &j in &active {
        for i in 0..n {
            let w = weight(d2(i, j));
            if w > 0.0 {
                flat[j] += problem.demand[i].weight;
                weighted[j] += problem.demand[i].weight * w;
            }
        }
    }
    (0..n)
        .map(|i| {
            let (mut in_reach, mut a2, mut a_e) = (0, 0.0, 0.0);
            let mut nearest = i64::MAX;
            for &j in &active {
                let d = d2(i, j);
                nearest = nearest.min(d);
                let w = weight(d);
                if w > 0.0 {
                    in_reach += 1;
                    a2 += problem.services[j].capacity / flat[j];
                    a_e += problem.services[j].capacity / weighted[j] * w;
                }
            }
            (in_reach, (nearest as f64).sqrt() / 1000.0, a2, a_e)
        })
        .collect()
}

#[test]
fn whole_metre_instances_match_an_integer_reference() {
    // Demand and services on a 2 km lattice shifted by a whole-metre offset, so that many
    // pairs sit exactly 10, 20 or 30 km apart (6-8-10, 12-16-20, 18-24-30 triangles).
    let mut rng = SplitMix64::new(11);
    let origin = (431_517.0, 289_203.0);
    let mut lattice = |k: usize| -> (f64, f64) {
        (
            origin.0 + 2000.0 * rng.below(k) as f64,
            origin.1 + 2000.0 * rng.below(k) as f64,
        )
    };
    let demand: Vec<(f64, f64, f64)> = (0..400)
        .map(|k| {
            let (x, y) = lattice(40);
            (x, y, 1.0 + (k % 7) as f64)
        })
        .collect();
    let services: Vec<(f64, f64, f64)> = (0..60)
        .map(|k| {
            let (x, y) = lattice(40);
            (x, y, 5.0 + (k % 11) as f64)
        })
        .collect();
    let mut problem = metre_problem(&demand, &services);
    for (k, service) in problem.services.iter_mut().enumerate() {
        service.active = k % 9 != 0;
    }
    let reference = integer_metre_reference(&problem);
    let mut ties = 0;
    for site in &problem.demand {
        for s in problem.services.iter().filter(|s| s.active) {
            let (dx, dy) = (
                site.location.x - s.location.x,
                site.location.y - s.location.y,
            );
            let d2 = dx * dx + dy * dy;
            ties += usize::from([1e8, 4e8, 9e8].contains(&d2));
        }
    }
    assert!(
        ties > 200,
        "the instance should hold many exact ties ({ties})"
    );
    for execution in [
        compute_access(&problem, &planar()),
        compute_access_parallel(&problem, &planar()),
        compute_access_by(&problem, &planar(), false, Method::DiskSums),
        compute_access_by(&problem, &planar(), true, Method::DiskSums),
        compute_access_unshared(&problem, &planar(), false),
        compute_access_unshared(&problem, &planar(), true),
    ] {
        let result = execution.unwrap();
        for (i, (site, &(in_reach, nearest, a2, a_e))) in
            result.sites.iter().zip(&reference).enumerate()
        {
            assert_eq!(site.services_in_reach, in_reach, "site {i}");
            assert_eq!(site.nearest.map(|n| n.distance), Some(nearest), "site {i}");
            assert_close(site.accessibility_2sfca, a2, "2SFCA");
            assert_close(site.accessibility_e2sfca, a_e, "E2SFCA");
        }
    }
}
