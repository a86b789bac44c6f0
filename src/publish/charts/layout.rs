//! Pieces every chart shares: the font, measuring and wrapping text, the page header
//! (title, subtitle, legend) and footer, colours, number formatting and axis ticks.
//! Everything is measured with the same DejaVu metrics for the SVG and the PNG, so the
//! two outputs have the same layout.

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon, Rectangle};
use plotters::prelude::{DrawingArea, DrawingAreaErrorKind, DrawingBackend};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{
    FontDesc, FontFamily, FontStyle, FontTransform, RGBColor, ShapeStyle, WHITE,
};

use super::ChartError;

/// The family every text uses. The name doubles as the SVG `font-family` value, so a
/// viewer without DejaVu Sans falls back to its own sans-serif.
pub(super) const FAMILY: &str = "DejaVu Sans, sans-serif";

pub(super) type Area<DB> = DrawingArea<DB, Shift>;
pub(super) type Drawn<T = ()> = Result<T, ChartError>;

pub(super) const INK: RGBColor = RGBColor(26, 26, 26);
pub(super) const MUTED: RGBColor = RGBColor(90, 90, 90);
pub(super) const AXIS: RGBColor = RGBColor(110, 110, 110);
pub(super) const GRID: RGBColor = RGBColor(225, 225, 225);
pub(super) const MARGIN: i32 = 28;

/// Okabe and Ito's colour-blind-safe qualitative palette, in an order where
/// neighbours differ in lightness as well as hue.
pub(super) const SERIES_COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(0, 0, 0),
];

pub(super) fn series_colour(i: usize) -> RGBColor {
    SERIES_COLOURS[i % SERIES_COLOURS.len()]
}

pub(super) fn draw_err<E: std::error::Error + Send + Sync>(
    e: DrawingAreaErrorKind<E>,
) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// A rectangle in pixels; `right` and `bottom` are exclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rect {
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
}

impl Rect {
    pub fn width(&self) -> i32 {
        self.right - self.left
    }

    pub fn height(&self) -> i32 {
        self.bottom - self.top
    }

    pub fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    pub fn contains_rect(&self, other: &Rect) -> bool {
        other.left >= self.left
            && other.right <= self.right
            && other.top >= self.top
            && other.bottom <= self.bottom
    }

    pub fn grow(&self, by: i32) -> Rect {
        Rect {
            left: self.left - by,
            top: self.top - by,
            right: self.right + by,
            bottom: self.bottom + by,
        }
    }
}

/// A text style: size in plotters' units (roughly the line height in pixels).
#[derive(Debug, Clone, Copy)]
pub(super) struct Text {
    pub size: f64,
    pub bold: bool,
    pub colour: RGBColor,
}

impl Text {
    pub const TITLE: Text = Text::new(30.0, true, INK);
    pub const SUBTITLE: Text = Text::new(20.0, false, MUTED);
    pub const LABEL: Text = Text::new(19.0, false, INK);
    pub const TICK: Text = Text::new(17.0, false, MUTED);
    pub const AXIS_TITLE: Text = Text::new(19.0, true, MUTED);
    pub const NOTE: Text = Text::new(16.0, false, MUTED);

    pub const fn new(size: f64, bold: bool, colour: RGBColor) -> Text {
        Text { size, bold, colour }
    }

    pub fn with_colour(self, colour: RGBColor) -> Text {
        Text { colour, ..self }
    }

    pub fn font(&self) -> FontDesc<'static> {
        let style = if self.bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        FontDesc::new(FontFamily::Name(FAMILY), self.size, style)
    }

    /// Advance width in pixels; a generous estimate if the font cannot be measured.
    pub fn width(&self, text: &str) -> i32 {
        match self.font().box_size(text) {
            Ok((w, _)) => i32::try_from(w).unwrap_or(i32::MAX),
            Err(_) => (text.chars().count() as f64 * self.size * 0.62).ceil() as i32,
        }
    }

    pub fn line_height(&self) -> i32 {
        (self.size * 1.3).round() as i32
    }
}

