//! Plan: where new capacity would close most of a gap. Given demand points (people, or
//! small areas weighted by people), existing services (always open) and candidate sites,
//! choose p candidates to open:
//!
//! - **coverage** (MCLP): most demand weight within the catchment of an open site;
//! - **distance** (p-median): least total weighted cost to the nearest open site, the
//!   transport cost proxy;
//! - **capacitated**, either objective: sites have places, people are placed only where
//!   there is room within the catchment, and the assignment for a set of sites is exact (a
//!   min-cost flow). Expansion of existing services is the same model with one candidate
//!   per service, at its location, holding the extra places.
//!
//! Each model is solved by greedy then interchange (swap) local search, and every plan
//! carries a bound on the best possible value from Lagrangian relaxation ([`bound`]): an
//! upper bound on coverage, a lower bound on distance, so a plan can say "covers 41,212 of
//! at most 41,250". The uncapacitated models also start interchange from the best plan the
//! relaxation proposed (a Lagrangian heuristic), and [`exact`] finds their proven optimum
//! by branch and bound (the benchmark's measure of how close plans come). A brute-force
//! twin over every p-subset checks small instances in the tests.
//!
//! Costs enter as one number per demand-site pair ([`PairCost`]), so great-circle km from
//! the access engine ([`pairs`]), road times or a supplied matrix all plug in the same way.
//! This module does not read files beyond the standalone command's CSVs ([`io`]), and does
//! no disclosure control: callers publish counts through the run's disclosure step.

pub mod bench;
mod bound;
mod capacitated;
mod coverage;
mod distance;
pub mod exact;
mod flow;
mod in_report;
mod instance;
pub mod io;
pub mod pairs;
pub mod points;
pub mod run;
mod run_measure;
mod run_outputs;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use capacitated::Assignment;
pub use in_report::{refresh_run_report, ReportUpdate};
pub use instance::{PairCost, PlanInstance, Site};

use capacitated::CapacitatedModel;
use coverage::CoverageModel;
use distance::DistanceModel;

/// The exact capacitated assignment with no candidate opened: as many people (weight) as
/// the existing sites' capacities allow placed within the catchment, and of such
/// placements the one with the least total cost. Used to re-place a leaving provider's
/// users ([`crate::analyse::exit`]).
pub fn assign_existing(instance: &PlanInstance) -> Assignment {
    CapacitatedModel::for_plan(instance, Objective::Coverage, 0).assign(&[])
}

/// What a plan optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Most demand weight within the catchment (capacitated: most people placed).
    Coverage,
    /// Least total weighted cost to the nearest open site (capacitated: of everyone
    /// placed, people not placed counted at the unreached cost).
    Distance,
}

impl Objective {
    pub fn name(self) -> &'static str {
        match self {
            Objective::Coverage => "coverage",
            Objective::Distance => "distance",
        }
    }
}

/// How to plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanSettings {
    pub objective: Objective,
    /// p: candidates to open.
    pub new_sites: usize,
    /// Respect site capacities (exact assignment by min-cost flow).
    pub capacitated: bool,
    /// Improve the greedy plan by interchange.
    pub local_search: bool,
    /// When the bound does not prove the plan optimal and there are at most 20,000 ways to
    /// choose, try them all.
    pub exact_when_small: bool,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            objective: Objective::Coverage,
            new_sites: 1,
            capacitated: false,
            local_search: true,
            exact_when_small: true,
        }
    }
}

/// Everything that can stop a plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("plan setting {setting} = {value}: expected {expected}")]
    Setting {
        setting: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{what} {index} ({id}): {value} is not {expected}")]
    Value {
        what: &'static str,
        index: usize,
        id: String,
        value: String,
        expected: &'static str,
    },
    #[error("demand point {demand} is joined to site {site:?} more than once")]
    DuplicatePair { demand: usize, site: String },
    #[error(transparent)]
    Access(#[from] crate::access::AccessError),
    #[error("{file}: {message}")]
    Input { file: String, message: String },
}

/// One chosen site, in the order chosen (each the one adding most to those before it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChosenSite {
    /// Index into the instance's sites.
    pub site: usize,
    /// Gain in the objective over the sites before it: weight newly covered, weighted
    /// cost saved, or (capacitated) weight newly placed.
    pub gain: f64,
    /// Demand weight newly within the catchment of an open site.
    pub newly_in_reach: f64,
    /// Weighted cost saved (total over demand of the drop in cost to the nearest open
    /// site).
    pub cost_saved: f64,
    /// Weight using this site in the final plan: placed there (capacitated) or nearest to
    /// it among open sites within reach (uncapacitated).
    pub users: f64,
}

