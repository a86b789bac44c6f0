//! Disk sums: the sum of values (demand weights, service ratios) over the points within a
//! key limit of a centre, without visiting every such point. Points are bucketed in a
//! uniform grid (row-major, as in [`super::grid`]) and every grid row keeps running sums
//! of its points' values at each cell boundary. A disk is then the cells wholly inside it,
//! added a row span at a time in O(1) (the difference of two running sums), plus the cells
//! its edge cuts, whose points are tested one by one with the engine's exact rule
//! (`key <= limit`, see [`super::metric`]). Work grows with the disk's rows and edge, not
//! with the points inside it.
//!
//! It owns no choice of method: the engine decides where disk sums pay (see
//! `engine::Method`). It answers only sums, so the nearest service and the Gaussian decay
//! (whose weight varies within a cell) stay with pair enumeration.
//!
//! # Exactness
//!
//! The pairs counted are exactly those of pair enumeration. A cell counts as wholly inside
//! only if its whole square, widened by a margin for rounding, lies within the disk's
//! *holding radius* in the x-y plane; that radius is the limit's, shrunk by 1e-9 and, on
//! the sphere, by the most the height difference of two points can add to their key (see
//! [`Stretch`]). Every other point near the edge is tested exactly, so pairs exactly on a
//! zone bound fall as they do today.
//!
//! The sums differ from enumeration's only by rounding: every value is non-negative and
//! the running sums are compensated (each keeps its rounding error apart, Neumaier's
//! variant of Kahan summation), so a row span is its points' sum to about one rounding,
//! whatever the row holds before it. Each query adds rows in ascending order, so its
//! result depends only on the input, never on the thread count.

use std::ops::Range;

use rayon::prelude::*;

use super::grid::{gather, plane_of, Area, Grid, PARALLEL_FROM};
use super::metric::{key_of, FramePoint, EARTH_RADIUS_KM};

/// Points bucketed for disk sums, in grid order.
pub(crate) struct DiskGrid {
    grid: Grid,
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    /// Input position of each point, in grid order.
    order: Vec<u32>,
}

impl DiskGrid {
    /// Buckets `points` into cells of side about `cell` (larger where the grid would need
    /// too many cells).
    pub(crate) fn build(points: &[FramePoint], cell: f64) -> DiskGrid {
        let plane = plane_of(points);
        DiskGrid::gather(points, Grid::build(&plane, cell))
    }

    /// As [`DiskGrid::build`], with at most `budget` cells in place of the grid's usual
    /// four a point.
    pub(crate) fn build_within(points: &[FramePoint], cell: f64, budget: usize) -> DiskGrid {
        let plane = plane_of(points);
        DiskGrid::gather(points, Grid::build_within(&plane, cell, budget))
    }

    fn gather(points: &[FramePoint], (grid, order): (Grid, Vec<u32>)) -> DiskGrid {
        DiskGrid {
            x: gather(&order, |k| points[k].x),
            y: gather(&order, |k| points[k].y),
            z: gather(&order, |k| points[k].z),
            grid,
            order,
        }
    }

    /// The running sums of `N` values per point, `value(k)` for the point at input
    /// position `k`.
    pub(crate) fn sums<const N: usize>(
        &self,
        value: impl Fn(usize) -> [f64; N] + Sync + Send,
    ) -> CellSums<N> {
        let values: Vec<[f64; N]> = gather(&self.order, value);
        let columns = self.grid.columns();
        let mut running = vec![[Compensated::default(); N]; (columns + 1) * self.grid.rows()];
        // Rows are independent: each starts from zero.
        let fill = |(row, out): (usize, &mut [[Compensated; N]])| {
            let mut sum = [Compensated::default(); N];
            out[0] = sum;
            for column in 0..columns {
                let cell = row * columns + column;
                for point in &values[self.grid.start(cell)..self.grid.start(cell + 1)] {
                    for (s, &v) in sum.iter_mut().zip(point) {
                        s.add(v);
                    }
                }
                out[column + 1] = sum;
            }
        };
        if values.len() >= PARALLEL_FROM {
            running
                .par_chunks_mut(columns + 1)
                .enumerate()
                .with_min_len(64)
                .for_each(fill);
        } else {
            running.chunks_mut(columns + 1).enumerate().for_each(fill);
        }
        CellSums { values, running }
    }

