//! Choropleth maps: regions filled by class over an equirectangular projection
//! (longitude scaled by the cosine of the mean latitude, so shapes keep their
//! proportions at county scale), holes left unfilled, no-data regions grey and
//! hatched, names placed so that none covers another, points on top, a class
//! legend, a scale bar and the attribution line.

use geo::{Area as _, Centroid, Contains, InteriorPoint, MultiPolygon, Point, Polygon};
use plotters::element::{Circle, Polygon as Shape};
use plotters::prelude::DrawingBackend;
use plotters::style::text_anchor::{HPos, VPos};
use plotters::style::{RGBColor, ShapeStyle, WHITE};

use super::classify::{class_labels, equal_interval_breaks, tidy_bounds};
use super::layout::{
    draw_err, fill_rect, format_number, line, no_data, outline_rect, paragraph, text, wrap, Area,
    Drawn, Page, Rect, Text, INK,
};
use super::{ChoroplethMap, MapPoint, Palette};

pub(super) const SIZE: (u32, u32) = (1200, 1000);
const LEGEND_WIDTH: i32 = 280;
pub(super) const NO_DATA: RGBColor = RGBColor(217, 217, 217);
const HATCH: RGBColor = RGBColor(150, 150, 150);
const BORDER: RGBColor = RGBColor(80, 80, 80);
/// Lighter borders when there are many small areas, so the lines do not drown the fills.
const BORDER_DENSE: RGBColor = RGBColor(125, 125, 125);
const DENSE_REGIONS: usize = 60;
const POINT: RGBColor = RGBColor(20, 20, 20);
pub(super) const REGION_LABEL: Text = Text::new(16.0, true, INK);
pub(super) const POINT_LABEL: Text = Text::new(13.0, false, INK);
/// Kilometres in one degree of latitude (and of scaled longitude at the mean latitude).
const KM_PER_DEGREE: f64 = 111.2;

/// Above this many regions a map draws no outlines: at national scale the lines round
/// thousands of small areas would cover their fills.
const OUTLINED_REGIONS: usize = 2_000;
/// The colour of the one-pixel marker standing where the regions go in the SVG until
/// [`splice_regions`] puts them there.
const MARKER_FILL: RGBColor = RGBColor(1, 2, 3);

/// Draws the map. With `svg_regions`, the regions' fills and outlines are not drawn on
/// the backend but written into it as SVG paths, one per class (and one for all the
/// outlines), and a one-pixel marker is drawn where they belong: a national map then
/// has a handful of paths rather than tens of thousands of elements.
///
/// `cache` keeps the regions in pixels between the drawings of maps of the same regions in
/// the same frame (a map's SVG and its PNG, and a run's maps of one layer, one per lot),
/// so a national layer's boundaries are projected once.
pub(super) fn draw<DB: DrawingBackend>(
    area: &Area<DB>,
    map: &ChoroplethMap,
    svg_regions: Option<&std::cell::RefCell<String>>,
    cache: &MapShapes,
) -> Drawn {
    let page = Page {
        width: SIZE.0 as i32,
        height: SIZE.1 as i32,
        title: &map.title,
        subtitle: map.subtitle.as_deref(),
        legend: &[],
        footnote: Some(map.attribution.as_str()).filter(|a| !a.trim().is_empty()),
    };
    let body = page.draw(area)?;
    let panel = Rect {
        left: body.right - LEGEND_WIDTH,
        ..body
    };
    let frame = Rect {
        right: panel.left - 24,
        bottom: body.bottom - 44,
        ..body
    };
    let classes = Classes::new(map);
    let Some((projection, shapes)) = cache.get(map, frame) else {
        return no_data(area, frame, "No map data to show");
    };
    let shapes: &[ShapePx] = &shapes;
    let fills: Vec<Option<RGBColor>> = map
        .regions
        .iter()
        .map(|r| classes.colour(region_value(r)))
        .collect();
    let border = match map.regions.len() {
        n if n > OUTLINED_REGIONS => None,
        n if n > DENSE_REGIONS => Some(BORDER_DENSE),
        _ => Some(BORDER),
    };
    match svg_regions {
        Some(out) => {
            *out.borrow_mut() = regions_svg(shapes, &fills, &classes, border);
            fill_rect(
                area,
                Rect {
                    left: 0,
                    top: 0,
                    right: 1,
                    bottom: 1,
                },
                MARKER_FILL,
            )?;
            draw_hatching(area, shapes, &fills)?;
        }
        None => {
            draw_fills(area, shapes, &fills)?;
            if let Some(border) = border {
                draw_borders(area, shapes, border)?;
            }
        }
    }
    draw_points(area, &map.points, &projection, frame)?;
    let placed = draw_region_labels(area, map, &projection, frame)?;
    draw_point_labels(area, &map.points, &projection, frame, placed)?;
    draw_scale_bar(area, &projection, (frame.left, frame.bottom + 22))?;
    draw_legend(area, map, &classes, panel)
}

