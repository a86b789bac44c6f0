//! Reading car ways from an OpenStreetMap `.osm.pbf` extract (such as Geofabrik's county
//! files) with the `osmpbf` crate: a pass over the ways judged by [`CarProfile`], then a pass
//! over the nodes for the coordinates of the ones the roads use. Everything left out is
//! counted by reason in [`OsmStats`].

use std::collections::HashMap;
use std::path::Path;

use osmpbf::{Element, ElementReader};

use super::graph::{RoadWay, RoadWays};
use super::profile::{CarProfile, Direction, WayVerdict};
use super::TravelError;

/// What the extract held and what became roads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct OsmStats {
    /// Ways with a `highway` tag.
    pub highway_ways: usize,
    /// Of those, roads for cars.
    pub car_ways: usize,
    /// Left out: a class that is not for cars (footway, track, ...), access denied to motor
    /// vehicles, reversible one-way, drawn as an area.
    pub not_car_class: usize,
    pub no_access: usize,
    pub reversible: usize,
    pub areas: usize,
    /// Car ways whose `maxspeed` could not be read (their class speed was used).
    pub unreadable_maxspeed: usize,
    /// Node references of car ways with no node in the extract (the way is cut there).
    pub missing_nodes: usize,
}

/// Reads the car ways of an extract.
pub fn read_osm_pbf(
    path: &Path,
    profile: &CarProfile,
) -> Result<(RoadWays, OsmStats), TravelError> {
    let pbf_error = |source: osmpbf::Error| TravelError::Osm {
        file: path.display().to_string(),
        message: source.to_string(),
    };
    let mut stats = OsmStats::default();
    let mut raw_ways: Vec<(i64, Vec<i64>, Direction, f64)> = Vec::new();
    ElementReader::from_path(path)
        .map_err(pbf_error)?
        .for_each(|element| {
            if let Element::Way(way) = element {
                let tags: Vec<(&str, &str)> = way.tags().collect();
                let tag = |key: &str| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
                if tag("highway").is_none() {
                    return;
                }
                stats.highway_ways += 1;
                match profile.judge(tag) {
                    WayVerdict::Road {
                        direction,
                        speed_kmh,
                        unreadable_maxspeed,
                    } => {
                        stats.car_ways += 1;
                        stats.unreadable_maxspeed += usize::from(unreadable_maxspeed);
                        raw_ways.push((way.id(), way.refs().collect(), direction, speed_kmh));
                    }
                    WayVerdict::NotACarClass => stats.not_car_class += 1,
                    WayVerdict::NoAccess => stats.no_access += 1,
                    WayVerdict::Reversible => stats.reversible += 1,
                    WayVerdict::Area => stats.areas += 1,
                }
            }
        })
        .map_err(pbf_error)?;
    let mut index: HashMap<i64, u32> = HashMap::new();
    for (_, refs, _, _) in &raw_ways {
        for &node in refs {
            let next = index.len() as u32;
            index.entry(node).or_insert(next);
        }
    }
    let mut points = vec![[f64::NAN; 2]; index.len()];
    ElementReader::from_path(path)
        .map_err(pbf_error)?
        .for_each(|element| {
            let (id, lon, lat) = match element {
                Element::Node(n) => (n.id(), n.lon(), n.lat()),
                Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                _ => return,
            };
            if let Some(&p) = index.get(&id) {
                points[p as usize] = [lon, lat];
            }
        })
        .map_err(pbf_error)?;
    let mut ways = Vec::with_capacity(raw_ways.len());
    for (id, refs, direction, speed_kmh) in raw_ways {
        // Cut the way where a node is missing, keeping the pieces on either side.
        let mut piece = Vec::with_capacity(refs.len());
        for node in refs {
            let p = index[&node];
            if points[p as usize][0].is_nan() {
                stats.missing_nodes += 1;
                ways.push(RoadWay {
                    id,
                    points: std::mem::take(&mut piece),
                    direction,
                    speed_kmh,
                });
                continue;
            }
            piece.push(p);
        }
        ways.push(RoadWay {
            id,
            points: piece,
            direction,
            speed_kmh,
        });
    }
    ways.retain(|w| w.points.len() >= 2);
    Ok((RoadWays { points, ways }, stats))
}
