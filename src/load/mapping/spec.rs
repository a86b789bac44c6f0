//! How the config names an input and maps a council's layout onto gapmap's: the file, its
//! sheet and header row, the source heading of each gapmap column, the council's words for
//! gapmap's, and rules that work a column out from others.
//!
//! An input is either a path (`services = "services.csv"`, read as it is) or a table:
//!
//! ```toml
//! [inputs.services]
//! file = "framework.xlsx"
//! sheet = "Providers"
//! header_row = 3
//! columns = { service_name = "Service Name", postcode = "Post Code", lots = "Lots" }
//! values.lots = { "Learning disability and/or autism" = "ld_autism", "PMLD" = "pmld" }
//! ```

use std::collections::BTreeMap;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// One input of the run and how to read it.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    /// The file, relative to the config.
    pub file: String,
    /// For spreadsheets: the sheet to read (the first when not given).
    pub sheet: Option<String>,
    /// The row (as the spreadsheet numbers it) or line (CSV) holding the headings; found
    /// in spreadsheets when not given, line 1 in CSV.
    pub header_row: Option<u64>,
    /// gapmap's column name to the heading in the file.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// For a gapmap column, the file's words to gapmap's (`"Band C" = "C"`). In list
    /// columns (`lots`, `bands`) each item is mapped.
    #[serde(default)]
    pub values: BTreeMap<String, BTreeMap<String, String>>,
    /// What separates the items of list columns (`lots`, `bands`); `;` when not given.
    pub list_separator: Option<String>,
    /// The lot from one or more source columns: the first rule whose every condition holds.
    #[serde(default)]
    pub lot_rules: Vec<LotRule>,
    /// The band from a unit cost or rate, matched against the configured band rates.
    pub band_from_cost: Option<BandFromCost>,
    /// The status from start and end dates against the data date.
    pub status_from_dates: Option<StatusFromDates>,
    /// Rows that are people waiting, by a flag column.
    pub waiting_when: Option<WaitingWhen>,
    /// The age band from a date of birth, or a birth year and month, at the data date.
    pub age_from: Option<AgeFrom>,
}

impl InputSpec {
    /// An input named by its path only, read as it is.
    pub fn path(file: &str) -> InputSpec {
        InputSpec {
            file: file.to_string(),
            ..InputSpec::default()
        }
    }

    /// Whether the config maps anything (columns, values or rules).
    pub fn maps_anything(&self) -> bool {
        !self.columns.is_empty()
            || !self.values.is_empty()
            || !self.lot_rules.is_empty()
            || self.band_from_cost.is_some()
            || self.status_from_dates.is_some()
            || self.waiting_when.is_some()
            || self.age_from.is_some()
    }
}

/// A lot rule: `lot` when every listed column holds one of its values (compared ignoring
/// case and repeated spaces). `lot = "none"` leaves matching rows out, counted in the
/// report (support that is not a day opportunity).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotRule {
    pub lot: String,
    /// Source heading to the value (or values) it must hold.
    pub when: BTreeMap<String, OneOrMany>,
}

/// The lot written in a rule that leaves rows out.
pub const NO_LOT: &str = "none";

/// One value or a list of values.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> Vec<&str> {
        match self {
            OneOrMany::One(v) => vec![v.as_str()],
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

/// The band whose half-day, full-day or hourly rate equals the cost in `column`, within
/// `tolerance` pounds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandFromCost {
    pub column: String,
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
}

fn default_tolerance() -> f64 {
    0.005
}

/// Current when the row is open at the data date (started on or before it, and not ended
/// before it); other rows are left out and counted.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFromDates {
    pub start: String,
    pub end: Option<String>,
}

/// Waiting when `column` holds one of `values`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitingWhen {
    pub column: String,
    pub values: Vec<String>,
}

/// Where the age comes from: a date of birth, or a birth year and month.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeFrom {
    pub birth_date: Option<String>,
    pub birth_year: Option<String>,
    pub birth_month: Option<String>,
}

/// An input given as a path or as a table.
pub fn deserialize_input<'de, D: Deserializer<'de>>(d: D) -> Result<InputSpec, D::Error> {
    d.deserialize_any(InputVisitor)
}

/// An optional input given as a path or as a table.
pub fn deserialize_optional_input<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<InputSpec>, D::Error> {
    deserialize_input(d).map(Some)
}

struct InputVisitor;

impl<'de> Visitor<'de> for InputVisitor {
    type Value = InputSpec;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a file path, or a table with `file` and how to read it")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<InputSpec, E> {
        Ok(InputSpec::path(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<InputSpec, A::Error> {
        InputSpec::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Inputs {
        #[serde(deserialize_with = "deserialize_input")]
        services: InputSpec,
        #[serde(default, deserialize_with = "deserialize_optional_input")]
        waiting: Option<InputSpec>,
    }

    #[test]
    fn an_input_is_a_path_or_a_table() {
        let plain: Inputs = toml::from_str(r#"services = "services.csv""#).expect("parses");
        assert_eq!(plain.services, InputSpec::path("services.csv"));
        assert_eq!(plain.waiting, None);
        let table: Inputs = toml::from_str(
            r#"
            [services]
            file = "framework.xlsx"
            header_row = 3
            columns = { postcode = "Post Code" }
            values.lots = { "PMLD" = "pmld" }
            [[services.lot_rules]]
            lot = "pmld"
            when = { "PSR" = "Learning Disability Support", "Component" = ["Day Care", "Day care"] }
            "#,
        )
        .expect("parses");
        assert_eq!(table.services.file, "framework.xlsx");
        assert_eq!(table.services.header_row, Some(3));
        assert_eq!(table.services.columns["postcode"], "Post Code");
        assert_eq!(table.services.values["lots"]["PMLD"], "pmld");
        assert_eq!(
            table.services.lot_rules[0].when["Component"].values(),
            ["Day Care", "Day care"]
        );
    }

    #[test]
    fn an_unknown_setting_in_an_input_table_is_named() {
        let e = toml::from_str::<Inputs>("[services]\nfile = \"s.csv\"\nheader = 3\n")
            .err()
            .expect("refused")
            .to_string();
        assert!(e.contains("unknown field `header`"), "{e}");
    }
}
