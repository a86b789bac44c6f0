//! The report's "Market shape and resilience" section: who holds each lot and how
//! concentrated it is (a chart and the HHI in words), the five provider exits that would
//! leave most people without a place (in sentences that name the providers), and the map
//! of the largest. Every figure comes from the published market.

use std::fmt::Write as _;

use super::findings::{self, join};
use super::{esc, num, table, Report};
use crate::config::Config;
use crate::load::Inputs;
use crate::publish::disclosure::MARKER;
use crate::publish::market::{ExitRow, MarketSummary, PublishedMarket, HHI_LINE};
use crate::publish::market_charts::{CONCENTRATION, LARGEST_EXIT};
use crate::publish::published::PublishedRun;

/// How many exits the section tells in sentences.
const TOLD: usize = 5;
/// How many highly concentrated district markets the section names.
const NAMED_DISTRICTS: usize = 8;

/// A share as a whole percentage.
fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// What an HHI amounts to: "a single provider", "about 4 providers of equal size".
pub fn hhi_like(hhi: f64) -> String {
    let equal = 10_000.0 / hhi.max(1.0);
    if equal < 1.05 {
        "a single provider".to_string()
    } else {
        format!("about {} providers of equal size", num(equal.round()))
    }
}

/// The HHI in words: its value, what it amounts to, and whether it is above the line.
pub fn hhi_words(hhi: f64) -> String {
    let like = hhi_like(hhi);
    let verdict = if hhi > HHI_LINE {
        format!("highly concentrated (above {})", num(HHI_LINE))
    } else {
        format!("not highly concentrated (at or below {})", num(HHI_LINE))
    };
    format!(
        "HHI {}, as concentrated as {like}: {verdict}",
        num(hhi.round())
    )
}

/// One lot's market in a sentence.
fn lot_sentence(config: &Config, m: &MarketSummary) -> String {
    let lot = &config.catalogue.lots[m.lot];
    let Some(first) = m.rows.first() else {
        return format!("{}: no active services", lot.label);
    };
    let providers = if m.providers == 1 {
        "1 provider".to_string()
    } else {
        format!("{} providers", m.providers)
    };
    let top = match (m.providers, m.share_top_three) {
        (1, _) => String::new(),
        (2 | 3, _) => String::new(),
        (_, Some(s)) => format!(", and the three largest {}", percent(s)),
        (_, None) => String::new(),
    };
    format!(
        "{}: {providers}; the largest, {}, holds {} of the {} {}{top}; {}",
        lot.label,
        first.provider_name,
        percent(first.share_of_supply),
        num(m.supply),
        lot.unit.label(),
        m.hhi.map_or_else(|| "no supply".to_string(), hhi_words)
    )
}

/// "25 people", or "a few people (fewer than 8)" when the count is suppressed.
fn people(n: Option<u32>, threshold: u32) -> String {
    match n {
        Some(1) => "1 person".to_string(),
        Some(n) => format!("{} people", num(f64::from(n))),
        None => format!("a few people (fewer than {})", threshold + 1),
    }
}

/// The sentence of one exit: who could not be placed, where and for what, and what the
/// people placed would travel; `None` when everyone would be placed.
pub fn exit_sentence(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    exit: &ExitRow,
) -> Option<String> {
    let threshold = published.disclosure.threshold;
    let from = if published.market.from_homes {
        "of home"
    } else {
        "of the service they use now"
    };
    let mut cells: Vec<_> = exit
        .cells
        .iter()
        .filter(|c| c.without_place != Some(0))
        .collect();
    if cells.is_empty() {
        return None;
    }
    cells.sort_by_key(|c| std::cmp::Reverse(c.without_place.unwrap_or(0)));
    let parts: Vec<String> = cells
        .iter()
        .map(|c| {
            let place = c.district.map_or_else(
                || "at services outside the districts".to_string(),
                |d| format!("in {}", inputs.districts[d].name),
            );
            format!(
                "{} using {} services {place}",
                people(c.without_place, threshold),
                config.catalogue.lots[c.lot].short_label
            )
        })
        .collect();
    let mut s = format!(
        "If {} left, {} could not be placed within {} {} {from}",
        exit.provider_name,
        join(&parts),
        num(published.distances.catchment),
        published.distances.suffix()
    );
    if let Some(placed) = exit.placed.filter(|&n| n > 0) {
        let _ = write!(
            s,
            "; {} would be placed in other providers' room",
            people(Some(placed), threshold)
        );
        if let Some(extra) = exit.extra_travel.filter(|x| *x > 0.5) {
            let _ = write!(
                s,
                ", travelling {} {} more a week",
                num(extra.round()),
                published.distances.suffix()
            );
            if let Some(cost) = exit.extra_cost {
                let _ = write!(s, " (about {} a week)", super::money(cost, false));
            }
        }
    }
    if exit.gap_opened_places > 0.0 || exit.gap_opened_hours > 0.0 {
        let mut gaps = Vec::new();
        if exit.gap_opened_places > 0.0 {
            gaps.push(format!("{} places", num(exit.gap_opened_places)));
        }
        if exit.gap_opened_hours > 0.0 {
            gaps.push(format!("{} PA hours a week", num(exit.gap_opened_hours)));
        }
        let what = if gaps.len() == 1 {
            "A shortfall"
        } else {
            "Shortfalls"
        };
        let _ = write!(s, ". {what} of {} would open", join(&gaps));
    }
    s.push('.');
    Some(s)
}

