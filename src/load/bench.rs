//! The benchmark of reading Client Level Data: a generated extract of 200,000 service
//! events in an Excel workbook, read and turned into people as a run would.
//!
//! The workbook is written by one process ([`write_cld_workbook`]) and read by another
//! ([`bench_cld_read`]), so that the reading process's peak memory is the reading's own.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format};

use crate::config::{Config, Origin};
use crate::io::InputFile;
use crate::load::cld;
use crate::load::mapping::{Context, InputSpec};
use crate::rng::SplitMix64;

/// The case's name in `gapmap bench`.
pub const CASE: &str = "cld-read-200000";

/// Service events in the generated extract.
pub const EVENTS: usize = 200_000;

const HEADER: [&str; 14] = [
    "LA_Person_Unique_Identifier",
    "Event_Type",
    "Client_Type",
    "Service_Type",
    "Service_Component",
    "Primary_Support_Reason",
    "Event_Start_Date",
    "Event_End_Date",
    "Planned_units_per_week",
    "Cost_Frequency_(Unit_Type)",
    "Unit_Cost",
    "Der_Birth_Year",
    "Der_Birth_Month",
    "LSOA",
];

const PSR: [&str; 4] = [
    "Learning Disability Support",
    "Mental Health Support",
    "Support with Memory & Cognition",
    "Physical Support: Personal care support",
];

/// The config the bench reads the extract with: four lots from PSR and component.
const CONFIG: &str = r#"
title = "CLD bench"
label = "bench"
data_date = "2025-06-30"
[inputs]
services = "s.csv"
areas = "a.geojson"
[inputs.demand]
file = "cld.xlsx"
columns = { area_code = "LSOA" }
[[inputs.demand.lot_rules]]
lot = "ld"
when = { Primary_Support_Reason = "Learning Disability Support", Service_Component = "Day Care" }
[[inputs.demand.lot_rules]]
lot = "pa"
when = { Service_Component = "Direct Payment" }
[[inputs.demand.lot_rules]]
lot = "mh"
when = { Primary_Support_Reason = "Mental Health Support" }
[[inputs.demand.lot_rules]]
lot = "dementia"
when = { Primary_Support_Reason = ["Support with Memory & Cognition", "Physical Support: Personal care support"] }
[demand]
format = "cld"
[[lots]]
id = "ld"
label = "LD"
short_label = "LD"
unit = "places"
[[lots]]
id = "pa"
label = "PA"
short_label = "PA"
unit = "hours"
[[lots]]
id = "mh"
label = "MH"
short_label = "MH"
unit = "places"
[[lots]]
id = "dementia"
label = "Dementia"
short_label = "Dementia"
unit = "places"
[[service_types]]
id = "day"
label = "Day"
unit = "places"
[[bands]]
id = "C"
label = "C"
full_day = 78.42
"#;

/// Writes the generated extract: 200,000 events of about 120,000 people, a tenth of them
/// closed before the data date and a few of other service types, as a council's export
/// would have.
pub fn write_cld_workbook(path: &Path) -> Result<(), String> {
    let mut rng = SplitMix64::new(2025);
    let mut book = crate::io::xlsx::new_workbook().map_err(|e| e.to_string())?;
    book.set_properties(
        &DocProperties::new().set_creation_datetime(
            &ExcelDateTime::from_ymd(2025, 6, 30).map_err(|e| e.to_string())?,
        ),
    );
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    for (c, h) in HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(err)?;
    }
    for i in 0..EVENTS {
        let r = i as u32 + 1;
        let person = (i as f64 * 0.6) as u64;
        let psr = PSR[rng.below(PSR.len())];
        let pa = rng.below(4) == 0;
        let service_type = if rng.below(20) == 0 {
            "Long Term Support: Residential Care"
        } else {
            "Long Term Support: Community"
        };
        let start = ExcelDateTime::from_ymd(
            2020 + rng.below(5) as u16,
            1 + rng.below(12) as u8,
            1 + rng.below(28) as u8,
        )
        .map_err(err)?;
        sheet
            .write_string(r, 0, format!("P{person:07}"))
            .map_err(err)?;
        sheet.write_string(r, 1, "Service").map_err(err)?;
        sheet.write_string(r, 2, "Service User").map_err(err)?;
        sheet.write_string(r, 3, service_type).map_err(err)?;
        sheet
            .write_string(r, 4, if pa { "Direct Payment" } else { "Day Care" })
            .map_err(err)?;
        sheet.write_string(r, 5, psr).map_err(err)?;
        sheet
            .write_datetime_with_format(r, 6, &start, &date)
            .map_err(err)?;
        if rng.below(10) == 0 {
            let end =
                ExcelDateTime::from_ymd(2025, 1 + rng.below(5) as u8, 1 + rng.below(28) as u8)
                    .map_err(err)?;
            sheet
                .write_datetime_with_format(r, 7, &end, &date)
                .map_err(err)?;
        }
        sheet
            .write_number(
                r,
                8,
                if pa {
                    4.0 + rng.below(20) as f64
                } else {
                    1.0 + rng.below(5) as f64
                },
            )
            .map_err(err)?;
        sheet
            .write_string(r, 9, if pa { "Hourly" } else { "Daily" })
            .map_err(err)?;
        sheet
            .write_number(r, 10, if pa { 21.47 } else { 78.42 })
            .map_err(err)?;
        sheet
            .write_number(r, 11, (1940 + rng.below(60)) as f64)
            .map_err(err)?;
        sheet
            .write_number(r, 12, (1 + rng.below(12)) as f64)
            .map_err(err)?;
        sheet
            .write_string(r, 13, format!("E0{:07}", 1000 + rng.below(5000)))
            .map_err(err)?;
    }
    book.save(path).map_err(err)
}

/// What the case measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CldBenchReport {
    pub events: usize,
    pub workbook_bytes: usize,
    /// Person-lot rows the extract gives.
    pub people_rows: usize,
    pub runs: usize,
    pub median_seconds: f64,
    pub fastest_seconds: f64,
    pub peak_memory_bytes: Option<u64>,
}

/// Reads the extract at `path` `runs` times as a run would (file bytes, sheet, filters,
/// rules, one row per person and lot) and reports the median time and peak memory.
pub fn bench_cld_read(path: &Path, runs: usize) -> Result<CldBenchReport, String> {
    let config = Config::parse("bench.toml", CONFIG, Origin::Directory(".".into()))
        .map_err(|e| e.to_string())?;
    let bands = config.file.projections.bands();
    let ctx = Context::of(&config, "demand", &bands);
    let spec: &InputSpec = &config.file.inputs.demand;
    let mut times = Vec::with_capacity(runs);
    let mut people_rows = 0;
    let mut workbook_bytes = 0;
    for _ in 0..runs.max(1) {
        let started = std::time::Instant::now();
        let input =
            InputFile::read(&path.display().to_string(), path).map_err(|p| p.to_string())?;
        workbook_bytes = input.bytes.len();
        let mapped = cld::read(&input, spec, &config.file.demand.cld, &[], &ctx)
            .map_err(|p| crate::problem::InputErrors(p).to_string())?;
        people_rows = mapped.records.rows.len();
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok(CldBenchReport {
        events: EVENTS,
        workbook_bytes,
        people_rows,
        runs: times.len(),
        median_seconds: times[times.len() / 2],
        fastest_seconds: times[0],
        peak_memory_bytes: crate::access::peak_memory_bytes(),
    })
}
