//! The report's interactive maps: the gap by district and, with small areas, the distance
//! from each small area to the nearest service, each with a lot switcher, the active
//! services of the lot as named points, and each area's figures shown when it is pointed
//! at or focused.
//!
//! The maps are drawn in the reader's browser by Leaflet (BSD-2-Clause, committed under
//! `vendor/leaflet/`), embedded in the report with the small script beside this file: no
//! map tiles, no network. Boundaries are simplified for the screen by
//! [`crate::publish::topology`] and sent once, as shared arcs; each lot adds only the class
//! of every area (the classes and colours of the map pictures, from
//! [`charts::region_classes`]) and its figures, worded as the report's tables word them.
//! The pictures stay for print and PDF: the print stylesheet shows them instead.
//!
//! This module builds the data and the markup; it draws nothing and writes no file.

use geo::{Area as _, MultiPolygon};
use serde::Serialize;

use super::{esc, num, opt, supply_figures, supply_headings};
use crate::config::Config;
use crate::load::Inputs;
use crate::model::ServiceStatus;
use crate::publish::charts::{self, ChoroplethMap};
use crate::publish::figures::Maps;
use crate::publish::published::PublishedRun;
use crate::publish::topology::{self, Topology, SCALE};

const LEAFLET_JS: &str = include_str!("../../../vendor/leaflet/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../../vendor/leaflet/leaflet.css");
const LEAFLET_LICENSE: &str = include_str!("../../../vendor/leaflet/LICENSE");
const SCRIPT: &str = include_str!("interactive.js");
const STYLE: &str = include_str!("interactive.css");

/// The Leaflet release embedded, for the report's credit line.
pub const LEAFLET: &str = "Leaflet 1.9.4";

/// At most this many points in a layer's simplified boundaries: a whole-England layer of
/// small areas is simplified further until it fits (about 2.5 MB of the report).
const VERTEX_BUDGET: usize = 400_000;

/// One interactive map, ready to be written into the report: its data already encoded,
/// so that only the text is held (England's small areas: about 15 MB, where the figures
/// as strings took over 100 MB).
#[derive(Debug, Clone)]
pub struct InteractiveMap {
    /// The element id the map's markup and data take.
    id: &'static str,
    heading: String,
    /// "district" or "small area".
    what: &'static str,
    /// The lot switcher's labels, in the order of the data's lots.
    lot_labels: Vec<String>,
    /// [`MapData`] as JSON, with `<` escaped for a script element.
    json: String,
}

/// Both of a run's interactive maps.
#[derive(Debug, Clone, Default)]
pub struct InteractiveMaps {
    pub gap: Option<InteractiveMap>,
    pub access: Option<InteractiveMap>,
}

/// A map's data as the script reads it: [`MapHead`], then `lots` and `services`. It is
/// encoded in parts (the head, then each lot as it is made, then the services:
/// [`map_json`]) so that only one lot's figures at a time exist as strings; this struct is
/// the whole, for the test that the parts make it.
#[cfg(test)]
#[derive(Debug, Clone, Serialize)]
struct MapData {
    #[serde(flatten)]
    head: MapHead,
    lots: Vec<LotData>,
    /// Every service shown on some lot: longitude, latitude (1/SCALE degree), name, and
    /// what it is.
    services: Vec<(i64, i64, String, String)>,
}

