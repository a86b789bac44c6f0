//! CSV files read into [`Records`], each with its line number.
//!
//! [`read`] reads the header and every record, refusing ragged rows and a wrong delimiter;
//! [`parse`] also checks that required columns exist (suggesting the nearest name for a
//! misspelt one). Title lines above the header can be skipped with `header_line`.

use crate::io::records::Records;
use crate::io::InputFile;
use crate::problem::{Place, Problem, Problems};

/// Reads a CSV input whose headings are on line 1 and checks that `required` columns exist.
pub fn parse(input: &InputFile, required: &[&str]) -> Result<Records, Problems> {
    let records = read(input, 1)?;
    let problems = records.check_required(required);
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// Reads a CSV input whose headings are on line `header_line` (1-based); lines above it
/// (title lines) are skipped.
pub fn read(input: &InputFile, header_line: u64) -> Result<Records, Problems> {
    let mut problems = Problems::default();
    let text = match input.text() {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return Err(problems);
        }
    };
    let skipped = skip_lines(text, header_line.saturating_sub(1));
    let body = &text[skipped..];
    if body.trim().is_empty() {
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
        .from_reader(body.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            problems.push(Problem::new(
                &input.name,
                Place::Line(header_line),
                e.to_string(),
            ));
            return Err(problems);
        }
    };
    check_delimiter(&input.name, &header, header_line, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let lines = LineIndex::new(body, header_line - 1);
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
    let mut records = Records::new(&input.name, None, header_line, header, rows)?;
    records.rejected = rejected;
    Ok(records)
}

/// The byte offset just after the first `n` lines of `text`.
fn skip_lines(text: &str, n: u64) -> usize {
    let mut offset = 0;
    for _ in 0..n {
        match text[offset..].find('\n') {
            Some(i) => offset += i + 1,
            None => return text.len(),
        }
    }
    offset
}

/// Byte offsets of line starts, so a record's byte position gives its 1-based line (the
/// csv crate's own line count skips blank lines).
/// A record's reported start may sit on the blank lines before it, which are skipped here.
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
    /// Lines of the file above `text` (skipped title lines).
    offset: u64,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str, offset: u64) -> Self {
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
            offset,
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
        self.offset + self.starts.partition_point(|&start| start <= byte) as u64
    }
}

fn check_delimiter(file: &str, header: &[String], header_line: u64, problems: &mut Problems) {
    if header.len() == 1 {
        for (delim, name) in [(';', "semicolons"), ('\t', "tabs"), ('|', "pipes")] {
            if header[0].contains(delim) {
                problems.push(Problem::new(
                    file,
                    Place::Line(header_line),
                    format!("columns are separated by {name}; gapmap reads comma-separated files (save as CSV with commas)"),
                ));
                return;
            }
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
        let t = parse(&input("a,b\n1,2\n\n3,4\n"), &["a", "b"]).expect("parses");
        let lines: Vec<u64> = t.rows().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 4]);
    }

    #[test]
    fn bom_is_accepted() {
        let t = parse(&input("\u{feff}a,b\n1,2\n"), &["a"]).expect("parses");
        assert_eq!(t.header, vec!["a", "b"]);
    }

    #[test]
    fn misspelt_column_gets_a_suggestion() {
        let e = parse(&input("capcity,b\n1,2\n"), &["capacity", "b"]).unwrap_err();
        assert_eq!(
            e.listed[0].to_string(),
            "t.csv:1: required column \"capacity\" is missing (found \"capcity\": is it misspelt?)"
        );
    }

    #[test]
    fn ragged_row_names_its_line() {
        let t = parse(&input("a,b\n1,2\n3\n"), &["a", "b"]).expect("parses");
        assert_eq!(t.rows.len(), 1);
        let e = t.rejected;
        assert!(e.listed[0]
            .to_string()
            .starts_with("t.csv:3: has 1 fields but the header has 2"));
    }

    #[test]
    fn semicolon_delimiter_is_named() {
        let e = parse(&input("a;b\n1;2\n"), &["a", "b"]).unwrap_err();
        assert!(e.listed[0].message.contains("semicolons"));
    }

    #[test]
    fn bad_number_names_column_and_value() {
        let t = parse(&input("capacity\ntwelve\n-1\n"), &["capacity"]).expect("parses");
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
