//! The report: the day-opportunities section of a market position statement, as one
//! self-contained HTML file (charts inline as PNG, styles inline, no network).
//!
//! Sections follow a council's market page: current services, people over time, people by
//! primary need, bands and spend, supply against demand, the ranked gaps in plain
//! sentences, access, groupings, and method and sources. Every figure comes from the
//! [`PublishedRun`], so the report shows exactly what the tables show. It prints well (a
//! print stylesheet keeps tables and figures whole) and reads well on a laptop.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use base64::Engine as _;

use crate::config::Config;
use crate::load::Inputs;
use crate::model::{ServiceStatus, Unit};
use crate::publish::charts::{BarChart, Figure};
use crate::publish::disclosure::MARKER;
use crate::publish::published::{GapRow, PublishedRun};

pub(crate) mod findings;
mod future_demand;
pub mod interactive;
pub mod market;

pub use interactive::InteractiveMaps;

/// What changed since an earlier run, for the report's "Since last quarter" section.
#[derive(Debug, Clone)]
pub struct SinceLast {
    /// The earlier run's label.
    pub before: String,
    /// This run's label.
    pub after: String,
    /// The comparison's summary, one change a line.
    pub lines: Vec<String>,
    pub charts: Vec<SinceChart>,
}

/// The comparison's summary as the report shows it: its first line introduces it, each
/// other line that is not indented and ends with a colon heads a group (a heading under
/// the section's) whose list is the indented lines under it, and other lines (whether
/// the runs compare) are paragraphs.
fn since_lines(lines: &[String]) -> String {
    let mut s = String::new();
    let mut list_open = false;
    for (i, line) in lines.iter().filter(|l| !l.trim().is_empty()).enumerate() {
        let text = line.trim();
        if line.starts_with([' ', '-']) {
            if !list_open {
                s.push_str("<ul>\n");
                list_open = true;
            }
            let _ = writeln!(s, "<li>{}</li>", esc(text.trim_start_matches(['-', ' '])));
            continue;
        }
        if list_open {
            s.push_str("</ul>\n");
            list_open = false;
        }
        match text.strip_suffix(':') {
            Some(heading) if i > 0 => {
                let _ = writeln!(s, "<h3>{}</h3>", esc(heading));
            }
            _ => {
                let _ = writeln!(s, "<p>{}</p>", esc(text));
            }
        }
    }
    if list_open {
        s.push_str("</ul>\n");
    }
    s
}

/// A chart of the change in gap by district, for the "Since last quarter" section.
#[derive(Debug, Clone)]
pub struct SinceChart {
    /// The file name, without extension (`change_by_district`).
    pub name: String,
    pub figure: Figure,
    /// What it draws: its districts, and a series of changes for each lot drawn.
    pub chart: BarChart,
    /// What it shows, in a sentence or two: its text alternative.
    pub finding: String,
}

/// Where `gapmap plan` puts the sections of the run's plans ("Where new capacity would help
/// most"): between these markers, which every report carries, and a link between the nav
/// markers.
pub const PLANS_START: &str = "<!-- gapmap:plans -->";
pub const PLANS_END: &str = "<!-- /gapmap:plans -->";
pub const PLANS_NAV_START: &str = "<!-- gapmap:plans-nav -->";
pub const PLANS_NAV_END: &str = "<!-- /gapmap:plans-nav -->";

/// The whole report.
pub fn html(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    figures: &[(String, Figure)],
    since: Option<&SinceLast>,
    maps: &InteractiveMaps,
) -> String {
    let r = Report {
        config,
        inputs,
        published,
        figures,
        maps,
    };
    let mut out = String::with_capacity(1 << 20);
    out.push_str(&r.head());
    for section in [
        r.summary(),
        since.map_or_else(String::new, |s| r.since(s)),
        r.services(),
        r.trend(),
        r.needs(),
        r.bands(),
        r.supply_demand(),
        r.gaps(),
        r.access(),
        r.future_demand(),
        r.market(),
        r.groupings(),
        format!("{PLANS_START}\n{PLANS_END}\n"),
        r.method(),
    ] {
        out.push_str(&section);
    }
    out.push_str("</main>\n");
    out.push_str(&interactive::scripts());
    out.push_str("</body>\n</html>\n");
    out
}

struct Report<'a> {
    config: &'a Config,
    inputs: &'a Inputs,
    published: &'a PublishedRun,
    figures: &'a [(String, Figure)],
    maps: &'a InteractiveMaps,
}

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number with thousands separators and at most one decimal.
pub fn num(x: f64) -> String {
    let rounded = (x * 10.0).round() / 10.0;
    let whole = rounded.trunc().abs() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded < 0.0 { "-" } else { "" };
    let frac = ((rounded.abs() - whole as f64) * 10.0).round() as u64;
    if frac == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Pounds: "£3,394,802", or "£8.6m" style for large totals with `short`.
pub fn money(x: f64, short: bool) -> String {
    if short && x.abs() >= 1.0e6 {
        format!("£{:.2}m", x / 1.0e6)
    } else {
        format!("£{}", num(x.round()))
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| MARKER.to_string(), num)
}

fn opt_u(v: Option<u32>) -> String {
    v.map_or_else(|| MARKER.to_string(), |n| num(f64::from(n)))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| MARKER.to_string(), |x| format!("{:.0}%", x * 100.0))
}

