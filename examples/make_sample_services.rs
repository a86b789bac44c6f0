//! Writes `data/services.xlsx`, the sample's framework provider list as a council keeps it
//! in Excel, from `data/services.csv` (gapmap's own layout) and the lot and service type
//! labels of `data/gapmap.toml`: a title row, the council's headings, lots and service
//! types in words. The config's `[inputs.services]` mapping reads it back.
//!
//! Run with `cargo run --example make_sample_services`; the same inputs give the same bytes.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};

/// gapmap's column, the council's heading, and the column width.
const COLUMNS: [(&str, &str, f64); 12] = [
    ("service_id", "Service Ref", 11.0),
    ("provider_id", "Provider Ref", 12.0),
    ("provider_name", "Provider", 40.0),
    ("service_name", "Service Name", 40.0),
    ("service_type", "Service Type", 28.0),
    ("lots", "Lots", 60.0),
    ("latitude", "Latitude", 10.0),
    ("longitude", "Longitude", 10.0),
    ("capacity", "Places per Day / PA Hours per Week", 18.0),
    ("current_users", "Current Users", 13.0),
    ("bands", "Bands Offered", 14.0),
    ("status", "Status", 9.0),
];

fn labels(config: &toml::Value, table: &str) -> BTreeMap<String, String> {
    config
        .get(table)
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            Some((
                entry.get("id")?.as_str()?.to_string(),
                entry.get("label")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let config: toml::Value = toml::from_str(&std::fs::read_to_string(data.join("gapmap.toml"))?)?;
    let lots = labels(&config, "lots");
    let types = labels(&config, "service_types");
    let mut reader = csv::Reader::from_path(data.join("services.csv"))?;
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();

    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("Community Life Choices framework: providers and services")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 6, 30)?),
    );
    let sheet = book.add_worksheet().set_name("Providers")?;
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(
        0,
        0,
        "Leicestershire County Council: Community Life Choices framework, providers and services at 30 June 2025 (illustrative)",
        &bold,
    )?;
    for (c, (_, heading, width)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(2, c as u16, *heading, &bold)?;
        sheet.set_column_width(c as u16, *width)?;
    }
    for (r, record) in reader.records().enumerate() {
        let record = record?;
        let field = |name: &str| -> &str {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
        };
        let row = r as u32 + 3;
        for (c, (name, _, _)) in COLUMNS.iter().enumerate() {
            let c = c as u16;
            let text = field(name);
            match *name {
                "lots" => {
                    let words: Vec<&str> = text
                        .split(';')
                        .map(|id| lots.get(id).map_or(id, String::as_str))
                        .collect();
                    sheet.write_string(row, c, words.join("; "))?;
                }
                "service_type" => {
                    sheet.write_string(row, c, types.get(text).map_or(text, String::as_str))?;
                }
                "status" => {
                    let mut word = text.to_string();
                    word[..1].make_ascii_uppercase();
                    sheet.write_string(row, c, word)?;
                }
                "bands" => {
                    sheet.write_string(row, c, text.replace(';', "; "))?;
                }
                _ => match text.parse::<f64>() {
                    Ok(n) => sheet.write_number(row, c, n).map(|_| ())?,
                    Err(_) => sheet.write_string(row, c, text).map(|_| ())?,
                },
            }
        }
    }
    let out = data.join("services.xlsx");
    book.save(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}
