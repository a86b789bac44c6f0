//! Writes `examples/cld/` from the sample's people (`data/people.csv`) and config
//! (`data/gapmap.toml`): the people using services as a council's Client Level Data (CLD)
//! extract in Excel, the people waiting as the council's waiting list, where everyone
//! lives, and a config that maps the three onto gapmap's columns. A run on that config
//! finds the sample run's gaps (`tests/cld_example.rs` checks it).
//!
//! ```sh
//! cargo run --example make_cld
//! ```
//!
//! The files depend on `data/people.csv` and `data/gapmap.toml` only: every choice (birth
//! dates, event dates, which people have split or distracting events) comes from a hash of
//! the person's id or their place in the file, and the workbooks' creation time is fixed,
//! so running it again gives the same bytes.
//!
//! The extract holds, besides the events that make the people, events a CLD reader must
//! leave out; the generator counts them by reason and prints the counts.

use std::collections::BTreeMap;
use std::path::Path;

use gapmap::config::Config;
use gapmap::load::mapping::Date;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

type Error = Box<dyn std::error::Error>;

/// The sample's data date: events open on it are the people using services.
const DATA_DATE: Date = Date {
    year: 2025,
    month: 6,
    day: 30,
};

/// Leicestershire County Council's ONS code, as CLD's `LA_Code` carries it.
const LA_CODE: &str = "E10000018";

const COMMUNITY: &str = "Long Term Support: Community";
const DAY_CARE: &str = "Day Care";
const DIRECT_PAYMENT: &str = "Direct Payment";
const COMMISSIONED: &str = "CASSR Commissioned Support";
const LD: &str = "Learning Disability Support";
const PERSONAL_CARE: &str = "Physical Support: Personal care support";
/// The primary support reasons of people in the physical and sensory lot, one chosen per
/// person.
const PHYSICAL_SENSORY: [&str; 4] = [
    PERSONAL_CARE,
    "Physical Support: Access & mobility only",
    "Sensory Support: Support for visual impairment",
    "Sensory Support: Support for hearing impairment",
];
const MANAGED_PA: &str = "Managed PA service";

fn main() -> Result<(), Error> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = Config::read(&root.join("data/gapmap.toml"))?;
    let people = read_people(&root.join("data/people.csv"))?;
    let rates = Rates::of(&config)?;
    let out = root.join("examples/cld");
    std::fs::create_dir_all(&out)?;

    let (current, waiting): (Vec<&Person>, Vec<&Person>) =
        people.iter().partition(|p| !p.waiting());
    let mut left_out = BTreeMap::new();
    let events = extract_events(&current, &rates, &mut left_out)?;
    std::fs::write(out.join("cld_extract.xlsx"), cld_workbook(&events)?)?;
    std::fs::write(out.join("waiting_list.xlsx"), waiting_workbook(&waiting)?)?;
    std::fs::write(out.join("addresses.csv"), addresses(&people)?)?;
    let sample_config = std::fs::read_to_string(root.join("data/gapmap.toml"))?;
    std::fs::write(out.join("gapmap.toml"), example_config(&sample_config)?)?;

    println!(
        "wrote {}: {} service events for {} rows of people using services, {} people waiting, {} addresses",
        out.display(),
        events.len(),
        current.len(),
        waiting.len(),
        people.iter().map(|p| &p.id).collect::<std::collections::BTreeSet<_>>().len()
    );
    println!("events a CLD reader must leave out:");
    for (why, n) in &left_out {
        println!("  {n:3} {why}");
    }
    Ok(())
}

/// One row of `data/people.csv`: a person's need for one lot. Numbers are kept as written,
/// so that coordinates reach the address file unchanged.
#[derive(serde::Deserialize)]
struct Person {
    #[serde(rename = "person_id")]
    id: String,
    latitude: String,
    longitude: String,
    age_band: String,
    primary_need: String,
    lot: String,
    status: String,
    band: String,
    #[serde(rename = "days_per_week")]
    days: String,
    #[serde(rename = "hours_per_week")]
    hours: String,
    #[serde(rename = "additional_hours_per_week")]
    additional_hours: String,
}

