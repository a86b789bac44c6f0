//! The access engine: per need, a pass over services computes R_j, then a pass over demand
//! sites computes A_i, the services in reach and the nearest service. Both passes map one
//! worker function over slots, serially or with rayon; each slot's result depends only on
//! the input, so results are bit for bit the same for any thread count.

use rayon::prelude::*;

use super::disk::{nearest_among, Candidate, Disk, DiskGrid, QueryCells, SharedDisk, Stretch};
use super::grid::{gather, map_points, Area};
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
    run(problem, settings, Execution::Serial, Choice::ByDensity)
}

/// Computes access with rayon (on the current pool); same result as [`compute_access`].
pub fn compute_access_parallel(
    problem: &AccessProblem,
    settings: &AccessSettings,
) -> Result<AccessResult, AccessError> {
    run(problem, settings, Execution::Parallel, Choice::ByDensity)
}

/// Computes access with every pass that can use `method` using it, whatever the density
/// (for the tests, which hold both methods to the brute-force reference).
#[cfg(test)]
pub(crate) fn compute_access_by(
    problem: &AccessProblem,
    settings: &AccessSettings,
    parallel: bool,
    method: Method,
) -> Result<AccessResult, AccessError> {
    let choice = Choice::Always(method, Sharing::Always);
    run(problem, settings, Execution::of(parallel), choice)
}

/// As [`compute_access_by`], with the A_i pass's disk sums never shared between the
/// demand points of a query cell (each point sums its own disks).
#[cfg(test)]
pub(crate) fn compute_access_unshared(
    problem: &AccessProblem,
    settings: &AccessSettings,
    parallel: bool,
) -> Result<AccessResult, AccessError> {
    let choice = Choice::Always(Method::DiskSums, Sharing::Never);
    run(problem, settings, Execution::of(parallel), choice)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Execution {
    Serial,
    Parallel,
}

#[cfg(test)]
impl Execution {
    fn of(parallel: bool) -> Execution {
        if parallel {
            Execution::Parallel
        } else {
            Execution::Serial
        }
    }
}

/// How a pass adds up each point's pairs.
///
/// - `Pairs` visits every pair in reach (and a few beyond) through the grids of
///   [`GridReach`]: work in proportion to the pairs.
/// - `DiskSums` adds whole grid cells at once from running sums ([`super::disk`]) and
///   tests only the points in the cells a zone's edge cuts: work in proportion to the
///   disk's rows and edge, whatever it holds. It needs step weights that never rise with
///   distance (see [`super::weights::NestedDisks`]) and a geometric metric; the nearest service still
///   comes from the R-tree.
///
/// Each pass picks by the pairs its points meet on average (see [`Method::for_pass`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Pairs,
    DiskSums,
}

/// Pairs per query point from which a pass takes disk sums. A disk sum of Luo and Qi's
/// three zones costs about as much as enumerating this many pairs, measured on the
/// benchmark cases (`gapmap bench`): county, LSOA and postcode densities.
const DISK_SUMS_FROM_PAIRS: f64 = 400.0;

/// Points per grid cell that disk sums aim for: smaller cells mean more rows per disk,
/// larger ones more points to test along its edge.
const DISK_POINTS_PER_CELL: f64 = 8.0;

impl Method {
    /// The method for a pass whose query points meet `pairs_per_point` pairs on average.
    fn for_pass(pairs_per_point: f64) -> Method {
        if pairs_per_point >= DISK_SUMS_FROM_PAIRS {
            Method::DiskSums
        } else {
            Method::Pairs
        }
    }
}

/// Points per grid cell of the grid the nearest service is searched in, ring by ring: the
/// nearest is usually a cell or two away, and smaller cells test fewer services on the way.
const NEAREST_POINTS_PER_CELL: f64 = 2.0;

/// Rings of disk-grid cells searched for the nearest service before the R-tree is asked.
const NEAREST_RINGS: usize = 4;

/// `work` for every slot in `0..len`, results in slot order, with a scratch value from
/// `init` per thread (its contents never reach a result).
fn map_slots_with<T: Send, S>(
    execution: Execution,
    len: usize,
    init: impl Fn() -> S + Sync + Send,
    work: impl Fn(&mut S, usize) -> T + Sync + Send,
) -> Vec<T> {
    match execution {
        Execution::Serial => {
            let mut scratch = init();
            (0..len).map(|slot| work(&mut scratch, slot)).collect()
        }
        Execution::Parallel => (0..len).into_par_iter().map_init(init, work).collect(),
    }
}