    /// The sums of the `N` values over the points with a key `<= disk.limit` from `centre`.
    #[inline]
    pub(crate) fn sum_within<const N: usize>(
        &self,
        sums: &CellSums<N>,
        centre: FramePoint,
        disk: &Disk,
    ) -> [f64; N] {
        let columns = self.grid.columns();
        let mut total = [0.0; N];
        let grid = &self.grid;
        grid.for_each_disc_row(
            centre.x,
            centre.y,
            disk.meets,
            disk.holds,
            |row, meets, holds| {
                let [first, inner, outer, end] = self.positions(row, &meets, &holds);
                self.add_tested(sums, centre, disk.limit, first, inner, &mut total);
                add_span(sums, columns, row, &holds, &mut total);
                self.add_tested(sums, centre, disk.limit, outer, end, &mut total);
            },
        );
        total
    }

    /// Fills `shared` with what the disk sums of every centre in `area` have in common:
    /// the sums over the cells wholly inside the disk of each of them, and the points of
    /// the other cells that meet the disk of any of them, to be tested per centre by
    /// [`SharedDisk::sum_at`]. The cells wholly inside are a subset of each centre's own
    /// in [`DiskGrid::sum_within`] and the cells met a superset, so every centre's sum
    /// counts exactly the same points.
    ///
    /// The edge points are then ranked by their distance from `reference` (a point near
    /// the centres: see [`SharedDisk::arrange`]), so that each centre tests only those whose
    /// distance the triangle inequality leaves undecided.
    pub(crate) fn share<const N: usize>(
        &self,
        sums: &CellSums<N>,
        area: &Area,
        disk: &Disk,
        reference: FramePoint,
        shared: &mut SharedDisk<N>,
    ) {
        shared.clear(disk.limit);
        let columns = self.grid.columns();
        self.grid
            .for_each_area_row(area, disk.meets, disk.holds, |row, meets, holds| {
                let [first, inner, outer, end] = self.positions(row, &meets, &holds);
                shared.extend(self, sums, first..inner);
                add_span(sums, columns, row, &holds, &mut shared.inner);
                shared.extend(self, sums, outer..end);
            });
        shared.arrange(reference);
    }

    /// The grid positions where a row's cells met start, its cells held start and end,
    /// and its cells met end.
    #[inline]
    fn positions(&self, row: usize, meets: &Range<usize>, holds: &Range<usize>) -> [usize; 4] {
        let cell = row * self.grid.columns();
        [
            self.grid.start(cell + meets.start),
            self.grid.start(cell + holds.start),
            self.grid.start(cell + holds.end),
            self.grid.start(cell + meets.end),
        ]
    }

    /// The nearest point to `centre` as (input position, key), ties to the lowest
    /// `rank`, found ring by ring of cells around the centre's cell; `None` when that takes
    /// more than `rings` rings (the caller then asks its R-tree). Points `k + 1` or more
    /// rings away are at least `k` cells away in x-y, and a key is never below its x-y
    /// length, so the search stops once that bound passes the best key found.
    pub(crate) fn nearest(
        &self,
        centre: FramePoint,
        rank: impl Fn(usize) -> u32,
        rings: usize,
    ) -> Option<Option<(usize, f64)>> {
        let mut closest = Closest::default();
        for ring in 0..=rings {
            let more = self
                .grid
                .for_each_ring(centre.x, centre.y, ring, |start, end| {
                    for at in start..end {
                        let key = key_of(
                            self.x[at] - centre.x,
                            self.y[at] - centre.y,
                            self.z[at] - centre.z,
                        );
                        closest.offer(key, self.order[at] as usize, &rank);
                    }
                });
            if !more {
                return Some(closest.found());
            }
            let beyond = (ring as f64 - 1e-6) * self.grid.cell();
            if let Some(key) = closest.key() {
                if beyond > 0.0 && beyond * beyond * (1.0 - 1e-9) > key {
                    return Some(closest.found());
                }
            }
        }
        None
    }

