//! Population by district, age band and year (optional), in either of two layouts:
//!
//! - the **simple** layout: `area_code, area_name, age_band, population` and an optional
//!   `year` (without it, every row is for the data year);
//! - the **ONS subnational population projections** (SNPP) "Z1" persons file as ONS
//!   publish it: `AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP` (any case) and one
//!   column per year, single years of age `0` to `89`, `90 and over` and `All ages`, for
//!   every area in England. The run's districts are kept and their single years of age are
//!   summed into the configured age bands; other areas are not read.
//!
//! The layout is recognised by the header (an `AGE_GROUP` column means SNPP). Either way a
//! district of the run with no population, an age band or district the run does not know,
//! or a band whose ages are incomplete is a problem naming the file, line and value; any
//! problem stops the run (a left-out row would leave a total short). This
//! module reads and checks; it does not project anything ([`crate::analyse::projections`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::io::records::{Records, Row};
use crate::model::{AgeBand, Demand, District, PopulationRow};
use crate::problem::{Checked, Place, Problem, Problems};

/// The simple layout's columns (`year` is optional).
pub const COLUMNS: [&str; 4] = ["area_code", "area_name", "age_band", "population"];

/// The oldest single year of age in an SNPP file; older people are in `90 and over`.
const SNPP_OLDEST_SINGLE_AGE: u32 = 89;

/// What population rows are checked against.
#[derive(Debug, Clone, Copy)]
pub struct Expect<'a> {
    /// The configured age bands.
    pub bands: &'a [AgeBand],
    /// The run's districts, when the areas loaded.
    pub districts: Option<&'a [District]>,
    /// The year rows without a `year` column describe.
    pub data_year: i32,
}