/// How the passes choose their method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    ByDensity,
    #[cfg_attr(not(test), allow(dead_code))]
    Always(Method, Sharing),
}

/// Whether the A_i pass's disk sums are shared by the demand points of a query cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sharing {
    /// When the occupied query cells hold at least [`SHARED_FROM_SLOTS_PER_CELL`] demand
    /// points on average.
    ByOccupancy,
    #[cfg_attr(not(test), allow(dead_code))]
    Always,
    #[cfg_attr(not(test), allow(dead_code))]
    Never,
}

/// Demand points per occupied query cell from which the A_i pass shares disk sums. With
/// fewer, the cell's shared rows serve too few points to pay for themselves and for the
/// finer service grid. Measured on the benchmark cases (query cells of a 24th of the
/// catchment): England's LSOAs (4.9 points an occupied cell) were slower shared (123 ms
/// against 116 ms), the dense county (9.1) and postcodes (13.0) faster (54 ms against 84).
const SHARED_FROM_SLOTS_PER_CELL: f64 = 6.0;

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
    choice: Choice,
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
            choice,
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
    choice: Choice,
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
                self.solve_points(&source, sites)
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
        let demand = gather(self.demand, |s| demand_points[s]);
        let services = gather(self.services, |s| service_points[s]);
        let weights = gather(self.demand, |s| problem.demand[s].weight);
        let capacities = gather(self.services, |s| problem.services[s].capacity);
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
        let kernel = WeightKernel::new(self.catchment, self.scale);
        let ratios = ratios_by_pairs(self.execution, source, &kernel);
        let access = access_by_pairs(self.execution, source, &kernel, self.scale, &ratios);
        place(source, access, sites);
        ratios
    }

    /// The two passes on frame points, each by pairs or by disk sums.
    fn solve_points(&self, source: &GridReach, sites: &mut [SiteAccess]) -> Vec<ServiceRatio> {
        let kernel = WeightKernel::new(self.catchment, self.scale);
        let plan = self.disk_plan(source, &kernel);
        let Some(disks) = plan else {
            return self.solve_with(source, sites);
        };
        let ratios = match disks.services {
            Method::Pairs => ratios_by_pairs(self.execution, source, &kernel),
            Method::DiskSums => disks.ratios(self.execution, source),
        };
        match disks.demand {
            Method::Pairs => place(
                source,
                access_by_pairs(self.execution, source, &kernel, self.scale, &ratios),
                sites,
            ),
            Method::DiskSums => disks.access(self.execution, source, self.scale, &ratios, sites),
        }
        ratios
    }

    /// Disk sums for the passes that take them; `None` when neither does or can.
    fn disk_plan(&self, source: &GridReach, kernel: &WeightKernel) -> Option<DiskPlan> {
        let nested = kernel.nested_disks(source.reach_key())?;
        let points = (0..source.demand_len())
            .map(|i| source.demand_point(i))
            .chain((0..source.service_len()).map(|j| source.service_point(j)));
        let stretch = Stretch::of(points)?;
        let (services, demand) = (source.service_len(), source.demand_len());
        if services == 0 || demand == 0 {
            return None;
        }
        let pairs = source.candidate_pairs().max(1.0);
        let (services, demand, sharing) = match self.choice {
            Choice::ByDensity => (
                Method::for_pass(pairs / services as f64),
                Method::for_pass(pairs / demand as f64),
                Sharing::ByOccupancy,
            ),
            Choice::Always(Method::Pairs, _) => return None,
            Choice::Always(Method::DiskSums, sharing) => {
                (Method::DiskSums, Method::DiskSums, sharing)
            }
        };
        let plan = DiskPlan {
            services,
            demand,
            sharing,
            radius: source.reach_key().sqrt(),
            pairs,
            disks: nested
                .limits
                .iter()
                .map(|&limit| Disk::new(limit, stretch))
                .collect(),
            coefficients: nested.coefficients,
        };
        (plan.services == Method::DiskSums || plan.demand == Method::DiskSums).then_some(plan)
    }
}

