//! Drive times from OpenStreetMap, in process: the `travel` stage.
//!
//! An `.osm.pbf` extract becomes a road graph ([`osm`], [`profile`], [`graph`]): the ways a
//! car may use, cut at junctions, one-way rules respected, a speed per road class or from
//! `maxspeed`, lengths on the great circle, only the largest strongly connected component
//! kept. Places are snapped to the nearest point on a road ([`snap`]), and [`route`] computes
//! many-to-many drive times and distances by Dijkstra searches over the reverse graph, one per
//! destination, cut at a time limit. [`job`] is the `gapmap travel` command: places in, an
//! origin-destination matrix (`origin, destination, minutes, km`) out, the layout that
//! `gapmap access --cost` reads. This stage knows nothing of services, demand or access: it
//! only measures roads.
//!
//! Road data: © OpenStreetMap contributors, under the Open Database Licence.

pub mod bench;
pub mod cost;
pub mod error;
pub mod graph;
pub mod grid;
pub mod io;
pub mod job;
pub mod osm;
pub mod profile;
#[cfg(test)]
mod reference;
pub mod route;
pub mod run;
pub mod snap;
#[cfg(test)]
mod tests;

pub use cost::{great_circle_m, Cost};
pub use error::TravelError;
pub use graph::{GraphStats, RoadGraph, RoadWay, RoadWays};
pub use job::{run_travel, TravelOptions, TravelSummary};
pub use osm::{read_osm_pbf, OsmStats};
pub use profile::{parse_maxspeed, CarProfile, Direction};
pub use route::{travel_matrix, travel_matrix_serial, Limit, OdCost};
pub use snap::{Snap, SnapIndex};

/// The attribution every output derived from OpenStreetMap must carry.
pub const OSM_ATTRIBUTION: &str = "© OpenStreetMap contributors";
