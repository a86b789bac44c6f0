use geo::{Area, Contains, Coord, LineString, MultiPolygon, Polygon};

use super::*;

/// A polygon from points in thousandths of a degree (about 111 m of latitude).
fn poly(points: &[(f64, f64)]) -> MultiPolygon<f64> {
    let ring: Vec<Coord<f64>> = points
        .iter()
        .map(|&(x, y)| Coord {
            x: x / 1000.0,
            y: 52.0 + y / 1000.0,
        })
        .collect();
    MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
}

/// A feature's simplified polygons in degrees.
fn feature(t: &Topology, f: usize) -> MultiPolygon<f64> {
    MultiPolygon(
        t.features[f]
            .iter()
            .map(|rings| {
                let mut rings = rings.iter().map(|r| {
                    LineString(
                        t.ring_points(r)
                            .iter()
                            .map(|p| Coord {
                                x: p.0 as f64 / SCALE,
                                y: p.1 as f64 / SCALE,
                            })
                            .collect(),
                    )
                });
                let exterior = rings.next().expect("an exterior");
                Polygon::new(exterior, rings.collect())
            })
            .collect(),
    )
}

#[test]
fn neighbours_share_one_simplified_edge() {
    // Two squares whose shared edge zigzags by 1 unit (about 70-110 m).
    let zigzag = [
        (10.0, 0.0),
        (11.0, 3.0),
        (9.0, 5.0),
        (11.0, 7.0),
        (10.0, 10.0),
    ];
    let mut left = vec![(0.0, 0.0)];
    left.extend(zigzag);
    left.push((0.0, 10.0));
    let mut right: Vec<(f64, f64)> = zigzag.iter().rev().copied().collect();
    right.extend([(20.0, 0.0), (20.0, 10.0)]);
    let (a, b) = (poly(&left), poly(&right));
    let t = simplify(&[&a, &b], 500.0);
    // The shared edge is one arc, used forwards by one square and backwards by the other.
    let arcs = |f: usize| -> Vec<usize> {
        t.features[f][0][0]
            .iter()
            .map(|&r| if r < 0 { !r } else { r } as usize)
            .collect()
    };
    let shared: Vec<usize> = arcs(0)
        .into_iter()
        .filter(|x| arcs(1).contains(x))
        .collect();
    assert_eq!(shared.len(), 1, "{t:?}");
    // With 500 m of tolerance the zigzag is straightened to its two ends.
    assert_eq!(t.arcs[shared[0]].len(), 2);
    // The two squares tile the 20 x 10 rectangle exactly: no gap, no overlap.
    let total = feature(&t, 0).unsigned_area() + feature(&t, 1).unsigned_area();
    let whole = poly(&[(0.0, 0.0), (20.0, 0.0), (20.0, 10.0), (0.0, 10.0)]).unsigned_area();
    assert!((total - whole).abs() < 1e-12, "{total} against {whole}");
}

#[test]
fn a_shortcut_never_jumps_over_another_area() {
    // A square with a dent 1 unit deep in its top edge, and a small triangle sitting in
    // the dent (outside the square).
    let dented = [
        (0.0, 0.0),
        (10.0, 0.0),
        (10.0, 10.0),
        (6.0, 10.0),
        (5.0, 9.0),
        (4.0, 10.0),
        (0.0, 10.0),
    ];
    let triangle = [(4.8, 9.8), (5.2, 9.8), (5.0, 9.95)];
    let (a, b) = (poly(&dented), poly(&triangle));
    // Alone, 500 m of tolerance fills the dent (it is 111 m deep).
    let alone = simplify(&[&a], 500.0);
    let dent = (500, 5_200_900);
    assert!(
        !alone.arcs.iter().flatten().any(|p| *p == dent),
        "{alone:?}"
    );
    // With the triangle there, the dent stays and the triangle stays outside the square.
    let t = simplify(&[&a, &b], 500.0);
    assert!(t.arcs.iter().flatten().any(|p| *p == dent), "{t:?}");
    let square = feature(&t, 0);
    for p in feature(&t, 1).0[0].exterior().points() {
        assert!(
            !square.contains(&p),
            "{p:?} is inside the simplified square"
        );
    }
}

