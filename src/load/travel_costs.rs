//! The travel-cost matrix named by `analysis.travel_costs`: CSV, or Parquet when the name
//! ends in `.parquet`. Columns `origin, destination, cost` (also under the names
//! `gapmap access --cost` accepts, such as r5py's `from_id, to_id, travel_time`).
//!
//! Every row is checked against the run's other inputs: the origin must be a person id of
//! the demand file or an area code of the boundaries, the destination a service id, the
//! cost a number 0 or more, and each pair may appear once. Every problem names the file,
//! the line (CSV) or row (Parquet), the column, the value and what was expected. Whether the
//! matrix holds every pair the run needs is checked later, against the demand points
//! ([`crate::analyse::travel::complete`]).

use std::collections::{HashMap, HashSet};

use polars::prelude::{DataType, ParquetReader, SerReader};

use crate::access::io::{DESTINATION_COLUMNS, ORIGIN_COLUMNS};
use crate::analyse::travel::{TravelCostUnit, TravelCosts};
use crate::config::Config;
use crate::io::InputFile;
use crate::load::{read_input, InputRecord, Inputs};
use crate::model::Demand;
use crate::problem::{Place, Problem, Problems};

/// A matrix read and checked, with its manifest record and the rows left out.
#[derive(Debug, Clone)]
pub struct LoadedTravelCosts {
    pub costs: TravelCosts,
    pub record: InputRecord,
    /// Bad rows; left out of `costs`. The caller decides whether they stop the run.
    pub rejected: Problems,
}

/// One matrix row as read: where it is and its three fields as text.
struct MatrixRow {
    place: Place,
    origin: String,
    destination: String,
    cost: String,
}

/// Reads and checks the matrix the config names; `None` when it names none. Problems with
/// the file as a whole (unreadable, a missing column) are returned as an error.
pub fn load(config: &Config, inputs: &Inputs) -> Result<Option<LoadedTravelCosts>, Problems> {
    let analysis = &config.file.analysis;
    let (Some(name), Some(unit)) = (&analysis.travel_costs, analysis.travel_cost_unit) else {
        return Ok(None);
    };
    let one = |p: Problem| {
        let mut problems = Problems::default();
        problems.push(p);
        problems
    };
    let input = read_input(config, name).map_err(one)?;
    let rows = if name.to_ascii_lowercase().ends_with(".parquet") {
        parquet_rows(&input, unit).map_err(one)?
    } else {
        csv_rows(&input, unit)?
    };
    let label = analysis
        .travel_cost_label
        .clone()
        .unwrap_or_else(|| default_label(unit).to_string());
    let known = KnownIds::of(config, inputs);
    let mut costs = TravelCosts {
        matrix: crate::access::TravelCosts::default(),
        unit,
        source: format!("{label} from {name}"),
    };
    let records = rows.len();
    let rejected = add_rows(&mut costs, &input.name, rows, &known);
    Ok(Some(LoadedTravelCosts {
        costs,
        record: InputRecord {
            role: "travel_costs".into(),
            file: name.clone(),
            sha256: input.sha256(),
            records,
        },
        rejected,
    }))
}

/// Checks each row and adds the good ones to `costs`; returns the problems of the others.
fn add_rows(
    costs: &mut TravelCosts,
    file: &str,
    rows: Vec<MatrixRow>,
    known: &KnownIds,
) -> Problems {
    let mut rejected = Problems::default();
    let mut first_seen: HashMap<(String, String), Place> = HashMap::new();
    for row in rows {
        let problems_before = rejected.len();
        let cost = check_row(file, &row, costs.unit, known, &mut rejected);
        let pair = (row.origin.clone(), row.destination.clone());
        if let Some(earlier) = first_seen.get(&pair) {
            rejected.push(
                Problem::new(
                    file,
                    row.place.clone(),
                    format!(
                        "repeats the pair on {} (each origin-destination pair must appear once)",
                        place_words(earlier)
                    ),
                )
                .field("origin, destination")
                .value(&format!("{} -> {}", row.origin, row.destination)),
            );
            continue;
        }
        let row_ok = rejected.len() == problems_before;
        let Some(cost) = cost.filter(|_| row_ok) else {
            continue;
        };
        first_seen.insert(pair, row.place.clone());
        if costs
            .matrix
            .insert(&row.origin, &row.destination, cost)
            .is_err()
        {
            // Cost and pair were checked above; a refusal here is still reported, not dropped.
            rejected.push(
                Problem::new(file, row.place.clone(), "cannot join the matrix")
                    .field("cost")
                    .value(&row.cost),
            );
        }
    }
    rejected
}

