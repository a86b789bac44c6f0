//! Future demand through the binary: an ONS SNPP-layout population file built here, a
//! two-district case whose published projections are worked out by hand, disclosure control
//! of projected counts, and bad population input.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{gapmap, read_csv, stderr};

fn config(threshold: u32, base: u32) -> String {
    format!(
        r#"
title = "Two-district projections test"
label = "T1"
data_date = "2025-06-30"

[inputs]
services = "services.csv"
areas = "areas.geojson"
demand = "people.csv"
population = "snpp.csv"

[areas]
code_property = "code"
name_property = "name"

[disclosure]
threshold = {threshold}
rounding_base = {base}

[projections]
age_bands = ["18-64", "65+"]
years = [2025, 2035]

[[projections.prevalence]]
lot = "ld"
age_band = "18-64"
rate = 0.01
source = "test rate"

[[projections.prevalence]]
lot = "ld"
age_band = "65+"
rate = 0.05
source = "test rate"

[[lots]]
id = "ld"
label = "Learning disability"
unit = "places"

[[lots]]
id = "pa"
label = "Managed PA"
unit = "hours"

[[service_types]]
id = "day"
label = "Day service"
unit = "places"

[[service_types]]
id = "pa"
label = "PA service"
unit = "hours"

[[bands]]
id = "D"
label = "Day band"
full_day = 100.0

[[bands]]
id = "F"
label = "Hourly band"
hourly = 20.0
"#
    )
}

// E1 spans longitude -1.2 to -1.0, E2 -1.0 to -0.8; both latitude 52.5 to 52.6.
const AREAS: &str = r#"{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"code":"E1","name":"West"},"geometry":{"type":"Polygon","coordinates":[[[-1.2,52.5],[-1.0,52.5],[-1.0,52.6],[-1.2,52.6],[-1.2,52.5]]]}},
{"type":"Feature","properties":{"code":"E2","name":"East"},"geometry":{"type":"Polygon","coordinates":[[[-1.0,52.5],[-0.8,52.5],[-0.8,52.6],[-1.0,52.6],[-1.0,52.5]]]}}
]}"#;

const SERVICES: &str = "service_id,provider_id,provider_name,service_name,service_type,lots,latitude,longitude,capacity,current_users,bands,status
S1,P1,Prov,Day service,day,ld,52.55,-1.1,20,12,D,active
S2,P2,Prov,PA service,pa,pa,52.55,-0.9,30,3,F,active
";

/// West: 10 people aged 18-64 and 2 aged 65+ using ld; East: 3 people aged 65+ with 10
/// PA hours a week each.
fn people_csv() -> String {
    let mut text = String::from(
        "person_id,latitude,longitude,age_band,primary_need,lot,status,band,days_per_week,hours_per_week\n",
    );
    for i in 0..10 {
        text.push_str(&format!("Y{i},52.55,-1.1,18-64,ld,ld,current,D,2,\n"));
    }
    for i in 0..2 {
        text.push_str(&format!("O{i},52.55,-1.1,65+,ld,ld,current,D,2,\n"));
    }
    for i in 0..3 {
        text.push_str(&format!("H{i},52.55,-0.9,65+,ld,pa,current,F,,10\n"));
    }
    text
}

/// An SNPP Z1 persons file as ONS lay it out: every single year of age 0 to 89, "90 and
/// over" and "All ages", for E1, E2 and an area the run does not have. West: 100 people at
/// each age 18-64 in 2025 and 110 in 2035, 20 at each of the 26 groups 65 to 90 and over in
/// 2025 and 30 in 2035. East: 50 at each age 18-64 in both years; 10 and 15 at 65+.
fn snpp_csv(leave_out: Option<&str>) -> String {
    let mut t = String::from("AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2035\n");
    for (code, name) in [("E1", "West"), ("E9", "Elsewhere"), ("E2", "East")] {
        if Some(code) == leave_out {
            continue;
        }
        let groups = (0..=89)
            .map(|a: u32| (a.to_string(), a))
            .chain([("90 and over".to_string(), 90)]);
        for (label, age) in groups {
            let (a, b) = match (code, age) {
                (_, 0..=17) => (7, 7),
                ("E1", 18..=64) => (100, 110),
                ("E1", _) => (20, 30),
                (_, 18..=64) => (50, 50),
                _ => (10, 15),
            };
            t.push_str(&format!(
                "{code},{name},Population,persons,{label},{a}.0,{b}.0\n"
            ));
        }
        t.push_str(&format!(
            "{code},{name},Population,persons,All ages,99999,99999\n"
        ));
    }
    t
}

