//! The interior point geo gives a polygon (`geo::InteriorPoint`), found without its general
//! machinery: the same point, bit for bit, in a fraction of the time.
//!
//! geo scans a horizontal line through the middle of the polygon's bounds, finds where it
//! crosses the boundary with its sweep over every segment (pairs of boundary segments
//! included, though only crossings with the scan line are kept), and takes the middle of
//! the longest stretch of the line inside, checked with the full DE-9IM relation. Here each
//! segment meets only the scan line, with the same `line_intersection` call in the order
//! geo's sweep makes it, and the stretch is checked by the point's position in the polygon
//! (inside, on the boundary or outside), which is what the relation was asked. A polygon
//! where that order could differ (a coordinate of exactly zero, whose sign geo's sweep and
//! bounds may read differently) or where a boundary segment is the scan line itself is left
//! to geo.

use std::cmp::Ordering;

use geo::coordinate_position::CoordPos;
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{
    BoundingRect, Coord, CoordinatePosition, CoordsIter, InteriorPoint, Line, LinesIter,
    MultiPolygon, Point, Polygon,
};

/// The interior point of `geometry`, as `geo::InteriorPoint` gives it: of each polygon's
/// point, the one on the longest stretch of its scan line inside.
pub fn interior_point(geometry: &MultiPolygon<f64>) -> Option<Point<f64>> {
    let mut found = Vec::with_capacity(geometry.0.len());
    for polygon in geometry {
        match polygon_point(polygon) {
            Ok(point) => found.extend(point),
            Err(LeftToGeo) => return geometry.interior_point(),
        }
    }
    found
        .into_iter()
        .min_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(Ordering::Less))
        .map(|(point, _)| point)
}

/// A polygon whose point is left to geo (see the module's notes).
struct LeftToGeo;

