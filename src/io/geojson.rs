//! GeoJSON: reading polygon features with checks, and writing RFC 7946 feature collections.
//!
//! Reading accepts a FeatureCollection of Polygon and MultiPolygon features in WGS84
//! longitude/latitude, rings of either winding. Writing emits RFC 7946: no `crs` member,
//! longitude before latitude, counter-clockwise outer rings and clockwise holes, and
//! coordinates rounded to [`DECIMALS`] places (about 0.1 m). Polygons are resolved on that
//! grid before writing ([`crate::geometry::valid_on_grid`]), so what is written is OGC-valid
//! however the rounding falls. Features are written one per line so that runs diff well.

use std::io::Write;

use geo::algorithm::line_intersection::{line_intersection, LineIntersection};
use geo::algorithm::validation::RingRole;
use geo::orient::{Direction, Orient};
use geo::{Coord, Line, LineString, MultiPolygon, Point, Polygon};
use rayon::prelude::*;

use crate::io::feature_collection::{
    self, RawFeature, RawGeometry, RawPolygon, RawRing, ReadError,
};
use crate::io::InputFile;
use crate::problem::{Checked, Place, Problem, Problems};

/// Decimal places kept in written coordinates.
pub use crate::geometry::DECIMALS;

/// A polygon feature read from a file.
#[derive(Debug, Clone)]
pub struct PolygonFeature {
    /// 1-based position in the file.
    pub index: usize,
    pub properties: serde_json::Map<String, serde_json::Value>,
    pub geometry: MultiPolygon<f64>,
}

/// The coordinate reference systems boundary files come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crs {
    /// WGS84 longitude/latitude (EPSG:4326, OGC CRS84), as RFC 7946 requires.
    #[default]
    Wgs84,
    /// British National Grid easting/northing in metres (EPSG:27700), as ONS and OS files
    /// often are; transformed to WGS84 on reading.
    BritishNationalGrid,
}

impl Crs {
    /// The CRS a name such as "EPSG:27700" or "urn:ogc:def:crs:EPSG::27700" stands for.
    pub fn from_name(name: &str) -> Option<Crs> {
        let n = name.trim().to_ascii_uppercase();
        if n.ends_with("CRS84") || n.ends_with(":4326") {
            Some(Crs::Wgs84)
        } else if n.ends_with(":27700") {
            Some(Crs::BritishNationalGrid)
        } else {
            None
        }
    }
}

/// How strictly polygons are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// A user's boundary file: every ring must be well formed and no ring may cross itself.
    Input,
    /// A map gapmap wrote (perhaps by an earlier version, whose dissolved districts could
    /// hold rings of fewer than 4 positions): degenerate rings are dropped and the rest
    /// made valid on the output grid rather than refused.
    OwnOutput,
}

/// Reads every feature of a FeatureCollection of polygons; features with problems are
/// left out and their problems returned with the rest. Coordinates are in the file's
/// legacy `crs` member's system if it has one, else in `declared`.
pub fn read_polygon_features(
    input: &InputFile,
    declared: Crs,
) -> Result<Checked<PolygonFeature>, Problems> {
    read_features(input, declared, Reading::Input)
}

/// Reads a polygon map that gapmap itself wrote (WGS84), tolerating what earlier versions
/// wrote: rings of fewer than 4 positions (the slivers of dissolved districts) are left
/// out and each feature's polygons made valid on the output grid
/// ([`crate::geometry::valid_on_grid`]). Problems that remain (a file that is not
/// GeoJSON, a feature that is not a polygon) are reported as for any input.
pub fn read_own_polygon_features(input: &InputFile) -> Result<Checked<PolygonFeature>, Problems> {
    read_features(input, Crs::Wgs84, Reading::OwnOutput)
}

fn read_features(
    input: &InputFile,
    declared: Crs,
    reading: Reading,
) -> Result<Checked<PolygonFeature>, Problems> {
    let file = input.name.as_str();
    let text = input.text().map_err(one)?;
    let collection = feature_collection::read(text).map_err(|e| one(read_problem(file, &e)))?;
    let crs = match &collection.crs {
        Some(crs) => check_crs(file, crs).map_err(one)?,
        None => declared,
    };
    let features = match (collection.kind.as_deref(), collection.features) {
        (Some("FeatureCollection"), Some(features)) => features,
        (Some("FeatureCollection"), None) => {
            return Err(one(Problem::new(
                file,
                Place::File,
                "has no \"features\" array (expected {\"type\": \"FeatureCollection\", \"features\": [...]})",
            )))
        }
        (Some(kind), _) if GEOJSON_TYPES.contains(&kind) => {
            return Err(one(Problem::new(
                file,
                Place::File,
                "is GeoJSON but not a FeatureCollection (expected {\"type\": \"FeatureCollection\", \"features\": [...]})",
            )))
        }
        (kind, _) => {
            let found = kind.map_or_else(|| "no \"type\"".to_string(), |k| format!("type {k:?}"));
            return Err(one(Problem::new(
                file,
                Place::File,
                format!("is not valid GeoJSON: it has {found} (expected {{\"type\": \"FeatureCollection\", \"features\": [...]}})"),
            )));
        }
    };
    if features.is_empty() {
        return Err(one(Problem::new(file, Place::File, "has no features")));
    }
    // Each feature is checked on its own, in parallel; the results keep the file's order.
    let checked: Vec<(Option<PolygonFeature>, Problems)> = features
        .into_par_iter()
        .map(|raw| feature_of(file, raw, crs, reading))
        .collect();
    let mut problems = Problems::default();
    let mut records = Vec::with_capacity(checked.len());
    for (feature, found) in checked {
        problems.extend(found);
        records.extend(feature);
    }
    Ok(Checked {
        records,
        rejected: problems,
    })
}

