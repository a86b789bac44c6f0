//! The sample's district boundaries (dissolved from the ONS LSOA 2011 boundaries it ships in
//! `data/lsoa11.geojson`), and the same pipeline on the LSOA file in `../shared/data`.

mod common;

use geo::{Area as _, Euclidean, InteriorPoint, Length, Point};

use gapmap::config::AreasSection;
use gapmap::io::InputFile;
use gapmap::load::areas;
use gapmap::locate::AreaIndex;
use gapmap::model::{Area, District};

/// The sample's small areas and the districts gapmap dissolves from them.
fn sample_lsoas() -> (Vec<Area>, Vec<District>) {
    let input = InputFile::read(
        "lsoa11.geojson",
        &common::repo().join("data/lsoa11.geojson"),
    )
    .expect("read");
    let (lsoas, districts, rejected) = areas::load(&input, &lsoa_settings()).expect("valid");
    assert!(rejected.is_empty(), "{:?}", rejected.listed);
    (lsoas, districts)
}

fn sample_districts() -> Vec<Area> {
    as_areas(&sample_lsoas().1)
}

fn district_at(areas: &[Area], lat: f64, lon: f64) -> Option<String> {
    AreaIndex::new(areas)
        .locate(Point::new(lon, lat))
        .map(|i| areas[i].code.clone())
}

/// Main towns' real town-centre coordinates (WGS84, rounded to 3 decimals, about 100 m) and
/// the district each lies in.
const TOWNS: [(&str, f64, f64, &str); 13] = [
    ("Loughborough", 52.772, -1.206, "E07000130"),
    ("Shepshed", 52.771, -1.294, "E07000130"),
    ("Market Harborough", 52.478, -0.921, "E07000131"),
    ("Lutterworth", 52.456, -1.201, "E07000131"),
    ("Melton Mowbray", 52.766, -0.887, "E07000133"),
    ("Hinckley", 52.541, -1.373, "E07000132"),
    ("Market Bosworth", 52.624, -1.401, "E07000132"),
    ("Coalville", 52.723, -1.370, "E07000134"),
    ("Ashby-de-la-Zouch", 52.746, -1.476, "E07000134"),
    ("Oadby", 52.606, -1.083, "E07000135"),
    ("Wigston", 52.586, -1.104, "E07000135"),
    ("Narborough", 52.573, -1.202, "E07000129"),
    ("Enderby", 52.595, -1.209, "E07000129"),
];

#[test]
fn main_towns_lie_in_their_own_districts() {
    let districts = sample_districts();
    assert_eq!(districts.len(), 7);
    for (town, lat, lon, code) in TOWNS {
        assert_eq!(
            district_at(&districts, lat, lon).as_deref(),
            Some(code),
            "{town}"
        );
    }
}

#[test]
fn leicester_city_is_a_hole_in_the_county() {
    let districts = sample_districts();
    assert_eq!(
        district_at(&districts, 52.6369, -1.1398),
        None,
        "Leicester city centre"
    );
    // 8 km north, south, east and west of the city centre is county again.
    let dlat = 8.0 / 111.2;
    let dlon = 8.0 / (111.2 * 52.6369f64.to_radians().cos());
    for (lat, lon) in [
        (52.6369 + dlat, -1.1398),
        (52.6369 - dlat, -1.1398),
        (52.6369, -1.1398 + dlon),
        (52.6369, -1.1398 - dlon),
    ] {
        assert!(
            district_at(&districts, lat, lon).is_some(),
            "({lat}, {lon})"
        );
    }
}

#[test]
fn districts_do_not_overlap() {
    use geo::coordinate_position::{CoordPos, CoordinatePosition};
    let districts = sample_districts();
    // Every point of a fine grid over the county lies inside at most one district.
    let mut inside_some = 0;
    for i in 0..120 {
        for j in 0..120 {
            let c = geo::coord! { x: -1.62 + 1.0 * i as f64 / 119.0, y: 52.38 + 0.62 * j as f64 / 119.0 };
            let n = districts
                .iter()
                .filter(|d| d.geometry.coordinate_position(&c) == CoordPos::Inside)
                .count();
            assert!(n <= 1, "{c:?} lies in {n} districts");
            inside_some += n;
        }
    }
    assert!(
        inside_some > 5000,
        "the grid should mostly fall in the county ({inside_some})"
    );
}

