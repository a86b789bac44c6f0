//! Reading kept run folders: the manifest, the settings in the config text it records,
//! the published gap table (`tables/gaps.csv`), the service list (`tables/supply.csv`) and
//! the district map.
//!
//! This module reads only what a run published; it never opens the run's inputs. It does
//! not compare anything ([`super::changes`] does).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::{AnalysisSection, AreasSection};
use crate::io::geojson::{read_own_polygon_features, PolygonFeature};
use crate::io::records::{Records, Row};
use crate::io::InputFile;
use crate::model::Unit;
use crate::problem::Problems;

use super::CompareError;

/// A published figure of the gap table, by column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    Services,
    Supply,
    CurrentUsers,
    Waiting,
    Demand,
    Gap,
    Sufficiency,
    ShareBeyondCatchment,
    MeanDistanceKm,
}

impl Measure {
    /// Every measure compared, in table order.
    pub const ALL: [Measure; 9] = [
        Measure::Services,
        Measure::Supply,
        Measure::CurrentUsers,
        Measure::Waiting,
        Measure::Demand,
        Measure::Gap,
        Measure::Sufficiency,
        Measure::ShareBeyondCatchment,
        Measure::MeanDistanceKm,
    ];

    /// The column of `tables/gaps.csv` holding it.
    pub fn column(self) -> &'static str {
        match self {
            Measure::Services => "services",
            Measure::Supply => "supply",
            Measure::CurrentUsers => "current_users",
            Measure::Waiting => "waiting",
            Measure::Demand => "demand",
            Measure::Gap => "gap",
            Measure::Sufficiency => "sufficiency",
            Measure::ShareBeyondCatchment => "share_beyond_catchment",
            Measure::MeanDistanceKm => "mean_distance_km",
        }
    }

    /// Decimal places kept in tables (0: a whole number).
    pub fn decimals(self) -> i32 {
        match self {
            Measure::Services | Measure::CurrentUsers | Measure::Waiting => 0,
            Measure::Sufficiency | Measure::ShareBeyondCatchment => 3,
            _ => 2,
        }
    }

    /// Whether the figure is a count of people, or made from counts of people, so that
    /// disclosure settings change it.
    pub fn from_people(self) -> bool {
        !matches!(
            self,
            Measure::Services | Measure::Supply | Measure::MeanDistanceKm
        )
    }

    /// Whether the figure measures access, so that the analysis settings change it.
    pub fn is_access(self) -> bool {
        matches!(
            self,
            Measure::ShareBeyondCatchment | Measure::MeanDistanceKm
        )
    }
}

/// The published figures of one area (district or grouping) and lot.
#[derive(Debug, Clone, PartialEq)]
pub struct GapFigures {
    pub area_code: String,
    pub area_name: String,
    pub lot: String,
    /// By [`Measure::ALL`] order; `None` where the table cell is empty (suppressed, or not
    /// applicable).
    pub values: [Option<f64>; 9],
}

impl GapFigures {
    pub fn get(&self, m: Measure) -> Option<f64> {
        self.values[m as usize]
    }
}

/// One service as published in `tables/supply.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFigures {
    pub service_id: String,
    pub service_name: String,
    pub provider_id: String,
    pub lots: String,
    pub district_code: String,
    pub district_name: String,
    pub capacity: f64,
    pub unit: String,
    pub status: String,
}

/// An input's hash as the manifest records it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InputHash {
    pub role: String,
    pub file: String,
    pub sha256: String,
}

/// The parts of a run's manifest a comparison needs.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RunManifest {
    pub label: String,
    pub data_date: String,
    pub config: ConfigText,
    pub inputs: Vec<InputHash>,
    pub disclosure: DisclosureSettings,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConfigText {
    pub sha256: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct DisclosureSettings {
    pub threshold: u32,
    pub rounding_base: u32,
}

/// A lot as the run's config defined it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LotSetting {
    pub id: String,
    pub label: String,
    pub short_label: Option<String>,
    pub unit: Unit,
}

