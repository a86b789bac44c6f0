//! What an access run returns: one [`SiteAccess`] per demand row (in input order), one
//! [`NeedSummary`] per need, and borrowed [`AccessRow`]s that pair results with ids for
//! writing. Every number here is finite.

use serde::Serialize;

use super::AccessProblem;

/// The nearest suitable service of a demand site.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Nearest {
    /// Index into the problem's services.
    pub service: usize,
    /// In the metric's unit (km, or the matrix's unit).
    pub distance: f64,
}

/// Access of one demand site to services that serve its need.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct SiteAccess {
    /// The nearest active service serving the need, whether or not it is in the
    /// catchment; `None` only when no such service exists (for travel costs: none the
    /// matrix joins to this site).
    pub nearest: Option<Nearest>,
    /// Suitable services within the catchment (distance `<=` radius).
    pub services_in_reach: u32,
    /// A_i with W = 1 in the catchment; 0 with no service in reach.
    pub accessibility_2sfca: f64,
    /// A_i with the need's decay; 0 with no service in reach.
    pub accessibility_e2sfca: f64,
}

/// Totals for one need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedSummary {
    pub need: String,
    pub demand_sites: usize,
    /// Sum of the demand weights P_i.
    pub demand_weight: f64,
    /// Active services serving the need.
    pub services: usize,
    /// Demand-service pairs within the catchment.
    pub pairs_in_reach: u64,
    /// Demand sites with no suitable service within the catchment.
    pub sites_out_of_reach: usize,
    /// Their demand weight.
    pub weight_out_of_reach: f64,
    /// `weight_out_of_reach / demand_weight`; 0 when there is no demand weight.
    pub share_out_of_reach: f64,
    /// Services with no demand weight in reach: R_j undefined for 2SFCA and E2SFCA, so
    /// they add nothing to any A_i.
    pub services_without_demand: usize,
    /// Services with demand in reach but zero decay-weighted demand (every pair beyond the
    /// last zone or at a zero weight): R_j undefined for E2SFCA only.
    pub services_without_weighted_demand: usize,
}

/// The result of an access run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessResult {
    /// One per demand row of the problem, same order.
    pub sites: Vec<SiteAccess>,
    /// One per need of the problem, same order.
    pub needs: Vec<NeedSummary>,
    /// Matrix rows not used because their origin or destination is not in the run.
    pub travel_costs_unmatched: usize,
}

/// One output row: a demand site's access, with ids.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AccessRow<'a> {
    pub demand_id: &'a str,
    pub need: &'a str,
    pub nearest_service: Option<&'a str>,
    pub nearest_distance: Option<f64>,
    pub services_in_reach: u32,
    pub accessibility_2sfca: f64,
    pub accessibility_e2sfca: f64,
}

impl AccessResult {
    /// Pairs within reach, over all needs.
    pub fn pairs_in_reach(&self) -> u64 {
        self.needs.iter().map(|need| need.pairs_in_reach).sum()
    }

    /// The rows of a result, with ids from the problem it was computed from.
    pub fn rows<'a>(&'a self, problem: &'a AccessProblem) -> impl Iterator<Item = AccessRow<'a>> {
        problem
            .demand
            .iter()
            .zip(&self.sites)
            .map(|(site, access)| AccessRow {
                demand_id: &site.id,
                need: &problem.needs[site.need],
                nearest_service: access
                    .nearest
                    .map(|nearest| problem.services[nearest.service].id.as_str()),
                nearest_distance: access.nearest.map(|nearest| nearest.distance),
                services_in_reach: access.services_in_reach,
                accessibility_2sfca: access.accessibility_2sfca,
                accessibility_e2sfca: access.accessibility_e2sfca,
            })
    }
}
