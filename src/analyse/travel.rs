//! Travel costs in the run: how far (in km or minutes) each demand point is from each
//! suitable service, when the run is given an origin-destination matrix instead of
//! measuring straight lines.
//!
//! [`TravelCosts`] is the value the analysis consumes, whatever produced it (a matrix file
//! read by [`crate::load::travel_costs`], or costs computed in process from a road
//! network): origin id (a person id or a small-area code) and service id to a cost, the
//! cost's unit, and a description of the source for captions and the report.
//! [`Distances`] says how a run measures distance; [`complete`] checks that a matrix has
//! every pair an access problem needs and, when the config allows it, fills the gaps with
//! straight-line estimates. The engine then reads the completed matrix through its
//! travel-cost metric ([`crate::access::Metric::TravelCost`]).
//!
//! This module does not read files and does not compute access.

use std::collections::{BTreeMap, BTreeSet};

use crate::access::{self, metric::haversine_km, AccessProblem, Location};
pub use crate::config::{MissingPairs, TravelCostUnit};

/// Travel costs from demand origins to services, wherever they came from.
///
/// ```
/// # use gapmap::analyse::travel::{TravelCosts, TravelCostUnit};
/// let costs = TravelCosts {
///     matrix: gapmap::access::TravelCosts::from_rows([("E01000001", "S1", 12.5)]).unwrap(),
///     unit: TravelCostUnit::Minutes,
///     source: "drive times from od.csv".into(),
/// };
/// assert_eq!(costs.matrix.cost("E01000001", "S1"), Some(12.5));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TravelCosts {
    /// Origin id (a person id, or the code of the area a demand point lies in) and service
    /// id to cost; every cost finite and `>= 0`, every pair once.
    pub matrix: access::TravelCosts,
    pub unit: TravelCostUnit,
    /// What the costs are and where they come from, as the report and captions say it,
    /// e.g. "drive times from od.csv". Used in messages too.
    pub source: String,
}

/// How a run measures the distance from a demand point to a service.
#[derive(Debug, Clone, PartialEq)]
pub enum Distances {
    /// Great-circle km times a circuity factor.
    StraightLine { circuity: f64 },
    /// Costs from a matrix; pairs it lacks are handled as `missing` says.
    Matrix {
        costs: Box<TravelCosts>,
        missing: MissingPairs,
        /// For straight-line estimates of missing pairs.
        circuity: f64,
        /// For straight-line estimates of missing pairs in minutes.
        speed_kmh: Option<f64>,
    },
}

impl Distances {
    /// How a run with these analysis settings measures distance: with `costs` when it has
    /// travel costs (from a matrix file, or computed in process), else by straight line.
    pub fn from_settings(
        analysis: &crate::config::AnalysisSection,
        costs: Option<TravelCosts>,
    ) -> Distances {
        match costs {
            None => Distances::StraightLine {
                circuity: analysis.circuity,
            },
            Some(costs) => Distances::Matrix {
                costs: Box::new(costs),
                missing: analysis.missing_pairs,
                circuity: analysis.circuity,
                speed_kmh: analysis.straight_line_speed_kmh,
            },
        }
    }

    /// The unit distances are reported in.
    pub fn unit(&self) -> TravelCostUnit {
        match self {
            Distances::StraightLine { .. } => TravelCostUnit::Km,
            Distances::Matrix { costs, .. } => costs.unit,
        }
    }

    /// The matrix, if the run uses one.
    pub fn travel_costs(&self) -> Option<&TravelCosts> {
        match self {
            Distances::StraightLine { .. } => None,
            Distances::Matrix { costs, .. } => Some(costs),
        }
    }

