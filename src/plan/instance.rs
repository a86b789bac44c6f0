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
    /// From (source, target, cost) triples; sorts them.
    pub(crate) fn build(sources: usize, mut triples: Vec<(u32, u32, f64)>) -> Adjacency {
        triples.sort_unstable_by_key(|&(s, t, _)| (s, t));
        let mut offsets = vec![0usize; sources + 1];
        for &(s, _, _) in &triples {
            offsets[s as usize + 1] += 1;
        }
        for s in 1..offsets.len() {
            offsets[s] += offsets[s - 1];
        }
        Adjacency {
            offsets,
            target: triples.iter().map(|t| t.1).collect(),
            cost: triples.iter().map(|t| t.2).collect(),
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
        let mut triples = Vec::with_capacity(pairs.len());
        for (row, pair) in pairs.iter().enumerate() {
            check_pair(row, pair, weights.len(), sites.len())?;
            triples.push((pair.demand, pair.site, pair.cost));
        }
        let by_demand = Adjacency::build(weights.len(), triples.clone());
        for i in 0..weights.len() {
            let (targets, _) = by_demand.row(i);
            if let Some(w) = targets.windows(2).find(|w| w[0] == w[1]) {
                return Err(PlanError::DuplicatePair {
                    demand: i,
                    site: sites[w[0] as usize].id.clone(),
                });
            }
        }
        let by_site = Adjacency::build(
            sites.len(),
            triples.into_iter().map(|(i, j, c)| (j, i, c)).collect(),
        );
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
