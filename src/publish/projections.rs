//! Future demand as published: disclosure control on projected counts of people, the
//! `tables/projections` table, a chart of projected demand against supply for each lot and
//! a map of each lot's projected gap in the furthest year.
//!
//! Projected people are derived from real people's records, so they pass through the same
//! [`Disclosure`] step as today's counts: when today's people (current users + waiting) in a
//! district and lot are suppressed, every projection of them is too (a projection divided
//! by the published population growth would reveal them); otherwise each projected count
//! is rounded to a whole person and then suppressed or rounded like any count. Projected
//! hours are published only with their projected people. Expected people (population x a
//! published prevalence rate) describe no one's record, so need no disclosure control, but
//! they are modelled estimates: they are published rounded to the nearest
//! [`EXPECTED_PEOPLE_ROUNDING`], as prevalence estimates such as POPPI and PANSI are, so that
//! no one reads "370.1 people" as a count. Reach is computed from the published figures
//! (people known to services, as published, over expected people, as published) so that a
//! reader dividing the one by the other gets the reach shown; a grouping's expected people
//! are the sum of its districts' published figures. The analysis
//! ([`crate::analyse::projections`]) keeps the unrounded estimates; no gap depends on them.

use crate::analyse::projections::{FutureDemand, ProjectionCell, TrendFit};
use crate::config::Config;
use crate::io::table::Table;
use crate::load::Inputs;
use crate::model::{ServiceStatus, Unit};
use crate::publish::charts::{BarChart, BarSeries, ChoroplethMap, MapPoint, MapRegion, Palette};
use crate::publish::disclosure::{Disclosure, Published, MARKER};

/// One district, lot and year, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionRow {
    pub district: usize,
    pub area_code: String,
    pub area_name: String,
    pub lot: usize,
    pub unit: Unit,
    pub year: i32,
    pub population: f64,
    pub expected_people: Option<f64>,
    /// People known to services today (current users + waiting): data-year rows only.
    pub known_people: Published,
    /// Known people / expected people: data-year rows only.
    pub reach: Option<f64>,
    pub people: Published,
    /// In the lot's unit; `None` when suppressed.
    pub demand: Option<f64>,
    pub supply: f64,
    pub gap: Option<f64>,
    pub trend_people: Published,
    pub trend_demand: Option<f64>,
    pub trend_gap: Option<f64>,
}

/// Future demand as it may appear in an output.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedProjections {
    pub base_year: i32,
    pub years: Vec<i32>,
    pub left_out_years: Vec<i32>,
    pub rows: Vec<ProjectionRow>,
    /// Groupings of districts (such as "the east of the county"): sums of the published
    /// district rows, suppressed where any part is; `district` is the grouping's index.
    pub groupings: Vec<ProjectionRow>,
    pub trend: Option<Vec<TrendFit>>,
}

impl PublishedProjections {
    /// The last year projected.
    pub fn furthest_year(&self) -> i32 {
        self.years.last().copied().unwrap_or(self.base_year)
    }

    /// The row of a district, lot and year.
    pub fn row(&self, district: usize, lot: usize, year: i32) -> Option<&ProjectionRow> {
        self.rows
            .iter()
            .find(|r| r.district == district && r.lot == lot && r.year == year)
    }

    /// The rows of one lot in one year, in district order.
    pub fn lot_year(&self, lot: usize, year: i32) -> impl Iterator<Item = &ProjectionRow> {
        self.rows
            .iter()
            .filter(move |r| r.lot == lot && r.year == year)
    }
}

/// Expected people are published to the nearest this many people.
pub const EXPECTED_PEOPLE_ROUNDING: f64 = 5.0;

/// Expected people as published: to the nearest [`EXPECTED_PEOPLE_ROUNDING`] (halves up).
pub fn expected_people_shown(expected: f64) -> f64 {
    (expected / EXPECTED_PEOPLE_ROUNDING).round() * EXPECTED_PEOPLE_ROUNDING
}

/// People known / people expected, both as published; `None` when none are expected.
fn reach(known: Published, expected: Option<f64>) -> Option<f64> {
    match (known, expected) {
        (Some(k), Some(e)) if e > 0.0 => Some(f64::from(k) / e),
        _ => None,
    }
}

/// A share as a whole percentage.
fn whole_percent(share: f64) -> i64 {
    (share * 100.0).round() as i64
}

/// A projection of people, published: suppressed with today's count, else rounded to a
/// whole person and then controlled like any count.
fn projected(d: &Disclosure, today: Published, people: f64) -> Published {
    today.and_then(|_| d.count(people.round().max(0.0) as u32))
}

