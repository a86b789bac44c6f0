//! Worked cases with hand-derived answers, and the solvers against the brute-force twin.

use super::reference::{best_assignment, best_subset, coverage_of, distance_of};
use super::*;
use crate::rng::SplitMix64;

fn site(id: &str, capacity: f64, existing: bool) -> Site {
    Site {
        id: id.to_string(),
        capacity,
        existing,
    }
}

fn pair(demand: u32, site: u32, cost: f64) -> PairCost {
    PairCost { demand, site, cost }
}

fn settings(objective: Objective, p: usize) -> PlanSettings {
    PlanSettings {
        objective,
        new_sites: p,
        ..PlanSettings::default()
    }
}

/// Four demand points 1..4 weighing 2, 3, 3, 2; X reaches {2, 3} (6), Y {1, 2} (5),
/// Z {3, 4} (5). Greedy takes X then Y or Z (6 + 2 = 8); the optimum is Y and Z (10).
fn greedy_trap() -> PlanInstance {
    let sites = vec![
        site("X", 0.0, false),
        site("Y", 0.0, false),
        site("Z", 0.0, false),
    ];
    let pairs = vec![
        pair(1, 0, 1.0),
        pair(2, 0, 1.0),
        pair(0, 1, 1.0),
        pair(1, 1, 1.0),
        pair(2, 2, 1.0),
        pair(3, 2, 1.0),
    ];
    PlanInstance::new(vec![2.0, 3.0, 3.0, 2.0], sites, 5.0, pairs).unwrap()
}

/// The greedy plan alone (no interchange, no exact search) for 2 sites by coverage.
fn greedy_only(instance: &PlanInstance) -> Plan {
    plan(
        instance,
        &PlanSettings {
            local_search: false,
            exact_when_small: false,
            ..settings(Objective::Coverage, 2)
        },
    )
    .unwrap()
}

#[test]
fn greedy_misses_the_coverage_optimum_and_interchange_finds_it() {
    let instance = greedy_trap();
    let greedy_only = greedy_only(&instance);
    assert_eq!(greedy_only.value, 8.0);
    assert_eq!(greedy_only.chosen[0].site, 0, "greedy starts with X");
    let best = plan(
        &instance,
        &PlanSettings {
            exact_when_small: false,
            ..settings(Objective::Coverage, 2)
        },
    )
    .unwrap();
    assert_eq!(best.greedy_value, 8.0);
    assert_eq!(best.value, 10.0);
    let mut chosen: Vec<usize> = best.chosen.iter().map(|c| c.site).collect();
    chosen.sort_unstable();
    assert_eq!(chosen, vec![1, 2]);
    // Y and Z each newly cover 5, in either order; together all 10.
    assert_eq!(best.chosen.iter().map(|c| c.gain).sum::<f64>(), 10.0);
    assert_eq!(best.bound, 10.0);
    assert_eq!(best.gap(), 0.0);
}

#[test]
fn a_better_plan_the_exact_search_finds_is_adopted_with_its_own_figures() {
    let instance = greedy_trap();
    let greedy_only = greedy_only(&instance);
    let proof = exact::prove(&instance, &greedy_only, &exact::ExactSettings::default()).unwrap();
    assert!(proof.found_better() && proof.exact.proven);
    let adopted = adopt(
        &instance,
        &greedy_only,
        &proof.exact.sites,
        proof.exact.bound,
    )
    .unwrap();
    let mut chosen: Vec<usize> = adopted.chosen.iter().map(|c| c.site).collect();
    chosen.sort_unstable();
    assert_eq!(chosen, vec![1, 2], "Y and Z");
    assert_eq!(adopted.value, 10.0);
    assert_eq!(adopted.after.in_reach, 10.0);
    assert_eq!(adopted.chosen.iter().map(|c| c.gain).sum::<f64>(), 10.0);
    assert_eq!(
        adopted.chosen.iter().map(|c| c.newly_in_reach).sum::<f64>(),
        10.0
    );
    assert_eq!((adopted.greedy_value, adopted.bound), (8.0, 10.0));
    assert_eq!(adopted.gap(), 0.0);
    // A site that is not a candidate cannot be adopted.
    assert!(adopt(&instance, &greedy_only, &[1, 7], 10.0).is_none());
}