/// Every `type` GeoJSON has.
const GEOJSON_TYPES: [&str; 9] = [
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
];

/// The problem that stopped reading: broken JSON, or JSON not shaped as GeoJSON.
fn read_problem(file: &str, error: &ReadError) -> Problem {
    let (e, feature) = match error {
        ReadError::Syntax(e) => {
            return Problem::new(
                file,
                Place::Line(e.line() as u64),
                format!(
                    "column {}: is not valid JSON: {}",
                    e.column(),
                    json_reason(e)
                ),
            )
        }
        ReadError::Shape(e, feature) => (e, feature),
    };
    let within = feature.map_or_else(String::new, |f| format!("feature {f}: "));
    Problem::new(
        file,
        Place::Line(e.line() as u64),
        format!(
            "column {}: {within}is not valid GeoJSON: {}",
            e.column(),
            json_reason(e)
        ),
    )
}

/// One feature checked: its polygons in WGS84, or the problems that leave it out.
fn feature_of(
    file: &str,
    raw: RawFeature,
    crs: Crs,
    reading: Reading,
) -> (Option<PolygonFeature>, Problems) {
    let mut problems = Problems::default();
    let index = raw.index;
    if let Some(fault) = raw.fault {
        problems.push(Problem::new(file, Place::Feature(index), fault));
        return (None, problems);
    }
    let geometry = match raw.geometry {
        RawGeometry::Polygons(polygons) => {
            polygons_of(file, index, polygons, crs, reading, &mut problems).map(
                |mp| match reading {
                    Reading::Input => mp,
                    Reading::OwnOutput => crate::geometry::valid_on_grid(&mp),
                },
            )
        }
        RawGeometry::Other(kind) => {
            let message = if GEOJSON_TYPES[2..].contains(&kind.as_str()) {
                format!("has a {kind} geometry (expected Polygon or MultiPolygon)")
            } else {
                format!("has a geometry of type {kind:?}, which GeoJSON does not have (expected Polygon or MultiPolygon)")
            };
            problems.push(Problem::new(file, Place::Feature(index), message));
            None
        }
        RawGeometry::Missing => {
            problems.push(Problem::new(
                file,
                Place::Feature(index),
                "has no geometry (expected a Polygon or MultiPolygon)",
            ));
            None
        }
    };
    // gapmap's own maps keep every feature: one whose geometry cannot be read keeps its
    // properties with no polygons (its problem is still returned).
    let geometry = match reading {
        Reading::Input => geometry,
        Reading::OwnOutput => Some(geometry.unwrap_or_else(|| MultiPolygon(Vec::new()))),
    };
    let feature = geometry.map(|geometry| PolygonFeature {
        index,
        properties: raw.properties,
        geometry,
    });
    (feature, problems)
}

/// serde_json's message without its trailing " at line L column C", which the problem
/// already gives.
fn json_reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn one(p: Problem) -> Problems {
    let mut problems = Problems::default();
    problems.push(p);
    problems
}

/// The system a legacy `crs` member names; one gapmap cannot read is a problem.
fn check_crs(file: &str, crs: &serde_json::Value) -> Result<Crs, Problem> {
    let name = crs
        .pointer("/properties/name")
        .and_then(|n| n.as_str())
        .unwrap_or("");
    match Crs::from_name(name) {
        Some(c) => Ok(c),
        None => Err(Problem::new(
            file,
            Place::File,
            format!("declares coordinate reference system {name:?}; gapmap reads WGS84 longitude/latitude (EPSG:4326) or British National Grid (EPSG:27700): reproject the file to one of them"),
        )
        .field("crs")),
    }
}

