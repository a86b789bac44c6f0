//! Access for the pipeline: each person's nearest suitable service, the services within
//! the catchment and E2SFCA accessibility, and the same for small-area points when the
//! boundaries are small areas. The work is done by the access engine ([`crate::access`]);
//! this module turns loaded, located data into its problem and its answers into per-person
//! and per-area rows.
//!
//! Distances are great-circle kilometres times the configured circuity, or, when the run
//! has travel costs ([`super::travel::Distances::Matrix`]), the matrix's costs in its unit
//! (catchment and zones in that unit too). A person's origin in the matrix is their person
//! id when the matrix has it, otherwise the code of the area they live in; a small area's
//! origin is its code. A person whose lot no active service serves has no nearest service
//! and counts as beyond the catchment.

use crate::access::{
    self, AccessProblem, AccessSettings, Catchment, Coordinates, Decay, DemandSite, Location,
    Metric, ServiceSite, Zone,
};
use crate::analyse::travel::{self, Distances, TravelCostsError};
use crate::config::AnalysisSection;
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Catalogue, Demand, Service, ServiceStatus};

/// Why access could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum AccessStageError {
    #[error("access analysis: {0}")]
    Engine(#[from] access::AccessError),
    #[error(transparent)]
    TravelCosts(#[from] TravelCostsError),
}

/// The engine's settings for the run's analysis settings: the catchment and zones are in
/// the distances' unit (km, or the matrix's unit).
pub fn engine_settings(settings: &AnalysisSection, distances: &Distances) -> AccessSettings {
    AccessSettings {
        metric: match distances {
            Distances::StraightLine { circuity } => Metric::GreatCircle {
                circuity: *circuity,
            },
            Distances::Matrix { .. } => Metric::TravelCost,
        },
        catchment: Catchment {
            radius: settings.catchment(),
            decay: Decay::Step {
                zones: settings
                    .zones
                    .iter()
                    .map(|[upper, weight]| Zone {
                        upper: *upper,
                        weight: *weight,
                    })
                    .collect(),
            },
        },
        ..AccessSettings::default()
    }
}

fn service_sites(services: &[Service]) -> Vec<ServiceSite> {
    services
        .iter()
        .map(|s| ServiceSite {
            id: s.id.clone(),
            location: Location {
                x: s.location.x(),
                y: s.location.y(),
            },
            capacity: s.capacity,
            needs: s.lots.clone(),
            active: s.status == ServiceStatus::Active,
        })
        .collect()
}

fn problem(catalogue: &Catalogue, services: &[Service], demand: Vec<DemandSite>) -> AccessProblem {
    AccessProblem {
        coordinates: Coordinates::LonLat,
        needs: catalogue.lots.iter().map(|l| l.id.clone()).collect(),
        demand,
        services: service_sites(services),
        travel_costs: None,
    }
}

/// Access from one demand point (a person, or a small area) for one lot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonAccess {
    /// Index into the services, or `None` if no active service serves the lot.
    pub service: Option<usize>,
    /// Distance in the run's unit: km (times circuity), or the travel costs' unit; `None`
    /// with no service.
    pub distance_km: Option<f64>,
    pub services_in_reach: u32,
    pub e2sfca: f64,
}

/// Access for each demand site of `problem`, and the pairs estimated by straight line.
fn solve(
    mut problem: AccessProblem,
    settings: &AnalysisSection,
    distances: &Distances,
) -> Result<(Vec<PersonAccess>, usize), AccessStageError> {
    let estimated = attach_travel_costs(&mut problem, distances)?;
    let result = access::compute_access_parallel(&problem, &engine_settings(settings, distances))?;
    let rows = result
        .sites
        .iter()
        .map(|site| PersonAccess {
            service: site.nearest.map(|n| n.service),
            distance_km: site.nearest.map(|n| n.distance),
            services_in_reach: site.services_in_reach,
            e2sfca: site.accessibility_e2sfca,
        })
        .collect();
    Ok((rows, estimated))
}

