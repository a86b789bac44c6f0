//! Charts and choropleth maps as SVG and PNG, drawn with plotters.
//!
//! This module owns drawing: it takes plain, already-prepared figures (a bar chart of
//! gaps by district, a users trend by age band, a map of areas with values and class
//! breaks) and returns the SVG text and PNG bytes of each, laid out for a 1200-pixel
//! page with every text in DejaVu Sans, which is compiled in, so the output is the same
//! on every machine, byte for byte. It also offers the usual ways of choosing class
//! breaks for a map ([`quantile_breaks`], [`jenks_breaks`], [`equal_interval_breaks`]).
//! It does not choose what to plot, apply disclosure control (a suppressed value
//! arrives as `None` and is drawn as such), or write files: callers do those.

mod bar;
mod classify;
mod layout;
mod line;
mod map;
mod png;

use std::sync::OnceLock;

use plotters::prelude::{BitMapBackend, DrawingBackend, IntoDrawingArea, SVGBackend};
use plotters::style::{register_font, FontStyle, WHITE};

pub use classify::{equal_interval_breaks, jenks_breaks, quantile_breaks};
use layout::{draw_err, Area, Drawn, FAMILY};
pub use map::MapShapes;

/// One chart in both formats. The SVG and the PNG have the same size in pixels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub svg: String,
    pub png: Vec<u8>,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the built-in DejaVu Sans font could not be loaded")]
    Font,
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("could not encode the {width}x{height} chart as PNG")]
    Png { width: u32, height: u32 },
}

/// One series of a bar chart: a value per category, `None` where the value is
/// suppressed or unknown (drawn as a "c" marker rather than a bar).
#[derive(Debug, Clone, PartialEq)]
pub struct BarSeries {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

/// Horizontal grouped bars: one group per category (e.g. district), one bar per
/// series (e.g. need, or supply and demand). Values may be negative (a surplus).
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub subtitle: Option<String>,
    pub categories: Vec<String>,
    pub series: Vec<BarSeries>,
    /// The unit of the values, shown under the value axis, e.g. "places per day".
    pub value_label: String,
    pub footnote: Option<String>,
}

/// One line of a line chart; a non-finite value is a gap in the line.
#[derive(Debug, Clone, PartialEq)]
pub struct LineSeries {
    pub label: String,
    pub values: Vec<f64>,
}

/// Lines over a categorical x axis, e.g. months "Aug-20" to "Jun-25".
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub subtitle: Option<String>,
    pub x_labels: Vec<String>,
    pub series: Vec<LineSeries>,
    pub y_label: String,
    pub footnote: Option<String>,
}

/// How map classes are coloured. Both are colour-blind safe (ColorBrewer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    /// Light to dark (YlGnBu) for values that only grow, e.g. travel distance.
    Sequential,
    /// Blue below zero, red above (RdBu), for gaps: a shortage is warm, a surplus cool.
    Diverging,
}

/// One area of a choropleth map, with its boundary in WGS84 longitude/latitude.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRegion {
    pub name: String,
    /// Shared, not copied: a run's maps draw the same areas once per lot.
    pub geometry: std::sync::Arc<geo::MultiPolygon<f64>>,
    /// `None` (or a non-finite value) for no data or suppressed: drawn grey, hatched.
    pub value: Option<f64>,
}

/// A point drawn over the map, e.g. a service location (WGS84).
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub lon: f64,
    pub lat: f64,
    pub label: Option<String>,
}

/// A choropleth map of regions coloured by class, with optional points on top.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoroplethMap {
    pub title: String,
    pub subtitle: Option<String>,
    pub regions: Vec<MapRegion>,
    /// Upper bounds of the classes, ascending (see [`jenks_breaks`]). Values above the
    /// last bound get a class of their own; with no bounds, five equal intervals.
    pub breaks: Vec<f64>,
    pub palette: Palette,
    pub legend_title: String,
    /// Whether to write region names on the map (worth it for districts, not for
    /// hundreds of small areas). Labels that would overlap are left out.
    pub label_regions: bool,
    pub points: Vec<MapPoint>,
    /// Legend text for the points, e.g. "Day services"; "Points" if `None`.
    pub points_label: Option<String>,
    /// Source and copyright line, e.g. the ONS Open Government Licence statement.
    pub attribution: String,
}