/// Demand in the lot's unit from a published projection of people: the people themselves
/// for places, the hours (to the whole hour) when the people are shown.
fn demand_of(unit: Unit, people: Published, hours: f64) -> Option<f64> {
    match unit {
        Unit::Places => people.map(f64::from),
        Unit::Hours => people.map(|_| hours.round()),
    }
}

/// Applies disclosure control to the analysis's future demand.
pub fn publish(
    config: &Config,
    inputs: &Inputs,
    future: &FutureDemand,
    d: &Disclosure,
) -> PublishedProjections {
    let rows: Vec<ProjectionRow> = future
        .cells
        .iter()
        .map(|c| row(config, inputs, future.base_year, c, d))
        .collect();
    PublishedProjections {
        base_year: future.base_year,
        years: future.years.clone(),
        left_out_years: future.left_out_years.clone(),
        groupings: group_rows(config, &rows),
        rows,
        trend: future.trend.clone(),
    }
}

/// A row for each grouping, lot and year, summed from the published district rows: a sum
/// with a suppressed part is suppressed, so a grouping never reveals a suppressed district.
fn group_rows(config: &Config, rows: &[ProjectionRow]) -> Vec<ProjectionRow> {
    let mut out = Vec::new();
    // Every district has the same lots and years: take them from the first.
    let keys: Vec<(usize, i32, Unit)> = rows
        .iter()
        .filter(|r| r.district == 0)
        .map(|r| (r.lot, r.year, r.unit))
        .collect();
    for (g, grouping) in config.catalogue.groupings.iter().enumerate() {
        for &(lot, year, unit) in &keys {
            let members: Vec<&ProjectionRow> = rows
                .iter()
                .filter(|r| r.lot == lot && r.year == year)
                .filter(|r| grouping.district_codes.contains(&r.area_code))
                .collect();
            out.push(sum_rows(
                g,
                &grouping.id,
                &grouping.label,
                lot,
                year,
                unit,
                &members,
            ));
        }
    }
    out
}

fn sum_rows(
    index: usize,
    code: &str,
    name: &str,
    lot: usize,
    year: i32,
    unit: Unit,
    members: &[&ProjectionRow],
) -> ProjectionRow {
    let count =
        |f: fn(&ProjectionRow) -> Published| members.iter().map(|r| f(r)).sum::<Option<u32>>();
    let amount =
        |f: fn(&ProjectionRow) -> Option<f64>| members.iter().map(|r| f(r)).sum::<Option<f64>>();
    let supply: f64 = members.iter().map(|r| r.supply).sum();
    let known = count(|r| r.known_people);
    let expected = amount(|r| r.expected_people);
    let demand = amount(|r| r.demand);
    let trend_demand = amount(|r| r.trend_demand);
    ProjectionRow {
        district: index,
        area_code: code.to_string(),
        area_name: name.to_string(),
        lot,
        unit,
        year,
        population: members.iter().map(|r| r.population).sum(),
        expected_people: expected,
        known_people: known,
        reach: reach(known, expected),
        people: count(|r| r.people),
        demand,
        supply,
        gap: demand.map(|x| x - supply),
        trend_people: count(|r| r.trend_people),
        trend_demand,
        trend_gap: trend_demand.map(|x| x - supply),
    }
}

fn row(
    config: &Config,
    inputs: &Inputs,
    base_year: i32,
    c: &ProjectionCell,
    d: &Disclosure,
) -> ProjectionRow {
    let unit = config.catalogue.lots[c.lot].unit;
    let district = &inputs.districts[c.district];
    let today = d.count(c.known_people);
    let people = projected(d, today, c.people);
    let demand = demand_of(unit, people, c.demand);
    let trend_people = c.trend_people.and_then(|p| projected(d, today, p));
    let trend_demand = c
        .trend_demand
        .and_then(|h| demand_of(unit, trend_people, h));
    let base = c.year == base_year;
    let expected = c.expected_people.map(expected_people_shown);
    ProjectionRow {
        district: c.district,
        area_code: district.code.clone(),
        area_name: district.name.clone(),
        lot: c.lot,
        unit,
        year: c.year,
        population: c.population,
        expected_people: expected,
        known_people: if base { today } else { None },
        reach: if base { reach(today, expected) } else { None },
        people,
        demand,
        supply: c.supply,
        gap: demand.map(|x| x - c.supply),
        trend_people,
        trend_demand,
        trend_gap: trend_demand.map(|x| x - c.supply),
    }
}

fn opt_u(rows: &[ProjectionRow], f: impl Fn(&ProjectionRow) -> Published) -> Vec<Option<i64>> {
    rows.iter().map(|r| f(r).map(i64::from)).collect()
}

