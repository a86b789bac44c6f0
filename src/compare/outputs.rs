//! What a comparison writes, as plain values: the three tables, the district map of gap
//! changes, and the bar charts of the change in gap by district. The caller writes them.

use serde_json::Value;

use crate::config::MapsSection;
use crate::io::geojson::{OutFeature, OutGeometry, PolygonFeature};
use crate::io::table::Table;
use crate::model::Unit;
use crate::publish::charts::{BarChart, BarSeries, ChoroplethMap, MapRegion, Palette};
use crate::publish::disclosure::MARKER;

use super::changes::{AreaChange, AreaKind, Comparison, ServiceChange};
use super::runs::{Measure, RunSettings, ServiceFigures};

fn text<T>(rows: &[T], f: impl Fn(&T) -> String) -> Vec<String> {
    rows.iter().map(f).collect()
}

fn whole(v: &[Option<f64>]) -> Vec<Option<i64>> {
    v.iter().map(|x| x.map(|x| x.round() as i64)).collect()
}

/// Adds `<m>_before`, `<m>_after` and `<m>_change` for one measure.
fn measure_columns(table: Table, rows: &[AreaChange], m: Measure) -> Table {
    let name = m.column();
    let column = |f: &dyn Fn(&AreaChange) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(f).collect()
    };
    let (b, a, c) = (
        column(&|r| r.before_of(m)),
        column(&|r| r.after_of(m)),
        column(&|r| r.change_of(m)),
    );
    if m.decimals() == 0 {
        table
            .int(&format!("{name}_before"), whole(&b))
            .int(&format!("{name}_after"), whole(&a))
            .int(&format!("{name}_change"), whole(&c))
    } else {
        let d = m.decimals();
        table
            .float(&format!("{name}_before"), b, d)
            .float(&format!("{name}_after"), a, d)
            .float(&format!("{name}_change"), c, d)
    }
}

/// `changes_by_district`: every area and lot of either run, each measure before, after
/// and changed, with the `comparable` note.
pub fn changes_by_district(c: &Comparison) -> Table {
    let rows = &c.areas;
    let mut table = Table::default()
        .text("area_code", text(rows, |r| r.area_code.clone()))
        .text("area_name", text(rows, |r| r.area_name.clone()))
        .text("area_kind", text(rows, |r| r.kind.as_str().to_string()))
        .text("lot", text(rows, |r| r.lot.id.clone()))
        .text("lot_label", text(rows, |r| r.lot.label.clone()))
        .text("unit", text(rows, |r| r.lot.unit.label().to_string()))
        .text("comparable", text(rows, |r| r.comparable.clone()));
    for m in Measure::ALL {
        table = measure_columns(table, rows, m);
    }
    table
}

/// `gap_changes`: the gaps that opened, closed, widened or narrowed.
pub fn gap_changes(c: &Comparison) -> Table {
    let rows = &c.gaps;
    Table::default()
        .text("area_code", text(rows, |g| g.area_code.clone()))
        .text("area_name", text(rows, |g| g.area_name.clone()))
        .text("area_kind", text(rows, |g| g.kind.as_str().to_string()))
        .text("lot", text(rows, |g| g.lot.id.clone()))
        .text("lot_label", text(rows, |g| g.lot.label.clone()))
        .text("unit", text(rows, |g| g.lot.unit.label().to_string()))
        .text(
            "gap_change",
            text(rows, |g| g.change_kind.as_str().to_string()),
        )
        .float(
            "gap_before",
            rows.iter().map(|g| Some(g.before)).collect(),
            2,
        )
        .float("gap_after", rows.iter().map(|g| Some(g.after)).collect(), 2)
        .float("change", rows.iter().map(|g| Some(g.change)).collect(), 2)
        .text("comparable", text(rows, |g| g.comparable.clone()))
        .text(
            "summary",
            text(rows, |g| super::summary::gap_sentence(g, c)),
        )
}

fn before(s: &ServiceChange) -> Option<&ServiceFigures> {
    s.before.as_ref()
}

