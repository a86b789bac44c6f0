//! Valid polygons on the grid gapmap writes coordinates to.
//!
//! GeoJSON output keeps [`DECIMALS`] decimal places of a degree (about 0.1 m). Rounding a
//! polygon computed in floating point to that grid can collapse a sliver into a ring of two
//! distinct points, or make two edges meet, which GDAL, GEOS and QGIS then report as
//! invalid. Dissolving generalised small areas makes such slivers wherever neighbouring
//! boundaries do not meet exactly. So polygons are resolved on the output grid itself:
//! coordinates are scaled to whole millionths of a degree, resolved by `i_overlay`'s
//! integer overlay with OGC-valid extraction (no self-touching rings, holes touching the
//! shell at most at a point), and parts and holes smaller than an area tolerance dropped.
//! Every coordinate of the result is a grid point, so writing it to [`DECIMALS`] places
//! changes nothing.
//!
//! This module owns only the geometry; reading and writing files is [`crate::io::geojson`].

mod interior_point;

pub use interior_point::interior_point;

use geo::orient::{Direction, Orient};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{IntOverlayOptions, Overlay};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::i_float::int::point::IntPoint;
use i_overlay::i_shape::int::shape::{IntContour, IntShape};

/// Decimal places of a degree kept in written coordinates.
pub const DECIMALS: i32 = 6;

/// Grid points per degree.
const SCALE: f64 = 1e6;

/// Area in square metres of one grid cell (a millionth of a degree square) at the equator,
/// on a sphere of radius 6,371,008.8 m; a cell at latitude φ is this times cos φ.
const CELL_M2_AT_EQUATOR: f64 = {
    let side = 6_371_008.8 * std::f64::consts::PI / 180.0 / SCALE;
    side * side
};

/// Default smallest part or hole (square metres) kept when small areas are dissolved into
/// districts: slivers left where generalised boundaries do not meet exactly are far
/// smaller (typically well under 1 m²), real enclaves far larger.
pub const DEFAULT_MIN_AREA_M2: f64 = 1000.0;

/// The union of `polygons` (overlaps merged, holes kept) on the output grid, as an
/// OGC-valid multipolygon whose every coordinate has at most [`DECIMALS`] decimals. Parts
/// and holes smaller than `min_area_m2` square metres are left out (0 keeps every one that
/// the grid can hold). Polygons may be wound either way. Coordinates are WGS84 degrees.
///
/// ```
/// use geo::polygon;
/// // Two squares sharing an edge, one of whose copies is off by a few nanodegrees.
/// let a = polygon![(x: 0.0, y: 0.0), (x: 0.001, y: 0.0), (x: 0.001, y: 0.001), (x: 0.0, y: 0.001)];
/// let b = polygon![(x: 0.001000003, y: 0.0), (x: 0.002, y: 0.0), (x: 0.002, y: 0.001), (x: 0.001, y: 0.001)];
/// let union = gapmap::geometry::union_on_grid([&a, &b], 1.0);
/// assert_eq!(union.0.len(), 1);
/// assert!(union.0[0].interiors().is_empty());
/// ```
pub fn union_on_grid<'a>(
    polygons: impl IntoIterator<Item = &'a Polygon<f64>>,
    min_area_m2: f64,
) -> MultiPolygon<f64> {
    let shapes: Vec<IntShape> = polygons.into_iter().filter_map(int_shape).collect();
    if shapes.is_empty() {
        return MultiPolygon(Vec::new());
    }
    let options = IntOverlayOptions {
        min_output_area: min_area_cells(&shapes, min_area_m2),
        ..IntOverlayOptions::ogc()
    };
    // One thread: the result must not depend on how a parallel sort splits its work.
    let solver = Solver {
        multithreading: None,
        ..Solver::AUTO
    };
    let resolved = Overlay::with_shapes_options(&shapes, &[], options, solver)
        .overlay(OverlayRule::Subject, FillRule::NonZero);
    MultiPolygon(resolved.iter().filter_map(polygon_of).collect())
}