    /// Fills `out` with every point that can be the nearest (by key, then by `rank`) to some
    /// centre within the x-y box `area` whose height lies within `heights`: the points
    /// whose least key from the box is no more than the least, over the points, of the
    /// most key any centre of the box can have to one. Found ring by ring of cells around
    /// the box's middle, as [`DiskGrid::nearest`] does for one centre; `false` when that
    /// takes more than `rings` rings (each centre is then on its own).
    ///
    /// Each centre's nearest among `out` ([`nearest_among`]) is its nearest of all: any
    /// point at most as far from the centre as the nearest has a least key no more than
    /// that, which is no more than the bound. Keys and bounds are both sums of squared
    /// differences, and rounding keeps their order.
    pub(crate) fn nearest_candidates(
        &self,
        area: &Area,
        heights: (f64, f64),
        rings: usize,
        out: &mut Vec<Candidate>,
    ) -> bool {
        out.clear();
        let middle = ((area.x0 + area.x1) / 2.0, (area.y0 + area.y1) / 2.0);
        let half_diagonal = (area.x1 - area.x0).hypot(area.y1 - area.y0) / 2.0;
        let mut bound = f64::INFINITY;
        for ring in 0..=rings {
            let more = self
                .grid
                .for_each_ring(middle.0, middle.1, ring, |start, end| {
                    for at in start..end {
                        let (x, y, z) = (self.x[at], self.y[at], self.z[at]);
                        let far =
                            |v: f64, low: f64, high: f64| (v - low).abs().max((v - high).abs());
                        let near = |v: f64, low: f64, high: f64| (low - v).max(v - high).max(0.0);
                        let most = key_of(
                            far(x, area.x0, area.x1),
                            far(y, area.y0, area.y1),
                            far(z, heights.0, heights.1),
                        );
                        bound = bound.min(most);
                        out.push(Candidate {
                            x,
                            y,
                            z,
                            input: self.order[at],
                            least: key_of(
                                near(x, area.x0, area.x1),
                                near(y, area.y0, area.y1),
                                0.0,
                            ),
                        });
                    }
                });
            let beyond = (ring as f64 - 1e-6) * self.grid.cell() - half_diagonal * (1.0 + 1e-9);
            let done = !more || (beyond > 0.0 && beyond * beyond * (1.0 - 1e-9) > bound);
            if done {
                out.retain(|c| c.least <= bound);
                return true;
            }
        }
        false
    }

    /// Adds the values of the points at grid positions `start..end` within `limit`.
    #[inline]
    fn add_tested<const N: usize>(
        &self,
        sums: &CellSums<N>,
        centre: FramePoint,
        limit: f64,
        start: usize,
        end: usize,
        total: &mut [f64; N],
    ) {
        let xs = &self.x[start..end];
        let ys = &self.y[start..end];
        let zs = &self.z[start..end];
        let values = &sums.values[start..end];
        for (((x, y), z), point) in xs.iter().zip(ys).zip(zs).zip(values) {
            let key = key_of(x - centre.x, y - centre.y, z - centre.z);
            let within = key <= limit;
            for q in 0..N {
                // Points beyond the limit add +0.0, which leaves the sums' bits unchanged.
                total[q] += if within { point[q] } else { 0.0 };
            }
        }
    }
}

/// A point that may be nearest to the centres of a box ([`DiskGrid::nearest_candidates`]):
/// its place in the frame and its input position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    x: f64,
    y: f64,
    z: f64,
    input: u32,
    /// The least key from the box (in x-y alone, a key is never less).
    least: f64,
}

/// The nearest of `candidates` to `centre` as (input position, key), ties to the lowest
/// `rank`, as [`DiskGrid::nearest`] chooses.
pub(crate) fn nearest_among(
    candidates: &[Candidate],
    centre: FramePoint,
    rank: impl Fn(usize) -> u32,
) -> Option<(usize, f64)> {
    let mut closest = Closest::default();
    for c in candidates {
        let key = key_of(c.x - centre.x, c.y - centre.y, c.z - centre.z);
        closest.offer(key, c.input as usize, &rank);
    }
    closest.found()
}

/// The nearest point offered so far: the least key, ties to the lowest rank (asked only
/// of points that could win).
#[derive(Default)]
struct Closest(Option<(f64, u32, usize)>);

impl Closest {
    #[inline]
    fn offer(&mut self, key: f64, input: usize, rank: &impl Fn(usize) -> u32) {
        if self.0.is_none_or(|b| key <= b.0) {
            let candidate = (key, rank(input), input);
            if self
                .0
                .is_none_or(|b| (candidate.0, candidate.1) < (b.0, b.1))
            {
                self.0 = Some(candidate);
            }
        }
    }

    fn key(&self) -> Option<f64> {
        self.0.map(|(key, _, _)| key)
    }

    /// The nearest as (input position, key).
    fn found(&self) -> Option<(usize, f64)> {
        self.0.map(|(key, _, input)| (input, key))
    }
}

/// Adds to `total` the sums over the cells `holds` of grid row `row`, from the running
/// sums (`columns + 1` a row).
#[inline]
fn add_span<const N: usize>(
    sums: &CellSums<N>,
    columns: usize,
    row: usize,
    holds: &Range<usize>,
    total: &mut [f64; N],
) {
    if !holds.is_empty() {
        let at = row * (columns + 1);
        let (low, high) = (
            &sums.running[at + holds.start],
            &sums.running[at + holds.end],
        );
        for q in 0..N {
            total[q] += high[q].minus(&low[q]);
        }
    }
}

