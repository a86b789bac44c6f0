//! CSV readers and writers for the standalone `gapmap access` command. Readers take any
//! `Read` and the file's name (for messages); every bad field is an error naming the file,
//! line, column, value and what was expected. Column names are matched case-insensitively.
//!
//! - demand: `id, x, y, weight, need` (x/y may be `easting`/`northing`), or
//!   `id, longitude, latitude, weight, need` (or `lon`/`lng`, `lat`);
//! - services: `id, x|longitude, y|latitude, capacity, needs` with needs `;`-separated,
//!   and an optional `active` (true/false, yes/no, 1/0); without it every service is active;
//! - travel costs: `origin, destination, cost` (or `from`/`from_id`/`origin_id`,
//!   `to`/`to_id`/`destination_id`, and `minutes`, `km`, `travel_time`, `distance` for the
//!   cost).

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use csv::StringRecord;

use super::matrix::rejection_error;
use super::problem::is_quantity;
use super::{
    AccessError, AccessProblem, AccessResult, Coordinates, DemandSite, Location, NeedSummary,
    ServiceSite, TravelCosts,
};

/// Demand rows as read, with need names.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandFile {
    pub file: String,
    pub coordinates: Coordinates,
    /// `need` of each site indexes `needs`.
    pub sites: Vec<DemandSite>,
    pub needs: Vec<String>,
}

/// Service rows as read, with need names.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceFile {
    pub file: String,
    pub coordinates: Coordinates,
    /// `needs` of each service index `needs`.
    pub services: Vec<ServiceSite>,
    pub needs: Vec<String>,
}

const DEMAND_COLUMNS: &str = "id, x, y, weight, need or id, longitude, latitude, weight, need";
const SERVICE_COLUMNS: &str =
    "id, x|longitude, y|latitude, capacity, needs (;-separated), active (optional)";
const COST_COLUMNS: &str = "origin, destination, cost";

/// Names a matrix's origin column may have (r5py writes `from_id`), lower case.
pub(crate) const ORIGIN_COLUMNS: &[&str] = &["origin", "from", "origin_id", "from_id"];
/// Names of the destination column (r5py: `to_id`).
pub(crate) const DESTINATION_COLUMNS: &[&str] = &["destination", "to", "destination_id", "to_id"];
/// Names of the cost column (r5py: `travel_time`).
pub(crate) const COST_VALUE_COLUMNS: &[&str] =
    &["cost", "minutes", "travel_time", "km", "distance"];

/// Reads demand sites.
pub fn read_demand_csv(reader: impl Read, file: &str) -> Result<DemandFile, AccessError> {
    let mut csv = csv_reader(reader);
    let header = Header::read(&mut csv, file)?;
    let (coordinates, x, y) = header.location(DEMAND_COLUMNS)?;
    let id = header.column(&["id"], DEMAND_COLUMNS)?;
    let weight = header.column(&["weight"], DEMAND_COLUMNS)?;
    let need = header.column(&["need"], DEMAND_COLUMNS)?;
    let mut needs = NeedNames::default();
    let mut sites = Vec::new();
    for row in Rows::new(&mut csv, file) {
        let row = row?;
        sites.push(DemandSite {
            id: row.text(id, "id")?.to_string(),
            location: row.location(coordinates, x, y)?,
            weight: row.quantity(weight, "weight")?,
            need: needs.index(row.text(need, "need")?),
        });
    }
    Ok(DemandFile {
        file: file.to_string(),
        coordinates,
        sites,
        needs: needs.names,
    })
}

/// Reads services; service ids must be unique.
pub fn read_services_csv(reader: impl Read, file: &str) -> Result<ServiceFile, AccessError> {
    let mut csv = csv_reader(reader);
    let header = Header::read(&mut csv, file)?;
    let (coordinates, x, y) = header.location(SERVICE_COLUMNS)?;
    let id = header.column(&["id"], SERVICE_COLUMNS)?;
    let capacity = header.column(&["capacity"], SERVICE_COLUMNS)?;
    let needs_column = header.column(&["needs"], SERVICE_COLUMNS)?;
    let active = header.find(&["active"]);
    let mut needs = NeedNames::default();
    let mut seen = HashMap::new();
    let mut services = Vec::new();
    for row in Rows::new(&mut csv, file) {
        let row = row?;
        let service_id = row.text(id, "id")?;
        if seen.insert(service_id.to_string(), row.line).is_some() {
            return Err(AccessError::Duplicate {
                file: file.to_string(),
                line: row.line,
                what: "service id",
                value: service_id.to_string(),
            });
        }
        services.push(ServiceSite {
            id: service_id.to_string(),
            location: row.location(coordinates, x, y)?,
            capacity: row.quantity(capacity, "capacity")?,
            needs: row.needs(needs_column, &mut needs)?,
            active: match active {
                Some(column) => row.flag(column, "active")?,
                None => true,
            },
        });
    }
    Ok(ServiceFile {
        file: file.to_string(),
        coordinates,
        services,
        needs: needs.names,
    })
}

