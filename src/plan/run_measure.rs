//! How a plan in a run measures the way from a person to a site, as the run does: straight
//! lines (great-circle km times `analysis.circuity`, catchment `analysis.catchment_km`),
//! or, when the config has a `[travel]` network, drive minutes over it from each person's
//! home to every existing service and candidate site (catchment
//! `analysis.catchment_minutes`), with each route's length kept for the transport figures.

use std::collections::HashMap;

use super::pairs::{geometric_instance, PairRange, PlacedSite};
use super::{PairCost, PlanError, PlanInstance};
use crate::access::{Coordinates, Location, Metric};
use crate::config::{Config, Origin};
use crate::travel::io::Place as RoadPlace;
use crate::travel::run::PlaceGroup;
use crate::Error;

/// The measure a plan's costs are in.
pub(crate) enum Measure {
    StraightLine,
    /// Drive times; the road km of each (demand point, site) pair with a route.
    Roads {
        km: HashMap<(u32, u32), f64>,
        source: String,
    },
}

impl Measure {
    /// The unit of costs and of the catchment.
    pub(crate) fn unit(&self) -> &'static str {
        match self {
            Measure::StraightLine => "km",
            Measure::Roads { .. } => "minutes",
        }
    }

    /// The km travelled from demand point `demand` to `site` at cost `cost`.
    pub(crate) fn km(&self, demand: usize, site: usize, cost: f64) -> f64 {
        match self {
            Measure::StraightLine => cost,
            Measure::Roads { km, .. } => km
                .get(&(demand as u32, site as u32))
                .copied()
                .unwrap_or(0.0),
        }
    }

    /// A phrase for the report: how the costs were measured.
    pub(crate) fn describe(&self, config: &Config) -> String {
        match self {
            Measure::StraightLine => format!(
                "straight-line km from home{}",
                if (config.file.analysis.circuity - 1.0).abs() > 1e-12 {
                    format!(" times {}", config.file.analysis.circuity)
                } else {
                    String::new()
                }
            ),
            Measure::Roads { source, .. } => format!("drive minutes from home, {source}"),
        }
    }
}

/// The instance over every demand point, the one over `subset` of them (when given), and
/// how they were measured.
pub(crate) struct Measured {
    pub all: PlanInstance,
    pub subset: Option<PlanInstance>,
    pub measure: Measure,
}

/// One demand point: where, how much, and the input line that put it there (for messages).
pub(crate) struct DemandPoint {
    pub location: Location,
    pub weight: f64,
    pub line: u64,
}

/// Measures every demand point to every site and builds the instances.
pub(crate) fn measure(
    config: &Config,
    demand: &[DemandPoint],
    subset: Option<&[usize]>,
    sites: Vec<PlacedSite>,
) -> Result<Measured, Error> {
    let analysis = &config.file.analysis;
    let Some(travel) = &config.file.travel else {
        let metric = Metric::GreatCircle {
            circuity: analysis.circuity,
        };
        let build = |points: &[&DemandPoint], sites: Vec<PlacedSite>| {
            let points: Vec<(Location, f64)> =
                points.iter().map(|d| (d.location, d.weight)).collect();
            geometric_instance(
                Coordinates::LonLat,
                metric,
                &points,
                sites,
                analysis.catchment_km,
                PairRange::All,
            )
        };
        let everyone: Vec<&DemandPoint> = demand.iter().collect();
        let part = subset
            .map(|s| {
                build(
                    &s.iter().map(|&i| &demand[i]).collect::<Vec<_>>(),
                    sites.clone(),
                )
            })
            .transpose()?;
        return Ok(Measured {
            all: build(&everyone, sites)?,
            subset: part,
            measure: Measure::StraightLine,
        });
    };
    let catchment = analysis
        .catchment_minutes
        .ok_or_else(|| PlanError::Setting {
            setting: "analysis.catchment_minutes",
            value: "missing".to_string(),
            expected:
                "a catchment in minutes, as plans over the [travel] network measure drive minutes",
        })?;
    let network = match &config.origin {
        Origin::Directory(dir) => dir.join(&travel.network),
        Origin::EmbeddedSample => {
            return Err(crate::travel::TravelError::Option(format!(
                "{}: [travel] network needs a config read from a folder",
                travel.network
            ))
            .into())
        }
    };
    let demand_file = &config.file.inputs.demand.file;
    let origins = PlaceGroup {
        places: demand
            .iter()
            .enumerate()
            .map(|(i, d)| RoadPlace {
                id: i.to_string(),
                location: [d.location.x, d.location.y],
                line: d.line,
            })
            .collect(),
        describe: Box::new(move |p: &RoadPlace| format!("{demand_file}:{}", p.line)),
    };
    let site_ids: Vec<String> = sites.iter().map(|s| s.site.id.clone()).collect();
    let destinations = PlaceGroup {
        places: sites
            .iter()
            .enumerate()
            .map(|(j, s)| RoadPlace {
                id: j.to_string(),
                location: [s.location.x, s.location.y],
                line: 0,
            })
            .collect(),
        describe: Box::new(move |p: &RoadPlace| {
            let j: usize = p.id.parse().unwrap_or(0);
            format!("site {}", site_ids.get(j).map_or("?", String::as_str))
        }),
    };
    let times = crate::travel::run::drive_times(travel, &network, &[origins], &destinations)?;
    let mut pairs = Vec::with_capacity(times.rows.len());
    let mut km = HashMap::with_capacity(times.rows.len());
    for ((o, d, minutes), length) in times.rows.iter().zip(&times.km) {
        // The ids are the indices given above.
        let (Ok(i), Ok(j)) = (o.parse::<u32>(), d.parse::<u32>()) else {
            continue;
        };
        pairs.push(PairCost {
            demand: i,
            site: j,
            cost: *minutes,
        });
        km.insert((i, j), *length);
    }
    let site_list: Vec<super::Site> = sites.into_iter().map(|s| s.site).collect();
    let part = match subset {
        Some(subset) => {
            let mut position = vec![u32::MAX; demand.len()];
            for (k, &i) in subset.iter().enumerate() {
                position[i] = k as u32;
            }
            let kept = pairs
                .iter()
                .filter(|p| position[p.demand as usize] != u32::MAX)
                .map(|p| PairCost {
                    demand: position[p.demand as usize],
                    ..*p
                })
                .collect();
            Some(PlanInstance::new(
                subset.iter().map(|&i| demand[i].weight).collect(),
                site_list.clone(),
                catchment,
                kept,
            )?)
        }
        None => None,
    };
    Ok(Measured {
        all: PlanInstance::new(
            demand.iter().map(|d| d.weight).collect(),
            site_list,
            catchment,
            pairs,
        )?,
        subset: part,
        measure: Measure::Roads {
            km,
            source: format!(
                "over OpenStreetMap roads ({}, {})",
                travel.network,
                crate::travel::OSM_ATTRIBUTION
            ),
        },
    })
}
