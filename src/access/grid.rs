//! A uniform grid over the x-y plane of the engine's frame. Points are ordered by cell,
//! row-major, so the cells of one grid row that meet a disc are one contiguous run of
//! points: a range query is one slice per row, and work grows with the pairs near the
//! query, not with the number of points.

use std::ops::Range;

use rayon::prelude::*;

use super::metric::FramePoint;

/// Cells are bucketed with `u32` offsets; this caps the grid's size whatever the extent.
const MAX_CELLS: usize = 1 << 22;

/// Margin, in cells, by which a cell must clear a disc's edge to count as wholly inside
/// it: far above the rounding of cell indices (grids have at most 2^22 cells a side, so
/// an index is off by less than 1e-9) and far below a cell.
const SLACK: f64 = 1e-7;

/// Points from which building a grid takes rayon's threads (a county's few thousand are
/// quicker on one).
pub(crate) const PARALLEL_FROM: usize = 1 << 16;

/// `of(k)` for every `k` of `positions`, in their order: on rayon's threads when there
/// are many. The same values either way; a gather mostly waits on memory, which two
/// threads halve.
pub(crate) fn gather<T: Send>(positions: &[u32], of: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    if positions.len() >= PARALLEL_FROM {
        positions
            .par_iter()
            .with_min_len(PARALLEL_FROM / 4)
            .map(|&k| of(k as usize))
            .collect()
    } else {
        positions.iter().map(|&k| of(k as usize)).collect()
    }
}

/// The x-y plane positions of frame points, which grids bucket.
pub(crate) fn plane_of(points: &[FramePoint]) -> Vec<(f64, f64)> {
    map_points(points.len(), |i| (points[i].x, points[i].y))
}

