//! The market position statement report, the QGIS styles and the disclosure rules as they
//! reach the published files.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{gapmap, read_csv, stderr};

fn sample_run() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = gapmap(&["run", "--out", out.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    (dir, out.join("2025-Q2"))
}

#[test]
fn report_states_the_named_gaps_with_numbers() {
    let (_dir, run) = sample_run();
    let html = std::fs::read_to_string(run.join("report.html")).expect("report");
    // Figures printed by tools/make_sample.py (see end_to_end.rs), people rounded to 5.
    for sentence in [
        "Harborough: 5 PMLD places for an estimated 20 people, a shortfall of 15.",
        "Charnwood: 8 PMLD places for an estimated 30 people, a shortfall of 22.",
        "Melton: 3 PMLD places for an estimated 10 people, a shortfall of 7.",
        "Melton: 0 managed PA hours a week for an estimated 180 hours needed, a shortfall of 180 hours.",
        // The east = Harborough + Melton: 60 + 0 hours for 246 + 180 = 426 needed.
        "The east of the county: 60 managed PA hours a week for an estimated 426 hours needed, a shortfall of 366 hours.",
    ] {
        assert!(html.contains(sentence), "report lacks {sentence:?}");
    }
    // Reconciled against the published £8.6m.
    assert!(html.contains("The published figure is <strong>£8.60m</strong>"));
    // Self-contained: no external resources (the browser tests also watch for requests).
    // Scripts are inline (Leaflet and the interactive maps); the markup outside them names
    // nothing to fetch. (Leaflet's code holds the link of its attribution control, unused.)
    let mut markup = String::new();
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<script") {
        markup.push_str(&rest[..start]);
        let end = rest[start..].find("</script>").expect("closed script");
        rest = &rest[start + end + "</script>".len()..];
    }
    markup.push_str(rest);
    assert!(!html.contains("<script src"));
    for external in [
        "src=\"http",
        "href=\"http",
        "<script src",
        "<link",
        "@import",
        "url(http",
    ] {
        assert!(!markup.contains(external), "report refers to {external}");
    }
    assert!(!html.contains("sourceMappingURL"));
    assert!(html.contains("Leaflet 1.9.4 (BSD-2-Clause licence)"));
    assert!(html.contains("data:image/png;base64,"));
    // Charts state their finding in their text alternative and link to their figures
    // (the three largest PMLD shortfalls are the sentences above).
    assert!(html.contains("<img alt=\"Profound and multiple learning disabilities (PMLD): demand exceeds supply most in Charnwood (a shortfall of 22 places), Harborough (a shortfall of 15 places), Melton (a shortfall of 7 places);"));
    assert!(html.contains("<a href=\"#supply-pmld\">The figures as a table</a>"));
    assert!(html.contains("<h3 id=\"supply-pmld\">"));
    assert!(!html.contains("<img alt=\"\""));
    assert!(html.contains("@media print"));
}

/// Renders the report in headless Chromium and checks the screenshot is not blank. CI
/// installs Debian's chromium; elsewhere the test is skipped with a message if it is missing.
#[test]
fn report_renders_in_a_real_browser() {
    let Some(browser) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but chromium is missing: .ci/run installs it");
        }
        eprintln!("skipping: no chromium to render the report (apt-get install chromium)");
        return;
    };
    let (dir, run) = sample_run();
    let shot = dir.path().join("report.png");
    let profile = dir.path().join("profile");
    let o = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
        ])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--hide-scrollbars", "--window-size=1280,2000"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", run.join("report.html").display()))
        .output()
        .expect("chromium runs");
    assert!(
        shot.exists(),
        "no screenshot: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (width, height, rgb) = decode(&shot);
    assert_eq!((width, height), (1280, 2000));
    // Not blank: a good share of pixels are not background white, and there are many colours
    // (text, the header band, chart lines).
    let pixels: Vec<[u8; 3]> = rgb.chunks(3).map(|p| [p[0], p[1], p[2]]).collect();
    let ink = pixels.iter().filter(|p| p.iter().any(|c| *c < 200)).count();
    assert!(
        ink * 20 > pixels.len(),
        "only {ink} of {} pixels drawn",
        pixels.len()
    );
    let mut colours: BTreeMap<[u8; 3], usize> = BTreeMap::new();
    for p in &pixels {
        *colours.entry(*p).or_default() += 1;
    }
    assert!(colours.len() > 100, "only {} colours", colours.len());
}

