//! Demand: person records (one row per person per lot, the form case-management systems
//! export) or rows already aggregated by area, lot and age band.
//!
//! Person columns: `person_id, latitude, longitude, age_band, primary_need, lot, status,
//! band, days_per_week, hours_per_week` and optionally `additional_hours_per_week`.
//! Aggregated columns: `area_code, lot, age_band, current_users, waiting` and, for lots
//! measured in hours, `current_hours_per_week, waiting_hours_per_week`.

use std::collections::BTreeSet;

use crate::config::{Config, DemandFormat};
use crate::io::records::Row;
use crate::io::InputFile;
use crate::load::location::{self, location_of, Geocoder};
use crate::load::services::lookup;
use crate::model::{Catalogue, Demand, DemandCell, DemandStatus, PersonNeed, Unit};
use crate::problem::{expected_one_of, Checked, Problems};

/// Required columns; a home location comes from latitude and longitude, easting and
/// northing, or a postcode (see [`crate::load::location`]).
pub const PERSON_COLUMNS: [&str; 8] = [
    "person_id",
    "age_band",
    "primary_need",
    "lot",
    "status",
    "band",
    "days_per_week",
    "hours_per_week",
];

pub const AGGREGATED_COLUMNS: [&str; 5] =
    ["area_code", "lot", "age_band", "current_users", "waiting"];

/// Loads demand in the configured form; rows with any problem are left out and reported.
pub fn load(
    input: &InputFile,
    config: &Config,
    geocoder: &Geocoder,
) -> Result<(Demand, Problems), Problems> {
    Ok(match config.file.demand.format {
        DemandFormat::People => {
            let c = load_people(input, &config.catalogue, geocoder)?;
            (Demand::People(c.records), c.rejected)
        }
        DemandFormat::Aggregated => {
            let c = load_aggregated(input, &config.catalogue)?;
            (Demand::Aggregated(c.records), c.rejected)
        }
    })
}

fn load_people(
    input: &InputFile,
    catalogue: &Catalogue,
    geocoder: &Geocoder,
) -> Result<Checked<PersonNeed>, Problems> {
    let table = crate::io::csv::parse(input, &PERSON_COLUMNS)?;
    if let Some(p) = location::check_header(&table) {
        return Err(Problems { listed: vec![p] });
    }
    let mut problems = table.rejected.clone();
    let mut seen = BTreeSet::new();
    let mut people = Vec::with_capacity(table.rows.len());
    for row in table.rows() {
        let before = problems.len();
        let Some(person) = person_of(&row, catalogue, geocoder, &mut problems) else {
            continue;
        };
        if !seen.insert((person.person_id.clone(), person.lot)) {
            problems.push(row.problem(
                "lot",
                "repeats a lot already given for this person_id (one row per person per lot)",
            ));
        }
        if problems.len() == before {
            people.push(person);
        }
    }
    Ok(Checked {
        records: people,
        rejected: problems,
    })
}

fn person_of(
    row: &Row,
    catalogue: &Catalogue,
    geocoder: &Geocoder,
    problems: &mut Problems,
) -> Option<PersonNeed> {
    let lot_ids: Vec<&str> = catalogue.lots.iter().map(|l| l.id.as_str()).collect();
    let person_id = row.required("person_id", problems);
    let location = location_of(row, geocoder, problems);
    let age_band = row.required("age_band", problems);
    let primary_need = lookup(row, "primary_need", &lot_ids, problems);
    let lot = lookup(row, "lot", &lot_ids, problems);
    let status = status_of(row, problems);
    let band = band_of(row, catalogue, problems);
    let days = row.number_or_zero("days_per_week", 0.0, 7.0, problems);
    let hours = row.number_or_zero("hours_per_week", 0.0, 168.0, problems);
    let extra = row.number_or_zero("additional_hours_per_week", 0.0, 168.0, problems);
    let lot = lot?;
    let unit = catalogue.lots[lot].unit;
    let (days, hours) = (days?, hours?);
    if unit == Unit::Hours && hours <= 0.0 {
        problems.push(row.problem(
            "hours_per_week",
            format!(
                "must be more than 0 for lot {:?}, which is measured in hours",
                catalogue.lots[lot].id
            ),
        ));
        return None;
    }
    Some(PersonNeed {
        person_id: person_id?.to_string(),
        location: location?,
        age_band: age_band?.to_string(),
        primary_need: primary_need?,
        lot,
        status: status?,
        band: band?,
        days_per_week: days,
        hours_per_week: hours,
        additional_hours_per_week: extra?,
        line: row.line,
    })
}

fn status_of(row: &Row, problems: &mut Problems) -> Option<DemandStatus> {
    let text = row.required("status", problems)?;
    match text.to_ascii_lowercase().as_str() {
        "current" => Some(DemandStatus::Current),
        "waiting" => Some(DemandStatus::Waiting),
        _ => {
            problems.push(row.problem("status", expected_one_of(text, &["current", "waiting"])));
            None
        }
    }
}

/// An optional band: empty is no band, anything else must be configured.
fn band_of(row: &Row, catalogue: &Catalogue, problems: &mut Problems) -> Option<Option<usize>> {
    if row.text("band").is_empty() {
        return Some(None);
    }
    let ids: Vec<&str> = catalogue.bands.iter().map(|b| b.id.as_str()).collect();
    lookup(row, "band", &ids, problems).map(Some)
}

fn load_aggregated(
    input: &InputFile,
    catalogue: &Catalogue,
) -> Result<Checked<DemandCell>, Problems> {
    let table = crate::io::csv::parse(input, &AGGREGATED_COLUMNS)?;
    let mut problems = table.rejected.clone();
    let lot_ids: Vec<&str> = catalogue.lots.iter().map(|l| l.id.as_str()).collect();
    let mut seen = BTreeSet::new();
    let mut cells = Vec::with_capacity(table.rows.len());
    for row in table.rows() {
        let area = row.required("area_code", &mut problems);
        let lot = lookup(&row, "lot", &lot_ids, &mut problems);
        let age = row.required("age_band", &mut problems);
        let current = row.count("current_users", &mut problems);
        let waiting = row.count("waiting", &mut problems);
        let ch = row.number_or_zero("current_hours_per_week", 0.0, 1.0e7, &mut problems);
        let wh = row.number_or_zero("waiting_hours_per_week", 0.0, 1.0e7, &mut problems);
        let (Some(area), Some(lot), Some(age), Some(current), Some(waiting), Some(ch), Some(wh)) =
            (area, lot, age, current, waiting, ch, wh)
        else {
            continue;
        };
        if !seen.insert((area, lot, age)) {
            problems.push(row.problem(
                "area_code",
                "repeats an area, lot and age band given on an earlier row",
            ));
            continue;
        }
        cells.push(DemandCell {
            area_code: area.to_string(),
            lot,
            age_band: age.to_string(),
            current_users: current,
            waiting,
            current_hours: ch,
            waiting_hours: wh,
            line: row.line,
        });
    }
    Ok(Checked {
        records: cells,
        rejected: problems,
    })
}
