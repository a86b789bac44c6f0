//! The lower bound on a capacitated distance plan's score: Lagrangian relaxation of the
//! assignment constraints ("each person is placed at most once"), with the knapsack of
//! every site solved exactly (Geoffrion and McBride 1978 for the capacitated facility
//! location problem; Beasley 1993).
//!
//! In the model's units, a plan's score is U for every unit of weight plus, for every unit
//! placed at site j, its cost c_ij - U (U the cost of a unit left unplaced). With a
//! multiplier mu_i >= 0 on each person's "placed at most w_i units", the relaxation splits
//! by site: an open site j takes the units of smallest reduced cost c_ij - U + mu_i, only
//! those below 0, up to its places Q_j. Units are whole (weights and places are counted in
//! units), so filling the cheapest units first solves each knapsack exactly. Then
//!
//! L(mu) = sum_i (U - mu_i) w_i + (every existing service's knapsack) + (the p smallest
//! knapsacks among the candidates),
//!
//! a lower bound on the score of every plan for any mu >= 0, so stopping early only makes
//! it looser, never wrong. Its best value is the linear programming bound of the strong
//! formulation (placements at j at most w_i x_j and at most Q_j x_j in all), which counts
//! the places; the uncapacitated bound it replaces does not, so it left a 53% gap on the
//! benchmark's capacitated distance case. The multipliers are improved by subgradient
//! steps with the Polyak length towards the plan's score. Only the arcs the model keeps
//! (each site's nearest people up to the room of any p candidates) enter: an optimal
//! assignment uses no other, so the bound still holds for the optimum.
//!
//! The knapsacks of one round are independent and computed in parallel, their sums taken
//! in site order, so the bound is the same at any thread count.

use rayon::prelude::*;

use super::CapacitatedModel;
use crate::plan::bound::smallest;

/// Subgradient rounds at most, rounds without a better bound before the step is halved,
/// and the smallest step scale.
const MAX_ROUNDS: usize = 250;
const PATIENCE: usize = 10;
const MIN_STEP: f64 = 1e-3;
/// Stop when the bound is within this share of the plan's score.
const CLOSE_ENOUGH: f64 = 1e-6;

impl CapacitatedModel<'_> {
    /// A lower bound on the total weighted distance (unplaced weight at the unplaced cost)
    /// of any plan opening `p` candidates; `found` is a plan's score.
    pub(crate) fn distance_lower_bound(&self, p: usize, found: i128) -> f64 {
        self.score_value_of(self.score_lower_bound(p, found as f64))
    }

    /// A lower bound on the score of any plan opening `p` candidates (the score the flow
    /// minimises, in its units); `found` is a plan's score, the target of the steps.
    pub(crate) fn score_lower_bound(&self, p: usize, found: f64) -> f64 {
        let u = self.unplaced_cost as f64;
        let weight: Vec<f64> = self.weight_units.iter().map(|&w| w as f64).collect();
        let total: f64 = weight.iter().sum::<f64>() * u;
        let mut sites: Vec<usize> = self.existing.clone();
        sites.extend(&self.candidates);
        let existing = self.existing.len();
        let mut mu = vec![0.0; weight.len()];
        let mut best = f64::NEG_INFINITY;
        let mut theta = 2.0;
        let mut since_better = 0;
        for _ in 0..MAX_ROUNDS {
            let values: Vec<f64> = sites
                .par_iter()
                .map(|&j| self.knapsack(j, &mu, |_, _| {}))
                .collect();
            let chosen = smallest(&values[existing..], p);
            let open: Vec<usize> = (0..existing)
                .chain(chosen.iter().map(|&x| existing + x))
                .map(|k| sites[k])
                .collect();
            let bound = total - mu.iter().zip(&weight).map(|(m, w)| m * w).sum::<f64>()
                + values[..existing].iter().sum::<f64>()
                + chosen.iter().map(|&x| values[existing + x]).sum::<f64>();
            if best == f64::NEG_INFINITY || bound > best + 1e-12 * best.abs().max(1.0) {
                best = bound;
                since_better = 0;
            } else {
                since_better += 1;
                if since_better >= PATIENCE {
                    theta /= 2.0;
                    since_better = 0;
                }
            }
            if theta < MIN_STEP || found - best <= CLOSE_ENOUGH * found.abs().max(1.0) {
                break;
            }
            // The subgradient: units placed minus weight, for each person.
            let mut gradient: Vec<f64> = weight.iter().map(|w| -w).collect();
            for &j in &open {
                self.knapsack(j, &mu, |i, units| gradient[i] += units);
            }
            for (g, m) in gradient.iter_mut().zip(&mu) {
                // A step that would leave [0, U] moves nothing.
                if (*g < 0.0 && *m <= 0.0) || (*g > 0.0 && *m >= u) {
                    *g = 0.0;
                }
            }
            let norm: f64 = gradient.iter().map(|g| g * g).sum();
            if norm == 0.0 {
                break;
            }
            let step = theta * (found - bound).max(1e-9 * found.abs().max(1.0)) / norm;
            for (m, g) in mu.iter_mut().zip(&gradient) {
                *m = (*m + step * g).clamp(0.0, u);
            }
        }
        best.min(found)
    }

    /// Site `j`'s knapsack at multipliers `mu`: the least total reduced cost of at most its
    /// places in units, each unit of person i costing c_ij - U + mu_i, only units below 0
    /// taken. Calls `take(person, units)` for the units it takes.
    fn knapsack(&self, j: usize, mu: &[f64], mut take: impl FnMut(usize, f64)) -> f64 {
        let room = self.capacity_units[j];
        if room <= 0 {
            return 0.0;
        }
        let u = self.unplaced_cost as f64;
        let (persons, costs) = self.lists.row(j);
        let mut items: Vec<(f64, u32)> = persons
            .iter()
            .zip(costs)
            .map(|(&i, &c)| (c as f64 - u + mu[i as usize], i))
            .filter(|&(r, _)| r < 0.0)
            .collect();
        let units_of = |i: u32| self.weight_units[i as usize];
        let wanted: i64 = items.iter().map(|&(_, i)| units_of(i)).sum();
        if wanted > room {
            let order = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            // Every person weighs at least one unit, so the `room` cheapest fill the site.
            let keep = usize::try_from(room).unwrap_or(usize::MAX);
            if items.len() > keep {
                items.select_nth_unstable_by(keep - 1, order);
                items.truncate(keep);
            }
            items.sort_unstable_by(order);
        }
        let mut left = room;
        let mut value = 0.0;
        for (r, i) in items {
            if left <= 0 {
                break;
            }
            let units = units_of(i).min(left);
            left -= units;
            value += r * units as f64;
            take(i as usize, units as f64);
        }
        value
    }
}