impl Person {
    fn waiting(&self) -> bool {
        self.status == "waiting"
    }
}

fn read_people(path: &Path) -> Result<Vec<Person>, Error> {
    let mut reader = csv::Reader::from_path(path)?;
    let people = reader.deserialize().collect::<Result<Vec<Person>, _>>();
    people.map_err(|e| format!("{}: {e}", path.display()).into())
}

/// The framework's band rates: what a day (bands A to D) or an hour (E, F) costs.
struct Rates(BTreeMap<String, f64>);

impl Rates {
    fn of(config: &Config) -> Result<Rates, Error> {
        let mut rates = BTreeMap::new();
        for b in &config.catalogue.bands {
            let rate = b.full_day.or(b.hourly).ok_or_else(|| {
                format!("band {} has neither a full-day nor an hourly rate", b.id)
            })?;
            rates.insert(b.id.clone(), rate);
        }
        Ok(Rates(rates))
    }

    fn of_band(&self, band: &str) -> Result<f64, Error> {
        self.0
            .get(band)
            .copied()
            .ok_or_else(|| format!("band {band:?} is not in data/gapmap.toml").into())
    }
}

/// FNV-1a: a stable hash of a person's id and a salt, from which their made-up details
/// are drawn.
fn hash(id: &str, salt: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes().chain([b'/']).chain(salt.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn pick(id: &str, salt: &str, n: u64) -> u64 {
    hash(id, salt) % n
}

/// A date of birth whose age on the data date is well inside `age_band` (at least two
/// years from either end), both as an exact date and as CLD derives it from the birth year
/// and month (the 1st of the month, whole 365.25-day years).
fn birth_date(id: &str, age_band: &str) -> Result<Date, Error> {
    let age = match age_band {
        "18-64" => 20 + pick(id, "age", 43) as i32,
        "65+" => 67 + pick(id, "age", 25) as i32,
        other => return Err(format!("{id}: age band {other:?} is not 18-64 or 65+").into()),
    };
    let month = 1 + pick(id, "month", 12) as u32;
    let day = 1 + pick(id, "day", 28) as u32;
    let year = DATA_DATE.year - age - i32::from((month, day) > (DATA_DATE.month, DATA_DATE.day));
    let born =
        Date::new(year, month, day).ok_or_else(|| format!("{id}: no date {year}-{month}-{day}"))?;
    let first = Date::new(year, month, 1).ok_or("no 1st of the month")?;
    let derived = ((DATA_DATE.days() - first.days()) as f64 / 365.25).floor() as i32;
    let in_band = |a: i32| match age_band {
        "18-64" => (18..=64).contains(&a),
        _ => a >= 65,
    };
    if !in_band(i32::try_from(born.age_on(DATA_DATE))?) || !in_band(derived) {
        return Err(format!("{id}: born {born} is not in age band {age_band}").into());
    }
    Ok(born)
}

/// A date `days` after `date`.
fn add_days(date: Date, days: i64) -> Date {
    Date::from_days(date.days() + days)
}

/// A start date between April 2018 and the end of May 2025.
fn start_date(id: &str, salt: &str) -> Date {
    let from = Date {
        year: 2018,
        month: 4,
        day: 1,
    };
    let span = (add_days(DATA_DATE, -30).days() - from.days()) as u64;
    add_days(from, pick(id, salt, span) as i64)
}

/// One row of the CLD extract.
#[derive(Clone)]
struct Event {
    person: String,
    born: Date,
    death: Option<Date>,
    event_type: &'static str,
    start: Date,
    end: Option<Date>,
    service_type: &'static str,
    component: &'static str,
    mechanism: &'static str,
    psr: &'static str,
    description: &'static str,
    unit_cost: Option<f64>,
    unit_type: &'static str,
    planned: Option<f64>,
}

/// Why an event is left out, in the words of the reader's notes.
const ENDED: &str = "ended before the data date";
const STARTS_LATER: &str = "starting after the data date";
const NOT_A_SERVICE: &str = "not services (assessments, reviews)";
const OTHER_TYPE: &str = "other service types (residential, nursing, short-term)";
const DIED: &str = "people who died before the data date";
const NO_LOT: &str = "left out by a lot rule (lot = \"none\": home care, substance misuse)";

/// The primary support reason and the council's service description of a person's row.
fn cld_words(p: &Person) -> Result<(&'static str, &'static str), Error> {
    let psr = match p.primary_need.as_str() {
        "ld_autism" | "pmld" => LD,
        "physical_sensory" => PHYSICAL_SENSORY[pick(&p.id, "psr", 4) as usize],
        "mental_health" => "Mental Health Support",
        "older_adults" => PERSONAL_CARE,
        "dementia" => "Support with Memory & Cognition",
        other => return Err(format!("{}: no primary support reason for {other:?}", p.id).into()),
    };
    let description = match p.lot.as_str() {
        "ld_autism" => "Learning disability day service",
        "pmld" => "PMLD day service",
        "physical_sensory" => "Physical and sensory day service",
        "mental_health" => "Mental health day service",
        "older_adults" => "Older adults day service",
        "dementia" => "Dementia day service",
        "managed_pa" => MANAGED_PA,
        other => return Err(format!("{}: no service description for lot {other:?}", p.id).into()),
    };
    Ok((psr, description))
}

fn number(text: &str, id: &str) -> Result<f64, Error> {
    text.parse()
        .map_err(|_| format!("{id}: {text:?} is not a number").into())
}

/// The events that make a person's row: one open event, or (for every fourth day-service
/// row of two or more days) two open events of the same lot whose days add up to the row's.
fn service_events(p: &Person, i: usize, rates: &Rates) -> Result<Vec<Event>, Error> {
    let (psr, description) = cld_words(p)?;
    let pa = p.lot == "managed_pa";
    let start = if i == 4 {
        DATA_DATE
    } else {
        start_date(&p.id, &p.lot)
    };
    let end = match i {
        10 => Some(DATA_DATE),
        _ if i % 7 == 3 => Date::new(2026, 3, 31),
        _ => None,
    };
    let event = Event {
        person: p.id.clone(),
        born: birth_date(&p.id, &p.age_band)?,
        death: None,
        event_type: "Service",
        start,
        end,
        service_type: COMMUNITY,
        component: if pa { DIRECT_PAYMENT } else { DAY_CARE },
        mechanism: if pa { DIRECT_PAYMENT } else { COMMISSIONED },
        psr,
        description,
        unit_cost: Some(rates.of_band(&p.band)?),
        unit_type: if pa { "Hourly" } else { "Daily" },
        planned: Some(number(if pa { &p.hours } else { &p.days }, &p.id)?),
    };
    let days = event.planned.unwrap_or_default();
    if pa || i % 4 != 1 || days < 2.0 {
        return Ok(vec![event]);
    }
    // A day added later as a second event: 2 + 1 days, 1.5 + 1, ...
    let added = Event {
        start: add_days(start, 1 + pick(&p.id, "added", 300) as i64).min(DATA_DATE),
        planned: Some(1.0),
        ..event.clone()
    };
    Ok(vec![
        Event {
            planned: Some(days - 1.0),
            ..event
        },
        added,
    ])
}

/// Events of a person using services that the reader must leave out, with the reason.
fn distractors(p: &Person, i: usize, main: &Event) -> Vec<(Event, &'static str)> {
    let mut out = Vec::new();
    if i % 9 == 4 {
        // An earlier package, ended before this one started (the day before the data date
        // for the first such person, whose package starts on the data date).
        let end = add_days(main.start, -1);
        let ended = Event {
            start: add_days(end, -400),
            end: Some(end),
            ..main.clone()
        };
        out.push((ended, ENDED));
    }
    if i % 17 == 2 {
        let later = Event {
            start: Date {
                year: 2025,
                month: 7,
                day: 14,
            },
            end: None,
            planned: main.planned.map(|u| u + 1.0),
            ..main.clone()
        };
        out.push((later, STARTS_LATER));
    }
    for (every, at, kind) in [(11, 6, "Review"), (13, 8, "Assessment")] {
        if i % every == at {
            let on = add_days(DATA_DATE, -(pick(&p.id, kind, 80) as i64));
            out.push((
                Event {
                    event_type: kind,
                    start: on,
                    end: Some(on),
                    service_type: "",
                    component: "",
                    mechanism: "",
                    description: "",
                    unit_cost: None,
                    unit_type: "",
                    planned: None,
                    ..main.clone()
                },
                NOT_A_SERVICE,
            ));
        }
    }
    if i % 19 == 5 {
        let home_care = Event {
            end: None,
            component: "Home Care",
            mechanism: COMMISSIONED,
            description: "Home care",
            unit_cost: Some(24.50),
            unit_type: "Hourly",
            planned: Some(7.0),
            ..main.clone()
        };
        out.push((home_care, NO_LOT));
    }
    if i % 23 == 10 {
        let reablement = Event {
            end: None,
            service_type: "Short Term Support: ST-Max",
            component: "Reablement",
            mechanism: COMMISSIONED,
            description: "Reablement",
            unit_cost: Some(24.50),
            unit_type: "Hourly",
            planned: Some(5.0),
            ..main.clone()
        };
        out.push((reablement, OTHER_TYPE));
    }
    out
}

/// An open service event of someone not in the sample, their id and dates to be filled in.
fn other_event(
    service_type: &'static str,
    component: &'static str,
    psr: &'static str,
    description: &'static str,
    cost: f64,
    unit_type: &'static str,
) -> Event {
    let weekly = unit_type == "Weekly";
    Event {
        person: String::new(),
        born: DATA_DATE,
        death: None,
        event_type: "Service",
        start: DATA_DATE,
        end: None,
        service_type,
        component,
        mechanism: if weekly { "" } else { COMMISSIONED },
        psr,
        description,
        unit_cost: Some(cost),
        unit_type,
        planned: Some(if weekly { 1.0 } else { 2.0 }),
    }
}

/// People in the extract who are not in the sample: in residential or nursing care, with a
/// primary support reason no lot takes, or who died before the data date (on 29 June 2025,
/// and 40 days earlier).
fn other_people() -> Result<Vec<(Event, &'static str)>, Error> {
    let kinds = [
        (
            "residential",
            5,
            OTHER_TYPE,
            other_event(
                "Long Term Support: Residential Care",
                "Residential Care",
                PERSONAL_CARE,
                "Residential care home",
                865.0,
                "Weekly",
            ),
        ),
        (
            "nursing",
            2,
            OTHER_TYPE,
            other_event(
                "Long Term Support: Nursing Care",
                "Nursing Care",
                "Support with Memory & Cognition",
                "Nursing home",
                1120.0,
                "Weekly",
            ),
        ),
        (
            "substance",
            3,
            NO_LOT,
            other_event(
                COMMUNITY,
                DAY_CARE,
                "Social Support: Substance misuse support",
                "Recovery day service",
                45.0,
                "Daily",
            ),
        ),
        (
            "died",
            2,
            DIED,
            other_event(
                COMMUNITY,
                DAY_CARE,
                LD,
                "Learning disability day service",
                52.44,
                "Daily",
            ),
        ),
    ];
    let died_on = Date {
        year: 2025,
        month: 6,
        day: 29,
    };
    let mut out = Vec::new();
    for (kind, n, why, event) in kinds {
        for k in 0..n {
            let id = format!("P{:010x}", hash(kind, &k.to_string()) >> 24);
            let age_band = if event.unit_type == "Weekly" {
                "65+"
            } else {
                "18-64"
            };
            let made = Event {
                person: id.clone(),
                born: birth_date(&id, age_band)?,
                death: (why == DIED).then(|| add_days(died_on, -40 * k as i64)),
                start: start_date(&id, kind),
                ..event.clone()
            };
            out.push((made, why));
        }
    }
    Ok(out)
}

/// Every event of the extract, by person id (the order the sample's people come in), with
/// the events to be left out counted by reason in `left_out`.
fn extract_events(
    current: &[&Person],
    rates: &Rates,
    left_out: &mut BTreeMap<&'static str, usize>,
) -> Result<Vec<Event>, Error> {
    let mut events = Vec::new();
    let mut add = |(event, why): (Event, &'static str), events: &mut Vec<Event>| {
        *left_out.entry(why).or_default() += 1;
        events.push(event);
    };
    for (i, p) in current.iter().enumerate() {
        let made = service_events(p, i, rates)?;
        let extra = distractors(p, i, &made[0]);
        let (before, after): (Vec<_>, Vec<_>) = extra
            .into_iter()
            .partition(|(e, _)| e.start < made[0].start);
        for d in before {
            add(d, &mut events);
        }
        events.extend(made);
        for d in after {
            add(d, &mut events);
        }
    }
    for d in other_people()? {
        add(d, &mut events);
    }
    // Stable: each person's events keep their order.
    events.sort_by(|a, b| a.person.cmp(&b.person));
    Ok(events)
}

/// A workbook with one sheet, its creation time fixed so the bytes depend on the rows only.
fn workbook_bytes(sheet: Worksheet) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let created = ExcelDateTime::from_ymd(2025, 7, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_author("gapmap examples/make_cld.rs")
            .set_creation_datetime(&created),
    );
    workbook.push_worksheet(sheet);
    workbook.save_to_buffer()
}

/// Cell formats of the council's sheets.
struct Formats {
    title: Format,
    heading: Format,
    date: Format,
    money: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            heading: Format::new().set_bold().set_background_color("#D9E1F2"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            money: Format::new().set_num_format("£#,##0.00"),
        }
    }
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year as u16, d.month as u8, d.day as u8)
}

