//! A GeoJSON FeatureCollection read in one pass, straight from its text into compact
//! polygon coordinates: no JSON value tree of the whole file is ever built (for England's
//! 32,844 LSOAs, 84 MB of GeoJSON, that tree took several hundred megabytes).
//!
//! This module owns only the parsing: it keeps each feature's properties, and its
//! polygons' positions as given (two numbers each, a third and more ignored). Checking and
//! converting them (coordinate systems, closed rings, self-intersections) is
//! [`crate::io::geojson`]'s. Mistakes in the file's structure (a position that is not a
//! list of numbers, a feature that is not an object) stop the reading with the line,
//! column and feature they are at; mistakes of meaning that leave the rest readable (a
//! Point where a polygon belongs, a feature of another type) are kept with the feature
//! and reported for it.

use std::cell::Cell;
use std::fmt;

use geo::Coord;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// One ring's positions as given; a position of fewer than two numbers is kept as NaNs
/// and the first such noted, so that the checks report positions in their order.
#[derive(Debug, Default)]
pub struct RawRing {
    pub positions: Vec<Coord<f64>>,
    /// 0-based index of the first position with fewer than two numbers.
    pub first_short: Option<usize>,
}

/// A polygon's rings as given, the shell first.
pub type RawPolygon = Vec<RawRing>;

/// A feature's geometry as given.
#[derive(Debug)]
pub enum RawGeometry {
    /// `null`, or no `geometry` member.
    Missing,
    /// A Polygon (one) or MultiPolygon (any number).
    Polygons(Vec<RawPolygon>),
    /// Another geometry: its `type`, as written.
    Other(String),
}

/// A feature as read: its 1-based position in the file, its properties, its geometry, and
/// what is wrong with its structure (a `type` other than "Feature", properties that are
/// not an object), if anything.
#[derive(Debug)]
pub struct RawFeature {
    pub index: usize,
    pub properties: Map<String, Value>,
    pub geometry: RawGeometry,
    pub fault: Option<String>,
}

/// A FeatureCollection as read.
#[derive(Debug, Default)]
pub struct RawCollection {
    /// The top-level `type`, if there is one and it is text.
    pub kind: Option<String>,
    /// The legacy `crs` member, if any.
    pub crs: Option<Value>,
    /// `None` when there is no `features` array.
    pub features: Option<Vec<RawFeature>>,
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError {
    /// The text is not JSON.
    Syntax(serde_json::Error),
    /// JSON, but not shaped as GeoJSON where it stopped: the error (with its line and
    /// column) and the 1-based feature it was in, if any.
    Shape(serde_json::Error, Option<usize>),
}

/// Reads a FeatureCollection from its text.
pub fn read(text: &str) -> Result<RawCollection, ReadError> {
    let feature = Cell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let result = CollectionSeed { feature: &feature }
        .deserialize(&mut de)
        .and_then(|c| de.end().map(|()| c));
    result.map_err(|e| match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            ReadError::Syntax(e)
        }
        _ => ReadError::Shape(e, feature.get()),
    })
}

/// The 1-based index of the feature being read, for errors.
type Current<'a> = &'a Cell<Option<usize>>;

struct CollectionSeed<'a> {
    feature: Current<'a>,
}

impl<'de> DeserializeSeed<'de> for CollectionSeed<'_> {
    type Value = RawCollection;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawCollection, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for CollectionSeed<'_> {
    type Value = RawCollection;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawCollection, A::Error> {
        let mut out = RawCollection::default();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => out.kind = text(map.next_value::<Value>()?),
                "crs" => out.crs = Some(map.next_value()?),
                "features" => {
                    out.features = Some(map.next_value_seed(FeaturesSeed {
                        feature: self.feature,
                    })?)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        self.feature.set(None);
        Ok(out)
    }
}

fn text(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

struct FeaturesSeed<'a> {
    feature: Current<'a>,
}

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = Vec<RawFeature>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<RawFeature>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FeaturesSeed<'_> {
    type Value = Vec<RawFeature>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of features")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<RawFeature>, A::Error> {
        let mut features = Vec::new();
        loop {
            let index = features.len() + 1;
            self.feature.set(Some(index));
            match seq.next_element_seed(FeatureSeed { index })? {
                Some(f) => features.push(f),
                None => break,
            }
        }
        self.feature.set(None);
        Ok(features)
    }
}

struct FeatureSeed {
    index: usize,
}