/// The map's classes as its legend shows them.
pub(super) fn legend(map: &ChoroplethMap) -> Vec<super::LegendClass> {
    let classes = Classes::new(map);
    let values: Vec<f64> = map.regions.iter().filter_map(region_value).collect();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let overflow = classes.bounds.last().is_some_and(|last| max > *last);
    class_ranges(&classes.bounds, min, max, overflow)
        .into_iter()
        .zip(&classes.colours)
        .zip(&classes.labels)
        .map(|(((lower, upper), c), label)| super::LegendClass {
            lower,
            upper,
            colour: (c.0, c.1, c.2),
            label: label.clone(),
        })
        .collect()
}

/// The class of each region (an index into [`legend`]'s classes), `None` for no data.
pub(super) fn region_classes(map: &ChoroplethMap) -> Vec<Option<usize>> {
    let classes = Classes::new(map);
    map.regions
        .iter()
        .map(|r| region_value(r).map(|v| classes.class_of(v)))
        .collect()
}

/// The colour of regions with no data or a suppressed value.
pub(super) const NO_DATA_HEX: &str = "#D9D9D9";

/// The classes: upper bounds, an extra open class when values exceed the last bound,
/// and each class's colour, legend label and number of regions.
struct Classes {
    bounds: Vec<f64>,
    colours: Vec<RGBColor>,
    labels: Vec<String>,
    has_no_data: bool,
}

impl Classes {
    fn new(map: &ChoroplethMap) -> Classes {
        let values: Vec<f64> = map.regions.iter().filter_map(region_value).collect();
        let mut bounds: Vec<f64> = map
            .breaks
            .iter()
            .copied()
            .filter(|b| b.is_finite())
            .collect();
        bounds.sort_by(f64::total_cmp);
        bounds.dedup();
        if bounds.is_empty() {
            bounds = equal_interval_breaks(&values, 5);
        }
        let (bounds, one_value_each) = tidy_bounds(&bounds, &values);
        let integers = values.iter().all(|v| v.fract() == 0.0);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let overflow = bounds.last().is_some_and(|last| max > *last);
        let ranges = class_ranges(&bounds, min, max, overflow);
        let mut counts = vec![0usize; ranges.len()];
        let mut classes = Classes {
            colours: class_colours(&ranges, map.palette),
            labels: Vec::new(),
            bounds,
            has_no_data: map.regions.iter().any(|r| region_value(r).is_none()),
        };
        for v in &values {
            if let Some(c) = counts.get_mut(classes.class_of(*v)) {
                *c += 1;
            }
        }
        classes.labels = class_labels(&ranges, &counts, overflow, integers, one_value_each);
        classes
    }

    fn class_of(&self, v: f64) -> usize {
        self.bounds
            .iter()
            .position(|b| v <= *b)
            .unwrap_or(self.bounds.len())
    }

    fn colour(&self, value: Option<f64>) -> Option<RGBColor> {
        let v = value?;
        self.colours.get(self.class_of(v)).copied()
    }
}

fn region_value(region: &super::MapRegion) -> Option<f64> {
    region.value.filter(|v| v.is_finite())
}

/// `(lower, upper)` of each class: the first starts at the data minimum (or is open
/// below when no value is that low), the overflow class ends at the maximum.
fn class_ranges(bounds: &[f64], min: f64, max: f64, overflow: bool) -> Vec<(f64, f64)> {
    let mut ranges: Vec<(f64, f64)> = bounds
        .iter()
        .enumerate()
        .map(|(i, &upper)| {
            let lower = if i == 0 {
                if min <= upper {
                    min
                } else {
                    f64::NEG_INFINITY
                }
            } else {
                bounds[i - 1]
            };
            (lower, upper)
        })
        .collect();
    if overflow {
        let last = bounds.last().copied().unwrap_or(f64::NEG_INFINITY);
        ranges.push((last, max));
    }
    ranges
}

