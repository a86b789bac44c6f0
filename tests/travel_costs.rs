//! Travel costs in the run, on the hand-worked case in `tests/travel_costs/`.
//!
//! One lot, three active services (capacities S1 10, S2 6, S3 4; S4 is closed), four
//! people (A, B, C and D here; pseudonymised as PSN-7Q2A, PSN-4K9B, PSN-1M3C and PSN-8Z5D
//! in the files), drive times in minutes from `od.csv`, a 30-minute catchment and zones
//! 0-10, 10-20, 20-30 minutes weighted 1.00, 0.68, 0.22 (bounds inclusive):
//!
//! | origin | S1 | S2 | S3 |
//! |---|---|---|---|
//! | A (West) | 25 | 12 | 40 |
//! | B (West) | 18 | 8 | 50 |
//! | E2: C (East) is not in the matrix, so uses the row of her area's code | 30 | 45 | 9 |
//! | D (East) | 60 | 70 | 35 |
//!
//! By straight line A (at -1.06) is nearest S1 (at -1.05, 0.68 km; S2 is 6 km away); by
//! the matrix A is nearest S2 (12 minutes against 25).
//!
//! Nearest: A S2 12, B S2 8, C S3 9, D S3 35 (beyond the catchment: nothing within 30).
//! Weights: A: S1 0.22, S2 0.68; B: S1 0.68, S2 1; C: S1 0.22 (30 is inclusive), S3 1.
//! R1 = 10 / (0.22 + 0.68 + 0.22) = 10 / 1.12 = 125/14; R2 = 6 / (0.68 + 1) = 25/7;
//! R3 = 4 / 1 = 4.
//! A_A = 125/14 x 0.22 + 25/7 x 0.68 = 123/28; A_B = 125/14 x 0.68 + 25/7 = 135/14;
//! A_C = 125/14 x 0.22 + 4 = 83.5/14; A_D = 0.
//! West (A, B): mean 10 minutes, 90th percentile (nearest rank 2 of 2) 12, mean E2SFCA
//! (123/28 + 135/14) / 2 = 393/56. East (C, D): mean 22, 90th percentile 35, one of two
//! beyond the catchment, mean E2SFCA 83.5/28.

mod common;

use std::path::{Path, PathBuf};

use common::{gapmap, read_csv, stderr};
use gapmap::config::Config;

fn fixture() -> PathBuf {
    common::repo().join("tests/travel_costs")
}

/// A copy of the fixture in a temporary folder, with `edit` applied to the config text
/// and `od` (when given) as the matrix.
fn case(edit: impl Fn(String) -> String, od: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("in");
    std::fs::create_dir_all(&dir).expect("mkdir");
    for name in [
        "gapmap.toml",
        "services.csv",
        "people.csv",
        "areas.geojson",
        "od.csv",
        "small_areas.geojson",
        "od_small_areas.csv",
    ] {
        std::fs::copy(fixture().join(name), dir.join(name)).expect("copy");
    }
    let config = dir.join("gapmap.toml");
    let text = std::fs::read_to_string(&config).expect("read");
    std::fs::write(&config, edit(text)).expect("write");
    if let Some(od) = od {
        std::fs::write(dir.join("od.csv"), od).expect("write od");
    }
    (tmp, config)
}

fn run(config: &Path, out: &Path) -> std::process::Output {
    gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ])
}

fn od_without(pair: &str) -> String {
    let od = std::fs::read_to_string(fixture().join("od.csv")).expect("od");
    let kept: Vec<&str> = od.lines().filter(|l| !l.starts_with(pair)).collect();
    assert_eq!(
        kept.len() + 1,
        od.lines().count(),
        "{pair} is a row of od.csv"
    );
    kept.join("\n") + "\n"
}

fn close(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() < 1e-9,
        "{what}: {actual} (expected {expected})"
    );
}

/// (service id, distance, services in reach, E2SFCA) per person, in file order.
fn person_access(config: &Config) -> Vec<(Option<String>, Option<f64>, u32, f64)> {
    let checked = gapmap::pipeline::check(config, &mut |_| {}).expect("inputs check");
    let analysis = gapmap::analyse::analyse(
        config,
        &checked.inputs,
        &checked.placement,
        &checked.distances,
    )
    .expect("analysis");
    analysis
        .access
        .iter()
        .map(|a| {
            (
                a.service.map(|s| checked.inputs.services[s].id.clone()),
                a.distance_km,
                a.services_in_reach,
                a.e2sfca,
            )
        })
        .collect()
}

