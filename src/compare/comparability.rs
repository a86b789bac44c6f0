//! Comparability: whether two runs measured the same thing the same way.
//!
//! Compares the settings each run's manifest records (the analysis, the lots and their
//! units, the band rates, the disclosure rule) and says, in words, which measures cannot
//! be compared and why. It decides nothing about figures: [`super::changes`] leaves the
//! change of a measure empty where a note here applies to it.

use super::runs::{BandRates, Measure, Run};

/// Which measures of two runs are not comparable, and why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Comparability {
    /// Distance and catchment settings differ: access measures are not comparable.
    pub access: Option<String>,
    /// Disclosure settings differ: counts of people (and figures made from them) are not
    /// comparable.
    pub people: Option<String>,
    /// Band rates differ: cost is not comparable.
    pub cost: Option<String>,
    /// Lots present in only one run, or measured in different units: (lot id, reason).
    pub lots: Vec<(String, String)>,
}

impl Comparability {
    /// Compares the settings of two runs.
    pub fn of(before: &Run, after: &Run) -> Comparability {
        Comparability {
            access: access_note(before, after),
            people: people_note(before, after),
            cost: cost_note(&before.settings.bands, &after.settings.bands),
            lots: lot_notes(before, after),
        }
    }

    /// The reason a lot is not comparable at all, if it is not.
    pub fn lot(&self, lot: &str) -> Option<&str> {
        self.lots
            .iter()
            .find(|(id, _)| id == lot)
            .map(|(_, why)| why.as_str())
    }

    /// The notes that stop one measure of one lot from being compared.
    pub fn blocking(&self, lot: &str, measure: Measure) -> Vec<&str> {
        let mut notes: Vec<&str> = self.lot(lot).into_iter().collect();
        if measure.from_people() {
            notes.extend(self.people.as_deref());
        }
        if measure.is_access() {
            notes.extend(self.access.as_deref());
        }
        notes
    }

    /// The `comparable` note of a row of one lot: "yes", or what is not comparable.
    pub fn row_note(&self, lot: &str) -> String {
        let mut notes: Vec<&str> = Vec::new();
        for m in Measure::ALL {
            for n in self.blocking(lot, m) {
                if !notes.contains(&n) {
                    notes.push(n);
                }
            }
        }
        if notes.is_empty() {
            "yes".into()
        } else {
            notes.join("; ")
        }
    }

    /// Every run-wide note, for the summary.
    pub fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = [&self.access, &self.people, &self.cost]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        notes.extend(self.lots.iter().map(|(_, why)| why.clone()));
        notes
    }
}

fn number(v: f64) -> String {
    super::summary::number(v)
}

fn access_note(before: &Run, after: &Run) -> Option<String> {
    let (b, a) = (&before.settings.analysis, &after.settings.analysis);
    let mut differences = Vec::new();
    if b.catchment_km != a.catchment_km {
        differences.push(format!(
            "analysis.catchment_km {} -> {}",
            number(b.catchment_km),
            number(a.catchment_km)
        ));
    }
    if b.circuity != a.circuity {
        differences.push(format!(
            "analysis.circuity {} -> {}",
            number(b.circuity),
            number(a.circuity)
        ));
    }
    if (&b.travel_costs, &b.travel_cost_unit) != (&a.travel_costs, &a.travel_cost_unit) {
        let words = |s: &super::runs::AnalysisSettings| match (&s.travel_costs, &s.travel_cost_unit)
        {
            (Some(file), Some(unit)) => format!("{file} ({unit})"),
            _ => "straight lines".to_string(),
        };
        differences.push(format!(
            "analysis.travel_costs {} -> {}",
            words(b),
            words(a)
        ));
    }
    if b.catchment_minutes != a.catchment_minutes {
        let minutes = |m: Option<f64>| m.map_or_else(|| "unset".to_string(), number);
        differences.push(format!(
            "analysis.catchment_minutes {} -> {}",
            minutes(b.catchment_minutes),
            minutes(a.catchment_minutes)
        ));
    }
    (!differences.is_empty()).then(|| format!("access not comparable ({})", differences.join(", ")))
}

fn people_note(before: &Run, after: &Run) -> Option<String> {
    let (b, a) = (&before.manifest.disclosure, &after.manifest.disclosure);
    let mut differences = Vec::new();
    if b.threshold != a.threshold {
        differences.push(format!(
            "disclosure.threshold {} -> {}",
            b.threshold, a.threshold
        ));
    }
    if b.rounding_base != a.rounding_base {
        differences.push(format!(
            "disclosure.rounding_base {} -> {}",
            b.rounding_base, a.rounding_base
        ));
    }
    (!differences.is_empty()).then(|| {
        format!(
            "counts of people not comparable ({})",
            differences.join(", ")
        )
    })
}