/// Splits `text` into lines no wider than `max_width`, breaking at spaces. A single
/// word wider than the limit stays whole on its own line.
pub(super) fn wrap(text: &str, style: Text, max_width: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || style.width(&candidate) <= max_width {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Draws one line of text anchored at `at` with the given alignment.
pub(super) fn text<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    style: Text,
    at: (i32, i32),
    anchor: (HPos, VPos),
) -> Drawn {
    let font = style
        .font()
        .color(&style.colour)
        .pos(Pos::new(anchor.0, anchor.1));
    area.draw_text(s, &font, at).map_err(draw_err)
}

/// Draws text rotated a quarter turn anticlockwise, centred on `at` (a y-axis title).
pub(super) fn text_vertical<DB: DrawingBackend>(
    area: &Area<DB>,
    s: &str,
    style: Text,
    at: (i32, i32),
) -> Drawn {
    let font = style
        .font()
        .transform(FontTransform::Rotate270)
        .color(&style.colour)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(s, &font, (at.0 - style.line_height() / 2, at.1))
        .map_err(draw_err)
}

/// Draws wrapped lines from `top`, left-aligned at `left`; returns the y below them.
pub(super) fn paragraph<DB: DrawingBackend>(
    area: &Area<DB>,
    lines: &[String],
    style: Text,
    left: i32,
    top: i32,
) -> Drawn<i32> {
    let mut y = top;
    for line in lines {
        text(area, line, style, (left, y), (HPos::Left, VPos::Top))?;
        y += style.line_height();
    }
    Ok(y)
}

pub(super) fn fill_rect<DB: DrawingBackend>(area: &Area<DB>, r: Rect, colour: RGBColor) -> Drawn {
    let style = ShapeStyle::from(&colour).filled();
    area.draw(&Rectangle::new(
        [(r.left, r.top), (r.right, r.bottom)],
        style,
    ))
    .map_err(draw_err)
}

pub(super) fn outline_rect<DB: DrawingBackend>(
    area: &Area<DB>,
    r: Rect,
    colour: RGBColor,
) -> Drawn {
    let style = ShapeStyle::from(&colour).stroke_width(1);
    area.draw(&Rectangle::new(
        [(r.left, r.top), (r.right - 1, r.bottom - 1)],
        style,
    ))
    .map_err(draw_err)
}

pub(super) fn line<DB: DrawingBackend>(
    area: &Area<DB>,
    points: Vec<(i32, i32)>,
    colour: RGBColor,
    width: u32,
) -> Drawn {
    let style = ShapeStyle::from(&colour).stroke_width(width);
    area.draw(&PathElement::new(points, style))
        .map_err(draw_err)
}

/// The marker shapes, cycled with the series colours so that series stay apart for
/// readers who cannot tell the colours apart and in greyscale print.
#[derive(Debug, Clone, Copy)]
pub(super) enum Marker {
    Circle,
    Square,
    Triangle,
    Diamond,
}

pub(super) fn series_marker(i: usize) -> Marker {
    [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
    ][i % 4]
}

pub(super) fn marker<DB: DrawingBackend>(
    area: &Area<DB>,
    shape: Marker,
    at: (i32, i32),
    r: i32,
    colour: RGBColor,
    halo: bool,
) -> Drawn {
    // A white halo sets a marker off from its line; dense lines go without, or the
    // halos would cut them into dashes.
    if halo {
        marker_shape(area, shape, at, r + 2, WHITE)?;
    }
    marker_shape(area, shape, at, r, colour)
}

fn marker_shape<DB: DrawingBackend>(
    area: &Area<DB>,
    shape: Marker,
    (x, y): (i32, i32),
    r: i32,
    colour: RGBColor,
) -> Drawn {
    let style = ShapeStyle::from(&colour).filled();
    let result = match shape {
        Marker::Circle => area.draw(&Circle::new((x, y), r, style)),
        Marker::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], style)),
        Marker::Triangle => {
            let points = vec![(x, y - r - 1), (x + r + 1, y + r), (x - r - 1, y + r)];
            area.draw(&Polygon::new(points, style))
        }
        Marker::Diamond => {
            let points = vec![
                (x, y - r - 1),
                (x + r + 1, y),
                (x, y + r + 1),
                (x - r - 1, y),
            ];
            area.draw(&Polygon::new(points, style))
        }
    };
    result.map_err(draw_err)
}

