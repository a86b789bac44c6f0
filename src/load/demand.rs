//! Demand: person records (one row per person per lot, the form case-management systems
//! export) or rows already aggregated by area, lot and age band.
//!
//! Person columns: `person_id, latitude, longitude, age_band, primary_need, lot, status,
//! band, days_per_week, hours_per_week` and optionally `additional_hours_per_week`.
//! Aggregated columns: `area_code, lot, age_band, current_users, waiting` and, for lots
//! measured in hours, `current_hours_per_week, waiting_hours_per_week`.

use std::collections::{BTreeSet, HashMap};

use crate::config::{Config, DemandFormat};
use crate::io::records::{Records, Row};
use crate::io::InputFile;
use crate::load::cld;
use crate::load::location::{self, location_of, Geocoder};
use crate::load::mapping::{self, Context, InputSpec, Note, Vocabulary};
use crate::load::services::lookup;
use crate::model::{Catalogue, Demand, DemandCell, DemandStatus, PersonNeed, RecordAt, Unit};
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

/// The other files demand may come with: people waiting, and where people live.
#[derive(Debug, Clone, Copy, Default)]
pub struct Companions<'a> {
    pub waiting: Option<(&'a InputFile, &'a InputSpec)>,
    pub person_locations: Option<(&'a InputFile, &'a InputSpec)>,
}

/// What demand loading found: the demand, rows left out for problems, and notes counting
/// rows that rules left out.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub demand: Demand,
    pub rejected: Problems,
    pub notes: Vec<Note>,
    /// Rows read from the waiting list and the locations file, for the manifest.
    pub waiting_rows: usize,
    pub location_rows: usize,
}

/// Loads demand in the configured form; rows with any problem are left out and reported.
pub fn load(
    input: &InputFile,
    config: &Config,
    ctx: &Context,
    geocoder: &Geocoder,
    companions: Companions,
) -> Result<Loaded, Problems> {
    read(input, config, ctx, companions)?.place(input, config, geocoder)
}

/// Demand read from its files and mapped, before anyone is placed: the part of loading
/// that needs no small areas, so that it can run while the areas load.
pub enum Read {
    /// Aggregated demand, which needs nothing more.
    Done(Loaded),
    /// Person rows still to be placed.
    People {
        tables: Vec<mapping::Mapped>,
        locations: Option<Locations>,
        waiting_rows: usize,
    },
}

/// Reads and maps demand (and its companion files) in the configured form.
pub fn read(
    input: &InputFile,
    config: &Config,
    ctx: &Context,
    companions: Companions,
) -> Result<Read, Problems> {
    let spec = &config.file.inputs.demand;
    let vocabulary = vocabulary(&config.catalogue);
    let mut tables = match config.file.demand.format {
        DemandFormat::Aggregated => {
            let mapped = mapping::read(input, spec, &vocabulary, ctx)?;
            let c = load_aggregated(&mapped.records, &config.catalogue)?;
            return Ok(Read::Done(Loaded {
                demand: Demand::Aggregated(c.records),
                rejected: c.rejected,
                notes: mapped.notes,
                waiting_rows: 0,
                location_rows: 0,
            }));
        }
        DemandFormat::People => vec![mapping::read(input, spec, &vocabulary, ctx)?],
        DemandFormat::Cld => vec![cld::read(
            input,
            spec,
            &config.file.demand.cld,
            &vocabulary,
            ctx,
        )?],
    };
    let mut waiting_rows = 0;
    if let Some((file, spec)) = companions.waiting {
        let mut waiting = mapping::read(file, spec, &vocabulary, ctx)?;
        let n = waiting.records.rows.len();
        waiting_rows = n;
        waiting.records.set_column(
            "status",
            "every row of the waiting list",
            vec!["waiting".into(); n],
        );
        tables.push(waiting);
    }
    let locations = match companions.person_locations {
        Some((file, spec)) => Some(person_locations(file, spec, ctx)?),
        None => None,
    };
    Ok(Read::People {
        tables,
        locations,
        waiting_rows,
    })
}

