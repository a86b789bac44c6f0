//! Where a row is: WGS84 latitude/longitude, British National Grid easting/northing
//! (EPSG:27700, transformed to WGS84 in [`crate::locate::bng`]), or a postcode looked up in
//! the user's ONS Postcode Directory ([`crate::locate::postcode`]).
//!
//! A row may use any of the three; the first that is filled in wins, in that order. Every
//! point must end up inside the UK. This module reads locations; it does not place them in
//! areas ([`crate::locate`] does).

use geo::Point;

use crate::io::records::{Records, Row};
use crate::locate::bng;
use crate::locate::postcode::PostcodeDirectory;
use crate::problem::{Problem, Problems};

/// The UK's extent in WGS84, generously: Scilly to Shetland, Northern Ireland to Lowestoft.
pub const UK_LAT: (f64, f64) = (49.8, 60.95);
pub const UK_LON: (f64, f64) = (-8.7, 1.8);

/// What a loader needs to turn a postcode into a point.
#[derive(Debug, Clone, Copy, Default)]
pub struct Geocoder<'a> {
    pub postcodes: Option<&'a PostcodeDirectory>,
    /// Each area's interior point by its code, for rows located by an LSOA or OA code.
    pub area_points: Option<&'a std::collections::HashMap<String, Point<f64>>>,
    /// Whether the config names a directory (which may have failed to load, a problem
    /// reported once for the file rather than on every row).
    pub configured: bool,
}

/// A problem when the header offers no way to give a location.
pub fn check_header(table: &Records) -> Option<Problem> {
    let pair = |a: &str, b: &str| table.has(a) && table.has(b);
    if pair("latitude", "longitude")
        || pair("easting", "northing")
        || table.has("postcode")
        || table.has("area_code")
    {
        return None;
    }
    Some(table.header_problem(
        "has no location columns (expected latitude and longitude, easting and northing in British National Grid metres, postcode, or area_code, an LSOA or OA code)",
    ))
}

/// The row's location as a WGS84 point, or a problem naming the bad value.
pub fn location_of(row: &Row, geocoder: &Geocoder, problems: &mut Problems) -> Option<Point<f64>> {
    let filled = |c: &str| !row.text(c).is_empty();
    if filled("latitude") || filled("longitude") {
        wgs84(row, problems)
    } else if filled("easting") || filled("northing") {
        grid(row, problems)
    } else if filled("postcode") {
        postcode(row, geocoder, problems)
    } else if filled("area_code") {
        area_point(row, geocoder, problems)
    } else {
        let column = ["latitude", "easting", "postcode", "area_code"]
            .into_iter()
            .find(|c| row.has(c))
            .unwrap_or("latitude");
        problems.push(row.problem(
            column,
            "is empty: each row needs latitude and longitude, easting and northing, a postcode, or an area code",
        ));
        None
    }
}

fn in_uk(lat: f64, lon: f64) -> bool {
    (UK_LAT.0..=UK_LAT.1).contains(&lat) && (UK_LON.0..=UK_LON.1).contains(&lon)
}

fn wgs84(row: &Row, problems: &mut Problems) -> Option<Point<f64>> {
    let lat = row.number("latitude", -1.0e7, 1.0e7, problems);
    let lon = row.number("longitude", -1.0e7, 1.0e7, problems);
    let (lat, lon) = (lat?, lon?);
    if in_uk(lat, lon) {
        return Some(Point::new(lon, lat));
    }
    let message = if in_uk(lon, lat) {
        format!("looks swapped with longitude \"{lon}\" (the point would be in the UK the other way round)")
    } else if (lat.abs() > 90.0 || lon.abs() > 180.0)
        && (bng::looks_like_bng(lon, lat) || bng::looks_like_bng(lat, lon))
    {
        format!("with longitude \"{lon}\" looks like British National Grid metres: put such values in easting and northing columns")
    } else {
        format!(
            "with longitude \"{lon}\" is outside the UK (expected latitude {} to {}, longitude {} to {})",
            UK_LAT.0, UK_LAT.1, UK_LON.0, UK_LON.1
        )
    };
    problems.push(row.problem("latitude", message));
    None
}

fn grid(row: &Row, problems: &mut Problems) -> Option<Point<f64>> {
    let e = row.number(
        "easting",
        bng::EASTING_RANGE.0,
        bng::EASTING_RANGE.1,
        problems,
    );
    let n = row.number(
        "northing",
        bng::NORTHING_RANGE.0,
        bng::NORTHING_RANGE.1,
        problems,
    );
    let (e, n) = (e?, n?);
    match bng::bng_to_wgs84(e, n).filter(|(lon, lat)| in_uk(*lat, *lon)) {
        Some((lon, lat)) => Some(Point::new(lon, lat)),
        None => {
            problems.push(row.problem(
                "easting",
                format!("with northing \"{n}\" is not a British National Grid position in the UK"),
            ));
            None
        }
    }
}

fn postcode(row: &Row, geocoder: &Geocoder, problems: &mut Problems) -> Option<Point<f64>> {
    let Some(directory) = geocoder.postcodes else {
        if geocoder.configured {
            return None;
        }
        problems.push(row.problem(
            "postcode",
            "needs a postcode directory: name one in the config as inputs.postcodes (an ONS Postcode Directory CSV)",
        ));
        return None;
    };
    match directory.lookup(row.text("postcode")) {
        Ok(place) if in_uk(place.lat, place.lon) => Some(Point::new(place.lon, place.lat)),
        Ok(place) => {
            problems.push(row.problem(
                "postcode",
                format!(
                    "is placed outside the UK by the directory (latitude {}, longitude {})",
                    place.lat, place.lon
                ),
            ));
            None
        }
        Err(e) => {
            problems.push(row.problem("postcode", format!("cannot be placed: {e}")));
            None
        }
    }
}

/// The interior point of the small area a code names: a point inside the area, for people
/// whose records give only their LSOA or OA.
fn area_point(row: &Row, geocoder: &Geocoder, problems: &mut Problems) -> Option<Point<f64>> {
    let code = row.text("area_code");
    match geocoder.area_points.and_then(|points| points.get(code)) {
        Some(p) => Some(*p),
        None => {
            problems.push(row.problem(
                "area_code",
                "is not the code of any area in the boundaries file (an LSOA or OA code places a person at that area's interior point, so the boundaries must be of that level)",
            ));
            None
        }
    }
}
