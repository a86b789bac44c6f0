//! The exact search against brute force over every p-subset ([`super::super::reference`]).

use std::time::Duration;

use super::*;
use crate::plan::reference::{best_subset, coverage_of, distance_of};
use crate::plan::{PairCost, Site};
use crate::rng::SplitMix64;

/// `n` demand points and `existing + m` sites in a square; all pairs, catchment 6.
/// `grid`: integer points in a 12 x 12 square, unit weights and city-block costs, so many
/// plans tie; otherwise points anywhere in 20 x 20, weights 1 to 5, straight-line costs.
fn instance(seed: u64, n: usize, existing: usize, m: usize, grid: bool) -> PlanInstance {
    let mut rng = SplitMix64::new(seed);
    let point = |rng: &mut SplitMix64| {
        if grid {
            (rng.below(13) as f64, rng.below(13) as f64)
        } else {
            (20.0 * rng.unit(), 20.0 * rng.unit())
        }
    };
    let demand: Vec<(f64, f64)> = (0..n).map(|_| point(&mut rng)).collect();
    let places: Vec<(f64, f64)> = (0..existing + m).map(|_| point(&mut rng)).collect();
    let weights = (0..n)
        .map(|_| if grid { 1.0 } else { 1.0 + rng.below(5) as f64 })
        .collect();
    let sites = (0..existing + m)
        .map(|j| Site {
            id: format!("s{j}"),
            capacity: 0.0,
            existing: j < existing,
        })
        .collect();
    let mut pairs = Vec::new();
    for (i, a) in demand.iter().enumerate() {
        for (j, b) in places.iter().enumerate() {
            let cost = if grid {
                (a.0 - b.0).abs() + (a.1 - b.1).abs()
            } else {
                ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
            };
            pairs.push(PairCost {
                demand: i as u32,
                site: j as u32,
                cost,
            });
        }
    }
    PlanInstance::new(weights, sites, 6.0, pairs).unwrap()
}

/// The first `p` candidates: a poor start, so the search has work to do.
fn first_candidates(instance: &PlanInstance, p: usize) -> Vec<usize> {
    instance.candidates().into_iter().take(p).collect()
}

/// Checks the search against brute force on instances from `seeds`; returns the plans
/// checked and the nodes explored. `rounds` limits the subgradient search, so weak bounds
/// make the search branch and fix (any multipliers give a valid bound).
fn check_against_brute_force(
    grid: bool,
    seeds: std::ops::Range<u64>,
    rounds: Rounds,
) -> (usize, usize) {
    let (mut runs, mut nodes) = (0, 0);
    for seed in seeds {
        let existing = (seed % 3) as usize;
        let inst = instance(seed, 30, existing, 11, grid);
        for p in 1..=4 {
            for objective in [Objective::Coverage, Objective::Distance] {
                let (optimum, _) = best_subset(&inst, p, objective);
                let start = first_candidates(&inst, p);
                let settings = ExactSettings::default();
                let exact =
                    solve_with_rounds(&inst, objective, p, &start, &settings, rounds).unwrap();
                let what = format!("seed {seed}, p {p}, {objective:?}, grid {grid}");
                assert!(exact.proven, "{what}");
                assert_eq!(exact.sites.len(), p, "{what}");
                let again = match objective {
                    Objective::Coverage => coverage_of(&inst, &exact.sites),
                    Objective::Distance => distance_of(&inst, &exact.sites),
                };
                assert!(
                    (again - exact.value).abs() < 1e-6,
                    "{what}: {again} vs {}",
                    exact.value
                );
                assert!(
                    (exact.value - optimum).abs() < 1e-6,
                    "{what}: {} against brute force {optimum}",
                    exact.value
                );
                assert_eq!(exact.bound, exact.value, "{what}");
                assert_eq!(exact.gap(), 0.0, "{what}");
                runs += 1;
                nodes += exact.nodes;
            }
        }
    }
    (runs, nodes)
}

const FEW_ROUNDS: Rounds = Rounds { root: 3, node: 2 };

#[test]
fn exact_matches_brute_force_on_random_instances() {
    assert_eq!(check_against_brute_force(false, 0..30, ROUNDS).0, 240);
}

#[test]
fn exact_matches_brute_force_when_plans_tie() {
    assert_eq!(check_against_brute_force(true, 100..130, ROUNDS).0, 240);
}

/// With a few subgradient rounds per node the bounds are weak: the search has to branch
/// deep and fix with loose bounds, and must still end at the optimum.
#[test]
fn exact_matches_brute_force_with_weak_bounds() {
    for grid in [false, true] {
        let (runs, nodes) = check_against_brute_force(grid, 200..230, FEW_ROUNDS);
        assert_eq!(runs, 240);
        assert!(
            nodes > 2 * runs,
            "{nodes} nodes for {runs} plans: hardly a search"
        );
    }
}

