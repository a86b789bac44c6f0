//! The config's lists of lots, service types, bands and groupings as written in the TOML,
//! and [`build_catalogue`], which checks them (unique ids, rates in pounds) and turns them
//! into the model's [`Catalogue`].

use serde::Deserialize;

use crate::model::{Band, Catalogue, Grouping, Lot, ServiceType, Unit};

use super::{invalid, ConfigError, ConfigFile};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotEntry {
    pub id: String,
    pub label: String,
    /// A short name for sentences, such as "PMLD" (default: the label).
    pub short_label: Option<String>,
    pub unit: Unit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTypeEntry {
    pub id: String,
    pub label: String,
    pub unit: Unit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandEntry {
    pub id: String,
    pub label: String,
    pub half_day: Option<f64>,
    pub full_day: Option<f64>,
    pub hourly: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupingEntry {
    pub id: String,
    pub label: String,
    pub districts: Vec<String>,
}

fn check_unique<'a>(
    file: &str,
    field: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), ConfigError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if id.trim().is_empty() {
            return Err(invalid(file, field, "an id is empty"));
        }
        if !seen.insert(id) {
            return Err(invalid(file, field, format!("id {id:?} is used twice")));
        }
    }
    Ok(())
}

pub(super) fn build_catalogue(
    file_name: &str,
    file: &ConfigFile,
) -> Result<Catalogue, ConfigError> {
    if file.lots.is_empty() {
        return Err(invalid(file_name, "lots", "at least one lot is needed"));
    }
    check_unique(file_name, "lots", file.lots.iter().map(|l| l.id.as_str()))?;
    check_unique(
        file_name,
        "service_types",
        file.service_types.iter().map(|t| t.id.as_str()),
    )?;
    check_unique(file_name, "bands", file.bands.iter().map(|b| b.id.as_str()))?;
    check_unique(
        file_name,
        "groupings",
        file.groupings.iter().map(|g| g.id.as_str()),
    )?;
    for band in &file.bands {
        for (name, rate) in [
            ("half_day", band.half_day),
            ("full_day", band.full_day),
            ("hourly", band.hourly),
        ] {
            if let Some(r) = rate {
                if !r.is_finite() || r < 0.0 {
                    return Err(invalid(
                        file_name,
                        &format!("bands.{}.{name}", band.id),
                        format!("{r} is not a rate in pounds (expected 0 or more)"),
                    ));
                }
            }
        }
    }
    Ok(Catalogue {
        lots: file
            .lots
            .iter()
            .map(|l| Lot {
                id: l.id.clone(),
                label: l.label.clone(),
                short_label: l.short_label.clone().unwrap_or_else(|| l.label.clone()),
                unit: l.unit,
            })
            .collect(),
        service_types: file
            .service_types
            .iter()
            .map(|t| ServiceType {
                id: t.id.clone(),
                label: t.label.clone(),
                unit: t.unit,
            })
            .collect(),
        bands: file
            .bands
            .iter()
            .map(|b| Band {
                id: b.id.clone(),
                label: b.label.clone(),
                half_day: b.half_day,
                full_day: b.full_day,
                hourly: b.hourly,
            })
            .collect(),
        groupings: file
            .groupings
            .iter()
            .map(|g| Grouping {
                id: g.id.clone(),
                label: g.label.clone(),
                district_codes: g.districts.clone(),
            })
            .collect(),
    })
}