fn polygons_of(
    file: &str,
    index: usize,
    polygons: Vec<RawPolygon>,
    crs: Crs,
    reading: Reading,
    problems: &mut Problems,
) -> Option<MultiPolygon<f64>> {
    let at = |message: String| Problem::new(file, Place::Feature(index), message);
    let mut out = Vec::with_capacity(polygons.len());
    let mut ok = true;
    for (p, mut rings) in polygons.into_iter().enumerate() {
        if rings.is_empty() {
            problems.push(at(format!("polygon {} has no rings", p + 1)));
            ok = false;
            continue;
        }
        match reading {
            Reading::Input => {}
            // A degenerate shell leaves nothing of its polygon; a degenerate hole, nothing
            // of itself.
            Reading::OwnOutput if rings[0].positions.len() < 4 => continue,
            Reading::OwnOutput => rings.retain(|r| r.positions.len() >= 4),
        }
        let count = rings.len();
        let mut converted = Vec::with_capacity(count);
        for (r, ring) in rings.into_iter().enumerate() {
            match ring_of(ring, crs) {
                Ok(ls) => converted.push(ls),
                Err(message) => {
                    problems.push(at(format!("polygon {}, ring {}: {message}", p + 1, r + 1)));
                    ok = false;
                }
            }
        }
        if converted.len() < count {
            continue;
        }
        let exterior = converted.remove(0);
        let polygon = Polygon::new(exterior, converted);
        let checked = match reading {
            Reading::Input => self_meeting_rings(&polygon),
            Reading::OwnOutput => Vec::new(),
        };
        for ring in checked {
            if !crosses_itself(&polygon, &ring) {
                // Touching itself at a vertex, as generalised ONS boundaries sometimes
                // do, is accepted: every GIS reads it the same way.
                continue;
            }
            problems.push(at(format!(
                "polygon {}: {ring} crosses itself (a self-intersecting polygon; repair it, e.g. with QGIS's Fix geometries)",
                p + 1
            )));
            ok = false;
        }
        out.push(polygon);
    }
    ok.then_some(MultiPolygon(out))
}

/// The rings of `polygon` that meet themselves: the rings geo's validation reports as
/// self-intersecting (`InvalidPolygon::SelfIntersection`), by the same test on each pair of
/// segments, but only on the pairs whose extents overlap (see [`overlapping_pairs`]; geo
/// tries every pair, which for a detailed boundary of thousands of points is most of the
/// time spent reading it).
fn self_meeting_rings(polygon: &Polygon<f64>) -> Vec<RingRole> {
    std::iter::once((RingRole::Exterior, polygon.exterior()))
        .chain(
            polygon
                .interiors()
                .iter()
                .enumerate()
                .map(|(i, r)| (RingRole::Interior(i), r)),
        )
        .filter(|(_, ring)| meets_itself(ring))
        .map(|(role, _)| role)
        .collect()
}

/// Whether any two segments of `lines` whose extents overlap (on both axes, edges
/// included) satisfy `test`, given their indices in `lines` in either order. Segments are
/// swept in order of their least x, so only pairs that share some x are tried; segments
/// whose extents do not overlap cannot meet.
fn overlapping_pairs(lines: &[Line<f64>], mut test: impl FnMut(usize, usize) -> bool) -> bool {
    let least_x = |l: &Line<f64>| l.start.x.min(l.end.x);
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by(|&a, &b| least_x(&lines[a]).total_cmp(&least_x(&lines[b])));
    order.iter().enumerate().any(|(k, &i)| {
        let a = lines[i];
        let most_x = a.start.x.max(a.end.x);
        let (low, high) = (a.start.y.min(a.end.y), a.start.y.max(a.end.y));
        order[k + 1..]
            .iter()
            .take_while(|&&j| least_x(&lines[j]) <= most_x)
            .filter(|&&j| {
                let b = lines[j];
                b.start.y.max(b.end.y) >= low && b.start.y.min(b.end.y) <= high
            })
            .any(|&j| test(i, j))
    })
}

/// geo's self-intersection test of a ring: two different segments that intersect, unless
/// one ends where the other starts.
fn meets_itself(ring: &LineString<f64>) -> bool {
    use geo::Intersects;
    let lines: Vec<Line<f64>> = ring.lines().collect();
    overlapping_pairs(&lines, |i, j| {
        let (a, b) = (lines[i], lines[j]);
        a.intersects(&b) && a.start != b.end && a.end != b.start
    })
}

/// Whether a ring that geo reports as self-intersecting really crosses (or doubles back
/// along) itself, rather than only touching itself at a vertex: two segments that are not
/// neighbours along the ring (nor the first and last) cross properly or overlap along a
/// stretch. Only pairs whose extents overlap are tried ([`overlapping_pairs`]).
fn crosses_itself(polygon: &Polygon<f64>, role: &RingRole) -> bool {
    let ring = match role {
        RingRole::Exterior => polygon.exterior(),
        RingRole::Interior(i) => match polygon.interiors().get(*i) {
            Some(r) => r,
            None => return false,
        },
    };
    let lines: Vec<Line<f64>> = ring.lines().collect();
    let n = lines.len();
    overlapping_pairs(&lines, |a, b| {
        let (i, j) = (a.min(b), a.max(b));
        j >= i + 2 && !(i == 0 && j == n - 1) && cross(lines[i], lines[j])
    })
}

