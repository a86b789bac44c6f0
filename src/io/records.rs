//! Records: the rows of a table read from a CSV file or a spreadsheet sheet, as text, each
//! with the number a person would use to find it (the CSV line, or the row as Excel
//! numbers it).
//!
//! [`crate::io::csv`] and [`crate::io::sheet`] make [`Records`]; [`crate::load::mapping`]
//! renames a council's headings to gapmap's columns and turns its words into gapmap's, and
//! the loaders read the result through [`Row`] getters that check and convert one field
//! and record a [`Problem`] naming file, sheet, row, column and value when it is wrong.

use std::collections::{BTreeMap, BTreeSet};

use crate::problem::{closest, Place, Problem, Problems};

/// A table's header and records, each with its line (CSV) or row (sheet) number.
#[derive(Debug, Clone)]
pub struct Records {
    pub file: String,
    /// The sheet the records came from, for spreadsheets.
    pub sheet: Option<String>,
    /// The line or row holding the headings.
    pub header_line: u64,
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
    /// Records that could not be read as rows (ragged rows, error cells), left out of `rows`.
    pub rejected: Problems,
    columns: BTreeMap<String, usize>,
    /// For columns renamed by a mapping: gapmap's name to the heading in the file.
    sources: BTreeMap<String, String>,
}

