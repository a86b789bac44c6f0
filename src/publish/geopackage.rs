//! `maps/gapmap.gpkg`: every map layer of a run folder in one GeoPackage, each with its
//! QGIS styles, for GIS teams.
//!
//! The GeoPackage is built from what the folder already holds, so it always agrees with
//! the GeoJSON beside it: each `maps/*.geojson` layer (districts, small areas, services,
//! the change since an earlier run) and each plan's `plans/<plan>/sites.geojson` becomes a
//! table with the same properties, in the same order, and the same WGS84 coordinates. Each
//! polygon layer has a second copy in British National Grid (`<layer>_bng`, EPSG:27700),
//! converted by [`crate::locate::bng`] (good to a few metres, the limit of a Helmert datum
//! shift) and rounded to the millimetre. Each layer's `.qml` files go in `layer_styles`:
//! the one QGIS loads by default beside the GeoJSON (`districts.qml`) is marked default.
//!
//! Because it is rebuilt from the folder, a plan added to a run writes it again with the
//! plan's layer, and the result is the same whatever order the plans were made in.

use std::collections::BTreeMap;
use std::path::Path;

use geo::{Coord, LineString, MapCoordsInPlace, MultiPolygon, Point, Polygon};
use rayon::prelude::*;
use serde_json::Value;

use crate::io::geojson::{as_written, OutFeature, OutGeometry};
use crate::io::gpkg::{self, FieldType, FieldValue, Geometry, GeometryKind, Layer, Srs, Style};
use crate::locate::bng::wgs84_to_bng;

use super::run_folder::RunFolder;
use super::PublishError;

/// The GeoPackage's path in the run folder.
pub const FILE: &str = "maps/gapmap.gpkg";

/// The progress message of the step that writes it.
pub const STEP: &str = "writing the GeoPackage";

/// The map layers of a run folder, by GeoJSON file stem under `maps/`, with their titles.
const MAP_LAYERS: [(&str, &str); 4] = [
    ("districts", "Districts: supply, demand and gap by lot"),
    (
        "small_areas",
        "Small areas: distance to the nearest service by lot",
    ),
    ("services", "Services"),
    (
        "districts_change",
        "Districts: change in gap since the earlier run",
    ),
];

/// A map layer the run holds in memory, given in place of its GeoJSON so that the file need
/// not be read back: `feature(i)` for `i` below `count` are the features the GeoJSON was
/// written from.
pub struct Held<'a> {
    /// The GeoJSON file stem under `maps/` (`small_areas`).
    pub stem: &'static str,
    pub count: usize,
    pub feature: &'a (dyn Fn(usize) -> OutFeature + Sync),
    /// `feature(i)`'s properties alone, for typing the columns without making geometry.
    pub properties: &'a (dyn Fn(usize) -> Vec<(String, Value)> + Sync),
}

/// Writes `maps/gapmap.gpkg` into the folder being written, from the GeoJSON layers and
/// QGIS styles it holds, taking the layers in `held` from memory. `data_date` (the run's
/// `data_date`) is recorded as every table's last change, so the file does not depend on
/// when it was written.
pub fn write(folder: &mut RunFolder, data_date: &str, held: &[Held]) -> Result<(), PublishError> {
    let root = folder.written()?;
    if !root.join("maps/districts.geojson").is_file() {
        return Ok(());
    }
    let finished = build(root, data_date, held)?;
    folder.write_owned(FILE, finished)
}

impl super::run_folder::Contents for gpkg::Finished {
    fn size(&self) -> usize {
        gpkg::Finished::size(self)
    }
    fn with_bytes(
        &mut self,
        write: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        gpkg::Finished::with_bytes(self, write)
            .map_err(std::io::Error::other)
            .and_then(|written| written)
    }
}

