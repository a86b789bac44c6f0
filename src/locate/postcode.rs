//! UK postcodes to WGS84 positions, from an ONS Postcode Directory.
//!
//! This module owns reading a postcode directory that the user supplies (the ONS Postcode
//! Directory, ONSPD, or the National Statistics Postcode Lookup, NSPL, both CSV with one row
//! per postcode), the standard spelling of a postcode, and looking one up. It does not open
//! files (the caller hands it a reader and a name for messages), fetch the directory, or
//! decide what to do with a postcode it cannot place: [`LookupError`] says why, and the
//! caller decides whether that is a warning or a stop.
//!
//! Positions are the directory's own `lat`/`long` (WGS84, given by ONS to six decimal
//! places, about 0.1 m, and kept to exactly that precision). ONSPD marks a postcode with no
//! grid reference with latitude 99.999999 and longitude 0; such postcodes are kept and looked
//! up as [`LookupError::NoGridReference`]. Terminated postcodes (a `doterm` date) are kept too
//! and reported as [`LookupError::Terminated`], with their last position.
//!
//! ```
//! use gapmap::locate::postcode::{PostcodeColumns, PostcodeDirectory};
//!
//! let csv = "pcds,doterm,oslaua,lsoa21,lat,long\n\
//!            LE11 3TU,,E07000130,E01025708,52.771234,-1.206543\n";
//! let directory =
//!     PostcodeDirectory::from_reader("onspd.csv", csv.as_bytes(), &PostcodeColumns::default())?;
//! let place = directory.lookup(" le113tu ")?;
//! assert_eq!((place.lon, place.lat), (-1.206543, 52.771234));
//! assert_eq!(place.codes[0], ("district".to_string(), "E07000130".to_string()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

/// Which columns of the directory hold what. Each field lists the header names accepted for
/// it, matched without regard to case or surrounding spaces; the first one present is used.
///
/// The defaults read both ONSPD and NSPL as ONS publish them.
#[derive(Debug, Clone, PartialEq)]
pub struct PostcodeColumns {
    /// The postcode. ONSPD's `pcds` is the standard spelling; `pcd`, `pcd7` and `pcd8` are
    /// padded forms, which are respelt on reading.
    pub postcode: Vec<String>,
    /// WGS84 latitude in degrees.
    pub lat: Vec<String>,
    /// WGS84 longitude in degrees.
    pub lon: Vec<String>,
    /// The termination date, `yyyymm`, empty while the postcode is live. An empty list means
    /// the file has no such column and every postcode in it is live.
    pub terminated: Vec<String>,
    /// Area codes to carry with each position, such as the local authority district.
    pub codes: Vec<CodeColumn>,
}

/// An area code column: the label it is reported under and the header names accepted for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeColumn {
    pub label: String,
    pub names: Vec<String>,
}

impl Default for PostcodeColumns {
    fn default() -> Self {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        PostcodeColumns {
            postcode: names(&["pcds", "pcd", "pcd7", "pcd8", "postcode"]),
            lat: names(&["lat", "latitude"]),
            lon: names(&["long", "lon", "longitude"]),
            terminated: names(&["doterm"]),
            codes: vec![
                CodeColumn {
                    label: "district".to_string(),
                    names: names(&[
                        "oslaua", "laua", "lad25cd", "lad24cd", "lad23cd", "lad22cd", "lad21cd",
                    ]),
                },
                CodeColumn {
                    label: "lsoa".to_string(),
                    names: names(&["lsoa21", "lsoa21cd", "lsoa11", "lsoa11cd"]),
                },
            ],
        }
    }
}

/// A postcode in its standard spelling, such as `LE11 3TU`: upper case, one space before the
/// inward code, and the shape of a UK postcode.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode(String);