fn after(s: &ServiceChange) -> Option<&ServiceFigures> {
    s.after.as_ref()
}

/// `changes_services`: services opened, closed or changed.
pub fn changes_services(c: &Comparison) -> Table {
    let rows = &c.services;
    let side = |pick: fn(&ServiceChange) -> Option<&ServiceFigures>,
                field: fn(&ServiceFigures) -> String| {
        text(rows, move |s| pick(s).map_or_else(String::new, field))
    };
    Table::default()
        .text("service_id", text(rows, |s| s.service_id.clone()))
        .text("service_name", text(rows, |s| s.service_name.clone()))
        .text("provider_id", text(rows, |s| s.provider_id.clone()))
        .text("district_code", text(rows, |s| s.district_code.clone()))
        .text("district_name", text(rows, |s| s.district_name.clone()))
        .text("change", text(rows, |s| s.change.clone()))
        .text("status_before", side(before, |f| f.status.clone()))
        .text("status_after", side(after, |f| f.status.clone()))
        .float(
            "capacity_before",
            rows.iter().map(|s| before(s).map(|f| f.capacity)).collect(),
            2,
        )
        .float(
            "capacity_after",
            rows.iter().map(|s| after(s).map(|f| f.capacity)).collect(),
            2,
        )
        .float(
            "capacity_change",
            rows.iter().map(ServiceChange::capacity_change).collect(),
            2,
        )
        .text("unit", text(rows, |s| s.unit.clone()))
        .text("lots_before", side(before, |f| f.lots.clone()))
        .text("lots_after", side(after, |f| f.lots.clone()))
}

/// The three tables by file name (without extension).
pub fn tables(c: &Comparison) -> Vec<(&'static str, Table)> {
    let mut tables = vec![
        ("changes_by_district", changes_by_district(c)),
        ("changes_services", changes_services(c)),
        ("gap_changes", gap_changes(c)),
    ];
    tables.extend(super::market::tables(&c.market));
    tables
}

fn num(v: Option<f64>) -> Value {
    v.filter(|x| x.is_finite())
        .map_or(Value::Null, |x| Value::from((x * 100.0).round() / 100.0))
}

/// The later run's districts with `<lot>_gap_before`, `_gap_after` and `_gap_change` for
/// every lot of either run. Districts keep the code and name properties of the run's map.
pub fn change_map(
    c: &Comparison,
    settings: &RunSettings,
    shapes: &[PolygonFeature],
) -> Vec<OutFeature> {
    let (code_prop, name_prop) = settings.areas.district_code_and_name();
    shapes
        .iter()
        .map(|shape| {
            let code = shape
                .properties
                .get(&code_prop)
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mut props: Vec<(String, Value)> = [&code_prop, &name_prop]
                .into_iter()
                .map(|p| {
                    (
                        p.clone(),
                        shape.properties.get(p).cloned().unwrap_or(Value::Null),
                    )
                })
                .collect();
            for lot in &c.lots {
                let row = c
                    .areas
                    .iter()
                    .find(|r| r.area_code == code && r.lot.id == lot.id);
                let get = |f: fn(&AreaChange) -> Option<f64>| num(row.and_then(f));
                props.push((
                    format!("{}_gap_before", lot.id),
                    get(|r| r.before_of(Measure::Gap)),
                ));
                props.push((
                    format!("{}_gap_after", lot.id),
                    get(|r| r.after_of(Measure::Gap)),
                ));
                props.push((
                    format!("{}_gap_change", lot.id),
                    get(|r| r.change_of(Measure::Gap)),
                ));
            }
            OutFeature {
                geometry: OutGeometry::Area(shape.geometry.clone()),
                properties: props,
            }
        })
        .collect()
}