/// A district's supply, people, demand, gap and sufficiency for a lot, as the report words
/// them (the supply tables and the interactive map's panel).
fn supply_figures(r: &GapRow) -> Vec<String> {
    vec![
        num(r.supply),
        opt_u(r.current_users),
        opt_u(r.waiting),
        opt(r.demand),
        opt(r.gap),
        pct(r.sufficiency),
    ]
}

/// The headings of [`supply_figures`].
fn supply_headings(unit: Unit) -> Vec<String> {
    let unit = unit.label();
    vec![
        format!("Supply ({unit})"),
        "Current users".into(),
        "Waiting".into(),
        format!("Demand ({unit})"),
        "Gap".into(),
        "Sufficiency".into(),
    ]
}

/// The trend's (date, period) pairs, in date order, each once.
fn trend_periods(inputs: &Inputs) -> Vec<(&str, &str)> {
    let mut dates: Vec<(&str, &str)> = inputs
        .trend
        .iter()
        .map(|t| (t.date.as_str(), t.period.as_str()))
        .collect();
    dates.sort_unstable();
    dates.dedup();
    dates
}

/// Above this many small areas the report lists none of them one by one.
const SMALL_AREAS_LISTED: usize = 5_000;

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// A chart as a figure: the picture with its `finding` as text alternative, and its
/// caption with a link to the table of its figures at `table` (an element id).
fn figure_html(f: &Figure, finding: &str, caption: &str, table: Option<&str>) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(&f.png);
    // The link to the table is a sentence of its own after the caption's.
    let stop = if table.is_some() && !caption.ends_with('.') {
        "."
    } else {
        ""
    };
    format!(
        "<figure><img alt=\"{}\" src=\"data:image/png;base64,{data}\"><figcaption>{}{stop}{}</figcaption></figure>\n",
        esc(finding),
        esc(caption),
        table.map_or_else(String::new, findings::table_link)
    )
}

/// The figures a bar chart draws, folded away as a table with the element id `id`: a row
/// for each category, a column for each series.
fn chart_table(id: &str, chart: &BarChart) -> String {
    let mut headers = vec!["District"];
    headers.extend(chart.series.iter().map(|s| s.label.as_str()));
    let rows: Vec<Vec<String>> = chart
        .categories
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut row = vec![name.clone()];
            row.extend(
                chart
                    .series
                    .iter()
                    .map(|s| opt(s.values.get(i).copied().flatten())),
            );
            row
        })
        .collect();
    folded_table(
        id,
        &format!("{}: the figures of the chart", chart.value_label),
        &headers,
        &rows,
    )
}

/// A table folded away under a one-line `summary`, with the element id `id` for the
/// captions that link to it: the figures of a chart whose table would otherwise not be in
/// the report.
fn folded_table(id: &str, summary: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    format!(
        "<details id=\"{}\"><summary>{}</summary>\n{}</details>\n",
        esc(id),
        esc(summary),
        table(headers, rows)
    )
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut t = String::from("<table>\n<thead><tr>");
    for (i, h) in headers.iter().enumerate() {
        let class = if i > 0 { " class=\"n\"" } else { "" };
        let _ = write!(t, "<th{class}>{}</th>", esc(h));
    }
    t.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        t.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if i > 0 { " class=\"n\"" } else { "" };
            let _ = write!(t, "<td{class}>{}</td>", esc(cell));
        }
        t.push_str("</tr>\n");
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