impl Postcode {
    /// Respells `raw` (see [`normalise`]) and checks its shape.
    ///
    /// ```
    /// use gapmap::locate::postcode::Postcode;
    ///
    /// assert_eq!(Postcode::parse("le113tu").unwrap().as_str(), "LE11 3TU");
    /// assert!(Postcode::parse("LE11 3T").is_err());
    /// ```
    pub fn parse(raw: &str) -> Result<Self, MalformedPostcode> {
        let normalised = normalise(raw);
        match shape_problem(&normalised) {
            None => Ok(Postcode(normalised)),
            Some(reason) => Err(MalformedPostcode {
                raw: raw.to_string(),
                normalised,
                reason,
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code, such as `LE11`.
    pub fn outward(&self) -> &str {
        self.0.split(' ').next().unwrap_or_default()
    }

    /// The directory's key: the seven or fewer characters without the space, packed with the
    /// outward code padded to four so that no two postcodes share a key.
    fn key(&self) -> u64 {
        let (outward, inward) = self.0.split_at(self.0.len() - 4);
        let mut bytes = [0u8; 8];
        bytes[..outward.len()].copy_from_slice(outward.as_bytes());
        bytes[4..7].copy_from_slice(&inward.as_bytes()[1..]);
        u64::from_le_bytes(bytes)
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string that is not a UK postcode, with its respelt form and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{raw:?} is not a UK postcode (read as {normalised:?}): {reason}")]
pub struct MalformedPostcode {
    pub raw: String,
    pub normalised: String,
    pub reason: &'static str,
}

/// The standard spelling of a postcode, without checking its shape: trimmed, upper case,
/// internal spaces removed and one space put back before the last three characters.
///
/// ```
/// use gapmap::locate::postcode::normalise;
///
/// assert_eq!(normalise(" le11  3tu "), "LE11 3TU");
/// assert_eq!(normalise("le113tu"), "LE11 3TU");
/// ```
pub fn normalise(raw: &str) -> String {
    let compact: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    match compact.char_indices().rev().nth(2) {
        Some((split, _)) if split > 0 => format!("{} {}", &compact[..split], &compact[split..]),
        _ => compact,
    }
}

/// Why a respelt postcode does not have the shape of a UK postcode, or `None` if it does.
///
/// The outward code is one or two letters, a digit, and optionally one more letter or digit
/// (`B1`, `LE11`, `W1A`, `EC1A`); the inward code is a digit and two letters. `GIR 0AA`, the
/// one historical exception, is accepted.
fn shape_problem(normalised: &str) -> Option<&'static str> {
    const EXPECTED: &str = "expected an outward code such as LE11 and an inward code of a \
                            digit and two letters such as 3TU";
    if normalised.is_empty() {
        return Some("it is empty");
    }
    if normalised == "GIR 0AA" {
        return None;
    }
    if !normalised
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ')
    {
        return Some("it has a character other than letters, digits and spaces");
    }
    let characters = normalised.len() - usize::from(normalised.contains(' '));
    if characters < 5 {
        return Some("it is too short: a postcode has five to seven letters and digits");
    }
    if characters > 7 {
        return Some("it is too long: a postcode has five to seven letters and digits");
    }
    match normalised.split_once(' ') {
        Some((outward, inward))
            if outward_is_valid(outward.as_bytes()) && inward_is_valid(inward.as_bytes()) =>
        {
            None
        }
        _ => Some(EXPECTED),
    }
}

fn outward_is_valid(outward: &[u8]) -> bool {
    let letters = outward
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let rest = &outward[letters..];
    (1..=2).contains(&letters)
        && match rest {
            [digit] => digit.is_ascii_digit(),
            [digit, extra] => digit.is_ascii_digit() && extra.is_ascii_alphanumeric(),
            _ => false,
        }
}

fn inward_is_valid(inward: &[u8]) -> bool {
    match inward {
        [digit, first, second] => {
            digit.is_ascii_digit() && first.is_ascii_alphabetic() && second.is_ascii_alphabetic()
        }
        _ => false,
    }
}

/// A year and month, as in ONSPD's `yyyymm` termination dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: u16,
    pub month: u8,
}

impl YearMonth {
    /// Parses `yyyymm`, such as `202103`.
    fn parse(text: &str) -> Option<Self> {
        if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year = text[..4].parse().ok()?;
        let month = text[4..].parse().ok()?;
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    fn packed(self) -> u32 {
        u32::from(self.year) * 100 + u32::from(self.month)
    }

    fn unpack(packed: u32) -> Option<Self> {
        let year = u16::try_from(packed / 100).ok()?;
        let month = u8::try_from(packed % 100).ok()?;
        (packed != 0).then_some(YearMonth { year, month })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Where a postcode is: WGS84 degrees, and the area codes the directory gives it as
/// `(label, code)` pairs in the order of [`PostcodeColumns::codes`] (empty codes left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub lon: f64,
    pub lat: f64,
    pub codes: Vec<(String, String)>,
}

/// Why a postcode could not be placed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookupError {
    #[error(transparent)]
    Malformed(#[from] MalformedPostcode),
    #[error("postcode {postcode} is not in the postcode directory {directory}")]
    Unknown { postcode: String, directory: String },
    #[error(
        "postcode {postcode} was terminated in {terminated} (postcode directory {directory}); \
         use the postcode now in force at the address"
    )]
    Terminated {
        postcode: String,
        directory: String,
        terminated: YearMonth,
        /// Where the postcode was, as `(lon, lat)`, when the directory still gives it.
        last_position: Option<(f64, f64)>,
    },
    #[error("postcode {postcode} has no grid reference in the postcode directory {directory}")]
    NoGridReference { postcode: String, directory: String },
}

/// What is wrong with a postcode directory file.
#[derive(Debug, thiserror::Error)]
pub enum PostcodeError {
    /// The CSV itself is malformed (ragged rows, bad UTF-8) or could not be read.
    #[error("{file}{}: {}", at_line(*.line), describe_csv(.source))]
    Csv {
        file: String,
        line: u64,
        #[source]
        source: csv::Error,
    },
    /// None of the header names accepted for a field is in the header.
    #[error("{file}: no {field} column (looked for {expected}; the header has {found})")]
    MissingColumn {
        file: String,
        field: String,
        expected: String,
        found: String,
    },
    /// A field holds a value that cannot be used.
    #[error("{file}, line {line}, column {column}: {value:?} is not {expected}")]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        expected: &'static str,
    },
    /// A postcode appears on two rows.
    #[error("{file}, line {line}: postcode {postcode} appears again (first on line {first_line})")]
    Duplicate {
        file: String,
        line: u64,
        postcode: String,
        first_line: u64,
    },
    /// The file has a header but no postcodes.
    #[error("{file}: the postcode directory has no rows")]
    Empty { file: String },
}

/// A postcode directory held in memory, keyed by postcode.
///
/// About 60 bytes a postcode: the full ONSPD (some 2.7 million postcodes, live and
/// terminated) takes about 160 MB, and about 250 MB at the peak of loading.
#[derive(Debug, Clone)]
pub struct PostcodeDirectory {
    name: String,
    code_labels: Vec<String>,
    entries: HashMap<u64, Entry, BuildHasherDefault<PostcodeHasher>>,
    /// Per entry, one index into `code_values` per code column.
    code_ids: Vec<u32>,
    code_values: Vec<String>,
}

/// One postcode's row, compactly: positions in millionths of a degree (ONSPD's precision),
/// `terminated` as `yyyymm` with 0 for live.
#[derive(Debug, Clone, Copy)]
struct Entry {
    lat_e6: i32,
    lon_e6: i32,
    terminated: u32,
    line: u32,
    row: u32,
}

/// ONSPD's latitude for a postcode with no grid reference (its longitude is 0).
const NO_GRID_LAT_E6: i32 = 99_999_999;
/// A code index meaning "no code on this row".
const NO_CODE: u32 = u32::MAX;

impl Entry {
    fn position(&self) -> Option<(f64, f64)> {
        (self.lat_e6 != NO_GRID_LAT_E6)
            .then(|| (f64::from(self.lon_e6) / 1e6, f64::from(self.lat_e6) / 1e6))
    }
}

impl PostcodeDirectory {
    /// Reads a directory in the ONSPD or NSPL layout. `name` (usually the file name) is used
    /// in every message about the file and about lookups in it.
    ///
    /// Every row must be usable: a malformed postcode, latitude, longitude or termination
    /// date, or a repeated postcode, is an error naming its line.
    pub fn from_reader(
        name: &str,
        reader: impl Read,
        columns: &PostcodeColumns,
    ) -> Result<Self, PostcodeError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let layout = Layout::from_header(name, &mut csv, columns)?;
        let mut builder = Builder::new(name, &layout);
        let mut record = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(true) => builder.add(&record)?,
                Ok(false) => break,
                Err(source) => return Err(csv_error(name, source)),
            }
        }
        builder.finish()
    }

