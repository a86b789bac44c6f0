//! Supply, demand and gap by district and lot.
//!
//! Supply of a lot in a district is the capacity of the active services located there that
//! serve the lot; a service serving several lots counts in full towards each. Demand is
//! current users plus people waiting, in the lot's unit: one place per person for day
//! services, hours per week for hour-measured lots. Gap = demand - supply (positive is a
//! shortfall); sufficiency = supply / demand, undefined when there is no demand.

use std::collections::{BTreeMap, BTreeSet};

use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Catalogue, Demand, DemandStatus, ServiceStatus, Unit};

/// Supply and demand of one lot in one district.
#[derive(Debug, Clone, PartialEq)]
pub struct GapCell {
    pub district: usize,
    pub lot: usize,
    /// Active services located in the district serving the lot.
    pub services: u32,
    pub supply: f64,
    /// People receiving the lot now.
    pub current_users: u32,
    /// People waiting for it.
    pub waiting: u32,
    /// Demand of current users, in the lot's unit.
    pub current_units: f64,
    /// Demand of people waiting, in the lot's unit.
    pub waiting_units: f64,
}

impl GapCell {
    pub fn demand(&self) -> f64 {
        self.current_units + self.waiting_units
    }

    pub fn gap(&self) -> f64 {
        self.demand() - self.supply
    }

    pub fn sufficiency(&self) -> Option<f64> {
        (self.demand() > 0.0).then(|| self.supply / self.demand())
    }
}

/// Computes every district x lot cell, in district then lot order, in one pass over the
/// services and one over the demand rows (work grows with rows, not rows x cells).
pub fn compute(catalogue: &Catalogue, inputs: &Inputs, placement: &Placement) -> Vec<GapCell> {
    let n_lots = catalogue.lots.len();
    let mut cells: Vec<GapCell> = (0..inputs.districts.len() * n_lots)
        .map(|i| GapCell {
            district: i / n_lots,
            lot: i % n_lots,
            services: 0,
            supply: 0.0,
            current_users: 0,
            waiting: 0,
            current_units: 0.0,
            waiting_units: 0.0,
        })
        .collect();
    add_supply(&mut cells, n_lots, inputs, placement);
    add_demand(&mut cells, n_lots, catalogue, inputs, placement);
    cells
}

fn add_supply(cells: &mut [GapCell], n_lots: usize, inputs: &Inputs, placement: &Placement) {
    for (service, district) in inputs.services.iter().zip(&placement.service_district) {
        let Some(d) = district else { continue };
        if service.status != ServiceStatus::Active {
            continue;
        }
        for &lot in &service.lots {
            let c = &mut cells[d * n_lots + lot];
            c.services += 1;
            c.supply += service.capacity;
        }
    }
}

fn add_demand(
    cells: &mut [GapCell],
    n_lots: usize,
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
) {
    let hours = |lot: usize| catalogue.lots[lot].unit == Unit::Hours;
    match &inputs.demand {
        Demand::People(people) => {
            for (p, d) in people.iter().zip(&placement.person_district) {
                let c = &mut cells[d * n_lots + p.lot];
                let units = if hours(p.lot) { p.hours_per_week } else { 1.0 };
                match p.status {
                    DemandStatus::Current => {
                        c.current_users += 1;
                        c.current_units += units;
                    }
                    DemandStatus::Waiting => {
                        c.waiting += 1;
                        c.waiting_units += units;
                    }
                }
            }
        }
        Demand::Aggregated(rows) => {
            for (row, d) in rows.iter().zip(&placement.cell_district) {
                let c = &mut cells[d * n_lots + row.lot];
                let h = hours(row.lot);
                c.current_users += row.current_users;
                c.waiting += row.waiting;
                c.current_units += if h {
                    row.current_hours
                } else {
                    f64::from(row.current_users)
                };
                c.waiting_units += if h {
                    row.waiting_hours
                } else {
                    f64::from(row.waiting)
                };
            }
        }
    }
}

/// Distinct people: by age band (current, waiting), by primary need (current), and in all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleCounts {
    pub by_age: Vec<(String, u32, u32)>,
    pub by_primary_need: Vec<(usize, u32)>,
    pub current: u32,
}

/// Counts distinct people (person-level demand only; aggregated rows cannot be de-duplicated).
pub fn people_counts(catalogue: &Catalogue, demand: &Demand) -> PeopleCounts {
    match demand {
        Demand::People(people) => {
            let mut by_age: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
            let mut by_need: BTreeMap<usize, BTreeSet<&str>> = BTreeMap::new();
            let mut current = BTreeSet::new();
            let mut primary_seen = BTreeSet::new();
            for p in people {
                let entry = by_age.entry(p.age_band.as_str()).or_default();
                match p.status {
                    DemandStatus::Current => {
                        entry.0.insert(p.person_id.as_str());
                        current.insert(p.person_id.as_str());
                        if primary_seen.insert(p.person_id.as_str()) {
                            by_need
                                .entry(p.primary_need)
                                .or_default()
                                .insert(p.person_id.as_str());
                        }
                    }
                    DemandStatus::Waiting => {
                        entry.1.insert(p.person_id.as_str());
                    }
                }
            }
            let ages = by_age
                .into_iter()
                .map(|(age, (c, w))| {
                    (
                        age.to_string(),
                        c.len() as u32,
                        w.difference(&c).count() as u32,
                    )
                })
                .collect();
            let needs = (0..catalogue.lots.len())
                .filter_map(|l| by_need.get(&l).map(|s| (l, s.len() as u32)))
                .collect();
            PeopleCounts {
                by_age: ages,
                by_primary_need: needs,
                current: current.len() as u32,
            }
        }
        Demand::Aggregated(_) => PeopleCounts::default(),
    }
}
