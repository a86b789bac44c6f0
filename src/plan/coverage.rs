//! The coverage model (MCLP, Church and ReVelle 1974): open p candidates to maximise the
//! demand weight within the catchment of at least one open site. Demand already within
//! reach of an existing service is covered whatever is chosen, so only the rest counts.
//!
//! Greedy adds the candidate that newly covers the most weight (ties to the lowest site
//! index), keeping each candidate's gain up to date as demand becomes covered, so it costs
//! one pass over the pairs in all. Interchange then tries every (open, closed) swap and
//! makes the best improving one until none improves: for each open site, the weight only it
//! covers is what removing it loses, and one pass over those points' pairs gives, for every
//! closed candidate, what it would win back.

use super::instance::PlanInstance;

/// The pairs within reach for the demand not yet covered by existing services.
pub(crate) struct CoverageModel<'a> {
    pub instance: &'a PlanInstance,
    /// Demand weight already covered by existing services.
    pub base_covered: f64,
    /// Candidate sites (indices into the instance's sites).
    pub candidates: Vec<usize>,
    /// For each candidate slot, the uncovered demand points in reach.
    pub reach: Vec<Vec<u32>>,
    /// For each demand point, the candidate slots in reach (empty when already covered).
    pub reached_by: Vec<Vec<u32>>,
}

impl<'a> CoverageModel<'a> {
    pub(crate) fn new(instance: &'a PlanInstance) -> Self {
        let limit = instance.catchment;
        let covered_by_existing: Vec<bool> =
            instance.baseline().iter().map(|&b| b <= limit).collect();
        let base_covered = instance
            .weights
            .iter()
            .zip(&covered_by_existing)
            .filter(|(_, &c)| c)
            .map(|(w, _)| w)
            .sum();
        let candidates = instance.candidates();
        let mut reach = vec![Vec::new(); candidates.len()];
        let mut reached_by = vec![Vec::new(); instance.weights.len()];
        for (slot, &site) in candidates.iter().enumerate() {
            let (demand, costs) = instance.demand_of(site);
            for (&i, &c) in demand.iter().zip(costs) {
                if c <= limit && !covered_by_existing[i as usize] {
                    reach[slot].push(i);
                    reached_by[i as usize].push(slot as u32);
                }
            }
        }
        CoverageModel {
            instance,
            base_covered,
            candidates,
            reach,
            reached_by,
        }
    }

    fn weight(&self, i: u32) -> f64 {
        self.instance.weights[i as usize]
    }

    /// Weight covered (existing included) when the candidate slots `open` are opened.
    pub(crate) fn value(&self, open: &[usize]) -> f64 {
        let mut covered = vec![false; self.reached_by.len()];
        let mut total = self.base_covered;
        for &slot in open {
            for &i in &self.reach[slot] {
                if !covered[i as usize] {
                    covered[i as usize] = true;
                    total += self.weight(i);
                }
            }
        }
        total
    }

    /// Greedy: `p` slots in the order chosen.
    pub(crate) fn greedy(&self, p: usize) -> Vec<usize> {
        let mut gain: Vec<f64> = self
            .reach
            .iter()
            .map(|r| r.iter().map(|&i| self.weight(i)).sum())
            .collect();
        let mut open = vec![false; self.candidates.len()];
        let mut covered = vec![false; self.reached_by.len()];
        let mut order = Vec::with_capacity(p);
        for _ in 0..p.min(self.candidates.len()) {
            let Some(best) = best_closed(&gain, &open) else {
                break;
            };
            open[best] = true;
            order.push(best);
            for &i in &self.reach[best] {
                if std::mem::replace(&mut covered[i as usize], true) {
                    continue;
                }
                let w = self.weight(i);
                for &k in &self.reached_by[i as usize] {
                    gain[k as usize] -= w;
                }
            }
        }
        order
    }

    /// Best-improvement interchange from `open` until no swap improves.
    pub(crate) fn interchange(&self, mut open: Vec<usize>) -> Vec<usize> {
        let m = self.candidates.len();
        let tolerance = 1e-9 * self.instance.total_weight().max(1.0);
        loop {
            let count = self.cover_counts(&open);
            let mut is_open = vec![false; m];
            for &s in &open {
                is_open[s] = true;
            }
            // gain[k]: uncovered weight k would cover.
            let mut gain = vec![0.0; m];
            for (i, by) in self.reached_by.iter().enumerate() {
                if count[i] == 0 {
                    for &k in by {
                        gain[k as usize] += self.instance.weights[i];
                    }
                }
            }
            let mut best: Option<(f64, usize, usize)> = None;
            let mut extra = vec![0.0; m];
            for (position, &j) in open.iter().enumerate() {
                extra.iter_mut().for_each(|e| *e = 0.0);
                let mut loss = 0.0;
                for &i in &self.reach[j] {
                    if count[i as usize] == 1 {
                        let w = self.weight(i);
                        loss += w;
                        for &k in &self.reached_by[i as usize] {
                            extra[k as usize] += w;
                        }
                    }
                }
                for k in (0..m).filter(|&k| !is_open[k]) {
                    let delta = gain[k] + extra[k] - loss;
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

    /// How many open slots cover each demand point.
    fn cover_counts(&self, open: &[usize]) -> Vec<u32> {
        let mut count = vec![0u32; self.reached_by.len()];
        for &slot in open {
            for &i in &self.reach[slot] {
                count[i as usize] += 1;
            }
        }
        count
    }

    /// The open slots reordered greedily (each the one adding most to those before it),
    /// with each one's marginal gain: the gains add up to the covered weight above the base.
    pub(crate) fn ordered_gains(&self, open: &[usize]) -> Vec<(usize, f64)> {
        let mut covered = vec![false; self.reached_by.len()];
        let mut left: Vec<usize> = open.to_vec();
        left.sort_unstable();
        let mut out = Vec::with_capacity(open.len());
        while !left.is_empty() {
            let gains: Vec<f64> = left
                .iter()
                .map(|&s| {
                    self.reach[s]
                        .iter()
                        .filter(|&&i| !covered[i as usize])
                        .map(|&i| self.weight(i))
                        .sum()
                })
                .collect();
            let pick = argmax(&gains);
            let slot = left.remove(pick);
            for &i in &self.reach[slot] {
                covered[i as usize] = true;
            }
            out.push((slot, gains[pick]));
        }
        out
    }
}

/// The closed slot with the largest gain, ties to the lowest slot.
fn best_closed(gain: &[f64], open: &[bool]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (k, &g) in gain.iter().enumerate() {
        if !open[k] && best.is_none_or(|b| g > gain[b]) {
            best = Some(k);
        }
    }
    best
}

/// Index of the largest value, ties to the first.
pub(crate) fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (k, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = k;
        }
    }
    best
}
