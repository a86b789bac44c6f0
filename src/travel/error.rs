//! What can go wrong in the travel stage, each naming the file, line and value to fix.

/// A travel-stage failure.
#[derive(Debug, thiserror::Error)]
pub enum TravelError {
    #[error("{file}: not a readable OpenStreetMap PBF extract: {message}")]
    Osm { file: String, message: String },
    #[error("{file}: no roads for cars in the extract")]
    NoRoads { file: String },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: missing column {column} (expected {expected})")]
    MissingColumn {
        file: String,
        column: String,
        expected: &'static str,
    },
    #[error("{file}:{line}: column {column}: {value:?} is not {expected}")]
    BadValue {
        file: String,
        line: u64,
        column: String,
        value: String,
        expected: &'static str,
    },
    #[error("{file}:{line}: id {id:?} appears again with a different location (first on line {first_line})")]
    DuplicatePlace {
        file: String,
        line: u64,
        id: String,
        first_line: u64,
    },
    /// `place` is "file:line", or "file, feature N" for an area.
    #[error("{place}: {id:?} is {metres:.0} m from the nearest road for cars, more than the {max_metres:.0} m allowed (check its location, or raise the maximum snap distance)")]
    TooFarFromRoad {
        place: String,
        id: String,
        metres: f64,
        max_metres: f64,
    },
    #[error("{file}: {message}")]
    Profile { file: String, message: String },
    #[error("{0}")]
    Option(String),
    #[error("writing {file}: {message}")]
    Write { file: String, message: String },
}
