//! Quarter on quarter for the market: how each lot's concentration (HHI, top-three share,
//! number of providers) and each provider's shares of supply and of people served changed,
//! from the `tables/market.csv` both runs published. A run made before gapmap wrote that
//! table has no market, and the comparison says so instead of reporting changes. Shares of
//! people are the published ones, so a change involving a suppressed share is not shown.

use std::collections::BTreeMap;
use std::path::Path;

use super::runs::{figure, read_table};
use crate::io::table::Table;
use crate::problem::Problems;

/// The market table's file, relative to a run folder.
pub const FILE: &str = "tables/market.csv";

const COLUMNS: &[&str] = &[
    "area_kind",
    "area_code",
    "area_name",
    "lot",
    "provider_id",
    "provider_name",
    "share_of_supply",
    "share_of_people_served",
    "providers",
    "share_top_three",
    "hhi",
];

/// One row of a run's market table.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketRecord {
    pub area_code: String,
    pub area_name: String,
    pub lot: String,
    pub provider_id: String,
    pub provider_name: String,
    pub share_of_supply: Option<f64>,
    pub share_of_people: Option<f64>,
    pub providers: Option<f64>,
    pub share_top_three: Option<f64>,
    pub hhi: Option<f64>,
}

/// The run's market table, or `None` when the run has none (made by an earlier gapmap).
pub fn read(folder: &Path, problems: &mut Problems) -> Option<Vec<MarketRecord>> {
    if !folder.join(FILE).is_file() {
        return None;
    }
    let table = read_table(folder, FILE, COLUMNS, problems)?;
    let mut rows = Vec::new();
    for r in table.rows() {
        let mut number = |c: &str| figure(&r, c, problems).flatten();
        let (share_of_supply, share_of_people, providers, top, hhi) = (
            number("share_of_supply"),
            number("share_of_people_served"),
            number("providers"),
            number("share_top_three"),
            number("hhi"),
        );
        rows.push(MarketRecord {
            area_code: r.text("area_code").to_string(),
            area_name: r.text("area_name").to_string(),
            lot: r.text("lot").to_string(),
            provider_id: r.text("provider_id").to_string(),
            provider_name: r.text("provider_name").to_string(),
            share_of_supply,
            share_of_people,
            providers,
            share_top_three: top,
            hhi,
        });
    }
    Some(rows)
}

/// One lot's market in one area, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcentrationChange {
    pub area_code: String,
    pub area_name: String,
    pub lot: String,
    pub providers: (Option<f64>, Option<f64>),
    pub hhi: (Option<f64>, Option<f64>),
    pub share_top_three: (Option<f64>, Option<f64>),
}

/// One provider's shares in one lot and area, before and after (`None`: not in that run's
/// market, or suppressed).
#[derive(Debug, Clone, PartialEq)]
pub struct ShareChange {
    pub area_code: String,
    pub area_name: String,
    pub lot: String,
    pub provider_id: String,
    pub provider_name: String,
    pub share_of_supply: (Option<f64>, Option<f64>),
    pub share_of_people: (Option<f64>, Option<f64>),
}

/// The market's changes; `None` when either run has no market table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MarketChanges {
    pub compared: bool,
    pub concentration: Vec<ConcentrationChange>,
    pub shares: Vec<ShareChange>,
}

type Key = (String, String);

