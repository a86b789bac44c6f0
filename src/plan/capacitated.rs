//! The capacitated model: every site has room for so many people (new sites the places
//! given, existing services their room), people are placed only at sites within the
//! catchment that have room, and the assignment for a set of open sites is exact (a
//! min-cost flow, [`super::flow`]). With the coverage objective the flow places as many
//! people as possible and, among such placements, minimises the total distance; with the
//! distance objective it minimises the total distance of everyone placed plus, for each
//! person not placed, the instance's unreached cost.
//!
//! Sites are chosen by greedy then interchange, each move priced by solving the flow
//! exactly. On large instances only a shortlist of candidates is priced at each step: those
//! with the most unplaced demand within reach, up to their places (an upper bound on what
//! each could add).

use super::flow::Network;
use super::instance::PlanInstance;
use super::Objective;

/// Candidates priced exactly at each step of the search, at most.
const SHORTLIST: usize = 60;
/// Rounds of interchange, at most.
const MAX_ROUNDS: usize = 50;
/// Swaps priced in one round of interchange, at most.
const MAX_SWAPS_PER_ROUND: usize = 1_000;

pub(crate) struct CapacitatedModel<'a> {
    pub instance: &'a PlanInstance,
    pub candidates: Vec<usize>,
    existing: Vec<usize>,
    /// Quantities are counted in units of 1 / scale.
    scale: f64,
    weight_units: Vec<i64>,
    capacity_units: Vec<i64>,
    /// For each demand point, (site, cost in thousandths) of the pairs within reach.
    reach: Vec<Vec<(u32, i64)>>,
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

impl<'a> CapacitatedModel<'a> {
    pub(crate) fn new(instance: &'a PlanInstance, objective: Objective) -> Self {
        let integral = |x: &f64| (x - x.round()).abs() < 1e-9;
        let scale = if instance.weights.iter().all(integral)
            && instance.sites.iter().all(|s| integral(&s.capacity))
        {
            1.0
        } else {
            100.0
        };
        let units = |x: f64| (x * scale).round() as i64;
        let to_milli = |c: f64| (c * 1000.0).round() as i64;
        let reach: Vec<Vec<(u32, i64)>> = (0..instance.weights.len())
            .map(|i| {
                let (sites, costs) = instance.sites_of(i);
                sites
                    .iter()
                    .zip(costs)
                    .filter(|(_, &c)| c <= instance.catchment)
                    .map(|(&j, &c)| (j, to_milli(c)))
                    .collect()
            })
            .collect();
        let largest = reach.iter().flatten().map(|p| p.1).max().unwrap_or(0);
        let unplaced_cost = match objective {
            // Above any change in total cost that placing one more person could bring.
            Objective::Coverage => (largest + 1)
                .saturating_mul((instance.weights.len() + instance.sites.len() + 1) as i64),
            Objective::Distance => to_milli(instance.unreached_cost()),
        };
        CapacitatedModel {
            instance,
            candidates: instance.candidates(),
            existing: (0..instance.sites.len())
                .filter(|&j| instance.sites[j].existing)
                .collect(),
            scale,
            weight_units: instance.weights.iter().map(|&w| units(w)).collect(),
            capacity_units: instance.sites.iter().map(|s| units(s.capacity)).collect(),
            reach,
            unplaced_cost,
        }
    }

    /// The exact assignment with the candidate slots `open` opened. The network holds only
    /// the demand points within reach of an open site and the open sites with room.
    pub(crate) fn assign(&self, open: &[usize]) -> Assignment {
        let mut is_open = vec![false; self.instance.sites.len()];
        for &j in &self.existing {
            is_open[j] = true;
        }
        for &slot in open {
            is_open[self.candidates[slot]] = true;
        }
        let demand = self.demand_near(&is_open);
        let open_sites: Vec<usize> = (0..is_open.len())
            .filter(|&j| is_open[j] && self.capacity_units[j] > 0)
            .collect();
        let mut site_node = vec![usize::MAX; is_open.len()];
        for (k, &j) in open_sites.iter().enumerate() {
            site_node[j] = demand.len() + k;
        }
        let nodes = demand.len() + open_sites.len();
        let (source, sink) = (nodes, nodes + 1);
        let mut network = Network::new(nodes + 2);
        let mut pair_arcs = Vec::new();
        for (node, &i) in demand.iter().enumerate() {
            if self.weight_units[i] == 0 {
                continue;
            }
            network.add(source, node, self.weight_units[i], 0);
            for &(j, cost) in &self.reach[i] {
                let to = site_node[j as usize];
                if to != usize::MAX {
                    let arc =
                        network.add(node, to, self.weight_units[i], cost - self.unplaced_cost);
                    pair_arcs.push((arc, i, j as usize, cost));
                }
            }
        }
        for &j in &open_sites {
            network.add(site_node[j], sink, self.capacity_units[j], 0);
        }
        let (_, cost) = network.min_cost_flow(source, sink);
        let everyone: i128 = self.weight_units.iter().map(|&w| i128::from(w)).sum();
        let score = cost + everyone * i128::from(self.unplaced_cost);
        let mut flows = Vec::new();
        let (mut placed, mut placed_cost) = (0.0, 0.0);
        for (arc, i, j, _) in pair_arcs {
            let units = network.flow(arc);
            if units > 0 {
                let weight = units as f64 / self.scale;
                let (sites, costs) = self.instance.sites_of(i);
                let cost = sites.binary_search(&(j as u32)).map_or(0.0, |k| costs[k]);
                placed += weight;
                placed_cost += weight * cost;
                flows.push((i, j, weight, cost));
            }
        }
        Assignment {
            score,
            placed,
            placed_cost,
            flows,
        }
    }

