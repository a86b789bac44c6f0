//! Future demand by district and lot: expected people from prevalence, reach, and demand
//! projected to future years at today's age-specific rate per head of population.
//!
//! - **Expected people** in a year = sum over age bands of population x the configured
//!   prevalence rate of the lot in that band (only bands with a rate count).
//! - **Reach** = people known to services today (current users + waiting) / expected
//!   people in the data year.
//! - **Projected demand** in a year (the PANSI/POPPI method) = sum over age bands of today's
//!   demand in the band x population in that year / population in the data year: today's
//!   rate per head, applied to the projected population. Hour-measured lots project hours.
//!   A band with no population in the data year keeps today's demand (there is no rate to
//!   take). The **projected gap** is projected demand minus today's supply.
//! - **Trend scenario** (optional): today's demand in each age band x (1 + g)^(year - data
//!   year), where g is the band's annual change from a least-squares line through the
//!   logarithm of users against time in the users-over-time series (a constant annual rate).
//!
//! Pure computation on loaded data; disclosure control is applied when publishing.

use std::collections::BTreeMap;

use crate::analyse::GapCell;
use crate::config::Config;
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::{Demand, TrendPoint, Unit};

/// Future demand for every district, lot and projected year.
#[derive(Debug, Clone, PartialEq)]
pub struct FutureDemand {
    /// The data year: today's rates are taken there.
    pub base_year: i32,
    /// The years projected, ascending.
    pub years: Vec<i32>,
    /// Default years left out because the population file does not cover them.
    pub left_out_years: Vec<i32>,
    /// District, then lot (config order), then year.
    pub cells: Vec<ProjectionCell>,
    /// The trend scenario's fit by age band, when the scenario is configured.
    pub trend: Option<Vec<TrendFit>>,
}

/// One district, lot and year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectionCell {
    pub district: usize,
    pub lot: usize,
    pub year: i32,
    /// Population of the configured age bands.
    pub population: f64,
    /// Population x prevalence; `None` when the lot has no prevalence rate.
    pub expected_people: Option<f64>,
    /// People known to services today: current users + waiting.
    pub known_people: u32,
    /// Projected people (current users + waiting) at today's rate per head.
    pub people: f64,
    /// Projected demand in the lot's unit.
    pub demand: f64,
    /// Today's supply, kept as it is.
    pub supply: f64,
    /// The trend scenario's people and demand, when configured.
    pub trend_people: Option<f64>,
    pub trend_demand: Option<f64>,
}

impl ProjectionCell {
    /// Projected demand minus today's supply.
    pub fn gap(&self) -> f64 {
        self.demand - self.supply
    }

    /// People known today / expected people; `None` without prevalence or expected people.
    pub fn reach(&self) -> Option<f64> {
        self.expected_people
            .filter(|e| *e > 0.0)
            .map(|e| f64::from(self.known_people) / e)
    }
}

/// The users-over-time fit for one age band.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendFit {
    pub age_band: String,
    /// Annual change as a share (0.02 is 2% a year); `None` with fewer than two dated
    /// points of more than zero users, in which case the band's demand is kept as it is.
    pub annual_change: Option<f64>,
    pub points: usize,
}

/// Today's demand in one district, lot and age band.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Today {
    people: u32,
    units: f64,
}

/// Computes future demand, or `None` when there is no population.
pub fn compute(
    config: &Config,
    inputs: &Inputs,
    placement: &Placement,
    gaps: &[GapCell],
) -> Option<FutureDemand> {
    let base_year = config.file.data_year()?;
    if inputs.population.is_empty() {
        return None;
    }
    let have: std::collections::BTreeSet<i32> = inputs.population.iter().map(|r| r.year).collect();
    let (years, left_out_years): (Vec<i32>, Vec<i32>) = config
        .file
        .projection_years()
        .into_iter()
        .partition(|y| have.contains(y));
    let bands = &config.file.projections.age_bands;
    let n_lots = config.catalogue.lots.len();
    let population = population_index(inputs, bands);
    let today = today_by_band(config, inputs, placement, bands.len());
    let trend = config
        .file
        .projections
        .trend
        .then(|| fit_trend(&inputs.trend, bands));
    let rates = prevalence(config);
    let mut cells = Vec::new();
    for (d, district) in inputs.districts.iter().enumerate() {
        let pop = |band: usize, year: i32| {
            population
                .get(&(district.code.as_str(), band, year))
                .copied()
                .unwrap_or(0.0)
        };
        for (lot, lot_rates) in rates.iter().enumerate() {
            let supply = gaps.get(d * n_lots + lot).map_or(0.0, |g| g.supply);
            let now: Vec<Today> = (0..bands.len())
                .map(|b| today.get(&(d, lot, b)).copied().unwrap_or_default())
                .collect();
            for &year in &years {
                let growth = |b: usize| match (pop(b, base_year), pop(b, year)) {
                    (base, later) if base > 0.0 => later / base,
                    _ => 1.0,
                };
                let expected = (!lot_rates.is_empty()).then(|| {
                    lot_rates
                        .iter()
                        .map(|(b, rate)| pop(*b, year) * rate)
                        .sum::<f64>()
                });
                let trend_factor = |b: usize| {
                    trend.as_ref().map_or(1.0, |fits| {
                        fits[b]
                            .annual_change
                            .map_or(1.0, |g| (1.0 + g).powi(year - base_year))
                    })
                };
                cells.push(ProjectionCell {
                    district: d,
                    lot,
                    year,
                    population: (0..bands.len()).map(|b| pop(b, year)).sum(),
                    expected_people: expected,
                    known_people: now.iter().map(|t| t.people).sum(),
                    people: now
                        .iter()
                        .enumerate()
                        .map(|(b, t)| f64::from(t.people) * growth(b))
                        .sum(),
                    demand: now
                        .iter()
                        .enumerate()
                        .map(|(b, t)| t.units * growth(b))
                        .sum(),
                    supply,
                    trend_people: trend.as_ref().map(|_| {
                        now.iter()
                            .enumerate()
                            .map(|(b, t)| f64::from(t.people) * trend_factor(b))
                            .sum()
                    }),
                    trend_demand: trend.as_ref().map(|_| {
                        now.iter()
                            .enumerate()
                            .map(|(b, t)| t.units * trend_factor(b))
                            .sum()
                    }),
                });
            }
        }
    }
    Some(FutureDemand {
        base_year,
        years,
        left_out_years,
        cells,
        trend,
    })
}

