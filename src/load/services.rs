//! Services: the framework's day services and managed PA services, one CSV row each.
//!
//! Columns: `service_id, provider_id, provider_name, service_name, service_type, lots,
//! latitude, longitude, capacity, current_users, bands, status`. `lots` and `bands` are
//! lists separated by `;`. Capacity is in the service type's unit (places per day, or
//! hours per week).

use std::collections::BTreeSet;

use crate::io::records::Row;
use crate::io::InputFile;
use crate::load::location::{self, location_of, Geocoder};
use crate::load::mapping::{self, Context, InputSpec, Vocabulary};
use crate::model::{Catalogue, Service, ServiceStatus};
use crate::problem::{expected_one_of, Checked, Problems};

/// Required columns; a location comes from latitude and longitude, easting and northing, or
/// a postcode (see [`crate::load::location`]).
pub const COLUMNS: [&str; 10] = [
    "service_id",
    "provider_id",
    "provider_name",
    "service_name",
    "service_type",
    "lots",
    "capacity",
    "current_users",
    "bands",
    "status",
];

/// Loads and checks the services file; rows with any problem are left out and reported.
pub fn load(
    input: &InputFile,
    spec: &InputSpec,
    ctx: &Context,
    geocoder: &Geocoder,
) -> Result<Checked<Service>, Problems> {
    let catalogue = ctx.catalogue;
    let table = mapping::read(input, spec, &vocabulary(catalogue), ctx)?.records;
    let missing = table.check_required(&COLUMNS);
    if !missing.is_empty() {
        return Err(missing);
    }
    if let Some(p) = location::check_header(&table) {
        return Err(Problems { listed: vec![p] });
    }
    let mut problems = table.rejected.clone();
    let mut seen = BTreeSet::new();
    let mut services = Vec::with_capacity(table.rows.len());
    for row in table.rows() {
        let before = problems.len();
        if let Some(id) = row.required("service_id", &mut problems) {
            if !seen.insert(id) {
                problems.push(row.problem(
                    "service_id",
                    "is used by an earlier row (service ids must be unique)",
                ));
            }
        }
        let service = service_of(&row, catalogue, geocoder, &mut problems);
        if let (Some(service), true) = (service, problems.len() == before) {
            services.push(service);
        }
    }
    Ok(Checked {
        records: services,
        rejected: problems,
    })
}

/// The words service columns may hold, for the mapping's checks.
pub fn vocabulary(catalogue: &Catalogue) -> Vec<Vocabulary> {
    vec![
        Vocabulary {
            column: "service_type",
            words: catalogue
                .service_types
                .iter()
                .map(|t| t.id.clone())
                .collect(),
            list: false,
        },
        Vocabulary {
            column: "lots",
            words: catalogue.lots.iter().map(|l| l.id.clone()).collect(),
            list: true,
        },
        Vocabulary {
            column: "bands",
            words: catalogue.bands.iter().map(|b| b.id.clone()).collect(),
            list: true,
        },
        Vocabulary {
            column: "status",
            words: ServiceStatus::NAMES.iter().map(|s| s.to_string()).collect(),
            list: false,
        },
    ]
}

fn service_of(
    row: &Row,
    catalogue: &Catalogue,
    geocoder: &Geocoder,
    problems: &mut Problems,
) -> Option<Service> {
    let type_ids: Vec<&str> = catalogue
        .service_types
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    let service_type = lookup(row, "service_type", &type_ids, problems);
    let lot_ids: Vec<&str> = catalogue.lots.iter().map(|l| l.id.as_str()).collect();
    let lots = list(row, "lots", &lot_ids, true, problems);
    let band_ids: Vec<&str> = catalogue.bands.iter().map(|b| b.id.as_str()).collect();
    let bands = list(row, "bands", &band_ids, false, problems);
    let location = location_of(row, geocoder, problems);
    let capacity = row.number("capacity", 0.0, 1.0e6, problems);
    let current_users = row.count("current_users", problems);
    let status = status_of(row, problems);
    let provider_id = row.required("provider_id", problems);
    let (service_type, lots) = (service_type?, lots?);
    check_units(row, catalogue, service_type, &lots, problems)?;
    Some(Service {
        id: row.text("service_id").to_string(),
        provider_id: provider_id?.to_string(),
        provider_name: row.text("provider_name").to_string(),
        name: row.text("service_name").to_string(),
        service_type,
        lots,
        location: location?,
        capacity: capacity?,
        current_users: current_users?,
        bands: bands?,
        status: status?,
    })
}

fn check_units(
    row: &Row,
    catalogue: &Catalogue,
    service_type: usize,
    lots: &[usize],
    problems: &mut Problems,
) -> Option<()> {
    let kind = &catalogue.service_types[service_type];
    for &lot in lots {
        let l = &catalogue.lots[lot];
        if l.unit != kind.unit {
            problems.push(row.problem(
                "lots",
                format!(
                    "includes {:?}, measured in {}, but service type {:?} is measured in {}",
                    l.id,
                    l.unit.label(),
                    kind.id,
                    kind.unit.label()
                ),
            ));
            return None;
        }
    }
    Some(())
}

fn status_of(row: &Row, problems: &mut Problems) -> Option<ServiceStatus> {
    let text = row.required("status", problems)?;
    let status = ServiceStatus::parse(text);
    if status.is_none() {
        problems.push(row.problem("status", expected_one_of(text, &ServiceStatus::NAMES)));
    }
    status
}

/// One configured id.
pub(crate) fn lookup(
    row: &Row,
    column: &str,
    ids: &[&str],
    problems: &mut Problems,
) -> Option<usize> {
    let text = row.required(column, problems)?;
    let found = ids.iter().position(|id| *id == text);
    if found.is_none() {
        problems.push(row.problem(column, expected_one_of(text, ids)));
    }
    found
}

/// A `;`-separated list of configured ids, without repeats.
fn list(
    row: &Row,
    column: &str,
    ids: &[&str],
    required: bool,
    problems: &mut Problems,
) -> Option<Vec<usize>> {
    let text = row.text(column);
    if text.is_empty() {
        if required {
            problems.push(row.problem(column, "is empty (expected a list separated by ';')"));
            return None;
        }
        return Some(Vec::new());
    }
    let mut out = Vec::new();
    let mut ok = true;
    for item in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        match ids.iter().position(|id| *id == item) {
            Some(i) if !out.contains(&i) => out.push(i),
            Some(_) => {}
            None => {
                problems.push(row.problem(
                    column,
                    format!("has {item:?}, which {}", expected_one_of(item, ids)),
                ));
                ok = false;
            }
        }
    }
    ok.then_some(out)
}
