//! Excel workbooks: [`Table`]s written as worksheets with a frozen, filterable header row,
//! column widths and number formats, plus a sheet of notes (plain text rows).
//!
//! This module knows the xlsx format (through `rust_xlsxwriter`), not what the columns
//! mean: the caller gives each column a [`CellFormat`]. Text is always written as a string
//! cell, never as a formula, so a provider name beginning with `=`, `+`, `-` or `@` reaches
//! Excel as the text it is. Missing numbers (nulls) are left as empty cells, as in the CSV.
//! The document's creation date is set by the caller, so the same tables give the same bytes.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::io::table::{Table, Values};

/// How the numbers of one column are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellFormat {
    /// Text (and numbers in text columns) as written.
    Text,
    /// A whole number with thousands separators: counts of people, services.
    Whole,
    /// Places or hours: whole numbers shown whole, others to two decimals at most.
    Quantity,
    /// A fixed number of decimals (distances, accessibility).
    Decimals(u8),
    /// Pounds and pence.
    Pounds,
    /// A share shown as a percentage (0.25 as 25.0%).
    Percent,
}

/// One worksheet: a table and a format for each of its columns.
pub struct Sheet<'a> {
    /// At most 31 characters, none of `[]:*?/\`.
    pub name: &'a str,
    pub table: &'a Table,
    /// One per column, in order; missing entries are [`CellFormat::Text`].
    pub formats: Vec<CellFormat>,
}

/// A sheet of notes: rows of text, the first cell of a row with one cell in bold when
/// `heading` says so.
pub struct Notes {
    pub name: String,
    pub rows: Vec<NoteRow>,
    /// Column widths in characters.
    pub widths: Vec<f64>,
}

/// One row of the notes sheet.
pub struct NoteRow {
    pub cells: Vec<String>,
    pub heading: bool,
}

/// Widest column, in characters, so a long sentence does not make a sheet unreadable.
const MAX_WIDTH: usize = 60;

/// Deflate level of the workbook's parts. Level 3 rather than the usual 6: on England's
/// 32,844 small areas (2.1 million cells) it saves about half a second of the workbook's
/// 1.7 s and makes the file 12% larger (11.4 MB against 10.2 MB); level 2 is no faster
/// there and 24% larger.
const ZIP_LEVEL: u8 = 3;

/// The formats shared by every sheet.
struct Formats {
    header: Format,
    whole: Format,
    fraction: Format,
    pounds: Format,
    percent: Format,
    decimals: Vec<Format>,
    wrap: Format,
    bold: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_border_bottom(FormatBorder::Thin),
            whole: Format::new().set_num_format("#,##0"),
            fraction: Format::new().set_num_format("#,##0.0#"),
            pounds: Format::new().set_num_format("\"£\"#,##0.00"),
            percent: Format::new().set_num_format("0.0%"),
            decimals: (0..=8)
                .map(|d| {
                    let pattern = if d == 0 {
                        "#,##0".to_string()
                    } else {
                        format!("#,##0.{}", "0".repeat(d))
                    };
                    Format::new().set_num_format(pattern)
                })
                .collect(),
            wrap: Format::new().set_text_wrap(),
            bold: Format::new().set_bold(),
        }
    }

    fn number(&self, format: CellFormat, value: f64) -> &Format {
        match format {
            CellFormat::Text | CellFormat::Whole => &self.whole,
            CellFormat::Quantity if value.fract() == 0.0 => &self.whole,
            CellFormat::Quantity => &self.fraction,
            CellFormat::Decimals(d) => &self.decimals[usize::from(d.min(8))],
            CellFormat::Pounds => &self.pounds,
            CellFormat::Percent => &self.percent,
        }
    }
}

