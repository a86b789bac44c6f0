//! Who uses each active service now, as groups that leave together when its provider
//! does, and how much of each service is in use.
//!
//! When person records name their service (the optional `service_id` column), each current
//! person naming an active service is a group of one, re-placed from home. Otherwise a
//! service's `current_users` are re-placed from the service's own location: a service on
//! one lot gives one group; a service on several lots has its users shared between them in
//! proportion to the people currently using each of those lots in the service's district
//! (the whole run's when the district has none), largest remainders first, ties to the
//! lot listed first.
//!
//! Room is capacity minus what is in use: `current_users` places for services measured in
//! places; for services measured in hours, the hours of the people naming them, or without
//! names `current_users` times the mean hours a week of the lot's current users.

use std::collections::HashMap;

use geo::Point;

use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Catalogue, Demand, DemandStatus, ServiceStatus, Unit};

/// Where a group's journeys start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A person's home (index of the person row).
    Person(usize),
    /// A service's location (index of the service).
    Service(usize),
}

/// People using one service for one lot, re-placed together.
#[derive(Debug, Clone, PartialEq)]
pub struct UserGroup {
    pub service: usize,
    pub lot: usize,
    pub origin: Origin,
    pub location: Point<f64>,
    /// The district people are counted in: the person's, or the service's.
    pub district: Option<usize>,
    pub people: u32,
    /// What the group needs in the lot's unit: places, or hours a week.
    pub units: f64,
    /// Days a week each person travels, when known.
    pub days_per_week: Option<f64>,
}

impl UserGroup {
    /// Units per person (1 place, or hours a week).
    pub fn units_per_person(&self) -> f64 {
        if self.people == 0 {
            1.0
        } else {
            self.units / f64::from(self.people)
        }
    }
}

/// Every active service's users and use.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceUsers {
    /// People are re-placed from their homes (records name services).
    pub from_homes: bool,
    pub groups: Vec<UserGroup>,
    /// For each service, indices into `groups`.
    pub of_service: Vec<Vec<u32>>,
    /// For each service, units in use (0 for services that are not active).
    pub used: Vec<f64>,
}

impl ServiceUsers {
    /// Room left at each service: capacity minus use, never below 0; 0 when not active.
    pub fn room(&self, inputs: &Inputs) -> Vec<f64> {
        inputs
            .services
            .iter()
            .zip(&self.used)
            .map(|(s, used)| match s.status {
                ServiceStatus::Active => (s.capacity - used).max(0.0),
                _ => 0.0,
            })
            .collect()
    }
}

/// Per lot: the mean hours a week and days a week of its current users (person records),
/// or hours from aggregated rows; `None` where unknown.
struct LotMeans {
    hours: Vec<Option<f64>>,
    days: Vec<Option<f64>>,
}

fn lot_means(lots: usize, demand: &Demand) -> LotMeans {
    let mut sums = vec![(0.0f64, 0.0f64, 0u32); lots];
    match demand {
        Demand::People(people) => {
            for p in people.iter().filter(|p| p.status == DemandStatus::Current) {
                let s = &mut sums[p.lot];
                s.0 += p.hours_per_week;
                s.1 += p.days_per_week;
                s.2 += 1;
            }
        }
        Demand::Aggregated(cells) => {
            for c in cells {
                sums[c.lot].0 += c.current_hours;
                sums[c.lot].2 += c.current_users;
            }
        }
    }
    let people = matches!(demand, Demand::People(_));
    LotMeans {
        hours: sums
            .iter()
            .map(|s| (s.2 > 0).then(|| s.0 / f64::from(s.2)))
            .collect(),
        days: sums
            .iter()
            .map(|s| (people && s.2 > 0).then(|| s.1 / f64::from(s.2)))
            .collect(),
    }
}

/// The users of every active service.
pub fn service_users(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
) -> ServiceUsers {
    let means = lot_means(catalogue.lots.len(), &inputs.demand);
    match &inputs.demand {
        Demand::People(people) if people.iter().any(|p| p.service_id.is_some()) => {
            from_records(catalogue, inputs, placement)
        }
        _ => from_services(catalogue, inputs, placement, &means),
    }
}

fn from_records(catalogue: &Catalogue, inputs: &Inputs, placement: &Placement) -> ServiceUsers {
    let Demand::People(people) = &inputs.demand else {
        unreachable!("called for person records only")
    };
    let index: HashMap<&str, usize> = inputs
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status == ServiceStatus::Active)
        .map(|(j, s)| (s.id.as_str(), j))
        .collect();
    let n = inputs.services.len();
    let mut users = ServiceUsers {
        from_homes: true,
        groups: Vec::new(),
        of_service: vec![Vec::new(); n],
        used: places_in_use(catalogue, inputs),
    };
    for (k, p) in people.iter().enumerate() {
        let Some(&j) = p.service_id.as_deref().and_then(|id| index.get(id)) else {
            continue;
        };
        if p.status != DemandStatus::Current {
            continue;
        }
        let hours = catalogue.lots[p.lot].unit == Unit::Hours;
        let units = if hours { p.hours_per_week } else { 1.0 };
        if hours {
            users.used[j] += units;
        }
        users.of_service[j].push(users.groups.len() as u32);
        users.groups.push(UserGroup {
            service: j,
            lot: p.lot,
            origin: Origin::Person(k),
            location: p.location,
            district: placement.person_district.get(k).copied(),
            people: 1,
            units,
            days_per_week: Some(p.days_per_week),
        });
    }
    users
}