/// The state of demand with some set of sites open.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// Demand weight within the catchment of an open site.
    pub in_reach: f64,
    /// Sum of weight x cost to the nearest open site (unreached points at the unreached
    /// cost).
    pub total_cost: f64,
    /// Weight placed (capacitated plans only).
    pub placed: Option<f64>,
    /// For each demand point, its nearest open site and the cost (`None` if joined to none).
    pub nearest: Vec<Option<(usize, f64)>>,
}

/// A plan and how good it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub objective: Objective,
    pub capacitated: bool,
    pub chosen: Vec<ChosenSite>,
    /// Covered weight, total weighted cost, or (capacitated coverage) weight placed.
    pub value: f64,
    /// The greedy plan's value, before interchange.
    pub greedy_value: f64,
    /// Upper bound (coverage) or lower bound (distance) on the best possible value.
    pub bound: f64,
    pub before: Outcome,
    pub after: Outcome,
    /// The exact assignment after the plan (capacitated plans only).
    pub assignment: Option<Assignment>,
}

impl Plan {
    /// How far the plan could be from the best possible, as a share: 0 means proven optimal.
    pub fn gap(&self) -> f64 {
        let (low, high) = match self.objective {
            Objective::Coverage => (self.value, self.bound),
            Objective::Distance if self.capacitated => (self.bound, self.value),
            Objective::Distance => (self.bound, self.value),
        };
        if high <= 0.0 {
            0.0
        } else {
            ((high - low) / high).max(0.0)
        }
    }

    /// One sentence for the terminal and the report.
    pub fn summary(&self, unit: &str) -> String {
        let gap = 100.0 * self.gap();
        match (self.objective, self.capacitated) {
            (Objective::Coverage, false) => format!(
                "covers {} of at most {} {unit} within the catchment: within {gap:.2}% of the best possible",
                figure(self.value),
                figure(self.bound)
            ),
            (Objective::Coverage, true) => format!(
                "places {} of at most {} {unit}: within {gap:.2}% of the best possible",
                figure(self.value),
                figure(self.bound)
            ),
            (Objective::Distance, _) => format!(
                "total weighted distance {} (at least {} for any plan): within {gap:.2}% of the best possible",
                figure(self.value),
                figure(self.bound)
            ),
        }
    }
}

