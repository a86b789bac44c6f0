//! `gapmap compare` and `gapmap history` on the binary: two quarters made from the sample
//! with known edits, whose every expected change is worked out here from the data files
//! (point in polygon, the disclosure rule) independently of gapmap.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{gapmap, read_csv, snapshot, stderr, stdout};

const HARBOROUGH: &str = "E07000131";
const HINCKLEY: &str = "E07000132";
const MELTON: &str = "E07000133";
/// The sample's grouping of Harborough and Melton.
const EAST: &str = "east";
/// The day service closed in Q3: in Hinckley and Bosworth, and not a PMLD service.
const CLOSED: &str = "SV023";
/// New waiting people added in Harborough in Q3, and their lot.
const ADDED: u32 = 10;
const ADDED_LOT: &str = "pmld";

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

fn ok(o: std::process::Output) -> std::process::Output {
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    o
}

/// Writes the sample into `dir` and runs it as `label` into `outputs`.
fn sample_run(dir: &Path, outputs: &Path, label: &str) {
    ok(gapmap(&["sample", "--out", s(dir)]));
    run(dir, outputs, label);
}

fn run(dir: &Path, outputs: &Path, label: &str) {
    ok(gapmap(&[
        "run",
        "--config",
        s(&dir.join("gapmap.toml")),
        "--out",
        s(outputs),
        "--label",
        label,
    ]));
}

// ---- an independent reading of the sample: point in polygon and the disclosure rule ----

/// A ring of (longitude, latitude) positions.
type Ring = Vec<(f64, f64)>;

/// For each of the sample's LSOAs, its district code (`LAD11CD`) and the rings (outer and
/// holes) of every polygon, WGS84: a point lies in the district of the LSOA holding it.
fn districts(dir: &Path) -> Vec<(String, Vec<Ring>)> {
    let text = std::fs::read_to_string(dir.join("lsoa11.geojson")).expect("read");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .expect("ring")
            .iter()
            .map(|p| (p[0].as_f64().expect("x"), p[1].as_f64().expect("y")))
            .collect()
    };
    json["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let code = f["properties"]["LAD11CD"]
                .as_str()
                .expect("code")
                .to_string();
            let g = &f["geometry"];
            let polygons: Vec<&serde_json::Value> = match g["type"].as_str() {
                Some("Polygon") => vec![&g["coordinates"]],
                _ => g["coordinates"]
                    .as_array()
                    .expect("polygons")
                    .iter()
                    .collect(),
            };
            let rings = polygons
                .iter()
                .flat_map(|p| p.as_array().expect("rings").iter().map(ring))
                .collect();
            (code, rings)
        })
        .collect()
}

/// Even-odd ray casting over every ring (holes included).
fn inside(rings: &[Ring], (x, y): (f64, f64)) -> bool {
    let mut odd = false;
    for ring in rings {
        for w in ring.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            if (y1 > y) != (y2 > y) && x < x1 + (y - y1) / (y2 - y1) * (x2 - x1) {
                odd = !odd;
            }
        }
    }
    odd
}

fn district_of(areas: &[(String, Vec<Ring>)], row: &BTreeMap<String, String>) -> Option<String> {
    let lat: f64 = row["latitude"].parse().expect("latitude");
    let lon: f64 = row["longitude"].parse().expect("longitude");
    areas
        .iter()
        .find(|(_, rings)| inside(rings, (lon, lat)))
        .map(|(code, _)| code.clone())
}

/// Capacity of active services by (district, lot).
fn supply(dir: &Path) -> BTreeMap<(String, String), f64> {
    let areas = districts(dir);
    let mut out = BTreeMap::new();
    for r in read_csv(&dir.join("services.csv")) {
        if r["status"] != "active" {
            continue;
        }
        let Some(d) = district_of(&areas, &r) else {
            continue;
        };
        for lot in r["lots"].split(';') {
            *out.entry((d.clone(), lot.to_string())).or_insert(0.0) +=
                r["capacity"].parse::<f64>().expect("capacity");
        }
    }
    out
}

