//! The access engine's error type: every variant names what a user needs to fix the input
//! (file, line, column, value, what was expected) or the setting that is wrong.

/// Everything that can stop an access computation or the reading of its inputs.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// A file could not be opened, read or written.
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The CSV itself is malformed (unbalanced quotes, ragged rows, bad UTF-8).
    #[error("{file}, line {line}: malformed CSV: {source}")]
    Csv {
        file: String,
        line: u64,
        #[source]
        source: csv::Error,
    },
    /// A required column is absent from the header.
    #[error("{file}: no column {column} (expected columns: {expected})")]
    MissingColumn {
        file: String,
        column: String,
        expected: &'static str,
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
    /// A row repeats a key that must be unique (a service id, an origin-destination pair).
    #[error("{file}, line {line}: {what} {value:?} appears more than once")]
    Duplicate {
        file: String,
        line: u64,
        what: &'static str,
        value: String,
    },
    /// A setting is out of range.
    #[error("access setting {setting} = {value}: expected {expected}")]
    Setting {
        setting: String,
        value: String,
        expected: &'static str,
    },
    /// A demand site or service given in memory holds a value that cannot be used.
    #[error("{table} row {index} (id {id:?}): {field} = {value}: expected {expected}")]
    Site {
        table: &'static str,
        index: usize,
        id: String,
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    /// The coordinates of the inputs do not suit the distance metric.
    #[error("the {metric} metric needs {expected} coordinates, but the inputs have {found}")]
    Coordinates {
        metric: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    /// The demand and service files use different coordinates.
    #[error("{demand_file} has {demand} coordinates but {services_file} has {services}")]
    MixedCoordinates {
        demand_file: String,
        demand: &'static str,
        services_file: String,
        services: &'static str,
    },
    /// The travel-cost metric was chosen and no origin-destination matrix was supplied.
    #[error("the travel-cost metric needs an origin-destination matrix, and none was supplied")]
    MissingTravelCosts,
    /// A result would not be a finite number (capacities or weights of extreme size).
    #[error("need {need:?}: accessibility is not a finite number; check for extreme capacities or demand weights")]
    NotFinite { need: String },
}

impl AccessError {
    pub(crate) fn io(file: &str, source: std::io::Error) -> Self {
        AccessError::Io {
            file: file.to_string(),
            source,
        }
    }
}
