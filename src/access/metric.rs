//! Distances. Locations are projected once into the engine's frame, a 3-D Cartesian frame
//! (km for lon/lat, metres for easting/northing), where the squared straight-line length
//! between two points (the pair's *key*) orders pairs exactly as their distance does:
//!
//! - lon/lat: points on a sphere of the Earth's mean radius, in a frame whose z axis goes
//!   through the centre of the inputs (x east, y north, z up, origin on the surface), so the
//!   key is the squared 3-D chord and great-circle km = 2R asin(chord / 2R) exactly;
//!   x and y are also a contraction of the chord, which lets a planar grid find candidates;
//! - easting/northing: metres stay metres, z = 0, and the key is the squared planar
//!   distance in m². Whole-metre coordinates (as ONS and OS publish) then give exact keys
//!   (below 2^53), so a pair exactly 30,000 m apart has a key of exactly 9e8 and is inside
//!   a 30 km catchment: scaling to km first would round 458.123 - 428.123 and could put it
//!   just outside;
//! - travel costs: the key is the matrix's cost itself.
//!
//! Zone and catchment bounds are turned into key limits once (`Scale::key_limit`), and
//! the limits are nudged to the last floating-point key whose distance is within the bound,
//! so "key <= limit" gives bit for bit the same answer as "distance <= bound": thresholds
//! stay inclusive and no pair needs an `asin` to be placed in its zone.

use super::{AccessProblem, Coordinates, Location, Metric};

/// Mean radius of the Earth (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// A location in the engine's frame, km.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct FramePoint {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

/// The key of a pair: its squared length in the frame. Every path of the engine computes
/// it with this expression, in this order, so keys agree bit for bit.
#[inline(always)]
pub(crate) fn key_of(dx: f64, dy: f64, dz: f64) -> f64 {
    dx * dx + dy * dy + dz * dz
}

pub(crate) fn key_between(a: FramePoint, b: FramePoint) -> f64 {
    key_of(a.x - b.x, a.y - b.y, a.z - b.z)
}

/// How a key becomes a distance in the metric's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scale {
    Chord { circuity: f64 },
    Planar { circuity: f64 },
    Cost,
}

impl Scale {
    pub(crate) fn for_metric(metric: Metric) -> Self {
        match metric {
            Metric::GreatCircle { circuity } => Scale::Chord { circuity },
            Metric::Planar { circuity } => Scale::Planar { circuity },
            Metric::TravelCost => Scale::Cost,
        }
    }

    /// The distance of a pair with this key.
    pub(crate) fn distance(self, key: f64) -> f64 {
        match self {
            Scale::Chord { circuity } => {
                let diameter = 2.0 * EARTH_RADIUS_KM;
                circuity * diameter * (key.sqrt() / diameter).min(1.0).asin()
            }
            Scale::Planar { circuity } => circuity * key.sqrt() / METRES_PER_KM,
            Scale::Cost => key,
        }
    }

    /// The largest key whose distance is `<= bound`: `key <= key_limit(b)` exactly when
    /// `distance(key) <= b`. `f64::MAX` when every pair is within `bound`.
    pub(crate) fn key_limit(self, bound: f64) -> f64 {
        if self.distance(f64::MAX) <= bound {
            return f64::MAX;
        }
        let mut key = self.approximate_key(bound).clamp(0.0, f64::MAX);
        for _ in 0..NUDGES {
            if key == 0.0 || self.distance(key) <= bound {
                break;
            }
            key = next_down(key);
        }
        for _ in 0..NUDGES {
            let up = next_up(key);
            if self.distance(up) > bound {
                break;
            }
            key = up;
        }
        key
    }

    fn approximate_key(self, bound: f64) -> f64 {
        match self {
            Scale::Chord { circuity } => {
                let half_angle = (bound / circuity / (2.0 * EARTH_RADIUS_KM)).min(FRAC_PI_2);
                let chord = 2.0 * EARTH_RADIUS_KM * half_angle.sin();
                chord * chord
            }
            Scale::Planar { circuity } => {
                let metres = bound / circuity * METRES_PER_KM;
                metres * metres
            }
            Scale::Cost => bound,
        }
    }
}

