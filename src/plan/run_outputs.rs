//! The files of a plan in a run, all drawn from published figures: chosen sites (CSV and
//! GeoJSON, with a QGIS style), the effect by district, weekly transport before and after, a map picture and
//! the report section "Where new capacity would help most".

use geo::Point;

use super::run::{shown, View};
use crate::io::geojson::{write_feature_collection, OutFeature, OutGeometry};
use crate::publish::charts::{self, ChoroplethMap, MapPoint, MapRegion, Palette};
use crate::publish::disclosure::Published;
use crate::publish::report::findings::{amount, balance, join, not_shown, table_link};
use crate::publish::report::{esc, money, num};
use crate::publish::run_folder::RunFolder;
use crate::publish::PublishError;

/// Writes every file of the plan into the folder `dir` (such as `plans/pmld-3`) of the run
/// folder being written.
pub(crate) fn write(view: &View, folder: &mut RunFolder, dir: &str) -> Result<(), PublishError> {
    let mut file = |name: &str, bytes: &[u8]| folder.write(&format!("{dir}/{name}"), bytes);
    file("chosen_sites.csv", chosen_sites_csv(view).as_bytes())?;
    file("sites.geojson", &sites_geojson(view))?;
    let style = crate::publish::qgis::point_style("name", crate::publish::qgis::POINT_COLOUR);
    file("sites.qml", style.as_bytes())?;
    let districts = district_rows(view);
    file("districts.csv", districts_csv(view, &districts).as_bytes())?;
    let transport = transport(view);
    file("transport.csv", transport_csv(view, &transport).as_bytes())?;
    let figure = charts::choropleth(&map(view, &districts))
        .map_err(|e| PublishError::Compare(format!("drawing the plan's map: {e}")))?;
    file("map.png", &figure.png)?;
    file("map.svg", figure.svg.as_bytes())?;
    let section = section_html(view, &districts, &transport, &figure.png);
    file(super::in_report::SECTION, section.as_bytes())?;
    file("report.html", page(view, &section).as_bytes())?;
    Ok(())
}

fn opt_num(x: Option<f64>, decimals: i32) -> String {
    x.map_or(String::new(), |v| super::io::round(v, decimals))
}

fn opt_count(x: Published) -> String {
    x.map_or(String::new(), |n| n.to_string())
}

fn chosen_sites_csv(view: &View) -> String {
    let mut out = format!(
        "rank,candidate_id,name,district,longitude,latitude,places,people_newly_in_reach,people_using,mean_{}_saved\n",
        view.measure.unit()
    );
    for r in view.site_rows() {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            r.rank,
            csv_field(&r.id),
            csv_field(&r.name),
            csv_field(&r.district),
            super::io::round(r.location.x, 6),
            super::io::round(r.location.y, 6),
            super::io::round(r.places, 2),
            opt_count(r.newly_in_reach),
            opt_count(r.users),
            opt_num(r.mean_saved, 2),
        ));
    }
    out
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn sites_geojson(view: &View) -> Vec<u8> {
    let features: Vec<OutFeature> = view
        .site_rows()
        .iter()
        .map(|r| {
            let count = |c: Published| c.map_or(serde_json::Value::Null, |n| n.into());
            OutFeature {
                geometry: OutGeometry::Point(Point::new(r.location.x, r.location.y)),
                properties: vec![
                    ("rank".into(), (r.rank as u64).into()),
                    ("candidate_id".into(), r.id.clone().into()),
                    ("name".into(), r.name.clone().into()),
                    ("district".into(), r.district.clone().into()),
                    ("places".into(), r.places.into()),
                    ("people_newly_in_reach".into(), count(r.newly_in_reach)),
                    ("people_using".into(), count(r.users)),
                    (
                        format!("mean_{}_saved", view.measure.unit()),
                        r.mean_saved.map_or(serde_json::Value::Null, |v| {
                            ((v * 100.0).round() / 100.0).into()
                        }),
                    ),
                ],
            }
        })
        .collect();
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_feature_collection(&mut bytes, &features);
    bytes
}

/// One district's figures, published.
pub(crate) struct DistrictRow {
    pub name: String,
    pub code: String,
    pub people: Published,
    pub beyond_before: Published,
    pub beyond_after: Published,
    pub gap_before: Option<f64>,
    pub new_places: f64,
    pub gap_after: Option<f64>,
}