fn decode(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("open"),
    ));
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    buf.truncate(info.buffer_size());
    let rgb = match info.color_type {
        png::ColorType::Rgb => buf,
        png::ColorType::Rgba => buf.chunks(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (info.width, info.height, rgb)
}

#[test]
fn no_suppressed_cell_can_be_recovered_from_published_totals() {
    let (_dir, run) = sample_run();
    let rows = read_csv(&run.join("tables/gaps.csv"));
    let empty = |r: &BTreeMap<String, String>, c: &str| r[c].is_empty();
    let mut suppressed_parts = 0;
    for r in rows.iter().filter(|r| r["area_code"].starts_with('E')) {
        // Current users and waiting are suppressed together or not at all, so neither can be
        // recovered from the published demand.
        assert_eq!(empty(r, "current_users"), empty(r, "waiting"), "{r:?}");
        suppressed_parts += usize::from(empty(r, "current_users"));
    }
    assert!(
        suppressed_parts > 10,
        "the sample should exercise suppression"
    );
    // A grouping sums its districts' published figures and is suppressed when any part is,
    // so "grouping minus the other districts" never reveals a suppressed district.
    let east = ["E07000131", "E07000133"];
    let mut checked = 0;
    for g in rows.iter().filter(|r| r["area_code"] == "east") {
        let parts: Vec<_> = rows
            .iter()
            .filter(|r| r["lot"] == g["lot"] && east.contains(&r["area_code"].as_str()))
            .collect();
        assert_eq!(parts.len(), 2);
        for column in [
            "current_users",
            "waiting",
            "demand",
            "people_for_access",
            "beyond_catchment",
        ] {
            if parts.iter().any(|p| empty(p, column)) {
                assert!(
                    empty(g, column),
                    "east {} {column} published although a part is suppressed",
                    g["lot"]
                );
                checked += 1;
            } else {
                let sum: f64 = parts
                    .iter()
                    .map(|p| p[column].parse::<f64>().expect("number"))
                    .sum();
                assert_eq!(
                    g[column].parse::<f64>().expect("number"),
                    sum,
                    "east {} {column}",
                    g["lot"]
                );
            }
        }
    }
    assert!(
        checked > 0,
        "the sample should have a grouping with a suppressed part"
    );
}

#[test]
fn qgis_styles_sit_beside_the_districts_layer() {
    let (_dir, run) = sample_run();
    let qml = std::fs::read_to_string(run.join("maps/districts.qml")).expect("default style");
    // The default style is the headline gap: managed PA in Melton (no supply at all).
    assert!(qml.contains(r#"attr="managed_pa_gap""#), "{qml}");
    assert!(qml.contains(r#"fieldName="LAD11NM""#));
    assert_eq!(
        qml.matches("<range ").count(),
        qml.matches("<symbol ").count()
    );
    let pmld =
        std::fs::read_to_string(run.join("maps/districts_pmld_gap.qml")).expect("pmld style");
    assert!(pmld.contains(r#"attr="pmld_gap""#));
}

#[test]
fn unrounded_tables_only_when_asked_and_in_a_folder_that_says_so() {
    let (_dir, run) = sample_run();
    assert!(!run.join("NOT-FOR-PUBLICATION").exists());
    let dir = tempfile::tempdir().expect("tempdir");
    gapmap::sample::write_to(&dir.path().join("in")).expect("sample");
    let config = dir.path().join("in/gapmap.toml");
    let text = std::fs::read_to_string(&config).expect("read").replace(
        "rounding_base = 5\n",
        "rounding_base = 5\nwrite_unrounded = true\n",
    );
    std::fs::write(&config, text).expect("write");
    let out = dir.path().join("out");
    let o = gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let raw = read_csv(&out.join("2025-Q2/NOT-FOR-PUBLICATION/gaps_unrounded.csv"));
    // Unrounded: Charnwood PMLD is 22 current + 9 waiting = 31 people for 8 places.
    let charnwood = raw
        .iter()
        .find(|r| r["area_code"] == "E07000130" && r["lot"] == "pmld")
        .expect("row");
    assert_eq!(
        (
            charnwood["current_users"].as_str(),
            charnwood["waiting"].as_str(),
            charnwood["gap"].as_str()
        ),
        ("22", "9", "23.0")
    );
}
