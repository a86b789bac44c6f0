//! Load: read every input named by the config and check it, row by row.
//!
//! Each input has its own module turning records into domain values ([`crate::model`]).
//! Problems in all files are gathered before the run stops, so an analyst sees everything
//! wrong at once. Loading reads files (or the embedded sample) and nothing else: placing
//! points in areas is [`crate::locate`]'s job.

pub mod areas;
pub mod demand;
pub mod population;
pub mod services;
pub mod trend;

use std::collections::BTreeMap;

use crate::config::{Config, Origin};
use crate::io::InputFile;
use crate::model::{Area, Demand, District, PopulationRow, Service, TrendPoint};
use crate::problem::{InputErrors, Problems};

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
    pub districts: Vec<District>,
    pub demand: Demand,
    pub population: Vec<PopulationRow>,
    pub trend: Vec<TrendPoint>,
    pub records: Vec<InputRecord>,
}

/// Reads an input by its configured name, from disk or from the embedded sample.
fn read_input(config: &Config, name: &str) -> Result<InputFile, crate::problem::Problem> {
    match &config.origin {
        Origin::Directory(dir) => {
            let path = dir.join(name);
            InputFile::read(&path.display().to_string(), &path)
        }
        Origin::EmbeddedSample => crate::sample::input(name),
    }
}

/// Loads and checks every input of a run.
pub fn load(config: &Config) -> Result<Inputs, InputErrors> {
    let mut problems = Problems::default();
    let mut records = Vec::new();
    let names = &config.file.inputs;
    let mut read = |role: &str, name: &str, problems: &mut Problems| match read_input(config, name)
    {
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
            problems.push(p);
            None
        }
    };
    let services_file = read("services", &names.services, &mut problems);
    let areas_file = read("areas", &names.areas, &mut problems);
    let demand_file = read("demand", &names.demand, &mut problems);
    let population_file = names
        .population
        .as_ref()
        .and_then(|n| read("population", n, &mut problems));
    let trend_file = names
        .users_trend
        .as_ref()
        .and_then(|n| read("users_trend", n, &mut problems));

    let mut counts = BTreeMap::new();
    let services = collect(
        services_file.map(|f| services::load(&f, &config.catalogue)),
        &mut problems,
    );
    let areas = collect(
        areas_file.map(|f| areas::load(&f, &config.file.areas)),
        &mut problems,
    );
    let demand = collect(demand_file.map(|f| demand::load(&f, config)), &mut problems);
    let population = collect(population_file.map(|f| population::load(&f)), &mut problems);
    let trend = collect(trend_file.map(|f| trend::load(&f)), &mut problems);
    counts.insert("services", services.as_ref().map_or(0, Vec::len));
    counts.insert("areas", areas.as_ref().map_or(0, |(a, _)| a.len()));
    counts.insert("demand", demand.as_ref().map_or(0, demand_len));
    counts.insert("population", population.as_ref().map_or(0, Vec::len));
    counts.insert("users_trend", trend.as_ref().map_or(0, Vec::len));
    for r in &mut records {
        r.records = counts.get(r.role.as_str()).copied().unwrap_or(0);
    }
    match (services, areas, demand) {
        (Some(services), Some((areas, districts)), Some(demand)) if problems.is_empty() => {
            Ok(Inputs {
                services,
                areas,
                districts,
                demand,
                population: population.unwrap_or_default(),
                trend: trend.unwrap_or_default(),
                records,
            })
        }
        _ => Err(InputErrors(problems)),
    }
}

fn demand_len(d: &Demand) -> usize {
    match d {
        Demand::People(p) => p.len(),
        Demand::Aggregated(c) => c.len(),
    }
}

fn collect<T>(result: Option<Result<T, Problems>>, problems: &mut Problems) -> Option<T> {
    match result? {
        Ok(v) => Some(v),
        Err(p) => {
            problems.extend(p);
            None
        }
    }
}
