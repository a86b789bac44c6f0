//! The Client Level Data reader on a small extract made here, whose people are worked out
//! by hand from NHS England's rules (see `gapmap::load::cld`): events open at the data
//! date, people alive on it, one row per person and lot with planned units added up.

mod common;

use gapmap::io::InputFile;
use gapmap::load::cld::{self, CldSettings};
use gapmap::load::demand;
use gapmap::load::mapping::{Context, InputSpec};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// The bands the events' unit costs are matched against.
const BANDS: &str = r#"
[[bands]]
id = "D"
label = "Day band"
full_day = 100.0

[[bands]]
id = "F"
label = "Hourly band"
hourly = 20.0
"#;

/// The extract's fields under the specification's names, so `columns` maps nothing.
const SPEC: &str = r#"
file = "events.xlsx"
band_from_cost = { column = "Unit_Cost" }

[[lot_rules]]
lot = "ld"
when = { Service_Component = "Day Care" }

[[lot_rules]]
lot = "pa"
when = { Service_Component = "Direct Payment" }
"#;

const HEADINGS: [&str; 13] = [
    "LA_Person_Unique_Identifier",
    "Der_Birth_Year",
    "Der_Birth_Month",
    "Date_of_Death",
    "Event_Type",
    "Event_Start_Date",
    "Event_End_Date",
    "Service_Type",
    "Service_Component",
    "Primary_Support_Reason",
    "Unit_Cost",
    "Cost_Frequency_(Unit_Type)",
    "Planned_units_per_week",
];

/// One event: person, birth year and month, date of death, event type, start, end,
/// service type, component, cost, unit type, planned units a week.
type Event<'a> = (
    &'a str,
    i32,
    u8,
    Option<&'a str>,
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
    f64,
    &'a str,
    f64,
);

const LTS: &str = "Long Term Support: Community";

/// The data date is 2025-06-30.
#[rustfmt::skip]
const EVENTS: [Event; 14] = [
    // A: ended the day before the data date: left out.
    ("A", 1990, 7, None, "Service", "2024-01-08", Some("2025-06-29"), LTS, "Day Care", 100.0, "Daily", 2.0),
    // B: ends on the data date: kept. Born (as CLD takes it) 1960-06-01: 23,770 days to the
    // data date (65 years with 16 leap days, and 29 days), 65.08 years of 365.25: 65+.
    ("B", 1960, 6, None, "Service", "2024-01-08", Some("2025-06-30"), LTS, "Day Care", 100.0, "Daily", 3.0),
    // C: starts the day after the data date: left out.
    ("C", 1990, 7, None, "Service", "2025-07-01", None, LTS, "Day Care", 100.0, "Daily", 2.0),
    // D: open-ended: kept. Born 1960-07-01: 23,740 days, 64.997 years: 18-64.
    ("D", 1960, 7, None, "Service", "2023-05-02", None, LTS, "Day Care", 100.0, "Daily", 1.0),
    // E: day care and a direct payment, two lots: two rows, bands D and F.
    ("E", 1985, 3, None, "Service", "2022-09-05", None, LTS, "Day Care", 100.0, "Daily", 2.0),
    ("E", 1985, 3, None, "Service", "2023-01-09", None, LTS, "Direct Payment", 20.0, "Hourly", 10.0),
    // F: two day-care events of the same lot, 2 + 1 days: one row of 3 days.
    ("F", 1970, 11, None, "Service", "2021-04-12", None, LTS, "Day Care", 100.0, "Daily", 2.0),
    ("F", 1970, 11, None, "Service", "2024-10-07", None, LTS, "Day Care", 100.0, "Daily", 1.0),
    // G: managed PA in hours: 7.5 hours.
    ("G", 1995, 1, None, "Service", "2024-02-05", None, LTS, "Direct Payment", 20.0, "Hourly", 7.5),
    // H: managed PA (a lot in hours) bought by the day: 2 days x 6 hours = 12 hours; a
    // daily cost of 100 is band D's full-day rate.
    ("H", 1988, 8, None, "Service", "2024-06-03", None, LTS, "Direct Payment", 100.0, "Daily", 2.0),
    // I: died before the data date, event still open: left out.
    ("I", 1950, 2, Some("2025-06-15"), "Service", "2020-03-02", None, LTS, "Day Care", 100.0, "Daily", 2.0),
    // J: a review, not a service: left out.
    ("J", 1980, 5, None, "Review", "2025-05-20", Some("2025-05-20"), "", "", 0.0, "", 0.0),
    // K: residential care, another service type: left out.
    ("K", 1940, 9, None, "Service", "2019-11-04", None, "Long Term Support: Residential Care", "Residential Care", 850.0, "Weekly", 1.0),
    // L: ended well before the data date: left out.
    ("L", 1975, 4, None, "Service", "2019-01-07", Some("2022-12-30"), LTS, "Day Care", 100.0, "Daily", 4.0),
];

