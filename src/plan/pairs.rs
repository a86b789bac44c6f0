//! Demand-site pairs from geometry, measured exactly as the access engine measures them
//! (great-circle km for lon/lat, planar km for easting/northing, times circuity), with the
//! engine's inclusive rule: a pair is in reach when its distance is at most the
//! catchment. Pairs from an origin-destination matrix would enter [`PlanInstance::new`]
//! the same way, as one cost per pair.

use rayon::prelude::*;

use super::{PlanError, PlanInstance, Site};
use crate::access::metric::{key_between, Frame, FramePoint, Scale};
use crate::access::reach::{GridReach, PairSource, Side};
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
    let nearby = Nearby::new(&demand_points, &site_points, limit, range);
    let row = |i: usize| -> Vec<(u32, f64)> {
        let mut found: Vec<(u32, f64)> = Vec::new();
        nearby.visit(i, |j, key| found.push((j, scale.distance(key))));
        found.sort_unstable_by_key(|p| p.0);
        found
    };
    // Two passes, counting then filling each demand point's row in place, so the pairs
    // are stored once, exactly sized, and never copied.
    let counts: Vec<usize> = (0..demand_points.len())
        .into_par_iter()
        .map(|i| {
            let mut count = 0;
            nearby.visit(i, |_, _| count += 1);
            count
        })
        .collect();
    let mut offsets = Vec::with_capacity(counts.len() + 1);
    offsets.push(0);
    for &count in &counts {
        offsets.push(offsets[offsets.len() - 1] + count);
    }
    drop(counts);
    let total = offsets[offsets.len() - 1];
    let mut site_of_pair = vec![0u32; total];
    let mut costs = vec![0.0f64; total];
    let mut blocks = Vec::new();
    let (mut sites_left, mut costs_left) = (&mut site_of_pair[..], &mut costs[..]);
    for start in (0..demand_points.len()).step_by(BLOCK) {
        let end = (start + BLOCK).min(demand_points.len());
        let length = offsets[end] - offsets[start];
        let (block_sites, rest_sites) = std::mem::take(&mut sites_left).split_at_mut(length);
        let (block_costs, rest_costs) = std::mem::take(&mut costs_left).split_at_mut(length);
        (sites_left, costs_left) = (rest_sites, rest_costs);
        blocks.push((start..end, block_sites, block_costs));
    }
    blocks
        .into_par_iter()
        .for_each(|(demand_range, block_sites, block_costs)| {
            let mut at = 0;
            for i in demand_range {
                for (j, c) in row(i) {
                    block_sites[at] = j;
                    block_costs[at] = c;
                    at += 1;
                }
            }
        });
    let sites = sites.into_iter().map(|s| s.site).collect();
    let weights = demand.iter().map(|d| d.1).collect();
    PlanInstance::from_rows(weights, sites, catchment, offsets, site_of_pair, costs)
}

/// The sites within a key limit of each demand point: through the access engine's grids
/// for the catchment (each demand point visits only the sites in the cells around it), or
/// every site.
struct Nearby<'a> {
    demand: &'a [FramePoint],
    sites: &'a [FramePoint],
    limit: f64,
    /// The grids, and each demand point's slot in them.
    grid: Option<(GridReach, Vec<usize>)>,
}

impl<'a> Nearby<'a> {
    fn new(
        demand: &'a [FramePoint],
        sites: &'a [FramePoint],
        limit: f64,
        range: PairRange,
    ) -> Self {
        let grid = (range == PairRange::Catchment).then(|| {
            let demand_ids: Vec<u32> = (0..demand.len() as u32).collect();
            let site_ids: Vec<u32> = (0..sites.len() as u32).collect();
            let zeros = vec![0.0; demand.len().max(sites.len())];
            let reach = GridReach::build(
                Side {
                    points: demand,
                    values: &zeros[..demand.len()],
                    sites: &demand_ids,
                },
                Side {
                    points: sites,
                    values: &zeros[..sites.len()],
                    sites: &site_ids,
                },
                limit,
            );
            let mut slot_of = vec![0usize; demand.len()];
            for slot in 0..reach.demand_len() {
                slot_of[reach.demand_site(slot)] = slot;
            }
            (reach, slot_of)
        });
        Nearby {
            demand,
            sites,
            limit,
            grid,
        }
    }

