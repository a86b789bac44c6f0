//! A polygon layer simplified for the screen without gaps or overlaps between neighbours.
//!
//! Coordinates are rounded to a grid of [`SCALE`] points per degree (about a metre), then the
//! layer is cut into *arcs*: the stretches of boundary between the points where three or
//! more areas meet (or where two boundaries part), each stored once however many rings use
//! it, as TopoJSON does. Each arc is simplified once (Douglas-Peucker, its ends fixed), so
//! neighbours keep sharing exactly the same edge: no gap or overlap can open between them.
//!
//! Simplifying arcs one at a time could still make one arc cross another, or jump over a
//! small island. A shortcut is therefore taken only when the region it cuts off (between
//! the stretch of arc it replaces and the straight segment) holds no vertex of the layer
//! other than its own. With the layer's own boundaries not crossing, that is enough for no
//! two simplified arcs to cross either (a crossing needs a vertex of one arc inside the
//! region the other cut off). Each ring keeps at least three points, so no area vanishes.
//!
//! This module owns the geometry only; the report's interactive maps encode it
//! ([`crate::publish::report`]).

use geo::MultiPolygon;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::access::grid::Grid;

/// Grid points per degree: 1e-5 of a degree is 1.1 m of latitude, finer than a screen
/// pixel at the closest zoom the report allows.
pub const SCALE: f64 = 1e5;

/// A grid point: longitude and latitude in 1/[`SCALE`] of a degree.
pub type GridPoint = (i64, i64);

/// An arc used backwards is referred to as `!index` (a negative number), as in TopoJSON.
pub type ArcRef = i32;

/// A simplified layer: shared arcs, and each feature's polygons as rings of arcs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Each arc's points on the grid, simplified; the first and last are junctions (or the
    /// same point, for a ring that meets no other boundary).
    pub arcs: Vec<Vec<GridPoint>>,
    /// Per feature, per polygon, per ring (exterior first): the arcs, in order.
    pub features: Vec<Vec<Vec<Vec<ArcRef>>>>,
}

impl Topology {
    /// The points of a ring, closed (its first point repeated at the end).
    pub fn ring_points(&self, ring: &[ArcRef]) -> Vec<GridPoint> {
        let mut out: Vec<GridPoint> = Vec::new();
        for &r in ring {
            let (arc, backwards) = if r < 0 {
                (&self.arcs[!r as usize], true)
            } else {
                (&self.arcs[r as usize], false)
            };
            let points: Box<dyn Iterator<Item = &GridPoint>> = if backwards {
                Box::new(arc.iter().rev())
            } else {
                Box::new(arc.iter())
            };
            for (i, p) in points.enumerate() {
                if i > 0 || out.is_empty() {
                    out.push(*p);
                }
            }
        }
        out
    }

    /// Every point of every arc, counted once.
    pub fn vertex_count(&self) -> usize {
        self.arcs.iter().map(Vec::len).sum()
    }
}

/// Simplifies a layer: `tolerance_m` is how far (metres) a simplified boundary may stray
/// from the original.
pub fn simplify(layer: &[&MultiPolygon<f64>], tolerance_m: f64) -> Topology {
    Prepared::new(layer).simplify(tolerance_m)
}

/// A layer cut into shared arcs, with every vertex indexed: ready to be simplified at any
/// tolerance without cutting it again.
pub struct Prepared {
    features: Vec<Vec<Vec<usize>>>,
    ring_arcs: Vec<Vec<ArcRef>>,
    arcs: Vec<Vec<GridPoint>>,
    metres: Metres,
    vertices: VertexGrid,
}

impl Prepared {
    pub fn new(layer: &[&MultiPolygon<f64>]) -> Prepared {
        let Rings { rings, features } = Rings::new(layer);
        let junctions = junctions(&rings);
        let mut arcs = Arcs::default();
        let ring_arcs: Vec<Vec<ArcRef>> = rings
            .iter()
            .map(|ring| arcs.cut(ring, &junctions))
            .collect();
        // What cutting needed goes before the index is built, the most the layer holds.
        drop((junctions, rings));
        let Arcs {
            points: arcs,
            index,
        } = arcs;
        drop(index);
        let vertices = VertexGrid::new(&arcs);
        Prepared {
            features,
            ring_arcs,
            metres: Metres::new(&arcs),
            arcs,
            vertices,
        }
    }

