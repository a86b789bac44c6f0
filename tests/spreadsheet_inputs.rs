//! Spreadsheet inputs and the config's mapping, on hand-made workbooks whose expected
//! readings are worked out here: headings found below title rows, dates and numbers as
//! Excel stores them, the council's words mapped to gapmap's, rules for status, age band,
//! band and lot, and an error naming file, sheet, row and column for each kind of bad input.

use gapmap::config::Config;
use gapmap::io::InputFile;
use gapmap::load::mapping::{self, Context, InputSpec, Vocabulary};
use gapmap::model::AgeBand;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

/// The bands the workbooks' costs are matched against.
const BANDS: &str = r#"
[[bands]]
id = "B"
label = "Medium"
half_day = 26.22
full_day = 52.44
[[bands]]
id = "C"
label = "High"
half_day = 39.21
full_day = 78.42
"#;

/// A small config: two lots, two bands, data date 2025-06-30.
fn config(extra: &str) -> Config {
    common::small_config(extra, BANDS)
}

fn bands() -> Vec<AgeBand> {
    ["18-64", "65+"]
        .iter()
        .filter_map(|b| AgeBand::parse(b))
        .collect()
}

fn vocabulary() -> Vec<Vocabulary> {
    vec![
        Vocabulary {
            column: "lot",
            words: vec!["ld".into(), "pa".into()],
            list: false,
        },
        Vocabulary {
            column: "band",
            words: vec!["B".into(), "C".into()],
            list: false,
        },
    ]
}

fn spec(toml_text: &str) -> InputSpec {
    #[derive(serde::Deserialize)]
    struct Wrap {
        #[serde(deserialize_with = "mapping::spec::deserialize_input")]
        input: InputSpec,
    }
    toml::from_str::<Wrap>(toml_text).expect("spec").input
}

/// A workbook with a title row, a blank row, then the given headings and rows on row 3.
fn workbook(sheet: &str, header: &[&str], rows: &[Vec<Cell>]) -> InputFile {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name(sheet).expect("name");
    ws.write_string(0, 0, "Framework providers, June 2025")
        .expect("title");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).expect("heading");
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(t) => ws.write_string(r, c, *t).map(|_| ()),
                Cell::Number(n) => ws.write_number(r, c, *n).map(|_| ()),
                Cell::Date(y, m, d) => ws
                    .write_datetime_with_format(
                        r,
                        c,
                        ExcelDateTime::from_ymd(*y, *m, *d).expect("date"),
                        &date,
                    )
                    .map(|_| ()),
                Cell::Error => ws
                    .write_formula(r, c, Formula::new("=NA()").set_result("#N/A"))
                    .map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .expect("cell");
        }
    }
    InputFile {
        name: "extract.xlsx".into(),
        bytes: book.save_to_buffer().expect("saves"),
    }
}

#[derive(Clone)]
enum Cell {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
    Error,
    Empty,
}
use Cell::*;

fn read(input: &InputFile, spec_text: &str) -> Result<mapping::Mapped, Vec<String>> {
    let config = config("");
    let bands = bands();
    let ctx = Context::of(&config, "demand", &bands);
    mapping::read(input, &spec(spec_text), &vocabulary(), &ctx)
        .map_err(|p| p.listed.iter().map(ToString::to_string).collect())
}

fn column(m: &mapping::Mapped, name: &str) -> Vec<String> {
    let i = m.records.index(name).expect(name);
    (0..m.records.rows.len())
        .map(|r| m.records.cell(r, i).to_string())
        .collect()
}

