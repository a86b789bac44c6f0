//! Shared helpers for the end-to-end tests: running the binary, finding `../shared/data`,
//! reading CSV output.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the gapmap binary with `args`.
pub fn gapmap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(args)
        .output()
        .expect("the gapmap binary runs")
}

/// Runs the gapmap binary with `args` in the folder `dir`.
pub fn gapmap_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the gapmap binary runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real ONS LSOA boundaries, or `None` (with a printed reason) when `../shared/data` is
/// absent outside CI. Under CI (`CI=true`) a missing folder fails the test.
pub fn lsoa_dir() -> Option<PathBuf> {
    let dir = repo().join("../shared/data/leicestershire-lsoa11");
    if dir.join("leicestershire-lsoa11.geojson").exists() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but {} is missing: the LSOA tests must run in CI",
            dir.display()
        );
    }
    eprintln!(
        "skipping: {} is absent (these tests need ../shared/data beside the repository)",
        dir.display()
    );
    None
}

/// A CSV file as rows of column -> value.
pub fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// What lies beside the run folders in `outputs` other than the runs and their lock files:
/// staging folders and earlier runs being replaced (hidden), which a finished or failed run
/// must not leave behind.
pub fn leftovers(outputs: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(outputs)
        .expect("read outputs")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && !n.ends_with(".lock"))
        .collect();
    names.sort();
    names
}

/// Every file under `dir` with its bytes, by relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// Writes the sample's inputs into `dir` with its config pointed at the real Leicestershire
/// LSOA boundaries in `lsoa_dir` (dissolved into districts by their `LAD11CD`), and returns
/// the config's path.
pub fn sample_on_lsoas(dir: &Path, lsoa_dir: &Path) -> PathBuf {
    let o = gapmap(&["sample", "--out", dir.to_str().expect("utf8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let config = dir.join("gapmap.toml");
    let lsoas = lsoa_dir.join("leicestershire-lsoa11.geojson");
    let text = std::fs::read_to_string(&config).expect("read").replace(
        "areas = \"lsoa11.geojson\"",
        &format!("areas = {:?}", lsoas.display().to_string()),
    );
    assert!(
        text.contains("leicestershire-lsoa11.geojson"),
        "config not repointed"
    );
    std::fs::write(&config, text).expect("write");
    config
}

/// The sample's config text with its services input (a framework-list workbook read
/// through a mapping) replaced by `services = "FILE"`, a file in gapmap's own layout such
/// as the sample's `services.csv`.
pub fn config_with_services(config: &str, file: &str) -> String {
    let start = config
        .find("[inputs.services]")
        .expect("the sample maps its services");
    let end = config[start..]
        .find("# Small areas")
        .map(|i| start + i)
        .expect("a section after the services mapping");
    let head = config[..start].replace("[inputs]\n", &format!("[inputs]\nservices = {file:?}\n"));
    assert!(head.contains(file), "the config has an [inputs] table");
    format!("{head}{}", &config[end..])
}

/// Makes a sample config on disk read its services from `services.csv` beside it, for
/// tests that edit that file.
pub fn use_services_csv(config: &Path) {
    let text = std::fs::read_to_string(config).expect("config");
    std::fs::write(config, config_with_services(&text, "services.csv")).expect("write");
}

/// A small config for tests that read files: lots `ld` (places) and `pa` (hours), one day
/// service type, data date 2025-06-30; `extra` adds settings (after `[inputs]`, so it may
/// add inputs or open new tables) and `bands` the `[[bands]]` tables.
pub fn small_config(extra: &str, bands: &str) -> gapmap::config::Config {
    let text = format!(
        r#"
title = "t"
label = "2025-Q2"
data_date = "2025-06-30"
[inputs]
services = "s.csv"
areas = "a.geojson"
demand = "d.csv"
{extra}
[[lots]]
id = "ld"
label = "Learning disability"
short_label = "LD"
unit = "places"
[[lots]]
id = "pa"
label = "Managed PA"
short_label = "PA"
unit = "hours"
[[service_types]]
id = "day"
label = "Day service"
unit = "places"
{bands}
"#
    );
    gapmap::config::Config::parse(
        "t.toml",
        &text,
        gapmap::config::Origin::Directory(".".into()),
    )
    .expect("config")
}

/// The figure of a report whose caption contains `caption`: its text alternative and its
/// caption (tags removed), with HTML entities undone.
pub fn figure(html: &str, caption: &str) -> Option<(String, String)> {
    let unescape = |t: &str| {
        t.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    };
    html.split("<figure>").skip(1).find_map(|f| {
        let alt = f.split("<img alt=\"").nth(1)?.split('"').next()?;
        let cap = f
            .split("<figcaption>")
            .nth(1)?
            .split("</figcaption>")
            .next()?;
        let cap = unescape(cap);
        cap.contains(caption).then(|| (unescape(alt), cap))
    })
}