/// Whether two segments of a ring that do not follow each other cross or overlap along a
/// stretch, rather than only touch at a point.
fn cross(a: Line<f64>, b: Line<f64>) -> bool {
    match line_intersection(a, b) {
        Some(LineIntersection::SinglePoint { is_proper, .. }) => is_proper,
        Some(LineIntersection::Collinear { intersection }) => {
            intersection.start != intersection.end
        }
        None => false,
    }
}

/// A ring's positions in WGS84, converted where they lie, checked in order.
fn ring_of(ring: RawRing, crs: Crs) -> Result<LineString<f64>, String> {
    let mut coords = ring.positions;
    for (i, c) in coords.iter_mut().enumerate() {
        if ring.first_short == Some(i) {
            return Err(format!("position {} has fewer than 2 numbers", i + 1));
        }
        *c = to_wgs84(c.x, c.y, crs).ok_or_else(|| match crs {
            Crs::Wgs84 => format!(
                "position {} [{}, {}] is not a longitude/latitude in degrees (for British National Grid metres, set areas.crs = \"EPSG:27700\" in the config)",
                i + 1, c.x, c.y
            ),
            Crs::BritishNationalGrid => format!(
                "position {} [{}, {}] is not a British National Grid easting/northing in Great Britain",
                i + 1, c.x, c.y
            ),
        })?;
    }
    if coords.len() < 4 {
        return Err(format!(
            "has {} positions (a ring needs at least 4, the first repeated as the last)",
            coords.len()
        ));
    }
    if coords.first() != coords.last() {
        return Err("is not closed (the last position must repeat the first)".into());
    }
    Ok(LineString(coords))
}

/// One position in WGS84, or `None` when it is not a position of `crs`.
fn to_wgs84(x: f64, y: f64, crs: Crs) -> Option<Coord<f64>> {
    match crs {
        Crs::Wgs84 => (x.is_finite()
            && (-180.0..=180.0).contains(&x)
            && y.is_finite()
            && (-90.0..=90.0).contains(&y))
        .then_some(Coord { x, y }),
        Crs::BritishNationalGrid => {
            crate::locate::bng::bng_to_wgs84(x, y).map(|(lon, lat)| Coord { x: lon, y: lat })
        }
    }
}

/// A feature to write: a point or an area, with its properties in the order given.
#[derive(Debug, Clone)]
pub struct OutFeature {
    pub geometry: OutGeometry,
    pub properties: Vec<(String, serde_json::Value)>,
}

#[derive(Debug, Clone)]
pub enum OutGeometry {
    Point(Point<f64>),
    Area(MultiPolygon<f64>),
    /// An area already as it is written ([`written_area`]), for a layer written more than
    /// once (GeoJSON and GeoPackage), whose areas are then made valid only once.
    WrittenArea(MultiPolygon<f64>),
}

fn round(v: f64) -> f64 {
    let scale = 10f64.powi(DECIMALS);
    (v * scale).round() / scale
}

/// A ring's positions rounded as written, each repeat of the one before left out.
fn written_ring(ring: &LineString<f64>) -> LineString<f64> {
    let mut positions: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
    for c in &ring.0 {
        let rounded = Coord {
            x: round(c.x),
            y: round(c.y),
        };
        if positions.last() != Some(&rounded) {
            positions.push(rounded);
        }
    }
    LineString(positions)
}

/// An area exactly as [`write_feature_collection`] writes it: made valid on the output
/// grid, outer rings counter-clockwise and holes clockwise, every position rounded to
/// [`DECIMALS`] places.
pub fn written_area(mp: &MultiPolygon<f64>) -> MultiPolygon<f64> {
    let oriented = crate::geometry::valid_on_grid(mp).orient(Direction::Default);
    MultiPolygon(
        oriented
            .0
            .iter()
            .map(|poly| {
                Polygon::new(
                    written_ring(poly.exterior()),
                    poly.interiors().iter().map(written_ring).collect(),
                )
            })
            .collect(),
    )
}

/// The geometry exactly as [`write_feature_collection`] writes it: a point rounded to
/// [`DECIMALS`] places, an area as [`written_area`] (one already written passes as it is).
/// Other writers of the same layer (the GeoPackage) use it so that they agree with the
/// GeoJSON to the last digit.
pub fn as_written(geometry: OutGeometry) -> OutGeometry {
    match geometry {
        OutGeometry::Point(p) => OutGeometry::Point(Point::new(round(p.x()), round(p.y()))),
        OutGeometry::Area(mp) => OutGeometry::WrittenArea(written_area(&mp)),
        written @ OutGeometry::WrittenArea(_) => written,
    }
}

