//! The report's "Future demand" section: where the gap grows most, in sentences; reach
//! against expected people; the projection charts and maps; the rates and their sources.
//! Every figure comes from the published projections.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{esc, findings, num, opt, table, Report};
use crate::model::Unit;
use crate::publish::disclosure::MARKER;
use crate::publish::projections::{ProjectionRow, PublishedProjections};

/// How many growing gaps the section lists for each unit.
const LISTED: usize = 4;
/// How many lots get their chart and map in the report (all are in `charts/`).
const PICTURED_LOTS: usize = 3;

/// "a shortfall of 15 places", "1 place to spare", "no gap".
fn gap_words(gap: f64, unit: Unit) -> String {
    let amount = |x: f64| {
        let one = (x - 1.0).abs() < 0.05;
        match (unit, one) {
            (Unit::Places, true) => "1 place".to_string(),
            (Unit::Places, false) => format!("{} places", num(x)),
            (Unit::Hours, true) => "1 hour a week".to_string(),
            (Unit::Hours, false) => format!("{} hours a week", num(x)),
        }
    };
    if gap > 0.0 {
        format!("a shortfall of {}", amount(gap))
    } else if gap < 0.0 {
        format!("{} to spare", amount(-gap))
    } else {
        "no gap".into()
    }
}

/// Expected people as published (already to the nearest 5).
fn people_words(x: f64) -> String {
    num(x.round())
}

/// A share as a whole percentage, "under 1%" when it would round to 0.
fn percent(x: f64) -> String {
    if x > 0.0 && x < 0.005 {
        "under 1%".into()
    } else {
        format!("{:.0}%", x * 100.0)
    }
}

/// A district and lot whose gap grows between the first and the furthest year.
struct Growth<'a> {
    from: &'a ProjectionRow,
    to: &'a ProjectionRow,
}

impl Growth<'_> {
    fn change(&self) -> f64 {
        self.to.gap.unwrap_or(0.0) - self.from.gap.unwrap_or(0.0)
    }
}

/// Gaps in one unit that grow into (or deeper into) a shortfall, largest growth first
/// (ties: the larger shortfall in the furthest year first).
fn growing(p: &PublishedProjections, unit: Unit) -> Vec<Growth<'_>> {
    let (Some(&first), Some(&last)) = (p.years.first(), p.years.last()) else {
        return Vec::new();
    };
    let mut rows: Vec<Growth> = p
        .rows
        .iter()
        .filter(|r| r.year == last && r.unit == unit)
        .filter_map(|to| {
            let from = p.row(to.district, to.lot, first)?;
            Some(Growth { from, to })
        })
        .filter(|g| g.from.gap.is_some() && g.to.gap.is_some_and(|x| x > 0.0) && g.change() > 0.5)
        .collect();
    let gap = |g: &Growth| g.to.gap.unwrap_or(0.0);
    rows.sort_by(|a, b| {
        b.change()
            .total_cmp(&a.change())
            .then(gap(b).total_cmp(&gap(a)))
            .then(a.to.district.cmp(&b.to.district))
            .then(a.to.lot.cmp(&b.to.lot))
    });
    rows
}