/// The GeoPackage of the run folder at `root`, with the layers in `held` from memory, as
/// SQLite's image of it (no copy of the file is made to write it). The layers are made
/// and written one at a time, so only one (and its British National Grid
/// copy) is held at once.
fn build(root: &Path, data_date: &str, held: &[Held]) -> Result<gpkg::Finished, PublishError> {
    let mut sources: Vec<Source> = MAP_LAYERS
        .iter()
        .map(|(stem, title)| Source {
            file: format!("maps/{stem}.geojson"),
            table: (*stem).to_string(),
            title: (*title).to_string(),
            styles: style_files(root, stem),
        })
        .collect();
    sources.extend(plan_sources(root)?);
    let sql = |e: rusqlite::Error| PublishError::Geopackage(e.to_string());
    let mut writer = gpkg::Writer::new(&last_change(data_date)).map_err(sql)?;
    let mut styles = Vec::new();
    for source in &sources {
        let given = held
            .iter()
            .find(|h| format!("maps/{}.geojson", h.stem) == source.file);
        let mut layer = match given {
            Some(h) => held_layer(source, h)?,
            None => match read_layer(root, source)? {
                Some(layer) => layer,
                None => continue,
            },
        };
        let layer_styles = read_styles(root, &source.styles)?;
        let mut add = |writer: &mut gpkg::Writer, layer: &Layer| {
            writer.layer(layer).map_err(sql)?;
            styles.extend(layer_styles.iter().map(|s| Style {
                layer: layer.name.clone(),
                ..s.clone()
            }));
            Ok::<(), PublishError>(())
        };
        add(&mut writer, &layer)?;
        if layer.kind == GeometryKind::MultiPolygon {
            // The same layer again in British National Grid, converted in place once the
            // WGS84 one is written, so that one copy of its geometry is held, not two.
            to_bng(&mut layer, &source.file)?;
            add(&mut writer, &layer)?;
        }
    }
    writer.finish(&styles).map_err(sql)
}

/// A source's layer read from its GeoJSON; `None` when the folder has no such file.
fn read_layer(root: &Path, source: &Source) -> Result<Option<Layer>, PublishError> {
    let path = root.join(&source.file);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read(&path).map_err(|e| PublishError::Io(path.clone(), e))?;
    layer_of(source, &text).map(Some)
}

/// A layer held in memory, as [`layer_of`] reads it from the GeoJSON written from it:
/// columns in the order of their names (as the file lists them), each typed by every value,
/// and geometries as written.
fn held_layer(source: &Source, held: &Held) -> Result<Layer, PublishError> {
    let feature = held.feature;
    let types: BTreeMap<String, Option<FieldType>> = (0..held.count)
        .into_par_iter()
        .fold(BTreeMap::new, |mut types, i| {
            for (name, value) in (held.properties)(i) {
                let t = types.entry(name).or_insert(None);
                *t = wider(*t, value_type(&value));
            }
            types
        })
        .reduce(BTreeMap::new, |mut a, b| {
            for (name, t) in b {
                let e = a.entry(name).or_insert(None);
                *e = wider(*e, t);
            }
            a
        });
    let columns: Vec<(String, FieldType)> = types
        .into_iter()
        .map(|(name, t)| (name, t.unwrap_or(FieldType::Text)))
        .collect();
    let features: Vec<gpkg::Feature> = (0..held.count)
        .into_par_iter()
        .map(|i| {
            let f = feature(i);
            let geometry = match as_written(f.geometry) {
                OutGeometry::Point(p) => Geometry::Point(p),
                OutGeometry::Area(mp) | OutGeometry::WrittenArea(mp) => Geometry::MultiPolygon(mp),
            };
            let values = columns
                .iter()
                .map(|(name, t)| {
                    let value = f.properties.iter().find(|(n, _)| n == name).map(|p| &p.1);
                    field_value(value, *t)
                })
                .collect();
            gpkg::Feature { geometry, values }
        })
        .collect();
    let kind = |g: &Geometry| match g {
        Geometry::Point(_) => GeometryKind::Point,
        Geometry::MultiPolygon(_) => GeometryKind::MultiPolygon,
    };
    let first = features.first().map(|f| kind(&f.geometry));
    if let Some(i) = features
        .iter()
        .position(|f| Some(kind(&f.geometry)) != first)
    {
        return Err(bad(
            &source.file,
            format!("feature {}: mixes points and polygons in one layer", i + 1),
        ));
    }
    Ok(Layer {
        name: source.table.clone(),
        title: source.title.clone(),
        description: format!("{}, WGS84 longitude/latitude", source.file),
        kind: first.unwrap_or(GeometryKind::MultiPolygon),
        srs: Srs::Wgs84,
        columns,
        features,
    })
}