/// A number as serde_json writes it (`null` when not finite), without a JSON value made.
fn write_number<W: Write>(out: &mut W, v: f64) -> std::io::Result<()> {
    serde_json::to_writer(out, &v)?;
    Ok(())
}

/// A position `[x,y]`, rounded to [`DECIMALS`] places.
fn write_position<W: Write>(out: &mut W, c: Coord<f64>) -> std::io::Result<()> {
    out.write_all(b"[")?;
    write_number(out, round(c.x))?;
    out.write_all(b",")?;
    write_number(out, round(c.y))?;
    out.write_all(b"]")
}

/// An area's polygons as GeoJSON coordinates: positions are written as they are (the
/// area is one already written).
fn write_polygons<W: Write>(out: &mut W, mp: &MultiPolygon<f64>) -> std::io::Result<()> {
    out.write_all(b"[")?;
    for (i, poly) in mp.0.iter().enumerate() {
        out.write_all(if i > 0 { b",[" } else { b"[" })?;
        for (k, ring) in std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .enumerate()
        {
            out.write_all(if k > 0 { b",[" } else { b"[" })?;
            for (n, c) in ring.0.iter().enumerate() {
                if n > 0 {
                    out.write_all(b",")?;
                }
                write_position(out, *c)?;
            }
            out.write_all(b"]")?;
        }
        out.write_all(b"]")?;
    }
    out.write_all(b"]")
}

/// The geometry object as written: its members in name order, as a JSON object of
/// serde_json's (ordered by name) would write them.
fn write_geometry<W: Write>(out: &mut W, geometry: &OutGeometry) -> std::io::Result<()> {
    out.write_all(b"{\"coordinates\":")?;
    match geometry {
        OutGeometry::Point(p) => {
            write_position(out, p.0)?;
            return out.write_all(b",\"type\":\"Point\"}");
        }
        OutGeometry::Area(mp) => write_polygons(out, &written_area(mp))?,
        OutGeometry::WrittenArea(mp) => write_polygons(out, mp)?,
    }
    out.write_all(b",\"type\":\"MultiPolygon\"}")
}

/// Writes an RFC 7946 FeatureCollection, one feature per line.
pub fn write_feature_collection<W: Write>(
    mut out: W,
    features: &[OutFeature],
) -> std::io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for (i, feature) in features.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        write_feature(&mut out, feature)?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// Features made one after another in a collection too large to hold at once.
const CHUNK: usize = 2048;

