//! Which demand sites and services of one need are within reach of each other.
//! [`PairSource`] is what the engine's two passes ask; [`GridReach`] answers it for
//! geometric metrics with two uniform grids (and an R-tree for the nearest service beyond
//! the catchment); the travel-cost matrix answers it in [`super::matrix`].
//!
//! Sources number the need's demand sites and services by *slot*, in an order of their
//! choosing (grid order here), fixed for a given input: every query visits pairs in the same
//! order whatever the thread count.

use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::grid::{gather, plane_of, Grid};
use super::metric::{key_between, key_of, FramePoint};

/// The pairs of one need within reach of each other.
///
/// The `visit_*_near` methods visit every pair within reach, and may visit some beyond it
/// (key above [`PairSource::reach_key`]): callers mask those, which keeps the hot loops free
/// of unpredictable branches.
pub(crate) trait PairSource: Sync {
    fn demand_len(&self) -> usize;
    fn service_len(&self) -> usize;
    /// Index into the problem's demand of a demand slot.
    fn demand_site(&self, demand: usize) -> usize;
    /// Index into the problem's services of a service slot.
    fn service_site(&self, service: usize) -> usize;
    fn capacity(&self, service: usize) -> f64;
    /// Pairs with a key `<=` this are within reach.
    fn reach_key(&self) -> f64;
    /// Calls `visit(weight, key)` for the demand sites near a service, in a fixed order.
    fn visit_demand_near(&self, service: usize, visit: impl FnMut(f64, f64));
    /// Calls `visit(service slot, key)` for the services near a demand site, in a fixed
    /// order.
    fn visit_services_near(&self, demand: usize, visit: impl FnMut(usize, f64));
    /// The nearest service of all, as (service slot, key), ties to the lowest service
    /// index; asked only for sites with no service in reach.
    fn nearest_service(&self, demand: usize) -> Option<(usize, f64)>;
}

/// One side of a need (its demand sites or its services), in grid order.
struct Cloud {
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    /// Weight of a demand site, capacity of a service.
    value: Vec<f64>,
    site: Vec<u32>,
    grid: Grid,
}

impl Cloud {
    fn build(side: &Side, cell: f64) -> Cloud {
        let plane = plane_of(side.points);
        let (grid, order) = Grid::build(&plane, cell);
        drop(plane);
        Cloud {
            x: gather(&order, |k| side.points[k].x),
            y: gather(&order, |k| side.points[k].y),
            z: gather(&order, |k| side.points[k].z),
            value: gather(&order, |k| side.values[k]),
            site: gather(&order, |k| side.sites[k]),
            grid,
        }
    }

    fn point(&self, slot: usize) -> FramePoint {
        FramePoint {
            x: self.x[slot],
            y: self.y[slot],
            z: self.z[slot],
        }
    }

    /// Calls `visit(slot, key)` for the points in the grid cells that meet the disc of
    /// `plane_radius` around `centre`: every point within that distance, and some beyond.
    #[inline]
    fn visit_near(&self, centre: FramePoint, plane_radius: f64, mut visit: impl FnMut(usize, f64)) {
        self.grid
            .for_each_range(centre.x, centre.y, plane_radius, |start, end| {
                let xs = &self.x[start..end];
                let ys = &self.y[start..end];
                let zs = &self.z[start..end];
                for (offset, ((x, y), z)) in xs.iter().zip(ys).zip(zs).enumerate() {
                    visit(
                        start + offset,
                        key_of(x - centre.x, y - centre.y, z - centre.z),
                    );
                }
            });
    }
}

/// One side of a need's input to [`GridReach::build`]: frame points, weights or
/// capacities, and site indices, in the need's order.
pub(crate) struct Side<'a> {
    pub points: &'a [FramePoint],
    pub values: &'a [f64],
    pub sites: &'a [u32],
}

/// Pairs within reach found with uniform grids.
pub(crate) struct GridReach {
    reach_key: f64,
    /// Radius of the disc in the x-y plane that holds every pair within reach, with a
    /// margin for rounding (the plane is a contraction of the frame).
    plane_radius: f64,
    demand: Cloud,
    services: Cloud,
    service_tree: RTree<GeomWithData<[f64; 3], u32>>,
}