impl Expect<'_> {
    fn district(&self, code: &str) -> Option<&District> {
        self.districts?.iter().find(|d| d.code == code)
    }

    fn district_list(&self) -> String {
        self.districts
            .unwrap_or_default()
            .iter()
            .map(|d| d.code.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn band_list(&self) -> String {
        self.bands
            .iter()
            .map(|b| b.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Reads a population file in either layout. Rows come back in district (file order of the
/// areas), age band (config order) and year order.
pub fn load(table: &Records, expect: &Expect) -> Result<Checked<PopulationRow>, Problems> {
    if find_column(table, "age_group").is_some() {
        load_snpp(table, expect)
    } else {
        let missing = table.check_required(&COLUMNS);
        if !missing.is_empty() {
            return Err(missing);
        }
        load_simple(table, expect)
    }
}

/// The actual name of a column, matched without regard to case.
fn find_column(table: &Records, name: &str) -> Option<String> {
    table
        .header
        .iter()
        .find(|h| h.eq_ignore_ascii_case(name))
        .cloned()
}

/// Population keyed by (district code, band index, year).
type Cells = BTreeMap<(String, usize, i32), f64>;

fn load_simple(table: &Records, expect: &Expect) -> Result<Checked<PopulationRow>, Problems> {
    let mut problems = table.rejected.clone();
    let mut cells = Cells::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut lines: BTreeMap<(String, usize, i32), u64> = BTreeMap::new();
    for row in table.rows() {
        let before = problems.len();
        let code = row.required("area_code", &mut problems);
        if let Some(c) = code {
            if expect.districts.is_some() && expect.district(c).is_none() {
                problems.push(row.problem(
                    "area_code",
                    format!(
                        "is not a district of the areas (expected one of {})",
                        expect.district_list()
                    ),
                ));
            }
        }
        let band = row.required("age_band", &mut problems).and_then(|b| {
            let found = expect.bands.iter().position(|x| x.label == b);
            if found.is_none() {
                problems.push(row.problem(
                    "age_band",
                    format!(
                        "is not one of the configured age bands ({}; set projections.age_bands)",
                        expect.band_list()
                    ),
                ));
            }
            found
        });
        let year = if row.has("year") {
            year_of(&row, &mut problems)
        } else {
            Some(expect.data_year)
        };
        let population = row.number("population", 0.0, 1.0e9, &mut problems);
        let (Some(code), Some(band), Some(year), Some(population)) = (code, band, year, population)
        else {
            continue;
        };
        if problems.len() > before {
            continue;
        }
        let key = (code.to_string(), band, year);
        if let Some(first) = lines.get(&key) {
            problems.push(row.problem(
                "age_band",
                format!("repeats the district, age band and year of line {first}"),
            ));
            continue;
        }
        lines.insert(key.clone(), row.line);
        names.insert(code.to_string(), row.text("area_name").to_string());
        cells.insert(key, population);
    }
    // A left-out row would leave a district's population short, so every problem stops.
    if !problems.is_empty() {
        return Err(problems);
    }
    let years: BTreeSet<i32> = cells.keys().map(|k| k.2).collect();
    let (rows, missing) = complete_rows(&table.file, &cells, &names, &years, expect);
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(Checked {
        records: rows,
        rejected: Problems::default(),
    })
}

fn year_of(row: &Row, problems: &mut Problems) -> Option<i32> {
    let t = row.required("year", problems)?;
    match t.parse::<i32>() {
        Ok(y) if (1900..=2200).contains(&y) => Some(y),
        _ => {
            problems.push(row.problem("year", "is not a year (expected such as 2030)"));
            None
        }
    }
}

/// Every district x band x year of the file as rows, or a problem for each one missing.
fn complete_rows(
    file: &str,
    cells: &Cells,
    names: &BTreeMap<String, String>,
    years: &BTreeSet<i32>,
    expect: &Expect,
) -> (Vec<PopulationRow>, Problems) {
    let mut problems = Problems::default();
    let codes: Vec<(String, String)> = match expect.districts {
        Some(ds) => ds
            .iter()
            .map(|d| (d.code.clone(), d.name.clone()))
            .collect(),
        None => names.iter().map(|(c, n)| (c.clone(), n.clone())).collect(),
    };
    let mut rows = Vec::new();
    for (code, name) in &codes {
        for (b, band) in expect.bands.iter().enumerate() {
            for &year in years {
                match cells.get(&(code.clone(), b, year)) {
                    Some(&population) => rows.push(PopulationRow {
                        area_code: code.clone(),
                        area_name: names.get(code).cloned().unwrap_or_else(|| name.clone()),
                        age_band: band.label.clone(),
                        year,
                        population,
                    }),
                    None => problems.push(Problem::new(
                        file,
                        Place::File,
                        format!(
                            "has no population for district {code} ({name}), age band {}, {year} (every district needs every age band in every year of the file)",
                            band.label
                        ),
                    )),
                }
            }
        }
    }
    (rows, problems)
}

/// The columns of an SNPP file: names as written, and the year columns.
struct SnppColumns {
    area_code: String,
    area_name: Option<String>,
    component: Option<String>,
    sex: Option<String>,
    age_group: String,
    years: Vec<(String, i32)>,
}

fn snpp_columns(table: &Records) -> Result<SnppColumns, Problems> {
    let mut problems = Problems::default();
    let header_problem = |m: String| Problem::new(&table.file, Place::Line(1), m);
    let area_code = find_column(table, "area_code");
    if area_code.is_none() {
        problems.push(header_problem(
            "required column \"AREA_CODE\" is missing (an ONS projections file has AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP and a column per year)".into(),
        ));
    }
    let years: Vec<(String, i32)> = table
        .header
        .iter()
        .filter_map(|h| {
            let y = h.trim().parse::<i32>().ok()?;
            (h.trim().len() == 4 && (1900..=2200).contains(&y)).then(|| (h.clone(), y))
        })
        .collect();
    if years.is_empty() {
        problems.push(header_problem(
            "has no year columns (expected one column per year, headed 2022, 2023, ...)".into(),
        ));
    }
    match (area_code, find_column(table, "age_group")) {
        (Some(area_code), Some(age_group)) if problems.is_empty() => Ok(SnppColumns {
            area_code,
            area_name: find_column(table, "area_name"),
            component: find_column(table, "component"),
            sex: find_column(table, "sex"),
            age_group,
            years,
        }),
        _ => Err(problems),
    }
}

/// An SNPP `AGE_GROUP`: a single year of age, `90 and over`, or `All ages` (not used).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgeGroup {
    Single(u32),
    NinetyAndOver,
    AllAges,
}

fn age_group(text: &str) -> Option<AgeGroup> {
    let t = text.trim().to_ascii_lowercase();
    match t.as_str() {
        "all ages" | "all" => Some(AgeGroup::AllAges),
        "90 and over" | "90+" => Some(AgeGroup::NinetyAndOver),
        _ => t
            .parse::<u32>()
            .ok()
            .filter(|a| *a <= SNPP_OLDEST_SINGLE_AGE)
            .map(AgeGroup::Single),
    }
}

/// The band index an age group falls in, `None` if in none; an error message if the group
/// straddles a band's end (`90 and over` into a band closed above 90).
fn band_of(group: AgeGroup, bands: &[AgeBand]) -> Result<Option<usize>, String> {
    match group {
        AgeGroup::AllAges => Ok(None),
        AgeGroup::Single(a) => Ok(bands.iter().position(|b| b.contains(a))),
        AgeGroup::NinetyAndOver => {
            let oldest = SNPP_OLDEST_SINGLE_AGE + 1;
            match bands.iter().position(|b| b.contains(oldest)) {
                Some(i) if bands[i].to.is_none() => Ok(Some(i)),
                Some(i) => Err(format!(
                    "cannot be split into age band {} (make the oldest band open-ended, such as \"65+\")",
                    bands[i].label
                )),
                None => Ok(None),
            }
        }
    }
}

/// The single age groups each band needs from an SNPP file.
fn groups_needed(band: &AgeBand) -> BTreeSet<Option<u32>> {
    let last = band.to.unwrap_or(SNPP_OLDEST_SINGLE_AGE + 1);
    (band.from..=last)
        .map(|a| (a <= SNPP_OLDEST_SINGLE_AGE).then_some(a))
        .collect()
}

fn load_snpp(table: &Records, expect: &Expect) -> Result<Checked<PopulationRow>, Problems> {
    let cols = snpp_columns(table)?;
    let mut problems = table.rejected.clone();
    let mut cells = Cells::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    // (district, age group) -> line, to find repeats and missing ages.
    let mut seen: BTreeMap<(String, Option<u32>), u64> = BTreeMap::new();
    for row in table.rows() {
        let code = row.text(&cols.area_code);
        let wanted = match expect.districts {
            Some(_) => expect.district(code).is_some(),
            None => !code.is_empty(),
        };
        if !wanted {
            continue;
        }
        if let Some(c) = &cols.component {
            if !row.text(c).eq_ignore_ascii_case("population") {
                problems.push(row.problem(c, "is not \"Population\" (expected the ONS projections Z1 file, which has only population rows)"));
                continue;
            }
        }
        if let Some(s) = &cols.sex {
            if !matches!(
                row.text(s).to_ascii_lowercase().as_str(),
                "persons" | "all persons" | "all"
            ) {
                problems.push(row.problem(s, "is not \"persons\" (expected the ONS projections Z1 persons file, not the males or females file)"));
                continue;
            }
        }
        let Some(group) = age_group(row.text(&cols.age_group)) else {
            problems.push(row.problem(
                &cols.age_group,
                "is not an age group (expected a single year of age 0 to 89, \"90 and over\" or \"All ages\")",
            ));
            continue;
        };
        let band = match band_of(group, expect.bands) {
            Ok(Some(b)) => b,
            Ok(None) => continue,
            Err(message) => {
                problems.push(row.problem(&cols.age_group, message));
                continue;
            }
        };
        let age = match group {
            AgeGroup::Single(a) => Some(a),
            _ => None,
        };
        if let Some(first) = seen.get(&(code.to_string(), age)) {
            problems.push(row.problem(
                &cols.age_group,
                format!("repeats the area and age group of line {first}"),
            ));
            continue;
        }
        let mut values = Vec::with_capacity(cols.years.len());
        for (column, year) in &cols.years {
            if let Some(v) = row.number(column, 0.0, 1.0e9, &mut problems) {
                values.push((*year, v));
            }
        }
        if values.len() < cols.years.len() {
            continue;
        }
        seen.insert((code.to_string(), age), row.line);
        if let Some(n) = &cols.area_name {
            names.insert(code.to_string(), row.text(n).to_string());
        }
        for (year, v) in values {
            *cells.entry((code.to_string(), band, year)).or_insert(0.0) += v;
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let missing = missing_ages(&table.file, &seen, expect);
    if !missing.is_empty() {
        return Err(missing);
    }
    let years: BTreeSet<i32> = cols.years.iter().map(|(_, y)| *y).collect();
    let (rows, missing) = complete_rows(&table.file, &cells, &names, &years, expect);
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(Checked {
        records: rows,
        rejected: Problems::default(),
    })
}

/// A problem for each district whose rows lack an age its bands need.
fn missing_ages(
    file: &str,
    seen: &BTreeMap<(String, Option<u32>), u64>,
    expect: &Expect,
) -> Problems {
    let mut problems = Problems::default();
    for d in expect.districts.unwrap_or_default() {
        if !seen.keys().any(|(c, _)| *c == d.code) {
            problems.push(Problem::new(
                file,
                Place::File,
                format!("has no rows for district {} ({}): is it the right file and vintage of district codes?", d.code, d.name),
            ));
            continue;
        }
        for band in expect.bands {
            let absent: Vec<String> = groups_needed(band)
                .into_iter()
                .filter(|age| !seen.contains_key(&(d.code.clone(), *age)))
                .map(|age| age.map_or_else(|| "90 and over".to_string(), |a| a.to_string()))
                .collect();
            if !absent.is_empty() {
                problems.push(Problem::new(
                    file,
                    Place::File,
                    format!(
                        "district {} ({}) has no rows for age group {} of age band {}",
                        d.code,
                        d.name,
                        absent.join(", "),
                        band.label
                    ),
                ));
            }
        }
    }
    problems
}

/// Problems with the population's years: the data year (today's rate per head is taken
/// there) and every configured projection year must be in the file.
pub fn check_years(
    file: &str,
    rows: &[PopulationRow],
    data_year: i32,
    configured_years: Option<&[i32]>,
) -> Problems {
    let have: BTreeSet<i32> = rows.iter().map(|r| r.year).collect();
    let list = have
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let mut problems = Problems::default();
    let mut need = vec![(
        data_year,
        "the data year, where today's rate per head is taken",
    )];
    need.extend(
        configured_years
            .unwrap_or_default()
            .iter()
            .map(|y| (*y, "a year in projections.years")),
    );
    let mut asked = BTreeSet::new();
    for (year, why) in need {
        if !have.contains(&year) && asked.insert(year) {
            problems.push(Problem::new(
                file,
                Place::File,
                format!("has no population for {year} ({why}); the file has {list}"),
            ));
        }
    }
    problems
}

/// Problems for demand rows whose age band is not a configured one: their rate per head
/// could not be taken.
pub fn check_demand_bands(demand: &Demand, demand_file: &str, bands: &[AgeBand]) -> Problems {
    let known = |b: &str| bands.iter().any(|x| x.label == b);
    let list = bands
        .iter()
        .map(|b| b.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<(u64, &str)> = match demand {
        Demand::People(p) => p.iter().map(|r| (r.line, r.age_band.as_str())).collect(),
        Demand::Aggregated(c) => c.iter().map(|r| (r.line, r.age_band.as_str())).collect(),
    };
    let mut problems = Problems::default();
    for (line, band) in rows.into_iter().filter(|(_, b)| !known(b)) {
        problems.push(
            Problem::new(demand_file, Place::Line(line), format!("is not one of the population's age bands ({list}; set projections.age_bands), so its rate per head cannot be taken"))
                .field("age_band")
                .value(band),
        );
    }
    problems
}

#[cfg(test)]
mod tests;