fn default_label(unit: TravelCostUnit) -> &'static str {
    match unit {
        TravelCostUnit::Minutes => "travel times",
        TravelCostUnit::Km => "travel distances",
    }
}

fn place_words(place: &Place) -> String {
    match place {
        Place::File => "an earlier row".into(),
        other => other.words(),
    }
}

/// The ids a matrix may use: person ids and area codes as origins, service ids as
/// destinations.
struct KnownIds<'a> {
    people: HashSet<&'a str>,
    areas: HashSet<&'a str>,
    services: HashSet<&'a str>,
    demand_file: &'a str,
    areas_file: &'a str,
    services_file: &'a str,
}

impl<'a> KnownIds<'a> {
    fn of(config: &'a Config, inputs: &'a Inputs) -> Self {
        let people = match &inputs.demand {
            Demand::People(people) => people.iter().map(|p| p.person_id.as_str()).collect(),
            Demand::Aggregated(_) => HashSet::new(),
        };
        KnownIds {
            people,
            areas: inputs.areas.iter().map(|a| a.code.as_str()).collect(),
            services: inputs.services.iter().map(|s| s.id.as_str()).collect(),
            demand_file: &config.file.inputs.demand.file,
            areas_file: &config.file.inputs.areas,
            services_file: &config.file.inputs.services.file,
        }
    }
}

/// Checks one row, pushing a problem for each bad field; the cost when it is usable.
fn check_row(
    file: &str,
    row: &MatrixRow,
    unit: TravelCostUnit,
    known: &KnownIds,
    problems: &mut Problems,
) -> Option<f64> {
    let at = |field: &str, value: &str, message: String| {
        Problem::new(file, row.place.clone(), message)
            .field(field)
            .value(value)
    };
    if row.origin.is_empty() {
        problems.push(at(
            "origin",
            "",
            "is empty (expected a person id or an area code)".into(),
        ));
    } else if !known.people.contains(row.origin.as_str())
        && !known.areas.contains(row.origin.as_str())
    {
        problems.push(at(
            "origin",
            &row.origin,
            format!(
                "is neither a person id in {} nor an area code in {} (expected the id of a demand point)",
                known.demand_file, known.areas_file
            ),
        ));
    }
    if !known.services.contains(row.destination.as_str()) {
        problems.push(at(
            "destination",
            &row.destination,
            format!(
                "is not a service id in {} (expected a service_id)",
                known.services_file
            ),
        ));
    }
    match row.cost.parse::<f64>() {
        Ok(cost) if cost.is_finite() && cost >= 0.0 => Some(cost),
        _ => {
            problems.push(at(
                "cost",
                &row.cost,
                format!(
                    "is not a travel cost (expected a number 0 or more, in {})",
                    unit.name()
                ),
            ));
            None
        }
    }
}

/// The first of `names` (case-insensitively) the header has, or a problem listing them.
fn find_column(file: &str, header: &[String], names: &[&str]) -> Result<usize, Problem> {
    names
        .iter()
        .find_map(|name| header.iter().position(|h| h.trim().to_lowercase() == *name))
        .ok_or_else(|| {
            Problem::new(
                file,
                Place::File,
                format!(
                    "has no column {:?} (expected columns origin, destination and cost; also accepted: {})",
                    names[0],
                    names[1..].join(", ")
                ),
            )
        })
}

/// The cost column for the configured unit: `cost`, else the unit's own column (`km` or
/// `distance`; `minutes` or `travel_time`), so a matrix with both minutes and km (as
/// `gapmap travel` writes) is read in the unit the config names. A matrix whose only cost
/// column is in the other unit is a problem, not a silent mix-up.
fn cost_column(file: &str, header: &[String], unit: TravelCostUnit) -> Result<usize, Problem> {
    let (own, other): (&[&str], &[&str]) = match unit {
        TravelCostUnit::Km => (&["cost", "km", "distance"], &["minutes", "travel_time"]),
        TravelCostUnit::Minutes => (&["cost", "minutes", "travel_time"], &["km", "distance"]),
    };
    find_column(file, header, own).map_err(|problem| {
        match find_column(file, header, other) {
            Ok(k) => Problem::new(
                file,
                Place::File,
                format!(
                    "has a {:?} column but no cost in {} (analysis.travel_cost_unit = \"{}\"): add a column {:?} or set travel_cost_unit to match",
                    header[k].trim(),
                    unit.name(),
                    unit.name(),
                    own[1]
                ),
            ),
            Err(_) => problem,
        }
    })
}