fn figure(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// Plans `settings.new_sites` new sites.
pub fn plan(instance: &PlanInstance, settings: &PlanSettings) -> Result<Plan, PlanError> {
    let candidates = instance.candidates();
    if settings.new_sites == 0 || settings.new_sites > candidates.len() {
        return Err(PlanError::Setting {
            setting: "new sites",
            value: settings.new_sites.to_string(),
            expected: "at least 1 and no more than the candidates",
        });
    }
    let before = evaluate(instance, &[]);
    let (open, greedy_value, value, bound, assignment) = match settings {
        PlanSettings {
            capacitated: true, ..
        } => solve_capacitated(instance, settings),
        PlanSettings {
            objective: Objective::Coverage,
            ..
        } => solve_uncapacitated(&CoverageModel::new(instance), settings, &candidates),
        PlanSettings {
            objective: Objective::Distance,
            ..
        } => solve_uncapacitated(&DistanceModel::new(instance), settings, &candidates),
    };
    let sites: Vec<usize> = open.iter().map(|&(site, _)| site).collect();
    let after = evaluate(instance, &sites);
    let chosen = describe(instance, &open, &before, &after, assignment.as_ref());
    Ok(Plan {
        objective: settings.objective,
        capacitated: settings.capacitated,
        chosen,
        value,
        greedy_value,
        bound,
        before: Outcome {
            placed: assignment
                .as_ref()
                .map(|_| capacitated::placed_by_existing(instance, settings.objective)),
            ..before
        },
        after: Outcome {
            placed: assignment.as_ref().map(|a| a.placed),
            ..after
        },
        assignment,
    })
}

/// The plan with the sites `sites` (candidate site indices, such as the exact search's
/// better choice) in place of `plan`'s: in the order of their gains, with their figures, the
/// same greedy value, and `bound` as the best possible. Plans without capacities only
/// (`None` otherwise, or when a site is not a candidate).
pub fn adopt(instance: &PlanInstance, plan: &Plan, sites: &[usize], bound: f64) -> Option<Plan> {
    if plan.capacitated {
        return None;
    }
    let candidates = instance.candidates();
    let slots: Option<Vec<usize>> = sites
        .iter()
        .map(|site| candidates.binary_search(site).ok())
        .collect();
    let slots = slots?;
    let (value, order) = match plan.objective {
        Objective::Coverage => {
            let model = CoverageModel::new(instance);
            (model.value(&slots), model.ordered_gains(&slots))
        }
        Objective::Distance => {
            let model = DistanceModel::new(instance);
            (model.value(&slots), model.ordered_gains(&slots))
        }
    };
    let open = slots_to_sites(&candidates, &order);
    let chosen_sites: Vec<usize> = open.iter().map(|&(site, _)| site).collect();
    let after = evaluate(instance, &chosen_sites);
    let chosen = describe(instance, &open, &plan.before, &after, None);
    let bound = match plan.objective {
        Objective::Coverage => bound.max(value),
        Objective::Distance => bound.min(value),
    };
    Some(Plan {
        chosen,
        value,
        bound,
        after,
        assignment: None,
        ..plan.clone()
    })
}

type Solved = (Vec<(usize, f64)>, f64, f64, f64, Option<Assignment>);

/// The coverage and distance models, which are solved the same way.
trait Uncapacitated {
    /// +1 when a larger value is better (coverage), -1 when a smaller one is (distance).
    const SENSE: f64;
    fn slots(&self) -> usize;
    fn greedy(&self, p: usize) -> Vec<usize>;
    fn value(&self, open: &[usize]) -> f64;
    fn interchange(&self, open: Vec<usize>) -> Vec<usize>;
    /// The Lagrangian bound and the relaxation's best choice, given a plan `open`.
    fn relax(&self, p: usize, open: &[usize]) -> bound::Relaxation;
    fn ordered_gains(&self, open: &[usize]) -> Vec<(usize, f64)>;
}

impl Uncapacitated for CoverageModel<'_> {
    const SENSE: f64 = 1.0;
    fn slots(&self) -> usize {
        self.candidates.len()
    }
    fn greedy(&self, p: usize) -> Vec<usize> {
        CoverageModel::greedy(self, p)
    }
    fn value(&self, open: &[usize]) -> f64 {
        CoverageModel::value(self, open)
    }
    fn interchange(&self, open: Vec<usize>) -> Vec<usize> {
        CoverageModel::interchange(self, open)
    }
    fn relax(&self, p: usize, open: &[usize]) -> bound::Relaxation {
        bound::coverage_relaxation(self, p, CoverageModel::value(self, open))
    }
    fn ordered_gains(&self, open: &[usize]) -> Vec<(usize, f64)> {
        CoverageModel::ordered_gains(self, open)
    }
}

impl Uncapacitated for DistanceModel<'_> {
    const SENSE: f64 = -1.0;
    fn slots(&self) -> usize {
        self.candidates.len()
    }
    fn greedy(&self, p: usize) -> Vec<usize> {
        DistanceModel::greedy(self, p)
    }
    fn value(&self, open: &[usize]) -> f64 {
        DistanceModel::value(self, open)
    }
    fn interchange(&self, open: Vec<usize>) -> Vec<usize> {
        DistanceModel::interchange(self, open)
    }
    fn relax(&self, p: usize, open: &[usize]) -> bound::Relaxation {
        let found = DistanceModel::value(self, open);
        bound::distance_relaxation(self, p, found, &self.costs(open))
    }
    fn ordered_gains(&self, open: &[usize]) -> Vec<(usize, f64)> {
        DistanceModel::ordered_gains(self, open)
    }
}

/// Greedy, interchange, the bound and the relaxation's plan as a second start, then every
/// choice when the bound leaves doubt and they are few.
fn solve_uncapacitated<M: Uncapacitated>(
    model: &M,
    settings: &PlanSettings,
    candidates: &[usize],
) -> Solved {
    let p = settings.new_sites;
    // Lower is better.
    let cost = |open: &[usize]| -M::SENSE * model.value(open);
    let greedy = model.greedy(p);
    let greedy_value = model.value(&greedy);
    let open = improve(settings, greedy, |g| model.interchange(g));
    let relaxed = model.relax(p, &open);
    let open = second_start(settings, open, relaxed.plan, |o| model.interchange(o), cost);
    let open = settle(
        settings,
        model.slots(),
        open,
        -M::SENSE * relaxed.bound,
        cost,
    );
    let value = model.value(&open);
    let bound = if M::SENSE > 0.0 {
        relaxed.bound.max(value)
    } else {
        relaxed.bound.min(value)
    };
    let order = model.ordered_gains(&open);
    (
        slots_to_sites(candidates, &order),
        greedy_value,
        value,
        bound,
        None,
    )
}