/// Writes the notes sheet first, then one sheet per table, and returns the file's bytes.
/// `created` (year, month, day) is the document's creation date.
pub fn write_workbook(
    notes: &Notes,
    sheets: &[Sheet],
    created: (u16, u8, u8),
) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut workbook = new_workbook()?;
    let date = ExcelDateTime::from_ymd(created.0, created.1, created.2)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&date));
    workbook.push_worksheet(notes_sheet(notes, &formats)?);
    workbook.set_zip_compression_level(ZIP_LEVEL);
    // The tables go in low-memory worksheets: their rows wait in temporary files rather
    // than as cells in memory (England's small-area table alone is about 70 MB of XML).
    for sheet in sheets {
        table_sheet(workbook.add_worksheet_with_low_memory()?, sheet, &formats)?;
    }
    workbook.save_to_buffer()
}

/// An empty workbook, once the temporary folder is known to be writable: every worksheet
/// keeps a temporary file there (unnamed, so it goes when the process ends, however it
/// ends), and rust_xlsxwriter would panic on a folder it cannot write.
pub fn new_workbook() -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let tempdir = std::env::temp_dir();
    workbook.set_tempdir(&tempdir).map_err(|e| {
        XlsxError::CustomError(format!(
            "the temporary folder {} cannot be written ({e}); set TMPDIR to a folder that can",
            tempdir.display()
        ))
    })?;
    Ok(workbook)
}

fn notes_sheet(notes: &Notes, formats: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(&notes.name)?;
    print_setup(&mut ws);
    for (c, w) in notes.widths.iter().enumerate() {
        ws.set_column_width(col(c)?, *w)?;
    }
    let last = notes.widths.len().saturating_sub(1);
    for (r, row) in notes.rows.iter().enumerate() {
        let r = row_num(r)?;
        if row.heading {
            for (c, text) in row.cells.iter().enumerate() {
                ws.write_string_with_format(r, col(c)?, text, &formats.bold)?;
            }
            continue;
        }
        // A label and a text: the text spans the remaining columns.
        let spans = row.cells.len() == 2 && last > 1;
        let mut lines = 1;
        for (c, text) in row.cells.iter().enumerate() {
            let width = if spans && c == 1 {
                ws.merge_range(r, 1, r, col(last)?, text, &formats.wrap)?;
                notes.widths[1..].iter().sum()
            } else {
                ws.write_string_with_format(r, col(c)?, text, &formats.wrap)?;
                notes.widths.get(c).copied().unwrap_or(10.0)
            };
            lines = lines.max(lines_of(text, width));
        }
        if lines > 1 {
            ws.set_row_height(r, 15.0 * lines as f64)?;
        }
    }
    Ok(ws)
}

/// Lines a text wraps into in a column `width` characters wide (a rough count, so that
/// wrapped cells get a tall enough row in every spreadsheet program).
fn lines_of(text: &str, width: f64) -> usize {
    let per_line = (width * 0.95).max(1.0) as usize;
    text.chars().count().div_ceil(per_line).max(1)
}

/// Printing: A4 landscape, one page wide.
fn print_setup(ws: &mut Worksheet) {
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
}

