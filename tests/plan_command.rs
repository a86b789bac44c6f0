//! `gapmap plan` on points: hand-worked cases and agreement with a brute-force optimum
//! computed here, independently of the program.

mod common;

use std::path::Path;

use common::{gapmap, leftovers, read_csv, stderr, stdout};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.to_str().expect("utf8").to_string()
}

/// Planar metres along a line, so distances are exact. Demand: D1 at 0 km (weight 4),
/// D2 at 12 km (3), D3 at 30 km (5). Existing service E at 0 km. Candidates: A at 10 km,
/// B at 20 km, C at 40 km. Catchment 10 km, inclusive: E reaches D1; A reaches D1 (10 km)
/// and D2 (2 km); B reaches D2 (8) and D3 (10); C reaches D3 (10). With p = 1, B newly
/// covers D2 and D3 (8), A only D2 (3), C only D3 (5): B, covering all 12.
#[test]
fn plan_command_matches_the_hand_worked_example() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let demand = write(
        d,
        "demand.csv",
        "id,x,y,weight,need\nD1,400000,300000,4,pmld\nD2,412000,300000,3,pmld\nD3,430000,300000,5,pmld\n",
    );
    let services = write(
        d,
        "services.csv",
        "id,x,y,capacity,needs\nE,400000,300000,10,pmld\n",
    );
    let candidates = write(
        d,
        "candidates.csv",
        "id,x,y\nA,410000,300000\nB,420000,300000\nC,440000,300000\n",
    );
    let out = d.join("plan.csv");
    let o = gapmap(&[
        "plan",
        "--demand",
        &demand,
        "--services",
        &services,
        "--candidates",
        &candidates,
        "--new-services",
        "1",
        "--catchment",
        "10",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&out);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["candidate_id"], "B");
    assert_eq!(rows[0]["gain"], "8");
    assert!(
        stdout(&o).contains("covers 12 of at most 12"),
        "{}",
        stdout(&o)
    );
    // The distance objective: nearest costs before are D1 0, D2 12, D3 30 (to E); B brings
    // D2 to 8 and D3 to 10: total 0 + 24 + 50 = 74; A gives 0 + 6 + 5 x 20 = 106; C gives
    // 0 + 36 + 50 = 86. So B, total 74.
    let o = gapmap(&[
        "plan",
        "--demand",
        &demand,
        "--services",
        &services,
        "--candidates",
        &candidates,
        "--new-services",
        "1",
        "--catchment",
        "10",
        "--objective",
        "distance",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_csv(&out)[0]["candidate_id"], "B");
    assert!(
        stdout(&o).contains("total weighted distance 74"),
        "{}",
        stdout(&o)
    );
}