impl Read {
    /// Places the people read (from `input`, the demand file) with `geocoder`.
    pub fn place(
        self,
        input: &InputFile,
        config: &Config,
        geocoder: &Geocoder,
    ) -> Result<Loaded, Problems> {
        let (tables, locations, waiting_rows) = match self {
            Read::Done(loaded) => return Ok(loaded),
            Read::People {
                tables,
                locations,
                waiting_rows,
            } => (tables, locations, waiting_rows),
        };
        let mut notes = Vec::new();
        let mut people = Vec::new();
        let mut rejected = Problems::default();
        let mut by_area_code = BTreeSet::new();
        for mut mapped in tables {
            notes.append(&mut mapped.notes);
            let records = &mut mapped.records;
            fill_defaults(records);
            if let Some(locations) = &locations {
                rejected.extend(join_locations(records, locations));
            }
            let c = load_people(records, &config.catalogue, geocoder)?;
            by_area_code.extend(located_by_area_code(records, &c.records));
            people.extend(c.records);
            rejected.extend(c.rejected);
        }
        check_repeats(&mut people, &config.catalogue, &mut rejected);
        if !by_area_code.is_empty() {
            // The codes came from the locations file when it gives them, else from the
            // demand.
            let file = match &locations {
                Some(l) if l.columns.contains(&"area_code") => l.file.clone(),
                _ => input.name.clone(),
            };
            notes.push(Note {
                file,
                count: by_area_code.len(),
                what: AREA_CODE_NOTE.to_string(),
            });
        }
        Ok(Loaded {
            demand: Demand::People(people),
            rejected,
            notes,
            waiting_rows,
            location_rows: locations.as_ref().map_or(0, |l| l.by_person.len()),
        })
    }
}

/// What the note on people placed by a small-area code says.
pub const AREA_CODE_NOTE: &str =
    "people placed at their small area's interior point, from an LSOA or OA code rather than an address";

/// The words demand columns may hold, for the mapping's checks.
pub fn vocabulary(catalogue: &Catalogue) -> Vec<Vocabulary> {
    let lots: Vec<String> = catalogue.lots.iter().map(|l| l.id.clone()).collect();
    vec![
        Vocabulary {
            column: "lot",
            words: lots.clone(),
            list: false,
        },
        Vocabulary {
            column: "primary_need",
            words: lots,
            list: false,
        },
        Vocabulary {
            column: "band",
            words: catalogue.bands.iter().map(|b| b.id.clone()).collect(),
            list: false,
        },
        Vocabulary {
            column: "status",
            words: vec!["current".into(), "waiting".into()],
            list: false,
        },
    ]
}

/// Mapped files need not carry columns gapmap can do without: the primary need is the lot,
/// and band, days and hours may be unknown.
fn fill_defaults(records: &mut Records) {
    let n = records.rows.len();
    for column in ["band", "days_per_week", "hours_per_week"] {
        if !records.has(column) {
            records.set_column(column, column, vec![String::new(); n]);
        }
    }
    if !records.has("primary_need") {
        if let Some(i) = records.index("lot") {
            let lots = (0..n).map(|r| records.cell(r, i).to_string()).collect();
            records.set_column("primary_need", "lot", lots);
        }
    }
}

/// Where each person lives, by person id: the location columns of the locations file.
pub struct Locations {
    file: String,
    columns: Vec<&'static str>,
    by_person: HashMap<String, Vec<String>>,
}