impl LotSetting {
    /// The lot's name in a sentence, such as "PMLD".
    pub fn short(&self) -> &str {
        self.short_label.as_deref().unwrap_or(&self.label)
    }
}

/// A band's rates as the run's config set them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BandRates {
    pub id: String,
    pub half_day: Option<f64>,
    pub full_day: Option<f64>,
    pub hourly: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct GroupingSetting {
    pub id: String,
}

/// The settings of a run that decide whether its figures compare with another's, read
/// from the config text its manifest records. Unknown settings are ignored, so runs made
/// by other versions of gapmap still compare.
#[derive(Debug, Clone, Deserialize)]
pub struct RunSettings {
    #[serde(default)]
    pub analysis: AnalysisSettings,
    #[serde(default)]
    pub areas: AreaProperties,
    #[serde(default)]
    pub lots: Vec<LotSetting>,
    #[serde(default)]
    pub bands: Vec<BandRates>,
    #[serde(default)]
    pub groupings: Vec<GroupingSetting>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct AnalysisSettings {
    pub catchment_km: f64,
    pub circuity: f64,
    /// The travel-cost matrix, when the run used one instead of straight lines.
    pub travel_costs: Option<String>,
    /// Its unit ("minutes" or "km").
    pub travel_cost_unit: Option<String>,
    pub catchment_minutes: Option<f64>,
}

impl Default for AnalysisSettings {
    fn default() -> Self {
        let d = AnalysisSection::default();
        AnalysisSettings {
            catchment_km: d.catchment_km,
            circuity: d.circuity,
            travel_costs: None,
            travel_cost_unit: None,
            catchment_minutes: None,
        }
    }
}

impl AnalysisSettings {
    /// The gap table's mean distance column: `mean_distance_km`, or `mean_distance_minutes`
    /// for a run with travel times.
    pub fn distance_column(&self) -> String {
        match (&self.travel_costs, self.travel_cost_unit.as_deref()) {
            (Some(_), Some(unit)) => format!("mean_distance_{unit}"),
            _ => "mean_distance_km".to_string(),
        }
    }
}

/// Which properties of the district map hold each district's code and name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct AreaProperties {
    pub code_property: String,
    pub name_property: String,
    pub district_property: Option<String>,
    pub district_name_property: Option<String>,
}

impl Default for AreaProperties {
    fn default() -> Self {
        let d = AreasSection::default();
        AreaProperties {
            code_property: d.code_property,
            name_property: d.name_property,
            district_property: None,
            district_name_property: None,
        }
    }
}

impl AreaProperties {
    /// The district map's (code, name) properties, as `publish::maps` names them.
    pub fn district_code_and_name(&self) -> (String, String) {
        match &self.district_property {
            None => (self.code_property.clone(), self.name_property.clone()),
            Some(p) => (
                p.clone(),
                self.district_name_property
                    .clone()
                    .unwrap_or_else(|| format!("{p}_name")),
            ),
        }
    }
}

impl RunSettings {
    pub fn lot(&self, id: &str) -> Option<&LotSetting> {
        self.lots.iter().find(|l| l.id == id)
    }

    pub fn is_grouping(&self, code: &str) -> bool {
        self.groupings.iter().any(|g| g.id == code)
    }
}

/// A kept run, as published.
#[derive(Debug, Clone)]
pub struct Run {
    pub folder: PathBuf,
    pub manifest: RunManifest,
    pub settings: RunSettings,
    /// `tables/gaps.csv`: districts then groupings, by lot, in the file's order.
    pub gaps: Vec<GapFigures>,
    /// `tables/supply.csv`, in the file's order.
    pub services: Vec<ServiceFigures>,
    /// `tables/market.csv`, when the run has one.
    pub market: Option<Vec<super::market::MarketRecord>>,
}

