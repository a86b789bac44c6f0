use super::*;
use geo::MultiPolygon;

fn district(code: &str, name: &str) -> District {
    District {
        code: code.into(),
        name: name.into(),
        geometry: MultiPolygon::new(Vec::new()),
    }
}

fn bands() -> Vec<AgeBand> {
    ["18-64", "65+"]
        .iter()
        .filter_map(|b| AgeBand::parse(b))
        .collect()
}

fn input(name: &str, text: &str) -> crate::io::records::Records {
    let file = crate::io::InputFile {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
    };
    crate::io::csv::read(&file, 1).expect("reads")
}

/// An SNPP Z1 persons file as ONS lay it out, for districts E1 and E2, a third area E9 the
/// run does not have, and a county row, years 2025 and 2030. The figure for single year of
/// age `a` is `a + 0.5` in 2025 and `2a` in 2030 for E1; `1000` for every age and year in E2.
/// "90 and over" is 100 (E1 2025), 300 (E1 2030) and 1000 (E2).
fn snpp_text(header: &str, skip_e2_age: Option<u32>) -> String {
    let mut t = format!("{header}\n");
    for (code, name) in [("E1", "West"), ("E9", "Elsewhere"), ("E2", "East")] {
        for age in 0..=89u32 {
            if code == "E2" && Some(age) == skip_e2_age {
                continue;
            }
            let (a, b) = match code {
                "E1" => (f64::from(age) + 0.5, 2.0 * f64::from(age)),
                _ => (1000.0, 1000.0),
            };
            t.push_str(&format!("{code},{name},Population,persons,{age},{a},{b}\n"));
        }
        let (a, b) = if code == "E1" {
            (100, 300)
        } else {
            (1000, 1000)
        };
        t.push_str(&format!(
            "{code},{name},Population,persons,90 and over,{a},{b}\n"
        ));
        t.push_str(&format!(
            "{code},{name},Population,persons,All ages,999999,999999\n"
        ));
    }
    t.push_str("E10000018,Leicestershire,Population,persons,All ages,1,1\n");
    t
}

fn value(rows: &[PopulationRow], code: &str, band: &str, year: i32) -> f64 {
    rows.iter()
        .find(|r| r.area_code == code && r.age_band == band && r.year == year)
        .map(|r| r.population)
        .unwrap_or(f64::NAN)
}

fn expect<'a>(bands: &'a [AgeBand], districts: &'a [District]) -> Expect<'a> {
    Expect {
        bands,
        districts: Some(districts),
        data_year: 2025,
    }
}

#[test]
fn snpp_single_years_sum_into_the_configured_bands() {
    let bands = bands();
    let districts = [district("E1", "West"), district("E2", "East")];
    let text = snpp_text(
        "AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2030",
        None,
    );
    let rows = load(&input("snpp.csv", &text), &expect(&bands, &districts))
        .expect("loads")
        .records;
    // 2 districts x 2 bands x 2 years, nothing for E9 or the county.
    assert_eq!(rows.len(), 8);
    // E1, 18-64, 2025: ages 18..=64 sum to (18 + 64) x 47 / 2 = 1927, plus 47 halves.
    assert_eq!(value(&rows, "E1", "18-64", 2025), 1950.5);
    // E1, 65+, 2025: ages 65..=89 sum to (65 + 89) x 25 / 2 = 1925, plus 25 halves, plus
    // 100 aged 90 and over.
    assert_eq!(value(&rows, "E1", "65+", 2025), 2037.5);
    // 2030: twice each age, so 2 x 1927 and 2 x 1925 + 300.
    assert_eq!(value(&rows, "E1", "18-64", 2030), 3854.0);
    assert_eq!(value(&rows, "E1", "65+", 2030), 4150.0);
    // E2: 47 ages x 1000, and 25 ages + 90 and over x 1000.
    assert_eq!(value(&rows, "E2", "18-64", 2025), 47_000.0);
    assert_eq!(value(&rows, "E2", "65+", 2030), 26_000.0);
    assert_eq!(rows[0].area_name, "West");
}

#[test]
fn snpp_header_case_does_not_matter() {
    let bands = bands();
    let districts = [district("E1", "West"), district("E2", "East")];
    let text = snpp_text(
        "area_code,area_name,component,sex,age_group,2025,2030",
        None,
    );
    let rows = load(&input("snpp.csv", &text), &expect(&bands, &districts))
        .expect("loads")
        .records;
    assert_eq!(value(&rows, "E1", "18-64", 2025), 1950.5);
}

#[test]
fn snpp_missing_district_and_missing_age_are_named() {
    let bands = bands();
    let districts = [
        district("E1", "West"),
        district("E2", "East"),
        district("E3", "North"),
    ];
    let text = snpp_text(
        "AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2030",
        Some(40),
    );
    let e = load(&input("snpp.csv", &text), &expect(&bands, &districts)).unwrap_err();
    let messages: Vec<String> = e.listed.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "snpp.csv: district E2 (East) has no rows for age group 40 of age band 18-64",
            "snpp.csv: has no rows for district E3 (North): is it the right file and vintage of district codes?",
        ]
    );
}

