//! Drive times for a run: `[travel] network = "county.osm.pbf"` in the config. The run's
//! origins (people's homes, small areas' interior points) and destinations (active services)
//! arrive as plain places; this builds the graph, snaps them and returns every pair's drive
//! time in minutes, for the analysis to use as its travel costs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::io::Place;
use super::job::{load_network, snap_described, DEFAULT_MAX_SNAP_METRES};
use super::route::{travel_matrix, Limit};
use super::{CarProfile, GraphStats, OsmStats, SnapIndex, TravelError};

/// The `[travel]` section of a run's config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TravelSection {
    /// The OpenStreetMap extract, relative to the config.
    pub network: String,
    /// A place further than this (metres) from a road is an input error.
    #[serde(default = "default_max_snap")]
    pub max_snap_metres: f64,
    /// Replaces the default speed table (km/h by highway class) when given.
    pub speeds: Option<BTreeMap<String, f64>>,
    pub maxspeed_factor: Option<f64>,
    pub max_speed: Option<f64>,
}

fn default_max_snap() -> f64 {
    DEFAULT_MAX_SNAP_METRES
}

impl TravelSection {
    /// The car profile these settings describe, checked.
    pub fn profile(&self) -> Result<CarProfile, String> {
        let mut profile = CarProfile::default();
        if let Some(speeds) = &self.speeds {
            profile.speeds = speeds.clone();
        }
        if let Some(factor) = self.maxspeed_factor {
            profile.maxspeed_factor = factor;
        }
        if let Some(max) = self.max_speed {
            profile.max_speed = max;
        }
        profile.check()?;
        Ok(profile)
    }
}

/// A group of places from one input file; `describe` names a place for messages.
pub struct PlaceGroup<'a> {
    pub places: Vec<Place>,
    pub describe: Box<dyn Fn(&Place) -> String + 'a>,
}

/// Every origin-destination drive time, and what the network held.
#[derive(Debug, Clone)]
pub struct DriveTimes {
    /// (origin id, destination id, minutes), by origin then destination.
    pub rows: Vec<(String, String, f64)>,
    /// The length in km of each row's route.
    pub km: Vec<f64>,
    pub osm: OsmStats,
    pub graph: GraphStats,
    /// The place furthest from a road: (id, metres).
    pub furthest_snap: Option<(String, f64)>,
}

/// Builds the graph from `network` and computes every pair's drive time (no limit: the run
/// decides what is in reach).
pub fn drive_times(
    section: &TravelSection,
    network: &Path,
    origins: &[PlaceGroup],
    destinations: &PlaceGroup,
) -> Result<DriveTimes, TravelError> {
    let profile = section.profile().map_err(|message| TravelError::Profile {
        file: "[travel] in the config".to_string(),
        message,
    })?;
    let (graph, osm) = load_network(network, &profile)?;
    let index = SnapIndex::new(&graph);
    let mut origin_places = Vec::new();
    let mut origin_snaps = Vec::new();
    for group in origins {
        let snaps = snap_described(&index, &group.places, section.max_snap_metres, |p| {
            (group.describe)(p)
        })?;
        origin_places.extend(group.places.iter().cloned());
        origin_snaps.extend(snaps);
    }
    let destination_snaps =
        snap_described(&index, &destinations.places, section.max_snap_metres, |p| {
            (destinations.describe)(p)
        })?;
    let furthest_snap = origin_places
        .iter()
        .zip(&origin_snaps)
        .chain(destinations.places.iter().zip(&destination_snaps))
        .max_by(|a, b| a.1.distance_m.total_cmp(&b.1.distance_m))
        .map(|(p, s)| (p.id.clone(), s.distance_m));
    let pairs = travel_matrix(&graph, &origin_snaps, &destination_snaps, Limit::NONE);
    let rows = pairs
        .iter()
        .map(|p| {
            (
                origin_places[p.origin as usize].id.clone(),
                destinations.places[p.destination as usize].id.clone(),
                p.cost.minutes(),
            )
        })
        .collect();
    Ok(DriveTimes {
        rows,
        km: pairs.iter().map(|p| p.cost.km()).collect(),
        osm,
        graph: graph.stats,
        furthest_snap,
    })
}
