//! Supply, demand and gap by district and lot.
//!
//! Supply of a lot in a district is the capacity of the active services located there that
//! serve the lot; a service serving several lots counts in full towards each. Demand is
//! current users plus people waiting, in the lot's unit: one place per person for day
//! services, hours per week for hour-measured lots. Gap = demand - supply (positive is a
//! shortfall); sufficiency = supply / demand, undefined when there is no demand.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

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

/// Computes every district x lot cell, in district then lot order.
pub fn compute(catalogue: &Catalogue, inputs: &Inputs, placement: &Placement) -> Vec<GapCell> {
    let n_lots = catalogue.lots.len();
    (0..inputs.districts.len())
        .into_par_iter()
        .flat_map_iter(|district| (0..n_lots).map(move |lot| (district, lot)))
        .map(|(district, lot)| cell(catalogue, inputs, placement, district, lot))
        .collect()
}

fn cell(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    district: usize,
    lot: usize,
) -> GapCell {
    let mut c = GapCell {
        district,
        lot,
        services: 0,
        supply: 0.0,
        current_users: 0,
        waiting: 0,
        current_units: 0.0,
        waiting_units: 0.0,
    };
    for (service, d) in inputs.services.iter().zip(&placement.service_district) {
        if *d == Some(district)
            && service.status == ServiceStatus::Active
            && service.lots.contains(&lot)
        {
            c.services += 1;
            c.supply += service.capacity;
        }
    }
    let hours = catalogue.lots[lot].unit == Unit::Hours;
    match &inputs.demand {
        Demand::People(people) => {
            for (p, d) in people.iter().zip(&placement.person_district) {
                if *d != district || p.lot != lot {
                    continue;
                }
                let units = if hours { p.hours_per_week } else { 1.0 };
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
        Demand::Aggregated(cells) => {
            for (row, d) in cells.iter().zip(&placement.cell_district) {
                if *d == district && row.lot == lot {
                    c.current_users += row.current_users;
                    c.waiting += row.waiting;
                    c.current_units += if hours {
                        row.current_hours
                    } else {
                        row.current_users as f64
                    };
                    c.waiting_units += if hours {
                        row.waiting_hours
                    } else {
                        row.waiting as f64
                    };
                }
            }
        }
    }
    c
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
