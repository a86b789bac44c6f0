//! Every polygon gapmap writes is valid as written (OGC simple features, RFC 7946 rings of
//! at least 4 positions), checked by reading the files back with geo's validation and, when
//! installed, GDAL; and gapmap compares runs on real boundaries, including run folders
//! whose maps an earlier version wrote with degenerate rings.

mod common;

use std::path::{Path, PathBuf};

use geo::algorithm::validation::Validation;
use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

use common::{gapmap, read_csv, stderr, stdout};

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

fn ok(o: std::process::Output) -> std::process::Output {
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    o
}

/// A ring exactly as written: every position, the closing one included.
fn ring(value: &Value) -> LineString<f64> {
    LineString(
        value
            .as_array()
            .expect("ring")
            .iter()
            .map(|p| Coord {
                x: p[0].as_f64().expect("x"),
                y: p[1].as_f64().expect("y"),
            })
            .collect(),
    )
}

/// Checks every polygon of a written map: at least 4 positions a ring, closed, and valid by
/// geo. Returns how many features were checked.
fn check_map(path: &Path) -> usize {
    let json: Value =
        serde_json::from_slice(&std::fs::read(path).expect("read map")).expect("json");
    let features = json["features"].as_array().expect("features");
    for (i, f) in features.iter().enumerate() {
        let g = &f["geometry"];
        assert_eq!(g["type"], "MultiPolygon", "{} feature {i}", path.display());
        let mut polygons = Vec::new();
        for polygon in g["coordinates"].as_array().expect("polygons") {
            let rings: Vec<LineString<f64>> = polygon
                .as_array()
                .expect("rings")
                .iter()
                .map(ring)
                .collect();
            for r in &rings {
                assert!(
                    r.0.len() >= 4,
                    "{} feature {i}: a ring of {} positions",
                    path.display(),
                    r.0.len()
                );
                assert_eq!(r.0.first(), r.0.last(), "closed");
            }
            let mut rings = rings.into_iter();
            let shell = rings.next().expect("a shell");
            polygons.push(Polygon::new(shell, rings.collect()));
        }
        assert!(
            !polygons.is_empty(),
            "{} feature {i} is empty",
            path.display()
        );
        let mp = MultiPolygon(polygons);
        assert!(
            mp.is_valid(),
            "{} feature {i} ({}): {:?}",
            path.display(),
            f["properties"],
            mp.validation_errors()
        );
    }
    features.len()
}

/// GDAL (with GEOS) agrees that every feature is valid: `None` when ogrinfo is missing
/// outside CI.
fn gdal_invalid_count(path: &Path, layer: &str) -> Option<u64> {
    if std::process::Command::new("ogrinfo")
        .arg("--version")
        .output()
        .is_err()
    {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but ogrinfo is missing: .ci/run installs gdal-bin");
        }
        eprintln!("skipping the GDAL check: ogrinfo (Debian package gdal-bin) is not installed");
        return None;
    }
    let o = std::process::Command::new("ogrinfo")
        .args(["-ro", "-q", "-dialect", "sqlite", "-sql"])
        .arg(format!(
            "SELECT count(*) AS invalid FROM \"{layer}\" WHERE NOT ST_IsValid(geometry)"
        ))
        .arg(path)
        .output()
        .expect("ogrinfo runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let count = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("invalid (Integer) = "))
        .unwrap_or_else(|| panic!("no count in {out}"));
    Some(count.parse().expect("a count"))
}

fn check_with_gdal(maps: &Path, layers: &[&str]) {
    for layer in layers {
        let path = maps.join(format!("{layer}.geojson"));
        if let Some(invalid) = gdal_invalid_count(&path, layer) {
            assert_eq!(
                invalid,
                0,
                "GDAL finds invalid features in {}",
                path.display()
            );
        }
    }
}