/// ColorBrewer YlGnBu, light to dark.
const SEQUENTIAL: [(u8, u8, u8); 9] = [
    (255, 255, 217),
    (237, 248, 177),
    (199, 233, 180),
    (127, 205, 187),
    (65, 182, 196),
    (29, 145, 192),
    (34, 94, 168),
    (37, 52, 148),
    (8, 29, 88),
];
/// ColorBrewer RdBu halves, each from the neutral centre outwards.
const COOL: [(u8, u8, u8); 6] = [
    (247, 247, 247),
    (209, 229, 240),
    (146, 197, 222),
    (67, 147, 195),
    (33, 102, 172),
    (5, 48, 97),
];
const WARM: [(u8, u8, u8); 6] = [
    (247, 247, 247),
    (253, 219, 199),
    (244, 165, 130),
    (214, 96, 77),
    (178, 24, 43),
    (103, 0, 31),
];

/// Colour at `t` in 0..=1 along a ramp, interpolated in sRGB.
fn ramp(anchors: &[(u8, u8, u8)], t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0) * (anchors.len() - 1) as f64;
    let i = (t.floor() as usize).min(anchors.len() - 2);
    let f = t - i as f64;
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (a, b) = (anchors[i], anchors[i + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn class_colours(ranges: &[(f64, f64)], palette: Palette) -> Vec<RGBColor> {
    let n = ranges.len();
    match palette {
        Palette::Sequential => (0..n)
            .map(|i| {
                let t = if n == 1 {
                    0.5
                } else {
                    0.1 + 0.8 * i as f64 / (n - 1) as f64
                };
                ramp(&SEQUENTIAL, t)
            })
            .collect(),
        Palette::Diverging => diverging_colours(ranges),
    }
}

/// Classes wholly below zero are blue, wholly above red, a class spanning zero is the
/// neutral centre; the darkness steps with the distance from zero, on the same scale
/// both sides so that equal steps look equal.
fn diverging_colours(ranges: &[(f64, f64)]) -> Vec<RGBColor> {
    let below = ranges.iter().filter(|(_, u)| *u <= 0.0).count();
    let above = ranges
        .iter()
        .filter(|(l, _)| *l >= 0.0 && l.is_finite())
        .count();
    let steps = below.max(above).max(1);
    let shade = |distance: usize| {
        if steps == 1 {
            0.55
        } else {
            0.2 + 0.7 * (distance - 1) as f64 / (steps - 1) as f64
        }
    };
    let first_above = ranges.len() - above;
    ranges
        .iter()
        .enumerate()
        .map(|(i, _)| {
            if i < below {
                ramp(&COOL, shade(below - i))
            } else if i >= first_above {
                ramp(&WARM, shade(i - first_above + 1))
            } else {
                RGBColor(COOL[0].0, COOL[0].1, COOL[0].2)
            }
        })
        .collect()
}

/// Longitude/latitude to pixels: x = (lon - lon0)·cos(mean lat), y = lat, scaled to
/// fit the frame with its aspect kept and centred.
#[derive(Debug, Clone, Copy)]
struct Projection {
    lon0: f64,
    lat1: f64,
    kx: f64,
    scale: f64,
    offset: (f64, f64),
}

impl Projection {
    fn fit(map: &ChoroplethMap, frame: Rect) -> Option<Projection> {
        let (lon0, lat0, lon1, lat1) = bounds(map)?;
        let mean_lat = (lat0 + lat1) / 2.0;
        let kx = mean_lat.to_radians().cos().max(0.05);
        let w = ((lon1 - lon0) * kx).max(1e-6);
        let h = (lat1 - lat0).max(1e-6);
        let inner = frame.grow(-12);
        let scale = (f64::from(inner.width()) / w).min(f64::from(inner.height()) / h);
        let offset = (
            f64::from(inner.left) + (f64::from(inner.width()) - w * scale) / 2.0,
            f64::from(inner.top) + (f64::from(inner.height()) - h * scale) / 2.0,
        );
        Some(Projection {
            lon0,
            lat1,
            kx,
            scale,
            offset,
        })
    }

    fn px(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.offset.0 + (lon - self.lon0) * self.kx * self.scale,
            self.offset.1 + (self.lat1 - lat) * self.scale,
        )
    }

    fn px_i(&self, lon: f64, lat: f64) -> (i32, i32) {
        let (x, y) = self.px(lon, lat);
        (x.round() as i32, y.round() as i32)
    }

    fn km_per_px(&self) -> f64 {
        KM_PER_DEGREE / self.scale
    }
}

/// Bounds of every finite region vertex, or of the points when there are no regions.
fn bounds(map: &ChoroplethMap) -> Option<(f64, f64, f64, f64)> {
    let region_coords = map
        .regions
        .iter()
        .flat_map(|r| r.geometry.iter())
        .flat_map(|p| p.exterior().coords().map(|c| (c.x, c.y)));
    let mut b = extent(region_coords);
    if b.is_none() {
        b = extent(map.points.iter().map(|p| (p.lon, p.lat)));
    }
    let (lon0, lat0, lon1, lat1) = b?;
    // A single point or a line still gets a frame about a kilometre across.
    let pad = |lo: f64, hi: f64| if hi - lo < 0.01 { 0.005 } else { 0.0 };
    let (px, py) = (pad(lon0, lon1), pad(lat0, lat1));
    Some((lon0 - px, lat0 - py, lon1 + px, lat1 + py))
}

fn extent(coords: impl Iterator<Item = (f64, f64)>) -> Option<(f64, f64, f64, f64)> {
    coords
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .fold(None, |acc, (x, y)| match acc {
            None => Some((x, y, x, y)),
            Some((x0, y0, x1, y1)) => Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y))),
        })
}

