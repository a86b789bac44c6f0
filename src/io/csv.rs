//! CSV records with line numbers and typed, checked fields.
//!
//! [`CsvTable::parse`] reads the header and every record, refusing ragged rows, a wrong
//! delimiter and missing required columns (suggesting the nearest name for a misspelt
//! one). [`Row`] getters parse one field and record a [`Problem`] naming file, line, column
//! and value when it is not what was expected.

use std::collections::BTreeMap;

use crate::io::InputFile;
use crate::problem::{closest, Place, Problem, Problems};

/// A parsed CSV file: header and records, each with its line number.
#[derive(Debug, Clone)]
pub struct CsvTable {
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
    /// Records that could not be read as rows (ragged rows), left out of `rows`.
    pub rejected: Problems,
    columns: BTreeMap<String, usize>,
}

impl CsvTable {
    /// Parses a CSV input and checks that `required` columns exist.
    pub fn parse(input: &InputFile, required: &[&str]) -> Result<CsvTable, Problems> {
        let mut problems = Problems::default();
        let text = match input.text() {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                return Err(problems);
            }
        };
        if text.trim().is_empty() {
            problems.push(Problem::new(
                &input.name,
                Place::File,
                "is empty (expected a header row and at least one record)",
            ));
            return Err(problems);
        }
        let mut reader = ::csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
            Err(e) => {
                problems.push(Problem::new(&input.name, Place::Line(1), e.to_string()));
                return Err(problems);
            }
        };
        check_delimiter(&input.name, &header, required, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let columns: BTreeMap<String, usize> = header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        check_header(&input.name, &header, &columns, required, &mut problems);
        if !problems.is_empty() {
            return Err(problems);
        }
        let lines = LineIndex::new(text);
        let mut rejected = Problems::default();
        let rows = read_records(
            &input.name,
            &mut reader,
            header.len(),
            &lines,
            &mut rejected,
        );
        if rows.is_empty() && rejected.is_empty() {
            problems.push(Problem::new(
                &input.name,
                Place::File,
                "has a header but no records",
            ));
            return Err(problems);
        }
        Ok(CsvTable {
            file: input.name.clone(),
            header,
            rows,
            rejected,
            columns,
        })
    }

    /// Whether the file has a column.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The records as [`Row`]s.
    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(move |(line, fields)| Row {
            table: self,
            line: *line,
            fields,
        })
    }
}

/// Byte offsets of line starts, so a record's byte position gives its 1-based line (the
/// csv crate's own line count skips blank lines).
/// A record's reported start may sit on the blank lines before it, which are skipped here.
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text: text.as_bytes(),
            starts,
        }
    }

    fn line_of(&self, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX);
        while self
            .text
            .get(byte)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            byte += 1;
        }
        self.starts.partition_point(|&start| start <= byte) as u64
    }
}

fn check_delimiter(file: &str, header: &[String], required: &[&str], problems: &mut Problems) {
    if header.len() == 1 && required.len() > 1 {
        for (delim, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "pipes")] {
            if header[0].contains(delim) {
                problems.push(Problem::new(
                    file,
                    Place::Line(1),
                    format!("columns are separated by {name}; gapmap reads comma-separated files (save as CSV with commas)"),
                ));
                return;
            }
        }
    }
}

fn check_header(
    file: &str,
    header: &[String],
    columns: &BTreeMap<String, usize>,
    required: &[&str],
    problems: &mut Problems,
) {
    if columns.len() != header.len() {
        let mut seen = std::collections::BTreeSet::new();
        for h in header {
            if !seen.insert(h) {
                problems.push(
                    Problem::new(file, Place::Line(1), "appears twice in the header").field(h),
                );
            }
        }
    }
    for column in required {
        if !columns.contains_key(*column) {
            let unused = header
                .iter()
                .filter(|h| !required.contains(&h.as_str()))
                .map(String::as_str);
            let hint = match closest(column, unused) {
                Some(near) => format!(" (found {near:?}: is it misspelt?)"),
                None => String::new(),
            };
            problems.push(Problem::new(
                file,
                Place::Line(1),
                format!("required column {column:?} is missing{hint}"),
            ));
        }
    }
}

fn read_records(
    file: &str,
    reader: &mut ::csv::Reader<&[u8]>,
    width: usize,
    lines: &LineIndex,
    problems: &mut Problems,
) -> Vec<(u64, Vec<String>)> {
    let mut rows = Vec::new();
    for result in reader.records() {
        match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| lines.line_of(p.byte()));
                if record.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                rows.push((line, record.iter().map(|f| f.trim().to_string()).collect()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(p.byte()));
                let message = match e.kind() {
                    ::csv::ErrorKind::UnequalLengths { len, .. } => format!(
                        "has {len} fields but the header has {width} (a missing or extra comma, or an unquoted comma inside a value?)"
                    ),
                    _ => e.to_string(),
                };
                problems.push(Problem::new(file, Place::Line(line), message));
            }
        }
    }
    rows
}

