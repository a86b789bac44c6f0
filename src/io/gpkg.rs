//! GeoPackage (OGC 12-128r18, version 1.3): writing feature layers and their QGIS styles
//! into one SQLite file, the same bytes for the same layers.
//!
//! This module knows the format, not the domain: it takes [`Layer`]s (named columns, rows
//! of values and geometries in one coordinate reference system) and [`Style`]s (QGIS style
//! documents for a layer), and returns the file's bytes. [`crate::publish::geopackage`]
//! decides which layers a run holds.
//!
//! The file is built in an in-memory SQLite database with a fixed page size, in one
//! transaction, and serialised: no wall-clock time is read (every `last_change` and
//! `update_time` is given by the caller), no `VACUUM` is run, and rows go in the order
//! given, so the bytes depend only on the layers. Geometries are StandardGeoPackageBinary:
//! the `GP` header with the SRS id and, for polygons, the envelope `[minx, maxx, miny,
//! maxy]`, then little-endian ISO WKB. Points carry no envelope (it would repeat the point),
//! as GDAL writes them. There is no spatial index (the R-tree extension is optional);
//! GIS tools build one on demand.
//!
//! Styles go in `layer_styles`, the table QGIS reads when it opens a layer: the row marked
//! `useAsDefault` is applied on load, the others are listed in the layer's style manager.

use geo::{Coord, LineString, MultiPolygon, Point, Polygon};
use rayon::prelude::*;
use rusqlite::types::Value as SqlValue;
use rusqlite::{params, Connection, MAIN_DB};

/// `PRAGMA application_id` of a GeoPackage: the ASCII bytes "GPKG".
pub const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of a GeoPackage 1.3.0 file.
pub const USER_VERSION: i32 = 10300;
/// SQLite page size, fixed so that the bytes do not depend on SQLite's default.
const PAGE_SIZE: u32 = 4096;
/// Features whose geometries are encoded at once.
const CHUNK: usize = 1024;

/// The coordinate reference systems a layer can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Srs {
    /// WGS84 longitude/latitude in degrees (EPSG:4326), stored x = longitude, y = latitude.
    Wgs84,
    /// British National Grid eastings/northings in metres (EPSG:27700).
    BritishNationalGrid,
}

impl Srs {
    pub fn id(self) -> i32 {
        match self {
            Srs::Wgs84 => 4326,
            Srs::BritishNationalGrid => 27700,
        }
    }
}

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;
const BNG_WKT: &str = r#"PROJCS["OSGB36 / British National Grid",GEOGCS["OSGB36",DATUM["Ordnance_Survey_of_Great_Britain_1936",SPHEROID["Airy 1830",6377563.396,299.3249646,AUTHORITY["EPSG","7001"]],AUTHORITY["EPSG","6277"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4277"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",49],PARAMETER["central_meridian",-2],PARAMETER["scale_factor",0.9996012717],PARAMETER["false_easting",400000],PARAMETER["false_northing",-100000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","27700"]]"#;

/// The geometry type of a layer's features.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    Point,
    MultiPolygon,
}

impl GeometryKind {
    fn name(self) -> &'static str {
        match self {
            GeometryKind::Point => "POINT",
            GeometryKind::MultiPolygon => "MULTIPOLYGON",
        }
    }
}

/// A feature's geometry.
#[derive(Debug, Clone, PartialEq)]
pub enum Geometry {
    Point(Point<f64>),
    MultiPolygon(MultiPolygon<f64>),
}

/// The SQLite type of an attribute column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Integer,
    Real,
    Boolean,
}

impl FieldType {
    fn sql(self) -> &'static str {
        match self {
            FieldType::Text => "TEXT",
            FieldType::Integer => "INTEGER",
            FieldType::Real => "REAL",
            FieldType::Boolean => "BOOLEAN",
        }
    }
}

/// An attribute value; `Null` for a missing or suppressed figure.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    Null,
    Text(String),
    Integer(i64),
    Real(f64),
    Boolean(bool),
}

/// One feature: its geometry and a value per column of the layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub geometry: Geometry,
    pub values: Vec<FieldValue>,
}

