//! Changes between two runs: by area and lot, by service, and the gaps that opened,
//! closed, widened or narrowed.
//!
//! Plain data in ([`Run`]s as published), plain data out ([`Comparison`]). Every figure
//! comes from the published tables, so a change that involves a suppressed (empty) figure
//! is itself empty, and so is a change of a measure the two runs' settings make not
//! comparable. Nothing here reads or writes files.

use std::collections::BTreeMap;

use crate::model::Unit;

use super::comparability::Comparability;
use super::runs::{GapFigures, LotSetting, Measure, Run, ServiceFigures};

/// Whether a row of the gap table is a district or a grouping of districts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    District,
    Grouping,
}

impl AreaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::District => "district",
            AreaKind::Grouping => "grouping",
        }
    }
}

/// The change in one area's figures for one lot.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaChange {
    pub area_code: String,
    pub area_name: String,
    pub kind: AreaKind,
    pub lot: LotSetting,
    /// By [`Measure::ALL`] order; `None` where the run has no such row or the cell is empty.
    pub before: [Option<f64>; 9],
    pub after: [Option<f64>; 9],
    /// After minus before, rounded as the tables round; `None` where either side is empty
    /// or the measure is not comparable.
    pub change: [Option<f64>; 9],
    /// "yes", or what is not comparable and why.
    pub comparable: String,
}

impl AreaChange {
    pub fn change_of(&self, m: Measure) -> Option<f64> {
        self.change[m as usize]
    }

    pub fn before_of(&self, m: Measure) -> Option<f64> {
        self.before[m as usize]
    }

    pub fn after_of(&self, m: Measure) -> Option<f64> {
        self.after[m as usize]
    }

    /// Whether any comparable figure changed.
    pub fn changed(&self) -> bool {
        self.change.iter().flatten().any(|c| *c != 0.0)
    }
}

/// How a gap changed (a gap is a shortfall: demand above supply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GapChangeKind {
    /// There was no shortfall; now there is.
    Opened,
    /// There was a shortfall; now there is none.
    Closed,
    Widened,
    Narrowed,
}

impl GapChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            GapChangeKind::Opened => "opened",
            GapChangeKind::Closed => "closed",
            GapChangeKind::Widened => "widened",
            GapChangeKind::Narrowed => "narrowed",
        }
    }

    /// How a gap of `before` that became `after` changed, if by more than `threshold`.
    pub fn of(before: f64, after: f64, threshold: f64) -> Option<GapChangeKind> {
        if (after - before).abs() <= threshold {
            return None;
        }
        match (before > 0.0, after > 0.0) {
            (false, true) => Some(GapChangeKind::Opened),
            (true, false) => Some(GapChangeKind::Closed),
            (true, true) if after > before => Some(GapChangeKind::Widened),
            (true, true) => Some(GapChangeKind::Narrowed),
            (false, false) => None,
        }
    }
}

/// A gap that opened, closed, widened or narrowed by more than the threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct GapChange {
    pub area_code: String,
    pub area_name: String,
    pub kind: AreaKind,
    pub lot: LotSetting,
    pub change_kind: GapChangeKind,
    pub before: f64,
    pub after: f64,
    pub change: f64,
    /// The row's note: the gap compares, but other measures of the row may not.
    pub comparable: String,
}

/// A service that opened, closed or changed, matched by `service_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceChange {
    pub service_id: String,
    /// From the later run when the service is in it, else from the earlier.
    pub service_name: String,
    pub provider_id: String,
    pub district_code: String,
    pub district_name: String,
    pub unit: String,
    /// What changed, such as "opened", "closed" or "capacity changed; lots changed".
    pub change: String,
    pub before: Option<ServiceFigures>,
    pub after: Option<ServiceFigures>,
}

impl ServiceChange {
    pub fn capacity_change(&self) -> Option<f64> {
        Some(self.after.as_ref()?.capacity - self.before.as_ref()?.capacity)
    }
}

/// Everything that changed between two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub before_label: String,
    pub after_label: String,
    pub before_date: String,
    pub after_date: String,
    pub threshold: f64,
    pub comparability: Comparability,
    /// Every area and lot of either run: the later run's rows in its order, then rows
    /// only the earlier run has.
    pub areas: Vec<AreaChange>,
    /// Services that changed, by `service_id`.
    pub services: Vec<ServiceChange>,
    /// Gaps that opened, closed, widened or narrowed: in that order, larger changes first.
    pub gaps: Vec<GapChange>,
    /// Lots of either run: the later run's, then any only the earlier has.
    pub lots: Vec<LotSetting>,
    /// Concentration and provider shares.
    pub market: super::market::MarketChanges,
}

