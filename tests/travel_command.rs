//! End-to-end tests of `gapmap travel` on the Rutland example (real OpenStreetMap roads).

mod common;

use common::{gapmap, read_csv, repo, stderr};

fn example(file: &str) -> String {
    repo()
        .join("examples/rutland")
        .join(file)
        .display()
        .to_string()
}

#[test]
fn writes_the_matrix_that_access_reads() {
    let dir = tempfile::tempdir().unwrap();
    let od = dir.path().join("od.csv");
    let out = gapmap(&[
        "travel",
        "--network",
        &example("rutland-2021-05-07.osm.pbf"),
        "--origins",
        &example("lsoa_points.csv"),
        "--destinations",
        &example("services.csv"),
        "--out",
        od.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&od).unwrap();
    assert_eq!(text.lines().next(), Some("origin,destination,minutes,km"));
    let rows = read_csv(&od);
    // 23 LSOAs x 3 services, all on one connected network.
    assert_eq!(rows.len(), 69);
    for row in &rows {
        let minutes: f64 = row["minutes"].parse().unwrap();
        let km: f64 = row["km"].parse().unwrap();
        // Rutland is about 25 km across: no drive is longer than 40 km or an hour.
        assert!(
            minutes > 0.0 && minutes < 60.0 && km > 0.0 && km < 40.0,
            "{row:?}"
        );
    }
    // The same file feeds the access engine as its travel costs.
    let access = dir.path().join("access.csv");
    let out = gapmap(&[
        "access",
        "--demand",
        &example("lsoa_points.csv"),
        "--services",
        &example("services.csv"),
        "--cost",
        od.to_str().unwrap(),
        "--catchment",
        "30",
        "--out",
        access.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read_csv(&access);
    assert_eq!(rows.len(), 23);
    // Rutland 001B (E01013789) lies just north-east of Oakham; Rutland 005A (E01013787)
    // west of Uppingham.
    let nearest = |id: &str| {
        rows.iter()
            .find(|r| r["demand_id"] == id)
            .map(|r| r["nearest_service"].clone())
    };
    assert_eq!(nearest("E01013789").as_deref(), Some("OAK1"));
    assert_eq!(nearest("E01013787").as_deref(), Some("UPP1"));
}

#[test]
fn a_time_limit_leaves_out_slower_pairs_and_parquet_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let od = dir.path().join("od.csv");
    let args = |out: &str| {
        vec![
            "travel".to_string(),
            "--network".to_string(),
            example("rutland-2021-05-07.osm.pbf"),
            "--origins".to_string(),
            example("lsoa_points.csv"),
            "--destinations".to_string(),
            example("services.csv"),
            "--max-minutes".to_string(),
            "10".to_string(),
            "--out".to_string(),
            out.to_string(),
        ]
    };
    let run = |out: &str| {
        let a = args(out);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        gapmap(&refs)
    };
    let out = run(od.to_str().unwrap());
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read_csv(&od);
    assert!(!rows.is_empty() && rows.len() < 69);
    assert!(rows
        .iter()
        .all(|r| r["minutes"].parse::<f64>().unwrap() <= 10.0));
    let parquet = dir.path().join("od.parquet");
    let out = run(parquet.to_str().unwrap());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(&std::fs::read(&parquet).unwrap()[..4], b"PAR1");
}

#[test]
fn a_place_far_from_any_road_is_named_with_its_line_and_distance() {
    let dir = tempfile::tempdir().unwrap();
    let places = dir.path().join("places.csv");
    // Line 3 is in the Wash, some 45 km east of Rutland's roads.
    std::fs::write(
        &places,
        "id,longitude,latitude\nOakham,-0.7277,52.6705\nWash,0.25,52.85\n",
    )
    .unwrap();
    let od = dir.path().join("od.csv");
    std::fs::write(&od, "kept").unwrap();
    let out = gapmap(&[
        "travel",
        "--network",
        &example("rutland-2021-05-07.osm.pbf"),
        "--origins",
        places.to_str().unwrap(),
        "--destinations",
        &example("services.csv"),
        "--out",
        od.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let message = stderr(&out);
    let expected = format!("{}:3: \"Wash\" is ", places.display());
    assert!(message.contains(&expected), "{message}");
    assert!(
        message.contains("m from the nearest road for cars, more than the 1000 m allowed"),
        "{message}"
    );
    // A failed run leaves the earlier output as it was.
    assert_eq!(std::fs::read_to_string(&od).unwrap(), "kept");
}

/// `gapmap run` with `[travel] network` (the Rutland example's config): a small area's
/// nearest-service minutes are the drive time `gapmap travel` gives from the same point
/// (the area's interior point) to the nearest service for the lot, computed separately
/// through the travel command; captions, report and manifest name OpenStreetMap.
#[test]
fn a_run_with_a_road_network_uses_the_drive_times_of_gapmap_travel() {
    use geo::InteriorPoint;
    use sha2::{Digest, Sha256};

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = gapmap(&[
        "run",
        "--config",
        &example("gapmap.toml"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let folder = out.join("rutland-example");

    // The origin: Rutland 005A's interior point, from the boundary file.
    let code = "E01013787";
    let input = gapmap::io::InputFile::read(
        "lsoas",
        std::path::Path::new(&example("rutland-lsoa11.geojson")),
    )
    .unwrap();
    let features =
        gapmap::io::geojson::read_polygon_features(&input, gapmap::io::geojson::Crs::Wgs84)
            .unwrap();
    let feature = features
        .records
        .iter()
        .find(|f| f.properties["LSOA11CD"] == code)
        .expect("the LSOA is in the file");
    let point = feature.geometry.interior_point().expect("a point");
    let origins = dir.path().join("origin.csv");
    std::fs::write(
        &origins,
        format!(
            "id,longitude,latitude\n{code},{},{}\n",
            point.x(),
            point.y()
        ),
    )
    .unwrap();
    let od = dir.path().join("od.csv");
    let travel = gapmap(&[
        "travel",
        "--network",
        &example("rutland-2021-05-07.osm.pbf"),
        "--origins",
        origins.to_str().unwrap(),
        "--destinations",
        &example("services.csv"),
        "--out",
        od.to_str().unwrap(),
    ]);
    assert!(travel.status.success(), "{}", stderr(&travel));
    let minutes_to = |service: &str| -> f64 {
        read_csv(&od)
            .iter()
            .find(|r| r["destination"] == service)
            .map(|r| r["minutes"].parse().unwrap())
            .unwrap_or_else(|| panic!("no drive time to {service}"))
    };
    // The run's services file: which services serve each lot.
    let services = read_csv(std::path::Path::new(&example("run_services.csv")));
    let nearest = |lot: &str| -> f64 {
        services
            .iter()
            .filter(|s| s["status"] == "active" && s["lots"].split(';').any(|l| l == lot))
            .map(|s| minutes_to(&s["service_id"]))
            .fold(f64::INFINITY, f64::min)
    };
    let by_area = read_csv(&folder.join("tables/access_by_area.csv"));
    for lot in ["ld_autism", "older_adults"] {
        let row = by_area
            .iter()
            .find(|r| r["area_code"] == code && r["lot"] == lot)
            .expect("a row for the area and lot");
        let run_minutes: f64 = row["nearest_distance_minutes"].parse().unwrap();
        let expected = nearest(lot);
        // Both files round to the thousandth of a minute or finer.
        assert!(
            (run_minutes - expected).abs() < 0.002,
            "{lot}: run {run_minutes}, gapmap travel {expected}"
        );
    }

    // Captions, the report and the manifest say where the drive times come from.
    let svg = std::fs::read_to_string(folder.join("charts/map_access_older_adults.svg")).unwrap();
    assert!(
        svg.contains("drive times from OpenStreetMap"),
        "map caption"
    );
    assert!(
        svg.contains("OpenStreetMap contributors"),
        "map attribution"
    );
    let report = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(report.contains("drive times from OpenStreetMap"));
    // With small areas, drive times are routed from each area's point, and the report says so.
    assert!(report.contains("the travel time from a point inside their small area to the nearest"));
    assert!(report.contains("© OpenStreetMap contributors"));
    assert!(report.contains("Straight line and travel time, by small area"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("manifest.json")).unwrap())
            .unwrap();
    let pbf = std::fs::read(example("rutland-2021-05-07.osm.pbf")).unwrap();
    let sha: String = Sha256::digest(&pbf)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = manifest.to_string();
    assert!(
        text.contains(&sha) && text.contains("road_network"),
        "manifest records the extract's SHA-256"
    );
}
