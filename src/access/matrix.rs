//! Travel costs from an origin-destination matrix (as OSRM's table service or r5py's
//! travel-time matrix produce): the ids are interned once, and for each need the matrix
//! becomes two adjacency lists, by demand slot and by service slot, each in ascending slot
//! order, which answer the engine's [`PairSource`] questions.
//!
//! Origins match demand site ids (every demand row with that id, one per need), destinations
//! match service ids. Rows whose origin or destination is not in the run are not used, and
//! are counted in [`super::AccessResult::travel_costs_unmatched`]: a matrix often covers
//! more places than one run.

use std::collections::HashMap;

use super::reach::PairSource;
use super::{AccessError, AccessProblem};

/// One row of the matrix: interned origin and destination, and the cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TravelCost {
    pub origin: u32,
    pub destination: u32,
    /// Minutes or km, finite and `>= 0`.
    pub cost: f64,
}

/// An origin-destination matrix of travel costs, ids interned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TravelCosts {
    origins: Vec<String>,
    destinations: Vec<String>,
    entries: Vec<TravelCost>,
    origin_index: HashMap<String, u32>,
    destination_index: HashMap<String, u32>,
    /// Each pair's index in `entries`.
    seen: HashMap<(u32, u32), usize>,
}

/// Why a row cannot join a matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TravelCostRejection {
    /// The cost is negative, infinite or NaN.
    BadCost,
    /// The origin-destination pair is already in the matrix.
    DuplicatePair,
}

impl TravelCosts {
    /// Builds a matrix from (origin, destination, cost) rows; row numbers in errors count
    /// from 1.
    ///
    /// ```
    /// # use gapmap::access::TravelCosts;
    /// let costs = TravelCosts::from_rows([("E01000001", "S1", 12.5)]).unwrap();
    /// assert_eq!(costs.len(), 1);
    /// ```
    pub fn from_rows<'a>(
        rows: impl IntoIterator<Item = (&'a str, &'a str, f64)>,
    ) -> Result<TravelCosts, AccessError> {
        let mut costs = TravelCosts::default();
        for (row, (origin, destination, cost)) in rows.into_iter().enumerate() {
            costs
                .insert(origin, destination, cost)
                .map_err(|rejection| {
                    rejection_error(
                        "travel costs",
                        row as u64 + 1,
                        origin,
                        destination,
                        cost,
                        rejection,
                    )
                })?;
        }
        Ok(costs)
    }

    /// Adds one row.
    pub fn insert(
        &mut self,
        origin: &str,
        destination: &str,
        cost: f64,
    ) -> Result<(), TravelCostRejection> {
        if !(cost.is_finite() && cost >= 0.0) {
            return Err(TravelCostRejection::BadCost);
        }
        let origin = intern(&mut self.origins, &mut self.origin_index, origin);
        let destination = intern(
            &mut self.destinations,
            &mut self.destination_index,
            destination,
        );
        if self.seen.contains_key(&(origin, destination)) {
            return Err(TravelCostRejection::DuplicatePair);
        }
        self.seen.insert((origin, destination), self.entries.len());
        self.entries.push(TravelCost {
            origin,
            destination,
            cost,
        });
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[TravelCost] {
        &self.entries
    }

    /// The cost from `origin` to `destination`, if the matrix has the pair.
    ///
    /// ```
    /// # use gapmap::access::TravelCosts;
    /// let costs = TravelCosts::from_rows([("E01000001", "S1", 12.5)]).unwrap();
    /// assert_eq!(costs.cost("E01000001", "S1"), Some(12.5));
    /// assert_eq!(costs.cost("E01000001", "S2"), None);
    /// ```
    pub fn cost(&self, origin: &str, destination: &str) -> Option<f64> {
        let origin = *self.origin_index.get(origin)?;
        let destination = *self.destination_index.get(destination)?;
        let entry = *self.seen.get(&(origin, destination))?;
        Some(self.entries[entry].cost)
    }

    /// Whether any row starts at `origin`.
    pub fn has_origin(&self, origin: &str) -> bool {
        self.origin_index.contains_key(origin)
    }

    pub fn origin_id(&self, origin: u32) -> &str {
        &self.origins[origin as usize]
    }

    pub fn destination_id(&self, destination: u32) -> &str {
        &self.destinations[destination as usize]
    }
}

