//! Provider exit: what happens if every service of one provider closes.
//!
//! The provider's current users ([`users`]) are re-placed in the room left at the
//! remaining active services of their lot (capacity minus what is in use), within the
//! catchment, on the run's distances ([`reach`]). The assignment is the planner's exact
//! capacitated one ([`crate::plan::assign_existing`]): as many people placed as the room
//! allows, and of all such placements the one with the least total distance, so people go
//! to the nearest room first. The other providers are assumed to keep their services,
//! room and rates; nobody else moves.
//!
//! For each provider this gives the people who could not be placed (by district and lot),
//! the gap that opens in each district (the lot's shortfall after losing the provider's
//! supply there, less the shortfall before), and the extra travel a week of the people
//! placed (return journeys on their days a week, at the new distance less the old; from
//! the service's own location the old distance is 0, so the extra is the distance between
//! the services). Exits are ranked by people left without a place, then by the gap opened.
//!
//! Every provider's exit is independent; they run in parallel over providers, each
//! worker pure, so the results are the same at any thread count.

pub mod bench;
pub mod reach;
#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;
pub mod users;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use crate::analyse::gaps::GapCell;
use crate::analyse::travel::Distances;
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Catalogue, ServiceStatus, Unit};
use crate::plan::{assign_existing, PairCost, PlanInstance, Site};
pub use reach::Reach;
pub use users::{service_users, Origin, ServiceUsers, UserGroup};

/// A provider on the framework (every provider with an active service).
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    pub id: String,
    pub name: String,
    /// Its active services, ascending.
    pub services: Vec<usize>,
}

/// The providers with an active service, by id.
pub fn providers(inputs: &Inputs) -> Vec<Provider> {
    let mut by_id: BTreeMap<&str, Provider> = BTreeMap::new();
    for (j, s) in inputs.services.iter().enumerate() {
        if s.status != ServiceStatus::Active {
            continue;
        }
        by_id
            .entry(s.provider_id.as_str())
            .or_insert_with(|| Provider {
                id: s.provider_id.clone(),
                name: s.provider_name.clone(),
                services: Vec::new(),
            })
            .services
            .push(j);
    }
    by_id.into_values().collect()
}

/// Where one group of a leaving provider's users went.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupOutcome {
    /// Index into [`ServiceUsers::groups`].
    pub group: usize,
    /// (service, units placed there, cost to it), by service.
    pub placements: Vec<(usize, f64, f64)>,
    /// Units placed in all (places, or hours a week).
    pub placed_units: f64,
    /// People of the group left without a place.
    pub unplaced_people: u32,
    /// The cost from the origin to the service being left (0 from the service itself;
    /// `None` when a matrix lacks it).
    pub old_cost: Option<f64>,
}

/// One district and lot of an exit.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitCell {
    /// `None` for people or services outside the districts.
    pub district: Option<usize>,
    pub lot: usize,
    /// People to re-place, placed, and left without a place (counted in the people's
    /// district, or the service's when re-placed from it).
    pub people: u32,
    pub placed: u32,
    pub unplaced: u32,
    /// Units left without a place (places, or hours a week).
    pub unplaced_units: f64,
    /// Supply the provider had here, and the shortfall that opens, in the lot's unit.
    pub supply_lost: f64,
    pub gap_opened: f64,
}

/// One provider's exit.
#[derive(Debug, Clone, PartialEq)]
pub struct Exit {
    /// Index into the providers.
    pub provider: usize,
    pub outcomes: Vec<GroupOutcome>,
    /// By district (outside the districts last) then lot.
    pub cells: Vec<ExitCell>,
    pub people: u32,
    pub unplaced: u32,
    /// Shortfall opened over every district, in places and in hours a week.
    pub gap_opened_places: f64,
    pub gap_opened_hours: f64,
    /// Extra travel a week of the people placed (km or minutes); `None` when days a week
    /// are not known (aggregated demand).
    pub extra_travel: Option<f64>,
}

/// Every provider's exit, ranked, with what they were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct Exits {
    pub providers: Vec<Provider>,
    pub users: ServiceUsers,
    /// Ranked: most people without a place first, then most gap opened, then provider id.
    pub exits: Vec<Exit>,
    /// Pairs a travel-cost matrix lacked and could not be estimated (left out of reach).
    pub missing_pairs: usize,
}

