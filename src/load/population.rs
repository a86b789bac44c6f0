//! Population by area and age band (optional): `area_code, area_name, age_band, population`.

use crate::io::csv::CsvTable;
use crate::io::InputFile;
use crate::model::PopulationRow;
use crate::problem::{Checked, Problems};

pub const COLUMNS: [&str; 4] = ["area_code", "area_name", "age_band", "population"];

pub fn load(input: &InputFile) -> Result<Checked<PopulationRow>, Problems> {
    let table = CsvTable::parse(input, &COLUMNS)?;
    let mut problems = table.rejected.clone();
    let mut rows = Vec::new();
    for row in table.rows() {
        let code = row.required("area_code", &mut problems);
        let age = row.required("age_band", &mut problems);
        let population = row.number("population", 0.0, 1.0e9, &mut problems);
        if let (Some(code), Some(age), Some(population)) = (code, age, population) {
            rows.push(PopulationRow {
                area_code: code.to_string(),
                area_name: row.text("area_name").to_string(),
                age_band: age.to_string(),
                population: population.round() as u64,
            });
        }
    }
    Ok(Checked {
        records: rows,
        rejected: problems,
    })
}
