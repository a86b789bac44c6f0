//! Files of the travel stage: places in (CSV of `id` and a location), the origin-destination
//! matrix out (`origin, destination, minutes, km`, CSV or Parquet, the layout
//! `gapmap access --cost` reads), and the snap report.
//!
//! A place file is any CSV with an `id` column and `longitude`/`latitude` (or `lon`/`lng`,
//! `lat`) in WGS84, or `easting`/`northing` (or `x`/`y`) in British National Grid metres;
//! other columns are ignored, so `gapmap access`'s demand and services files serve as they
//! are. An id repeated at the same location (one row per need) is one place.

use std::collections::HashMap;
use std::io::{Read, Write};

use crate::io::table::Table;
use crate::locate::bng::bng_to_wgs84;

use super::route::OdCost;
use super::TravelError;

/// A place to route from or to, with the line it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    pub id: String,
    /// lon/lat, WGS84.
    pub location: [f64; 2],
    pub line: u64,
}

const PLACE_COLUMNS: &str = "id, longitude, latitude (or id, easting, northing)";

/// Reads places from a CSV file's contents; `file` names it in messages.
pub fn read_places(reader: impl Read, file: &str) -> Result<Vec<Place>, TravelError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let header: Vec<String> = csv
        .headers()
        .map_err(|e| bad_csv(file, 1, e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let id = find(&["id"]).ok_or_else(|| missing(file, "id"))?;
    let (grid, x, y) = match (
        find(&["longitude", "lon", "lng"]),
        find(&["latitude", "lat"]),
        find(&["easting", "x"]),
        find(&["northing", "y"]),
    ) {
        (Some(x), Some(y), _, _) => (false, x, y),
        (_, _, Some(x), Some(y)) => (true, x, y),
        _ => return Err(missing(file, "longitude|latitude or easting|northing")),
    };
    let mut places: Vec<Place> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (row, record) in csv.records().enumerate() {
        let line = row as u64 + 2;
        let record = record.map_err(|e| bad_csv(file, line, e))?;
        let text = |column: usize| record.get(column).unwrap_or("").trim();
        let number = |column: usize, name: &str| {
            text(column)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| TravelError::BadValue {
                    file: file.to_string(),
                    line,
                    column: name.to_string(),
                    value: text(column).to_string(),
                    expected: "a number",
                })
        };
        let place_id = text(id);
        if place_id.is_empty() {
            return Err(TravelError::BadValue {
                file: file.to_string(),
                line,
                column: "id".to_string(),
                value: String::new(),
                expected: "an id",
            });
        }
        let (a, b) = (number(x, &header[x])?, number(y, &header[y])?);
        let location = locate(file, line, grid, a, b, &header[x])?;
        if let Some(&first) = seen.get(place_id) {
            if places[first].location != location {
                return Err(TravelError::DuplicatePlace {
                    file: file.to_string(),
                    line,
                    id: place_id.to_string(),
                    first_line: places[first].line,
                });
            }
            continue;
        }
        seen.insert(place_id.to_string(), places.len());
        places.push(Place {
            id: place_id.to_string(),
            location,
            line,
        });
    }
    Ok(places)
}

fn locate(
    file: &str,
    line: u64,
    grid: bool,
    a: f64,
    b: f64,
    column: &str,
) -> Result<[f64; 2], TravelError> {
    let bad = |value: f64, expected| TravelError::BadValue {
        file: file.to_string(),
        line,
        column: column.to_string(),
        value: value.to_string(),
        expected,
    };
    if grid {
        return bng_to_wgs84(a, b)
            .map(|(lon, lat)| [lon, lat])
            .ok_or_else(|| bad(a, "British National Grid metres"));
    }
    if !(-180.0..=180.0).contains(&a) {
        return Err(bad(a, "a longitude between -180 and 180"));
    }
    if !(-90.0..=90.0).contains(&b) {
        return Err(TravelError::BadValue {
            file: file.to_string(),
            line,
            column: "latitude".to_string(),
            value: b.to_string(),
            expected: "a latitude between -90 and 90",
        });
    }
    Ok([a, b])
}

fn missing(file: &str, column: &str) -> TravelError {
    TravelError::MissingColumn {
        file: file.to_string(),
        column: column.to_string(),
        expected: PLACE_COLUMNS,
    }
}

fn bad_csv(file: &str, line: u64, error: csv::Error) -> TravelError {
    TravelError::BadValue {
        file: file.to_string(),
        line,
        column: "(row)".to_string(),
        value: error.to_string(),
        expected: "a CSV row with as many fields as the header",
    }
}

/// The matrix as a table: `origin, destination, minutes, km` (minutes to 3 decimals, km to
/// the metre).
pub fn matrix_table(pairs: &[OdCost], origins: &[Place], destinations: &[Place]) -> Table {
    Table::default()
        .text(
            "origin",
            pairs
                .iter()
                .map(|p| origins[p.origin as usize].id.clone())
                .collect(),
        )
        .text(
            "destination",
            pairs
                .iter()
                .map(|p| destinations[p.destination as usize].id.clone())
                .collect(),
        )
        .float(
            "minutes",
            pairs.iter().map(|p| Some(p.cost.minutes())).collect(),
            3,
        )
        .float("km", pairs.iter().map(|p| Some(p.cost.km())).collect(), 3)
}

/// One row per place: `role, id, snap_m, longitude, latitude` (the point on the road).
pub fn write_snaps(
    out: impl Write,
    rows: &[(&str, &Place, super::Snap)],
) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(["role", "id", "snap_m", "road_longitude", "road_latitude"])?;
    for (role, place, snap) in rows {
        csv.write_record([
            role.to_string(),
            place.id.clone(),
            format!("{:.1}", snap.distance_m),
            format!("{:.7}", snap.point[0]),
            format!("{:.7}", snap.point[1]),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lon_lat_and_merges_repeated_ids() {
        let text = "id,longitude,latitude,need\nA,-0.7,52.6,x\nA,-0.7,52.6,y\nB,-0.6,52.65,x\n";
        let places = read_places(text.as_bytes(), "p.csv").unwrap();
        assert_eq!(places.len(), 2);
        assert_eq!(places[1].id, "B");
        assert_eq!(places[1].line, 4);
    }

    #[test]
    fn names_the_line_of_a_bad_value_and_a_moved_id() {
        let text = "id,lon,lat\nA,-0.7,north\n";
        let error = read_places(text.as_bytes(), "p.csv").unwrap_err();
        assert_eq!(
            error.to_string(),
            "p.csv:2: column lat: \"north\" is not a number"
        );
        let text = "id,lon,lat\nA,-0.7,52.6\nA,-0.6,52.6\n";
        let error = read_places(text.as_bytes(), "p.csv").unwrap_err();
        assert!(error
            .to_string()
            .starts_with("p.csv:3: id \"A\" appears again"));
    }

    #[test]
    fn reads_british_national_grid() {
        // Oakham's market place is near SK 861 088.
        let text = "id,easting,northing\nOakham,486100,308800\n";
        let places = read_places(text.as_bytes(), "p.csv").unwrap();
        let [lon, lat] = places[0].location;
        assert!(
            (lon - -0.727).abs() < 0.01 && (lat - 52.67).abs() < 0.01,
            "{lon} {lat}"
        );
    }
}
