//! `gapmap inspect`: what a council's file holds, and a first mapping for the config.
//!
//! For each column: its type (number, date or text), how many cells are blank, and its
//! distinct values with counts. Columns that look like identifiers, names, dates of birth,
//! postcodes or addresses (by heading, or because nearly every row differs) show counts
//! only, never values: the file describes real people. The proposed mapping matches
//! gapmap's column names, and Client Level Data's field names, to the file's headings.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::io::records::{normalise, Records};
use crate::load::mapping::Date;
use crate::load::{cld, demand, services};

/// Most values listed for one column.
const MAX_VALUES: usize = 12;

/// Words in a heading that mark personal data, shown as counts only (coordinates too: in
/// person-level files they are where someone lives).
const PERSONAL: &[&str] = &[
    "id",
    "identifier",
    "ref",
    "nhs",
    "name",
    "birth",
    "dob",
    "postcode",
    "post code",
    "address",
    "uprn",
    "telephone",
    "latitude",
    "longitude",
    "lat",
    "lon",
    "long",
    "easting",
    "northing",
];

/// What a column holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSummary {
    pub heading: String,
    pub kind: &'static str,
    pub blank: usize,
    pub distinct: usize,
    /// Values with counts, most common first; empty for personal columns.
    pub values: Vec<(String, usize)>,
    pub personal: bool,
}

/// Summarises every column of the records.
pub fn summarise(records: &Records) -> Vec<ColumnSummary> {
    let n = records.rows.len();
    records
        .header
        .iter()
        .enumerate()
        .filter(|(_, h)| !h.is_empty())
        .map(|(i, heading)| {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            let mut blank = 0;
            for r in 0..n {
                let v = records.cell(r, i);
                if v.is_empty() {
                    blank += 1;
                } else {
                    *counts.entry(v).or_default() += 1;
                }
            }
            let filled: Vec<&str> = counts.keys().copied().collect();
            let kind = if filled.is_empty() {
                "empty"
            } else if filled.iter().all(|v| v.parse::<f64>().is_ok()) {
                "number"
            } else if filled
                .iter()
                .all(|v| v.contains(['-', '/']) && Date::parse(v).is_some())
            {
                "date"
            } else {
                "text"
            };
            let lower = heading.to_lowercase();
            let named_personal = PERSONAL.iter().any(|w| {
                lower
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|part| part == *w)
                    || (w.contains(' ') && lower.contains(w))
            }) || lower.contains("birth");
            let mostly_unique = n >= 20 && counts.len() * 10 >= (n - blank) * 9 && kind != "number";
            let personal =
                named_personal || mostly_unique || kind == "date" && lower.contains("birth");
            let mut values: Vec<(String, usize)> = if personal {
                Vec::new()
            } else {
                counts.iter().map(|(v, c)| (v.to_string(), *c)).collect()
            };
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            ColumnSummary {
                heading: heading.clone(),
                kind,
                blank,
                distinct: counts.len(),
                values,
                personal,
            }
        })
        .collect()
}

