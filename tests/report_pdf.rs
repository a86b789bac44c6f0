//! `gapmap run --pdf`: the report printed by headless Chromium, the same bytes from the same
//! inputs, fewer pages than a plain print, and a clear note when Chromium is missing.

mod common;

use std::process::Command;

use common::{gapmap, stderr};

fn has_chromium() -> bool {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .any(|b| {
            Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Pages in a PDF: its `/Type /Page` objects (not the `/Type /Pages` tree nodes).
fn pages(pdf: &[u8]) -> usize {
    let key = b"/Type /Page";
    pdf.windows(key.len() + 1)
        .filter(|w| &w[..key.len()] == key && w[key.len()] != b's')
        .count()
}

/// Whether Chromium is here to print with; without it the test is skipped with a reason,
/// except under CI, which installs it.
fn chromium_or_skip() -> bool {
    if has_chromium() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but chromium is missing: .ci/run installs it");
    }
    eprintln!("skipping: no chromium to print the report (apt-get install chromium)");
    false
}

#[test]
fn run_prints_the_report_to_the_same_pdf_each_time() {
    if !chromium_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let out = out.to_str().expect("utf8");
    for label in ["a", "b"] {
        let o = gapmap(&["run", "--out", out, "--label", label, "--pdf"]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let a = std::fs::read(dir.path().join("out/a/report.pdf")).expect("report.pdf");
    let b = std::fs::read(dir.path().join("out/b/report.pdf")).expect("report.pdf");
    assert!(a.starts_with(b"%PDF"));
    assert!(a == b, "two runs printed different PDFs");
    // The sample's report (with its seven small-area access maps, the future demand
    // section and market shape) prints to 27 A4 pages with charts two to a page; its 29
    // charts and maps one to a page would take 29 or more.
    let n = pages(&a);
    assert!((5..=28).contains(&n), "{n} pages");
    // It is listed in the manifest with the other outputs.
    let manifest =
        std::fs::read_to_string(dir.path().join("out/a/manifest.json")).expect("manifest");
    assert!(manifest.contains("\"report.pdf\""));
}

/// With `--compare-with` and a plan, the report gains the "Since last quarter" section (two
/// change charts) and the plan's section (its tables and map): more pages than the sample's
/// 27, and fewer than its 29 + 2 + 1 = 32 charts and maps one to a page.
#[test]
fn a_report_with_a_comparison_and_a_plan_prints_two_charts_to_a_page() {
    if !chromium_or_skip() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let out = out.to_str().expect("utf8");
    let o = gapmap(&["run", "--out", out, "--label", "q1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = gapmap(&[
        "run",
        "--out",
        out,
        "--label",
        "q2",
        "--compare-with",
        "q1",
        "--pdf",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = gapmap(&[
        "plan",
        "--outputs",
        out,
        "--label",
        "q2",
        "--lot",
        "pmld",
        "--new-services",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = std::fs::read(dir.path().join("out/q2/report.pdf")).expect("report.pdf");
    let n = pages(&pdf);
    assert!((28..=31).contains(&n), "{n} pages");
}

#[test]
fn run_says_when_it_cannot_print_the_pdf() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(["run", "--out", out.to_str().expect("utf8"), "--pdf"])
        .env("PATH", dir.path())
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("report.pdf was not written: Chromium is not installed"),
        "{}",
        stderr(&o)
    );
    assert!(out.join("2025-Q2/report.html").exists());
    assert!(!out.join("2025-Q2/report.pdf").exists());
}