/// The part of the disk sums of a group of centres they share (see [`DiskGrid::share`]):
/// the sum over the cells wholly inside every centre's disk, and the points near the
/// edge of any of them, ranked by their distance from a reference point near the centres.
///
/// # Ranked edge points
///
/// The edge points are put in [`RANK_BINS`] bins by their distance d from the reference
/// (a counting sort, so each bin keeps grid order), and each bin keeps the least and
/// most d of its points and the sums of its values. For a centre at distance δ from the
/// reference, every point's distance from the centre lies within d ± δ (the triangle
/// inequality, in the frame's three dimensions, where a key is a squared distance). So
/// the bins whose every d is below r - δ (r the limit's square root) are wholly within
/// the limit and the bins whose every d is above r + δ wholly beyond it, each with a
/// margin of 1e-9 r for rounding, far above the rounding of a distance; only the points
/// of the bins between are tested, with the exact rule. A centre's sum is the inner sum,
/// the bins within (compensated sums, in bin order), then the points tested, in bin and
/// grid order: the same for any thread count, and equal to pair enumeration's to
/// rounding.
pub(crate) struct SharedDisk<const N: usize> {
    limit: f64,
    inner: [f64; N],
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    values: Vec<[f64; N]>,
    reference: FramePoint,
    /// The limit's square root, widened and narrowed by the rounding margin.
    surely_within: f64,
    surely_beyond: f64,
    /// Bin b holds the points at `bins[b]..bins[b + 1]` of the arranged edge points.
    bins: Vec<usize>,
    /// Least and most distance from the reference of each bin's points (+inf and -inf
    /// for an empty bin, which then counts as both within and beyond).
    nearest: Vec<f64>,
    farthest: Vec<f64>,
    /// Sums of the values of the bins before each bin, and of all (`bins.len()` entries).
    before: Vec<[f64; N]>,
    /// Scratch for the counting sort.
    scratch: Ranked<N>,
}

/// Bins the edge points are ranked into. Measured on the postcode case (`gapmap bench`,
/// the whole case's median, two rounds of 3 runs): 8 bins 1.43 s, 16 bins 1.38 and
/// 1.40 s, 32 bins 1.40 and 1.42 s, 64 bins 1.44 and 1.47 s.
pub(crate) const RANK_BINS: usize = 16;

/// Edge points below which a shared disk is not ranked (every point is tested).
const RANK_FROM: usize = 4 * RANK_BINS;

/// Relative margin on the limit's distance for a bin to count as wholly within or
/// beyond it.
const RANK_MARGIN: f64 = 1e-9;

#[derive(Default)]
struct Ranked<const N: usize> {
    distance: Vec<f64>,
    bin: Vec<u32>,
    x: Vec<f64>,
    y: Vec<f64>,
    z: Vec<f64>,
    values: Vec<[f64; N]>,
}

impl<const N: usize> Default for SharedDisk<N> {
    fn default() -> Self {
        SharedDisk {
            limit: 0.0,
            inner: [0.0; N],
            x: Vec::new(),
            y: Vec::new(),
            z: Vec::new(),
            values: Vec::new(),
            reference: FramePoint::default(),
            surely_within: 0.0,
            surely_beyond: 0.0,
            // Filled by `arrange`, which every sharing ends with.
            bins: Vec::new(),
            nearest: Vec::new(),
            farthest: Vec::new(),
            before: Vec::new(),
            scratch: Ranked::default(),
        }
    }
}

impl<const N: usize> SharedDisk<N> {
    fn clear(&mut self, limit: f64) {
        self.limit = limit;
        self.inner = [0.0; N];
        self.x.clear();
        self.y.clear();
        self.z.clear();
        self.values.clear();
    }

    /// Takes in the points at grid positions `range` for testing.
    fn extend(&mut self, grid: &DiskGrid, sums: &CellSums<N>, range: Range<usize>) {
        self.x.extend_from_slice(&grid.x[range.clone()]);
        self.y.extend_from_slice(&grid.y[range.clone()]);
        self.z.extend_from_slice(&grid.z[range.clone()]);
        self.values.extend_from_slice(&sums.values[range]);
    }