const FRAC_PI_2: f64 = std::f64::consts::FRAC_PI_2;
const METRES_PER_KM: f64 = 1000.0;
const NUDGES: usize = 64;

/// Next float up, for non-negative finite `x`.
fn next_up(x: f64) -> f64 {
    if x >= f64::MAX {
        return x;
    }
    f64::from_bits(x.to_bits() + 1)
}

/// Next float down, for positive finite `x`.
fn next_down(x: f64) -> f64 {
    f64::from_bits(x.to_bits() - 1)
}

/// Projection of input locations into the engine's frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Frame {
    /// Tangent frame at a centre point (radians, with its sine and cosine of latitude).
    Sphere {
        centre_lon: f64,
        centre_lat: f64,
        sin_lat: f64,
        cos_lat: f64,
    },
    /// Easting/northing metres as they are.
    Plane,
}

impl Frame {
    /// The frame for a problem: for lon/lat, centred on the normalised mean of every
    /// demand site's and service's unit vector (summed in input order).
    pub(crate) fn for_problem(problem: &AccessProblem) -> Self {
        match problem.coordinates {
            Coordinates::EastingNorthing => Frame::Plane,
            Coordinates::LonLat => {
                let locations = problem
                    .demand
                    .iter()
                    .map(|site| site.location)
                    .chain(problem.services.iter().map(|service| service.location));
                Frame::centred(mean_direction(locations))
            }
        }
    }

    fn centred((lon, lat): (f64, f64)) -> Self {
        let (sin_lat, cos_lat) = lat.sin_cos();
        Frame::Sphere {
            centre_lon: lon,
            centre_lat: lat,
            sin_lat,
            cos_lat,
        }
    }

    pub(crate) fn project(&self, location: Location) -> FramePoint {
        match *self {
            Frame::Plane => FramePoint {
                x: location.x,
                y: location.y,
                z: 0.0,
            },
            Frame::Sphere {
                centre_lon,
                centre_lat,
                sin_lat: sin_lat0,
                cos_lat: cos_lat0,
            } => {
                let lat = location.y.to_radians();
                let dlon = location.x.to_radians() - centre_lon;
                let (sin_lat, cos_lat) = lat.sin_cos();
                let half = (dlon / 2.0).sin();
                let r = EARTH_RADIUS_KM;
                // East and north, written so that nearby points keep full relative precision.
                let x = r * cos_lat * dlon.sin();
                let y = r * ((lat - centre_lat).sin() + 2.0 * cos_lat * sin_lat0 * half * half);
                let up = sin_lat * sin_lat0 + cos_lat * cos_lat0 * dlon.cos();
                let plane = x * x + y * y;
                // Height below the tangent plane: -plane / (R + sqrt(R² - plane)) on the near
                // hemisphere (no cancellation), R·up - R on the far one.
                let z = if up >= 0.0 {
                    -plane / (r + (r * r - plane).max(0.0).sqrt())
                } else {
                    r * up - r
                };
                FramePoint { x, y, z }
            }
        }
    }
}

/// (lon, lat) in radians of the normalised sum of unit vectors; (0, 0) when they cancel.
fn mean_direction(locations: impl Iterator<Item = Location>) -> (f64, f64) {
    let (mut sx, mut sy, mut sz) = (0.0, 0.0, 0.0);
    for location in locations {
        let (sin_lat, cos_lat) = location.y.to_radians().sin_cos();
        let (sin_lon, cos_lon) = location.x.to_radians().sin_cos();
        sx += cos_lat * cos_lon;
        sy += cos_lat * sin_lon;
        sz += sin_lat;
    }
    let norm = (sx * sx + sy * sy + sz * sz).sqrt();
    if norm.is_nan() || norm <= 1e-9 {
        return (0.0, 0.0);
    }
    (sy.atan2(sx), (sz / norm).clamp(-1.0, 1.0).asin())
}

/// Great-circle km between two lon/lat points by the haversine formula: an independent
/// check on the frame's chord lengths.
pub fn haversine_km(a: Location, b: Location) -> f64 {
    let (lat1, lat2) = (a.y.to_radians(), b.y.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.x - a.x).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}
