//! The run's distances from where a leaving provider's users start to the services that
//! could take them: great-circle km times circuity, or the run's travel-cost matrix (a
//! file, or drive times computed over the `[travel]` network), in its unit.
//!
//! A person's origin in a matrix is their person id when the matrix has it, otherwise the
//! code of the small area they live in, as in the access analysis. A service's users
//! re-placed from the service start from the code of the small area the service lies in.
//! A pair the matrix lacks is estimated by straight line when the config allows it
//! (`analysis.missing_pairs = "straight_line"`), and otherwise counted and left out of
//! reach.
//!
//! With straight lines, services are found through a grid of cells a little wider than
//! the catchment, so only the services in the cells around an origin are measured.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use geo::Point;

use super::users::Origin;
use crate::access::metric::haversine_km;
use crate::access::Location;
use crate::analyse::travel::{Distances, MissingPairs, TravelCostUnit};
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Demand, ServiceStatus};

/// Kilometres in one degree of latitude, rounded down (so a cell is never narrower than
/// the catchment).
const KM_PER_DEGREE: f64 = 111.0;

/// Distances from origins to active services.
pub struct Reach<'a> {
    inputs: &'a Inputs,
    placement: &'a Placement,
    distances: &'a Distances,
    pub catchment: f64,
    /// Active services by lot, ascending.
    by_lot: Vec<Vec<u32>>,
    grid: Option<Grid>,
    /// Pairs a matrix lacked and the config did not allow to estimate.
    pub missing: AtomicUsize,
}

/// Active services bucketed by cell of latitude and longitude.
struct Grid {
    lat_step: f64,
    lon_step: f64,
    cells: HashMap<(i64, i64), Vec<u32>>,
}

impl Grid {
    fn cell(&self, p: Point<f64>) -> (i64, i64) {
        (
            (p.y() / self.lat_step).floor() as i64,
            (p.x() / self.lon_step).floor() as i64,
        )
    }
}

fn location(p: Point<f64>) -> Location {
    Location { x: p.x(), y: p.y() }
}

impl<'a> Reach<'a> {
    pub fn new(
        inputs: &'a Inputs,
        placement: &'a Placement,
        distances: &'a Distances,
        lots: usize,
        catchment: f64,
    ) -> Reach<'a> {
        let mut by_lot = vec![Vec::new(); lots];
        for (j, s) in inputs.services.iter().enumerate() {
            if s.status == ServiceStatus::Active {
                for &l in &s.lots {
                    if by_lot[l].last() != Some(&(j as u32)) {
                        by_lot[l].push(j as u32);
                    }
                }
            }
        }
        let grid = match distances {
            Distances::StraightLine { circuity } => grid(inputs, catchment / circuity),
            Distances::Matrix { .. } => None,
        };
        Reach {
            inputs,
            placement,
            distances,
            catchment,
            by_lot,
            grid,
            missing: AtomicUsize::new(0),
        }
    }

    /// Services of `lot` for which `keep` holds, within the catchment of `origin` at
    /// `from`, as (service, cost), ascending by service.
    pub fn within(
        &self,
        origin: Origin,
        from: Point<f64>,
        lot: usize,
        keep: &dyn Fn(usize) -> bool,
        out: &mut Vec<(usize, f64)>,
    ) {
        out.clear();
        let candidates = &self.by_lot[lot];
        let mut consider = |j: usize| {
            if !keep(j) {
                return;
            }
            if let Some(c) = self.cost(origin, from, j) {
                if c <= self.catchment {
                    out.push((j, c));
                }
            }
        };
        match &self.grid {
            Some(grid) => {
                let (r, c) = grid.cell(from);
                for dr in -1..=1 {
                    for dc in -1..=1 {
                        let Some(cell) = grid.cells.get(&(r + dr, c + dc)) else {
                            continue;
                        };
                        for &j in cell {
                            if self.inputs.services[j as usize].lots.contains(&lot) {
                                consider(j as usize);
                            }
                        }
                    }
                }
                out.sort_by_key(|e| e.0);
            }
            None => candidates.iter().for_each(|&j| consider(j as usize)),
        }
    }

    /// The cost from `origin` (at `from`) to service `j`, in the run's unit; `None` when a
    /// matrix lacks the pair and may not be estimated.
    pub fn cost(&self, origin: Origin, from: Point<f64>, j: usize) -> Option<f64> {
        let to = self.inputs.services[j].location;
        let straight = |circuity: f64| haversine_km(location(from), location(to)) * circuity;
        match self.distances {
            Distances::StraightLine { circuity } => Some(straight(*circuity)),
            Distances::Matrix {
                costs,
                missing,
                circuity,
                speed_kmh,
            } => {
                let service = &self.inputs.services[j].id;
                let found = self
                    .origin_keys(origin)
                    .into_iter()
                    .flatten()
                    .find_map(|key| costs.matrix.cost(key, service));
                match (found, missing) {
                    (Some(c), _) => Some(c),
                    (None, MissingPairs::StraightLine) => match (costs.unit, speed_kmh) {
                        (TravelCostUnit::Minutes, Some(speed)) => {
                            Some(straight(*circuity) / speed * 60.0)
                        }
                        (TravelCostUnit::Minutes, None) => {
                            self.missing.fetch_add(1, Ordering::Relaxed);
                            None
                        }
                        (TravelCostUnit::Km, _) => Some(straight(*circuity)),
                    },
                    (None, MissingPairs::Error) => {
                        self.missing.fetch_add(1, Ordering::Relaxed);
                        None
                    }
                }
            }
        }
    }

    /// The matrix keys an origin may have, in the order tried.
    fn origin_keys(&self, origin: Origin) -> [Option<&str>; 2] {
        let area_code = |area: Option<usize>| area.map(|a| self.inputs.areas[a].code.as_str());
        match origin {
            Origin::Person(k) => {
                let id = match &self.inputs.demand {
                    Demand::People(people) => people.get(k).map(|p| p.person_id.as_str()),
                    Demand::Aggregated(_) => None,
                };
                [id, area_code(self.placement.person_area.get(k).copied())]
            }
            Origin::Service(j) => [
                area_code(self.placement.service_area.get(j).copied().flatten()),
                None,
            ],
        }
    }
}

/// The grid for straight lines of up to `radius_km` great-circle km; `None` (measure every
/// service) near the poles, where cells of longitude would be too wide to help.
fn grid(inputs: &Inputs, radius_km: f64) -> Option<Grid> {
    let people = match &inputs.demand {
        Demand::People(p) => p.iter().map(|p| p.location.y().abs()).fold(0.0, f64::max),
        Demand::Aggregated(_) => 0.0,
    };
    let highest = inputs
        .services
        .iter()
        .map(|s| s.location.y().abs())
        .fold(people, f64::max);
    if !(radius_km.is_finite() && radius_km > 0.0) || highest > 80.0 {
        return None;
    }
    // A tenth wider than needed: along a parallel the great circle is a little shorter.
    let lat_step = radius_km / KM_PER_DEGREE * 1.1;
    let lon_step = lat_step / (highest + lat_step).min(89.0).to_radians().cos();
    let mut grid = Grid {
        lat_step,
        lon_step,
        cells: HashMap::new(),
    };
    for (j, s) in inputs.services.iter().enumerate() {
        if s.status == ServiceStatus::Active {
            let cell = grid.cell(s.location);
            grid.cells.entry(cell).or_default().push(j as u32);
        }
    }
    Some(grid)
}
