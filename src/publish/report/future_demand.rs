//! The report's "Future demand" section: where the gap grows most, in sentences; reach
//! against expected people; the projection charts and maps; the rates and their sources.
//! Every figure comes from the published projections.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{esc, num, opt, table, Report};
use crate::model::Unit;
use crate::publish::disclosure::MARKER;
use crate::publish::projections::{ProjectionRow, PublishedProjections};

/// How many growing gaps the section lists.
const LISTED: usize = 6;
/// How many lots get their chart and map in the report (all are in `charts/`).
const PICTURED_LOTS: usize = 3;

/// "a shortfall of 15 places", "5 places to spare", "no gap".
fn gap_words(gap: f64, unit: Unit) -> String {
    let unit = match unit {
        Unit::Places => "places",
        Unit::Hours => "hours a week",
    };
    if gap > 0.0 {
        format!("a shortfall of {} {unit}", num(gap))
    } else if gap < 0.0 {
        format!("{} {unit} to spare", num(-gap))
    } else {
        "no gap".into()
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

    /// Growth relative to demand in the first year, so places and hours rank together.
    fn share(&self) -> f64 {
        self.change() / self.from.demand.unwrap_or(1.0).max(1.0)
    }
}

/// Gaps that grow into (or deeper into) a shortfall, largest relative growth first.
fn growing(p: &PublishedProjections) -> Vec<Growth<'_>> {
    let (Some(&first), Some(&last)) = (p.years.first(), p.years.last()) else {
        return Vec::new();
    };
    let mut rows: Vec<Growth> = p
        .rows
        .iter()
        .filter(|r| r.year == last)
        .filter_map(|to| {
            let from = p.row(to.district, to.lot, first)?;
            Some(Growth { from, to })
        })
        .filter(|g| g.from.gap.is_some() && g.to.gap.is_some_and(|x| x > 0.0) && g.change() > 0.5)
        .collect();
    rows.sort_by(|a, b| {
        b.share()
            .total_cmp(&a.share())
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
        s.push_str(&self.gap_table(p, first, last));
        s.push_str(&self.pictures(p));
        s.push_str(&self.reach(p));
        s.push_str(&self.trend_note(p));
        s.push_str(&self.future_notes(p));
        s.push_str("</section>\n");
        s
    }

    fn growth_list(&self, p: &PublishedProjections, first: i32, last: i32) -> String {
        let lots = &self.config.catalogue.lots;
        let rows = growing(p);
        let mut s = format!(
            "<div class=\"key\"><p><strong>Where the gap grows most by {last}</strong>, if supply stays as it is:</p><ul>\n"
        );
        if rows.is_empty() {
            let _ = writeln!(
                s,
                "<li>No district and lot moves further into shortfall between {first} and {last} at today's rates.</li>"
            );
        }
        for g in rows.iter().take(LISTED) {
            let l = &lots[g.to.lot];
            let demand_unit = match l.unit {
                Unit::Places => "people",
                Unit::Hours => "hours a week",
            };
            let mut line = format!(
                "{}: {} {} in {first} becomes {} in {last}, as demand grows from {} to {} {demand_unit} against {} {} today",
                g.to.area_name,
                l.short_label,
                gap_words(g.from.gap.unwrap_or(0.0), l.unit),
                gap_words(g.to.gap.unwrap_or(0.0), l.unit),
                opt(g.from.demand),
                opt(g.to.demand),
                num(g.to.supply),
                l.unit.label()
            );
            if let Some(t) = g.to.trend_gap {
                let _ = write!(
                    line,
                    " ({} under the users-trend scenario)",
                    gap_words(t, l.unit)
                );
            }
            let _ = writeln!(s, "<li class=\"short\">{}.</li>", esc(&line));
        }
        s.push_str("</ul></div>\n");
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
        let rows: Vec<Vec<String>> = self
            .inputs
            .districts
            .iter()
            .enumerate()
            .map(|(d, x)| {
                let mut row = vec![x.name.clone()];
                row.extend((0..lots.len()).map(|lot| {
                    let gap = |year| p.row(d, lot, year).and_then(|r| r.gap);
                    format!("{} → {}", opt(gap(first)), opt(gap(last)))
                }));
                row
            })
            .collect();
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut s = format!(
            "<h3>Gap by district and lot, {first} → {last}</h3>\n<p class=\"note\">Projected demand minus today's supply; positive is a shortfall. Every year and figure is in <code>tables/projections.csv</code>.</p>\n"
        );
        s.push_str(&table(&header_refs, &rows));
        s
    }

    fn pictures(&self, p: &PublishedProjections) -> String {
        let lots = &self.config.catalogue.lots;
        let mut pictured: Vec<usize> = Vec::new();
        for g in growing(p) {
            if !pictured.contains(&g.to.lot) && pictured.len() < PICTURED_LOTS {
                pictured.push(g.to.lot);
            }
        }
        if pictured.is_empty() {
            pictured.extend((0..lots.len()).take(1));
        }
        let mut s = String::from("<div class=\"grid\">\n");
        for lot in pictured {
            let l = &lots[lot];
            s.push_str(&self.figure(
                &format!("projected_demand_{}", l.id),
                &format!("{}: projected demand against today's supply", l.label),
            ));
            s.push_str(&self.figure(
                &format!("map_projected_gap_{}", l.id),
                &format!("{}: projected gap in {}", l.label, p.furthest_year()),
            ));
        }
        s.push_str("</div>\n<p class=\"note\">Charts and maps for every lot are in <code>charts/</code> (<code>projected_demand_&lt;lot&gt;</code>, <code>map_projected_gap_&lt;lot&gt;</code>).</p>\n");
        s
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
        let _ = writeln!(
            s,
            "<p>Expected people are the population of each age band times the prevalence rate below; reach is the people known to services today (current users plus people waiting) divided by the people expected in {base}. Where reach is low, there may be hidden demand: people likely to need a service whom services do not yet know.</p>\n<ul>"
        );
        for &lot in &with_rate {
            let lowest = p
                .lot_year(lot, base)
                .filter_map(|r| r.reach.map(|x| (x, r)))
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((reach, r)) = lowest {
                let _ = writeln!(
                    s,
                    "<li>{}: reach is lowest in {}, where services know {} people against about {} expected ({:.0}%).</li>",
                    esc(&lots[lot].label),
                    esc(&r.area_name),
                    opt(r.known_people.map(f64::from)),
                    num(r.expected_people.unwrap_or(0.0)),
                    reach * 100.0
                );
            }
        }
        s.push_str("</ul>\n");
        let mut headers = vec!["District".to_string()];
        headers.extend(with_rate.iter().map(|&l| lots[l].short_label.clone()));
        let rows: Vec<Vec<String>> =
            self.inputs
                .districts
                .iter()
                .enumerate()
                .map(|(d, x)| {
                    let mut row = vec![x.name.clone()];
                    row.extend(with_rate.iter().map(|&lot| match p.row(d, lot, base) {
                        Some(r) => format!(
                            "{} ({} of {})",
                            r.reach.map_or_else(
                                || MARKER.to_string(),
                                |x| format!("{:.0}%", x * 100.0)
                            ),
                            opt(r.known_people.map(f64::from)),
                            num(r.expected_people.unwrap_or(0.0))
                        ),
                        None => MARKER.to_string(),
                    }));
                    row
                })
                .collect();
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
            s.push_str(&table(&["Lot", "Age band", "Rate", "Source"], &rows));
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
