//! The input of a plan as plain data: demand points with weights, sites (existing services
//! that are already open, and candidates that may be opened) with capacities, and a cost
//! for each demand-site pair that is joined. Costs may come from geometry
//! ([`super::pairs`]), an origin-destination matrix or anything else: the solvers only ever
//! see "this demand point and this site are joined at this cost". A pair that is absent is
//! never used (the site cannot serve that demand point).

use super::PlanError;

/// One demand-site pair and its cost (km, minutes: the unit of the catchment).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairCost {
    /// Index into [`PlanInstance::weights`].
    pub demand: u32,
    /// Index into [`PlanInstance::sites`].
    pub site: u32,
    pub cost: f64,
}

/// A place that can serve demand.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: String,
    /// Places (or hours) it can take; used by the capacitated model only. For an existing
    /// service, its room (capacity minus current users) or its full capacity.
    pub capacity: f64,
    /// An existing service: always open, never chosen.
    pub existing: bool,
}

/// Pairs grouped by one side: `target[offsets[s]..offsets[s + 1]]` with their costs, in
/// ascending target order.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Adjacency {
    offsets: Vec<usize>,
    target: Vec<u32>,
    cost: Vec<f64>,
}

impl Adjacency {
    /// From (source, target, cost) pairs: grouped by source with a counting sort, each row
    /// then ordered by target (stable, so repeated pairs stay adjacent).
    pub(crate) fn build(sources: usize, pairs: &[PairCost]) -> Adjacency {
        let mut offsets = vec![0usize; sources + 1];
        for pair in pairs {
            offsets[pair.demand as usize + 1] += 1;
        }
        for s in 1..offsets.len() {
            offsets[s] += offsets[s - 1];
        }
        let mut next = offsets.clone();
        let mut target = vec![0u32; pairs.len()];
        let mut cost = vec![0.0f64; pairs.len()];
        for pair in pairs {
            let at = &mut next[pair.demand as usize];
            target[*at] = pair.site;
            cost[*at] = pair.cost;
            *at += 1;
        }
        let mut adjacency = Adjacency {
            offsets,
            target,
            cost,
        };
        adjacency.sort_rows();
        adjacency
    }

    /// Orders each row by target (stable).
    fn sort_rows(&mut self) {
        let mut row: Vec<(u32, f64)> = Vec::new();
        for s in 0..self.offsets.len() - 1 {
            let range = self.offsets[s]..self.offsets[s + 1];
            if self.target[range.clone()].is_sorted() {
                continue;
            }
            row.clear();
            row.extend(
                self.target[range.clone()]
                    .iter()
                    .copied()
                    .zip(self.cost[range.clone()].iter().copied()),
            );
            row.sort_by_key(|e| e.0);
            for (k, (t, c)) in range.zip(&row) {
                self.target[k] = *t;
                self.cost[k] = *c;
            }
        }
    }

    /// The same pairs grouped by target (a counting sort), each row ascending by source.
    pub(crate) fn transpose(&self, targets: usize) -> Adjacency {
        let mut offsets = vec![0usize; targets + 1];
        for &t in &self.target {
            offsets[t as usize + 1] += 1;
        }
        for t in 1..offsets.len() {
            offsets[t] += offsets[t - 1];
        }
        let mut next = offsets[..targets].to_vec();
        let mut target = vec![0u32; self.target.len()];
        let mut cost = vec![0.0f64; self.target.len()];
        for s in 0..self.offsets.len() - 1 {
            for k in self.offsets[s]..self.offsets[s + 1] {
                let at = &mut next[self.target[k] as usize];
                target[*at] = s as u32;
                cost[*at] = self.cost[k];
                *at += 1;
            }
        }
        Adjacency {
            offsets,
            target,
            cost,
        }
    }

    /// The targets and costs of one source.
    #[inline]
    pub(crate) fn row(&self, source: usize) -> (&[u32], &[f64]) {
        let range = self.offsets[source]..self.offsets[source + 1];
        (&self.target[range.clone()], &self.cost[range])
    }

    pub(crate) fn len(&self) -> usize {
        self.target.len()
    }
}

