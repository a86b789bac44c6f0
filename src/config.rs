//! The run configuration: one TOML file naming the inputs and every setting.
//!
//! [`ConfigFile`] mirrors the TOML; [`Config::parse`] checks it and builds the
//! [`Catalogue`] of lots, service types, bands and groupings. Paths in a config are relative
//! to the config file. This module does not read the inputs themselves ([`crate::load`]
//! does) and knows nothing of the command line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::load::mapping::InputSpec;
use crate::model::{Band, Catalogue, Grouping, Lot, ServiceType, Unit};

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputsSection {
    /// Each input other than the boundaries is a path, or a table with the file and how
    /// to read it: sheet, header row, columns and values mapped to gapmap's
    /// ([`crate::load::mapping::spec`]).
    #[serde(deserialize_with = "crate::load::mapping::spec::deserialize_input")]
    pub services: InputSpec,
    pub areas: String,
    #[serde(deserialize_with = "crate::load::mapping::spec::deserialize_input")]
    pub demand: InputSpec,
    /// People waiting, in a file of their own (any layout, mapped like demand); each row
    /// is a person waiting for a lot.
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub waiting: Option<InputSpec>,
    /// Where people live, joined to demand (and waiting) rows on `person_id`, for
    /// extracts such as Client Level Data that carry no location.
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub person_locations: Option<InputSpec>,
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub population: Option<InputSpec>,
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub users_trend: Option<InputSpec>,
    /// An ONS Postcode Directory (ONSPD or NSPL) CSV, for rows located by postcode.
    pub postcodes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AreasSection {
    /// Property holding each area's ONS code.
    pub code_property: String,
    /// Property holding each area's name.
    pub name_property: String,
    /// For small areas: the property naming the district each lies in. When set, district
    /// polygons are dissolved from the small areas.
    pub district_property: Option<String>,
    /// For small areas: the property naming the district (optional; the code is used if absent).
    pub district_name_property: Option<String>,
    /// Attribution line printed under maps.
    pub attribution: String,
    /// The boundary file's coordinate reference system when it does not say:
    /// "EPSG:4326" (WGS84, the default) or "EPSG:27700" (British National Grid).
    pub crs: Option<String>,
    /// When dissolving small areas into districts: parts and holes smaller than this many
    /// square metres are left out (the slivers where generalised boundaries do not meet).
    pub dissolve_min_area_m2: f64,
}

impl Default for AreasSection {
    fn default() -> Self {
        Self {
            code_property: "LAD24CD".into(),
            name_property: "LAD24NM".into(),
            district_property: None,
            district_name_property: None,
            attribution: "Boundaries: as supplied".into(),
            crs: None,
            dissolve_min_area_m2: crate::geometry::DEFAULT_MIN_AREA_M2,
        }
    }
}

/// The two forms demand can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DemandFormat {
    /// One row per person per lot, with a home location.
    #[default]
    People,
    /// Rows by area, lot and age band.
    Aggregated,
    /// NHS England's Adult Social Care Client Level Data: service events, one row each.
    Cld,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DemandSection {
    pub format: DemandFormat,
    /// How Client Level Data service events become people (`format = "cld"`).
    pub cld: crate::load::cld::CldSettings,
}

/// What to do with a row (or feature) that fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnBadRow {
    /// Stop the run and list every problem (the default).
    #[default]
    Stop,
    /// Leave the row out, list it in `NOT-FOR-PUBLICATION/rejects.csv` and count it in the
    /// manifest. Problems with a file as a whole still stop the run.
    Skip,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationSection {
    pub on_bad_row: OnBadRow,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AnalysisSection {
    /// Distance (km) beyond which a person counts as out of reach of a suitable service.
    pub catchment_km: f64,
    /// Factor applied to great-circle distance to approximate road distance.
    pub circuity: f64,
    /// E2SFCA step zones as [upper bound, weight], inclusive upper bounds, in the unit of
    /// the distances: km, or minutes with a travel-time matrix.
    pub zones: Vec<[f64; 2]>,
    /// An origin-destination matrix of travel costs (CSV or Parquet), relative to the
    /// config; used instead of straight-line distance. See docs/travel-costs.md.
    pub travel_costs: Option<String>,
    /// The unit of the matrix's costs; required with `travel_costs`.
    pub travel_cost_unit: Option<TravelCostUnit>,
    /// What describes the costs in the report and captions, e.g. "drive times"
    /// (default: "travel times" for minutes, "travel distances" for km).
    pub travel_cost_label: Option<String>,
    /// The catchment in minutes, required when the matrix is in minutes.
    pub catchment_minutes: Option<f64>,
    /// What to do about demand-service pairs the matrix lacks.
    pub missing_pairs: MissingPairs,
    /// For a minutes matrix with `missing_pairs = "straight_line"`: the average speed
    /// (km/h) that turns a straight-line estimate (great-circle km x circuity) into minutes.
    pub straight_line_speed_kmh: Option<f64>,
}

impl Default for AnalysisSection {
    fn default() -> Self {
        Self {
            catchment_km: 30.0,
            circuity: 1.0,
            zones: vec![[10.0, 1.0], [20.0, 0.68], [30.0, 0.22]],
            travel_costs: None,
            travel_cost_unit: None,
            travel_cost_label: None,
            catchment_minutes: None,
            missing_pairs: MissingPairs::Error,
            straight_line_speed_kmh: None,
        }
    }
}

/// The unit of a travel-cost matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelCostUnit {
    Minutes,
    Km,
}

impl TravelCostUnit {
    /// The unit as written in column names and text: "minutes" or "km".
    pub fn name(self) -> &'static str {
        match self {
            TravelCostUnit::Minutes => "minutes",
            TravelCostUnit::Km => "km",
        }
    }
}