/// Maps' projections and regions in pixels, kept for every map drawn with the same regions
/// (the same shared geometries, by identity) into the same frame: a map's SVG and PNG, and
/// a run's maps of one layer, one per lot. The regions' classes are not kept: each map
/// colours them. The maps must outlive the cache (their geometries are known by address).
#[derive(Default)]
pub struct MapShapes {
    entries: std::sync::Mutex<Vec<ShapesEntry>>,
}

/// The projection and regions in pixels of one set of regions in one frame, made once by
/// the first map to ask (`None`: nothing to draw).
type Projected =
    std::sync::Arc<std::sync::OnceLock<Option<(Projection, std::sync::Arc<Vec<ShapePx>>)>>>;

struct ShapesEntry {
    frame: Rect,
    /// The address of each region's geometry, in order.
    regions: Vec<usize>,
    projected: Projected,
}

impl MapShapes {
    /// The projection of `map` into `frame` and its regions in pixels, largest first.
    fn get(
        &self,
        map: &ChoroplethMap,
        frame: Rect,
    ) -> Option<(Projection, std::sync::Arc<Vec<ShapePx>>)> {
        if map.regions.is_empty() {
            // Framed by its points alone, which differ from map to map.
            return Projection::fit(map, frame).map(|p| (p, std::sync::Arc::new(Vec::new())));
        }
        let regions: Vec<usize> = map
            .regions
            .iter()
            .map(|r| std::sync::Arc::as_ptr(&r.geometry) as usize)
            .collect();
        let projected = {
            let mut entries = self
                .entries
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match entries
                .iter()
                .find(|e| e.frame == frame && e.regions == regions)
            {
                Some(entry) => entry.projected.clone(),
                None => {
                    let projected = Projected::default();
                    entries.push(ShapesEntry {
                        frame,
                        regions,
                        projected: projected.clone(),
                    });
                    projected
                }
            }
        };
        // Made outside the lock, so maps of other regions are not kept waiting.
        projected
            .get_or_init(|| {
                let projection = Projection::fit(map, frame)?;
                Some((projection, std::sync::Arc::new(shapes(map, &projection))))
            })
            .clone()
    }
}

/// One polygon ready to draw: its rings in pixels (exterior first) and the region it is
/// part of (whose class gives its fill).
pub(super) struct ShapePx {
    region: usize,
    rings: Vec<Vec<(f64, f64)>>,
    /// The rings rounded to whole pixels without repeated vertices: the geometry simplified
    /// to the picture's resolution, computed once for fills and outlines.
    pixels: Vec<Vec<(i32, i32)>>,
    exterior_area: f64,
}