fn lsoa_settings() -> AreasSection {
    AreasSection {
        code_property: "LSOA11CD".into(),
        name_property: "LSOA11NM".into(),
        district_property: Some("LAD11CD".into()),
        district_name_property: Some("LAD11NM".into()),
        attribution: String::new(),
        ..AreasSection::default()
    }
}

fn as_areas(districts: &[District]) -> Vec<Area> {
    districts
        .iter()
        .map(|d| Area {
            code: d.code.clone(),
            name: d.name.clone(),
            district_code: d.code.clone(),
            geometry: d.geometry.clone(),
        })
        .collect()
}

#[test]
fn every_lsoa_lands_in_its_own_dissolved_district() {
    let Some(dir) = common::lsoa_dir() else {
        return;
    };
    let input = InputFile::read("lsoa", &dir.join("leicestershire-lsoa11.geojson")).expect("read");
    let (lsoas, districts, rejected) = areas::load(&input, &lsoa_settings()).expect("valid");
    assert!(
        rejected.is_empty(),
        "real ONS boundaries must pass every check: {:?}",
        rejected.listed
    );
    assert_eq!(lsoas.len(), 396);
    let codes: Vec<&str> = districts.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "E07000129",
            "E07000130",
            "E07000131",
            "E07000132",
            "E07000133",
            "E07000134",
            "E07000135"
        ]
    );
    assert_eq!(districts[4].name, "Melton");
    let district_areas = as_areas(&districts);
    for lsoa in &lsoas {
        let p = lsoa.geometry.interior_point().expect("non-empty");
        let found = district_at(&district_areas, p.y(), p.x());
        assert_eq!(
            found.as_deref(),
            Some(lsoa.district_code.as_str()),
            "{} {}",
            lsoa.code,
            lsoa.name
        );
        // The LSOA name starts with its district's name, e.g. "Melton 003A".
        let district = districts
            .iter()
            .find(|d| d.code == lsoa.district_code)
            .expect("district");
        assert!(
            lsoa.name.starts_with(&district.name),
            "{} in {}",
            lsoa.name,
            district.name
        );
    }
}

#[test]
fn the_samples_lsoas_are_the_ons_lsoas() {
    let (lsoas, districts) = sample_lsoas();
    assert_eq!(lsoas.len(), 396, "the seven county districts' LSOAs");
    assert_eq!(districts.len(), 7);
    for lsoa in &lsoas {
        assert!(lsoa.code.starts_with("E01"), "{}", lsoa.code);
        assert!(
            geo::Validation::is_valid(&lsoa.geometry),
            "{} {}",
            lsoa.code,
            lsoa.name
        );
    }
    let Some(dir) = common::lsoa_dir() else {
        return;
    };
    // Against the ONS file: the same LSOAs with the same names and districts, and areas
    // equal to within the 6-decimal rounding. Rounding moves each vertex by at most
    // 0.5e-6 degrees in x and in y (0.71e-6 in all), so the area moves by at most the
    // perimeter times that (plus a second-order term far smaller): allow perimeter x 1e-6.
    let input = InputFile::read("lsoa", &dir.join("leicestershire-lsoa11.geojson")).expect("read");
    let (ons, _, _) = areas::load(&input, &lsoa_settings()).expect("valid");
    assert_eq!(ons.len(), lsoas.len());
    for o in &ons {
        let s = lsoas.iter().find(|a| a.code == o.code).expect("same codes");
        assert_eq!((&s.name, &s.district_code), (&o.name, &o.district_code));
        let (a, b) = (s.geometry.unsigned_area(), o.geometry.unsigned_area());
        let perimeter: f64 = o
            .geometry
            .0
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .map(|ring| Euclidean.length(ring))
            .sum();
        assert!(
            (a - b).abs() <= perimeter * 1e-6,
            "{}: {a} against {b} (perimeter {perimeter})",
            o.code
        );
    }
}