/// Other names councils use for gapmap's columns, compared after [`normalise`] with
/// spaces, underscores and hyphens removed.
const SYNONYMS: [(&str, &[&str]); 22] = [
    (
        "service_id",
        &[
            "serviceref",
            "servicereference",
            "serviceno",
            "servicecode",
            "locationid",
        ],
    ),
    (
        "provider_id",
        &[
            "providerref",
            "providerreference",
            "providercode",
            "providerno",
        ],
    ),
    (
        "provider_name",
        &[
            "provider",
            "providername",
            "organisation",
            "organisationname",
            "company",
        ],
    ),
    (
        "service_name",
        &["servicename", "service", "location", "locationname", "site"],
    ),
    ("service_type", &["servicetype", "type", "typeofservice"]),
    (
        "lots",
        &["lots", "lot", "frameworklot", "frameworklots", "categories"],
    ),
    (
        "capacity",
        &[
            "capacity",
            "places",
            "placesperday",
            "hoursperweek",
            "capacityplaces",
        ],
    ),
    (
        "current_users",
        &[
            "currentusers",
            "users",
            "clients",
            "currentclients",
            "peoplesupported",
        ],
    ),
    ("bands", &["bands", "bandsoffered", "band"]),
    ("status", &["status", "servicestatus"]),
    ("postcode", &["postcode", "postalcode", "pcode"]),
    ("latitude", &["latitude", "lat"]),
    ("longitude", &["longitude", "long", "lon", "lng"]),
    ("easting", &["easting", "x", "eastings"]),
    ("northing", &["northing", "y", "northings"]),
    (
        "area_code",
        &[
            "lsoa", "lsoacode", "lsoa11cd", "lsoa21cd", "oa", "oacode", "oa11cd", "oa21cd",
        ],
    ),
    (
        "person_id",
        &[
            "personid",
            "clientid",
            "clientref",
            "personref",
            "mosaicid",
            "laspersonid",
        ],
    ),
    ("lot", &["lot", "need", "needcategory", "frameworklot"]),
    (
        "primary_need",
        &["primaryneed", "primarysupportreason", "psr"],
    ),
    ("age_band", &["ageband", "agegroup"]),
    ("days_per_week", &["daysperweek", "days", "sessionsperweek"]),
    ("hours_per_week", &["hoursperweek", "hours", "weeklyhours"]),
];

fn squash(text: &str) -> String {
    normalise(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The input the file most looks like: `demand` in Client Level Data layout, `services`,
/// or person-level `demand`.
pub fn guess_role(records: &Records) -> (&'static str, bool) {
    let headings: Vec<String> = records.header.iter().map(|h| squash(h)).collect();
    let cld_hits = cld::FIELDS
        .iter()
        .filter(|names| names.iter().any(|n| headings.contains(&squash(n))))
        .count();
    if cld_hits >= 4 {
        return ("demand", true);
    }
    let hits = |columns: &[&str]| {
        columns
            .iter()
            .filter(|c| exact_heading(records, c).is_some())
            .count()
    };
    let services = hits(&[
        "service_id",
        "provider_id",
        "provider_name",
        "service_name",
        "capacity",
        "current_users",
        "bands",
        "lots",
    ]);
    let people = hits(&[
        "person_id",
        "age_band",
        "primary_need",
        "days_per_week",
        "hours_per_week",
        "lot",
    ]);
    if services > people {
        ("services", false)
    } else {
        ("demand", false)
    }
}

/// The names a gapmap column goes by: its own and its synonyms, squashed.
fn names_of(column: &str) -> Vec<String> {
    std::iter::once(squash(column))
        .chain(
            SYNONYMS
                .iter()
                .filter(|(c, _)| *c == column)
                .flat_map(|(_, s)| s.iter().map(|s| s.to_string())),
        )
        .collect()
}

/// The file's heading that is one of a gapmap column's names.
fn exact_heading<'a>(records: &'a Records, column: &str) -> Option<&'a String> {
    let names = names_of(column);
    records
        .header
        .iter()
        .find(|h| !h.is_empty() && names.contains(&squash(h)))
}

/// The file's heading that matches a gapmap column, if any: one of its names, or else a
/// heading that contains one of its longer names ("Places per Day" for capacity).
fn proposed_heading<'a>(records: &'a Records, column: &str) -> Option<&'a String> {
    let names = names_of(column);
    exact_heading(records, column).or_else(|| {
        records.header.iter().find(|h| {
            let h = squash(h);
            names.iter().any(|n| n.len() >= 5 && h.contains(n.as_str()))
        })
    })
}