/// The parts of a map's data before its lots, in the order the data lists them.
#[derive(Debug, Clone, Serialize)]
struct MapHead {
    what: &'static str,
    /// Per arc: the first point then each step from the one before, in 1/SCALE degree
    /// (longitude, latitude pairs, flat).
    arcs: Vec<Vec<i64>>,
    /// Per area, per polygon, per ring: arcs (`!i` for arc `i` backwards).
    areas: Vec<Vec<Vec<Vec<i32>>>>,
    names: Vec<String>,
    scale: f64,
    no_data: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct LotData {
    label: String,
    legend_title: String,
    /// Colour and words of each class, lowest first.
    legend: Vec<(String, String)>,
    /// Each area's class, or -1 for no data.
    classes: Vec<i32>,
    /// The figures' headings, and each area's figures, worded as in the report's tables.
    heads: Vec<String>,
    figures: Vec<Vec<String>>,
    /// Indices into `services` of the active services for this lot.
    services: Vec<u32>,
}

impl InteractiveMaps {
    /// Builds both maps (boundaries simplified in parallel) from the maps the pictures draw.
    pub fn new(
        config: &Config,
        inputs: &Inputs,
        published: &PublishedRun,
        maps: &Maps,
    ) -> InteractiveMaps {
        let services = Services::new(config, inputs);
        let (gap, access) = rayon::join(
            || gap_map(config, inputs, published, maps, &services),
            || access_map(config, inputs, published, maps, &services),
        );
        InteractiveMaps { gap, access }
    }
}

/// Tolerance for a layer in metres: a thirtieth of the median area's width (so small areas
/// keep their shape when zoomed to), at least 2 m.
fn tolerance(geometries: &[&MultiPolygon<f64>]) -> f64 {
    let mut widths: Vec<f64> = geometries
        .iter()
        .map(|g| {
            let lat = g
                .iter()
                .flat_map(|p| p.exterior().coords())
                .map(|c| c.y)
                .next()
                .unwrap_or(0.0);
            let m2 = g.unsigned_area() * 111_320.0 * 110_574.0 * lat.to_radians().cos();
            m2.sqrt()
        })
        .filter(|w| w.is_finite())
        .collect();
    widths.sort_by(f64::total_cmp);
    let median = widths.get(widths.len() / 2).copied().unwrap_or(0.0);
    (median / 30.0).max(2.0)
}

/// The layer simplified at the first tolerance of the doubling sequence (the layer's own
/// tolerance, twice it, four times, ...) that fits [`VERTEX_BUDGET`], or at the first over
/// 5 km. A larger tolerance never keeps more points, so the search starts from a guess
/// (how many doublings would bring the layer's points within the budget) and walks down
/// while the layer fits, or up until it does: the same tolerance as trying them all from
/// the first, in fewer passes (England's small areas: two passes instead of four).
fn simplified(geometries: &[&MultiPolygon<f64>]) -> Topology {
    simplified_within(geometries, VERTEX_BUDGET)
}

/// As [`simplified`], for a budget of `budget` points.
fn simplified_within(geometries: &[&MultiPolygon<f64>], budget: usize) -> Topology {
    const CAP_M: f64 = 5_000.0;
    let base = tolerance(geometries);
    let prepared = topology::Prepared::new(geometries);
    // Doubling is exact in floating point, so this is the sequence's k-th tolerance.
    let at = |k: i32| base * 2f64.powi(k);
    // The first k whose tolerance is over the cap: the search never goes past it.
    let mut last = 0;
    while at(last) <= CAP_M && last < 64 {
        last += 1;
    }
    let points = prepared.vertex_count();
    let guess = if points <= budget {
        0
    } else {
        ((points as f64 / budget as f64).log2().ceil() as i32).min(last)
    };
    let fits = |t: &Topology| t.vertex_count() <= budget;
    let mut k = guess;
    let mut best = prepared.simplify(at(k));
    if fits(&best) || k == last {
        while k > 0 {
            let t = prepared.simplify(at(k - 1));
            if !fits(&t) {
                break;
            }
            k -= 1;
            best = t;
        }
    } else {
        while !fits(&best) && k < last {
            k += 1;
            best = prepared.simplify(at(k));
        }
    }
    best
}

fn delta_arcs(t: &Topology) -> Vec<Vec<i64>> {
    t.arcs
        .iter()
        .map(|arc| {
            let mut out = Vec::with_capacity(arc.len() * 2);
            let mut last = (0, 0);
            for &(x, y) in arc {
                out.push(x - last.0);
                out.push(y - last.1);
                last = (x, y);
            }
            out
        })
        .collect()
}

/// The active services of each lot, each listed once.
struct Services {
    points: Vec<(i64, i64, String, String)>,
    /// Per lot, indices into `points`.
    by_lot: Vec<Vec<u32>>,
}

impl Services {
    fn new(config: &Config, inputs: &Inputs) -> Services {
        let cat = &config.catalogue;
        let mut points = Vec::new();
        let mut by_lot = vec![Vec::new(); cat.lots.len()];
        for s in inputs
            .services
            .iter()
            .filter(|s| s.status == ServiceStatus::Active)
        {
            let i = points.len() as u32;
            let kind = &cat.service_types[s.service_type];
            points.push((
                (s.location.x() * SCALE).round() as i64,
                (s.location.y() * SCALE).round() as i64,
                s.name.clone(),
                format!(
                    "{}, {}: {} {}",
                    kind.label,
                    s.provider_name,
                    num(s.capacity),
                    kind.unit.label()
                ),
            ));
            for &lot in &s.lots {
                if let Some(list) = by_lot.get_mut(lot) {
                    list.push(i);
                }
            }
        }
        Services { points, by_lot }
    }
}

/// The legend and classes of a lot's map, classes given per region of `map`.
fn classes_of(
    map: &ChoroplethMap,
    regions: usize,
    area_of: &[usize],
) -> (Vec<(String, String)>, Vec<i32>) {
    let legend = charts::legend_classes(map)
        .into_iter()
        .map(|c| {
            let (r, g, b) = c.colour;
            (format!("#{r:02X}{g:02X}{b:02X}"), c.label)
        })
        .collect();
    let mut classes = vec![-1; regions];
    for (region, class) in charts::region_classes(map).into_iter().enumerate() {
        if let (Some(&area), Some(class)) = (area_of.get(region), class) {
            classes[area] = class as i32;
        }
    }
    (legend, classes)
}

fn gap_map(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    maps: &Maps,
    services: &Services,
) -> Option<InteractiveMap> {
    let geometries: Vec<&MultiPolygon<f64>> =
        inputs.districts.iter().map(|d| &d.geometry).collect();
    if geometries.is_empty() || maps.gap.is_empty() {
        return None;
    }
    let head = map_head(
        "district",
        simplified(&geometries),
        inputs.districts.iter().map(|d| d.name.clone()).collect(),
    );
    let identity: Vec<usize> = (0..geometries.len()).collect();
    let lots = config
        .catalogue
        .lots
        .iter()
        .enumerate()
        .zip(&maps.gap)
        .map(|((lot, l), map)| {
            let (legend, classes) = classes_of(map, geometries.len(), &identity);
            let figures = inputs
                .districts
                .iter()
                .map(|d| {
                    published
                        .lot_rows(lot)
                        .find(|r| r.area_code == d.code)
                        .map_or_else(Vec::new, supply_figures)
                })
                .collect();
            encode(LotData {
                label: l.label.clone(),
                legend_title: map.legend_title.clone(),
                legend,
                classes,
                heads: supply_headings(l.unit),
                figures,
                services: services.by_lot[lot].clone(),
            })
        })
        .collect();
    Some(InteractiveMap::new(
        "gm-gap",
        "Explore the gaps on a map".into(),
        "district",
        &head,
        lots,
        services,
    ))
}

fn access_map(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    maps: &Maps,
    services: &Services,
) -> Option<InteractiveMap> {
    if maps.access.is_empty() || published.areas.is_empty() {
        return None;
    }
    let geometries: Vec<&MultiPolygon<f64>> = inputs.areas.iter().map(|a| &a.geometry).collect();
    let head = map_head(
        "small area",
        simplified(&geometries),
        inputs.areas.iter().map(|a| a.name.clone()).collect(),
    );
    let d = &published.distances;
    let lots = config
        .catalogue
        .lots
        .iter()
        .enumerate()
        .zip(&maps.access)
        .map(|((lot, l), map)| {
            let rows: Vec<_> = published.areas.iter().filter(|r| r.lot == lot).collect();
            let area_of: Vec<usize> = rows.iter().map(|r| r.area).collect();
            let (legend, classes) = classes_of(map, geometries.len(), &area_of);
            let mut figures = vec![Vec::new(); geometries.len()];
            for r in &rows {
                figures[r.area] = vec![
                    inputs.areas[r.area].code.clone(),
                    opt(r.nearest_km),
                    r.services_in_reach.to_string(),
                ];
            }
            encode(LotData {
                label: l.label.clone(),
                legend_title: map.legend_title.clone(),
                legend,
                classes,
                heads: vec![
                    "Code".into(),
                    format!("Nearest suitable service ({})", d.suffix()),
                    "Services within the catchment".into(),
                ],
                figures,
                services: services.by_lot[lot].clone(),
            })
        })
        .collect();
    Some(InteractiveMap::new(
        "gm-access",
        format!("Explore {} to the nearest service on a map", d.noun()),
        "small area",
        &head,
        lots,
        services,
    ))
}

fn map_head(what: &'static str, topology: Topology, names: Vec<String>) -> MapHead {
    MapHead {
        what,
        arcs: delta_arcs(&topology),
        areas: topology.features,
        names,
        scale: SCALE,
        no_data: charts::NO_DATA_COLOUR,
    }
}

/// A lot's label and its data as JSON.
fn encode(lot: LotData) -> (String, String) {
    let json = serde_json::to_string(&lot).unwrap_or_default();
    (lot.label, json)
}

/// The JSON of [`MapData`] from its parts: the head's fields, the lots (each already
/// encoded) and the services, in the struct's order, as serde would write the whole.
fn map_json(head: &MapHead, lots: &[String], services: &Services) -> String {
    let mut json = serde_json::to_string(head).unwrap_or_default();
    json.pop(); // the head's closing brace
    json.push_str(",\"lots\":[");
    json.push_str(&lots.join(","));
    json.push_str("],\"services\":");
    json.push_str(&serde_json::to_string(&services.points).unwrap_or_default());
    json.push('}');
    json
}

impl InteractiveMap {
    fn new(
        id: &'static str,
        heading: String,
        what: &'static str,
        head: &MapHead,
        lots: Vec<(String, String)>,
        services: &Services,
    ) -> InteractiveMap {
        let (lot_labels, lots): (Vec<String>, Vec<String>) = lots.into_iter().unzip();
        InteractiveMap {
            id,
            heading,
            what,
            lot_labels,
            json: map_json(head, &lots, services).replace('<', "\\u003c"),
        }
    }

