//! TEMPORARY STUB
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
    pub geometry: geo::MultiPolygon<f64>,
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


pub fn bar_chart(_c: &BarChart) -> Result<Figure, ChartError> { Ok(Figure { svg: String::new(), png: Vec::new() }) }
pub fn line_chart(_c: &LineChart) -> Result<Figure, ChartError> { Ok(Figure { svg: String::new(), png: Vec::new() }) }
pub fn choropleth(_c: &ChoroplethMap) -> Result<Figure, ChartError> { Ok(Figure { svg: String::new(), png: Vec::new() }) }