/// What every exit reads.
pub struct ExitModel<'a> {
    pub catalogue: &'a Catalogue,
    pub inputs: &'a Inputs,
    pub placement: &'a Placement,
    pub gaps: &'a [GapCell],
    pub reach: Reach<'a>,
    pub users: ServiceUsers,
    pub room: Vec<f64>,
    pub providers: Vec<Provider>,
    provider_of: Vec<usize>,
}

impl<'a> ExitModel<'a> {
    pub fn new(
        catalogue: &'a Catalogue,
        inputs: &'a Inputs,
        placement: &'a Placement,
        gaps: &'a [GapCell],
        distances: &'a Distances,
        catchment: f64,
    ) -> ExitModel<'a> {
        let users = service_users(catalogue, inputs, placement);
        let room = users.room(inputs);
        let providers = providers(inputs);
        let mut provider_of = vec![usize::MAX; inputs.services.len()];
        for (p, provider) in providers.iter().enumerate() {
            for &j in &provider.services {
                provider_of[j] = p;
            }
        }
        ExitModel {
            catalogue,
            inputs,
            placement,
            gaps,
            reach: Reach::new(
                inputs,
                placement,
                distances,
                catalogue.lots.len(),
                catchment,
            ),
            users,
            room,
            providers,
            provider_of,
        }
    }

    /// The provider with this id.
    pub fn provider_index(&self, id: &str) -> Option<usize> {
        self.providers.iter().position(|p| p.id == id)
    }

    /// Every provider's exit, in parallel, ranked.
    pub fn all(self) -> Exits {
        let mut exits: Vec<Exit> = (0..self.providers.len())
            .into_par_iter()
            .map(|p| self.exit(p))
            .collect();
        exits.sort_by(|a, b| {
            b.unplaced
                .cmp(&a.unplaced)
                .then(b.gap_opened_places.total_cmp(&a.gap_opened_places))
                .then(b.gap_opened_hours.total_cmp(&a.gap_opened_hours))
                .then(
                    self.providers[a.provider]
                        .id
                        .cmp(&self.providers[b.provider].id),
                )
        });
        Exits {
            missing_pairs: self.reach.missing.load(Ordering::Relaxed),
            providers: self.providers,
            users: self.users,
            exits,
        }
    }

    /// One provider's exit.
    pub fn exit(&self, provider: usize) -> Exit {
        let groups: Vec<usize> = self.providers[provider]
            .services
            .iter()
            .flat_map(|&j| self.users.of_service[j].iter().map(|&g| g as usize))
            .collect();
        let (instance, site_service) = self.instance(provider, &groups);
        let assignment = assign_existing(&instance);
        let mut outcomes: Vec<GroupOutcome> = groups
            .iter()
            .map(|&g| {
                let group = &self.users.groups[g];
                let old_cost = match group.origin {
                    Origin::Service(_) => Some(0.0),
                    Origin::Person(_) => {
                        self.reach.cost(group.origin, group.location, group.service)
                    }
                };
                GroupOutcome {
                    group: g,
                    placements: Vec::new(),
                    placed_units: 0.0,
                    unplaced_people: 0,
                    old_cost,
                }
            })
            .collect();
        for &(i, site, units, cost) in &assignment.flows {
            let o = &mut outcomes[i];
            o.placements.push((site_service[site], units, cost));
            o.placed_units += units;
        }
        for o in &mut outcomes {
            o.placements.sort_by_key(|p| p.0);
            o.unplaced_people = unplaced_people(&self.users.groups[o.group], o.placed_units);
        }
        self.summarise(provider, outcomes)
    }

    /// The assignment's instance: each group a demand point, each remaining service with
    /// room and a group in reach a site.
    fn instance(&self, provider: usize, groups: &[usize]) -> (PlanInstance, Vec<usize>) {
        let keep = |j: usize| self.provider_of[j] != provider && self.room[j] > 0.0;
        let mut site_of: HashMap<usize, u32> = HashMap::new();
        let mut site_service = Vec::new();
        let mut pairs = Vec::new();
        let mut found = Vec::new();
        for (i, &g) in groups.iter().enumerate() {
            let group = &self.users.groups[g];
            self.reach
                .within(group.origin, group.location, group.lot, &keep, &mut found);
            for &(j, cost) in &found {
                let site = *site_of.entry(j).or_insert_with(|| {
                    site_service.push(j);
                    (site_service.len() - 1) as u32
                });
                pairs.push(PairCost {
                    demand: i as u32,
                    site,
                    cost,
                });
            }
        }
        let sites = site_service
            .iter()
            .map(|&j| Site {
                id: self.inputs.services[j].id.clone(),
                capacity: self.room[j],
                existing: true,
            })
            .collect();
        let weights = groups.iter().map(|&g| self.users.groups[g].units).collect();
        // Weights, rooms and costs are finite and >= 0 and each pair is made once, so the
        // instance is valid; the catchment is > 0 as the config requires.
        let instance = PlanInstance::new(weights, sites, self.reach.catchment, pairs)
            .unwrap_or_else(|e| unreachable!("exit instance: {e}"));
        (instance, site_service)
    }

    fn summarise(&self, provider: usize, outcomes: Vec<GroupOutcome>) -> Exit {
        let lots = self.catalogue.lots.len();
        let districts = self.inputs.districts.len();
        let mut extra = Some(0.0);
        let mut by_key: BTreeMap<(usize, usize), ExitCell> = BTreeMap::new();
        let entry = |d: Option<usize>, lot: usize| (d.unwrap_or(districts), lot, d);
        for o in &outcomes {
            let g = &self.users.groups[o.group];
            let c = cell_at(&mut by_key, entry(g.district, g.lot));
            c.people += g.people;
            c.unplaced += o.unplaced_people;
            c.placed += g.people - o.unplaced_people;
            c.unplaced_units += (g.units - o.placed_units).max(0.0);
            extra = match (extra, journey_extra(g, o, self.catalogue)) {
                (Some(total), Some(more)) => Some(total + more),
                _ => None,
            };
        }
        for &j in &self.providers[provider].services {
            let s = &self.inputs.services[j];
            let Some(d) = self.placement.service_district.get(j).copied().flatten() else {
                continue;
            };
            for &lot in &s.lots {
                cell_at(&mut by_key, entry(Some(d), lot)).supply_lost += s.capacity;
            }
        }
        let mut exit = Exit {
            provider,
            outcomes,
            cells: Vec::new(),
            people: 0,
            unplaced: 0,
            gap_opened_places: 0.0,
            gap_opened_hours: 0.0,
            extra_travel: extra,
        };
        for (_, mut c) in by_key {
            if let Some(d) = c.district {
                let gap = &self.gaps[d * lots + c.lot];
                let before = gap.gap().max(0.0);
                let after = (gap.gap() + c.supply_lost).max(0.0);
                c.gap_opened = after - before;
            }
            exit.people += c.people;
            exit.unplaced += c.unplaced;
            match self.catalogue.lots[c.lot].unit {
                Unit::Places => exit.gap_opened_places += c.gap_opened,
                Unit::Hours => exit.gap_opened_hours += c.gap_opened,
            }
            exit.cells.push(c);
        }
        exit
    }
}

