//! Distance from each person to the nearest active service that serves their lot.
//!
//! Distances are great-circle kilometres on a sphere of the Earth's mean radius, times
//! the configured circuity factor. The search uses an R-tree of services on the unit
//! sphere (3-D chord length orders points exactly as great-circle distance does); ties
//! go to the service listed first. A person whose lot no active service serves has no
//! nearest service; the summary counts them as beyond the catchment.

use geo::Point;
use rayon::prelude::*;
use rstar::primitives::GeomWithData;
use rstar::RTree;

use crate::config::AnalysisSection;
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Catalogue, Demand, Service, ServiceStatus};

/// Mean radius of the Earth (IUGG), km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km between two WGS84 points (haversine).
pub fn great_circle_km(a: Point<f64>, b: Point<f64>) -> f64 {
    let (lat1, lat2) = (a.y().to_radians(), b.y().to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.x() - a.x()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

fn unit_vector(p: Point<f64>) -> [f64; 3] {
    let (lat, lon) = (p.y().to_radians(), p.x().to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

type Entry = GeomWithData<[f64; 3], usize>;

/// Per lot, an index of the active services that serve it.
pub struct ServiceIndex {
    trees: Vec<RTree<Entry>>,
}

impl ServiceIndex {
    pub fn new(services: &[Service], n_lots: usize) -> Self {
        let trees = (0..n_lots)
            .map(|lot| {
                let entries = services
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.status == ServiceStatus::Active && s.lots.contains(&lot))
                    .map(|(i, s)| GeomWithData::new(unit_vector(s.location), i))
                    .collect();
                RTree::bulk_load(entries)
            })
            .collect();
        ServiceIndex { trees }
    }

    /// The nearest suitable service to `point` for `lot`: (service index, great-circle km).
    pub fn nearest(
        &self,
        services: &[Service],
        lot: usize,
        point: Point<f64>,
    ) -> Option<(usize, f64)> {
        let tree = self.trees.get(lot)?;
        let query = unit_vector(point);
        let mut best: Option<(usize, f64)> = None;
        let mut best_chord = f64::INFINITY;
        for (entry, chord2) in tree.nearest_neighbor_iter_with_distance_2(&query) {
            if chord2 > best_chord * (1.0 + 1e-12) {
                break;
            }
            let km = great_circle_km(point, services[entry.data].location);
            let better = match best {
                None => true,
                Some((i, d)) => km < d || (km == d && entry.data < i),
            };
            if better {
                best = Some((entry.data, km));
                best_chord = best_chord.min(chord2);
            }
        }
        best
    }
}

/// The nearest suitable service for one person row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PersonAccess {
    /// Index into the services, or `None` if no active service serves the lot.
    pub service: Option<usize>,
    /// Distance in km (times circuity); `None` with no service.
    pub distance_km: Option<f64>,
}

/// Nearest suitable service for every person row (empty for aggregated demand).
pub fn nearest_for_people(
    catalogue: &Catalogue,
    inputs: &Inputs,
    settings: &AnalysisSection,
) -> Vec<PersonAccess> {
    let Demand::People(people) = &inputs.demand else {
        return Vec::new();
    };
    let index = ServiceIndex::new(&inputs.services, catalogue.lots.len());
    people
        .par_iter()
        .map(
            |p| match index.nearest(&inputs.services, p.lot, p.location) {
                Some((service, km)) => PersonAccess {
                    service: Some(service),
                    distance_km: Some(km * settings.circuity),
                },
                None => PersonAccess {
                    service: None,
                    distance_km: None,
                },
            },
        )
        .collect()
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
}

/// Summaries by district and lot, in the same order as the gap cells.
pub fn summarise(
    access: &[PersonAccess],
    inputs: &Inputs,
    placement: &Placement,
    n_lots: usize,
    catchment_km: f64,
) -> Vec<AccessCell> {
    let Demand::People(people) = &inputs.demand else {
        return Vec::new();
    };
    let mut distances: Vec<Vec<Option<f64>>> = vec![Vec::new(); inputs.districts.len() * n_lots];
    for ((p, a), d) in people.iter().zip(access).zip(&placement.person_district) {
        distances[d * n_lots + p.lot].push(a.distance_km);
    }
    distances
        .into_iter()
        .enumerate()
        .map(|(i, ds)| cell_summary(i / n_lots, i % n_lots, ds, catchment_km))
        .collect()
}

fn cell_summary(
    district: usize,
    lot: usize,
    ds: Vec<Option<f64>>,
    catchment_km: f64,
) -> AccessCell {
    let beyond = ds
        .iter()
        .filter(|d| d.is_none_or(|km| km > catchment_km))
        .count() as u32;
    let mut known: Vec<f64> = ds.iter().flatten().copied().collect();
    known.sort_by(f64::total_cmp);
    let mean = (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64);
    AccessCell {
        district,
        lot,
        people: ds.len() as u32,
        beyond_catchment: beyond,
        mean_km: mean,
        p90_km: percentile_nearest_rank(&known, 0.9),
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
    fn one_degree_of_latitude_is_about_111_km() {
        let d = great_circle_km(Point::new(-1.0, 52.0), Point::new(-1.0, 53.0));
        // 2 * pi * 6371.0088 / 360 = 111.195 km
        assert!((d - 111.1951).abs() < 1e-3, "{d}");
    }

    #[test]
    fn leicester_to_loughborough_is_about_15_km() {
        // Clock Tower, Leicester to Loughborough: 0.136 deg of latitude (15.12 km) and 0.073 deg of
        // longitude at 52.7 deg N (4.92 km) make 15.90 km on a flat approximation.
        let d = great_circle_km(Point::new(-1.1332, 52.6361), Point::new(-1.2062, 52.7721));
        assert!((d - 15.9).abs() < 0.5, "{d}");
    }

    #[test]
    fn nearest_rank_percentile() {
        let v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile_nearest_rank(&v, 0.9), Some(9.0));
        assert_eq!(percentile_nearest_rank(&v[..3], 0.9), Some(3.0));
        assert_eq!(percentile_nearest_rank(&[], 0.9), None);
    }
}