fn write_case(dir: &Path, config: &str, snpp: &str) {
    std::fs::write(dir.join("gapmap.toml"), config).expect("write");
    std::fs::write(dir.join("areas.geojson"), AREAS).expect("write");
    std::fs::write(dir.join("services.csv"), SERVICES).expect("write");
    std::fs::write(dir.join("people.csv"), people_csv()).expect("write");
    std::fs::write(dir.join("snpp.csv"), snpp).expect("write");
}

fn run(dir: &Path) -> std::process::Output {
    let config = dir.join("gapmap.toml");
    let out = dir.join("out");
    gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ])
}

fn row<'a>(
    rows: &'a [BTreeMap<String, String>],
    area: &str,
    lot: &str,
    year: &str,
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["area_code"] == area && r["lot"] == lot && r["year"] == year)
        .unwrap_or_else(|| panic!("no row for {area} {lot} {year}"))
}

fn fields<'a>(r: &'a BTreeMap<String, String>, names: &[&str]) -> Vec<&'a str> {
    names.iter().map(|n| r[*n].as_str()).collect()
}

const FIGURES: [&str; 8] = [
    "population",
    "expected_people",
    "known_people",
    "reach_percent",
    "projected_people",
    "projected_demand",
    "supply",
    "projected_gap",
];

#[test]
fn snpp_population_projects_the_worked_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_case(dir.path(), &config(0, 1), &snpp_csv(None));
    let o = run(dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = dir.path().join("out/T1");
    let rows = read_csv(&folder.join("tables/projections.csv"));
    // 2 districts x 2 lots x 2 years.
    assert_eq!(rows.len(), 8);
    // West ld 2025: population 47 x 100 + 26 x 20 = 5,220; expected 4,700 x 0.01 + 520 x
    // 0.05 = 47 + 26 = 73, published to the nearest 5 as 75; known 12; reach 12 / 75 = 16%
    // (of the published figures); demand 12 against 20: gap -8.
    assert_eq!(
        fields(row(&rows, "E1", "ld", "2025"), &FIGURES),
        ["5220.0", "75", "12", "16", "12", "12.0", "20.0", "-8.0"]
    );
    // West ld 2035: population 47 x 110 + 26 x 30 = 5,950; expected 51.7 + 39 = 90.7,
    // published as 90; people 10 x 1.1 + 2 x 1.5 = 14; gap 14 - 20 = -6. Known and reach:
    // data year only.
    assert_eq!(
        fields(row(&rows, "E1", "ld", "2035"), &FIGURES),
        ["5950.0", "90", "", "", "14", "14.0", "20.0", "-6.0"]
    );
    // East pa 2025: population 47 x 50 + 26 x 10 = 2,610; no PA rate; 3 people, 30 hours
    // against 30: gap 0.
    assert_eq!(
        fields(row(&rows, "E2", "pa", "2025"), &FIGURES),
        ["2610.0", "", "3", "", "3", "30.0", "30.0", "0.0"]
    );
    // East pa 2035: 65+ grows 15 / 10 = 1.5: 4.5 people (published as 5), 45 hours; gap 15.
    assert_eq!(
        fields(row(&rows, "E2", "pa", "2035"), &FIGURES),
        ["2740.0", "", "", "", "5", "45.0", "30.0", "15.0"]
    );
    // East ld: nobody today, nobody projected; expected 2,350 x 0.01 + 260 x 0.05 = 36.5,
    // published as 35; reach 0 / 35 = 0%.
    assert_eq!(
        fields(row(&rows, "E2", "ld", "2025"), &FIGURES),
        ["2610.0", "35", "0", "0", "0", "0.0", "0.0", "0.0"]
    );
    for file in [
        "tables/projections.parquet",
        "charts/projected_demand_ld.png",
        "charts/projected_demand_pa.svg",
        "charts/map_projected_gap_pa.png",
    ] {
        assert!(folder.join(file).exists(), "{file} missing");
    }
    let report = std::fs::read_to_string(folder.join("report.html")).expect("report");
    assert!(report.contains("<h2>Future demand</h2>"));
    assert!(report.contains(
        "East, Managed PA: from no gap in 2025 to a shortfall of 15 hours a week in 2035"
    ));
    // The pictured lot is Managed PA, whose gap grows (ld's does not: West -8 to -6 is no
    // shortfall). Its charts state their finding from the figures above: East's 45 hours
    // against 30 today (West has neither people nor supply, so no demand to name); demand
    // above supply in East in 2035 only; a shortfall of 45 - 30 = 15 there, and West's gap
    // of 0 is not room to spare.
    let (alt, caption) = common::figure(&report, "Managed PA: projected demand against")
        .expect("the projected demand chart");
    assert_eq!(
        alt,
        "Managed PA: in 2035, projected demand is highest in East (45 PA hours per week against 30 today); it exceeds today's supply in 1 of 2 districts (0 in 2025)."
    );
    assert!(caption.contains("<a href=\"#future-demand-pa\">The figures as a table</a>"));
    assert!(report.contains("<details id=\"future-demand-pa\">"));
    assert!(report.contains(
        "<thead><tr><th>District</th><th class=\"n\">Supply today</th><th class=\"n\">Demand 2025</th><th class=\"n\">Demand 2035</th></tr></thead>\n<tbody>\n<tr><td>West</td><td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">0</td></tr>\n<tr><td>East</td><td class=\"n\">30</td><td class=\"n\">30</td><td class=\"n\">45</td></tr>"
    ));
    let (alt, caption) =
        common::figure(&report, "Managed PA: projected gap in 2035").expect("the gap map");
    assert_eq!(
        alt,
        "Managed PA, 2035, if supply stays as it is: demand would exceed supply most in East (a shortfall of 15 PA hours per week); 0 of 2 districts would have room to spare."
    );
    assert!(caption.contains("<a href=\"#future-gaps\">"));
    assert!(report.contains("<h3 id=\"future-gaps\">"));
}