#[test]
fn headings_below_a_title_row_are_found_and_cells_read_as_a_csv_would_hold_them() {
    let input = workbook(
        "People",
        &["Client", "Start", "Days", "Cost"],
        &[
            vec![Text("A1"), Date(2024, 1, 15), Number(3.0), Text("52.44")],
            vec![Text("A2"), Date(2025, 6, 30), Number(2.5), Number(78.42)],
        ],
    );
    let m = read(&input, r#"input = "extract.xlsx""#).expect("reads");
    // Row 3 holds the headings (found, not given); data rows keep Excel's numbers 4 and 5.
    assert_eq!(m.records.header_line, 3);
    assert_eq!(
        m.records.rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        [4, 5]
    );
    assert_eq!(column(&m, "Start"), ["2024-01-15", "2025-06-30"]);
    assert_eq!(column(&m, "Days"), ["3", "2.5"]);
    // A number stored as text stays as written; one stored as a number reads the same.
    assert_eq!(column(&m, "Cost"), ["52.44", "78.42"]);
}

#[test]
fn rules_give_status_age_band_band_and_lot() {
    // Data date 2025-06-30. Row by row:
    // A1: open (no end), born 1960-07-01 -> 64 -> 18-64, £52.44 -> B, LD day care -> ld.
    // A2: ended 2025-06-29 -> left out (ended before the data date).
    // A3: ends on the data date -> kept; born 1960-06-30 -> 65 on the day -> 65+;
    //     £78.42 -> C; PA -> pa.
    // A4: starts 2025-07-01 -> left out (starts after).
    // A5: substance misuse -> lot "none" -> left out by a lot rule.
    // A6: waiting flag "Y" -> waiting whatever the dates say; born 2000-01-01 -> 25.
    let input = workbook(
        "Events",
        &[
            "Client",
            "Start",
            "End",
            "DOB",
            "Cost",
            "PSR",
            "Component",
            "Waiting",
        ],
        &[
            vec![
                Text("A1"),
                Date(2024, 1, 1),
                Empty,
                Date(1960, 7, 1),
                Number(52.44),
                Text("Learning Disability Support"),
                Text("Day Care"),
                Text("N"),
            ],
            vec![
                Text("A2"),
                Date(2024, 1, 1),
                Date(2025, 6, 29),
                Date(1960, 7, 1),
                Number(52.44),
                Text("Learning Disability Support"),
                Text("Day Care"),
                Text("N"),
            ],
            vec![
                Text("A3"),
                Date(2024, 1, 1),
                Date(2025, 6, 30),
                Date(1960, 6, 30),
                Number(78.42),
                Text("learning disability  support"),
                Text("Direct Payment"),
                Text("N"),
            ],
            vec![
                Text("A4"),
                Date(2025, 7, 1),
                Empty,
                Date(1960, 7, 1),
                Number(52.44),
                Text("Learning Disability Support"),
                Text("Day Care"),
                Text("N"),
            ],
            vec![
                Text("A5"),
                Date(2024, 1, 1),
                Empty,
                Date(1960, 7, 1),
                Number(52.44),
                Text("Social Support: Substance misuse support"),
                Text("Day Care"),
                Text("N"),
            ],
            vec![
                Text("A6"),
                Empty,
                Empty,
                Date(2000, 1, 1),
                Empty,
                Text("Learning Disability Support"),
                Text("Day Care"),
                Text("Y"),
            ],
        ],
    );
    let m = read(
        &input,
        r#"
        [input]
        file = "extract.xlsx"
        header_row = 3
        columns = { person_id = "Client" }
        status_from_dates = { start = "Start", end = "End" }
        waiting_when = { column = "Waiting", values = ["Y"] }
        age_from = { birth_date = "DOB" }
        band_from_cost = { column = "Cost" }
        [[input.lot_rules]]
        lot = "ld"
        when = { PSR = "Learning Disability Support", Component = "Day Care" }
        [[input.lot_rules]]
        lot = "pa"
        when = { PSR = "Learning Disability Support", Component = "Direct Payment" }
        [[input.lot_rules]]
        lot = "none"
        when = { PSR = "Social Support: Substance misuse support" }
        "#,
    )
    .expect("maps");
    assert!(
        m.records.rejected.is_empty(),
        "{:?}",
        m.records.rejected.listed
    );
    assert_eq!(column(&m, "person_id"), ["A1", "A3", "A6"]);
    assert_eq!(column(&m, "status"), ["current", "current", "waiting"]);
    assert_eq!(column(&m, "age_band"), ["18-64", "65+", "18-64"]);
    assert_eq!(column(&m, "band"), ["B", "C", ""]);
    assert_eq!(column(&m, "lot"), ["ld", "pa", "ld"]);
    let notes: Vec<(usize, &str)> = m.notes.iter().map(|n| (n.count, n.what.as_str())).collect();
    assert_eq!(
        notes,
        [
            (1, "rows a lot rule leaves out (lot = \"none\")"),
            (1, "rows ended before the data date (2025-06-30)"),
            (1, "rows starting after the data date (2025-06-30)"),
        ]
    );
}

#[test]
fn an_unmapped_value_is_reported_once_with_its_count_and_the_nearest_mapping() {
    let rows: Vec<Vec<Cell>> = (0..4)
        .map(|i| {
            vec![
                Text(["P1", "P2", "P3", "P4"][i]),
                Text(if i == 2 { "PMLD" } else { "Learning Disabilty" }),
            ]
        })
        .collect();
    let input = workbook("People", &["Client", "Need"], &rows);
    let m = read(
        &input,
        r#"
        [input]
        file = "extract.xlsx"
        columns = { person_id = "Client", lot = "Need" }
        values.lot = { "Learning Disability" = "ld", "PMLD" = "ld" }
        "#,
    )
    .expect("maps");
    let problems: Vec<String> = m
        .records
        .rejected
        .listed
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "extract.xlsx: sheet \"People\", row 4: column \"Need\" (lot): \"Learning Disabilty\" has no entry in [inputs.demand.values.lot] and is not one of ld, pa; the closest mapped value is \"Learning Disability\" [3 rows: 4, 5, 7]"
        ]
    );
    assert_eq!(column(&m, "lot"), ["ld"]);
}