#[test]
fn the_matrix_decides_the_nearest_service_and_e2sfca() {
    let config = Config::read(&fixture().join("gapmap.toml")).expect("config");
    let access = person_access(&config);
    let expected = [
        ("S2", 12.0, 2, 123.0 / 28.0),
        ("S2", 8.0, 2, 135.0 / 14.0),
        ("S3", 9.0, 2, 83.5 / 14.0),
        ("S3", 35.0, 0, 0.0),
    ];
    assert_eq!(access.len(), expected.len());
    for ((service, minutes, in_reach, e2sfca), (e_service, e_minutes, e_reach, e_e2sfca)) in
        access.iter().zip(expected)
    {
        assert_eq!(service.as_deref(), Some(e_service));
        close(minutes.expect("a nearest service"), e_minutes, "minutes");
        assert_eq!(*in_reach, e_reach);
        close(*e2sfca, e_e2sfca, "E2SFCA");
    }
}

#[test]
fn without_the_matrix_the_straight_line_picks_another_service() {
    let text = std::fs::read_to_string(fixture().join("gapmap.toml")).expect("read");
    let straight: String = text
        .lines()
        .filter(|l| {
            !["travel_cost", "catchment_minutes"]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .collect::<Vec<_>>()
        .join("\n");
    let config = Config::parse(
        "gapmap.toml",
        &straight,
        gapmap::config::Origin::Directory(fixture()),
    )
    .expect("config");
    let access = person_access(&config);
    // A at (-1.06, 52.55) to S1 at (-1.05, 52.55): 0.01 degrees of longitude at 52.55 N,
    // 2R asin(cos(lat) sin(0.005 deg)) = 0.676 km.
    let lat = 52.55_f64.to_radians();
    let km = 2.0 * 6371.0088 * (lat.cos() * 0.005_f64.to_radians().sin()).asin();
    assert!((km - 0.676).abs() < 0.001, "{km}");
    assert_eq!(access[0].0.as_deref(), Some("S1"));
    assert!((access[0].1.expect("km") - km).abs() < 1e-6);
}

#[test]
fn a_run_with_travel_times_publishes_minutes_and_says_so() {
    let (tmp, config) = case(|t| t, None);
    let out = tmp.path().join("out");
    let o = run(&config, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let gaps = read_csv(&out.join("T1/tables/gaps.csv"));
    let row = |code: &str| {
        gaps.iter()
            .find(|r| r["area_code"] == code && r["lot"] == "ld")
            .expect("row")
    };
    let number = |r: &std::collections::BTreeMap<String, String>, c: &str| -> f64 {
        r[c].parse().unwrap_or_else(|_| panic!("{c}: {:?}", r[c]))
    };
    let (west, east) = (row("E1"), row("E2"));
    assert!(!west.contains_key("mean_distance_km"));
    close(number(west, "mean_distance_minutes"), 10.0, "West mean");
    close(number(west, "p90_distance_minutes"), 12.0, "West p90");
    close(number(west, "beyond_catchment"), 0.0, "West beyond");
    assert!((number(west, "mean_e2sfca") - 393.0 / 56.0).abs() < 1e-6);
    close(number(east, "mean_distance_minutes"), 22.0, "East mean");
    close(number(east, "p90_distance_minutes"), 35.0, "East p90");
    close(number(east, "beyond_catchment"), 1.0, "East beyond");
    close(number(east, "share_beyond_catchment"), 0.5, "East share");
    assert!((number(east, "mean_e2sfca") - 83.5 / 28.0).abs() < 1e-6);

    let report = std::fs::read_to_string(out.join("T1/report.html")).expect("report");
    assert!(
        report.contains("measured as drive times from od.csv, in minutes."),
        "the report names the matrix"
    );
    assert!(report.contains("People more than 30 minutes from a suitable service"));
    // A, B and D are matrix origins by id, C by her area's code: 1 of 4 from the area.
    assert!(report.contains("the travel time from home (1 of the 4 people from a point inside their small area, where the travel costs are given by area) to the nearest"));
    assert!(report.contains("<h2>Access: travel time to the nearest suitable service</h2>"));
    assert!(report.contains("Mean minutes"));
    let chart = std::fs::read_to_string(out.join("T1/charts/distance_to_nearest_service.svg"))
        .expect("chart");
    assert!(chart.contains("drive times from od.csv, in minutes"));

    // Person ids are matrix origins; none reaches any output file.
    for (file, bytes) in common::snapshot(&out.join("T1")) {
        let text = String::from_utf8_lossy(&bytes);
        for id in ["PSN-7Q2A", "PSN-4K9B", "PSN-1M3C", "PSN-8Z5D"] {
            assert!(!text.contains(id), "{file} holds person id {id}");
        }
    }

    // The manifest records the matrix's SHA-256 like any input's.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("T1/manifest.json")).expect("manifest"))
            .expect("json");
    let record = manifest["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .find(|r| r["role"] == "travel_costs")
        .expect("a travel_costs record");
    let bytes = std::fs::read(fixture().join("od.csv")).expect("od");
    let digest: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(record["sha256"], digest.as_str());
    assert_eq!(record["records"], 12);
    assert_eq!(record["file"], "od.csv");
}

#[test]
fn a_missing_pair_stops_the_run_naming_it_and_the_count() {
    let (tmp, config) = case(|t| t, Some(&od_without("PSN-4K9B,S2")));
    let o = run(&config, &tmp.path().join("out"));
    assert_eq!(o.status.code(), Some(1));
    // Origins A, B, D and E2 (for C) with S1, S2 and S3: 12 pairs needed.
    let err = stderr(&o);
    assert!(
        err.contains("drive times from od.csv: 1 of the 12 origin-destination pairs the run needs are missing, for example \"PSN-4K9B\" -> \"S2\""),
        "{err}"
    );
    assert!(err.contains("missing_pairs = \"straight_line\""), "{err}");
    assert!(!tmp.path().join("out/T1").exists());
}

#[test]
fn missing_pairs_fall_back_to_the_straight_line_when_allowed() {
    let allow = |t: String| {
        t.replace(
            "catchment_minutes = 30",
            "catchment_minutes = 30\nmissing_pairs = \"straight_line\"\nstraight_line_speed_kmh = 30",
        )
    };
    let (tmp, config) = case(allow, Some(&od_without("PSN-4K9B,S2")));
    let out = tmp.path().join("out");
    let o = run(&config, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 origin-destination pair the run needs was missing from drive times from od.csv and was estimated by straight line"),
        "{}",
        stderr(&o)
    );
    // B (-1.14) to S2 (-1.15) along 52.55 N: 0.676 km (as above) at 30 km/h is 1.352
    // minutes, nearer than S1 (18): West mean (12 + 1.352) / 2. The weight is still 1
    // (within 10 minutes), so E2SFCA does not change.
    let lat = 52.55_f64.to_radians();
    let km = 2.0 * 6371.0088 * (lat.cos() * 0.005_f64.to_radians().sin()).asin();
    let minutes = km / 30.0 * 60.0;
    let gaps = read_csv(&out.join("T1/tables/gaps.csv"));
    let west = gaps
        .iter()
        .find(|r| r["area_code"] == "E1" && r["lot"] == "ld")
        .expect("row");
    let mean: f64 = west["mean_distance_minutes"].parse().expect("number");
    assert!((mean - (12.0 + minutes) / 2.0).abs() < 0.006, "{mean}");
    let e2sfca: f64 = west["mean_e2sfca"].parse().expect("number");
    assert!((e2sfca - 393.0 / 56.0).abs() < 1e-6);
    let report = std::fs::read_to_string(out.join("T1/report.html")).expect("report");
    assert!(
        report.contains(
            "drive times from od.csv, in minutes (pairs missing from it estimated as great-circle km at 30 km/h)"
        ),
        "the report says how missing pairs were filled"
    );
}

#[test]
fn a_parquet_matrix_gives_the_same_answers() {
    use polars::prelude::*;
    let (tmp, config) = case(|t| t.replace("od.csv", "od.parquet"), None);
    let rows = read_csv(&fixture().join("od.csv"));
    let column = |name: &str| -> Vec<String> { rows.iter().map(|r| r[name].clone()).collect() };
    let costs: Vec<f64> = rows
        .iter()
        .map(|r| r["cost"].parse().expect("cost"))
        .collect();
    let mut frame = DataFrame::new(
        costs.len(),
        vec![
            Column::new("from_id".into(), column("origin")),
            Column::new("to_id".into(), column("destination")),
            Column::new("travel_time".into(), costs),
        ],
    )
    .expect("frame");
    let dir = config.parent().expect("dir");
    let file = std::fs::File::create(dir.join("od.parquet")).expect("create");
    ParquetWriter::new(file)
        .finish(&mut frame)
        .expect("parquet");
    let config = Config::read(&config).expect("config");
    let access = person_access(&config);
    let minutes: Vec<f64> = access.iter().map(|a| a.1.expect("nearest")).collect();
    assert_eq!(minutes, [12.0, 8.0, 9.0, 35.0]);
    drop(tmp);
}

#[test]
fn bad_parquet_rows_name_the_row() {
    use polars::prelude::*;
    let (tmp, config) = case(|t| t.replace("od.csv", "od.parquet"), None);
    let mut frame = DataFrame::new(
        2,
        vec![
            Column::new("origin".into(), ["PSN-7Q2A", "PSN-7Q2A"]),
            Column::new("destination".into(), ["S1", "S7"]),
            Column::new("cost".into(), [f64::NAN, 4.0]),
        ],
    )
    .expect("frame");
    let dir = config.parent().expect("dir");
    let file = std::fs::File::create(dir.join("od.parquet")).expect("create");
    ParquetWriter::new(file)
        .finish(&mut frame)
        .expect("parquet");
    let o = run(&config, &tmp.path().join("out"));
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    let file = dir.join("od.parquet").display().to_string();
    assert!(
        err.contains(&format!("{file}: row 1: column cost: \"NaN\" is not a travel cost (expected a number 0 or more, in minutes)")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{file}: row 2: column destination: \"S7\" is not a service id in services.csv"
        )),
        "{err}"
    );
}

/// With small areas, each area's point uses the rows of its code, and a person not in the
/// matrix (C) uses the rows of her small area (E01D, East B).
///
/// Area rows (people: E01A has B, E01B has A, E01C nobody, E01D has C and D):
///
/// | origin | S1 | S2 | S3 |
/// |---|---|---|---|
/// | E01A (1) | 20 | 5 | 60 |
/// | E01B (1) | 10 | 15 | 55 |
/// | E01C (0) | 28 | 40 | 12 |
/// | E01D (2) | 30 | 45 | 9 |
///
/// Weights: E01A S1 0.68, S2 1; E01B S1 1 (10 is inclusive), S2 0.68; E01C S1 0.22,
/// S3 0.68; E01D S1 0.22, S3 1. R1 = 10 / (0.68 + 1 + 0 x 0.22 + 2 x 0.22) = 10 / 2.12;
/// R2 = 6 / (1 + 0.68); R3 = 4 / (0 x 0.68 + 2 x 1) = 2.
#[test]
fn small_areas_use_the_rows_of_their_codes() {
    let small = |t: String| {
        t.replace("areas = \"areas.geojson\"", "areas = \"small_areas.geojson\"")
            .replace(
                "name_property = \"name\"",
                "name_property = \"name\"\ndistrict_property = \"lad\"\ndistrict_name_property = \"lad_name\"",
            )
            .replace("od.csv", "od_small_areas.csv")
    };
    let (tmp, config) = case(small, None);
    let out = tmp.path().join("out");
    let o = run(&config, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let (r1, r2, r3) = (10.0 / 2.12, 6.0 / 1.68, 2.0);
    let expected = [
        ("E01A", 5.0, 0.68 * r1 + r2),
        ("E01B", 10.0, r1 + 0.68 * r2),
        ("E01C", 12.0, 0.22 * r1 + 0.68 * r3),
        ("E01D", 9.0, 0.22 * r1 + r3),
    ];
    let rows = read_csv(&out.join("T1/tables/access_by_area.csv"));
    assert_eq!(rows.len(), 4);
    for ((code, minutes, e2sfca), row) in expected.iter().zip(&rows) {
        assert_eq!(row["area_code"], *code);
        let number = |c: &str| -> f64 { row[c].parse().expect("number") };
        close(number("nearest_distance_minutes"), *minutes, code);
        assert_eq!(row["services_in_reach"], "2", "{code}");
        assert!(
            (number("e2sfca") - e2sfca).abs() < 1e-6,
            "{code}: {}",
            row["e2sfca"]
        );
    }
    // People are as in the district case: C takes E01D's row, 9 minutes to S3.
    let gaps = read_csv(&out.join("T1/tables/gaps.csv"));
    let east = gaps
        .iter()
        .find(|r| r["area_code"] == "E2" && r["lot"] == "ld")
        .expect("row");
    assert_eq!(east["mean_distance_minutes"], "22.0");
    let map = std::fs::read_to_string(out.join("T1/maps/small_areas.geojson")).expect("map");
    assert!(map.contains("\"ld_nearest_minutes\""));
    assert!(out
        .join("T1/maps/small_areas_ld_nearest_minutes.qml")
        .exists());
}

#[test]
fn with_on_bad_row_skip_a_bad_matrix_row_is_left_out_and_listed() {
    let skip = |t: String| t + "\n[validation]\non_bad_row = \"skip\"\n";
    let od = std::fs::read_to_string(fixture().join("od.csv")).expect("od") + "X9,S1,5\n";
    let (tmp, config) = case(skip, Some(&od));
    let out = tmp.path().join("out");
    let o = run(&config, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let rejects = read_csv(&out.join("T1/NOT-FOR-PUBLICATION/rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["place"], "line 14");
    assert_eq!(rejects[0]["field"], "origin");
    assert_eq!(rejects[0]["value"], "X9");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("T1/manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["counts"]["rejected_rows"], 1);
    // The other rows still decide access: West's mean is 10 minutes as in the full case.
    let gaps = read_csv(&out.join("T1/tables/gaps.csv"));
    let west = gaps
        .iter()
        .find(|r| r["area_code"] == "E1" && r["lot"] == "ld")
        .expect("row");
    assert_eq!(west["mean_distance_minutes"], "10.0");
}