fn shapes(map: &ChoroplethMap, projection: &Projection) -> Vec<ShapePx> {
    let mut shapes: Vec<ShapePx> = map
        .regions
        .iter()
        .enumerate()
        .flat_map(|(region, r)| r.geometry.iter().map(move |p| (p, region)))
        .filter_map(|(polygon, region)| {
            let rings: Vec<Vec<(f64, f64)>> = std::iter::once(polygon.exterior())
                .chain(polygon.interiors())
                .map(|ring| {
                    ring.coords()
                        .filter(|c| c.x.is_finite() && c.y.is_finite())
                        .map(|c| projection.px(c.x, c.y))
                        .collect::<Vec<_>>()
                })
                .filter(|ring| ring.len() >= 3)
                .collect();
            let exterior_area = ring_area(rings.first()?);
            let pixels = rings.iter().map(|r| to_pixels(r)).collect();
            Some(ShapePx {
                region,
                rings,
                pixels,
                exterior_area,
            })
        })
        .collect();
    // Larger outlines first, so a region lying in another's hole is drawn after the
    // hole is cleared (an area inside a hole is smaller than the ring around it).
    shapes.sort_by(|a, b| b.exterior_area.total_cmp(&a.exterior_area));
    shapes
}

fn ring_area(ring: &[(f64, f64)]) -> f64 {
    let twice: f64 = ring
        .iter()
        .zip(ring.iter().cycle().skip(1))
        .map(|(a, b)| a.0 * b.1 - b.0 * a.1)
        .sum();
    twice.abs() / 2.0
}

/// Rounds to whole pixels and drops repeated vertices, which at map scale removes
/// most of a detailed boundary's points from the SVG.
fn to_pixels(ring: &[(f64, f64)]) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::with_capacity(ring.len());
    for &(x, y) in ring {
        let p = (x.round() as i32, y.round() as i32);
        if out.last() != Some(&p) {
            out.push(p);
        }
    }
    out
}

fn draw_fills<DB: DrawingBackend>(
    area: &Area<DB>,
    shapes: &[ShapePx],
    fills: &[Option<RGBColor>],
) -> Drawn {
    for shape in shapes {
        let fill = fills[shape.region];
        let colour = fill.unwrap_or(NO_DATA);
        for (i, ring) in shape.pixels.iter().enumerate() {
            let fill = if i == 0 { colour } else { WHITE };
            if ring.len() < 3 {
                // An area smaller than a pixel still shows, as one pixel.
                if let (0, Some(&(x, y))) = (i, ring.first()) {
                    area.draw_pixel((x, y), &fill).map_err(draw_err)?;
                }
                continue;
            }
            let style = ShapeStyle::from(&fill).filled();
            area.draw(&Shape::new(ring.clone(), style))
                .map_err(draw_err)?;
        }
        if fill.is_none() {
            hatch(area, shape)?;
        }
    }
    Ok(())
}

fn hatch<DB: DrawingBackend>(area: &Area<DB>, shape: &ShapePx) -> Drawn {
    for segment in hatch_segments(&shape.rings, 8.0) {
        line(area, segment.to_vec(), HATCH, 1)?;
    }
    Ok(())
}

/// The hatching of no-data regions alone (their fills are in the SVG paths).
fn draw_hatching<DB: DrawingBackend>(
    area: &Area<DB>,
    shapes: &[ShapePx],
    fills: &[Option<RGBColor>],
) -> Drawn {
    for shape in shapes.iter().filter(|s| fills[s.region].is_none()) {
        hatch(area, shape)?;
    }
    Ok(())
}

fn draw_borders<DB: DrawingBackend>(
    area: &Area<DB>,
    shapes: &[ShapePx],
    colour: RGBColor,
) -> Drawn {
    for ring in shapes.iter().flat_map(|s| &s.pixels) {
        let mut points = ring.clone();
        if let Some(&first) = points.first() {
            points.push(first);
        }
        line(area, points, colour, 1)?;
    }
    Ok(())
}

fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Appends a ring as SVG path data; a ring smaller than a pixel becomes a one-pixel square.
fn ring_path(d: &mut String, ring: &[(i32, i32)]) {
    use std::fmt::Write as _;
    match ring {
        [] => {}
        [(x, y)] | [(x, y), _] => {
            let _ = write!(d, "M{x} {y}h1v1h-1Z");
        }
        [(x, y), rest @ ..] => {
            let _ = write!(d, "M{x} {y}");
            for (x, y) in rest {
                let _ = write!(d, "L{x} {y}");
            }
            d.push('Z');
        }
    }
}