#[test]
fn the_samples_polygons_are_valid_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    ok(gapmap(&["run", "--out", s(&out)]));
    let maps = out.join("2025-Q2/maps");
    assert_eq!(check_map(&maps.join("districts.geojson")), 7);
    // The sample's 396 ONS LSOAs, as the run writes them back.
    assert_eq!(check_map(&maps.join("small_areas.geojson")), 396);
    check_with_gdal(&maps, &["districts", "small_areas"]);
}

struct LsoaQuarters {
    _dir: tempfile::TempDir,
    outputs: PathBuf,
    q3_config: PathBuf,
}

/// The sample on the real LSOAs as 2025-Q2, and 2025-Q3 with one edit: a new PMLD service
/// of 6 places in Melton Mowbray (Melton's PMLD supply is 3 places in Q2, data/README.md).
fn lsoa_quarters(lsoa_dir: &Path) -> LsoaQuarters {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("outputs");
    let q2 = common::sample_on_lsoas(&dir.path().join("q2"), lsoa_dir);
    let q3 = common::sample_on_lsoas(&dir.path().join("q3"), lsoa_dir);
    let services = q3.with_file_name("services.csv");
    let mut text = std::fs::read_to_string(&services).expect("read");
    text.push_str("SV068,PR05,Provider Five,Melton PMLD Centre,building_based,pmld,52.7661,-0.8866,6,0,C;D;E,active\n");
    std::fs::write(&services, text).expect("write");
    common::use_services_csv(&q3);
    for (config, label) in [(&q2, "2025-Q2"), (&q3, "2025-Q3")] {
        ok(gapmap(&[
            "run",
            "--config",
            s(config),
            "--out",
            s(&outputs),
            "--label",
            label,
        ]));
    }
    LsoaQuarters {
        _dir: dir,
        outputs,
        q3_config: q3,
    }
}

/// The Melton PMLD row of a change table, and every other row with a supply change.
fn melton_pmld_supply_change(table: &Path) -> (f64, Vec<String>) {
    let rows = read_csv(table);
    let mut melton = None;
    let mut others = Vec::new();
    for r in &rows {
        let change: f64 = r["supply_change"].parse().unwrap_or(0.0);
        if r["area_code"] == "E07000133" && r["lot"] == "pmld" {
            melton = Some(change);
        } else if change != 0.0 && r["area_code"].starts_with("E07") {
            others.push(format!("{} {} {change}", r["area_code"], r["lot"]));
        }
    }
    (melton.expect("a Melton PMLD row"), others)
}

#[test]
fn real_lsoa_boundaries_give_valid_maps_and_quarters_that_compare() {
    let Some(lsoa_dir) = common::lsoa_dir() else {
        return;
    };
    let q = lsoa_quarters(&lsoa_dir);
    let maps = q.outputs.join("2025-Q2/maps");
    assert_eq!(check_map(&maps.join("districts.geojson")), 7);
    assert_eq!(check_map(&maps.join("small_areas.geojson")), 396);
    check_with_gdal(&maps, &["districts", "small_areas"]);

    // --compare-with on real boundaries: the change files, with the one known change.
    ok(gapmap(&[
        "run",
        "--config",
        s(&q.q3_config),
        "--out",
        s(&q.outputs),
        "--label",
        "2025-Q3b",
        "--compare-with",
        "2025-Q2",
    ]));
    let run = q.outputs.join("2025-Q3b");
    let (melton, others) = melton_pmld_supply_change(&run.join("tables/changes_by_district.csv"));
    assert_eq!(melton, 6.0, "the new 6-place PMLD service in Melton");
    assert!(
        others.is_empty(),
        "no other district's supply changed: {others:?}"
    );
    assert_eq!(check_map(&run.join("maps/districts_change.geojson")), 7);

    // gapmap compare on a run folder whose district map an earlier version wrote: a
    // sliver hole of 3 positions (2 distinct points) in every district, as it used to be.
    let old_map = q.outputs.join("2025-Q3/maps/districts.geojson");
    let mut json: Value =
        serde_json::from_slice(&std::fs::read(&old_map).expect("read")).expect("json");
    for f in json["features"].as_array_mut().expect("features") {
        let shell = &f["geometry"]["coordinates"][0][0];
        let (a, b) = (shell[0].clone(), shell[1].clone());
        f["geometry"]["coordinates"][0]
            .as_array_mut()
            .expect("rings")
            .push(serde_json::json!([a, b, a]));
    }
    std::fs::write(&old_map, serde_json::to_vec(&json).expect("json")).expect("write");
    ok(gapmap(&[
        "compare",
        "2025-Q2",
        "2025-Q3",
        "--outputs",
        s(&q.outputs),
    ]));
    let folder = q.outputs.join("compare-2025-Q2-2025-Q3");
    let (melton, others) =
        melton_pmld_supply_change(&folder.join("tables/changes_by_district.csv"));
    assert_eq!(melton, 6.0);
    assert!(others.is_empty(), "{others:?}");
    assert_eq!(check_map(&folder.join("maps/districts_change.geojson")), 7);
    let services = read_csv(&folder.join("tables/changes_services.csv"));
    let ids: Vec<&str> = services.iter().map(|r| r["service_id"].as_str()).collect();
    assert_eq!(ids, ["SV068"]);

    // gapmap history lists all three runs, the one with the old-style map included.
    let o = ok(gapmap(&["history", "--outputs", s(&q.outputs)]));
    let listed = stdout(&o);
    for label in ["2025-Q2", "2025-Q3", "2025-Q3b"] {
        assert!(listed.contains(label), "{label} missing from: {listed}");
    }
}