/// The file's heading for a CLD field: one of the field's spellings; for the person, a
/// heading gapmap reads as a person id ("Person ID", "Client Ref"); else the end of the
/// field's name ("Start Date" for Event_Start_Date).
fn cld_heading<'a>(records: &'a Records, names: &[&str]) -> Option<&'a String> {
    let spellings: Vec<String> = names.iter().map(|n| squash(n)).collect();
    let headings = || records.header.iter().filter(|h| !h.is_empty());
    headings()
        .find(|h| spellings.contains(&squash(h)))
        .or_else(|| {
            (names == cld::PERSON_ID)
                .then(|| exact_heading(records, "person_id"))
                .flatten()
        })
        .or_else(|| {
            headings().find(|h| {
                let h = squash(h);
                h.len() >= 7 && spellings.iter().any(|s| s.ends_with(&h))
            })
        })
}

/// The text `gapmap inspect` prints: a summary of each column and a proposed mapping.
pub fn report(records: &Records, file_name: &str, sheets: &[String]) -> String {
    let mut s = String::new();
    let n = records.rows.len();
    let _ = write!(s, "{}", records.file);
    if let Some(sheet) = &records.sheet {
        let listed: Vec<String> = sheets.iter().map(|n| format!("{n:?}")).collect();
        let _ = write!(s, ", sheet {sheet:?} (sheets: {})", listed.join(", "));
    }
    let _ = writeln!(
        s,
        "\nheadings on {} {}; {n} rows of data\n",
        if records.sheet.is_some() {
            "row"
        } else {
            "line"
        },
        records.header_line
    );
    for c in summarise(records) {
        let _ = writeln!(
            s,
            "{:?}: {}, {} blank, {} distinct",
            c.heading, c.kind, c.blank, c.distinct
        );
        if c.personal {
            let _ = writeln!(
                s,
                "    (personal data or an identifier: counts only, no values)"
            );
        } else {
            let shown: Vec<String> = c
                .values
                .iter()
                .take(MAX_VALUES)
                .map(|(v, k)| format!("{v:?} {k}"))
                .collect();
            let more = c.values.len().saturating_sub(MAX_VALUES);
            let _ = writeln!(
                s,
                "    {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            );
        }
    }
    s.push('\n');
    s.push_str(&proposal(records, file_name));
    s
}

/// A mapping block for the config, to be checked by the analyst.
pub fn proposal(records: &Records, file_name: &str) -> String {
    let (role, is_cld) = guess_role(records);
    let mut s = format!("# A proposed mapping (check every line; gapmap matched headings by name only):\n[inputs.{role}]\nfile = {file_name:?}\n");
    if let Some(sheet) = &records.sheet {
        let _ = writeln!(s, "sheet = {sheet:?}");
    }
    if records.header_line != 1 {
        let _ = writeln!(s, "header_row = {}", records.header_line);
    }
    let mut columns = Vec::new();
    let mut unmatched = Vec::new();
    if is_cld {
        for names in cld::FIELDS {
            match cld_heading(records, names) {
                Some(h) if h != names[0] => columns.push((names[0].to_string(), h.clone())),
                Some(_) => {}
                None if cld::REQUIRED.iter().any(|(_, r)| r == names) => {
                    unmatched.push(names[0].to_string())
                }
                None => {}
            }
        }
        for c in cld::LOCATION_COLUMNS {
            if let Some(h) = proposed_heading(records, c) {
                columns.push((c.to_string(), h.clone()));
            }
        }
    } else {
        let wanted: Vec<&str> = if role == "services" {
            services::COLUMNS
                .iter()
                .copied()
                .chain(cld::LOCATION_COLUMNS)
                .collect()
        } else {
            demand::PERSON_COLUMNS
                .iter()
                .copied()
                .chain(cld::LOCATION_COLUMNS)
                .collect()
        };
        let mut located = false;
        for c in wanted {
            let is_location = cld::LOCATION_COLUMNS.contains(&c);
            match proposed_heading(records, c) {
                Some(h) => {
                    located |= is_location;
                    if h != c {
                        columns.push((c.to_string(), h.clone()));
                    }
                }
                None if !is_location => unmatched.push(c.to_string()),
                None => {}
            }
        }
        if !located {
            unmatched.push(
                "a location (latitude and longitude, easting and northing, postcode or area_code)"
                    .into(),
            );
        }
    }
    if !columns.is_empty() {
        let _ = writeln!(s, "[inputs.{role}.columns]");
        for (gapmap, heading) in &columns {
            let key = if gapmap
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                gapmap.clone()
            } else {
                format!("{gapmap:?}")
            };
            let _ = writeln!(s, "{key} = {heading:?}");
        }
    }
    if is_cld {
        s.push_str("# Client Level Data has no lots: give them with rules, e.g.\n# [demand]\n# format = \"cld\"\n# [[inputs.demand.lot_rules]]\n# lot = \"ld_autism\"\n# when = { Primary_Support_Reason = \"Learning Disability Support\", Service_Component = \"Day Care\" }\n");
    }
    if !unmatched.is_empty() {
        let _ = writeln!(s, "# No heading matched: {}", unmatched.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(header: &[&str], rows: &[&[&str]]) -> Records {
        Records::new(
            "t.csv",
            None,
            1,
            header.iter().map(|s| s.to_string()).collect(),
            rows.iter()
                .enumerate()
                .map(|(i, r)| (i as u64 + 2, r.iter().map(|s| s.to_string()).collect()))
                .collect(),
        )
        .expect("records")
    }

    #[test]
    fn personal_columns_show_counts_only() {
        let r = records(
            &["Client Ref", "Date of Birth", "Need", "Hours"],
            &[
                &["C1", "1960-01-02", "PMLD", "3"],
                &["C2", "1970-05-06", "PMLD", ""],
                &["C3", "1980-01-01", "Dementia", "2.5"],
            ],
        );
        let text = report(&r, "t.csv", &[]);
        assert!(!text.contains("C1") && !text.contains("1960"), "{text}");
        let need = summarise(&r)
            .into_iter()
            .find(|c| c.heading == "Need")
            .expect("need");
        assert_eq!(
            need.values,
            vec![("PMLD".to_string(), 2), ("Dementia".to_string(), 1)]
        );
        let hours = summarise(&r)
            .into_iter()
            .find(|c| c.heading == "Hours")
            .expect("hours");
        assert_eq!((hours.kind, hours.blank, hours.distinct), ("number", 1, 2));
    }

    #[test]
    fn a_cld_extract_is_recognised_and_local_headings_proposed() {
        let r = records(
            &[
                "Person ID",
                "Event_Type",
                "Service_Type",
                "Event_Start_Date",
                "Event_End_Date",
                "Planned_units_per_week",
                "LSOA",
            ],
            &[&[
                "1",
                "Service",
                "Long Term Support: Community",
                "2024-01-01",
                "",
                "3",
                "E01000001",
            ]],
        );
        assert_eq!(guess_role(&r), ("demand", true));
        let p = proposal(&r, "cld.csv");
        assert!(p.contains("area_code = \"LSOA\""), "{p}");
        // "Person ID" reads as the person identifier; of the required fields only the
        // cost frequency has no heading (the end date is optional).
        assert!(
            p.contains("LA_Person_Unique_Identifier = \"Person ID\""),
            "{p}"
        );
        assert!(
            p.contains("# No heading matched: Cost_Frequency_(Unit_Type)\n"),
            "{p}"
        );
    }

    #[test]
    fn a_provider_list_is_proposed_as_services() {
        let r = records(
            &["Provider", "Service Name", "Post Code", "Lots", "Places"],
            &[&["P", "S", "LE1 1AA", "PMLD", "5"]],
        );
        let p = proposal(&r, "framework.csv");
        assert!(
            p.starts_with("# A proposed mapping") && p.contains("[inputs.services]"),
            "{p}"
        );
        for line in [
            "provider_name = \"Provider\"",
            "service_name = \"Service Name\"",
            "postcode = \"Post Code\"",
            "capacity = \"Places\"",
        ] {
            assert!(p.contains(line), "{line} in {p}");
        }
    }
}
