//! Spreadsheet sheets (Excel `.xlsx`, `.xlsm`, `.xls`, `.xlsb` and OpenDocument `.ods`)
//! read into [`Records`], with calamine.
//!
//! A sheet is read as Excel shows it: each row keeps the number Excel gives it, so a
//! message can send the analyst to the right row. Title rows above the headings are
//! skipped (the header row is given, or found as the first row with the most headings).
//! Cells become text the way gapmap's CSV reader would see them: whole numbers without a
//! decimal point, other numbers in their shortest exact form, dates as ISO 8601
//! (`2025-06-30`), and numbers stored as text left as written. Error cells (`#N/A`,
//! `#REF!`), merged cells at or below the header and columns with data but no heading are
//! problems that name the sheet and the cell.

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, DataRef, Dimensions, Range, Reader, Sheets};

use crate::io::records::Records;
use crate::io::InputFile;
use crate::problem::{closest, Place, Problem, Problems};

/// The file name endings read as spreadsheets.
pub const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// How many rows from the top are searched for the headings when no header row is given.
const HEADER_SEARCH_ROWS: usize = 30;

/// Whether a file name ends in a spreadsheet extension.
pub fn is_spreadsheet(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    EXTENSIONS
        .iter()
        .any(|ext| lower.ends_with(&format!(".{ext}")))
}

/// Which sheet to read and where its headings are.
#[derive(Debug, Clone, Copy, Default)]
pub struct SheetChoice<'a> {
    /// The sheet's name; the first sheet when not given.
    pub sheet: Option<&'a str>,
    /// The row holding the headings, as Excel numbers it; found when not given.
    pub header_row: Option<u64>,
}

/// A workbook open in memory.
pub struct Workbook {
    file: String,
    sheets: Sheets<Cursor<Vec<u8>>>,
}

impl Workbook {
    /// Opens a workbook; a file that is not one is a problem naming it.
    pub fn open(input: &InputFile) -> Result<Workbook, Problem> {
        open_workbook_auto_from_rs(Cursor::new(input.bytes.clone()))
            .map(|sheets| Workbook {
                file: input.name.clone(),
                sheets,
            })
            .map_err(|e| {
                Problem::new(
                    &input.name,
                    Place::File,
                    format!("cannot be read as a spreadsheet ({e}); save it as .xlsx, or as CSV"),
                )
            })
    }

    /// The workbook's sheet names, in order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.sheet_names()
    }

    /// The sheet's name as the workbook spells it: `wanted` matched exactly, or ignoring
    /// case; the first sheet when `wanted` is `None`.
    pub fn resolve(&self, wanted: Option<&str>) -> Result<String, Problem> {
        let names = self.sheet_names();
        let found = match wanted {
            None => names.first().cloned(),
            Some(w) => names
                .iter()
                .find(|n| n.as_str() == w)
                .or_else(|| {
                    names
                        .iter()
                        .find(|n| n.trim().eq_ignore_ascii_case(w.trim()))
                })
                .cloned(),
        };
        found.ok_or_else(|| {
            let listed = names
                .iter()
                .map(|n| format!("{n:?}"))
                .collect::<Vec<_>>()
                .join(", ");
            let hint = wanted
                .and_then(|w| closest(w, names.iter().map(String::as_str)))
                .map(|c| format!(" (did you mean {c:?}?)"))
                .unwrap_or_default();
            let message = match wanted {
                Some(w) => format!("has no sheet {w:?}{hint}; its sheets are {listed}"),
                None => "has no sheets".to_string(),
            };
            Problem::new(&self.file, Place::File, message)
        })
    }

    /// The sheet's cells as text, and its merged regions (xlsx and xls only). An xlsx
    /// sheet is streamed cell by cell, never held whole as calamine's typed range, so a
    /// large extract costs little more memory than its text.
    fn grid(&mut self, sheet: &str) -> Result<(Grid, Vec<Dimensions>), Problem> {
        let unreadable = |e: String| {
            Problem::new(
                &self.file,
                Place::File,
                format!("sheet {sheet:?} cannot be read ({e})"),
            )
        };
        let (grid, merged) = match &mut self.sheets {
            Sheets::Xlsx(x) => {
                let merged = x
                    .worksheet_merge_cells(sheet)
                    .and_then(Result::ok)
                    .unwrap_or_default();
                let mut cells = x
                    .worksheet_cells_reader(sheet)
                    .map_err(|e| unreadable(e.to_string()))?;
                let mut grid = Grid::default();
                while let Some(cell) = cells.next_cell().map_err(|e| unreadable(e.to_string()))? {
                    let (row, col) = cell.get_position();
                    grid.put(row, col, cell_ref_text(cell.get_value().clone()));
                }
                grid.sort();
                (grid, merged)
            }
            other => {
                let range = other
                    .worksheet_range(sheet)
                    .map_err(|e| unreadable(e.to_string()))?;
                let merged = match other {
                    Sheets::Xls(x) => x.worksheet_merge_cells(sheet).unwrap_or_default(),
                    _ => Vec::new(),
                };
                (Grid::from_range(&range), merged)
            }
        };
        Ok((grid, merged))
    }

    /// Reads one sheet into records.
    pub fn read(&mut self, choice: SheetChoice) -> Result<Records, Problems> {
        let one = |p: Problem| Problems { listed: vec![p] };
        let sheet = self.resolve(choice.sheet).map_err(one)?;
        let (grid, merged) = self.grid(&sheet).map_err(one)?;
        let file = self.file.clone();
        SheetReader {
            file: &file,
            sheet: &sheet,
        }
        .records(grid, choice.header_row, &merged)
    }
}