/// A polygon's interior point and the length of the stretch of scan line it is the middle
/// of (zero on the boundary), as geo finds them.
fn polygon_point(polygon: &Polygon<f64>) -> Result<Option<(Point<f64>, f64)>, LeftToGeo> {
    if polygon.exterior().0.len() == 1 {
        return Ok(Some((polygon.exterior().0[0].into(), 0.0)));
    }
    if polygon.coords_iter().any(|c| c.x == 0.0) {
        return Err(LeftToGeo);
    }
    let Some(bounds) = polygon.bounding_rect() else {
        return Ok(None);
    };
    let mut y_mid = (bounds.min().y + bounds.max().y) / 2.0;
    if polygon.coords_iter().any(|c| c.y == y_mid) {
        let next_closest = polygon
            .coords_iter()
            .filter(|c| c.y != y_mid)
            .map(|c| (c.y, (c.y - y_mid).abs()))
            .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(Ordering::Less));
        if let Some((closest, _)) = next_closest {
            y_mid = (y_mid + closest) / 2.0;
        }
    }
    let scan = Line::new(
        Coord {
            x: bounds.min().x,
            y: y_mid,
        },
        Coord {
            x: bounds.max().x,
            y: y_mid,
        },
    );
    let mut crossings: Vec<f64> = Vec::new();
    for line in polygon.lines_iter() {
        if line == scan {
            return Err(LeftToGeo);
        }
        // geo's sweep orders segments by their least x, stably, with the scan line (given
        // last) after those that start where it does: it meets those as (segment, scan)
        // and the rest as (scan, segment).
        let least = if line.start.x < line.end.x {
            line.start.x
        } else {
            line.end.x
        };
        let found = if least.total_cmp(&scan.start.x) == Ordering::Equal {
            line_intersection(line, scan)
        } else {
            line_intersection(scan, line)
        };
        match found {
            Some(LineIntersection::Collinear { intersection }) => {
                crossings.push(intersection.start.x);
                crossings.push(intersection.end.x);
            }
            Some(LineIntersection::SinglePoint { intersection, .. }) => {
                crossings.push(intersection.x);
            }
            None => {}
        }
    }
    crossings.sort_by(f64::total_cmp);
    let mut stretches: Vec<(f64, f64)> = crossings
        .windows(2)
        .map(|w| ((w[0] + w[1]) / 2.0, w[1] - w[0]))
        .collect();
    stretches.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (x, length) in stretches {
        let middle = Point::new(x, y_mid);
        match polygon.coordinate_position(&middle.0) {
            CoordPos::Inside => return Ok(Some((middle, length))),
            CoordPos::OnBoundary => return Ok(Some((middle, 0.0))),
            CoordPos::Outside => {}
        }
    }
    Ok(polygon.coords_iter().next().map(|c| (c.into(), 0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::LineString;

    /// A ring of `n` points at random angles around a centre, at random radii: star shapes,
    /// crescents and near-degenerate slivers.
    fn random_ring(
        rng: &mut crate::rng::SplitMix64,
        centre: Coord<f64>,
        n: usize,
    ) -> LineString<f64> {
        let mut angles: Vec<f64> = (0..n).map(|_| rng.unit() * std::f64::consts::TAU).collect();
        angles.sort_by(f64::total_cmp);
        let mut ring: Vec<Coord<f64>> = angles
            .iter()
            .map(|a| {
                let r = 0.001 + rng.unit() * 0.02;
                Coord {
                    x: centre.x + r * a.cos(),
                    y: centre.y + r * a.sin(),
                }
            })
            .collect();
        ring.push(ring[0]);
        LineString(ring)
    }

    /// The same point as geo's, bit for bit, on random polygons (some with a hole, some in
    /// two parts, some with vertices on a grid so that the scan line meets vertices and
    /// runs along edges) and on every real small area of the shared boundaries.
    #[test]
    fn the_point_is_geos_to_the_bit() {
        let mut rng = crate::rng::SplitMix64::new(11);
        let mut checked = 0;
        for case in 0..4000 {
            let centre = Coord {
                x: -1.5 + rng.unit(),
                y: 52.0 + rng.unit(),
            };
            let n = 3 + rng.below(30);
            let mut exterior = random_ring(&mut rng, centre, n);
            if case % 4 == 1 {
                // On a coarse grid: shared y values and horizontal edges.
                for c in &mut exterior.0 {
                    c.x = (c.x * 500.0).round() / 500.0;
                    c.y = (c.y * 500.0).round() / 500.0;
                }
            }
            let holes = if case % 3 == 0 {
                let hole: Vec<Coord<f64>> = random_ring(&mut rng, centre, 5)
                    .0
                    .iter()
                    .map(|c| Coord {
                        x: centre.x + (c.x - centre.x) * 0.05,
                        y: centre.y + (c.y - centre.y) * 0.05,
                    })
                    .collect();
                vec![LineString(hole)]
            } else {
                Vec::new()
            };
            let mut polygons = vec![Polygon::new(exterior, holes)];
            if case % 5 == 0 {
                let other = Coord {
                    x: centre.x + 0.05,
                    y: centre.y,
                };
                let n = 4 + rng.below(8);
                polygons.push(Polygon::new(random_ring(&mut rng, other, n), vec![]));
            }
            let geometry = MultiPolygon(polygons);
            let ours = interior_point(&geometry).map(|p| (p.x().to_bits(), p.y().to_bits()));
            let geos = geometry
                .interior_point()
                .map(|p| (p.x().to_bits(), p.y().to_bits()));
            assert_eq!(ours, geos, "case {case}: {geometry:?}");
            checked += 1;
        }
        assert_eq!(checked, 4000);
        for (i, area) in crate::publish::topology::tests::sample_lsoas()
            .iter()
            .enumerate()
        {
            let ours = interior_point(area).map(|p| (p.x().to_bits(), p.y().to_bits()));
            let geos = area
                .interior_point()
                .map(|p| (p.x().to_bits(), p.y().to_bits()));
            assert_eq!(ours, geos, "small area {i}");
        }
    }
}