    /// Every point of every arc before simplifying, counted once: no simplification of the
    /// layer keeps more.
    pub fn vertex_count(&self) -> usize {
        self.arcs.iter().map(Vec::len).sum()
    }

    /// The layer simplified to `tolerance_m` metres. Arcs are simplified in parallel: each
    /// depends only on the original vertices, so the result does not depend on the order.
    pub fn simplify(&self, tolerance_m: f64) -> Topology {
        let simplifier = Simplifier {
            arcs: &self.arcs,
            metres: self.metres,
            tolerance: tolerance_m,
            vertices: &self.vertices,
        };
        let mut kept: Vec<Vec<bool>> = (0..self.arcs.len())
            .into_par_iter()
            .map(|a| simplifier.arc(a))
            .collect();
        // No ring may fall below three distinct points: split its longest straightened arc.
        for ring in &self.ring_arcs {
            while simplifier.distinct_points(&kept, ring) < 3 {
                if !simplifier.split_one(&mut kept, ring) {
                    break;
                }
            }
        }
        let features = self
            .features
            .iter()
            .map(|polygons| {
                polygons
                    .iter()
                    .map(|ring_ids| {
                        ring_ids
                            .iter()
                            .map(|&r| self.ring_arcs[r].clone())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Topology {
            arcs: simplifier.kept_arcs(&kept),
            features,
        }
    }
}

/// The layer's rings on the grid, open (no repeated closing point), and which feature and
/// polygon each belongs to.
struct Rings {
    rings: Vec<Vec<GridPoint>>,
    /// Per feature, per polygon: ring indices, exterior first.
    features: Vec<Vec<Vec<usize>>>,
}

fn to_grid(x: f64, y: f64) -> GridPoint {
    ((x * SCALE).round() as i64, (y * SCALE).round() as i64)
}

impl Rings {
    fn new(layer: &[&MultiPolygon<f64>]) -> Rings {
        let mut rings = Vec::new();
        let mut features = Vec::new();
        for geometry in layer {
            let mut polygons = Vec::new();
            for polygon in geometry.iter() {
                let mut ids = Vec::new();
                for (i, ring) in std::iter::once(polygon.exterior())
                    .chain(polygon.interiors())
                    .enumerate()
                {
                    let mut points: Vec<GridPoint> = Vec::with_capacity(ring.0.len());
                    for c in ring.coords().filter(|c| c.x.is_finite() && c.y.is_finite()) {
                        let p = to_grid(c.x, c.y);
                        if points.last() != Some(&p) {
                            points.push(p);
                        }
                    }
                    while points.len() > 1 && points.first() == points.last() {
                        points.pop();
                    }
                    if points.len() < 3 {
                        // A ring smaller than the grid: an exterior takes its polygon with it.
                        if i == 0 {
                            break;
                        }
                        continue;
                    }
                    ids.push(rings.len());
                    rings.push(points);
                }
                if !ids.is_empty() {
                    polygons.push(ids);
                }
            }
            features.push(polygons);
        }
        Rings { rings, features }
    }
}

fn around<T: Copy>(ring: &[T], i: usize) -> (T, T) {
    let n = ring.len();
    (ring[(i + n - 1) % n], ring[(i + 1) % n])
}

/// The points where boundaries meet or part, ascending: a point is a junction when the
/// rings through it do not all have the same two neighbours there.
///
/// Every ring point is listed with its neighbours and the list sorted, so that each point's
/// visits sit together: on England's small areas this holds about a third of what a hash
/// map from point to neighbours held. Points are listed as 32-bit pairs when they fit (any
/// longitude and latitude do), which halves the list again.
fn junctions(rings: &[Vec<GridPoint>]) -> Vec<GridPoint> {
    let narrow = |p: GridPoint| Some((i32::try_from(p.0).ok()?, i32::try_from(p.1).ok()?));
    if rings.iter().flatten().all(|&p| narrow(p).is_some()) {
        let wide = |k: (i32, i32)| (i64::from(k.0), i64::from(k.1));
        junctions_by(rings, |p| narrow(p).unwrap_or_default(), wide)
    } else {
        junctions_by(rings, |p| p, |p| p)
    }
}

/// [`junctions`], with points listed as `key(p)`, an order-keeping map that `back` undoes.
fn junctions_by<K: Ord + Copy + Send>(
    rings: &[Vec<GridPoint>],
    key: impl Fn(GridPoint) -> K,
    back: impl Fn(K) -> GridPoint,
) -> Vec<GridPoint> {
    let mut visits: Vec<(K, K, K)> = Vec::with_capacity(rings.iter().map(Vec::len).sum());
    for ring in rings {
        for (i, &p) in ring.iter().enumerate() {
            let (a, b) = around(ring, i);
            let (a, b) = (key(a), key(b));
            visits.push((key(p), a.min(b), a.max(b)));
        }
    }
    visits.par_sort_unstable();
    visits
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|visits| {
            visits
                .iter()
                .any(|v| (v.1, v.2) != (visits[0].1, visits[0].2))
        })
        .map(|visits| back(visits[0].0))
        .collect()
}

/// The arcs found so far, each stored once, in a canonical direction.
#[derive(Default)]
struct Arcs {
    points: Vec<Vec<GridPoint>>,
    index: FxHashMap<Vec<GridPoint>, usize>,
}

impl Arcs {
    /// Cuts a ring at its junctions into arcs and returns them in ring order.
    fn cut(&mut self, ring: &[GridPoint], junctions: &[GridPoint]) -> Vec<ArcRef> {
        let cuts: Vec<usize> = (0..ring.len())
            .filter(|&i| junctions.binary_search(&ring[i]).is_ok())
            .collect();
        let Some(&first) = cuts.first() else {
            return vec![self.closed(ring)];
        };
        let n = ring.len();
        let mut refs = Vec::with_capacity(cuts.len());
        for (k, &start) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).copied().unwrap_or(first + n);
            let arc: Vec<GridPoint> = (start..=end).map(|i| ring[i % n]).collect();
            refs.push(self.add(arc));
        }
        refs
    }

    /// A ring that meets no other boundary, as one closed arc starting at its least point.
    fn closed(&mut self, ring: &[GridPoint]) -> ArcRef {
        let start = (0..ring.len()).min_by_key(|&i| ring[i]).unwrap_or(0);
        let n = ring.len();
        let arc: Vec<GridPoint> = (0..=n).map(|i| ring[(start + i) % n]).collect();
        self.add(arc)
    }

    fn add(&mut self, arc: Vec<GridPoint>) -> ArcRef {
        let reversed: Vec<GridPoint> = arc.iter().rev().copied().collect();
        let (key, backwards) = if reversed < arc {
            (reversed, true)
        } else {
            (arc, false)
        };
        let index = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.points.len();
                self.points.push(key.clone());
                self.index.insert(key, i);
                i
            }
        };
        let index = index as ArcRef;
        if backwards {
            !index
        } else {
            index
        }
    }
}