fn intern(names: &mut Vec<String>, index: &mut HashMap<String, u32>, name: &str) -> u32 {
    if let Some(&found) = index.get(name) {
        return found;
    }
    let next = names.len() as u32;
    names.push(name.to_string());
    index.insert(name.to_string(), next);
    next
}

/// The error for a rejected row of a matrix read from `file`.
pub(crate) fn rejection_error(
    file: &str,
    line: u64,
    origin: &str,
    destination: &str,
    cost: f64,
    rejection: TravelCostRejection,
) -> AccessError {
    match rejection {
        TravelCostRejection::BadCost => AccessError::BadValue {
            file: file.to_string(),
            line,
            column: "cost".to_string(),
            value: cost.to_string(),
            expected: "a finite cost >= 0",
        },
        TravelCostRejection::DuplicatePair => AccessError::Duplicate {
            file: file.to_string(),
            line,
            what: "origin-destination pair",
            value: format!("{origin} -> {destination}"),
        },
    }
}

/// The matrix's ids resolved against one problem, for all needs.
pub(crate) struct MatrixLookup<'a> {
    costs: &'a TravelCosts,
    /// For each matrix origin, the demand sites with that id.
    origin_sites: Vec<Vec<u32>>,
    /// For each matrix destination, the service with that id.
    destination_site: Vec<Option<u32>>,
}

impl<'a> MatrixLookup<'a> {
    pub(crate) fn new(costs: &'a TravelCosts, problem: &AccessProblem) -> Self {
        let mut origin_sites = vec![Vec::new(); costs.origins.len()];
        for (site, demand) in problem.demand.iter().enumerate() {
            if let Some(&origin) = costs.origin_index.get(&demand.id) {
                origin_sites[origin as usize].push(site as u32);
            }
        }
        let mut destination_site = vec![None; costs.destinations.len()];
        for (site, service) in problem.services.iter().enumerate() {
            if let Some(&destination) = costs.destination_index.get(&service.id) {
                destination_site[destination as usize].get_or_insert(site as u32);
            }
        }
        MatrixLookup {
            costs,
            origin_sites,
            destination_site,
        }
    }

    /// Rows whose origin is no demand id or whose destination is no service id.
    pub(crate) fn unmatched(&self) -> usize {
        self.costs
            .entries
            .iter()
            .filter(|entry| {
                self.origin_sites[entry.origin as usize].is_empty()
                    || self.destination_site[entry.destination as usize].is_none()
            })
            .count()
    }
}

/// Adjacency lists: `targets[offsets[s]..offsets[s + 1]]` with their costs.
struct Adjacency {
    offsets: Vec<usize>,
    targets: Vec<u32>,
    costs: Vec<f64>,
}

impl Adjacency {
    /// From (source, target, cost) triples sorted by source then target.
    fn from_sorted(sources: usize, triples: &[(u32, u32, f64)]) -> Adjacency {
        let mut offsets = vec![0usize; sources + 1];
        for &(source, _, _) in triples {
            offsets[source as usize + 1] += 1;
        }
        for s in 1..offsets.len() {
            offsets[s] += offsets[s - 1];
        }
        Adjacency {
            offsets,
            targets: triples.iter().map(|t| t.1).collect(),
            costs: triples.iter().map(|t| t.2).collect(),
        }
    }

    fn row(&self, source: usize) -> (&[u32], &[f64]) {
        let range = self.offsets[source]..self.offsets[source + 1];
        (&self.targets[range.clone()], &self.costs[range])
    }
}

/// The matrix's pairs for one need.
pub(crate) struct MatrixReach {
    reach: f64,
    demand_sites: Vec<u32>,
    weights: Vec<f64>,
    service_sites: Vec<u32>,
    capacities: Vec<f64>,
    /// Every pair of a demand slot, in reach or not (for the nearest service).
    by_demand: Adjacency,
    /// The pairs in reach of a service slot.
    by_service: Adjacency,
}

