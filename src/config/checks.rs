//! Checks on settings that span sections: numbers in range (catchment, circuity, slivers,
//! rounding, weeks, map classes), a configured band for additional hours, and travel
//! costs that hang together (a matrix or a road network, its unit, the catchment in that
//! unit). The sections themselves are declared in their own files.

use super::{invalid, AnalysisSection, ConfigError, ConfigFile, MissingPairs, TravelCostUnit};

pub(super) fn check_settings(file_name: &str, file: &ConfigFile) -> Result<(), ConfigError> {
    let a = &file.analysis;
    if !(a.catchment_km.is_finite() && a.catchment_km > 0.0) {
        return Err(invalid(
            file_name,
            "analysis.catchment_km",
            format!(
                "{} is not a distance (expected more than 0)",
                a.catchment_km
            ),
        ));
    }
    if !(a.circuity.is_finite() && a.circuity >= 1.0) {
        return Err(invalid(
            file_name,
            "analysis.circuity",
            format!(
                "{} is not a circuity factor (expected 1 or more)",
                a.circuity
            ),
        ));
    }
    let sliver = file.areas.dissolve_min_area_m2;
    if !(sliver.is_finite() && sliver >= 0.0) {
        return Err(invalid(
            file_name,
            "areas.dissolve_min_area_m2",
            format!("{sliver} is not an area (expected 0 or more square metres)"),
        ));
    }
    check_travel_costs(file_name, a, file.travel.as_ref())?;
    if file.disclosure.rounding_base == 0 {
        return Err(invalid(
            file_name,
            "disclosure.rounding_base",
            "0 is not a rounding base (expected 1 or more; 1 means no rounding)",
        ));
    }
    if !(file.cost.weeks_per_year.is_finite() && file.cost.weeks_per_year > 0.0) {
        return Err(invalid(
            file_name,
            "cost.weeks_per_year",
            format!("{} is not a number of weeks", file.cost.weeks_per_year),
        ));
    }
    if !(2..=7).contains(&file.maps.classes) {
        return Err(invalid(
            file_name,
            "maps.classes",
            format!("{} classes (expected 2 to 7)", file.maps.classes),
        ));
    }
    if let Some(band) = &file.cost.additional_hours_band {
        if !file.bands.iter().any(|b| &b.id == band) {
            return Err(invalid(
                file_name,
                "cost.additional_hours_band",
                format!("{band:?} is not a configured band"),
            ));
        }
    }
    Ok(())
}

/// The travel-cost settings hang together: a matrix has a unit, a minutes matrix has a
/// catchment in minutes, a straight-line fallback for minutes has a speed.
fn check_travel_costs(
    file_name: &str,
    a: &AnalysisSection,
    travel: Option<&crate::travel::run::TravelSection>,
) -> Result<(), ConfigError> {
    if let Some(travel) = travel {
        if a.travel_costs.is_some() {
            return Err(invalid(
                file_name,
                "travel.network",
                "cannot be used with analysis.travel_costs: give one source of travel costs (a road network or a matrix file)",
            ));
        }
        if travel.network.trim().is_empty() {
            return Err(invalid(
                file_name,
                "travel.network",
                "is empty (expected an OpenStreetMap .osm.pbf extract, relative to the config)",
            ));
        }
        if !(travel.max_snap_metres.is_finite() && travel.max_snap_metres > 0.0) {
            return Err(invalid(
                file_name,
                "travel.max_snap_metres",
                format!(
                    "{} is not usable (expected a number of metres more than 0)",
                    travel.max_snap_metres
                ),
            ));
        }
        if let Err(message) = travel.profile() {
            return Err(invalid(file_name, "travel", message));
        }
        if a.travel_cost_unit == Some(TravelCostUnit::Km) {
            return Err(invalid(
                file_name,
                "analysis.travel_cost_unit",
                "\"km\" does not apply to [travel] network, which gives drive times in minutes (leave it out)",
            ));
        }
    }
    if a.travel_costs.is_none() && travel.is_none() {
        for (field, set) in [
            ("analysis.travel_cost_unit", a.travel_cost_unit.is_some()),
            ("analysis.travel_cost_label", a.travel_cost_label.is_some()),
            ("analysis.catchment_minutes", a.catchment_minutes.is_some()),
            (
                "analysis.straight_line_speed_kmh",
                a.straight_line_speed_kmh.is_some(),
            ),
            (
                "analysis.missing_pairs",
                a.missing_pairs != MissingPairs::Error,
            ),
        ] {
            if set {
                return Err(invalid(
                    file_name,
                    field,
                    "applies only to travel costs, and neither analysis.travel_costs nor [travel] network is set",
                ));
            }
        }
        return Ok(());
    }
    let unit = match (a.travel_cost_unit, travel) {
        (_, Some(_)) => TravelCostUnit::Minutes,
        (Some(unit), None) => unit,
        (None, None) => {
            return Err(invalid(
                file_name,
                "analysis.travel_cost_unit",
                "is needed with analysis.travel_costs: \"minutes\" or \"km\"",
            ))
        }
    };
    let positive = |field: &str, value: Option<f64>| match value {
        Some(v) if !(v.is_finite() && v > 0.0) => Err(invalid(
            file_name,
            field,
            format!("{v} is not usable (expected a number more than 0)"),
        )),
        _ => Ok(()),
    };
    positive("analysis.catchment_minutes", a.catchment_minutes)?;
    positive(
        "analysis.straight_line_speed_kmh",
        a.straight_line_speed_kmh,
    )?;
    match unit {
        TravelCostUnit::Minutes => {
            if a.catchment_minutes.is_none() {
                return Err(invalid(
                    file_name,
                    "analysis.catchment_minutes",
                    "is needed with travel times in minutes (a matrix in minutes, or [travel] network): the catchment (and analysis.zones) are in minutes",
                ));
            }
            if a.missing_pairs == MissingPairs::StraightLine && a.straight_line_speed_kmh.is_none()
            {
                return Err(invalid(
                    file_name,
                    "analysis.straight_line_speed_kmh",
                    "is needed to turn straight-line km into minutes for pairs missing from the matrix (missing_pairs = \"straight_line\")",
                ));
            }
        }
        TravelCostUnit::Km => {
            if a.catchment_minutes.is_some() {
                return Err(invalid(
                    file_name,
                    "analysis.catchment_minutes",
                    "does not apply to a matrix in km: set analysis.catchment_km",
                ));
            }
            if a.straight_line_speed_kmh.is_some() {
                return Err(invalid(
                    file_name,
                    "analysis.straight_line_speed_kmh",
                    "does not apply to a matrix in km",
                ));
            }
        }
    }
    Ok(())
}

/// With a matrix in minutes the catchment is `catchment_minutes`: a `catchment_km` given
/// too would be silently unused, so it is refused.
pub(super) fn check_catchment_unit(
    file_name: &str,
    text: &str,
    file: &ConfigFile,
) -> Result<(), ConfigError> {
    if file.analysis.travel_cost_unit != Some(TravelCostUnit::Minutes) {
        return Ok(());
    }
    let given = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("analysis")?.get("catchment_km").cloned())
        .is_some();
    if given {
        return Err(invalid(
            file_name,
            "analysis.catchment_km",
            "does not apply to a matrix in minutes: give the catchment as analysis.catchment_minutes",
        ));
    }
    Ok(())
}
