//! Weekly and annual cost of current packages at the framework's band rates.
//!
//! A day band (one with a full-day rate) costs its full-day rate per day attended, so half
//! days cost half; a band with only a half-day rate costs twice that per day. An hourly band
//! costs its rate per hour. Hours in `additional_hours_per_week` are costed at the band the
//! config names for them (Leicestershire's Band E). Only current users cost money; people
//! waiting do not.

use std::collections::BTreeSet;

use crate::config::CostSection;
use crate::model::{Band, Catalogue, Demand, DemandStatus};

/// What one band costs.
#[derive(Debug, Clone, PartialEq)]
pub struct BandCost {
    pub band: usize,
    /// Distinct current people with this band.
    pub people: u32,
    /// Days a week (day bands) or hours a week (hourly bands), summed.
    pub units_per_week: f64,
    pub weekly_cost: f64,
    pub annual_cost: f64,
}

/// Whether a band is charged by the day or by the hour.
pub fn day_rate(band: &Band) -> Option<f64> {
    band.full_day.or(band.half_day.map(|h| 2.0 * h))
}

/// Cost by band, in config order; empty for aggregated demand.
pub fn compute(catalogue: &Catalogue, demand: &Demand, settings: &CostSection) -> Vec<BandCost> {
    let Demand::People(people) = demand else {
        return Vec::new();
    };
    let extra_band = settings
        .additional_hours_band
        .as_deref()
        .and_then(|id| catalogue.band_index(id));
    let mut people_sets: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); catalogue.bands.len()];
    let mut units = vec![0.0; catalogue.bands.len()];
    let mut weekly = vec![0.0; catalogue.bands.len()];
    for p in people.iter().filter(|p| p.status == DemandStatus::Current) {
        if let Some(b) = p.band {
            let band = &catalogue.bands[b];
            let (u, cost) = match day_rate(band) {
                Some(rate) => (p.days_per_week, rate * p.days_per_week),
                None => (
                    p.hours_per_week,
                    band.hourly.unwrap_or(0.0) * p.hours_per_week,
                ),
            };
            people_sets[b].insert(&p.person_id);
            units[b] += u;
            weekly[b] += cost;
        }
        if let (Some(e), true) = (extra_band, p.additional_hours_per_week > 0.0) {
            let rate = catalogue.bands[e].hourly.unwrap_or(0.0);
            people_sets[e].insert(&p.person_id);
            units[e] += p.additional_hours_per_week;
            weekly[e] += rate * p.additional_hours_per_week;
        }
    }
    (0..catalogue.bands.len())
        .map(|b| BandCost {
            band: b,
            people: people_sets[b].len() as u32,
            units_per_week: units[b],
            weekly_cost: weekly[b],
            annual_cost: weekly[b] * settings.weeks_per_year,
        })
        .collect()
}
