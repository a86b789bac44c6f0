//! Brute-force twins of the solvers, for tests only: every p-subset of the candidates,
//! each evaluated directly from the pairs, and every assignment of unit-weight people.
//! Written without the solvers' data structures so they check them independently.

use super::{Objective, PlanInstance};

/// Every `p`-subset of `items`, in lexicographic order.
pub(crate) fn subsets(items: &[usize], p: usize) -> Vec<Vec<usize>> {
    fn walk(
        items: &[usize],
        p: usize,
        start: usize,
        now: &mut Vec<usize>,
        out: &mut Vec<Vec<usize>>,
    ) {
        if now.len() == p {
            out.push(now.clone());
            return;
        }
        for k in start..items.len() {
            now.push(items[k]);
            walk(items, p, k + 1, now, out);
            now.pop();
        }
    }
    let mut out = Vec::new();
    walk(items, p, 0, &mut Vec::new(), &mut out);
    out
}

fn cost(instance: &PlanInstance, i: usize, j: usize) -> Option<f64> {
    let (sites, costs) = instance.sites_of(i);
    sites
        .iter()
        .position(|&s| s as usize == j)
        .map(|k| costs[k])
}

fn open_sites(instance: &PlanInstance, subset: &[usize]) -> Vec<usize> {
    (0..instance.sites.len())
        .filter(|j| instance.sites[*j].existing || subset.contains(j))
        .collect()
}

/// Covered weight of one subset, from the definition.
pub(crate) fn coverage_of(instance: &PlanInstance, subset: &[usize]) -> f64 {
    let open = open_sites(instance, subset);
    let mut total = 0.0;
    for i in 0..instance.weights.len() {
        if open
            .iter()
            .any(|&j| cost(instance, i, j).is_some_and(|c| c <= instance.catchment))
        {
            total += instance.weights[i];
        }
    }
    total
}

/// Total weighted cost of one subset, from the definition.
pub(crate) fn distance_of(instance: &PlanInstance, subset: &[usize]) -> f64 {
    let open = open_sites(instance, subset);
    let largest = (0..instance.weights.len())
        .flat_map(|i| (0..instance.sites.len()).filter_map(move |j| cost(instance, i, j)))
        .fold(instance.catchment, f64::max);
    (0..instance.weights.len())
        .map(|i| {
            let nearest = open
                .iter()
                .filter_map(|&j| cost(instance, i, j))
                .fold(largest, f64::min);
            instance.weights[i] * nearest
        })
        .sum()
}

/// (best value, a best subset) over every p-subset: the largest coverage or the
/// smallest distance.
pub(crate) fn best_subset(
    instance: &PlanInstance,
    p: usize,
    objective: Objective,
) -> (f64, Vec<usize>) {
    let mut best: Option<(f64, Vec<usize>)> = None;
    for subset in subsets(&instance.candidates(), p) {
        let value = match objective {
            Objective::Coverage => coverage_of(instance, &subset),
            Objective::Distance => -distance_of(instance, &subset),
        };
        if best.as_ref().is_none_or(|b| value > b.0 + 1e-9) {
            best = Some((value, subset));
        }
    }
    let (value, subset) = best.unwrap_or((0.0, Vec::new()));
    match objective {
        Objective::Coverage => (value, subset),
        Objective::Distance => (-value, subset),
    }
}

/// The best assignment of unit-weight people to the open sites (existing and `subset`)
/// within the catchment, by trying every one: (people placed, their total cost), placed
/// first (coverage) or total cost with each unplaced person at `unplaced_cost` (distance).
pub(crate) fn best_assignment(
    instance: &PlanInstance,
    subset: &[usize],
    objective: Objective,
    unplaced_cost: f64,
) -> (f64, f64) {
    let open = open_sites(instance, subset);
    let n = instance.weights.len();
    let options: Vec<Vec<Option<(usize, f64)>>> = (0..n)
        .map(|i| {
            let mut o: Vec<Option<(usize, f64)>> = open
                .iter()
                .filter_map(|&j| {
                    cost(instance, i, j)
                        .filter(|&c| c <= instance.catchment)
                        .map(|c| (j, c))
                })
                .map(Some)
                .collect();
            o.push(None);
            o
        })
        .collect();
    let mut choice = vec![0usize; n];
    let mut best: Option<(f64, f64)> = None;
    loop {
        let mut load = vec![0.0; instance.sites.len()];
        let (mut placed, mut total) = (0.0, 0.0);
        for i in 0..n {
            if let Some((j, c)) = options[i][choice[i]] {
                load[j] += instance.weights[i];
                placed += instance.weights[i];
                total += instance.weights[i] * c;
            }
        }
        let fits = (0..instance.sites.len()).all(|j| load[j] <= instance.sites[j].capacity);
        if fits {
            let better = |b: (f64, f64)| match objective {
                Objective::Coverage => {
                    placed > b.0 + 1e-9 || (placed > b.0 - 1e-9 && total < b.1 - 1e-9)
                }
                Objective::Distance => {
                    let unplaced = instance.total_weight() - placed;
                    let b_unplaced = instance.total_weight() - b.0;
                    total + unplaced * unplaced_cost < b.1 + b_unplaced * unplaced_cost - 1e-9
                }
            };
            if best.is_none_or(better) {
                best = Some((placed, total));
            }
        }
        // Next choice vector, like an odometer.
        let mut k = 0;
        loop {
            if k == n {
                return best.unwrap_or((0.0, 0.0));
            }
            choice[k] += 1;
            if choice[k] < options[k].len() {
                break;
            }
            choice[k] = 0;
            k += 1;
        }
    }
}