/// Reads an origin-destination matrix.
pub fn read_travel_costs_csv(reader: impl Read, file: &str) -> Result<TravelCosts, AccessError> {
    let mut csv = csv_reader(reader);
    let header = Header::read(&mut csv, file)?;
    let origin = header.column(ORIGIN_COLUMNS, COST_COLUMNS)?;
    let destination = header.column(DESTINATION_COLUMNS, COST_COLUMNS)?;
    let cost_column = header.column(COST_VALUE_COLUMNS, COST_COLUMNS)?;
    let mut costs = TravelCosts::default();
    for row in Rows::new(&mut csv, file) {
        let row = row?;
        let from = row.text(origin, "origin")?;
        let to = row.text(destination, "destination")?;
        let cost = row.number(cost_column, "cost", "a finite cost >= 0")?;
        costs
            .insert(from, to, cost)
            .map_err(|rejection| rejection_error(file, row.line, from, to, cost, rejection))?;
    }
    Ok(costs)
}

/// Joins demand and services (and a matrix) into one problem: need names are merged, in
/// order of first appearance (demand first), and both files must use the same coordinates.
pub fn assemble_problem(
    demand: DemandFile,
    services: ServiceFile,
    travel_costs: Option<TravelCosts>,
) -> Result<AccessProblem, AccessError> {
    if demand.coordinates != services.coordinates {
        return Err(AccessError::MixedCoordinates {
            demand_file: demand.file,
            demand: demand.coordinates.name(),
            services_file: services.file,
            services: services.coordinates.name(),
        });
    }
    let mut needs = NeedNames {
        names: demand.needs,
        ..NeedNames::default()
    };
    needs.reindex();
    let service_need: Vec<usize> = services
        .needs
        .iter()
        .map(|name| needs.index(name))
        .collect();
    let services = services
        .services
        .into_iter()
        .map(|mut service| {
            service.needs = service.needs.iter().map(|&n| service_need[n]).collect();
            service
        })
        .collect();
    Ok(AccessProblem {
        coordinates: demand.coordinates,
        needs: needs.names,
        demand: demand.sites,
        services,
        travel_costs,
    })
}

/// Reads the files of the standalone command.
pub fn read_problem(
    demand: &Path,
    services: &Path,
    travel_costs: Option<&Path>,
) -> Result<AccessProblem, AccessError> {
    let demand = read_demand_csv(open(demand)?, &demand.display().to_string())?;
    let services = read_services_csv(open(services)?, &services.display().to_string())?;
    let travel_costs = match travel_costs {
        Some(path) => Some(read_travel_costs_csv(
            open(path)?,
            &path.display().to_string(),
        )?),
        None => None,
    };
    assemble_problem(demand, services, travel_costs)
}

fn open(path: &Path) -> Result<File, AccessError> {
    File::open(path).map_err(|source| AccessError::io(&path.display().to_string(), source))
}

/// Writes one row per demand site: `demand_id, need, nearest_service, nearest_distance,
/// services_in_reach, accessibility_2sfca, accessibility_e2sfca` (empty nearest fields when
/// the need has no suitable service).
pub fn write_access_csv(
    writer: impl Write,
    file: &str,
    problem: &AccessProblem,
    result: &AccessResult,
) -> Result<(), AccessError> {
    let mut csv = csv::Writer::from_writer(writer);
    for row in result.rows(problem) {
        csv.serialize(row)
            .map_err(|source| write_error(file, source))?;
    }
    csv.flush().map_err(|source| AccessError::io(file, source))
}

/// Writes one row per need with its totals.
pub fn write_need_summary_csv(
    writer: impl Write,
    file: &str,
    needs: &[NeedSummary],
) -> Result<(), AccessError> {
    let mut csv = csv::Writer::from_writer(writer);
    for need in needs {
        csv.serialize(need)
            .map_err(|source| write_error(file, source))?;
    }
    csv.flush().map_err(|source| AccessError::io(file, source))
}

