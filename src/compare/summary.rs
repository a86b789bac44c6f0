//! The plain-text summary of a comparison: gaps that opened, closed, widened or narrowed
//! first (each with the change in supply or demand behind it), then services, then other
//! changes, then what could not be compared. Words only; no files.

use super::changes::{AreaChange, Comparison, GapChange};
use super::runs::Measure;

/// Other changes listed before the rest are only counted.
const MAX_OTHER: usize = 15;

/// A figure as the summary writes it: at most two decimals, no trailing zeros.
pub fn number(v: f64) -> String {
    let text = format!("{:.2}", v);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// A change with its sign, such as "+5" or "-0.25".
pub fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", number(v))
    } else {
        number(v)
    }
}

/// The summary, one line per entry.
pub fn lines(c: &Comparison) -> Vec<String> {
    let mut out = vec![format!(
        "Changes from {} (data {}) to {} (data {}):",
        c.before_label, c.before_date, c.after_label, c.after_date
    )];
    out.push(format!(
        "Gaps that opened, closed, widened or narrowed by more than {}:",
        number(c.threshold)
    ));
    if c.gaps.is_empty() {
        out.push("  none".into());
    }
    out.extend(c.gaps.iter().map(|g| format!("  {}", gap_sentence(g, c))));
    out.push("Services opened, closed or changed:".into());
    if c.services.is_empty() {
        out.push("  none".into());
    }
    out.extend(c.services.iter().map(|s| {
        let capacity = s
            .after
            .as_ref()
            .or(s.before.as_ref())
            .map_or(0.0, |f| f.capacity);
        let lots = s
            .after
            .as_ref()
            .or(s.before.as_ref())
            .map_or("", |f| f.lots.as_str());
        format!(
            "  {} {} ({}): {}, {} {} ({})",
            s.service_id,
            s.service_name,
            s.district_name,
            s.change,
            number(capacity),
            s.unit,
            lots
        )
    }));
    out.extend(other_changes(c));
    out.extend(super::market::lines(&c.market, &c.lots));
    out.extend(comparability_lines(c));
    out
}

/// "Harborough PMLD: gap widened from 15 to 25 places (+10): demand 20 to 30 (+10)".
pub fn gap_sentence(g: &GapChange, c: &Comparison) -> String {
    let mut text = format!(
        "{} {}: gap {} from {} to {} {} ({})",
        g.area_name,
        g.lot.short(),
        g.change_kind.as_str(),
        number(g.before),
        number(g.after),
        g.lot.unit.label(),
        signed(g.change)
    );
    let row = c
        .areas
        .iter()
        .find(|r| r.area_code == g.area_code && r.lot.id == g.lot.id);
    if let Some(row) = row {
        let why = measure_changes(row, &[Measure::Supply, Measure::Demand]);
        if !why.is_empty() {
            text.push_str(": ");
            text.push_str(&why.join(", "));
        }
    }
    text
}

fn measure_words(m: Measure) -> &'static str {
    match m {
        Measure::Services => "services",
        Measure::Supply => "supply",
        Measure::CurrentUsers => "current users",
        Measure::Waiting => "waiting",
        Measure::Demand => "demand",
        Measure::Gap => "gap",
        Measure::Sufficiency => "sufficiency",
        Measure::ShareBeyondCatchment => "share beyond the catchment",
        Measure::MeanDistanceKm => "mean distance (km)",
    }
}

/// "supply 3 to 9 (+6)" for each of `measures` that changed.
fn measure_changes(row: &AreaChange, measures: &[Measure]) -> Vec<String> {
    measures
        .iter()
        .filter_map(|&m| {
            let change = row.change_of(m).filter(|c| *c != 0.0)?;
            Some(format!(
                "{} {} to {} ({})",
                measure_words(m),
                number(row.before_of(m)?),
                number(row.after_of(m)?),
                signed(change)
            ))
        })
        .collect()
}

fn other_changes(c: &Comparison) -> Vec<String> {
    let listed = |r: &AreaChange| {
        c.gaps
            .iter()
            .any(|g| g.area_code == r.area_code && g.lot.id == r.lot.id)
    };
    let measures = [
        Measure::Supply,
        Measure::CurrentUsers,
        Measure::Waiting,
        Measure::Demand,
        Measure::Gap,
        Measure::ShareBeyondCatchment,
        Measure::MeanDistanceKm,
    ];
    let rows: Vec<String> = c
        .areas
        .iter()
        .filter(|r| r.changed() && !listed(r))
        .map(|r| {
            format!(
                "  {} {} ({}): {}",
                r.area_name,
                r.lot.short(),
                r.lot.unit.label(),
                measure_changes(r, &measures).join(", ")
            )
        })
        .filter(|line| !line.ends_with(": "))
        .collect();
    let mut out = vec!["Other changes by area and lot:".to_string()];
    if rows.is_empty() {
        out.push("  none".into());
    }
    let more = rows.len().saturating_sub(MAX_OTHER);
    out.extend(rows.into_iter().take(MAX_OTHER));
    if more > 0 {
        out.push(format!(
            "  ... and {more} more in tables/changes_by_district.csv"
        ));
    }
    out
}

fn comparability_lines(c: &Comparison) -> Vec<String> {
    let notes = c.comparability.notes();
    if notes.is_empty() {
        return vec![
            "Comparable: both runs used the same analysis, lots and units, band rates and disclosure settings.".into(),
        ];
    }
    let mut out = vec!["Not comparable (these changes are left empty in the tables):".to_string()];
    out.extend(notes.into_iter().map(|n| format!("  {n}")));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_lose_trailing_zeros_and_changes_keep_their_sign() {
        assert_eq!(number(15.0), "15");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(-0.001), "0");
        assert_eq!(signed(5.0), "+5");
        assert_eq!(signed(-6.0), "-6");
        assert_eq!(signed(0.0), "0");
    }
}
