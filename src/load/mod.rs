//! Load: read every input named by the config and check it, row by row.
//!
//! Each input has its own module turning records into domain values ([`crate::model`]).
//! Problems in all files are gathered before the run stops, so an analyst sees everything
//! wrong at once. Loading reads files (or the embedded sample) and nothing else: placing
//! points in areas is [`crate::locate`]'s job.

pub mod areas;
pub mod bench;
pub mod cld;
pub mod demand;
pub mod inspect;
pub mod location;
pub mod mapping;
pub mod population;
pub mod service_use;
pub mod services;
pub mod travel_costs;
pub mod trend;

use std::collections::{BTreeMap, HashMap};

use crate::config::{Config, OnBadRow, Origin};
use crate::io::InputFile;
use crate::load::location::Geocoder;
use crate::load::mapping::{Context, Date};
use crate::locate::postcode::{PostcodeColumns, PostcodeDirectory};
use crate::model::{Area, Demand, District, PopulationRow, Service, TrendPoint};
use crate::problem::{Checked, InputErrors, Place, Problem, Problems};

/// What the manifest records of each input.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InputRecord {
    /// What the file is (services, areas, demand, ...).
    pub role: String,
    /// The file name as configured.
    pub file: String,
    pub sha256: String,
    /// Records (CSV rows or GeoJSON features) read.
    pub records: usize,
}

/// Everything the inputs hold, checked.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub services: Vec<Service>,
    pub areas: Vec<Area>,
    /// Each area's interior point (a point inside it, even for a crescent-shaped area),
    /// in the order of `areas`; `None` for an empty geometry. Found once, as loading.
    pub area_points: Vec<Option<geo::Point<f64>>>,
    pub districts: Vec<District>,
    pub demand: Demand,
    pub population: Vec<PopulationRow>,
    pub trend: Vec<TrendPoint>,
    pub records: Vec<InputRecord>,
    /// Rows and features left out for problems (only when the config says to skip them).
    pub rejected: Problems,
    /// The demand file's name as messages give it.
    pub demand_name: String,
    /// Rows that mapping rules left out, and people placed by a small-area code, counted.
    pub notes: Vec<mapping::Note>,
}

/// Reads an input by its configured name, from disk or from the embedded sample.
pub(crate) fn read_input(
    config: &Config,
    name: &str,
) -> Result<InputFile, crate::problem::Problem> {
    match &config.origin {
        Origin::Directory(dir) => {
            let path = dir.join(name);
            InputFile::read(&path.display().to_string(), &path)
        }
        Origin::EmbeddedSample => crate::sample::input(name),
    }
}

/// Problems with whole files, and problems with rows that were left out.
#[derive(Default)]
struct Found {
    fatal: Problems,
    rejected: Problems,
}

impl Found {
    fn take<T>(&mut self, result: Option<Result<Checked<T>, Problems>>) -> Option<Vec<T>> {
        match result? {
            Ok(c) => {
                self.rejected.extend(c.rejected);
                Some(c.records)
            }
            Err(p) => {
                self.fatal.extend(p);
                None
            }
        }
    }
}