fn cost_note(before: &[BandRates], after: &[BandRates]) -> Option<String> {
    let mut differences = Vec::new();
    for b in before {
        match after.iter().find(|a| a.id == b.id) {
            None => differences.push(format!("band {} only before", b.id)),
            Some(a) if a != b => differences.push(format!("band {} rates differ", b.id)),
            Some(_) => {}
        }
    }
    for a in after
        .iter()
        .filter(|a| !before.iter().any(|b| b.id == a.id))
    {
        differences.push(format!("band {} only after", a.id));
    }
    (!differences.is_empty()).then(|| format!("cost not comparable ({})", differences.join(", ")))
}

fn lot_notes(before: &Run, after: &Run) -> Vec<(String, String)> {
    let (b, a) = (&before.settings, &after.settings);
    let mut notes = Vec::new();
    for lot in &a.lots {
        match b.lot(&lot.id) {
            None => notes.push((
                lot.id.clone(),
                format!("lot {} not comparable (only in {})", lot.id, after.label()),
            )),
            Some(old) if old.unit != lot.unit => notes.push((
                lot.id.clone(),
                format!(
                    "lot {} not comparable (unit {} -> {})",
                    lot.id,
                    old.unit.label(),
                    lot.unit.label()
                ),
            )),
            Some(_) => {}
        }
    }
    for lot in b.lots.iter().filter(|l| a.lot(&l.id).is_none()) {
        notes.push((
            lot.id.clone(),
            format!("lot {} not comparable (only in {})", lot.id, before.label()),
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::runs::{ConfigText, DisclosureSettings, RunManifest};

    fn run(label: &str, config: &str, threshold: u32) -> Run {
        Run {
            folder: label.into(),
            manifest: RunManifest {
                label: label.into(),
                data_date: "2025-06-30".into(),
                config: ConfigText {
                    sha256: String::new(),
                    text: config.into(),
                },
                inputs: Vec::new(),
                disclosure: DisclosureSettings {
                    threshold,
                    rounding_base: 5,
                },
            },
            settings: toml::from_str(config).expect("parses"),
            gaps: Vec::new(),
            services: Vec::new(),
            market: None,
        }
    }

    const LOTS: &str = r#"
[[lots]]
id = "pmld"
label = "PMLD"
unit = "places"
[[lots]]
id = "pa"
label = "PA"
unit = "hours"
[[bands]]
id = "D"
full_day = 157.40
"#;

    #[test]
    fn the_same_settings_compare_in_full() {
        let c = Comparability::of(&run("a", LOTS, 7), &run("b", LOTS, 7));
        assert_eq!(c, Comparability::default());
        assert_eq!(c.row_note("pmld"), "yes");
    }

    #[test]
    fn disclosure_lots_units_and_rates_that_differ_are_named() {
        let later = LOTS
            .replace("unit = \"hours\"", "unit = \"places\"")
            .replace("157.40", "160.00")
            + "[[lots]]\nid = \"new\"\nlabel = \"New\"\nunit = \"places\"\n";
        let c = Comparability::of(&run("a", LOTS, 7), &run("b", &later, 10));
        assert_eq!(
            c.people.as_deref(),
            Some("counts of people not comparable (disclosure.threshold 7 -> 10)")
        );
        assert_eq!(c.access, None);
        assert_eq!(
            c.cost.as_deref(),
            Some("cost not comparable (band D rates differ)")
        );
        assert_eq!(
            c.lot("pa"),
            Some("lot pa not comparable (unit PA hours per week -> places)")
        );
        assert_eq!(c.lot("new"), Some("lot new not comparable (only in b)"));
        // Supply is not a count of people: it still compares for a comparable lot.
        assert!(c.blocking("pmld", Measure::Supply).is_empty());
        assert_eq!(c.blocking("pmld", Measure::Waiting).len(), 1);
        assert_eq!(c.blocking("pa", Measure::Supply).len(), 1);
    }

    #[test]
    fn a_travel_time_matrix_makes_access_not_comparable_with_straight_lines() {
        let matrix = format!(
            "[analysis]\ntravel_costs = \"od.csv\"\ntravel_cost_unit = \"minutes\"\ncatchment_minutes = 30\n{LOTS}"
        );
        let c = Comparability::of(&run("a", LOTS, 7), &run("b", &matrix, 7));
        assert_eq!(
            c.access.as_deref(),
            Some("access not comparable (analysis.travel_costs straight lines -> od.csv (minutes), analysis.catchment_minutes unset -> 30)")
        );
        assert_eq!(c.people, None);
        let same = Comparability::of(&run("a", &matrix, 7), &run("b", &matrix, 7));
        assert_eq!(same.access, None);
    }
}
