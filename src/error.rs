//! The error a run ends with, one variant per stage that can fail.

use crate::config::ConfigError;
use crate::problem::InputErrors;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Inputs(#[from] InputErrors),
    #[error(transparent)]
    Publish(#[from] crate::publish::PublishError),
    #[error("access analysis: {0}")]
    Access(#[from] crate::access::AccessError),
    #[error("plan: {0}")]
    Plan(#[from] crate::plan::PlanError),
    #[error(transparent)]
    Analysis(#[from] crate::analyse::AccessStageError),
    #[error(transparent)]
    TravelCosts(#[from] crate::analyse::travel::TravelCostsError),
    #[error(transparent)]
    Travel(#[from] crate::travel::TravelError),
    #[error(transparent)]
    Exit(#[from] crate::exit_run::ExitError),
}