/// A sheet with a title in row 1, a note in row 2 and the headings in row 3.
fn titled_sheet(
    name: &str,
    title: &str,
    note: &str,
    headings: &[&str],
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.write_string_with_format(0, 0, title, &f.title)?;
    ws.write_string(1, 0, note)?;
    for (c, h) in headings.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(2, c, *h, &f.heading)?;
        ws.set_column_width(c, (h.len() as f64 + 4.0).max(12.0))?;
    }
    ws.set_freeze_panes(3, 0)?;
    Ok(ws)
}

const CLD_HEADINGS: [&str; 18] = [
    "LA_Code",
    "Reporting_Period_End_Date",
    "Person ID",
    "Der_Birth_Year",
    "Der_Birth_Month",
    "Date_of_Death",
    "Client_Type",
    "Event_Type",
    "Start Date",
    "End Date",
    "Service_Type",
    "Service_Component",
    "Delivery_Mechanism",
    "Primary_Support_Reason",
    "Service Description",
    "Unit_Cost",
    "Cost_Frequency_(Unit_Type)",
    "Planned_units_per_week",
];

fn cld_workbook(events: &[Event]) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut ws = titled_sheet(
        "Service events",
        "Leicestershire County Council: Adult Social Care Client Level Data, service events",
        "Quarter ending 30/06/2025. SYNTHETIC: the gapmap sample's illustrative people, not real people.",
        &CLD_HEADINGS,
        &f,
    )?;
    for (r, e) in events.iter().enumerate() {
        let row = 3 + r as u32;
        let text = |ws: &mut Worksheet, c: u16, s: &str| -> Result<(), XlsxError> {
            if !s.is_empty() {
                ws.write_string(row, c, s)?;
            }
            Ok(())
        };
        let date = |ws: &mut Worksheet, c: u16, d: Option<Date>| -> Result<(), XlsxError> {
            if let Some(d) = d {
                ws.write_datetime_with_format(row, c, excel_date(d)?, &f.date)?;
            }
            Ok(())
        };
        text(&mut ws, 0, LA_CODE)?;
        date(&mut ws, 1, Some(DATA_DATE))?;
        text(&mut ws, 2, &e.person)?;
        ws.write_number(row, 3, e.born.year)?;
        ws.write_number(row, 4, e.born.month)?;
        date(&mut ws, 5, e.death)?;
        text(&mut ws, 6, "Service User")?;
        text(&mut ws, 7, e.event_type)?;
        date(&mut ws, 8, Some(e.start))?;
        date(&mut ws, 9, e.end)?;
        text(&mut ws, 10, e.service_type)?;
        text(&mut ws, 11, e.component)?;
        text(&mut ws, 12, e.mechanism)?;
        text(&mut ws, 13, e.psr)?;
        text(&mut ws, 14, e.description)?;
        if let Some(cost) = e.unit_cost {
            ws.write_number_with_format(row, 15, cost, &f.money)?;
        }
        text(&mut ws, 16, e.unit_type)?;
        if let Some(units) = e.planned {
            ws.write_number(row, 17, units)?;
        }
    }
    workbook_bytes(ws)
}