    /// How distances were measured, in words for captions and the report, e.g.
    /// "great-circle km x 1.3 (circuity)" or "drive times from od.csv, in minutes".
    pub fn describe(&self) -> String {
        match self {
            Distances::StraightLine { circuity } => straight_line_words(*circuity),
            Distances::Matrix {
                costs,
                missing,
                circuity,
                speed_kmh,
            } => {
                let mut words = format!("{}, in {}", costs.source, costs.unit.name());
                if *missing == MissingPairs::StraightLine {
                    let estimate = match speed_kmh {
                        Some(speed) => format!(
                            "{} at {} km/h",
                            straight_line_words(*circuity),
                            number(*speed)
                        ),
                        None => straight_line_words(*circuity),
                    };
                    words.push_str(&format!(" (pairs missing from it estimated as {estimate})"));
                }
                words
            }
        }
    }
}

/// Straight-line distance in words.
pub fn straight_line_words(circuity: f64) -> String {
    if circuity == 1.0 {
        "great-circle km".into()
    } else {
        format!("great-circle km x {circuity} (circuity)")
    }
}

fn number(value: f64) -> String {
    let text = format!("{value:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What a run's distances are, for the published outputs: unit, words and catchment.
#[derive(Debug, Clone, PartialEq)]
pub struct DistanceMeasure {
    pub unit: TravelCostUnit,
    /// As [`Distances::describe`] gives it.
    pub description: String,
    /// The catchment radius, in `unit`.
    pub catchment: f64,
    /// Pairs estimated by straight line because the matrix lacked them (0 without one).
    pub estimated_pairs: usize,
    /// Where people's journeys are measured from.
    pub origins: Origins,
}

/// Where a run measures people's journeys from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origins {
    /// Each person's home.
    Homes,
    /// A point inside each person's small area: demand given by area, or travel costs
    /// given by area code.
    AreaPoints,
    /// Homes, except for `from_areas` of the `people`, whose travel costs are given by the
    /// code of their small area.
    Mixed { from_areas: usize, people: usize },
}

impl Origins {
    /// The run's origins, from its demand and travel costs (people absent from the matrix
    /// by id travel from their area's point).
    pub fn of(demand: &crate::model::Demand, distances: &Distances) -> Origins {
        let crate::model::Demand::People(people) = demand else {
            return Origins::AreaPoints;
        };
        let Some(costs) = distances.travel_costs() else {
            return Origins::Homes;
        };
        let from_areas = people
            .iter()
            .filter(|p| !costs.matrix.has_origin(&p.person_id))
            .count();
        match from_areas {
            0 => Origins::Homes,
            n if n == people.len() => Origins::AreaPoints,
            n => Origins::Mixed {
                from_areas: n,
                people: people.len(),
            },
        }
    }

    /// "from home", in words fit for the report.
    pub fn words(&self) -> String {
        match self {
            Origins::Homes => "from home".to_string(),
            Origins::AreaPoints => "from a point inside their small area".to_string(),
            Origins::Mixed { from_areas, people } => format!(
                "from home ({from_areas} of the {people} people from a point inside their small area, where the travel costs are given by area)"
            ),
        }
    }
}

impl DistanceMeasure {
    /// The suffix of column and property names holding distances: `km` or `minutes`.
    pub fn suffix(&self) -> &'static str {
        self.unit.name()
    }

    /// What is measured, in words: "distance", or "travel time" for minutes.
    pub fn noun(&self) -> &'static str {
        match self.unit {
            TravelCostUnit::Km => "distance",
            TravelCostUnit::Minutes => "travel time",
        }
    }

    /// The axis and legend label: "Kilometres" or "Minutes".
    pub fn axis_label(&self) -> &'static str {
        match self.unit {
            TravelCostUnit::Km => "Kilometres",
            TravelCostUnit::Minutes => "Minutes",
        }
    }
}

/// Why a matrix cannot serve a run.
#[derive(Debug, thiserror::Error)]
pub enum TravelCostsError {
    /// Pairs the run needs are not in the matrix and the config does not allow estimates.
    #[error("{source_name}: {missing} of the {required} origin-destination pairs the run needs are missing, for example {origin:?} -> {destination:?} (origin: a person id or the code of the area a demand point lies in; destination: an active service serving the demand's lot); add them, or set analysis.missing_pairs = \"straight_line\" to estimate them by straight line")]
    MissingPairs {
        source_name: String,
        missing: usize,
        required: usize,
        origin: String,
        destination: String,
    },
    /// A straight-line estimate was not a usable cost (it cannot be, for valid locations).
    #[error("{source_name}: the straight-line estimate {value} for {origin:?} -> {destination:?} is not a usable cost")]
    BadEstimate {
        source_name: String,
        origin: String,
        destination: String,
        value: f64,
    },
}