/// (current, waiting) people by (district, lot).
fn people(dir: &Path) -> BTreeMap<(String, String), (u32, u32)> {
    let areas = districts(dir);
    let mut out = BTreeMap::new();
    for r in read_csv(&dir.join("people.csv")) {
        let d = district_of(&areas, &r).expect("every person lives in a district");
        let e = out.entry((d, r["lot"].clone())).or_insert((0, 0));
        if r["status"] == "current" {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    out
}

/// The sample's disclosure rule: 1..=7 suppressed, others rounded to the nearest 5.
fn published(n: u32) -> Option<u32> {
    match n {
        0 => Some(0),
        1..=7 => None,
        _ => Some((n + 2) / 5 * 5),
    }
}

/// Published (current, waiting, demand) of a place-measured lot: the parts both
/// suppressed when either is.
fn published_split((c, w): (u32, u32)) -> (Option<u32>, Option<u32>, Option<u32>) {
    let total = published(c + w);
    let small = |n: u32| (1..=7).contains(&n);
    if total.is_none() || small(c) || small(w) {
        (None, None, total)
    } else {
        (published(c), published(w), total)
    }
}

// ---- the two quarters ----

/// Edits a copy of the sample into Q3: SV068 opens in Melton, SV023 closes, and 10 more
/// people wait for PMLD in Harborough.
fn make_q3(q2: &Path, q3: &Path) {
    std::fs::create_dir_all(q3).expect("mkdir");
    for entry in std::fs::read_dir(q2).expect("read dir") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, q3.join(path.file_name().expect("name"))).expect("copy");
    }
    let services = std::fs::read_to_string(q2.join("services.csv")).expect("read");
    let mut edited = String::new();
    for line in services.lines() {
        if line.starts_with(&format!("{CLOSED},")) {
            assert!(
                line.ends_with(",active") && !line.contains("pmld"),
                "{line}"
            );
            edited.push_str(&line.replace(",active", ",closed"));
        } else {
            edited.push_str(line);
        }
        edited.push('\n');
    }
    edited.push_str("SV068,PR05,Provider Five,Melton PMLD Centre,building_based,pmld,52.7661,-0.8866,6,0,C;D;E,active\n");
    std::fs::write(q3.join("services.csv"), edited).expect("write");
    // The sample reads its services from a workbook; the edits are in the CSV.
    common::use_services_csv(&q3.join("gapmap.toml"));
    let mut people = std::fs::read_to_string(q2.join("people.csv")).expect("read");
    for i in 0..ADDED {
        let lat = 52.4775 + f64::from(i) * 0.0005;
        people.push_str(&format!(
            "PQ3NEW{i:04},{lat:.4},-0.9208,18-64,pmld,{ADDED_LOT},waiting,D,2,,\n"
        ));
    }
    std::fs::write(q3.join("people.csv"), people).expect("write");
}

struct Quarters {
    _dir: tempfile::TempDir,
    outputs: PathBuf,
    q2: PathBuf,
    q3: PathBuf,
}

fn quarters() -> Quarters {
    let dir = tempfile::tempdir().expect("tempdir");
    let (q2, q3) = (dir.path().join("q2"), dir.path().join("q3"));
    let outputs = dir.path().join("outputs");
    sample_run(&q2, &outputs, "2025-Q2");
    make_q3(&q2, &q3);
    run(&q3, &outputs, "2025-Q3");
    Quarters {
        _dir: dir,
        outputs,
        q2,
        q3,
    }
}

fn compare(outputs: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["compare", "2025-Q2", "2025-Q3", "--outputs", s(outputs)];
    args.extend_from_slice(extra);
    gapmap(&args)
}

fn num(text: &str) -> Option<f64> {
    (!text.is_empty()).then(|| text.parse().expect("a number"))
}

fn fmt(v: f64) -> String {
    format!("{v}")
}

/// Expected (supply change, gap before, gap after) of one area and lot, worked out from
/// the two quarters' files.
struct Expected {
    supply_change: f64,
    demand: (Option<f64>, Option<f64>),
    waiting: (Option<u32>, Option<u32>),
    gap: (Option<f64>, Option<f64>),
}