#[test]
fn an_island_keeps_three_points() {
    // A tiny triangle, far below the tolerance, stays a triangle.
    let t = simplify(&[&poly(&[(0.0, 0.0), (0.1, 0.0), (0.05, 0.05)])], 1000.0);
    assert_eq!(t.ring_points(&t.features[0][0][0]).len(), 4);
}

/// The sample's 396 LSOAs (real ONS boundaries, generalised).
pub(crate) fn sample_lsoas() -> Vec<MultiPolygon<f64>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/lsoa11.geojson");
    let text = std::fs::read_to_string(path).expect("sample LSOAs");
    let collection: geojson::FeatureCollection = text.parse().expect("GeoJSON");
    collection
        .features
        .into_iter()
        .map(|f| {
            let g: geo::Geometry<f64> = f.geometry.expect("geometry").try_into().expect("geo");
            match g {
                geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
                geo::Geometry::MultiPolygon(m) => m,
                other => panic!("not a polygon: {other:?}"),
            }
        })
        .collect()
}

/// Whether segments `p1-p2` and `q1-q2` cross at a point inside both (touching ends and
/// collinear overlaps excepted), exactly.
fn cross(p1: GridPoint, p2: GridPoint, q1: GridPoint, q2: GridPoint) -> bool {
    let o = |a: GridPoint, b: GridPoint, c: GridPoint| {
        (i128::from(b.0 - a.0) * i128::from(c.1 - a.1)
            - i128::from(b.1 - a.1) * i128::from(c.0 - a.0))
        .signum()
    };
    let (d1, d2, d3, d4) = (o(q1, q2, p1), o(q1, q2, p2), o(p1, p2, q1), o(p1, p2, q2));
    d1 * d2 < 0 && d3 * d4 < 0
}

#[test]
fn the_sample_lsoas_simplify_without_gaps_overlaps_or_crossings() {
    let layer = sample_lsoas();
    let refs: Vec<&MultiPolygon<f64>> = layer.iter().collect();
    // The boundaries are already generalised (points some 20-50 m apart): at 60 m,
    // fewer than half their points are left.
    let original = simplify(&refs, 0.0).vertex_count();
    let t = simplify(&refs, 60.0);
    assert_eq!(t.features.len(), 396);
    assert!(
        t.vertex_count() * 2 < original,
        "{} of {original}",
        t.vertex_count()
    );
    let simplified: Vec<MultiPolygon<f64>> = (0..layer.len()).map(|f| feature(&t, f)).collect();
    // No overlaps: the areas add up to the area of their union.
    let sum: f64 = simplified.iter().map(|m| m.unsigned_area()).sum();
    let polygons: Vec<&Polygon<f64>> = simplified.iter().flat_map(|m| m.iter()).collect();
    let union = crate::geometry::union_on_grid(polygons.iter().copied(), 0.0);
    let union_area = union.unsigned_area();
    assert!(
        (sum - union_area).abs() < 1e-6 * union_area,
        "areas {sum} against union {union_area}"
    );
    // No gaps: the union has the shape of the original union (one part per original part,
    // one hole per original hole: the city).
    let before_polygons: Vec<&Polygon<f64>> = layer.iter().flat_map(|m| m.iter()).collect();
    let before = crate::geometry::union_on_grid(before_polygons.iter().copied(), 0.0);
    let holes = |m: &MultiPolygon<f64>| m.iter().map(|p| p.interiors().len()).sum::<usize>();
    assert_eq!(union.0.len(), before.0.len());
    assert_eq!(holes(&union), holes(&before));
    // And no two edges of the simplified layer cross (checked pair by pair).
    let segments: Vec<(GridPoint, GridPoint)> = t
        .arcs
        .iter()
        .flat_map(|a| a.windows(2).map(|w| (w[0], w[1])))
        .collect();
    let boxes: Vec<(i64, i64, i64, i64)> = segments
        .iter()
        .map(|(a, b)| (a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1)))
        .collect();
    for i in 0..segments.len() {
        for j in i + 1..segments.len() {
            let (b, c) = (boxes[i], boxes[j]);
            if b.0 > c.2 || c.0 > b.2 || b.1 > c.3 || c.1 > b.3 {
                continue;
            }
            let (p, q) = (segments[i], segments[j]);
            assert!(!cross(p.0, p.1, q.0, q.1), "{p:?} crosses {q:?}");
        }
    }
}