/// A matrix holding exactly the pairs an access problem needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    pub matrix: access::TravelCosts,
    /// Pairs the problem needs: each distinct origin with each active service serving a
    /// need of a demand site with that origin.
    pub required: usize,
    /// Of those, estimated by straight line.
    pub estimated: usize,
}

/// Checks that `distances`' matrix has every pair `problem` needs (demand site ids are
/// origins, service ids destinations; a site's location is its origin's, for estimates)
/// and returns the pairs, estimated where missing when the config allows it.
///
/// Pairs are visited in origin order, then service order, so the example a
/// [`TravelCostsError::MissingPairs`] names is the same on every run.
pub fn complete(
    problem: &AccessProblem,
    costs: &TravelCosts,
    missing: MissingPairs,
    circuity: f64,
    speed_kmh: Option<f64>,
) -> Result<Completed, TravelCostsError> {
    let serving = services_by_need(problem);
    let mut origins: BTreeMap<&str, (Location, BTreeSet<usize>)> = BTreeMap::new();
    for site in &problem.demand {
        origins
            .entry(site.id.as_str())
            .or_insert_with(|| (site.location, BTreeSet::new()))
            .1
            .insert(site.need);
    }
    let mut completed = Completed {
        matrix: access::TravelCosts::default(),
        required: 0,
        estimated: 0,
    };
    let mut absent = 0usize;
    let mut example: Option<(String, String)> = None;
    for (origin, (location, needs)) in origins {
        let services: BTreeSet<usize> = needs
            .iter()
            .flat_map(|&need| serving[need].iter().copied())
            .collect();
        for j in services {
            let service = &problem.services[j];
            completed.required += 1;
            let cost = match (costs.matrix.cost(origin, &service.id), missing) {
                (Some(cost), _) => cost,
                (None, MissingPairs::Error) => {
                    absent += 1;
                    example.get_or_insert_with(|| (origin.to_string(), service.id.clone()));
                    continue;
                }
                (None, MissingPairs::StraightLine) => {
                    completed.estimated += 1;
                    estimate(location, service.location, costs.unit, circuity, speed_kmh)
                }
            };
            if completed.matrix.insert(origin, &service.id, cost).is_err() {
                return Err(TravelCostsError::BadEstimate {
                    source_name: costs.source.clone(),
                    origin: origin.to_string(),
                    destination: service.id.clone(),
                    value: cost,
                });
            }
        }
    }
    match example {
        Some((origin, destination)) => Err(TravelCostsError::MissingPairs {
            source_name: costs.source.clone(),
            missing: absent,
            required: completed.required,
            origin,
            destination,
        }),
        None => Ok(completed),
    }
}

/// The active services of each need, ascending.
fn services_by_need(problem: &AccessProblem) -> Vec<Vec<usize>> {
    let mut serving = vec![Vec::new(); problem.needs.len()];
    for (j, service) in problem.services.iter().enumerate() {
        if !service.active {
            continue;
        }
        for &need in &service.needs {
            if let Some(list) = serving.get_mut(need) {
                if list.last() != Some(&j) {
                    list.push(j);
                }
            }
        }
    }
    serving
}

