//! What each chart shows, in a sentence or two: the charts' text alternatives. A reader who
//! cannot see a chart learns its finding from these (and its figures from the table the
//! caption links to), so each names the largest values and where they are, from the same
//! published figures the chart draws.

use super::market::hhi_like;
use super::{esc, num};
use crate::config::Config;
use crate::load::Inputs;
use crate::model::Unit;
use crate::publish::market::{ExitRow, PublishedMarket, HHI_LINE};
use crate::publish::market_charts;
use crate::publish::projections::{ProjectionRow, PublishedProjections};
use crate::publish::published::{GapRow, PublishedRun};

/// "15 places" / "1 place" / "60 PA hours per week" / "1 PA hour per week".
pub(crate) fn amount(x: f64, unit: Unit) -> String {
    let unit = if num(x.abs()) == "1" {
        unit.label()
            .replacen("places", "place", 1)
            .replacen("hours", "hour", 1)
    } else {
        unit.label().to_string()
    };
    format!("{} {unit}", num(x))
}

/// "a shortfall of 15 places" / "15 places to spare" / "supply matching demand".
pub(crate) fn balance(gap: f64, unit: Unit) -> String {
    if gap > 0.0 {
        format!("a shortfall of {}", amount(gap, unit))
    } else if gap < 0.0 {
        format!("{} to spare", amount(-gap, unit))
    } else {
        "supply matching demand".into()
    }
}

/// "+6 places" / "-1 place": a change with its sign.
pub(crate) fn change(x: f64, unit: Unit) -> String {
    let sign = if num(x) == "0" || x < 0.0 { "" } else { "+" };
    format!("{sign}{}", amount(x, unit))
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How a gap finding is worded: today's gaps, or a projection's.
struct GapWording<'a> {
    /// Before the districts with the largest shortfalls ("demand exceeds supply most in").
    short: &'a str,
    /// When no district has a shortfall.
    none: &'a str,
    /// After the count of districts with spare supply ("have room to spare").
    spare: &'a str,
}

/// Where the shortfalls are among districts' published gaps (`None`: not shown), the three
/// largest first, and how many districts have room to spare.
fn district_gaps(
    lead: &str,
    rows: &[(&str, Option<f64>)],
    unit: Unit,
    threshold: u32,
    words: &GapWording,
) -> String {
    let mut shown: Vec<(&str, f64)> = rows
        .iter()
        .filter_map(|&(name, gap)| gap.map(|g| (name, g)))
        .collect();
    shown.sort_by(|a, b| b.1.total_cmp(&a.1));
    let short: Vec<String> = shown
        .iter()
        .filter(|(_, g)| *g > 0.0)
        .take(3)
        .map(|(name, g)| format!("{name} ({})", balance(*g, unit)))
        .collect();
    let spare = shown.iter().filter(|(_, g)| *g < 0.0).count();
    let hidden = rows.len() - shown.len();
    let mut s = if short.is_empty() {
        format!("{lead}: {}", words.none)
    } else {
        format!("{lead}: {} {}", words.short, short.join(", "))
    };
    s.push_str(&format!(
        "; {spare} of {} districts {}",
        rows.len(),
        words.spare
    ));
    s.push_str(&not_shown(hidden, threshold));
    s.push('.');
    s
}

/// "; 2 not shown because fewer than 8 people are involved", or nothing when `hidden` is 0.
pub(crate) fn not_shown(hidden: usize, threshold: u32) -> String {
    if hidden == 0 {
        return String::new();
    }
    format!(
        "; {hidden} not shown because fewer than {} people are involved",
        threshold + 1
    )
}

