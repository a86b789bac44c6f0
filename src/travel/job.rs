//! The `gapmap travel` job: an extract and two place files in, an origin-destination matrix
//! out, written whole or not at all.

use std::path::{Path, PathBuf};

use super::io::{matrix_table, read_places, write_snaps, Place};
use super::osm::{read_osm_pbf, OsmStats};
use super::profile::CarProfile;
use super::route::{travel_matrix, Limit};
use super::snap::{Snap, SnapIndex};
use super::{GraphStats, RoadGraph, TravelError};

/// What the job reads and how it routes.
#[derive(Debug, Clone, PartialEq)]
pub struct TravelOptions {
    pub network: PathBuf,
    pub origins: PathBuf,
    pub destinations: PathBuf,
    pub out: PathBuf,
    /// Pairs slower than this are left out.
    pub max_minutes: Option<f64>,
    /// A place further than this from any road is an input error.
    pub max_snap_metres: f64,
    /// A TOML file replacing the car profile (speeds by class); `None` for the defaults.
    pub profile: Option<PathBuf>,
    /// Where to write each place's snap distance (CSV), if anywhere.
    pub snaps: Option<PathBuf>,
}

/// The default maximum distance from a place to the road.
pub const DEFAULT_MAX_SNAP_METRES: f64 = 1000.0;

/// What the job did, for the terminal.
#[derive(Debug, Clone)]
pub struct TravelSummary {
    pub osm: OsmStats,
    pub graph: GraphStats,
    pub origins: usize,
    pub destinations: usize,
    pub pairs: usize,
    /// The furthest snap of all places: (id, metres).
    pub furthest_snap: Option<(String, f64)>,
}

/// A road graph and its snapping index, built from an extract with a profile.
pub fn load_network(
    path: &Path,
    profile: &CarProfile,
) -> Result<(RoadGraph, OsmStats), TravelError> {
    let (ways, osm) = read_osm_pbf(path, profile)?;
    let graph = RoadGraph::build(&ways);
    if graph.junctions.is_empty() {
        return Err(TravelError::NoRoads {
            file: path.display().to_string(),
        });
    }
    Ok((graph, osm))
}

/// Reads a car profile from TOML (the shape of [`CarProfile`]).
pub fn read_profile(path: &Path) -> Result<CarProfile, TravelError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| TravelError::Io {
        file: file.clone(),
        source,
    })?;
    let profile: CarProfile = toml::from_str(&text).map_err(|e| TravelError::Profile {
        file: file.clone(),
        message: e.to_string(),
    })?;
    profile
        .check()
        .map_err(|message| TravelError::Profile { file, message })?;
    Ok(profile)
}

/// Snaps places read from a CSV file, failing on the first one further than `max_metres`
/// from a road.
pub fn snap_places(
    index: &SnapIndex,
    places: &[Place],
    file: &Path,
    max_metres: f64,
) -> Result<Vec<Snap>, TravelError> {
    snap_described(index, places, max_metres, |place| {
        format!("{}:{}", file.display(), place.line)
    })
}

/// Snaps places, naming one further than `max_metres` from a road by `describe`.
pub fn snap_described(
    index: &SnapIndex,
    places: &[Place],
    max_metres: f64,
    describe: impl Fn(&Place) -> String,
) -> Result<Vec<Snap>, TravelError> {
    places
        .iter()
        .map(|place| {
            let snap = index
                .snap(place.location)
                .ok_or_else(|| TravelError::Option("the road graph is empty".to_string()))?;
            if snap.distance_m > max_metres {
                return Err(TravelError::TooFarFromRoad {
                    place: describe(place),
                    id: place.id.clone(),
                    metres: snap.distance_m,
                    max_metres,
                });
            }
            Ok(snap)
        })
        .collect()
}

fn read_place_file(path: &Path) -> Result<Vec<Place>, TravelError> {
    let file = std::fs::File::open(path).map_err(|source| TravelError::Io {
        file: path.display().to_string(),
        source,
    })?;
    read_places(std::io::BufReader::new(file), &path.display().to_string())
}

/// Runs the job.
pub fn run_travel(options: &TravelOptions) -> Result<TravelSummary, TravelError> {
    let format = match options.out.extension().and_then(|e| e.to_str()) {
        Some("csv") => false,
        Some("parquet") => true,
        _ => {
            return Err(TravelError::Option(format!(
                "{}: the output must end in .csv or .parquet",
                options.out.display()
            )))
        }
    };
    if let Some(m) = options.max_minutes {
        if !(m.is_finite() && m > 0.0) {
            return Err(TravelError::Option(format!(
                "--max-minutes {m}: expected a number of minutes above 0"
            )));
        }
    }
    let profile = match &options.profile {
        Some(path) => read_profile(path)?,
        None => CarProfile::default(),
    };
    let origins = read_place_file(&options.origins)?;
    let destinations = read_place_file(&options.destinations)?;
    let (graph, osm) = load_network(&options.network, &profile)?;
    let index = SnapIndex::new(&graph);
    let origin_snaps = snap_places(&index, &origins, &options.origins, options.max_snap_metres)?;
    let destination_snaps = snap_places(
        &index,
        &destinations,
        &options.destinations,
        options.max_snap_metres,
    )?;
    let limit = options.max_minutes.map_or(Limit::NONE, Limit::minutes);
    let pairs = travel_matrix(&graph, &origin_snaps, &destination_snaps, limit);
    let table = matrix_table(&pairs, &origins, &destinations);
    let mut bytes = Vec::new();
    let written = if format {
        table.write_parquet(&mut bytes)
    } else {
        table.write_csv(&mut bytes)
    };
    written.map_err(|e| TravelError::Write {
        file: options.out.display().to_string(),
        message: e.to_string(),
    })?;
    let snap_rows: Vec<(&str, &Place, Snap)> = origins
        .iter()
        .zip(&origin_snaps)
        .map(|(p, s)| ("origin", p, *s))
        .chain(
            destinations
                .iter()
                .zip(&destination_snaps)
                .map(|(p, s)| ("destination", p, *s)),
        )
        .collect();
    if let Some(path) = &options.snaps {
        let mut snap_bytes = Vec::new();
        write_snaps(&mut snap_bytes, &snap_rows).map_err(|e| TravelError::Write {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        write_whole(path, &snap_bytes)?;
    }
    write_whole(&options.out, &bytes)?;
    let furthest_snap = snap_rows
        .iter()
        .max_by(|a, b| a.2.distance_m.total_cmp(&b.2.distance_m))
        .map(|(_, p, s)| (p.id.clone(), s.distance_m));
    Ok(TravelSummary {
        osm,
        graph: graph.stats,
        origins: origins.len(),
        destinations: destinations.len(),
        pairs: pairs.len(),
        furthest_snap,
    })
}

/// Writes a file through a temporary name beside it, so a failure leaves no half file.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), TravelError> {
    let io = |file: &Path| {
        let file = file.display().to_string();
        move |source| TravelError::Io { file, source }
    };
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}
