//! The config's `[projections]` section: the age bands, the years to project, the trend
//! scenario and the prevalence rates of future demand, and their checks against the lots
//! and inputs. Projecting is [`crate::analyse`]'s.

use serde::Deserialize;

use super::{invalid, ConfigError, ConfigFile};

/// Future demand: prevalence by lot and age band, and the years to project (used when
/// `inputs.population` is given).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProjectionsSection {
    /// Age bands of the population, in whole years of age: `"18-64"`, `"65+"`. Demand and
    /// population rows use these labels; single years of age in an ONS projections file are
    /// summed into them.
    pub age_bands: Vec<String>,
    /// Years to project (default: the data year, and 5, 10 and 15 years on).
    pub years: Option<Vec<i32>>,
    /// Add a second scenario from the trend in the users-over-time series.
    pub trend: bool,
    /// The expected share of each age band with each lot's need.
    pub prevalence: Vec<PrevalenceEntry>,
    /// Where the population figures come from, for the report.
    pub population_source: Option<String>,
}

impl Default for ProjectionsSection {
    fn default() -> Self {
        Self {
            age_bands: vec!["18-64".into(), "65+".into()],
            years: None,
            trend: false,
            prevalence: Vec::new(),
            population_source: None,
        }
    }
}

/// One prevalence rate: the share of an age band's population expected to have a lot's need.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrevalenceEntry {
    pub lot: String,
    pub age_band: String,
    /// A share of the population, from 0 to 1 (0.004 is 0.4%).
    pub rate: f64,
    /// Where the rate comes from, shown in the report.
    pub source: String,
}

impl ProjectionsSection {
    /// The configured age bands, parsed (checked when the config was read).
    pub fn bands(&self) -> Vec<crate::model::AgeBand> {
        self.age_bands
            .iter()
            .filter_map(|b| crate::model::AgeBand::parse(b))
            .collect()
    }
}

pub(super) fn check_projections(file_name: &str, file: &ConfigFile) -> Result<(), ConfigError> {
    let p = &file.projections;
    let field = |f: &str| format!("projections.{f}");
    let mut bands: Vec<crate::model::AgeBand> = Vec::new();
    for label in &p.age_bands {
        let band = crate::model::AgeBand::parse(label).ok_or_else(|| {
            invalid(
                file_name,
                &field("age_bands"),
                format!("{label:?} is not an age band (expected whole years such as \"18-64\" or \"65+\")"),
            )
        })?;
        if let Some(other) = bands.iter().find(|b| b.overlaps(&band)) {
            return Err(invalid(
                file_name,
                &field("age_bands"),
                format!(
                    "{label:?} overlaps {:?} (a year of age may be in one band only)",
                    other.label
                ),
            ));
        }
        bands.push(band);
    }
    if let Some(years) = &p.years {
        if years.is_empty() || years.windows(2).any(|w| w[0] >= w[1]) {
            return Err(invalid(
                file_name,
                &field("years"),
                "expected one or more years in increasing order, such as [2025, 2030, 2035, 2040]",
            ));
        }
        if let Some(y) = years.iter().find(|y| !(1900..=2200).contains(*y)) {
            return Err(invalid(
                file_name,
                &field("years"),
                format!("{y} is not a year"),
            ));
        }
    }
    if file.inputs.population.is_some() && file.data_year().is_none() {
        return Err(invalid(
            file_name,
            "data_date",
            format!(
                "{:?} does not start with a year (needed to match the population's years)",
                file.data_date
            ),
        ));
    }
    if p.trend && file.inputs.users_trend.is_none() {
        return Err(invalid(
            file_name,
            &field("trend"),
            "the trend scenario needs inputs.users_trend (the users-over-time series)",
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, e) in p.prevalence.iter().enumerate() {
        let at = field(&format!("prevalence[{}]", i + 1));
        if !file.lots.iter().any(|l| l.id == e.lot) {
            let ids: Vec<&str> = file.lots.iter().map(|l| l.id.as_str()).collect();
            return Err(invalid(
                file_name,
                &format!("{at}.lot"),
                format!(
                    "{:?} {}",
                    e.lot,
                    crate::problem::expected_one_of(&e.lot, &ids)
                ),
            ));
        }
        if !p.age_bands.contains(&e.age_band) {
            return Err(invalid(
                file_name,
                &format!("{at}.age_band"),
                format!(
                    "{:?} is not one of projections.age_bands ({})",
                    e.age_band,
                    p.age_bands.join(", ")
                ),
            ));
        }
        if !(e.rate.is_finite() && (0.0..=1.0).contains(&e.rate)) {
            return Err(invalid(
                file_name,
                &format!("{at}.rate"),
                format!(
                    "{} is not a share of the population (expected 0 to 1; 0.004 is 0.4%)",
                    e.rate
                ),
            ));
        }
        if e.source.trim().is_empty() {
            return Err(invalid(
                file_name,
                &format!("{at}.source"),
                "is empty (say where the rate comes from, or that it is illustrative)",
            ));
        }
        if !seen.insert((e.lot.as_str(), e.age_band.as_str())) {
            return Err(invalid(
                file_name,
                &at,
                format!(
                    "lot {:?} and age band {:?} are given twice",
                    e.lot, e.age_band
                ),
            ));
        }
    }
    Ok(())
}
