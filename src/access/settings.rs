//! The options of an access run: the distance metric, the catchment and the distance-decay
//! weights (per need, with a default). Plain values with defaults and a `validate` step;
//! no computation beyond the weight of one distance.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::AccessError;

/// How far apart a demand site and a service are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Metric {
    /// Great-circle km between lon/lat points (WGS84 degrees, sphere of the Earth's mean
    /// radius), times `circuity` (1.0 for straight lines; about 1.2-1.4 approximates roads).
    GreatCircle { circuity: f64 },
    /// Planar km between easting/northing points in metres (British National Grid), times
    /// `circuity`.
    Planar { circuity: f64 },
    /// A cost (minutes or km) read from a supplied origin-destination matrix; pairs absent
    /// from the matrix are out of reach. Catchment and zones are in the matrix's unit.
    TravelCost,
}

impl Metric {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Metric::GreatCircle { .. } => "great-circle",
            Metric::Planar { .. } => "planar",
            Metric::TravelCost => "travel-cost",
        }
    }
}

/// One distance zone of a step decay: pairs with distance `<= upper` (and above the
/// previous zone's upper bound) get `weight`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub upper: f64,
    pub weight: f64,
}

/// The distance-decay weight W(d) of E2SFCA. 2SFCA always uses W = 1 within the catchment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Decay {
    /// Step weights by zone (Luo and Qi 2009); thresholds inclusive; W = 0 beyond the last
    /// zone.
    Step { zones: Vec<Zone> },
    /// The Gaussian weight of Dai (2010) with the catchment radius d0 as bandwidth:
    /// W(d) = (exp(-d²/2d0²) - exp(-1/2)) / (1 - exp(-1/2)), so W(0) = 1 and W(d0) = 0.
    Gaussian,
}

impl Decay {
    /// Luo and Qi's three zones: 0-10, 10-20 and 20-30 with weights 1.00, 0.68, 0.22.
    pub fn luo_qi() -> Self {
        Decay::Step {
            zones: vec![
                Zone {
                    upper: 10.0,
                    weight: 1.0,
                },
                Zone {
                    upper: 20.0,
                    weight: 0.68,
                },
                Zone {
                    upper: 30.0,
                    weight: 0.22,
                },
            ],
        }
    }

    /// W(d) for a pair at `distance` within a catchment of `radius`.
    ///
    /// ```
    /// # use gapmap::access::Decay;
    /// assert_eq!(Decay::luo_qi().weight_at(10.0, 30.0), 1.0);
    /// assert_eq!(Decay::luo_qi().weight_at(10.5, 30.0), 0.68);
    /// ```
    pub fn weight_at(&self, distance: f64, radius: f64) -> f64 {
        match self {
            Decay::Step { zones } => zones
                .iter()
                .find(|zone| distance <= zone.upper)
                .map_or(0.0, |zone| zone.weight),
            Decay::Gaussian => gaussian_weight(distance, radius),
        }
    }
}

/// Dai's Gaussian weight, never negative.
pub(crate) fn gaussian_weight(distance: f64, radius: f64) -> f64 {
    let floor = (-0.5f64).exp();
    let ratio = distance / radius;
    (((-0.5 * ratio * ratio).exp() - floor) / (1.0 - floor)).max(0.0)
}

/// The catchment of one need: pairs with distance `<= radius` are in reach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catchment {
    /// In km for the geometric metrics, in the matrix's unit for travel costs.
    pub radius: f64,
    pub decay: Decay,
}

impl Default for Catchment {
    fn default() -> Self {
        Catchment {
            radius: 30.0,
            decay: Decay::luo_qi(),
        }
    }
}

/// Options of an access run.
///
/// The default is great-circle km with no circuity, a 30 km catchment and Luo and Qi's
/// zones 0-10, 10-20, 20-30 km weighted 1.00, 0.68, 0.22.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessSettings {
    pub metric: Metric,
    /// The catchment of every need not named in `by_need`.
    pub catchment: Catchment,
    /// Catchments of particular needs, by need name.
    pub by_need: BTreeMap<String, Catchment>,
}

impl Default for AccessSettings {
    fn default() -> Self {
        AccessSettings {
            metric: Metric::GreatCircle { circuity: 1.0 },
            catchment: Catchment::default(),
            by_need: BTreeMap::new(),
        }
    }
}

impl AccessSettings {
    /// The catchment that applies to `need`.
    pub fn catchment_for(&self, need: &str) -> &Catchment {
        self.by_need.get(need).unwrap_or(&self.catchment)
    }

    /// Checks every number is finite and in range.
    pub fn validate(&self) -> Result<(), AccessError> {
        match self.metric {
            Metric::GreatCircle { circuity } | Metric::Planar { circuity } => {
                check(
                    "metric.circuity",
                    circuity,
                    circuity.is_finite() && circuity >= 1.0,
                    "a finite number >= 1",
                )?;
            }
            Metric::TravelCost => {}
        }
        validate_catchment("catchment", &self.catchment)?;
        for (need, catchment) in &self.by_need {
            validate_catchment(&format!("by_need.{need}"), catchment)?;
        }
        Ok(())
    }
}

fn validate_catchment(prefix: &str, catchment: &Catchment) -> Result<(), AccessError> {
    let radius = catchment.radius;
    check(
        &format!("{prefix}.radius"),
        radius,
        radius.is_finite() && radius > 0.0,
        "a finite number > 0",
    )?;
    let Decay::Step { zones } = &catchment.decay else {
        return Ok(());
    };
    if zones.is_empty() {
        return Err(AccessError::Setting {
            setting: format!("{prefix}.decay.zones"),
            value: "[]".to_string(),
            expected: "at least one zone",
        });
    }
    let mut previous = 0.0;
    for (k, zone) in zones.iter().enumerate() {
        check(
            &format!("{prefix}.decay.zones[{k}].upper"),
            zone.upper,
            zone.upper.is_finite() && zone.upper > previous,
            "a finite number above the previous zone's upper bound (and above 0)",
        )?;
        check(
            &format!("{prefix}.decay.zones[{k}].weight"),
            zone.weight,
            zone.weight.is_finite() && zone.weight >= 0.0,
            "a finite number >= 0",
        )?;
        previous = zone.upper;
    }
    Ok(())
}

fn check(setting: &str, value: f64, ok: bool, expected: &'static str) -> Result<(), AccessError> {
    if ok {
        return Ok(());
    }
    Err(AccessError::Setting {
        setting: setting.to_string(),
        value: value.to_string(),
        expected,
    })
}