    /// Ranks the edge points by their distance from `reference` (see the type's notes);
    /// with few of them, one bin that every centre tests.
    fn arrange(&mut self, reference: FramePoint) {
        self.reference = reference;
        let n = self.x.len();
        let radius = self.limit.sqrt();
        self.surely_within = radius * (1.0 - RANK_MARGIN);
        self.surely_beyond = radius * (1.0 + RANK_MARGIN);
        self.bins.clear();
        self.nearest.clear();
        self.farthest.clear();
        self.before.clear();
        if n < RANK_FROM {
            self.bins.extend([0, n]);
            self.nearest.push(f64::NEG_INFINITY);
            self.farthest.push(f64::INFINITY);
            self.before.extend([[0.0; N]; 2]);
            return;
        }
        let ranked = &mut self.scratch;
        ranked.distance.clear();
        ranked.distance.extend(
            self.x.iter().zip(&self.y).zip(&self.z).map(|((x, y), z)| {
                key_of(x - reference.x, y - reference.y, z - reference.z).sqrt()
            }),
        );
        let (low, high) = ranked
            .distance
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &d| {
                (l.min(d), h.max(d))
            });
        let width = (high - low) / RANK_BINS as f64;
        let last = RANK_BINS - 1;
        ranked.bin.clear();
        ranked.bin.extend(ranked.distance.iter().map(|&d| {
            if width > 0.0 {
                (((d - low) / width) as usize).min(last) as u32
            } else {
                0
            }
        }));
        // Counting sort by bin, stable: each bin keeps grid order.
        self.bins.resize(RANK_BINS + 1, 0);
        for &b in &ranked.bin {
            self.bins[b as usize + 1] += 1;
        }
        for b in 1..=RANK_BINS {
            self.bins[b] += self.bins[b - 1];
        }
        ranked.x.resize(n, 0.0);
        ranked.y.resize(n, 0.0);
        ranked.z.resize(n, 0.0);
        ranked.values.resize(n, [0.0; N]);
        self.nearest.resize(RANK_BINS, f64::INFINITY);
        self.farthest.resize(RANK_BINS, f64::NEG_INFINITY);
        let mut next: [usize; RANK_BINS] = std::array::from_fn(|b| self.bins[b]);
        for k in 0..n {
            let b = ranked.bin[k] as usize;
            let to = next[b];
            next[b] += 1;
            ranked.x[to] = self.x[k];
            ranked.y[to] = self.y[k];
            ranked.z[to] = self.z[k];
            ranked.values[to] = self.values[k];
            let d = ranked.distance[k];
            self.nearest[b] = self.nearest[b].min(d);
            self.farthest[b] = self.farthest[b].max(d);
        }
        std::mem::swap(&mut self.x, &mut ranked.x);
        std::mem::swap(&mut self.y, &mut ranked.y);
        std::mem::swap(&mut self.z, &mut ranked.z);
        std::mem::swap(&mut self.values, &mut ranked.values);
        let mut sum = [Compensated::default(); N];
        for b in 0..RANK_BINS {
            self.before
                .push(std::array::from_fn(|q| sum[q].sum + sum[q].error));
            for point in &self.values[self.bins[b]..self.bins[b + 1]] {
                for (s, &v) in sum.iter_mut().zip(point) {
                    s.add(v);
                }
            }
        }
        self.before
            .push(std::array::from_fn(|q| sum[q].sum + sum[q].error));
    }

    /// The sums of the `N` values over the points with a key `<= limit` from `centre`,
    /// one of the centres the disk was shared for: the shared inner sum, the edge bins
    /// wholly within, then each point of the bins left undecided that is within the
    /// limit.
    #[inline]
    pub(crate) fn sum_at(&self, centre: FramePoint) -> [f64; N] {
        let reference = self.reference;
        let offset = key_of(
            centre.x - reference.x,
            centre.y - reference.y,
            centre.z - reference.z,
        )
        .sqrt();
        let within = self.surely_within - offset;
        let beyond = self.surely_beyond + offset;
        let bins = self.nearest.len();
        let first = self.farthest.iter().take_while(|&&d| d < within).count();
        let end = bins
            - self.nearest[first..]
                .iter()
                .rev()
                .take_while(|&&d| d > beyond)
                .count();
        let mut total = self.inner;
        let before = self.before[first];
        for q in 0..N {
            total[q] += before[q];
        }
        let range = self.bins[first]..self.bins[end];
        let xs = &self.x[range.clone()];
        let ys = &self.y[range.clone()];
        let zs = &self.z[range.clone()];
        let values = &self.values[range];
        for (((x, y), z), point) in xs.iter().zip(ys).zip(zs).zip(values) {
            let key = key_of(x - centre.x, y - centre.y, z - centre.z);
            let within = key <= self.limit;
            for q in 0..N {
                // Points beyond the limit add +0.0, which leaves the sums' bits unchanged.
                total[q] += if within { point[q] } else { 0.0 };
            }
        }
        total
    }
}

