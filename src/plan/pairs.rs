//! Demand-site pairs from geometry, measured exactly as the access engine measures them
//! (great-circle km for lon/lat, planar km for easting/northing, times circuity), with the
//! engine's inclusive rule: a pair is in reach when its distance is at most the
//! catchment. Pairs from an origin-destination matrix would enter [`PlanInstance::new`]
//! the same way, as one cost per pair.

use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use super::{PlanError, PlanInstance, Site};
use crate::access::metric::{key_between, Frame, FramePoint, Scale};
use crate::access::{AccessProblem, Coordinates, DemandSite, Location, Metric, ServiceSite};

/// A site with its location.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedSite {
    pub site: Site,
    pub location: Location,
}

/// Which pairs to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairRange {
    /// Pairs within the catchment (enough for coverage and capacitated plans).
    Catchment,
    /// Every demand-site pair (the distance model needs the nearest site however far).
    All,
}

/// Builds a plan instance from demand points (location, weight) and sites: checks every
/// location as the access engine does, projects once into the engine's frame and keeps
/// the pairs in `range`, costed in the metric's km.
pub fn geometric_instance(
    coordinates: Coordinates,
    metric: Metric,
    demand: &[(Location, f64)],
    sites: Vec<PlacedSite>,
    catchment: f64,
    range: PairRange,
) -> Result<PlanInstance, PlanError> {
    if metric == Metric::TravelCost {
        return Err(PlanError::Setting {
            setting: "metric",
            value: "travel-cost".to_string(),
            expected: "great-circle or planar (matrix costs enter as pairs)",
        });
    }
    let problem = as_access_problem(coordinates, demand, &sites);
    problem.validate(&metric)?;
    let frame = Frame::for_problem(&problem);
    let scale = Scale::for_metric(metric);
    let demand_points: Vec<FramePoint> = demand.iter().map(|d| frame.project(d.0)).collect();
    let site_points: Vec<FramePoint> = sites.iter().map(|s| frame.project(s.location)).collect();
    let limit = match range {
        PairRange::Catchment => scale.key_limit(catchment),
        PairRange::All => f64::MAX,
    };
    let tree = RTree::bulk_load(
        site_points
            .iter()
            .enumerate()
            .map(|(j, p)| GeomWithData::new([p.x, p.y, p.z], j as u32))
            .collect(),
    );
    let near = |i: usize, j: u32| {
        let key = key_between(demand_points[i], site_points[j as usize]);
        (key <= limit).then(|| (j, scale.distance(key)))
    };
    let row = |i: usize| -> Vec<(u32, f64)> {
        match range {
            PairRange::All => (0..site_points.len() as u32)
                .filter_map(|j| near(i, j))
                .collect(),
            PairRange::Catchment => {
                let point = demand_points[i];
                let mut found: Vec<(u32, f64)> = tree
                    .locate_within_distance(
                        [point.x, point.y, point.z],
                        limit * (1.0 + 1e-9) + 1e-12,
                    )
                    .filter_map(|entry| near(i, entry.data))
                    .collect();
                found.sort_unstable_by_key(|p| p.0);
                found
            }
        }
    };
    // Blocks of demand points in parallel, each stored lean (site, cost) and copied into
    // the instance's rows as it is freed, so the pairs are never held twice over.
    let blocks: Vec<(Vec<usize>, Vec<u32>, Vec<f64>)> = (0..demand_points.len())
        .collect::<Vec<_>>()
        .par_chunks(BLOCK)
        .map(|block| {
            let (mut lengths, mut sites, mut costs) = (Vec::new(), Vec::new(), Vec::new());
            for &i in block {
                let found = row(i);
                lengths.push(found.len());
                sites.extend(found.iter().map(|p| p.0));
                costs.extend(found.iter().map(|p| p.1));
            }
            sites.shrink_to_fit();
            costs.shrink_to_fit();
            (lengths, sites, costs)
        })
        .collect();
    let total: usize = blocks.iter().map(|b| b.1.len()).sum();
    let mut offsets = Vec::with_capacity(demand_points.len() + 1);
    offsets.push(0);
    let mut site_of_pair = Vec::with_capacity(total);
    let mut costs = Vec::with_capacity(total);
    for (lengths, sites, block_costs) in blocks {
        for length in lengths {
            offsets.push(offsets[offsets.len() - 1] + length);
        }
        site_of_pair.extend_from_slice(&sites);
        costs.extend_from_slice(&block_costs);
    }
    let sites = sites.into_iter().map(|s| s.site).collect();
    let weights = demand.iter().map(|d| d.1).collect();
    PlanInstance::from_rows(weights, sites, catchment, offsets, site_of_pair, costs)
}

/// Demand points measured together in one parallel task.
const BLOCK: usize = 1024;

fn as_access_problem(
    coordinates: Coordinates,
    demand: &[(Location, f64)],
    sites: &[PlacedSite],
) -> AccessProblem {
    AccessProblem {
        coordinates,
        needs: vec!["plan".to_string()],
        demand: demand
            .iter()
            .enumerate()
            .map(|(i, &(location, weight))| DemandSite {
                id: i.to_string(),
                location,
                weight,
                need: 0,
            })
            .collect(),
        services: sites
            .iter()
            .map(|s| ServiceSite {
                id: s.site.id.clone(),
                location: s.location,
                capacity: s.site.capacity,
                needs: vec![0],
                active: true,
            })
            .collect(),
        travel_costs: None,
    }
}