/// Everything a plan reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanInstance {
    /// Demand weight (people, or hours) of each demand point.
    pub weights: Vec<f64>,
    /// Existing services and candidates, in any order.
    pub sites: Vec<Site>,
    /// Pairs with cost `<=` this are in reach (inclusive, as in `gapmap access`).
    pub catchment: f64,
    by_demand: Adjacency,
    by_site: Adjacency,
}

impl PlanInstance {
    /// Builds an instance from its pairs. Every weight, capacity and cost must be finite and
    /// `>= 0`, every index in range and no pair repeated.
    ///
    /// ```
    /// # use gapmap::plan::*;
    /// let sites = vec![Site { id: "A".into(), capacity: 10.0, existing: false }];
    /// let pairs = vec![PairCost { demand: 0, site: 0, cost: 4.0 }];
    /// let instance = PlanInstance::new(vec![3.0], sites, 10.0, pairs).unwrap();
    /// assert_eq!(instance.pair_count(), 1);
    /// ```
    pub fn new(
        weights: Vec<f64>,
        sites: Vec<Site>,
        catchment: f64,
        pairs: Vec<PairCost>,
    ) -> Result<PlanInstance, PlanError> {
        check_inputs(&weights, &sites, catchment)?;
        for (row, pair) in pairs.iter().enumerate() {
            check_pair(row, pair, weights.len(), sites.len())?;
        }
        let by_demand = Adjacency::build(weights.len(), &pairs);
        drop(pairs);
        Self::from_demand_rows(weights, sites, catchment, by_demand)
    }

    /// Builds an instance from pairs already grouped by demand point (one row per weight),
    /// without copying them through [`PairCost`]:
    /// `sites[offsets[i]..offsets[i + 1]]` are demand point i's sites, with `costs`.
    pub(crate) fn from_rows(
        weights: Vec<f64>,
        sites: Vec<Site>,
        catchment: f64,
        offsets: Vec<usize>,
        site_of_pair: Vec<u32>,
        costs: Vec<f64>,
    ) -> Result<PlanInstance, PlanError> {
        check_inputs(&weights, &sites, catchment)?;
        for i in 0..offsets.len().saturating_sub(1) {
            for k in offsets[i]..offsets[i + 1] {
                let pair = PairCost {
                    demand: i as u32,
                    site: site_of_pair[k],
                    cost: costs[k],
                };
                check_pair(k, &pair, weights.len(), sites.len())?;
            }
        }
        let mut by_demand = Adjacency {
            offsets,
            target: site_of_pair,
            cost: costs,
        };
        by_demand.sort_rows();
        Self::from_demand_rows(weights, sites, catchment, by_demand)
    }

    fn from_demand_rows(
        weights: Vec<f64>,
        sites: Vec<Site>,
        catchment: f64,
        by_demand: Adjacency,
    ) -> Result<PlanInstance, PlanError> {
        for i in 0..weights.len() {
            let (targets, _) = by_demand.row(i);
            if let Some(w) = targets.windows(2).find(|w| w[0] == w[1]) {
                return Err(PlanError::DuplicatePair {
                    demand: i,
                    site: sites[w[0] as usize].id.clone(),
                });
            }
        }
        let by_site = by_demand.transpose(sites.len());
        Ok(PlanInstance {
            weights,
            sites,
            catchment,
            by_demand,
            by_site,
        })
    }

    pub fn pair_count(&self) -> usize {
        self.by_demand.len()
    }

    /// The sites joined to a demand point, ascending, with their costs.
    pub fn sites_of(&self, demand: usize) -> (&[u32], &[f64]) {
        self.by_demand.row(demand)
    }

    /// The demand points joined to a site, ascending, with their costs.
    pub fn demand_of(&self, site: usize) -> (&[u32], &[f64]) {
        self.by_site.row(site)
    }

    /// Indices of the candidate (not existing) sites, ascending.
    pub fn candidates(&self) -> Vec<usize> {
        (0..self.sites.len())
            .filter(|&j| !self.sites[j].existing)
            .collect()
    }

    /// For each demand point, the cost to its nearest existing site (`f64::INFINITY` when
    /// it is joined to none).
    pub fn baseline(&self) -> Vec<f64> {
        (0..self.weights.len())
            .map(|i| {
                let (sites, costs) = self.sites_of(i);
                sites
                    .iter()
                    .zip(costs)
                    .filter(|(&j, _)| self.sites[j as usize].existing)
                    .map(|(_, &c)| c)
                    .fold(f64::INFINITY, f64::min)
            })
            .collect()
    }