/// Loads and checks every input of a run. With `on_bad_row = "stop"` any problem stops the
/// run; with `"skip"` bad rows are left out and returned in [`Inputs::rejected`].
pub fn load(config: &Config) -> Result<Inputs, InputErrors> {
    let mut found = Found::default();
    let mut records = Vec::new();
    let names = &config.file.inputs;
    let mut read = |role: &str, name: &str, found: &mut Found| match read_input(config, name) {
        Ok(file) => {
            records.push(InputRecord {
                role: role.to_string(),
                file: name.to_string(),
                sha256: file.sha256(),
                records: 0,
            });
            Some(file)
        }
        Err(p) => {
            found.fatal.push(p);
            None
        }
    };
    let services_file = read("services", &names.services.file, &mut found);
    let areas_file = read("areas", &names.areas, &mut found);
    let demand_file = read("demand", &names.demand.file, &mut found);
    let demand_name = demand_file
        .as_ref()
        .map_or_else(|| names.demand.file.clone(), |f| f.name.clone());
    let waiting_file = names
        .waiting
        .as_ref()
        .and_then(|s| read("waiting", &s.file, &mut found));
    let locations_file = names
        .person_locations
        .as_ref()
        .and_then(|s| read("person_locations", &s.file, &mut found));
    let population_file = names
        .population
        .as_ref()
        .and_then(|s| read("population", &s.file, &mut found));
    let trend_file = names
        .users_trend
        .as_ref()
        .and_then(|s| read("users_trend", &s.file, &mut found));
    let postcodes_file = names
        .postcodes
        .as_ref()
        .and_then(|n| read("postcodes", n, &mut found));
    // Only positions are used: area codes in the directory are not needed, so not required.
    let columns = PostcodeColumns {
        codes: Vec::new(),
        ..PostcodeColumns::default()
    };
    let postcodes = postcodes_file.as_ref().and_then(|f| {
        PostcodeDirectory::from_reader(&f.name, f.bytes.as_slice(), &columns)
            .map_err(|e| {
                let text = e.to_string();
                let message = text
                    .strip_prefix(f.name.as_str())
                    .map_or(text.as_str(), |rest| {
                        rest.trim_start_matches([':', ',', ' '])
                    });
                found
                    .fatal
                    .push(Problem::new(&f.name, Place::File, message));
            })
            .ok()
    });
    let age_bands = config.file.projections.bands();
    let context = |role: &'static str| Context::of(config, role, &age_bands);
    let companions = demand::Companions {
        waiting: waiting_file.as_ref().zip(names.waiting.as_ref()),
        person_locations: locations_file.as_ref().zip(names.person_locations.as_ref()),
    };
    // The demand is read and mapped while the small areas load (neither needs the other);
    // only placing people needs the areas.
    let demand_context = context("demand");
    let (areas, demand_read) = rayon::join(
        || areas_file.map(|f| areas::load(&f, &config.file.areas)),
        || {
            demand_file
                .as_ref()
                .map(|f| demand::read(f, config, &demand_context, companions))
        },
    );
    let areas = areas.and_then(|r| match r {
        Ok((a, d, rejected)) => {
            found.rejected.extend(rejected);
            Some((a, d))
        }
        Err(p) => {
            found.fatal.extend(p);
            None
        }
    });
    let area_points = areas.as_ref().map(|(a, _)| interior_points(a));
    let points_by_code = areas
        .as_ref()
        .zip(area_points.as_ref())
        .map(|((a, _), points)| by_code(a, points));
    let geocoder = Geocoder {
        postcodes: postcodes.as_ref(),
        area_points: points_by_code.as_ref(),
        configured: names.postcodes.is_some(),
    };
    if Date::parse(&config.file.data_date).is_none() {
        found.fatal.push(
            Problem::new(
                &config.file_name,
                Place::File,
                "is not a date in the form YYYY-MM-DD",
            )
            .field("data_date")
            .value(&config.file.data_date),
        );
    }
    let services = found.take(
        services_file.map(|f| services::load(&f, &names.services, &context("services"), &geocoder)),
    );
    let mut notes = Vec::new();
    let mut companion_rows = (0, 0);
    let demand = demand_file
        .zip(demand_read)
        .map(|(f, read)| read.and_then(|read| read.place(&f, config, &geocoder)))
        .and_then(|r| match r {
            Ok(loaded) => {
                found.rejected.extend(loaded.rejected);
                notes = loaded.notes;
                companion_rows = (loaded.waiting_rows, loaded.location_rows);
                Some(loaded.demand)
            }
            Err(p) => {
                found.fatal.extend(p);
                None
            }
        });
    let mapped =
        |f: InputFile, spec: &mapping::InputSpec, role: &'static str, found: &mut Found| {
            match mapping::read(&f, spec, &[], &context(role)) {
                Ok(m) => Some(m.records),
                Err(p) => {
                    found.fatal.extend(p);
                    None
                }
            }
        };
    let population_table = population_file
        .zip(names.population.as_ref())
        .and_then(|(f, spec)| mapped(f, spec, "population", &mut found));
    let trend_table = trend_file
        .zip(names.users_trend.as_ref())
        .and_then(|(f, spec)| mapped(f, spec, "users_trend", &mut found));
    let population = population_table.and_then(|f| {
        let bands = config.file.projections.bands();
        let expect = population::Expect {
            bands: &bands,
            districts: areas.as_ref().map(|(_, d)| d.as_slice()),
            data_year: config.file.data_year().unwrap_or_default(),
        };
        let rows = found.take(Some(population::load(&f, &expect)))?;
        found.fatal.extend(population::check_years(
            &f.file,
            &rows,
            expect.data_year,
            config.file.projections.years.as_deref(),
        ));
        if let Some(d) = &demand {
            found
                .fatal
                .extend(population::check_demand_bands(d, &demand_name, &bands));
        }
        Some(rows)
    });
    let trend = found.take(trend_table.map(|f| trend::load(&f)));
    if let (Some(services), Some(demand)) = (&services, &demand) {
        let problems = service_use::check(&config.catalogue, services, demand);
        found.fatal.extend(problems);
    }
    let counts: BTreeMap<&str, usize> = BTreeMap::from([
        ("services", services.as_ref().map_or(0, Vec::len)),
        ("areas", areas.as_ref().map_or(0, |(a, _)| a.len())),
        ("demand", demand.as_ref().map_or(0, demand_len)),
        ("waiting", companion_rows.0),
        ("person_locations", companion_rows.1),
        ("population", population.as_ref().map_or(0, Vec::len)),
        ("users_trend", trend.as_ref().map_or(0, Vec::len)),
        (
            "postcodes",
            postcodes.as_ref().map_or(0, PostcodeDirectory::len),
        ),
    ]);
    for r in &mut records {
        r.records = counts.get(r.role.as_str()).copied().unwrap_or(0);
    }
    let skip = config.file.validation.on_bad_row == OnBadRow::Skip;
    let Found {
        mut fatal,
        rejected,
    } = found;
    if !skip {
        fatal.extend(rejected.clone());
    }
    match (services, areas, area_points, demand) {
        (Some(services), Some((areas, districts)), Some(area_points), Some(demand))
            if fatal.is_empty() =>
        {
            Ok(Inputs {
                services,
                areas,
                area_points,
                districts,
                demand,
                population: population.unwrap_or_default(),
                trend: trend.unwrap_or_default(),
                records,
                rejected: if skip { rejected } else { Problems::default() },
                demand_name,
                notes,
            })
        }
        _ => Err(InputErrors(fatal)),
    }
}

/// Each area's interior point (a point inside it, even for a crescent-shaped area), in
/// area order; the areas in parallel.
fn interior_points(areas: &[Area]) -> Vec<Option<geo::Point<f64>>> {
    use rayon::prelude::*;
    areas
        .par_iter()
        .map(|a| crate::geometry::interior_point(&a.geometry))
        .collect()
}

/// The areas' interior points by area code.
fn by_code(areas: &[Area], points: &[Option<geo::Point<f64>>]) -> HashMap<String, geo::Point<f64>> {
    areas
        .iter()
        .zip(points)
        .filter_map(|(a, p)| p.map(|p| (a.code.clone(), p)))
        .collect()
}

fn demand_len(d: &Demand) -> usize {
    match d {
        Demand::People(p) => p.len(),
        Demand::Aggregated(c) => c.len(),
    }
}