/// A GeoJSON file of the folder and the table it becomes.
struct Source {
    file: String,
    table: String,
    title: String,
    /// Style files (relative paths): the default first, then the alternatives by name.
    styles: StyleFiles,
}

struct StyleFiles {
    /// The style QGIS loads beside the GeoJSON (`maps/districts.qml`).
    default: Option<String>,
    /// Other styles of the layer (`maps/districts_<lot>_gap.qml`), by name.
    others: Vec<String>,
}

/// The `.qml` files of the layer `stem` under `maps/`: `<stem>.qml` and `<stem>_*.qml`,
/// except those of a layer with a longer name (`districts_change_*` is not `districts`).
fn style_files(root: &Path, stem: &str) -> StyleFiles {
    let mut others: Vec<String> = std::fs::read_dir(root.join("maps"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter_map(|name| name.strip_suffix(".qml").map(str::to_string))
        .filter(|s| s.starts_with(&format!("{stem}_")) && owner(s) == Some(stem))
        .map(|s| format!("maps/{s}.qml"))
        .collect();
    others.sort();
    let default = format!("maps/{stem}.qml");
    StyleFiles {
        default: root.join(&default).is_file().then_some(default),
        others,
    }
}

/// The layer a style file stem belongs to: the longest layer name it is or starts with.
fn owner(style: &str) -> Option<&'static str> {
    MAP_LAYERS
        .iter()
        .map(|(stem, _)| *stem)
        .filter(|stem| style == *stem || style.starts_with(&format!("{stem}_")))
        .max_by_key(|stem| stem.len())
}

/// Every plan's chosen sites, by plan folder name.
fn plan_sources(root: &Path) -> Result<Vec<Source>, PublishError> {
    let plans = root.join("plans");
    let entries = match std::fs::read_dir(&plans) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(PublishError::Io(plans, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| PublishError::Io(plans.clone(), e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Staging folders start with a dot.
        if !name.starts_with('.') && entry.path().join("sites.geojson").is_file() {
            names.push(name);
        }
    }
    names.sort();
    Ok(names
        .into_iter()
        .map(|name| {
            let table: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            let style = format!("plans/{name}/sites.qml");
            Source {
                file: format!("plans/{name}/sites.geojson"),
                table: format!("plan_{table}_sites"),
                title: format!("Plan {name}: chosen sites"),
                styles: StyleFiles {
                    default: root.join(&style).is_file().then_some(style),
                    others: Vec::new(),
                },
            }
        })
        .collect())
}

/// The styles of a layer: each file a row, the one whose text is the default file's marked
/// default (the default file is a row of its own only when it matches none).
fn read_styles(root: &Path, files: &StyleFiles) -> Result<Vec<Style>, PublishError> {
    let read = |file: &str| {
        let path = root.join(file);
        std::fs::read_to_string(&path).map_err(|e| PublishError::Io(path, e))
    };
    let default = files.default.as_deref().map(read).transpose()?;
    let mut styles = Vec::new();
    for file in &files.others {
        let qml = read(file)?;
        styles.push(style(file, default.as_ref() == Some(&qml), qml));
    }
    if let (Some(file), Some(qml)) = (&files.default, default) {
        if !styles.iter().any(|s| s.default) {
            styles.insert(0, style(file, true, qml));
        }
    }
    Ok(styles)
}

fn style(file: &str, default: bool, qml: String) -> Style {
    let name = Path::new(file)
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    Style {
        layer: String::new(),
        name,
        description: format!("gapmap's style {file}"),
        qml,
        default,
    }
}

/// `gpkg_contents.last_change` from the run's data date: its day at midnight UTC, or the
/// Unix epoch when the data date does not start with a `YYYY-MM-DD` day.
fn last_change(data_date: &str) -> String {
    let day = data_date.get(..10).filter(|d| {
        let b = d.as_bytes();
        b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
    });
    format!("{}T00:00:00.000Z", day.unwrap_or("1970-01-01"))
}

fn bad(file: &str, message: impl std::fmt::Display) -> PublishError {
    PublishError::Geopackage(format!("{file}: {message}"))
}

/// A layer from a GeoJSON FeatureCollection that gapmap wrote: its properties become
/// columns in the order of the file, each typed by the values it holds.
fn layer_of(source: &Source, text: &[u8]) -> Result<Layer, PublishError> {
    let json: Value = serde_json::from_slice(text).map_err(|e| bad(&source.file, e))?;
    let features = json
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| bad(&source.file, "is not a FeatureCollection"))?;
    let mut names: Vec<String> = Vec::new();
    for f in features {
        if let Some(props) = f.get("properties").and_then(Value::as_object) {
            for key in props.keys() {
                if !names.contains(key) {
                    names.push(key.clone());
                }
            }
        }
    }
    let columns: Vec<(String, FieldType)> = names
        .iter()
        .map(|n| {
            let values = features.iter().filter_map(|f| f["properties"].get(n));
            (n.clone(), field_type(values))
        })
        .collect();
    let mut kind = None;
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let at = |m: &str| bad(&source.file, format!("feature {}: {m}", i + 1));
        let geometry = geometry_of(&f["geometry"]).map_err(|m| at(&m))?;
        let this = match geometry {
            Geometry::Point(_) => GeometryKind::Point,
            Geometry::MultiPolygon(_) => GeometryKind::MultiPolygon,
        };
        if *kind.get_or_insert(this) != this {
            return Err(at("mixes points and polygons in one layer"));
        }
        let values = columns
            .iter()
            .map(|(n, t)| field_value(f["properties"].get(n), *t))
            .collect();
        out.push(gpkg::Feature { geometry, values });
    }
    Ok(Layer {
        name: source.table.clone(),
        title: source.title.clone(),
        description: format!("{}, WGS84 longitude/latitude", source.file),
        kind: kind.unwrap_or(GeometryKind::MultiPolygon),
        srs: Srs::Wgs84,
        columns,
        features: out,
    })
}

/// The column type that holds every value: integers, reals (numbers with a fraction, or
/// integers mixed with them), booleans, or text (anything else, and columns of nulls only).
fn field_type<'a>(values: impl Iterator<Item = &'a Value>) -> FieldType {
    values
        .map(value_type)
        .fold(None, wider)
        .unwrap_or(FieldType::Text)
}