/// Query points gathered by the grid cell they fall in, so that the points of a cell can
/// share the part of their disk sums that is the same for all of them.
pub(crate) struct QueryCells {
    /// Query positions, cell by cell.
    order: Vec<u32>,
    /// The non-empty cells' first positions in `order`, and the end.
    starts: Vec<u32>,
}

impl QueryCells {
    pub(crate) fn build(points: &[FramePoint], cell: f64) -> QueryCells {
        let plane = plane_of(points);
        let (grid, order) = Grid::build(&plane, cell);
        let mut starts: Vec<u32> = (0..grid.columns() * grid.rows())
            .filter(|&c| grid.start(c) < grid.start(c + 1))
            .map(|c| grid.start(c) as u32)
            .collect();
        starts.push(order.len() as u32);
        QueryCells { order, starts }
    }

    /// The number of non-empty cells.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The query positions of the `cell`-th non-empty cell, ascending.
    pub(crate) fn members(&self, cell: usize) -> &[u32] {
        &self.order[self.starts[cell] as usize..self.starts[cell + 1] as usize]
    }
}

/// Running sums of `N` values per point along each grid row, for [`DiskGrid::sum_within`].
pub(crate) struct CellSums<const N: usize> {
    /// Each point's values, in grid order.
    values: Vec<[f64; N]>,
    /// Row by row, the sums of the points in the row's cells before each cell boundary
    /// (`columns + 1` entries a row).
    running: Vec<[Compensated; N]>,
}

/// A running sum and the rounding error it has dropped so far (Neumaier): `sum + error`
/// is the exact sum of what was added to within about 1e-32 of it.
#[derive(Debug, Clone, Copy, Default)]
struct Compensated {
    sum: f64,
    error: f64,
}

impl Compensated {
    #[inline]
    fn add(&mut self, value: f64) {
        let sum = self.sum + value;
        self.error += if self.sum.abs() >= value.abs() {
            (self.sum - sum) + value
        } else {
            (value - sum) + self.sum
        };
        self.sum = sum;
    }

    /// What was added after `earlier` (itself an earlier state of this sum).
    #[inline]
    fn minus(&self, earlier: &Compensated) -> f64 {
        (self.sum - earlier.sum) + (self.error - earlier.error)
    }
}

/// How much more than its x-y length a pair's key can be, for a set of frame points: the
/// key is dx² + dy² + dz², and on the sphere every point's height z is a function of its
/// distance ρ from the frame's centre in the x-y plane, z = sqrt(R² - ρ²) - R, whose slope
/// is at most t = ρmax / sqrt(R² - ρmax²). So |dz| <= t |(dx, dy)| and key <= (1 + t²)
/// (dx² + dy²). Easting/northing points have z = 0 and a stretch of 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stretch(f64);

impl Stretch {
    /// The stretch of `points`, or `None` when some lie on the far side of the sphere
    /// (heights below -R/2), where a height is no longer a function of ρ.
    pub(crate) fn of(points: impl Iterator<Item = FramePoint>) -> Option<Stretch> {
        let (mut plane, mut lowest) = (0.0f64, 0.0f64);
        for p in points {
            plane = plane.max(p.x * p.x + p.y * p.y);
            lowest = lowest.min(p.z);
        }
        if lowest == 0.0 {
            return Some(Stretch(1.0));
        }
        let r2 = EARTH_RADIUS_KM * EARTH_RADIUS_KM;
        if lowest < -EARTH_RADIUS_KM / 2.0 || plane >= 0.75 * r2 {
            return None;
        }
        // Rounded up generously: the margin only moves cells from "inside" to "tested".
        Some(Stretch((1.0 + plane / (r2 - plane)) * (1.0 + 1e-6)))
    }
}

/// A disk as the grid queries it: the exact key limit, the x-y radius of the cells that
/// may hold a point within it, and the x-y radius inside which every point is within it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Disk {
    limit: f64,
    meets: f64,
    holds: f64,
}

