//! The config's `[plan]` section: the transport cost plans price, and the plans a run makes
//! (`[[plan.scenarios]]`), with the folder each plan goes into and the checks on the list.
//! Planning itself is [`crate::plan`]'s.

use serde::Deserialize;

use super::{invalid, ConfigError, ConfigFile};

/// Settings of `gapmap plan` in a run.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlanSection {
    /// What the council pays per km of transport; with it, plans price the weekly km to
    /// the nearest suitable service before and after.
    pub transport_cost_per_km: Option<f64>,
    /// Plans `gapmap run` makes after publishing, as `gapmap plan` would, each into
    /// `plans/<lot>-<n>/` and the run's report (`[[plan.scenarios]]`).
    pub scenarios: Vec<PlanScenario>,
}

/// One plan a run makes: the options of `gapmap plan` in a run.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanScenario {
    /// The lot's id.
    pub lot: String,
    pub new_services: usize,
    /// Places (or PA hours a week) at each new site; makes the plan capacitated.
    #[serde(default)]
    pub places: Option<f64>,
    /// "coverage" (the default) or "distance".
    #[serde(default)]
    pub objective: Option<String>,
    /// Re-place everyone with existing services at full capacity.
    #[serde(default)]
    pub full_capacity: bool,
    /// Expand existing services by `places` instead of opening new sites.
    #[serde(default)]
    pub expand: bool,
    /// Candidate sites (CSV), relative to the config; default every service's site and one
    /// point per area.
    #[serde(default)]
    pub candidates: Option<String>,
    /// Search for the proven optimum for at most this many seconds (plans without places).
    #[serde(default)]
    pub prove_seconds: Option<f64>,
}

impl PlanScenario {
    /// The plan's folder name under `plans/`, as `gapmap plan` names it.
    pub fn folder_name(&self) -> String {
        plan_folder_name(&self.lot, self.new_services, self.expand)
    }
}

/// The folder under `plans/` of a plan for `lot` with `new_services` sites: `pmld-3`, or
/// `pmld-3-expand` when existing services are expanded.
pub fn plan_folder_name(lot: &str, new_services: usize, expand: bool) -> String {
    format!(
        "{lot}-{new_services}{}",
        if expand { "-expand" } else { "" }
    )
}

pub(super) fn check_plan_scenarios(file_name: &str, file: &ConfigFile) -> Result<(), ConfigError> {
    let mut folders = std::collections::BTreeSet::new();
    for (i, s) in file.plan.scenarios.iter().enumerate() {
        let at = |f: &str| format!("plan.scenarios[{}].{f}", i + 1);
        if !file.lots.iter().any(|l| l.id == s.lot) {
            let ids: Vec<&str> = file.lots.iter().map(|l| l.id.as_str()).collect();
            return Err(invalid(
                file_name,
                &at("lot"),
                format!(
                    "{:?} is not a lot (the lots are: {})",
                    s.lot,
                    ids.join(", ")
                ),
            ));
        }
        if s.new_services == 0 {
            return Err(invalid(
                file_name,
                &at("new_services"),
                "expected 1 or more",
            ));
        }
        if let Some(places) = s.places.filter(|p| !(p.is_finite() && *p > 0.0)) {
            return Err(invalid(
                file_name,
                &at("places"),
                format!("{places} is not a number of places above 0"),
            ));
        }
        if s.expand && s.places.is_none() {
            return Err(invalid(
                file_name,
                &at("expand"),
                "expanding services needs places",
            ));
        }
        if s.full_capacity && s.places.is_none() {
            return Err(invalid(
                file_name,
                &at("full_capacity"),
                "full capacity is for plans with places",
            ));
        }
        if let Some(o) = s
            .objective
            .as_deref()
            .filter(|o| !matches!(*o, "coverage" | "distance"))
        {
            return Err(invalid(
                file_name,
                &at("objective"),
                format!("{o:?} is not \"coverage\" or \"distance\""),
            ));
        }
        if let Some(seconds) = s.prove_seconds {
            if !(seconds.is_finite() && seconds >= 0.0) {
                return Err(invalid(
                    file_name,
                    &at("prove_seconds"),
                    format!("{seconds} is not a number of seconds >= 0"),
                ));
            }
            if s.places.is_some() {
                return Err(invalid(
                    file_name,
                    &at("prove_seconds"),
                    "the exact search covers plans without places only",
                ));
            }
        }
        if !folders.insert(s.folder_name()) {
            return Err(invalid(
                file_name,
                &at("new_services"),
                format!(
                    "a plan of {} new sites for {:?} is already listed (each plan needs its own folder, plans/{})",
                    s.new_services,
                    s.lot,
                    s.folder_name()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Origin};

    /// The sample's config with `extra` appended.
    fn parse_with(extra: &str) -> Result<Config, ConfigError> {
        let sample = String::from_utf8_lossy(crate::sample::FILES[0].1).into_owned();
        Config::parse("gapmap.toml", &(sample + extra), Origin::EmbeddedSample)
    }

    fn problem(extra: &str) -> String {
        parse_with(extra).expect_err("refused").to_string()
    }

    #[test]
    fn plan_scenarios_are_read_and_checked() {
        let config = parse_with(
            "\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 3\nplaces = 10\n\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 3\nplaces = 10\nexpand = true\n",
        )
        .expect("valid");
        let names: Vec<String> = config
            .file
            .plan
            .scenarios
            .iter()
            .map(PlanScenario::folder_name)
            .collect();
        assert_eq!(names, ["pmld-3", "pmld-3-expand"]);
        let e = problem("\n[[plan.scenarios]]\nlot = \"pmdl\"\nnew_services = 3\n");
        assert!(e.contains("plan.scenarios[1].lot"), "{e}");
        assert!(e.contains("\"pmdl\" is not a lot"), "{e}");
        let e = problem(
            "\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 2\n\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 2\nobjective = \"distance\"\n",
        );
        assert!(e.contains("plan.scenarios[2].new_services"), "{e}");
        assert!(e.contains("plans/pmld-2"), "{e}");
        let e = problem("\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 2\nplaces = 0\n");
        assert!(e.contains("plan.scenarios[1].places"), "{e}");
        let e = problem(
            "\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 2\nobjective = \"nearest\"\n",
        );
        assert!(
            e.contains("\"nearest\" is not \"coverage\" or \"distance\""),
            "{e}"
        );
        let e = problem(
            "\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 2\nplaces = 5\nprove_seconds = 10\n",
        );
        assert!(e.contains("plan.scenarios[1].prove_seconds"), "{e}");
        let e = problem("\n[[plan.scenarios]]\nlot = \"pmld\"\nnew_services = 0\n");
        assert!(e.contains("expected 1 or more"), "{e}");
    }
}