/// Gives the problem the matrix pairs it needs (estimating missing ones when allowed);
/// returns how many were estimated.
fn attach_travel_costs(
    problem: &mut AccessProblem,
    distances: &Distances,
) -> Result<usize, TravelCostsError> {
    let Distances::Matrix {
        costs,
        missing,
        circuity,
        speed_kmh,
    } = distances
    else {
        return Ok(0);
    };
    let completed = travel::complete(problem, costs, *missing, *circuity, *speed_kmh)?;
    problem.travel_costs = Some(completed.matrix);
    Ok(completed.estimated)
}

/// The demand sites of the person rows (empty for aggregated demand), in row order. With
/// travel costs, a site's id is its origin in the matrix: the person id if the matrix has
/// it, else the code of the person's area (located at the area's interior point).
fn people_sites(inputs: &Inputs, placement: &Placement, distances: &Distances) -> Vec<DemandSite> {
    let Demand::People(people) = &inputs.demand else {
        return Vec::new();
    };
    let points = &inputs.area_points;
    people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let home = Location {
                x: p.location.x(),
                y: p.location.y(),
            };
            let (id, location) = match distances.travel_costs() {
                None => (i.to_string(), home),
                Some(costs) if costs.matrix.has_origin(&p.person_id) => (p.person_id.clone(), home),
                Some(_) => {
                    let area = placement.person_area.get(i).copied();
                    let code = area.map(|a| inputs.areas[a].code.clone());
                    let point = area.and_then(|a| points[a]);
                    match (code, point) {
                        (Some(code), Some(point)) => (
                            code,
                            Location {
                                x: point.x(),
                                y: point.y(),
                            },
                        ),
                        _ => (p.person_id.clone(), home),
                    }
                }
            };
            DemandSite {
                id,
                location,
                weight: 1.0,
                need: p.lot,
            }
        })
        .collect()
}

/// Access for every person row (empty for aggregated demand), in row order, and the pairs
/// estimated by straight line.
pub fn nearest_for_people(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    settings: &AnalysisSection,
    distances: &Distances,
) -> Result<(Vec<PersonAccess>, usize), AccessStageError> {
    let demand = people_sites(inputs, placement, distances);
    if demand.is_empty() {
        return Ok((Vec::new(), 0));
    }
    solve(
        problem(catalogue, &inputs.services, demand),
        settings,
        distances,
    )
}

/// Access from one small area's point for one lot, weighted by the people there.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaAccess {
    pub area: usize,
    pub lot: usize,
    /// People (current and waiting) in the area asking for the lot.
    pub people: u32,
    pub access: PersonAccess,
}

/// The small areas' demand sites: each area's interior point for each lot, weighted by its
/// people for the lot, with the area code as id when there are travel costs. Returns the
/// (area, lot) of each site, the people and the sites.
fn area_sites(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    distances: &Distances,
) -> (Vec<(usize, usize)>, Vec<u32>, Vec<DemandSite>) {
    let n_lots = catalogue.lots.len();
    let mut people = vec![0u32; inputs.areas.len() * n_lots];
    if let Demand::People(rows) = &inputs.demand {
        for (p, &area) in rows.iter().zip(&placement.person_area) {
            people[area * n_lots + p.lot] += 1;
        }
    }
    let mut keys = Vec::new();
    let mut demand = Vec::new();
    for (area, (a, point)) in inputs.areas.iter().zip(&inputs.area_points).enumerate() {
        let Some(point) = point else {
            continue;
        };
        for lot in 0..n_lots {
            keys.push((area, lot));
            demand.push(DemandSite {
                id: match distances {
                    Distances::StraightLine { .. } => format!("{area}:{lot}"),
                    Distances::Matrix { .. } => a.code.clone(),
                },
                location: Location {
                    x: point.x(),
                    y: point.y(),
                },
                weight: f64::from(people[area * n_lots + lot]),
                need: lot,
            });
        }
    }
    (keys, people, demand)
}

/// Access by small area and lot (only when the areas are small areas within districts):
/// each area's interior point is a demand site weighted by its people for the lot. Also
/// returns the pairs estimated by straight line.
pub fn by_small_area(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    settings: &AnalysisSection,
    distances: &Distances,
) -> Result<(Vec<AreaAccess>, usize), AccessStageError> {
    let n_lots = catalogue.lots.len();
    let (keys, people, demand) = area_sites(catalogue, inputs, placement, distances);
    let (answers, estimated) = solve(
        problem(catalogue, &inputs.services, demand),
        settings,
        distances,
    )?;
    let rows = keys
        .into_iter()
        .zip(answers)
        .map(|((area, lot), access)| AreaAccess {
            area,
            lot,
            people: people[area * n_lots + lot],
            access,
        })
        .collect();
    Ok((rows, estimated))
}

