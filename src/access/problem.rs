//! The input of an access run as plain data: demand sites, services, the need categories
//! they refer to and, for the travel-cost metric, the origin-destination matrix. Checks
//! that every number is usable; knows nothing of files or of how access is computed.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{AccessError, Metric, TravelCosts};

/// What the two numbers of a [`Location`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coordinates {
    /// `x` = longitude, `y` = latitude, WGS84 degrees.
    LonLat,
    /// `x` = easting, `y` = northing, metres (British National Grid or another planar grid).
    EastingNorthing,
}

impl Coordinates {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Coordinates::LonLat => "longitude/latitude",
            Coordinates::EastingNorthing => "easting/northing",
        }
    }
}

/// A point, read as [`Coordinates`] say.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub x: f64,
    pub y: f64,
}

/// A place where demand for one need lives: a person, a postcode or a small-area centroid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSite {
    pub id: String,
    pub location: Location,
    /// P_i: people (or sessions, or hours) at this site with this need.
    pub weight: f64,
    /// Index into [`AccessProblem::needs`].
    pub need: usize,
}

/// A service location that may meet one or more needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceSite {
    pub id: String,
    pub location: Location,
    /// S_j: places per day, or hours per week, in the needs' unit.
    pub capacity: f64,
    /// Indices into [`AccessProblem::needs`]; the capacity counts in full towards each.
    pub needs: Vec<usize>,
    /// Inactive services are ignored.
    pub active: bool,
}

/// Everything an access run reads.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessProblem {
    pub coordinates: Coordinates,
    /// Need category names; demand and services refer to them by index.
    pub needs: Vec<String>,
    pub demand: Vec<DemandSite>,
    pub services: Vec<ServiceSite>,
    /// Required by [`Metric::TravelCost`], ignored otherwise.
    pub travel_costs: Option<TravelCosts>,
}

/// Largest weight or capacity accepted: far above any real count, and small enough that
/// sums of millions of them stay finite.
pub const MAX_QUANTITY: f64 = 1e12;

impl AccessProblem {
    /// Checks that coordinates suit `metric` and every number and need index is usable.
    pub fn validate(&self, metric: &Metric) -> Result<(), AccessError> {
        self.check_coordinates(metric)?;
        for (index, site) in self.demand.iter().enumerate() {
            self.check_demand(index, site)?;
        }
        let mut service_ids = HashSet::with_capacity(self.services.len());
        for (index, service) in self.services.iter().enumerate() {
            self.check_service(index, service)?;
            if !service_ids.insert(service.id.as_str()) {
                return Err(AccessError::Site {
                    table: "services",
                    index,
                    id: service.id.clone(),
                    field: "id",
                    value: service.id.clone(),
                    expected: "an id no other service has",
                });
            }
        }
        if *metric == Metric::TravelCost && self.travel_costs.is_none() {
            return Err(AccessError::MissingTravelCosts);
        }
        Ok(())
    }

    fn check_coordinates(&self, metric: &Metric) -> Result<(), AccessError> {
        let expected = match metric {
            Metric::GreatCircle { .. } => Coordinates::LonLat,
            Metric::Planar { .. } => Coordinates::EastingNorthing,
            Metric::TravelCost => return Ok(()),
        };
        if self.coordinates == expected {
            return Ok(());
        }
        Err(AccessError::Coordinates {
            metric: metric.name(),
            expected: expected.name(),
            found: self.coordinates.name(),
        })
    }

    fn check_demand(&self, index: usize, site: &DemandSite) -> Result<(), AccessError> {
        let fail = |field, value: String, expected| AccessError::Site {
            table: "demand",
            index,
            id: site.id.clone(),
            field,
            value,
            expected,
        };
        self.check_location(site.location)
            .map_err(|(field, value, expected)| fail(field, value, expected))?;
        if !is_quantity(site.weight) {
            return Err(fail("weight", site.weight.to_string(), QUANTITY));
        }
        if site.need >= self.needs.len() {
            return Err(fail(
                "need",
                site.need.to_string(),
                "an index into the needs",
            ));
        }
        Ok(())
    }

    fn check_service(&self, index: usize, service: &ServiceSite) -> Result<(), AccessError> {
        let fail = |field, value: String, expected| AccessError::Site {
            table: "services",
            index,
            id: service.id.clone(),
            field,
            value,
            expected,
        };
        self.check_location(service.location)
            .map_err(|(field, value, expected)| fail(field, value, expected))?;
        if !is_quantity(service.capacity) {
            return Err(fail("capacity", service.capacity.to_string(), QUANTITY));
        }
        if let Some(need) = service.needs.iter().find(|&&n| n >= self.needs.len()) {
            return Err(fail("needs", need.to_string(), "indices into the needs"));
        }
        Ok(())
    }

    fn check_location(
        &self,
        location: Location,
    ) -> Result<(), (&'static str, String, &'static str)> {
        let (x_ok, y_ok, x_expected, y_expected) = match self.coordinates {
            Coordinates::LonLat => (
                (-180.0..=180.0).contains(&location.x),
                (-90.0..=90.0).contains(&location.y),
                "a longitude in -180..=180",
                "a latitude in -90..=90",
            ),
            Coordinates::EastingNorthing => (
                location.x.is_finite() && location.x.abs() <= 1e9,
                location.y.is_finite() && location.y.abs() <= 1e9,
                "a finite easting in metres",
                "a finite northing in metres",
            ),
        };
        if !x_ok {
            return Err(("x", location.x.to_string(), x_expected));
        }
        if !y_ok {
            return Err(("y", location.y.to_string(), y_expected));
        }
        Ok(())
    }
}

const QUANTITY: &str = "a finite number in 0..=1e12";

pub(crate) fn is_quantity(value: f64) -> bool {
    (0.0..=MAX_QUANTITY).contains(&value)
}