fn floats(rows: &[ProjectionRow], f: impl Fn(&ProjectionRow) -> Option<f64>) -> Vec<Option<f64>> {
    rows.iter().map(f).collect()
}

/// `tables/projections`: one row per district, lot and year.
pub fn table(config: &Config, p: &PublishedProjections) -> Table {
    let lots = &config.catalogue.lots;
    let rows: &Vec<ProjectionRow> = &p.rows.iter().chain(&p.groupings).cloned().collect();
    let text = |f: &dyn Fn(&ProjectionRow) -> String| rows.iter().map(f).collect::<Vec<_>>();
    let table = Table::default()
        .text("area_code", text(&|r| r.area_code.clone()))
        .text("area_name", text(&|r| r.area_name.clone()))
        .text("lot", text(&|r| lots[r.lot].id.clone()))
        .text("lot_label", text(&|r| lots[r.lot].label.clone()))
        .text("unit", text(&|r| r.unit.label().to_string()))
        .int(
            "year",
            rows.iter().map(|r| Some(i64::from(r.year))).collect(),
        )
        .float("population", floats(rows, |r| Some(r.population)), 0)
        .int(
            "expected_people",
            rows.iter()
                .map(|r| r.expected_people.map(|e| e.round() as i64))
                .collect(),
        )
        .int("known_people", opt_u(rows, |r| r.known_people))
        .int(
            "reach_percent",
            rows.iter().map(|r| r.reach.map(whole_percent)).collect(),
        )
        .int("projected_people", opt_u(rows, |r| r.people))
        .float("projected_demand", floats(rows, |r| r.demand), 2)
        .float("supply", floats(rows, |r| Some(r.supply)), 2)
        .float("projected_gap", floats(rows, |r| r.gap), 2);
    if p.trend.is_none() {
        return table;
    }
    table
        .int("trend_people", opt_u(rows, |r| r.trend_people))
        .float("trend_demand", floats(rows, |r| r.trend_demand), 2)
        .float("trend_gap", floats(rows, |r| r.trend_gap), 2)
}

fn people_note(d: &Disclosure) -> String {
    format!(
        "Projected counts of people rounded to the nearest {}; {MARKER} = today's or the projected count is fewer than {} people, suppressed to protect privacy",
        d.base,
        d.threshold + 1
    )
}

/// A bar chart for each lot: today's supply and projected demand by district in each year.
pub fn charts(
    config: &Config,
    inputs: &Inputs,
    p: &PublishedProjections,
    d: &Disclosure,
) -> Vec<(String, BarChart)> {
    let districts: Vec<String> = inputs.districts.iter().map(|x| x.name.clone()).collect();
    config
        .catalogue
        .lots
        .iter()
        .enumerate()
        .map(|(lot, l)| {
            // Supply is today's in every year; take it from the first year's rows.
            let first = p.years.first().copied().unwrap_or(p.base_year);
            let mut series = vec![BarSeries {
                label: "Supply today (kept as it is)".into(),
                values: p.lot_year(lot, first).map(|r| Some(r.supply)).collect(),
            }];
            series.extend(p.years.iter().map(|&year| BarSeries {
                label: format!("Demand {year}"),
                values: p.lot_year(lot, year).map(|r| r.demand).collect(),
            }));
            let chart = BarChart {
                title: format!("{}: projected demand against today's supply", l.label),
                subtitle: Some(format!(
                    "{} {}, by district, at today's rate per head of population in each age band",
                    capitalise(l.unit.label()),
                    year_span(p)
                )),
                categories: districts.clone(),
                series,
                value_label: capitalise(l.unit.label()),
                footnote: Some(people_note(d)),
            };
            // Ranked by the furthest year's demand (the last series).
            let chart = crate::publish::figures::keep_largest(chart, "most demand", |values| {
                values.last().copied().unwrap_or(f64::NEG_INFINITY)
            });
            (format!("projected_demand_{}", l.id), chart)
        })
        .collect()
}

fn year_span(p: &PublishedProjections) -> String {
    match (p.years.first(), p.years.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), _) => format!("in {a}"),
        _ => String::new(),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A map for each lot of the projected gap in the furthest year, with today's services.