impl Report<'_> {
    pub(super) fn market(&self) -> String {
        let market = &self.published.market;
        let mut s = String::from("<section id=\"market\"><h2>Market shape and resilience</h2>\n");
        if market.markets.is_empty() {
            s.push_str("<p>No services are active.</p>\n</section>\n");
            return s;
        }
        s.push_str(&self.concentration(market));
        s.push_str(&self.exits(market));
        s.push_str("</section>\n");
        s
    }

    fn concentration(&self, market: &PublishedMarket) -> String {
        let mut s = String::from("<h3>Who supplies each lot</h3>\n<p>A provider's share of a lot is its share of the lot's capacity (places, or PA hours a week) at active services; a service on several lots counts towards each. The Herfindahl-Hirschman index (HHI) adds up the squares of the providers' percentage shares: 10,000 means one provider holds everything, and low values mean many small providers. Competition authorities treat a market above 2,500 as highly concentrated.</p>\n<ul>\n");
        for m in market.by_lot() {
            let _ = writeln!(s, "<li>{}.</li>", esc(&lot_sentence(self.config, m)));
        }
        s.push_str("</ul>\n");
        s.push_str(&self.figure_told(
            CONCENTRATION,
            "How concentrated each lot's market is (HHI of shares of supply, all districts); charts/market_concentration.svg.",
            &findings::concentration(self.config, market),
            Some("market-concentration"),
        ));
        s.push_str(&self.concentration_table(market));
        let high: Vec<&MarketSummary> = market
            .markets
            .iter()
            .filter(|m| m.district.is_some() && m.highly_concentrated)
            .collect();
        if high.is_empty() {
            s.push_str("<p>No lot is highly concentrated within any single district.</p>\n");
        } else {
            let mut named: Vec<&&MarketSummary> = high.iter().collect();
            named.sort_by(|a, b| b.hhi.unwrap_or(0.0).total_cmp(&a.hhi.unwrap_or(0.0)));
            let _ = writeln!(
                s,
                "<p>Within districts, {} lot market{} {} highly concentrated; the most concentrated:</p>",
                high.len(),
                if high.len() == 1 { "" } else { "s" },
                if high.len() == 1 { "is" } else { "are" }
            );
            let rows: Vec<Vec<String>> = named
                .iter()
                .take(NAMED_DISTRICTS)
                .map(|m| {
                    let first = &m.rows[0];
                    vec![
                        m.district
                            .map_or_else(String::new, |d| self.inputs.districts[d].name.clone()),
                        self.config.catalogue.lots[m.lot].label.clone(),
                        m.providers.to_string(),
                        format!(
                            "{} ({})",
                            first.provider_name,
                            percent(first.share_of_supply)
                        ),
                        num(m.hhi.unwrap_or(0.0).round()),
                    ]
                })
                .collect();
            s.push_str(&table(
                &[
                    "District",
                    "Lot",
                    "Providers",
                    "Largest provider (share)",
                    "HHI",
                ],
                &rows,
            ));
        }
        s.push_str("<p class=\"note\">Every provider's share of supply and of people served, by lot and district, is in <code>tables/market.csv</code>. Shares of people served are worked out from the published (rounded) counts, and are not shown where a count is suppressed.</p>\n");
        s
    }

    fn exits(&self, market: &PublishedMarket) -> String {
        let d = &self.published.distances;
        let from = if market.from_homes {
            "from their homes".to_string()
        } else {
            "from the service they use now, as the person records do not say which service each person uses (a service on several lots has its users shared between them in proportion to each lot's users in its district)".to_string()
        };
        let mut s = String::from("<h3>If a provider left</h3>\n");
        let _ = writeln!(
            s,
            "<p>For each provider in turn, gapmap closes all its services and re-places the people using them in the room other providers' services have left for their lot (capacity less current users), placing as many people as the room allows within {} {} and, among such placements, the nearest. People are re-placed {from}; distances are {}.</p>",
            num(d.catchment),
            d.suffix(),
            esc(&d.description)
        );
        s.push_str("<p><strong>These are what-if estimates, not forecasts.</strong> They assume that every other provider keeps its services, its spare places and its rates, that nobody else moves, and that people would accept any place on their lot within reach. They say nothing about any provider's financial position.</p>\n");
        let told: Vec<String> = market
            .exits
            .iter()
            .filter(|e| e.without_place != Some(0))
            .filter_map(|e| exit_sentence(self.config, self.inputs, self.published, e))
            .take(TOLD)
            .collect();
        if told.is_empty() {
            s.push_str("<p>No single provider's exit would leave anyone without a place within reach.</p>\n");
        } else {
            let _ = writeln!(
                s,
                "<p>The {} exit{} that would leave most people without a place:</p>\n<ol>",
                told.len(),
                if told.len() == 1 { "" } else { "s" }
            );
            for t in &told {
                let _ = writeln!(s, "<li>{}</li>", esc(t));
            }
            s.push_str("</ol>\n");
        }
        if let Some(first) = market.exits.first() {
            s.push_str(&self.figure_told(
                LARGEST_EXIT,
                &format!(
                    "If {} left: the gap opened by district, its services closing and the services that would take its people (charts/{LARGEST_EXIT}.svg).",
                    first.provider_name
                ),
                &findings::exit_map(self.config, self.inputs, first),
                Some("market-exit"),
            ));
            s.push_str(&self.exit_tables(first));
        }
        let _ = writeln!(
            s,
            "<p class=\"note\">Every provider's exit, ranked by people left without a place and then by the gap opened, is in <code>tables/provider_exit.csv</code>, by district and lot in <code>tables/provider_exit_by_district.csv</code>; <code>gapmap exit --provider ID</code> shows one in full. Counts of people are rounded, and those below {} shown as {MARKER} or \"a few\".</p>",
            self.published.disclosure.threshold + 1
        );
        if market.missing_pairs > 0 {
            let _ = writeln!(
                s,
                "<p class=\"note\">{} journeys were missing from the travel costs and were treated as out of reach.</p>",
                market.missing_pairs
            );
        }
        s
    }

    /// Each lot's market over the whole area: the figures of the concentration chart.
    fn concentration_table(&self, market: &PublishedMarket) -> String {
        let rows: Vec<Vec<String>> = market
            .by_lot()
            .map(|m| {
                vec![
                    self.config.catalogue.lots[m.lot].label.clone(),
                    m.providers.to_string(),
                    m.rows.first().map_or_else(
                        || MARKER.to_string(),
                        |r| format!("{} ({})", r.provider_name, percent(r.share_of_supply)),
                    ),
                    m.hhi.map_or_else(|| MARKER.to_string(), |h| num(h.round())),
                ]
            })
            .collect();
        super::folded_table(
            "market-concentration",
            "Each lot's providers and HHI, all districts: the figures of the chart",
            &["Lot", "Providers", "Largest provider (share)", "HHI"],
            &rows,
        )
    }

    /// The gap an exit opens by district, and the services it closes and that would take
    /// its people: the figures of its map.
    fn exit_tables(&self, exit: &ExitRow) -> String {
        let (unit, gaps) = crate::publish::market_charts::exit_gaps(self.config, self.inputs, exit);
        let rows: Vec<Vec<String>> = self
            .inputs
            .districts
            .iter()
            .zip(&gaps)
            .map(|(d, g)| vec![d.name.clone(), num(*g)])
            .collect();
        let gap_heading = format!("Gap opened ({})", unit.label());
        let mut t = table(&["District", &gap_heading], &rows);
        let count = |n: Option<u32>| n.map_or_else(|| MARKER.to_string(), |n| num(f64::from(n)));
        let mut services: Vec<Vec<String>> = exit
            .services
            .iter()
            .map(|&j| {
                let left = exit
                    .left
                    .iter()
                    .find(|(k, _)| *k == j)
                    .and_then(|(_, n)| *n);
                vec![
                    self.inputs.services[j].name.clone(),
                    "Closes".into(),
                    if exit.left.iter().any(|(k, _)| *k == j) {
                        count(left)
                    } else {
                        "0".into()
                    },
                ]
            })
            .collect();
        services.extend(
            crate::publish::market_charts::taking(exit)
                .into_iter()
                .map(|(j, n)| {
                    vec![
                        self.inputs.services[j].name.clone(),
                        "Takes people".into(),
                        count(n),
                    ]
                }),
        );
        t.push_str(&table(
            &["Service", "On the map", "People without a place, or taken"],
            &services,
        ));
        format!(
            "<details id=\"market-exit\"><summary>If {} left: the gap opened by district and the services affected: the figures of the map</summary>\n{t}</details>\n",
            esc(&exit.provider_name)
        )
    }
}