/// Checks, without computing access, that the travel costs hold every pair the run's
/// people and (with small areas) small areas need; returns how many pairs would be
/// estimated by straight line. `Ok(0)` without travel costs.
pub fn check_travel_costs(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    small_areas: bool,
    distances: &Distances,
) -> Result<usize, TravelCostsError> {
    if distances.travel_costs().is_none() {
        return Ok(0);
    }
    let mut people = problem(
        catalogue,
        &inputs.services,
        people_sites(inputs, placement, distances),
    );
    let mut estimated = attach_travel_costs(&mut people, distances)?;
    if small_areas {
        let (_, _, demand) = area_sites(catalogue, inputs, placement, distances);
        let mut areas = problem(catalogue, &inputs.services, demand);
        estimated += attach_travel_costs(&mut areas, distances)?;
    }
    Ok(estimated)
}

/// Distance summary for one district and lot, over current and waiting people.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessCell {
    pub district: usize,
    pub lot: usize,
    pub people: u32,
    /// People with no suitable service within the catchment (or none at all).
    pub beyond_catchment: u32,
    pub mean_km: Option<f64>,
    /// 90th percentile (nearest rank) of distance, over people with a suitable service.
    pub p90_km: Option<f64>,
    /// Mean E2SFCA accessibility (capacity per person within reach, distance-weighted).
    pub mean_e2sfca: Option<f64>,
}

/// Summaries by district and lot, in the same order as the gap cells.
pub fn summarise(
    access: &[PersonAccess],
    inputs: &Inputs,
    placement: &Placement,
    n_lots: usize,
    catchment: f64,
) -> Vec<AccessCell> {
    let Demand::People(people) = &inputs.demand else {
        return Vec::new();
    };
    let mut cells: Vec<Vec<PersonAccess>> = vec![Vec::new(); inputs.districts.len() * n_lots];
    for ((p, a), d) in people.iter().zip(access).zip(&placement.person_district) {
        cells[d * n_lots + p.lot].push(*a);
    }
    cells
        .into_iter()
        .enumerate()
        .map(|(i, cell)| cell_summary(i / n_lots, i % n_lots, &cell, catchment))
        .collect()
}

fn cell_summary(district: usize, lot: usize, cell: &[PersonAccess], catchment: f64) -> AccessCell {
    let beyond = cell
        .iter()
        .filter(|a| a.distance_km.is_none_or(|d| d > catchment))
        .count() as u32;
    let mut known: Vec<f64> = cell.iter().filter_map(|a| a.distance_km).collect();
    known.sort_by(f64::total_cmp);
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let e2sfca: Vec<f64> = cell.iter().map(|a| a.e2sfca).collect();
    AccessCell {
        district,
        lot,
        people: cell.len() as u32,
        beyond_catchment: beyond,
        mean_km: mean(&known),
        p90_km: percentile_nearest_rank(&known, 0.9),
        mean_e2sfca: mean(&e2sfca),
    }
}

/// The nearest-rank percentile of sorted values: the value at rank ceil(q * n).
pub fn percentile_nearest_rank(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentile() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile_nearest_rank(&v, 0.9), Some(9.0));
        assert_eq!(percentile_nearest_rank(&v[..3], 0.9), Some(3.0));
        assert_eq!(percentile_nearest_rank(&[], 0.9), None);
    }

    #[test]
    fn leicester_to_loughborough_is_about_16_km() {
        // Clock Tower, Leicester to Loughborough: 0.136 deg of latitude (15.12 km) and 0.073
        // deg of longitude at 52.7 deg N (4.92 km) make 15.90 km on a flat approximation.
        let d = access::metric::haversine_km(
            Location {
                x: -1.1332,
                y: 52.6361,
            },
            Location {
                x: -1.2062,
                y: 52.7721,
            },
        );
        assert!((d - 15.9).abs() < 0.1, "{d}");
    }
}
