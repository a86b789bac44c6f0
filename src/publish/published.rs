//! The published view of a run: every figure as it may appear in an output.
//!
//! [`PublishedRun::new`] applies [`Disclosure`] once; tables, maps, charts and the summary
//! are written only from this view, so no unprotected count of people can reach a file.

use crate::analyse::Analysis;
use crate::config::Config;
use crate::load::Inputs;
use crate::locate::Placement;
use crate::model::Unit;
use crate::publish::disclosure::{Disclosure, Published};

/// Shortfalls smaller than this share of demand are not listed as gaps.
pub const MIN_SHORTFALL_SHARE: f64 = 0.05;

/// One district (or grouping) and lot, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct GapRow {
    pub area_code: String,
    pub area_name: String,
    pub lot: usize,
    pub unit: Unit,
    pub services: u32,
    pub supply: f64,
    pub current_users: Published,
    pub waiting: Published,
    /// In the lot's unit; `None` when suppressed.
    pub demand: Option<f64>,
    pub gap: Option<f64>,
    pub sufficiency: Option<f64>,
    /// People (current and waiting) behind the access figures.
    pub people: Published,
    pub beyond_catchment: Published,
    pub share_beyond_catchment: Option<f64>,
    pub mean_km: Option<f64>,
    pub p90_km: Option<f64>,
    /// Mean E2SFCA accessibility of the people behind the access figures.
    pub mean_e2sfca: Option<f64>,
}

/// Access from one small area for one lot. Distances and accessibility describe the place,
/// not its people, so they are published for every area; the count of people is protected.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaRow {
    pub area: usize,
    pub lot: usize,
    pub people: Published,
    pub nearest_km: Option<f64>,
    /// With travel costs: the nearest service's straight-line distance (km x circuity),
    /// for comparison with `nearest_km` (then in the costs' unit).
    pub straight_line_km: Option<f64>,
    pub services_in_reach: u32,
    pub e2sfca: f64,
}

/// A service as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRow {
    pub service: usize,
    pub district: Option<usize>,
    pub current_users: Published,
}

/// A band's cost as published. Days, hours and money of a band used by so few people that
/// their count is suppressed are suppressed too: they would describe those people's packages.
#[derive(Debug, Clone, PartialEq)]
pub struct CostRow {
    pub band: usize,
    pub people: Published,
    pub units_per_week: Option<f64>,
    pub weekly_cost: Option<f64>,
    pub annual_cost: Option<f64>,
}

/// Everything an output may show.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRun {
    pub disclosure: Disclosure,
    /// How distances were measured (straight line or travel costs), their unit and the
    /// catchment, for captions, column names and the report.
    pub distances: crate::analyse::DistanceMeasure,
    pub districts: Vec<GapRow>,
    pub groupings: Vec<GapRow>,
    pub services: Vec<ServiceRow>,
    /// Access by small area and lot (empty unless the boundaries are small areas).
    pub areas: Vec<AreaRow>,
    pub cost: Vec<CostRow>,
    /// (age band, current, waiting)
    pub people_by_age: Vec<(String, Published, Published)>,
    pub people_by_primary_need: Vec<(usize, Published)>,
    pub current_people: Published,
    /// Future demand, when a population file is given.
    pub projections: Option<crate::publish::projections::PublishedProjections>,
    /// Market shape and provider exits.
    pub market: crate::publish::market::PublishedMarket,
}