/// One class of a choropleth's legend, for styling the same classes elsewhere (QGIS).
#[derive(Debug, Clone, PartialEq)]
pub struct LegendClass {
    /// Lower bound (exclusive, except the first class); may be minus infinity.
    pub lower: f64,
    /// Upper bound (inclusive).
    pub upper: f64,
    pub colour: (u8, u8, u8),
    /// The legend text, with the count of regions in the class.
    pub label: String,
}

/// The classes a choropleth draws, in order, with their colours.
pub fn legend_classes(map: &ChoroplethMap) -> Vec<LegendClass> {
    map::legend(map)
}

/// The class of each of a choropleth's regions, as an index into [`legend_classes`];
/// `None` where the region has no data or a suppressed value (drawn grey, hatched).
pub fn region_classes(map: &ChoroplethMap) -> Vec<Option<usize>> {
    map::region_classes(map)
}

/// The fill of a choropleth region with no data or a suppressed value.
pub const NO_DATA_COLOUR: &str = map::NO_DATA_HEX;

/// Draws a horizontal grouped bar chart, 1200x800 pixels.
pub fn bar_chart(chart: &BarChart) -> Result<Figure, ChartError> {
    render(
        bar::SIZE,
        |area| bar::draw(area, chart),
        |area| bar::draw(area, chart),
    )
}

/// Draws a line chart with markers at the points, 1200x800 pixels.
pub fn line_chart(chart: &LineChart) -> Result<Figure, ChartError> {
    render(
        line::SIZE,
        |area| line::draw(area, chart),
        |area| line::draw(area, chart),
    )
}

/// Draws a choropleth map, 1200x1000 pixels.
pub fn choropleth(map: &ChoroplethMap) -> Result<Figure, ChartError> {
    choropleth_with(map, &MapShapes::default())
}

/// [`choropleth`], keeping the map's regions in pixels in `shapes` for other maps of the
/// same regions drawn with it (a run's maps of one layer, one per lot). The maps must
/// outlive `shapes`.
pub fn choropleth_with(map: &ChoroplethMap, shapes: &MapShapes) -> Result<Figure, ChartError> {
    let regions = std::cell::RefCell::new(String::new());
    let mut figure = render(
        map::SIZE,
        |area| map::draw(area, map, Some(&regions), shapes),
        |area| map::draw(area, map, None, shapes),
    )?;
    let regions = regions.into_inner();
    if !regions.is_empty() {
        figure.svg = map::splice_regions(&figure.svg, &regions).ok_or_else(|| {
            ChartError::Draw("the map's regions found no place in the SVG".into())
        })?;
    }
    Ok(figure)
}

type SvgArea<'a> = Area<SVGBackend<'a>>;
type PngArea<'a> = Area<BitMapBackend<'a>>;

/// Draws the same figure on an SVG and a bitmap backend. The drawing function comes
/// twice because a closure cannot be generic over the backend.
fn render(
    (width, height): (u32, u32),
    draw_svg: impl Fn(&SvgArea) -> Drawn,
    draw_png: impl Fn(&PngArea) -> Drawn,
) -> Result<Figure, ChartError> {
    register_fonts()?;
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        paint(&area, draw_svg)?;
    }
    let mut rgb = vec![0u8; width as usize * height as usize * 3];
    {
        let backend = BitMapBackend::with_buffer_and_format(&mut rgb, (width, height))
            .map_err(|e| ChartError::Draw(e.to_string()))?;
        paint(&backend.into_drawing_area(), draw_png)?;
    }
    let png = png::encode_rgb(width, height, &rgb).ok_or(ChartError::Png { width, height })?;
    Ok(Figure { svg, png })
}

fn paint<DB: DrawingBackend>(area: &Area<DB>, draw: impl Fn(&Area<DB>) -> Drawn) -> Drawn {
    area.fill(&WHITE).map_err(draw_err)?;
    draw(area)?;
    area.present().map_err(draw_err)
}

/// Registers DejaVu Sans (regular and bold) with plotters, once per process.
fn register_fonts() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = REGISTERED.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && register_font(FAMILY, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if *ok {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

#[cfg(test)]
mod tests;