/// The gap by district of one lot: where the shortfalls are and how many districts have
/// room to spare. Used for its supply-and-demand bars and its gap map.
pub(super) fn lot_gaps(config: &Config, published: &PublishedRun, lot: usize) -> String {
    let l = &config.catalogue.lots[lot];
    let rows: Vec<(&str, Option<f64>)> = published
        .lot_rows(lot)
        .map(|r| (r.area_name.as_str(), r.gap))
        .collect();
    district_gaps(
        &l.label,
        &rows,
        l.unit,
        published.disclosure.threshold,
        &GapWording {
            short: "demand exceeds supply most in",
            none: "supply meets demand in every district shown",
            spare: "have room to spare",
        },
    )
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
pub(crate) fn table_link(anchor: &str) -> String {
    format!(" <a href=\"#{}\">The figures as a table</a>.", esc(anchor))
}

/// One lot's projected demand against today's supply: where demand is highest in the
/// furthest year, and in how many districts it exceeds today's supply then and in the
/// first year. Used for its projected-demand bars.
pub(super) fn projected_demand(
    config: &Config,
    p: &PublishedProjections,
    lot: usize,
    threshold: u32,
) -> String {
    let l = &config.catalogue.lots[lot];
    let (first, last) = (
        p.years.first().copied().unwrap_or(p.base_year),
        p.furthest_year(),
    );
    let mut shown: Vec<&ProjectionRow> = p
        .lot_year(lot, last)
        .filter(|r| r.demand.is_some())
        .collect();
    shown.sort_by(|a, b| b.demand.unwrap_or(0.0).total_cmp(&a.demand.unwrap_or(0.0)));
    let all = p.lot_year(lot, last).count();
    if shown.is_empty() {
        return format!(
            "{}: no district's projected demand is shown, because fewer than {} people are involved.",
            l.label,
            threshold + 1
        );
    }
    let highest: Vec<String> = shown
        .iter()
        .filter(|r| r.demand.is_some_and(|d| d > 0.0))
        .take(3)
        .map(|r| {
            format!(
                "{} ({} against {} today)",
                r.area_name,
                amount(r.demand.unwrap_or(0.0), l.unit),
                num(r.supply)
            )
        })
        .collect();
    let over = |year: i32| {
        p.lot_year(lot, year)
            .filter(|r| r.demand.is_some_and(|d| d > r.supply))
            .count()
    };
    let highest = if highest.is_empty() {
        format!("in {last}, no demand is projected in any district shown")
    } else {
        format!(
            "in {last}, projected demand is highest in {}",
            join(&highest)
        )
    };
    let mut s = format!(
        "{}: {highest}; it exceeds today's supply in {} of {all} districts ({} in {first})",
        l.label,
        over(last),
        over(first)
    );
    let hidden = all - shown.len();
    s.push_str(&not_shown(hidden, threshold));
    s.push('.');
    s
}

/// One lot's projected gap by district in the furthest year, if supply stays as it is.
/// Used for its projected-gap map.
pub(super) fn projected_gap(
    config: &Config,
    p: &PublishedProjections,
    lot: usize,
    threshold: u32,
) -> String {
    let l = &config.catalogue.lots[lot];
    let year = p.furthest_year();
    let rows: Vec<(&str, Option<f64>)> = p
        .lot_year(lot, year)
        .map(|r| (r.area_name.as_str(), r.gap))
        .collect();
    district_gaps(
        &format!("{}, {year}, if supply stays as it is", l.label),
        &rows,
        l.unit,
        threshold,
        &GapWording {
            short: "demand would exceed supply most in",
            none: "supply would meet demand in every district shown",
            spare: "would have room to spare",
        },
    )
}

/// The concentration of each lot's market over the whole area: the most and least
/// concentrated lots, and how many are above the line. Used for the HHI bars.
pub(super) fn concentration(config: &Config, market: &PublishedMarket) -> String {
    let mut lots: Vec<(f64, usize)> = market
        .by_lot()
        .filter_map(|m| m.hhi.map(|h| (h, m.lot)))
        .collect();
    lots.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (Some(&(most, most_lot)), Some(&(least, least_lot))) = (lots.first(), lots.last()) else {
        return "No lot has active services, so no market's concentration is shown.".into();
    };
    let label = |lot: usize| &config.catalogue.lots[lot].label;
    let high = lots.iter().filter(|(h, _)| *h > HHI_LINE).count();
    let mut s = format!(
        "{} has the most concentrated market (HHI {}, as concentrated as {})",
        label(most_lot),
        num(most.round()),
        hhi_like(most)
    );
    if lots.len() > 1 {
        s.push_str(&format!(
            " and {} the least (HHI {})",
            label(least_lot),
            num(least.round())
        ));
    }
    s.push_str(&format!(
        ". {high} of {} lots are highly concentrated (above {}).",
        lots.len(),
        num(HHI_LINE)
    ));
    s
}

/// The map of one provider's exit: where the gap it opens is largest, how many of its
/// services close and how many others would take its people.
pub(super) fn exit_map(config: &Config, inputs: &Inputs, exit: &ExitRow) -> String {
    let (unit, gaps) = market_charts::exit_gaps(config, inputs, exit);
    let mut opened: Vec<(f64, usize)> = gaps
        .iter()
        .enumerate()
        .filter(|(_, g)| num(**g) != "0")
        .map(|(d, g)| (*g, d))
        .collect();
    opened.sort_by(|a, b| b.0.total_cmp(&a.0));
    let largest: Vec<String> = opened
        .iter()
        .take(3)
        .map(|&(g, d)| format!("{} ({})", inputs.districts[d].name, amount(g, unit)))
        .collect();
    let taking = market_charts::taking(exit).len();
    let closing = exit.services.len();
    let mut s = if largest.is_empty() {
        format!(
            "If {} left, no district's gap in {} would open",
            exit.provider_name,
            unit.label()
        )
    } else {
        format!(
            "If {} left, the largest gap would open in {}",
            exit.provider_name,
            join(&largest)
        )
    };
    let services = |n: usize| match n {
        0 => "no other service".to_string(),
        1 => "1 other service".to_string(),
        n => format!("{n} other services"),
    };
    s.push_str(&format!(
        "; {} would close, and {} would take its people.",
        match closing {
            1 => "its 1 service".to_string(),
            n => format!("its {n} services"),
        },
        services(taking)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_changes_read_as_sentences() {
        assert_eq!(amount(1.0, Unit::Places), "1 place");
        assert_eq!(amount(15.0, Unit::Places), "15 places");
        assert_eq!(amount(1.0, Unit::Hours), "1 PA hour per week");
        assert_eq!(amount(1_240.0, Unit::Hours), "1,240 PA hours per week");
        assert_eq!(change(6.0, Unit::Places), "+6 places");
        assert_eq!(change(-1.0, Unit::Places), "-1 place");
        assert_eq!(change(0.0, Unit::Places), "0 places");
        assert_eq!(balance(-3.0, Unit::Places), "3 places to spare");
        assert_eq!(join(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(not_shown(0, 7), "");
        assert_eq!(
            not_shown(2, 7),
            "; 2 not shown because fewer than 8 people are involved"
        );
    }
}
