//! The run's Excel workbook, `tables/gapmap.xlsx`: a sheet per published table (the same
//! tables, rows and values as the CSVs) and an `about` sheet that explains every column and
//! the disclosure marks.
//!
//! It is built only from the tables the run publishes, which are built from the published
//! view, so it carries exactly the disclosure control of the CSVs. This module decides what
//! each column means and how it is shown; [`crate::io::xlsx`] writes the file.

use crate::config::Config;
use crate::io::table::{Table, Values};
use crate::io::xlsx::{self, CellFormat, NoteRow, Notes, Sheet};
use crate::publish::disclosure::Disclosure;

/// The workbook's path inside the run folder.
pub const FILE: &str = "tables/gapmap.xlsx";

/// Builds the workbook from the published tables, by sheet name (the CSV's file name
/// without extension), in the order given.
///
/// The run's label is left out, like the CSVs leave it out, so the same inputs give the
/// same workbook under any label.
pub fn workbook(
    config: &Config,
    disclosure: &Disclosure,
    tables: &[(String, Table)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let sheets: Vec<Sheet> = tables
        .iter()
        .map(|(name, table)| Sheet {
            name,
            table,
            formats: table
                .columns
                .iter()
                .map(|(column, values)| format_of(column, values))
                .collect(),
        })
        .collect();
    let notes = about(config, disclosure, tables);
    xlsx::write_workbook(&notes, &sheets, creation_date(&config.file.data_date))
}

/// The document's creation date: the data date when it is a `YYYY-MM-DD` date (otherwise
/// 2000-01-01), so the workbook's bytes depend on the inputs only, never on the clock.
fn creation_date(data_date: &str) -> (u16, u8, u8) {
    let parts: Vec<&str> = data_date.trim().splitn(3, '-').collect();
    let parsed = match parts.as_slice() {
        [y, m, d] => y
            .parse::<u16>()
            .ok()
            .zip(m.parse::<u8>().ok())
            .zip(d.get(..2.min(d.len())).and_then(|d| d.parse::<u8>().ok()))
            .map(|((y, m), d)| (y, m, d)),
        _ => None,
    };
    parsed
        .filter(|&(y, m, d)| y >= 1900 && rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).is_ok())
        .unwrap_or((2000, 1, 1))
}

/// How a column's numbers are shown, from its name and type.
fn format_of(column: &str, values: &Values) -> CellFormat {
    match values {
        Values::Text(_) => CellFormat::Text,
        Values::Int(_) => CellFormat::Whole,
        Values::Float(_) => {
            if column.contains("_gbp") || column.ends_with("_rate") {
                CellFormat::Pounds
            } else if column.starts_with("share_") || column.starts_with("sufficiency") {
                CellFormat::Percent
            } else if column.contains("e2sfca") {
                CellFormat::Decimals(6)
            } else if column.contains("_km") {
                CellFormat::Decimals(2)
            } else {
                CellFormat::Quantity
            }
        }
    }
}

fn row(cells: &[&str]) -> NoteRow {
    NoteRow {
        cells: cells.iter().map(|c| c.to_string()).collect(),
        heading: false,
    }
}

fn heading(cells: &[&str]) -> NoteRow {
    NoteRow {
        heading: true,
        ..row(cells)
    }
}

/// The `about` sheet: what the workbook is, how to read empty cells, and every column.
fn about(config: &Config, d: &Disclosure, tables: &[(String, Table)]) -> Notes {
    let mut rows = vec![
        heading(&[&config.file.title]),
        row(&["Data date", &config.file.data_date]),
        row(&[]),
        heading(&["How to read the tables"]),
        row(&[
            "Counts of people",
            &format!(
                "Rounded to the nearest {}. A count from 1 to {} is not shown (an empty cell, marked [c] in the report and charts) so that no one can be identified; when current users or people waiting would be suppressed, both are and only their total (demand) is shown.",
                d.base, d.threshold
            ),
        ]),
        row(&[
            "Empty cells",
            "Either a suppressed count of people (or a figure that would reveal one, such as hours, distances or money describing too few people), or a figure that does not apply (sufficiency where there is no demand; a measure that is not comparable between two runs).",
        ]),
        row(&[
            "Derived figures",
            "Gaps, sufficiency and shares are computed from the published (rounded) counts. Groupings are sums of the published district figures.",
        ]),
        row(&[
            "Modelled figures",
            &format!(
                "Expected people (population times a prevalence rate) are modelled estimates, not counts: they are shown to the nearest {}, as published prevalence estimates are, and a grouping's figure is the sum of its districts' shown figures. Reach is the people known to services divided by the people expected, both as shown, as a whole percentage.",
                crate::publish::projections::EXPECTED_PEOPLE_ROUNDING
            ),
        ]),
        row(&[
            "Same as the CSVs",
            "Each sheet holds exactly the rows and values of the CSV file of the same name in this folder; only the display (number formats, widths) differs.",
        ]),
        row(&[]),
        heading(&["Sheet", "Column", "Meaning"]),
    ];
    for (sheet, table) in tables {
        for (column, _) in &table.columns {
            rows.push(row(&[sheet, column, &meaning(sheet, column)]));
        }
    }
    Notes {
        name: "about".to_string(),
        rows,
        widths: vec![22.0, 30.0, 100.0],
    }
}

/// What a column means, in a sentence.
fn meaning(sheet: &str, column: &str) -> String {
    for (suffix, when) in [
        ("_before", "in the earlier run"),
        ("_after", "in this run"),
        ("_change", "change from the earlier run to this one"),
    ] {
        if let Some(base) = column.strip_suffix(suffix) {
            if sheet.starts_with("changes") || sheet == "gap_changes" {
                return format!("{}: {when}", base_meaning(sheet, base));
            }
        }
    }
    base_meaning(sheet, column)
}

