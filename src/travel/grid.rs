//! A generated road network for benchmarks: a perturbed grid shaped like a county's roads.
//! Junctions sit on a jittered square grid; between neighbouring junctions runs a road with a
//! few shape points (as OpenStreetMap roads have); every 32nd line is a primary road, every
//! 8th a secondary, the rest residential; a few residential blocks are one-way and a few are
//! missing. It goes through the same graph builder as an extract.

use super::graph::{RoadWay, RoadWays};
use super::profile::{CarProfile, Direction};
use crate::rng::SplitMix64;

/// The grid's size and seed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSpec {
    /// Junctions along each side.
    pub side: usize,
    /// Shape points on each road between two junctions.
    pub shape_points: usize,
    /// Distance between neighbouring junctions (m).
    pub spacing_m: f64,
    pub seed: u64,
}

impl GridSpec {
    /// Every point of the grid: junctions and shape points.
    pub fn points(&self) -> usize {
        self.side * self.side + 2 * self.side * (self.side - 1) * self.shape_points
    }
}

/// Generates the grid's ways (lon/lat around 52.6 N, 1.1 W), deterministic for a seed.
pub fn generate_grid(spec: &GridSpec) -> RoadWays {
    let mut rng = SplitMix64::new(spec.seed);
    let n = spec.side;
    let profile = CarProfile::default();
    let speed = |line: usize| {
        let class = if line.is_multiple_of(32) {
            "primary"
        } else if line.is_multiple_of(8) {
            "secondary"
        } else {
            "residential"
        };
        profile.class_speed(class).unwrap_or(25.0)
    };
    let (lat0, lon0) = (52.6f64, -1.1f64);
    let metres_per_degree = 6_371_008.8 * std::f64::consts::PI / 180.0;
    let to_lon_lat = |x: f64, y: f64| {
        [
            lon0 + x / (metres_per_degree * lat0.to_radians().cos()),
            lat0 + y / metres_per_degree,
        ]
    };
    let jitter = |rng: &mut SplitMix64, amount: f64| (rng.unit() - 0.5) * 2.0 * amount;
    let mut points = Vec::with_capacity(spec.points());
    let mut xy = Vec::with_capacity(n * n);
    for row in 0..n {
        for col in 0..n {
            let x = col as f64 * spec.spacing_m + jitter(&mut rng, 0.3 * spec.spacing_m);
            let y = row as f64 * spec.spacing_m + jitter(&mut rng, 0.3 * spec.spacing_m);
            xy.push((x, y));
            points.push(to_lon_lat(x, y));
        }
    }
    let mut ways = Vec::with_capacity(2 * n * (n - 1));
    let mut road = |a: usize, b: usize, line: usize, rng: &mut SplitMix64| {
        let kmh = speed(line);
        let minor = kmh < 30.0;
        if minor && rng.unit() < 0.03 {
            return; // a missing block
        }
        let direction = if minor && rng.unit() < 0.03 {
            if rng.unit() < 0.5 {
                Direction::Forward
            } else {
                Direction::Backward
            }
        } else {
            Direction::Both
        };
        let ((xa, ya), (xb, yb)) = (xy[a], xy[b]);
        let mut chain = vec![a as u32];
        for k in 1..=spec.shape_points {
            let t = k as f64 / (spec.shape_points + 1) as f64;
            let x = xa + t * (xb - xa) + jitter(rng, 0.05 * spec.spacing_m);
            let y = ya + t * (yb - ya) + jitter(rng, 0.05 * spec.spacing_m);
            chain.push(points.len() as u32);
            points.push(to_lon_lat(x, y));
        }
        chain.push(b as u32);
        ways.push(RoadWay {
            id: ways.len() as i64 + 1,
            points: chain,
            direction,
            speed_kmh: kmh,
        });
    };
    for row in 0..n {
        for col in 0..n {
            let here = row * n + col;
            if col + 1 < n {
                road(here, here + 1, row, &mut rng);
            }
            if row + 1 < n {
                road(here, here + n, col, &mut rng);
            }
        }
    }
    RoadWays { points, ways }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::travel::RoadGraph;

    #[test]
    fn a_small_grid_has_the_planned_points_and_one_big_component() {
        let spec = GridSpec {
            side: 20,
            shape_points: 3,
            spacing_m: 200.0,
            seed: 7,
        };
        let ways = generate_grid(&spec);
        // Missing blocks add no shape points, so at most the planned count.
        assert!(ways.points.len() <= spec.points());
        assert!(ways.points.len() > spec.points() * 9 / 10);
        let graph = RoadGraph::build(&ways);
        assert!(graph.stats.junctions > 20 * 20 * 9 / 10);
        assert_eq!(generate_grid(&spec), ways);
    }
}