impl Disk {
    pub(crate) fn new(limit: f64, stretch: Stretch) -> Disk {
        Disk {
            limit,
            // The x-y plane is a contraction of the frame: no pair within the limit is
            // further apart than this in x-y.
            meets: limit.sqrt() * (1.0 + 1e-9) + 1e-9,
            // A key is within ~3 roundings of its exact value; 1e-9 covers that and the
            // frame's own rounding many times over.
            holds: (limit / stretch.0).sqrt() * (1.0 - 1e-9),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// The nearest of every centre in a box, from the box's candidates, is its nearest of
    /// all points by (key, rank): boxes small and large beside the grid's cells, centres
    /// at the box's corners and inside it, heights that differ, and points repeated
    /// (ties broken by rank).
    #[test]
    fn the_candidates_of_a_box_hold_the_nearest_of_each_centre() {
        let mut rng = SplitMix64::new(23);
        let mut points: Vec<FramePoint> = (0..800)
            .map(|_| FramePoint {
                x: rng.unit() * 100.0,
                y: rng.unit() * 60.0,
                z: rng.unit() * 3.0,
            })
            .collect();
        // Repeated points: the same key from every centre, ranked apart.
        let repeats: Vec<FramePoint> = points[..40].to_vec();
        points.extend(repeats);
        let rank = |k: usize| ((k * 7919) % 1013) as u32;
        let (mut checked, mut searched) = (0, 0);
        for cell in [1.5, 4.0, 11.0] {
            let grid = DiskGrid::build(&points, cell);
            let mut candidates = Vec::new();
            for b in 0..300 {
                let size = [0.5, 3.0, 12.0, 40.0][b % 4];
                let (x0, y0) = (rng.unit() * 110.0 - 5.0, rng.unit() * 70.0 - 5.0);
                let area = Area {
                    x0,
                    y0,
                    x1: x0 + rng.unit() * size,
                    y1: y0 + rng.unit() * size,
                };
                let heights = (rng.unit() * 3.0, 3.0 + rng.unit());
                if !grid.nearest_candidates(&area, heights, 1_000, &mut candidates) {
                    continue;
                }
                searched += 1;
                let corners = [(area.x0, area.y0), (area.x1, area.y1), (area.x0, area.y1)];
                let inside = (0..5).map(|_| {
                    (
                        area.x0 + rng.unit() * (area.x1 - area.x0),
                        area.y0 + rng.unit() * (area.y1 - area.y0),
                    )
                });
                for (x, y) in corners.into_iter().chain(inside.collect::<Vec<_>>()) {
                    let z = heights.0 + rng.unit() * (heights.1 - heights.0);
                    let centre = FramePoint { x, y, z };
                    let expected = (0..points.len())
                        .map(|k| {
                            let (dx, dy, dz) = (
                                points[k].x - centre.x,
                                points[k].y - centre.y,
                                points[k].z - centre.z,
                            );
                            (dx * dx + dy * dy + dz * dz, rank(k), k)
                        })
                        .min_by(|a, b| (a.0, a.1).partial_cmp(&(b.0, b.1)).expect("finite"))
                        .map(|(key, _, k)| (k, key));
                    assert_eq!(nearest_among(&candidates, centre, rank), expected);
                    checked += 1;
                }
            }
        }
        assert_eq!(searched, 900);
        assert!(checked > 7_000);
    }

    fn brute(points: &[FramePoint], values: &[f64], centre: FramePoint, limit: f64) -> f64 {
        points
            .iter()
            .zip(values)
            .filter(|(p, _)| key_of(p.x - centre.x, p.y - centre.y, p.z - centre.z) <= limit)
            .map(|(_, v)| v)
            .sum()
    }

    #[test]
    fn disk_sums_equal_brute_force_on_whole_metres() {
        // Whole-metre points on a lattice, so many keys equal the limit exactly.
        let mut rng = SplitMix64::new(3);
        let points: Vec<FramePoint> = (0..3000)
            .map(|_| FramePoint {
                x: 400_000.0 + 1000.0 * rng.below(60) as f64,
                y: 200_000.0 + 1000.0 * rng.below(60) as f64,
                z: 0.0,
            })
            .collect();
        let values: Vec<f64> = (0..points.len()).map(|k| 1.0 + (k % 5) as f64).collect();
        let stretch = Stretch::of(points.iter().copied()).unwrap();
        assert_eq!(stretch, Stretch(1.0));
        for cell in [700.0, 1000.0, 2500.0] {
            let grid = DiskGrid::build(&points, cell);
            let sums = grid.sums(|k| [values[k], 1.0]);
            for (k, centre) in points.iter().enumerate().step_by(37) {
                for limit in [25e6, 1e8, 9e8, 9e8 + 1.0, 9e8 - 1.0] {
                    let [sum, count] = grid.sum_within(&sums, *centre, &Disk::new(limit, stretch));
                    let expected = brute(&points, &values, *centre, limit);
                    let n = brute(&points, &vec![1.0; points.len()], *centre, limit);
                    assert_eq!(count, n, "point {k}, limit {limit}, cell {cell}");
                    assert!(
                        (sum - expected).abs() <= 1e-13 * expected,
                        "{sum} {expected}"
                    );
                }
            }
        }
    }

    #[test]
    fn shared_disk_sums_equal_brute_force_for_every_centre_of_a_cell() {
        // Whole-metre points on a lattice, so many keys equal the limit exactly; centres
        // gathered into query cells of several sizes share the inner sums.
        let mut rng = SplitMix64::new(5);
        let lattice = |rng: &mut SplitMix64| FramePoint {
            x: 400_000.0 + 1000.0 * rng.below(60) as f64,
            y: 200_000.0 + 1000.0 * rng.below(60) as f64,
            z: 0.0,
        };
        let points: Vec<FramePoint> = (0..3000).map(|_| lattice(&mut rng)).collect();
        let centres: Vec<FramePoint> = (0..400).map(|_| lattice(&mut rng)).collect();
        let values: Vec<f64> = (0..points.len()).map(|k| 1.0 + (k % 7) as f64).collect();
        let ones = vec![1.0; points.len()];
        let stretch = Stretch::of(points.iter().chain(&centres).copied()).unwrap();
        for (cell, query_cell) in [(700.0, 2000.0), (1000.0, 5000.0), (2500.0, 1000.0)] {
            let grid = DiskGrid::build_within(&points, cell, 1 << 16);
            let sums = grid.sums(|k| [values[k], 1.0]);
            let cells = QueryCells::build(&centres, query_cell);
            assert!(cells.len() < centres.len(), "some cells share");
            let mut seen = 0;
            // Shared disks with their edge points tested by every centre, and ranked.
            let mut ranked = [0usize; 2];
            for c in 0..cells.len() {
                let members = cells.members(c);
                let area = Area::of(members.iter().map(|&k| {
                    let p = centres[k as usize];
                    (p.x, p.y)
                }))
                .unwrap();
                let reference = FramePoint {
                    x: (area.x0 + area.x1) / 2.0,
                    y: (area.y0 + area.y1) / 2.0,
                    z: 0.0,
                };
                for limit in [25e6, 1e8, 9e8, 9e8 + 1.0, 9e8 - 1.0] {
                    let mut shared = SharedDisk::default();
                    let disk = Disk::new(limit, stretch);
                    grid.share(&sums, &area, &disk, reference, &mut shared);
                    ranked[usize::from(shared.nearest.len() == RANK_BINS)] += 1;
                    for &k in members {
                        let centre = centres[k as usize];
                        let [sum, count] = shared.sum_at(centre);
                        let expected = brute(&points, &values, centre, limit);
                        assert_eq!(count, brute(&points, &ones, centre, limit), "centre {k}");
                        assert!(
                            (sum - expected).abs() <= 1e-13 * expected,
                            "{sum} {expected}"
                        );
                    }
                }
                seen += members.len();
            }
            assert_eq!(seen, centres.len(), "every centre in one cell");
            assert!(ranked[0] > 0 && ranked[1] > 0, "both kinds: {ranked:?}");
        }
    }

    #[test]
    fn stretch_bounds_keys_on_the_sphere() {
        // Points spread over 600 km: the key never exceeds stretch x (dx² + dy²).
        let frame = super::super::metric::Frame::for_problem(&super::super::synth(
            &super::super::SynthSpec::new(super::super::Extent::England, 500, 100),
        ));
        let mut rng = SplitMix64::new(9);
        let points: Vec<FramePoint> = (0..400)
            .map(|_| {
                frame.project(super::super::Location {
                    x: -5.0 + 7.0 * rng.unit(),
                    y: 50.0 + 5.0 * rng.unit(),
                })
            })
            .collect();
        let Stretch(s) = Stretch::of(points.iter().copied()).unwrap();
        assert!(s > 1.0 && s < 1.01, "stretch {s}");
        for a in &points {
            for b in &points {
                let plane = (a.x - b.x).powi(2) + (a.y - b.y).powi(2);
                let key = key_of(a.x - b.x, a.y - b.y, a.z - b.z);
                assert!(
                    key <= s * plane * (1.0 + 1e-12) + 1e-12,
                    "{key} > {s} x {plane}"
                );
            }
        }
    }

    #[test]
    fn compensated_spans_keep_small_values_beside_large_ones() {
        let mut sum = Compensated::default();
        sum.add(1e17);
        let before = sum;
        sum.add(1.0);
        sum.add(2.0);
        assert_eq!(sum.minus(&before), 3.0);
    }
}
