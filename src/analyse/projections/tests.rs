//! A two-district case worked by hand: every expected figure below is computed in the
//! comments from the inputs, not taken from the program.

use geo::{MultiPolygon, Point};

use super::*;
use crate::config::Origin;
use crate::model::{DemandStatus, District, PersonNeed, PopulationRow};
use crate::problem::Problems;

const CONFIG: &str = r#"
title = "Two districts"
label = "T"
data_date = "2025-06-30"

[inputs]
services = "s.csv"
areas = "a.geojson"
demand = "p.csv"
population = "pop.csv"
users_trend = "trend.csv"

[projections]
age_bands = ["18-64", "65+"]
years = [2025, 2035]
trend = true

[[projections.prevalence]]
lot = "ld"
age_band = "18-64"
rate = 0.01
source = "test"

[[projections.prevalence]]
lot = "ld"
age_band = "65+"
rate = 0.02
source = "test"

[[projections.prevalence]]
lot = "pa"
age_band = "65+"
rate = 0.005
source = "test"

[[lots]]
id = "ld"
label = "Learning disability"
unit = "places"

[[lots]]
id = "pa"
label = "Managed PA"
unit = "hours"

[[service_types]]
id = "day"
label = "Day"
unit = "places"

[[bands]]
id = "D"
label = "D"
full_day = 1.0
"#;

fn district(code: &str) -> District {
    District {
        code: code.into(),
        name: code.into(),
        geometry: MultiPolygon::new(Vec::new()),
    }
}

fn pop(code: &str, band: &str, year: i32, population: f64) -> PopulationRow {
    PopulationRow {
        area_code: code.into(),
        area_name: code.into(),
        age_band: band.into(),
        year,
        population,
    }
}

/// `n` people of one district, lot, band and status, each with `hours` (PA lot) a week.
fn people(
    rows: &mut Vec<(PersonNeed, usize)>,
    district: usize,
    lot: usize,
    band: &str,
    status: DemandStatus,
    hours: &[f64],
) {
    for h in hours {
        let i = rows.len();
        rows.push((
            PersonNeed {
                at: Default::default(),
                person_id: format!("P{i}"),
                location: Point::new(0.0, 0.0),
                age_band: band.into(),
                primary_need: lot,
                lot,
                status,
                band: None,
                days_per_week: 1.0,
                hours_per_week: *h,
                additional_hours_per_week: 0.0,
                service_id: None,
                line: i as u64 + 2,
            },
            district,
        ));
    }
}

fn trend_point(date: &str, band: &str, users: u32) -> TrendPoint {
    TrendPoint {
        period: date.into(),
        date: date.into(),
        age_band: band.into(),
        users,
    }
}