/// Compares two runs' market tables: every lot market and provider of either run, the
/// later run's order first.
pub fn compare(before: Option<&[MarketRecord]>, after: Option<&[MarketRecord]>) -> MarketChanges {
    let (Some(before), Some(after)) = (before, after) else {
        return MarketChanges::default();
    };
    let mut markets: Vec<Key> = Vec::new();
    let mut first: BTreeMap<Key, (&MarketRecord, Option<&MarketRecord>, Option<&MarketRecord>)> =
        BTreeMap::new();
    for (side, rows) in [(1, after), (0, before)] {
        for r in rows {
            let key = (r.area_code.clone(), r.lot.clone());
            let entry = first.entry(key.clone()).or_insert_with(|| {
                markets.push(key);
                (r, None, None)
            });
            let slot = if side == 0 {
                &mut entry.1
            } else {
                &mut entry.2
            };
            slot.get_or_insert(r);
        }
    }
    let concentration = markets
        .iter()
        .map(|key| {
            let (any, b, a) = first[key];
            let pair = |f: fn(&MarketRecord) -> Option<f64>| (b.and_then(f), a.and_then(f));
            ConcentrationChange {
                area_code: any.area_code.clone(),
                area_name: any.area_name.clone(),
                lot: any.lot.clone(),
                providers: pair(|r| r.providers),
                hhi: pair(|r| r.hhi),
                share_top_three: pair(|r| r.share_top_three),
            }
        })
        .collect();
    MarketChanges {
        compared: true,
        concentration,
        shares: share_changes(before, after),
    }
}

fn share_changes(before: &[MarketRecord], after: &[MarketRecord]) -> Vec<ShareChange> {
    let key = |r: &MarketRecord| (r.area_code.clone(), r.lot.clone(), r.provider_id.clone());
    let earlier: BTreeMap<_, &MarketRecord> = before.iter().map(|r| (key(r), r)).collect();
    let later: BTreeMap<_, &MarketRecord> = after.iter().map(|r| (key(r), r)).collect();
    let change =
        |r: &MarketRecord, b: Option<&&MarketRecord>, a: Option<&&MarketRecord>| ShareChange {
            area_code: r.area_code.clone(),
            area_name: r.area_name.clone(),
            lot: r.lot.clone(),
            provider_id: r.provider_id.clone(),
            provider_name: r.provider_name.clone(),
            share_of_supply: (
                Some(b.and_then(|x| x.share_of_supply).unwrap_or(0.0)),
                Some(a.and_then(|x| x.share_of_supply).unwrap_or(0.0)),
            ),
            share_of_people: (
                b.map_or(Some(0.0), |x| x.share_of_people),
                a.map_or(Some(0.0), |x| x.share_of_people),
            ),
        };
    let mut out: Vec<ShareChange> = after
        .iter()
        .map(|r| change(r, earlier.get(&key(r)), Some(&r)))
        .collect();
    out.extend(
        before
            .iter()
            .filter(|r| !later.contains_key(&key(r)))
            .map(|r| change(r, Some(&r), None)),
    );
    out
}

fn difference((before, after): (Option<f64>, Option<f64>), decimals: i32) -> Option<f64> {
    let scale = 10f64.powi(decimals);
    before
        .zip(after)
        .map(|(b, a)| ((a - b) * scale).round() / scale)
}