/// The regions as SVG: one even-odd filled path per class (holes stay clear, an area
/// inside another's hole is filled), then one path of every outline.
fn regions_svg(
    shapes: &[ShapePx],
    fills: &[Option<RGBColor>],
    classes: &Classes,
    border: Option<RGBColor>,
) -> String {
    let mut colours: Vec<RGBColor> = classes.colours.clone();
    colours.push(NO_DATA);
    let mut out = String::from("<g stroke=\"none\" fill-rule=\"evenodd\">\n");
    for colour in colours {
        let mut d = String::new();
        for shape in shapes
            .iter()
            .filter(|s| fills[s.region].unwrap_or(NO_DATA) == colour)
        {
            for ring in &shape.pixels {
                ring_path(&mut d, ring);
            }
        }
        if !d.is_empty() {
            out.push_str(&format!("<path fill=\"{}\" d=\"{d}\"/>\n", hex(colour)));
        }
    }
    out.push_str("</g>\n");
    if let Some(border) = border {
        let mut d = String::new();
        for ring in shapes
            .iter()
            .flat_map(|s| &s.pixels)
            .filter(|r| r.len() >= 3)
        {
            ring_path(&mut d, ring);
        }
        out.push_str(&format!(
            "<path fill=\"none\" stroke=\"{}\" stroke-width=\"1\" stroke-linejoin=\"round\" d=\"{d}\"/>\n",
            hex(border)
        ));
    }
    out
}

/// Puts the regions' SVG where the marker stands in the drawn SVG; `None` when the marker
/// is missing.
pub(super) fn splice_regions(svg: &str, regions: &str) -> Option<String> {
    let fill = svg
        .find(&format!("fill=\"{}\"", hex(MARKER_FILL)))
        .or_else(|| svg.find(&format!("fill=\"{}\"", hex(MARKER_FILL).to_lowercase())))?;
    let start = svg[..fill].rfind('<')?;
    let end = fill + svg[fill..].find("/>")? + 2;
    Some(format!("{}{}{}", &svg[..start], regions, &svg[end..]))
}

/// Diagonal hatching lines (running up to the right) clipped to the inside of the
/// rings by the even-odd rule, so holes stay clear. Lines sit on a fixed grid, so the
/// hatching of neighbouring regions lines up.
fn hatch_segments(rings: &[Vec<(f64, f64)>], spacing: f64) -> Vec<[(i32, i32); 2]> {
    let sums = rings.iter().flatten().map(|(x, y)| x + y);
    let lo = sums.clone().fold(f64::INFINITY, f64::min);
    let hi = sums.fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return Vec::new();
    }
    let mut segments = Vec::new();
    let mut c = (lo / spacing).ceil() * spacing;
    while c <= hi {
        let mut xs: Vec<f64> = Vec::new();
        for ring in rings {
            for (p, q) in ring.iter().zip(ring.iter().cycle().skip(1)) {
                let (sp, sq) = (p.0 + p.1 - c, q.0 + q.1 - c);
                if (sp < 0.0) != (sq < 0.0) {
                    let t = sp / (sp - sq);
                    xs.push(p.0 + t * (q.0 - p.0));
                }
            }
        }
        xs.sort_by(f64::total_cmp);
        for pair in xs.chunks_exact(2) {
            let (x0, x1) = (pair[0], pair[1]);
            let a = (x0.round() as i32, (c - x0).round() as i32);
            let b = (x1.round() as i32, (c - x1).round() as i32);
            segments.push([a, b]);
        }
        c += spacing;
    }
    segments
}

fn draw_points<DB: DrawingBackend>(
    area: &Area<DB>,
    points: &[MapPoint],
    projection: &Projection,
    frame: Rect,
) -> Drawn {
    for p in points {
        if !(p.lon.is_finite() && p.lat.is_finite()) {
            continue;
        }
        let at = projection.px_i(p.lon, p.lat);
        if inside(frame, at) {
            point_symbol(area, at)?;
        }
    }
    Ok(())
}

fn inside(frame: Rect, (x, y): (i32, i32)) -> bool {
    x >= frame.left && x < frame.right && y >= frame.top && y < frame.bottom
}

fn point_symbol<DB: DrawingBackend>(area: &Area<DB>, at: (i32, i32)) -> Drawn {
    area.draw(&Circle::new(at, 6, ShapeStyle::from(&WHITE).filled()))
        .and_then(|_| area.draw(&Circle::new(at, 4, ShapeStyle::from(&POINT).filled())))
        .map_err(draw_err)
}