fn person_locations(
    input: &InputFile,
    spec: &InputSpec,
    ctx: &Context,
) -> Result<Locations, Problems> {
    let mapped = mapping::read(input, spec, &[], ctx)?;
    let records = mapped.records;
    let mut problems = records.check_required(&["person_id"]);
    let columns: Vec<&'static str> = cld::LOCATION_COLUMNS
        .iter()
        .copied()
        .filter(|c| records.has(c))
        .collect();
    if columns.is_empty() {
        problems.push(records.header_problem(
            "has no location columns (expected postcode, area_code, latitude and longitude, or easting and northing; name them in [inputs.person_locations.columns])",
        ));
    }
    problems.extend(records.rejected.clone());
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut by_person = HashMap::new();
    for row in records.rows() {
        let fields = columns.iter().map(|c| row.text(c).to_string()).collect();
        if by_person
            .insert(row.text("person_id").to_string(), fields)
            .is_some()
        {
            problems.push(row.problem(
                "person_id",
                "is given an earlier row too (one location per person)",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Locations {
        file: records.file.clone(),
        columns,
        by_person,
    })
}

/// Fills each row's location from the locations file; a person it lacks is a problem.
fn join_locations(records: &mut Records, locations: &Locations) -> Problems {
    let mut problems = Problems::default();
    let n = records.rows.len();
    let mut columns: Vec<Vec<String>> = locations
        .columns
        .iter()
        .map(|c| match records.index(c) {
            Some(i) => (0..n).map(|r| records.cell(r, i).to_string()).collect(),
            None => vec![String::new(); n],
        })
        .collect();
    let mut keep = vec![true; n];
    for (r, row) in records.rows().enumerate() {
        if cld::LOCATION_COLUMNS
            .iter()
            .any(|c| !row.text(c).is_empty())
        {
            continue;
        }
        match locations.by_person.get(row.text("person_id")) {
            Some(fields) => {
                for (column, value) in columns.iter_mut().zip(fields) {
                    column[r] = value.clone();
                }
            }
            None => {
                keep[r] = false;
                problems.push(row.problem(
                    "person_id",
                    format!("has no location here and no row in {}", locations.file),
                ));
            }
        }
    }
    for (column, values) in locations.columns.iter().zip(columns) {
        records.set_column(column, &locations.file, values);
    }
    records.retain_rows(&keep);
    problems
}

/// The people whose rows were placed by a small-area code alone.
fn located_by_area_code(records: &Records, people: &[PersonNeed]) -> BTreeSet<String> {
    if !records.has("area_code") {
        return BTreeSet::new();
    }
    let by_code: BTreeSet<u64> = records
        .rows()
        .filter(|row| {
            !row.text("area_code").is_empty()
                && ["latitude", "longitude", "easting", "northing", "postcode"]
                    .iter()
                    .all(|c| row.text(c).is_empty())
        })
        .map(|row| row.line)
        .collect();
    people
        .iter()
        .filter(|p| by_code.contains(&p.line))
        .map(|p| p.person_id.clone())
        .collect()
}

/// A person may have one row per lot, across the demand and waiting files: later rows
/// that repeat a lot are left out with a problem.
fn check_repeats(people: &mut Vec<PersonNeed>, catalogue: &Catalogue, problems: &mut Problems) {
    let mut seen = BTreeSet::new();
    people.retain(|p| {
        let first = seen.insert((p.person_id.clone(), p.lot));
        if !first {
            problems.push(
                p.at.problem(
                    "repeats a lot already given for this person_id (one row per person per lot)",
                )
                .field("lot")
                .value(&catalogue.lots[p.lot].id),
            );
        }
        first
    });
}

fn load_people(
    table: &Records,
    catalogue: &Catalogue,
    geocoder: &Geocoder,
) -> Result<Checked<PersonNeed>, Problems> {
    let problems = table.check_required(&PERSON_COLUMNS);
    if !problems.is_empty() {
        return Err(problems);
    }
    if let Some(p) = location::check_header(table) {
        return Err(Problems { listed: vec![p] });
    }
    let mut problems = table.rejected.clone();
    let file: std::sync::Arc<str> = table.file.as_str().into();
    let mut people = Vec::with_capacity(table.rows.len());
    for row in table.rows() {
        let before = problems.len();
        let Some(mut person) = person_of(&row, catalogue, geocoder, &mut problems) else {
            continue;
        };
        person.at = RecordAt {
            file: file.clone(),
            place: row.place(),
        };
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
        service_id: Some(row.text("service_id").trim())
            .filter(|id| !id.is_empty())
            .map(str::to_string),
        line: row.line,
        at: RecordAt::default(),
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
    table: &Records,
    catalogue: &Catalogue,
) -> Result<Checked<DemandCell>, Problems> {
    let missing = table.check_required(&AGGREGATED_COLUMNS);
    if !missing.is_empty() {
        return Err(missing);
    }
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
            at: RecordAt {
                file: table.file.as_str().into(),
                place: row.place(),
            },
        });
    }
    Ok(Checked {
        records: cells,
        rejected: problems,
    })
}