    /// The map's markup: heading, help, lot switcher, the map itself, legend and the panel
    /// of figures, and its data. Hidden until the script shows it; never printed.
    pub fn html(&self) -> String {
        let id = self.id;
        let what = self.what;
        let options: String = self
            .lot_labels
            .iter()
            .enumerate()
            .map(|(i, label)| format!("<option value=\"{i}\">{}</option>", esc(label)))
            .collect();
        let json = &self.json;
        format!(
            r#"<div class="gm-map" id="{id}" data-gm-data="{id}-data" hidden>
<h3 id="{id}-title">{heading}</h3>
<p class="gm-help" id="{id}-help">Drag the map, or use the arrow keys when it has focus, to pan; zoom with the buttons above it or the + and − keys. Point at a {what}, or press Tab to reach the {what}s and the arrow keys to move between them, to see its figures for the chosen lot; Enter zooms to it and Escape returns to the map. Services are the dark dots: point at one, or Tab to them, for its name. The tables in this report hold the same figures.</p>
<div class="gm-controls"><label for="{id}-lot">Lot</label> <select id="{id}-lot">{options}</select> <button type="button">Zoom in</button> <button type="button">Zoom out</button> <button type="button">Show all</button></div>
<div class="gm-body">
<div class="gm-canvas" id="{id}-canvas" role="region" aria-labelledby="{id}-title" aria-describedby="{id}-help"></div>
<div class="gm-side">
<div class="gm-info" id="{id}-info" aria-live="polite"><p>Point at or focus a {what} to see its figures.</p></div>
<div class="gm-legend" id="{id}-legend"></div>
</div>
</div>
<p class="note">Boundaries simplified for the screen (neighbours still share their edges exactly); the map pictures, drawn from the full boundaries, print in their place. Map drawn in your browser by {LEAFLET} (BSD-2-Clause licence), embedded in this report; no map tiles or other files are fetched.</p>
</div>
<script type="application/json" id="{id}-data">{json}</script>
"#,
            heading = esc(&self.heading),
        )
    }
}

/// Styles of the maps and of Leaflet, for the report's head; none of Leaflet's rules that
/// point at image files, which the report does not carry.
pub fn style() -> String {
    let leaflet: String = LEAFLET_CSS
        .lines()
        .filter(|line| !line.contains("url("))
        .map(|line| format!("{line}\n"))
        .collect();
    format!("{leaflet}{STYLE}")
}

/// The scripts, for the end of the report's body: Leaflet with its licence, then the
/// maps' own. Leaflet's source-map comment is left out, so that developer tools fetch
/// nothing either.
pub fn scripts() -> String {
    let leaflet = LEAFLET_JS
        .trim_end()
        .rsplit_once('\n')
        .filter(|(_, last)| last.starts_with("//# sourceMappingURL"))
        .map_or(LEAFLET_JS, |(code, _)| code);
    format!(
        "<script>\n/*\n{}*/\n{leaflet}\n</script>\n<script>\n{SCRIPT}</script>\n",
        LEAFLET_LICENSE.replace("*/", "* /")
    )
}

/// Marks the page as running scripts, first thing, so the pictures the interactive maps
/// replace on screen are not shown first.
pub const EARLY_SCRIPT: &str =
    "<script>document.documentElement.classList.add(\"gm-js\");</script>";

#[cfg(test)]
mod tests {
    use super::*;