/// Writes the same bytes as [`write_feature_collection`] for the features `feature(0)`,
/// ..., `feature(count - 1)`, making and encoding them a chunk at a time, in parallel
/// within the chunk: for maps of many thousand areas, where each feature's geometry is
/// made valid on the output grid and only a chunk's features need exist at once.
pub fn write_features_in_parallel<W: Write>(
    mut out: W,
    count: usize,
    feature: impl Fn(usize) -> OutFeature + Sync,
) -> std::io::Result<()> {
    out.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
    for start in (0..count).step_by(CHUNK) {
        let encoded: Vec<std::io::Result<Vec<u8>>> = (start..count.min(start + CHUNK))
            .into_par_iter()
            .map(|i| {
                let mut bytes = Vec::new();
                write_feature(&mut bytes, &feature(i)).map(|()| bytes)
            })
            .collect();
        for (k, bytes) in encoded.into_iter().enumerate() {
            if start + k > 0 {
                out.write_all(b",\n")?;
            }
            out.write_all(&bytes?)?;
        }
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

/// One feature as one line of JSON (no line break): its members in name order, as a JSON
/// object of serde_json's (ordered by name) would write them.
fn write_feature<W: Write>(mut out: W, feature: &OutFeature) -> std::io::Result<()> {
    let mut properties = serde_json::Map::new();
    for (k, v) in &feature.properties {
        properties.insert(k.clone(), v.clone());
    }
    out.write_all(b"{\"geometry\":")?;
    write_geometry(&mut out, &feature.geometry)?;
    out.write_all(b",\"properties\":")?;
    serde_json::to_writer(&mut out, &serde_json::Value::Object(properties))?;
    out.write_all(b",\"type\":\"Feature\"}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::algorithm::validation::{InvalidPolygon, Validation};
    use geo::{polygon, Winding};

    /// A closed ring of `n` random points on a 5 x 5 grid, where touches at vertices,
    /// crossings and collinear overlaps are common.
    fn random_ring(rng: &mut crate::rng::SplitMix64, n: usize) -> Vec<Coord<f64>> {
        let mut ring: Vec<Coord<f64>> = (0..n)
            .map(|_| Coord {
                x: rng.below(5) as f64,
                y: rng.below(5) as f64,
            })
            .collect();
        ring.push(ring[0]);
        ring
    }

    /// The sweep flags exactly the rings geo's own validation (every pair of segments)
    /// flags, on random rings on a small grid, where touches at vertices, crossings and
    /// collinear overlaps are common.
    #[test]
    fn rings_meeting_themselves_are_those_geo_reports() {
        let mut rng = crate::rng::SplitMix64::new(7);
        let (mut flagged, mut clean) = (0, 0);
        for _ in 0..3000 {
            let n = 3 + rng.below(9);
            let ring = random_ring(&mut rng, n);
            let hole: Vec<Coord<f64>> = ring.iter().map(|c| Coord { x: c.y, y: c.x }).collect();
            let polygon = Polygon::new(LineString(ring), vec![LineString(hole)]);
            let geo: Vec<RingRole> = polygon
                .validation_errors()
                .into_iter()
                .filter_map(|e| match e {
                    InvalidPolygon::SelfIntersection(r) => Some(r),
                    _ => None,
                })
                .collect();
            let ours = self_meeting_rings(&polygon);
            assert_eq!(ours, geo, "{polygon:?}");
            if ours.is_empty() {
                clean += 1;
            } else {
                flagged += 1;
            }
        }
        assert!(
            flagged > 300 && clean > 300,
            "{flagged} flagged, {clean} clean"
        );
    }

    /// The crossing test as first written: every pair of segments that are not neighbours
    /// along the ring.
    fn crosses_itself_by_every_pair(ring: &LineString<f64>) -> bool {
        let lines: Vec<Line<f64>> = ring.lines().collect();
        let n = lines.len();
        (0..n).any(|i| {
            (i + 2..n)
                .filter(|&j| !(i == 0 && j == n - 1))
                .any(|j| cross(lines[i], lines[j]))
        })
    }

    /// The swept crossing test agrees with trying every pair, on random rings on a small
    /// grid (crossings, touches at vertices and overlaps along a stretch all common).
    #[test]
    fn crossing_rings_are_those_every_pair_finds() {
        let mut rng = crate::rng::SplitMix64::new(11);
        let (mut crossing, mut not) = (0, 0);
        for _ in 0..3000 {
            let n = 3 + rng.below(12);
            let ring = random_ring(&mut rng, n);
            let polygon = Polygon::new(LineString(ring), vec![]);
            let want = crosses_itself_by_every_pair(polygon.exterior());
            assert_eq!(
                crosses_itself(&polygon, &RingRole::Exterior),
                want,
                "{polygon:?}"
            );
            if want {
                crossing += 1;
            } else {
                not += 1;
            }
        }
        assert!(
            crossing > 300 && not > 300,
            "{crossing} crossing, {not} not"
        );
    }

    fn read_polygon_features_wgs84(input: &InputFile) -> Result<Checked<PolygonFeature>, Problems> {
        read_polygon_features(input, Crs::Wgs84)
    }

    fn input(text: &str) -> InputFile {
        InputFile {
            name: "areas.geojson".into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn clockwise_input_is_written_counter_clockwise_with_clockwise_holes() {
        let clockwise = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 0.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0)],
            interiors: [[(x: 0.2, y: 0.2), (x: 0.4, y: 0.2), (x: 0.4, y: 0.4), (x: 0.2, y: 0.4)]],
        );
        assert!(clockwise.exterior().is_cw());
        let mut buf = Vec::new();
        let f = OutFeature {
            geometry: OutGeometry::Area(MultiPolygon(vec![clockwise])),
            properties: vec![],
        };
        write_feature_collection(&mut buf, &[f]).expect("writes");
        let text = String::from_utf8(buf).expect("utf8");
        let back = read_polygon_features_wgs84(&input(&text)).expect("reads back");
        let poly = &back.records[0].geometry.0[0];
        assert!(poly.exterior().is_ccw());
        assert!(poly.interiors()[0].is_cw());
    }

    #[test]
    fn features_written_in_parallel_chunks_are_the_same_bytes() {
        // More features than a chunk, so chunks join; each a small square of its own.
        let feature = |i: usize| {
            let x = i as f64 * 1e-3;
            OutFeature {
                geometry: OutGeometry::Area(MultiPolygon(vec![polygon![
                    (x: x, y: 52.0), (x: x + 1e-3, y: 52.0), (x: x + 1e-3, y: 52.001), (x: x, y: 52.0)
                ]])),
                properties: vec![("n".into(), i.into())],
            }
        };
        let count = CHUNK + 3;
        let all: Vec<OutFeature> = (0..count).map(feature).collect();
        let (mut one, mut chunked) = (Vec::new(), Vec::new());
        write_feature_collection(&mut one, &all).expect("writes");
        write_features_in_parallel(&mut chunked, count, feature).expect("writes");
        assert_eq!(String::from_utf8(one).ok(), String::from_utf8(chunked).ok());
        let mut empty = Vec::new();
        write_features_in_parallel(&mut empty, 0, feature).expect("writes");
        assert_eq!(
            empty,
            b"{\"type\":\"FeatureCollection\",\"features\":[\n\n]}\n"
        );
    }

    /// Features are written as serde_json writes the same feature made as a JSON value
    /// (members in name order, numbers as it formats them), whether the area is given as
    /// read, as already written, or is a point.
    #[test]
    fn features_are_written_as_serde_json_writes_them_as_values() {
        let shell = polygon![
            (x: -1.0, y: 52.0), (x: -0.9999999, y: 52.5), (x: -0.5, y: 52.5), (x: -0.5, y: 52.0)
        ];
        let hole = polygon![
            (x: -0.9, y: 52.1), (x: -0.6, y: 52.1), (x: -0.6, y: 52.4), (x: -0.9, y: 52.4)
        ];
        let with_hole = Polygon::new(shell.exterior().clone(), vec![hole.exterior().clone()]);
        let island = polygon![(x: 1.0, y: 53.0), (x: 1.1, y: 53.0), (x: 1.1, y: 53.1)];
        let area = MultiPolygon(vec![with_hole, island]);
        let properties: Vec<(String, serde_json::Value)> = vec![
            ("name".into(), "Melton \"Mowbray\"".into()),
            ("e2sfca".into(), serde_json::json!(0.000123)),
            ("gap".into(), serde_json::Value::Null),
        ];
        let ring = |r: &LineString<f64>| -> serde_json::Value {
            r.0.iter()
                .map(|c| serde_json::json!([round(c.x), round(c.y)]))
                .collect()
        };
        let expected_area = {
            let written = written_area(&area);
            let polygons: Vec<serde_json::Value> = written
                .0
                .iter()
                .map(|p| {
                    std::iter::once(p.exterior())
                        .chain(p.interiors())
                        .map(ring)
                        .collect()
                })
                .collect();
            serde_json::json!({"type": "MultiPolygon", "coordinates": polygons})
        };
        let point = Point::new(-1.123456789, 52.987654321);
        let expected_point = serde_json::json!({"type": "Point", "coordinates": [round(point.x()), round(point.y())]});
        let cases = [
            (OutGeometry::Area(area.clone()), &expected_area),
            (
                OutGeometry::WrittenArea(written_area(&area)),
                &expected_area,
            ),
            (OutGeometry::Point(point), &expected_point),
        ];
        for (geometry, expected) in cases {
            let feature = OutFeature {
                geometry,
                properties: properties.clone(),
            };
            let mut written = Vec::new();
            write_feature(&mut written, &feature).expect("writes");
            let value = serde_json::json!({
                "type": "Feature",
                "properties": serde_json::Value::Object(properties.iter().cloned().collect()),
                "geometry": expected,
            });
            assert_eq!(
                String::from_utf8(written).expect("utf8"),
                serde_json::to_string(&value).expect("encodes")
            );
        }
    }

    #[test]
    fn coordinates_are_rounded_to_six_decimals() {
        let f = OutFeature {
            geometry: OutGeometry::Point(Point::new(-1.123456789, 52.987654321)),
            properties: vec![("code".into(), "E07000129".into())],
        };
        let mut buf = Vec::new();
        write_feature_collection(&mut buf, &[f]).expect("writes");
        let text = String::from_utf8(buf).expect("utf8");
        assert!(text.contains("[-1.123457,52.987654]"), "{text}");
        assert!(!text.contains("crs"));
    }

    #[test]
    fn invalid_json_names_its_line() {
        let e = read_polygon_features_wgs84(&input(
            "{\n\"type\": \"FeatureCollection\",\n\"features\": [,]\n}",
        ))
        .unwrap_err();
        assert!(
            e.listed[0]
                .to_string()
                .starts_with("areas.geojson:3: column 14: is not valid JSON"),
            "{}",
            e.listed[0]
        );
    }

    #[test]
    fn unclosed_ring_and_point_geometry_are_reported_per_feature() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[0,0]}}]}"#;
        let e = read_polygon_features_wgs84(&input(text))
            .expect("readable")
            .rejected;
        let messages: Vec<String> = e.listed.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "areas.geojson: feature 1: polygon 1, ring 1: is not closed (the last position must repeat the first)",
                "areas.geojson: feature 2: has a Point geometry (expected Polygon or MultiPolygon)",
            ]
        );
    }

    #[test]
    fn a_bow_tie_is_reported_as_self_intersecting() {
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}"#;
        let checked = read_polygon_features_wgs84(&input(text)).expect("readable");
        assert!(checked.records.is_empty());
        let message = checked.rejected.listed[0].to_string();
        assert!(
            message.starts_with("areas.geojson: feature 1: polygon 1: "),
            "{message}"
        );
        assert!(message.contains("crosses itself"), "{message}");
    }

    #[test]
    fn a_ring_touching_itself_at_a_vertex_is_accepted() {
        // A figure of eight joined at (1, 1): the ring touches itself but never crosses.
        let text = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[2,0],[2,2],[1,1],[0,2],[0,0]]]}}]}"#;
        let checked = read_polygon_features_wgs84(&input(text)).expect("readable");
        assert!(checked.rejected.is_empty(), "{:?}", checked.rejected.listed);
        assert_eq!(checked.records.len(), 1);
    }

    /// A district as gapmap wrote it before dissolved polygons were resolved on the output
    /// grid: a hole of 3 positions (2 distinct points), as rounding left the slivers.
    const OLD_DISTRICT: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"LAD24CD":"E07000133"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-1,52],[-0.9,52],[-0.9,52.1],[-1,52.1],[-1,52]],[[-0.95,52.05],[-0.95,52.06],[-0.95,52.05]]]]}},
      {"type":"Feature","properties":{"LAD24CD":"E07000134"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-2,52],[-1.9,52],[-2,52]]]]}}]}"#;

    #[test]
    fn a_degenerate_ring_is_refused_in_an_input_but_dropped_from_gapmaps_own_map() {
        let strict = read_polygon_features_wgs84(&input(OLD_DISTRICT)).expect("readable");
        assert!(strict.records.is_empty());
        assert_eq!(
            strict.rejected.listed[0].to_string(),
            "areas.geojson: feature 1: polygon 1, ring 2: has 3 positions (a ring needs at least 4, the first repeated as the last)"
        );
        let own = read_own_polygon_features(&input(OLD_DISTRICT)).expect("readable");
        assert_eq!(own.records.len(), 2, "both districts keep their properties");
        let first = &own.records[0].geometry;
        assert_eq!(first.0.len(), 1);
        assert!(first.0[0].interiors().is_empty());
        assert!(first.is_valid());
        assert_eq!(own.records[1].properties["LAD24CD"], "E07000134");
        assert!(
            own.records[1].geometry.0.is_empty(),
            "nothing left of a two-point shell"
        );
    }

    #[test]
    fn what_is_written_is_valid_after_rounding() {
        // Two squares whose shared edge differs by 3e-7°: unioned in floating point they
        // leave a sliver hole that rounding to 6 decimals would collapse to two points.
        let a = polygon![(x: -1.0, y: 52.0), (x: -0.9, y: 52.0), (x: -0.9, y: 52.1), (x: -1.0, y: 52.1)];
        let b = polygon![(x: -0.9, y: 52.0), (x: -0.8, y: 52.0), (x: -0.8, y: 52.1), (x: -0.9, y: 52.1), (x: -0.8999997, y: 52.05)];
        let float_union = geo::unary_union([&a, &b]);
        let f = OutFeature {
            geometry: OutGeometry::Area(float_union),
            properties: vec![],
        };
        let mut buf = Vec::new();
        write_feature_collection(&mut buf, &[f]).expect("writes");
        let back = read_polygon_features_wgs84(&input(&String::from_utf8(buf).expect("utf8")))
            .expect("reads back");
        assert!(back.rejected.is_empty(), "{:?}", back.rejected.listed);
        let geometry = &back.records[0].geometry;
        assert!(geometry.is_valid(), "{:?}", geometry.validation_errors());
        assert!(geometry.0[0].interiors().is_empty());
    }

    #[test]
    fn web_mercator_is_refused() {
        let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}"#;
        let e = read_polygon_features_wgs84(&input(text)).unwrap_err();
        assert!(e.listed[0].message.contains("EPSG::3857"));
    }

    #[test]
    fn british_national_grid_is_transformed_to_wgs84() {
        // A 1 km square in Leicester, given in BNG metres with a legacy crs member.
        let text = r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[458000,304000],[459000,304000],[459000,305000],[458000,305000],[458000,304000]]]}}]}"#;
        let checked = read_polygon_features_wgs84(&input(text)).expect("reads");
        assert!(checked.rejected.is_empty(), "{:?}", checked.rejected.listed);
        let first = checked.records[0].geometry.0[0].exterior().0[0];
        // E 458000 N 304000 is near Leicester's city centre, about (-1.14, 52.63).
        assert!(
            (first.x + 1.14).abs() < 0.02 && (first.y - 52.63).abs() < 0.02,
            "{first:?}"
        );
    }
}