/// A value's own column type; `None` for null, which fits any.
fn value_type(value: &Value) -> Option<FieldType> {
    match value {
        Value::Null => None,
        Value::Bool(_) => Some(FieldType::Boolean),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(FieldType::Integer),
        Value::Number(_) => Some(FieldType::Real),
        _ => Some(FieldType::Text),
    }
}

/// The column type that holds the values of both.
fn wider(a: Option<FieldType>, b: Option<FieldType>) -> Option<FieldType> {
    Some(match (a, b) {
        (None, t) | (t, None) => return t,
        (Some(a), Some(b)) if a == b => a,
        (Some(FieldType::Integer), Some(FieldType::Real))
        | (Some(FieldType::Real), Some(FieldType::Integer)) => FieldType::Real,
        _ => FieldType::Text,
    })
}

fn field_value(value: Option<&Value>, kind: FieldType) -> FieldValue {
    match (value, kind) {
        (None | Some(Value::Null), _) => FieldValue::Null,
        (Some(Value::String(s)), FieldType::Text) => FieldValue::Text(s.clone()),
        (Some(Value::Number(n)), FieldType::Integer) => {
            n.as_i64().map_or(FieldValue::Null, FieldValue::Integer)
        }
        (Some(Value::Number(n)), FieldType::Real) => {
            n.as_f64().map_or(FieldValue::Null, FieldValue::Real)
        }
        (Some(Value::Bool(b)), FieldType::Boolean) => FieldValue::Boolean(*b),
        (Some(other), _) => FieldValue::Text(other.to_string()),
    }
}

fn coord(position: &Value) -> Result<Coord<f64>, String> {
    match (
        position.get(0).and_then(Value::as_f64),
        position.get(1).and_then(Value::as_f64),
    ) {
        (Some(x), Some(y)) => Ok(Coord { x, y }),
        _ => Err(format!("position {position} is not [longitude, latitude]")),
    }
}

fn ring(positions: &Value) -> Result<LineString<f64>, String> {
    positions
        .as_array()
        .ok_or("a ring is not an array of positions")?
        .iter()
        .map(coord)
        .collect::<Result<Vec<_>, _>>()
        .map(LineString)
}