fn expected(q: &Quarters, members: &[&str], lot: &str) -> Expected {
    let (s2, s3) = (supply(&q.q2), supply(&q.q3));
    let (p2, p3) = (people(&q.q2), people(&q.q3));
    let key = |d: &str| (d.to_string(), lot.to_string());
    let sum_supply = |m: &BTreeMap<(String, String), f64>| -> f64 {
        members
            .iter()
            .map(|d| m.get(&key(d)).copied().unwrap_or(0.0))
            .sum()
    };
    let split = |m: &BTreeMap<(String, String), (u32, u32)>, d: &str| {
        published_split(m.get(&key(d)).copied().unwrap_or((0, 0)))
    };
    // Groupings sum the published district figures; a suppressed part suppresses the sum.
    let demand = |m| -> Option<f64> { members.iter().map(|d| split(m, d).2.map(f64::from)).sum() };
    let waiting = |m| -> Option<u32> { members.iter().map(|d| split(m, d).1).sum() };
    let (sb, sa) = (sum_supply(&s2), sum_supply(&s3));
    let (db, da) = (demand(&p2), demand(&p3));
    Expected {
        supply_change: sa - sb,
        demand: (db, da),
        waiting: (waiting(&p2), waiting(&p3)),
        gap: (db.map(|d| d - sb), da.map(|d| d - sa)),
    }
}

fn row<'a>(
    rows: &'a [BTreeMap<String, String>],
    area: &str,
    lot: &str,
) -> &'a BTreeMap<String, String> {
    rows.iter()
        .find(|r| r["area_code"] == area && r["lot"] == lot)
        .unwrap_or_else(|| panic!("no row for {area} {lot}"))
}

fn check_row(rows: &[BTreeMap<String, String>], area: &str, lot: &str, e: &Expected) {
    let r = row(rows, area, lot);
    let what = format!("{area} {lot}");
    assert_eq!(r["comparable"], "yes", "{what}");
    assert_eq!(
        num(&r["supply_change"]),
        Some(e.supply_change),
        "{what} supply"
    );
    assert_eq!(num(&r["demand_before"]), e.demand.0, "{what} demand before");
    assert_eq!(num(&r["demand_after"]), e.demand.1, "{what} demand after");
    let change = |(b, a): (Option<f64>, Option<f64>)| Some(a? - b?);
    assert_eq!(
        num(&r["demand_change"]),
        change(e.demand),
        "{what} demand change"
    );
    assert_eq!(num(&r["gap_before"]), e.gap.0, "{what} gap before");
    assert_eq!(num(&r["gap_after"]), e.gap.1, "{what} gap after");
    assert_eq!(num(&r["gap_change"]), change(e.gap), "{what} gap change");
    let waiting = |t: &str| (!t.is_empty()).then(|| t.parse::<u32>().expect("count"));
    assert_eq!(
        waiting(&r["waiting_before"]),
        e.waiting.0,
        "{what} waiting before"
    );
    assert_eq!(
        waiting(&r["waiting_after"]),
        e.waiting.1,
        "{what} waiting after"
    );
}

/// Whether a row shows any change at all.
fn changed(r: &BTreeMap<String, String>) -> bool {
    r.iter()
        .filter(|(k, _)| k.ends_with("_change"))
        .any(|(_, v)| num(v).is_some_and(|x| x != 0.0))
}

/// The gap change kind the rules give, with threshold 2.
fn kind(before: f64, after: f64) -> Option<&'static str> {
    if (after - before).abs() <= 2.0 {
        return None;
    }
    match (before > 0.0, after > 0.0) {
        (false, true) => Some("opened"),
        (true, false) => Some("closed"),
        (true, true) if after > before => Some("widened"),
        (true, true) => Some("narrowed"),
        _ => None,
    }
}