/// The council's words for each lot on its waiting list.
fn need_words(lot: &str) -> Result<&'static str, Error> {
    Ok(match lot {
        "ld_autism" => "Learning disability and/or autism",
        "pmld" => "PMLD",
        "physical_sensory" => "Physical / sensory disability",
        "mental_health" => "Mental health",
        "older_adults" => "Older adults (55+)",
        "dementia" => "Dementia",
        "managed_pa" => "Managed PA",
        other => return Err(format!("no waiting-list words for lot {other:?}").into()),
    })
}

fn waiting_workbook(waiting: &[&Person]) -> Result<Vec<u8>, Error> {
    let f = Formats::new();
    let headings = [
        "Client Ref",
        "Date of Birth",
        "Need",
        "Band",
        "Days requested",
        "Hours requested",
        "Extra 1:1 hours",
        "Date added",
    ];
    let mut ws = titled_sheet(
        "Waiting list",
        "Community Life Choices: people waiting for a service",
        "At 30/06/2025. SYNTHETIC: the gapmap sample's illustrative people, not real people.",
        &headings,
        &f,
    )?;
    for (r, p) in waiting.iter().enumerate() {
        let row = 3 + r as u32;
        ws.write_string(row, 0, &p.id)?;
        let born = birth_date(&p.id, &p.age_band)?;
        ws.write_datetime_with_format(row, 1, excel_date(born)?, &f.date)?;
        ws.write_string(row, 2, need_words(&p.lot)?)?;
        ws.write_string(row, 3, format!("Band {}", p.band))?;
        for (c, value) in [(4, &p.days), (5, &p.hours), (6, &p.additional_hours)] {
            if !value.is_empty() {
                ws.write_number(row, c, number(value, &p.id)?)?;
            }
        }
        let added = add_days(DATA_DATE, -(1 + pick(&p.id, "added", 400) as i64));
        ws.write_datetime_with_format(row, 7, excel_date(added)?, &f.date)?;
    }
    Ok(workbook_bytes(ws)?)
}