/// One sentence about a gap row, e.g. "Harborough: 5 PMLD places for an estimated 20
/// people, a shortfall of 15".
pub fn gap_sentence(config: &Config, row: &GapRow) -> String {
    let lot = &config.catalogue.lots[row.lot];
    let gap = row.gap.unwrap_or(0.0);
    let balance = if gap > 0.0 {
        format!("a shortfall of {}", num(gap))
    } else if gap < 0.0 {
        format!("{} to spare", num(-gap))
    } else {
        "supply matches demand".to_string()
    };
    match (lot.unit, row.demand) {
        (_, None) => format!(
            "{}: {} {} {}; demand is not shown because fewer than 8 people are involved",
            row.area_name,
            num(row.supply),
            lot.short_label,
            lot.unit.label()
        ),
        (Unit::Places, Some(d)) => format!(
            "{}: {} {} places for an estimated {} people, {balance}",
            row.area_name,
            num(row.supply),
            lot.short_label,
            num(d)
        ),
        (Unit::Hours, Some(d)) => format!(
            "{}: {} {} hours a week for an estimated {} hours needed, {balance} {}",
            row.area_name,
            num(row.supply),
            lot.short_label,
            num(d),
            if gap.abs() == 1.0 { "hour" } else { "hours" }
        ),
    }
}

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --muted: #555; --rule: #d0d0d0; --accent: #005ea5; --short: #b2182b; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: var(--ink); line-height: 1.5; background: #fff; }
header { background: var(--accent); color: #fff; padding: 1.5rem 2rem; }
header h1 { margin: 0 0 .3rem; font-size: 1.7rem; }
header p { margin: 0; opacity: .9; }
nav { padding: .6rem 2rem; border-bottom: 1px solid var(--rule); font-size: .9rem; }
nav a { display: inline-block; margin-right: 1rem; padding: .25rem 0; color: var(--accent); }
main { max-width: 68rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
h2 { border-bottom: 2px solid var(--accent); padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin-top: 1.5rem; }
.key { background: #f3f7fb; border-left: 5px solid var(--accent); padding: .8rem 1.2rem; }
.key li { margin: .3rem 0; }
.short { color: var(--short); font-weight: bold; }
table { border-collapse: collapse; margin: .8rem 0 1.2rem; font-size: .9rem; width: 100%; }
th, td { border-bottom: 1px solid var(--rule); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f5f5f5; overflow-wrap: normal; }
th.n { text-align: right; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0 1.5rem; }
figure img { width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { font-size: .85rem; color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(28rem, 1fr)); gap: 1rem; }
.note { font-size: .85rem; color: var(--muted); }
code { font-size: .85em; word-break: break-all; }
@page { size: A4; margin: 14mm 13mm 16mm; }
@media print {
  header { background: none; color: var(--ink); border-bottom: 3px solid var(--ink); padding: 0 0 .5rem; }
  nav { display: none; }
  main { max-width: none; padding: 0; }
  h2 { margin-top: 1.4rem; }
  h3 { margin-top: 1rem; }
  /* A heading stays with what follows it; sections run on, so short ones share a page. */
  h2, h3 { break-after: avoid-page; page-break-after: avoid; }
  h2 + *, h3 + *, h2 + p + * { break-before: avoid-page; page-break-before: avoid; }
  section { break-before: auto; break-inside: auto; }
  table, figure, .key, li { break-inside: avoid-page; page-break-inside: avoid; }
  tr { break-inside: avoid; }
  /* Charts two to a row and no taller than a third of a page. */
  .grid { grid-template-columns: 1fr 1fr; gap: .5rem 1rem; }
  figure { margin: .5rem 0 .8rem; }
  figure img { border: none; max-height: 88mm; object-fit: contain; }
  table { font-size: 8.5pt; margin: .4rem 0 .8rem; }
  a { color: var(--ink); text-decoration: none; }
  body { font-size: 10pt; }
}
"#;

impl Report<'_> {
    fn head(&self) -> String {
        let f = &self.config.file;
        let council = f.report.council.as_deref().unwrap_or("");
        let mut h = format!(
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"gapmap {}\">\n<title>{}: {}</title>\n{}\n<style>{STYLE}{}</style>\n</head>\n<body>\n",
            env!("CARGO_PKG_VERSION"),
            esc(&f.title),
            esc(&f.label),
            interactive::EARLY_SCRIPT,
            interactive::style()
        );
        let _ = writeln!(
            h,
            "<header><h1>{}</h1><p>Market position statement: day opportunities. {}{} data as at {}.</p></header>",
            esc(&f.title),
            if council.is_empty() { String::new() } else { format!("{}. ", esc(council)) },
            esc(&f.label),
            esc(&f.data_date)
        );
        h.push_str("<nav><a href=\"#summary\">Summary</a><a href=\"#services\">Current services</a><a href=\"#trend\">People over time</a><a href=\"#needs\">Needs</a><a href=\"#bands\">Bands and spend</a><a href=\"#supply\">Supply and demand</a><a href=\"#gaps\">Gaps</a><a href=\"#access\">Access</a><a href=\"#future\">Future demand</a><a href=\"#market\">Market</a><a href=\"#groupings\">Areas</a><!-- gapmap:plans-nav --><!-- /gapmap:plans-nav --><a href=\"#method\">Method</a></nav>\n<main>\n");
        h
    }

    /// A chart whose text alternative states its `finding`, and whose caption links to the
    /// table of its figures at `table` (an element id).
    fn figure_told(&self, name: &str, caption: &str, finding: &str, table: Option<&str>) -> String {
        let Some((_, f)) = self.figures.iter().find(|(n, _)| n == name) else {
            return String::new();
        };
        figure_html(f, finding, caption, table)
    }

    fn summary(&self) -> String {
        let mut s = String::from("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"key\"><p><strong>The largest gaps between supply and demand</strong> (demand is current users plus people waiting):</p><ul>\n");
        let rows = self.published.largest_shortfalls(8);
        if rows.is_empty() {
            s.push_str("<li>Supply meets demand in every district and lot.</li>\n");
        }
        for row in rows {
            let _ = writeln!(
                s,
                "<li class=\"short\">{}.</li>",
                esc(&gap_sentence(self.config, row))
            );
        }
        s.push_str("</ul></div>\n");
        let _ = writeln!(
            s,
            "<p>{} people were receiving a service in {}. Figures about people are rounded to the nearest {} and counts below {} are not shown ({MARKER}), so that no one can be identified.</p>\n</section>",
            opt_u(self.published.current_people),
            esc(&self.config.file.label),
            self.published.disclosure.base,
            self.published.disclosure.threshold + 1
        );
        s
    }

    fn since(&self, since: &SinceLast) -> String {
        let mut s = format!(
            "<section id=\"since\"><h2>Since last quarter ({} to {})</h2>\n",
            esc(&since.before),
            esc(&since.after)
        );
        s.push_str(&since_lines(&since.lines));
        for c in &since.charts {
            let id = format!("since-{}", c.name);
            s.push_str(&figure_html(
                &c.figure,
                &c.finding,
                &format!("{}; charts/{}.svg.", c.chart.title, c.name),
                Some(&id),
            ));
            s.push_str(&chart_table(&id, &c.chart));
        }
        s.push_str("<p class=\"note\">Changes are computed from the published figures of both runs, so a change involving a suppressed figure is not shown. The tables <code>tables/changes_by_district</code>, <code>tables/gap_changes</code> and <code>tables/changes_services</code> and the map <code>maps/districts_change.geojson</code> carry every change.</p>\n</section>\n");
        s
    }

    fn services(&self) -> String {
        let cat = &self.config.catalogue;
        let services = &self.inputs.services;
        let providers: BTreeSet<&str> = services.iter().map(|s| s.provider_id.as_str()).collect();
        let active = services
            .iter()
            .filter(|s| s.status == ServiceStatus::Active)
            .count();
        let outside = self
            .published
            .services
            .iter()
            .filter(|r| r.district.is_none())
            .count();
        let mut s = String::from("<section id=\"services\"><h2>Current services</h2>\n");
        let by_type: Vec<String> = cat
            .service_types
            .iter()
            .enumerate()
            .map(|(t, kind)| {
                let n = services
                    .iter()
                    .filter(|s| s.service_type == t && s.status == ServiceStatus::Active)
                    .count();
                format!("{}: {n}", kind.label)
            })
            .collect();
        let _ = writeln!(
            s,
            "<p>{} providers run {} services, {active} of them active ({}). {outside} of the services lie outside the council's districts (for example in a neighbouring city); residents use them, so they count when measuring distance to the nearest service, but not in any district's supply.</p>",
            providers.len(),
            services.len(),
            by_type.join(", ")
        );
        let mut headers: Vec<&str> = vec!["Lot"];
        headers.extend(self.inputs.districts.iter().map(|d| d.name.as_str()));
        headers.push("Outside");
        let rows: Vec<Vec<String>> = cat
            .lots
            .iter()
            .enumerate()
            .map(|(lot, l)| {
                let mut row = vec![l.label.clone()];
                let count = |district: Option<usize>| {
                    self.published
                        .services
                        .iter()
                        .filter(|r| r.district == district)
                        .filter(|r| {
                            let svc = &services[r.service];
                            svc.status == ServiceStatus::Active && svc.lots.contains(&lot)
                        })
                        .count()
                        .to_string()
                };
                row.extend((0..self.inputs.districts.len()).map(|d| count(Some(d))));
                row.push(count(None));
                row
            })
            .collect();
        s.push_str("<h3>Active services by lot and district</h3>\n");
        s.push_str(&table(&headers, &rows));
        s.push_str("<p class=\"note\">A service that serves several lots is counted under each.</p>\n</section>\n");
        s
    }

    fn trend(&self) -> String {
        if self.inputs.trend.is_empty() {
            return String::new();
        }
        let mut s =
            String::from("<section id=\"trend\"><h2>People using services over time</h2>\n");
        s.push_str(&self.figure_told(
            "users_by_age_band",
            "People using day opportunities by age band (the council's published counts)",
            &findings::trend(self.inputs),
            Some("trend-figures"),
        ));
        let dates = trend_periods(self.inputs);
        let mut ages: Vec<&str> = self
            .inputs
            .trend
            .iter()
            .map(|t| t.age_band.as_str())
            .collect();
        ages.sort_unstable();
        ages.dedup();
        let mut headers = vec!["Period"];
        headers.extend(ages.iter().copied());
        headers.push("Total");
        let rows: Vec<Vec<String>> = dates
            .iter()
            .map(|(date, period)| {
                let vals: Vec<u32> = ages
                    .iter()
                    .map(|a| {
                        self.inputs
                            .trend
                            .iter()
                            .filter(|t| t.date == *date && t.age_band == *a)
                            .map(|t| t.users)
                            .sum()
                    })
                    .collect();
                let mut row = vec![period.to_string()];
                row.extend(vals.iter().map(|v| v.to_string()));
                row.push(vals.iter().sum::<u32>().to_string());
                row
            })
            .collect();
        s.push_str("<div id=\"trend-figures\">\n");
        s.push_str(&table(&headers, &rows));
        s.push_str("</div>\n</section>\n");
        s
    }

    fn needs(&self) -> String {
        let mut s = String::from("<section id=\"needs\"><h2>People by primary need</h2>\n");
        if self.published.people_by_primary_need.is_empty() {
            s.push_str("<p>Person-level demand is needed for this section.</p></section>\n");
            return s;
        }
        let rows: Vec<Vec<String>> = self
            .published
            .people_by_primary_need
            .iter()
            .map(|(lot, n)| vec![self.config.catalogue.lots[*lot].label.clone(), opt_u(*n)])
            .collect();
        s.push_str(&table(
            &["Primary need", "People receiving a service"],
            &rows,
        ));
        let ages: Vec<Vec<String>> = self
            .published
            .people_by_age
            .iter()
            .map(|(age, c, w)| vec![age.clone(), opt_u(*c), opt_u(*w)])
            .collect();
        s.push_str("<h3>By age band</h3>\n");
        s.push_str(&table(
            &["Age band", "Receiving a service", "Waiting"],
            &ages,
        ));
        s.push_str("</section>\n");
        s
    }

    fn bands(&self) -> String {
        let mut s = String::from("<section id=\"bands\"><h2>Bands, rates and spend</h2>\n");
        if self.published.cost.is_empty() {
            s.push_str("<p>Person-level demand is needed to cost packages.</p></section>\n");
            return s;
        }
        let bands = &self.config.catalogue.bands;
        let rows: Vec<Vec<String>> = self
            .published
            .cost
            .iter()
            .map(|c| {
                let b = &bands[c.band];
                let rate = match (crate::analyse::cost::day_rate(b), b.hourly) {
                    (Some(day), _) => format!("£{day:.2} a day"),
                    (None, Some(h)) => format!("£{h:.2} an hour"),
                    (None, None) => String::new(),
                };
                vec![
                    format!("{}: {}", b.id, b.label),
                    rate,
                    opt_u(c.people),
                    c.annual_cost
                        .map_or_else(|| MARKER.to_string(), |m| money(m, false)),
                ]
            })
            .collect();
        s.push_str("<div id=\"band-figures\">\n");
        s.push_str(&table(
            &["Band", "Rate", "People", "Annual cost of current packages"],
            &rows,
        ));
        s.push_str("</div>\n");
        s.push_str(&self.figure_told(
            "band_mix",
            "People receiving support at each band",
            &findings::band_mix(self.config, self.published),
            Some("band-figures"),
        ));
        s.push_str(&self.reconciliation());
        s.push_str("</section>\n");
        s
    }

    fn reconciliation(&self) -> String {
        let shown: f64 = self
            .published
            .cost
            .iter()
            .filter_map(|c| c.annual_cost)
            .sum();
        let hidden = self
            .published
            .cost
            .iter()
            .filter(|c| c.annual_cost.is_none())
            .count();
        let weeks = self.config.file.cost.weeks_per_year;
        let mut s = format!(
            "<p>At the band rates above, current packages cost <strong>{}</strong> a year ({} weeks of every package){}.",
            money(shown, true),
            num(weeks),
            if hidden > 0 { "; bands used by fewer than 8 people are not shown and are left out of this total" } else { "" }
        );
        if let (Some(published), label) = (
            self.config.file.report.published_spend,
            &self.config.file.report.published_spend_label,
        ) {
            let diff = shown - published;
            let _ = write!(
                s,
                " The published figure is <strong>{}</strong> ({}). The difference is {} ({:+.0}%). A costing like this is expected to differ from actual spend: it prices every current package for every week of the year, whereas people miss sessions through holidays and illness and packages start and end during the year; it uses this year's rates, while a published spend is usually for an earlier year; and people who arrange support through a direct payment are paid for outside the framework.",
                money(published, true),
                esc(label.as_deref().unwrap_or("published spend")),
                money(diff.abs(), true),
                100.0 * diff / published.max(1.0)
            );
        }
        s.push_str("</p>\n");
        s
    }

    fn supply_demand(&self) -> String {
        let mut s = String::from("<section id=\"supply\"><h2>Supply against demand</h2>\n<p>Supply is the capacity of active services located in each district; demand is current users plus people waiting. A service serving several lots counts in full towards each, so supply is not additive across lots.</p>\n");
        for (lot, l) in self.config.catalogue.lots.iter().enumerate() {
            let _ = writeln!(s, "<h3 id=\"supply-{}\">{}</h3>", esc(&l.id), esc(&l.label));
            let rows: Vec<Vec<String>> = self
                .published
                .lot_rows(lot)
                .map(|r| {
                    let mut row = vec![r.area_name.clone()];
                    row.extend(supply_figures(r));
                    row
                })
                .collect();
            let mut headers = vec!["District".to_string()];
            headers.extend(supply_headings(l.unit));
            let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
            s.push_str(&table(&headers, &rows));
            s.push_str(&self.figure_told(
                &format!("supply_demand_{}", l.id),
                &format!("{}: supply against demand by district", l.label),
                &findings::lot_gaps(self.config, self.published, lot),
                Some(&format!("supply-{}", l.id)),
            ));
        }
        s.push_str("</section>\n");
        s
    }

    fn gaps(&self) -> String {
        let mut s = String::from("<section id=\"gaps\"><h2>Where the gaps are</h2>\n<p>Every district and lot where demand exceeds supply, largest first relative to demand.</p>\n<ol>\n");
        for row in self.published.largest_shortfalls(usize::MAX) {
            let _ = writeln!(s, "<li>{}.</li>", esc(&gap_sentence(self.config, row)));
        }
        s.push_str("</ol>\n");
        s.push_str(&self.figure_told(
            "gap_by_district_places",
            "Gap by district, day-service lots (places)",
            &findings::gaps(self.config, self.published, Unit::Places),
            Some("supply"),
        ));
        s.push_str(&self.figure_told(
            "gap_by_district_hours",
            "Gap by district, hour-measured lots",
            &findings::gaps(self.config, self.published, Unit::Hours),
            Some("supply"),
        ));
        if let Some(map) = &self.maps.gap {
            s.push_str(&map.html());
        }
        s.push_str("<div class=\"gm-static\"><div class=\"grid\">\n");
        let short_lots: BTreeSet<usize> = self
            .published
            .largest_shortfalls(usize::MAX)
            .iter()
            .map(|r| r.lot)
            .collect();
        for (lot, l) in self.config.catalogue.lots.iter().enumerate() {
            if short_lots.contains(&lot) {
                s.push_str(&self.figure_told(
                    &format!("map_gap_{}", l.id),
                    &format!("{}: gap by district", l.label),
                    &findings::lot_gaps(self.config, self.published, lot),
                    Some(&format!("supply-{}", l.id)),
                ));
            }
        }
        s.push_str("</div></div>\n</section>\n");
        s
    }

    fn access(&self) -> String {
        let d = &self.published.distances;
        let noun = d.noun();
        let mut s = format!(
            "<section id=\"access\"><h2>Access: {noun} to the nearest suitable service</h2>\n<p>For each person (receiving a service or waiting), the {noun} {} to the nearest active service that serves their lot, measured as {}. The council pays transport only to the nearest location that can meet a person's needs, so this {noun} drives transport cost. People more than {} {} from a suitable service are counted as beyond the catchment.</p>\n",
            esc(&d.origins.words()),
            esc(&d.description),
            num(d.catchment),
            d.suffix()
        );
        if let Some(map) = &self.maps.access {
            s.push_str(&map.html());
        }
        s.push_str("<div class=\"gm-static\">\n");
        let areas_table = self.small_areas_table();
        for (lot, l) in self.config.catalogue.lots.iter().enumerate() {
            s.push_str(&self.figure_told(
                &format!("map_access_{}", l.id),
                &format!(
                    "{}: {noun} from each small area to the nearest service",
                    l.label
                ),
                &findings::access_map(self.config, self.inputs, self.published, lot),
                (!areas_table.is_empty()).then_some("access-areas"),
            ));
        }
        s.push_str("</div>\n");
        s.push_str(&areas_table);
        s.push_str(&self.figure_told(
            "distance_to_nearest_service",
            &format!("Mean {noun} to the nearest suitable service"),
            &findings::distances(self.config, self.published),
            Some("access-districts"),
        ));
        s.push_str("<div id=\"access-districts\">\n");
        for (lot, l) in self.config.catalogue.lots.iter().enumerate() {
            let rows: Vec<Vec<String>> = self
                .published
                .lot_rows(lot)
                .map(|r| {
                    vec![
                        r.area_name.clone(),
                        opt_u(r.people),
                        pct(r.share_beyond_catchment),
                        opt(r.mean_km),
                        opt(r.p90_km),
                    ]
                })
                .collect();
            let _ = writeln!(s, "<h3>{}</h3>", esc(&l.label));
            s.push_str(&table(
                &[
                    "District",
                    "People",
                    "Beyond the catchment",
                    &format!("Mean {}", d.suffix()),
                    &format!("90th percentile {}", d.suffix()),
                ],
                &rows,
            ));
        }
        s.push_str("</div>\n");
        s.push_str(&self.straight_and_travel());
        s.push_str("</section>\n");
        s
    }

    /// Every small area's distance to the nearest service of each lot, folded away, when
    /// there are few enough small areas to list (a county's; a national run's are in
    /// `tables/access_by_area`). Empty otherwise.
    fn small_areas_table(&self) -> String {
        let areas = &self.published.areas;
        let lots = &self.config.catalogue.lots;
        if areas.is_empty() || self.inputs.areas.len() > SMALL_AREAS_LISTED {
            return String::new();
        }
        let mut cells = vec![vec![MARKER.to_string(); lots.len()]; self.inputs.areas.len()];
        for r in areas {
            cells[r.area][r.lot] = opt(r.nearest_km);
        }
        let rows: Vec<Vec<String>> = self
            .inputs
            .areas
            .iter()
            .zip(cells)
            .map(|(a, c)| {
                let mut row = vec![a.code.clone(), a.name.clone()];
                row.extend(c);
                row
            })
            .collect();
        let mut headers = vec!["Small area", "Name"];
        headers.extend(lots.iter().map(|l| l.short_label.as_str()));
        let d = &self.published.distances;
        folded_table(
            "access-areas",
            &format!(
                "{} from each small area to the nearest suitable service, by lot ({}): the figures of the maps above",
                capitalised(d.noun()),
                d.suffix()
            ),
            &headers,
            &rows,
        )
    }

    /// With travel costs and small areas: each small area's nearest service by straight
    /// line beside the travel cost, lot by lot.
    fn straight_and_travel(&self) -> String {
        let d = &self.published.distances;
        let areas = &self.published.areas;
        if areas.iter().all(|r| r.straight_line_km.is_none()) {
            return String::new();
        }
        let mut s = format!(
            "<h3 id=\"straight-line-and-travel\">Straight line and {noun}, by small area</h3>\n<p>The nearest suitable service from each small area's interior point, measured two ways: straight-line km (great-circle, as a run without travel costs measures it) and {}. The nearest service can differ between the two.</p>\n",
            esc(&d.description),
            noun = d.noun()
        );
        for (lot, l) in self.config.catalogue.lots.iter().enumerate() {
            let rows: Vec<Vec<String>> = areas
                .iter()
                .filter(|r| r.lot == lot)
                .map(|r| {
                    vec![
                        self.inputs.areas[r.area].code.clone(),
                        self.inputs.areas[r.area].name.clone(),
                        opt(r.straight_line_km),
                        opt(r.nearest_km),
                        match (r.nearest_km, r.straight_line_km) {
                            (Some(cost), Some(km)) if km > 0.0 => num(cost / km),
                            _ => MARKER.to_string(),
                        },
                    ]
                })
                .collect();
            let _ = writeln!(s, "<h4>{}</h4>", esc(&l.label));
            s.push_str(&table(
                &[
                    "Small area",
                    "Name",
                    "Straight line (km)",
                    &format!("Nearest by {} ({})", d.noun(), d.suffix()),
                    &format!("{} per straight-line km", d.axis_label()),
                ],
                &rows,
            ));
        }
        s
    }

    fn groupings(&self) -> String {
        let mut s = String::from("<section id=\"groupings\"><h2>Parts of the county</h2>\n");
        if self.config.catalogue.groupings.is_empty() {
            s.push_str("<p>No groupings of districts are configured.</p></section>\n");
            return s;
        }
        for g in &self.config.catalogue.groupings {
            let names: Vec<&str> = self
                .inputs
                .districts
                .iter()
                .filter(|d| g.district_codes.contains(&d.code))
                .map(|d| d.name.as_str())
                .collect();
            let _ = writeln!(
                s,
                "<h3>{} ({})</h3>\n<ul>",
                esc(&g.label),
                esc(&names.join(", "))
            );
            for row in self
                .published
                .groupings
                .iter()
                .filter(|r| r.area_code == g.id)
            {
                let class = if row.gap.is_some_and(|x| x > 0.0) {
                    " class=\"short\""
                } else {
                    ""
                };
                let _ = writeln!(
                    s,
                    "<li{class}>{}.</li>",
                    esc(&gap_sentence(self.config, row))
                );
            }
            s.push_str("</ul>\n");
        }
        s.push_str("<p class=\"note\">A grouping's figures are sums of its districts' published figures; where a district's figure is not shown, the grouping's is not either.</p>\n</section>\n");
        s
    }

    /// How the inputs were read: the demand layout's rules and what mapping set aside.
    fn reading(&self) -> String {
        let mut lines = Vec::new();
        if self.config.file.demand.format == crate::config::DemandFormat::Cld {
            let cld = &self.config.file.demand.cld;
            lines.push(format!(
                "Demand is read from NHS England's Adult Social Care Client Level Data: service events (Event_Type Service, for service users) of the service types {} that are open on the data date (starting on or before it and ending on or after it, or not ended), leaving out people who died before it, as NHS England's code that derives SALT's long-term support figures from Client Level Data does. Each person is counted once per lot; the planned units of their events for a lot are added up, hourly units as hours and daily units as days, with {} hours to a day. Ages come from the date of birth, or from the birth year and month taking the 1st of the month, in whole years at the data date.",
                cld.service_types.join(", "),
                num(cld.hours_per_day)
            ));
        }
        for n in &self.inputs.notes {
            let count = opt_u(
                self.published
                    .disclosure
                    .count(u32::try_from(n.count).unwrap_or(u32::MAX)),
            );
            lines.push(format!("{}: {count} {}.", n.file, n.what));
        }
        if lines.is_empty() {
            return String::new();
        }
        let mut s = String::from("<h3>How the inputs were read</h3>\n<ul>\n");
        for line in lines {
            let _ = writeln!(s, "<li>{}</li>", esc(&line));
        }
        s.push_str("</ul>\n");
        s
    }

    fn method(&self) -> String {
        let f = &self.config.file;
        let mut s = String::from("<section id=\"method\"><h2>Method and data sources</h2>\n<ul>\n");
        for line in [
            "Services are placed in districts by point in polygon; services outside every district still count as the nearest service for people nearby.".to_string(),
            "Supply of a lot in a district is the capacity of the active services located there that serve the lot (places for day services, hours a week for managed PA services).".to_string(),
            "Demand is current users plus people waiting: one place per person for day services, each person's weekly hours for hour-measured lots. Gap is demand minus supply; sufficiency is supply divided by demand.".to_string(),
            format!("Counts of people from 1 to {} are suppressed ({MARKER}) and others rounded to the nearest {}; where one of current users and people waiting is suppressed, both are and only their total is shown. Gaps, shares and sufficiency are computed from the published figures.", self.published.disclosure.threshold, self.published.disclosure.base),
            format!("Costs price each current package at the band rates: a day band's full-day rate per day attended, an hourly band's rate per hour, for {} weeks a year.", num(f.cost.weeks_per_year)),
        ] {
            let _ = writeln!(s, "<li>{}</li>", esc(&line));
        }
        s.push_str("</ul>\n");
        s.push_str(&self.reading());
        s.push_str("<h3>Inputs</h3>\n");
        let rows: Vec<Vec<String>> = self
            .inputs
            .records
            .iter()
            .map(|r| {
                vec![
                    r.role.clone(),
                    r.file.clone(),
                    r.records.to_string(),
                    r.sha256.clone(),
                ]
            })
            .collect();
        s.push_str(&table(&["Input", "File", "Records", "SHA-256"], &rows));
        let _ = writeln!(
            s,
            "<p class=\"note\">{}</p>\n<p class=\"note\">Made with gapmap {} from the run labelled {} (data date {}). The run's manifest.json records the configuration and every file's checksum.</p>\n</section>",
            esc(&self.config.attribution()),
            env!("CARGO_PKG_VERSION"),
            esc(&f.label),
            esc(&f.data_date)
        );
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(1234567.0), "1,234,567");
        assert_eq!(num(-15.0), "-15");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(999.96), "1,000");
        assert_eq!(money(8_600_000.0, true), "£8.60m");
        assert_eq!(money(841.36, false), "£841");
    }

    /// Group headings are headings, each over its own list, not bullets beside their
    /// items.
    #[test]
    fn since_last_quarter_groups_its_lines_under_headings() {
        let lines: Vec<String> = [
            "Changes from 2025-Q1 (data 2025-03-31) to 2025-Q2 (data 2025-06-30):",
            "Gaps that opened, closed, widened or narrowed by more than 1:",
            "  Melton PMLD: gap widened from 2 to 5 places (+3)",
            "  Harborough PMLD: gap opened from 0 to 4 places (+4)",
            "",
            "Services opened, closed or changed:",
            "  none",
            "Comparable: both runs used the same analysis.",
        ]
        .map(String::from)
        .to_vec();
        let html = since_lines(&lines);
        assert_eq!(
            html,
            "<p>Changes from 2025-Q1 (data 2025-03-31) to 2025-Q2 (data 2025-06-30):</p>\n\
             <h3>Gaps that opened, closed, widened or narrowed by more than 1</h3>\n\
             <ul>\n<li>Melton PMLD: gap widened from 2 to 5 places (+3)</li>\n\
             <li>Harborough PMLD: gap opened from 0 to 4 places (+4)</li>\n</ul>\n\
             <h3>Services opened, closed or changed</h3>\n<ul>\n<li>none</li>\n</ul>\n\
             <p>Comparable: both runs used the same analysis.</p>\n"
        );
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("A & B <c>"), "A &amp; B &lt;c&gt;");
    }
}
