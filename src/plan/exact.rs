//! The exact optimum of the uncapacitated models, to prove a plan optimal or measure how
//! far it is from the best possible. Branch and bound (Beasley 1993, for the p-median)
//! with a Lagrangian bound at every node.
//!
//! Both models are solved as one problem: open p candidates to minimise the sum over
//! demand points of the weighted cost of the cheapest open choice, where every point also
//! has a base choice that is always open (its nearest existing service, or the unreached
//! cost). The distance model is that problem as it stands. Coverage is the same problem
//! with cost 0 for a pair within the catchment and a base cost of 1 for a point that no
//! existing service reaches: the total is the weight left uncovered (ReVelle and Swain
//! 1970).
//!
//! At a node some candidates are forced open and some closed. The bound relaxes "each
//! point takes one choice" with a multiplier per point (at most its cost with the open
//! sites): bound = sum of multipliers + the k smallest of, over the free candidates,
//! the sum of min(0, weighted cost - multiplier), where k is the number still to open.
//! Subgradient steps improve it, starting from the parent's multipliers. Reduced-cost
//! fixing then closes every free candidate whose opening would push the bound past the
//! best plan found, and opens every one whose closing would; the relaxation's chosen
//! sites are tried as a plan at every step (a Lagrangian heuristic). Search is depth
//! first, opening the relaxation's most attractive site before closing it, from the
//! local search's plan as the first incumbent. With one site left to open, every free
//! candidate is tried.
//!
//! This module does not build instances or decide when to run: callers give it an
//! instance, a starting plan and a time limit. A search stopped by the limit still
//! returns a valid bound.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::bound::smallest;
use super::coverage::CoverageModel;
use super::distance::DistanceModel;
use super::{figure, Objective, Plan, PlanError, PlanInstance};

/// Subgradient rounds at the root and at every other node.
#[derive(Debug, Clone, Copy)]
struct Rounds {
    root: usize,
    node: usize,
}

const ROUNDS: Rounds = Rounds {
    root: 3000,
    node: 300,
};
/// Weight of the newest round in the average choice, and of the last direction in each
/// step.
const AVERAGING: f64 = 0.1;
const DEFLECTION: f64 = 0.3;
/// A candidate chosen this share of the rounds or less (or more than one minus it) is
/// not worth branching on for its fractionality.
const FRACTIONAL: f64 = 0.05;
/// Rounds without a better bound before the step is halved, and the smallest step scale.
const PATIENCE: usize = 12;
const MIN_STEP: f64 = 1e-5;
/// A plan counts as no better than the incumbent unless it saves more than this share of
/// the total base cost; the optimum is proven to within this share.
const TOLERANCE: f64 = 1e-9;

/// How long the search may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExactSettings {
    pub time_limit: Duration,
}

impl Default for ExactSettings {
    fn default() -> Self {
        ExactSettings {
            time_limit: Duration::from_secs(120),
        }
    }
}

/// The result of the search.
#[derive(Debug, Clone, PartialEq)]
pub struct Exact {
    /// The best plan's value: covered weight (existing services included) or total
    /// weighted cost.
    pub value: f64,
    /// Its candidate sites (indices into the instance's sites), ascending.
    pub sites: Vec<usize>,
    /// The best possible value: an upper bound on coverage, a lower bound on distance.
    /// Equal to `value` when proven.
    pub bound: f64,
    /// The search finished: no plan is better than `value`.
    pub proven: bool,
    /// Nodes of the search tree explored.
    pub nodes: usize,
}

impl Exact {
    /// How far the best plan could be from the optimum, as a share (0 when proven).
    pub fn gap(&self) -> f64 {
        let (low, high) = if self.value <= self.bound {
            (self.value, self.bound)
        } else {
            (self.bound, self.value)
        };
        if high <= 0.0 {
            0.0
        } else {
            (high - low) / high
        }
    }
}

/// A plan checked by the exact search (`gapmap plan ... --prove`).
#[derive(Debug, Clone, PartialEq)]
pub struct Proof {
    pub objective: Objective,
    /// The checked plan's value.
    pub plan_value: f64,
    pub exact: Exact,
    /// The search's time limit and the time it took, seconds.
    pub limit_seconds: f64,
    pub seconds: f64,
}