/// Where each person lives, once per person, with the sample's coordinates as written.
fn addresses(people: &[Person]) -> Result<Vec<u8>, Error> {
    let mut by_person = BTreeMap::new();
    for p in people {
        let at = (p.latitude.as_str(), p.longitude.as_str());
        if *by_person.entry(p.id.as_str()).or_insert(at) != at {
            return Err(format!("{} has two locations in data/people.csv", p.id).into());
        }
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["Client Ref", "Lat", "Long"])?;
    for (id, (lat, lon)) in by_person {
        writer.write_record([id, lat, lon])?;
    }
    Ok(writer.into_inner().map_err(|e| e.to_string())?)
}

/// The sample's config with its inputs and demand format replaced by the example's.
fn example_config(sample: &str) -> Result<String, Error> {
    let header_end = sample
        .find("\n\n")
        .ok_or("data/gapmap.toml has no blank line after its opening comment")?;
    let body = &sample[header_end + 2..];
    let body = replace_block(body, "[inputs]\n", INPUTS)?;
    let body = replace_block(&body, "[demand]\n", DEMAND)?;
    Ok(format!("{HEADER}\n{body}"))
}

/// `text` with the block that starts with `start` (up to the next blank line) replaced.
fn replace_block(text: &str, start: &str, with: &str) -> Result<String, Error> {
    let from = text
        .find(start)
        .ok_or_else(|| format!("data/gapmap.toml has no {:?}", start.trim()))?;
    let to = text[from..]
        .find("\n\n")
        .map_or(text.len(), |n| from + n + 1);
    Ok(format!("{}{}{}", &text[..from], with, &text[to..]))
}