/// One entry of a legend: a swatch drawn by the chart and a label.
pub(super) struct LegendItem {
    pub label: String,
    pub swatch: Swatch,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Swatch {
    Box(RGBColor),
    Line(RGBColor, Marker),
    Text(&'static str),
}

const SWATCH_W: i32 = 30;
const SWATCH_GAP: i32 = 8;
const ITEM_GAP: i32 = 28;

/// Lays legend items out in rows across `width`; returns each item's origin and the
/// total height.
fn legend_layout(items: &[LegendItem], width: i32) -> (Vec<(i32, i32)>, i32) {
    let style = Text::LABEL;
    let row_h = style.line_height() + 6;
    let (mut x, mut y) = (0, 0);
    let mut origins = Vec::with_capacity(items.len());
    for item in items {
        let w = SWATCH_W + SWATCH_GAP + style.width(&item.label);
        if x > 0 && x + w > width {
            x = 0;
            y += row_h;
        }
        origins.push((x, y));
        x += w + ITEM_GAP;
    }
    let height = if items.is_empty() { 0 } else { y + row_h };
    (origins, height)
}

pub(super) fn legend_height(items: &[LegendItem], width: i32) -> i32 {
    legend_layout(items, width).1
}

/// Draws a horizontal legend whose top-left corner is at `origin`.
pub(super) fn legend<DB: DrawingBackend>(
    area: &Area<DB>,
    items: &[LegendItem],
    origin: (i32, i32),
    width: i32,
) -> Drawn {
    let (origins, _) = legend_layout(items, width);
    let style = Text::LABEL;
    for (item, (dx, dy)) in items.iter().zip(origins) {
        let (x, y) = (origin.0 + dx, origin.1 + dy);
        let mid = y + style.line_height() / 2;
        swatch(area, item.swatch, (x, mid))?;
        let at = (x + SWATCH_W + SWATCH_GAP, mid);
        text(area, &item.label, style, at, (HPos::Left, VPos::Center))?;
    }
    Ok(())
}

fn swatch<DB: DrawingBackend>(area: &Area<DB>, kind: Swatch, (x, mid): (i32, i32)) -> Drawn {
    match kind {
        Swatch::Box(colour) => fill_rect(
            area,
            Rect {
                left: x + 4,
                top: mid - 9,
                right: x + SWATCH_W - 4,
                bottom: mid + 9,
            },
            colour,
        ),
        Swatch::Line(colour, shape) => {
            line(area, vec![(x, mid), (x + SWATCH_W, mid)], colour, 3)?;
            marker(area, shape, (x + SWATCH_W / 2, mid), 5, colour, true)
        }
        Swatch::Text(s) => text(
            area,
            s,
            Text::new(17.0, true, MUTED),
            (x + SWATCH_W / 2, mid),
            (HPos::Center, VPos::Center),
        ),
    }
}

/// The parts of the page around the plot that every chart has.
pub(super) struct Page<'a> {
    pub width: i32,
    pub height: i32,
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub legend: &'a [LegendItem],
    pub footnote: Option<&'a str>,
}

impl Page<'_> {
    fn text_width(&self) -> i32 {
        self.width - 2 * MARGIN
    }

    fn footnote_lines(&self) -> Vec<String> {
        self.footnote
            .map(|f| wrap(f, Text::NOTE, self.text_width()))
            .unwrap_or_default()
    }

    /// Draws the title, subtitle, legend and footnote and returns the space left
    /// between them for the plot.
    pub fn draw<DB: DrawingBackend>(&self, area: &Area<DB>) -> Drawn<Rect> {
        let w = self.text_width();
        let title = wrap(self.title, Text::TITLE, w);
        let mut y = paragraph(area, &title, Text::TITLE, MARGIN, MARGIN - 4)?;
        if let Some(sub) = self.subtitle.filter(|s| !s.trim().is_empty()) {
            let lines = wrap(sub, Text::SUBTITLE, w);
            y = paragraph(area, &lines, Text::SUBTITLE, MARGIN, y + 2)?;
        }
        y += 12;
        if !self.legend.is_empty() {
            legend(area, self.legend, (MARGIN, y), w)?;
            y += legend_height(self.legend, w) + 6;
        }
        let notes = self.footnote_lines();
        let notes_h = notes.len() as i32 * Text::NOTE.line_height();
        let notes_top = self.height - MARGIN + 6 - notes_h;
        paragraph(area, &notes, Text::NOTE, MARGIN, notes_top)?;
        let gap = if notes.is_empty() { 0 } else { 14 };
        Ok(Rect {
            left: MARGIN,
            top: y,
            right: self.width - MARGIN,
            bottom: notes_top - gap,
        })
    }
}