/// One record, with getters that check and convert its fields.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a CsvTable,
    pub line: u64,
    fields: &'a [String],
}

impl<'a> Row<'a> {
    pub fn file(&self) -> &'a str {
        &self.table.file
    }

    /// Whether the file has a column.
    pub fn has(&self, column: &str) -> bool {
        self.table.has(column)
    }

    /// The raw (trimmed) text of a column; empty when the column is absent.
    pub fn text(&self, column: &str) -> &'a str {
        self.table
            .columns
            .get(column)
            .and_then(|&i| self.fields.get(i))
            .map_or("", String::as_str)
    }

    /// A problem at this row and column, with the column's value.
    pub fn problem(&self, column: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.file(), Place::Line(self.line), message)
            .field(column)
            .value(self.text(column))
    }

    /// A non-empty text field.
    pub fn required(&self, column: &str, problems: &mut Problems) -> Option<&'a str> {
        let t = self.text(column);
        if t.is_empty() {
            problems.push(self.problem(column, "is empty (a value is required)"));
            None
        } else {
            Some(t)
        }
    }

    /// A finite number within `min..=max`; `what` says what the number is.
    pub fn number(&self, column: &str, min: f64, max: f64, problems: &mut Problems) -> Option<f64> {
        let t = self.required(column, problems)?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= min && v <= max => Some(v),
            Ok(v) if v.is_finite() => {
                problems.push(
                    self.problem(column, format!("is out of range (expected {min} to {max})")),
                );
                None
            }
            _ => {
                problems.push(self.problem(column, "is not a number"));
                None
            }
        }
    }

    /// Like [`Row::number`], but an empty field is 0.
    pub fn number_or_zero(
        &self,
        column: &str,
        min: f64,
        max: f64,
        problems: &mut Problems,
    ) -> Option<f64> {
        if self.text(column).is_empty() {
            Some(0.0)
        } else {
            self.number(column, min, max, problems)
        }
    }

    /// A whole number of 0 or more.
    pub fn count(&self, column: &str, problems: &mut Problems) -> Option<u32> {
        let t = self.required(column, problems)?;
        match t.parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => {
                problems.push(self.problem(column, "is not a whole number of 0 or more"));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> InputFile {
        InputFile {
            name: "t.csv".into(),
            bytes: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn rows_carry_their_line_numbers() {
        let t = CsvTable::parse(&input("a,b\n1,2\n\n3,4\n"), &["a", "b"]).expect("parses");
        let lines: Vec<u64> = t.rows().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 4]);
    }

    #[test]
    fn bom_is_accepted() {
        let t = CsvTable::parse(&input("\u{feff}a,b\n1,2\n"), &["a"]).expect("parses");
        assert_eq!(t.header, vec!["a", "b"]);
    }

    #[test]
    fn misspelt_column_gets_a_suggestion() {
        let e = CsvTable::parse(&input("capcity,b\n1,2\n"), &["capacity", "b"]).unwrap_err();
        assert_eq!(
            e.listed[0].to_string(),
            "t.csv:1: required column \"capacity\" is missing (found \"capcity\": is it misspelt?)"
        );
    }

    #[test]
    fn ragged_row_names_its_line() {
        let t = CsvTable::parse(&input("a,b\n1,2\n3\n"), &["a", "b"]).expect("parses");
        assert_eq!(t.rows.len(), 1);
        let e = t.rejected;
        assert!(e.listed[0]
            .to_string()
            .starts_with("t.csv:3: has 1 fields but the header has 2"));
    }

    #[test]
    fn semicolon_delimiter_is_named() {
        let e = CsvTable::parse(&input("a;b\n1;2\n"), &["a", "b"]).unwrap_err();
        assert!(e.listed[0].message.contains("semicolons"));
    }

    #[test]
    fn bad_number_names_column_and_value() {
        let t = CsvTable::parse(&input("capacity\ntwelve\n-1\n"), &["capacity"]).expect("parses");
        let mut problems = Problems::default();
        let values: Vec<Option<f64>> = t
            .rows()
            .map(|r| r.number("capacity", 0.0, 1e6, &mut problems))
            .collect();
        assert_eq!(values, vec![None, None]);
        assert_eq!(
            problems.listed[0].to_string(),
            "t.csv:2: column capacity: \"twelve\" is not a number"
        );
        assert_eq!(
            problems.listed[1].to_string(),
            "t.csv:3: column capacity: \"-1\" is out of range (expected 0 to 1000000)"
        );
    }
}
