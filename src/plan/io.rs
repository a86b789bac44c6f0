//! CSV reading and writing for the standalone `gapmap plan` command: candidate sites in,
//! the chosen sites out. Demand and existing services are read by the access engine's
//! readers ([`crate::access::read_demand_csv`], [`crate::access::read_services_csv`]), so
//! the two commands take the same files. Column names are matched case-insensitively;
//! every bad field is an error naming the file, line, column, value and what was expected.
//!
//! - candidates: `id`, `longitude`/`latitude` (or `lon`/`lng`, `lat`) or `x`/`y` (or
//!   `easting`/`northing`, metres), and optionally `capacity`;
//! - the plan: one row per chosen site in the order chosen: `candidate_id, rank, gain,
//!   newly_in_reach, cost_saved, users, capacity`, then the site's coordinates.

use std::io::{Read, Write};

use super::{Plan, PlanInstance};
use crate::access::{AccessError, Coordinates, Location};

/// A candidate site as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub location: Location,
    pub capacity: Option<f64>,
}

/// Candidates as read, with the coordinates their columns name.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateFile {
    pub file: String,
    pub coordinates: Coordinates,
    pub candidates: Vec<Candidate>,
}

const CANDIDATE_COLUMNS: &str = "id, longitude, latitude (or x, y), capacity (optional)";

/// Reads candidate sites; ids must be unique.
pub fn read_candidates_csv(reader: impl Read, file: &str) -> Result<CandidateFile, AccessError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|source| csv_error(file, source))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let missing = |column: &str| AccessError::MissingColumn {
        file: file.to_string(),
        column: column.to_string(),
        expected: CANDIDATE_COLUMNS,
    };
    let id = find(&["id", "candidate_id"]).ok_or_else(|| missing("id"))?;
    let (coordinates, x, y) = match (
        find(&["longitude", "lon", "lng"]).zip(find(&["latitude", "lat"])),
        find(&["x", "easting"]).zip(find(&["y", "northing"])),
    ) {
        (Some((x, y)), None) => (Coordinates::LonLat, x, y),
        (None, Some((x, y))) => (Coordinates::EastingNorthing, x, y),
        (Some(_), Some(_)) => return Err(missing("x|y or longitude|latitude, not both")),
        (None, None) => return Err(missing("longitude and latitude, or x and y")),
    };
    let capacity = find(&["capacity", "places"]);
    let mut seen = std::collections::HashSet::new();
    let mut candidates = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|source| csv_error(file, source))?;
        let line = record.position().map_or(0, |p| p.line());
        let bad = |column: &str, value: &str, expected| AccessError::BadValue {
            file: file.to_string(),
            line,
            column: column.to_string(),
            value: value.to_string(),
            expected,
        };
        let field = |k: usize| record.get(k).unwrap_or("").trim();
        let number = |k: usize, column: &str, expected, ok: &dyn Fn(f64) -> bool| match field(k)
            .parse::<f64>()
        {
            Ok(v) if v.is_finite() && ok(v) => Ok(v),
            _ => Err(bad(column, field(k), expected)),
        };
        let candidate_id = field(id);
        if candidate_id.is_empty() {
            return Err(bad("id", candidate_id, "a non-empty id"));
        }
        if !seen.insert(candidate_id.to_string()) {
            return Err(AccessError::Duplicate {
                file: file.to_string(),
                line,
                what: "candidate id",
                value: candidate_id.to_string(),
            });
        }
        let location = match coordinates {
            Coordinates::LonLat => Location {
                x: number(x, "longitude", "a longitude in -180..=180", &|v| {
                    v.abs() <= 180.0
                })?,
                y: number(y, "latitude", "a latitude in -90..=90", &|v| {
                    v.abs() <= 90.0
                })?,
            },
            Coordinates::EastingNorthing => Location {
                x: number(x, "x", "an easting in metres", &|v| v.abs() <= 1e9)?,
                y: number(y, "y", "a northing in metres", &|v| v.abs() <= 1e9)?,
            },
        };
        let capacity = match capacity {
            Some(k) if !field(k).is_empty() => Some(number(
                k,
                "capacity",
                "a number of places in 0..=1e12",
                &|v| (0.0..=1e12).contains(&v),
            )?),
            _ => None,
        };
        candidates.push(Candidate {
            id: candidate_id.to_string(),
            location,
            capacity,
        });
    }
    Ok(CandidateFile {
        file: file.to_string(),
        coordinates,
        candidates,
    })
}

fn csv_error(file: &str, source: csv::Error) -> AccessError {
    AccessError::Csv {
        file: file.to_string(),
        line: source.position().map_or(0, |p| p.line()),
        source,
    }
}

/// Writes the chosen sites in the order chosen; `locations` holds each site's location
/// (by site index) and `coordinates` names the columns.
pub fn write_plan_csv(
    writer: impl Write,
    file: &str,
    instance: &PlanInstance,
    plan: &Plan,
    locations: &[Location],
    coordinates: Coordinates,
) -> Result<(), AccessError> {
    let (x, y) = match coordinates {
        Coordinates::LonLat => ("longitude", "latitude"),
        Coordinates::EastingNorthing => ("x", "y"),
    };
    let mut csv = csv::Writer::from_writer(writer);
    let write_error = |source: csv::Error| AccessError::Io {
        file: file.to_string(),
        source: std::io::Error::other(source.to_string()),
    };
    csv.write_record([
        "candidate_id",
        "rank",
        "gain",
        "newly_in_reach",
        "cost_saved",
        "users",
        "capacity",
        x,
        y,
    ])
    .map_err(write_error)?;
    for (rank, chosen) in plan.chosen.iter().enumerate() {
        let site = &instance.sites[chosen.site];
        let location = locations[chosen.site];
        csv.write_record([
            site.id.clone(),
            (rank + 1).to_string(),
            round(chosen.gain, 6),
            round(chosen.newly_in_reach, 6),
            round(chosen.cost_saved, 6),
            round(chosen.users, 6),
            round(site.capacity, 6),
            round(location.x, 7),
            round(location.y, 7),
        ])
        .map_err(write_error)?;
    }
    csv.flush().map_err(|source| AccessError::io(file, source))
}

/// A number to `decimals` places without trailing zeros ("-0" as "0").
pub(crate) fn round(x: f64, decimals: i32) -> String {
    let factor = 10f64.powi(decimals);
    let r = (x * factor).round() / factor;
    let r = if r == 0.0 { 0.0 } else { r };
    format!("{r}")
}
