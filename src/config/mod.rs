//! The run configuration: one TOML file naming the inputs and every setting.
//!
//! [`ConfigFile`] mirrors the TOML; [`Config::parse`] checks it and builds the
//! [`Catalogue`] of lots, service types, bands and groupings. Paths in a config are relative
//! to the config file. This module does not read the inputs themselves ([`crate::load`]
//! does) and knows nothing of the command line.
//!
//! The sections live in files by concern (`inputs`, `analysis`, `publish`, `plan`,
//! `projections`, `catalogue`) and the checks across sections in `checks`; everything is
//! used as `crate::config::...`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Catalogue;

mod analysis;
mod catalogue;
mod checks;
mod inputs;
mod plan;
mod projections;
mod publish;

pub use analysis::{AnalysisSection, CostSection, MissingPairs, TravelCostUnit};
pub use catalogue::{BandEntry, GroupingEntry, LotEntry, ServiceTypeEntry};
pub use inputs::{
    AreasSection, DemandFormat, DemandSection, InputsSection, OnBadRow, ValidationSection,
};
pub use plan::{plan_folder_name, PlanScenario, PlanSection};
pub use projections::{PrevalenceEntry, ProjectionsSection};
pub use publish::{Classification, DisclosureSection, MapsSection, ReportSection};

use catalogue::build_catalogue;
use checks::{check_catchment_unit, check_settings};
use plan::check_plan_scenarios;
use projections::check_projections;

/// Errors in the configuration file itself.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read the config: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: {field}: {problem}")]
    Invalid {
        file: String,
        field: String,
        problem: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Title of the analysis, used in charts and the report.
    pub title: String,
    /// Run label, e.g. the quarter `2025-Q2`; names the output folder.
    pub label: String,
    /// The date the data describe (ISO 8601), recorded in the manifest.
    pub data_date: String,
    pub inputs: InputsSection,
    #[serde(default)]
    pub areas: AreasSection,
    #[serde(default)]
    pub demand: DemandSection,
    #[serde(default)]
    pub validation: ValidationSection,
    #[serde(default)]
    pub analysis: AnalysisSection,
    #[serde(default)]
    pub disclosure: DisclosureSection,
    #[serde(default)]
    pub cost: CostSection,
    #[serde(default)]
    pub maps: MapsSection,
    #[serde(default)]
    pub report: ReportSection,
    #[serde(default)]
    pub plan: PlanSection,
    #[serde(default)]
    pub projections: ProjectionsSection,
    pub lots: Vec<LotEntry>,
    pub service_types: Vec<ServiceTypeEntry>,
    pub bands: Vec<BandEntry>,
    #[serde(default)]
    pub groupings: Vec<GroupingEntry>,
    /// Drive times computed in the run from an OpenStreetMap extract (`[travel] network`),
    /// instead of a matrix file or straight lines.
    pub travel: Option<crate::travel::run::TravelSection>,
}

impl ConfigFile {
    /// The year of `data_date` (its first four digits).
    pub fn data_year(&self) -> Option<i32> {
        self.data_date.get(..4).and_then(|y| y.parse().ok())
    }

    /// The years to project: as configured, or the data year and 5, 10 and 15 years on.
    pub fn projection_years(&self) -> Vec<i32> {
        match (&self.projections.years, self.data_year()) {
            (Some(years), _) => years.clone(),
            (None, Some(y)) => vec![y, y + 5, y + 10, y + 15],
            (None, None) => Vec::new(),
        }
    }
}

/// Where the config (and so its inputs) came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// A config file on disk; inputs are resolved relative to this folder.
    Directory(PathBuf),
    /// The sample compiled into the binary.
    EmbeddedSample,
}

/// A checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The config file's name as shown in messages.
    pub file_name: String,
    /// The config file's exact text, recorded in the manifest.
    pub text: String,
    pub origin: Origin,
    pub file: ConfigFile,
    pub catalogue: Catalogue,
}

impl Config {
    /// Reads and checks a config file from disk.
    pub fn read(path: &Path) -> Result<Config, ConfigError> {
        let file_name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            file: file_name.clone(),
            source,
        })?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        Config::parse(&file_name, &text, Origin::Directory(dir))
    }

    /// Parses and checks config text.
    pub fn parse(file_name: &str, text: &str, origin: Origin) -> Result<Config, ConfigError> {
        let mut file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file_name.to_string(),
            message: e.to_string().trim_end().to_string(),
        })?;
        let catalogue = build_catalogue(file_name, &file)?;
        check_settings(file_name, &file)?;
        if file.travel.is_some() {
            // A road network gives drive times in minutes: the catchment and zones are in
            // minutes, as with a minutes matrix.
            file.analysis.travel_cost_unit = Some(TravelCostUnit::Minutes);
        }
        check_catchment_unit(file_name, text, &file)?;
        check_projections(file_name, &file)?;
        check_plan_scenarios(file_name, &file)?;
        Ok(Config {
            file_name: file_name.to_string(),
            text: text.to_string(),
            origin,
            file,
            catalogue,
        })
    }

    /// The attribution maps and the report carry: the boundaries', and OpenStreetMap's when
    /// the run computes drive times from a road network.
    pub fn attribution(&self) -> String {
        let areas = self.file.areas.attribution.trim();
        match (&self.file.travel, areas.is_empty()) {
            (None, _) => areas.to_string(),
            (Some(_), true) => format!("Roads: {}, ODbL.", crate::travel::OSM_ATTRIBUTION),
            (Some(_), false) => {
                format!("{areas} Roads: {}, ODbL.", crate::travel::OSM_ATTRIBUTION)
            }
        }
    }
}

/// The error every section's checks return: `field` of the config `file` has `problem`.
fn invalid(file: &str, field: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        file: file.to_string(),
        field: field.to_string(),
        problem: problem.into(),
    }
}