/// A cell as text, or the spreadsheet error it holds.
type CellText = Result<String, String>;

/// A sheet's non-empty rows as text: each row's 0-based number in the sheet and its
/// cells from column A.
#[derive(Debug, Default)]
struct Grid {
    rows: Vec<(u32, Vec<CellText>)>,
}

impl Grid {
    fn put(&mut self, row: u32, col: u32, text: CellText) {
        if matches!(&text, Ok(t) if t.is_empty()) {
            return;
        }
        if self.rows.last().is_none_or(|(r, _)| *r != row) {
            self.rows.push((row, Vec::new()));
        }
        if let Some((_, cells)) = self.rows.last_mut() {
            let col = col as usize;
            if cells.len() <= col {
                cells.resize(col + 1, Ok(String::new()));
            }
            cells[col] = text;
        }
    }

    /// Puts rows in sheet order, should a file list them out of order.
    fn sort(&mut self) {
        if self.rows.windows(2).all(|w| w[0].0 < w[1].0) {
            return;
        }
        let mut rows = std::mem::take(&mut self.rows);
        rows.sort_by_key(|(r, _)| *r);
        for (r, cells) in rows {
            for (c, text) in cells.into_iter().enumerate() {
                self.put(r, c as u32, text);
            }
        }
    }

    fn from_range(range: &Range<Data>) -> Grid {
        let mut grid = Grid::default();
        if let Some((first_row, first_col)) = range.start() {
            for (i, cells) in range.rows().enumerate() {
                for (j, cell) in cells.iter().enumerate() {
                    grid.put(first_row + i as u32, first_col + j as u32, cell_text(cell));
                }
            }
        }
        grid
    }
}

/// Reads the chosen sheet of a spreadsheet input.
pub fn read(input: &InputFile, choice: SheetChoice) -> Result<Records, Problems> {
    Workbook::open(input)
        .map_err(|p| Problems { listed: vec![p] })?
        .read(choice)
}

/// Excel's name of a 0-based column: A, B, ..., Z, AA, ...
pub fn column_letter(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// A cell's reference, such as `C14`.
fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_letter(col as usize), row + 1)
}

struct SheetReader<'a> {
    file: &'a str,
    sheet: &'a str,
}