const HEADER: &str = r#"# gapmap run configuration: the Leicestershire sample read as a council hands its data over.
# Written by `cargo run --example make_cld` from data/gapmap.toml; edit that generator
# (examples/make_cld.rs), not this file. Paths are relative to this file.
#
# The people using services come from a Client Level Data (CLD) extract in Excel, the people
# waiting from the council's waiting list, and where they live from an address file. Apart from
# [inputs] and [demand], this is the sample's config unchanged, so the run finds the sample's gaps.
"#;

const INPUTS: &str = r#"[inputs]
services = "../../data/services.csv"
areas = "../../data/lsoa11.geojson"
population = "../../data/population.csv"
users_trend = "../../data/users_trend.csv"

# People using services: the council's CLD extract, one row per event ([demand] format = "cld"
# below turns events into people). An input given as a table says how to read the file.
[inputs.demand]
file = "cld_extract.xlsx"
sheet = "Service events"
# The headings are in row 3, under a title and a note. Optional: without it, gapmap takes the
# first of the top rows with the most filled cells.
header_row = 3

# CLD field (as NHS England's specification names it) = this extract's heading. Only the
# headings the council changed need a line: Event_Type, Service_Type, Service_Component,
# Primary_Support_Reason, Unit_Cost, Cost_Frequency_(Unit_Type), Planned_units_per_week,
# Der_Birth_Year, Der_Birth_Month and Date_of_Death are found under their own names.
# gapmap's own columns may be mapped here too: primary_need (the person's main need, which
# the report counts people by) is read from the primary support reason.
[inputs.demand.columns]
LA_Person_Unique_Identifier = "Person ID"
Event_Start_Date = "Start Date"
Event_End_Date = "End Date"
primary_need = "Primary_Support_Reason"

