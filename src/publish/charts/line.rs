//! Line charts over a categorical x axis (months, quarters): one line per series,
//! a marker of a different shape per series at every point, gaps where a value is
//! missing, and x labels thinned so they never overlap (the latest is always shown).

use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, VPos};

use super::layout::{
    format_number, line, marker, nice_ticks, no_data, series_colour, series_marker, text,
    text_vertical, tick_decimals, Area, Drawn, LegendItem, Page, Rect, Scale, Swatch, Text, AXIS,
    GRID,
};
use super::LineChart;

pub(super) const SIZE: (u32, u32) = (1200, 800);

fn point_count(chart: &LineChart) -> usize {
    if chart.x_labels.is_empty() {
        chart
            .series
            .iter()
            .map(|s| s.values.len())
            .max()
            .unwrap_or(0)
    } else {
        chart.x_labels.len()
    }
}

fn finite_values(chart: &LineChart, n: usize) -> impl Iterator<Item = f64> + '_ {
    chart
        .series
        .iter()
        .flat_map(move |s| s.values.iter().take(n).copied())
        .filter(|v| v.is_finite())
}

struct Layout {
    plot: Rect,
    x: Scale,
    y: Scale,
    ticks: Vec<f64>,
    n: usize,
}

impl Layout {
    fn new(chart: &LineChart, area: Rect) -> Layout {
        let n = point_count(chart);
        let lo = finite_values(chart, n).fold(f64::INFINITY, f64::min);
        let hi = finite_values(chart, n).fold(f64::NEG_INFINITY, f64::max);
        // Counts start from zero; series that go negative show their full range.
        let ticks = nice_ticks(lo.min(0.0), hi, 6);
        let decimals = tick_decimals(&ticks);
        let tick_w = ticks
            .iter()
            .map(|t| Text::TICK.width(&format_number(*t, decimals)))
            .max()
            .unwrap_or(0);
        let last_label_w = chart.x_labels.last().map_or(0, |l| Text::TICK.width(l));
        let plot = Rect {
            left: area.left + Text::AXIS_TITLE.line_height() + 12 + tick_w + 10,
            top: area.top + 8,
            right: area.right - (last_label_w / 2).max(12),
            bottom: area.bottom - Text::TICK.line_height() - 10,
        };
        let inset = 14;
        let x = Scale {
            v0: 0.0,
            v1: (n.max(2) - 1) as f64,
            p0: plot.left + inset,
            p1: plot.right - inset,
        };
        let y = Scale {
            v0: ticks.first().copied().unwrap_or(0.0),
            v1: ticks.last().copied().unwrap_or(1.0),
            p0: plot.bottom,
            p1: plot.top,
        };
        Layout {
            plot,
            x,
            y,
            ticks,
            n,
        }
    }

    fn x_px(&self, i: usize) -> i32 {
        if self.n == 1 {
            (self.plot.left + self.plot.right) / 2
        } else {
            self.x.px(i as f64)
        }
    }

    fn spacing(&self) -> f64 {
        f64::from(self.x.p1 - self.x.p0) / (self.n.max(2) - 1) as f64
    }
}

pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, chart: &LineChart) -> Drawn {
    let legend: Vec<LegendItem> = if chart.series.len() > 1 {
        chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem {
                label: s.label.clone(),
                swatch: Swatch::Line(series_colour(i), series_marker(i)),
            })
            .collect()
    } else {
        Vec::new()
    };
    let page = Page {
        width: SIZE.0 as i32,
        height: SIZE.1 as i32,
        title: &chart.title,
        subtitle: chart.subtitle.as_deref(),
        legend: &legend,
        footnote: chart.footnote.as_deref(),
    };
    let plot = page.draw(area)?;
    let n = point_count(chart);
    if n == 0 || finite_values(chart, n).next().is_none() {
        return no_data(area, plot, "No data to show");
    }
    let layout = Layout::new(chart, plot);
    draw_y_axis(area, &layout, &chart.y_label, plot)?;
    draw_x_axis(area, &layout, &chart.x_labels)?;
    for (i, series) in chart.series.iter().enumerate() {
        draw_series(area, &layout, &series.values, i)?;
    }
    Ok(())
}

fn draw_y_axis<DB: DrawingBackend>(
    area: &Area<DB>,
    layout: &Layout,
    title: &str,
    outer: Rect,
) -> Drawn {
    let decimals = tick_decimals(&layout.ticks);
    let (left, right) = (layout.plot.left, layout.plot.right);
    for &t in &layout.ticks {
        let y = layout.y.px(t);
        let colour = if t == 0.0 { AXIS } else { GRID };
        line(area, vec![(left, y), (right, y)], colour, 1)?;
        let s = format_number(t, decimals);
        text(
            area,
            &s,
            Text::TICK,
            (left - 10, y),
            (HPos::Right, VPos::Center),
        )?;
    }
    let centre = (layout.plot.top + layout.plot.bottom) / 2;
    let x = outer.left + Text::AXIS_TITLE.line_height() / 2;
    text_vertical(area, title, Text::AXIS_TITLE, (x, centre))
}

/// Labels every k-th point, counting back from the last, with k the smallest step
/// that keeps the widest label clear of its neighbours.
fn draw_x_axis<DB: DrawingBackend>(area: &Area<DB>, layout: &Layout, labels: &[String]) -> Drawn {
    let widest = labels
        .iter()
        .map(|l| Text::TICK.width(l))
        .max()
        .unwrap_or(0);
    let step = ((f64::from(widest + 16) / layout.spacing().max(1.0)).ceil() as usize).max(1);
    let y = layout.plot.bottom;
    let axis = vec![(layout.plot.left, y), (layout.plot.right, y)];
    line(area, axis, AXIS, 1)?;
    for (i, label) in labels.iter().enumerate().take(layout.n) {
        if !(layout.n - 1 - i).is_multiple_of(step) {
            continue;
        }
        let x = layout.x_px(i);
        line(area, vec![(x, y), (x, y + 5)], AXIS, 1)?;
        text(
            area,
            label,
            Text::TICK,
            (x, y + 9),
            (HPos::Center, VPos::Top),
        )?;
    }
    Ok(())
}

fn draw_series<DB: DrawingBackend>(
    area: &Area<DB>,
    layout: &Layout,
    values: &[f64],
    i: usize,
) -> Drawn {
    let colour = series_colour(i);
    let points: Vec<Option<(i32, i32)>> = values
        .iter()
        .take(layout.n)
        .enumerate()
        .map(|(x, v)| v.is_finite().then(|| (layout.x_px(x), layout.y.px(*v))))
        .collect();
    for run in points.split(Option::is_none) {
        let run: Vec<(i32, i32)> = run.iter().flatten().copied().collect();
        if run.len() > 1 {
            line(area, run, colour, 3)?;
        }
    }
    let spacing = layout.spacing();
    let radius = (spacing / 4.0).clamp(2.0, 5.0).round() as i32;
    for p in points.iter().flatten() {
        marker(area, series_marker(i), *p, radius, colour, spacing >= 16.0)?;
    }
    Ok(())
}
