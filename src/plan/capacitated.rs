//! The capacitated model: every site has room for so many people (new sites the places
//! given, existing services their room), people are placed only at sites within the
//! catchment that have room, and the assignment for a set of open sites is exact (a
//! min-cost flow, [`super::flow`]). With the coverage objective the flow places as many
//! people as possible and, among such placements, minimises the total distance; with the
//! distance objective it minimises the total distance of everyone placed plus, for each
//! person not placed, the instance's unreached cost.
//!
//! **Only the nearest people matter.** At most C is ever placed, C being the existing room
//! plus the p largest candidates' places. In an optimal assignment, if someone is placed at
//! a site then everyone nearer to that site is placed somewhere (otherwise swapping them
//! keeps the number placed and lowers the cost), so that person has less than C of weight
//! strictly nearer. Each site therefore keeps arcs only to its nearest people in reach
//! until their weight reaches C, plus everyone tied at that distance: the optimum is the
//! same, and a site holds about C arcs instead of everyone in its catchment (tested against
//! the untruncated flow).
//!
//! **Search.** Greedy adds the site that improves the exact assignment most, lazily (CELF,
//! Leskovec et al. 2007): a candidate's last priced gain is kept as its estimate, and only
//! candidates whose estimate could beat the best fresh price are priced again, a few at a
//! time in parallel (a fixed batch, so the plan does not depend on the thread count). The
//! weight placed is submodular in the open set (it is the rank of a transversal matroid), so
//! for the number placed lazy evaluation loses nothing; the distance part is not
//! submodular, and there the lazy order is a heuristic. Pricing a candidate opens it on the
//! current optimal flow, which is kept and extended as sites open, reads the score and
//! rolls back. Interchange then swaps an open site for one of the most promising closed
//! candidates (most unplaced people within reach, up to their places) while any swap
//! improves, within [`MAX_SWAPS_PER_ROUND`] priced swaps a round.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::flow::{SiteLists, Transport, Units};
use super::instance::PlanInstance;
use super::Objective;

mod relaxation;

/// Candidates priced at each interchange position, at most.
const SHORTLIST: usize = 60;
/// Rounds of interchange, at most.
const MAX_ROUNDS: usize = 50;
/// Swaps priced in one round of interchange, at most (fewer candidates per position for
/// large p).
const MAX_SWAPS_PER_ROUND: usize = 1_000;
/// Candidates re-priced together in one lazy-greedy step.
const BATCH: usize = 8;

pub(crate) struct CapacitatedModel<'a> {
    pub instance: &'a PlanInstance,
    pub candidates: Vec<usize>,
    existing: Vec<usize>,
    /// Quantities are counted in units of 1 / scale.
    scale: f64,
    weight_units: Vec<i64>,
    capacity_units: Vec<i64>,
    /// For each site, its nearest people in reach (truncated as in the module docs).
    lists: SiteLists,
    unplaced_cost: i64,
}

/// The exact assignment for one set of open sites.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assignment {
    /// What the flow minimised (lower is better).
    pub score: i128,
    /// Weight placed, and the weighted cost of those placements.
    pub placed: f64,
    pub placed_cost: f64,
    /// (demand point, site, weight, cost) for every positive flow, by demand then site.
    pub flows: Vec<(usize, usize, f64, f64)>,
}

/// One prefix of the chosen sites: the slot added, and the score and units placed with it.
pub(crate) struct Step {
    pub slot: usize,
    pub score: i128,
    pub placed: f64,
}

impl<'a> CapacitatedModel<'a> {
    /// A model for any set of candidates (truncated at the room of them all).
    #[cfg(test)]
    pub(crate) fn new(instance: &'a PlanInstance, objective: Objective) -> Self {
        let all = instance.candidates().len();
        Self::for_plan(instance, objective, all)
    }

