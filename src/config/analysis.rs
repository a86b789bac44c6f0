//! The config's settings of the analysis: the catchment, circuity, E2SFCA zones and travel
//! costs ([`AnalysisSection`], with its units and what a missing pair does) and the cost
//! settings ([`CostSection`]). How they hang together is checked in `checks.rs`; the
//! analysis itself is [`crate::analyse`]'s.

use serde::Deserialize;

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