/// Demand at x = 0 (weight 3), 5 (1) and 10 (3); candidates at 0, 5 and 10; cost |dx|.
/// Greedy takes the middle (cost 15 + 0 + 15 = 30) then an end (total 15); the optimum is
/// both ends: 0 + 5 + 0 = 5.
#[test]
fn greedy_misses_the_median_optimum_and_interchange_finds_it() {
    let xs: [f64; 3] = [0.0, 5.0, 10.0];
    let sites = xs
        .iter()
        .map(|x| site(&format!("c{x}"), 0.0, false))
        .collect();
    let mut pairs = Vec::new();
    for (i, a) in xs.iter().enumerate() {
        for (j, b) in xs.iter().enumerate() {
            pairs.push(pair(i as u32, j as u32, (a - b).abs()));
        }
    }
    let instance = PlanInstance::new(vec![3.0, 1.0, 3.0], sites, 20.0, pairs).unwrap();
    let best = plan(
        &instance,
        &PlanSettings {
            exact_when_small: false,
            ..settings(Objective::Distance, 2)
        },
    )
    .unwrap();
    assert_eq!(best.greedy_value, 15.0);
    assert_eq!(best.value, 5.0);
    let mut chosen: Vec<usize> = best.chosen.iter().map(|c| c.site).collect();
    chosen.sort_unstable();
    assert_eq!(chosen, vec![0, 2]);
    assert!(best.bound <= 5.0 + 1e-9, "a lower bound: {}", best.bound);
    assert!(best.bound >= 4.5, "close to the optimum: {}", best.bound);
    // Before: no site, everyone at the unreached cost (the catchment, 20): 7 x 20 = 140.
    assert_eq!(best.before.total_cost, 140.0);
    assert_eq!(best.after.total_cost, 5.0);
}

/// Ten people at a, two at b. P reaches a and b (12 people) but has 3 places; Q reaches
/// only a and has 10 places. Uncapacitated coverage picks P; capacitated picks Q, which
/// places 10 people against P's 3.
#[test]
fn capacitated_plan_avoids_the_popular_site_with_too_few_places() {
    let sites = vec![site("P", 3.0, false), site("Q", 10.0, false)];
    let pairs = vec![pair(0, 0, 2.0), pair(1, 0, 2.0), pair(0, 1, 4.0)];
    let instance = PlanInstance::new(vec![10.0, 2.0], sites, 5.0, pairs).unwrap();
    let uncapacitated = plan(&instance, &settings(Objective::Coverage, 1)).unwrap();
    assert_eq!(uncapacitated.chosen[0].site, 0);
    assert_eq!(uncapacitated.value, 12.0);
    let capacitated = plan(
        &instance,
        &PlanSettings {
            capacitated: true,
            ..settings(Objective::Coverage, 1)
        },
    )
    .unwrap();
    assert_eq!(capacitated.chosen[0].site, 1);
    assert_eq!(capacitated.value, 10.0);
    assert_eq!(capacitated.chosen[0].users, 10.0);
    // At most: no existing room + the larger site's 10 places.
    assert_eq!(capacitated.bound, 10.0);
}

/// Existing services count as open: a point already in reach adds nothing.
#[test]
fn existing_services_are_open_already() {
    let sites = vec![
        site("E", 5.0, true),
        site("A", 5.0, false),
        site("B", 5.0, false),
    ];
    // Point 0 (weight 5) is reached by E and A; point 1 (weight 2) by B only.
    let pairs = vec![pair(0, 0, 1.0), pair(0, 1, 1.0), pair(1, 2, 3.0)];
    let instance = PlanInstance::new(vec![5.0, 2.0], sites, 5.0, pairs).unwrap();
    let best = plan(&instance, &settings(Objective::Coverage, 1)).unwrap();
    assert_eq!(best.before.in_reach, 5.0);
    assert_eq!(best.chosen[0].site, 2);
    assert_eq!(best.chosen[0].newly_in_reach, 2.0);
    assert_eq!(best.value, 7.0);
}

/// A pair exactly at the catchment is in reach (inclusive, as in `gapmap access`).
#[test]
fn catchment_is_inclusive() {
    let sites = vec![site("A", 1.0, false)];
    let instance = PlanInstance::new(vec![4.0], sites, 10.0, vec![pair(0, 0, 10.0)]).unwrap();
    let best = plan(&instance, &settings(Objective::Coverage, 1)).unwrap();
    assert_eq!(best.value, 4.0);
}