    /// A model for plans opening at most `p` candidates (no candidate arcs when `p` is 0).
    pub(crate) fn for_plan(instance: &'a PlanInstance, objective: Objective, p: usize) -> Self {
        let integral = |x: &f64| (x - x.round()).abs() < 1e-9;
        let scale = if instance.weights.iter().all(integral)
            && instance.sites.iter().all(|s| integral(&s.capacity))
        {
            1.0
        } else {
            100.0
        };
        let units = |x: f64| (x * scale).round() as i64;
        let weight_units: Vec<i64> = instance.weights.iter().map(|&w| units(w)).collect();
        let capacity_units: Vec<i64> = instance.sites.iter().map(|s| units(s.capacity)).collect();
        let candidates = instance.candidates();
        let existing: Vec<usize> = (0..instance.sites.len())
            .filter(|&j| instance.sites[j].existing)
            .collect();
        let limit = placeable_units(&capacity_units, &existing, &candidates, p);
        let lists: Vec<Vec<(i64, u32)>> = (0..instance.sites.len())
            .into_par_iter()
            .map(|j| {
                if capacity_units[j] <= 0 || (p == 0 && !instance.sites[j].existing) {
                    Vec::new()
                } else {
                    nearest_within(instance, j, &weight_units, limit)
                }
            })
            .collect();
        let unplaced_cost = match objective {
            // Above any change in total cost that placing one more person could bring.
            Objective::Coverage => (largest_in_reach(instance) + 1)
                .saturating_mul((instance.weights.len() + instance.sites.len() + 1) as i64),
            Objective::Distance => milli(instance.unreached_cost()),
        };
        CapacitatedModel {
            instance,
            candidates,
            existing,
            scale,
            weight_units,
            capacity_units,
            lists: SiteLists::from_lists(lists),
            unplaced_cost,
        }
    }

