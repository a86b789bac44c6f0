//! Analyse: supply, demand and gaps by district and lot; distance from each person to the
//! nearest suitable service; cost at the band rates.
//!
//! Pure computation on loaded, located data. The three parts are independent and run in
//! parallel; each is deterministic whatever the number of threads.

pub mod access;
pub mod cost;
pub mod exit;
pub mod gaps;
pub mod market;
pub mod projections;
pub mod travel;

use crate::config::Config;
use crate::load::Inputs;
use crate::locate::Placement;

pub use access::{AccessCell, AccessStageError, AreaAccess, PersonAccess};
pub use cost::BandCost;
pub use gaps::GapCell;
pub use travel::{DistanceMeasure, Distances, TravelCosts};

/// Everything the analysis found, before disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// One cell per district and lot, districts in file order, lots in config order.
    pub gaps: Vec<GapCell>,
    /// Per person row: the nearest suitable active service.
    pub access: Vec<PersonAccess>,
    /// Distance summaries per district and lot, same order as `gaps`.
    pub access_cells: Vec<AccessCell>,
    /// Access by small area and lot, when the boundaries are small areas.
    pub area_access: Vec<AreaAccess>,
    /// Cost per band; empty when demand is aggregated (no packages to cost).
    pub cost: Vec<BandCost>,
    /// Distinct people by status and age band: (age band, current, waiting).
    pub people_by_age: Vec<(String, u32, u32)>,
    /// Distinct current people by primary need (lot index, count).
    pub people_by_primary_need: Vec<(usize, u32)>,
    /// Distinct current people in all.
    pub current_people: u32,
    /// How distances were measured: unit, words for captions, catchment.
    pub measure: DistanceMeasure,
    /// Future demand, when a population file is given.
    pub projections: Option<projections::FutureDemand>,
    /// With travel costs and small areas: each small area's nearest service by straight
    /// line (great-circle km x circuity), in the order of `area_access`, so the report can
    /// set the two measures side by side. Empty otherwise.
    pub straight_line_areas: Vec<AreaAccess>,
    /// Market shape by lot, in the whole area and by district.
    pub market: Vec<market::MarketCell>,
    /// Every provider's exit, ranked.
    pub exits: exit::Exits,
}

/// Runs every analysis, measuring distance as `distances` says. Fails only if the access
/// engine refuses its inputs, which loading has already checked, or the travel costs lack
/// pairs the run needs (which [`crate::pipeline::check`] has checked too).
pub fn analyse(
    config: &Config,
    inputs: &Inputs,
    placement: &Placement,
    distances: &Distances,
) -> Result<Analysis, AccessStageError> {
    let catalogue = &config.catalogue;
    let settings = &config.file;
    let small_areas = settings.areas.district_property.is_some();
    let ((gaps, access), cost) = rayon::join(
        || {
            rayon::join(
                || gaps::compute(catalogue, inputs, placement),
                || -> Result<_, AccessStageError> {
                    let people = access::nearest_for_people(
                        catalogue,
                        inputs,
                        placement,
                        &settings.analysis,
                        distances,
                    )?;
                    let areas = if small_areas {
                        access::by_small_area(
                            catalogue,
                            inputs,
                            placement,
                            &settings.analysis,
                            distances,
                        )?
                    } else {
                        (Vec::new(), 0)
                    };
                    Ok((people, areas))
                },
            )
        },
        || cost::compute(catalogue, &inputs.demand, &settings.cost),
    );
    let ((access, people_estimated), (area_access, areas_estimated)) = access?;
    let catchment = settings.analysis.catchment();
    let access_cells =
        access::summarise(&access, inputs, placement, catalogue.lots.len(), catchment);
    let measure = DistanceMeasure {
        unit: distances.unit(),
        description: distances.describe(),
        catchment,
        estimated_pairs: people_estimated + areas_estimated,
        origins: travel::Origins::of(&inputs.demand, distances),
    };
    let exits = exit::compute(catalogue, inputs, placement, &gaps, distances, catchment);
    let market = market::compute(inputs, placement, &exits.providers, &exits.users);
    let people = gaps::people_counts(catalogue, &inputs.demand);
    let projections = projections::compute(config, inputs, placement, &gaps);
    let straight_line_areas = match distances {
        Distances::Matrix { circuity, .. } if small_areas => {
            let straight = Distances::StraightLine {
                circuity: *circuity,
            };
            let mut by_km = settings.analysis.clone();
            by_km.travel_cost_unit = None;
            access::by_small_area(catalogue, inputs, placement, &by_km, &straight)?.0
        }
        _ => Vec::new(),
    };
    Ok(Analysis {
        gaps,
        access,
        access_cells,
        area_access,
        cost,
        people_by_age: people.by_age,
        people_by_primary_need: people.by_primary_need,
        current_people: people.current,
        measure,
        projections,
        straight_line_areas,
        market,
        exits,
    })
}