fn share(part: Published, whole: Published) -> Option<f64> {
    match (part, whole) {
        (Some(p), Some(w)) if w > 0 => Some(f64::from(p) / f64::from(w)),
        _ => None,
    }
}

fn district_rows(view: &View) -> Vec<DistrictRow> {
    let n = view.inputs.districts.len();
    let (before, after) = (view.state(0), view.state(view.plan.chosen.len()));
    let catchment = view.instance.catchment;
    let beyond = |d: &Option<(usize, f64)>| d.is_none_or(|(_, cost)| cost > catchment);
    let (mut people, mut b0, mut b1) = (vec![0u32; n], vec![0u32; n], vec![0u32; n]);
    for (k, &row) in view.people.iter().enumerate() {
        let d = view.person_district[row];
        people[d] += 1;
        b0[d] += u32::from(beyond(&before[k]));
        b1[d] += u32::from(beyond(&after[k]));
    }
    let new_places = view.new_places_by_district();
    view.inputs
        .districts
        .iter()
        .enumerate()
        .map(|(d, district)| {
            let gap_before = view
                .published
                .lot_rows(view.lot)
                .find(|r| r.area_code == district.code)
                .and_then(|r| r.gap);
            DistrictRow {
                name: district.name.clone(),
                code: district.code.clone(),
                people: view.disclosure.count(people[d]),
                beyond_before: view.disclosure.count(b0[d]),
                beyond_after: view.disclosure.count(b1[d]),
                gap_before,
                new_places: new_places[d],
                gap_after: gap_before.map(|g| g - new_places[d]),
            }
        })
        .collect()
}

fn districts_csv(view: &View, rows: &[DistrictRow]) -> String {
    let unit = view.unit().label();
    let mut out = String::from(
        "district_code,district,people,beyond_catchment_before,beyond_catchment_after,share_beyond_before,share_beyond_after,gap_before,new_capacity,gap_after,unit\n",
    );
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            r.code,
            csv_field(&r.name),
            opt_count(r.people),
            opt_count(r.beyond_before),
            opt_count(r.beyond_after),
            opt_num(share(r.beyond_before, r.people), 4),
            opt_num(share(r.beyond_after, r.people), 4),
            opt_num(r.gap_before, 2),
            super::io::round(r.new_places, 2),
            opt_num(r.gap_after, 2),
            csv_field(unit),
        ));
    }
    out
}

/// Weekly km to the nearest suitable service (distance x days attended x 2), before and
/// after; `None` when the lot's people are too few to publish, or the lot is measured in
/// hours (PA support comes to the person).
pub(crate) struct Transport {
    pub km_before: Option<f64>,
    pub km_after: Option<f64>,
    pub cost_per_km: Option<f64>,
}

fn transport(view: &View) -> Transport {
    let (before, after) = (view.state(0), view.state(view.plan.chosen.len()));
    // The km to each person's nearest open site (by the plan's measure: by road, the
    // length of the quickest route).
    let weekly = |state: &[Option<(usize, f64)>]| -> f64 {
        view.people
            .iter()
            .zip(state)
            .enumerate()
            .map(|(i, (&row, d))| {
                let km = d.map_or(0.0, |(site, cost)| view.measure.km(i, site, cost));
                km * view.rows[row].days_per_week * 2.0
            })
            .sum()
    };
    // Transport is paid for day services; PA hours are delivered where people live.
    let shown = view.disclosure.count(view.people.len() as u32).is_some()
        && view.unit() == crate::model::Unit::Places;
    Transport {
        km_before: shown.then(|| weekly(before).round()),
        km_after: shown.then(|| weekly(after).round()),
        cost_per_km: view.config.file.plan.transport_cost_per_km,
    }
}

