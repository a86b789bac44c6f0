//! The corpus of bad inputs in `tests/bad_inputs/`: each folder holds one small file that
//! differs from `base/` by one problem, and `expected.txt`, the exact message it must
//! produce (`{dir}` stands for the folder the inputs are in). Every case must exit 1 with
//! that message, and must leave an earlier run's folder byte for byte as it was, even with
//! `--force`. A case whose `expected.txt` is empty is valid input and must pass.

mod common;

use std::path::{Path, PathBuf};

use common::{gapmap, leftovers, snapshot, stderr};

fn corpus() -> PathBuf {
    common::repo().join("tests/bad_inputs")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("name");
        if name != "expected.txt" {
            std::fs::copy(&path, to.join(name)).expect("copy");
        }
    }
}

#[test]
fn every_bad_input_names_its_problem_and_harms_no_earlier_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("out");
    let good = tmp.path().join("good");
    copy_dir(&corpus().join("base"), &good);
    let o = gapmap(&[
        "run",
        "--config",
        good.join("gapmap.toml").to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--label",
        "T1",
    ]);
    assert!(o.status.success(), "base case must run: {}", stderr(&o));
    let before = snapshot(&out.join("T1"));

    let mut cases: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("expected.txt").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} cases", cases.len());
    for case in &cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let dir = tmp.path().join("cases").join(&name);
        copy_dir(&corpus().join("base"), &dir);
        copy_dir(case, &dir);
        let expected = std::fs::read_to_string(case.join("expected.txt")).expect("expected");
        let expected = expected.replace("{dir}", &dir.display().to_string());
        let config = dir.join("gapmap.toml");
        let o = gapmap(&[
            "run",
            "--config",
            config.to_str().expect("utf8"),
            "--out",
            out.to_str().expect("utf8"),
            "--label",
            "T1",
            "--force",
        ]);
        if expected.trim().is_empty() {
            assert!(
                o.status.success(),
                "{name}: valid input was refused: {}",
                stderr(&o)
            );
            // Put the earlier run back for the cases that follow.
            let o = gapmap(&[
                "run",
                "--config",
                good.join("gapmap.toml").to_str().expect("utf8"),
                "--out",
                out.to_str().expect("utf8"),
                "--label",
                "T1",
                "--force",
            ]);
            assert!(o.status.success());
            continue;
        }
        assert_eq!(o.status.code(), Some(1), "{name}: exit code");
        let err = stderr(&o);
        for line in expected.lines() {
            assert!(err.contains(line), "{name}: expected\n{line}\nin\n{err}");
        }
        assert_eq!(
            snapshot(&out.join("T1")),
            before,
            "{name}: the earlier run changed"
        );
        assert_eq!(
            leftovers(&out),
            Vec::<String>::new(),
            "{name}: a staging folder was left behind"
        );
    }
}

#[test]
fn skipped_rows_go_to_rejects_and_are_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("in");
    copy_dir(&corpus().join("base"), &dir);
    copy_dir(&corpus().join("person_outside_areas"), &dir);
    copy_dir(&corpus().join("capacity_not_a_number"), &dir);
    let config = dir.join("gapmap.toml");
    let text =
        std::fs::read_to_string(&config).expect("read") + "\n[validation]\non_bad_row = \"skip\"\n";
    std::fs::write(&config, text).expect("write");
    let out = tmp.path().join("out");
    let o = gapmap(&[
        "run",
        "--config",
        config.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 bad rows were left out"),
        "{}",
        stderr(&o)
    );
    let rejects = common::read_csv(&out.join("T1/NOT-FOR-PUBLICATION/rejects.csv"));
    let places: Vec<(&str, &str)> = rejects
        .iter()
        .map(|r| (r["place"].as_str(), r["field"].as_str()))
        .collect();
    assert_eq!(places, [("line 2", "capacity"), ("line 4", "latitude")]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("T1/manifest.json")).expect("manifest"))
            .expect("json");
    assert_eq!(manifest["counts"]["rejected_rows"], 2);
    // The service on line 2 (S1, 20 places) is left out: West has no open ld supply now.
    let gaps = common::read_csv(&out.join("T1/tables/gaps.csv"));
    let west = gaps
        .iter()
        .find(|r| r["area_code"] == "E1" && r["lot"] == "ld")
        .expect("row");
    assert_eq!(west["supply"], "0.0");
    // Two of the three West people remain (W2 was outside every area).
    assert_eq!(west["current_users"], "2");
}