    /// Places a postcode, spelt any common way (`le113tu`, `LE11  3TU`, ` le11 3tu `).
    pub fn lookup(&self, raw: &str) -> Result<Located, LookupError> {
        let postcode = Postcode::parse(raw)?;
        let Some(entry) = self.entries.get(&postcode.key()) else {
            return Err(LookupError::Unknown {
                postcode: postcode.0,
                directory: self.name.clone(),
            });
        };
        if let Some(terminated) = YearMonth::unpack(entry.terminated) {
            return Err(LookupError::Terminated {
                postcode: postcode.0,
                directory: self.name.clone(),
                terminated,
                last_position: entry.position(),
            });
        }
        let Some((lon, lat)) = entry.position() else {
            return Err(LookupError::NoGridReference {
                postcode: postcode.0,
                directory: self.name.clone(),
            });
        };
        Ok(Located {
            lon,
            lat,
            codes: self.codes_of(entry),
        })
    }

    /// The name the directory was read under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many postcodes the directory holds, live or not.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn codes_of(&self, entry: &Entry) -> Vec<(String, String)> {
        let width = self.code_labels.len();
        let start = entry.row as usize * width;
        let ids = self.code_ids.get(start..start + width).unwrap_or_default();
        self.code_labels
            .iter()
            .zip(ids)
            .filter_map(|(label, &id)| {
                let value = self.code_values.get(id as usize)?;
                Some((label.clone(), value.clone()))
            })
            .collect()
    }
}