#[test]
fn bad_cells_are_named_by_file_sheet_row_and_column() {
    let input = workbook(
        "People",
        &["Client", "DOB", "Cost"],
        &[
            vec![Text("P1"), Text("12/05/1899"), Number(52.44)],
            vec![Text("P2"), Date(2026, 1, 1), Number(52.44)],
            vec![Text("P3"), Date(2010, 1, 1), Number(52.44)],
            vec![Text("P4"), Date(1970, 1, 1), Error],
            vec![Text("P5"), Date(1970, 1, 1), Number(60.0)],
        ],
    );
    let m = read(
        &input,
        r#"
        [input]
        file = "extract.xlsx"
        age_from = { birth_date = "DOB" }
        band_from_cost = { column = "Cost" }
        "#,
    )
    .expect("maps");
    let problems: Vec<String> = m
        .records
        .rejected
        .listed
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "extract.xlsx: sheet \"People\", row 7: column Cost: \"#N/A\" holds the spreadsheet error #N/A (expected a value)",
            "extract.xlsx: sheet \"People\", row 4: column DOB: \"12/05/1899\" is before 1900 (is the year mistyped?)",
            "extract.xlsx: sheet \"People\", row 5: column DOB: \"2026-01-01\" is after the data date (2025-06-30)",
            "extract.xlsx: sheet \"People\", row 6: column DOB: \"2010-01-01\" gives an age of 15 on 2025-06-30, under 18 (adult social care is for people aged 18 and over)",
            "extract.xlsx: sheet \"People\", row 8: column Cost: \"60\" matches no band rate within £0.005 (the nearest is band B's full-day rate, £52.44)",
        ]
    );
    assert!(m.records.rows.is_empty());
}