/// `geometry` made valid on the output grid, with nothing dropped that the grid can hold.
pub fn valid_on_grid(geometry: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    union_on_grid(&geometry.0, 0.0)
}

/// A polygon as integer contours, the shell counter-clockwise and holes clockwise, so that
/// with the non-zero fill rule overlapping parts merge and holes stay empty.
fn int_shape(polygon: &Polygon<f64>) -> Option<IntShape> {
    let oriented = polygon.orient(Direction::Default);
    let shell = int_contour(oriented.exterior())?;
    let mut shape = vec![shell];
    shape.extend(oriented.interiors().iter().filter_map(int_contour));
    Some(shape)
}

/// A ring's grid points without its closing repeat; `None` when it has no area on the grid.
fn int_contour(ring: &LineString<f64>) -> Option<IntContour> {
    let mut points: IntContour = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let p = IntPoint::new(to_grid(c.x), to_grid(c.y));
        if points.last() != Some(&p) {
            points.push(p);
        }
    }
    if points.len() > 1 && points.first() == points.last() {
        points.pop();
    }
    (points.len() >= 3).then_some(points)
}

fn to_grid(v: f64) -> i32 {
    // WGS84 degrees times 1e6 lie within ±1.8e8, well inside i32.
    (v * SCALE).round() as i32
}

fn from_grid(p: IntPoint) -> Coord<f64> {
    Coord {
        x: f64::from(p.x) / SCALE,
        y: f64::from(p.y) / SCALE,
    }
}

/// The tolerance in grid cells, at the latitude of the middle of the shapes' extent.
fn min_area_cells(shapes: &[IntShape], min_area_m2: f64) -> u64 {
    if min_area_m2 <= 0.0 {
        return 0;
    }
    let (mut low, mut high) = (i32::MAX, i32::MIN);
    for p in shapes.iter().flatten().flatten() {
        low = low.min(p.y);
        high = high.max(p.y);
    }
    let latitude = (f64::from(low) + f64::from(high)) / 2.0 / SCALE;
    let cell_m2 = CELL_M2_AT_EQUATOR * latitude.to_radians().cos().max(1e-6);
    (min_area_m2 / cell_m2).ceil() as u64
}