/// ", line 12", or nothing when the line is not known (0).
fn at_line(line: u64) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(", line {line}")
    }
}

fn describe_csv(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!(
            "has {len} fields but the header has {expected_len} (a missing or extra comma, \
             or an unquoted comma inside a value?)"
        ),
        csv::ErrorKind::Io(e) => format!("could not read the postcode directory: {e}"),
        _ => format!("malformed CSV: {error}"),
    }
}

fn csv_error(file: &str, source: csv::Error) -> PostcodeError {
    PostcodeError::Csv {
        file: file.to_string(),
        line: source.position().map_or(0, |p| p.line()),
        source,
    }
}

/// Where each field is in the file.
struct Layout {
    postcode: Column,
    lat: Column,
    lon: Column,
    terminated: Option<Column>,
    /// Each code column with its label.
    codes: Vec<(String, Column)>,
}

/// A column found in the header: its index and its name as the file spells it.
struct Column {
    index: usize,
    name: String,
}

impl Layout {
    fn from_header<R: Read>(
        file: &str,
        csv: &mut csv::Reader<R>,
        columns: &PostcodeColumns,
    ) -> Result<Self, PostcodeError> {
        let header: Vec<String> = csv
            .headers()
            .map_err(|source| csv_error(file, source))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let find = |field: &str, names: &[String]| find_column(file, &header, field, names);
        let postcode = find("postcode", &columns.postcode)?;
        let lat = find("latitude", &columns.lat)?;
        let lon = find("longitude", &columns.lon)?;
        let terminated = match columns.terminated.as_slice() {
            [] => None,
            names => Some(find("termination date", names)?),
        };
        let codes = columns
            .codes
            .iter()
            .map(|c| Ok((c.label.clone(), find(&c.label, &c.names)?)))
            .collect::<Result<_, PostcodeError>>()?;
        Ok(Layout {
            postcode,
            lat,
            lon,
            terminated,
            codes,
        })
    }
}

/// The first of `names` in `header`, ignoring case.
fn find_column(
    file: &str,
    header: &[String],
    field: &str,
    names: &[String],
) -> Result<Column, PostcodeError> {
    names
        .iter()
        .find_map(|name| {
            let index = header
                .iter()
                .position(|h| h.eq_ignore_ascii_case(name.trim()))?;
            let name = header[index].clone();
            Some(Column { index, name })
        })
        .ok_or_else(|| PostcodeError::MissingColumn {
            file: file.to_string(),
            field: field.to_string(),
            expected: names.join(", "),
            found: abbreviated(header),
        })
}

/// The header for a message, cut short after a dozen names (ONSPD has over fifty).
fn abbreviated(header: &[String]) -> String {
    const SHOWN: usize = 12;
    let mut text = header
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if header.is_empty() {
        text = "no columns".to_string();
    } else if header.len() > SHOWN {
        text.push_str(&format!(" and {} more", header.len() - SHOWN));
    }
    text
}

/// Accumulates rows into a directory.
struct Builder<'a> {
    file: &'a str,
    layout: &'a Layout,
    /// Rows in file order; indexed only at the end, when their number is known, which
    /// saves growing a large table several times.
    rows: Vec<(u64, Entry)>,
    code_ids: Vec<u32>,
    code_values: Vec<String>,
    interned: HashMap<String, u32, BuildHasherDefault<PostcodeHasher>>,
}

impl<'a> Builder<'a> {
    fn new(file: &'a str, layout: &'a Layout) -> Self {
        Builder {
            file,
            layout,
            rows: Vec::new(),
            code_ids: Vec::new(),
            code_values: Vec::new(),
            interned: HashMap::default(),
        }
    }

