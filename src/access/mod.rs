//! The access engine: can people reach a suitable service? For demand sites (people,
//! postcodes or small-area points, each with a weight and a need) and services (location,
//! capacity, needs served, active or not), per need: the distance to the nearest suitable
//! service, the number of suitable services within the catchment, 2SFCA and E2SFCA
//! accessibility (Luo and Qi 2009), and the share of demand with no suitable service in
//! reach. It also owns the seeded instance generator ([`synth()`]) and the benchmark cases
//! ([`standard_cases`], [`bench_case`]), and small CSV readers and writers for the
//! standalone `gapmap access` command ([`read_demand_csv`] and friends).
//!
//! It does not own loading the pipeline's inputs, locating points in areas, aggregating
//! results by area, disclosure control or Parquet: callers turn their data into an
//! [`AccessProblem`] and take plain rows back.
//!
//! # Definitions
//!
//! - A suitable service for a need is an *active* service whose needs include it; its
//!   whole capacity counts towards each need it serves.
//! - Distance d_ij: great-circle km (times a circuity factor) for lon/lat, planar km
//!   (times circuity) for easting/northing metres, or the cost of a supplied
//!   origin-destination matrix (pairs missing from the matrix are out of reach).
//! - In reach: d_ij `<=` the need's catchment radius. Zone thresholds are inclusive too:
//!   a pair at exactly 10 km is in the 0-10 km zone (weight 1.00 by default).
//! - R_j = S_j / sum_i P_i W(d_ij) and A_i = sum_j R_j W(d_ij), over pairs in reach; 2SFCA
//!   uses W = 1, E2SFCA the need's decay (step zones, default 10/20/30 km at 1.00, 0.68,
//!   0.22, W = 0 beyond the last zone; or Dai's Gaussian).
//! - **A demand site with no suitable service in reach** gets `services_in_reach = 0` and
//!   A_i = 0 for both measures. Its `nearest` is still the nearest suitable service
//!   *beyond* the catchment (transport is paid to the nearest that can meet the need,
//!   however far); it is `None` only when the need has no active service at all (or the
//!   matrix joins no suitable service to the site).
//! - **A service with no demand in reach** (or only zero weights) has R_j undefined: it
//!   adds nothing to any A_i and is counted in
//!   [`NeedSummary::services_without_demand`]; likewise for E2SFCA alone when every pair
//!   in reach has weight 0 ([`NeedSummary::services_without_weighted_demand`]).
//! - Nearest ties go to the service listed first. No NaN or infinity is ever returned:
//!   inputs are checked (finite, weights and capacities in 0..=1e12) and a result that
//!   would not be finite is an error.
//!
//! # How it runs
//!
//! Locations are projected once into a 3-D frame in km where a pair's squared length (its
//! key) orders pairs as their distance does, and zone bounds become key limits, so
//! placing a pair in a zone takes a subtraction, three multiplications and a comparison
//! (see [`metric`]). Per need, demand sites and services are bucketed in uniform grids whose
//! cells are a fraction of the catchment, so a range query is one contiguous slice per
//! grid row and the work grows with the pairs within reach, not demand x services; no pair
//! is stored. A pass over services computes R_j, then a pass over demand sites computes
//! A_i, the count and the nearest in reach (an R-tree finds the nearest beyond the
//! catchment). Both passes map one worker over slots, serially ([`compute_access`]) or with
//! rayon ([`compute_access_parallel`]); each slot's sums run in a fixed order, so the
//! results are bit for bit the same for any thread count. Sums are in f64.

mod bench;
mod disk;
mod engine;
mod error;
pub(crate) mod grid;
pub(crate) mod io;
mod matrix;
pub mod metric;
mod problem;
pub(crate) mod reach;
mod result;
mod settings;
mod synth;
mod weights;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub use bench::{
    bench_case, peak_memory_bytes, reset_peak_memory, standard_cases, variant_cases, BenchCase,
    BenchReport,
};
pub use engine::{compute_access, compute_access_parallel};
pub use error::AccessError;
pub use io::{
    assemble_problem, read_demand_csv, read_problem, read_services_csv, read_travel_costs_csv,
    write_access_csv, write_demand_csv, write_need_summary_csv, write_services_csv, DemandFile,
    ServiceFile,
};
pub use matrix::{TravelCost, TravelCostRejection, TravelCosts};
pub use problem::{AccessProblem, Coordinates, DemandSite, Location, ServiceSite, MAX_QUANTITY};
pub use result::{AccessResult, AccessRow, Nearest, NeedSummary, SiteAccess};
pub use settings::{AccessSettings, Catchment, Decay, Metric, Zone};
pub use synth::{synth, Extent, SynthSpec};