impl Records {
    /// Records with the given headings; a heading that appears twice is a problem (a
    /// blank heading may repeat: such columns are never read by name).
    pub fn new(
        file: &str,
        sheet: Option<String>,
        header_line: u64,
        header: Vec<String>,
        rows: Vec<(u64, Vec<String>)>,
    ) -> Result<Records, Problems> {
        let mut records = Records {
            file: file.to_string(),
            sheet,
            header_line,
            header,
            rows,
            rejected: Problems::default(),
            columns: BTreeMap::new(),
            sources: BTreeMap::new(),
        };
        let mut problems = Problems::default();
        let mut seen = BTreeSet::new();
        for h in records.header.iter().filter(|h| !h.is_empty()) {
            if !seen.insert(h.as_str()) {
                problems.push(
                    Problem::new(
                        file,
                        records.place(header_line),
                        "appears twice in the header",
                    )
                    .field(h),
                );
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        records.index_columns();
        Ok(records)
    }

    fn index_columns(&mut self) {
        self.columns = self
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty())
            .map(|(i, h)| (h.clone(), i))
            .collect();
    }

    /// The file, and the sheet for spreadsheets, as notes name them.
    pub fn source_name(&self) -> String {
        match &self.sheet {
            Some(s) => format!("{} (sheet {s:?})", self.file),
            None => self.file.clone(),
        }
    }

    /// Where a line or row of this table is, for messages.
    pub fn place(&self, line: u64) -> Place {
        match &self.sheet {
            Some(sheet) => Place::SheetRow {
                sheet: sheet.as_str().into(),
                row: u32::try_from(line).unwrap_or(u32::MAX),
            },
            None => Place::Line(line),
        }
    }

    /// A problem with the table as a whole, placed at its header.
    pub fn header_problem(&self, message: impl Into<String>) -> Problem {
        Problem::new(&self.file, self.place(self.header_line), message)
    }

    /// Whether the table has a column.
    pub fn has(&self, column: &str) -> bool {
        self.columns.contains_key(column)
    }

    /// The index of a column.
    pub fn index(&self, column: &str) -> Option<usize> {
        self.columns.get(column).copied()
    }

    /// The column with heading `heading` as the file spells it (also when a mapping has
    /// renamed it), matched exactly or else ignoring case and repeated spaces.
    pub fn find(&self, heading: &str) -> Option<usize> {
        let by_source = |h: &str| {
            self.sources
                .iter()
                .find(|(_, s)| s.as_str() == h)
                .and_then(|(n, _)| self.index(n))
        };
        if let Some(i) = self.index(heading).or_else(|| by_source(heading)) {
            return Some(i);
        }
        let wanted = normalise(heading);
        self.header
            .iter()
            .position(|h| !h.is_empty() && normalise(h) == wanted)
            .or_else(|| {
                self.sources
                    .iter()
                    .find(|(_, s)| normalise(s) == wanted)
                    .and_then(|(n, _)| self.index(n))
            })
    }

    /// The headings as the file spells them (before any renaming), for suggestions.
    pub fn source_headings(&self) -> Vec<String> {
        self.header
            .iter()
            .filter(|h| !h.is_empty())
            .map(|h| self.sources.get(h).cloned().unwrap_or_else(|| h.clone()))
            .collect()
    }

    /// The text of column `index` in row `row` (0-based, in order); empty when absent.
    pub fn cell(&self, row: usize, index: usize) -> &str {
        self.rows
            .get(row)
            .and_then(|(_, f)| f.get(index))
            .map_or("", String::as_str)
    }

    /// How messages name a column: its heading in the file, and gapmap's name when the
    /// mapping renamed it (`"Post Code" (postcode)`).
    pub fn label(&self, column: &str) -> String {
        match self.sources.get(column) {
            Some(source) if source != column => format!("{source:?} ({column})"),
            _ => column.to_string(),
        }
    }

    /// Gives column `index` gapmap's name `name`, remembering its heading for messages.
    /// Another column already called `name` is no longer read by that name.
    pub fn rename(&mut self, index: usize, name: &str) {
        let source = self.header[index].clone();
        for h in self.header.iter_mut() {
            if h == name {
                h.clear();
            }
        }
        self.header[index] = name.to_string();
        self.sources.insert(name.to_string(), source);
        self.index_columns();
    }

    /// Adds (or replaces) a column worked out from others, one value per row in order;
    /// `source` says where it came from, for messages.
    pub fn set_column(&mut self, name: &str, source: &str, values: Vec<String>) {
        let index = match self.index(name) {
            Some(i) => i,
            None => {
                self.header.push(name.to_string());
                self.header.len() - 1
            }
        };
        for ((_, fields), value) in self.rows.iter_mut().zip(values) {
            if fields.len() <= index {
                fields.resize(index + 1, String::new());
            }
            fields[index] = value;
        }
        self.sources.insert(name.to_string(), source.to_string());
        self.index_columns();
    }

    /// Keeps the rows for which `keep` is true (one flag per row, in order).
    pub fn retain_rows(&mut self, keep: &[bool]) {
        let mut flags = keep.iter();
        self.rows.retain(|_| flags.next().copied().unwrap_or(true));
    }

    /// Problems for the `required` columns the table lacks, suggesting a heading that looks
    /// like a misspelling of each.
    pub fn check_required(&self, required: &[&str]) -> Problems {
        let mut problems = Problems::default();
        for column in required {
            if self.has(column) {
                continue;
            }
            let unused = self
                .header
                .iter()
                .filter(|h| !required.contains(&h.as_str()))
                .map(String::as_str);
            let hint = match closest(column, unused) {
                Some(near) => format!(" (found {near:?}: is it misspelt?)"),
                None => String::new(),
            };
            problems
                .push(self.header_problem(format!("required column {column:?} is missing{hint}")));
        }
        problems
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

/// Text compared as people read it: lower case, runs of spaces as one, ends trimmed.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `text` reads as `normalised` (a value already passed through [`normalise`]),
/// without allocating: the hot path of matching every row against a few configured words.
pub fn reads_as(normalised: &str, text: &str) -> bool {
    let mut want = normalised.chars();
    for (k, word) in text.split_whitespace().enumerate() {
        if k > 0 && want.next() != Some(' ') {
            return false;
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            if want.next() != Some(c) {
                return false;
            }
        }
    }
    want.next().is_none()
}

/// One record, with getters that check and convert its fields.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    table: &'a Records,
    pub line: u64,
    fields: &'a [String],
}

impl<'a> Row<'a> {
    pub fn file(&self) -> &'a str {
        &self.table.file
    }

    /// Where the row is, for messages.
    pub fn place(&self) -> Place {
        self.table.place(self.line)
    }

    /// Whether the table has a column.
    pub fn has(&self, column: &str) -> bool {
        self.table.has(column)
    }

    /// The raw (trimmed) text of a column; empty when the column is absent.
    pub fn text(&self, column: &str) -> &'a str {
        self.table
            .index(column)
            .and_then(|i| self.fields.get(i))
            .map_or("", String::as_str)
    }

    /// A problem at this row and column, with the column's value.
    pub fn problem(&self, column: &str, message: impl Into<String>) -> Problem {
        Problem::new(self.file(), self.place(), message)
            .field(&self.table.label(column))
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

    /// A finite number within `min..=max`.
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

    #[test]
    fn reads_as_compares_like_normalise_without_allocating() {
        for (text, expected) in [
            ("Learning Disability Support", true),
            ("  learning  disability\tsupport ", true),
            ("Learning Disability", false),
            ("Learning Disability Supports", false),
            ("", false),
        ] {
            assert_eq!(
                reads_as("learning disability support", text),
                expected,
                "{text:?}"
            );
            assert_eq!(
                normalise(text) == "learning disability support",
                expected,
                "{text:?}"
            );
        }
        assert!(reads_as("", "   "));
    }
}