/// Draws a centred message where a chart would be, for input with nothing to plot.
pub(super) fn no_data<DB: DrawingBackend>(area: &Area<DB>, plot: Rect, message: &str) -> Drawn {
    let centre = ((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2);
    text(
        area,
        message,
        Text::SUBTITLE,
        centre,
        (HPos::Center, VPos::Center),
    )
}

/// Ticks for a value axis: a step of 1, 2, 2.5 or 5 times a power of ten giving
/// about `target` intervals, and the tick values from a multiple of the step at or
/// below `lo` to one at or above `hi`.
pub(super) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() && hi > lo {
        (lo, hi)
    } else if lo.is_finite() && hi.is_finite() && hi == lo && lo != 0.0 {
        (lo.min(0.0), lo.max(0.0))
    } else {
        (0.0, 1.0)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    // The tolerance stops a bound that is a multiple of the step (often zero) from
    // gaining an extra tick through rounding error.
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// How many decimals the ticks need to tell apart (and to show a step like 2.5).
pub(super) fn tick_decimals(ticks: &[f64]) -> usize {
    let step = match ticks {
        [a, b, ..] => (b - a).abs(),
        _ => 1.0,
    };
    (0..=4)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() < 1e-6
        })
        .unwrap_or(4)
}

/// Formats a number with thousands separators and a true minus sign, e.g.
/// `format_number(-1234.5, 1)` is "−1,234.5".
pub(super) fn format_number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return String::from("–");
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text, None),
    };
    let mut grouped = String::new();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let is_zero = text_is_zero(&grouped, frac_part.as_deref());
    let sign = if value < 0.0 && !is_zero {
        "\u{2212}"
    } else {
        ""
    };
    match frac_part {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

fn text_is_zero(int_part: &str, frac: Option<&str>) -> bool {
    int_part.chars().all(|c| c == '0' || c == ',')
        && frac.is_none_or(|f| f.chars().all(|c| c == '0'))
}

/// Decimals for data labels: none for whole numbers, otherwise enough for the
/// smallest magnitude shown (at most two).
pub(super) fn value_decimals(values: impl Iterator<Item = f64>) -> usize {
    let is_whole = |x: f64| (x - x.round()).abs() < 1e-9;
    values
        .filter(|v| v.is_finite() && !is_whole(*v))
        .map(|v| {
            if is_whole(v * 10.0) || v.abs() >= 10.0 {
                1
            } else {
                2
            }
        })
        .max()
        .unwrap_or(0)
}

/// Linear map from a value range to a pixel range.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scale {
    pub v0: f64,
    pub v1: f64,
    pub p0: i32,
    pub p1: i32,
}

impl Scale {
    pub fn px(&self, v: f64) -> i32 {
        let span = self.v1 - self.v0;
        let t = if span.abs() < f64::EPSILON {
            0.0
        } else {
            (v - self.v0) / span
        };
        (f64::from(self.p0) + t * f64::from(self.p1 - self.p0)).round() as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_range_with_round_steps() {
        assert_eq!(
            nice_ticks(0.0, 47.0, 5),
            vec![0.0, 10.0, 20.0, 30.0, 40.0, 50.0]
        );
        assert_eq!(
            nice_ticks(-12.0, 30.0, 6),
            vec![-20.0, -10.0, 0.0, 10.0, 20.0, 30.0]
        );
        assert_eq!(nice_ticks(0.0, 0.0, 5).first(), Some(&0.0));
        assert_eq!(nice_ticks(f64::NAN, 3.0, 5), nice_ticks(0.0, 1.0, 5));
    }

    #[test]
    fn numbers_have_separators_and_a_minus_sign() {
        assert_eq!(format_number(1234.5, 1), "1,234.5");
        assert_eq!(format_number(-1234.0, 0), "\u{2212}1,234");
        assert_eq!(format_number(-0.001, 1), "0.0");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(1_000_000.0, 0), "1,000,000");
    }

    #[test]
    fn tick_decimals_follow_the_step() {
        assert_eq!(tick_decimals(&[0.0, 2.5, 5.0]), 1);
        assert_eq!(tick_decimals(&[0.0, 10.0]), 0);
        assert_eq!(tick_decimals(&[0.0, 0.25]), 2);
    }

    #[test]
    fn wrapping_keeps_long_words_whole() {
        let lines = wrap("North West Leicestershire", Text::LABEL, 10);
        assert_eq!(lines, vec!["North", "West", "Leicestershire"]);
        assert!(wrap("", Text::LABEL, 100).is_empty());
    }
}