/// `current_users` of active services measured in places; 0 for the rest (hours in use
/// are added from the records).
fn places_in_use(catalogue: &Catalogue, inputs: &Inputs) -> Vec<f64> {
    inputs
        .services
        .iter()
        .map(|s| {
            let places = catalogue.service_types[s.service_type].unit == Unit::Places;
            if places && s.status == ServiceStatus::Active {
                f64::from(s.current_users)
            } else {
                0.0
            }
        })
        .collect()
}

fn from_services(
    catalogue: &Catalogue,
    inputs: &Inputs,
    placement: &Placement,
    means: &LotMeans,
) -> ServiceUsers {
    let lots = catalogue.lots.len();
    let (by_district, county) = current_by_district(lots, inputs, placement);
    let n = inputs.services.len();
    let mut users = ServiceUsers {
        from_homes: false,
        groups: Vec::new(),
        of_service: vec![Vec::new(); n],
        used: vec![0.0; n],
    };
    for (j, s) in inputs.services.iter().enumerate() {
        if s.status != ServiceStatus::Active {
            continue;
        }
        let district = placement.service_district.get(j).copied().flatten();
        let local: Vec<u32> = s
            .lots
            .iter()
            .map(|&l| district.map_or(0, |d| by_district[d * lots + l]))
            .collect();
        let weights = if local.iter().any(|&w| w > 0) {
            local
        } else {
            s.lots.iter().map(|&l| county[l]).collect()
        };
        let shares = split(s.current_users, &weights);
        for (&lot, &people) in s.lots.iter().zip(&shares) {
            let per_person = match catalogue.lots[lot].unit {
                Unit::Places => 1.0,
                Unit::Hours => means.hours[lot].unwrap_or(0.0),
            };
            let units = f64::from(people) * per_person;
            users.used[j] += units;
            if people == 0 {
                continue;
            }
            users.of_service[j].push(users.groups.len() as u32);
            users.groups.push(UserGroup {
                service: j,
                lot,
                origin: Origin::Service(j),
                location: s.location,
                district,
                people,
                units,
                days_per_week: means.days[lot],
            });
        }
    }
    users
}

/// Current people by district and lot (`district * lots + lot`), and by lot.
fn current_by_district(
    lots: usize,
    inputs: &Inputs,
    placement: &Placement,
) -> (Vec<u32>, Vec<u32>) {
    let mut by_district = vec![0u32; inputs.districts.len() * lots];
    let mut county = vec![0u32; lots];
    match &inputs.demand {
        Demand::People(people) => {
            for (p, &d) in people.iter().zip(&placement.person_district) {
                if p.status == DemandStatus::Current {
                    by_district[d * lots + p.lot] += 1;
                    county[p.lot] += 1;
                }
            }
        }
        Demand::Aggregated(cells) => {
            for (c, &d) in cells.iter().zip(&placement.cell_district) {
                by_district[d * lots + c.lot] += c.current_users;
                county[c.lot] += c.current_users;
            }
        }
    }
    (by_district, county)
}

/// `total` shared in proportion to `weights` (equally when all are 0), in whole people:
/// each gets the floor of its share, then the largest remainders one more, ties to the
/// first.
pub(crate) fn split(total: u32, weights: &[u32]) -> Vec<u32> {
    if weights.is_empty() {
        return Vec::new();
    }
    let weights: Vec<u64> = if weights.iter().all(|&w| w == 0) {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|&w| u64::from(w)).collect()
    };
    let sum: u64 = weights.iter().sum();
    let total = u64::from(total);
    let mut shares: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let mut left = total - shares.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Remainders compared exactly: (total * w) mod sum.
    order.sort_by_key(|&i| (std::cmp::Reverse(total * weights[i] % sum), i));
    for i in order {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| s as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn users_are_shared_by_largest_remainder() {
        // 10 in proportion 1:1:1 is 3.33 each: 3, 3, 3 and the one left to the first.
        assert_eq!(split(10, &[1, 1, 1]), vec![4, 3, 3]);
        // 7 in proportion 3:1 is 5.25 and 1.75: floors 5 and 1, the larger remainder
        // (0.75) takes the last one.
        assert_eq!(split(7, &[3, 1]), vec![5, 2]);
        // No weights: equal shares.
        assert_eq!(split(5, &[0, 0]), vec![3, 2]);
        assert_eq!(split(0, &[4, 2]), vec![0, 0]);
    }
}