fn case() -> (Config, Inputs, Placement, Vec<GapCell>) {
    let config = Config::parse("t.toml", CONFIG, Origin::EmbeddedSample).expect("config");
    use DemandStatus::{Current, Waiting};
    let mut rows = Vec::new();
    // West (0): ld 18-64 four current and one waiting, ld 65+ two current;
    // pa 18-64 two people of 10 and 6 hours, pa 65+ one person of 4 hours.
    people(&mut rows, 0, 0, "18-64", Current, &[0.0; 4]);
    people(&mut rows, 0, 0, "18-64", Waiting, &[0.0]);
    people(&mut rows, 0, 0, "65+", Current, &[0.0; 2]);
    people(&mut rows, 0, 1, "18-64", Current, &[10.0, 6.0]);
    people(&mut rows, 0, 1, "65+", Current, &[4.0]);
    // East (1): ld 18-64 three current, ld 65+ one waiting; pa 65+ two people of 5 hours.
    people(&mut rows, 1, 0, "18-64", Current, &[0.0; 3]);
    people(&mut rows, 1, 0, "65+", Waiting, &[0.0]);
    people(&mut rows, 1, 1, "65+", Current, &[5.0, 5.0]);
    let (people, person_district): (Vec<PersonNeed>, Vec<usize>) = rows.into_iter().unzip();
    let inputs = Inputs {
        services: Vec::new(),
        areas: Vec::new(),
        area_points: Vec::new(),
        districts: vec![district("E1"), district("E2")],
        demand: Demand::People(people),
        population: vec![
            pop("E1", "18-64", 2025, 1000.0),
            pop("E1", "18-64", 2035, 1100.0),
            pop("E1", "65+", 2025, 200.0),
            pop("E1", "65+", 2035, 300.0),
            pop("E2", "18-64", 2025, 500.0),
            pop("E2", "18-64", 2035, 450.0),
            pop("E2", "65+", 2025, 100.0),
            pop("E2", "65+", 2035, 160.0),
        ],
        // 18-64 grows 10% a year; 65+ falls 10% a year.
        trend: vec![
            trend_point("2020-01-01", "18-64", 100),
            trend_point("2021-01-01", "18-64", 110),
            trend_point("2022-01-01", "18-64", 121),
            trend_point("2020-01-01", "65+", 100),
            trend_point("2021-01-01", "65+", 90),
            trend_point("2022-01-01", "65+", 81),
        ],
        records: Vec::new(),
        rejected: Problems::default(),
        demand_name: "p.csv".into(),
        notes: Vec::new(),
    };
    let placement = Placement {
        service_area: Vec::new(),
        service_district: Vec::new(),
        person_area: person_district.clone(),
        person_district,
        cell_district: Vec::new(),
        warnings: Vec::new(),
    };
    // Supply: West ld 6 places, pa 20 hours; East ld 2 places, pa none.
    let gap = |district, lot, supply| GapCell {
        district,
        lot,
        services: 1,
        supply,
        current_users: 0,
        waiting: 0,
        current_units: 0.0,
        waiting_units: 0.0,
    };
    let gaps = vec![
        gap(0, 0, 6.0),
        gap(0, 1, 20.0),
        gap(1, 0, 2.0),
        gap(1, 1, 0.0),
    ];
    (config, inputs, placement, gaps)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

struct Want {
    population: f64,
    expected: f64,
    known: u32,
    people: f64,
    demand: f64,
    gap: f64,
    reach: f64,
}

#[test]
fn two_districts_worked_by_hand() {
    let (config, inputs, placement, gaps) = case();
    let f = compute(&config, &inputs, &placement, &gaps).expect("projections");
    assert_eq!(f.base_year, 2025);
    assert_eq!(f.years, vec![2025, 2035]);
    assert!(f.left_out_years.is_empty());
    // Growth 2025 to 2035: West 18-64 1100/1000 = 1.1, 65+ 300/200 = 1.5;
    // East 18-64 450/500 = 0.9, 65+ 160/100 = 1.6.
    let want = [
        // West ld 2025: expected 1000 x 0.01 + 200 x 0.02 = 14; known 5 + 2 = 7; reach 7/14;
        // demand 7; gap 7 - 6 = 1.
        (
            (0, 0, 2025),
            Want {
                population: 1200.0,
                expected: 14.0,
                known: 7,
                people: 7.0,
                demand: 7.0,
                gap: 1.0,
                reach: 0.5,
            },
        ),
        // West ld 2035: expected 1100 x 0.01 + 300 x 0.02 = 17; people 5 x 1.1 + 2 x 1.5 = 8.5;
        // gap 8.5 - 6 = 2.5; reach is today's known over this year's expected, 7/17.
        (
            (0, 0, 2035),
            Want {
                population: 1400.0,
                expected: 17.0,
                known: 7,
                people: 8.5,
                demand: 8.5,
                gap: 2.5,
                reach: 7.0 / 17.0,
            },
        ),
        // West pa 2025: expected 200 x 0.005 = 1 (no 18-64 rate); known 3; demand 10 + 6 + 4
        // = 20 hours; gap 20 - 20 = 0.
        (
            (0, 1, 2025),
            Want {
                population: 1200.0,
                expected: 1.0,
                known: 3,
                people: 3.0,
                demand: 20.0,
                gap: 0.0,
                reach: 3.0,
            },
        ),
        // West pa 2035: expected 300 x 0.005 = 1.5; people 2 x 1.1 + 1 x 1.5 = 3.7;
        // hours 16 x 1.1 + 4 x 1.5 = 23.6; gap 3.6.
        (
            (0, 1, 2035),
            Want {
                population: 1400.0,
                expected: 1.5,
                known: 3,
                people: 3.7,
                demand: 23.6,
                gap: 3.6,
                reach: 2.0,
            },
        ),
        // East ld 2025: expected 500 x 0.01 + 100 x 0.02 = 7; known 4; gap 4 - 2 = 2.
        (
            (1, 0, 2025),
            Want {
                population: 600.0,
                expected: 7.0,
                known: 4,
                people: 4.0,
                demand: 4.0,
                gap: 2.0,
                reach: 4.0 / 7.0,
            },
        ),
        // East ld 2035: expected 450 x 0.01 + 160 x 0.02 = 7.7; people 3 x 0.9 + 1 x 1.6 = 4.3;
        // gap 2.3.
        (
            (1, 0, 2035),
            Want {
                population: 610.0,
                expected: 7.7,
                known: 4,
                people: 4.3,
                demand: 4.3,
                gap: 2.3,
                reach: 4.0 / 7.7,
            },
        ),
        // East pa 2025: expected 100 x 0.005 = 0.5; known 2; 10 hours, no supply: gap 10.
        (
            (1, 1, 2025),
            Want {
                population: 600.0,
                expected: 0.5,
                known: 2,
                people: 2.0,
                demand: 10.0,
                gap: 10.0,
                reach: 4.0,
            },
        ),
        // East pa 2035: expected 160 x 0.005 = 0.8; people 2 x 1.6 = 3.2; hours 10 x 1.6 = 16.
        (
            (1, 1, 2035),
            Want {
                population: 610.0,
                expected: 0.8,
                known: 2,
                people: 3.2,
                demand: 16.0,
                gap: 16.0,
                reach: 2.5,
            },
        ),
    ];
    assert_eq!(f.cells.len(), want.len());
    for (cell, ((d, lot, year), w)) in f.cells.iter().zip(want) {
        let at = format!("district {d} lot {lot} year {year}");
        assert_eq!((cell.district, cell.lot, cell.year), (d, lot, year), "{at}");
        assert!(
            close(cell.population, w.population),
            "{at}: population {}",
            cell.population
        );
        assert!(
            close(cell.expected_people.expect("rate"), w.expected),
            "{at}: expected {:?}",
            cell.expected_people
        );
        assert_eq!(cell.known_people, w.known, "{at}");
        assert!(close(cell.people, w.people), "{at}: people {}", cell.people);
        assert!(close(cell.demand, w.demand), "{at}: demand {}", cell.demand);
        assert!(close(cell.gap(), w.gap), "{at}: gap {}", cell.gap());
        assert!(
            close(cell.reach().expect("reach"), w.reach),
            "{at}: reach {:?}",
            cell.reach()
        );
    }
}

#[test]
fn trend_scenario_follows_the_fitted_annual_change() {
    let (config, inputs, placement, gaps) = case();
    let f = compute(&config, &inputs, &placement, &gaps).expect("projections");
    let fits = f.trend.as_ref().expect("trend configured");
    // 100, 110, 121 a year apart: ln rises by ln 1.1 a year exactly, so +10% a year;
    // 100, 90, 81: -10% a year.
    assert!(close(fits[0].annual_change.expect("fit"), 0.1));
    assert!(close(fits[1].annual_change.expect("fit"), -0.1));
    assert_eq!(fits[0].points, 3);
    // West ld 2035: 5 x 1.1^10 + 2 x 0.9^10 = 5 x 2.5937424601 + 2 x 0.3486784401
    // = 12.9687123005 + 0.6973568802 = 13.6660691807.
    let west_ld_2035 = &f.cells[1];
    assert_eq!((west_ld_2035.lot, west_ld_2035.year), (0, 2035));
    let t = west_ld_2035.trend_people.expect("trend");
    assert!((t - 13.666_069_180_7).abs() < 1e-9, "{t}");
    // In the data year the trend scenario is today's demand: West pa 20 hours.
    assert!(close(f.cells[2].trend_demand.expect("trend"), 20.0));
}

#[test]
fn default_years_without_population_are_left_out_and_said() {
    let (mut config, inputs, placement, gaps) = case();
    config.file.projections.years = None;
    let f = compute(&config, &inputs, &placement, &gaps).expect("projections");
    // Defaults 2025, 2030, 2035, 2040; the population has only 2025 and 2035.
    assert_eq!(f.years, vec![2025, 2035]);
    assert_eq!(f.left_out_years, vec![2030, 2040]);
}