/// Compares two runs; gap changes of at most `threshold` units are not listed.
pub fn compare(before: &Run, after: &Run, threshold: f64) -> Comparison {
    let comparability = Comparability::of(before, after);
    let areas = area_changes(before, after, &comparability);
    let gaps = gap_changes(&areas, threshold);
    Comparison {
        before_label: before.label().to_string(),
        after_label: after.label().to_string(),
        before_date: before.manifest.data_date.clone(),
        after_date: after.manifest.data_date.clone(),
        threshold,
        services: service_changes(&before.services, &after.services),
        lots: lots_of(before, after),
        comparability,
        areas,
        gaps,
        market: super::market::compare(before.market.as_deref(), after.market.as_deref()),
    }
}

fn lots_of(before: &Run, after: &Run) -> Vec<LotSetting> {
    let mut lots = after.settings.lots.clone();
    for l in &before.settings.lots {
        if !lots.iter().any(|k| k.id == l.id) {
            lots.push(l.clone());
        }
    }
    lots
}

/// The lot as the later run defines it, else as the earlier; a lot neither config names
/// (a hand-edited table) gets its id as label.
fn lot_setting(before: &Run, after: &Run, id: &str) -> LotSetting {
    after
        .settings
        .lot(id)
        .or_else(|| before.settings.lot(id))
        .cloned()
        .unwrap_or_else(|| LotSetting {
            id: id.to_string(),
            label: id.to_string(),
            short_label: None,
            unit: Unit::Places,
        })
}

/// The two runs and their comparability, as the area rows need them.
struct Pair<'a> {
    before: &'a Run,
    after: &'a Run,
    comparability: &'a Comparability,
}

fn area_changes(before: &Run, after: &Run, comparability: &Comparability) -> Vec<AreaChange> {
    let pair = Pair {
        before,
        after,
        comparability,
    };
    let key = |g: &GapFigures| (g.area_code.clone(), g.lot.clone());
    let earlier: BTreeMap<(String, String), &GapFigures> =
        before.gaps.iter().map(|g| (key(g), g)).collect();
    let later: BTreeMap<(String, String), &GapFigures> =
        after.gaps.iter().map(|g| (key(g), g)).collect();
    let mut rows: Vec<AreaChange> = after
        .gaps
        .iter()
        .map(|a| pair.row(a, earlier.get(&key(a)).copied(), Some(a)))
        .collect();
    rows.extend(
        before
            .gaps
            .iter()
            .filter(|b| !later.contains_key(&key(b)))
            .map(|b| pair.row(b, Some(b), None)),
    );
    rows
}

impl Pair<'_> {
    /// The change of the area and lot of `first`, present in one run or both.
    fn row(
        &self,
        first: &GapFigures,
        old: Option<&GapFigures>,
        new: Option<&GapFigures>,
    ) -> AreaChange {
        let lot = lot_setting(self.before, self.after, &first.lot);
        let values = |g: Option<&GapFigures>| g.map_or([None; 9], |g| g.values);
        let (b, a) = (values(old), values(new));
        let mut change = [None; 9];
        for m in Measure::ALL {
            if self.comparability.blocking(&lot.id, m).is_empty() {
                let i = m as usize;
                change[i] = difference(b[i], a[i], m.decimals());
            }
        }
        let comparable = match (old, new) {
            (None, _) => format!("area only in {}", self.after.label()),
            (_, None) => format!("area only in {}", self.before.label()),
            _ => self.comparability.row_note(&lot.id),
        };
        let grouping = self.after.settings.is_grouping(&first.area_code)
            || self.before.settings.is_grouping(&first.area_code);
        AreaChange {
            area_code: first.area_code.clone(),
            area_name: first.area_name.clone(),
            kind: if grouping {
                AreaKind::Grouping
            } else {
                AreaKind::District
            },
            lot,
            before: b,
            after: a,
            change,
            comparable,
        }
    }
}

/// `after - before` rounded to `decimals`, or `None` when either is missing.
fn difference(before: Option<f64>, after: Option<f64>, decimals: i32) -> Option<f64> {
    let scale = 10f64.powi(decimals);
    let d = ((after? - before?) * scale).round() / scale;
    Some(if d == 0.0 { 0.0 } else { d })
}

fn gap_changes(areas: &[AreaChange], threshold: f64) -> Vec<GapChange> {
    let mut gaps: Vec<GapChange> = areas
        .iter()
        .filter_map(|r| {
            let change = r.change_of(Measure::Gap)?;
            let (before, after) = (r.before_of(Measure::Gap)?, r.after_of(Measure::Gap)?);
            Some(GapChange {
                area_code: r.area_code.clone(),
                area_name: r.area_name.clone(),
                kind: r.kind,
                lot: r.lot.clone(),
                change_kind: GapChangeKind::of(before, after, threshold)?,
                before,
                after,
                change,
                comparable: r.comparable.clone(),
            })
        })
        .collect();
    // A stable sort keeps the table's order among equal changes.
    gaps.sort_by(|a, b| {
        a.change_kind
            .cmp(&b.change_kind)
            .then(b.change.abs().total_cmp(&a.change.abs()))
    });
    gaps
}