/// Searches for the optimum of `plan`'s problem from `plan` itself (plans without
/// capacities only).
pub fn prove(
    instance: &PlanInstance,
    plan: &Plan,
    settings: &ExactSettings,
) -> Result<Proof, PlanError> {
    if plan.capacitated {
        return Err(PlanError::Setting {
            setting: "prove",
            value: "a capacitated plan".to_string(),
            expected: "a plan without capacities (the exact search covers those only)",
        });
    }
    let sites: Vec<usize> = plan.chosen.iter().map(|c| c.site).collect();
    let started = Instant::now();
    let exact = solve_exact(instance, plan.objective, sites.len(), &sites, settings)?;
    Ok(Proof {
        objective: plan.objective,
        plan_value: plan.value,
        exact,
        limit_seconds: settings.time_limit.as_secs_f64(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

impl Proof {
    /// The search found a plan better than the one checked.
    pub fn found_better(&self) -> bool {
        let tolerance = TOLERANCE * self.plan_value.abs().max(1.0);
        match self.objective {
            Objective::Coverage => self.exact.value > self.plan_value + tolerance,
            Objective::Distance => self.exact.value < self.plan_value - tolerance,
        }
    }

    /// No plan is better than the one checked.
    pub fn optimal(&self) -> bool {
        self.exact.proven && !self.found_better()
    }

    /// One sentence for the terminal, naming sites by their ids in `instance`.
    pub fn summary(&self, instance: &PlanInstance) -> String {
        let e = &self.exact;
        let search = format!("exact search, {} nodes, {:.2} s", e.nodes, self.seconds);
        let better = || {
            let ids: Vec<&str> = e
                .sites
                .iter()
                .map(|&j| instance.sites[j].id.as_str())
                .collect();
            format!("{} with {}", figure(e.value), ids.join(", "))
        };
        let (limit, beyond) = match self.objective {
            Objective::Coverage => ("at most", e.bound - self.plan_value),
            Objective::Distance => ("at least", self.plan_value - e.bound),
        };
        let better_share = 100.0 * beyond.abs() / self.plan_value.abs().max(f64::MIN_POSITIVE);
        let high = self.plan_value.max(e.bound);
        let gap_share = 100.0 * beyond.abs() / high.max(f64::MIN_POSITIVE);
        match (e.proven, self.found_better()) {
            (true, false) => format!("proven optimal: no other choice of sites does better ({search})"),
            (true, true) => format!(
                "not optimal: the best possible is {} ({better_share:.2}% better; {search})",
                better()
            ),
            (false, true) => format!(
                "not proven within {} s: found a better plan, {}; the best possible is {limit} {} ({search})",
                self.limit_seconds,
                better(),
                figure(e.bound)
            ),
            (false, false) => format!(
                "not proven within {} s: the best possible is {limit} {}, so this plan is within {gap_share:.2}% of it ({search})",
                self.limit_seconds,
                figure(e.bound)
            ),
        }
    }
}

/// Finds the best `p` candidates for `objective` (uncapacitated), starting from the plan
/// `start` (candidate site indices, for example the local search's), within the time
/// limit.
pub fn solve_exact(
    instance: &PlanInstance,
    objective: Objective,
    p: usize,
    start: &[usize],
    settings: &ExactSettings,
) -> Result<Exact, PlanError> {
    solve_with_rounds(instance, objective, p, start, settings, ROUNDS)
}

fn solve_with_rounds(
    instance: &PlanInstance,
    objective: Objective,
    p: usize,
    start: &[usize],
    settings: &ExactSettings,
    rounds: Rounds,
) -> Result<Exact, PlanError> {
    let candidates = instance.candidates();
    if p == 0 || p > candidates.len() {
        return Err(PlanError::Setting {
            setting: "new sites",
            value: p.to_string(),
            expected: "at least 1 and no more than the candidates",
        });
    }
    let mut slots = Vec::with_capacity(start.len());
    for &site in start {
        match candidates.binary_search(&site) {
            Ok(slot) if !slots.contains(&slot) => slots.push(slot),
            _ => {
                return Err(PlanError::Setting {
                    setting: "starting plan",
                    value: format!("site {site}"),
                    expected: "distinct candidate sites",
                })
            }
        }
    }
    if slots.len() != p {
        return Err(PlanError::Setting {
            setting: "starting plan",
            value: format!("{} sites", slots.len()),
            expected: "as many sites as new sites to open",
        });
    }
    let (median, to_value): (Median, Box<dyn Fn(f64) -> f64>) = match objective {
        Objective::Coverage => {
            let model = CoverageModel::new(instance);
            let (median, coverable) = Median::from_coverage(&model);
            let base = model.base_covered;
            (median, Box::new(move |cost| base + (coverable - cost)))
        }
        Objective::Distance => (
            Median::from_distance(&DistanceModel::new(instance)),
            Box::new(|cost| cost),
        ),
    };
    let mut search = Search::new(&median, p, slots, settings.time_limit, rounds);
    let (cost, bound, proven) = search.run();
    let mut sites: Vec<usize> = search.best.iter().map(|&s| candidates[s]).collect();
    sites.sort_unstable();
    Ok(Exact {
        value: to_value(cost),
        sites,
        bound: to_value(bound),
        proven,
        nodes: search.nodes,
    })
}

/// The shared form: minimise the sum over points of the cheapest open weighted cost.
struct Median {
    /// Each point's weighted base cost, always available.
    base: Vec<f64>,
    /// For each candidate slot, (point, weighted cost) for the points it serves more
    /// cheaply than their base, ascending by point.
    pairs: Vec<Vec<(u32, f64)>>,
}

impl Median {
    /// Coverage as a median problem over the points some candidate reaches and no
    /// existing service does; also returns their total weight. Points reached by the same
    /// candidates are one point of their summed weight (every plan covers all or none of
    /// them), which leaves every plan's cost as it was and shortens each round of the
    /// bound.
    fn from_coverage(model: &CoverageModel) -> (Median, f64) {
        let w = &model.instance.weights;
        let mut merged: HashMap<&[u32], u32> = HashMap::new();
        let mut base: Vec<f64> = Vec::new();
        let mut pairs: Vec<Vec<(u32, f64)>> = vec![Vec::new(); model.reach.len()];
        for (i, by) in model.reached_by.iter().enumerate() {
            if by.is_empty() || w[i] <= 0.0 {
                continue;
            }
            let next = base.len() as u32;
            let point = *merged.entry(by.as_slice()).or_insert(next);
            if point == next {
                base.push(0.0);
                for &slot in by {
                    pairs[slot as usize].push((point, 0.0));
                }
            }
            base[point as usize] += w[i];
        }
        let coverable = base.iter().sum();
        (Median { base, pairs }, coverable)
    }

    fn from_distance(model: &DistanceModel) -> Median {
        let w = &model.instance.weights;
        let base: Vec<f64> = w.iter().zip(&model.base).map(|(w, b)| w * b).collect();
        let pairs = model
            .pairs
            .iter()
            .map(|(demand, costs)| {
                demand
                    .iter()
                    .zip(costs)
                    .map(|(&i, &c)| (i, w[i as usize] * c))
                    .filter(|&(i, wc)| wc < base[i as usize])
                    .collect()
            })
            .collect();
        Median { base, pairs }
    }

    /// Each point's weighted cost with the slots `open` opened.
    fn served(&self, open: &[usize]) -> Vec<f64> {
        let mut served = self.base.clone();
        for &slot in open {
            for &(i, c) in &self.pairs[slot] {
                let s = &mut served[i as usize];
                *s = s.min(c);
            }
        }
        served
    }
}

/// A node: candidates forced open and closed, the multipliers to start from and a bound
/// valid for everything below it.
struct Node {
    open: Vec<usize>,
    closed: Vec<bool>,
    multipliers: Vec<f64>,
    bound: f64,
    root: bool,
}

/// The relaxation at its best multipliers.
struct Relaxed {
    bound: f64,
    /// Per free candidate (in the order given), its term.
    terms: Vec<f64>,
    /// The k free candidates with the smallest terms, smallest first (positions in the
    /// free list).
    chosen: Vec<usize>,
    /// Per free candidate, how often the rounds chose it, recent rounds counting most: an
    /// estimate of its value in the linear programming relaxation.
    average: Vec<f64>,
}

struct Search<'a> {
    median: &'a Median,
    p: usize,
    incumbent: f64,
    best: Vec<usize>,
    tolerance: f64,
    nodes: usize,
    deadline: Instant,
    rounds: Rounds,
}

impl<'a> Search<'a> {
    fn new(
        median: &'a Median,
        p: usize,
        start: Vec<usize>,
        limit: Duration,
        rounds: Rounds,
    ) -> Self {
        let total: f64 = median.base.iter().sum();
        let incumbent = median.served(&start).iter().sum();
        Search {
            median,
            p,
            incumbent,
            best: start,
            tolerance: TOLERANCE * total.max(1.0),
            nodes: 0,
            deadline: Instant::now() + limit,
            rounds,
        }
    }

    /// (best cost, lower bound, proven).
    fn run(&mut self) -> (f64, f64, bool) {
        let n = self.median.base.len();
        let mut stack = vec![Node {
            open: Vec::new(),
            closed: vec![false; self.median.pairs.len()],
            multipliers: self.median.base.clone(),
            bound: 0.0,
            root: true,
        }];
        debug_assert_eq!(stack[0].multipliers.len(), n);
        while let Some(node) = stack.pop() {
            if node.bound >= self.incumbent - self.tolerance {
                continue;
            }
            if Instant::now() >= self.deadline {
                let left = stack
                    .iter()
                    .map(|n| n.bound)
                    .fold(node.bound, f64::min)
                    .min(self.incumbent);
                return (self.incumbent, left, false);
            }
            self.nodes += 1;
            stack.extend(self.process(node));
        }
        (self.incumbent, self.incumbent, true)
    }

    /// Keeps `open` if it beats the incumbent.
    fn offer(&mut self, open: &[usize], cost: f64) {
        if cost < self.incumbent - self.tolerance {
            self.incumbent = cost;
            self.best = open.to_vec();
            self.best.sort_unstable();
        }
    }

    /// Bounds a node, fixes what its bound allows and returns its children, the one to
    /// explore first last.
    fn process(&mut self, node: Node) -> Vec<Node> {
        let Node {
            mut open,
            mut closed,
            mut multipliers,
            root,
            ..
        } = node;
        let mut rounds = if root {
            self.rounds.root
        } else {
            self.rounds.node
        };
        loop {
            let k = self.p - open.len();
            let served = self.median.served(&open);
            let free: Vec<usize> = (0..closed.len())
                .filter(|&j| !closed[j] && !open.contains(&j))
                .collect();
            if free.len() < k {
                return Vec::new();
            }
            if k == 0 || free.len() == k {
                let mut sites = open.clone();
                sites.extend(&free);
                let cost = self.median.served(&sites).iter().sum();
                self.offer(&sites, cost);
                return Vec::new();
            }
            let local: Vec<Vec<(u32, f64)>> = free
                .iter()
                .map(|&j| {
                    self.median.pairs[j]
                        .iter()
                        .filter(|&&(i, c)| c < served[i as usize])
                        .copied()
                        .collect()
                })
                .collect();
            if k == 1 {
                self.last_site(&open, &free, &local, &served);
                return Vec::new();
            }
            let relaxed = self.relax(&open, &free, &local, &served, &mut multipliers, rounds);
            let threshold = self.incumbent - self.tolerance;
            if relaxed.bound >= threshold {
                return Vec::new();
            }
            if self.fix(&relaxed, &free, &mut open, &mut closed, k) {
                rounds = self.rounds.node;
                continue;
            }
            let pick = free[branching(&relaxed)];
            let mut without = closed.clone();
            without[pick] = true;
            let mut with = open.clone();
            with.push(pick);
            return vec![
                Node {
                    open,
                    closed: without,
                    multipliers: multipliers.clone(),
                    bound: relaxed.bound,
                    root: false,
                },
                Node {
                    open: with,
                    closed,
                    multipliers,
                    bound: relaxed.bound,
                    root: false,
                },
            ];
        }
    }

    /// One site left to open: tries every free candidate.
    fn last_site(
        &mut self,
        open: &[usize],
        free: &[usize],
        local: &[Vec<(u32, f64)>],
        served: &[f64],
    ) {
        let cost: f64 = served.iter().sum();
        let mut best: Option<(f64, usize)> = None;
        for (position, pairs) in local.iter().enumerate() {
            let saving: f64 = pairs.iter().map(|&(i, c)| served[i as usize] - c).sum();
            if best.is_none_or(|b| saving > b.0) {
                best = Some((saving, position));
            }
        }
        if let Some((saving, position)) = best {
            let mut sites = open.to_vec();
            sites.push(free[position]);
            self.offer(&sites, cost - saving);
        }
    }

    /// Reduced-cost fixing: returns whether any candidate was fixed.
    fn fix(
        &self,
        relaxed: &Relaxed,
        free: &[usize],
        open: &mut Vec<usize>,
        closed: &mut [bool],
        k: usize,
    ) -> bool {
        let threshold = self.incumbent - self.tolerance;
        let terms = &relaxed.terms;
        let mut is_chosen = vec![false; free.len()];
        for &c in &relaxed.chosen {
            is_chosen[c] = true;
        }
        let last_in = terms[relaxed.chosen[k - 1]];
        let first_out = (0..free.len())
            .filter(|&x| !is_chosen[x])
            .map(|x| terms[x])
            .fold(f64::INFINITY, f64::min);
        let mut changed = false;
        for (x, &j) in free.iter().enumerate() {
            if is_chosen[x] {
                if relaxed.bound - terms[x] + first_out >= threshold {
                    open.push(j);
                    changed = true;
                }
            } else if relaxed.bound + terms[x] - last_in >= threshold {
                closed[j] = true;
                changed = true;
            }
        }
        changed
    }

    /// Subgradient search on the node's relaxation from `multipliers`, left at the best
    /// ones found. Tries the chosen sites as a plan whenever they change.
    fn relax(
        &mut self,
        open: &[usize],
        free: &[usize],
        local: &[Vec<(u32, f64)>],
        served: &[f64],
        multipliers: &mut [f64],
        rounds: usize,
    ) -> Relaxed {
        let k = self.p - open.len();
        let n = served.len();
        let mut live = vec![false; n];
        for pairs in local {
            for &(i, _) in pairs {
                live[i as usize] = true;
            }
        }
        for i in 0..n {
            multipliers[i] = if live[i] {
                multipliers[i].clamp(0.0, served[i])
            } else {
                served[i]
            };
        }
        let mut best = Relaxed {
            bound: f64::NEG_INFINITY,
            terms: Vec::new(),
            chosen: Vec::new(),
            average: Vec::new(),
        };
        let mut average = vec![0.0; free.len()];
        let mut direction = vec![0.0; n];
        let mut best_multipliers = multipliers.to_vec();
        let mut terms = vec![0.0; free.len()];
        let mut count = vec![0u32; n];
        let mut tried: Vec<usize> = Vec::new();
        let mut theta = if open.is_empty() { 2.0 } else { 1.0 };
        let mut since_better = 0;
        for _ in 0..rounds {
            for (x, pairs) in local.iter().enumerate() {
                terms[x] = pairs
                    .iter()
                    .map(|&(i, c)| (c - multipliers[i as usize]).min(0.0))
                    .sum();
            }
            let chosen = smallest(&terms, k);
            average.iter_mut().for_each(|a| *a *= 1.0 - AVERAGING);
            for &x in &chosen {
                average[x] += AVERAGING;
            }
            let bound =
                multipliers.iter().sum::<f64>() + chosen.iter().map(|&x| terms[x]).sum::<f64>();
            if bound > best.bound {
                best = Relaxed {
                    bound,
                    terms: terms.clone(),
                    chosen: chosen.clone(),
                    average: Vec::new(),
                };
                best_multipliers.copy_from_slice(multipliers);
                since_better = 0;
            } else {
                since_better += 1;
                if since_better >= PATIENCE {
                    theta /= 2.0;
                    since_better = 0;
                }
            }
            if chosen != tried {
                let mut sites = open.to_vec();
                sites.extend(chosen.iter().map(|&x| free[x]));
                let cost = self.median.served(&sites).iter().sum();
                self.offer(&sites, cost);
                tried = chosen.clone();
            }
            let target = self.incumbent;
            if best.bound >= target - self.tolerance || theta < MIN_STEP {
                break;
            }
            count.iter_mut().for_each(|c| *c = 0);
            for &x in &chosen {
                for &(i, c) in &local[x] {
                    if c < multipliers[i as usize] {
                        count[i as usize] += 1;
                    }
                }
            }
            let mut norm = 0.0;
            for i in 0..n {
                let g = 1.0 - f64::from(count[i]);
                // The step follows the subgradient deflected towards the last direction
                // (Camerini, Fratta and Maffioli 1975), which zigzags less.
                let d = (1.0 - DEFLECTION) * g + DEFLECTION * direction[i];
                let blocked = !live[i]
                    || (d > 0.0 && multipliers[i] >= served[i])
                    || (d < 0.0 && multipliers[i] <= 0.0);
                direction[i] = if blocked { 0.0 } else { d };
                norm += direction[i] * direction[i];
            }
            if norm == 0.0 {
                break;
            }
            let step = theta * (target - bound).max(self.tolerance) / norm;
            for i in 0..n {
                if direction[i] != 0.0 {
                    multipliers[i] = (multipliers[i] + step * direction[i]).clamp(0.0, served[i]);
                }
            }
        }
        multipliers.copy_from_slice(&best_multipliers);
        best.average = average;
        best
    }
}

/// The free candidate to branch on (its position): the one the relaxation chose most
/// nearly half the time (the most fractional in the linear programming relaxation, ties
/// to the smaller term), or, when none is fractional, the most attractive.
fn branching(relaxed: &Relaxed) -> usize {
    let mut pick: Option<(f64, usize)> = None;
    for (x, &a) in relaxed.average.iter().enumerate() {
        let fraction = a.min(1.0 - a);
        let better = pick.is_none_or(|(f, y)| {
            fraction > f + 1e-12 || (fraction >= f - 1e-12 && relaxed.terms[x] < relaxed.terms[y])
        });
        if fraction > FRACTIONAL && better {
            pick = Some((fraction, x));
        }
    }
    pick.map_or(relaxed.chosen[0], |(_, x)| x)
}

#[cfg(test)]
mod tests;
