//! Tables written as CSV and Parquet: gaps, supply, demand and cost by band.
//!
//! Built only from the [`PublishedRun`]. Empty cells (nulls) are suppressed counts of
//! people, or figures that do not apply (sufficiency with no demand).
//!
//! Names (providers, services) are written exactly as given, even when they begin with
//! `=`, `+`, `-` or `@`: the CSVs are data for polars, pandas and R, where OWASP's quote
//! prefix against CSV injection would change values and break joins. Spreadsheet users get
//! `tables/gapmap.xlsx`, where every name is a text cell and never a formula
//! ([`crate::publish::workbook`]).

use crate::config::Config;
use crate::io::table::Table;
use crate::load::Inputs;
use crate::model::ServiceStatus;
use crate::publish::published::{GapRow, PublishedRun};

fn opt_u(v: &[Option<u32>]) -> Vec<Option<i64>> {
    v.iter().map(|x| x.map(i64::from)).collect()
}

fn text<T>(rows: &[T], f: impl Fn(&T) -> String) -> Vec<String> {
    rows.iter().map(f).collect()
}

/// Gaps by district (and grouping) and lot: supply, demand, gap, sufficiency and access.
/// Distance columns are named for their unit (`mean_distance_km`, or
/// `mean_distance_minutes` with travel times), given by `unit`.
pub fn gaps(config: &Config, rows: &[GapRow], unit: &str) -> Table {
    let lots = &config.catalogue.lots;
    Table::default()
        .text("area_code", text(rows, |r| r.area_code.clone()))
        .text("area_name", text(rows, |r| r.area_name.clone()))
        .text("lot", text(rows, |r| lots[r.lot].id.clone()))
        .text("lot_label", text(rows, |r| lots[r.lot].label.clone()))
        .text("unit", text(rows, |r| r.unit.label().to_string()))
        .int(
            "services",
            rows.iter().map(|r| Some(i64::from(r.services))).collect(),
        )
        .float("supply", rows.iter().map(|r| Some(r.supply)).collect(), 2)
        .int(
            "current_users",
            opt_u(&rows.iter().map(|r| r.current_users).collect::<Vec<_>>()),
        )
        .int(
            "waiting",
            opt_u(&rows.iter().map(|r| r.waiting).collect::<Vec<_>>()),
        )
        .float("demand", rows.iter().map(|r| r.demand).collect(), 2)
        .float("gap", rows.iter().map(|r| r.gap).collect(), 2)
        .float(
            "sufficiency",
            rows.iter().map(|r| r.sufficiency).collect(),
            3,
        )
        .int(
            "people_for_access",
            opt_u(&rows.iter().map(|r| r.people).collect::<Vec<_>>()),
        )
        .int(
            "beyond_catchment",
            opt_u(&rows.iter().map(|r| r.beyond_catchment).collect::<Vec<_>>()),
        )
        .float(
            "share_beyond_catchment",
            rows.iter().map(|r| r.share_beyond_catchment).collect(),
            3,
        )
        .float(
            &format!("mean_distance_{unit}"),
            rows.iter().map(|r| r.mean_km).collect(),
            2,
        )
        .float(
            &format!("p90_distance_{unit}"),
            rows.iter().map(|r| r.p90_km).collect(),
            2,
        )
        .float(
            "mean_e2sfca",
            rows.iter().map(|r| r.mean_e2sfca).collect(),
            6,
        )
}

/// Access by small area and lot: the distance from the area's interior point to the
/// nearest suitable service, services within the catchment and E2SFCA accessibility.
pub fn access_by_area(config: &Config, inputs: &Inputs, published: &PublishedRun) -> Table {
    let lots = &config.catalogue.lots;
    let rows = &published.areas;
    let area = |r: &crate::publish::published::AreaRow| &inputs.areas[r.area];
    Table::default()
        .text("area_code", text(rows, |r| area(r).code.clone()))
        .text("area_name", text(rows, |r| area(r).name.clone()))
        .text(
            "district_code",
            text(rows, |r| area(r).district_code.clone()),
        )
        .text("lot", text(rows, |r| lots[r.lot].id.clone()))
        .int(
            "people",
            opt_u(&rows.iter().map(|r| r.people).collect::<Vec<_>>()),
        )
        .float(
            &format!("nearest_distance_{}", published.distances.suffix()),
            rows.iter().map(|r| r.nearest_km).collect(),
            3,
        )
        .int(
            "services_in_reach",
            rows.iter()
                .map(|r| Some(i64::from(r.services_in_reach)))
                .collect(),
        )
        .float("e2sfca", rows.iter().map(|r| Some(r.e2sfca)).collect(), 6)
}

