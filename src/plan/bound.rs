//! Bounds on the best possible plan, so every plan says how good it is: an upper bound on
//! the coverage any p candidates could reach, a lower bound on the total distance any p
//! candidates could give. Both come from Lagrangian relaxation (whose best value equals
//! the linear programming relaxation's), improved by subgradient optimisation with Polyak
//! steps (Held, Wolfe and Crowder 1974; Daskin 1995, ch. 6). Any multipliers give a valid
//! bound, so stopping early only makes the bound looser, never wrong.
//!
//! - Coverage: relax "y_i <= sum of x_j over the candidates reaching i" with lambda_i in
//!   [0, w_i]: L = sum_i max(0, w_i - lambda_i) + the p largest sums of lambda over each
//!   candidate's reach. Also bounded by the coverable weight, and by the greedy's bound
//!   (coverage after k picks plus the p largest gains then left), as coverage is submodular.
//! - Distance: relax "each point is served once" with mu_i: L = sum_i mu_i +
//!   sum_i min(0, w_i b_i - mu_i) + the p smallest sums over each candidate of
//!   min(0, w_i c_ij - mu_i), where b_i is the point's base cost (always available).
//!
//! Each round's chosen candidates are also a plan: the best of them is returned with the
//! bound (a Lagrangian heuristic), and the planner improves it by interchange as a second
//! start. For coverage, a candidate whose opening would cap the coverage below a plan
//! already found (reduced-cost fixing) is left out of the remaining rounds: the optimum
//! cannot open it, so the later bounds still hold, and the rounds get cheaper.

use super::coverage::CoverageModel;
use super::distance::DistanceModel;

/// Iteration limits of the subgradient search.
const MAX_ITERATIONS: usize = 600;
const PATIENCE: usize = 15;
const MIN_STEP: f64 = 1e-4;
/// Stop when the bound is within this share of the plan.
const CLOSE_ENOUGH: f64 = 1e-6;

/// A bound and the best plan the relaxation's choices gave on the way (a Lagrangian
/// heuristic: each round's chosen candidates are a plan), as candidate slots.
pub(crate) struct Relaxation {
    pub bound: f64,
    /// The best plan seen (ascending slots); empty when the search stopped before its
    /// first round.
    pub plan: Vec<usize>,
}

/// The best of the plans the relaxation chose, by the model's own value.
struct BestChoice {
    tried: Vec<usize>,
    plan: Vec<usize>,
    value: f64,
}

impl BestChoice {
    fn new(value: f64) -> Self {
        BestChoice {
            tried: Vec::new(),
            plan: Vec::new(),
            value,
        }
    }

    /// Offers this round's choice; `better` says whether a value beats another.
    fn offer(
        &mut self,
        open: &[usize],
        value_of: impl Fn(&[usize]) -> f64,
        better: impl Fn(f64, f64) -> bool,
    ) {
        let mut sorted = open.to_vec();
        sorted.sort_unstable();
        if sorted == self.tried {
            return;
        }
        let value = value_of(&sorted);
        if self.plan.is_empty() || better(value, self.value) {
            self.plan = sorted.clone();
            self.value = value;
        }
        self.tried = sorted;
    }
}

/// Upper bound on the weight covered (existing services included) by any `p` candidates;
/// `found` is the weight a plan covers (a lower bound on the optimum).
pub(crate) fn coverage_upper_bound(model: &CoverageModel, p: usize, found: f64) -> f64 {
    coverage_relaxation(model, p, found).bound
}