#[test]
fn a_quarter_later_compare_reports_exactly_the_edits() {
    let q = quarters();
    let o = ok(compare(&q.outputs, &[]));
    let text = stdout(&o);
    let folder = q.outputs.join("compare-2025-Q2-2025-Q3");

    // Services: exactly SV068 opened and SV023 closed.
    let services = read_csv(&folder.join("tables/changes_services.csv"));
    let got: Vec<(&str, &str)> = services
        .iter()
        .map(|r| (r["service_id"].as_str(), r["change"].as_str()))
        .collect();
    assert_eq!(got, vec![(CLOSED, "closed"), ("SV068", "opened")]);
    let closed_capacity: f64 = read_csv(&q.q2.join("services.csv"))
        .iter()
        .find(|r| r["service_id"] == CLOSED)
        .map(|r| r["capacity"].parse().expect("capacity"))
        .expect("the closed service");
    assert_eq!(num(&services[0]["capacity_before"]), Some(closed_capacity));
    assert_eq!(services[1]["capacity_after"], "6.0");
    assert_eq!(services[1]["district_name"], "Melton");

    // The areas and lots that changed, and their figures.
    let rows = read_csv(&folder.join("tables/changes_by_district.csv"));
    let closed_lots: Vec<String> = read_csv(&q.q2.join("services.csv"))
        .iter()
        .find(|r| r["service_id"] == CLOSED)
        .map(|r| r["lots"].split(';').map(String::from).collect())
        .expect("lots");
    let mut cases: Vec<(&str, Vec<&str>, String)> = vec![
        (MELTON, vec![MELTON], "pmld".into()),
        (HARBOROUGH, vec![HARBOROUGH], ADDED_LOT.into()),
        (EAST, vec![HARBOROUGH, MELTON], "pmld".into()),
    ];
    for lot in &closed_lots {
        cases.push((HINCKLEY, vec![HINCKLEY], lot.clone()));
    }
    let mut expected_gaps = BTreeSet::new();
    for (area, members, lot) in &cases {
        let e = expected(&q, members, lot);
        check_row(&rows, area, lot, &e);
        if let (Some(b), Some(a)) = e.gap {
            if let Some(k) = kind(b, a) {
                expected_gaps.insert((
                    area.to_string(),
                    lot.clone(),
                    k.to_string(),
                    fmt(b),
                    fmt(a),
                ));
            }
        }
    }
    let expected_supply = |area: &str, lot: &str| {
        cases
            .iter()
            .find(|(a, _, l)| *a == area && l == lot)
            .map(|(_, m, l)| expected(&q, m, l).supply_change)
    };
    assert_eq!(expected_supply(MELTON, "pmld"), Some(6.0));
    for lot in &closed_lots {
        assert_eq!(expected_supply(HINCKLEY, lot), Some(-closed_capacity));
    }
    let changed_rows: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| changed(r))
        .map(|r| (r["area_code"].clone(), r["lot"].clone()))
        .collect();
    let expected_rows: BTreeSet<(String, String)> = cases
        .iter()
        .map(|(a, _, l)| (a.to_string(), l.clone()))
        .collect();
    assert_eq!(changed_rows, expected_rows);
    assert!(rows.iter().all(|r| r["comparable"] == "yes"));

    // Gaps that opened, closed, widened or narrowed by more than 2: exactly those worked out.
    let gaps: BTreeSet<(String, String, String, String, String)> =
        read_csv(&folder.join("tables/gap_changes.csv"))
            .iter()
            .map(|r| {
                (
                    r["area_code"].clone(),
                    r["lot"].clone(),
                    r["gap_change"].clone(),
                    fmt(num(&r["gap_before"]).expect("before")),
                    fmt(num(&r["gap_after"]).expect("after")),
                )
            })
            .collect();
    assert_eq!(gaps, expected_gaps);
    assert!(!gaps.is_empty());

    // The summary says so in words, gap changes first.
    let e = expected(&q, &[HARBOROUGH], ADDED_LOT);
    let (b, a) = (e.gap.0.expect("gap"), e.gap.1.expect("gap"));
    let sentence = format!(
        "Harborough PMLD: gap widened from {b} to {a} places (+{})",
        a - b
    );
    assert!(text.contains(&sentence), "{sentence:?} not in:\n{text}");
    let e = expected(&q, &[MELTON], "pmld");
    let (b, a) = (e.gap.0.expect("gap"), e.gap.1.expect("gap"));
    let sentence = format!(
        "Melton PMLD: gap narrowed from {b} to {a} places ({})",
        a - b
    );
    assert!(text.contains(&sentence), "{sentence:?} not in:\n{text}");
    assert!(text.contains("SV068") && text.contains("opened"), "{text}");
    assert!(
        text.contains("Comparable: both runs used the same"),
        "{text}"
    );
    assert!(
        text.find("Gaps that").expect("gaps") < text.find("Services").expect("services"),
        "{text}"
    );

    // The map: the later run's districts with before, after and change per lot.
    let map: serde_json::Value = serde_json::from_slice(
        &std::fs::read(folder.join("maps/districts_change.geojson")).expect("map"),
    )
    .expect("json");
    let features = map["features"].as_array().expect("features");
    assert_eq!(features.len(), 7);
    let melton = features
        .iter()
        .find(|f| f["properties"]["LAD11CD"] == MELTON)
        .expect("Melton");
    assert_eq!(melton["properties"]["LAD11NM"], "Melton");
    assert_eq!(melton["geometry"]["type"], "MultiPolygon");
    assert_eq!(melton["properties"]["pmld_gap_change"].as_f64(), Some(-6.0));
    assert!(map.get("crs").is_none());
    for name in [
        "tables/changes_by_district.parquet",
        "tables/changes_services.parquet",
        "tables/gap_changes.parquet",
        "charts/change_by_district.svg",
        "charts/change_by_district.png",
        "summary.txt",
    ] {
        assert!(folder.join(name).is_file(), "{name} missing");
    }

    // An existing comparison is kept unless --force; the same runs give the same bytes.
    let before = snapshot(&folder);
    let again = compare(&q.outputs, &[]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    ok(compare(&q.outputs, &["--force"]));
    assert_eq!(snapshot(&folder), before, "a second comparison differs");
    let elsewhere = q.outputs.join("elsewhere");
    ok(compare(&q.outputs, &["--out", s(&elsewhere)]));
    assert_eq!(snapshot(&elsewhere), before);
}

