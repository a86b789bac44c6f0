//! The Excel workbook `tables/gapmap.xlsx`, read back with an independent reader
//! (calamine) and checked sheet for sheet against the CSVs of the same run, including the
//! comparison tables of `--compare-with`, names that look like formulas, and disclosure.

mod common;

use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::{gapmap, stderr, stdout};

/// Names a provider could put in the services file that a spreadsheet would run as a
/// formula if they reached it as one.
const FORMULA_LIKE: [&str; 4] = [
    "=HYPERLINK(\"http://example.com\";\"click\")",
    "+1+2",
    "-3+4",
    "@SUM(A1:A2)",
];

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8 path")
}

fn ok(o: std::process::Output) {
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
}

/// Gives the first services formula-like provider and service names.
fn inject_names(dir: &Path) {
    let path = dir.join("services.csv");
    let mut reader = csv::Reader::from_path(&path).expect("services");
    let header = reader.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (provider, service) = (col("provider_name"), col("service_name"));
    let mut writer = csv::Writer::from_path(dir.join("services.new")).expect("write");
    writer.write_record(&header).expect("header");
    for (i, record) in reader.records().enumerate() {
        let mut fields: Vec<String> = record.expect("record").iter().map(String::from).collect();
        if let Some(name) = FORMULA_LIKE.get(i) {
            fields[provider] = (*name).to_string();
            fields[service] = format!("{name} centre");
        }
        writer.write_record(&fields).expect("row");
    }
    writer.flush().expect("flush");
    drop(writer);
    std::fs::rename(dir.join("services.new"), path).expect("rename");
    // The sample reads its services from a workbook; the edits are in the CSV.
    common::use_services_csv(&dir.join("gapmap.toml"));
}

/// The CSV as header and rows of raw fields.
fn raw_csv(path: &Path) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    reader
        .records()
        .map(|r| r.expect("record").iter().map(String::from).collect())
        .collect()
}

/// Whether a workbook cell holds what the CSV field holds.
fn same(cell: Option<&Data>, field: &str) -> bool {
    match cell.unwrap_or(&Data::Empty) {
        Data::Empty => field.is_empty(),
        Data::String(text) => text == field,
        Data::Float(x) => field.parse::<f64>().is_ok_and(|y| y == *x),
        Data::Int(n) => field.parse::<i64>().is_ok_and(|y| y == *n),
        _ => false,
    }
}

#[test]
fn the_workbook_holds_the_csvs_sheet_for_sheet() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (q2, q3) = (dir.path().join("q2"), dir.path().join("q3"));
    let outputs = dir.path().join("outputs");
    ok(gapmap(&["sample", "--out", s(&q2)]));
    ok(gapmap(&["sample", "--out", s(&q3)]));
    inject_names(&q3);
    ok(gapmap(&[
        "run",
        "--config",
        s(&q2.join("gapmap.toml")),
        "--out",
        s(&outputs),
        "--label",
        "2025-Q2",
    ]));
    ok(gapmap(&[
        "run",
        "--config",
        s(&q3.join("gapmap.toml")),
        "--out",
        s(&outputs),
        "--label",
        "2025-Q3",
        "--compare-with",
        "2025-Q2",
    ]));
    let run = outputs.join("2025-Q3");
    let mut book: Xlsx<_> = open_workbook(run.join("tables/gapmap.xlsx")).expect("opens");
    let expected_sheets = [
        "about",
        "gaps",
        "demand",
        "supply",
        "cost_by_band",
        "projections",
        "market",
        "provider_exit",
        "provider_exit_by_district",
        "access_by_area",
        "changes_by_district",
        "changes_services",
        "gap_changes",
        "changes_market",
        "changes_provider_shares",
    ];
    assert_eq!(book.sheet_names(), expected_sheets);
    let people_columns = [
        "current_users",
        "waiting",
        "people_for_access",
        "beyond_catchment",
        "people",
        "people_served",
        "people_to_re_place",
        "people_placed",
        "people_without_place",
    ];
    let mut people_cells = 0;
    for sheet in &expected_sheets[1..] {
        let csv = raw_csv(&run.join(format!("tables/{sheet}.csv")));
        let range = book.worksheet_range(sheet).expect("sheet");
        assert_eq!(range.start(), Some((0, 0)), "{sheet} starts elsewhere");
        assert_eq!(range.height(), csv.len(), "{sheet}: rows");
        assert_eq!(range.width(), csv[0].len(), "{sheet}: columns");
        for (r, fields) in csv.iter().enumerate() {
            for (c, field) in fields.iter().enumerate() {
                let cell = range.get((r, c));
                assert!(
                    same(cell, field),
                    "{sheet} row {r} column {}: workbook {cell:?}, CSV {field:?}",
                    csv[0][c]
                );
            }
        }
        // No count of people in the workbook lies in 1..=7 (the disclosure threshold).
        for (c, column) in csv[0].iter().enumerate() {
            let people = people_columns.iter().any(|p| {
                column == p || *column == format!("{p}_before") || *column == format!("{p}_after")
            });
            if !people {
                continue;
            }
            for r in 1..csv.len() {
                if let Some(Data::Float(x)) = range.get((r, c)) {
                    people_cells += 1;
                    assert!(
                        *x == 0.0 || *x > 7.0,
                        "{sheet} row {r} {column} = {x}: a small count of people"
                    );
                }
            }
        }
        // Nothing anywhere is a formula.
        let formulas = book.worksheet_formula(sheet).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has a formula"
        );
    }
    assert!(
        people_cells > 100,
        "only {people_cells} counts of people checked"
    );
    // Formula-like names reach the workbook as text, and the CSV unchanged.
    let supply = book.worksheet_range("supply").expect("supply");
    let csv = raw_csv(&run.join("tables/supply.csv"));
    let col = csv[0]
        .iter()
        .position(|h| h == "provider_name")
        .expect("column");
    for name in FORMULA_LIKE {
        let row = csv
            .iter()
            .position(|r| r[col] == name)
            .unwrap_or_else(|| panic!("{name} not in supply.csv as given"));
        assert_eq!(
            supply.get((row, col)),
            Some(&Data::String(name.to_string()))
        );
    }
    // The about sheet explains every column of every sheet.
    let about = book.worksheet_range("about").expect("about");
    let explained: Vec<(String, String)> = about
        .rows()
        .filter_map(|r| match (r.first(), r.get(1), r.get(2)) {
            (Some(Data::String(s)), Some(Data::String(c)), Some(Data::String(m)))
                if !m.is_empty() =>
            {
                Some((s.clone(), c.clone()))
            }
            _ => None,
        })
        .collect();
    for sheet in &expected_sheets[1..] {
        for column in &raw_csv(&run.join(format!("tables/{sheet}.csv")))[0] {
            assert!(
                explained.contains(&(sheet.to_string(), column.clone())),
                "about does not explain {sheet}.{column}"
            );
        }
    }
    let text: String = about
        .used_cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("from 1 to 7"),
        "the disclosure rule is not explained"
    );
    assert!(
        text.contains("Empty cells"),
        "empty cells are not explained"
    );
}
