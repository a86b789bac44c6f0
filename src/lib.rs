//! gapmap: capacity and access gaps for adult social care day opportunities.
//!
//! The pipeline runs in stages, one module each, with plain data passed between them:
//!
//! ```text
//! config ─► load ─► locate ─► analyse ─► publish
//! ```
//!
//! - [`config`] reads the TOML run configuration and resolves it into [`config::RunSettings`];
//! - [`load`] reads services, areas, demand, population and the users trend, checking every
//!   row and feature and naming the file, line, field and value of anything wrong;
//! - [`locate`] assigns services and people to areas and districts by point in polygon;
//! - [`analyse`] computes supply, demand, gaps, distance to the nearest suitable service and
//!   cost at the framework's band rates;
//! - [`publish`] applies disclosure control and writes tables, maps, charts and the manifest
//!   into a run folder that appears only when everything succeeded.
//!
//! [`pipeline`] wires the stages together; the binary only turns arguments into settings.

pub mod access;
pub mod analyse;
pub mod compare;
pub mod config;
pub mod error;
pub mod exit_run;
pub mod geometry;
pub mod io;
pub mod load;
pub mod locate;
pub mod model;
pub mod pipeline;
pub mod plan;
pub mod problem;
pub mod progress;
pub mod publish;
mod rng;
pub mod sample;
pub mod standalone;
pub mod synth_run;
pub mod travel;

pub use error::Error;