fn csv_rows(input: &InputFile, unit: TravelCostUnit) -> Result<Vec<MatrixRow>, Problems> {
    let table = crate::load::mapping::read_records(
        input,
        &crate::load::mapping::InputSpec::path(&input.name),
    )?;
    let mut problems = Problems::default();
    let columns: Vec<Option<usize>> = [
        find_column(&input.name, &table.header, ORIGIN_COLUMNS),
        find_column(&input.name, &table.header, DESTINATION_COLUMNS),
        cost_column(&input.name, &table.header, unit),
    ]
    .into_iter()
    .map(|found| found.map_err(|p| problems.push(p)).ok())
    .collect();
    let [Some(origin), Some(destination), Some(cost)] = columns[..] else {
        return Err(problems);
    };
    let mut rows: Vec<MatrixRow> = Vec::with_capacity(table.rows.len());
    for (line, fields) in &table.rows {
        let field = |i: usize| fields.get(i).cloned().unwrap_or_default();
        rows.push(MatrixRow {
            place: table.place(*line),
            origin: field(origin),
            destination: field(destination),
            cost: field(cost),
        });
    }
    if !table.rejected.is_empty() {
        return Err(table.rejected);
    }
    Ok(rows)
}

fn parquet_rows(input: &InputFile, unit: TravelCostUnit) -> Result<Vec<MatrixRow>, Problem> {
    let unreadable = |e: polars::error::PolarsError| {
        Problem::new(
            &input.name,
            Place::File,
            format!("is not a readable Parquet file: {e}"),
        )
    };
    let frame = ParquetReader::new(std::io::Cursor::new(input.bytes.as_slice()))
        .finish()
        .map_err(unreadable)?;
    let header: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let text_column = |index: usize| -> Result<Vec<String>, Problem> {
        let column = frame.columns()[index]
            .cast(&DataType::String)
            .map_err(unreadable)?;
        let values = column.str().map_err(unreadable)?;
        Ok(values
            .iter()
            .map(|v| v.unwrap_or("").trim().to_string())
            .collect())
    };
    let origins = text_column(find_column(&input.name, &header, ORIGIN_COLUMNS)?)?;
    let destinations = text_column(find_column(&input.name, &header, DESTINATION_COLUMNS)?)?;
    let costs = text_column(cost_column(&input.name, &header, unit)?)?;
    Ok(origins
        .into_iter()
        .zip(destinations)
        .zip(costs)
        .enumerate()
        .map(|(i, ((origin, destination), cost))| MatrixRow {
            place: Place::Row(i as u64 + 1),
            origin,
            destination,
            cost,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// `gapmap travel` writes minutes and km side by side: the run reads the unit it is
    /// told, whichever column comes first.
    #[test]
    fn the_cost_column_follows_the_configured_unit() {
        let both = header(&["origin", "destination", "minutes", "km"]);
        assert_eq!(
            cost_column("od.csv", &both, TravelCostUnit::Km).ok(),
            Some(3)
        );
        assert_eq!(
            cost_column("od.csv", &both, TravelCostUnit::Minutes).ok(),
            Some(2)
        );
        let generic = header(&["KM", "Cost", "origin", "destination"]);
        assert_eq!(
            cost_column("od.csv", &generic, TravelCostUnit::Km).ok(),
            Some(1)
        );
    }

    #[test]
    fn a_cost_only_in_the_other_unit_is_a_problem() {
        let r5py = header(&["from_id", "to_id", "travel_time"]);
        let problem = cost_column("times.csv", &r5py, TravelCostUnit::Km).expect_err("a problem");
        let text = problem.to_string();
        assert!(text.contains("times.csv"), "{text}");
        assert!(text.contains("\"travel_time\""), "{text}");
        assert!(text.contains("travel_cost_unit = \"km\""), "{text}");
        let none = header(&["from_id", "to_id", "value"]);
        let text = cost_column("x.csv", &none, TravelCostUnit::Minutes)
            .expect_err("a problem")
            .to_string();
        assert!(text.contains("has no column \"cost\""), "{text}");
    }
}
