//! Seeded synthetic access problems with town-like clustering, for tests and benchmarks.
//! Towns sit uniformly in the extent with Zipf sizes (the k-th town has weight 1/k) and a
//! Gaussian scatter that widens with size; a tenth of the points are rural (uniform). The
//! same spec always gives the same problem, on any machine (SplitMix64, no dependency).

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

use super::{AccessProblem, Coordinates, DemandSite, Location, ServiceSite};

/// The box the points fall in, in British National Grid metres.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extent {
    /// A 100 km square (a shire county such as Leicestershire).
    County,
    /// A 500 x 600 km box holding England's 130,000 km² of towns and country.
    England,
}

impl Extent {
    /// (west, south, east, north), metres.
    fn bounds(self) -> (f64, f64, f64, f64) {
        match self {
            Extent::County => (400_000.0, 250_000.0, 500_000.0, 350_000.0),
            Extent::England => (100_000.0, 50_000.0, 600_000.0, 650_000.0),
        }
    }

    /// Scatter (standard deviation, m) of the largest and the smallest towns.
    fn town_spread(self) -> (f64, f64) {
        match self {
            Extent::County => (5_000.0, 1_000.0),
            Extent::England => (10_000.0, 1_500.0),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SynthSpec {
    pub extent: Extent,
    /// Lon/lat (for the great-circle metric) or easting/northing (planar).
    pub coordinates: Coordinates,
    pub demand_sites: usize,
    pub services: usize,
    pub towns: usize,
    /// Need categories; each demand site has one, each service one or more.
    pub needs: usize,
    /// Share of services marked inactive.
    pub inactive_share: f64,
    pub seed: u64,
}

impl SynthSpec {
    /// One need, all services active, lon/lat, 40 towns in a county or 300 in England.
    pub fn new(extent: Extent, demand_sites: usize, services: usize) -> Self {
        SynthSpec {
            extent,
            coordinates: Coordinates::LonLat,
            demand_sites,
            services,
            towns: match extent {
                Extent::County => 40,
                Extent::England => 300,
            },
            needs: 1,
            inactive_share: 0.0,
            seed: 1,
        }
    }
}

/// Generates a problem.
///
/// ```
/// # use gapmap::access::*;
/// let problem = synth(&SynthSpec::new(Extent::County, 400, 70));
/// assert_eq!((problem.demand.len(), problem.services.len()), (400, 70));
/// ```
pub fn synth(spec: &SynthSpec) -> AccessProblem {
    let mut rng = SplitMix64::new(spec.seed);
    let towns = Towns::place(spec, &mut rng);
    let needs = spec.needs.max(1);
    let demand = (0..spec.demand_sites)
        .map(|index| DemandSite {
            id: format!("D{index}"),
            location: towns.sample(spec, &mut rng),
            weight: 1.0 + 19.0 * rng.unit(),
            need: rng.below(needs),
        })
        .collect();
    let services = (0..spec.services)
        .map(|index| ServiceSite {
            id: format!("S{index}"),
            location: towns.sample(spec, &mut rng),
            capacity: (10.0 + 50.0 * rng.unit()).round(),
            needs: service_needs(needs, &mut rng),
            active: rng.unit() >= spec.inactive_share,
        })
        .collect();
    AccessProblem {
        coordinates: spec.coordinates,
        needs: (0..needs).map(|n| format!("need {}", n + 1)).collect(),
        demand,
        services,
        travel_costs: None,
    }
}

/// One need at random, and each other need with probability 0.3, ascending.
fn service_needs(needs: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let main = rng.below(needs);
    (0..needs)
        .filter(|&n| n == main || rng.unit() < 0.3)
        .collect()
}

/// Share of points placed uniformly rather than in a town.
const RURAL_SHARE: f64 = 0.1;

struct Town {
    x: f64,
    y: f64,
    spread: f64,
}

struct Towns {
    towns: Vec<Town>,
    /// Cumulative Zipf weights, for picking a town.
    cumulative: Vec<f64>,
}

impl Towns {
    fn place(spec: &SynthSpec, rng: &mut SplitMix64) -> Towns {
        let (west, south, east, north) = spec.extent.bounds();
        let (largest, smallest) = spec.extent.town_spread();
        let count = spec.towns.max(1);
        let mut towns = Vec::with_capacity(count);
        let mut cumulative = Vec::with_capacity(count);
        let mut total = 0.0;
        for k in 0..count {
            let size = 1.0 / (k + 1) as f64;
            let margin = 0.05;
            towns.push(Town {
                x: west + (east - west) * (margin + (1.0 - 2.0 * margin) * rng.unit()),
                y: south + (north - south) * (margin + (1.0 - 2.0 * margin) * rng.unit()),
                spread: (largest * size.sqrt()).max(smallest),
            });
            total += size;
            cumulative.push(total);
        }
        Towns { towns, cumulative }
    }

    /// A point in a town (or rural), in the spec's coordinates.
    fn sample(&self, spec: &SynthSpec, rng: &mut SplitMix64) -> Location {
        let (west, south, east, north) = spec.extent.bounds();
        let (x, y) = if rng.unit() < RURAL_SHARE {
            (
                west + (east - west) * rng.unit(),
                south + (north - south) * rng.unit(),
            )
        } else {
            let total = self.cumulative.last().copied().unwrap_or(1.0);
            let pick = rng.unit() * total;
            let k = self
                .cumulative
                .partition_point(|&c| c <= pick)
                .min(self.towns.len() - 1);
            let town = &self.towns[k];
            let (dx, dy) = rng.gaussian_pair();
            (
                (town.x + town.spread * dx).clamp(west, east),
                (town.y + town.spread * dy).clamp(south, north),
            )
        };
        match spec.coordinates {
            Coordinates::EastingNorthing => Location { x, y },
            Coordinates::LonLat => to_lon_lat(spec.extent, x, y),
        }
    }
}

/// Grid metres to lon/lat, equirectangular about the box's centre (placed near Leicester):
/// synthetic points need plausible degrees, not the Ordnance Survey's transformation.
fn to_lon_lat(extent: Extent, x: f64, y: f64) -> Location {
    let (west, south, east, north) = extent.bounds();
    let (lon0, lat0): (f64, f64) = (-1.2, 52.6);
    let km_per_degree = 111.2;
    let north_km = (y - (south + north) / 2.0) / 1000.0;
    let east_km = (x - (west + east) / 2.0) / 1000.0;
    Location {
        x: lon0 + east_km / (km_per_degree * lat0.to_radians().cos()),
        y: lat0 + north_km / km_per_degree,
    }
}
