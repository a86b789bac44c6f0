//! History: every kept run in time order, with its settings' fingerprints, its headline
//! gaps, and the county's total gap per lot across runs.
//!
//! Quarter labels such as `2025-Q2` are placed at the end of their quarter; other labels
//! at their manifest's `data_date`; ties go by label. Plain data in and out: the caller
//! reads the runs and writes the table and charts.

use crate::io::table::Table;
use crate::model::Unit;
use crate::publish::charts::{LineChart, LineSeries};

use super::runs::{LotSetting, Measure, Run};
use super::summary::number;

/// Characters of a SHA-256 shown in the listing.
const SHORT_HASH: usize = 8;

/// Positive gaps named per run.
const HEADLINE_GAPS: usize = 3;

/// The last day of the quarter a label such as `2025-Q2` names, as an ISO date.
pub fn quarter_end(label: &str) -> Option<String> {
    let (year, quarter) = label.split_once("-Q")?;
    let valid_year = year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit());
    let end = match quarter {
        "1" => "03-31",
        "2" => "06-30",
        "3" => "09-30",
        "4" => "12-31",
        _ => return None,
    };
    valid_year.then(|| format!("{year}-{end}"))
}

/// Puts runs in time order.
pub fn order(runs: &mut [Run]) {
    runs.sort_by_cached_key(|r| {
        let when = quarter_end(r.label()).unwrap_or_else(|| r.manifest.data_date.clone());
        (when, r.label().to_string())
    });
}

fn short(hash: &str) -> &str {
    hash.get(..SHORT_HASH).unwrap_or(hash)
}

/// The largest positive gaps among districts (not groupings), largest relative to demand
/// first, as the run's own summary ranks them, so places and hours rank together.
pub fn headline_gaps(run: &Run) -> Vec<String> {
    let share = |gap: f64, demand: Option<f64>| gap / demand.unwrap_or(1.0).max(1.0);
    let mut gaps: Vec<(f64, String)> = run
        .gaps
        .iter()
        .filter(|g| !run.settings.is_grouping(&g.area_code))
        .filter_map(|g| {
            let gap = g.get(Measure::Gap).filter(|x| *x > 0.0)?;
            let lot = run.settings.lot(&g.lot);
            let name = lot.map_or(g.lot.as_str(), LotSetting::short);
            let unit = lot.map_or("", |l| l.unit.label());
            Some((
                share(gap, g.get(Measure::Demand)),
                format!("{} {} +{} {}", g.area_name, name, number(gap), unit),
            ))
        })
        .collect();
    gaps.sort_by(|a, b| b.0.total_cmp(&a.0));
    gaps.into_iter()
        .take(HEADLINE_GAPS)
        .map(|(_, text)| text.trim_end().to_string())
        .collect()
}

/// One line of the listing.
pub fn line(run: &Run) -> String {
    let inputs: Vec<String> = run
        .manifest
        .inputs
        .iter()
        .map(|i| format!("{} {}", i.role, short(&i.sha256)))
        .collect();
    let gaps = headline_gaps(run);
    format!(
        "{}  data {}  config {}  inputs {}  top gaps: {}",
        run.label(),
        run.manifest.data_date,
        short(&run.manifest.config.sha256),
        inputs.join(", "),
        if gaps.is_empty() {
            "none".to_string()
        } else {
            gaps.join("; ")
        }
    )
}

/// The county's total gap per lot in each run: the sum of its districts' gaps, NaN when
/// any is suppressed or the run has no such lot.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Lots of any run, in order of first appearance.
    pub lots: Vec<LotSetting>,
    /// `totals[lot][run]`.
    pub totals: Vec<Vec<f64>>,
}

impl Trend {
    pub fn of(runs: &[Run]) -> Trend {
        let mut lots: Vec<LotSetting> = Vec::new();
        for l in runs.iter().flat_map(|r| &r.settings.lots) {
            if !lots.iter().any(|k| k.id == l.id) {
                lots.push(l.clone());
            }
        }
        let totals = lots
            .iter()
            .map(|l| runs.iter().map(|r| county_gap(r, &l.id)).collect())
            .collect();
        Trend { lots, totals }
    }
}

fn county_gap(run: &Run, lot: &str) -> f64 {
    let gaps: Vec<Option<f64>> = run
        .gaps
        .iter()
        .filter(|g| g.lot == lot && !run.settings.is_grouping(&g.area_code))
        .map(|g| g.get(Measure::Gap))
        .collect();
    if gaps.is_empty() {
        return f64::NAN;
    }
    gaps.into_iter().sum::<Option<f64>>().unwrap_or(f64::NAN)
}