#[test]
fn a_different_catchment_makes_access_not_comparable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("outputs");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    sample_run(&a, &outputs, "2025-Q2");
    ok(gapmap(&["sample", "--out", s(&b)]));
    let config = std::fs::read_to_string(b.join("gapmap.toml")).expect("read");
    assert!(config.contains("catchment_km = 30.0"));
    std::fs::write(
        b.join("gapmap.toml"),
        config.replace("catchment_km = 30.0", "catchment_km = 25.0"),
    )
    .expect("write");
    run(&b, &outputs, "2025-Q3");
    let o = ok(compare(&outputs, &["--out", s(&dir.path().join("cmp"))]));
    let note = "access not comparable (analysis.catchment_km 30 -> 25)";
    assert!(stdout(&o).contains(note), "{}", stdout(&o));
    let rows = read_csv(&dir.path().join("cmp/tables/changes_by_district.csv"));
    for r in &rows {
        assert_eq!(r["comparable"], note);
        assert_eq!(r["share_beyond_catchment_change"], "");
        assert_eq!(r["mean_distance_km_change"], "");
        // Supply and demand still compare: the same inputs, no change.
        assert_eq!(num(&r["supply_change"]), Some(0.0));
    }
    assert!(rows
        .iter()
        .any(|r| !r["mean_distance_km_before"].is_empty()));
}

