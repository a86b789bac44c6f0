//! Market shape and provider exits on the sample, end to end: the tables, the report's
//! section, `gapmap exit`, and person records that name their service.

mod common;

use common::{gapmap, read_csv, stderr, stdout};

fn run_sample(outputs: &str) -> std::path::PathBuf {
    let o = gapmap(&["run", "--out", outputs]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::path::Path::new(outputs).join("2025-Q2")
}

/// Shares and HHI worked out from data/services.csv (active services): dementia is PR17's
/// 9 + 6 + 3 + 12 = 30 places and PR19's 26 of 56: 53.57% and 46.43%, HHI 2869.9 + 2155.6
/// = 5025.5, highly concentrated. Older adults: PR19 26, PR17 25, PR05 12, PR18 4 of 67:
/// HHI 3254.6, top three 63/67 = 94.03%.
#[test]
fn the_sample_market_has_the_shares_worked_out_by_hand() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_sample(dir.path().to_str().expect("utf8"));
    let rows = read_csv(&run.join("tables/market.csv"));
    let all = |lot: &str| -> Vec<_> {
        rows.iter()
            .filter(|r| r["area_kind"] == "all" && r["lot"] == lot)
            .collect()
    };
    let dementia = all("dementia");
    assert_eq!(dementia.len(), 2);
    assert_eq!(dementia[0]["provider_id"], "PR17");
    assert_eq!(dementia[0]["supply"], "30.0");
    assert_eq!(dementia[0]["share_of_supply"], "0.5357");
    assert_eq!(dementia[1]["share_of_supply"], "0.4643");
    assert_eq!(dementia[0]["hhi"], "5025.5");
    assert_eq!(dementia[0]["highly_concentrated"], "yes");
    let older = all("older_adults");
    let ids: Vec<&str> = older.iter().map(|r| r["provider_id"].as_str()).collect();
    assert_eq!(ids, ["PR19", "PR17", "PR05", "PR18"]);
    assert_eq!(older[0]["hhi"], "3254.6");
    assert_eq!(older[0]["share_top_three"], "0.9403");
    assert_eq!(older[0]["providers"], "4");
    // Counts of people are published through disclosure control: multiples of 5 or empty.
    for r in &rows {
        let v = &r["people_served"];
        assert!(
            v.is_empty() || v.parse::<u32>().is_ok_and(|n| n % 5 == 0),
            "{v}"
        );
    }
    assert!(run.join("tables/market.parquet").exists());
}

/// PR23 runs one managed PA service (SV063, 30 current users, services.csv) and no other
/// provider's PA service has room for them within 30 km: every provider whose exit leaves
/// people without a place is named in the table, and the report tells the worst in
/// sentences, with the assumption and the map.
#[test]
fn the_sample_exits_name_the_providers_that_would_leave_people_without_a_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_sample(dir.path().to_str().expect("utf8"));
    let exits = read_csv(&run.join("tables/provider_exit.csv"));
    assert_eq!(exits.len(), 25, "one row per provider");
    let pr23 = exits
        .iter()
        .find(|r| r["provider_id"] == "PR23")
        .expect("PR23");
    assert_eq!(pr23["provider_name"], "Hallaton Bottle PA Services Ltd");
    assert_eq!(pr23["lots"], "managed_pa");
    assert_eq!(pr23["people_to_re_place"], "30");
    assert_eq!(pr23["re_placed_from"], "service");
    // Ranked: people without a place never grow down the table (suppressed counts lie
    // between 0 and the threshold).
    let without: Vec<u32> = exits
        .iter()
        .map(|r| r["people_without_place"].parse().unwrap_or(1))
        .collect();
    assert!(without.windows(2).all(|w| w[0] >= w[1]), "{without:?}");
    let by_district = read_csv(&run.join("tables/provider_exit_by_district.csv"));
    assert!(by_district.iter().any(|r| r["provider_id"] == "PR23"
        && r["lot"] == "managed_pa"
        && r["people_without_place"] != "0"));
    let report = std::fs::read_to_string(run.join("report.html")).expect("report");
    assert!(report.contains("<h2>Market shape and resilience</h2>"));
    assert!(report.contains(
        "If Hallaton Bottle PA Services Ltd left, 30 people using managed PA services in"
    ));
    assert!(
        report.contains("every other provider keeps its services, its spare places and its rates")
    );
    assert!(report.contains("re-placed from the service they use now"));
    assert!(run.join("charts/map_provider_exit.png").exists());
    assert!(run.join("charts/market_concentration.svg").exists());
}

