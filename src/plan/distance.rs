//! The distance model (p-median, Hakimi 1964; ReVelle and Swain 1970): open p candidates to
//! minimise the total weighted cost from each demand point to its nearest open site,
//! existing services included: the transport cost proxy (the council pays transport to the
//! nearest suitable service). A demand point joined to no open site is charged
//! [`PlanInstance::unreached_cost`].
//!
//! Greedy adds the candidate that saves the most (ties to the lowest index). Interchange
//! (Teitz and Bart 1968) keeps, for every demand point, its nearest and second-nearest open
//! site; removing an open site j sends the points it served to their second nearest, and
//! one pass over every candidate's pairs prices adding each closed one, so a full round of
//! swaps costs p passes over the pairs.

use super::instance::PlanInstance;

/// No site: the demand point's cost is its base cost (existing service or unreached).
const BASE: u32 = u32::MAX;

pub(crate) struct DistanceModel<'a> {
    pub instance: &'a PlanInstance,
    /// Cost of each demand point with no candidate open: nearest existing site, or the
    /// unreached cost.
    pub base: Vec<f64>,
    pub candidates: Vec<usize>,
    /// For each candidate slot, (demand point, cost), ascending by demand.
    pub pairs: Vec<(Vec<u32>, Vec<f64>)>,
}

/// Nearest and second-nearest open choice of every demand point.
struct Nearest {
    first: Vec<f64>,
    first_slot: Vec<u32>,
    second: Vec<f64>,
}

impl<'a> DistanceModel<'a> {
    pub(crate) fn new(instance: &'a PlanInstance) -> Self {
        let unreached = instance.unreached_cost();
        let base = instance
            .baseline()
            .into_iter()
            .map(|b| b.min(unreached))
            .collect();
        let candidates = instance.candidates();
        let pairs = candidates
            .iter()
            .map(|&site| {
                let (demand, costs) = instance.demand_of(site);
                (demand.to_vec(), costs.to_vec())
            })
            .collect();
        DistanceModel {
            instance,
            base,
            candidates,
            pairs,
        }
    }

    fn weights(&self) -> &[f64] {
        &self.instance.weights
    }

    /// Each demand point's cost with the slots `open` opened.
    pub(crate) fn costs(&self, open: &[usize]) -> Vec<f64> {
        let mut d = self.base.clone();
        for &slot in open {
            let (demand, costs) = &self.pairs[slot];
            for (&i, &c) in demand.iter().zip(costs) {
                let current = &mut d[i as usize];
                *current = current.min(c);
            }
        }
        d
    }

    /// Total weighted cost with `open` opened.
    pub(crate) fn value(&self, open: &[usize]) -> f64 {
        weighted_sum(self.weights(), &self.costs(open))
    }

    /// What opening `slot` saves against the costs `d`.
    fn saving(&self, slot: usize, d: &[f64]) -> f64 {
        let (demand, costs) = &self.pairs[slot];
        let w = self.weights();
        demand
            .iter()
            .zip(costs)
            .map(|(&i, &c)| w[i as usize] * (d[i as usize] - c).max(0.0))
            .sum()
    }

    /// Greedy: `p` slots in the order chosen.
    pub(crate) fn greedy(&self, p: usize) -> Vec<usize> {
        let m = self.candidates.len();
        let mut d = self.base.clone();
        let mut open = vec![false; m];
        let mut order = Vec::with_capacity(p);
        for _ in 0..p.min(m) {
            let mut best: Option<(f64, usize)> = None;
            for k in (0..m).filter(|&k| !open[k]) {
                let s = self.saving(k, &d);
                if best.is_none_or(|b| s > b.0) {
                    best = Some((s, k));
                }
            }
            let Some((_, k)) = best else { break };
            open[k] = true;
            order.push(k);
            let (demand, costs) = &self.pairs[k];
            for (&i, &c) in demand.iter().zip(costs) {
                d[i as usize] = d[i as usize].min(c);
            }
        }
        order
    }

    fn nearest(&self, open: &[usize]) -> Nearest {
        let n = self.base.len();
        let mut first = self.base.clone();
        let mut first_slot = vec![BASE; n];
        let mut second = vec![f64::INFINITY; n];
        let mut sorted = open.to_vec();
        sorted.sort_unstable();
        for &slot in &sorted {
            let (demand, costs) = &self.pairs[slot];
            for (&i, &c) in demand.iter().zip(costs) {
                let i = i as usize;
                if c < first[i] {
                    second[i] = first[i];
                    first[i] = c;
                    first_slot[i] = slot as u32;
                } else if c < second[i] {
                    second[i] = c;
                }
            }
        }
        // The base is always available: it bounds the second choice too.
        for i in 0..n {
            if first_slot[i] != BASE {
                second[i] = second[i].min(self.base[i]);
            }
        }
        Nearest {
            first,
            first_slot,
            second,
        }
    }

    /// Best-improvement interchange from `open` until no swap improves.
    pub(crate) fn interchange(&self, mut open: Vec<usize>) -> Vec<usize> {
        let m = self.candidates.len();
        let w = self.weights();
        loop {
            let current = self.nearest(&open);
            let total = weighted_sum(w, &current.first);
            let tolerance = 1e-12 * total.max(1.0);
            let mut is_open = vec![false; m];
            for &s in &open {
                is_open[s] = true;
            }
            let mut best: Option<(f64, usize, usize)> = None;
            let mut without = current.first.clone();
            for (position, &j) in open.iter().enumerate() {
                let mut loss = 0.0;
                for i in 0..without.len() {
                    without[i] = if current.first_slot[i] == j as u32 {
                        loss += w[i] * (current.second[i] - current.first[i]);
                        current.second[i]
                    } else {
                        current.first[i]
                    };
                }
                for k in (0..m).filter(|&k| !is_open[k]) {
                    let delta = self.saving(k, &without) - loss;
                    if delta > tolerance && best.is_none_or(|b| delta > b.0) {
                        best = Some((delta, position, k));
                    }
                }
            }
            match best {
                Some((_, position, k)) => open[position] = k,
                None => return open,
            }
        }
    }

    /// The open slots reordered greedily, with each one's saving over those before it.
    pub(crate) fn ordered_gains(&self, open: &[usize]) -> Vec<(usize, f64)> {
        let mut d = self.base.clone();
        let mut left: Vec<usize> = open.to_vec();
        left.sort_unstable();
        let mut out = Vec::with_capacity(open.len());
        while !left.is_empty() {
            let savings: Vec<f64> = left.iter().map(|&s| self.saving(s, &d)).collect();
            let pick = super::coverage::argmax(&savings);
            let slot = left.remove(pick);
            let (demand, costs) = &self.pairs[slot];
            for (&i, &c) in demand.iter().zip(costs) {
                d[i as usize] = d[i as usize].min(c);
            }
            out.push((slot, savings[pick]));
        }
        out
    }
}

pub(crate) fn weighted_sum(weights: &[f64], values: &[f64]) -> f64 {
    weights.iter().zip(values).map(|(w, v)| w * v).sum()
}
