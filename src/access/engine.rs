//! The access engine: per need, a pass over services computes R_j, then a pass over demand
//! sites computes A_i, the services in reach and the nearest service. Both passes map one
//! worker function over slots, serially or with rayon; each slot's result depends only on
//! the input, so results are bit for bit the same for any thread count.

use rayon::prelude::*;

use super::matrix::{MatrixLookup, MatrixReach};
use super::metric::{Frame, FramePoint, Scale};
use super::reach::{GridReach, PairSource, Side};
use super::weights::{Kernel, WeightKernel};
use super::{
    AccessError, AccessProblem, AccessResult, AccessSettings, Catchment, Metric, Nearest,
    NeedSummary, SiteAccess,
};

/// Computes access on the current thread.
///
/// ```
/// # use gapmap::access::*;
/// let problem = AccessProblem {
///     coordinates: Coordinates::EastingNorthing,
///     needs: vec!["dementia".into()],
///     demand: vec![DemandSite { id: "A".into(), location: Location { x: 0.0, y: 0.0 }, weight: 4.0, need: 0 }],
///     services: vec![ServiceSite { id: "S".into(), location: Location { x: 12_000.0, y: 0.0 }, capacity: 2.0, needs: vec![0], active: true }],
///     travel_costs: None,
/// };
/// let settings = AccessSettings { metric: Metric::Planar { circuity: 1.0 }, ..Default::default() };
/// let result = compute_access(&problem, &settings).unwrap();
/// assert_eq!(result.sites[0].services_in_reach, 1);
/// assert_eq!(result.sites[0].accessibility_2sfca, 0.5); // R = 2 / 4, A = R
/// ```
pub fn compute_access(
    problem: &AccessProblem,
    settings: &AccessSettings,
) -> Result<AccessResult, AccessError> {
    run(problem, settings, Execution::Serial)
}

/// Computes access with rayon (on the current pool); same result as [`compute_access`].
pub fn compute_access_parallel(
    problem: &AccessProblem,
    settings: &AccessSettings,
) -> Result<AccessResult, AccessError> {
    run(problem, settings, Execution::Parallel)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Execution {
    Serial,
    Parallel,
}

/// `work` for every slot in `0..len`, results in slot order.
fn map_slots<T: Send>(
    execution: Execution,
    len: usize,
    work: impl Fn(usize) -> T + Sync + Send,
) -> Vec<T> {
    match execution {
        Execution::Serial => (0..len).map(work).collect(),
        Execution::Parallel => (0..len).into_par_iter().map(work).collect(),
    }
}

fn run(
    problem: &AccessProblem,
    settings: &AccessSettings,
    execution: Execution,
) -> Result<AccessResult, AccessError> {
    settings.validate()?;
    problem.validate(&settings.metric)?;
    let geometry = Geometry::prepare(problem, settings.metric, execution);
    let members = NeedMembers::of(problem);
    let scale = Scale::for_metric(settings.metric);
    let mut sites = vec![SiteAccess::default(); problem.demand.len()];
    let mut needs = Vec::with_capacity(problem.needs.len());
    for (need, name) in problem.needs.iter().enumerate() {
        let task = NeedTask {
            demand: &members.demand[need],
            services: &members.services[need],
            catchment: settings.catchment_for(name),
            scale,
            execution,
        };
        let ratios = task.solve(problem, &geometry, &mut sites);
        let summary = summarise(problem, name, &task, &ratios, &sites);
        if !summary.demand_weight.is_finite() || !all_finite(&task, &sites) {
            return Err(AccessError::NotFinite { need: name.clone() });
        }
        needs.push(summary);
    }
    Ok(AccessResult {
        sites,
        needs,
        travel_costs_unmatched: geometry.unmatched(),
    })
}

/// Where pairs come from: frame points for the geometric metrics, the matrix otherwise.
enum Geometry<'a> {
    Points {
        demand: Vec<FramePoint>,
        services: Vec<FramePoint>,
    },
    Matrix(MatrixLookup<'a>),
}

impl<'a> Geometry<'a> {
    fn prepare(problem: &'a AccessProblem, metric: Metric, execution: Execution) -> Self {
        if let (Metric::TravelCost, Some(costs)) = (metric, &problem.travel_costs) {
            return Geometry::Matrix(MatrixLookup::new(costs, problem));
        }
        let frame = Frame::for_problem(problem);
        Geometry::Points {
            demand: map_slots(execution, problem.demand.len(), |i| {
                frame.project(problem.demand[i].location)
            }),
            services: map_slots(execution, problem.services.len(), |j| {
                frame.project(problem.services[j].location)
            }),
        }
    }

    fn unmatched(&self) -> usize {
        match self {
            Geometry::Points { .. } => 0,
            Geometry::Matrix(lookup) => lookup.unmatched(),
        }
    }
}

/// The demand sites and the active services of each need, ascending.
struct NeedMembers {
    demand: Vec<Vec<u32>>,
    services: Vec<Vec<u32>>,
}

impl NeedMembers {
    fn of(problem: &AccessProblem) -> Self {
        let mut demand = vec![Vec::new(); problem.needs.len()];
        for (index, site) in problem.demand.iter().enumerate() {
            demand[site.need].push(index as u32);
        }
        let mut services = vec![Vec::new(); problem.needs.len()];
        for (index, service) in problem.services.iter().enumerate() {
            if !service.active {
                continue;
            }
            for &need in &service.needs {
                let list: &mut Vec<u32> = &mut services[need];
                if list.last() != Some(&(index as u32)) {
                    list.push(index as u32);
                }
            }
        }
        NeedMembers { demand, services }
    }
}

/// R_j of one service: `None` when its denominator is zero (undefined; it then adds
/// nothing to any A_i).
#[derive(Debug, Clone, Copy, Default)]
struct ServiceRatio {
    flat: Option<f64>,
    weighted: Option<f64>,
}

/// One need's share of a run.
struct NeedTask<'t> {
    demand: &'t [u32],
    services: &'t [u32],
    catchment: &'t Catchment,
    scale: Scale,
    execution: Execution,
}