#[test]
fn projected_counts_of_people_are_disclosure_controlled() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_case(dir.path(), &config(7, 5), &snpp_csv(None));
    let o = run(dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&dir.path().join("out/T1/tables/projections.csv"));
    // West ld: 12 known, published 10 (reach 10 / 75 = 13.3%, shown 13); 14 projected,
    // published 15, so demand 15 and gap 15 - 20 = -5.
    assert_eq!(
        fields(row(&rows, "E1", "ld", "2025"), &FIGURES),
        ["5220.0", "75", "10", "13", "10", "10.0", "20.0", "-10.0"]
    );
    assert_eq!(
        fields(row(&rows, "E1", "ld", "2035"), &FIGURES),
        ["5950.0", "90", "", "", "15", "15.0", "20.0", "-5.0"]
    );
    // East pa: 3 people today are suppressed, so every projection of them is too, hours
    // and gap included.
    for year in ["2025", "2035"] {
        assert_eq!(
            fields(row(&rows, "E2", "pa", year), &FIGURES)[2..],
            ["", "", "", "", "30.0", ""],
            "{year}"
        );
    }
    // No lot's gap grows into a shortfall, so the first lot (ld) is pictured: West's 15
    // people (published) against 20 places, East's nobody against no places.
    let report = std::fs::read_to_string(dir.path().join("out/T1/report.html")).expect("report");
    let (alt, _) = common::figure(&report, "Learning disability: projected demand against")
        .expect("the projected demand chart");
    assert_eq!(
        alt,
        "Learning disability: in 2035, projected demand is highest in West (15 places against 20 today); it exceeds today's supply in 0 of 2 districts (0 in 2025)."
    );
    let (alt, _) =
        common::figure(&report, "Learning disability: projected gap").expect("the gap map");
    assert_eq!(
        alt,
        "Learning disability, 2035, if supply stays as it is: supply would meet demand in every district shown; 1 of 2 districts would have room to spare."
    );
    // No published count of people lies between 1 and the threshold, and all are
    // multiples of 5.
    for r in &rows {
        for column in ["known_people", "projected_people"] {
            if let Ok(n) = r[column].parse::<u32>() {
                assert!(n == 0 || (n > 7 && n % 5 == 0), "{column} {n}");
            }
        }
    }
}

#[test]
fn a_district_missing_from_the_projections_file_stops_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    write_case(dir.path(), &config(0, 1), &snpp_csv(Some("E2")));
    let o = run(dir.path());
    assert_eq!(o.status.code(), Some(1));
    let file = dir.path().join("snpp.csv");
    let expected = format!(
        "gapmap: error: 1 problem in the inputs:\n  {}: has no rows for district E2 (East): is it the right file and vintage of district codes?\n",
        file.display()
    );
    assert!(stderr(&o).ends_with(&expected), "{}", stderr(&o));
    assert!(!dir.path().join("out/T1").exists());
}

#[test]
fn a_projection_year_missing_from_the_population_stops_the_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config(0, 1).replace("years = [2025, 2035]", "years = [2025, 2040]");
    write_case(dir.path(), &config, &snpp_csv(None));
    let o = run(dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("snpp.csv: has no population for 2040 (a year in projections.years); the file has 2025, 2035"),
        "{}",
        stderr(&o)
    );
}