#[test]
fn a_missing_sheet_a_missing_heading_and_a_bad_header_are_named() {
    let input = workbook(
        "Providers",
        &["Service Name", "Places"],
        &[vec![Text("S"), Number(5.0)]],
    );
    let e = read(
        &input,
        "[input]\nfile = \"extract.xlsx\"\nsheet = \"Provders\"\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        ["extract.xlsx: has no sheet \"Provders\" (did you mean \"Providers\"?); its sheets are \"Providers\""]
    );
    let e = read(
        &input,
        "[input]\nfile = \"extract.xlsx\"\ncolumns = { service_name = \"Service Nme\" }\n",
    )
    .unwrap_err();
    assert_eq!(
        e,
        ["extract.xlsx: sheet \"Providers\", row 3: has no column \"Service Nme\", which the config names in [inputs.demand] columns.service_name (the closest heading is \"Service Name\")"]
    );

    let dup = workbook(
        "S",
        &["Name", "Name", "", "x"],
        &[vec![Text("a"), Text("b"), Text("orphan"), Text("c")]],
    );
    let e = read(&dup, "input = \"extract.xlsx\"").unwrap_err();
    assert_eq!(
        e,
        [
            "extract.xlsx: sheet \"S\", row 3: column C has no heading in the header row but holds data (first at C4); give it a heading or delete it",
        ]
    );
    let dup = workbook("S", &["Name", "Name"], &[vec![Text("a"), Text("b")]]);
    let e = read(&dup, "input = \"extract.xlsx\"").unwrap_err();
    assert_eq!(
        e,
        ["extract.xlsx: sheet \"S\", row 3: column Name: appears twice in the header"]
    );
}

#[test]
fn merged_cells_at_or_below_the_header_are_refused_but_a_merged_title_is_not() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("S").expect("name");
    ws.merge_range(0, 0, 0, 2, "Title across three cells", &Format::new())
        .expect("title");
    for (c, h) in ["a", "b", "c"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("heading");
    }
    ws.write_string(2, 0, "x").expect("cell");
    ws.write_string(2, 2, "z").expect("cell");
    let ok = InputFile {
        name: "m.xlsx".into(),
        bytes: book.save_to_buffer().expect("saves"),
    };
    assert!(read(&ok, "[input]\nfile = \"m.xlsx\"\nheader_row = 2\n").is_ok());
    ws_merge_below(&mut book);
    let bad = InputFile {
        name: "m.xlsx".into(),
        bytes: book.save_to_buffer().expect("saves"),
    };
    let e = read(&bad, "[input]\nfile = \"m.xlsx\"\nheader_row = 2\n").unwrap_err();
    assert_eq!(
        e,
        ["m.xlsx: sheet \"S\", row 4: cells A4:B4 are merged; gapmap reads one value per cell, so unmerge them (Home > Merge & Center) and fill in each cell"]
    );
}

fn ws_merge_below(book: &mut Workbook) {
    let ws = book.worksheet_from_name("S").expect("sheet");
    ws.merge_range(3, 0, 3, 1, "merged data", &Format::new())
        .expect("merge");
}

#[test]
fn a_cld_extract_without_a_required_field_is_named() {
    let input = workbook(
        "CLD",
        &[
            "LA_Person_Unique_Identifier",
            "Event_Start_Date",
            "Planned_units_per_week",
            "Cost_Frequency_(Unit_Type)",
        ],
        &[vec![
            Text("1"),
            Date(2024, 1, 1),
            Number(2.0),
            Text("Daily"),
        ]],
    );
    let config = config("[demand]\nformat = \"cld\"\n");
    let bands = bands();
    let ctx = Context::of(&config, "demand", &bands);
    let e = gapmap::load::cld::read(
        &input,
        &spec("input = \"extract.xlsx\""),
        &config.file.demand.cld,
        &[],
        &ctx,
    )
    .unwrap_err();
    let messages: Vec<String> = e.listed.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "extract.xlsx: sheet \"CLD\", row 3: is read as Client Level Data (demand.format = \"cld\") but has no service type column \"Service_Type\"; if the extract calls it something else, name it in [inputs.demand.columns], e.g. Service_Type = \"Your heading\"",
            "extract.xlsx: sheet \"CLD\", row 3: is read as Client Level Data, which has no lots: add [[inputs.demand.lot_rules]] that give the lot from Primary_Support_Reason and Service_Component",
        ]
    );
}

mod common;