/// A feature table.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// The table name: letters, digits and underscores.
    pub name: String,
    /// A human-readable title (`gpkg_contents.identifier`).
    pub title: String,
    pub description: String,
    pub kind: GeometryKind,
    pub srs: Srs,
    pub columns: Vec<(String, FieldType)>,
    pub features: Vec<Feature>,
}

/// A QGIS style document for a layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub layer: String,
    pub name: String,
    pub description: String,
    /// The `.qml` text.
    pub qml: String,
    /// Whether QGIS applies it when it opens the layer.
    pub default: bool,
}

/// Writes `layers` and `styles` as a GeoPackage and returns its bytes. `last_change` is an
/// ISO 8601 UTC timestamp (`YYYY-MM-DDTHH:MM:SS.SSSZ`) recorded for every table.
pub fn write(layers: &[Layer], styles: &[Style], last_change: &str) -> rusqlite::Result<Vec<u8>> {
    let mut writer = Writer::new(last_change)?;
    for layer in layers {
        writer.layer(layer)?;
    }
    writer.finish(styles)?.with_bytes(<[u8]>::to_vec)
}

/// A GeoPackage being written a layer at a time, so that a caller need hold only the layer
/// it is adding: [`write`] for layers already held.
pub struct Writer {
    db: Connection,
    last_change: String,
}

impl Writer {
    /// An empty GeoPackage; `last_change` as for [`write`].
    pub fn new(last_change: &str) -> rusqlite::Result<Writer> {
        let db = Connection::open_in_memory()?;
        db.execute_batch(&format!(
            "PRAGMA page_size = {PAGE_SIZE};
             PRAGMA application_id = {APPLICATION_ID};
             PRAGMA user_version = {USER_VERSION};
             BEGIN;"
        ))?;
        create_core_tables(&db)?;
        Ok(Writer {
            db,
            last_change: last_change.to_string(),
        })
    }

    /// Adds a layer after those already added.
    pub fn layer(&mut self, layer: &Layer) -> rusqlite::Result<()> {
        write_layer(&self.db, layer, &self.last_change)
    }

    /// Adds the styles and closes the file.
    pub fn finish(self, styles: &[Style]) -> rusqlite::Result<Finished> {
        if !styles.is_empty() {
            write_styles(&self.db, styles, &self.last_change)?;
        }
        self.db.execute_batch("COMMIT;")?;
        let size = |pragma: &str| {
            self.db
                .query_row(pragma, [], |row| row.get::<_, i64>(0))
                .map(|n| usize::try_from(n).unwrap_or(0))
        };
        let size = size("PRAGMA page_count")? * size("PRAGMA page_size")?;
        Ok(Finished { db: self.db, size })
    }
}

/// A finished GeoPackage, held as SQLite's own image of the database, so that its bytes
/// can be written (by another thread) without a copy of the file being made.
pub struct Finished {
    db: Connection,
    size: usize,
}

impl Finished {
    /// The file's size in bytes.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Gives the file's bytes to `use_bytes`, returning its answer.
    pub fn with_bytes<T>(&mut self, use_bytes: impl FnOnce(&[u8]) -> T) -> rusqlite::Result<T> {
        let data = self.db.serialize(MAIN_DB)?;
        Ok(use_bytes(&data))
    }
}

