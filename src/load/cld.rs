//! NHS England's Adult Social Care Client Level Data (CLD): service events turned into
//! people using services, one row per person per lot.
//!
//! Every English council sends NHS England a CLD return each quarter; its service events
//! are the people gapmap needs. The rules follow NHS England's published code that
//! derives SALT's long-term support figures from CLD:
//! - keep events whose `Event_Type` is `Service` (and, where the column is present,
//!   `Client_Type` is `Service User`) of the configured service types (by default
//!   `Long Term Support: Community`);
//! - keep events open at the data date: `Event_Start_Date` on or before it, and
//!   `Event_End_Date` on or after it or empty; leave out people whose `Date_of_Death` is
//!   before it;
//! - the age is taken from `Date_of_Birth`, or from `Der_Birth_Year` and `Der_Birth_Month`
//!   with the birth date as the 1st of the month and whole 365.25-day years;
//! - the lot comes from the config's lot rules, usually on `Primary_Support_Reason` and
//!   `Service_Component`;
//! - a person is counted once per lot: the planned units of all their events for the lot
//!   are added up, hourly units (`Cost_Frequency_(Unit_Type)` = `Hourly`) as hours and
//!   daily units as days, turned into the lot's unit with `hours_per_day`.
//!
//! Every event left out is counted in a [`Note`], which the run prints and the report
//! states.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::io::records::{normalise, reads_as, Records};
use crate::io::InputFile;
use crate::load::mapping::{self, Context, InputSpec, Mapped, Note};
use crate::model::Unit;
use crate::problem::Problems;

/// How CLD service events become people.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CldSettings {
    /// The `Service_Type` values kept.
    pub service_types: Vec<String>,
    /// Hours in a day of support: turns hourly units into days for lots measured in
    /// places, and daily units into hours for lots measured in hours.
    pub hours_per_day: f64,
    /// `Cost_Frequency_(Unit_Type)` values whose planned units are hours.
    pub hourly_units: Vec<String>,
    /// `Cost_Frequency_(Unit_Type)` values whose planned units are days.
    pub daily_units: Vec<String>,
}

impl Default for CldSettings {
    fn default() -> Self {
        CldSettings {
            service_types: vec!["Long Term Support: Community".into()],
            hours_per_day: 6.0,
            hourly_units: vec![
                "Hourly".into(),
                "Hour".into(),
                "Hours".into(),
                "Per hour".into(),
            ],
            daily_units: vec![
                "Daily".into(),
                "Day".into(),
                "Days".into(),
                "Per day".into(),
            ],
        }
    }
}

/// The CLD fields gapmap reads, by the specification's names. Each has other spellings
/// seen in extracts (NHS England's pseudonymised copy, spaces for underscores).
pub const PERSON_ID: &[&str] = &[
    "LA_Person_Unique_Identifier",
    "Der_LA_Person_Unique_Identifier_Pseudo",
    "Der_NHS_LA_Combined_Person_ID",
];
pub const EVENT_TYPE: &[&str] = &["Event_Type"];
pub const CLIENT_TYPE: &[&str] = &["Client_Type"];
pub const SERVICE_TYPE: &[&str] = &["Service_Type"];
pub const SERVICE_COMPONENT: &[&str] = &["Service_Component"];
pub const PSR: &[&str] = &["Primary_Support_Reason"];
pub const EVENT_START: &[&str] = &["Event_Start_Date"];
pub const EVENT_END: &[&str] = &["Event_End_Date"];
pub const DATE_OF_DEATH: &[&str] = &["Date_of_Death"];
pub const PLANNED_UNITS: &[&str] = &["Planned_units_per_week", "Planned_Units_Per_Week"];
pub const UNIT_TYPE: &[&str] = &[
    "Cost_Frequency_(Unit_Type)",
    "Cost_Frequency_Unit_Type",
    "Cost_Frequency",
];
pub const UNIT_COST: &[&str] = &["Unit_Cost"];
pub const DATE_OF_BIRTH: &[&str] = &["Date_of_Birth"];
pub const BIRTH_YEAR: &[&str] = &["Der_Birth_Year", "Birth_Year"];
pub const BIRTH_MONTH: &[&str] = &["Der_Birth_Month", "Birth_Month"];