fn solve_capacitated(instance: &PlanInstance, settings: &PlanSettings) -> Solved {
    let p = settings.new_sites;
    let model = CapacitatedModel::for_plan(instance, settings.objective, p);
    let value_of = |score: i128, placed: f64| match settings.objective {
        Objective::Coverage => placed,
        Objective::Distance => model.score_value(score),
    };
    let before = model.assign(&[]);
    let greedy = model.greedy(p);
    let greedy_assignment = model.assign(&greedy);
    let greedy_value = value_of(greedy_assignment.score, greedy_assignment.placed);
    let open = improve(settings, greedy, |g| model.interchange(g));
    let ordered = model.ordered_gains(&open);
    let final_assignment = model.assign(&open);
    let value = value_of(final_assignment.score, final_assignment.placed);
    let bound = match settings.objective {
        Objective::Coverage => capacitated_coverage_bound(instance, &model, p, value),
        Objective::Distance => model
            .distance_lower_bound(p, final_assignment.score)
            .min(value),
    };
    let mut previous = value_of(before.score, before.placed);
    let order = ordered
        .into_iter()
        .map(|step| {
            let now = value_of(step.score, step.placed);
            let gain = match settings.objective {
                Objective::Coverage => now - previous,
                Objective::Distance => previous - now,
            };
            previous = now;
            (model.candidates[step.slot], gain)
        })
        .collect();
    (order, greedy_value, value, bound, Some(final_assignment))
}

/// The most any `p` candidates could place: the existing room plus the `p` largest places,
/// and no more than the weight within reach of any site; only when the plan falls short of
/// both is the (costlier) uncapacitated coverage bound computed for the second.
fn capacitated_coverage_bound(
    instance: &PlanInstance,
    model: &CapacitatedModel,
    p: usize,
    value: f64,
) -> f64 {
    let attained = |bound: f64| value >= bound - 1e-9 * bound.abs().max(1.0);
    let reachable: f64 = (0..instance.weights.len())
        .filter(|&i| {
            instance
                .sites_of(i)
                .1
                .iter()
                .any(|&c| c <= instance.catchment)
        })
        .map(|i| instance.weights[i])
        .sum();
    let cheap = model.placed_upper_bound(p, reachable);
    if attained(cheap) {
        return cheap.max(value);
    }
    let uncapacitated = CoverageModel::new(instance);
    let coverable = bound::coverage_upper_bound(
        &uncapacitated,
        p,
        uncapacitated.value(&uncapacitated.greedy(p)),
    );
    model.placed_upper_bound(p, coverable).max(value)
}

fn improve(
    settings: &PlanSettings,
    greedy: Vec<usize>,
    interchange: impl FnOnce(Vec<usize>) -> Vec<usize>,
) -> Vec<usize> {
    if settings.local_search {
        interchange(greedy)
    } else {
        greedy
    }
}

/// With local search, also improves the best plan the relaxation chose (a Lagrangian
/// heuristic start) by interchange and keeps it when it costs less (`cost` is minimised;
/// ties keep the first plan).
fn second_start(
    settings: &PlanSettings,
    open: Vec<usize>,
    relaxed: Vec<usize>,
    interchange: impl FnOnce(Vec<usize>) -> Vec<usize>,
    cost: impl Fn(&[usize]) -> f64,
) -> Vec<usize> {
    let mut first = open.clone();
    first.sort_unstable();
    if !settings.local_search || relaxed.is_empty() || relaxed == first {
        return open;
    }
    let other = interchange(relaxed);
    let (a, b) = (cost(&open), cost(&other));
    if b < a - 1e-9 * a.abs().max(1.0) {
        other
    } else {
        open
    }
}

/// Choices of p sites few enough to try them all.
const EXHAUSTIVE_LIMIT: u64 = 20_000;

