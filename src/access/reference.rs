//! A brute-force reference for the tests: every demand-service pair, distances in the
//! metric's unit, zones placed by comparing distances (not keys), sums in ascending index
//! order, no index and no masking. It shares only the projection of locations with the
//! engine (checked against the haversine formula separately).

use std::collections::HashMap;

use super::metric::{key_between, Frame, Scale};
use super::{
    AccessProblem, AccessResult, AccessSettings, Metric, Nearest, NeedSummary, SiteAccess,
};

/// Distance of every pair (`None` for pairs missing from a travel-cost matrix).
struct Distances<'a> {
    problem: &'a AccessProblem,
    metric: Metric,
    frame: Frame,
    costs: HashMap<(&'a str, &'a str), f64>,
}

impl<'a> Distances<'a> {
    fn new(problem: &'a AccessProblem, metric: Metric) -> Self {
        let mut costs = HashMap::new();
        if let Some(matrix) = &problem.travel_costs {
            for entry in matrix.entries() {
                let key = (
                    matrix.origin_id(entry.origin),
                    matrix.destination_id(entry.destination),
                );
                costs.insert(key, entry.cost);
            }
        }
        Distances {
            problem,
            metric,
            frame: Frame::for_problem(problem),
            costs,
        }
    }

    fn between(&self, i: usize, j: usize) -> Option<f64> {
        let demand = &self.problem.demand[i];
        let service = &self.problem.services[j];
        if self.metric == Metric::TravelCost {
            return self
                .costs
                .get(&(demand.id.as_str(), service.id.as_str()))
                .copied();
        }
        let key = key_between(
            self.frame.project(demand.location),
            self.frame.project(service.location),
        );
        Some(Scale::for_metric(self.metric).distance(key))
    }
}

/// Access by brute force over all pairs.
pub(crate) fn brute_force(problem: &AccessProblem, settings: &AccessSettings) -> AccessResult {
    let distances = Distances::new(problem, settings.metric);
    let mut sites = vec![SiteAccess::default(); problem.demand.len()];
    let mut needs = Vec::new();
    for (need, name) in problem.needs.iter().enumerate() {
        let catchment = settings.catchment_for(name);
        let radius = catchment.radius;
        let demand: Vec<usize> = (0..problem.demand.len())
            .filter(|&i| problem.demand[i].need == need)
            .collect();
        let services: Vec<usize> = (0..problem.services.len())
            .filter(|&j| problem.services[j].active && problem.services[j].needs.contains(&need))
            .collect();
        let in_reach = |i: usize, j: usize| distances.between(i, j).filter(|&d| d <= radius);
        let mut flat_ratio = HashMap::new();
        let mut weighted_ratio = HashMap::new();
        let mut without_demand = 0;
        let mut without_weighted = 0;
        for &j in &services {
            let (mut flat, mut weighted) = (0.0, 0.0);
            for &i in &demand {
                if let Some(d) = in_reach(i, j) {
                    flat += problem.demand[i].weight;
                    weighted += problem.demand[i].weight * catchment.decay.weight_at(d, radius);
                }
            }
            let capacity = problem.services[j].capacity;
            if flat > 0.0 {
                flat_ratio.insert(j, capacity / flat);
            } else {
                without_demand += 1;
            }
            if weighted > 0.0 {
                weighted_ratio.insert(j, capacity / weighted);
            } else if flat > 0.0 {
                without_weighted += 1;
            }
        }
        for &i in &demand {
            let mut access = SiteAccess::default();
            for &j in &services {
                let Some(d) = distances.between(i, j) else {
                    continue;
                };
                if access.nearest.is_none_or(|n| d < n.distance) {
                    access.nearest = Some(Nearest {
                        service: j,
                        distance: d,
                    });
                }
                if d <= radius {
                    access.services_in_reach += 1;
                    access.accessibility_2sfca += flat_ratio.get(&j).copied().unwrap_or(0.0);
                    access.accessibility_e2sfca += weighted_ratio.get(&j).copied().unwrap_or(0.0)
                        * catchment.decay.weight_at(d, radius);
                }
            }
            sites[i] = access;
        }
        let total: f64 = demand.iter().map(|&i| problem.demand[i].weight).sum();
        let out: Vec<usize> = demand
            .iter()
            .copied()
            .filter(|&i| sites[i].services_in_reach == 0)
            .collect();
        let out_weight: f64 = out.iter().map(|&i| problem.demand[i].weight).sum();
        needs.push(NeedSummary {
            need: name.clone(),
            demand_sites: demand.len(),
            demand_weight: total,
            services: services.len(),
            pairs_in_reach: demand
                .iter()
                .map(|&i| u64::from(sites[i].services_in_reach))
                .sum(),
            sites_out_of_reach: out.len(),
            weight_out_of_reach: out_weight,
            share_out_of_reach: if total > 0.0 { out_weight / total } else { 0.0 },
            services_without_demand: without_demand,
            services_without_weighted_demand: without_weighted,
        });
    }
    AccessResult {
        sites,
        needs,
        travel_costs_unmatched: 0,
    }
}
