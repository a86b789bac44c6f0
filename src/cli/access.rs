//! `gapmap access`: its arguments, turned into [`AccessOptions`], and the summary it prints
//! by need. The accessibility measures themselves are [`gapmap::standalone::run_access`]
//! and the access engine behind it.

use std::path::PathBuf;

use gapmap::standalone::{self, AccessOptions};

/// Accessibility of demand points to services: nearest suitable service, services in
/// reach, 2SFCA and E2SFCA, per demand point and need.
///
/// Demand rows: id, longitude, latitude (or x, y in British National Grid metres),
/// weight, need. Service rows: id, longitude, latitude (or x, y), capacity, needs
/// (;-separated), and optionally active. Lon/lat use great-circle km, x/y planar km, and
/// --cost a travel-cost matrix (origin, destination, cost) whose unit the catchment and
/// zones then take.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap access --demand people.csv --services services.csv --out access.csv\n  gapmap access --demand lsoa_points.csv --services services.csv --cost osrm_minutes.csv --catchment 45 --zones 15:1,30:0.68,45:0.22 --out access.parquet\n  gapmap access --demand d.csv --services s.csv --gaussian --out access.csv"
)]
pub struct AccessArgs {
    /// Demand points (CSV).
    #[arg(long)]
    demand: PathBuf,
    /// Services (CSV).
    #[arg(long)]
    services: PathBuf,
    /// Origin-destination travel costs (CSV: origin, destination, cost), e.g. from OSRM.
    #[arg(long)]
    cost: Option<PathBuf>,
    /// Output file: .csv or .parquet.
    #[arg(long, short)]
    out: PathBuf,
    /// Catchment: the largest distance (km, or the matrix's unit) counted as in reach.
    #[arg(long, default_value_t = 30.0)]
    catchment: f64,
    /// E2SFCA step zones as UPPER:WEIGHT pairs.
    #[arg(
        long,
        default_value = "10:1,20:0.68,30:0.22",
        conflicts_with = "gaussian"
    )]
    zones: String,
    /// Use the Gaussian decay (weight 1 at 0, 0 at the catchment) instead of zones.
    #[arg(long)]
    gaussian: bool,
    /// Factor applied to straight-line distance to approximate road distance.
    #[arg(long, default_value_t = 1.0)]
    circuity: f64,
}

/// Computes access for the demand points and services given, writes it to `--out` and
/// prints a summary by need.
pub fn access(args: AccessArgs) -> Result<(), String> {
    let AccessArgs {
        demand,
        services,
        cost,
        out,
        catchment,
        zones,
        gaussian,
        circuity,
    } = args;
    let options = AccessOptions {
        catchment,
        zones: if gaussian {
            Vec::new()
        } else {
            standalone::parse_zones(&zones).map_err(|e| e.to_string())?
        },
        circuity,
    };
    let started = std::time::Instant::now();
    let summary = standalone::run_access(&demand, &services, cost.as_deref(), &out, &options)
        .map_err(|e| e.to_string())?;
    for need in &summary.result.needs {
        say!(
            "{}: {} demand points, {:.1}% of demand weight with no suitable service in reach, {} services with no demand in reach",
            need.need,
            need.demand_sites,
            100.0 * need.share_out_of_reach,
            need.services_without_demand
        );
    }
    say!(
        "{} demand points x {} services, {} pairs in reach, in {:.2} s; wrote {}",
        summary.demand_sites,
        summary.services,
        summary.pairs_in_reach,
        started.elapsed().as_secs_f64(),
        summary.out.display()
    );
    Ok(())
}