fn transport_csv(view: &View, t: &Transport) -> String {
    let weeks = view.config.file.cost.weeks_per_year;
    let mut out = String::from("measure,before,after,change\n");
    let line = |name: &str, b: Option<f64>, a: Option<f64>| {
        format!(
            "{name},{},{},{}\n",
            opt_num(b, 2),
            opt_num(a, 2),
            opt_num(b.zip(a).map(|(b, a)| a - b), 2)
        )
    };
    out.push_str(&line(
        "weekly_km_to_nearest_suitable_service",
        t.km_before,
        t.km_after,
    ));
    if let Some(rate) = t.cost_per_km {
        let cost = |km: Option<f64>| km.map(|k| (k * rate * 100.0).round() / 100.0);
        out.push_str(&line(
            "weekly_transport_cost",
            cost(t.km_before),
            cost(t.km_after),
        ));
        let annual = |km: Option<f64>| km.map(|k| (k * rate * weeks).round());
        out.push_str(&line(
            "annual_transport_cost",
            annual(t.km_before),
            annual(t.km_after),
        ));
    }
    out
}

fn map(view: &View, rows: &[DistrictRow]) -> ChoroplethMap {
    let regions: Vec<MapRegion> = view
        .inputs
        .districts
        .iter()
        .zip(rows)
        .map(|(d, r)| MapRegion {
            name: d.name.clone(),
            geometry: std::sync::Arc::new(d.geometry.clone()),
            value: r.gap_after,
        })
        .collect();
    let values: Vec<f64> = regions.iter().filter_map(|r| r.value).collect();
    let breaks = crate::publish::figures::class_breaks(&values, &view.config.file.maps);
    let points = view
        .site_rows()
        .iter()
        .map(|r| MapPoint {
            lon: r.location.x,
            lat: r.location.y,
            label: Some(format!("{}. {}", r.rank, r.name)),
        })
        .collect();
    ChoroplethMap {
        title: format!(
            "{}: where {} new {} would help most",
            view.lot_label(),
            view.plan.chosen.len(),
            if view.plan.chosen.len() == 1 {
                "site"
            } else {
                "sites"
            }
        ),
        subtitle: Some(format!(
            "Gap after the plan ({}), and the chosen sites in the order chosen",
            view.unit().label()
        )),
        regions,
        breaks,
        palette: Palette::Diverging,
        legend_title: format!("Gap after ({})", view.unit().label()),
        label_regions: true,
        points,
        points_label: Some("Chosen sites".into()),
        attribution: view.config.attribution(),
    }
}

fn section_html(view: &View, rows: &[DistrictRow], t: &Transport, png: &[u8]) -> String {
    use base64::Engine;
    let mut h = String::new();
    let sites = if view.plan.chosen.len() == 1 {
        "site"
    } else {
        "sites"
    };
    let each = if view.plan.capacitated {
        format!(
            " with {} {} each",
            num(view.places),
            esc(view.unit().label())
        )
    } else {
        String::new()
    };
    h.push_str(&format!(
        "<section class=\"plan\" id=\"plan-{}\">\n<h3>{}: {} new {sites}{each}</h3>\n",
        esc(&view.folder_name),
        esc(view.lot_label()),
        view.plan.chosen.len(),
    ));
    h.push_str(&format!(
        "<p>{} new {sites} for {}{each}, chosen to {} within {} {} ({}). The plan {}. {}</p>\n",
        view.plan.chosen.len(),
        esc(view.lot_label()),
        match (view.plan.objective, view.plan.capacitated) {
            (super::Objective::Coverage, false) => "bring the most people",
            (super::Objective::Coverage, true) => "give a place to the most people",
            (super::Objective::Distance, _) => "bring people closest to a suitable service",
        },
        num(view.instance.catchment),
        view.measure.unit(),
        esc(&view.measure.describe(view.config)),
        esc(&view.summary_sentence()),
        esc(view.placing.describe()),
    ));
    if let Some(proof) = &view.proof {
        h.push_str(&format!("<p>{}</p>\n", esc(proof)));
    }
    let id = format!("plan-{}", view.folder_name);
    h.push_str(&format!("<table id=\"{}-sites\">\n<tr><th>Rank</th><th>Site</th><th>District</th><th>People newly within reach</th><th>People using it</th><th>Mean {} nearer (all people)</th></tr>\n", esc(&id), view.measure.unit()));
    for r in view.site_rows() {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            r.rank,
            esc(&r.name),
            esc(&r.district),
            shown(r.newly_in_reach),
            shown(r.users),
            r.mean_saved
                .map_or("[c]".to_string(), |k| format!("{k:.2}")),
        ));
    }
    h.push_str(&format!(
        "</table>\n<table id=\"{}-districts\">\n",
        esc(&id)
    ));
    h.push_str("<tr><th>District</th><th>People</th><th>Beyond the catchment before</th><th>After</th><th>Gap before</th><th>New capacity</th><th>Gap after</th></tr>\n");
    for r in rows {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&r.name),
            shown(r.people),
            shown(r.beyond_before),
            shown(r.beyond_after),
            r.gap_before.map_or("[c]".to_string(), num),
            num(r.new_places),
            r.gap_after.map_or("[c]".to_string(), num),
        ));
    }
    h.push_str("</table>\n");
    if let (Some(b), Some(a)) = (t.km_before, t.km_after) {
        h.push_str(&format!(
            "<p>Weekly travel to the nearest suitable service (distance x days attended x 2): {} km before, {} km after",
            num(b),
            num(a)
        ));
        if let Some(rate) = t.cost_per_km {
            h.push_str(&format!(
                "; at {} a km, {} a week before and {} after",
                money(rate, false),
                money(b * rate, false),
                money(a * rate, false)
            ));
        }
        h.push_str(".</p>\n");
    }
    h.push_str(&format!(
        "<figure><img alt=\"{}\" src=\"data:image/png;base64,{}\"><figcaption>{}: the gap by district after the plan, and the chosen sites in the order chosen (plans/{}/map.svg).{}</figcaption></figure>\n",
        esc(&map_finding(view, rows)),
        base64::engine::general_purpose::STANDARD.encode(png),
        esc(view.lot_label()),
        esc(&view.folder_name),
        table_link(&format!("{id}-districts"))
    ));
    h.push_str("<p class=\"note\">Counts of people are rounded and small counts suppressed ([c]) as in the rest of the report. The bound comes from a Lagrangian relaxation: no choice of the same number of sites could do better.</p>\n</section>\n");
    h
}

