//! The GeoJSON maps meet RFC 7946 and load in GDAL without warnings.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;

fn sample_maps() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = common::gapmap(&["run", "--out", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    (dir, out.join("2025-Q2/maps"))
}

/// Twice the signed area of a ring by the shoelace formula: positive when counter-clockwise.
fn signed_area2(ring: &[Value]) -> f64 {
    let pts: Vec<(f64, f64)> = ring
        .iter()
        .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
        .collect();
    pts.windows(2)
        .map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1)
        .sum()
}

fn check_position(p: &Value) {
    let (lon, lat) = (p[0].as_f64().expect("lon"), p[1].as_f64().expect("lat"));
    assert!((-2.0..=0.0).contains(&lon), "longitude first: {p}");
    assert!((52.0..=53.5).contains(&lat), "latitude second: {p}");
    assert_eq!(p.as_array().map(Vec::len), Some(2));
}

fn check_file(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("read");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(json["type"], "FeatureCollection");
    assert!(json.get("crs").is_none(), "RFC 7946 has no crs member");
    // No number in the file has more than 7 decimals.
    for token in text.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-')) {
        if let Some((_, decimals)) = token.split_once('.') {
            assert!(decimals.len() <= 7, "{token} in {}", path.display());
        }
    }
    json["features"].as_array().expect("features").clone()
}

#[test]
fn districts_follow_rfc_7946() {
    let (_dir, maps) = sample_maps();
    let features = check_file(&maps.join("districts.geojson"));
    assert_eq!(features.len(), 7);
    for f in &features {
        assert!(f["properties"]["LAD11CD"].is_string(), "ONS code is text");
        assert!(
            f["properties"]["pmld_supply"].is_number(),
            "figures are numbers"
        );
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        for polygon in f["geometry"]["coordinates"].as_array().expect("polygons") {
            let rings = polygon.as_array().expect("rings");
            for (i, ring) in rings.iter().enumerate() {
                let ring = ring.as_array().expect("ring");
                assert!(ring.len() >= 4);
                assert_eq!(ring.first(), ring.last(), "closed ring");
                ring.iter().for_each(check_position);
                let area = signed_area2(ring);
                if i == 0 {
                    assert!(area > 0.0, "outer ring counter-clockwise");
                } else {
                    assert!(area < 0.0, "hole clockwise");
                }
            }
        }
    }
}

#[test]
fn services_are_points_with_text_ids() {
    let (_dir, maps) = sample_maps();
    let features = check_file(&maps.join("services.geojson"));
    assert_eq!(features.len(), 67);
    for f in &features {
        assert_eq!(f["geometry"]["type"], "Point");
        check_position(&f["geometry"]["coordinates"]);
        assert!(f["properties"]["service_id"].is_string());
        assert!(f["properties"]["capacity"].is_number());
    }
}

/// GDAL's ogrinfo reads both files with nothing on stderr. CI installs gdal-bin; elsewhere
/// the test is skipped, with a message, when ogrinfo is missing.
#[test]
fn gdal_reads_the_maps_without_warnings() {
    let found = std::process::Command::new("ogrinfo")
        .arg("--version")
        .output();
    if found.is_err() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but ogrinfo is missing: .ci/run installs gdal-bin");
        }
        eprintln!("skipping: ogrinfo (Debian package gdal-bin) is not installed");
        return;
    }
    let (_dir, maps) = sample_maps();
    for (file, geometry, count) in [
        ("districts.geojson", "Multi Polygon", 7),
        ("services.geojson", "Point", 67),
    ] {
        let o = std::process::Command::new("ogrinfo")
            .args(["-ro", "-al", "-so"])
            .arg(maps.join(file))
            .output()
            .expect("ogrinfo runs");
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(o.status.success(), "{file}: {err}");
        assert!(err.trim().is_empty(), "{file}: ogrinfo said: {err}");
        assert!(!out.contains("Warning"), "{file}: {out}");
        assert!(
            out.contains(&format!("Geometry: {geometry}")),
            "{file}: {out}"
        );
        assert!(
            out.contains(&format!("Feature Count: {count}")),
            "{file}: {out}"
        );
        assert!(out.contains("WGS 84"), "{file}: {out}");
    }
}