#[test]
fn exit_shows_one_provider_in_full_with_a_map() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().to_str().expect("utf8");
    let o = gapmap(&["exit", "--provider", "PR23", "--out", out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("Hallaton Bottle PA Services Ltd (PR23)"),
        "{text}"
    );
    assert!(
        text.contains("Hallaton Bottle PAs Narborough: 30 people left without a place"),
        "{text}"
    );
    let png = std::fs::read(dir.path().join("exit_PR23.png")).expect("png");
    assert!(png.starts_with(b"\x89PNG"));
    assert!(dir.path().join("exit_PR23.svg").exists());
    let bad = gapmap(&["exit", "--provider", "PR99", "--out", out]);
    assert!(!bad.status.success());
    let e = stderr(&bad);
    assert!(e.contains("services.xlsx: no provider with an active service has provider_id \"PR99\" (expected one of PR01,"), "{e}");
}

/// The sample written out, with a service_id column added to people.csv: `named` maps a
/// person id to the service to name.
fn sample_with_services(dir: &std::path::Path, named: &[(&str, &str)]) -> String {
    let o = gapmap(&["sample", "--out", dir.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.join("people.csv");
    let text = std::fs::read_to_string(&path).expect("people");
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let extra = if i == 0 {
            "service_id".to_string()
        } else {
            let id = line.split(',').next().unwrap_or("");
            let lot = line.split(',').nth(5).unwrap_or("");
            named
                .iter()
                .find(|(p, _)| *p == id && lot == "ld_autism")
                .map_or(String::new(), |(_, s)| s.to_string())
        };
        out.push_str(&format!("{line},{extra}\n"));
    }
    std::fs::write(&path, out).expect("write");
    dir.join("gapmap.toml").to_str().expect("utf8").to_string()
}

/// Three current ld_autism users (people.csv lines 2, 3 and 15) name SV001 (PR01): people
/// are then re-placed from home, PR01 has 3 to re-place (suppressed, below 8) and every
/// other provider none.
#[test]
fn records_that_name_services_are_re_placed_from_home() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = sample_with_services(
        &dir.path().join("in"),
        &[
            ("P000ed55220", "SV001"),
            ("P001f05f763", "SV001"),
            ("P03e5ed3cfa", "SV001"),
        ],
    );
    let outputs = dir.path().join("out");
    let o = gapmap(&[
        "run",
        "--config",
        &config,
        "--out",
        outputs.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let exits = read_csv(&outputs.join("2025-Q2/tables/provider_exit.csv"));
    for r in &exits {
        assert_eq!(r["re_placed_from"], "home");
        let expected = if r["provider_id"] == "PR01" { "" } else { "0" };
        assert_eq!(r["people_to_re_place"], expected, "{}", r["provider_id"]);
    }
    let report = std::fs::read_to_string(outputs.join("2025-Q2/report.html")).expect("report");
    assert!(report.contains("People are re-placed from their homes"));
}

/// A service_id that names no service, or a service off the row's lot, stops the run with
/// the file, line, column and value.
#[test]
fn a_bad_service_id_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    // P000ed55220 is on line 2 (ld_autism, current); SV059 is a managed PA service.
    let config = sample_with_services(
        &dir.path().join("in"),
        &[("P000ed55220", "SV999"), ("P001f05f763", "SV059")],
    );
    let o = gapmap(&["validate", "--config", &config]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains(
            "people.csv:2: column service_id: \"SV999\" names no service in the services file"
        ),
        "{e}"
    );
    assert!(
        e.contains("people.csv:3: column service_id: \"SV059\" is a service that does not serve lot \"ld_autism\""),
        "{e}"
    );
}

/// The sample's lots, by id: (label).
const LOT_LABELS: [(&str, &str); 7] = [
    ("ld_autism", "Learning disability and/or autism"),
    ("pmld", "Profound and multiple learning disabilities (PMLD)"),
    ("physical_sensory", "Physical and sensory disabilities"),
    ("mental_health", "Mental health"),
    ("older_adults", "Older adults (55+)"),
    ("dementia", "Dementia"),
    ("managed_pa", "Managed personal assistant (PA) services"),
];

/// A whole number with thousands separators, as the report writes it.
fn whole(x: f64) -> String {
    let digits = (x.round() as u64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The market's pictures state their finding in their text alternative, worked out here
/// from the sample's services.csv: each lot's HHI over its active services' capacity by
/// provider (published to one decimal, told whole), and PR23's exit, which closes its one
/// service SV063 (240 managed PA hours a week in Narborough, Blaby) with no other provider
/// taking its people (see the test above).
#[test]
fn the_market_pictures_state_their_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = dir.path().join("sample");
    let o = gapmap(&["sample", "--out", sample.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let services = read_csv(&sample.join("services.csv"));
    let mut hhi: Vec<(f64, &str)> = LOT_LABELS
        .iter()
        .map(|&(id, label)| {
            let mut by_provider: std::collections::BTreeMap<&str, f64> = Default::default();
            for s in services
                .iter()
                .filter(|s| s["status"] == "active" && s["lots"].split(';').any(|l| l == id))
            {
                *by_provider.entry(&s["provider_id"]).or_default() +=
                    s["capacity"].parse::<f64>().expect("capacity");
            }
            let total: f64 = by_provider.values().sum();
            let h: f64 = by_provider
                .values()
                .map(|c| (100.0 * c / total).powi(2))
                .sum();
            ((h * 10.0).round() / 10.0, label)
        })
        .collect();
    hhi.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (most, least) = (hhi[0], hhi[hhi.len() - 1]);
    // Dementia, 5025.5 (the test above): as concentrated as 10,000 / 5,025.5 = 2 providers.
    assert_eq!(most, (5025.5, "Dementia"));
    let high = hhi.iter().filter(|(h, _)| *h > 2500.0).count();
    let run = run_sample(dir.path().join("out").to_str().expect("utf8"));
    let report = std::fs::read_to_string(run.join("report.html")).expect("report");
    let (alt, caption) =
        common::figure(&report, "How concentrated each lot's market is").expect("the chart");
    assert_eq!(
        alt,
        format!(
            "{} has the most concentrated market (HHI {}, as concentrated as about {} providers of equal size) and {} the least (HHI {}). {high} of 7 lots are highly concentrated (above 2,500).",
            most.1,
            whole(most.0),
            whole(10_000.0 / most.0),
            least.1,
            whole(least.0)
        )
    );
    assert!(caption.contains("<a href=\"#market-concentration\">The figures as a table</a>"));
    // Its table: dementia's 2 providers, the largest PR17 with 30 of 56 places (54%).
    let pr17 = services
        .iter()
        .find(|s| s["provider_id"] == "PR17")
        .expect("PR17");
    let row = format!(
        "<tr><td>Dementia</td><td class=\"n\">2</td><td class=\"n\">{} (54%)</td><td class=\"n\">5,026</td></tr>",
        pr17["provider_name"]
    );
    assert!(report.contains(&row), "no row {row}");
    let sv063 = services
        .iter()
        .find(|s| s["service_id"] == "SV063")
        .expect("SV063");
    assert_eq!(sv063["provider_id"], "PR23");
    let (alt, caption) =
        common::figure(&report, "If Hallaton Bottle PA Services Ltd left").expect("the exit map");
    assert_eq!(
        alt,
        format!(
            "If Hallaton Bottle PA Services Ltd left, the largest gap would open in Blaby ({} PA hours per week); its 1 service would close, and no other service would take its people.",
            whole(sv063["capacity"].parse().expect("capacity"))
        )
    );
    assert!(caption.contains("<a href=\"#market-exit\">The figures as a table</a>"));
    assert!(report.contains("<details id=\"market-exit\">"));
}
