//! What each chart shows, in a sentence or two: the charts' text alternatives. A reader who
//! cannot see a chart learns its finding from these (and its figures from the table the
//! caption links to), so each names the largest values and where they are, from the same
//! published figures the chart draws.

use super::{esc, num};
use crate::config::Config;
use crate::load::Inputs;
use crate::model::Unit;
use crate::publish::published::{GapRow, PublishedRun};

/// "a shortfall of 15 places" / "15 places to spare" / "supply matching demand".
fn balance(gap: f64, unit: Unit) -> String {
    let unit = if num(gap.abs()) == "1" {
        unit.label()
            .replacen("places", "place", 1)
            .replacen("hours", "hour", 1)
    } else {
        unit.label().to_string()
    };
    if gap > 0.0 {
        format!("a shortfall of {} {unit}", num(gap))
    } else if gap < 0.0 {
        format!("{} {unit} to spare", num(-gap))
    } else {
        "supply matching demand".into()
    }
}

/// A lot's district rows with a published gap, largest shortfall first.
fn by_gap(published: &PublishedRun, lot: usize) -> Vec<&GapRow> {
    let mut rows: Vec<&GapRow> = published
        .lot_rows(lot)
        .filter(|r| r.gap.is_some())
        .collect();
    rows.sort_by(|a, b| b.gap.unwrap_or(0.0).total_cmp(&a.gap.unwrap_or(0.0)));
    rows
}

/// The gap by district of one lot: where the shortfalls are and how many districts have
/// room to spare. Used for its supply-and-demand bars and its gap map.
pub(super) fn lot_gaps(config: &Config, published: &PublishedRun, lot: usize) -> String {
    let l = &config.catalogue.lots[lot];
    let rows = by_gap(published, lot);
    let short: Vec<String> = rows
        .iter()
        .filter(|r| r.gap.is_some_and(|g| g > 0.0))
        .take(3)
        .map(|r| {
            format!(
                "{} ({})",
                r.area_name,
                balance(r.gap.unwrap_or(0.0), l.unit)
            )
        })
        .collect();
    let spare = rows
        .iter()
        .filter(|r| r.gap.is_some_and(|g| g < 0.0))
        .count();
    let hidden = published.lot_rows(lot).filter(|r| r.gap.is_none()).count();
    let mut s = if short.is_empty() {
        format!("{}: supply meets demand in every district shown", l.label)
    } else {
        format!(
            "{}: demand exceeds supply most in {}",
            l.label,
            short.join(", ")
        )
    };
    s.push_str(&format!(
        "; {spare} of {} districts have room to spare",
        published.lot_rows(lot).count()
    ));
    if hidden > 0 {
        s.push_str(&format!(
            "; {hidden} not shown because fewer than {} people are involved",
            published.disclosure.threshold + 1
        ));
    }
    s.push('.');
    s
}

/// The gap bars of every lot measured in `unit`: the largest shortfalls across lots.
pub(super) fn gaps(config: &Config, published: &PublishedRun, unit: Unit) -> String {
    let mut rows: Vec<&GapRow> = published
        .districts
        .iter()
        .filter(|r| r.unit == unit && r.gap.is_some_and(|g| g > 0.0))
        .collect();
    rows.sort_by(|a, b| b.gap.unwrap_or(0.0).total_cmp(&a.gap.unwrap_or(0.0)));
    if rows.is_empty() {
        return format!(
            "No district has a shortfall in the lots measured in {}.",
            unit.label()
        );
    }
    let largest: Vec<String> = rows
        .iter()
        .take(4)
        .map(|r| {
            format!(
                "{} in {} ({})",
                config.catalogue.lots[r.lot].short_label,
                r.area_name,
                balance(r.gap.unwrap_or(0.0), unit)
            )
        })
        .collect();
    format!(
        "The largest shortfalls: {}. {} district and lot pairs have a shortfall in all.",
        largest.join("; "),
        rows.len()
    )
}

/// The distance from each small area to the nearest service of a lot.
pub(super) fn access_map(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    lot: usize,
) -> String {
    let d = &published.distances;
    let mut values: Vec<(f64, usize)> = published
        .areas
        .iter()
        .filter(|r| r.lot == lot)
        .filter_map(|r| r.nearest_km.map(|v| (v, r.area)))
        .collect();
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let label = &config.catalogue.lots[lot].label;
    let (Some(&(_, _)), Some(&(far, area))) = (values.first(), values.last()) else {
        return format!("{label}: no small area has a suitable service in reach.");
    };
    let median = values[values.len() / 2].0;
    format!(
        "{label}: half the small areas are within {} {unit} of the nearest suitable service; the farthest is {} ({} {unit}).",
        num(median),
        inputs.areas[area].name,
        num(far),
        unit = d.suffix()
    )
}

/// The mean distance by district and lot: the longest.
pub(super) fn distances(config: &Config, published: &PublishedRun) -> String {
    let d = &published.distances;
    let longest = published
        .districts
        .iter()
        .filter(|r| r.mean_km.is_some())
        .max_by(|a, b| {
            a.mean_km
                .unwrap_or(0.0)
                .total_cmp(&b.mean_km.unwrap_or(0.0))
        });
    match longest {
        Some(r) => format!(
            "The longest mean {} to the nearest suitable service is for {} in {}: {} {}.",
            d.noun(),
            config.catalogue.lots[r.lot].label,
            r.area_name,
            num(r.mean_km.unwrap_or(0.0)),
            d.suffix()
        ),
        None => format!("No mean {} is shown.", d.noun()),
    }
}

/// The users trend: first and last totals.
pub(super) fn trend(inputs: &Inputs) -> String {
    let dates = super::trend_periods(inputs);
    let total = |date: &str| -> u32 {
        inputs
            .trend
            .iter()
            .filter(|t| t.date == date)
            .map(|t| t.users)
            .sum()
    };
    match (dates.first(), dates.last()) {
        (Some(first), Some(last)) => format!(
            "People using day opportunities went from {} in {} to {} in {}.",
            num(f64::from(total(first.0))),
            first.1,
            num(f64::from(total(last.0))),
            last.1
        ),
        _ => "No counts of people over time.".into(),
    }
}

/// The band mix: the band with most people.
pub(super) fn band_mix(config: &Config, published: &PublishedRun) -> String {
    let most = published
        .cost
        .iter()
        .filter(|c| c.people.is_some())
        .max_by_key(|c| c.people.unwrap_or(0));
    match most {
        Some(c) => format!(
            "Most people are supported at band {} ({}): {} people.",
            config.catalogue.bands[c.band].id,
            config.catalogue.bands[c.band].label,
            num(f64::from(c.people.unwrap_or(0)))
        ),
        None => "No band's count of people is shown.".into(),
    }
}

/// A link to the table holding a chart's figures.
pub(super) fn table_link(anchor: &str) -> String {
    format!(" <a href=\"#{}\">The figures as a table</a>.", esc(anchor))
}
