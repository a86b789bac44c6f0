//! File formats: reading input files into memory, CSV records with line numbers, GeoJSON
//! features, and writing tables (CSV, Parquet and Excel workbooks), GeoJSON and GeoPackages.
//!
//! This module knows formats, not the domain: [`crate::load`] turns records into services,
//! areas and demand, and [`crate::publish`] decides what is written.

pub mod csv;
pub mod feature_collection;
pub mod geojson;
pub mod gpkg;
pub mod input;
pub mod records;
pub mod sheet;
pub mod table;
pub mod xlsx;

pub use input::InputFile;

/// A digest (such as a SHA-256) as lower-case hex, as manifests record checksums.
pub fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    digest
        .iter()
        .fold(String::with_capacity(2 * digest.len()), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
