//! The domain: need categories (the framework's lots), service types, bands, services,
//! areas and demand records.
//!
//! Everything here is plain data. Which lots, types and bands exist comes from the
//! configuration ([`crate::config`]); records refer to them by index into the
//! [`Catalogue`], so a record that loaded is known to name only configured things.

use geo::{MultiPolygon, Point};

/// The unit a lot's supply and demand are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Day-service places: one place holds one person.
    Places,
    /// Support hours per week (managed personal assistants).
    Hours,
}

impl Unit {
    /// How the unit reads in a table heading or chart axis.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Places => "places",
            Unit::Hours => "PA hours per week",
        }
    }
}

/// A need category: one lot of the framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    pub id: String,
    pub label: String,
    /// A short name for sentences, such as "PMLD".
    pub short_label: String,
    pub unit: Unit,
}

/// A kind of service (building-based, community-based, managed PA).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceType {
    pub id: String,
    pub label: String,
    pub unit: Unit,
}

/// A payment band and its rates (pounds).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub id: String,
    pub label: String,
    pub half_day: Option<f64>,
    pub full_day: Option<f64>,
    pub hourly: Option<f64>,
}

/// A named set of districts, such as "the east of the county".
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub id: String,
    pub label: String,
    pub district_codes: Vec<String>,
}

/// The configured lots, service types and bands, looked up by id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalogue {
    pub lots: Vec<Lot>,
    pub service_types: Vec<ServiceType>,
    pub bands: Vec<Band>,
    pub groupings: Vec<Grouping>,
}

impl Catalogue {
    pub fn lot_index(&self, id: &str) -> Option<usize> {
        self.lots.iter().position(|l| l.id == id)
    }
    pub fn service_type_index(&self, id: &str) -> Option<usize> {
        self.service_types.iter().position(|t| t.id == id)
    }
    pub fn band_index(&self, id: &str) -> Option<usize> {
        self.bands.iter().position(|b| b.id == id)
    }
}

/// Whether a service is taking people. Only active services count as supply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceStatus {
    Active,
    Suspended,
    Closed,
}

impl ServiceStatus {
    pub const NAMES: [&'static str; 3] = ["active", "suspended", "closed"];

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
        }
    }
}

/// One service location on the framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub name: String,
    /// Index into [`Catalogue::service_types`].
    pub service_type: usize,
    /// Indices into [`Catalogue::lots`].
    pub lots: Vec<usize>,
    /// WGS84 longitude (x) and latitude (y).
    pub location: Point<f64>,
    /// Places per day, or hours per week, in the service type's unit.
    pub capacity: f64,
    /// People using the service now.
    pub current_users: u32,
    /// Indices into [`Catalogue::bands`].
    pub bands: Vec<usize>,
    pub status: ServiceStatus,
}

/// Whether a person is receiving a service or waiting for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandStatus {
    Current,
    Waiting,
}

/// One person's use of (or wait for) one lot: a row of the person-level demand file.
///
/// The pseudonymised id is kept only to count distinct people; it never reaches an output.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonNeed {
    pub person_id: String,
    pub location: Point<f64>,
    pub age_band: String,
    /// Index into [`Catalogue::lots`]: the person's primary category of need.
    pub primary_need: usize,
    /// Index into [`Catalogue::lots`]: the lot this row asks for.
    pub lot: usize,
    pub status: DemandStatus,
    /// Index into [`Catalogue::bands`].
    pub band: Option<usize>,
    pub days_per_week: f64,
    pub hours_per_week: f64,
    pub additional_hours_per_week: f64,
    /// The service the person uses now, when the records name it (optional `service_id`
    /// column): provider exits then re-place people from their homes.
    pub service_id: Option<String>,
    /// Line in the input file (or row of its sheet), for messages.
    pub line: u64,
    /// The file and line or sheet row the record came from, for messages.
    pub at: RecordAt,
}

/// Where a record came from: its file and its line or sheet row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAt {
    pub file: std::sync::Arc<str>,
    pub place: crate::problem::Place,
}

impl Default for RecordAt {
    fn default() -> Self {
        RecordAt {
            file: "".into(),
            place: crate::problem::Place::File,
        }
    }
}

impl RecordAt {
    /// A problem at this record.
    pub fn problem(&self, message: impl Into<String>) -> crate::problem::Problem {
        crate::problem::Problem::new(&self.file, self.place.clone(), message)
    }
}

/// Demand already aggregated by area, lot and age band.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandCell {
    pub area_code: String,
    pub lot: usize,
    pub age_band: String,
    pub current_users: u32,
    pub waiting: u32,
    /// Hours per week, for hour-measured lots.
    pub current_hours: f64,
    pub waiting_hours: f64,
    /// Line in the input file, for messages.
    pub line: u64,
    /// The file and line or sheet row the record came from, for messages.
    pub at: RecordAt,
}

/// Demand in either of the forms councils hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Demand {
    People(Vec<PersonNeed>),
    Aggregated(Vec<DemandCell>),
}

/// An area read from the boundaries file: a district, or a small area inside one.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    pub code: String,
    pub name: String,
    pub district_code: String,
    pub geometry: MultiPolygon<f64>,
}

/// A district: the unit the gap table is reported by.
#[derive(Debug, Clone, PartialEq)]
pub struct District {
    pub code: String,
    pub name: String,
    pub geometry: MultiPolygon<f64>,
}

/// Population of a district in one age band and year (an estimate or a projection, so it
/// may have decimals).
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationRow {
    pub area_code: String,
    pub area_name: String,
    pub age_band: String,
    pub year: i32,
    pub population: f64,
}

/// An age band of whole years of age, such as `18-64` (18 to 64 inclusive) or `65+`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeBand {
    /// The band as written, used to match demand and population rows.
    pub label: String,
    pub from: u32,
    /// The last year of age in the band; `None` when open-ended (`65+`).
    pub to: Option<u32>,
}

impl AgeBand {
    /// Reads `18-64`, `65+` (or `65 and over`), or a single age such as `17`.
    pub fn parse(label: &str) -> Option<AgeBand> {
        let t = label.trim();
        let number = |s: &str| s.trim().parse::<u32>().ok();
        let (from, to) = if let Some(from) = t.strip_suffix('+') {
            (number(from)?, None)
        } else if let Some(from) = t.strip_suffix("and over") {
            (number(from)?, None)
        } else if let Some((a, b)) = t.split_once('-') {
            let (a, b) = (number(a)?, number(b)?);
            (a <= b).then_some((a, Some(b)))?
        } else {
            let a = number(t)?;
            (a, Some(a))
        };
        Some(AgeBand {
            label: t.to_string(),
            from,
            to,
        })
    }

    /// Whether a single year of age lies in the band.
    pub fn contains(&self, age: u32) -> bool {
        age >= self.from && self.to.is_none_or(|to| age <= to)
    }

    /// Whether two bands share an age.
    pub fn overlaps(&self, other: &AgeBand) -> bool {
        let end = |b: &AgeBand| b.to.unwrap_or(u32::MAX);
        self.from <= end(other) && other.from <= end(self)
    }
}

/// One point of the users-over-time series (from the council's published figures).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendPoint {
    pub period: String,
    pub date: String,
    pub age_band: String,
    pub users: u32,
}