    fn add(&mut self, record: &csv::ByteRecord) -> Result<(), PostcodeError> {
        let line = record.position().map_or(0, |p| p.line());
        let row = Row {
            file: self.file,
            line,
            record,
        };
        if row.is_blank() {
            return Ok(());
        }
        let postcode = row.postcode(&self.layout.postcode)?;
        let (lat_e6, lon_e6) = row.position(&self.layout.lat, &self.layout.lon)?;
        let terminated = match &self.layout.terminated {
            Some(column) => row.terminated(column)?,
            None => 0,
        };
        let entry = Entry {
            lat_e6,
            lon_e6,
            terminated,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            row: u32::try_from(self.rows.len()).unwrap_or(u32::MAX),
        };
        self.rows.push((postcode.key(), entry));
        for (_, column) in &self.layout.codes {
            let code = row.field(column, "an area code (text in UTF-8)")?;
            let id = self.intern(code);
            self.code_ids.push(id);
        }
        Ok(())
    }

    fn intern(&mut self, code: &str) -> u32 {
        if code.is_empty() {
            return NO_CODE;
        }
        if let Some(&id) = self.interned.get(code) {
            return id;
        }
        let id = u32::try_from(self.code_values.len()).unwrap_or(NO_CODE);
        self.code_values.push(code.to_string());
        self.interned.insert(code.to_string(), id);
        id
    }

    fn finish(self) -> Result<PostcodeDirectory, PostcodeError> {
        if self.rows.is_empty() {
            return Err(PostcodeError::Empty {
                file: self.file.to_string(),
            });
        }
        let mut entries =
            HashMap::with_capacity_and_hasher(self.rows.len(), BuildHasherDefault::default());
        for &(key, entry) in &self.rows {
            if let Some(first) = entries.insert(key, entry) {
                return Err(duplicate(self.file, key, first, entry));
            }
        }
        Ok(PostcodeDirectory {
            name: self.file.to_string(),
            code_labels: self
                .layout
                .codes
                .iter()
                .map(|(label, _)| label.clone())
                .collect(),
            entries,
            code_ids: self.code_ids,
            code_values: self.code_values,
        })
    }
}

/// The error for a postcode on two rows, `first` being the earlier.
fn duplicate(file: &str, key: u64, first: Entry, again: Entry) -> PostcodeError {
    PostcodeError::Duplicate {
        file: file.to_string(),
        line: u64::from(again.line),
        postcode: postcode_of_key(key),
        first_line: u64::from(first.line),
    }
}

/// The postcode a key was packed from (see [`Postcode::key`]).
fn postcode_of_key(key: u64) -> String {
    let bytes = key.to_le_bytes();
    let outward: String = bytes[..4]
        .iter()
        .filter(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect();
    let inward: String = bytes[4..7].iter().map(|&b| char::from(b)).collect();
    format!("{outward} {inward}")
}

/// One record, with getters that check and convert its fields.
struct Row<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::ByteRecord,
}

impl Row<'_> {
    fn is_blank(&self) -> bool {
        self.record.iter().all(|f| f.trim_ascii().is_empty())
    }

    fn bad(&self, column: &Column, value: &str, expected: &'static str) -> PostcodeError {
        PostcodeError::BadValue {
            file: self.file.to_string(),
            line: self.line,
            column: column.name.clone(),
            value: value.to_string(),
            expected,
        }
    }

    /// The field's text, trimmed; `None` if it is not UTF-8.
    fn text(&self, index: usize) -> Option<&str> {
        let bytes = self.record.get(index).unwrap_or_default();
        std::str::from_utf8(bytes).ok().map(str::trim)
    }

    fn field(&self, column: &Column, expected: &'static str) -> Result<&str, PostcodeError> {
        self.text(column.index).ok_or_else(|| {
            let lossy = String::from_utf8_lossy(self.record.get(column.index).unwrap_or_default());
            self.bad(column, &lossy, expected)
        })
    }

    fn postcode(&self, column: &Column) -> Result<Postcode, PostcodeError> {
        const EXPECTED: &str = "a UK postcode (such as LE11 3TU)";
        let text = self.field(column, EXPECTED)?;
        Postcode::parse(text).map_err(|_| self.bad(column, text, EXPECTED))
    }

    /// Latitude and longitude in millionths of a degree, or ONSPD's no-grid marker.
    fn position(&self, lat: &Column, lon: &Column) -> Result<(i32, i32), PostcodeError> {
        const LAT: &str = "a latitude in degrees (-90 to 90, or 99.999999 for no grid reference)";
        const LON: &str = "a longitude in degrees (-180 to 180)";
        let lat_text = self.field(lat, LAT)?;
        let lon_text = self.field(lon, LON)?;
        if lat_text.is_empty() && lon_text.is_empty() {
            return Ok((NO_GRID_LAT_E6, 0));
        }
        let lat_e6 = micro_degrees(lat_text, 90.0)
            .or_else(|| micro_degrees(lat_text, 100.0).filter(|&v| v == NO_GRID_LAT_E6))
            .ok_or_else(|| self.bad(lat, lat_text, LAT))?;
        let lon_e6 = micro_degrees(lon_text, 180.0).ok_or_else(|| self.bad(lon, lon_text, LON))?;
        Ok((lat_e6, lon_e6))
    }

    /// The termination date as `yyyymm`, 0 for a live postcode.
    fn terminated(&self, column: &Column) -> Result<u32, PostcodeError> {
        const EXPECTED: &str = "a termination date yyyymm (such as 202103), or empty";
        let text = self.field(column, EXPECTED)?;
        if text.is_empty() {
            return Ok(0);
        }
        YearMonth::parse(text)
            .map(YearMonth::packed)
            .ok_or_else(|| self.bad(column, text, EXPECTED))
    }
}