impl<'de> DeserializeSeed<'de> for FeatureSeed {
    type Value = RawFeature;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawFeature, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FeatureSeed {
    type Value = RawFeature;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Feature object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawFeature, A::Error> {
        let mut kind = None;
        let mut properties = Map::new();
        let mut geometry = RawGeometry::Missing;
        let mut fault = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => kind = Some(map.next_value::<Value>()?),
                "properties" => match map.next_value::<Value>()? {
                    Value::Object(p) => properties = p,
                    Value::Null => {}
                    other => {
                        fault = Some(format!(
                            "has properties {} (expected an object of names and values)",
                            brief(&other)
                        ))
                    }
                },
                "geometry" => {
                    geometry = map
                        .next_value_seed(GeometrySeed)?
                        .unwrap_or(RawGeometry::Missing)
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match kind {
            Some(Value::String(s)) if s == "Feature" => {}
            Some(other) => {
                fault = Some(format!("has type {} (expected \"Feature\")", brief(&other)))
            }
            None => fault = Some("has no type (expected \"type\": \"Feature\")".into()),
        }
        Ok(RawFeature {
            index: self.index,
            properties,
            geometry,
            fault,
        })
    }
}

/// A value as it reads in JSON, cut short when long.
pub fn brief(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text,
    }
}

/// A geometry object, or `null`.
struct GeometrySeed;

impl<'de> DeserializeSeed<'de> for GeometrySeed {
    type Value = Option<RawGeometry>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<RawGeometry>, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for GeometrySeed {
    type Value = Option<RawGeometry>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a geometry object or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<RawGeometry>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<RawGeometry>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<RawGeometry>, D::Error> {
        d.deserialize_map(GeometryObject).map(Some)
    }
}

struct GeometryObject;

/// The geometry types whose coordinates are polygons: a Polygon is one, a MultiPolygon
/// a list of them.
fn polygon_depth(kind: &str) -> Option<bool> {
    match kind {
        "Polygon" => Some(false),
        "MultiPolygon" => Some(true),
        _ => None,
    }
}

impl<'de> Visitor<'de> for GeometryObject {
    type Value = RawGeometry;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a geometry object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawGeometry, A::Error> {
        let mut kind: Option<String> = None;
        let mut polygons: Option<Vec<RawPolygon>> = None;
        // Coordinates given before the type (as gapmap's own maps give them, members in
        // name order): kept as their text until the type is known.
        let mut early: Option<&'de RawValue> = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => {
                    let value: Value = map.next_value()?;
                    kind = Some(match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    });
                }
                "coordinates" => match kind.as_deref().map(polygon_depth) {
                    Some(Some(false)) => {
                        polygons = Some(vec![map.next_value_seed(Rings)?]);
                    }
                    Some(Some(true)) => polygons = Some(map.next_value_seed(Polygons)?),
                    Some(None) => {
                        map.next_value::<IgnoredAny>()?;
                    }
                    None => early = Some(map.next_value()?),
                },
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let Some(kind) = kind else {
            return Err(de::Error::custom(
                "the geometry has no type (expected \"type\": \"Polygon\" or \"MultiPolygon\")",
            ));
        };
        let Some(multi) = polygon_depth(&kind) else {
            return Ok(RawGeometry::Other(kind));
        };
        if let Some(raw) = early {
            let parse = |text: &str| {
                let mut d = serde_json::Deserializer::from_str(text);
                if multi {
                    Polygons.deserialize(&mut d)
                } else {
                    Rings.deserialize(&mut d).map(|rings| vec![rings])
                }
            };
            polygons = Some(match parse(raw.get()) {
                Ok(p) => p,
                // Reported as a value of the feature (as one given after the type is),
                // without a position inside the coordinates' own text.
                Err(_) => {
                    let value: Value =
                        serde_json::from_str(raw.get()).map_err(de::Error::custom)?;
                    if multi {
                        Polygons.deserialize(value).map_err(de::Error::custom)?
                    } else {
                        vec![Rings.deserialize(value).map_err(de::Error::custom)?]
                    }
                }
            });
        }
        match polygons {
            Some(p) => Ok(RawGeometry::Polygons(p)),
            None => Err(de::Error::custom(format!(
                "the {kind} geometry has no coordinates"
            ))),
        }
    }
}

/// A MultiPolygon's coordinates: a list of polygons.
struct Polygons;

