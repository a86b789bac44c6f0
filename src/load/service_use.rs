//! The optional `service_id` column of person records: which framework service each
//! current user uses now. Checked against the services file once both are read: an id must
//! name a service, the service must serve the row's lot, and only people receiving a
//! service (status `current`) may name one. What the column is used for (re-placing
//! people from their homes when a provider leaves) is in [`crate::analyse::exit`].

use std::collections::HashMap;

use crate::model::{Catalogue, Demand, DemandStatus, Service};
use crate::problem::{Problem, Problems};

/// Problems with the `service_id` of person records; none when no row names a service.
pub fn check(catalogue: &Catalogue, services: &[Service], demand: &Demand) -> Problems {
    let mut problems = Problems::default();
    let Demand::People(people) = demand else {
        return problems;
    };
    let by_id: HashMap<&str, &Service> = services.iter().map(|s| (s.id.as_str(), s)).collect();
    for person in people {
        let Some(id) = person.service_id.as_deref() else {
            continue;
        };
        let problem = |message: String| -> Problem {
            person.at.problem(message).field("service_id").value(id)
        };
        let lot = &catalogue.lots[person.lot];
        match by_id.get(id) {
            None => problems.push(problem(
                "names no service in the services file (expected the service_id of the service the person uses now, or empty)".to_string(),
            )),
            Some(service) if !service.lots.contains(&person.lot) => problems.push(problem(format!(
                "is a service that does not serve lot {:?}, the row's lot (expected a service on that lot, or empty)",
                lot.id
            ))),
            Some(_) if person.status != DemandStatus::Current => problems.push(problem(
                "is given for a person waiting (expected empty: only people receiving a service name it)".to_string(),
            )),
            Some(_) => {}
        }
    }
    problems
}