/// The sample's services.csv as an .xlsx with the same headings: numbers as numbers, the
/// rest as text.
fn services_workbook(csv_path: &std::path::Path) -> Vec<u8> {
    let mut reader = csv::Reader::from_path(csv_path).expect("services.csv");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    let mut book = Workbook::new();
    let ws = book.add_worksheet().set_name("Services").expect("name");
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).expect("heading");
    }
    for (r, record) in reader.records().enumerate() {
        for (c, field) in record.expect("record").iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match field.parse::<f64>() {
                Ok(n) => ws.write_number(r, c, n).map(|_| ()),
                Err(_) => ws.write_string(r, c, field).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("saves")
}

#[test]
fn the_sample_services_give_the_same_gap_table_as_csv_as_a_plain_workbook_and_as_a_framework_list()
{
    let dir = tempfile::tempdir().expect("temp");
    let data = common::repo().join("data");
    for entry in std::fs::read_dir(&data).expect("data") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.path().join(path.file_name().expect("name"))).expect("copy");
    }
    // The same list with gapmap's own headings and words, as a workbook.
    std::fs::write(
        dir.path().join("plain.xlsx"),
        services_workbook(&data.join("services.csv")),
    )
    .expect("xlsx");
    let out = dir.path().join("out");
    let out_text = out.to_str().expect("utf8");
    // The embedded sample reads services.xlsx, a framework list mapped in its config.
    let sample = common::gapmap(&["run", "--out", out_text, "--label", "sample"]);
    assert!(sample.status.success(), "{}", common::stderr(&sample));
    for (label, file) in [("csv", "services.csv"), ("plain", "plain.xlsx")] {
        let config = dir.path().join(format!("{label}.toml"));
        std::fs::write(
            &config,
            common::config_with_services(
                &std::fs::read_to_string(data.join("gapmap.toml")).expect("config"),
                file,
            ),
        )
        .expect("config");
        let run = common::gapmap(&[
            "run",
            "--config",
            config.to_str().expect("utf8"),
            "--out",
            out_text,
            "--label",
            label,
        ]);
        assert!(run.status.success(), "{}", common::stderr(&run));
    }
    let gaps =
        |label: &str| std::fs::read(out.join(label).join("tables/gaps.csv")).expect("gaps.csv");
    assert_eq!(gaps("sample"), gaps("csv"));
    assert_eq!(gaps("sample"), gaps("plain"));
}

#[test]
fn a_primary_support_reason_no_lot_rule_covers_is_reported_once_with_the_nearest_rule_value() {
    // Five events: two Learning Disability Support (mapped), three "Mental Health" (no
    // rule mentions it; the nearest value in a rule is "Mental Health Support").
    let psr = [
        "Learning Disability Support",
        "Mental Health",
        "Mental Health",
        "Learning Disability Support",
        "Mental Health",
    ];
    let rows: Vec<Vec<Cell>> = psr
        .iter()
        .map(|p| vec![Text(p), Text("Day Care")])
        .collect();
    let input = workbook(
        "CLD",
        &["Primary_Support_Reason", "Service_Component"],
        &rows,
    );
    let m = read(
        &input,
        r#"
        [input]
        file = "extract.xlsx"
        [[input.lot_rules]]
        lot = "ld"
        when = { Primary_Support_Reason = "Learning Disability Support" }
        [[input.lot_rules]]
        lot = "pa"
        when = { Primary_Support_Reason = "Mental Health Support", Service_Component = "Direct Payment" }
        "#,
    )
    .expect("maps");
    let problems: Vec<String> = m
        .records
        .rejected
        .listed
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        problems,
        [
            "extract.xlsx: sheet \"CLD\", row 5: column Primary_Support_Reason: \"Mental Health\" is in no lot rule ([[inputs.demand.lot_rules]]) (the closest value in a rule is \"Mental Health Support\"); add a rule for it, with lot = \"none\" to leave such rows out [3 rows: 5, 6, 8]"
        ]
    );
    assert_eq!(column(&m, "lot"), ["ld", "ld"]);
}