/// Demand by district and lot: the people and units behind the gap table.
pub fn demand(config: &Config, rows: &[GapRow]) -> Table {
    let lots = &config.catalogue.lots;
    Table::default()
        .text("area_code", text(rows, |r| r.area_code.clone()))
        .text("area_name", text(rows, |r| r.area_name.clone()))
        .text("lot", text(rows, |r| lots[r.lot].id.clone()))
        .text("unit", text(rows, |r| r.unit.label().to_string()))
        .int(
            "current_users",
            opt_u(&rows.iter().map(|r| r.current_users).collect::<Vec<_>>()),
        )
        .int(
            "waiting",
            opt_u(&rows.iter().map(|r| r.waiting).collect::<Vec<_>>()),
        )
        .float("demand", rows.iter().map(|r| r.demand).collect(), 2)
}

/// Supply: one row per service, with where it lies and what it offers.
pub fn supply(config: &Config, inputs: &Inputs, published: &PublishedRun) -> Table {
    let cat = &config.catalogue;
    let rows = &published.services;
    let svc = |i: usize| &inputs.services[i];
    let district =
        |r: &crate::publish::published::ServiceRow| r.district.map(|d| &inputs.districts[d]);
    Table::default()
        .text("service_id", text(rows, |r| svc(r.service).id.clone()))
        .text(
            "provider_id",
            text(rows, |r| svc(r.service).provider_id.clone()),
        )
        .text(
            "provider_name",
            text(rows, |r| svc(r.service).provider_name.clone()),
        )
        .text("service_name", text(rows, |r| svc(r.service).name.clone()))
        .text(
            "service_type",
            text(rows, |r| {
                cat.service_types[svc(r.service).service_type].id.clone()
            }),
        )
        .text(
            "lots",
            text(rows, |r| {
                svc(r.service)
                    .lots
                    .iter()
                    .map(|&l| cat.lots[l].id.as_str())
                    .collect::<Vec<_>>()
                    .join(";")
            }),
        )
        .text(
            "district_code",
            text(rows, |r| {
                district(r).map_or(String::new(), |d| d.code.clone())
            }),
        )
        .text(
            "district_name",
            text(rows, |r| {
                district(r).map_or("outside the areas".into(), |d| d.name.clone())
            }),
        )
        .float(
            "capacity",
            rows.iter().map(|r| Some(svc(r.service).capacity)).collect(),
            2,
        )
        .text(
            "unit",
            text(rows, |r| {
                cat.service_types[svc(r.service).service_type]
                    .unit
                    .label()
                    .to_string()
            }),
        )
        .int(
            "current_users",
            opt_u(&rows.iter().map(|r| r.current_users).collect::<Vec<_>>()),
        )
        .text(
            "status",
            text(rows, |r| svc(r.service).status.as_str().to_string()),
        )
        .int(
            "counts_as_supply",
            rows.iter()
                .map(|r| {
                    Some(i64::from(
                        svc(r.service).status == ServiceStatus::Active && r.district.is_some(),
                    ))
                })
                .collect(),
        )
}

/// Cost by band at the configured rates.
pub fn cost(config: &Config, published: &PublishedRun) -> Table {
    let bands = &config.catalogue.bands;
    let rows = &published.cost;
    Table::default()
        .text("band", text(rows, |r| bands[r.band].id.clone()))
        .text("band_label", text(rows, |r| bands[r.band].label.clone()))
        .float(
            "full_day_rate",
            rows.iter()
                .map(|r| crate::analyse::cost::day_rate(&bands[r.band]))
                .collect(),
            2,
        )
        .float(
            "hourly_rate",
            rows.iter().map(|r| bands[r.band].hourly).collect(),
            2,
        )
        .int(
            "people",
            opt_u(&rows.iter().map(|r| r.people).collect::<Vec<_>>()),
        )
        .float(
            "days_or_hours_per_week",
            rows.iter().map(|r| r.units_per_week).collect(),
            1,
        )
        .float(
            "weekly_cost_gbp",
            rows.iter().map(|r| r.weekly_cost).collect(),
            2,
        )
        .float(
            "annual_cost_gbp",
            rows.iter().map(|r| r.annual_cost).collect(),
            2,
        )
}

/// Rows and features left out of the run, with the reason: for the analyst fixing the
/// inputs, not for publication (a value may be a person's home location).
pub fn rejects(problems: &crate::problem::Problems) -> Table {
    let rows = &problems.listed;
    Table::default()
        .text("file", text(rows, |p| p.file.clone()))
        .text("place", text(rows, |p| p.place.words()))
        .text("field", text(rows, |p| p.field.clone().unwrap_or_default()))
        .text("value", text(rows, |p| p.value.clone().unwrap_or_default()))
        .text("problem", text(rows, |p| p.message.clone()))
}