/// The change tables: `changes_market` and `changes_provider_shares`.
pub fn tables(c: &MarketChanges) -> Vec<(&'static str, Table)> {
    if !c.compared {
        return Vec::new();
    }
    let m = &c.concentration;
    let pairs = |table: Table,
                 name: &str,
                 f: fn(&ConcentrationChange) -> (Option<f64>, Option<f64>),
                 decimals: i32| {
        table
            .float(
                &format!("{name}_before"),
                m.iter().map(|r| f(r).0).collect(),
                decimals,
            )
            .float(
                &format!("{name}_after"),
                m.iter().map(|r| f(r).1).collect(),
                decimals,
            )
            .float(
                &format!("{name}_change"),
                m.iter().map(|r| difference(f(r), decimals)).collect(),
                decimals,
            )
    };
    let concentration = Table::default()
        .text("area_code", m.iter().map(|r| r.area_code.clone()).collect())
        .text("area_name", m.iter().map(|r| r.area_name.clone()).collect())
        .text("lot", m.iter().map(|r| r.lot.clone()).collect());
    let concentration = pairs(concentration, "providers", |r| r.providers, 0);
    let concentration = pairs(concentration, "hhi", |r| r.hhi, 1);
    let concentration = pairs(concentration, "share_top_three", |r| r.share_top_three, 4);
    let s = &c.shares;
    let share_pairs =
        |table: Table, name: &str, f: fn(&ShareChange) -> (Option<f64>, Option<f64>)| {
            table
                .float(
                    &format!("{name}_before"),
                    s.iter().map(|r| f(r).0).collect(),
                    4,
                )
                .float(
                    &format!("{name}_after"),
                    s.iter().map(|r| f(r).1).collect(),
                    4,
                )
                .float(
                    &format!("{name}_change"),
                    s.iter().map(|r| difference(f(r), 4)).collect(),
                    4,
                )
        };
    let shares = Table::default()
        .text("area_code", s.iter().map(|r| r.area_code.clone()).collect())
        .text("area_name", s.iter().map(|r| r.area_name.clone()).collect())
        .text("lot", s.iter().map(|r| r.lot.clone()).collect())
        .text(
            "provider_id",
            s.iter().map(|r| r.provider_id.clone()).collect(),
        )
        .text(
            "provider_name",
            s.iter().map(|r| r.provider_name.clone()).collect(),
        );
    let shares = share_pairs(shares, "share_of_supply", |r| r.share_of_supply);
    let shares = share_pairs(shares, "share_of_people_served", |r| r.share_of_people);
    vec![
        ("changes_market", concentration),
        ("changes_provider_shares", shares),
    ]
}

/// Provider shares of supply that moved by at least this much (5 percentage points) are
/// listed in the summary.
const SHARE_LISTED: f64 = 0.05;

/// The summary's lines about the market: concentration of each lot over all districts,
/// and provider shares that moved by 5 points or more there.
pub fn lines(c: &MarketChanges, lots: &[super::runs::LotSetting]) -> Vec<String> {
    let name = |id: &str| {
        lots.iter()
            .find(|l| l.id == id)
            .map_or_else(|| id.to_string(), |l| l.short().to_string())
    };
    if !c.compared {
        return vec!["Market: not compared (one of the runs has no tables/market.csv)".into()];
    }
    let mut out =
        vec!["Market concentration, all districts (HHI of shares of supply):".to_string()];
    let whole: Vec<&ConcentrationChange> = c
        .concentration
        .iter()
        .filter(|m| m.area_code.is_empty())
        .collect();
    for m in &whole {
        let words = match m.hhi {
            (Some(b), Some(a)) if (a - b).abs() >= 0.5 => format!(
                "HHI {} to {} ({}), {} to {} providers",
                super::summary::number(b.round()),
                super::summary::number(a.round()),
                super::summary::signed((a - b).round()),
                m.providers.0.map_or("0".into(), super::summary::number),
                m.providers.1.map_or("0".into(), super::summary::number),
            ),
            (Some(b), Some(_)) => format!("HHI {} unchanged", super::summary::number(b.round())),
            (None, Some(a)) => format!("new market, HHI {}", super::summary::number(a.round())),
            (Some(b), None) => format!(
                "no active services now (HHI was {})",
                super::summary::number(b.round())
            ),
            (None, None) => "no supply".into(),
        };
        out.push(format!("  {}: {words}", name(&m.lot)));
    }
    let moved: Vec<&ShareChange> = c
        .shares
        .iter()
        .filter(|s| s.area_code.is_empty())
        .filter(|s| difference(s.share_of_supply, 4).is_some_and(|d| d.abs() >= SHARE_LISTED))
        .collect();
    out.push("Provider shares of supply that moved by 5 points or more, all districts:".into());
    if moved.is_empty() {
        out.push("  none".into());
    }
    for s in moved {
        let pct = |x: Option<f64>| x.map_or("0%".to_string(), |v| format!("{:.0}%", v * 100.0));
        out.push(format!(
            "  {} ({}), {}: {} to {}",
            s.provider_name,
            s.provider_id,
            name(&s.lot),
            pct(s.share_of_supply.0),
            pct(s.share_of_supply.1)
        ));
    }
    out
}