/// What the run does with a demand-service pair that a travel-cost matrix lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MissingPairs {
    /// Stop the run, naming the file, a missing pair and how many are missing.
    #[default]
    Error,
    /// Estimate the pair by straight line: great-circle km x circuity (and for minutes, at
    /// `straight_line_speed_kmh`).
    StraightLine,
}

/// Settings of the disclosure control applied to counts of people.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisclosureSection {
    /// Counts from 1 up to and including this are suppressed.
    pub threshold: u32,
    /// Other counts are rounded to the nearest multiple of this.
    pub rounding_base: u32,
    /// Also write unrounded, unsuppressed gap tables into `NOT-FOR-PUBLICATION/` in the run
    /// folder, for internal use only.
    pub write_unrounded: bool,
}

impl Default for DisclosureSection {
    fn default() -> Self {
        Self {
            threshold: 7,
            rounding_base: 5,
            write_unrounded: false,
        }
    }
}

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

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CostSection {
    /// Weeks a year used to turn weekly cost into annual cost.
    pub weeks_per_year: f64,
    /// The band charged for the demand file's `additional_hours_per_week`.
    pub additional_hours_band: Option<String>,
}

impl Default for CostSection {
    fn default() -> Self {
        Self {
            weeks_per_year: 52.0,
            additional_hours_band: None,
        }
    }
}

/// How choropleth maps classify their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Fisher-Jenks natural breaks.
    #[default]
    Jenks,
    /// Equal counts of areas in each class.
    Quantile,
    /// Classes of equal width.
    EqualInterval,
}

/// What the map pictures show and how they are classified.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapsSection {
    pub classification: Classification,
    /// Number of classes (2 to 7).
    pub classes: usize,
}

impl Default for MapsSection {
    fn default() -> Self {
        Self {
            classification: Classification::Jenks,
            classes: 4,
        }
    }
}