fn base_meaning(sheet: &str, column: &str) -> String {
    if let Some(text) = crate::publish::market::meaning(sheet, column) {
        return text.to_string();
    }
    let area = sheet == "access_by_area";
    let text = match column {
        "area_code" if area => "ONS code of the small area",
        "area_name" if area => "Name of the small area",
        "area_code" => "ONS code of the district, or the id of a grouping of districts",
        "area_name" => "Name of the district or grouping",
        "area_kind" => "district, or grouping (a named set of districts)",
        "district_code" => "ONS code of the district it lies in (empty: outside every area)",
        "district_name" => "Name of the district it lies in",
        "lot" => "Need category (framework lot) id",
        "lot_label" => "Need category (framework lot) name",
        "unit" => "Unit of the lot: places (per day) or hours (PA hours per week)",
        "services" => "Active services located in the area that serve the lot",
        "supply" => "Capacity of the active services located in the area that serve the lot, in the lot's unit (a service serving several lots counts in full towards each)",
        "current_users" => "People using a service now (count of people: rounded; small counts empty)",
        "waiting" => "People waiting, or assessed and not placed (count of people: rounded; small counts empty)",
        "demand" => "Current users plus people waiting, in the lot's unit",
        "gap" => "Demand minus supply: positive is a shortfall, negative spare capacity",
        "sufficiency" => "Supply as a share of demand (100% = enough); empty when there is no demand",
        "people_for_access" => "People (current and waiting) whose distance to the nearest suitable service was measured",
        "beyond_catchment" => "Of those, people with no suitable service within the catchment",
        "share_beyond_catchment" => "Share of people with no suitable service within the catchment",
        "mean_distance_km" => "Mean distance (km) to the nearest active service serving the lot",
        "p90_distance_km" => "90th percentile of the distance (km) to the nearest suitable service",
        "mean_e2sfca" => "Mean E2SFCA accessibility of the people: capacity within reach per person in reach, weighted by distance zone",
        "service_id" => "Service id",
        "provider_id" => "Provider id",
        "provider_name" => "Provider name, as given in the services file",
        "service_name" => "Service name, as given in the services file",
        "service_type" => "Service type id",
        "lots" => "Lots the service serves, separated by ;",
        "capacity" => "Capacity in the service type's unit (places per day or hours per week)",
        "status" => "active, suspended or closed",
        "counts_as_supply" => "1 when the service is active and inside an area (so it counts as supply), otherwise 0",
        "band" => "Band id",
        "band_label" => "Band name",
        "full_day_rate" => "Rate for a full day (£)",
        "hourly_rate" => "Rate per hour (£)",
        "people" if area => "People living in the small area with this need (count of people: rounded; small counts empty)",
        "people" => "People on the band (count of people: rounded; small counts empty)",
        "days_or_hours_per_week" => "Days (day bands) or hours (hourly bands) a week",
        "weekly_cost_gbp" => "Cost a week at the band's rates (£)",
        "annual_cost_gbp" => "Cost a year: weekly cost times the configured weeks a year (£)",
        "nearest_distance_km" => "Distance (km) from the area's interior point to the nearest active service serving the lot",
        "services_in_reach" => "Active services serving the lot within the catchment",
        "e2sfca" => "E2SFCA accessibility: capacity within reach per person in reach, weighted by distance zone",
        "comparable" => "yes, or which settings differ between the runs so the figures cannot be compared",
        "gap_change" => "How the gap changed: opened, closed, widened or narrowed",
        "change" if sheet == "changes_services" => "opened, closed or changed",
        "change" => "Gap in this run minus the gap in the earlier run",
        "summary" => "The change in a sentence",
        "expected_people" => "People expected to have the need: the population of each age band times the prevalence rate (a modelled estimate, to the nearest 5)",
        "known_people" => "People known to services today: current users plus people waiting (count of people: rounded; small counts empty)",
        "reach_percent" => "Known people as a whole percentage of expected people (data year only)",
        "status_before" | "status_after" | "lots_before" | "lots_after" => "",
        _ => "",
    };
    if text.is_empty() {
        column.replace('_', " ")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creation_date_comes_from_the_data_date() {
        assert_eq!(creation_date("2025-06-30"), (2025, 6, 30));
        assert_eq!(creation_date("2025-02-30"), (2000, 1, 1));
        assert_eq!(creation_date("2025-03-01"), (2025, 3, 1));
        assert_eq!(creation_date("June 2025"), (2000, 1, 1));
        assert_eq!(creation_date("2025-13-01"), (2000, 1, 1));
    }

    #[test]
    fn formats_follow_the_column() {
        let f = Values::Float(vec![]);
        assert_eq!(format_of("annual_cost_gbp", &f), CellFormat::Pounds);
        assert_eq!(format_of("hourly_rate", &f), CellFormat::Pounds);
        assert_eq!(
            format_of("share_beyond_catchment_change", &f),
            CellFormat::Percent
        );
        assert_eq!(format_of("sufficiency", &f), CellFormat::Percent);
        assert_eq!(
            format_of("mean_distance_km_before", &f),
            CellFormat::Decimals(2)
        );
        assert_eq!(format_of("supply", &f), CellFormat::Quantity);
        assert_eq!(
            format_of("waiting", &Values::Int(vec![])),
            CellFormat::Whole
        );
        assert_eq!(format_of("gap", &Values::Text(vec![])), CellFormat::Text);
    }

    #[test]
    fn comparison_columns_say_which_run() {
        assert_eq!(
            meaning("changes_by_district", "gap_before"),
            "Demand minus supply: positive is a shortfall, negative spare capacity: in the earlier run"
        );
        assert_eq!(
            meaning("changes_services", "change"),
            "opened, closed or changed"
        );
    }
}