    /// Calls `visit(site, key)` for every site within the limit of demand point `i`.
    #[inline]
    fn visit(&self, i: usize, mut visit: impl FnMut(u32, f64)) {
        match &self.grid {
            Some((reach, slot_of)) => reach.visit_services_near(slot_of[i], |slot, key| {
                if key <= self.limit {
                    visit(reach.service_site(slot) as u32, key);
                }
            }),
            None => {
                for (j, &site) in self.sites.iter().enumerate() {
                    let key = key_between(self.demand[i], site);
                    if key <= self.limit {
                        visit(j as u32, key);
                    }
                }
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn placed(id: &str, x: f64, y: f64) -> PlacedSite {
        PlacedSite {
            site: Site {
                id: id.to_string(),
                capacity: 1.0,
                existing: false,
            },
            location: Location { x, y },
        }
    }

    /// Planar points on a 3-4-5 grid: costs worked out by hand, the catchment inclusive.
    #[test]
    fn planar_pairs_are_costed_and_kept_by_hand() {
        let demand = vec![
            (Location { x: 0.0, y: 0.0 }, 1.0),
            (
                Location {
                    x: 3000.0,
                    y: 4000.0,
                },
                2.0,
            ),
        ];
        let sites = vec![
            placed("far", 30_000.0, 40_000.0),
            placed("origin", 0.0, 0.0),
            placed("east", 6000.0, 0.0),
        ];
        let instance = geometric_instance(
            Coordinates::EastingNorthing,
            Metric::Planar { circuity: 1.0 },
            &demand,
            sites,
            5.0,
            PairRange::Catchment,
        )
        .unwrap();
        // Point 0: origin 0 km, east 6 km (out), far 50 km (out).
        assert_eq!(instance.sites_of(0), (&[1u32][..], &[0.0][..]));
        // Point 1: origin 5 km (exactly the catchment), east sqrt(9 + 16) = 5 km.
        let (sites, costs) = instance.sites_of(1);
        assert_eq!(sites, &[1u32, 2][..]);
        assert!(costs.iter().all(|c| (c - 5.0).abs() < 1e-9), "{costs:?}");
        assert_eq!(instance.demand_of(1).0, &[0u32, 1][..]);
    }

    /// Many lon/lat points in more than one block: the pairs found through the tree are
    /// exactly those of every pair measured, cut at the catchment.
    #[test]
    fn tree_pairs_equal_every_pair_cut_at_the_catchment() {
        let mut seed = 17u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let demand: Vec<(Location, f64)> = (0..2500)
            .map(|_| {
                let location = Location {
                    x: -1.5 + 0.6 * next(),
                    y: 52.4 + 0.4 * next(),
                };
                (location, 1.0)
            })
            .collect();
        let sites: Vec<PlacedSite> = (0..40)
            .map(|j| placed(&format!("s{j}"), -1.5 + 0.6 * next(), 52.4 + 0.4 * next()))
            .collect();
        let build = |range| {
            geometric_instance(
                Coordinates::LonLat,
                Metric::GreatCircle { circuity: 1.0 },
                &demand,
                sites.clone(),
                8.0,
                range,
            )
            .unwrap()
        };
        let near = build(PairRange::Catchment);
        let all = build(PairRange::All);
        assert_eq!(all.pair_count(), 2500 * 40);
        assert!(near.pair_count() > 1000 && near.pair_count() < all.pair_count());
        for i in 0..demand.len() {
            let (sites, costs) = all.sites_of(i);
            let kept: Vec<(u32, f64)> = sites
                .iter()
                .zip(costs)
                .filter(|(_, &c)| c <= 8.0)
                .map(|(&j, &c)| (j, c))
                .collect();
            let (sites, costs) = near.sites_of(i);
            let found: Vec<(u32, f64)> = sites.iter().copied().zip(costs.iter().copied()).collect();
            assert_eq!(found, kept, "demand point {i}");
        }
    }
}