fn polygon(rings: &Value) -> Result<Polygon<f64>, String> {
    let mut rings = rings
        .as_array()
        .ok_or("a polygon is not an array of rings")?
        .iter()
        .map(ring)
        .collect::<Result<Vec<_>, _>>()?;
    if rings.is_empty() {
        return Err("a polygon has no rings".into());
    }
    let exterior = rings.remove(0);
    Ok(Polygon::new(exterior, rings))
}

/// A Point, Polygon or MultiPolygon geometry as written (the rings as they are, closed).
fn geometry_of(geometry: &Value) -> Result<Geometry, String> {
    let coordinates = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Point") => coord(coordinates).map(|c| Geometry::Point(Point(c))),
        Some("Polygon") => Ok(Geometry::MultiPolygon(MultiPolygon(vec![polygon(
            coordinates,
        )?]))),
        Some("MultiPolygon") => coordinates
            .as_array()
            .ok_or("MultiPolygon coordinates are not an array")?
            .iter()
            .map(polygon)
            .collect::<Result<Vec<_>, _>>()
            .map(|p| Geometry::MultiPolygon(MultiPolygon(p))),
        other => Err(format!(
            "has a {} geometry (expected Point, Polygon or MultiPolygon)",
            other.unwrap_or("missing")
        )),
    }
}

/// Millimetres: the grid BNG coordinates are rounded to.
fn mm(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The polygon layer `layer` turned into its copy in British National Grid (`<name>_bng`),
/// feature by feature in parallel.
fn to_bng(layer: &mut Layer, file: &str) -> Result<(), PublishError> {
    let name = layer.name.clone();
    layer
        .features
        .par_iter_mut()
        .enumerate()
        .try_for_each(|(i, f)| bng_feature(i, f, &name, file))?;
    layer.name = format!("{name}_bng");
    layer.title = format!("{} (British National Grid)", layer.title);
    layer.description = format!("{file}, British National Grid eastings/northings in metres");
    layer.srs = Srs::BritishNationalGrid;
    Ok(())
}

/// Feature `i` of the layer `name` (read from `file`) turned into British National Grid,
/// to the millimetre.
fn bng_feature(
    i: usize,
    f: &mut gpkg::Feature,
    name: &str,
    file: &str,
) -> Result<(), PublishError> {
    let Geometry::MultiPolygon(mp) = &mut f.geometry else {
        return Ok(());
    };
    mp.try_map_coords_in_place(|c| {
        wgs84_to_bng(c.x, c.y)
            .map(|(e, n)| Coord { x: mm(e), y: mm(n) })
            .ok_or_else(|| {
                bad(
                    file,
                    format!(
                        "feature {}: position [{}, {}] is outside Great Britain, so has no British National Grid position for the layer {}_bng",
                        i + 1,
                        c.x,
                        c.y,
                        name
                    ),
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_change_is_the_data_dates_day() {
        assert_eq!(last_change("2025-06-30"), "2025-06-30T00:00:00.000Z");
        assert_eq!(
            last_change("2025-06-30T12:00:00Z"),
            "2025-06-30T00:00:00.000Z"
        );
        assert_eq!(last_change("June 2025"), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn a_style_belongs_to_the_longest_layer_name_it_starts_with() {
        assert_eq!(owner("districts_pmld_gap"), Some("districts"));
        assert_eq!(
            owner("districts_change_pmld_gap_change"),
            Some("districts_change")
        );
        assert_eq!(owner("small_areas_ld_nearest_km"), Some("small_areas"));
        assert_eq!(owner("report"), None);
    }

    #[test]
    fn columns_are_typed_by_every_value() {
        let t = |v: Value| field_type(v.as_array().expect("array").iter());
        assert_eq!(t(serde_json::json!([1, 2, null])), FieldType::Integer);
        assert_eq!(t(serde_json::json!([1, 2.5])), FieldType::Real);
        assert_eq!(t(serde_json::json!([null, null])), FieldType::Text);
        assert_eq!(t(serde_json::json!(["a", 1])), FieldType::Text);
        assert_eq!(t(serde_json::json!([true])), FieldType::Boolean);
    }
}