impl<'de> DeserializeSeed<'de> for Polygons {
    type Value = Vec<RawPolygon>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<RawPolygon>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Polygons {
    type Value = Vec<RawPolygon>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of polygons (MultiPolygon coordinates)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<RawPolygon>, A::Error> {
        let mut out = Vec::new();
        while let Some(p) = seq.next_element_seed(Rings)? {
            out.push(p);
        }
        Ok(out)
    }
}

/// A Polygon's coordinates: a list of rings.
struct Rings;

impl<'de> DeserializeSeed<'de> for Rings {
    type Value = RawPolygon;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawPolygon, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rings {
    type Value = RawPolygon;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of rings (Polygon coordinates)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawPolygon, A::Error> {
        let mut out = Vec::new();
        while let Some(r) = seq.next_element_seed(Ring)? {
            out.push(r);
        }
        Ok(out)
    }
}

/// A ring: a list of positions.
struct Ring;

impl<'de> DeserializeSeed<'de> for Ring {
    type Value = RawRing;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RawRing, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Ring {
    type Value = RawRing;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of positions (a ring)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawRing, A::Error> {
        let mut ring = RawRing {
            positions: Vec::with_capacity(seq.size_hint().unwrap_or(16)),
            first_short: None,
        };
        while let Some(p) = seq.next_element_seed(Position)? {
            match p {
                Some(c) => ring.positions.push(c),
                None => {
                    ring.first_short.get_or_insert(ring.positions.len());
                    ring.positions.push(Coord {
                        x: f64::NAN,
                        y: f64::NAN,
                    });
                }
            }
        }
        Ok(ring)
    }
}

/// A position: a list of numbers, the first two kept (`None` when there are fewer).
struct Position;

impl<'de> DeserializeSeed<'de> for Position {
    type Value = Option<Coord<f64>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Coord<f64>>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Position {
    type Value = Option<Coord<f64>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a position (a list of numbers: longitude, latitude)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<Coord<f64>>, A::Error> {
        let x: Option<f64> = seq.next_element()?;
        let y: Option<f64> = if x.is_some() {
            seq.next_element()?
        } else {
            None
        };
        while seq.next_element::<f64>()?.is_some() {}
        Ok(x.zip(y).map(|(x, y)| Coord { x, y }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polygons(text: &str) -> Vec<RawFeature> {
        read(text).expect("reads").features.expect("features")
    }

    #[test]
    fn positions_keep_two_numbers_and_mark_short_ones() {
        let f = polygons(
            r#"{"features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[1,2,3],[4],[5,6]]]}}],"type":"FeatureCollection"}"#,
        );
        let RawGeometry::Polygons(p) = &f[0].geometry else {
            panic!("{:?}", f[0].geometry)
        };
        let ring = &p[0][0];
        assert_eq!(ring.positions[0], Coord { x: 1.0, y: 2.0 });
        assert!(ring.positions[1].x.is_nan());
        assert_eq!(ring.positions[2], Coord { x: 5.0, y: 6.0 });
        assert_eq!(ring.first_short, Some(1));
        assert!(f[0].fault.is_none());
    }

    #[test]
    fn coordinates_before_the_type_are_read_the_same() {
        let a = polygons(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]]]],"type":"MultiPolygon"}}]}"#,
        );
        let RawGeometry::Polygons(p) = &a[0].geometry else {
            panic!("{:?}", a[0].geometry)
        };
        assert_eq!(p.len(), 2);
        assert_eq!(p[1][0].positions[2], Coord { x: 6.0, y: 6.0 });
    }

    /// A Polygon's coordinates before its type read as after it; a bad position among
    /// them stops the reading at its feature, on the line the feature's geometry ends,
    /// naming what was found.
    #[test]
    fn polygon_coordinates_before_the_type_read_as_after_it() {
        let ring = "[[[0.5,0],[1,0],[1,1.25],[0.5,0]],[[0.6,0.1],[0.9,0.1],[0.9,0.9],[0.6,0.1]]]";
        let first = polygons(&format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"coordinates":{ring},"type":"Polygon"}}}}]}}"#
        ));
        let after = polygons(&format!(
            r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","geometry":{{"type":"Polygon","coordinates":{ring}}}}}]}}"#
        ));
        let (RawGeometry::Polygons(a), RawGeometry::Polygons(b)) =
            (&first[0].geometry, &after[0].geometry)
        else {
            panic!("{:?}", first[0].geometry)
        };
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].len(), 2);
        for (ra, rb) in a[0].iter().zip(&b[0]) {
            assert_eq!(ra.positions, rb.positions);
        }
        let e = read(
            "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"geometry\":null},\n{\"type\":\"Feature\",\"geometry\":{\"coordinates\":[[[0,\"a\"]]],\"type\":\"Polygon\"}}]}",
        )
        .unwrap_err();
        let ReadError::Shape(e, feature) = e else {
            panic!("{e:?}")
        };
        assert_eq!(feature, Some(2));
        assert_eq!(e.line(), 3);
        assert!(e.to_string().contains("invalid type: string \"a\""), "{e}");
        assert_eq!(e.to_string().matches(" at line ").count(), 1, "{e}");
    }

    #[test]
    fn other_geometries_and_feature_types_are_kept_for_the_feature() {
        let f = polygons(
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":null,"geometry":{"type":"Point","coordinates":[0,0]}},
              {"type":"Feture","properties":{"a":1},"geometry":null}]}"#,
        );
        assert!(matches!(&f[0].geometry, RawGeometry::Other(k) if k == "Point"));
        assert!(matches!(f[1].geometry, RawGeometry::Missing));
        assert_eq!(f[1].index, 2);
        assert_eq!(
            f[1].fault.as_deref(),
            Some("has type \"Feture\" (expected \"Feature\")")
        );
        assert_eq!(f[1].properties["a"], 1);
    }

    #[test]
    fn a_text_position_stops_reading_at_its_feature_and_line() {
        let e = read(
            "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"geometry\":null},\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,\"a\"]]]}}]}",
        )
        .unwrap_err();
        let ReadError::Shape(e, feature) = e else {
            panic!("{e:?}")
        };
        assert_eq!(feature, Some(2));
        assert_eq!(e.line(), 3);
    }

    #[test]
    fn broken_json_is_a_syntax_error() {
        assert!(matches!(
            read("{\"type\": \"FeatureCollection\", \"features\": [,]}"),
            Err(ReadError::Syntax(_))
        ));
    }
}
