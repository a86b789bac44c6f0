//! `gapmap travel`: its arguments, turned into [`gapmap::travel::TravelOptions`], and what it
//! prints once [`gapmap::travel::run_travel`] has built the road graph and written the
//! drive times. Routing is the library's.

use std::path::PathBuf;

/// Drive times and distances by road between places, from an OpenStreetMap extract.
///
/// Builds a road graph from the extract (.osm.pbf, e.g. a Geofabrik county file: roads a
/// car may use, one-way rules, a speed per road class or the tagged maxspeed), snaps each
/// place to the nearest point on a road, and writes one row per origin and destination:
/// origin, destination, minutes, km (the layout `gapmap access --cost` reads). Places are
/// CSV files with id and longitude, latitude (or easting, northing); the demand and
/// services files of `gapmap access` work as they are. Road data © OpenStreetMap
/// contributors (ODbL).
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap travel --network rutland.osm.pbf --origins lsoa_points.csv --destinations services.csv --out od.csv\n  gapmap travel --network county.osm.pbf --origins people.csv --destinations services.csv --max-minutes 45 --out od.parquet\n  gapmap travel --network county.osm.pbf --origins o.csv --destinations d.csv --speeds speeds.toml --snaps snaps.csv --out od.csv"
)]
pub struct TravelArgs {
    /// The OpenStreetMap extract (.osm.pbf).
    #[arg(long)]
    network: PathBuf,
    /// Origins (CSV: id, longitude, latitude or id, easting, northing).
    #[arg(long)]
    origins: PathBuf,
    /// Destinations (CSV, as origins).
    #[arg(long)]
    destinations: PathBuf,
    /// Output file: .csv or .parquet.
    #[arg(long, short)]
    out: PathBuf,
    /// Leave out pairs more than this many minutes apart.
    #[arg(long)]
    max_minutes: Option<f64>,
    /// A place further than this (metres) from any road is an error.
    #[arg(long, default_value_t = gapmap::travel::job::DEFAULT_MAX_SNAP_METRES)]
    max_snap_metres: f64,
    /// Car profile (TOML): speeds by highway class, maxspeed_factor, max_speed.
    #[arg(long)]
    speeds: Option<PathBuf>,
    /// Also write each place's distance to the road it was snapped to (CSV).
    #[arg(long)]
    snaps: Option<PathBuf>,
}

/// Computes drive times between the places given, writes them to `--out` and prints the
/// road graph's size, the furthest snap and the pairs written.
pub fn travel(args: TravelArgs) -> Result<(), String> {
    let options = &gapmap::travel::TravelOptions {
        network: args.network,
        origins: args.origins,
        destinations: args.destinations,
        out: args.out,
        max_minutes: args.max_minutes,
        max_snap_metres: args.max_snap_metres,
        profile: args.speeds,
        snaps: args.snaps,
    };
    let started = std::time::Instant::now();
    let summary = gapmap::travel::run_travel(options).map_err(|e| e.to_string())?;
    let g = &summary.graph;
    say!(
        "Roads: {} car ways of {} highways; graph of {} junctions and {} edges ({:.0} km); left out {} small pieces not connected both ways ({} junctions, {:.1} km)",
        summary.osm.car_ways,
        summary.osm.highway_ways,
        g.junctions,
        g.edges,
        g.length_m as f64 / 1000.0,
        g.components.saturating_sub(1),
        g.junctions_dropped,
        g.length_dropped_m as f64 / 1000.0
    );
    if let Some((id, metres)) = &summary.furthest_snap {
        say!("Furthest from a road: {id}, {metres:.0} m");
    }
    say!(
        "{} origins x {} destinations: {} pairs in {:.2} s; wrote {} (road data {})",
        summary.origins,
        summary.destinations,
        summary.pairs,
        started.elapsed().as_secs_f64(),
        options.out.display(),
        gapmap::travel::OSM_ATTRIBUTION
    );
    Ok(())
}