impl SheetReader<'_> {
    fn place(&self, excel_row: u64) -> Place {
        Place::SheetRow {
            sheet: self.sheet.into(),
            row: u32::try_from(excel_row).unwrap_or(u32::MAX),
        }
    }

    fn problem(&self, excel_row: u64, message: impl Into<String>) -> Problem {
        Problem::new(self.file, self.place(excel_row), message)
    }

    fn records(
        &self,
        grid: Grid,
        header_row: Option<u64>,
        merged: &[Dimensions],
    ) -> Result<Records, Problems> {
        let one = |p: Problem| Problems { listed: vec![p] };
        let rows = grid.rows;
        if rows.is_empty() {
            return Err(one(Problem::new(
                self.file,
                Place::File,
                format!(
                    "sheet {:?} is empty (expected a header row and at least one record)",
                    self.sheet
                ),
            )));
        }
        let excel_row = |i: usize| u64::from(rows[i].0) + 1;
        let header_index = match header_row {
            Some(r) => match rows.iter().position(|(row, _)| u64::from(*row) + 1 == r) {
                Some(i) => i,
                None => {
                    return Err(one(self.problem(
                        r,
                        format!(
                            "is set as the header row (header_row = {r}) but is empty; the sheet's cells are in rows {} to {}",
                            excel_row(0),
                            excel_row(rows.len() - 1)
                        ),
                    )))
                }
            },
            None => find_header(&rows),
        };
        let header_excel_row = excel_row(header_index);
        let mut problems = Problems::default();
        self.check_merged(merged, header_excel_row, &mut problems);
        let header = self.headings(
            &rows[header_index].1,
            header_excel_row,
            &rows[header_index + 1..],
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut rejected = Problems::default();
        let mut records = Vec::with_capacity(rows.len() - header_index);
        for (row, cells) in rows.into_iter().skip(header_index + 1) {
            let excel = u64::from(row) + 1;
            if let Some(fields) = self.fields(cells, &header, excel, &mut rejected) {
                records.push((excel, fields));
            }
        }
        if records.is_empty() && rejected.is_empty() {
            return Err(one(self.problem(
                header_excel_row,
                "is the header row, but no rows with data follow it",
            )));
        }
        let mut out = Records::new(
            self.file,
            Some(self.sheet.to_string()),
            header_excel_row,
            header,
            records,
        )?;
        out.rejected = rejected;
        Ok(out)
    }

    /// Merged cells at or below the header hide values in every cell but the first.
    fn check_merged(&self, merged: &[Dimensions], header_row: u64, problems: &mut Problems) {
        let mut regions: Vec<&Dimensions> = merged
            .iter()
            .filter(|d| u64::from(d.end.0) + 1 >= header_row)
            .collect();
        regions.sort_by_key(|d| (d.start, d.end));
        for d in regions {
            problems.push(self.problem(
                u64::from(d.start.0) + 1,
                format!(
                    "cells {}:{} are merged; gapmap reads one value per cell, so unmerge them (Home > Merge & Center) and fill in each cell",
                    cell_name(d.start.0, d.start.1),
                    cell_name(d.end.0, d.end.1)
                ),
            ));
        }
    }

    /// The headings, one per column that holds anything; a column with data but no
    /// heading is a problem.
    fn headings(
        &self,
        cells: &[CellText],
        excel_row: u64,
        below: &[(u32, Vec<CellText>)],
        problems: &mut Problems,
    ) -> Vec<String> {
        let width = below
            .iter()
            .map(|(_, c)| c.len())
            .chain([cells.len()])
            .max()
            .unwrap_or(0);
        let mut header: Vec<String> = (0..width)
            .map(|c| match cells.get(c) {
                Some(Ok(t)) => t.split_whitespace().collect::<Vec<_>>().join(" "),
                Some(Err(e)) => e.clone(),
                None => String::new(),
            })
            .collect();
        for (col, heading) in header.iter_mut().enumerate() {
            if !heading.is_empty() {
                continue;
            }
            let filled = |c: Option<&CellText>| {
                c.is_some_and(|t| t.as_ref().map_or(true, |t| !t.is_empty()))
            };
            if let Some((row, _)) = below.iter().find(|(_, cells)| filled(cells.get(col))) {
                problems.push(self.problem(
                    excel_row,
                    format!(
                        "column {} has no heading in the header row but holds data (first at {}); give it a heading or delete it",
                        column_letter(col),
                        cell_name(*row, col as u32)
                    ),
                ));
            }
        }
        header
    }

    /// A data row's fields; a row with an error cell is left out with a problem.
    fn fields(
        &self,
        cells: Vec<CellText>,
        header: &[String],
        excel_row: u64,
        rejected: &mut Problems,
    ) -> Option<Vec<String>> {
        let mut fields = Vec::with_capacity(cells.len());
        let mut ok = true;
        for (col, cell) in cells.into_iter().enumerate() {
            match cell {
                Ok(text) => fields.push(text),
                Err(error) => {
                    let heading = header.get(col).map_or("", String::as_str);
                    rejected.push(
                        self.problem(
                            excel_row,
                            format!("holds the spreadsheet error {error} (expected a value)"),
                        )
                        .field(heading)
                        .value(&error),
                    );
                    ok = false;
                    fields.push(String::new());
                }
            }
        }
        ok.then_some(fields)
    }
}