fn date(text: &str) -> ExcelDateTime {
    let part = |r: std::ops::Range<usize>| text[r].parse::<u16>().expect("date part");
    ExcelDateTime::from_ymd(part(0..4), part(5..7) as u8, part(8..10) as u8).expect("date")
}

/// The events as an Excel workbook, dates as Excel dates.
fn workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let ws = workbook.add_worksheet();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in HEADINGS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("heading");
    }
    for (r, e) in EVENTS.iter().enumerate() {
        let row = 1 + r as u32;
        let (
            person,
            year,
            month,
            death,
            kind,
            start,
            end,
            service_type,
            component,
            cost,
            unit,
            planned,
        ) = *e;
        ws.write_string(row, 0, person).expect("cell");
        ws.write_number(row, 1, year).expect("cell");
        ws.write_number(row, 2, month).expect("cell");
        if let Some(d) = death {
            ws.write_datetime_with_format(row, 3, date(d), &day)
                .expect("cell");
        }
        ws.write_string(row, 4, kind).expect("cell");
        ws.write_datetime_with_format(row, 5, date(start), &day)
            .expect("cell");
        if let Some(d) = end {
            ws.write_datetime_with_format(row, 6, date(d), &day)
                .expect("cell");
        }
        for (c, text) in [
            (7, service_type),
            (8, component),
            (9, "Learning Disability Support"),
            (11, unit),
        ] {
            if !text.is_empty() {
                ws.write_string(row, c, text).expect("cell");
            }
        }
        if kind == "Service" {
            ws.write_number(row, 10, cost).expect("cell");
            ws.write_number(row, 12, planned).expect("cell");
        }
    }
    workbook.save_to_buffer().expect("workbook")
}

#[test]
fn cld_events_become_one_row_per_person_and_lot() {
    let config = common::small_config("[demand]\nformat = \"cld\"\n", BANDS);
    let spec: InputSpec = toml::from_str(SPEC).expect("spec");
    let bands = config.file.projections.bands();
    let ctx = Context::of(&config, "demand", &bands);
    let input = InputFile {
        name: "events.xlsx".into(),
        bytes: workbook(),
    };
    let vocabulary = demand::vocabulary(&config.catalogue);
    let mapped = cld::read(&input, &spec, &CldSettings::default(), &vocabulary, &ctx)
        .unwrap_or_else(|e| panic!("{:?}", e.listed));
    assert!(
        mapped.records.rejected.is_empty(),
        "{:?}",
        mapped.records.rejected.listed
    );

    // The people layout: person_id, age_band, primary_need, lot, status, band,
    // days_per_week, hours_per_week.
    let people: Vec<Vec<&str>> = mapped
        .records
        .rows()
        .map(|r| demand::PERSON_COLUMNS.iter().map(|c| r.text(c)).collect())
        .collect();
    // In the order people first appear; the primary need is the lot (none is mapped).
    let expected: Vec<Vec<&str>> = vec![
        vec!["B", "65+", "ld", "ld", "current", "D", "3", "0"],
        vec!["D", "18-64", "ld", "ld", "current", "D", "1", "0"],
        vec!["E", "18-64", "ld", "ld", "current", "D", "2", "0"],
        vec!["E", "18-64", "pa", "pa", "current", "F", "0", "10"],
        vec!["F", "18-64", "ld", "ld", "current", "D", "3", "0"],
        vec!["G", "18-64", "pa", "pa", "current", "F", "0", "7.5"],
        vec!["H", "18-64", "pa", "pa", "current", "D", "0", "12"],
    ];
    assert_eq!(people, expected);

    let mut notes: Vec<(usize, &str)> = mapped
        .notes
        .iter()
        .map(|n| (n.count, n.what.as_str()))
        .collect();
    notes.sort_by(|a, b| a.1.cmp(b.1));
    assert_eq!(
        notes,
        [
            (
                1,
                "events that are not services (requests, assessments, reviews)"
            ),
            (2, "rows ended before the data date (2025-06-30)"),
            (1, "rows starting after the data date (2025-06-30)"),
            (
                1,
                "service events of other service types than Long Term Support: Community"
            ),
            (
                1,
                "service events of people who died before the data date (2025-06-30)"
            ),
        ]
    );
}