/// Where a region's name goes: the centroid of its largest polygon, or a point surely
/// inside that polygon when the centroid falls outside it (a crescent, a ring).
fn label_point(geometry: &MultiPolygon<f64>) -> Option<(Point<f64>, f64)> {
    let largest: &Polygon<f64> = geometry
        .iter()
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))?;
    let point = largest
        .centroid()
        .filter(|c| largest.contains(c))
        .or_else(|| largest.interior_point())?;
    Some((point, largest.unsigned_area()))
}

/// A block of label lines centred on a point, and the box it covers.
struct Label {
    lines: Vec<String>,
    style: Text,
    centre: (i32, i32),
    size: (i32, i32),
}

impl Label {
    fn new(text: &str, style: Text, max_width: i32) -> Label {
        let lines = wrap(text, style, max_width);
        let w = lines.iter().map(|l| style.width(l)).max().unwrap_or(0);
        let h = style.line_height() * lines.len() as i32;
        Label {
            lines,
            style,
            centre: (0, 0),
            size: (w, h),
        }
    }

    fn rect(&self) -> Rect {
        Rect {
            left: self.centre.0 - self.size.0 / 2,
            top: self.centre.1 - self.size.1 / 2,
            right: self.centre.0 + self.size.0 / 2,
            bottom: self.centre.1 + self.size.1 / 2,
        }
    }

    /// Moves the label to the first of `candidates` whose box is in the frame and
    /// clear of every placed box; false if none is.
    fn place(&mut self, candidates: &[(i32, i32)], frame: Rect, placed: &[Rect]) -> bool {
        for &c in candidates {
            self.centre = c;
            let r = self.rect();
            if frame.contains_rect(&r) && !placed.iter().any(|p| p.overlaps(&r.grow(3))) {
                return true;
            }
        }
        false
    }

    /// Draws the lines with a white halo so they read over any fill.
    fn draw<DB: DrawingBackend>(&self, area: &Area<DB>) -> Drawn {
        let line_h = self.style.line_height();
        let halo = self.style.with_colour(WHITE);
        let offsets = [
            (-1, -1),
            (1, -1),
            (-1, 1),
            (1, 1),
            (-2, 0),
            (2, 0),
            (0, -2),
            (0, 2),
        ];
        let mut y = self.rect().top + line_h / 2;
        for l in &self.lines {
            for (dx, dy) in offsets {
                let at = (self.centre.0 + dx, y + dy);
                text(area, l, halo, at, (HPos::Center, VPos::Center))?;
            }
            let at = (self.centre.0, y);
            text(area, l, self.style, at, (HPos::Center, VPos::Center))?;
            y += line_h;
        }
        Ok(())
    }
}

/// Names the regions, biggest first, each at its label point or nudged above, below
/// or to a side of it; a name that fits nowhere clear is left out. Returns the boxes
/// taken.
fn draw_region_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    map: &ChoroplethMap,
    projection: &Projection,
    frame: Rect,
) -> Drawn<Vec<Rect>> {
    let mut placed: Vec<Rect> = Vec::new();
    if !map.label_regions {
        return Ok(placed);
    }
    let mut anchors: Vec<(&str, (i32, i32), f64)> = map
        .regions
        .iter()
        .filter_map(|r| {
            let (p, size) = label_point(&r.geometry)?;
            Some((r.name.as_str(), projection.px_i(p.x(), p.y()), size))
        })
        .collect();
    anchors.sort_by(|a, b| b.2.total_cmp(&a.2));
    for (name, (x, y), _) in anchors {
        let mut label = Label::new(name, REGION_LABEL, 150);
        let (w, h) = label.size;
        let candidates = [
            (x, y),
            (x, y - h * 3 / 4),
            (x, y + h * 3 / 4),
            (x + w / 2, y),
            (x - w / 2, y),
            (x, y - h * 3 / 2),
            (x, y + h * 3 / 2),
        ];
        if label.place(&candidates, frame, &placed) {
            label.draw(area)?;
            placed.push(label.rect());
        }
    }
    Ok(placed)
}