/// Puts each demand slot's result in its site's row.
fn place<S: PairSource>(source: &S, access: Vec<SiteAccess>, sites: &mut [SiteAccess]) {
    for (slot, result) in access.into_iter().enumerate() {
        sites[source.demand_site(slot)] = result;
    }
}

/// R_j of every service slot by pair enumeration.
fn ratios_by_pairs<S: PairSource>(
    execution: Execution,
    source: &S,
    kernel: &WeightKernel,
) -> Vec<ServiceRatio> {
    fn each<S: PairSource, K: Kernel>(
        execution: Execution,
        source: &S,
        kernel: &K,
    ) -> Vec<ServiceRatio> {
        map_slots(execution, source.service_len(), |j| {
            service_ratio(source, kernel, j)
        })
    }
    match kernel {
        WeightKernel::FewZones(kernel) => each(execution, source, kernel),
        WeightKernel::Step(kernel) => each(execution, source, kernel),
        WeightKernel::Gaussian(kernel) => each(execution, source, kernel),
    }
}

/// A_i of every demand slot by pair enumeration.
fn access_by_pairs<S: PairSource>(
    execution: Execution,
    source: &S,
    kernel: &WeightKernel,
    scale: Scale,
    ratios: &[ServiceRatio],
) -> Vec<SiteAccess> {
    fn each<S: PairSource, K: Kernel>(
        execution: Execution,
        source: &S,
        kernel: &K,
        scale: Scale,
        columns: &RatioColumns,
    ) -> Vec<SiteAccess> {
        map_slots(execution, source.demand_len(), |i| {
            site_access(source, kernel, scale, columns, i)
        })
    }
    let columns = RatioColumns::of(ratios);
    match kernel {
        WeightKernel::FewZones(kernel) => each(execution, source, kernel, scale, &columns),
        WeightKernel::Step(kernel) => each(execution, source, kernel, scale, &columns),
        WeightKernel::Gaussian(kernel) => each(execution, source, kernel, scale, &columns),
    }
}

/// The disk sums of one need: which passes take them, and the nested disks of its zones.
struct DiskPlan {
    services: Method,
    demand: Method,
    sharing: Sharing,
    /// The catchment in the frame's x-y units.
    radius: f64,
    /// Pairs in reach, about (the candidates of pair enumeration).
    pairs: f64,
    disks: Vec<Disk>,
    coefficients: Vec<f64>,
}

/// The nearest service to demand slot `slot` at `centre`: from `grid`, ring by ring of its
/// cells, or from the spatial index beyond [`NEAREST_RINGS`] rings.
fn nearest(
    grid: &DiskGrid,
    source: &GridReach,
    scale: Scale,
    slot: usize,
    centre: FramePoint,
) -> Option<Nearest> {
    let found = grid
        .nearest(
            centre,
            |service| source.service_site(service) as u32,
            NEAREST_RINGS,
        )
        .unwrap_or_else(|| source.nearest_service(slot));
    nearest_of(source, scale, found)
}

/// The nearest service found, as (service slot, key), as the result gives it.
fn nearest_of(source: &GridReach, scale: Scale, found: Option<(usize, f64)>) -> Option<Nearest> {
    found.map(|(service, key)| Nearest {
        service: source.service_site(service),
        distance: scale.distance(key),
    })
}

impl DiskPlan {
    /// Cells with about `points_per_cell` points where the queries fall (such as
    /// [`DISK_POINTS_PER_CELL`]), for queries that meet `pairs_per_point` pairs within the
    /// catchment; from 1/128 to 1/2 of the catchment.
    fn cell_for(&self, pairs_per_point: f64, points_per_cell: f64) -> f64 {
        let area_per_point = std::f64::consts::PI * self.radius * self.radius / pairs_per_point;
        (points_per_cell * area_per_point)
            .sqrt()
            .clamp(self.radius / 128.0, self.radius / 2.0)
    }