/// `of(i)` for every `i` in `0..len`, in order, on rayon's threads when there are many.
pub(crate) fn map_points<T: Send>(len: usize, of: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    if len >= PARALLEL_FROM {
        (0..len)
            .into_par_iter()
            .with_min_len(PARALLEL_FROM / 4)
            .map(of)
            .collect()
    } else {
        (0..len).map(of).collect()
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Grid {
    x0: f64,
    y0: f64,
    cell: f64,
    columns: usize,
    rows: usize,
    /// `starts[c]..starts[c + 1]` are the positions (in grid order) of the points in cell c.
    starts: Vec<u32>,
}

impl Grid {
    /// Buckets `points` (x, y) into cells of side about `cell` (larger when the extent would
    /// need too many cells). Returns the grid and the order of the points: by cell, then by
    /// input position.
    pub(crate) fn build(points: &[(f64, f64)], cell: f64) -> (Grid, Vec<u32>) {
        Grid::build_within(points, cell, (4 * points.len()).clamp(1024, MAX_CELLS))
    }

    /// As [`Grid::build`], with cells doubled until the grid has at most `budget` cells
    /// (never more than `MAX_CELLS`) in place of max(4 n, 1024).
    pub(crate) fn build_within(
        points: &[(f64, f64)],
        cell: f64,
        budget: usize,
    ) -> (Grid, Vec<u32>) {
        let Some(bounds) = Bounds::of(points) else {
            return (Grid::empty(), Vec::new());
        };
        let (cell, columns, rows) = bounds.layout(cell, budget.clamp(1, MAX_CELLS));
        let mut grid = Grid {
            x0: bounds.x0,
            y0: bounds.y0,
            cell,
            columns,
            rows,
            starts: Vec::new(),
        };
        let cells: Vec<u32> = map_points(points.len(), |i| grid.cell_of(points[i].0, points[i].1));
        let order = grid.bucket(&cells);
        (grid, order)
    }

    fn empty() -> Grid {
        Grid {
            x0: 0.0,
            y0: 0.0,
            cell: 1.0,
            columns: 0,
            rows: 0,
            starts: vec![0],
        }
    }

    fn cell_of(&self, x: f64, y: f64) -> u32 {
        let column = self.index(x - self.x0, self.columns);
        let row = self.index(y - self.y0, self.rows);
        (row * self.columns + column) as u32
    }

    /// The cell index along one axis of an offset from the grid's origin, clamped.
    fn index(&self, offset: f64, count: usize) -> usize {
        let position = (offset / self.cell).floor();
        if position <= 0.0 {
            0
        } else {
            (position as usize).min(count - 1)
        }
    }

    /// Counting sort of point positions by cell; fills `starts`.
    fn bucket(&mut self, cells: &[u32]) -> Vec<u32> {
        let mut starts = vec![0u32; self.columns * self.rows + 1];
        for &cell in cells {
            starts[cell as usize + 1] += 1;
        }
        for c in 1..starts.len() {
            starts[c] += starts[c - 1];
        }
        let mut next = starts.clone();
        let mut order = vec![0u32; cells.len()];
        for (position, &cell) in cells.iter().enumerate() {
            let slot = &mut next[cell as usize];
            order[*slot as usize] = position as u32;
            *slot += 1;
        }
        self.starts = starts;
        order
    }

    /// Calls `visit(start, end)` with the grid-order positions of the points in the cells
    /// that meet the disc of `radius` around (x, y): one range per grid row. A superset of
    /// the points within `radius`; callers test each candidate exactly.
    #[inline]
    pub(crate) fn for_each_range(
        &self,
        x: f64,
        y: f64,
        radius: f64,
        mut visit: impl FnMut(usize, usize),
    ) {
        let Some((first_row, last_row)) = self.span(y - self.y0, radius, self.rows) else {
            return;
        };
        for row in first_row..=last_row {
            let low = self.y0 + row as f64 * self.cell;
            let gap = (low - y).max(y - (low + self.cell)).max(0.0);
            if gap > radius {
                continue;
            }
            let half_width = (radius * radius - gap * gap).sqrt();
            let Some((first, last)) = self.span(x - self.x0, half_width, self.columns) else {
                continue;
            };
            let base = row * self.columns;
            visit(
                self.starts[base + first] as usize,
                self.starts[base + last + 1] as usize,
            );
        }
    }

    /// Calls `visit(row, meets, holds)` for each grid row that meets the disc of
    /// `meets_radius` around (x, y): `meets` are the columns of the row's cells that meet that
    /// disc (as in [`Grid::for_each_range`]), `holds` those among them (possibly none) that
    /// lie wholly inside the disc of `holds_radius`. A cell is taken as wholly inside only
    /// with a margin of [`SLACK`] cells on every side, which covers the rounding of the
    /// point's bucketing and of the query's offsets, so every point the grid puts in a
    /// `holds` cell is within `holds_radius` of (x, y).
    #[inline]
    pub(crate) fn for_each_disc_row(
        &self,
        x: f64,
        y: f64,
        meets_radius: f64,
        holds_radius: f64,
        visit: impl FnMut(usize, Range<usize>, Range<usize>),
    ) {
        // A point is the area of one centre: every step below is then the disc's own.
        let point = Area {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        };
        self.for_each_area_row(&point, meets_radius, holds_radius, visit);
    }

    /// [`Grid::for_each_disc_row`] for every centre in `area` at once: `meets` are the
    /// columns of the row's cells that meet the disc of `meets_radius` around some point
    /// of `area` (a superset of each centre's), `holds` those that lie wholly inside the
    /// disc of `holds_radius` around every point of it (a subset of each centre's, with
    /// the same margin of [`SLACK`] cells).
    pub(crate) fn for_each_area_row(
        &self,
        area: &Area,
        meets_radius: f64,
        holds_radius: f64,
        mut visit: impl FnMut(usize, Range<usize>, Range<usize>),
    ) {
        let Some((first_row, last_row)) = self.span_between(
            area.y0 - self.y0 - meets_radius,
            area.y1 - self.y0 + meets_radius,
            self.rows,
        ) else {
            return;
        };
        // The area and the holding radius in cell units.
        let (u0, u1) = (
            (area.x0 - self.x0) / self.cell,
            (area.x1 - self.x0) / self.cell,
        );
        let (v0, v1) = (
            (area.y0 - self.y0) / self.cell,
            (area.y1 - self.y0) / self.cell,
        );
        let reach = holds_radius / self.cell;
        for row in first_row..=last_row {
            let low = self.y0 + row as f64 * self.cell;
            let gap = (low - area.y1).max(area.y0 - (low + self.cell)).max(0.0);
            if gap > meets_radius {
                continue;
            }
            let half_width = (meets_radius * meets_radius - gap * gap).sqrt();
            let Some((first, last)) = self.span_between(
                area.x0 - self.x0 - half_width,
                area.x1 - self.x0 + half_width,
                self.columns,
            ) else {
                continue;
            };
            let meets = first..last + 1;
            let far = (v1 - row as f64).max(row as f64 + 1.0 - v0) + SLACK;
            let holds = if far < reach {
                let half = (reach * reach - far * far).sqrt();
                let (low, high) = (meets.start as f64, meets.end as f64);
                let start = ceil(u1 - half + SLACK).clamp(low, high);
                let end = floor(u0 + half - SLACK).clamp(start, high);
                start as usize..end as usize
            } else {
                meets.start..meets.start
            };
            visit(row, meets, holds);
        }
    }

    /// Calls `visit(start, end)` with the grid-order positions of the points in the cells
    /// `ring` cells (in the max norm) from the cell of (x, y), clamped into the grid: one or
    /// two ranges per row. Returns false once the ring lies wholly outside the grid, when
    /// the rings so far have covered every cell.
    pub(crate) fn for_each_ring(
        &self,
        x: f64,
        y: f64,
        ring: usize,
        mut visit: impl FnMut(usize, usize),
    ) -> bool {
        if self.columns == 0 || self.rows == 0 {
            return false;
        }
        let column = self.index(x - self.x0, self.columns);
        let row = self.index(y - self.y0, self.rows);
        let (left, right) = (column.checked_sub(ring), column + ring);
        let (bottom, top) = (row.checked_sub(ring), row + ring);
        if left.is_none() && bottom.is_none() && right >= self.columns && top >= self.rows {
            return false;
        }
        let first = left.unwrap_or(0);
        let last = right.min(self.columns - 1);
        for r in bottom.unwrap_or(0)..=top.min(self.rows - 1) {
            let base = r * self.columns;
            if Some(r) == bottom || r == top {
                visit(self.start(base + first), self.start(base + last + 1));
                continue;
            }
            if let Some(left) = left {
                visit(self.start(base + left), self.start(base + left + 1));
            }
            if ring > 0 && right < self.columns {
                visit(self.start(base + right), self.start(base + right + 1));
            }
        }
        true
    }

    /// Calls `visit(start, end)` with the grid-order positions of the points in the cells
    /// that meet the box from (x0, y0) to (x1, y1), edges included: one range per grid row.
    /// A superset of the points in the box; callers test each exactly.
    pub(crate) fn for_each_box_row(
        &self,
        (x0, y0): (f64, f64),
        (x1, y1): (f64, f64),
        mut visit: impl FnMut(usize, usize),
    ) {
        if self.columns == 0 || self.rows == 0 {
            return;
        }
        let (first, last) = (
            self.index(x0 - self.x0, self.columns),
            self.index(x1 - self.x0, self.columns),
        );
        for row in self.index(y0 - self.y0, self.rows)..=self.index(y1 - self.y0, self.rows) {
            let base = row * self.columns;
            visit(self.start(base + first), self.start(base + last + 1));
        }
    }

    /// The side of a cell.
    pub(crate) fn cell(&self) -> f64 {
        self.cell
    }

    pub(crate) fn columns(&self) -> usize {
        self.columns
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The grid-order position of the first point of `cell` (`cell == columns * rows` gives
    /// the number of points).
    #[inline]
    pub(crate) fn start(&self, cell: usize) -> usize {
        self.starts[cell] as usize
    }

    /// The cells along one axis that meet [offset - half, offset + half], if any.
    fn span(&self, offset: f64, half: f64, count: usize) -> Option<(usize, usize)> {
        self.span_between(offset - half, offset + half, count)
    }

    /// The cells along one axis that meet [low, high] (offsets from the origin), if any.
    #[inline]
    fn span_between(&self, low: f64, high: f64, count: usize) -> Option<(usize, usize)> {
        let low = floor(low / self.cell);
        let high = floor(high / self.cell);
        if count == 0 || high < 0.0 || low > (count - 1) as f64 {
            return None;
        }
        let first = if low <= 0.0 { 0 } else { low as usize };
        Some((first, (high as usize).min(count - 1)))
    }
}

/// A box in the x-y plane, `[x0, x1] × [y0, y1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Area {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Area {
    /// The smallest box holding `points`, or `None` when there are none.
    pub(crate) fn of(mut points: impl Iterator<Item = (f64, f64)>) -> Option<Area> {
        let (x, y) = points.next()?;
        let mut area = Area {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        };
        for (x, y) in points {
            area.x0 = area.x0.min(x);
            area.x1 = area.x1.max(x);
            area.y0 = area.y0.min(y);
            area.y1 = area.y1.max(y);
        }
        Some(area)
    }
}

/// The bounding box of a point set.
struct Bounds {
    x0: f64,
    y0: f64,
    width: f64,
    height: f64,
}

impl Bounds {
    fn of(points: &[(f64, f64)]) -> Option<Bounds> {
        let (&(x, y), rest) = points.split_first()?;
        let (mut x0, mut y0, mut x1, mut y1) = (x, y, x, y);
        for &(x, y) in rest {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        Some(Bounds {
            x0,
            y0,
            width: x1 - x0,
            height: y1 - y0,
        })
    }

    /// Cell side and counts: `wanted`, doubled until the grid has at most `budget` cells.
    fn layout(&self, wanted: f64, budget: usize) -> (f64, usize, usize) {
        let mut cell = if wanted.is_finite() && wanted > 0.0 {
            wanted
        } else {
            f64::MAX
        };
        loop {
            let columns = cells_across(self.width, cell);
            let rows = cells_across(self.height, cell);
            if columns.saturating_mul(rows) <= budget || cell >= f64::MAX / 4.0 {
                return (cell, columns, rows);
            }
            cell *= 2.0;
        }
    }
}

fn cells_across(length: f64, cell: f64) -> usize {
    ((length / cell).floor() as usize)
        .saturating_add(1)
        .min(MAX_CELLS)
}

/// `x.floor()` without a call into the maths library (the default x86-64 target has no
/// rounding instruction): exact for |x| < 2^63, and beyond it a value just as far out of
/// any grid's range, which is all the callers compare it with.
#[inline(always)]
fn floor(x: f64) -> f64 {
    let truncated = x as i64 as f64;
    if truncated > x {
        truncated - 1.0
    } else {
        truncated
    }
}

/// `x.ceil()`, as [`floor`].
#[inline(always)]
fn ceil(x: f64) -> f64 {
    -floor(-x)
}