/// Dissolving another council's LSOAs: Rutland (23 LSOAs, one unitary authority) and
/// Leicester city (192). A plain floating-point union leaves sliver holes along shared
/// edges; the union on the output grid leaves none, and is valid.
#[test]
fn other_councils_lsoas_dissolve_into_valid_polygons() {
    use gapmap::geometry::{union_on_grid, DEFAULT_MIN_AREA_M2};
    use gapmap::io::geojson::{read_polygon_features, Crs};
    use gapmap::io::InputFile;
    use geo::Area;

    let Some(dir) = common::lsoa_dir() else {
        return;
    };
    for (path, count) in [
        (dir.join("../rutland/rutland-lsoa11.geojson"), 23),
        (dir.join("E06000016.geojson"), 192),
    ] {
        let input = InputFile::read("lsoas", &path).expect("read");
        let checked = read_polygon_features(&input, Crs::Wgs84).expect("readable");
        assert!(checked.rejected.is_empty(), "{:?}", checked.rejected.listed);
        assert_eq!(checked.records.len(), count, "{}", path.display());
        let polygons: Vec<&Polygon<f64>> = checked
            .records
            .iter()
            .flat_map(|f| f.geometry.0.iter())
            .collect();
        let plain = geo::unary_union(polygons.iter().copied());
        let slivers = plain
            .0
            .iter()
            .flat_map(|p| p.interiors())
            .filter(|r| Polygon::new((*r).clone(), vec![]).unsigned_area() < 1e-9)
            .count();
        let dissolved = union_on_grid(polygons.iter().copied(), DEFAULT_MIN_AREA_M2);
        assert!(
            dissolved.is_valid(),
            "{}: {:?}",
            path.display(),
            dissolved.validation_errors()
        );
        let holes: usize = dissolved.0.iter().map(|p| p.interiors().len()).sum();
        eprintln!(
            "{}: {slivers} sliver holes in a plain union; {} parts and {holes} holes dissolved",
            path.display(),
            dissolved.0.len()
        );
        assert_eq!(holes, 0, "{}", path.display());
        // The dissolved area is the LSOAs' total to within the slivers (1e-9 of it).
        let total: f64 = polygons.iter().map(|p| p.unsigned_area()).sum();
        assert!(
            (dissolved.unsigned_area() - total).abs() < 1e-6 * total,
            "{}: {} vs {total}",
            path.display(),
            dissolved.unsigned_area()
        );
    }
}