#[test]
fn services_land_in_the_districts_data_readme_gives() {
    let config = gapmap::sample::config().expect("sample config");
    let services = gapmap::load::load(&config).expect("valid").services;
    let districts = sample_districts();
    let index = AreaIndex::new(&districts);
    let mut counts = std::collections::BTreeMap::new();
    for s in &services {
        let code = index.locate(s.location).map(|i| districts[i].code.clone());
        *counts.entry(code).or_insert(0) += 1;
    }
    // data/README.md: day services Charnwood 11, Hinckley and Bosworth 8, North West
    // Leicestershire 8, Blaby 7, Harborough 6, Melton 4, Oadby and Wigston 4, Leicester
    // city 10; PA services Charnwood 2, Leicester city 2, one each in Blaby, Harborough,
    // Hinckley and Bosworth, North West Leicestershire and Oadby and Wigston. Leicester
    // city is in no district.
    let expected: std::collections::BTreeMap<Option<String>, i32> = [
        (None, 10 + 2),
        (Some("E07000129"), 7 + 1),
        (Some("E07000130"), 11 + 2),
        (Some("E07000131"), 6 + 1),
        (Some("E07000132"), 8 + 1),
        (Some("E07000133"), 4),
        (Some("E07000134"), 8 + 1),
        (Some("E07000135"), 4 + 1),
    ]
    .into_iter()
    .map(|(c, n)| (c.map(String::from), n))
    .collect();
    assert_eq!(counts, expected);
}

#[test]
fn a_full_run_works_on_the_real_lsoa_boundaries() {
    let Some(dir) = common::lsoa_dir() else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    gapmap::sample::write_to(&tmp.path().join("in")).expect("sample");
    let config_path = tmp.path().join("in/gapmap.toml");
    let text = std::fs::read_to_string(&config_path)
        .expect("read")
        .replace(
            "areas = \"lsoa11.geojson\"",
            &format!(
                "areas = {:?}",
                dir.join("leicestershire-lsoa11.geojson")
                    .display()
                    .to_string()
            ),
        );
    assert!(
        text.contains("leicestershire-lsoa11.geojson"),
        "the ONS file, not the sample's copy"
    );
    std::fs::write(&config_path, text).expect("write");
    let out = tmp.path().join("out");
    let o = common::gapmap(&[
        "run",
        "--config",
        config_path.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let gaps = common::read_csv(&out.join("2025-Q2/tables/gaps.csv"));
    let pmld: Vec<(&str, &str)> = gaps
        .iter()
        .filter(|r| r["lot"] == "pmld" && r["area_code"].starts_with("E07"))
        .map(|r| (r["area_name"].as_str(), r["supply"].as_str()))
        .collect();
    // Small areas give access by area: one row per LSOA and lot, a map of the LSOAs.
    let by_area = common::read_csv(&out.join("2025-Q2/tables/access_by_area.csv"));
    assert_eq!(by_area.len(), 396 * 7);
    for r in by_area.iter().filter(|r| r["lot"] == "pmld") {
        let km: f64 = r["nearest_distance_km"]
            .parse()
            .expect("every LSOA has a nearest PMLD service");
        // Leicestershire is about 60 km across and PMLD services sit in every district.
        assert!((0.0..30.0).contains(&km), "{} {km}", r["area_code"]);
    }
    let map: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("2025-Q2/maps/small_areas.geojson")).expect("map"),
    )
    .expect("json");
    assert_eq!(map["features"].as_array().map(Vec::len), Some(396));
    assert!(map["features"][0]["properties"]["pmld_e2sfca"].is_number());
    let qml = std::fs::read_to_string(out.join("2025-Q2/maps/small_areas.qml"))
        .expect("small-area style");
    assert!(qml.contains(r#"attr="managed_pa_nearest_km""#), "{qml}");
    assert!(!qml.contains("<labeling"), "396 labels would bury the map");
    // PMLD places by district as data/README.md gives them.
    assert_eq!(
        pmld,
        [
            ("Blaby", "14.0"),
            ("Charnwood", "8.0"),
            ("Harborough", "5.0"),
            ("Hinckley and Bosworth", "14.0"),
            ("Melton", "3.0"),
            ("North West Leicestershire", "14.0"),
            ("Oadby and Wigston", "8.0")
        ]
    );
}
