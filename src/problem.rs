//! Problems found in the inputs, and the error that carries them.
//!
//! Loaders do not stop at the first bad value: they collect every [`Problem`] so an analyst
//! can fix a file in one pass (messages list the first [`MAX_PROBLEMS`]). Each problem names the file,
//! the line or feature, the column or property, the bad value and what was expected.

use std::fmt;

/// How many problems a message lists before the rest are only counted.
pub const MAX_PROBLEMS: usize = 50;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A line of a text file (1-based, counting the header).
    Line(u64),
    /// A feature of a GeoJSON file (1-based, in file order).
    Feature(usize),
    /// A row of a binary table such as Parquet (1-based, data rows only).
    Row(u64),
    /// A row of a spreadsheet sheet, numbered as the spreadsheet numbers it.
    /// (The sheet's name is shared, and the row fits in 32 bits: Excel has 1,048,576 rows.)
    SheetRow {
        sheet: std::sync::Arc<str>,
        row: u32,
    },
}

impl Place {
    /// The place in words, as a rejects table gives it: `line 4`, `sheet "People" row 7`;
    /// empty for a file as a whole.
    pub fn words(&self) -> String {
        match self {
            Place::File => String::new(),
            Place::Line(n) => format!("line {n}"),
            Place::Feature(n) => format!("feature {n}"),
            Place::Row(n) => format!("row {n}"),
            Place::SheetRow { sheet, row } => format!("sheet {sheet:?} row {row}"),
        }
    }
}

/// One thing wrong with an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub place: Place,
    /// The column or property, when the problem is in one.
    pub field: Option<String>,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What was wrong or expected, in words.
    pub message: String,
}

impl Problem {
    pub fn new(file: &str, place: Place, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_string(),
            place,
            field: None,
            value: None,
            message: message.into(),
        }
    }

    pub fn field(mut self, field: &str) -> Self {
        self.field = Some(field.to_string());
        self
    }

    pub fn value(mut self, value: &str) -> Self {
        self.value = Some(value.to_string());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match &self.place {
            Place::File => {}
            Place::Line(n) => write!(f, ":{n}")?,
            Place::Feature(n) => write!(f, ": feature {n}")?,
            Place::Row(n) => write!(f, ": row {n}")?,
            Place::SheetRow { sheet, row } => write!(f, ": sheet {sheet:?}, row {row}")?,
        }
        write!(f, ":")?;
        if let Some(field) = &self.field {
            let kind = match self.place {
                Place::Feature(_) => "property",
                Place::Line(_) | Place::Row(_) | Place::SheetRow { .. } => "column",
                Place::File if self.file.ends_with("json") => "member",
                Place::File => "field",
            };
            write!(f, " {kind} {field}:")?;
        }
        if let Some(value) = &self.value {
            write!(f, " {value:?}")?;
        }
        write!(f, " {}", self.message)
    }
}

/// A collector of problems. All are kept; messages list the first [`MAX_PROBLEMS`].
#[derive(Debug, Default, Clone)]
pub struct Problems {
    pub listed: Vec<Problem>,
}

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.listed.push(problem);
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    pub fn len(&self) -> usize {
        self.listed.len()
    }

    pub fn extend(&mut self, other: Problems) {
        self.listed.extend(other.listed);
    }

    /// `Ok(value)` when nothing was wrong, else the problems as an error.
    pub fn into_result<T>(self, value: T) -> Result<T, InputErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(InputErrors(self))
        }
    }
}

/// What a loader read: the records that passed every check, and the problems of the rows
/// (or features) that did not, which were left out. Problems with a file as a whole (a
/// missing column, text that is not UTF-8) are returned as an error instead.
#[derive(Debug, Clone)]
pub struct Checked<T> {
    pub records: Vec<T>,
    pub rejected: Problems,
}

/// The inputs have problems; the run stops before writing anything.
#[derive(Debug, Clone, thiserror::Error)]
pub struct InputErrors(pub Problems);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the inputs:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.0.listed.iter().take(MAX_PROBLEMS) {
            writeln!(f, "  {p}")?;
        }
        if n > MAX_PROBLEMS {
            writeln!(f, "  ... and {} more", n - MAX_PROBLEMS)?;
        }
        Ok(())
    }
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely misspelling.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= c.len().max(word.len()) / 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// "expected one of a, b, c" with a suggestion when one is close.
pub fn expected_one_of(value: &str, candidates: &[&str]) -> String {
    let mut text = format!("is not one of {}", candidates.join(", "));
    if let Some(best) = closest(value, candidates.iter().copied()) {
        text.push_str(&format!(" (did you mean {best:?}?)"));
    }
    text
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("capacity", "capacity"), 0);
        assert_eq!(edit_distance("capacty", "capacity"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_suggests_only_near_names() {
        let cols = ["capacity", "latitude", "longitude"];
        assert_eq!(closest("capcity", cols), Some("capacity"));
        assert_eq!(closest("lattitude", cols), Some("latitude"));
        assert_eq!(closest("provider", cols), None);
        // Short codes suggest only a difference of case: "G" is not a misspelt "D".
        assert_eq!(closest("G", ["D", "F"]), None);
        assert_eq!(closest("d", ["D", "F"]), Some("D"));
    }

    #[test]
    fn problem_reads_like_a_compiler_message() {
        let p = Problem::new("services.csv", Place::Line(14), "is not a number")
            .field("capacity")
            .value("twelve");
        assert_eq!(
            p.to_string(),
            "services.csv:14: column capacity: \"twelve\" is not a number"
        );
    }
}