    fn units(&self) -> Units<'_> {
        Units {
            lists: &self.lists,
            weight: &self.weight_units,
            capacity: &self.capacity_units,
            unplaced_cost: self.unplaced_cost,
        }
    }

    /// The optimal flow with the existing sites and the candidate slots `open` opened.
    fn state(&self, open: &[usize]) -> Transport<'_> {
        let mut state = Transport::new(self.units());
        for &j in &self.existing {
            state.open_site(j);
        }
        for &slot in open {
            state.open_site(self.candidates[slot]);
        }
        state
    }

    /// The exact assignment with the candidate slots `open` opened.
    pub(crate) fn assign(&self, open: &[usize]) -> Assignment {
        self.assignment(&self.state(open))
    }

    fn assignment(&self, state: &Transport) -> Assignment {
        let mut flows = Vec::new();
        let mut placed_cost = 0.0;
        for (i, j, units, _) in state.flows() {
            let weight = units as f64 / self.scale;
            let (sites, costs) = self.instance.sites_of(i);
            let cost = sites.binary_search(&(j as u32)).map_or(0.0, |k| costs[k]);
            placed_cost += weight * cost;
            flows.push((i, j, weight, cost));
        }
        Assignment {
            score: state.score(),
            placed: state.placed() as f64 / self.scale,
            placed_cost,
            flows,
        }
    }

    /// The score in the instance's units: weight x cost (with unplaced weight at the
    /// unplaced cost), for the distance objective.
    pub(crate) fn score_value(&self, score: i128) -> f64 {
        self.score_value_of(score as f64)
    }

    fn score_value_of(&self, score: f64) -> f64 {
        score / (1000.0 * self.scale)
    }

    /// Slots that can change the assignment: some people in reach and some places.
    fn useful_slots(&self) -> Vec<usize> {
        (0..self.candidates.len())
            .filter(|&s| {
                let j = self.candidates[s];
                self.capacity_units[j] > 0 && !self.lists.row(j).0.is_empty()
            })
            .collect()
    }

    /// The score with each slot opened on top of `state`, in parallel (each price starts
    /// from the same state, so the answers do not depend on the thread count).
    fn price_many(&self, state: &Transport, slots: &[usize]) -> Vec<i128> {
        if slots.is_empty() {
            return Vec::new();
        }
        let chunk = slots
            .len()
            .div_ceil(2 * rayon::current_num_threads())
            .max(1);
        slots
            .par_chunks(chunk)
            .map(|chunk| {
                let mut own = state.clone();
                chunk
                    .iter()
                    .map(|&s| own.price(self.candidates[s]))
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
            .into_iter()
            .flatten()
            .collect()
    }

    /// Lazy greedy: `p` slots in the order chosen, each the one whose opening most lowers
    /// the exact assignment's score (ties to the lowest slot among those priced).
    pub(crate) fn greedy(&self, p: usize) -> Vec<usize> {
        let mut state = self.state(&[]);
        let mut open: Vec<usize> = Vec::with_capacity(p);
        let useful = self.useful_slots();
        let base = state.score();
        let mut heap: BinaryHeap<(i128, Reverse<usize>, usize)> = self
            .price_many(&state, &useful)
            .into_iter()
            .zip(&useful)
            .map(|(score, &slot)| (base - score, Reverse(slot), 0))
            .collect();
        for step in 0..p.min(self.candidates.len()) {
            let base = state.score();
            let chosen = loop {
                let Some(&(_, Reverse(slot), round)) = heap.peek() else {
                    break None;
                };
                if round == step {
                    heap.pop();
                    break Some(slot);
                }
                let mut batch = Vec::with_capacity(BATCH);
                while batch.len() < BATCH {
                    match heap.peek() {
                        Some(&(_, Reverse(slot), round)) if round != step => {
                            heap.pop();
                            batch.push(slot);
                        }
                        _ => break,
                    }
                }
                for (score, slot) in self.price_many(&state, &batch).into_iter().zip(batch) {
                    heap.push((base - score, Reverse(slot), step));
                }
            };
            let Some(slot) =
                chosen.or_else(|| (0..self.candidates.len()).find(|s| !open.contains(s)))
            else {
                break;
            };
            state.open_site(self.candidates[slot]);
            open.push(slot);
        }
        open
    }

    /// Slots worth trying in a swap: not open, ranked by what each could save on its own,
    /// at most `width` of them, ascending. A slot's estimate takes the people on its list,
    /// nearest first, up to its places, and adds for each unit the drop from what it costs
    /// now (the unplaced cost if unplaced, else its dearest placement) to the cost at the
    /// slot: unplaced people in reach count most, as placing them comes first, and once
    /// everyone is placed the ranking still says which slot would bring people nearest.
    fn shortlist(&self, state: &Transport, open: &[usize], width: usize) -> Vec<usize> {
        let unplaced = state.unplaced();
        let mut now = vec![0i64; unplaced.len()];
        for (i, _, units, cost) in state.flows() {
            if units > 0 {
                now[i] = now[i].max(cost);
            }
        }
        let estimate = |s: usize| -> i128 {
            let j = self.candidates[s];
            let (persons, costs) = self.lists.row(j);
            let mut order: Vec<usize> = (0..persons.len()).collect();
            order.sort_by_key(|&k| (costs[k], persons[k]));
            let mut room = self.capacity_units[j];
            let mut saving = 0i128;
            for k in order {
                if room <= 0 {
                    break;
                }
                let i = persons[k] as usize;
                let (units, from) = if unplaced[i] > 0 {
                    (unplaced[i], self.unplaced_cost)
                } else {
                    (self.weight_units[i], now[i])
                };
                let units = units.min(room);
                if from > costs[k] {
                    saving += i128::from(units) * i128::from(from - costs[k]);
                    room -= units;
                }
            }
            saving
        };
        let mut slots: Vec<(i128, usize)> = self
            .useful_slots()
            .into_iter()
            .filter(|s| !open.contains(s))
            .map(|s| (estimate(s), s))
            .collect();
        if slots.len() > width {
            slots.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            slots.truncate(width);
        }
        let mut slots: Vec<usize> = slots.into_iter().map(|(_, s)| s).collect();
        slots.sort_unstable();
        slots
    }

    /// Best-improvement interchange, each swap priced exactly: for each open site, the flow
    /// without it is built once and every shortlisted candidate priced on it.
    pub(crate) fn interchange(&self, mut open: Vec<usize>) -> Vec<usize> {
        let p = open.len();
        let width = SHORTLIST.min(MAX_SWAPS_PER_ROUND / p.max(1));
        if p == 0 || width == 0 {
            return open;
        }
        for _ in 0..MAX_ROUNDS {
            let state = self.state(&open);
            let current = state.score();
            let shortlist = self.shortlist(&state, &open, width);
            drop(state);
            let best_by_position: Vec<Option<(i128, usize)>> = (0..p)
                .into_par_iter()
                .map(|position| {
                    let others: Vec<usize> = open
                        .iter()
                        .enumerate()
                        .filter(|&(k, _)| k != position)
                        .map(|(_, &s)| s)
                        .collect();
                    let mut without = self.state(&others);
                    let mut best: Option<(i128, usize)> = None;
                    for &k in &shortlist {
                        let score = without.price(self.candidates[k]);
                        if best.is_none_or(|b| score < b.0) {
                            best = Some((score, k));
                        }
                    }
                    best
                })
                .collect();
            let mut best: Option<(i128, usize, usize)> = None;
            for (position, found) in best_by_position.into_iter().enumerate() {
                if let Some((score, k)) = found {
                    if score < current && best.is_none_or(|b| score < b.0) {
                        best = Some((score, position, k));
                    }
                }
            }
            match best {
                Some((_, position, k)) => open[position] = k,
                None => break,
            }
        }
        open
    }

    /// The open slots reordered greedily, each with the score and weight placed once it and
    /// those before it are open. For large p the order given (greedy's) is kept.
    pub(crate) fn ordered_gains(&self, open: &[usize]) -> Vec<Step> {
        let mut state = self.state(&[]);
        let mut out = Vec::with_capacity(open.len());
        if open.len() * open.len() > MAX_SWAPS_PER_ROUND {
            for &slot in open {
                state.open_site(self.candidates[slot]);
                out.push(self.step(&state, slot));
            }
            return out;
        }
        let mut left: Vec<usize> = open.to_vec();
        left.sort_unstable();
        while !left.is_empty() {
            let mut best: Option<(i128, usize)> = None;
            for (position, &slot) in left.iter().enumerate() {
                let score = state.price(self.candidates[slot]);
                if best.is_none_or(|b| score < b.0) {
                    best = Some((score, position));
                }
            }
            let Some((_, position)) = best else { break };
            let slot = left.remove(position);
            state.open_site(self.candidates[slot]);
            out.push(self.step(&state, slot));
        }
        out
    }

    fn step(&self, state: &Transport, slot: usize) -> Step {
        Step {
            slot,
            score: state.score(),
            placed: state.placed() as f64 / self.scale,
        }
    }

    /// Upper bound on the weight any `p` candidates could place: the existing room plus
    /// the `p` largest candidates' places, and no more than `coverable` (a bound on the
    /// weight within reach of the open sites, existing services included).
    pub(crate) fn placed_upper_bound(&self, p: usize, coverable: f64) -> f64 {
        let existing: f64 = self
            .existing
            .iter()
            .map(|&j| self.instance.sites[j].capacity)
            .sum();
        let capacities: Vec<f64> = self
            .candidates
            .iter()
            .map(|&j| self.instance.sites[j].capacity)
            .collect();
        let top: f64 = super::bound::largest(&capacities, p)
            .iter()
            .map(|&s| capacities[s])
            .sum();
        (existing + top).min(coverable)
    }
}

/// Weight placed with the existing services alone (no candidate opened).
pub(crate) fn placed_by_existing(instance: &PlanInstance, objective: Objective) -> f64 {
    CapacitatedModel::for_plan(instance, objective, 0)
        .assign(&[])
        .placed
}

/// The largest cost of a pair within reach, in thousandths (0 when there is none).
fn largest_in_reach(instance: &PlanInstance) -> i64 {
    milli(
        (0..instance.weights.len())
            .flat_map(|i| instance.sites_of(i).1.iter().copied())
            .filter(|&c| c <= instance.catchment)
            .fold(0.0f64, f64::max),
    )
}

/// Thousandths of a cost unit, as the flow counts costs.
fn milli(cost: f64) -> i64 {
    (cost * 1000.0).round() as i64
}

/// C in units: the existing room plus the `p` largest candidates' places.
fn placeable_units(capacity: &[i64], existing: &[usize], candidates: &[usize], p: usize) -> i64 {
    let mut sizes: Vec<i64> = candidates.iter().map(|&j| capacity[j].max(0)).collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let room: i64 = existing.iter().map(|&j| capacity[j].max(0)).sum();
    sizes
        .iter()
        .take(p)
        .fold(room, |total, &c| total.saturating_add(c))
}

/// The people in reach of site `j` that an optimal assignment could place there, nearest
/// first as (cost in thousandths, person): those with less than `limit` units of weight
/// strictly nearer to the site. People of no weight are left out.
fn nearest_within(
    instance: &PlanInstance,
    j: usize,
    weight_units: &[i64],
    limit: i64,
) -> Vec<(i64, u32)> {
    if limit <= 0 {
        return Vec::new();
    }
    let (demand, costs) = instance.demand_of(j);
    let mut entries: Vec<(i64, u32)> = demand
        .iter()
        .zip(costs)
        .filter(|&(&i, &c)| c <= instance.catchment && weight_units[i as usize] > 0)
        .map(|(&i, &c)| (milli(c), i))
        .collect();
    let k = usize::try_from(limit).unwrap_or(usize::MAX);
    if entries.len() > k {
        // Every weight is at least one unit, so the k nearest already weigh `limit`: only
        // they and those tied with the k-th can be kept.
        entries.select_nth_unstable(k - 1);
        let boundary = entries[k - 1].0;
        let mut rest = entries.split_off(k);
        rest.retain(|e| e.0 == boundary);
        entries.extend(rest);
    }
    entries.sort_unstable();
    let mut kept = 0;
    let mut nearer = 0i64;
    while kept < entries.len() && nearer < limit {
        let cost = entries[kept].0;
        while kept < entries.len() && entries[kept].0 == cost {
            nearer = nearer.saturating_add(weight_units[entries[kept].1 as usize]);
            kept += 1;
        }
    }
    entries.truncate(kept);
    entries.shrink_to_fit();
    entries
}

#[cfg(test)]
mod tests {
    use super::super::flow::Network;
    use super::super::{PairCost, Site};
    use super::*;
    use crate::rng::SplitMix64;

    /// People on a 10 km square with weights 1..=3 (or 0.5 steps when `fractional`),
    /// 2 existing services and 8 candidates with 0..=4 places; costs rounded to whole km so
    /// many are tied; catchment 5 km.
    fn instance(seed: u64, people: usize, fractional: bool) -> PlanInstance {
        let mut rng = SplitMix64::new(seed);
        let point = |rng: &mut SplitMix64| (10.0 * rng.unit(), 10.0 * rng.unit());
        let homes: Vec<(f64, f64)> = (0..people).map(|_| point(&mut rng)).collect();
        let places: Vec<(f64, f64)> = (0..10).map(|_| point(&mut rng)).collect();
        let weights = (0..people)
            .map(|_| {
                let w = 1.0 + rng.below(3) as f64;
                if fractional {
                    w / 2.0
                } else {
                    w
                }
            })
            .collect();
        let sites = (0..10)
            .map(|j| Site {
                id: format!("s{j}"),
                capacity: rng.below(5) as f64,
                existing: j < 2,
            })
            .collect();
        let mut pairs = Vec::new();
        for (i, a) in homes.iter().enumerate() {
            for (j, b) in places.iter().enumerate() {
                let km = ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt().round();
                pairs.push(PairCost {
                    demand: i as u32,
                    site: j as u32,
                    cost: km,
                });
            }
        }
        PlanInstance::new(weights, sites, 5.0, pairs).unwrap()
    }

    /// The score of the best assignment from scratch on every pair within reach (no
    /// truncation), with the general network: the independent twin.
    fn untruncated_score(model: &CapacitatedModel, open: &[usize]) -> i128 {
        let instance = model.instance;
        let n = instance.weights.len();
        let m = instance.sites.len();
        let is_open =
            |j: usize| instance.sites[j].existing || open.iter().any(|&s| model.candidates[s] == j);
        let (source, sink) = (n + m, n + m + 1);
        let mut network = Network::new(n + m + 2);
        for i in 0..n {
            network.add(source, i, model.weight_units[i], 0);
            let (sites, costs) = instance.sites_of(i);
            for (&j, &c) in sites.iter().zip(costs) {
                if c <= instance.catchment && is_open(j as usize) {
                    network.add(
                        i,
                        n + j as usize,
                        model.weight_units[i],
                        milli(c) - model.unplaced_cost,
                    );
                }
            }
        }
        for j in 0..m {
            if is_open(j) {
                network.add(n + j, sink, model.capacity_units[j], 0);
            }
        }
        let (_, cost) = network.min_cost_flow(source, sink);
        let everyone: i128 = model.weight_units.iter().map(|&w| i128::from(w)).sum();
        cost + everyone * i128::from(model.unplaced_cost)
    }

    #[test]
    fn truncated_incremental_flow_equals_the_untruncated_flow() {
        let mut truncated_somewhere = false;
        for seed in 0..60 {
            let instance = instance(seed, 14 + (seed % 5) as usize * 4, seed % 3 == 0);
            for objective in [Objective::Coverage, Objective::Distance] {
                for p in 1..=3 {
                    let model = CapacitatedModel::for_plan(&instance, objective, p);
                    let full = CapacitatedModel::new(&instance, objective);
                    truncated_somewhere |= model.lists.row(2).0.len() < full.lists.row(2).0.len();
                    let mut rng = SplitMix64::new(seed * 31 + p as u64);
                    for _ in 0..6 {
                        let mut open: Vec<usize> = Vec::new();
                        while open.len() < p {
                            let s = rng.below(model.candidates.len());
                            if !open.contains(&s) {
                                open.push(s);
                            }
                        }
                        let expected = untruncated_score(&model, &open);
                        let a = model.assign(&open);
                        assert_eq!(
                            a.score, expected,
                            "seed {seed}, {objective:?}, open {open:?}"
                        );
                        assert_eq!(full.assign(&open).score, expected);
                        let placed: f64 = a.flows.iter().map(|f| f.2).sum();
                        assert!((placed - a.placed).abs() < 1e-9);
                    }
                }
            }
        }
        assert!(truncated_somewhere, "the instances exercise the truncation");
    }

    #[test]
    fn pricing_rolls_back_and_opening_order_does_not_matter() {
        for seed in 0..40 {
            let instance = instance(seed, 24, seed % 2 == 0);
            let model = CapacitatedModel::for_plan(&instance, Objective::Distance, 3);
            let mut state = model.state(&[0]);
            let alone = state.score();
            let priced: Vec<i128> = (1..model.candidates.len())
                .map(|s| state.price(model.candidates[s]))
                .collect();
            assert_eq!(state.score(), alone, "seed {seed}: rolled back");
            for (k, &score) in priced.iter().enumerate() {
                assert_eq!(score, model.state(&[0, k + 1]).score(), "seed {seed}, {k}");
                assert_eq!(score, model.state(&[k + 1, 0]).score(), "seed {seed}, {k}");
            }
            state.open_site(model.candidates[3]);
            state.open_site(model.candidates[5]);
            assert_eq!(state.score(), untruncated_score(&model, &[0, 3, 5]));
        }
    }

    /// E (existing, 3 places) reaches point 0 (weight 5); candidate A (4 places) reaches
    /// points 0 and 1 (weight 2). With E alone 3 are placed; opening A places 4 more.
    #[test]
    fn before_counts_what_existing_services_place() {
        let sites = vec![
            Site {
                id: "E".into(),
                capacity: 3.0,
                existing: true,
            },
            Site {
                id: "A".into(),
                capacity: 4.0,
                existing: false,
            },
        ];
        let pairs = vec![
            PairCost {
                demand: 0,
                site: 0,
                cost: 1.0,
            },
            PairCost {
                demand: 0,
                site: 1,
                cost: 2.0,
            },
            PairCost {
                demand: 1,
                site: 1,
                cost: 3.0,
            },
        ];
        let instance = PlanInstance::new(vec![5.0, 2.0], sites, 5.0, pairs).unwrap();
        let plan = super::super::plan(
            &instance,
            &super::super::PlanSettings {
                capacitated: true,
                ..super::super::PlanSettings::default()
            },
        )
        .unwrap();
        assert_eq!(plan.before.placed, Some(3.0));
        assert_eq!(plan.after.placed, Some(7.0));
        assert_eq!(plan.chosen[0].gain, 4.0);
        assert_eq!(plan.chosen[0].users, 4.0);
    }

    /// The per-site figures, updated from each new site's pairs, equal full evaluations
    /// of each prefix of the chosen sites.
    #[test]
    fn per_site_figures_equal_full_evaluations() {
        for seed in 0..20 {
            let instance = instance(seed, 30, seed % 2 == 1);
            for capacitated in [false, true] {
                let plan = super::super::plan(
                    &instance,
                    &super::super::PlanSettings {
                        capacitated,
                        new_sites: 3,
                        ..super::super::PlanSettings::default()
                    },
                )
                .unwrap();
                let mut sites = Vec::new();
                let mut previous = super::super::evaluate(&instance, &sites);
                for chosen in &plan.chosen {
                    sites.push(chosen.site);
                    let now = super::super::evaluate(&instance, &sites);
                    assert_eq!(chosen.newly_in_reach, now.in_reach - previous.in_reach);
                    assert_eq!(chosen.cost_saved, previous.total_cost - now.total_cost);
                    previous = now;
                }
            }
        }
    }
}