/// QGIS styles of the change map: `districts_change_<lot>_gap_change.qml` for every lot,
/// classified as the gap maps are (diverging, zero a class bound), and
/// `districts_change.qml` (loaded by default) for the lot whose gaps changed most in all.
pub fn change_styles(
    c: &Comparison,
    settings: &RunSettings,
    shapes: &[PolygonFeature],
) -> Vec<(String, String)> {
    let (code_prop, name_prop) = settings.areas.district_code_and_name();
    let mut styles = Vec::new();
    let mut headline: Option<(f64, String)> = None;
    for lot in &c.lots {
        let regions: Vec<MapRegion> = shapes
            .iter()
            .map(|shape| {
                let code = shape.properties.get(&code_prop).and_then(Value::as_str);
                let value = c
                    .areas
                    .iter()
                    .find(|r| Some(r.area_code.as_str()) == code && r.lot.id == lot.id)
                    .and_then(|r| r.change_of(Measure::Gap));
                MapRegion {
                    name: String::new(),
                    geometry: std::sync::Arc::new(geo::MultiPolygon(Vec::new())),
                    value,
                }
            })
            .collect();
        let values: Vec<f64> = regions.iter().filter_map(|r| r.value).collect();
        let map = ChoroplethMap {
            title: String::new(),
            subtitle: None,
            breaks: crate::publish::figures::class_breaks(&values, &MapsSection::default()),
            regions,
            palette: Palette::Diverging,
            legend_title: String::new(),
            label_regions: true,
            points: Vec::new(),
            points_label: None,
            attribution: String::new(),
        };
        let qml = crate::publish::qgis::graduated_style(
            &format!("{}_gap_change", lot.id),
            Some(&name_prop),
            &crate::publish::charts::legend_classes(&map),
        );
        let total: f64 = values.iter().map(|v| v.abs()).sum();
        if headline.as_ref().is_none_or(|(t, _)| total > *t) {
            headline = Some((total, qml.clone()));
        }
        styles.push((
            format!("maps/districts_change_{}_gap_change.qml", lot.id),
            qml,
        ));
    }
    if let Some((_, qml)) = headline {
        styles.push(("maps/districts_change.qml".to_string(), qml));
    }
    styles
}

/// The change charts' file names and units: `change_by_district` for lots measured in
/// places (or in hours, when no lot is in places), and `change_by_district_hours` for
/// lots in hours when there are both, since places and hours do not share an axis.
fn change_units(c: &Comparison) -> Vec<(&'static str, Unit)> {
    let has = |u: Unit| c.lots.iter().any(|l| l.unit == u);
    let mut units = Vec::new();
    if has(Unit::Places) {
        units.push(("change_by_district", Unit::Places));
    }
    if has(Unit::Hours) {
        let name = if has(Unit::Places) {
            "change_by_district_hours"
        } else {
            "change_by_district"
        };
        units.push((name, Unit::Hours));
    }
    units
}

/// Bar charts of the change in gap by district, one for each unit (see [`change_units`]).
pub fn change_charts(c: &Comparison) -> Vec<(String, BarChart)> {
    change_units(c)
        .into_iter()
        .map(|(name, unit)| (name.to_string(), change_chart(c, unit)))
        .collect()
}

/// What each change chart shows, in the order of [`change_charts`]: its text alternative.
pub fn change_findings(c: &Comparison) -> Vec<String> {
    change_units(c)
        .into_iter()
        .map(|(_, unit)| change_finding(c, unit))
        .collect()
}