#[test]
fn history_lists_runs_in_quarter_order_and_charts_the_county_gap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().join("outputs");
    for label in ["2025-Q3", "2024-Q4", "2025-Q2"] {
        ok(gapmap(&["run", "--out", s(&outputs), "--label", label]));
    }
    // A comparison folder beside the runs is not a run.
    ok(gapmap(&[
        "compare",
        "2024-Q4",
        "2025-Q2",
        "--outputs",
        s(&outputs),
    ]));
    let o = ok(gapmap(&["history", "--outputs", s(&outputs)]));
    let text = stdout(&o);
    let labels: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("20"))
        .map(|l| l.split_whitespace().next().expect("label"))
        .collect();
    assert_eq!(labels, vec!["2024-Q4", "2025-Q2", "2025-Q3"], "{text}");
    let first = text.lines().next().expect("a line");
    assert!(first.contains("data 2025-06-30"), "{first}");
    assert!(first.contains("inputs services "), "{first}");
    // The sample's largest shortfall relative to demand is Melton's managed PA (all of it).
    assert!(
        first.contains("top gaps: Melton managed PA +180 PA hours per week"),
        "{first}"
    );
    let history = outputs.join("history");
    for name in [
        "trend_gap_by_lot.svg",
        "trend_gap_by_lot.png",
        "history.csv",
    ] {
        assert!(history.join(name).is_file(), "{name} missing");
    }
    let rows = read_csv(&history.join("history.csv"));
    let order: Vec<&str> = rows.iter().map(|r| r["label"].as_str()).collect();
    assert_eq!(order, vec!["2024-Q4", "2025-Q2", "2025-Q3"]);
    // The county PMLD gap is the sum of the district gaps in gaps.csv.
    let gaps = read_csv(&outputs.join("2025-Q2/tables/gaps.csv"));
    let pmld: Option<f64> = gaps
        .iter()
        .filter(|r| r["lot"] == "pmld" && r["area_code"].starts_with('E'))
        .map(|r| num(&r["gap"]))
        .sum();
    assert_eq!(num(&rows[1]["pmld_county_gap"]), pmld);
}

