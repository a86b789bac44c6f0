//! `gapmap inspect`: its arguments, and the summary and proposed mapping it prints for a
//! council's file ([`gapmap::load::inspect`]). It writes no files.

use std::path::PathBuf;

use gapmap::io::{sheet, InputFile};
use gapmap::load::{inspect, mapping};

/// Describe a council's file and propose a mapping for the config.
///
/// Prints each column's type, blank cells and distinct values with counts (columns that
/// look like identifiers, names, dates of birth, postcodes or addresses show counts only,
/// never values, since the file describes real people), then a block for the config that
/// maps gapmap's columns, or Client Level Data's fields, to the file's headings. Reads CSV,
/// Excel (.xlsx, .xlsm, .xls, .xlsb) and OpenDocument (.ods) files.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap inspect cld_2025q2.xlsx\n  gapmap inspect framework.xlsx --sheet Providers --header-row 3"
)]
pub struct InspectArgs {
    /// The file to describe.
    file: PathBuf,
    /// For spreadsheets: the sheet to read (the first when not given).
    #[arg(long)]
    sheet: Option<String>,
    /// The row (spreadsheets) or line (CSV) holding the headings; found when not given.
    #[arg(long)]
    header_row: Option<u64>,
}

/// Reads the file and prints its summary and a proposed mapping.
pub fn inspect(args: InspectArgs) -> Result<(), String> {
    let name = args.file.display().to_string();
    let input = InputFile::read(&name, &args.file).map_err(|p| p.to_string())?;
    let spec = mapping::InputSpec {
        file: name.clone(),
        sheet: args.sheet.clone(),
        header_row: args.header_row,
        ..Default::default()
    };
    let records = mapping::read_records(&input, &spec)
        .map_err(|e| gapmap::problem::InputErrors(e).to_string())?;
    let sheets = if sheet::is_spreadsheet(&name) {
        sheet::Workbook::open(&input)
            .map(|w| w.sheet_names())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let file_name = args
        .file
        .file_name()
        .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
    print!("{}", inspect::report(&records, &file_name, &sheets));
    if !records.rejected.is_empty() {
        println!(
            "\n{} row{} could not be read:",
            records.rejected.len(),
            if records.rejected.len() == 1 { "" } else { "s" }
        );
        for p in records
            .rejected
            .listed
            .iter()
            .take(gapmap::problem::MAX_PROBLEMS)
        {
            println!("  {p}");
        }
    }
    Ok(())
}
