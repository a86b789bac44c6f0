//! The sample read the way a council hands its data over (`examples/cld/`: a Client Level
//! Data extract, a waiting list and an address file, written by `examples/make_cld.rs`)
//! gives the sample's people and the sample run's gaps.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{gapmap, read_csv, repo, stderr};
use gapmap::config::Config;
use gapmap::model::{Demand, DemandStatus};

/// Runs gapmap with `args` and the output folder `out`, and returns the run's folder.
fn run(args: &[&str], out: &Path) -> std::path::PathBuf {
    let mut all = vec!["run", "--out", out.to_str().expect("utf8")];
    all.extend_from_slice(args);
    let o = gapmap(&all);
    assert!(o.status.success(), "gapmap {all:?}: {}", stderr(&o));
    out.join("2025-Q2")
}

#[test]
fn the_cld_example_finds_the_sample_s_gaps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sample = run(&[], &dir.path().join("sample"));
    let config = repo().join("examples/cld/gapmap.toml");
    let cld = run(
        &["--config", config.to_str().expect("utf8")],
        &dir.path().join("cld"),
    );
    let read = |run: &Path, table: &str| {
        let path = run.join("tables").join(table);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    // Demand and projections are by age band too, so they check the ages CLD derives from
    // birth years and months and the waiting list from dates of birth.
    for table in [
        "gaps.csv",
        "demand.csv",
        "projections.csv",
        "access_by_area.csv",
    ] {
        assert!(
            read(&sample, table) == read(&cld, table),
            "{table} differs between the sample run and the CLD example"
        );
    }
    // Cost by band checks the bands found from unit costs and the days of split events
    // added up. The sample's additional 1:1 hours (band E) of people using services are not
    // in the extract, so band E has none; every other band is the same.
    let other_bands = |run: &Path| -> Vec<String> {
        read(run, "cost_by_band.csv")
            .lines()
            .filter(|l| !l.starts_with("E,"))
            .map(String::from)
            .collect()
    };
    assert_eq!(other_bands(&sample), other_bands(&cld));
    let e = read_csv(&cld.join("tables/cost_by_band.csv"))
        .into_iter()
        .find(|r| r["band"] == "E")
        .expect("band E row");
    assert_eq!(e["days_or_hours_per_week"], "0.0");
}

/// A person's need as the test compares it: id, lot, status, age band, band, days, hours,
/// additional hours and primary need.
type Need = (
    String,
    String,
    String,
    String,
    String,
    f64,
    f64,
    f64,
    String,
);

fn number(text: &str) -> f64 {
    if text.is_empty() {
        0.0
    } else {
        text.parse().expect("number")
    }
}

/// The people of `data/people.csv` as the CLD example should give them back: the same,
/// except that people using services have no additional hours (the extract has none) and
/// their primary need is read from the primary support reason (so PMLD is learning
/// disability, and older adults' personal care support is physical and sensory), and the
/// primary need of people waiting is the lot they wait for (the list has no need column).
fn expected_people() -> Vec<Need> {
    let mut people: Vec<Need> = read_csv(&repo().join("data/people.csv"))
        .into_iter()
        .map(|r| {
            let current = r["status"] == "current";
            let primary = match (current, r["primary_need"].as_str()) {
                (false, _) => r["lot"].clone(),
                (true, "pmld") => "ld_autism".to_string(),
                (true, "older_adults") => "physical_sensory".to_string(),
                (true, need) => need.to_string(),
            };
            (
                r["person_id"].clone(),
                r["lot"].clone(),
                r["status"].clone(),
                r["age_band"].clone(),
                r["band"].clone(),
                number(&r["days_per_week"]),
                number(&r["hours_per_week"]),
                if current {
                    0.0
                } else {
                    number(&r["additional_hours_per_week"])
                },
                primary,
            )
        })
        .collect();
    people.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    people
}

fn example() -> (Config, gapmap::load::Inputs) {
    let config = Config::read(&repo().join("examples/cld/gapmap.toml")).expect("config");
    let inputs = gapmap::load::load(&config).expect("inputs load");
    (config, inputs)
}

#[test]
fn the_cld_example_gives_the_sample_s_people() {
    let (config, inputs) = example();
    let Demand::People(people) = &inputs.demand else {
        panic!("CLD gives people");
    };
    let lots = &config.catalogue.lots;
    let band = |b: Option<usize>| b.map_or(String::new(), |b| config.catalogue.bands[b].id.clone());
    let mut read: Vec<Need> = people
        .iter()
        .map(|p| {
            (
                p.person_id.clone(),
                lots[p.lot].id.clone(),
                match p.status {
                    DemandStatus::Current => "current".to_string(),
                    DemandStatus::Waiting => "waiting".to_string(),
                },
                p.age_band.clone(),
                band(p.band),
                p.days_per_week,
                p.hours_per_week,
                p.additional_hours_per_week,
                lots[p.primary_need].id.clone(),
            )
        })
        .collect();
    read.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let expected = expected_people();
    assert_eq!(read.len(), expected.len());
    for (got, want) in read.iter().zip(&expected) {
        assert_eq!(got, want);
    }
    assert!(inputs.rejected.is_empty(), "{:?}", inputs.rejected.listed);
}

#[test]
fn the_cld_example_counts_the_events_it_leaves_out() {
    let (_, inputs) = example();
    // examples/make_cld.rs numbers the sample's rows of people using services 0, 1, ... and
    // gives row i an ended earlier package when i % 9 == 4, a package starting after the
    // data date when i % 17 == 2, a review when i % 11 == 6, an assessment when
    // i % 13 == 8, home care (lot "none") when i % 19 == 5 and reablement (another service
    // type) when i % 23 == 10. It adds 5 people in residential and 2 in nursing care (other
    // service types), 3 with substance misuse support (lot "none") and 2 who died.
    let current = read_csv(&repo().join("data/people.csv"))
        .iter()
        .filter(|r| r["status"] == "current")
        .count();
    let every = |n: usize, at: usize| (0..current).filter(|i| i % n == at).count();
    let expected: BTreeMap<String, usize> = [
        (
            "events that are not services (requests, assessments, reviews)",
            every(11, 6) + every(13, 8),
        ),
        (
            "service events of other service types than Long Term Support: Community",
            every(23, 10) + 5 + 2,
        ),
        (
            "service events of people who died before the data date (2025-06-30)",
            2,
        ),
        ("rows ended before the data date (2025-06-30)", every(9, 4)),
        (
            "rows starting after the data date (2025-06-30)",
            every(17, 2),
        ),
        (
            "rows a lot rule leaves out (lot = \"none\")",
            every(19, 5) + 3,
        ),
    ]
    .into_iter()
    .map(|(what, n)| (what.to_string(), n))
    .collect();
    let mut found = BTreeMap::new();
    for note in &inputs.notes {
        assert!(
            note.file
                .ends_with("cld_extract.xlsx (sheet \"Service events\")"),
            "{note:?}"
        );
        *found.entry(note.what.clone()).or_default() += note.count;
    }
    assert_eq!(found, expected);
}