#[test]
fn snpp_bad_age_group_and_males_file_are_named() {
    let bands = bands();
    let districts = [district("E1", "West"), district("E2", "East")];
    let text = snpp_text(
        "AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2030",
        None,
    )
    .replacen(
        "E1,West,Population,persons,7,",
        "E1,West,Population,persons,seven,",
        1,
    )
    .replacen(
        "E2,East,Population,persons,3,",
        "E2,East,Population,males,3,",
        1,
    );
    let e = load(&input("snpp.csv", &text), &expect(&bands, &districts)).unwrap_err();
    let messages: Vec<String> = e.listed.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "snpp.csv:9: column AGE_GROUP: \"seven\" is not an age group (expected a single year of age 0 to 89, \"90 and over\" or \"All ages\")",
            "snpp.csv:189: column SEX: \"males\" is not \"persons\" (expected the ONS projections Z1 persons file, not the males or females file)",
        ]
    );
}

#[test]
fn ninety_and_over_cannot_be_split_into_a_closed_band() {
    let bands: Vec<AgeBand> = ["18-64", "65-94"]
        .iter()
        .filter_map(|b| AgeBand::parse(b))
        .collect();
    let districts = [district("E1", "West"), district("E2", "East")];
    let text = snpp_text(
        "AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2030",
        None,
    );
    let e = load(&input("snpp.csv", &text), &expect(&bands, &districts)).unwrap_err();
    assert!(e.listed[0]
        .to_string()
        .contains("\"90 and over\" cannot be split into age band 65-94"));
}

#[test]
fn simple_layout_without_year_is_the_data_year() {
    let bands = bands();
    let districts = [district("E1", "West"), district("E2", "East")];
    let text = "area_code,area_name,age_band,population,source\nE1,West,18-64,100,x\nE1,West,65+,40.5,x\nE2,East,18-64,200,x\nE2,East,65+,80,x\n";
    let rows = load(&input("pop.csv", text), &expect(&bands, &districts))
        .expect("loads")
        .records;
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.year == 2025));
    assert_eq!(value(&rows, "E1", "65+", 2025), 40.5);
}

#[test]
fn simple_layout_names_unknown_district_band_and_missing_cells() {
    let bands = bands();
    let districts = [district("E1", "West"), district("E2", "East")];
    let text = "area_code,area_name,age_band,population,year\nE1,West,18-64,100,2025\nE1,West,all,140,2025\nE7,Far,18-64,5,2025\nE1,West,65+,40,2025\nE2,East,18-64,200,2025\nE1,West,18-64,100,2025\n";
    let e = load(&input("pop.csv", text), &expect(&bands, &districts)).unwrap_err();
    let messages: Vec<String> = e.listed.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "pop.csv:3: column age_band: \"all\" is not one of the configured age bands (18-64, 65+; set projections.age_bands)",
            "pop.csv:4: column area_code: \"E7\" is not a district of the areas (expected one of E1, E2)",
            "pop.csv:7: column age_band: \"18-64\" repeats the district, age band and year of line 2",
        ]
    );
    let text = "area_code,area_name,age_band,population,year\nE1,West,18-64,100,2025\nE1,West,65+,40,2025\nE2,East,18-64,200,2025\n";
    let e = load(&input("pop.csv", text), &expect(&bands, &districts)).unwrap_err();
    assert_eq!(
        e.listed[0].to_string(),
        "pop.csv: has no population for district E2 (East), age band 65+, 2025 (every district needs every age band in every year of the file)"
    );
}

#[test]
fn years_needed_are_checked() {
    let rows = vec![PopulationRow {
        area_code: "E1".into(),
        area_name: "West".into(),
        age_band: "18-64".into(),
        year: 2030,
        population: 1.0,
    }];
    let p = check_years("pop.csv", &rows, 2025, Some(&[2030, 2040]));
    let messages: Vec<String> = p.listed.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        vec![
            "pop.csv: has no population for 2025 (the data year, where today's rate per head is taken); the file has 2030",
            "pop.csv: has no population for 2040 (a year in projections.years); the file has 2030",
        ]
    );
}

#[test]
fn age_bands_parse_and_contain() {
    let b = AgeBand::parse("18-64").expect("band");
    assert!(b.contains(18) && b.contains(64) && !b.contains(17) && !b.contains(65));
    let old = AgeBand::parse("65+").expect("band");
    assert!(old.contains(65) && old.contains(120) && !old.contains(64));
    assert!(!b.overlaps(&old));
    assert!(AgeBand::parse("60-70").expect("band").overlaps(&old));
    assert_eq!(AgeBand::parse("64-18"), None);
    assert_eq!(AgeBand::parse("adults"), None);
}