fn polygon_of(shape: &IntShape) -> Option<Polygon<f64>> {
    let mut rings = shape
        .iter()
        .map(|contour| LineString(contour.iter().map(|p| from_grid(*p)).collect()));
    let exterior = rings.next()?;
    // Polygon::new closes each ring.
    Some(Polygon::new(exterior, rings.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::algorithm::validation::Validation;
    use geo::{polygon, Area, Winding};

    fn on_grid(mp: &MultiPolygon<f64>) -> bool {
        let round = |v: f64| (v * SCALE).round() / SCALE;
        mp.0.iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|r| r.0.iter())
            .all(|c| round(c.x) == c.x && round(c.y) == c.y)
    }

    #[test]
    fn a_sliver_between_neighbours_is_dropped_and_the_union_is_valid() {
        // Two 0.01° squares near Melton; the right one's shared edge is indented 2e-6° (about
        // 13 cm) over 0.002° of its length, leaving a thin triangular hole of
        // 0.5 x 0.002 x 2e-6 = 2e-9 degrees², about 15 m², between them: a sliver, below the
        // tolerance.
        let left = polygon![(x: -0.90, y: 52.76), (x: -0.89, y: 52.76), (x: -0.89, y: 52.77), (x: -0.90, y: 52.77)];
        let right = polygon![
            (x: -0.89, y: 52.76), (x: -0.88, y: 52.76), (x: -0.88, y: 52.77), (x: -0.89, y: 52.77),
            (x: -0.89, y: 52.766), (x: -0.889998, y: 52.765), (x: -0.89, y: 52.764)
        ];
        let with_sliver = union_on_grid([&left, &right], 0.0);
        assert_eq!(with_sliver.0[0].interiors().len(), 1, "{with_sliver:?}");
        let union = union_on_grid([&left, &right], DEFAULT_MIN_AREA_M2);
        assert_eq!(union.0.len(), 1, "{union:?}");
        assert!(union.0[0].interiors().is_empty(), "{union:?}");
        assert!(union.is_valid(), "{:?}", union.validation_errors());
        assert!(on_grid(&union));
        assert!(union.0[0].exterior().is_ccw());
        // 0.02° x 0.01°, the sliver filled in.
        assert!((union.unsigned_area() - 0.0002).abs() < 1e-9);
    }

    #[test]
    fn holes_and_parts_below_the_tolerance_go_and_larger_ones_stay() {
        // A 0.01° square with a 0.0001° hole (about 7.5 m x 11 m, ~ 75 m²) and a 0.001° hole
        // (~ 7,500 m²), beside an island of 0.0001° square (~ 75 m²).
        let shell = polygon!(
            exterior: [(x: 0.0, y: 52.0), (x: 0.01, y: 52.0), (x: 0.01, y: 52.01), (x: 0.0, y: 52.01)],
            interiors: [
                [(x: 0.001, y: 52.001), (x: 0.0011, y: 52.001), (x: 0.0011, y: 52.0011), (x: 0.001, y: 52.0011)],
                [(x: 0.005, y: 52.005), (x: 0.006, y: 52.005), (x: 0.006, y: 52.006), (x: 0.005, y: 52.006)],
            ],
        );
        let island = polygon![(x: 0.02, y: 52.0), (x: 0.0201, y: 52.0), (x: 0.0201, y: 52.0001), (x: 0.02, y: 52.0001)];
        let kept = union_on_grid([&shell, &island], DEFAULT_MIN_AREA_M2);
        assert_eq!(kept.0.len(), 1);
        assert_eq!(kept.0[0].interiors().len(), 1);
        assert!(kept.is_valid());
        let all = union_on_grid([&shell, &island], 0.0);
        assert_eq!(all.0.len(), 2);
        assert_eq!(all.0.iter().map(|p| p.interiors().len()).sum::<usize>(), 2);
    }

    #[test]
    fn a_ring_touching_itself_becomes_a_valid_polygon() {
        // A square whose shell pinches in to touch itself at (1, 1) from the top edge,
        // enclosing a triangle that is outside the polygon (an "inverted hole").
        let pinched = polygon![
            (x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 1.5, y: 2.0),
            (x: 1.0, y: 1.0), (x: 0.5, y: 2.0), (x: 1.0, y: 1.0), (x: 0.0, y: 2.0)
        ];
        // Not a made-up worry: geo flags it.
        assert!(!pinched.is_valid());
        let fixed = valid_on_grid(&MultiPolygon(vec![pinched.clone()]));
        assert!(fixed.is_valid(), "{:?}", fixed.validation_errors());
        assert!((fixed.unsigned_area() - pinched.unsigned_area()).abs() < 1e-9);
    }

    #[test]
    fn overlapping_parts_merge_and_holes_of_either_winding_stay_holes() {
        let a = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)],
            interiors: [[(x: 0.1, y: 0.1), (x: 0.2, y: 0.1), (x: 0.2, y: 0.2), (x: 0.1, y: 0.2)]],
        );
        let b = polygon![(x: 0.5, y: 0.5), (x: 1.5, y: 0.5), (x: 1.5, y: 1.5), (x: 0.5, y: 1.5)];
        let union = union_on_grid([&a, &b], 0.0);
        assert_eq!(union.0.len(), 1);
        assert_eq!(union.0[0].interiors().len(), 1);
        // 1 + 1 - 0.25 overlap - 0.01 hole.
        assert!((union.unsigned_area() - 1.74).abs() < 1e-9);
        assert!(union.is_valid());
    }
}