    /// R_j of every service slot from disk sums of demand weight.
    fn ratios(&self, execution: Execution, source: &GridReach) -> Vec<ServiceRatio> {
        let points = map_points(source.demand_len(), |i| source.demand_point(i));
        let grid = DiskGrid::build(
            &points,
            self.cell_for(
                self.pairs / source.service_len() as f64,
                DISK_POINTS_PER_CELL,
            ),
        );
        drop(points);
        let sums = grid.sums(|i| [source.demand_weight(i)]);
        let last = self.disks.len() - 1;
        map_slots(execution, source.service_len(), |j| {
            let centre = source.service_point(j);
            let mut weighted = 0.0;
            let mut flat = 0.0;
            for (k, (disk, &coefficient)) in self.disks.iter().zip(&self.coefficients).enumerate() {
                if coefficient == 0.0 && k != last {
                    continue;
                }
                let [within] = grid.sum_within(&sums, centre, disk);
                weighted += coefficient * within;
                if k == last {
                    flat = within;
                }
            }
            let capacity = source.capacity(j);
            let ratio = |denominator: f64| (denominator > 0.0).then(|| capacity / denominator);
            ServiceRatio {
                flat: ratio(flat),
                weighted: ratio(weighted),
            }
        })
    }

    /// A_i, the services in reach and the nearest of every demand slot, put in its site's
    /// row of `sites`, from disk sums of the services' ratios (and of ones, for the
    /// count). Where the demand points crowd into query cells (see [`Sharing`]), they are
    /// taken a cell at a time ([`DiskPlan::access_shared`]); otherwise each point sums its
    /// own disks ([`DiskPlan::access_each`]). Both count exactly the pairs of pair
    /// enumeration.
    fn access(
        &self,
        execution: Execution,
        source: &GridReach,
        scale: Scale,
        ratios: &[ServiceRatio],
        sites: &mut [SiteAccess],
    ) {
        let points = map_points(source.service_len(), |j| source.service_point(j));
        let near = DiskGrid::build(
            &points,
            self.cell_for(
                self.pairs / source.demand_len() as f64,
                NEAREST_POINTS_PER_CELL,
            ),
        );
        let queries = map_points(source.demand_len(), |i| source.demand_point(i));
        let cells = QueryCells::build(&queries, self.radius / SHARED_QUERY_CELLS_PER_RADIUS);
        drop(queries);
        let shared = match self.sharing {
            Sharing::Always => true,
            Sharing::Never => false,
            Sharing::ByOccupancy => {
                source.demand_len() as f64 >= SHARED_FROM_SLOTS_PER_CELL * cells.len() as f64
            }
        };
        let columns = RatioColumns::of(ratios);
        if shared {
            let grid = DiskGrid::build_within(
                &points,
                self.radius / SHARED_SERVICE_CELLS_PER_RADIUS,
                SHARED_SERVICE_CELL_BUDGET,
            );
            drop(points);
            self.access_shared(
                execution, source, scale, &columns, &near, &grid, &cells, sites,
            );
        } else {
            drop((points, cells));
            let access = self.access_each(execution, source, scale, &columns, &near);
            place(source, access, sites);
        }
    }

    /// A_i of every demand slot, each summing its own disks over `grid`.
    fn access_each(
        &self,
        execution: Execution,
        source: &GridReach,
        scale: Scale,
        columns: &RatioColumns,
        grid: &DiskGrid,
    ) -> Vec<SiteAccess> {
        let reach_sums = grid.sums(|j| [columns.flat[j], columns.weighted[j], 1.0]);
        let zone_sums = grid.sums(|j| [columns.weighted[j]]);
        let last = self.disks.len() - 1;
        map_slots(execution, source.demand_len(), |i| {
            let centre = source.demand_point(i);
            let mut weighted = 0.0;
            for (disk, &coefficient) in self.disks[..last].iter().zip(&self.coefficients) {
                if coefficient != 0.0 {
                    let [within] = grid.sum_within(&zone_sums, centre, disk);
                    weighted += coefficient * within;
                }
            }
            let [flat, within, count] = grid.sum_within(&reach_sums, centre, &self.disks[last]);
            weighted += self.coefficients[last] * within;
            SiteAccess {
                nearest: nearest(grid, source, scale, i, centre),
                services_in_reach: count as u32,
                accessibility_2sfca: flat,
                accessibility_e2sfca: weighted,
            }
        })
    }