/// Larger than brute force likes (C(16, 5) = 4,368 plans) but still checkable, so the
/// search branches and fixes rather than finishing at the root.
#[test]
fn exact_matches_brute_force_with_more_candidates() {
    for seed in 0..6 {
        let inst = instance(seed + 500, 60, 1, 16, seed % 2 == 0);
        for objective in [Objective::Coverage, Objective::Distance] {
            let (optimum, _) = best_subset(&inst, 5, objective);
            let start = first_candidates(&inst, 5);
            let exact =
                solve_exact(&inst, objective, 5, &start, &ExactSettings::default()).unwrap();
            assert!(exact.proven);
            assert!(
                (exact.value - optimum).abs() < 1e-6,
                "seed {seed}, {objective:?}: {} against {optimum}",
                exact.value
            );
        }
    }
}

/// With no time the search returns its start and a bound that still holds.
#[test]
fn a_search_out_of_time_keeps_a_valid_bound() {
    let inst = instance(7, 30, 1, 11, false);
    let none = ExactSettings {
        time_limit: Duration::ZERO,
    };
    for objective in [Objective::Coverage, Objective::Distance] {
        let (optimum, _) = best_subset(&inst, 3, objective);
        let start = first_candidates(&inst, 3);
        let exact = solve_exact(&inst, objective, 3, &start, &none).unwrap();
        assert!(!exact.proven);
        assert_eq!(exact.sites, start);
        match objective {
            Objective::Coverage => {
                assert_eq!(exact.value, coverage_of(&inst, &start));
                assert!(exact.bound >= optimum - 1e-9);
            }
            Objective::Distance => {
                assert!((exact.value - distance_of(&inst, &start)).abs() < 1e-9);
                assert!(exact.bound <= optimum + 1e-9);
            }
        }
    }
}

#[test]
fn a_bad_start_is_refused() {
    let inst = instance(3, 10, 1, 5, false);
    let settings = ExactSettings::default();
    // Site 0 is an existing service, not a candidate.
    let e = solve_exact(&inst, Objective::Coverage, 2, &[0, 1], &settings).unwrap_err();
    assert!(e.to_string().contains("starting plan"), "{e}");
    let e = solve_exact(&inst, Objective::Coverage, 2, &[1, 1], &settings).unwrap_err();
    assert!(e.to_string().contains("distinct"), "{e}");
    let e = solve_exact(&inst, Objective::Coverage, 2, &[1], &settings).unwrap_err();
    assert!(e.to_string().contains("as many sites"), "{e}");
    assert!(solve_exact(&inst, Objective::Distance, 0, &[], &settings).is_err());
}

/// Four demand points weighing 2, 3, 3, 2; X reaches the middle two (6), Y the
/// first two (5), Z the last two (5). Greedy takes X then Y (8); the optimum is Y and Z,
/// covering all 10.
fn greedy_trap() -> PlanInstance {
    let sites = ["X", "Y", "Z"]
        .iter()
        .map(|id| Site {
            id: id.to_string(),
            capacity: 1.0,
            existing: false,
        })
        .collect();
    let pairs = [(1, 0), (2, 0), (0, 1), (1, 1), (2, 2), (3, 2)]
        .iter()
        .map(|&(demand, site)| PairCost {
            demand,
            site,
            cost: 1.0,
        })
        .collect();
    PlanInstance::new(vec![2.0, 3.0, 3.0, 2.0], sites, 5.0, pairs).unwrap()
}

#[test]
fn prove_confirms_an_optimal_plan_and_finds_a_better_one() {
    let inst = greedy_trap();
    let settings = |local_search| crate::plan::PlanSettings {
        objective: Objective::Coverage,
        new_sites: 2,
        local_search,
        exact_when_small: false,
        ..crate::plan::PlanSettings::default()
    };
    let greedy = crate::plan::plan(&inst, &settings(false)).unwrap();
    assert_eq!(greedy.value, 8.0);
    let proof = prove(&inst, &greedy, &ExactSettings::default()).unwrap();
    assert!(proof.exact.proven && proof.found_better() && !proof.optimal());
    assert_eq!(proof.exact.value, 10.0);
    assert_eq!(proof.exact.sites, vec![1, 2]);
    let text = proof.summary(&inst);
    assert!(
        text.starts_with("not optimal: the best possible is 10 with Y, Z (25.00% better"),
        "{text}"
    );

    let best = crate::plan::plan(&inst, &settings(true)).unwrap();
    assert_eq!(best.value, 10.0);
    let proof = prove(&inst, &best, &ExactSettings::default()).unwrap();
    assert!(proof.optimal());
    assert!(
        proof.summary(&inst).starts_with("proven optimal"),
        "{}",
        proof.summary(&inst)
    );

    let out_of_time = ExactSettings {
        time_limit: Duration::ZERO,
    };
    let proof = prove(&inst, &greedy, &out_of_time).unwrap();
    assert!(!proof.optimal());
    let text = proof.summary(&inst);
    assert!(
        text.starts_with("not proven within 0 s: the best possible is at most"),
        "{text}"
    );

    let mut capacitated = settings(true);
    capacitated.capacitated = true;
    let placed = crate::plan::plan(&inst, &capacitated).unwrap();
    let e = prove(&inst, &placed, &ExactSettings::default()).unwrap_err();
    assert!(e.to_string().contains("without capacities"), "{e}");
}