impl GridReach {
    pub(crate) fn build(demand: Side, services: Side, reach_key: f64) -> GridReach {
        let plane_radius = reach_key.sqrt() * (1.0 + 1e-9) + 1e-9;
        // Fine cells for the demand grid (queried once per service, with thousands of
        // candidates each), coarser for the services (queried once per demand site).
        let (demand, (services, service_tree)) = rayon::join(
            || Cloud::build(&demand, plane_radius / DEMAND_CELLS_PER_RADIUS),
            || {
                let services = Cloud::build(&services, plane_radius / SERVICE_CELLS_PER_RADIUS);
                let entries = (0..services.site.len())
                    .map(|slot| {
                        let p = services.point(slot);
                        GeomWithData::new([p.x, p.y, p.z], slot as u32)
                    })
                    .collect();
                (services, RTree::bulk_load(entries))
            },
        );
        GridReach {
            reach_key,
            plane_radius,
            demand,
            services,
            service_tree,
        }
    }
}

impl GridReach {
    /// The frame point of a demand slot.
    pub(crate) fn demand_point(&self, demand: usize) -> FramePoint {
        self.demand.point(demand)
    }

    /// The frame point of a service slot.
    pub(crate) fn service_point(&self, service: usize) -> FramePoint {
        self.services.point(service)
    }

    /// The weight of a demand slot.
    pub(crate) fn demand_weight(&self, demand: usize) -> f64 {
        self.demand.value[demand]
    }

    /// The pairs a pair enumeration would visit (every pair in reach, and some a little
    /// beyond), counted from the side with fewer points over the other side's grid:
    /// every point up to [`SAMPLED_POINTS`], evenly spaced points beyond, scaled up.
    pub(crate) fn candidate_pairs(&self) -> f64 {
        let (queries, points) = if self.services.site.len() <= self.demand.site.len() {
            (&self.services, &self.demand)
        } else {
            (&self.demand, &self.services)
        };
        let stride = queries.site.len().div_ceil(SAMPLED_POINTS).max(1);
        let mut candidates = 0usize;
        for slot in (0..queries.site.len()).step_by(stride) {
            let centre = queries.point(slot);
            points
                .grid
                .for_each_range(centre.x, centre.y, self.plane_radius, |start, end| {
                    candidates += end - start;
                });
        }
        candidates as f64 * stride as f64
    }
}

/// How many points of the smaller side [`GridReach::candidate_pairs`] queries at most.
const SAMPLED_POINTS: usize = 20_000;

const DEMAND_CELLS_PER_RADIUS: f64 = 8.0;
const SERVICE_CELLS_PER_RADIUS: f64 = 4.0;

impl PairSource for GridReach {
    fn demand_len(&self) -> usize {
        self.demand.site.len()
    }

    fn service_len(&self) -> usize {
        self.services.site.len()
    }

    fn demand_site(&self, demand: usize) -> usize {
        self.demand.site[demand] as usize
    }

    fn service_site(&self, service: usize) -> usize {
        self.services.site[service] as usize
    }

    fn capacity(&self, service: usize) -> f64 {
        self.services.value[service]
    }

    fn reach_key(&self) -> f64 {
        self.reach_key
    }

    #[inline]
    fn visit_demand_near(&self, service: usize, mut visit: impl FnMut(f64, f64)) {
        let centre = self.services.point(service);
        let weights = &self.demand.value;
        self.demand
            .visit_near(centre, self.plane_radius, |slot, key| {
                visit(weights[slot], key)
            });
    }

    #[inline]
    fn visit_services_near(&self, demand: usize, visit: impl FnMut(usize, f64)) {
        let centre = self.demand.point(demand);
        self.services.visit_near(centre, self.plane_radius, visit);
    }

    fn nearest_service(&self, demand: usize) -> Option<(usize, f64)> {
        let centre = self.demand.point(demand);
        let query = [centre.x, centre.y, centre.z];
        let mut best: Option<(f64, u32, usize)> = None;
        let mut first_distance = None;
        for (entry, distance_2) in self
            .service_tree
            .nearest_neighbor_iter_with_distance_2(&query)
        {
            // The tree's squared distance may differ from the key in the last bits: keep
            // looking a little past the first hit, then rank by key and service index.
            let first = *first_distance.get_or_insert(distance_2);
            if distance_2 > first * (1.0 + 1e-9) + 1e-12 {
                break;
            }
            let slot = entry.data as usize;
            let key = key_between(centre, self.services.point(slot));
            let candidate = (key, self.services.site[slot], slot);
            if best.is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1)) {
                best = Some(candidate);
            }
        }
        best.map(|(key, _, slot)| (slot, key))
    }
}