fn create_core_tables(db: &Connection) -> rusqlite::Result<()> {
    db.execute_batch(
        "CREATE TABLE gpkg_spatial_ref_sys (
           srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
           organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL,
           description TEXT);
         CREATE TABLE gpkg_contents (
           table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
           identifier TEXT UNIQUE, description TEXT DEFAULT '',
           last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
           min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
           CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
         CREATE TABLE gpkg_geometry_columns (
           table_name TEXT NOT NULL, column_name TEXT NOT NULL,
           geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
           z TINYINT NOT NULL, m TINYINT NOT NULL,
           CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
           CONSTRAINT uk_gc_table_name UNIQUE (table_name),
           CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
           CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));",
    )?;
    let mut srs = db.prepare(
        "INSERT INTO gpkg_spatial_ref_sys
         (srs_name, srs_id, organization, organization_coordsys_id, definition, description)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    srs.execute(params![
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system"
    ])?;
    srs.execute(params![
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system"
    ])?;
    srs.execute(params![
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        WGS84_WKT,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
    ])?;
    srs.execute(params![
        "OSGB36 / British National Grid",
        27700,
        "EPSG",
        27700,
        BNG_WKT,
        "British National Grid eastings and northings in metres"
    ])?;
    Ok(())
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

fn write_layer(db: &Connection, layer: &Layer, last_change: &str) -> rusqlite::Result<()> {
    let mut create = format!(
        "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {}",
        quote(&layer.name),
        layer.kind.name()
    );
    for (name, kind) in &layer.columns {
        create.push_str(&format!(", {} {}", quote(name), kind.sql()));
    }
    create.push(')');
    db.execute(&create, [])?;
    let placeholders: Vec<String> = (1..=layer.columns.len() + 1)
        .map(|i| format!("?{i}"))
        .collect();
    let names: Vec<String> = std::iter::once("geom".to_string())
        .chain(layer.columns.iter().map(|(n, _)| quote(n)))
        .collect();
    let mut insert = db.prepare(&format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote(&layer.name),
        names.join(", "),
        placeholders.join(", ")
    ))?;
    let mut extent = Envelope::EMPTY;
    // Geometries are encoded in parallel a chunk at a time, and inserted in order.
    for chunk in layer.features.chunks(CHUNK) {
        let blobs: Vec<(Vec<u8>, Envelope)> = chunk
            .par_iter()
            .map(|f| geometry_blob(&f.geometry, layer.srs.id()))
            .collect();
        for (feature, (blob, envelope)) in chunk.iter().zip(blobs) {
            extent = extent.union(envelope);
            let mut values: Vec<SqlValue> = Vec::with_capacity(feature.values.len() + 1);
            values.push(SqlValue::Blob(blob));
            values.extend(feature.values.iter().map(sql_value));
            insert.execute(rusqlite::params_from_iter(values))?;
        }
    }
    let bounds = (!extent.is_empty()).then_some(extent);
    db.execute(
        "INSERT INTO gpkg_contents
         (table_name, data_type, identifier, description, last_change, min_x, min_y, max_x, max_y, srs_id)
         VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            layer.name,
            layer.title,
            layer.description,
            last_change,
            bounds.map(|e| e.min_x),
            bounds.map(|e| e.min_y),
            bounds.map(|e| e.max_x),
            bounds.map(|e| e.max_y),
            layer.srs.id()
        ],
    )?;
    db.execute(
        "INSERT INTO gpkg_geometry_columns
         (table_name, column_name, geometry_type_name, srs_id, z, m)
         VALUES (?1, 'geom', ?2, ?3, 0, 0)",
        params![layer.name, layer.kind.name(), layer.srs.id()],
    )?;
    Ok(())
}

fn sql_value(value: &FieldValue) -> SqlValue {
    match value {
        FieldValue::Null => SqlValue::Null,
        FieldValue::Text(t) => SqlValue::Text(t.clone()),
        FieldValue::Integer(i) => SqlValue::Integer(*i),
        FieldValue::Real(r) if r.is_finite() => SqlValue::Real(*r),
        FieldValue::Real(_) => SqlValue::Null,
        FieldValue::Boolean(b) => SqlValue::Integer(i64::from(*b)),
    }
}

/// The `layer_styles` table as QGIS creates it, registered as an attribute table.
fn write_styles(db: &Connection, styles: &[Style], last_change: &str) -> rusqlite::Result<()> {
    db.execute_batch(
        "CREATE TABLE layer_styles (
           id INTEGER PRIMARY KEY AUTOINCREMENT, f_table_catalog TEXT(256),
           f_table_schema TEXT(256), f_table_name TEXT(256), f_geometry_column TEXT(256),
           styleName TEXT(30), styleQML TEXT, styleSLD TEXT, useAsDefault BOOLEAN,
           description TEXT, owner TEXT(30), ui TEXT(30), update_time DATETIME);",
    )?;
    let mut insert = db.prepare(
        "INSERT INTO layer_styles
         (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,
          styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)
         VALUES ('', '', ?1, 'geom', ?2, ?3, '', ?4, ?5, '', NULL, ?6)",
    )?;
    for s in styles {
        insert.execute(params![
            s.layer,
            s.name,
            s.qml,
            s.default,
            s.description,
            last_change
        ])?;
    }
    db.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change)
         VALUES ('layer_styles', 'attributes', 'layer_styles', 'QGIS styles of the layers', ?1)",
        params![last_change],
    )?;
    Ok(())
}