/// What the plan's map shows: the chosen sites in order with their districts, and the
/// largest shortfall left after the plan, from the published gaps the map colours.
fn map_finding(view: &View, rows: &[DistrictRow]) -> String {
    const NAMED: usize = 5;
    let unit = view.unit();
    let sites: Vec<String> = view
        .site_rows()
        .iter()
        .take(NAMED)
        .map(|r| format!("{}. {} ({})", r.rank, r.name, r.district))
        .collect();
    let more = view.site_rows().len().saturating_sub(NAMED);
    let mut s = format!(
        "{}: the chosen sites are {}{}",
        view.lot_label(),
        join(&sites),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    );
    let short = |gap: fn(&DistrictRow) -> Option<f64>| {
        rows.iter()
            .filter(|r| gap(r).is_some_and(|g| g > 0.0))
            .count()
    };
    let (before, after) = (short(|r| r.gap_before), short(|r| r.gap_after));
    let largest = rows
        .iter()
        .filter_map(|r| r.gap_after.filter(|g| *g > 0.0).map(|g| (g, r)))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let added: f64 = rows.iter().map(|r| r.new_places).sum();
    let lead = if added > 0.0 {
        format!(". With {} added, ", amount(added, unit))
    } else {
        ". The plan adds no places, so the gaps stay as they are: ".to_string()
    };
    s.push_str(&lead);
    match largest {
        Some((g, r)) => s.push_str(&format!(
            "the largest shortfall is in {} ({}); {after} of {} districts have a shortfall",
            r.name,
            balance(g, unit),
            rows.len()
        )),
        None => s.push_str("no district shown has a shortfall"),
    }
    if added > 0.0 {
        s.push_str(&format!(", against {before} before the plan"));
    }
    let hidden = rows.iter().filter(|r| r.gap_after.is_none()).count();
    s.push_str(&not_shown(hidden, view.disclosure.threshold));
    s.push('.');
    s
}

fn page(view: &View, section: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}: {}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}figure{{margin:1em 0}}img{{max-width:100%}}figcaption{{color:#555;font-size:.9em}}.note{{color:#555;font-size:.9em}}</style>\n</head>\n<body>\n<h1>{}</h1>\n<h2>Where new capacity would help most</h2>\n{}</body>\n</html>\n",
        esc(&view.config.file.title),
        esc(view.lot_label()),
        esc(&view.config.file.title),
        section
    )
}