impl NeedTask<'_> {
    /// Fills the need's demand rows of `sites`; returns the services' ratios.
    fn solve(
        &self,
        problem: &AccessProblem,
        geometry: &Geometry,
        sites: &mut [SiteAccess],
    ) -> Vec<ServiceRatio> {
        let reach_key = self.scale.key_limit(self.catchment.radius);
        match geometry {
            Geometry::Points { demand, services } => {
                let source = self.grid_reach(problem, demand, services, reach_key);
                self.solve_with(&source, sites)
            }
            Geometry::Matrix(lookup) => {
                let source =
                    MatrixReach::build(lookup, problem, self.demand, self.services, reach_key);
                self.solve_with(&source, sites)
            }
        }
    }

    fn grid_reach(
        &self,
        problem: &AccessProblem,
        demand_points: &[FramePoint],
        service_points: &[FramePoint],
        reach_key: f64,
    ) -> GridReach {
        let pick = |sites: &[u32], points: &[FramePoint]| -> Vec<FramePoint> {
            sites.iter().map(|&s| points[s as usize]).collect()
        };
        let demand = pick(self.demand, demand_points);
        let services = pick(self.services, service_points);
        let weights: Vec<f64> = self
            .demand
            .iter()
            .map(|&s| problem.demand[s as usize].weight)
            .collect();
        let capacities: Vec<f64> = self
            .services
            .iter()
            .map(|&s| problem.services[s as usize].capacity)
            .collect();
        GridReach::build(
            Side {
                points: &demand,
                values: &weights,
                sites: self.demand,
            },
            Side {
                points: &services,
                values: &capacities,
                sites: self.services,
            },
            reach_key,
        )
    }

    fn solve_with<S: PairSource>(&self, source: &S, sites: &mut [SiteAccess]) -> Vec<ServiceRatio> {
        match WeightKernel::new(self.catchment, self.scale) {
            WeightKernel::FewZones(kernel) => self.passes(source, &kernel, sites),
            WeightKernel::Step(kernel) => self.passes(source, &kernel, sites),
            WeightKernel::Gaussian(kernel) => self.passes(source, &kernel, sites),
        }
    }

    /// The two passes: R_j for every service, then A_i for every demand site.
    fn passes<S: PairSource, K: Kernel>(
        &self,
        source: &S,
        kernel: &K,
        sites: &mut [SiteAccess],
    ) -> Vec<ServiceRatio> {
        let ratios = map_slots(self.execution, source.service_len(), |j| {
            service_ratio(source, kernel, j)
        });
        let columns = RatioColumns::of(&ratios);
        let scale = self.scale;
        let access = map_slots(self.execution, source.demand_len(), |i| {
            site_access(source, kernel, scale, &columns, i)
        });
        for (slot, result) in access.into_iter().enumerate() {
            sites[source.demand_site(slot)] = result;
        }
        ratios
    }
}

