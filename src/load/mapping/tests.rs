use super::*;
use crate::config::{Config, Origin};
use crate::io::InputFile;
use crate::problem::Place;

const CONFIG: &str = r#"
title = "Mapping test"
label = "T"
data_date = "2025-06-30"

[inputs]
services = "services.csv"
areas = "areas.geojson"
demand = "events.csv"

[areas]
code_property = "code"
name_property = "name"

[[lots]]
id = "ld"
label = "Learning disability"
unit = "places"

[[service_types]]
id = "day"
label = "Day service"
unit = "places"

[[bands]]
id = "D"
label = "Day band"
full_day = 100.0
"#;

const SPEC: &str = r#"
file = "events.csv"
columns = { person_id = "id" }
band_from_cost = { column = "cost" }
status_from_dates = { start = "start", end = "end" }

[[lot_rules]]
lot = "ld"
when = { psr = "LD", component = "Day Care" }

[[lot_rules]]
lot = "none"
when = { component = "Home Care" }

[[lot_rules]]
lot = "none"
when = { psr = "Substance misuse" }
"#;

fn mapped(csv: &str) -> Mapped {
    let config = Config::parse("test.toml", CONFIG, Origin::EmbeddedSample).expect("config");
    let spec: InputSpec = toml::from_str(SPEC).expect("spec");
    let input = InputFile {
        name: "events.csv".into(),
        bytes: csv.as_bytes().to_vec(),
    };
    read(&input, &spec, &[], &Context::of(&config, "demand", &[])).expect("mapped")
}

#[test]
fn a_row_a_lot_rule_leaves_out_is_not_checked_further() {
    // Line 2 is kept (band D from its cost). Lines 3 to 6 are home care or substance misuse
    // support, which the rules leave out: their costs are no band's rate (3, 6) or no cost
    // at all (4), and line 5's start date is not a date, but none of that matters for a row
    // that is not used. Line 7 ended before the data date. Line 8 is kept by the rules and
    // its cost is no band's rate: that is a problem.
    let m = mapped(
        "id,psr,component,cost,start,end
A1,LD,Day Care,100,2025-01-06,
A2,LD,Home Care,24.50,2025-01-06,
A3,LD,Home Care,,2025-01-06,
A4,LD,Home Care,24.50,soon,
A5,Substance misuse,Day Care,45,2025-01-06,
A6,LD,Day Care,100,2024-01-08,2025-06-29
A7,LD,Day Care,55,2025-01-06,
",
    );
    let kept: Vec<(&str, &str, &str)> = m
        .records
        .rows()
        .map(|r| (r.text("person_id"), r.text("lot"), r.text("band")))
        .collect();
    assert_eq!(kept, [("A1", "ld", "D")]);
    let problems: Vec<(&Place, Option<&str>)> = m
        .records
        .rejected
        .listed
        .iter()
        .map(|p| (&p.place, p.value.as_deref()))
        .collect();
    assert_eq!(problems, [(&Place::Line(8), Some("55"))]);
    let notes: Vec<(usize, &str)> = m.notes.iter().map(|n| (n.count, n.what.as_str())).collect();
    assert_eq!(
        notes,
        [
            (4, "rows a lot rule leaves out (lot = \"none\")"),
            (1, "rows ended before the data date (2025-06-30)"),
        ]
    );
}