/// `history.csv`: one row per run, in time order.
pub fn table(runs: &[Run], trend: &Trend) -> Table {
    let text = |f: &dyn Fn(&Run) -> String| runs.iter().map(f).collect::<Vec<String>>();
    let mut table = Table::default()
        .text("label", text(&|r| r.label().to_string()))
        .text("data_date", text(&|r| r.manifest.data_date.clone()))
        .text("config_sha256", text(&|r| r.manifest.config.sha256.clone()))
        .text(
            "inputs_sha256",
            text(&|r| {
                let inputs: Vec<String> = r
                    .manifest
                    .inputs
                    .iter()
                    .map(|i| format!("{}={}", i.role, i.sha256))
                    .collect();
                inputs.join(";")
            }),
        )
        .text("top_gaps", text(&|r| headline_gaps(r).join("; ")));
    for (lot, totals) in trend.lots.iter().zip(&trend.totals) {
        table = table.float(
            &format!("{}_county_gap", lot.id),
            totals.iter().map(|v| Some(*v)).collect(),
            2,
        );
    }
    table
}

/// Line charts of the county's total gap per lot across runs: `trend_gap_by_lot` for lots
/// in places (or in hours, when no lot is in places), and `trend_gap_by_lot_hours` for
/// lots in hours when there are both.
pub fn trend_charts(runs: &[Run], trend: &Trend) -> Vec<(String, LineChart)> {
    let has = |u: Unit| trend.lots.iter().any(|l| l.unit == u);
    let mut charts = Vec::new();
    if has(Unit::Places) {
        charts.push((
            "trend_gap_by_lot".to_string(),
            trend_chart(runs, trend, Unit::Places),
        ));
    }
    if has(Unit::Hours) {
        let name = if has(Unit::Places) {
            "trend_gap_by_lot_hours"
        } else {
            "trend_gap_by_lot"
        };
        charts.push((name.to_string(), trend_chart(runs, trend, Unit::Hours)));
    }
    for lot in &trend.lots {
        charts.push((
            format!("trend_gap_{}", lot.id),
            district_trend_chart(runs, lot),
        ));
    }
    charts
}

/// One lot's gap in each district across runs: every district's published figure, so a
/// district suppressed in one run leaves a break in its own line and nowhere else.
fn district_trend_chart(runs: &[Run], lot: &LotSetting) -> LineChart {
    let mut districts: Vec<(String, String)> = Vec::new();
    for r in runs {
        for g in r
            .gaps
            .iter()
            .filter(|g| g.lot == lot.id && !r.settings.is_grouping(&g.area_code))
        {
            if !districts.iter().any(|(code, _)| *code == g.area_code) {
                districts.push((g.area_code.clone(), g.area_name.clone()));
            }
        }
    }
    let series = districts
        .iter()
        .map(|(code, name)| LineSeries {
            label: name.clone(),
            values: runs
                .iter()
                .map(|r| {
                    r.gaps
                        .iter()
                        .find(|g| g.lot == lot.id && g.area_code == *code)
                        .and_then(|g| g.get(Measure::Gap))
                        .unwrap_or(f64::NAN)
                })
                .collect(),
        })
        .collect();
    LineChart {
        title: format!("{}: gap by district", lot.label),
        subtitle: Some(format!(
            "Demand minus supply in each run ({}): positive = shortfall, negative = spare capacity",
            lot.unit.label()
        )),
        x_labels: runs.iter().map(|r| r.label().to_string()).collect(),
        series,
        y_label: format!("Gap ({})", lot.unit.label()),
        footnote: Some(
            "No point: the district's figure was suppressed in that run (too few people), or the run had no such lot"
                .into(),
        ),
    }
}

fn trend_chart(runs: &[Run], trend: &Trend, unit: Unit) -> LineChart {
    let series: Vec<LineSeries> = trend
        .lots
        .iter()
        .zip(&trend.totals)
        .filter(|(l, _)| l.unit == unit)
        .map(|(l, totals)| LineSeries {
            // A lot with no total in any run draws nothing: the legend says why.
            label: if totals.iter().all(|v| v.is_nan()) {
                format!("{} (no total: suppressed)", l.label)
            } else {
                l.label.clone()
            },
            values: totals.clone(),
        })
        .collect();
    let what = match series.as_slice() {
        [only] => only.label.clone(),
        _ => "by lot".to_string(),
    };
    LineChart {
        title: format!("County total gap, {what} ({})", unit.label()),
        subtitle: Some(
            "Sum of the district gaps in each run: positive = shortfall, negative = spare capacity"
                .into(),
        ),
        x_labels: runs.iter().map(|r| r.label().to_string()).collect(),
        series,
        y_label: format!("Gap ({})", unit.label()),
        footnote: Some(
            "No point: a district's gap for the lot was suppressed in that run (too few people), or the run had no such lot"
                .into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_labels_name_the_end_of_their_quarter() {
        assert_eq!(quarter_end("2025-Q2").as_deref(), Some("2025-06-30"));
        assert_eq!(quarter_end("2024-Q4").as_deref(), Some("2024-12-31"));
        assert_eq!(quarter_end("2025-Q5"), None);
        assert_eq!(quarter_end("25-Q1"), None);
        assert_eq!(quarter_end("baseline"), None);
        assert!(quarter_end("2024-Q4") < quarter_end("2025-Q2"));
    }
}