fn draw_point_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    points: &[MapPoint],
    projection: &Projection,
    frame: Rect,
    mut placed: Vec<Rect>,
) -> Drawn {
    for p in points {
        let Some(name) = p.label.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        if !(p.lon.is_finite() && p.lat.is_finite()) {
            continue;
        }
        let (x, y) = projection.px_i(p.lon, p.lat);
        let mut label = Label::new(name, POINT_LABEL, 160);
        let (w, h) = label.size;
        // Beside, above or below the point; then diagonally and further off, so a point
        // beside a region's name still gets its own.
        let candidates = [
            (x + w / 2 + 9, y),
            (x - w / 2 - 9, y),
            (x, y - h / 2 - 8),
            (x, y + h / 2 + 8),
            (x + w / 2 + 7, y + h / 2 + 5),
            (x - w / 2 - 7, y + h / 2 + 5),
            (x + w / 2 + 7, y - h / 2 - 5),
            (x - w / 2 - 7, y - h / 2 - 5),
            (x, y + h + 12),
            (x, y - h - 12),
        ];
        if label.place(&candidates, frame, &placed) {
            label.draw(area)?;
            placed.push(label.rect());
        }
    }
    Ok(())
}

/// A bar of a round number of kilometres, as near 120 pixels long as one can be.
fn draw_scale_bar<DB: DrawingBackend>(
    area: &Area<DB>,
    projection: &Projection,
    (x, y): (i32, i32),
) -> Drawn {
    let km_per_px = projection.km_per_px();
    if !km_per_px.is_finite() || km_per_px <= 0.0 {
        return Ok(());
    }
    let target = 120.0 * km_per_px;
    let magnitude = 10f64.powf(target.log10().floor());
    let km = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .min_by(|a, b| (a / target).ln().abs().total_cmp(&(b / target).ln().abs()))
        .unwrap_or(magnitude);
    let len = (km / km_per_px).round() as i32;
    let bar = Rect {
        left: x,
        top: y - 3,
        right: x + len,
        bottom: y + 3,
    };
    let half = Rect {
        right: x + len / 2,
        ..bar
    };
    fill_rect(area, bar, WHITE)?;
    fill_rect(area, half, INK)?;
    outline_rect(area, bar, INK)?;
    let d = if km < 1.0 { 1 } else { 0 };
    let label = format!("{} km", format_number(km, d));
    text(area, "0", Text::NOTE, (x, y + 8), (HPos::Center, VPos::Top))?;
    text(
        area,
        &label,
        Text::NOTE,
        (x + len, y + 8),
        (HPos::Left, VPos::Top),
    )
}

/// The legend panel: title, one swatch per class (lowest first), no data, points.
fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    map: &ChoroplethMap,
    classes: &Classes,
    panel: Rect,
) -> Drawn {
    let title_style = Text::new(19.0, true, INK);
    let title = wrap(&map.legend_title, title_style, panel.width());
    let mut y = paragraph(area, &title, title_style, panel.left, panel.top + 4)? + 10;
    let row = 34;
    for (colour, label) in classes.colours.iter().zip(&classes.labels) {
        legend_box(area, (panel.left, y), Some(*colour))?;
        legend_text(area, label, (panel.left, y))?;
        y += row;
    }
    if classes.has_no_data {
        legend_box(area, (panel.left, y), None)?;
        legend_text(area, "no data or suppressed", (panel.left, y))?;
        y += row;
    }
    if !map.points.is_empty() {
        y += 8;
        point_symbol(area, (panel.left + 18, y + 12))?;
        let label = map.points_label.as_deref().unwrap_or("Points");
        legend_text(area, label, (panel.left, y))?;
    }
    Ok(())
}

const SWATCH: (i32, i32) = (36, 24);

fn legend_box<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    fill: Option<RGBColor>,
) -> Drawn {
    let r = Rect {
        left: x,
        top: y,
        right: x + SWATCH.0,
        bottom: y + SWATCH.1,
    };
    fill_rect(area, r, fill.unwrap_or(NO_DATA))?;
    if fill.is_none() {
        let ring = vec![
            (f64::from(r.left), f64::from(r.top)),
            (f64::from(r.right), f64::from(r.top)),
            (f64::from(r.right), f64::from(r.bottom)),
            (f64::from(r.left), f64::from(r.bottom)),
        ];
        for segment in hatch_segments(&[ring], 8.0) {
            line(area, segment.to_vec(), HATCH, 1)?;
        }
    }
    outline_rect(area, r, BORDER)
}

fn legend_text<DB: DrawingBackend>(area: &Area<DB>, label: &str, (x, y): (i32, i32)) -> Drawn {
    let at = (x + SWATCH.0 + 12, y + SWATCH.1 / 2);
    text(area, label, Text::LABEL, at, (HPos::Left, VPos::Center))
}