    /// The cost charged, in the distance model, to a demand point joined to no open site:
    /// the largest cost of any pair, or the catchment if that is larger (so being unserved
    /// is never cheaper than the farthest service).
    pub fn unreached_cost(&self) -> f64 {
        self.by_demand
            .cost
            .iter()
            .copied()
            .fold(self.catchment, f64::max)
    }

    pub fn total_weight(&self) -> f64 {
        self.weights.iter().sum()
    }
}

fn check_inputs(weights: &[f64], sites: &[Site], catchment: f64) -> Result<(), PlanError> {
    let usable = |x: f64| x.is_finite() && x >= 0.0;
    if !(catchment.is_finite() && catchment > 0.0) {
        return Err(PlanError::Setting {
            setting: "catchment",
            value: catchment.to_string(),
            expected: "a finite number > 0",
        });
    }
    if let Some(i) = weights.iter().position(|&w| !usable(w)) {
        return Err(PlanError::Value {
            what: "demand weight",
            index: i,
            id: i.to_string(),
            value: weights[i].to_string(),
            expected: "a finite number >= 0",
        });
    }
    if let Some(j) = sites.iter().position(|s| !usable(s.capacity)) {
        return Err(PlanError::Value {
            what: "site capacity",
            index: j,
            id: sites[j].id.clone(),
            value: sites[j].capacity.to_string(),
            expected: "a finite number >= 0",
        });
    }
    Ok(())
}

fn check_pair(row: usize, pair: &PairCost, demand: usize, sites: usize) -> Result<(), PlanError> {
    let bad = |value: String, expected| PlanError::Value {
        what: "pair",
        index: row,
        id: format!("{} -> {}", pair.demand, pair.site),
        value,
        expected,
    };
    if pair.demand as usize >= demand {
        return Err(bad(pair.demand.to_string(), "a demand index in range"));
    }
    if pair.site as usize >= sites {
        return Err(bad(pair.site.to_string(), "a site index in range"));
    }
    if !(pair.cost.is_finite() && pair.cost >= 0.0) {
        return Err(bad(pair.cost.to_string(), "a finite cost >= 0"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(id: &str) -> Site {
        Site {
            id: id.to_string(),
            capacity: 1.0,
            existing: false,
        }
    }

    /// Pairs given in any order come out grouped and ascending both ways, and rows given
    /// directly build the same instance.
    #[test]
    fn pairs_in_any_order_give_sorted_rows_both_ways() {
        let pair = |demand, site, cost| PairCost { demand, site, cost };
        let pairs = vec![
            pair(1, 2, 5.0),
            pair(0, 1, 1.0),
            pair(1, 0, 3.0),
            pair(2, 1, 4.0),
            pair(0, 2, 2.0),
        ];
        let sites = vec![site("a"), site("b"), site("c")];
        let instance = PlanInstance::new(vec![1.0; 3], sites.clone(), 9.0, pairs).unwrap();
        assert_eq!(instance.sites_of(0), (&[1u32, 2][..], &[1.0, 2.0][..]));
        assert_eq!(instance.sites_of(1), (&[0u32, 2][..], &[3.0, 5.0][..]));
        assert_eq!(instance.sites_of(2), (&[1u32][..], &[4.0][..]));
        assert_eq!(instance.demand_of(0), (&[1u32][..], &[3.0][..]));
        assert_eq!(instance.demand_of(1), (&[0u32, 2][..], &[1.0, 4.0][..]));
        assert_eq!(instance.demand_of(2), (&[0u32, 1][..], &[2.0, 5.0][..]));
        let rows = PlanInstance::from_rows(
            vec![1.0; 3],
            sites.clone(),
            9.0,
            vec![0, 2, 4, 5],
            vec![2, 1, 2, 0, 1],
            vec![2.0, 1.0, 5.0, 3.0, 4.0],
        )
        .unwrap();
        assert_eq!(rows, instance);
        let e = PlanInstance::from_rows(vec![1.0], sites, 9.0, vec![0, 1], vec![7], vec![1.0])
            .unwrap_err();
        assert!(e.to_string().contains("site index"), "{e}");
    }
}