/// The cell of (district key, lot, district), made empty when new.
fn cell_at(
    cells: &mut BTreeMap<(usize, usize), ExitCell>,
    (key, lot, district): (usize, usize, Option<usize>),
) -> &mut ExitCell {
    cells.entry((key, lot)).or_insert(ExitCell {
        district,
        lot,
        people: 0,
        placed: 0,
        unplaced: 0,
        unplaced_units: 0.0,
        supply_lost: 0.0,
        gap_opened: 0.0,
    })
}

/// People of a group left without a place: a person re-placed from home is placed only
/// when all their units are; a group from a service loses whole people, rounding up.
fn unplaced_people(group: &UserGroup, placed_units: f64) -> u32 {
    let short = group.units - placed_units;
    if short <= 1e-6 {
        return 0;
    }
    let per_person = group.units_per_person();
    if per_person <= 0.0 {
        return 0;
    }
    ((short / per_person) - 1e-6)
        .ceil()
        .clamp(0.0, f64::from(group.people)) as u32
}

/// Extra travel a week of a group's people placed: return journeys on their days a week at
/// the new cost less the old. Lots in hours (support that comes to the person) add none.
fn journey_extra(group: &UserGroup, outcome: &GroupOutcome, catalogue: &Catalogue) -> Option<f64> {
    if catalogue.lots[group.lot].unit == Unit::Hours {
        return Some(0.0);
    }
    let days = group.days_per_week?;
    let old = outcome.old_cost.unwrap_or(0.0);
    Some(
        outcome
            .placements
            .iter()
            .map(|&(_, units, cost)| units * (cost - old) * days * 2.0)
            .sum(),
    )
}

/// Every provider's exit for the run.
pub fn compute(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    gaps: &[GapCell],
    distances: &Distances,
    catchment: f64,
) -> Exits {
    ExitModel::new(catalogue, inputs, placement, gaps, distances, catchment).all()
}