/// A bounding box; empty when `min_x > max_x`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Envelope {
    min_x: f64,
    max_x: f64,
    min_y: f64,
    max_y: f64,
}

impl Envelope {
    const EMPTY: Envelope = Envelope {
        min_x: f64::INFINITY,
        max_x: f64::NEG_INFINITY,
        min_y: f64::INFINITY,
        max_y: f64::NEG_INFINITY,
    };

    fn is_empty(&self) -> bool {
        self.min_x > self.max_x
    }

    fn add(self, c: Coord<f64>) -> Envelope {
        Envelope {
            min_x: self.min_x.min(c.x),
            max_x: self.max_x.max(c.x),
            min_y: self.min_y.min(c.y),
            max_y: self.max_y.max(c.y),
        }
    }

    fn union(self, other: Envelope) -> Envelope {
        if other.is_empty() {
            return self;
        }
        Envelope {
            min_x: self.min_x.min(other.min_x),
            max_x: self.max_x.max(other.max_x),
            min_y: self.min_y.min(other.min_y),
            max_y: self.max_y.max(other.max_y),
        }
    }
}

/// WKB geometry type codes (ISO, 2D).
const WKB_POINT: u32 = 1;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;

/// The StandardGeoPackageBinary encoding of `geometry`, and its envelope.
fn geometry_blob(geometry: &Geometry, srs_id: i32) -> (Vec<u8>, Envelope) {
    let (envelope, wkb) = match geometry {
        Geometry::Point(p) => (Envelope::EMPTY.add(p.0), point_wkb(p)),
        Geometry::MultiPolygon(mp) => {
            let envelope =
                mp.0.iter()
                    .flat_map(|p| p.exterior().0.iter())
                    .fold(Envelope::EMPTY, |e, c| e.add(*c));
            (envelope, multipolygon_wkb(mp))
        }
    };
    let empty = envelope.is_empty();
    let with_envelope = matches!(geometry, Geometry::MultiPolygon(_)) && !empty;
    // Flags: bit 0 little-endian; bits 1-3 envelope [minx, maxx, miny, maxy] (1) or none
    // (0); bit 4 empty geometry.
    let flags: u8 = 1 | if with_envelope { 1 << 1 } else { 0 } | if empty { 1 << 4 } else { 0 };
    let mut out = Vec::with_capacity(8 + 32 + wkb.len());
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(flags);
    out.extend_from_slice(&srs_id.to_le_bytes());
    if with_envelope {
        for v in [
            envelope.min_x,
            envelope.max_x,
            envelope.min_y,
            envelope.max_y,
        ] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out.extend_from_slice(&wkb);
    (out, envelope)
}

fn wkb_header(out: &mut Vec<u8>, kind: u32) {
    out.push(1);
    out.extend_from_slice(&kind.to_le_bytes());
}

fn len_u32(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes()
}

fn point_wkb(p: &Point<f64>) -> Vec<u8> {
    let mut out = Vec::with_capacity(21);
    wkb_header(&mut out, WKB_POINT);
    out.extend_from_slice(&p.x().to_le_bytes());
    out.extend_from_slice(&p.y().to_le_bytes());
    out
}

fn ring_wkb(out: &mut Vec<u8>, ring: &LineString<f64>) {
    out.extend_from_slice(&len_u32(ring.0.len()));
    for c in &ring.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

fn polygon_wkb(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    wkb_header(out, WKB_POLYGON);
    out.extend_from_slice(&len_u32(1 + polygon.interiors().len()));
    ring_wkb(out, polygon.exterior());
    for hole in polygon.interiors() {
        ring_wkb(out, hole);
    }
}

fn multipolygon_wkb(mp: &MultiPolygon<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    wkb_header(&mut out, WKB_MULTIPOLYGON);
    out.extend_from_slice(&len_u32(mp.0.len()));
    for polygon in &mp.0 {
        polygon_wkb(&mut out, polygon);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    #[test]
    fn a_point_is_a_header_without_envelope_then_wkb() {
        let (blob, _) = geometry_blob(&Geometry::Point(Point::new(-1.5, 52.25)), 4326);
        let mut expected = vec![b'G', b'P', 0, 0b0000_0001];
        expected.extend_from_slice(&4326i32.to_le_bytes());
        expected.push(1);
        expected.extend_from_slice(&1u32.to_le_bytes());
        expected.extend_from_slice(&(-1.5f64).to_le_bytes());
        expected.extend_from_slice(&52.25f64.to_le_bytes());
        assert_eq!(blob, expected);
    }

    #[test]
    fn a_polygon_carries_its_envelope() {
        let square =
            polygon![(x: 1.0, y: 2.0), (x: 3.0, y: 2.0), (x: 3.0, y: 5.0), (x: 1.0, y: 5.0)];
        let (blob, envelope) =
            geometry_blob(&Geometry::MultiPolygon(MultiPolygon(vec![square])), 27700);
        assert_eq!(blob[3], 0b0000_0011, "little-endian, xy envelope");
        let f = |i: usize| f64::from_le_bytes(blob[8 + 8 * i..16 + 8 * i].try_into().expect("8"));
        assert_eq!([f(0), f(1), f(2), f(3)], [1.0, 3.0, 2.0, 5.0]);
        assert_eq!((envelope.min_x, envelope.max_y), (1.0, 5.0));
        // WKB: byte order, type 6, one polygon, then type 3, one ring of 5 positions.
        let wkb = &blob[40..];
        assert_eq!(wkb[0], 1);
        assert_eq!(u32::from_le_bytes(wkb[1..5].try_into().expect("4")), 6);
        assert_eq!(u32::from_le_bytes(wkb[5..9].try_into().expect("4")), 1);
        assert_eq!(u32::from_le_bytes(wkb[10..14].try_into().expect("4")), 3);
        assert_eq!(u32::from_le_bytes(wkb[18..22].try_into().expect("4")), 5);
        assert_eq!(wkb.len(), 1 + 4 + 4 + (1 + 4 + 4 + 4 + 5 * 16));
    }

    #[test]
    fn an_empty_multipolygon_is_flagged_empty() {
        let (blob, envelope) = geometry_blob(&Geometry::MultiPolygon(MultiPolygon(vec![])), 4326);
        assert!(envelope.is_empty());
        assert_eq!(blob[3], 0b0001_0001);
        assert_eq!(blob.len(), 8 + 9);
    }

    fn layer() -> Layer {
        Layer {
            name: "districts".into(),
            title: "Districts".into(),
            description: "test".into(),
            kind: GeometryKind::Point,
            srs: Srs::Wgs84,
            columns: vec![
                ("code".into(), FieldType::Text),
                ("gap".into(), FieldType::Real),
            ],
            features: vec![Feature {
                geometry: Geometry::Point(Point::new(-1.0, 52.0)),
                values: vec![FieldValue::Text("E1".into()), FieldValue::Null],
            }],
        }
    }

    #[test]
    fn the_file_is_a_geopackage_and_the_same_each_time() {
        let style = Style {
            layer: "districts".into(),
            name: "gap".into(),
            description: String::new(),
            qml: "<qgis/>".into(),
            default: true,
        };
        let bytes = write(
            &[layer()],
            std::slice::from_ref(&style),
            "2025-06-30T00:00:00.000Z",
        )
        .expect("writes");
        assert_eq!(&bytes[..16], b"SQLite format 3\0");
        assert_eq!(u16::from_be_bytes([bytes[16], bytes[17]]), 4096);
        assert_eq!(&bytes[68..72], b"GPKG", "application_id");
        assert_eq!(
            i32::from_be_bytes(bytes[60..64].try_into().expect("4")),
            10300
        );
        let again = write(&[layer()], &[style], "2025-06-30T00:00:00.000Z").expect("writes");
        assert_eq!(bytes, again);
    }
}