#[test]
fn bad_inputs_are_refused_with_their_place() {
    let sites = vec![site("A", 1.0, false)];
    let e = PlanInstance::new(vec![f64::NAN], sites.clone(), 10.0, vec![]).unwrap_err();
    assert!(e.to_string().contains("demand weight 0"), "{e}");
    let e = PlanInstance::new(vec![1.0], sites.clone(), 10.0, vec![pair(0, 3, 1.0)]).unwrap_err();
    assert!(e.to_string().contains("site index"), "{e}");
    let e = PlanInstance::new(
        vec![1.0],
        sites.clone(),
        10.0,
        vec![pair(0, 0, 1.0), pair(0, 0, 2.0)],
    )
    .unwrap_err();
    assert!(e.to_string().contains("more than once"), "{e}");
    let instance = PlanInstance::new(vec![1.0], sites, 10.0, vec![]).unwrap();
    assert!(plan(&instance, &settings(Objective::Coverage, 2)).is_err());
}

/// A random planar instance: `n` demand points with weights 1..=5, `existing` services
/// and `m` candidates in a 20 km square, all pairs, catchment 6 km.
fn random_instance(seed: u64, n: usize, existing: usize, m: usize, unit: bool) -> PlanInstance {
    let mut rng = SplitMix64::new(seed);
    let mut point = || (20.0 * rng.unit(), 20.0 * rng.unit());
    let demand: Vec<(f64, f64)> = (0..n).map(|_| point()).collect();
    let places: Vec<(f64, f64)> = (0..existing + m).map(|_| point()).collect();
    let mut rng = SplitMix64::new(seed ^ 0xABCD);
    let weights = (0..n)
        .map(|_| {
            if unit {
                1.0
            } else {
                1.0 + (5.0 * rng.unit()).floor()
            }
        })
        .collect();
    let sites = (0..existing + m)
        .map(|j| {
            site(
                &format!("s{j}"),
                1.0 + (4.0 * rng.unit()).floor(),
                j < existing,
            )
        })
        .collect();
    let mut pairs = Vec::new();
    for (i, a) in demand.iter().enumerate() {
        for (j, b) in places.iter().enumerate() {
            let cost = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
            pairs.push(pair(i as u32, j as u32, cost));
        }
    }
    PlanInstance::new(weights, sites, 6.0, pairs).unwrap()
}

#[test]
fn coverage_matches_brute_force_and_the_bound_holds() {
    for seed in 0..40 {
        let instance = random_instance(seed, 25, (seed % 3) as usize, 9, false);
        for p in 1..=3 {
            let (optimum, _) = best_subset(&instance, p, Objective::Coverage);
            let found = plan(&instance, &settings(Objective::Coverage, p)).unwrap();
            let chosen: Vec<usize> = found.chosen.iter().map(|c| c.site).collect();
            assert!((coverage_of(&instance, &chosen) - found.value).abs() < 1e-9);
            assert_eq!(found.value, optimum, "seed {seed}, p {p}");
            assert!(found.bound >= optimum - 1e-9, "seed {seed}, p {p}");
        }
    }
}

#[test]
fn distance_matches_brute_force_and_the_bound_holds() {
    for seed in 0..40 {
        let instance = random_instance(seed, 25, (seed % 3) as usize, 9, false);
        for p in 1..=3 {
            let (optimum, _) = best_subset(&instance, p, Objective::Distance);
            let found = plan(&instance, &settings(Objective::Distance, p)).unwrap();
            let chosen: Vec<usize> = found.chosen.iter().map(|c| c.site).collect();
            assert!((distance_of(&instance, &chosen) - found.value).abs() < 1e-6);
            assert!(
                (found.value - optimum).abs() < 1e-6,
                "seed {seed}, p {p}: {} against {optimum}",
                found.value
            );
            assert!(found.bound <= optimum + 1e-6, "seed {seed}, p {p}");
        }
    }
}