/// [`coverage_upper_bound`] with the best plan the relaxation chose on the way.
pub(crate) fn coverage_relaxation(model: &CoverageModel, p: usize, found: f64) -> Relaxation {
    let mut choice = BestChoice::new(f64::NEG_INFINITY);
    let coverable: f64 = model
        .reached_by
        .iter()
        .enumerate()
        .filter(|(_, by)| !by.is_empty())
        .map(|(i, _)| model.instance.weights[i])
        .sum();
    let base = model.base_covered;
    let mut best = (base + coverable).min(base + submodular_bound(model, p));
    if best - found <= CLOSE_ENOUGH * found.max(1.0) {
        return Relaxation {
            bound: best.max(found),
            plan: choice.plan,
        };
    }
    let w = &model.instance.weights;
    let mut lambda: Vec<f64> = (0..w.len())
        .map(|i| {
            if model.reached_by[i].is_empty() {
                0.0
            } else {
                w[i]
            }
        })
        .collect();
    let mut step_length = StepLength::new();
    let mut sums = vec![0.0; model.candidates.len()];
    let mut active = vec![true; model.candidates.len()];
    let mut reachable: Vec<u32> = model.reached_by.iter().map(|by| by.len() as u32).collect();
    for _ in 0..MAX_ITERATIONS {
        for (slot, reach) in model.reach.iter().enumerate() {
            sums[slot] = if active[slot] {
                reach.iter().map(|&i| lambda[i as usize]).sum()
            } else {
                f64::NEG_INFINITY
            };
        }
        let open = largest(&sums, p);
        choice.offer(&open, |o| model.value(o), |a, b| a > b);
        let known = found.max(choice.value);
        let mut value: f64 = open.iter().map(|&s| sums[s]).sum();
        let mut count = vec![0u32; w.len()];
        for &s in &open {
            for &i in &model.reach[s] {
                count[i as usize] += 1;
            }
        }
        let mut norm = 0.0;
        let mut gradient = vec![0.0; w.len()];
        for i in 0..w.len() {
            if reachable[i] == 0 {
                continue;
            }
            let y = if w[i] > lambda[i] { 1.0 } else { 0.0 };
            value += (w[i] - lambda[i]).max(0.0);
            let g = f64::from(count[i]) - y;
            gradient[i] = g;
            norm += g * g;
        }
        let improved = base + value < best - 1e-12 * best.max(1.0);
        if improved {
            best = base + value;
        }
        let going_on = step_length.record(improved);
        if norm == 0.0 || best - known <= CLOSE_ENOUGH * known.max(1.0) || !going_on {
            break;
        }
        let excluded = exclude_hopeless(model, &sums, &open, base + value, known, &mut active);
        for slot in excluded {
            for &i in &model.reach[slot] {
                reachable[i as usize] -= 1;
                if reachable[i as usize] == 0 {
                    lambda[i as usize] = w[i as usize];
                    gradient[i as usize] = 0.0;
                }
            }
        }
        let target = known - base;
        let step = step_length.theta * (value - target).max(1e-9 * value.max(1.0)) / norm;
        for i in 0..w.len() {
            lambda[i] = (lambda[i] - step * gradient[i]).clamp(0.0, w[i]);
        }
    }
    Relaxation {
        bound: best.max(found),
        plan: choice.plan,
    }
}

/// Reduced-cost fixing for the coverage relaxation: with these multipliers, every plan
/// that opens slot j covers at most `bound` + sums\[j\] - (the p-th largest sum). When that
/// is below `known` (a plan's coverage), no plan opening j is optimal, so j is left out of
/// the rest of the search and the bounds found after still hold for the optimum. Returns
/// the slots left out now.
fn exclude_hopeless(
    model: &CoverageModel,
    sums: &[f64],
    open: &[usize],
    bound: f64,
    known: f64,
    active: &mut [bool],
) -> Vec<usize> {
    let Some(&last_in) = open.last() else {
        return Vec::new();
    };
    let margin = 1e-9 * known.abs().max(1.0);
    let mut excluded = Vec::new();
    for slot in 0..model.candidates.len() {
        if active[slot]
            && !open.contains(&slot)
            && bound + sums[slot] - sums[last_in] < known - margin
        {
            active[slot] = false;
            excluded.push(slot);
        }
    }
    excluded
}