/// Population by (district code, band index, year).
fn population_index<'a>(
    inputs: &'a Inputs,
    bands: &[String],
) -> BTreeMap<(&'a str, usize, i32), f64> {
    inputs
        .population
        .iter()
        .filter_map(|r| {
            let b = bands.iter().position(|x| *x == r.age_band)?;
            Some(((r.area_code.as_str(), b, r.year), r.population))
        })
        .collect()
}

/// The configured prevalence rates by lot: (band index, rate).
fn prevalence(config: &Config) -> Vec<Vec<(usize, f64)>> {
    let p = &config.file.projections;
    config
        .catalogue
        .lots
        .iter()
        .map(|lot| {
            p.prevalence
                .iter()
                .filter(|e| e.lot == lot.id)
                .filter_map(|e| {
                    let b = p.age_bands.iter().position(|x| *x == e.age_band)?;
                    Some((b, e.rate))
                })
                .collect()
        })
        .collect()
}

/// Today's people and units by (district, lot, band index). Loading has checked that every
/// demand row's age band is a configured one.
fn today_by_band(
    config: &Config,
    inputs: &Inputs,
    placement: &Placement,
    n_bands: usize,
) -> BTreeMap<(usize, usize, usize), Today> {
    let bands = &config.file.projections.age_bands;
    let band = |label: &str| bands.iter().position(|b| b == label).unwrap_or(n_bands);
    let hours = |lot: usize| config.catalogue.lots[lot].unit == Unit::Hours;
    let mut today: BTreeMap<(usize, usize, usize), Today> = BTreeMap::new();
    match &inputs.demand {
        Demand::People(people) => {
            for (p, d) in people.iter().zip(&placement.person_district) {
                let t = today.entry((*d, p.lot, band(&p.age_band))).or_default();
                t.people += 1;
                t.units += if hours(p.lot) { p.hours_per_week } else { 1.0 };
            }
        }
        Demand::Aggregated(rows) => {
            for (r, d) in rows.iter().zip(&placement.cell_district) {
                let t = today.entry((*d, r.lot, band(&r.age_band))).or_default();
                t.people += r.current_users + r.waiting;
                t.units += if hours(r.lot) {
                    r.current_hours + r.waiting_hours
                } else {
                    f64::from(r.current_users + r.waiting)
                };
            }
        }
    }
    today
}

/// Time of an ISO date (YYYY-MM-DD) in years, e.g. 2025-07-01 is 2025.5 (months as twelfths).
fn years_of(date: &str) -> Option<f64> {
    let mut parts = date.split('-').map(|p| p.parse::<f64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    Some(y + (m - 1.0) / 12.0 + (d - 1.0) / 365.25)
}

/// A least-squares line through ln(users) against time for each band.
pub fn fit_trend(points: &[TrendPoint], bands: &[String]) -> Vec<TrendFit> {
    bands
        .iter()
        .map(|band| {
            let xy: Vec<(f64, f64)> = points
                .iter()
                .filter(|p| p.age_band == *band && p.users > 0)
                .filter_map(|p| Some((years_of(&p.date)?, f64::from(p.users).ln())))
                .collect();
            TrendFit {
                age_band: band.clone(),
                annual_change: slope(&xy).map(|b| b.exp() - 1.0),
                points: xy.len(),
            }
        })
        .collect()
}

/// The least-squares slope of y on x; `None` with fewer than two distinct x.
fn slope(xy: &[(f64, f64)]) -> Option<f64> {
    let n = xy.len() as f64;
    if xy.len() < 2 {
        return None;
    }
    let mx = xy.iter().map(|p| p.0).sum::<f64>() / n;
    let my = xy.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 0.0).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests;