/// `--prove` on the hand-worked example above: B alone covers all 12 of the weight, so the
/// exact search proves the plan optimal; a capacitated plan is refused.
#[test]
fn plan_command_proves_the_plan_optimal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let demand = write(
        d,
        "demand.csv",
        "id,x,y,weight,need\nD1,400000,300000,4,pmld\nD2,412000,300000,3,pmld\nD3,430000,300000,5,pmld\n",
    );
    let candidates = write(
        d,
        "candidates.csv",
        "id,x,y\nA,410000,300000\nB,420000,300000\nC,440000,300000\n",
    );
    let out = d.join("plan.csv");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "plan",
            "--demand",
            &demand,
            "--candidates",
            &candidates,
            "--new-services",
            "1",
            "--catchment",
            "10",
            "--prove",
            "--out",
            out.to_str().expect("utf8"),
        ];
        a.extend_from_slice(extra);
        gapmap(&a)
    };
    let o = args(&[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("proven optimal"), "{}", stdout(&o));
    let o = args(&["--objective", "distance", "--prove-seconds", "5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("proven optimal"), "{}", stdout(&o));
    let o = args(&["--capacity", "5"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("without capacities"), "{}", stderr(&o));
    let o = args(&["--prove-seconds=-1"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--prove-seconds -1"), "{}", stderr(&o));
}

/// A capacitated plan: B has 2 places, A has 5. Uncapacitated, B wins (above). With
/// capacities, E (10 places) takes D1; B could place 2 of D2 and D3's 8 people, A all 3 of
/// D2: A places more.
#[test]
fn plan_command_respects_places() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let demand = write(
        d,
        "demand.csv",
        "id,x,y,weight,need\nD1,400000,300000,4,pmld\nD2,412000,300000,3,pmld\nD3,430000,300000,5,pmld\n",
    );
    let services = write(
        d,
        "services.csv",
        "id,x,y,capacity,needs\nE,400000,300000,10,pmld\n",
    );
    let candidates = write(
        d,
        "candidates.csv",
        "id,x,y,capacity\nA,410000,300000,5\nB,420000,300000,2\nC,440000,300000,1\n",
    );
    let out = d.join("plan.csv");
    let o = gapmap(&[
        "plan",
        "--demand",
        &demand,
        "--services",
        &services,
        "--candidates",
        &candidates,
        "--new-services",
        "1",
        "--catchment",
        "10",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&out);
    assert_eq!(rows[0]["candidate_id"], "A");
    assert_eq!(rows[0]["users"], "3");
    assert!(stdout(&o).contains("places 7 of at most"), "{}", stdout(&o));
}

/// SplitMix64.
fn next(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// Random planar instances; the best p sites found by trying every subset here.
#[test]
fn plan_command_agrees_with_brute_force() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for seed in 1..=6u64 {
        let mut state = seed;
        let mut point = || {
            (
                400_000.0 + (30_000.0 * next(&mut state)).round(),
                300_000.0 + (30_000.0 * next(&mut state)).round(),
            )
        };
        let people: Vec<((f64, f64), f64)> =
            (0..30).map(|k| (point(), 1.0 + (k % 4) as f64)).collect();
        let sites: Vec<(f64, f64)> = (0..10).map(|_| point()).collect();
        let mut demand = String::from("id,x,y,weight,need\n");
        for (k, ((x, y), w)) in people.iter().enumerate() {
            demand.push_str(&format!("D{k},{x},{y},{w},n\n"));
        }
        let mut candidates = String::from("id,x,y\n");
        for (k, (x, y)) in sites.iter().enumerate() {
            candidates.push_str(&format!("C{k},{x},{y}\n"));
        }
        let demand = write(d, "demand.csv", &demand);
        let candidates = write(d, "candidates.csv", &candidates);
        let km = |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).hypot(a.1 - b.1)) / 1000.0;
        for p in [2usize, 3] {
            let mut best = 0.0f64;
            for mask in 0u32..1 << sites.len() {
                if mask.count_ones() as usize != p {
                    continue;
                }
                let covered: f64 = people
                    .iter()
                    .filter(|(at, _)| {
                        (0..sites.len()).any(|j| mask & (1 << j) != 0 && km(*at, sites[j]) <= 8.0)
                    })
                    .map(|(_, w)| w)
                    .sum();
                best = best.max(covered);
            }
            let out = d.join("plan.csv");
            let o = gapmap(&[
                "plan",
                "--demand",
                &demand,
                "--candidates",
                &candidates,
                "--new-services",
                &p.to_string(),
                "--catchment",
                "8",
                "--out",
                out.to_str().expect("utf8"),
            ]);
            assert!(o.status.success(), "{}", stderr(&o));
            let chosen: Vec<usize> = read_csv(&out)
                .iter()
                .map(|r| r["candidate_id"][1..].parse().expect("id"))
                .collect();
            let covered: f64 = people
                .iter()
                .filter(|(at, _)| chosen.iter().any(|&j| km(*at, sites[j]) <= 8.0))
                .map(|(_, w)| w)
                .sum();
            assert_eq!(covered, best, "seed {seed}, p {p}");
        }
    }
}

#[test]
fn plan_command_names_bad_candidates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let demand = write(
        d,
        "demand.csv",
        "id,x,y,weight,need\nD1,400000,300000,4,pmld\n",
    );
    let candidates = write(d, "candidates.csv", "id,x,y\nA,410000,north\n");
    let out = d.join("plan.csv");
    let o = gapmap(&[
        "plan",
        "--demand",
        &demand,
        "--candidates",
        &candidates,
        "--new-services",
        "1",
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("candidates.csv, line 2, column y: \"north\""),
        "{e}"
    );
    assert!(!out.exists());
}

/// The plan in a run, on the sample: managed PA cover goes to the east (Melton and
/// Harborough, the districts the council names), every count of people is published
/// through disclosure control (multiples of 5, or suppressed), and the map and GeoJSON are
/// written.
#[test]
fn plan_in_a_run_puts_managed_pa_cover_in_the_east() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().to_str().expect("utf8");
    let o = gapmap(&[
        "plan",
        "--lot",
        "managed_pa",
        "--new-services",
        "2",
        "--places",
        "100",
        "--outputs",
        outputs,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = dir.path().join("2025-Q2/plans/managed_pa-2");
    let sites = read_csv(&folder.join("chosen_sites.csv"));
    let mut districts: Vec<&str> = sites.iter().map(|r| r["district"].as_str()).collect();
    districts.sort_unstable();
    assert_eq!(districts, vec!["Harborough", "Melton"]);
    for row in read_csv(&folder.join("districts.csv")) {
        for column in [
            "people",
            "beyond_catchment_before",
            "beyond_catchment_after",
        ] {
            let v = &row[column];
            assert!(
                v.is_empty() || v.parse::<u32>().is_ok_and(|n| n % 5 == 0),
                "{column} = {v}"
            );
        }
    }
    let geojson: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("sites.geojson")).expect("read"))
            .expect("json");
    let features = geojson["features"].as_array().expect("features");
    assert_eq!(features.len(), 2);
    assert_eq!(features[0]["geometry"]["type"], "Point");
    assert!(std::fs::read(folder.join("map.png"))
        .expect("png")
        .starts_with(b"\x89PNG"));
    let report = std::fs::read_to_string(folder.join("report.html")).expect("report");
    assert!(report.contains("Where new capacity would help most"));
    assert!(stdout(&o).contains("of at most"), "{}", stdout(&o));
    // A second plan of the same name is refused without --force, and leaves the first.
    let again = gapmap(&[
        "plan",
        "--lot",
        "managed_pa",
        "--new-services",
        "2",
        "--places",
        "100",
        "--outputs",
        outputs,
    ]);
    assert!(!again.status.success());
    assert!(folder.join("chosen_sites.csv").exists());
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

/// PMLD places on the sample go where the council names shortfalls: Melton, Charnwood
/// (Loughborough) and Harborough each get a site, and every new place lands in a district
/// with a shortfall. The people placed are the 28 waiting for PMLD (people.csv), in the new
/// places and the room left at the ten active PMLD services (capacity minus current users,
/// services.csv: 1 + 0 + 1 + 0 + 3 + 0 + 3 + 0 + 4 + 2 = 14).
#[test]
fn plan_in_a_run_puts_pmld_places_where_the_shortfalls_are() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().to_str().expect("utf8");
    let o = gapmap(&[
        "plan",
        "--lot",
        "pmld",
        "--new-services",
        "3",
        "--places",
        "10",
        "--outputs",
        outputs,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // 14 places of room and 30 new ones hold all 28 people waiting.
    assert!(
        stdout(&o).contains("places 28 of at most 28 people waiting"),
        "{}",
        stdout(&o)
    );
    let folder = dir.path().join("2025-Q2/plans/pmld-3");
    let sites = read_csv(&folder.join("chosen_sites.csv"));
    let mut districts: Vec<&str> = sites.iter().map(|r| r["district"].as_str()).collect();
    districts.sort_unstable();
    assert_eq!(districts, vec!["Charnwood", "Harborough", "Melton"]);
    for row in read_csv(&folder.join("districts.csv")) {
        if row["new_capacity"] != "0" {
            let gap: f64 = row["gap_before"].parse().expect("gap");
            assert!(gap > 0.0, "{} had no shortfall", row["district"]);
        }
    }
    // Two sites of 5 places: at most 14 + 10 = 24 of the 28 can have a place. With existing
    // services at full capacity (5 + 3 + 5 + 3 + 14 + 14 + 14 + 8 + 20 + 16 = 102, places
    // shared with other lots counted in full) and everyone re-placed, 85 current and 28
    // waiting, at most 102 + 10 = 112 of the 113 fit.
    let o = gapmap(&[
        "plan",
        "--lot",
        "pmld",
        "--new-services",
        "2",
        "--places",
        "5",
        "--outputs",
        outputs,
    ]);
    assert!(
        stdout(&o).contains("of at most 24 people waiting"),
        "{}",
        stdout(&o)
    );
    let o = gapmap(&[
        "plan",
        "--lot",
        "pmld",
        "--new-services",
        "2",
        "--places",
        "5",
        "--full-capacity",
        "--label",
        "full",
        "--outputs",
        outputs,
    ]);
    assert!(
        stdout(&o).contains("places 112 of at most 112 people:"),
        "{}",
        stdout(&o)
    );
}

/// The plan's map in the run's report states its finding: the sites in the order chosen,
/// and the gaps after 10 new places in each site's district (the sites lie in Charnwood,
/// Harborough and Melton: the test above).
#[test]
fn a_plans_map_states_its_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().to_str().expect("utf8");
    let o = gapmap(&["run", "--out", outputs]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = gapmap(&[
        "plan",
        "--lot",
        "pmld",
        "--new-services",
        "3",
        "--places",
        "10",
        "--outputs",
        outputs,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sites = read_csv(&dir.path().join("2025-Q2/plans/pmld-3/chosen_sites.csv"));
    let districts: Vec<&str> = sites.iter().map(|r| r["district"].as_str()).collect();
    // Before, the run's published PMLD gaps (the
    // sample's Charnwood 22, Harborough 15 and Melton 7, tools/make_sample.py; the others
    // from its gaps table, one not shown): after, Charnwood 12, Harborough 5, Melton -3.
    let before: Vec<(String, Option<f64>)> = read_csv(&dir.path().join("2025-Q2/tables/gaps.csv"))
        .into_iter()
        // Districts (ONS codes), not the grouping of the east.
        .filter(|r| r["lot"] == "pmld" && r["area_code"].starts_with("E0"))
        .map(|r| (r["area_name"].clone(), r["gap"].parse().ok()))
        .collect();
    for (name, gap) in [("Charnwood", 22.0), ("Harborough", 15.0), ("Melton", 7.0)] {
        assert!(
            before.contains(&(name.to_string(), Some(gap))),
            "{before:?}"
        );
    }
    let after: Vec<Option<f64>> = before
        .iter()
        .map(|(name, gap)| {
            let added = 10.0 * districts.iter().filter(|d| *d == name).count() as f64;
            gap.map(|g| g - added)
        })
        .collect();
    let short = |gaps: &mut dyn Iterator<Item = Option<f64>>| {
        gaps.filter(|g| g.is_some_and(|g| g > 0.0)).count()
    };
    let (short_before, short_after) = (
        short(&mut before.iter().map(|(_, g)| *g)),
        short(&mut after.iter().copied()),
    );
    let (largest, name) = after
        .iter()
        .zip(&before)
        .filter_map(|(g, (name, _))| g.map(|g| (g, name)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .expect("a gap");
    assert_eq!((largest, name.as_str()), (12.0, "Charnwood"));
    let chosen: Vec<String> = sites
        .iter()
        .map(|r| format!("{}. {} ({})", r["rank"], r["name"], r["district"]))
        .collect();
    let report = std::fs::read_to_string(dir.path().join("2025-Q2/report.html")).expect("report");
    let (alt, caption) =
        common::figure(&report, "the gap by district after the plan").expect("the plan's map");
    assert_eq!(
        alt,
        format!(
            "Profound and multiple learning disabilities (PMLD): the chosen sites are {}, {} and {}. With 30 places added, the largest shortfall is in Charnwood (a shortfall of 12 places); {short_after} of 7 districts have a shortfall, against {short_before} before the plan; {} not shown because fewer than 8 people are involved.",
            chosen[0],
            chosen[1],
            chosen[2],
            after.iter().filter(|g| g.is_none()).count()
        )
    );
    assert!(caption.contains("<a href=\"#plan-pmld-3-districts\">The figures as a table</a>"));
    assert!(report.contains("<table id=\"plan-pmld-3-districts\">"));
}

/// Plans go into the run's own report, in folder-name order whatever order they were made
/// in, and the manifest's SHA-256 of the report follows it.
#[test]
fn plans_go_into_the_runs_report_in_a_fixed_order() {
    use sha2::{Digest, Sha256};
    let pmld = ["--lot", "pmld", "--new-services", "1", "--places", "10"];
    let pa = ["--lot", "managed_pa", "--new-services", "1"];
    let mut reports = Vec::new();
    for order in [
        [pmld.as_slice(), pa.as_slice()],
        [pa.as_slice(), pmld.as_slice()],
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().to_str().expect("utf8");
        let o = gapmap(&["run", "--out", out]);
        assert!(o.status.success(), "{}", stderr(&o));
        let path = dir.path().join("2025-Q2/report.html");
        let before = std::fs::read_to_string(&path).expect("report");
        assert!(!before.contains("Where new capacity"));
        for args in order {
            let mut all = vec!["plan", "--outputs", out];
            all.extend_from_slice(args);
            let o = gapmap(&all);
            assert!(o.status.success(), "{}", stderr(&o));
            assert!(
                stdout(&o).contains("report.html now holds"),
                "{}",
                stdout(&o)
            );
        }
        let after = std::fs::read_to_string(&path).expect("report");
        let (a, b) = (
            after.find("id=\"plan-managed_pa-1\"").expect("PA plan"),
            after.find("id=\"plan-pmld-1\"").expect("PMLD plan"),
        );
        let method = after.find("id=\"method\"").expect("method");
        assert!(a < b && b < method);
        assert!(after.contains("<a href=\"#plans\">Where to add capacity</a>"));
        // Everything outside the plans block is as the run wrote it.
        let outside = |html: &str| {
            let start = html.find("<!-- gapmap:plans -->").expect("start");
            let end = html.find("<!-- /gapmap:plans -->").expect("end");
            (
                html[..start].replace("<a href=\"#plans\">Where to add capacity</a>", ""),
                html[end..].to_string(),
            )
        };
        assert_eq!(outside(&after), outside(&before));
        let manifest: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.path().join("2025-Q2/manifest.json")).expect("manifest"),
        )
        .expect("json");
        let listed = manifest["outputs"]
            .as_array()
            .expect("outputs")
            .iter()
            .find(|o| o["file"] == "report.html")
            .expect("report listed");
        let digest: String = Sha256::digest(after.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(listed["sha256"], digest.as_str());
        reports.push(after);
    }
    assert_eq!(reports[0], reports[1]);
}

#[test]
fn plan_in_a_run_names_an_unknown_lot() {
    let dir = tempfile::tempdir().expect("tempdir");
    let o = gapmap(&[
        "plan",
        "--lot",
        "pmdl",
        "--new-services",
        "3",
        "--outputs",
        dir.path().to_str().expect("utf8"),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("no lot \"pmdl\""), "{}", stderr(&o));
}

/// With a `[travel]` network in the config (the Rutland example), a plan measures drive
/// minutes over the roads, like the run: the catchment is in minutes, and the weekly km to
/// the nearest suitable service before the plan equal what `gapmap travel` gives for the
/// same homes and services (quickest route's km, x days attended x 2), worked out here from
/// its matrix.
#[test]
fn plan_in_a_run_measures_drive_times_over_the_configured_roads() {
    let example = |name: &str| format!("{}/examples/rutland/{name}", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().to_str().expect("utf8");
    let config = example("gapmap.toml");
    let o = gapmap(&[
        "plan",
        "--config",
        &config,
        "--lot",
        "older_adults",
        "--new-services",
        "1",
        "--outputs",
        outputs,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("within 20 minutes"), "{}", stdout(&o));
    let folder = dir.path().join("rutland-example/plans/older_adults-1");
    let sites = read_csv(&folder.join("chosen_sites.csv"));
    assert!(sites[0].contains_key("mean_minutes_saved"), "{sites:?}");
    // The map is drawn from OpenStreetMap roads and says so.
    let svg = std::fs::read_to_string(folder.join("map.svg")).expect("map");
    assert!(svg.contains("OpenStreetMap contributors"));

    // The lot's people and the active services serving it, as place files for `gapmap travel`.
    let people = read_csv(Path::new(&example("people.csv")));
    let people: Vec<_> = people
        .iter()
        .filter(|p| p["lot"] == "older_adults")
        .collect();
    let mut homes = String::from("id,longitude,latitude\n");
    for p in &people {
        homes.push_str(&format!(
            "{},{},{}\n",
            p["person_id"], p["longitude"], p["latitude"]
        ));
    }
    let mut services = String::from("id,longitude,latitude\n");
    for s in read_csv(Path::new(&example("run_services.csv"))) {
        if s["status"] == "active" && s["lots"].split(';').any(|l| l == "older_adults") {
            services.push_str(&format!(
                "{},{},{}\n",
                s["service_id"], s["longitude"], s["latitude"]
            ));
        }
    }
    let od = dir.path().join("od.csv");
    let o = gapmap(&[
        "travel",
        "--network",
        &example("rutland-2021-05-07.osm.pbf"),
        "--origins",
        &write(dir.path(), "homes.csv", &homes),
        "--destinations",
        &write(dir.path(), "services.csv", &services),
        "--out",
        od.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut quickest: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for row in read_csv(&od) {
        let minutes: f64 = row["minutes"].parse().expect("minutes");
        let km: f64 = row["km"].parse().expect("km");
        let best = quickest
            .entry(row["origin"].clone())
            .or_insert((f64::INFINITY, 0.0));
        if minutes < best.0 {
            *best = (minutes, km);
        }
    }
    let weekly: f64 = people
        .iter()
        .map(|p| {
            let days: f64 = p["days_per_week"].parse().expect("days");
            quickest[&p["person_id"]].1 * days * 2.0
        })
        .sum();
    let transport = read_csv(&folder.join("transport.csv"));
    let before: f64 = transport[0]["before"].parse().expect("before");
    assert!((before - weekly).abs() <= 1.0, "{before} against {weekly}");
}

/// `--prove` in a run: the exact search's verdict goes to the terminal and into the plan's
/// report section (in words that do not depend on the machine's speed); with places it is
/// refused before anything is written.
#[test]
fn plan_in_a_run_can_be_proven_optimal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outputs = dir.path().to_str().expect("utf8");
    let args = [
        "plan",
        "--lot",
        "pmld",
        "--new-services",
        "2",
        "--objective",
        "distance",
        "--prove",
        "--outputs",
        outputs,
    ];
    let o = gapmap(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Exact search: proven optimal"),
        "{}",
        stdout(&o)
    );
    let section = std::fs::read_to_string(dir.path().join("2025-Q2/plans/pmld-2/section.html"))
        .expect("section");
    assert!(section.contains("An exact search (branch and bound) proved the plan optimal"));
    let o = gapmap(&[
        "plan",
        "--lot",
        "pmld",
        "--new-services",
        "2",
        "--places",
        "5",
        "--prove",
        "--outputs",
        outputs,
        "--label",
        "capacitated",
    ]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--prove = with --places"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("capacitated").exists());
}

/// Plans listed in the config (`[[plan.scenarios]]`) are made by `gapmap run` itself: one
/// command gives the run, its plan folders and the report with their sections, the same
/// bytes every time.
#[test]
fn a_run_makes_the_plans_its_config_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    for entry in std::fs::read_dir(&data).expect("data") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    let config = dir.path().join("gapmap.toml");
    let text = std::fs::read_to_string(&config).expect("config")
        + "\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 3\nplaces = 10\n\n[[plan.scenarios]]\nlot = \"managed_pa\"\nnew_services = 2\nplaces = 100\n";
    std::fs::write(&config, text).expect("write");
    let out = dir.path().join("out");
    let args = [
        "run",
        "--config",
        config.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--force",
    ];
    let o = gapmap(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("places 28 of at most 28 people waiting"),
        "{}",
        stdout(&o)
    );
    let run = out.join("2025-Q2");
    for plan in ["pmld-3", "managed_pa-2"] {
        assert!(
            run.join("plans")
                .join(plan)
                .join("chosen_sites.csv")
                .exists(),
            "{plan}"
        );
    }
    let report = std::fs::read(run.join("report.html")).expect("report");
    let text = String::from_utf8_lossy(&report);
    assert!(text.contains("id=\"plan-managed_pa-2\""));
    assert!(text.contains("id=\"plan-pmld-3\""));
    let o = gapmap(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(run.join("report.html")).expect("report"),
        report
    );
}