impl PublishedRun {
    pub fn new(
        config: &Config,
        inputs: &Inputs,
        placement: &Placement,
        analysis: &Analysis,
    ) -> Self {
        let d = Disclosure::from(&config.file.disclosure);
        let districts: Vec<GapRow> = analysis
            .gaps
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let district = &inputs.districts[cell.district];
                let split = d.split(cell.current_users, cell.waiting);
                let unit = config.catalogue.lots[cell.lot].unit;
                let demand = match unit {
                    Unit::Places => split.total.map(f64::from),
                    Unit::Hours => split.total.map(|_| cell.demand().round()),
                };
                let access = analysis.access_cells.get(i);
                let people = access.and_then(|a| d.count(a.people));
                let beyond = access.and_then(|a| d.count(a.beyond_catchment));
                let shown = |v: Option<f64>| people.and(v);
                GapRow {
                    area_code: district.code.clone(),
                    area_name: district.name.clone(),
                    lot: cell.lot,
                    unit,
                    services: cell.services,
                    supply: cell.supply,
                    current_users: split.first,
                    waiting: split.second,
                    demand,
                    gap: demand.map(|x| x - cell.supply),
                    sufficiency: demand.filter(|x| *x > 0.0).map(|x| cell.supply / x),
                    people,
                    beyond_catchment: beyond,
                    share_beyond_catchment: Disclosure::rate(beyond, people),
                    mean_km: shown(access.and_then(|a| a.mean_km)),
                    p90_km: shown(access.and_then(|a| a.p90_km)),
                    mean_e2sfca: shown(access.and_then(|a| a.mean_e2sfca)),
                }
            })
            .collect();
        let groupings = group_rows(config, &districts);
        let services = inputs
            .services
            .iter()
            .enumerate()
            .map(|(i, s)| ServiceRow {
                service: i,
                district: placement.service_district[i],
                current_users: d.count(s.current_users),
            })
            .collect();
        let cost = analysis
            .cost
            .iter()
            .map(|c| {
                let people = d.count(c.people);
                CostRow {
                    band: c.band,
                    people,
                    units_per_week: people.map(|_| c.units_per_week),
                    weekly_cost: people.map(|_| c.weekly_cost),
                    annual_cost: people.map(|_| c.annual_cost),
                }
            })
            .collect();
        let areas = analysis
            .area_access
            .iter()
            .enumerate()
            .map(|(i, a)| AreaRow {
                area: a.area,
                lot: a.lot,
                people: d.count(a.people),
                nearest_km: a.access.distance_km,
                straight_line_km: analysis
                    .straight_line_areas
                    .get(i)
                    .filter(|s| (s.area, s.lot) == (a.area, a.lot))
                    .and_then(|s| s.access.distance_km),
                services_in_reach: a.access.services_in_reach,
                e2sfca: a.access.e2sfca,
            })
            .collect();
        PublishedRun {
            disclosure: d,
            distances: analysis.measure.clone(),
            districts,
            groupings,
            services,
            areas,
            cost,
            people_by_age: analysis
                .people_by_age
                .iter()
                .map(|(age, c, w)| (age.clone(), d.count(*c), d.count(*w)))
                .collect(),
            people_by_primary_need: analysis
                .people_by_primary_need
                .iter()
                .map(|(lot, n)| (*lot, d.count(*n)))
                .collect(),
            current_people: d.count(analysis.current_people),
            projections: analysis
                .projections
                .as_ref()
                .map(|f| crate::publish::projections::publish(config, inputs, f, &d)),
            market: crate::publish::market::publish(config, inputs, analysis, &d),
        }
    }

    /// The largest shortfalls among districts, largest first relative to demand, so places
    /// and hours can be ranked together. A shortfall in places smaller than the rounding
    /// base may be rounding alone, and one under [`MIN_SHORTFALL_SHARE`] of demand is within
    /// the noise of a quarter's data; both are left out.
    pub fn largest_shortfalls(&self, n: usize) -> Vec<&GapRow> {
        let noise = f64::from(self.disclosure.base.max(1)) - 0.5;
        let share = |r: &GapRow| r.gap.unwrap_or(0.0) / r.demand.unwrap_or(1.0).max(1.0);
        let mut rows: Vec<&GapRow> = self
            .districts
            .iter()
            .filter(|r| {
                r.gap.is_some_and(|g| match r.unit {
                    Unit::Places => g > noise,
                    Unit::Hours => g > 0.0,
                }) && share(r) >= MIN_SHORTFALL_SHARE
            })
            .collect();
        rows.sort_by(|a, b| {
            share(b)
                .total_cmp(&share(a))
                .then_with(|| a.area_code.cmp(&b.area_code))
                .then(a.lot.cmp(&b.lot))
        });
        rows.truncate(n);
        rows
    }

    /// The district rows of one lot.
    pub fn lot_rows(&self, lot: usize) -> impl Iterator<Item = &GapRow> {
        self.districts.iter().filter(move |r| r.lot == lot)
    }
}

/// Grouping rows summed from the published district rows: a sum with a suppressed part is
/// itself suppressed, so a grouping never reveals a suppressed district.
fn group_rows(config: &Config, districts: &[GapRow]) -> Vec<GapRow> {
    let mut rows = Vec::new();
    for g in &config.catalogue.groupings {
        for (lot, l) in config.catalogue.lots.iter().enumerate() {
            let members: Vec<&GapRow> = districts
                .iter()
                .filter(|r| r.lot == lot && g.district_codes.contains(&r.area_code))
                .collect();
            let sum_u =
                |f: fn(&GapRow) -> Published| members.iter().map(|r| f(r)).sum::<Option<u32>>();
            let supply: f64 = members.iter().map(|r| r.supply).sum();
            let demand: Option<f64> = members.iter().map(|r| r.demand).sum();
            let people = sum_u(|r| r.people);
            let beyond = sum_u(|r| r.beyond_catchment);
            rows.push(GapRow {
                area_code: g.id.clone(),
                area_name: g.label.clone(),
                lot,
                unit: l.unit,
                services: members.iter().map(|r| r.services).sum(),
                supply,
                current_users: sum_u(|r| r.current_users),
                waiting: sum_u(|r| r.waiting),
                demand,
                gap: demand.map(|x| x - supply),
                sufficiency: demand.filter(|x| *x > 0.0).map(|x| supply / x),
                people,
                beyond_catchment: beyond,
                share_beyond_catchment: Disclosure::rate(beyond, people),
                mean_km: None,
                p90_km: None,
                mean_e2sfca: None,
            });
        }
    }
    rows
}

/// The district rows before disclosure control, in the published rows' shape: for the
/// internal `NOT-FOR-PUBLICATION` table only.
pub fn unrounded_rows(config: &Config, inputs: &Inputs, analysis: &Analysis) -> Vec<GapRow> {
    analysis
        .gaps
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let district = &inputs.districts[cell.district];
            let access = analysis.access_cells.get(i);
            GapRow {
                area_code: district.code.clone(),
                area_name: district.name.clone(),
                lot: cell.lot,
                unit: config.catalogue.lots[cell.lot].unit,
                services: cell.services,
                supply: cell.supply,
                current_users: Some(cell.current_users),
                waiting: Some(cell.waiting),
                demand: Some(cell.demand()),
                gap: Some(cell.gap()),
                sufficiency: cell.sufficiency(),
                people: access.map(|a| a.people),
                beyond_catchment: access.map(|a| a.beyond_catchment),
                share_beyond_catchment: access
                    .filter(|a| a.people > 0)
                    .map(|a| f64::from(a.beyond_catchment) / f64::from(a.people)),
                mean_km: access.and_then(|a| a.mean_km),
                p90_km: access.and_then(|a| a.p90_km),
                mean_e2sfca: access.and_then(|a| a.mean_e2sfca),
            }
        })
        .collect()
}