# The extract's words for a gapmap column, to gapmap's: primary support reason to lot id.
# Matching ignores case and repeated spaces. A value with no entry stops the run, named with
# its count and the nearest entry, rather than being guessed.
[inputs.demand.values.primary_need]
"Learning Disability Support" = "ld_autism"
"Physical Support: Personal care support" = "physical_sensory"
"Physical Support: Access & mobility only" = "physical_sensory"
"Sensory Support: Support for visual impairment" = "physical_sensory"
"Sensory Support: Support for hearing impairment" = "physical_sensory"
"Mental Health Support" = "mental_health"
"Support with Memory & Cognition" = "dementia"

# The band from the event's unit cost: the band whose full-day, half-day or hourly rate
# ([[bands]] below) is this cost, to the penny. A cost that matches no band stops the run.
[inputs.demand.band_from_cost]
column = "Unit_Cost"

# The lot of each event: the first rule whose every condition holds (each condition is a
# heading = a value or a list of values). CLD's primary support reason alone cannot tell
# PMLD from other learning disability, or older adults from physical support, so those
# rules also read the council's own "Service Description" column. Order matters: the PMLD
# rule comes before the learning disability rule, which would also match.
[[inputs.demand.lot_rules]]
lot = "pmld"
when = { Primary_Support_Reason = "Learning Disability Support", Service_Component = "Day Care", "Service Description" = "PMLD day service" }