#[test]
fn run_with_compare_with_carries_the_changes_into_the_run_and_its_report() {
    let q = quarters();
    let o = ok(gapmap(&[
        "run",
        "--config",
        s(&q.q3.join("gapmap.toml")),
        "--out",
        s(&q.outputs),
        "--label",
        "2025-Q3b",
        "--compare-with",
        "2025-Q2",
    ]));
    let run = q.outputs.join("2025-Q3b");
    for file in [
        "tables/changes_by_district.csv",
        "tables/gap_changes.csv",
        "tables/changes_services.csv",
        "maps/districts_change.geojson",
        "charts/change_by_district.png",
    ] {
        assert!(run.join(file).exists(), "{file} missing");
    }
    let services = read_csv(&run.join("tables/changes_services.csv"));
    let ids: BTreeSet<&str> = services.iter().map(|r| r["service_id"].as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["SV023", "SV068"]));
    let html = std::fs::read_to_string(run.join("report.html")).expect("report");
    assert!(
        html.contains("Since last quarter (2025-Q2 to 2025-Q3b)"),
        "no section"
    );
    // The report's section names the changes the comparison found.
    assert!(
        html.contains("SV068"),
        "the new Melton service is not in the report"
    );
    // Its chart of the change in gap by district states where the gap grew and shrank
    // most, worked out from the two quarters' files: the only district gaps that move are
    // Melton's PMLD (6 new places), Harborough's PMLD (10 more people waiting) and
    // Hinckley and Bosworth's lots of the closed service (see the test above).
    let closed_lots: Vec<String> = read_csv(&q.q2.join("services.csv"))
        .iter()
        .find(|r| r["service_id"] == CLOSED)
        .map(|r| r["lots"].split(';').map(String::from).collect())
        .expect("lots");
    let short = |lot: &str| match lot {
        "pmld" => "PMLD",
        "ld_autism" => "learning disability and/or autism",
        "physical_sensory" => "physical and sensory disability",
        "mental_health" => "mental health",
        "older_adults" => "older adults",
        "dementia" => "dementia",
        other => panic!("a day-service lot of the sample: {other}"),
    };
    let mut moved: Vec<(f64, String)> = Vec::new();
    let mut cases = vec![
        (MELTON, "Melton", "pmld".to_string()),
        (HARBOROUGH, "Harborough", "pmld".to_string()),
    ];
    cases.extend(
        closed_lots
            .iter()
            .map(|l| (HINCKLEY, "Hinckley and Bosworth", l.clone())),
    );
    for (code, name, lot) in &cases {
        if let (Some(b), Some(a)) = expected(&q, &[code], lot).gap {
            if a != b {
                moved.push((a - b, format!("{name} for {}", short(lot))));
            }
        }
    }
    let places = |x: f64| {
        let unit = if x.abs() == 1.0 { "place" } else { "places" };
        if x > 0.0 {
            format!("+{x} {unit}")
        } else {
            format!("{x} {unit}")
        }
    };
    moved.sort_by(|a, b| b.0.total_cmp(&a.0));
    let moved_lots: BTreeSet<&str> = moved
        .iter()
        .map(|(_, what)| what.split(" for ").nth(1).expect("a lot"))
        .collect();
    let (grew, shrank) = (&moved[0], &moved[moved.len() - 1]);
    assert!(grew.0 > 0.0 && shrank.0 < 0.0, "{moved:?}");
    assert_eq!(shrank.1, "Melton for PMLD");
    let (alt, caption) = common::figure(
        &html,
        "Change in gap by district, 2025-Q2 to 2025-Q3b (places)",
    )
    .expect("the change chart");
    assert!(
        alt.starts_with(&format!(
            "From 2025-Q2 to 2025-Q3b, the gap grew most in {} ({})",
            grew.1,
            places(grew.0)
        )),
        "{alt}"
    );
    assert!(
        alt.contains(&format!(
            "; it shrank most in {} ({}). {} of the {} district gaps drawn changed",
            shrank.1,
            places(shrank.0),
            moved.len(),
            // The chart draws the lots whose gap moved, for each of the 7 districts.
            7 * moved_lots.len()
        )),
        "{alt}"
    );
    assert!(caption.contains("<a href=\"#since-change_by_district\">The figures as a table</a>"));
    assert!(html.contains("<details id=\"since-change_by_district\">"));
    // The manifest lists the change files with their checksums, and itself once at most.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("manifest.json")).expect("manifest"))
            .expect("json");
    let files: Vec<&str> = manifest["outputs"]
        .as_array()
        .expect("outputs")
        .iter()
        .filter_map(|o| o["file"].as_str())
        .collect();
    assert!(files.contains(&"tables/gap_changes.csv"));
    assert!(!files.contains(&"manifest.json"));
    let _ = o;
    // A missing earlier run is an error before anything is written.
    let o = gapmap(&[
        "run",
        "--config",
        s(&q.q3.join("gapmap.toml")),
        "--out",
        s(&q.outputs),
        "--label",
        "2025-Q3c",
        "--compare-with",
        "2024-Q1",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(!q.outputs.join("2025-Q3c").exists());
}

/// Market changes from Q2 to Q3: SV068 (PR05, 6 PMLD places) opens, so PMLD supply goes
/// from 102 to 108 places (services.csv) and its HHI from 2135.7 to 1935.9 (shares of
/// 5, 11, 30, 14, 14, 28 and 6 of 108 squared, summed); PR05's share of PMLD supply goes
/// from 0 to 6 / 108 = 0.0556.
#[test]
fn compare_shows_changes_in_concentration_and_provider_shares() {
    let q = quarters();
    let o = ok(compare(&q.outputs, &[]));
    let folder = q.outputs.join("compare-2025-Q2-2025-Q3");
    let market = read_csv(&folder.join("tables/changes_market.csv"));
    let pmld = market
        .iter()
        .find(|r| r["area_code"].is_empty() && r["lot"] == "pmld")
        .expect("pmld, all districts");
    assert_eq!(pmld["hhi_before"], "2135.7");
    assert_eq!(pmld["hhi_after"], "1935.9");
    assert_eq!(pmld["hhi_change"], "-199.8");
    assert_eq!(pmld["providers_before"], "6.0");
    assert_eq!(pmld["providers_after"], "7.0");
    let shares = read_csv(&folder.join("tables/changes_provider_shares.csv"));
    let pr05 = shares
        .iter()
        .find(|r| r["area_code"].is_empty() && r["lot"] == "pmld" && r["provider_id"] == "PR05")
        .expect("PR05 in PMLD");
    assert_eq!(pr05["share_of_supply_before"], "0.0");
    assert_eq!(pr05["share_of_supply_after"], "0.0556");
    let summary = stdout(&o);
    assert!(
        summary.contains("PMLD: HHI 2136 to 1936 (-200), 6 to 7 providers"),
        "{summary}"
    );
}