/// Great-circle km x circuity, or that at `speed_kmh` in minutes.
fn estimate(
    from: Location,
    to: Location,
    unit: TravelCostUnit,
    circuity: f64,
    speed_kmh: Option<f64>,
) -> f64 {
    let km = haversine_km(from, to) * circuity;
    match (unit, speed_kmh) {
        (TravelCostUnit::Minutes, Some(speed)) => km / speed * 60.0,
        _ => km,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Coordinates, DemandSite, ServiceSite};

    fn problem() -> AccessProblem {
        let site = |id: &str, need| DemandSite {
            id: id.into(),
            location: Location { x: 0.0, y: 0.0 },
            weight: 1.0,
            need,
        };
        let service = |id: &str, x: f64, needs: Vec<usize>, active| ServiceSite {
            id: id.into(),
            location: Location { x, y: 0.0 },
            capacity: 10.0,
            needs,
            active,
        };
        AccessProblem {
            coordinates: Coordinates::LonLat,
            needs: vec!["a".into(), "b".into()],
            // P1 asks for both needs; P2 for b only.
            demand: vec![site("P1", 0), site("P1", 1), site("P2", 1)],
            services: vec![
                service("S1", 0.1, vec![0], true),
                service("S2", 0.2, vec![0, 1], true),
                service("S3", 0.3, vec![1], false),
            ],
            travel_costs: None,
        }
    }

    fn costs(rows: &[(&str, &str, f64)]) -> TravelCosts {
        TravelCosts {
            matrix: access::TravelCosts::from_rows(rows.iter().copied()).expect("matrix"),
            unit: TravelCostUnit::Minutes,
            source: "od.csv".into(),
        }
    }

    #[test]
    fn a_complete_matrix_keeps_only_the_needed_pairs() {
        // Needed: P1 -> S1, S2 (S3 is inactive); P2 -> S2. The extra row P2 -> S1 is unused.
        let c = costs(&[
            ("P1", "S1", 5.0),
            ("P1", "S2", 7.0),
            ("P2", "S2", 3.0),
            ("P2", "S1", 1.0),
        ]);
        let done = complete(&problem(), &c, MissingPairs::Error, 1.0, None).expect("complete");
        assert_eq!(done.required, 3);
        assert_eq!(done.estimated, 0);
        assert_eq!(done.matrix.len(), 3);
        assert_eq!(done.matrix.cost("P2", "S1"), None);
        assert_eq!(done.matrix.cost("P1", "S2"), Some(7.0));
    }

    #[test]
    fn missing_pairs_are_counted_and_one_is_named() {
        let c = costs(&[("P1", "S1", 5.0)]);
        let err = complete(&problem(), &c, MissingPairs::Error, 1.0, None).expect_err("missing");
        let text = err.to_string();
        assert!(
            text.starts_with("od.csv: 2 of the 3 origin-destination pairs the run needs are missing, for example \"P1\" -> \"S2\""),
            "{text}"
        );
    }

    #[test]
    fn missing_pairs_are_estimated_by_straight_line_at_the_speed() {
        // P2 at (0, 0) to S2 at (0.2, 0) on the equator: 0.2 degrees of a great circle,
        // 6371.0088 x 0.2 x pi / 180 = 22.239 km; x 1.5 circuity = 33.358 km; at 40 km/h
        // that is 50.04 minutes.
        let c = costs(&[("P1", "S1", 5.0), ("P1", "S2", 7.0)]);
        let done =
            complete(&problem(), &c, MissingPairs::StraightLine, 1.5, Some(40.0)).expect("ok");
        assert_eq!(done.estimated, 1);
        let minutes = done.matrix.cost("P2", "S2").expect("estimated");
        let expected = 6371.0088 * 0.2_f64.to_radians() * 1.5 / 40.0 * 60.0;
        assert!((minutes - expected).abs() < 1e-9, "{minutes} vs {expected}");
        assert!((minutes - 50.04).abs() < 0.01, "{minutes}");
    }

    #[test]
    fn descriptions_name_the_source_and_unit() {
        let matrix = Distances::Matrix {
            costs: Box::new(TravelCosts {
                source: "drive times from od.csv".into(),
                ..costs(&[])
            }),
            missing: MissingPairs::Error,
            circuity: 1.0,
            speed_kmh: None,
        };
        assert_eq!(matrix.describe(), "drive times from od.csv, in minutes");
        assert_eq!(
            Distances::StraightLine { circuity: 1.3 }.describe(),
            "great-circle km x 1.3 (circuity)"
        );
    }
}