/// The fields a CLD extract must have, and how messages name them.
pub const REQUIRED: [(&str, &[&str]); 5] = [
    ("person identifier", PERSON_ID),
    ("event start date", EVENT_START),
    ("service type", SERVICE_TYPE),
    ("planned units per week", PLANNED_UNITS),
    ("cost frequency (unit type)", UNIT_TYPE),
];

/// Every CLD field gapmap knows, for `gapmap inspect`'s proposals.
pub const FIELDS: &[&[&str]] = &[
    PERSON_ID,
    EVENT_TYPE,
    CLIENT_TYPE,
    SERVICE_TYPE,
    SERVICE_COMPONENT,
    PSR,
    EVENT_START,
    EVENT_END,
    DATE_OF_DEATH,
    PLANNED_UNITS,
    UNIT_TYPE,
    UNIT_COST,
    DATE_OF_BIRTH,
    BIRTH_YEAR,
    BIRTH_MONTH,
];

/// The location columns a person row may carry.
pub const LOCATION_COLUMNS: [&str; 6] = [
    "latitude",
    "longitude",
    "easting",
    "northing",
    "postcode",
    "area_code",
];

/// Reads a CLD extract into person rows in gapmap's people layout (`person_id, age_band,
/// primary_need, lot, status, band, days_per_week, hours_per_week` and location columns).
pub fn read(
    input: &InputFile,
    spec: &InputSpec,
    settings: &CldSettings,
    vocabulary: &[mapping::Vocabulary],
    ctx: &Context,
) -> Result<Mapped, Problems> {
    let mut records = mapping::read_records(input, spec)?;
    let find = |r: &Records, names: &[&str]| {
        names
            .iter()
            .find_map(|n| r.find(&local(spec, n)).map(|_| local(spec, n)))
    };
    let mut problems = Problems::default();
    for (what, names) in REQUIRED {
        if find(&records, names).is_none() {
            problems.push(records.header_problem(format!(
                "is read as Client Level Data (demand.format = \"cld\") but has no {what} column {:?}; if the extract calls it something else, name it in [inputs.{}.columns], e.g. {} = \"Your heading\"",
                names[0], ctx.role, names[0]
            )));
        }
    }
    if spec.lot_rules.is_empty() && !spec.columns.contains_key("lot") {
        problems.push(records.header_problem(format!(
            "is read as Client Level Data, which has no lots: add [[inputs.{}.lot_rules]] that give the lot from Primary_Support_Reason and Service_Component",
            ctx.role
        )));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let names = Names {
        person: find(&records, PERSON_ID).unwrap_or_default(),
        event_type: find(&records, EVENT_TYPE),
        client_type: find(&records, CLIENT_TYPE),
        service_type: find(&records, SERVICE_TYPE).unwrap_or_default(),
        death: find(&records, DATE_OF_DEATH),
        units: find(&records, PLANNED_UNITS).unwrap_or_default(),
        unit_type: find(&records, UNIT_TYPE).unwrap_or_default(),
    };
    let spec = with_cld_rules(spec, &records, &find);
    let (kept, notes) = filter_events(&mut records, &names, settings, ctx);
    records.retain_rows(&kept);
    let mapped = mapping::map(records, &spec, vocabulary, ctx)?;
    let mut notes_all = notes;
    notes_all.extend(mapped.notes);
    let people = people_rows(&mapped.records, &names, settings, ctx, &mut notes_all)?;
    Ok(Mapped {
        records: people,
        notes: notes_all,
    })
}

/// The heading the extract uses for a CLD field: the config's mapping, or the field's name.
fn local(spec: &InputSpec, field: &str) -> String {
    spec.columns
        .get(field)
        .cloned()
        .unwrap_or_else(|| field.to_string())
}

/// The extract's headings for the CLD fields read by rules and the people rows.
struct Names {
    person: String,
    event_type: Option<String>,
    client_type: Option<String>,
    service_type: String,
    death: Option<String>,
    units: String,
    unit_type: String,
}

/// The spec with CLD's status and age rules filled in where the config gives none, and
/// the CLD field names taken out of `columns` (they are read by their headings).
fn with_cld_rules(
    spec: &InputSpec,
    records: &Records,
    find: &dyn Fn(&Records, &[&str]) -> Option<String>,
) -> InputSpec {
    let mut spec = spec.clone();
    let cld_names: Vec<&str> = FIELDS.iter().flat_map(|f| f.iter().copied()).collect();
    spec.columns.retain(|k, _| !cld_names.contains(&k.as_str()));
    if spec.status_from_dates.is_none() {
        spec.status_from_dates =
            find(records, EVENT_START).map(|start| mapping::spec::StatusFromDates {
                start,
                end: find(records, EVENT_END),
            });
    }
    if spec.age_from.is_none() {
        spec.age_from = Some(match find(records, DATE_OF_BIRTH) {
            Some(d) => mapping::spec::AgeFrom {
                birth_date: Some(d),
                ..Default::default()
            },
            None => mapping::spec::AgeFrom {
                birth_date: None,
                birth_year: Some(find(records, BIRTH_YEAR).unwrap_or_else(|| BIRTH_YEAR[0].into())),
                birth_month: Some(
                    find(records, BIRTH_MONTH).unwrap_or_else(|| BIRTH_MONTH[0].into()),
                ),
            },
        });
    }
    spec
}

/// Which events are long-term community support for a living service user; the counts of
/// those that are not.
fn filter_events(
    records: &mut Records,
    names: &Names,
    settings: &CldSettings,
    ctx: &Context,
) -> (Vec<bool>, Vec<Note>) {
    let column = |h: &Option<String>| h.as_ref().and_then(|h| records.find(h));
    let event_type = column(&names.event_type);
    let client_type = column(&names.client_type);
    let death = column(&names.death);
    let service_type = records.find(&names.service_type);
    let types: Vec<String> = settings
        .service_types
        .iter()
        .map(|t| normalise(t))
        .collect();
    let mut reasons: Vec<String> = Vec::new();
    let kept = (0..records.rows.len())
        .map(|r| {
            let cell = |i: Option<usize>| i.map(|i| records.cell(r, i));
            let why = if cell(event_type).is_some_and(|t| !reads_as("service", t)) {
                Some("events that are not services (requests, assessments, reviews)".to_string())
            } else if cell(client_type)
                .is_some_and(|t| !t.is_empty() && !reads_as("service user", t))
            {
                Some("events for carers rather than service users".to_string())
            } else if cell(service_type).is_some_and(|t| !types.iter().any(|k| reads_as(k, t))) {
                Some(format!(
                    "service events of other service types than {}",
                    settings.service_types.join(", ")
                ))
            } else if death
                .and_then(|i| mapping::Date::parse(records.cell(r, i)))
                .is_some_and(|d| d < ctx.data_date)
            {
                Some(format!(
                    "service events of people who died before the data date ({})",
                    ctx.data_date
                ))
            } else {
                None
            };
            let keep = why.is_none();
            reasons.extend(why);
            keep
        })
        .collect();
    (kept, Note::counted(records, &reasons))
}

/// One row per person and lot, in the order people first appear, with their events'
/// planned units added up.
fn people_rows(
    events: &Records,
    names: &Names,
    settings: &CldSettings,
    ctx: &Context,
    notes: &mut Vec<Note>,
) -> Result<Records, Problems> {
    let col = |h: &str| events.find(h);
    let person = col(&names.person);
    let units = col(&names.units);
    let unit_type = col(&names.unit_type);
    let hourly: Vec<String> = settings.hourly_units.iter().map(|u| normalise(u)).collect();
    let daily: Vec<String> = settings.daily_units.iter().map(|u| normalise(u)).collect();
    let location: Vec<(&str, usize)> = LOCATION_COLUMNS
        .iter()
        .filter_map(|c| events.index(c).map(|i| (*c, i)))
        .collect();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut people: BTreeMap<(String, String), Person> = BTreeMap::new();
    let mut unknown_units: BTreeMap<String, usize> = BTreeMap::new();
    for (r, (line, _)) in events.rows.iter().enumerate() {
        let cell = |i: Option<usize>| i.map_or("", |i| events.cell(r, i));
        let key = (
            cell(person).to_string(),
            cell(events.index("lot")).to_string(),
        );
        let lot_unit = ctx
            .catalogue
            .lot_index(&key.1)
            .map(|l| ctx.catalogue.lots[l].unit);
        let entry = people.entry(key.clone()).or_insert_with(|| {
            order.push(key.clone());
            Person {
                line: *line,
                first: r,
                days: 0.0,
                hours: 0.0,
                band: String::new(),
            }
        });
        let planned: f64 = cell(units).replace(',', "").parse().unwrap_or(0.0);
        let kind = cell(unit_type);
        let (days, hours) = if hourly.iter().any(|u| reads_as(u, kind)) {
            (planned / settings.hours_per_day, planned)
        } else if daily.iter().any(|u| reads_as(u, kind)) {
            (planned, planned * settings.hours_per_day)
        } else {
            *unknown_units
                .entry(cell(unit_type).to_string())
                .or_default() += 1;
            (0.0, 0.0)
        };
        match lot_unit {
            Some(Unit::Hours) => entry.hours += hours,
            _ => entry.days += days,
        }
        let band = cell(events.index("band"));
        if band_rank(ctx, band) > band_rank(ctx, &entry.band) {
            entry.band = band.to_string();
        }
    }
    let file = events.source_name();
    for (kind, count) in unknown_units {
        notes.push(Note {
            file: file.clone(),
            count,
            what: format!("service events whose cost frequency {kind:?} is neither hourly nor daily, so their planned units add no days or hours"),
        });
    }
    // The fields below are in this order.
    let mut header: Vec<String> = crate::load::demand::PERSON_COLUMNS
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(location.iter().map(|(c, _)| c.to_string()));
    let text_of = |row: usize, name: &str| {
        events
            .index(name)
            .map(|i| events.cell(row, i).to_string())
            .unwrap_or_default()
    };
    let rows = order
        .iter()
        .map(|key| {
            let p = &people[key];
            let lot = key.1.clone();
            let primary = Some(text_of(p.first, "primary_need"))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| lot.clone());
            let mut fields = vec![
                key.0.clone(),
                text_of(p.first, "age_band"),
                primary,
                lot,
                text_of(p.first, "status"),
                p.band.clone(),
                crate::io::sheet::number_text(round6(p.days)),
                crate::io::sheet::number_text(round6(p.hours)),
            ];
            fields.extend(
                location
                    .iter()
                    .map(|(_, i)| events.cell(p.first, *i).to_string()),
            );
            (p.line, fields)
        })
        .collect();
    let mut out = Records::new(
        &events.file,
        events.sheet.clone(),
        events.header_line,
        header,
        rows,
    )?;
    out.rejected = events.rejected.clone();
    Ok(out)
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A band's position in the configured order (later bands give more support); 0 for none.
fn band_rank(ctx: &Context, band: &str) -> usize {
    ctx.catalogue.band_index(band).map_or(0, |i| i + 1)
}

struct Person {
    line: u64,
    /// The person's first event for the lot (its row in the events), whose age band,
    /// location and other fields the person row takes.
    first: usize,
    days: f64,
    hours: f64,
    band: String,
}
