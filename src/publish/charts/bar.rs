//! Horizontal grouped bar charts: categories down the left (so long district names
//! read across), one bar per series in each group, bars drawn from a zero line so a
//! negative gap (a surplus) points left, and "[c]" where a value is suppressed.

use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, VPos};

use super::layout::{
    fill_rect, format_number, line, nice_ticks, no_data, series_colour, text, tick_decimals,
    value_decimals, wrap, Area, Drawn, LegendItem, Page, Rect, Scale, Swatch, Text, AXIS, GRID,
    MUTED,
};
use super::BarChart;

pub(super) const SIZE: (u32, u32) = (1200, 800);
const SUPPRESSED: &str = "[c]";

/// The values to draw, `[series][category]`, with anything non-finite or missing as
/// `None`.
fn clean_values(chart: &BarChart) -> Vec<Vec<Option<f64>>> {
    let n = chart.categories.len();
    chart
        .series
        .iter()
        .map(|s| {
            (0..n)
                .map(|i| s.values.get(i).copied().flatten().filter(|v| v.is_finite()))
                .collect()
        })
        .collect()
}

fn legend_items(chart: &BarChart, values: &[Vec<Option<f64>>]) -> Vec<LegendItem> {
    let mut items: Vec<LegendItem> = Vec::new();
    if chart.series.len() > 1 {
        items.extend(chart.series.iter().enumerate().map(|(i, s)| LegendItem {
            label: s.label.clone(),
            swatch: Swatch::Box(series_colour(i)),
        }));
    }
    if values.iter().flatten().any(Option::is_none) {
        items.push(LegendItem {
            label: String::from("suppressed or not available"),
            swatch: Swatch::Text(SUPPRESSED),
        });
    }
    items
}

/// Where everything goes, worked out once from the plot area and the values.
struct Layout {
    categories: Vec<Vec<String>>,
    label_style: Text,
    label_right: i32,
    bars: Rect,
    value: Scale,
    ticks: Vec<f64>,
    band: f64,
    bar_height: i32,
    decimals: usize,
}

impl Layout {
    fn new(chart: &BarChart, values: &[Vec<Option<f64>>], plot: Rect) -> Layout {
        let n = chart.categories.len().max(1);
        let (label_style, may_wrap) = category_style(plot.height() / n as i32);
        let max_label = if may_wrap {
            plot.width() * 3 / 10
        } else {
            i32::MAX
        };
        let categories: Vec<Vec<String>> = chart
            .categories
            .iter()
            .map(|c| wrap(c, label_style, max_label))
            .collect();
        let label_w = categories
            .iter()
            .flatten()
            .map(|l| label_style.width(l))
            .max()
            .unwrap_or(0);
        let finite = || values.iter().flatten().flatten().copied();
        let lo = finite().fold(0.0, f64::min);
        let hi = finite().fold(0.0, f64::max);
        let ticks = nice_ticks(lo, hi, 6);
        let decimals = value_decimals(finite());
        let data_label_w = finite()
            .map(|v| Text::TICK.width(&format_number(v, decimals)))
            .max()
            .unwrap_or(0)
            + 12;
        let bottom = plot.bottom - Text::TICK.line_height() - Text::AXIS_TITLE.line_height() - 14;
        let bars = Rect {
            left: plot.left + label_w + 16,
            top: plot.top + 4,
            right: plot.right,
            bottom,
        };
        let pad_left = if lo < 0.0 { data_label_w } else { 0 };
        let pad_right = if hi > 0.0 || lo >= 0.0 {
            data_label_w
        } else {
            0
        };
        let value = Scale {
            v0: ticks.first().copied().unwrap_or(0.0),
            v1: ticks.last().copied().unwrap_or(1.0),
            p0: bars.left + pad_left,
            p1: bars.right - pad_right,
        };
        let band = f64::from(bars.height()) / n as f64;
        let per_group = values.len().max(1);
        let bar_height = ((band * 0.74) / per_group as f64).min(46.0).floor() as i32;
        Layout {
            categories,
            label_style,
            label_right: bars.left - 14,
            bars,
            value,
            ticks,
            band,
            bar_height,
            decimals,
        }
    }

    fn band_top(&self, category: usize) -> i32 {
        self.bars.top + (self.band * category as f64).round() as i32
    }

    /// Top of the bar for `series` of `n_series` in `category`.
    fn bar_top(&self, category: usize, series: usize, n_series: usize) -> i32 {
        let group = self.bar_height * n_series as i32;
        let offset = ((self.band - f64::from(group)) / 2.0).round() as i32;
        self.band_top(category) + offset + self.bar_height * series as i32
    }
}

pub(super) fn draw<DB: DrawingBackend>(area: &Area<DB>, chart: &BarChart) -> Drawn {
    let values = clean_values(chart);
    let legend = legend_items(chart, &values);
    let page = Page {
        width: SIZE.0 as i32,
        height: SIZE.1 as i32,
        title: &chart.title,
        subtitle: chart.subtitle.as_deref(),
        legend: &legend,
        footnote: chart.footnote.as_deref(),
    };
    let plot = page.draw(area)?;
    if chart.categories.is_empty() || chart.series.is_empty() {
        return no_data(area, plot, "No data to show");
    }
    let layout = Layout::new(chart, &values, plot);
    draw_grid(area, &layout)?;
    draw_value_axis(area, &layout, &chart.value_label)?;
    draw_bars(area, &layout, &values)?;
    draw_categories(area, &layout)
}