fn write_error(file: &str, source: csv::Error) -> AccessError {
    AccessError::Csv {
        file: file.to_string(),
        line: 0,
        source,
    }
}

fn csv_reader<R: Read>(reader: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(reader)
}

/// Need names in order of first appearance.
#[derive(Default)]
struct NeedNames {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl NeedNames {
    fn index(&mut self, name: &str) -> usize {
        if let Some(&found) = self.index.get(name) {
            return found;
        }
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    fn reindex(&mut self) {
        self.index = self
            .names
            .iter()
            .enumerate()
            .map(|(k, name)| (name.clone(), k))
            .collect();
    }
}

/// A file's header: lower-cased column names.
struct Header {
    file: String,
    names: Vec<String>,
}

impl Header {
    fn read<R: Read>(csv: &mut csv::Reader<R>, file: &str) -> Result<Header, AccessError> {
        let record = csv.headers().map_err(|source| csv_error(file, source))?;
        Ok(Header {
            file: file.to_string(),
            names: record
                .iter()
                .map(|name| name.trim().to_lowercase())
                .collect(),
        })
    }

    fn find(&self, aliases: &[&str]) -> Option<usize> {
        self.names
            .iter()
            .position(|name| aliases.contains(&name.as_str()))
    }

    fn column(&self, aliases: &[&str], expected: &'static str) -> Result<usize, AccessError> {
        self.find(aliases)
            .ok_or_else(|| AccessError::MissingColumn {
                file: self.file.clone(),
                column: aliases.join("|"),
                expected,
            })
    }

    /// The coordinate columns: x/y (easting/northing) or longitude/latitude.
    fn location(&self, expected: &'static str) -> Result<(Coordinates, usize, usize), AccessError> {
        let grid = (self.find(&["x", "easting"]), self.find(&["y", "northing"]));
        let degrees = (
            self.find(&["longitude", "lon", "lng"]),
            self.find(&["latitude", "lat"]),
        );
        match (grid, degrees) {
            ((Some(x), Some(y)), (None, None)) => Ok((Coordinates::EastingNorthing, x, y)),
            ((None, None), (Some(x), Some(y))) => Ok((Coordinates::LonLat, x, y)),
            ((Some(_), Some(_)), _) => Err(AccessError::MissingColumn {
                file: self.file.clone(),
                column: "x|y or longitude|latitude, not both".to_string(),
                expected,
            }),
            _ => Err(AccessError::MissingColumn {
                file: self.file.clone(),
                column: "x and y, or longitude and latitude".to_string(),
                expected,
            }),
        }
    }
}

fn csv_error(file: &str, source: csv::Error) -> AccessError {
    AccessError::Csv {
        file: file.to_string(),
        line: source.position().map_or(0, |p| p.line()),
        source,
    }
}

/// The data rows of a file, with their line numbers.
struct Rows<'r, R> {
    records: csv::StringRecordsIter<'r, R>,
    file: &'r str,
}

impl<'r, R: Read> Rows<'r, R> {
    fn new(csv: &'r mut csv::Reader<R>, file: &'r str) -> Self {
        Rows {
            records: csv.records(),
            file,
        }
    }
}

impl<'r, R: Read> Iterator for Rows<'r, R> {
    type Item = Result<Row<'r>, AccessError>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = self.records.next()?;
        Some(
            record
                .map(|record| Row {
                    line: record.position().map_or(0, |p| p.line()),
                    record,
                    file: self.file,
                })
                .map_err(|source| csv_error(self.file, source)),
        )
    }
}

/// One data row.
struct Row<'f> {
    file: &'f str,
    line: u64,
    record: StringRecord,
}