    /// The tolerance search as first written: every tolerance of the doubling sequence in
    /// turn, from the first.
    fn simplified_by_scan(geometries: &[&MultiPolygon<f64>], budget: usize) -> Topology {
        let mut tol = tolerance(geometries);
        let prepared = topology::Prepared::new(geometries);
        loop {
            let t = prepared.simplify(tol);
            if t.vertex_count() <= budget || tol > 5_000.0 {
                return t;
            }
            tol *= 2.0;
        }
    }

    /// The map's JSON made in parts is the JSON of the whole.
    #[test]
    fn the_data_encoded_in_parts_is_the_data_encoded_whole() {
        let head = MapHead {
            what: "small area",
            arcs: vec![vec![-100, 5_200_000, 3, -4], vec![7, 8]],
            areas: vec![vec![vec![vec![0, !1]]], vec![]],
            names: vec!["Melton 001A".into(), "Quote \" and <b>".into()],
            scale: SCALE,
            no_data: charts::NO_DATA_COLOUR,
        };
        let lot = |label: &str, classes: Vec<i32>| LotData {
            label: label.into(),
            legend_title: "Distance (km)".into(),
            legend: vec![("#FFFFCC".into(), "0 to 2".into())],
            classes,
            heads: vec!["Code".into()],
            figures: vec![vec!["E01".into(), "1.5".into()], vec![]],
            services: vec![0],
        };
        let lots = vec![lot("PMLD", vec![0, -1]), lot("Dementia", vec![-1, 2])];
        let services = Services {
            points: vec![(
                -100,
                5_200_000,
                "Centre".into(),
                "Day service, P: 20 places".into(),
            )],
            by_lot: vec![vec![0], vec![]],
        };
        let whole = MapData {
            head: head.clone(),
            lots: lots.clone(),
            services: services.points.clone(),
        };
        let parts: Vec<String> = lots.into_iter().map(|l| encode(l).1).collect();
        assert_eq!(
            map_json(&head, &parts, &services),
            serde_json::to_string(&whole).unwrap()
        );
        assert_eq!(
            map_json(&head, &[], &services)
                .matches("\"lots\":[]")
                .count(),
            1
        );
    }

    #[test]
    fn the_tolerance_search_finds_the_first_tolerance_that_fits() {
        let layer = topology::tests::sample_lsoas();
        let refs: Vec<&MultiPolygon<f64>> = layer.iter().collect();
        let all = topology::Prepared::new(&refs).vertex_count();
        // Budgets the whole layer fits, that one or several doublings reach, and one that
        // no tolerance under 5 km reaches (the search stops at the first over it).
        for budget in [all, all - 1, all / 2, all / 5, all / 20, all / 60, 10] {
            let found = simplified_within(&refs, budget);
            let scanned = simplified_by_scan(&refs, budget);
            assert_eq!(found.arcs, scanned.arcs, "budget {budget}");
            assert_eq!(found.features, scanned.features, "budget {budget}");
        }
    }
}