/// Greedy's bound for a submodular objective: after each pick, what is covered plus the
/// p largest remaining gains bounds any p sites; the smallest of these.
fn submodular_bound(model: &CoverageModel, p: usize) -> f64 {
    let w = &model.instance.weights;
    let mut gain: Vec<f64> = model
        .reach
        .iter()
        .map(|r| r.iter().map(|&i| w[i as usize]).sum())
        .collect();
    let mut covered = vec![false; w.len()];
    let mut have = 0.0;
    let mut best = f64::INFINITY;
    for _ in 0..=p.min(gain.len()) {
        let top = largest(&gain, p);
        best = best.min(have + top.iter().map(|&s| gain[s]).sum::<f64>());
        let Some(&pick) = top.first() else { break };
        have += gain[pick];
        for &i in &model.reach[pick] {
            if std::mem::replace(&mut covered[i as usize], true) {
                continue;
            }
            for &k in &model.reached_by[i as usize] {
                gain[k as usize] -= w[i as usize];
            }
        }
    }
    best
}

/// Lower bound on the total weighted cost of any `p` candidates, with the best plan the
/// relaxation chose on the way; `found` is a plan's total (an upper bound on the optimum)
/// and `costs` its per-point costs.
pub(crate) fn distance_relaxation(
    model: &DistanceModel,
    p: usize,
    found: f64,
    costs: &[f64],
) -> Relaxation {
    let mut choice = BestChoice::new(f64::INFINITY);
    let w = &model.instance.weights;
    let n = w.len();
    let mut mu: Vec<f64> = (0..n).map(|i| w[i] * costs[i]).collect();
    let mut best = 0.0f64;
    let mut step_length = StepLength::new();
    let mut sums = vec![0.0; model.candidates.len()];
    for _ in 0..MAX_ITERATIONS {
        for (slot, (demand, cost)) in model.pairs.iter().enumerate() {
            sums[slot] = demand
                .iter()
                .zip(cost)
                .map(|(&i, &c)| (w[i as usize] * c - mu[i as usize]).min(0.0))
                .sum();
        }
        let open = smallest(&sums, p);
        choice.offer(&open, |o| model.value(o), |a, b| a < b);
        let mut value: f64 = open.iter().map(|&s| sums[s]).sum();
        let mut gradient = vec![1.0; n];
        for i in 0..n {
            value += mu[i] + (w[i] * model.base[i] - mu[i]).min(0.0);
            if w[i] * model.base[i] < mu[i] {
                gradient[i] -= 1.0;
            }
        }
        for &s in &open {
            let (demand, cost) = &model.pairs[s];
            for (&i, &c) in demand.iter().zip(cost) {
                if w[i as usize] * c < mu[i as usize] {
                    gradient[i as usize] -= 1.0;
                }
            }
        }
        let norm: f64 = gradient.iter().map(|g| g * g).sum();
        let improved = value > best + 1e-12 * best.abs().max(1.0);
        if improved {
            best = value;
        }
        let going_on = step_length.record(improved);
        if norm == 0.0 || found - best <= CLOSE_ENOUGH * found.max(1.0) || !going_on {
            break;
        }
        let step = step_length.theta * (found - value).max(1e-9 * found.max(1.0)) / norm;
        for i in 0..n {
            mu[i] += step * gradient[i];
        }
    }
    Relaxation {
        bound: best.min(found),
        plan: choice.plan,
    }
}

/// The subgradient step's scale: it starts at 2 and halves after [`PATIENCE`] rounds that
/// did not improve the bound; the search stops once it falls below [`MIN_STEP`].
struct StepLength {
    theta: f64,
    since_better: usize,
}

impl StepLength {
    fn new() -> Self {
        Self {
            theta: 2.0,
            since_better: 0,
        }
    }

    /// Records whether this round improved the bound; false once the step is too small to
    /// go on.
    fn record(&mut self, improved: bool) -> bool {
        if improved {
            self.since_better = 0;
            return true;
        }
        self.since_better += 1;
        if self.since_better >= PATIENCE {
            self.theta /= 2.0;
            self.since_better = 0;
        }
        self.theta >= MIN_STEP
    }
}

/// The `p` slots with the largest values (ties to the lowest slot), largest first.
pub(crate) fn largest(values: &[f64], p: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order.truncate(p);
    order
}

/// The `p` slots with the smallest values (ties to the lowest slot), smallest first.
pub(crate) fn smallest(values: &[f64], p: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    order.truncate(p);
    order
}