impl Row<'_> {
    fn bad(&self, column: &str, value: &str, expected: &'static str) -> AccessError {
        AccessError::BadValue {
            file: self.file.to_string(),
            line: self.line,
            column: column.to_string(),
            value: value.to_string(),
            expected,
        }
    }

    fn raw(&self, column: usize) -> &str {
        self.record.get(column).unwrap_or("")
    }

    fn text(&self, column: usize, name: &str) -> Result<&str, AccessError> {
        let value = self.raw(column);
        if value.is_empty() {
            return Err(self.bad(name, value, "a non-empty value"));
        }
        Ok(value)
    }

    fn number(
        &self,
        column: usize,
        name: &str,
        expected: &'static str,
    ) -> Result<f64, AccessError> {
        let value = self.raw(column);
        match value.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(number),
            _ => Err(self.bad(name, value, expected)),
        }
    }

    fn quantity(&self, column: usize, name: &str) -> Result<f64, AccessError> {
        const EXPECTED: &str = "a number in 0..=1e12";
        let number = self.number(column, name, EXPECTED)?;
        if !is_quantity(number) {
            return Err(self.bad(name, self.raw(column), EXPECTED));
        }
        Ok(number)
    }

    fn location(
        &self,
        coordinates: Coordinates,
        x: usize,
        y: usize,
    ) -> Result<Location, AccessError> {
        let (x_name, y_name, x_expected, y_expected, x_limit, y_limit) = match coordinates {
            Coordinates::LonLat => (
                "longitude",
                "latitude",
                "a longitude in -180..=180",
                "a latitude in -90..=90",
                180.0,
                90.0,
            ),
            Coordinates::EastingNorthing => (
                "x",
                "y",
                "an easting in metres",
                "a northing in metres",
                1e9,
                1e9,
            ),
        };
        let x_value = self.number(x, x_name, x_expected)?;
        let y_value = self.number(y, y_name, y_expected)?;
        if x_value.abs() > x_limit {
            return Err(self.bad(x_name, self.raw(x), x_expected));
        }
        if y_value.abs() > y_limit {
            return Err(self.bad(y_name, self.raw(y), y_expected));
        }
        Ok(Location {
            x: x_value,
            y: y_value,
        })
    }

    fn needs(&self, column: usize, names: &mut NeedNames) -> Result<Vec<usize>, AccessError> {
        let value = self.raw(column);
        let parts: Vec<&str> = value.split(';').map(str::trim).collect();
        if parts.iter().any(|part| part.is_empty()) {
            return Err(self.bad("needs", value, "need names separated by ';'"));
        }
        let mut indices: Vec<usize> = parts.iter().map(|part| names.index(part)).collect();
        indices.sort_unstable();
        indices.dedup();
        Ok(indices)
    }

    fn flag(&self, column: usize, name: &str) -> Result<bool, AccessError> {
        let value = self.raw(column);
        match value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "1" => Ok(true),
            "false" | "no" | "n" | "0" => Ok(false),
            _ => Err(self.bad(name, value, "true or false (or yes/no, 1/0)")),
        }
    }
}

/// Writes a problem's demand sites in the layout [`read_demand_csv`] reads (lon/lat or
/// x/y by the problem's coordinates), so generated instances can be fed back in.
pub fn write_demand_csv(
    writer: impl Write,
    file: &str,
    problem: &AccessProblem,
) -> Result<(), AccessError> {
    let mut csv = csv::Writer::from_writer(writer);
    let (x, y) = coordinate_names(problem.coordinates);
    let write = |csv: &mut csv::Writer<_>, fields: &[&str]| {
        csv.write_record(fields).map_err(|s| write_error(file, s))
    };
    write(&mut csv, &["id", x, y, "weight", "need"])?;
    for site in &problem.demand {
        let need = problem.needs.get(site.need).map_or("", String::as_str);
        write(
            &mut csv,
            &[
                &site.id,
                &site.location.x.to_string(),
                &site.location.y.to_string(),
                &site.weight.to_string(),
                need,
            ],
        )?;
    }
    csv.flush().map_err(|source| AccessError::io(file, source))
}

/// Writes a problem's services in the layout [`read_services_csv`] reads.
pub fn write_services_csv(
    writer: impl Write,
    file: &str,
    problem: &AccessProblem,
) -> Result<(), AccessError> {
    let mut csv = csv::Writer::from_writer(writer);
    let (x, y) = coordinate_names(problem.coordinates);
    let write = |csv: &mut csv::Writer<_>, fields: &[&str]| {
        csv.write_record(fields).map_err(|s| write_error(file, s))
    };
    write(&mut csv, &["id", x, y, "capacity", "needs", "active"])?;
    for s in &problem.services {
        let needs: Vec<&str> = s
            .needs
            .iter()
            .filter_map(|&n| problem.needs.get(n).map(String::as_str))
            .collect();
        write(
            &mut csv,
            &[
                &s.id,
                &s.location.x.to_string(),
                &s.location.y.to_string(),
                &s.capacity.to_string(),
                &needs.join(";"),
                if s.active { "true" } else { "false" },
            ],
        )?;
    }
    csv.flush().map_err(|source| AccessError::io(file, source))
}

fn coordinate_names(coordinates: Coordinates) -> (&'static str, &'static str) {
    match coordinates {
        Coordinates::LonLat => ("longitude", "latitude"),
        Coordinates::EastingNorthing => ("x", "y"),
    }
}