/// Grid units to metres near the layer's mean latitude.
#[derive(Clone, Copy)]
struct Metres {
    x: f64,
    y: f64,
}

impl Metres {
    fn new(arcs: &[Vec<GridPoint>]) -> Metres {
        let (sum, n) = arcs
            .iter()
            .flatten()
            .fold((0.0, 0usize), |(s, n), p| (s + p.1 as f64, n + 1));
        let lat = if n == 0 { 0.0 } else { sum / n as f64 / SCALE };
        Metres {
            x: 111_320.0 * lat.to_radians().cos() / SCALE,
            y: 110_574.0 / SCALE,
        }
    }

    /// Distance in metres from `p` to the segment `a`-`b`.
    fn to_segment(self, p: GridPoint, a: GridPoint, b: GridPoint) -> f64 {
        let m = |q: GridPoint| (q.0 as f64 * self.x, q.1 as f64 * self.y);
        let (p, a, b) = (m(p), m(a), m(b));
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let len2 = dx * dx + dy * dy;
        let t = if len2 == 0.0 {
            0.0
        } else {
            (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
        };
        ((p.0 - a.0 - t * dx).powi(2) + (p.1 - a.1 - t * dy).powi(2)).sqrt()
    }
}

/// Every vertex of the layer's arcs, bucketed by the engine's uniform grid of square cells
/// ([`crate::access::grid::Grid`]), for the shortcut test's question: is any vertex inside
/// this box? A bucket grid answers it as an R-tree would, and is built in one counting pass
/// instead of a sort.
struct VertexGrid {
    grid: Grid,
    /// Each vertex, with its arc and its position in the arc, in grid order.
    vertices: Vec<(GridPoint, u32, u32)>,
}

/// Vertices per cell that the grid aims at, on average.
const VERTICES_PER_CELL: f64 = 4.0;

impl VertexGrid {
    fn new(arcs: &[Vec<GridPoint>]) -> VertexGrid {
        let all: Vec<(GridPoint, u32, u32)> = arcs
            .iter()
            .enumerate()
            .flat_map(|(a, arc)| {
                arc.iter()
                    .enumerate()
                    .map(move |(i, &p)| (p, a as u32, i as u32))
            })
            .collect();
        // Grid points are whole numbers far below 2^53: exact as f64.
        let plane: Vec<(f64, f64)> = all
            .iter()
            .map(|(p, _, _)| (p.0 as f64, p.1 as f64))
            .collect();
        let (mut lo, mut hi) = ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN));
        for &(x, y) in &plane {
            lo = (lo.0.min(x), lo.1.min(y));
            hi = (hi.0.max(x), hi.1.max(y));
        }
        let area = ((hi.0 - lo.0 + 1.0) * (hi.1 - lo.1 + 1.0)).max(1.0);
        let side = (area * VERTICES_PER_CELL / all.len().max(1) as f64)
            .sqrt()
            .max(1.0);
        let (grid, order) = Grid::build(&plane, side);
        VertexGrid {
            grid,
            vertices: order.iter().map(|&k| all[k as usize]).collect(),
        }
    }

    /// Whether any vertex within the box from `lo` to `hi` (edges included) passes `test`,
    /// given the vertex, its arc and its position in the arc.
    fn any_in(
        &self,
        lo: GridPoint,
        hi: GridPoint,
        mut test: impl FnMut(GridPoint, usize, usize) -> bool,
    ) -> bool {
        let mut found = false;
        let corner = |p: GridPoint| (p.0 as f64, p.1 as f64);
        self.grid
            .for_each_box_row(corner(lo), corner(hi), |start, end| {
                found = found
                    || self.vertices[start..end].iter().any(|&(p, a, i)| {
                        let within = p.0 >= lo.0 && p.0 <= hi.0 && p.1 >= lo.1 && p.1 <= hi.1;
                        within && test(p, a as usize, i as usize)
                    });
            });
        found
    }
}