fn service_changes(before: &[ServiceFigures], after: &[ServiceFigures]) -> Vec<ServiceChange> {
    let earlier: BTreeMap<&str, &ServiceFigures> =
        before.iter().map(|s| (s.service_id.as_str(), s)).collect();
    let later: BTreeMap<&str, &ServiceFigures> =
        after.iter().map(|s| (s.service_id.as_str(), s)).collect();
    let mut ids: Vec<&str> = earlier.keys().chain(later.keys()).copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let (b, a) = (earlier.get(id).copied(), later.get(id).copied());
            let change = service_change(b, a)?;
            let shown = a.or(b)?;
            Some(ServiceChange {
                service_id: id.to_string(),
                service_name: shown.service_name.clone(),
                provider_id: shown.provider_id.clone(),
                district_code: shown.district_code.clone(),
                district_name: shown.district_name.clone(),
                unit: shown.unit.clone(),
                change,
                before: b.cloned(),
                after: a.cloned(),
            })
        })
        .collect()
}

/// What changed about one service, or `None` when nothing did.
fn service_change(
    before: Option<&ServiceFigures>,
    after: Option<&ServiceFigures>,
) -> Option<String> {
    let active = |s: &ServiceFigures| s.status == "active";
    match (before, after) {
        (None, None) => None,
        (None, Some(a)) if active(a) => Some("opened".into()),
        (None, Some(a)) => Some(format!("added ({})", a.status)),
        (Some(b), None) if active(b) => Some("closed (no longer listed)".into()),
        (Some(_), None) => Some("removed (no longer listed)".into()),
        (Some(b), Some(a)) => {
            let mut what = Vec::new();
            if a.status != b.status {
                what.push(status_change(&b.status, &a.status));
            }
            if a.capacity != b.capacity {
                what.push("capacity changed".to_string());
            }
            if lot_set(&a.lots) != lot_set(&b.lots) {
                what.push("lots changed".to_string());
            }
            if a.district_code != b.district_code {
                what.push("moved district".to_string());
            }
            (!what.is_empty()).then(|| what.join("; "))
        }
    }
}

fn status_change(before: &str, after: &str) -> String {
    match (before, after) {
        ("active", "closed") => "closed".into(),
        ("active", "suspended") => "suspended".into(),
        (_, "active") => "reopened".into(),
        _ => format!("status {before} -> {after}"),
    }
}

fn lot_set(lots: &str) -> Vec<&str> {
    let mut v: Vec<&str> = lots
        .split(';')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_open_close_widen_and_narrow_only_beyond_the_threshold() {
        use GapChangeKind::*;
        assert_eq!(GapChangeKind::of(15.0, 20.0, 2.0), Some(Widened));
        assert_eq!(GapChangeKind::of(7.0, 1.0, 2.0), Some(Narrowed));
        assert_eq!(GapChangeKind::of(-3.0, 5.0, 2.0), Some(Opened));
        assert_eq!(GapChangeKind::of(4.0, 0.0, 2.0), Some(Closed));
        assert_eq!(GapChangeKind::of(15.0, 17.0, 2.0), None);
        // Spare capacity that shrinks is not a gap.
        assert_eq!(GapChangeKind::of(-20.0, -5.0, 2.0), None);
    }

    #[test]
    fn a_change_with_a_suppressed_side_is_suppressed() {
        assert_eq!(difference(Some(10.0), None, 0), None);
        assert_eq!(difference(None, Some(10.0), 0), None);
        assert_eq!(difference(Some(0.35), Some(0.3), 2), Some(-0.05));
        assert_eq!(difference(Some(0.3), Some(0.3), 2), Some(0.0));
    }

    fn service(id: &str, status: &str, capacity: f64, lots: &str) -> ServiceFigures {
        ServiceFigures {
            service_id: id.into(),
            service_name: format!("{id} centre"),
            provider_id: "P1".into(),
            lots: lots.into(),
            district_code: "E1".into(),
            district_name: "West".into(),
            capacity,
            unit: "places".into(),
            status: status.into(),
        }
    }

    #[test]
    fn services_are_matched_by_id() {
        let before = vec![
            service("S1", "active", 10.0, "a;b"),
            service("S2", "active", 8.0, "a"),
            service("S3", "active", 5.0, "a"),
        ];
        let after = vec![
            service("S1", "active", 10.0, "b;a"),
            service("S2", "closed", 8.0, "a"),
            service("S3", "active", 6.0, "a;c"),
            service("S4", "active", 6.0, "c"),
        ];
        let changes: Vec<(String, String)> = service_changes(&before, &after)
            .into_iter()
            .map(|c| (c.service_id, c.change))
            .collect();
        assert_eq!(
            changes,
            vec![
                ("S2".into(), "closed".into()),
                ("S3".into(), "capacity changed; lots changed".into()),
                ("S4".into(), "opened".into()),
            ]
        );
    }
}