/// Where the gap grew and shrank most among districts and the lots in `unit`, and how
/// many district gaps changed, from the changes the chart draws.
fn change_finding(c: &Comparison, unit: Unit) -> String {
    use crate::publish::report::findings::{change, join};
    let gaps = |r: &&AreaChange| r.kind == AreaKind::District && r.lot.unit == unit;
    let moved_lot = |id: &str| {
        c.areas
            .iter()
            .filter(gaps)
            .any(|r| r.lot.id == id && r.change_of(Measure::Gap).is_some_and(|x| x != 0.0))
    };
    // The chart draws only the lots whose gap changed somewhere, or every lot when none did.
    let any_moved = c.lots.iter().any(|l| l.unit == unit && moved_lot(&l.id));
    let rows: Vec<&AreaChange> = c
        .areas
        .iter()
        .filter(gaps)
        .filter(|r| !any_moved || moved_lot(&r.lot.id))
        .collect();
    let mut moved: Vec<(f64, &AreaChange)> = rows
        .iter()
        .filter_map(|r| r.change_of(Measure::Gap).map(|x| (x, *r)))
        .filter(|(x, _)| *x != 0.0)
        .collect();
    let period = format!("From {} to {}", c.before_label, c.after_label);
    let hidden = rows
        .iter()
        .filter(|r| r.change_of(Measure::Gap).is_none())
        .count();
    let drawn = rows.len();
    let not_shown = |of: &str| match hidden {
        0 => String::new(),
        1 => format!("; 1{of} is not shown: suppressed in either run, or not comparable"),
        n => format!("; {n}{of} are not shown: suppressed in either run, or not comparable"),
    };
    if moved.is_empty() {
        return format!(
            "{period}, no district's gap changed in the lots measured in {}{}.",
            unit.label(),
            not_shown(&format!(" of the {drawn} district gaps drawn"))
        );
    }
    moved.sort_by(|a, b| b.0.total_cmp(&a.0));
    let words = |list: &mut dyn Iterator<Item = &(f64, &AreaChange)>| -> Vec<String> {
        list.take(3)
            .map(|(x, r)| {
                format!(
                    "{} for {} ({})",
                    r.area_name,
                    r.lot.short(),
                    change(*x, unit)
                )
            })
            .collect()
    };
    let grew = words(&mut moved.iter().filter(|(x, _)| *x > 0.0));
    let shrank = words(&mut moved.iter().rev().filter(|(x, _)| *x < 0.0));
    let mut parts = Vec::new();
    if !grew.is_empty() {
        parts.push(format!("the gap grew most in {}", join(&grew)));
    }
    if !shrank.is_empty() {
        parts.push(format!("it shrank most in {}", join(&shrank)));
    }
    format!(
        "{period}, {}. {} of the {drawn} district gaps drawn changed{}.",
        parts.join("; "),
        moved.len(),
        not_shown("")
    )
}

fn change_chart(c: &Comparison, unit: Unit) -> BarChart {
    let districts: Vec<&AreaChange> = c
        .areas
        .iter()
        .filter(|r| r.kind == AreaKind::District)
        .collect();
    let mut categories: Vec<(String, String)> = Vec::new();
    for r in &districts {
        if !categories.iter().any(|(code, _)| *code == r.area_code) {
            categories.push((r.area_code.clone(), r.area_name.clone()));
        }
    }
    let series_of = |lot: &super::runs::LotSetting| BarSeries {
        label: lot.label.clone(),
        values: categories
            .iter()
            .map(|(code, _)| {
                districts
                    .iter()
                    .find(|r| r.area_code == *code && r.lot.id == lot.id)
                    .and_then(|r| r.change_of(Measure::Gap))
            })
            .collect(),
    };
    let all: Vec<BarSeries> = c
        .lots
        .iter()
        .filter(|l| l.unit == unit)
        .map(series_of)
        .collect();
    let moved: Vec<BarSeries> = all
        .iter()
        .filter(|s| s.values.iter().any(|v| v.is_some_and(|x| x != 0.0)))
        .cloned()
        .collect();
    BarChart {
        title: format!(
            "Change in gap by district, {} to {} ({})",
            c.before_label,
            c.after_label,
            unit.label()
        ),
        subtitle: Some(if moved.is_empty() {
            "No gap changed in any district".to_string()
        } else {
            "Positive: the shortfall grew or spare capacity shrank; negative: the reverse. Only lots whose gap changed are shown".to_string()
        }),
        categories: categories.into_iter().map(|(_, name)| name).collect(),
        series: if moved.is_empty() { all } else { moved },
        value_label: format!("Change in gap ({})", unit.label()),
        footnote: Some(format!(
            "{MARKER} = suppressed in either run (too few people to publish), or not comparable between the runs"
        )),
    }
}