pub fn maps(
    config: &Config,
    inputs: &Inputs,
    p: &PublishedProjections,
) -> Vec<(String, ChoroplethMap)> {
    let year = p.furthest_year();
    config
        .catalogue
        .lots
        .iter()
        .enumerate()
        .map(|(lot, l)| {
            let regions: Vec<MapRegion> = inputs
                .districts
                .iter()
                .enumerate()
                .map(|(i, x)| MapRegion {
                    name: x.name.clone(),
                    geometry: std::sync::Arc::new(x.geometry.clone()),
                    value: p.row(i, lot, year).and_then(|r| r.gap),
                })
                .collect();
            let values: Vec<f64> = regions.iter().filter_map(|r| r.value).collect();
            let map = ChoroplethMap {
                title: format!("{}: projected gap in {year}", l.label),
                subtitle: Some(format!(
                    "Projected demand minus today's supply, {}, if supply stays as it is",
                    l.unit.label()
                )),
                regions,
                breaks: crate::publish::figures::class_breaks(&values, &config.file.maps),
                palette: Palette::Diverging,
                legend_title: format!("Projected gap ({})", l.unit.label()),
                label_regions: true,
                points: inputs
                    .services
                    .iter()
                    .filter(|s| s.status == ServiceStatus::Active && s.lots.contains(&lot))
                    .map(|s| MapPoint {
                        lon: s.location.x(),
                        lat: s.location.y(),
                        label: None,
                    })
                    .collect(),
                points_label: Some("Active services for this lot today".into()),
                attribution: config.attribution(),
            };
            (format!("map_projected_gap_{}", l.id), map)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(code: &str, people: Published, demand: Option<f64>, supply: f64) -> ProjectionRow {
        ProjectionRow {
            district: 0,
            area_code: code.into(),
            area_name: code.into(),
            lot: 0,
            unit: Unit::Places,
            year: 2040,
            population: 100.0,
            expected_people: Some(5.0),
            known_people: None,
            reach: None,
            people,
            demand,
            supply,
            gap: demand.map(|x| x - supply),
            trend_people: None,
            trend_demand: None,
            trend_gap: None,
        }
    }

    #[test]
    fn a_grouping_is_suppressed_when_any_district_is() {
        let a = member("E1", Some(10), Some(10.0), 4.0);
        let b = member("E2", Some(15), Some(15.0), 3.0);
        let hidden = member("E3", None, None, 2.0);
        let shown = sum_rows(0, "east", "East", 0, 2040, Unit::Places, &[&a, &b]);
        // 10 + 15 people against 4 + 3 places: gap 18; expected 5 + 5 (published figures,
        // each to the nearest 5); population 200.
        assert_eq!(
            (shown.people, shown.demand, shown.supply, shown.gap),
            (Some(25), Some(25.0), 7.0, Some(18.0))
        );
        assert_eq!(
            (shown.expected_people, shown.population),
            (Some(10.0), 200.0)
        );
        let with_hidden = sum_rows(0, "east", "East", 0, 2040, Unit::Places, &[&a, &hidden]);
        assert_eq!(
            (with_hidden.people, with_hidden.demand, with_hidden.gap),
            (None, None, None)
        );
        assert_eq!(with_hidden.supply, 6.0);
    }

    #[test]
    fn expected_people_are_shown_to_the_nearest_5() {
        for (modelled, shown) in [
            (370.1, 370.0),
            (372.4, 370.0),
            (372.5, 375.0),
            (2.4, 0.0),
            (2.5, 5.0),
            (0.0, 0.0),
        ] {
            assert_eq!(expected_people_shown(modelled), shown, "{modelled}");
        }
    }

    #[test]
    fn reach_is_the_published_known_over_the_published_expected() {
        // 12 known against 73 expected, shown as 75: 12 / 75 = 16%, not 12 / 73 = 16.4%.
        assert_eq!(reach(Some(12), Some(75.0)), Some(0.16));
        assert_eq!(whole_percent(0.16), 16);
        assert_eq!(whole_percent(10.0 / 75.0), 13);
        assert_eq!(reach(Some(3), Some(0.0)), None, "nobody expected");
        assert_eq!(reach(None, Some(75.0)), None, "known suppressed");
    }

    const D: Disclosure = Disclosure {
        threshold: 7,
        base: 5,
    };

    #[test]
    fn projections_of_a_suppressed_count_are_suppressed() {
        // Today 5 people: suppressed, so 12.4 projected people are not shown either.
        assert_eq!(projected(&D, D.count(5), 12.4), None);
        // Today 10 (published 10): 12.4 projected rounds to 12, published as 10.
        assert_eq!(projected(&D, D.count(10), 12.4), Some(10));
        // 13 published as 15; a projection falling to 6.6 (7 people) is suppressed.
        assert_eq!(projected(&D, D.count(10), 12.6), Some(15));
        assert_eq!(projected(&D, D.count(10), 6.6), None);
        // Hours follow their people.
        assert_eq!(demand_of(Unit::Hours, None, 40.2), None);
        assert_eq!(demand_of(Unit::Hours, Some(10), 40.6), Some(41.0));
        assert_eq!(demand_of(Unit::Places, Some(10), 12.4), Some(10.0));
    }
}
