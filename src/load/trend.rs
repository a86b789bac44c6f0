//! Users over time by age band (optional), from the council's published series:
//! `period, date, age_band, users`, where `date` is ISO 8601 (YYYY-MM-DD).

use crate::io::records::Records;
use crate::model::TrendPoint;
use crate::problem::{Checked, Problems};

pub const COLUMNS: [&str; 4] = ["period", "date", "age_band", "users"];

pub fn load(table: &Records) -> Result<Checked<TrendPoint>, Problems> {
    let missing = table.check_required(&COLUMNS);
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut problems = table.rejected.clone();
    let mut points = Vec::new();
    for row in table.rows() {
        let before = problems.len();
        let period = row.required("period", &mut problems);
        let date = row.required("date", &mut problems);
        if let Some(d) = date {
            if !is_iso_date(d) {
                problems.push(row.problem("date", "is not a date in the form YYYY-MM-DD"));
            }
        }
        let age = row.required("age_band", &mut problems);
        let users = row.count("users", &mut problems);
        if let (Some(period), Some(date), Some(age), Some(users), true) =
            (period, date, age, users, problems.len() == before)
        {
            points.push(TrendPoint {
                period: period.to_string(),
                date: date.to_string(),
                age_band: age.to_string(),
                users,
            });
        }
    }
    Ok(Checked {
        records: points,
        rejected: problems,
    })
}

fn is_iso_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    matches!(parts.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2
        && y.parse::<u32>().is_ok()
        && m.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
        && d.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)))
}