/// Douglas-Peucker over every arc, taking a shortcut only when it cuts off no other vertex.
struct Simplifier<'a> {
    arcs: &'a [Vec<GridPoint>],
    metres: Metres,
    tolerance: f64,
    /// Every original vertex with its arc and position.
    vertices: &'a VertexGrid,
}

impl Simplifier<'_> {
    /// Which points of arc `a` are kept.
    fn arc(&self, a: usize) -> Vec<bool> {
        let arc = &self.arcs[a];
        let n = arc.len();
        let mut kept = vec![false; n];
        kept[0] = true;
        kept[n - 1] = true;
        if arc[0] == arc[n - 1] && n > 2 {
            // A closed arc: split at the point farthest from its start.
            let start = arc[0];
            let far = (1..n - 1)
                .max_by(|&i, &j| {
                    let d = |k: usize| self.metres.to_segment(arc[k], start, start);
                    d(i).total_cmp(&d(j))
                })
                .unwrap_or(1);
            kept[far] = true;
            self.range(a, &mut kept, 0, far, false);
            self.range(a, &mut kept, far, n - 1, false);
        } else {
            self.range(a, &mut kept, 0, n - 1, false);
        }
        kept
    }

    /// Simplifies `a[i..=j]` (whose ends are kept) into `kept`; `force` keeps its farthest
    /// point whatever its distance.
    fn range(&self, a: usize, kept: &mut [bool], i: usize, j: usize, force: bool) {
        let mut stack = vec![(i, j, force)];
        let arc = &self.arcs[a];
        while let Some((i, j, force)) = stack.pop() {
            if j < i + 2 {
                continue;
            }
            let (far, distance) = (i + 1..j)
                .map(|k| (k, self.metres.to_segment(arc[k], arc[i], arc[j])))
                .fold((i + 1, -1.0), |best, c| if c.1 > best.1 { c } else { best });
            if !force && distance <= self.tolerance && self.clear(a, i, j) {
                continue;
            }
            kept[far] = true;
            stack.push((i, far, false));
            stack.push((far, j, false));
        }
    }

    /// Whether the region between `a[i..=j]` and the segment from its first to its last
    /// point holds no other vertex (on its boundary counts as in it).
    fn clear(&self, a: usize, i: usize, j: usize) -> bool {
        let chain = &self.arcs[a][i..=j];
        let (mut lo, mut hi) = ([i64::MAX; 2], [i64::MIN; 2]);
        for p in chain {
            lo = [lo[0].min(p.0), lo[1].min(p.1)];
            hi = [hi[0].max(p.0), hi[1].max(p.1)];
        }
        let ends = (chain[0], chain[chain.len() - 1]);
        !self
            .vertices
            .any_in((lo[0], lo[1]), (hi[0], hi[1]), |p, b, k| {
                let own = b == a && (i..=j).contains(&k);
                !own && p != ends.0 && p != ends.1 && inside_or_on(chain, p)
            })
    }

    /// Distinct kept points of a ring.
    fn distinct_points(&self, kept: &[Vec<bool>], ring: &[ArcRef]) -> usize {
        let mut points: Vec<GridPoint> = ring
            .iter()
            .flat_map(|&r| {
                let a = if r < 0 { !r } else { r } as usize;
                self.arcs[a]
                    .iter()
                    .zip(&kept[a])
                    .filter(|(_, k)| **k)
                    .map(|(p, _)| *p)
            })
            .collect();
        points.sort_unstable();
        points.dedup();
        points.len()
    }

    /// Puts back a point of the ring's arc that lost most points; false when none can.
    fn split_one(&self, kept: &mut [Vec<bool>], ring: &[ArcRef]) -> bool {
        let best = ring
            .iter()
            .map(|&r| if r < 0 { !r } else { r } as usize)
            .filter_map(|a| {
                let at: Vec<usize> = (0..self.arcs[a].len()).filter(|&k| kept[a][k]).collect();
                // The widest gap between kept points, if it hides any point.
                at.windows(2)
                    .map(|w| (w[1] - w[0], w[0], w[1]))
                    .filter(|g| g.0 >= 2)
                    .max()
                    .map(|g| (g, a))
            })
            .max();
        match best {
            Some(((_, i, j), a)) => {
                self.range(a, &mut kept[a], i, j, true);
                true
            }
            None => false,
        }
    }

    fn kept_arcs(&self, kept: &[Vec<bool>]) -> Vec<Vec<GridPoint>> {
        self.arcs
            .iter()
            .zip(kept)
            .map(|(arc, kept)| {
                arc.iter()
                    .zip(kept)
                    .filter(|(_, k)| **k)
                    .map(|(p, _)| *p)
                    .collect()
            })
            .collect()
    }
}

/// Whether `p` lies inside the polygon `chain` (closed from its last point back to its
/// first) or on its boundary, in exact integer arithmetic (even-odd rule).
fn inside_or_on(chain: &[GridPoint], p: GridPoint) -> bool {
    let n = chain.len();
    let mut inside = false;
    for k in 0..n {
        let (a, b) = (chain[k], chain[(k + 1) % n]);
        let cross = i128::from(b.0 - a.0) * i128::from(p.1 - a.1)
            - i128::from(p.0 - a.0) * i128::from(b.1 - a.1);
        if cross == 0
            && p.0 >= a.0.min(b.0)
            && p.0 <= a.0.max(b.0)
            && p.1 >= a.1.min(b.1)
            && p.1 <= a.1.max(b.1)
        {
            return true;
        }
        if (a.1 > p.1) != (b.1 > p.1) && (cross > 0) == (b.1 > a.1) {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
pub(crate) mod tests;