/// Settings of the market position statement report.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSection {
    /// The council, as named in the report.
    pub council: Option<String>,
    /// A published annual spend to reconcile the costed packages against (pounds).
    pub published_spend: Option<f64>,
    /// What that figure is, e.g. "Expenditure on CLC services in 2024/25".
    pub published_spend_label: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotEntry {
    pub id: String,
    pub label: String,
    /// A short name for sentences, such as "PMLD" (default: the label).
    pub short_label: Option<String>,
    pub unit: Unit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceTypeEntry {
    pub id: String,
    pub label: String,
    pub unit: Unit,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BandEntry {
    pub id: String,
    pub label: String,
    pub half_day: Option<f64>,
    pub full_day: Option<f64>,
    pub hourly: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupingEntry {
    pub id: String,
    pub label: String,
    pub districts: Vec<String>,
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
}

fn invalid(file: &str, field: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        file: file.to_string(),
        field: field.to_string(),
        problem: problem.into(),
    }
}

fn check_unique<'a>(
    file: &str,
    field: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Result<(), ConfigError> {
    let mut seen = std::collections::BTreeSet::new();
    for id in ids {
        if id.trim().is_empty() {
            return Err(invalid(file, field, "an id is empty"));
        }
        if !seen.insert(id) {
            return Err(invalid(file, field, format!("id {id:?} is used twice")));
        }
    }
    Ok(())
}

fn build_catalogue(file_name: &str, file: &ConfigFile) -> Result<Catalogue, ConfigError> {
    if file.lots.is_empty() {
        return Err(invalid(file_name, "lots", "at least one lot is needed"));
    }
    check_unique(file_name, "lots", file.lots.iter().map(|l| l.id.as_str()))?;
    check_unique(
        file_name,
        "service_types",
        file.service_types.iter().map(|t| t.id.as_str()),
    )?;
    check_unique(file_name, "bands", file.bands.iter().map(|b| b.id.as_str()))?;
    check_unique(
        file_name,
        "groupings",
        file.groupings.iter().map(|g| g.id.as_str()),
    )?;
    for band in &file.bands {
        for (name, rate) in [
            ("half_day", band.half_day),
            ("full_day", band.full_day),
            ("hourly", band.hourly),
        ] {
            if let Some(r) = rate {
                if !r.is_finite() || r < 0.0 {
                    return Err(invalid(
                        file_name,
                        &format!("bands.{}.{name}", band.id),
                        format!("{r} is not a rate in pounds (expected 0 or more)"),
                    ));
                }
            }
        }
    }
    Ok(Catalogue {
        lots: file
            .lots
            .iter()
            .map(|l| Lot {
                id: l.id.clone(),
                label: l.label.clone(),
                short_label: l.short_label.clone().unwrap_or_else(|| l.label.clone()),
                unit: l.unit,
            })
            .collect(),
        service_types: file
            .service_types
            .iter()
            .map(|t| ServiceType {
                id: t.id.clone(),
                label: t.label.clone(),
                unit: t.unit,
            })
            .collect(),
        bands: file
            .bands
            .iter()
            .map(|b| Band {
                id: b.id.clone(),
                label: b.label.clone(),
                half_day: b.half_day,
                full_day: b.full_day,
                hourly: b.hourly,
            })
            .collect(),
        groupings: file
            .groupings
            .iter()
            .map(|g| Grouping {
                id: g.id.clone(),
                label: g.label.clone(),
                district_codes: g.districts.clone(),
            })
            .collect(),
    })
}

fn check_settings(file_name: &str, file: &ConfigFile) -> Result<(), ConfigError> {
    let a = &file.analysis;
    if !(a.catchment_km.is_finite() && a.catchment_km > 0.0) {
        return Err(invalid(
            file_name,
            "analysis.catchment_km",
            format!(
                "{} is not a distance (expected more than 0)",
                a.catchment_km
            ),
        ));
    }
    if !(a.circuity.is_finite() && a.circuity >= 1.0) {
        return Err(invalid(
            file_name,
            "analysis.circuity",
            format!(
                "{} is not a circuity factor (expected 1 or more)",
                a.circuity
            ),
        ));
    }
    let sliver = file.areas.dissolve_min_area_m2;
    if !(sliver.is_finite() && sliver >= 0.0) {
        return Err(invalid(
            file_name,
            "areas.dissolve_min_area_m2",
            format!("{sliver} is not an area (expected 0 or more square metres)"),
        ));
    }
    check_travel_costs(file_name, a, file.travel.as_ref())?;
    if file.disclosure.rounding_base == 0 {
        return Err(invalid(
            file_name,
            "disclosure.rounding_base",
            "0 is not a rounding base (expected 1 or more; 1 means no rounding)",
        ));
    }
    if !(file.cost.weeks_per_year.is_finite() && file.cost.weeks_per_year > 0.0) {
        return Err(invalid(
            file_name,
            "cost.weeks_per_year",
            format!("{} is not a number of weeks", file.cost.weeks_per_year),
        ));
    }
    if !(2..=7).contains(&file.maps.classes) {
        return Err(invalid(
            file_name,
            "maps.classes",
            format!("{} classes (expected 2 to 7)", file.maps.classes),
        ));
    }
    if let Some(band) = &file.cost.additional_hours_band {
        if !file.bands.iter().any(|b| &b.id == band) {
            return Err(invalid(
                file_name,
                "cost.additional_hours_band",
                format!("{band:?} is not a configured band"),
            ));
        }
    }
    Ok(())
}

/// The travel-cost settings hang together: a matrix has a unit, a minutes matrix has a
/// catchment in minutes, a straight-line fallback for minutes has a speed.
fn check_travel_costs(
    file_name: &str,
    a: &AnalysisSection,
    travel: Option<&crate::travel::run::TravelSection>,
) -> Result<(), ConfigError> {
    if let Some(travel) = travel {
        if a.travel_costs.is_some() {
            return Err(invalid(
                file_name,
                "travel.network",
                "cannot be used with analysis.travel_costs: give one source of travel costs (a road network or a matrix file)",
            ));
        }
        if travel.network.trim().is_empty() {
            return Err(invalid(
                file_name,
                "travel.network",
                "is empty (expected an OpenStreetMap .osm.pbf extract, relative to the config)",
            ));
        }
        if !(travel.max_snap_metres.is_finite() && travel.max_snap_metres > 0.0) {
            return Err(invalid(
                file_name,
                "travel.max_snap_metres",
                format!(
                    "{} is not usable (expected a number of metres more than 0)",
                    travel.max_snap_metres
                ),
            ));
        }
        if let Err(message) = travel.profile() {
            return Err(invalid(file_name, "travel", message));
        }
        if a.travel_cost_unit == Some(TravelCostUnit::Km) {
            return Err(invalid(
                file_name,
                "analysis.travel_cost_unit",
                "\"km\" does not apply to [travel] network, which gives drive times in minutes (leave it out)",
            ));
        }
    }
    if a.travel_costs.is_none() && travel.is_none() {
        for (field, set) in [
            ("analysis.travel_cost_unit", a.travel_cost_unit.is_some()),
            ("analysis.travel_cost_label", a.travel_cost_label.is_some()),
            ("analysis.catchment_minutes", a.catchment_minutes.is_some()),
            (
                "analysis.straight_line_speed_kmh",
                a.straight_line_speed_kmh.is_some(),
            ),
            (
                "analysis.missing_pairs",
                a.missing_pairs != MissingPairs::Error,
            ),
        ] {
            if set {
                return Err(invalid(
                    file_name,
                    field,
                    "applies only to travel costs, and neither analysis.travel_costs nor [travel] network is set",
                ));
            }
        }
        return Ok(());
    }
    let unit = match (a.travel_cost_unit, travel) {
        (_, Some(_)) => TravelCostUnit::Minutes,
        (Some(unit), None) => unit,
        (None, None) => {
            return Err(invalid(
                file_name,
                "analysis.travel_cost_unit",
                "is needed with analysis.travel_costs: \"minutes\" or \"km\"",
            ))
        }
    };
    let positive = |field: &str, value: Option<f64>| match value {
        Some(v) if !(v.is_finite() && v > 0.0) => Err(invalid(
            file_name,
            field,
            format!("{v} is not usable (expected a number more than 0)"),
        )),
        _ => Ok(()),
    };
    positive("analysis.catchment_minutes", a.catchment_minutes)?;
    positive(
        "analysis.straight_line_speed_kmh",
        a.straight_line_speed_kmh,
    )?;
    match unit {
        TravelCostUnit::Minutes => {
            if a.catchment_minutes.is_none() {
                return Err(invalid(
                    file_name,
                    "analysis.catchment_minutes",
                    "is needed with travel times in minutes (a matrix in minutes, or [travel] network): the catchment (and analysis.zones) are in minutes",
                ));
            }
            if a.missing_pairs == MissingPairs::StraightLine && a.straight_line_speed_kmh.is_none()
            {
                return Err(invalid(
                    file_name,
                    "analysis.straight_line_speed_kmh",
                    "is needed to turn straight-line km into minutes for pairs missing from the matrix (missing_pairs = \"straight_line\")",
                ));
            }
        }
        TravelCostUnit::Km => {
            if a.catchment_minutes.is_some() {
                return Err(invalid(
                    file_name,
                    "analysis.catchment_minutes",
                    "does not apply to a matrix in km: set analysis.catchment_km",
                ));
            }
            if a.straight_line_speed_kmh.is_some() {
                return Err(invalid(
                    file_name,
                    "analysis.straight_line_speed_kmh",
                    "does not apply to a matrix in km",
                ));
            }
        }
    }
    Ok(())
}

/// With a matrix in minutes the catchment is `catchment_minutes`: a `catchment_km` given
/// too would be silently unused, so it is refused.
fn check_catchment_unit(file_name: &str, text: &str, file: &ConfigFile) -> Result<(), ConfigError> {
    if file.analysis.travel_cost_unit != Some(TravelCostUnit::Minutes) {
        return Ok(());
    }
    let given = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("analysis")?.get("catchment_km").cloned())
        .is_some();
    if given {
        return Err(invalid(
            file_name,
            "analysis.catchment_km",
            "does not apply to a matrix in minutes: give the catchment as analysis.catchment_minutes",
        ));
    }
    Ok(())
}

impl Config {
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

impl AnalysisSection {
    /// The catchment radius in the unit distances are measured in: minutes for a minutes
    /// matrix, km otherwise.
    pub fn catchment(&self) -> f64 {
        match (self.travel_cost_unit, self.catchment_minutes) {
            (Some(TravelCostUnit::Minutes), Some(minutes)) => minutes,
            _ => self.catchment_km,
        }
    }
}

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

fn check_plan_scenarios(file_name: &str, file: &ConfigFile) -> Result<(), ConfigError> {
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

fn check_projections(file_name: &str, file: &ConfigFile) -> Result<(), ConfigError> {
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

#[cfg(test)]
mod plan_scenario_tests {
    use super::*;

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