impl MatrixReach {
    /// `demand` and `services` are the need's site indices, ascending; they become slots.
    pub(crate) fn build(
        lookup: &MatrixLookup,
        problem: &AccessProblem,
        demand: &[u32],
        services: &[u32],
        reach: f64,
    ) -> MatrixReach {
        let mut pairs = need_pairs(
            lookup,
            problem.demand.len(),
            problem.services.len(),
            demand,
            services,
        );
        pairs.sort_unstable_by_key(|&(i, j, _)| (i, j));
        let by_demand = Adjacency::from_sorted(demand.len(), &pairs);
        let mut in_reach: Vec<(u32, u32, f64)> = pairs
            .into_iter()
            .filter(|&(_, _, cost)| cost <= reach)
            .map(|(i, j, cost)| (j, i, cost))
            .collect();
        in_reach.sort_unstable_by_key(|&(j, i, _)| (j, i));
        let by_service = Adjacency::from_sorted(services.len(), &in_reach);
        MatrixReach {
            reach,
            demand_sites: demand.to_vec(),
            weights: demand
                .iter()
                .map(|&s| problem.demand[s as usize].weight)
                .collect(),
            service_sites: services.to_vec(),
            capacities: services
                .iter()
                .map(|&s| problem.services[s as usize].capacity)
                .collect(),
            by_demand,
            by_service,
        }
    }
}

/// (demand slot, service slot, cost) for every matrix row joining the need's sites.
fn need_pairs(
    lookup: &MatrixLookup,
    demand_count: usize,
    service_count: usize,
    demand: &[u32],
    services: &[u32],
) -> Vec<(u32, u32, f64)> {
    let slots = |sites: &[u32], count: usize| {
        let mut slot_of = vec![u32::MAX; count];
        for (slot, &site) in sites.iter().enumerate() {
            slot_of[site as usize] = slot as u32;
        }
        slot_of
    };
    let demand_slot = slots(demand, demand_count);
    let service_slot = slots(services, service_count);
    let mut pairs = Vec::new();
    for entry in &lookup.costs.entries {
        let Some(service) = lookup.destination_site[entry.destination as usize] else {
            continue;
        };
        let j = service_slot[service as usize];
        if j == u32::MAX {
            continue;
        }
        for &site in &lookup.origin_sites[entry.origin as usize] {
            let i = demand_slot[site as usize];
            if i != u32::MAX {
                pairs.push((i, j, entry.cost));
            }
        }
    }
    pairs
}

impl PairSource for MatrixReach {
    fn demand_len(&self) -> usize {
        self.demand_sites.len()
    }

    fn service_len(&self) -> usize {
        self.service_sites.len()
    }

    fn demand_site(&self, demand: usize) -> usize {
        self.demand_sites[demand] as usize
    }

    fn service_site(&self, service: usize) -> usize {
        self.service_sites[service] as usize
    }

    fn capacity(&self, service: usize) -> f64 {
        self.capacities[service]
    }

    fn reach_key(&self) -> f64 {
        self.reach
    }

    fn visit_demand_near(&self, service: usize, mut visit: impl FnMut(f64, f64)) {
        let (targets, costs) = self.by_service.row(service);
        for (&demand, &cost) in targets.iter().zip(costs) {
            visit(self.weights[demand as usize], cost);
        }
    }

    fn visit_services_near(&self, demand: usize, mut visit: impl FnMut(usize, f64)) {
        let (targets, costs) = self.by_demand.row(demand);
        for (&service, &cost) in targets.iter().zip(costs) {
            if cost <= self.reach {
                visit(service as usize, cost);
            }
        }
    }

    fn nearest_service(&self, demand: usize) -> Option<(usize, f64)> {
        let (targets, costs) = self.by_demand.row(demand);
        // Slots ascend with service index, so the first of equal costs is the lowest index.
        let mut best: Option<(usize, f64)> = None;
        for (&service, &cost) in targets.iter().zip(costs) {
            if best.is_none_or(|(_, c)| cost < c) {
                best = Some((service as usize, cost));
            }
        }
        best
    }
}