/// Junctions as first written: a hash map from each point to the first pair of neighbours
/// seen there, marked when another ring through it has another pair.
fn junctions_by_map(rings: &[Vec<GridPoint>]) -> Vec<GridPoint> {
    let mut seen: FxHashMap<GridPoint, ((GridPoint, GridPoint), bool)> = FxHashMap::default();
    for ring in rings {
        for (i, &p) in ring.iter().enumerate() {
            let (a, b) = around(ring, i);
            let pair = (a.min(b), a.max(b));
            seen.entry(p)
                .and_modify(|(first, junction)| *junction |= *first != pair)
                .or_insert((pair, false));
        }
    }
    let mut out: Vec<GridPoint> = seen
        .into_iter()
        .filter(|(_, (_, junction))| *junction)
        .map(|(p, _)| p)
        .collect();
    out.sort_unstable();
    out
}

/// The sorted list finds the junctions the hash map found, on real boundaries (32-bit
/// points) and on the same boundaries moved beyond 32 bits (wide points).
#[test]
fn junctions_are_those_a_map_of_neighbours_finds() {
    let layer = sample_lsoas();
    let refs: Vec<&MultiPolygon<f64>> = layer.iter().collect();
    let rings = Rings::new(&refs).rings;
    let expected = junctions_by_map(&rings);
    assert!(expected.len() > 100, "{} junctions", expected.len());
    assert_eq!(junctions(&rings), expected);
    let far: Vec<Vec<GridPoint>> = rings
        .iter()
        .map(|r| {
            r.iter()
                .map(|&(x, y)| (x + (1 << 40), y - (1 << 40)))
                .collect()
        })
        .collect();
    assert_eq!(junctions(&far), junctions_by_map(&far));
    assert_eq!(junctions(&far).len(), expected.len());
}

/// The bucket grid finds a vertex in a box exactly when a scan of every vertex does: boxes
/// of every size (inside, overlapping, around and beyond the layer), edges included, on
/// clustered vertices and on vertices along one line.
#[test]
fn the_vertex_grid_answers_as_a_scan_of_every_vertex() {
    let mut rng = crate::rng::SplitMix64::new(5);
    let clustered: Vec<Vec<GridPoint>> = (0..300)
        .map(|k| {
            let centre = ((k % 7) as i64 * 40_000, (k % 3) as i64 * 25_000);
            (0..2 + rng.below(20))
                .map(|_| {
                    (
                        centre.0 + rng.below(3_000) as i64,
                        centre.1 + rng.below(3_000) as i64,
                    )
                })
                .collect()
        })
        .collect();
    let line: Vec<Vec<GridPoint>> = vec![(0..500).map(|i| (i * 37, 1_000)).collect()];
    for arcs in [clustered, line] {
        let grid = VertexGrid::new(&arcs);
        let all: Vec<(GridPoint, usize, usize)> = arcs
            .iter()
            .enumerate()
            .flat_map(|(a, arc)| arc.iter().enumerate().map(move |(i, &p)| (p, a, i)))
            .collect();
        let mut hits = 0;
        for q in 0..3_000 {
            let corner = (
                rng.below(300_000) as i64 - 20_000,
                rng.below(80_000) as i64 - 10_000,
            );
            let size = [10, 1_000, 30_000, 400_000][q % 4];
            let hi = (
                corner.0 + rng.below(size) as i64,
                corner.1 + rng.below(size) as i64,
            );
            // A vertex on the box's edge counts: use a vertex as a corner now and then.
            let (lo, hi) = if q % 5 == 0 {
                let (p, _, _) = all[rng.below(all.len())];
                (p, (p.0 + rng.below(50) as i64, p.1 + rng.below(50) as i64))
            } else {
                (corner, hi)
            };
            // Only some vertices pass the test, as in the shortcut test.
            let test = |p: GridPoint, a: usize, i: usize| (p.0 + p.1 + (a + i) as i64) % 3 == 0;
            let expected = all.iter().any(|&(p, a, i)| {
                p.0 >= lo.0 && p.0 <= hi.0 && p.1 >= lo.1 && p.1 <= hi.1 && test(p, a, i)
            });
            hits += usize::from(expected);
            assert_eq!(grid.any_in(lo, hi, test), expected, "box {lo:?} to {hi:?}");
        }
        assert!(hits > 100, "{hits} boxes with a vertex");
    }
}