/// When the local search's plan is not proven optimal by its bound and there are at most
/// [`EXHAUSTIVE_LIMIT`] ways to choose, tries every one and keeps the best (`cost` is
/// minimised; ties keep the earlier plan). `target` is the best cost the bound allows.
fn settle(
    settings: &PlanSettings,
    candidates: usize,
    open: Vec<usize>,
    target: f64,
    cost: impl Fn(&[usize]) -> f64,
) -> Vec<usize> {
    let mut best_cost = cost(&open);
    if !settings.exact_when_small || best_cost <= target + 1e-9 * target.abs().max(1.0) {
        return open;
    }
    if choose(candidates, open.len()) > EXHAUSTIVE_LIMIT {
        return open;
    }
    let mut best = open;
    let mut subset: Vec<usize> = (0..best.len()).collect();
    loop {
        let c = cost(&subset);
        if c < best_cost - 1e-9 * best_cost.abs().max(1.0) {
            best_cost = c;
            best = subset.clone();
        }
        if !next_subset(&mut subset, candidates) {
            return best;
        }
    }
}

/// Advances `subset` (ascending indices below `n`) to the next in lexicographic order.
fn next_subset(subset: &mut [usize], n: usize) -> bool {
    let p = subset.len();
    for k in (0..p).rev() {
        if subset[k] < n - p + k {
            subset[k] += 1;
            for l in k + 1..p {
                subset[l] = subset[l - 1] + 1;
            }
            return true;
        }
    }
    false
}

/// n choose k, saturating.
fn choose(n: usize, k: usize) -> u64 {
    let mut c: u64 = 1;
    for i in 0..k.min(n) {
        c = c.saturating_mul((n - i) as u64) / (i as u64 + 1);
    }
    c
}

fn slots_to_sites(candidates: &[usize], order: &[(usize, f64)]) -> Vec<(usize, f64)> {
    order
        .iter()
        .map(|&(slot, gain)| (candidates[slot], gain))
        .collect()
}

/// Per-site figures for the chosen sites in order. The nearest open site of each demand
/// point is updated from each new site's pairs only, and the totals summed in demand order
/// as [`evaluate`] sums them.
fn describe(
    instance: &PlanInstance,
    open: &[(usize, f64)],
    before: &Outcome,
    after: &Outcome,
    assignment: Option<&Assignment>,
) -> Vec<ChosenSite> {
    let unreached = instance.unreached_cost();
    let mut nearest: Vec<f64> = before
        .nearest
        .iter()
        .map(|n| n.map_or(f64::INFINITY, |(_, c)| c))
        .collect();
    let (mut in_reach, mut total_cost) = (before.in_reach, before.total_cost);
    open.iter()
        .map(|&(site, gain)| {
            let (demand, costs) = instance.demand_of(site);
            for (&i, &c) in demand.iter().zip(costs) {
                let i = i as usize;
                nearest[i] = nearest[i].min(c);
            }
            let (mut now_in_reach, mut now_cost) = (0.0, 0.0);
            for (&w, &c) in instance.weights.iter().zip(&nearest) {
                if c <= instance.catchment {
                    now_in_reach += w;
                }
                now_cost += w * if c.is_finite() { c } else { unreached };
            }
            let users = match assignment {
                Some(a) => a.flows.iter().filter(|f| f.1 == site).map(|f| f.2).sum(),
                None => after
                    .nearest
                    .iter()
                    .zip(&instance.weights)
                    .filter(|(n, _)| n.is_some_and(|(s, c)| s == site && c <= instance.catchment))
                    .map(|(_, w)| w)
                    .sum(),
            };
            let chosen = ChosenSite {
                site,
                gain,
                newly_in_reach: now_in_reach - in_reach,
                cost_saved: total_cost - now_cost,
                users,
            };
            (in_reach, total_cost) = (now_in_reach, now_cost);
            chosen
        })
        .collect()
}

/// The state of demand with the existing sites and `open` (site indices) open.
pub fn evaluate(instance: &PlanInstance, open: &[usize]) -> Outcome {
    let mut is_open: Vec<bool> = instance.sites.iter().map(|s| s.existing).collect();
    for &j in open {
        is_open[j] = true;
    }
    let unreached = instance.unreached_cost();
    let mut outcome = Outcome {
        in_reach: 0.0,
        total_cost: 0.0,
        placed: None,
        nearest: Vec::with_capacity(instance.weights.len()),
    };
    for (i, &w) in instance.weights.iter().enumerate() {
        let (sites, costs) = instance.sites_of(i);
        let mut best: Option<(usize, f64)> = None;
        for (&j, &c) in sites.iter().zip(costs) {
            if is_open[j as usize] && best.is_none_or(|b| c < b.1) {
                best = Some((j as usize, c));
            }
        }
        if best.is_some_and(|b| b.1 <= instance.catchment) {
            outcome.in_reach += w;
        }
        outcome.total_cost += w * best.map_or(unreached, |b| b.1);
        outcome.nearest.push(best);
    }
    outcome
}