/// Greedy and interchange alone (no exhaustive search): always within the bound, rarely
/// off the optimum, never far.
#[test]
fn local_search_alone_is_close_to_brute_force() {
    let (mut runs, mut optimal, mut worst) = (0, 0, 0.0f64);
    for seed in 0..40 {
        let instance = random_instance(seed, 25, (seed % 3) as usize, 9, false);
        for p in 1..=3 {
            for objective in [Objective::Coverage, Objective::Distance] {
                let (optimum, _) = best_subset(&instance, p, objective);
                let found = plan(
                    &instance,
                    &PlanSettings {
                        exact_when_small: false,
                        ..settings(objective, p)
                    },
                )
                .unwrap();
                let shortfall = (found.value - optimum).abs() / optimum;
                runs += 1;
                optimal += usize::from(shortfall < 1e-9);
                worst = worst.max(shortfall);
                match objective {
                    Objective::Coverage => assert!(found.bound >= optimum - 1e-9),
                    Objective::Distance => assert!(found.bound <= optimum + 1e-6),
                }
            }
        }
    }
    eprintln!("local search alone: {optimal} of {runs} optimal, worst shortfall {worst:.4}");
    assert!(optimal * 10 >= runs * 9, "{optimal} of {runs} optimal");
    assert!(worst < 0.05, "worst shortfall {worst}");
}

#[test]
fn exact_assignment_matches_every_assignment() {
    for seed in 0..30 {
        let instance = random_instance(seed, 7, 1, 3, true);
        let model = capacitated::CapacitatedModel::new(&instance, Objective::Coverage);
        for open in [vec![], vec![0], vec![1, 2], vec![0, 1, 2]] {
            let sites: Vec<usize> = open.iter().map(|&s| model.candidates[s]).collect();
            let (placed, cost) = best_assignment(&instance, &sites, Objective::Coverage, 0.0);
            let a = model.assign(&open);
            assert_eq!(a.placed, placed, "seed {seed}, open {open:?}");
            assert!(
                (a.placed_cost - cost).abs() < 1e-2,
                "seed {seed}, open {open:?}"
            );
        }
    }
}

#[test]
fn capacitated_plans_match_brute_force() {
    for seed in 0..20 {
        let instance = random_instance(seed, 7, 1, 5, true);
        for objective in [Objective::Coverage, Objective::Distance] {
            let unplaced = instance.unreached_cost();
            let score = |sites: &[usize]| {
                let (placed, cost) = best_assignment(&instance, sites, objective, unplaced);
                match objective {
                    Objective::Coverage => (placed, -cost),
                    Objective::Distance => (0.0, -(cost + (7.0 - placed) * unplaced)),
                }
            };
            for p in 1..=2 {
                let best = super::reference::subsets(&instance.candidates(), p)
                    .iter()
                    .map(|s| score(s))
                    .fold((f64::MIN, f64::MIN), |a, b| if b > a { b } else { a });
                let found = plan(
                    &instance,
                    &PlanSettings {
                        capacitated: true,
                        ..settings(objective, p)
                    },
                )
                .unwrap();
                let chosen: Vec<usize> = found.chosen.iter().map(|c| c.site).collect();
                let got = score(&chosen);
                assert!(
                    (got.0 - best.0).abs() < 1e-9 && (got.1 - best.1).abs() < 1e-2,
                    "seed {seed}, {objective:?}, p {p}: {got:?} against {best:?}"
                );
                match objective {
                    Objective::Coverage => assert!(found.bound >= best.0 - 1e-9),
                    Objective::Distance => assert!(
                        found.bound <= -best.1 + 1e-2,
                        "seed {seed}, p {p}: bound {} above the optimum {}",
                        found.bound,
                        -best.1
                    ),
                }
            }
        }
    }
}

/// Two people 1 km from site a and 5 km from site b, each site with one place, one site to
/// open, unreached cost 6 (the catchment). Opening a places one person at 1 km and leaves
/// the other at 6: 7, the optimum (b gives 5 + 6 = 11). The uncapacitated bound would be 2
/// (both at a); the bound that counts places is 7, proving the plan optimal.
#[test]
fn capacitated_distance_bound_counts_the_places() {
    let instance = PlanInstance::new(
        vec![1.0, 1.0],
        vec![site("a", 1.0, false), site("b", 1.0, false)],
        6.0,
        vec![
            pair(0, 0, 1.0),
            pair(1, 0, 1.0),
            pair(0, 1, 5.0),
            pair(1, 1, 5.0),
        ],
    )
    .unwrap();
    let found = plan(
        &instance,
        &PlanSettings {
            capacitated: true,
            ..settings(Objective::Distance, 1)
        },
    )
    .unwrap();
    assert_eq!(found.chosen[0].site, 0);
    assert!((found.value - 7.0).abs() < 1e-9, "value {}", found.value);
    assert!((found.bound - 7.0).abs() < 1e-6, "bound {}", found.bound);
}
