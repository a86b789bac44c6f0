//! `maps/gapmap.gpkg`: a GeoPackage holding every map layer of the run, its attributes those
//! of the GeoJSON, its polygon layers also in British National Grid, each layer's QGIS
//! styles in `layer_styles`. Read with SQLite directly, and with GDAL (`ogrinfo`,
//! `ogr2ogr`) as a GIS team would: CI installs gdal-bin; elsewhere the GDAL checks are
//! skipped, with a message, when ogrinfo is missing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A sample run compared with an earlier one, with a plan added: every kind of layer.
fn full_run() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let out_s = out.to_str().expect("utf8");
    let o = common::gapmap(&["run", "--out", out_s, "--label", "A"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let before = out.join("A");
    let o = common::gapmap(&[
        "run",
        "--out",
        out_s,
        "--label",
        "B",
        "--compare-with",
        before.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let o = common::gapmap(&[
        "plan",
        "--outputs",
        out_s,
        "--label",
        "B",
        "--lot",
        "pmld",
        "--new-services",
        "2",
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    (dir, out.join("B"))
}

/// (table, GeoJSON file it mirrors, geometry type as GDAL names it, default style file)
const LAYERS: [(&str, &str, &str, &str); 8] = [
    (
        "districts",
        "maps/districts.geojson",
        "Multi Polygon",
        "maps/districts.qml",
    ),
    (
        "districts_bng",
        "maps/districts.geojson",
        "Multi Polygon",
        "maps/districts.qml",
    ),
    (
        "small_areas",
        "maps/small_areas.geojson",
        "Multi Polygon",
        "maps/small_areas.qml",
    ),
    (
        "small_areas_bng",
        "maps/small_areas.geojson",
        "Multi Polygon",
        "maps/small_areas.qml",
    ),
    (
        "services",
        "maps/services.geojson",
        "Point",
        "maps/services.qml",
    ),
    (
        "districts_change",
        "maps/districts_change.geojson",
        "Multi Polygon",
        "maps/districts_change.qml",
    ),
    (
        "districts_change_bng",
        "maps/districts_change.geojson",
        "Multi Polygon",
        "maps/districts_change.qml",
    ),
    (
        "plan_pmld_2_sites",
        "plans/pmld-2/sites.geojson",
        "Point",
        "plans/pmld-2/sites.qml",
    ),
];

/// table_name, data_type, last_change, srs_id, min_x, max_y of gpkg_contents.
type ContentsRow = (
    String,
    String,
    String,
    Option<i64>,
    Option<f64>,
    Option<f64>,
);

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("JSON")
}

fn features(collection: &Value) -> &Vec<Value> {
    collection["features"].as_array().expect("features")
}

#[test]
fn the_geopackage_is_a_geopackage_with_every_layer_and_its_styles() {
    let (_dir, run) = full_run();
    let db = rusqlite::Connection::open(run.join("maps/gapmap.gpkg")).expect("opens");
    let pragma = |name: &str| -> i64 {
        db.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .expect("pragma")
    };
    assert_eq!(pragma("application_id"), 0x4750_4B47, "'GPKG'");
    assert_eq!(pragma("user_version"), 10300);
    assert_eq!(pragma("page_size"), 4096);
    let ok: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity");
    assert_eq!(ok, "ok");

    // gpkg_contents: every layer, stamped with the data date (2025-06-30 in the sample).
    let mut contents = db
        .prepare("SELECT table_name, data_type, last_change, srs_id, min_x, max_y FROM gpkg_contents ORDER BY rowid")
        .expect("query");
    let rows: Vec<ContentsRow> = contents
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut expected: Vec<&str> = LAYERS.iter().map(|l| l.0).collect();
    // The plan's layer comes after the run's own.
    expected.push("layer_styles");
    assert_eq!(names, expected);
    let data_date = read_json(&run.join("manifest.json"))["data_date"]
        .as_str()
        .expect("data_date")
        .to_string();
    for (name, kind, last_change, srs, min_x, max_y) in &rows {
        assert_eq!(last_change, &format!("{data_date}T00:00:00.000Z"), "{name}");
        if name == "layer_styles" {
            assert_eq!(kind, "attributes");
            continue;
        }
        assert_eq!(kind, "features");
        let bng = name.ends_with("_bng");
        assert_eq!(*srs, Some(if bng { 27700 } else { 4326 }), "{name}");
        // Within Leicestershire: about 1.6°W to 0.7°W, 52.4°N to 52.98°N; E 427 to 491 km,
        // N 277 to 343 km.
        let (x, y) = (min_x.expect("extent"), max_y.expect("extent"));
        let (xs, ys) = if bng {
            (420_000.0..500_000.0, 270_000.0..350_000.0)
        } else {
            (-1.7..-0.6, 52.3..53.1)
        };
        assert!(xs.contains(&x) && ys.contains(&y), "{name}: {x} {y}");
    }

    // layer_styles: a row per style file of each layer, the default one's XML that of the
    // .qml QGIS loads beside the GeoJSON.
    for (table, _, _, default_file) in LAYERS {
        let mut q = db
            .prepare("SELECT styleName, styleQML, useAsDefault FROM layer_styles WHERE f_table_name = ?1 ORDER BY id")
            .expect("query");
        let styles: Vec<(String, String, bool)> = q
            .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("rows");
        let defaults: Vec<&(String, String, bool)> = styles.iter().filter(|s| s.2).collect();
        assert_eq!(defaults.len(), 1, "{table}: one default style");
        let qml = std::fs::read_to_string(run.join(default_file)).expect("qml");
        assert_eq!(
            defaults[0].1, qml,
            "{table}: the default style is {default_file}"
        );
        for (name, text, _) in &styles {
            let file = match default_file.rsplit_once('/') {
                Some((folder, _)) => run.join(folder).join(format!("{name}.qml")),
                None => unreachable!(),
            };
            assert_eq!(
                &std::fs::read_to_string(&file).expect("style file"),
                text,
                "{table}: style {name}"
            );
        }
        if table.starts_with("districts") && !table.starts_with("districts_change") {
            // One style per lot of the sample (7 lots).
            assert_eq!(styles.len(), 7, "{table}");
        }
    }
}

fn gdal() -> bool {
    if Command::new("ogrinfo").arg("--version").output().is_ok() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but ogrinfo is missing: .ci/run installs gdal-bin");
    }
    eprintln!("skipping: ogrinfo (Debian package gdal-bin) is not installed");
    false
}

/// A layer of the GeoPackage as GDAL converts it to GeoJSON (with `args` added).
fn ogr2ogr(gpkg: &Path, layer: &str, args: &[&str]) -> Value {
    let o = Command::new("ogr2ogr")
        .args(["-f", "GeoJSON"])
        .args(args)
        .arg("/vsistdout/")
        .arg(gpkg)
        .arg(layer)
        .output()
        .expect("ogr2ogr runs");
    assert!(
        o.status.success(),
        "{layer}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{layer}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("GeoJSON")
}

/// Whether two property values are the same: equal, or numbers equal to 15 significant
/// figures (GDAL prints reals so).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.abs().max(1.0),
        _ => a == b,
    }
}

#[test]
fn gdal_lists_every_layer_and_reads_back_the_geojsons_attributes_and_bng_positions() {
    if !gdal() {
        return;
    }
    let (_dir, run) = full_run();
    let gpkg = run.join("maps/gapmap.gpkg");
    let o = Command::new("ogrinfo")
        .args(["-ro", "-so"])
        .arg(&gpkg)
        .output()
        .expect("ogrinfo runs");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success() && err.is_empty(), "{err}");
    for (i, (table, _, geometry, _)) in LAYERS.iter().enumerate() {
        let line = format!("{}: {table} ({geometry})", i + 1);
        assert!(out.contains(&line), "{line} in\n{out}");
    }
    assert!(out.contains("9: layer_styles (None)"), "{out}");

    for (table, file, _, _) in LAYERS {
        let from_gpkg = ogr2ogr(&gpkg, table, &[]);
        let geojson = read_json(&run.join(file));
        let (ours, theirs) = (features(&geojson), features(&from_gpkg));
        assert_eq!(ours.len(), theirs.len(), "{table}: feature count");
        assert!(!ours.is_empty(), "{table}");
        for (n, (a, b)) in ours.iter().zip(theirs).enumerate() {
            let (pa, pb) = (
                a["properties"].as_object().expect("properties"),
                b["properties"].as_object().expect("properties"),
            );
            assert_eq!(
                pa.keys().collect::<Vec<_>>(),
                pb.keys().collect::<Vec<_>>(),
                "{table} feature {n}: fields"
            );
            for (k, v) in pa {
                assert!(
                    same(v, &pb[k]),
                    "{table} feature {n} {k}: {v} in the GeoJSON, {} in the GeoPackage",
                    pb[k]
                );
            }
            if !table.ends_with("_bng") {
                assert_eq!(b["geometry"]["type"], a["geometry"]["type"], "{table} {n}");
                let flat = |g: &Value| -> Vec<f64> {
                    g.to_string()
                        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                        .filter(|t| !t.is_empty())
                        .map(|t| t.parse().expect("number"))
                        .collect()
                };
                let (ca, cb) = (flat(&a["geometry"]), flat(&b["geometry"]));
                assert_eq!(ca.len(), cb.len(), "{table} {n}: positions");
                assert!(
                    ca.iter().zip(&cb).all(|(x, y)| (x - y).abs() < 1e-9),
                    "{table} {n}: coordinates"
                );
            }
        }
    }
    check_bng_layers(&gpkg);
}

/// The British National Grid copies agree with GDAL's own reprojection of the WGS84 layers
/// to within 5 m at every vertex (both use a Helmert datum shift, with different
/// parameters, each good to a few metres).
fn check_bng_layers(gpkg: &Path) {
    for layer in ["districts", "small_areas", "districts_change"] {
        let ours = ogr2ogr(gpkg, &format!("{layer}_bng"), &[]);
        let gdals = ogr2ogr(gpkg, layer, &["-t_srs", "EPSG:27700"]);
        let positions = |fc: &Value| -> Vec<(f64, f64)> {
            let mut out = Vec::new();
            for f in features(fc) {
                for polygon in f["geometry"]["coordinates"].as_array().expect("polygons") {
                    for ring in polygon.as_array().expect("rings") {
                        for p in ring.as_array().expect("ring") {
                            out.push((p[0].as_f64().expect("x"), p[1].as_f64().expect("y")));
                        }
                    }
                }
            }
            out
        };
        let (a, b) = (positions(&ours), positions(&gdals));
        assert_eq!(a.len(), b.len(), "{layer}");
        let worst = a
            .iter()
            .zip(&b)
            .map(|(p, q)| (p.0 - q.0).hypot(p.1 - q.1))
            .fold(0.0, f64::max);
        assert!(worst < 5.0, "{layer}: {worst} m from GDAL's position");
    }
}