/// R_j = S_j / sum_i P_i W(d_ij), flat and weighted, over demand in reach of service `j`.
fn service_ratio<S: PairSource, K: Kernel>(source: &S, kernel: &K, j: usize) -> ServiceRatio {
    let reach = source.reach_key();
    let mut flat = 0.0;
    let mut weighted = 0.0;
    source.visit_demand_near(j, |weight, key| {
        // Pairs beyond reach add +0.0, which leaves the sums' bits unchanged.
        let weight = if key <= reach { weight } else { 0.0 };
        flat += weight;
        weighted += weight * kernel.weight(key);
    });
    let capacity = source.capacity(j);
    let ratio = |denominator: f64| (denominator > 0.0).then(|| capacity / denominator);
    ServiceRatio {
        flat: ratio(flat),
        weighted: ratio(weighted),
    }
}

/// The services' R_j as the A_i pass reads them: undefined ratios as 0.
struct RatioColumns {
    flat: Vec<f64>,
    weighted: Vec<f64>,
}

impl RatioColumns {
    fn of(ratios: &[ServiceRatio]) -> Self {
        RatioColumns {
            flat: ratios.iter().map(|r| r.flat.unwrap_or(0.0)).collect(),
            weighted: ratios.iter().map(|r| r.weighted.unwrap_or(0.0)).collect(),
        }
    }
}

/// A_i = sum_j R_j W(d_ij), flat and weighted, the services in reach and the nearest.
fn site_access<S: PairSource, K: Kernel>(
    source: &S,
    kernel: &K,
    scale: Scale,
    ratios: &RatioColumns,
    i: usize,
) -> SiteAccess {
    let reach = source.reach_key();
    let mut in_reach = 0u32;
    let mut flat = 0.0;
    let mut weighted = 0.0;
    // (key, service index, slot) of the nearest visited, ties to the lowest service index:
    // the nearest in reach whenever any service is in reach.
    let mut nearest = (f64::INFINITY, usize::MAX, usize::MAX);
    source.visit_services_near(i, |j, key| {
        let within = key <= reach;
        in_reach += u32::from(within);
        flat += if within { ratios.flat[j] } else { 0.0 };
        weighted += if within {
            ratios.weighted[j] * kernel.weight(key)
        } else {
            0.0
        };
        if key <= nearest.0 {
            let site = source.service_site(j);
            if key < nearest.0 || site < nearest.1 {
                nearest = (key, site, j);
            }
        }
    });
    let nearest = if in_reach > 0 {
        Some((nearest.2, nearest.0))
    } else {
        source.nearest_service(i)
    };
    SiteAccess {
        nearest: nearest.map(|(slot, key)| Nearest {
            service: source.service_site(slot),
            distance: scale.distance(key),
        }),
        services_in_reach: in_reach,
        accessibility_2sfca: flat,
        accessibility_e2sfca: weighted,
    }
}

/// The need's totals, summed in ascending demand index.
fn summarise(
    problem: &AccessProblem,
    name: &str,
    task: &NeedTask,
    ratios: &[ServiceRatio],
    sites: &[SiteAccess],
) -> NeedSummary {
    let mut summary = NeedSummary {
        need: name.to_string(),
        demand_sites: task.demand.len(),
        demand_weight: 0.0,
        services: task.services.len(),
        pairs_in_reach: 0,
        sites_out_of_reach: 0,
        weight_out_of_reach: 0.0,
        share_out_of_reach: 0.0,
        services_without_demand: ratios.iter().filter(|r| r.flat.is_none()).count(),
        services_without_weighted_demand: ratios
            .iter()
            .filter(|r| r.flat.is_some() && r.weighted.is_none())
            .count(),
    };
    for &index in task.demand {
        let weight = problem.demand[index as usize].weight;
        let access = &sites[index as usize];
        summary.demand_weight += weight;
        summary.pairs_in_reach += u64::from(access.services_in_reach);
        if access.services_in_reach == 0 {
            summary.sites_out_of_reach += 1;
            summary.weight_out_of_reach += weight;
        }
    }
    if summary.demand_weight > 0.0 {
        summary.share_out_of_reach = summary.weight_out_of_reach / summary.demand_weight;
    }
    summary
}

fn all_finite(task: &NeedTask, sites: &[SiteAccess]) -> bool {
    task.demand.iter().all(|&index| {
        let access = &sites[index as usize];
        access.accessibility_2sfca.is_finite()
            && access.accessibility_e2sfca.is_finite()
            && access.nearest.is_none_or(|n| n.distance.is_finite())
    })
}