impl Report<'_> {
    pub(super) fn future_demand(&self) -> String {
        let mut s = String::from("<section id=\"future\"><h2>Future demand</h2>\n");
        let Some(p) = &self.published.projections else {
            s.push_str("<p>No population file is configured (<code>inputs.population</code>), so demand is not projected.</p>\n</section>\n");
            return s;
        };
        let (first, last) = (
            p.years.first().copied().unwrap_or(p.base_year),
            p.furthest_year(),
        );
        let _ = writeln!(
            s,
            "<p>Demand (current users plus people waiting) is projected from {first} to {last} at today's rate per head of population in each age band ({}), the method PANSI and POPPI use, with supply kept as it is today. Hour-measured lots project hours.</p>",
            esc(&self.config.file.projections.age_bands.join(", "))
        );
        s.push_str(&self.growth_list(p, first, last));
        s.push_str(&self.grouping_lines(p, first, last));
        s.push_str(&self.gap_table(p, first, last));
        s.push_str(&self.pictures(p));
        s.push_str(&self.reach(p));
        s.push_str(&self.trend_note(p));
        s.push_str(&self.future_notes(p));
        s.push_str("</section>\n");
        s
    }

    fn growth_list(&self, p: &PublishedProjections, first: i32, last: i32) -> String {
        let mut s = format!(
            "<div class=\"key\"><p><strong>Where the gap grows most by {last}</strong>, if supply stays as it is:</p><ul>\n"
        );
        let rows: Vec<Growth> = [Unit::Places, Unit::Hours]
            .into_iter()
            .flat_map(|unit| growing(p, unit).into_iter().take(LISTED))
            .collect();
        if rows.is_empty() {
            let _ = writeln!(
                s,
                "<li>No district and lot moves further into shortfall between {first} and {last} at today's rates.</li>"
            );
        }
        for g in &rows {
            let _ = writeln!(
                s,
                "<li class=\"short\">{}.</li>",
                esc(&self.growth_sentence(g, first, last))
            );
        }
        let _ = writeln!(
            s,
            "</ul><p class=\"note\">Listed: up to {LISTED} day-service and {LISTED} hour-measured districts and lots, largest growth in the gap first. Counts of people are rounded to the nearest {}, so a change of {} places may be partly rounding.</p></div>",
            self.published.disclosure.base,
            self.published.disclosure.base
        );
        s
    }

    /// "Melton, PMLD: from a shortfall of 7 places in 2025 to a shortfall of 12 places in
    /// 2040, as demand grows from 10 to 15 people against 3 places today".
    fn growth_sentence(&self, g: &Growth, first: i32, last: i32) -> String {
        let l = &self.config.catalogue.lots[g.to.lot];
        let (demand_unit, supply_unit) = match l.unit {
            Unit::Places => ("people", "places"),
            Unit::Hours => ("hours a week", "hours a week"),
        };
        let (from_gap, to_gap) = (g.from.gap.unwrap_or(0.0), g.to.gap.unwrap_or(0.0));
        let gaps = if from_gap == to_gap {
            format!("{} in {first} and in {last}", gap_words(to_gap, l.unit))
        } else {
            format!(
                "from {} in {first} to {} in {last}",
                gap_words(from_gap, l.unit),
                gap_words(to_gap, l.unit)
            )
        };
        let demand = if g.from.demand == g.to.demand {
            format!("with demand at {} {demand_unit}", opt(g.to.demand))
        } else {
            format!(
                "as demand {} from {} to {} {demand_unit}",
                if g.to.demand > g.from.demand {
                    "grows"
                } else {
                    "falls"
                },
                opt(g.from.demand),
                opt(g.to.demand)
            )
        };
        let mut line = format!(
            "{}, {}: {gaps}, {demand} against {} {supply_unit} today",
            g.to.area_name,
            l.short_label,
            num(g.to.supply),
        );
        if let Some(t) = g.to.trend_gap {
            let _ = write!(
                line,
                " ({} under the users-trend scenario)",
                gap_words(t, l.unit)
            );
        }
        line
    }

    /// For each grouping of districts, its lots in shortfall in the furthest year.
    fn grouping_lines(&self, p: &PublishedProjections, first: i32, last: i32) -> String {
        let mut s = String::new();
        for (g, grouping) in self.config.catalogue.groupings.iter().enumerate() {
            let lines: Vec<String> = p
                .groupings
                .iter()
                .filter(|r| r.district == g && r.year == last && r.gap.is_some_and(|x| x > 0.0))
                .filter_map(|to| {
                    let from = p
                        .groupings
                        .iter()
                        .find(|r| r.district == g && r.lot == to.lot && r.year == first)?;
                    Some(self.growth_sentence(&Growth { from, to }, first, last))
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            let _ = writeln!(s, "<h3>{}</h3>\n<ul>", esc(&grouping.label));
            for line in lines {
                let _ = writeln!(s, "<li>{}.</li>", esc(&line));
            }
            s.push_str("</ul>\n");
        }
        if !s.is_empty() {
            s.push_str("<p class=\"note\">A grouping's figures are sums of its districts' published figures; where a district's figure is not shown, the grouping's is not either.</p>\n");
        }
        s
    }

    fn gap_table(&self, p: &PublishedProjections, first: i32, last: i32) -> String {
        let lots = &self.config.catalogue.lots;
        let mut headers = vec!["District".to_string()];
        headers.extend(lots.iter().map(|l| {
            let unit = match l.unit {
                Unit::Places => "places",
                Unit::Hours => "hours",
            };
            format!("{} ({unit})", l.short_label)
        }));
        let rows = self.by_district(|d| {
            (0..lots.len())
                .map(|lot| {
                    let gap = |year| p.row(d, lot, year).and_then(|r| r.gap);
                    format!("{} → {}", opt(gap(first)), opt(gap(last)))
                })
                .collect()
        });
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut s = format!(
            "<h3 id=\"future-gaps\">Gap by district and lot, {first} → {last}</h3>\n<p class=\"note\">Projected demand minus today's supply; positive is a shortfall. Every year and figure is in <code>tables/projections.csv</code>.</p>\n"
        );
        s.push_str(&table(&header_refs, &rows));
        s
    }

    fn pictures(&self, p: &PublishedProjections) -> String {
        let lots = &self.config.catalogue.lots;
        let mut pictured: Vec<usize> = Vec::new();
        for g in [Unit::Places, Unit::Hours]
            .into_iter()
            .flat_map(|u| growing(p, u).into_iter().take(1))
            .chain(growing(p, Unit::Places))
        {
            if !pictured.contains(&g.to.lot) && pictured.len() < PICTURED_LOTS {
                pictured.push(g.to.lot);
            }
        }
        if pictured.is_empty() {
            pictured.extend((0..lots.len()).take(1));
        }
        let threshold = self.published.disclosure.threshold;
        let mut s = String::from("<div class=\"grid\">\n");
        for &lot in &pictured {
            let l = &lots[lot];
            s.push_str(&self.figure_told(
                &format!("projected_demand_{}", l.id),
                &format!("{}: projected demand against today's supply", l.label),
                &findings::projected_demand(self.config, p, lot, threshold),
                Some(&format!("future-demand-{}", l.id)),
            ));
            s.push_str(&self.figure_told(
                &format!("map_projected_gap_{}", l.id),
                &format!("{}: projected gap in {}", l.label, p.furthest_year()),
                &findings::projected_gap(self.config, p, lot, threshold),
                Some("future-gaps"),
            ));
        }
        s.push_str("</div>\n");
        for &lot in &pictured {
            s.push_str(&self.demand_table(p, lot));
        }
        s.push_str("<p class=\"note\">Charts and maps for every lot are in <code>charts/</code> (<code>projected_demand_&lt;lot&gt;</code>, <code>map_projected_gap_&lt;lot&gt;</code>).</p>\n");
        s
    }

    /// A row for each district: its name, then `cells(district)`.
    fn by_district(&self, cells: impl Fn(usize) -> Vec<String>) -> Vec<Vec<String>> {
        self.inputs
            .districts
            .iter()
            .enumerate()
            .map(|(d, x)| {
                let mut row = vec![x.name.clone()];
                row.extend(cells(d));
                row
            })
            .collect()
    }

    /// Today's supply and the projected demand of one lot by district in every year: the
    /// figures of its projected-demand chart, folded away.
    fn demand_table(&self, p: &PublishedProjections, lot: usize) -> String {
        let l = &self.config.catalogue.lots[lot];
        let mut headers = vec!["District".to_string(), "Supply today".to_string()];
        headers.extend(p.years.iter().map(|y| format!("Demand {y}")));
        let rows = self.by_district(|d| {
            let first = p.years.first().and_then(|&y| p.row(d, lot, y));
            let mut row = vec![first.map_or_else(|| MARKER.to_string(), |r| num(r.supply))];
            row.extend(
                p.years
                    .iter()
                    .map(|&y| opt(p.row(d, lot, y).and_then(|r| r.demand))),
            );
            row
        });
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        super::folded_table(
            &format!("future-demand-{}", l.id),
            &format!(
                "{}: projected demand and today's supply by district ({}): the figures of its chart",
                l.label,
                l.unit.label()
            ),
            &header_refs,
            &rows,
        )
    }

    fn reach(&self, p: &PublishedProjections) -> String {
        let lots = &self.config.catalogue.lots;
        let with_rate: Vec<usize> = (0..lots.len())
            .filter(|&lot| {
                p.rows
                    .iter()
                    .any(|r| r.lot == lot && r.expected_people.is_some())
            })
            .collect();
        let mut s =
            String::from("<h3>Reach: people known to services against people expected</h3>\n");
        if with_rate.is_empty() {
            s.push_str("<p>No prevalence rates are configured (<code>projections.prevalence</code>), so expected people and reach are not estimated.</p>\n");
            return s;
        }
        let base = p.base_year;
        let rounding = crate::publish::projections::EXPECTED_PEOPLE_ROUNDING;
        let _ = writeln!(
            s,
            "<p>Expected people are the population of each age band times the prevalence rate below, a modelled estimate shown to the nearest {rounding} people as published prevalence estimates are; reach is the people known to services today (current users plus people waiting) divided by the people expected in {base}, both as shown here, to the whole percent. Where reach is low, there may be hidden demand: people likely to need a service whom services do not yet know.</p>\n<ul>"
        );
        for &lot in &with_rate {
            let shown: Vec<(f64, &ProjectionRow)> = p
                .lot_year(lot, base)
                .filter_map(|r| r.reach.map(|x| (x, r)))
                .collect();
            let all = p.lot_year(lot, base).count();
            let among = match shown.len() {
                n if n == all => String::new(),
                1 => " (the only district whose count is shown)".to_string(),
                n => format!(" (of the {n} districts whose count is shown)"),
            };
            let lowest = shown.iter().min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((reach, r)) = lowest {
                let _ = writeln!(
                    s,
                    "<li>{}: reach is lowest in {}{among}, where services know {} people against about {} expected ({}).</li>",
                    esc(&lots[lot].label),
                    esc(&r.area_name),
                    opt(r.known_people.map(f64::from)),
                    people_words(r.expected_people.unwrap_or(0.0)),
                    percent(*reach)
                );
            }
        }
        s.push_str("</ul>\n");
        let mut headers = vec!["District".to_string()];
        headers.extend(with_rate.iter().map(|&l| lots[l].short_label.clone()));
        let rows = self.by_district(|d| {
            with_rate
                .iter()
                .map(|&lot| match p.row(d, lot, base) {
                    Some(r) => format!(
                        "{} ({} of {})",
                        r.reach.map_or_else(|| MARKER.to_string(), percent),
                        opt(r.known_people.map(f64::from)),
                        people_words(r.expected_people.unwrap_or(0.0))
                    ),
                    None => MARKER.to_string(),
                })
                .collect()
        });
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        s.push_str(&table(&header_refs, &rows));
        s
    }

    fn trend_note(&self, p: &PublishedProjections) -> String {
        let Some(fits) = &p.trend else {
            return String::new();
        };
        let parts: Vec<String> = fits
            .iter()
            .map(|f| match f.annual_change {
                Some(g) => format!(
                    "aged {}: {:+.1}% a year (over {} points)",
                    f.age_band,
                    g * 100.0,
                    f.points
                ),
                None => format!(
                    "aged {}: no trend (fewer than two dated counts above zero), so kept as it is",
                    f.age_band
                ),
            })
            .collect();
        format!(
            "<h3>Users-trend scenario</h3>\n<p>A second scenario grows today's demand in each age band at the annual rate of change in the council's users-over-time series instead of with population. The fit is a least-squares line through the logarithm of users against time for each age band, that is a constant annual rate: {}. Its gaps are the <code>trend_</code> columns of <code>tables/projections.csv</code>.</p>\n",
            esc(&parts.join("; "))
        )
    }

    fn future_notes(&self, p: &PublishedProjections) -> String {
        let cfg = &self.config.file.projections;
        let mut s = String::new();
        if !cfg.prevalence.is_empty() {
            s.push_str("<h3>Prevalence rates</h3>\n");
            let lots = &self.config.catalogue.lots;
            let rows: Vec<Vec<String>> = cfg
                .prevalence
                .iter()
                .map(|e| {
                    let label = lots
                        .iter()
                        .find(|l| l.id == e.lot)
                        .map_or_else(|| e.lot.clone(), |l| l.label.clone());
                    vec![
                        label,
                        e.age_band.clone(),
                        format!("{:.3}%", e.rate * 100.0),
                        e.source.clone(),
                    ]
                })
                .collect();
            s.push_str(&text_table(&["Lot", "Age band", "Rate", "Source"], &rows));
        }
        let mut notes = Vec::new();
        if let Some(source) = &cfg.population_source {
            notes.push(format!("Population: {source}."));
        }
        if !p.left_out_years.is_empty() {
            let years: BTreeSet<String> = p.left_out_years.iter().map(i32::to_string).collect();
            notes.push(format!(
                "The population file has no figures for {}, so {} not projected.",
                years.iter().cloned().collect::<Vec<_>>().join(", "),
                if years.len() == 1 {
                    "that year is"
                } else {
                    "those years are"
                }
            ));
        }
        notes.push(format!(
            "Projected counts of people come from real people's records, so they are controlled like today's: where today's count in a district and lot is below {}, its projections are not shown ({MARKER}); others are rounded to the nearest {}. Gaps are computed from the published figures.",
            self.published.disclosure.threshold + 1,
            self.published.disclosure.base
        ));
        for n in notes {
            let _ = writeln!(s, "<p class=\"note\">{}</p>", esc(&n));
        }
        s
    }
}

/// A table of text, every column left-aligned (sources read badly aligned right).
fn text_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = String::from("<table>\n<thead><tr>");
    for h in headers {
        let _ = write!(t, "<th>{}</th>", esc(h));
    }
    t.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        t.push_str("<tr>");
        for cell in row {
            let _ = write!(t, "<td>{}</td>", esc(cell));
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</tbody>\n</table>\n");
    t
}