[[inputs.demand.lot_rules]]
lot = "ld_autism"
when = { Primary_Support_Reason = "Learning Disability Support", Service_Component = "Day Care" }

[[inputs.demand.lot_rules]]
lot = "older_adults"
when = { Primary_Support_Reason = "Physical Support: Personal care support", Service_Component = "Day Care", "Service Description" = "Older adults day service" }

[[inputs.demand.lot_rules]]
lot = "physical_sensory"
when = { Primary_Support_Reason = ["Physical Support: Personal care support", "Physical Support: Access & mobility only", "Sensory Support: Support for visual impairment", "Sensory Support: Support for hearing impairment"], Service_Component = "Day Care" }

[[inputs.demand.lot_rules]]
lot = "mental_health"
when = { Primary_Support_Reason = "Mental Health Support", Service_Component = "Day Care" }

[[inputs.demand.lot_rules]]
lot = "dementia"
when = { Primary_Support_Reason = "Support with Memory & Cognition", Service_Component = "Day Care" }

# Managed PA: a direct payment spent on a provider's personal assistants, whatever the need.
[[inputs.demand.lot_rules]]
lot = "managed_pa"
when = { Service_Component = "Direct Payment", "Service Description" = "Managed PA service" }

# Support that is no day opportunity: lot = "none" leaves the event out, counted in the run's
# notes. Without these rules such events would match no rule, which stops the run.
[[inputs.demand.lot_rules]]
lot = "none"
when = { Service_Component = "Home Care" }

[[inputs.demand.lot_rules]]
lot = "none"
when = { Primary_Support_Reason = ["Social Support: Substance misuse support", "Social Support: Asylum seeker support", "Social Support: Support for Social Isolation/Other"] }

# People waiting: the council's waiting list, one row per person and lot. Every row is a
# person waiting, so it needs no status column.
[inputs.waiting]
file = "waiting_list.xlsx"
sheet = "Waiting list"
header_row = 3

# gapmap column = the list's heading.
[inputs.waiting.columns]
person_id = "Client Ref"
lot = "Need"
band = "Band"
days_per_week = "Days requested"
hours_per_week = "Hours requested"
additional_hours_per_week = "Extra 1:1 hours"

# The age band ([projections] age_bands) from the date of birth, at the data date.
[inputs.waiting.age_from]
birth_date = "Date of Birth"

[inputs.waiting.values.lot]
"Learning disability and/or autism" = "ld_autism"
"PMLD" = "pmld"
"Physical / sensory disability" = "physical_sensory"
"Mental health" = "mental_health"
"Older adults (55+)" = "older_adults"
"Dementia" = "dementia"
"Managed PA" = "managed_pa"

[inputs.waiting.values.band]
"Band A" = "A"
"Band B" = "B"
"Band C" = "C"
"Band D" = "D"
"Band E" = "E"
"Band F" = "F"

# Where people live, joined to the extract's and the waiting list's rows on the person's id
# (CLD carries no address). A postcode column (with [inputs] postcodes) or an LSOA code
# (area_code) would do as well as coordinates.
[inputs.person_locations]
file = "addresses.csv"
columns = { person_id = "Client Ref", latitude = "Lat", longitude = "Long" }
"#;

const DEMAND: &str = r#"[demand]
format = "cld"

# How CLD events become people, following NHS England's code that derives SALT's long-term
# support figures from CLD. Kept: Event_Type "Service" for a "Service User", of these service
# types, open at the data date (started on or before it, ended on or after it or not ended),
# of people alive on it. Everything else is left out and counted in the run's notes. A
# person is counted once per lot, with the planned units of their open events for the lot
# added up: "Hourly" units are hours, "Daily" units days, and hours_per_day turns one into
# the other where a lot is measured in the other unit.
[demand.cld]
service_types = ["Long Term Support: Community"]
hours_per_day = 6.0
"#;