/// Fills `ws` with a table: a bold header row, then the values row by row (the order a
/// low-memory worksheet needs: each row goes to a temporary file as the next begins).
fn table_sheet(ws: &mut Worksheet, sheet: &Sheet, formats: &Formats) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    print_setup(ws);
    ws.set_repeat_rows(0, 0)?;
    let table = sheet.table;
    let format_of = |c: usize| sheet.formats.get(c).copied().unwrap_or(CellFormat::Text);
    for (c, (name, values)) in table.columns.iter().enumerate() {
        let width = column_width(name, values, format_of(c));
        ws.set_column_width(col(c)?, (width.min(MAX_WIDTH) + 2) as f64)?;
    }
    for (c, (name, _)) in table.columns.iter().enumerate() {
        ws.write_string_with_format(0, col(c)?, name, &formats.header)?;
    }
    for r in 0..table.height() {
        let row = row_num(r + 1)?;
        for (c, (_, values)) in table.columns.iter().enumerate() {
            let c16 = col(c)?;
            match values {
                Values::Text(v) => {
                    if let Some(text) = v.get(r).filter(|t| !t.is_empty()) {
                        ws.write_string(row, c16, text)?;
                    }
                }
                Values::Int(v) => {
                    if let Some(n) = v.get(r).copied().flatten() {
                        let x = n as f64;
                        ws.write_number_with_format(row, c16, x, formats.number(format_of(c), x))?;
                    }
                }
                Values::Float(v) => {
                    if let Some(x) = v.get(r).copied().flatten().filter(|x| x.is_finite()) {
                        ws.write_number_with_format(row, c16, x, formats.number(format_of(c), x))?;
                    }
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if let Some(last) = table.columns.len().checked_sub(1) {
        ws.autofilter(0, 0, row_num(table.height())?, col(last)?)?;
    }
    Ok(())
}

/// A column's width in characters: its longest value as shown, or its heading's length
/// up to 24.
fn column_width(name: &str, values: &Values, format: CellFormat) -> usize {
    let heading = name.chars().count().min(24);
    let widest = match values {
        Values::Text(v) => v.iter().map(|t| t.chars().count()).max(),
        Values::Int(v) => v
            .iter()
            .flatten()
            .map(|&n| shown_width(format, n as f64))
            .max(),
        Values::Float(v) => v
            .iter()
            .flatten()
            .filter(|x| x.is_finite())
            .map(|&x| shown_width(format, x))
            .max(),
    };
    heading.max(widest.unwrap_or(0))
}

/// About how many characters a number takes in its format.
fn shown_width(format: CellFormat, x: f64) -> usize {
    let whole = x.abs().trunc();
    let digits = if whole < 1.0 {
        1
    } else {
        whole.log10().floor() as usize + 1
    };
    let sign = usize::from(x < 0.0);
    let separators = (digits - 1) / 3;
    let base = sign + digits + separators;
    match format {
        CellFormat::Text | CellFormat::Whole => base,
        CellFormat::Quantity => base + if x.fract() == 0.0 { 0 } else { 3 },
        CellFormat::Decimals(d) => base + 1 + usize::from(d),
        CellFormat::Pounds => base + 4,
        CellFormat::Percent => base + 4,
    }
}

fn row_num(r: usize) -> Result<u32, XlsxError> {
    u32::try_from(r)
        .ok()
        .filter(|r| *r < 1_048_576)
        .ok_or(XlsxError::RowColumnLimitError)
}

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c)
        .ok()
        .filter(|c| *c < 16_384)
        .ok_or(XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_digits_separators_and_decimals() {
        assert_eq!(shown_width(CellFormat::Whole, 0.0), 1);
        assert_eq!(shown_width(CellFormat::Whole, 1234.0), 5);
        assert_eq!(shown_width(CellFormat::Whole, -1_234_567.0), 10);
        assert_eq!(shown_width(CellFormat::Decimals(2), 12.5), 5);
        assert_eq!(shown_width(CellFormat::Pounds, 145_600.0), 11);
    }

    #[test]
    fn the_same_tables_give_the_same_bytes() {
        let t = Table::default()
            .text("name", vec!["=1+1".into(), "Melton".into()])
            .int("people", vec![Some(10), None]);
        let notes = Notes {
            name: "about".into(),
            rows: vec![NoteRow {
                cells: vec!["Notes".into()],
                heading: true,
            }],
            widths: vec![20.0],
        };
        let sheet = || Sheet {
            name: "t",
            table: &t,
            formats: vec![CellFormat::Text, CellFormat::Whole],
        };
        let a = write_workbook(&notes, &[sheet()], (2025, 6, 30)).expect("writes");
        let b = write_workbook(&notes, &[sheet()], (2025, 6, 30)).expect("writes");
        assert!(a == b, "two writes differ");
        assert_eq!(&a[..2], b"PK");
    }
}