/// Degrees as a whole number of millionths, if `text` is a number within `±limit`.
fn micro_degrees(text: &str, limit: f64) -> Option<i32> {
    let degrees: f64 = text.parse().ok()?;
    if !degrees.is_finite() || degrees.abs() > limit {
        return None;
    }
    // Within ±180 degrees, so within i32 as millionths.
    Some((degrees * 1e6).round() as i32)
}

/// A fast hasher for the directory's packed `u64` keys (a folded multiply, as in
/// foldhash). The keys come from a file the user chose, not an adversary, so SipHash's
/// protection against flooding is not needed, and this makes loading the full ONSPD quicker.
#[derive(Debug, Default, Clone, Copy)]
struct PostcodeHasher(u64);

impl Hasher for PostcodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;
        let product = u128::from(self.0 ^ value) * u128::from(MULTIPLIER);
        self.0 = (product as u64) ^ ((product >> 64) as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A slice of ONSPD: its real column names (a few of its fifty-odd), with live,
    /// terminated and no-grid postcodes. Positions are made up but in the right places.
    const ONSPD: &str = "\
pcd,pcd2,pcds,dointr,doterm,oslaua,lsoa21,lat,long
LE113TU,LE11  3TU,LE11 3TU,198001,,E07000130,E01025708,52.771234,-1.206543
LE1 1AA,LE1   1AA,LE1 1AA,198001,,E06000016,E01013589,52.634400,-1.131900
LE115ZZ,LE11  5ZZ,LE11 5ZZ,198001,201906,E07000130,,52.770000,-1.200000
LE999ZZ,LE99  9ZZ,LE99 9ZZ,200012,,E06000016,,99.999999,0.000000
W1A 0AX,W1A   0AX,W1A 0AX,198001,,E09000033,E01004763,51.518561,-0.143799
";

    fn directory() -> PostcodeDirectory {
        PostcodeDirectory::from_reader("onspd.csv", ONSPD.as_bytes(), &PostcodeColumns::default())
            .expect("the sample directory is valid")
    }

    fn load(csv: &str) -> Result<PostcodeDirectory, PostcodeError> {
        PostcodeDirectory::from_reader("onspd.csv", csv.as_bytes(), &PostcodeColumns::default())
    }

    #[test]
    fn normalises_common_spellings() {
        for (raw, want) in [
            ("le113tu", "LE11 3TU"),
            ("LE11  3TU", "LE11 3TU"),
            (" le11 3tu ", "LE11 3TU"),
            ("le11\t3tu", "LE11 3TU"),
            ("L E 1 1 3 T U", "LE11 3TU"),
            ("w1a0ax", "W1A 0AX"),
            ("ec1a 1bb", "EC1A 1BB"),
            ("b11aa", "B1 1AA"),
            ("", ""),
            ("3tu", "3TU"),
        ] {
            assert_eq!(normalise(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn accepts_every_outward_shape() {
        for raw in [
            "B1 1AA", "B12 1AA", "LE1 1AA", "LE11 3TU", "W1A 0AX", "EC1A 1BB", "GIR 0AA",
        ] {
            assert_eq!(Postcode::parse(raw).map(|p| p.0), Ok(raw.to_string()));
        }
        assert_eq!(
            Postcode::parse("le11 3tu").map(|p| p.outward().to_string()),
            Ok("LE11".into())
        );
    }

    #[test]
    fn rejects_malformed_postcodes_with_a_reason() {
        for (raw, normalised, reason) in [
            ("LE11 3T", "LE1 13T", "an inward code"),
            ("", "", "empty"),
            ("LE11-3TU", "LE11- 3TU", "character"),
            ("3TU", "3TU", "too short"),
            ("LE1113TUX", "LE1113 TUX", "too long"),
            ("12345", "12 345", "an inward code"),
            ("LEE1 3TU", "LEE1 3TU", "an outward code"),
            ("LE11 TTU", "LE11 TTU", "an inward code"),
            ("LE11 33U", "LE11 33U", "an inward code"),
        ] {
            let error = Postcode::parse(raw).expect_err(raw);
            assert_eq!(error.normalised, normalised, "{raw:?}");
            assert!(error.reason.contains(reason), "{raw:?}: {}", error.reason);
        }
    }

    #[test]
    fn keys_are_distinct_for_similar_postcodes() {
        let keys: Vec<u64> = [
            "A1 1AA", "A11 1AA", "AA1 1AA", "A1A 1AA", "AA11 1AA", "AA1A 1AA",
        ]
        .iter()
        .map(|raw| Postcode::parse(raw).map(|p| p.key()))
        .collect::<Result<_, _>>()
        .expect("valid postcodes");
        let mut unique = keys.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), keys.len());
    }

    #[test]
    fn finds_a_live_postcode_however_it_is_spelt() {
        let directory = directory();
        assert_eq!(directory.len(), 5);
        for raw in ["LE11 3TU", "le113tu", " le11  3TU "] {
            let place = directory.lookup(raw).expect(raw);
            assert_eq!((place.lon, place.lat), (-1.206543, 52.771234));
            let codes = [("district", "E07000130"), ("lsoa", "E01025708")]
                .map(|(l, c)| (l.to_string(), c.to_string()));
            assert_eq!(place.codes, codes);
        }
    }

    #[test]
    fn reports_a_terminated_postcode_with_its_date() {
        let error = directory().lookup("le11 5zz").expect_err("terminated");
        let LookupError::Terminated {
            postcode,
            terminated,
            last_position,
            ..
        } = &error
        else {
            panic!("not reported as terminated: {error}");
        };
        assert_eq!(postcode, "LE11 5ZZ");
        assert_eq!(
            *terminated,
            YearMonth {
                year: 2019,
                month: 6
            }
        );
        assert_eq!(*last_position, Some((-1.2, 52.77)));
        assert!(
            error.to_string().contains("terminated in 2019-06"),
            "{error}"
        );
    }

    #[test]
    fn reports_unknown_and_no_grid_postcodes() {
        let directory = directory();
        assert_eq!(
            directory.lookup("LE11 9AA"),
            Err(LookupError::Unknown {
                postcode: "LE11 9AA".into(),
                directory: "onspd.csv".into()
            })
        );
        assert_eq!(
            directory.lookup("le999zz"),
            Err(LookupError::NoGridReference {
                postcode: "LE99 9ZZ".into(),
                directory: "onspd.csv".into()
            })
        );
    }

    #[test]
    fn reports_a_malformed_lookup_with_its_normalised_form() {
        let error = directory().lookup("le11 3t").expect_err("malformed");
        let LookupError::Malformed(malformed) = &error else {
            panic!("not reported as malformed: {error}");
        };
        assert_eq!(malformed.normalised, "LE1 13T");
        assert!(
            error
                .to_string()
                .contains("\"le11 3t\" is not a UK postcode"),
            "{error}"
        );
    }

    #[test]
    fn leaves_out_empty_codes() {
        let place = directory().lookup("W1A 0AX").expect("live");
        assert_eq!(place.codes.len(), 2);
        let csv = "pcds,doterm,oslaua,lsoa21,lat,long\nLE11 3TU,,E07000130,,52.77,-1.2\n";
        let place = load(csv).expect("valid").lookup("LE11 3TU").expect("live");
        assert_eq!(
            place.codes,
            [("district".to_string(), "E07000130".to_string())]
        );
    }

    #[test]
    fn reads_nspl_headers_in_upper_case() {
        let csv = "PCD,PCDS,DOTERM,LAUA,LSOA11,LAT,LONG\n\
                   LE113TU,LE11 3TU,,E07000130,E01025708,52.77,-1.2\n";
        let place = load(csv).expect("valid").lookup("LE11 3TU").expect("live");
        assert_eq!(
            place.codes[0],
            ("district".to_string(), "E07000130".to_string())
        );
    }

    #[test]
    fn reads_a_header_after_a_byte_order_mark() {
        let csv = format!("\u{feff}{ONSPD}");
        assert_eq!(load(&csv).expect("valid").len(), 5);
    }

    #[test]
    fn reads_a_minimal_file_with_configured_columns() {
        let columns = PostcodeColumns {
            postcode: vec!["Postcode".into()],
            lat: vec!["Latitude".into()],
            lon: vec!["Longitude".into()],
            terminated: vec![],
            codes: vec![],
        };
        let csv = "Postcode,Latitude,Longitude\nle113tu,52.77,-1.2\n\n";
        let directory =
            PostcodeDirectory::from_reader("mine.csv", csv.as_bytes(), &columns).expect("valid");
        let place = directory.lookup("LE11 3TU").expect("live");
        assert_eq!((place.lon, place.lat, place.codes.len()), (-1.2, 52.77, 0));
    }

    fn bad_value(error: PostcodeError) -> (u64, String, String) {
        match error {
            PostcodeError::BadValue {
                line,
                column,
                value,
                ..
            } => (line, column, value),
            other => panic!("expected a bad value, got: {other}"),
        }
    }

    #[test]
    fn names_the_line_of_a_bad_latitude() {
        let csv = ONSPD.replace("52.634400", "52.63.44");
        let error = load(&csv).expect_err("bad latitude");
        let message = error.to_string();
        assert_eq!(bad_value(error), (3, "lat".into(), "52.63.44".into()));
        assert!(
            message.starts_with("onspd.csv, line 3, column lat: \"52.63.44\" is not a latitude"),
            "{message}"
        );
        let out_of_range = ONSPD.replace("52.634400", "95.0");
        let error = load(&out_of_range).expect_err("latitude out of range");
        assert_eq!(bad_value(error), (3, "lat".into(), "95.0".into()));
    }

    #[test]
    fn names_the_line_of_other_bad_values() {
        let bad_date = ONSPD.replace("201906", "2019-6");
        assert_eq!(bad_value(load(&bad_date).expect_err("date")).0, 4);
        let bad_month = ONSPD.replace("201906", "201913");
        assert_eq!(bad_value(load(&bad_month).expect_err("month")).0, 4);
        let bad_lon = ONSPD.replace("-0.143799", "west");
        assert_eq!(
            bad_value(load(&bad_lon).expect_err("lon")),
            (6, "long".into(), "west".into())
        );
        let bad_postcode = ONSPD.replace(",LE1 1AA,", ",LE1 1A,");
        assert_eq!(
            bad_value(load(&bad_postcode).expect_err("postcode")),
            (3, "pcds".into(), "LE1 1A".into())
        );
    }

    #[test]
    fn rejects_a_repeated_postcode() {
        let csv = format!("{ONSPD}LE113TU,LE11  3TU,le11 3tu,198001,,E07000130,,52.77,-1.2\n");
        let error = load(&csv).expect_err("duplicate");
        assert_eq!(
            error.to_string(),
            "onspd.csv, line 7: postcode LE11 3TU appears again (first on line 2)"
        );
    }

    #[test]
    fn names_a_missing_column_and_what_was_looked_for() {
        let error = load("pcds,lat,long\nLE11 3TU,52.77,-1.2\n").expect_err("no doterm");
        assert_eq!(
            error.to_string(),
            "onspd.csv: no termination date column \
             (looked for doterm; the header has pcds, lat, long)"
        );
    }

    #[test]
    fn rejects_ragged_rows_and_empty_files() {
        let ragged = ONSPD.replace(",E01013589,", ",");
        let error = load(&ragged).expect_err("ragged");
        assert!(
            matches!(error, PostcodeError::Csv { line: 3, .. }),
            "{error}"
        );
        let empty = load("pcds,doterm,oslaua,lsoa21,lat,long\n").expect_err("empty");
        assert!(matches!(empty, PostcodeError::Empty { .. }), "{empty}");
    }

    #[test]
    fn year_month_packs_and_unpacks() {
        let date = YearMonth::parse("202103").expect("valid");
        assert_eq!(YearMonth::unpack(date.packed()), Some(date));
        assert_eq!(YearMonth::unpack(0), None);
        assert_eq!(date.to_string(), "2021-03");
        for bad in ["2021", "20210", "202100", "2021ab", "+20213"] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }
}