/// The header row when none is given: among the first rows, the first that fills at least
/// half as many cells as the fullest row (and two or more). Title rows above the headings
/// fill one or two cells; a heading left blank does not move the header down to the data.
fn find_header(rows: &[(u32, Vec<CellText>)]) -> usize {
    let filled = |r: &[CellText]| {
        r.iter()
            .filter(|c| c.as_ref().map_or(true, |t| !t.is_empty()))
            .count()
    };
    let counts: Vec<usize> = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .map(|(_, r)| filled(r))
        .collect();
    let most = counts.iter().copied().max().unwrap_or(0);
    let enough = most.div_ceil(2).max(2);
    counts
        .iter()
        .position(|&n| n >= enough)
        .or_else(|| counts.iter().position(|&n| n > 0))
        .unwrap_or(0)
}

/// A cell as gapmap's text, or the spreadsheet error it holds.
pub fn cell_text(cell: &Data) -> Result<String, String> {
    cell_ref_text(match cell {
        Data::Empty => DataRef::Empty,
        Data::String(s) => DataRef::SharedString(s),
        Data::Int(i) => DataRef::Int(*i),
        Data::Float(f) => DataRef::Float(*f),
        Data::Bool(b) => DataRef::Bool(*b),
        Data::DateTime(d) => DataRef::DateTime(*d),
        Data::DateTimeIso(s) | Data::DurationIso(s) => DataRef::SharedString(s),
        Data::Error(e) => DataRef::Error(e.clone()),
    })
}

/// A streamed cell as gapmap's text, or the spreadsheet error it holds.
fn cell_ref_text(cell: DataRef) -> Result<String, String> {
    Ok(match cell {
        DataRef::Empty => String::new(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::String(s) if s.trim().len() == s.len() => s,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            s.trim().to_string()
        }
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number_text(f),
        DataRef::Bool(b) => if b { "TRUE" } else { "FALSE" }.to_string(),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, ms) = d.to_ymd_hms_milli();
            if (h, min, s, ms) == (0, 0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02}T{h:02}:{min:02}:{s:02}")
            }
        }
        DataRef::DateTime(d) => number_text(d.as_f64()),
        DataRef::Error(e) => return Err(e.to_string()),
    })
}

/// A number as text: whole numbers without a decimal point, others in their shortest form
/// that reads back to the same number.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_run_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_read_as_a_csv_would_write_them() {
        assert_eq!(number_text(14.0), "14");
        assert_eq!(number_text(-1.0), "-1");
        assert_eq!(number_text(52.76483), "52.76483");
        assert_eq!(number_text(0.1), "0.1");
    }

    #[test]
    fn header_is_the_first_row_with_most_headings() {
        let text = |t: &str| Ok(t.to_string());
        let rows = vec![
            (0, vec![text("Framework providers")]),
            (2, vec![text("a"), text("b"), Ok(String::new()), text("d")]),
            (3, vec![text("1"), text("2"), text("3"), text("4")]),
        ];
        // Row 2 (index 1) fills 3 of the 4 cells the fullest row fills: the headings.
        assert_eq!(find_header(&rows), 1);
    }

    #[test]
    fn spreadsheet_extensions_are_recognised_in_any_case() {
        assert!(is_spreadsheet("people.XLSX"));
        assert!(is_spreadsheet("dir/cld.ods"));
        assert!(!is_spreadsheet("people.csv"));
    }
}