/// The run folder an argument names: a folder path holding a manifest, or else a label
/// under `outputs`. A folder whose name starts with a dot is never a kept run: it is a run
/// being written, or an earlier run being replaced.
pub fn resolve(arg: &str, outputs: &Path) -> Result<PathBuf, CompareError> {
    let as_path = PathBuf::from(arg);
    let as_label = outputs.join(arg);
    for candidate in [&as_path, &as_label] {
        if !is_hidden(candidate) && candidate.join("manifest.json").is_file() {
            return Ok(candidate.clone());
        }
    }
    Err(CompareError::NotARun {
        arg: arg.to_string(),
        tried: [as_path, as_label],
    })
}

/// The run folders directly under `outputs` (those holding a `manifest.json`), by name.
/// Hidden folders (runs being written) are left out.
pub fn list(outputs: &Path) -> Result<Vec<PathBuf>, CompareError> {
    let read_err = |source| CompareError::Read {
        path: outputs.to_path_buf(),
        source,
    };
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(outputs).map_err(read_err)? {
        let path = entry.map_err(read_err)?.path();
        if !is_hidden(&path) && path.join("manifest.json").is_file() {
            folders.push(path);
        }
    }
    folders.sort();
    Ok(folders)
}

/// Whether a folder's name starts with a dot (staging and earlier-run folders do).
fn is_hidden(folder: &Path) -> bool {
    folder
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

impl Run {
    /// Reads a run folder's manifest and published tables.
    pub fn read(folder: &Path) -> Result<Run, CompareError> {
        let manifest = read_manifest(folder)?;
        let settings: RunSettings =
            toml::from_str(&manifest.config.text).map_err(|e| CompareError::Config {
                path: folder.join("manifest.json"),
                message: e.to_string().trim_end().to_string(),
            })?;
        let mut problems = Problems::default();
        let distance = settings.analysis.distance_column();
        let mut gap_columns: Vec<&str> = GAP_COLUMNS.to_vec();
        gap_columns.push(&distance);
        let gaps = read_table(folder, "tables/gaps.csv", &gap_columns, &mut problems).map(|t| {
            t.rows()
                .filter_map(|r| gap_row(&r, &distance, &mut problems))
                .collect()
        });
        let services =
            read_table(folder, "tables/supply.csv", SERVICE_COLUMNS, &mut problems).map(|t| {
                t.rows()
                    .filter_map(|r| service_row(&r, &mut problems))
                    .collect()
            });
        let market = super::market::read(folder, &mut problems);
        match (gaps, services) {
            (Some(gaps), Some(services)) if problems.is_empty() => Ok(Run {
                folder: folder.to_path_buf(),
                manifest,
                settings,
                gaps,
                services,
                market,
            }),
            _ => Err(CompareError::Files {
                folder: folder.to_path_buf(),
                problems,
            }),
        }
    }

    /// The run's short label for messages.
    pub fn label(&self) -> &str {
        &self.manifest.label
    }
}

fn read_manifest(folder: &Path) -> Result<RunManifest, CompareError> {
    let path = folder.join("manifest.json");
    let bytes = std::fs::read(&path).map_err(|source| CompareError::Read {
        path: path.clone(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| CompareError::Manifest {
        path,
        message: format!(
            "line {}, column {}: is not a gapmap run manifest: {e}",
            e.line(),
            e.column()
        ),
    })
}

const GAP_COLUMNS: &[&str] = &[
    "area_code",
    "area_name",
    "lot",
    "services",
    "supply",
    "current_users",
    "waiting",
    "demand",
    "gap",
    "sufficiency",
    "share_beyond_catchment",
];

const SERVICE_COLUMNS: &[&str] = &[
    "service_id",
    "provider_id",
    "service_name",
    "lots",
    "district_code",
    "district_name",
    "capacity",
    "unit",
    "status",
];

pub(crate) fn read_table(
    folder: &Path,
    relative: &str,
    required: &[&str],
    problems: &mut Problems,
) -> Option<Records> {
    let path = folder.join(relative);
    let input = match InputFile::read(&path.display().to_string(), &path) {
        Ok(i) => i,
        Err(p) => {
            problems.push(p);
            return None;
        }
    };
    crate::io::csv::parse(&input, required)
        .map_err(|p| problems.extend(p))
        .ok()
}

/// A published figure: empty is `None`; anything else must be a number.
pub(crate) fn figure(row: &Row, column: &str, problems: &mut Problems) -> Option<Option<f64>> {
    let text = row.text(column);
    if text.is_empty() {
        return Some(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(Some(v)),
        _ => {
            problems.push(row.problem(column, "is not a number or an empty (suppressed) cell"));
            None
        }
    }
}

/// One row of a gap table whose mean distance is in column `distance`.
fn gap_row(row: &Row, distance: &str, problems: &mut Problems) -> Option<GapFigures> {
    let mut values = [None; 9];
    let mut ok = true;
    for m in Measure::ALL {
        let column = match m {
            Measure::MeanDistanceKm => distance,
            _ => m.column(),
        };
        match figure(row, column, problems) {
            Some(v) => values[m as usize] = v,
            None => ok = false,
        }
    }
    let area_code = row.required("area_code", problems)?;
    let lot = row.required("lot", problems)?;
    ok.then(|| GapFigures {
        area_code: area_code.to_string(),
        area_name: row.text("area_name").to_string(),
        lot: lot.to_string(),
        values,
    })
}

fn service_row(row: &Row, problems: &mut Problems) -> Option<ServiceFigures> {
    let service_id = row.required("service_id", problems)?;
    let capacity = figure(row, "capacity", problems)?;
    let Some(capacity) = capacity else {
        problems.push(row.problem("capacity", "is empty (a capacity is always published)"));
        return None;
    };
    Some(ServiceFigures {
        service_id: service_id.to_string(),
        service_name: row.text("service_name").to_string(),
        provider_id: row.text("provider_id").to_string(),
        lots: row.text("lots").to_string(),
        district_code: row.text("district_code").to_string(),
        district_name: row.text("district_name").to_string(),
        capacity,
        unit: row.text("unit").to_string(),
        status: row.text("status").to_string(),
    })
}

/// The district polygons of a run's `maps/districts.geojson`, with their properties.
///
/// Read as gapmap's own output ([`read_own_polygon_features`]): the degenerate rings that
/// earlier versions wrote into dissolved districts are dropped, not refused. The shapes
/// only draw the change map, so a feature whose geometry still cannot be read keeps its
/// properties with no polygons rather than stopping the comparison.
pub fn read_district_shapes(folder: &Path) -> Result<Vec<PolygonFeature>, CompareError> {
    let path = folder.join("maps/districts.geojson");
    let fail = |problems: Problems| CompareError::Files {
        folder: folder.to_path_buf(),
        problems,
    };
    let input = InputFile::read(&path.display().to_string(), &path).map_err(|p| {
        let mut problems = Problems::default();
        problems.push(p);
        fail(problems)
    })?;
    let checked = read_own_polygon_features(&input).map_err(fail)?;
    Ok(checked.records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_fall_back_to_the_config_defaults_and_ignore_unknown_settings() {
        let text = r#"
title = "t"
future_setting = 3
[[lots]]
id = "pmld"
label = "PMLD"
unit = "places"
"#;
        let s: RunSettings = toml::from_str(text).expect("parses");
        assert_eq!(s.analysis, AnalysisSettings::default());
        assert_eq!(s.lots[0].short(), "PMLD");
        assert_eq!(
            s.areas.district_code_and_name(),
            ("LAD24CD".into(), "LAD24NM".into())
        );
    }

    #[test]
    fn an_empty_cell_is_suppressed_and_text_is_a_problem() {
        let input = InputFile {
            name: "gaps.csv".into(),
            bytes: b"area,gap\nA,\nB,3.5\nC,many\n".to_vec(),
        };
        let t = crate::io::csv::parse(&input, &["gap"]).expect("parses");
        let mut problems = Problems::default();
        let v: Vec<Option<Option<f64>>> =
            t.rows().map(|r| figure(&r, "gap", &mut problems)).collect();
        assert_eq!(v, vec![Some(None), Some(Some(3.5)), None]);
        assert_eq!(
            problems.listed[0].to_string(),
            "gaps.csv:4: column gap: \"many\" is not a number or an empty (suppressed) cell"
        );
    }
}