    /// A_i of every demand slot, taken a query cell at a time: the cells of services
    /// wholly inside the disk of every slot of the cell are summed once for all of them
    /// (see [`DiskGrid::share`]), which leaves each slot only the services near its disk's
    /// edge to test. The nearest service comes from `near`.
    #[allow(clippy::too_many_arguments)]
    fn access_shared(
        &self,
        execution: Execution,
        source: &GridReach,
        scale: Scale,
        columns: &RatioColumns,
        near: &DiskGrid,
        grid: &DiskGrid,
        cells: &QueryCells,
        sites: &mut [SiteAccess],
    ) {
        let reach_sums = grid.sums(|j| [columns.flat[j], columns.weighted[j], 1.0]);
        let zone_sums = grid.sums(|j| [columns.weighted[j]]);
        let last = self.disks.len() - 1;
        let per_cell = map_slots_with(execution, cells.len(), Shared::default, |shared, cell| {
            let members = cells.members(cell);
            shared.points.clear();
            shared
                .points
                .extend(members.iter().map(|&i| source.demand_point(i as usize)));
            let Some(area) = Area::of(shared.points.iter().map(|p| (p.x, p.y))) else {
                return Vec::new();
            };
            let heights = shared
                .points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), p| {
                    (low.min(p.z), high.max(p.z))
                });
            let candidates = near
                .nearest_candidates(&area, heights, NEAREST_RINGS, &mut shared.nearest)
                .then_some(&shared.nearest);
            // The edge points are ranked by distance from the middle of the cell's points.
            let reference = FramePoint {
                x: (area.x0 + area.x1) / 2.0,
                y: (area.y0 + area.y1) / 2.0,
                z: (heights.0 + heights.1) / 2.0,
            };
            shared.zones.resize_with(last, SharedDisk::default);
            for (k, (disk, zone)) in self.disks[..last].iter().zip(&mut shared.zones).enumerate() {
                if self.coefficients[k] != 0.0 {
                    grid.share(&zone_sums, &area, disk, reference, zone);
                }
            }
            grid.share(
                &reach_sums,
                &area,
                &self.disks[last],
                reference,
                &mut shared.reach,
            );
            members
                .iter()
                .zip(&shared.points)
                .map(|(&i, &centre)| {
                    let mut weighted = 0.0;
                    for (zone, &coefficient) in shared.zones.iter().zip(&self.coefficients) {
                        if coefficient != 0.0 {
                            let [within] = zone.sum_at(centre);
                            weighted += coefficient * within;
                        }
                    }
                    let [flat, within, count] = shared.reach.sum_at(centre);
                    weighted += self.coefficients[last] * within;
                    let nearest = match candidates {
                        Some(candidates) => nearest_of(
                            source,
                            scale,
                            nearest_among(candidates, centre, |service| {
                                source.service_site(service) as u32
                            }),
                        ),
                        None => nearest(near, source, scale, i as usize, centre),
                    };
                    SiteAccess {
                        nearest,
                        services_in_reach: count as u32,
                        accessibility_2sfca: flat,
                        accessibility_e2sfca: weighted,
                    }
                })
                .collect()
        });
        for (cell, results) in per_cell.into_iter().enumerate() {
            for (&i, result) in cells.members(cell).iter().zip(results) {
                sites[source.demand_site(i as usize)] = result;
            }
        }
    }
}

/// What one query cell of the A_i pass shares, kept from cell to cell to spare allocations.
#[derive(Default)]
struct Shared {
    points: Vec<FramePoint>,
    /// The services that can be nearest to the cell's points.
    nearest: Vec<Candidate>,
    zones: Vec<SharedDisk<1>>,
    reach: SharedDisk<3>,
}

/// Service cells per catchment radius for the A_i pass's shared disk sums: fine, since
/// a query cell pays for the rows once and each of its slots only tests the edge.
const SHARED_SERVICE_CELLS_PER_RADIUS: f64 = 32.0;

/// At most this many service cells (running sums of four values each).
const SHARED_SERVICE_CELL_BUDGET: usize = 1 << 21;

/// Query cells per catchment radius: larger cells share more, but widen the edge band
/// every slot of the cell tests. Measured on postcodes (the A_i pass alone, with service
/// cells of a 32nd): a 12th 0.99 s, a 16th 1.0 s, a 24th 0.91 s, a 32nd 1.03 s, a 48th
/// 1.39 s.
const SHARED_QUERY_CELLS_PER_RADIUS: f64 = 24.0;

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