fn draw_grid<DB: DrawingBackend>(area: &Area<DB>, layout: &Layout) -> Drawn {
    let (top, bottom) = (layout.bars.top, layout.bars.bottom);
    for &t in &layout.ticks {
        let x = layout.value.px(t);
        line(area, vec![(x, top), (x, bottom)], GRID, 1)?;
    }
    let n = layout.categories.len();
    for i in 1..n {
        let y = layout.band_top(i);
        let sep = vec![(layout.bars.left, y), (layout.bars.right, y)];
        line(area, sep, GRID, 1)?;
    }
    Ok(())
}

fn draw_value_axis<DB: DrawingBackend>(area: &Area<DB>, layout: &Layout, label: &str) -> Drawn {
    let decimals = tick_decimals(&layout.ticks);
    let y = layout.bars.bottom + 8;
    for &t in &layout.ticks {
        let at = (layout.value.px(t), y);
        let s = format_number(t, decimals);
        text(area, &s, Text::TICK, at, (HPos::Center, VPos::Top))?;
    }
    let x = (layout.value.p0 + layout.value.p1) / 2;
    let y = y + Text::TICK.line_height() + 6;
    text(
        area,
        label,
        Text::AXIS_TITLE,
        (x, y),
        (HPos::Center, VPos::Top),
    )
}

fn draw_bars<DB: DrawingBackend>(
    area: &Area<DB>,
    layout: &Layout,
    values: &[Vec<Option<f64>>],
) -> Drawn {
    let zero = layout.value.px(0.0);
    let gap = if values.len() > 1 { 2 } else { 0 };
    for (s, series) in values.iter().enumerate() {
        for (c, value) in series.iter().enumerate() {
            let top = layout.bar_top(c, s, values.len());
            let bottom = top + layout.bar_height - gap;
            let mid = (top + bottom) / 2;
            match value {
                Some(v) => {
                    let end = layout.value.px(*v);
                    let bar = Rect {
                        left: zero.min(end),
                        top,
                        right: zero.max(end),
                        bottom,
                    };
                    fill_rect(area, bar, series_colour(s))?;
                    data_label(area, layout, *v, (end, mid))?;
                }
                None => suppressed_mark(area, layout, (zero, mid))?,
            }
        }
    }
    let (top, bottom) = (layout.bars.top, layout.bars.bottom);
    line(area, vec![(zero, top), (zero, bottom)], AXIS, 2)
}

fn data_label_style(layout: &Layout) -> Option<Text> {
    let size = (f64::from(layout.bar_height) * 0.85).min(17.0);
    (size >= 9.0).then(|| Text::new(size, false, super::layout::INK))
}

fn data_label<DB: DrawingBackend>(
    area: &Area<DB>,
    layout: &Layout,
    v: f64,
    end: (i32, i32),
) -> Drawn {
    let Some(style) = data_label_style(layout) else {
        return Ok(());
    };
    let s = format_number(v, layout.decimals);
    if v < 0.0 {
        text(
            area,
            &s,
            style,
            (end.0 - 6, end.1),
            (HPos::Right, VPos::Center),
        )
    } else {
        text(
            area,
            &s,
            style,
            (end.0 + 6, end.1),
            (HPos::Left, VPos::Center),
        )
    }
}

fn suppressed_mark<DB: DrawingBackend>(area: &Area<DB>, layout: &Layout, at: (i32, i32)) -> Drawn {
    let size = (f64::from(layout.bar_height) * 0.8).clamp(11.0, 16.0);
    let style = Text::new(size, true, MUTED);
    // Write towards the side with room: right of zero unless zero is the right edge.
    if at.0 >= layout.bars.right - 30 {
        text(
            area,
            SUPPRESSED,
            style,
            (at.0 - 6, at.1),
            (HPos::Right, VPos::Center),
        )
    } else {
        text(
            area,
            SUPPRESSED,
            style,
            (at.0 + 6, at.1),
            (HPos::Left, VPos::Center),
        )
    }
}

/// Category names at the usual size, wrapping onto a second line if long, while a
/// band is two lines high; smaller and on one line when there are many categories.
fn category_style(band: i32) -> (Text, bool) {
    if band >= 2 * Text::LABEL.line_height() {
        (Text::LABEL, true)
    } else {
        let size = (f64::from(band) * 0.7).clamp(10.0, Text::LABEL.size);
        (
            Text {
                size,
                ..Text::LABEL
            },
            false,
        )
    }
}

fn draw_categories<DB: DrawingBackend>(area: &Area<DB>, layout: &Layout) -> Drawn {
    let style = layout.label_style;
    let line_h = style.line_height();
    for (c, lines) in layout.categories.iter().enumerate() {
        let centre = (layout.band_top(c) + layout.band_top(c + 1)) / 2;
        let mut y = centre - line_h * lines.len() as i32 / 2 + line_h / 2;
        for l in lines {
            let at = (layout.label_right, y);
            text(area, l, style, at, (HPos::Right, VPos::Center))?;
            y += line_h;
        }
    }
    Ok(())
}
