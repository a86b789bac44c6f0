//! The cost of driving: whole milliseconds and whole millimetres, so sums are exact in any
//! order and two routings of the same graph agree to the last digit. Each is held in 32 bits
//! (up to 49 days and 4,294 km, far beyond any drive in Great Britain; a larger sum stops at
//! the maximum rather than wrapping), which halves the memory a matrix and a search use.

use std::ops::{Add, Sub};

/// Driving time and length. Ordered by time, then length: the fastest route, and of equally
/// fast routes the shortest, so the length reported is never a matter of chance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cost {
    pub time_ms: u32,
    pub length_mm: u32,
}

impl Cost {
    pub const ZERO: Cost = Cost {
        time_ms: 0,
        length_mm: 0,
    };
    pub const UNREACHED: Cost = Cost {
        time_ms: u32::MAX,
        length_mm: u32::MAX,
    };

    /// The cost of `length_m` metres at `speed_kmh`, each rounded to the nearest unit.
    pub fn of_length(length_m: f64, speed_kmh: f64) -> Cost {
        Cost {
            time_ms: (length_m / (speed_kmh / 3.6) * 1000.0).round() as u32,
            length_mm: (length_m * 1000.0).round() as u32,
        }
    }

    /// `fraction` (0 to 1) of this cost, each part rounded: never more than the whole.
    pub fn part(self, fraction: f64) -> Cost {
        let f = fraction.clamp(0.0, 1.0);
        Cost {
            time_ms: ((self.time_ms as f64 * f).round() as u32).min(self.time_ms),
            length_mm: ((self.length_mm as f64 * f).round() as u32).min(self.length_mm),
        }
    }

    /// Time in the high 32 bits, length in the low: ordered exactly as `Cost` is.
    pub fn packed(self) -> u64 {
        (u64::from(self.time_ms) << 32) | u64::from(self.length_mm)
    }

    pub fn minutes(self) -> f64 {
        self.time_ms as f64 / 60_000.0
    }

    pub fn km(self) -> f64 {
        self.length_mm as f64 / 1_000_000.0
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, other: Cost) -> Cost {
        Cost {
            time_ms: self.time_ms.saturating_add(other.time_ms),
            length_mm: self.length_mm.saturating_add(other.length_mm),
        }
    }
}

impl Sub for Cost {
    type Output = Cost;
    /// Only for parts of a whole (`self >= other` in both fields).
    fn sub(self, other: Cost) -> Cost {
        Cost {
            time_ms: self.time_ms.saturating_sub(other.time_ms),
            length_mm: self.length_mm.saturating_sub(other.length_mm),
        }
    }
}

/// Metres between two lon/lat points on the great circle (haversine, mean Earth radius
/// 6,371,008.8 m, as gapmap's straight-line distances).
pub fn great_circle_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    const RADIUS_M: f64 = 6_371_008.8;
    let (lat1, lat2) = (a[1].to_radians(), b[1].to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b[0] - a[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_of_a_kilometre_at_60() {
        // 1 km at 60 km/h is one minute.
        assert_eq!(
            Cost::of_length(1000.0, 60.0),
            Cost {
                time_ms: 60_000,
                length_mm: 1_000_000
            }
        );
        let c = Cost::of_length(1000.0, 60.0);
        assert_eq!(c.part(0.25).time_ms, 15_000);
        assert_eq!(c.part(0.25) + (c - c.part(0.25)), c);
        // Packing keeps the order: time first, then length.
        let slower_shorter = Cost {
            time_ms: 60_001,
            length_mm: 1,
        };
        assert!(c < slower_shorter && c.packed() < slower_shorter.packed());
        let same_time_longer = Cost {
            time_ms: 60_000,
            length_mm: 1_000_001,
        };
        assert!(c < same_time_longer && c.packed() < same_time_longer.packed());
    }

    #[test]
    fn great_circle_of_one_degree_of_latitude() {
        // 2 pi R / 360.
        let expected = 2.0 * std::f64::consts::PI * 6_371_008.8 / 360.0;
        assert!((great_circle_m([0.0, 52.0], [0.0, 53.0]) - expected).abs() < 1e-6);
    }
}