    /// Demand points within reach of an open site, ascending.
    fn demand_near(&self, is_open: &[bool]) -> Vec<usize> {
        let mut near = vec![false; self.weight_units.len()];
        for (j, &open) in is_open.iter().enumerate() {
            if open {
                let (demand, costs) = self.instance.demand_of(j);
                for (&i, &c) in demand.iter().zip(costs) {
                    if c <= self.instance.catchment {
                        near[i as usize] = true;
                    }
                }
            }
        }
        (0..near.len()).filter(|&i| near[i]).collect()
    }

    /// The score in the instance's units: weight x cost (with unplaced weight at the
    /// unplaced cost), for the distance objective.
    pub(crate) fn score_value(&self, a: &Assignment) -> f64 {
        a.score as f64 / (1000.0 * self.scale)
    }

    /// Slots worth pricing now: those with demand in reach, ranked by the unplaced weight
    /// in reach up to their places, at most [`SHORTLIST`] of them (all when few).
    fn shortlist(&self, current: &Assignment, exclude: &[usize]) -> Vec<usize> {
        let mut unplaced = self.instance.weights.clone();
        for &(i, _, w, _) in &current.flows {
            unplaced[i] -= w;
        }
        let mut reach_weight = vec![0.0; self.instance.sites.len()];
        for (i, pairs) in self.reach.iter().enumerate() {
            for &(j, _) in pairs {
                reach_weight[j as usize] += unplaced[i].max(0.0);
            }
        }
        let mut any_reach = vec![false; self.instance.sites.len()];
        for &(j, _) in self.reach.iter().flatten() {
            any_reach[j as usize] = true;
        }
        let mut slots: Vec<usize> = (0..self.candidates.len())
            .filter(|s| !exclude.contains(s) && any_reach[self.candidates[*s]])
            .collect();
        if slots.len() > SHORTLIST {
            let estimate = |s: usize| {
                let j = self.candidates[s];
                reach_weight[j].min(self.instance.sites[j].capacity)
            };
            slots.sort_by(|&a, &b| estimate(b).total_cmp(&estimate(a)).then(a.cmp(&b)));
            slots.truncate(SHORTLIST);
            slots.sort_unstable();
        }
        slots
    }

    /// Greedy: `p` slots in the order chosen, each the one whose opening gives the best
    /// exact assignment (ties to the lowest slot).
    pub(crate) fn greedy(&self, p: usize) -> Vec<usize> {
        let mut open: Vec<usize> = Vec::with_capacity(p);
        let mut current = self.assign(&open);
        for _ in 0..p.min(self.candidates.len()) {
            let mut best: Option<(i128, usize, Assignment)> = None;
            for k in self.shortlist(&current, &open) {
                open.push(k);
                let a = self.assign(&open);
                open.pop();
                if best.as_ref().is_none_or(|b| a.score < b.0) {
                    best = Some((a.score, k, a));
                }
            }
            let Some((_, k, a)) = best.or_else(|| self.any_closed(&open)) else {
                break;
            };
            open.push(k);
            current = a;
        }
        open
    }

    /// The lowest closed slot, for when no candidate reaches any demand.
    fn any_closed(&self, open: &[usize]) -> Option<(i128, usize, Assignment)> {
        let k = (0..self.candidates.len()).find(|s| !open.contains(s))?;
        let mut with = open.to_vec();
        with.push(k);
        let a = self.assign(&with);
        Some((a.score, k, a))
    }

    /// Best-improvement interchange, each swap priced exactly. Skipped when a round would
    /// price more than [`MAX_SWAPS_PER_ROUND`] swaps (large p): the greedy plan stands.
    pub(crate) fn interchange(&self, mut open: Vec<usize>) -> Vec<usize> {
        for _ in 0..MAX_ROUNDS {
            let current = self.assign(&open);
            let mut best: Option<(i128, usize, usize)> = None;
            let shortlist = self.shortlist(&current, &open);
            if open.len() * shortlist.len() > MAX_SWAPS_PER_ROUND {
                break;
            }
            for position in 0..open.len() {
                let out = open[position];
                for &k in &shortlist {
                    open[position] = k;
                    let score = self.assign(&open).score;
                    if score < current.score && best.is_none_or(|b| score < b.0) {
                        best = Some((score, position, k));
                    }
                }
                open[position] = out;
            }
            match best {
                Some((_, position, k)) => open[position] = k,
                None => break,
            }
        }
        open
    }

    /// The open slots reordered greedily with each one's gain in placed weight and in
    /// weighted cost saved, over the sites before it.
    pub(crate) fn ordered_gains(&self, open: &[usize]) -> Vec<(usize, Assignment)> {
        if open.len() * open.len() > MAX_SWAPS_PER_ROUND {
            // Too many to reorder: keep the order given (greedy's, for large p).
            return (1..=open.len())
                .map(|k| (open[k - 1], self.assign(&open[..k])))
                .collect();
        }
        let mut left: Vec<usize> = open.to_vec();
        left.sort_unstable();
        let mut chosen: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        while !left.is_empty() {
            let mut best: Option<(usize, Assignment)> = None;
            for (position, &k) in left.iter().enumerate() {
                chosen.push(k);
                let a = self.assign(&chosen);
                chosen.pop();
                if best.as_ref().is_none_or(|b| a.score < b.1.score) {
                    best = Some((position, a));
                }
            }
            let Some((position, a)) = best else { break };
            let slot = left.remove(position);
            chosen.push(slot);
            out.push((slot, a));
        }
        out
    }

    /// Upper bound on the weight any `p` candidates could place: the existing room plus
    /// the `p` largest candidates' places, and no more than `coverable` (the uncapacitated
    /// coverage bound, existing services included).
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
