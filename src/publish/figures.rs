//! Figures: turns the published run into chart data and writes SVG and PNG.
//!
//! Chooses what each chart shows; [`charts`] draws. Every figure comes from the
//! [`PublishedRun`], so charts show the same protected figures as the tables.

use std::sync::Arc;

use geo::MultiPolygon;
use rayon::prelude::*;

use crate::config::{Classification, Config, MapsSection};
use crate::load::Inputs;
use crate::model::Unit;
use crate::publish::charts::{
    self, BarChart, BarSeries, ChoroplethMap, Figure, LineChart, LineSeries, MapPoint, MapRegion,
    Palette,
};
use crate::publish::disclosure::MARKER;
use crate::publish::published::PublishedRun;
use crate::publish::run_folder::RunFolder;
use crate::publish::PublishError;

/// Footnote for charts that show counts of people.
fn people_note(published: &PublishedRun) -> String {
    format!(
        "Counts of people rounded to the nearest {}; {MARKER} = fewer than {} people, suppressed to protect privacy",
        published.disclosure.base,
        published.disclosure.threshold + 1
    )
}

/// A chart to draw, of any kind.
enum Spec {
    Bar(BarChart),
    Line(LineChart),
    Map(ChoroplethMap),
}

impl Spec {
    /// Draws the figure; maps keep their regions in pixels in `shapes` for the other maps
    /// of the same layer.
    fn draw(&self, shapes: &charts::MapShapes) -> Result<Figure, charts::ChartError> {
        match self {
            Spec::Bar(c) => charts::bar_chart(c),
            Spec::Line(c) => charts::line_chart(c),
            Spec::Map(m) => charts::choropleth_with(m, shapes),
        }
    }
}

/// The run's choropleth maps, one of each kind per lot, built (and classified) once: the
/// QGIS styles take their classes and the pictures draw them.
pub struct Maps {
    /// The gap by district, per lot.
    pub gap: Vec<ChoroplethMap>,
    /// The distance from each small area to the nearest service, per lot; empty without
    /// small areas.
    pub access: Vec<ChoroplethMap>,
}

/// Builds every map of the run, the lots in parallel. Each district's and small area's
/// geometry is copied once and shared by every lot's map.
pub fn maps(config: &Config, inputs: &Inputs, published: &PublishedRun) -> Maps {
    let lots = 0..config.catalogue.lots.len();
    let districts = shared(inputs.districts.iter().map(|d| &d.geometry));
    let gap = lots
        .clone()
        .into_par_iter()
        .map(|lot| gap_map(config, inputs, published, lot, &districts))
        .collect();
    let access = if published.areas.is_empty() {
        Vec::new()
    } else {
        let areas = shared(inputs.areas.iter().map(|a| &a.geometry));
        lots.into_par_iter()
            .map(|lot| access_map(config, inputs, published, lot, &areas))
            .collect()
    };
    Maps { gap, access }
}

/// Geometries copied once, to be shared by several maps.
pub fn shared<'a>(
    geometries: impl Iterator<Item = &'a MultiPolygon<f64>>,
) -> Vec<Arc<MultiPolygon<f64>>> {
    geometries.map(|g| Arc::new(g.clone())).collect()
}

/// Every chart of a run, by file name (without extension).
fn specs(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    maps: Maps,
) -> Vec<(String, Spec)> {
    let mut gap_maps = maps.gap.into_iter();
    let districts: Vec<String> = inputs.districts.iter().map(|d| d.name.clone()).collect();
    let mut specs = Vec::new();
    for (unit, name) in [
        (Unit::Places, "gap_by_district_places"),
        (Unit::Hours, "gap_by_district_hours"),
    ] {
        if let Some(chart) = gap_chart(config, published, &districts, unit) {
            specs.push((name.to_string(), Spec::Bar(chart)));
        }
    }
    for (lot, l) in config.catalogue.lots.iter().enumerate() {
        specs.push((
            format!("supply_demand_{}", l.id),
            Spec::Bar(supply_demand_chart(config, published, &districts, lot)),
        ));
        if let Some(map) = gap_maps.next() {
            specs.push((format!("map_gap_{}", l.id), Spec::Map(map)));
        }
    }
    for (map, l) in maps.access.into_iter().zip(&config.catalogue.lots) {
        specs.push((format!("map_access_{}", l.id), Spec::Map(map)));
    }
    if !inputs.trend.is_empty() {
        specs.push((
            "users_by_age_band".into(),
            Spec::Line(trend_chart(config, inputs)),
        ));
    }
    if !published.cost.is_empty() {
        specs.push(("band_mix".into(), Spec::Bar(band_chart(config, published))));
    }
    let (bars, market_maps) = crate::publish::market_charts::specs(config, inputs, published);
    specs.extend(bars.into_iter().map(|(n, c)| (n, Spec::Bar(c))));
    specs.extend(market_maps.into_iter().map(|(n, m)| (n, Spec::Map(m))));
    if let Some(p) = &published.projections {
        use crate::publish::projections;
        let d = &published.disclosure;
        let charts = projections::charts(config, inputs, p, d);
        specs.extend(charts.into_iter().map(|(n, c)| (n, Spec::Bar(c))));
        let maps = projections::maps(config, inputs, p);
        specs.extend(maps.into_iter().map(|(n, m)| (n, Spec::Map(m))));
    }
    if published.districts.iter().any(|r| r.mean_km.is_some()) {
        specs.push((
            "distance_to_nearest_service".into(),
            Spec::Bar(distance_chart(config, published, &districts)),
        ));
    }
    specs
}

/// Draws every chart, in parallel, in a fixed order: (file name without extension, figure).
pub fn draw_all(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    maps: Maps,
) -> Result<Vec<(String, Figure)>, PublishError> {
    let specs = specs(config, inputs, published, maps);
    let shapes = charts::MapShapes::default();
    let drawn: Vec<Result<Figure, charts::ChartError>> = specs
        .par_iter()
        .map(|(_, spec)| spec.draw(&shapes))
        .collect();
    drop(shapes);
    specs
        .into_iter()
        .zip(drawn)
        .map(|((name, _), figure)| Ok((name, figure?)))
        .collect()
}

/// Writes drawn figures into `charts/` as SVG and PNG.
pub fn write_all(folder: &mut RunFolder, figures: &[(String, Figure)]) -> Result<(), PublishError> {
    for (name, figure) in figures {
        folder.write(&format!("charts/{name}.svg"), figure.svg.as_bytes())?;
        folder.write(&format!("charts/{name}.png"), &figure.png)?;
    }
    Ok(())
}

/// Bar charts by district hold at most this many bars (districts x series), and at most
/// [`MAX_DISTRICTS`] districts: beyond that the bars are too thin to read (a whole-England
/// run has over 300 districts). The sample's 7 districts x 7 lots fit.
const MAX_BARS: usize = 56;
const MAX_DISTRICTS: usize = 25;

/// With more districts than fit, keeps the districts whose bars have the largest `key`
/// (largest first, ties in district order) and says so in the subtitle; `what` completes
/// "the 9 districts with the ...". Missing values count as none.
pub(crate) fn keep_largest(
    mut chart: BarChart,
    what: &str,
    key: impl Fn(&[f64]) -> f64,
) -> BarChart {
    let n = chart.categories.len();
    let fit = (MAX_BARS / chart.series.len().max(1)).clamp(5, MAX_DISTRICTS);
    if n <= fit {
        return chart;
    }
    let keys: Vec<f64> = (0..n)
        .map(|c| {
            let values: Vec<f64> = chart
                .series
                .iter()
                .map(|s| s.values[c].unwrap_or(f64::NEG_INFINITY))
                .collect();
            key(&values)
        })
        .collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
    order.truncate(fit);
    chart.categories = order.iter().map(|&c| chart.categories[c].clone()).collect();
    for series in &mut chart.series {
        series.values = order.iter().map(|&c| series.values[c]).collect();
    }
    let note = format!(
        "the {fit} districts with the {what}, of {n} (every district is in tables/gaps.csv)"
    );
    chart.subtitle = Some(match chart.subtitle {
        Some(s) => format!("{s}; {note}"),
        None => note,
    });
    chart
}

fn largest(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

fn gap_chart(
    config: &Config,
    published: &PublishedRun,
    districts: &[String],
    unit: Unit,
) -> Option<BarChart> {
    let series: Vec<BarSeries> = config
        .catalogue
        .lots
        .iter()
        .enumerate()
        .filter(|(_, l)| l.unit == unit)
        .map(|(lot, l)| BarSeries {
            label: l.label.clone(),
            values: published.lot_rows(lot).map(|r| r.gap).collect(),
        })
        .collect();
    (!series.is_empty()).then(|| {
        let chart = BarChart {
            title: format!("Gap by district: demand minus supply ({})", unit.label()),
            subtitle: Some(format!(
                "{}: positive = shortfall, negative = spare capacity",
                config.file.label
            )),
            categories: districts.to_vec(),
            series,
            value_label: format!("Gap ({})", unit.label()),
            footnote: Some(people_note(published)),
        };
        keep_largest(chart, "largest shortfalls", largest)
    })
}

fn supply_demand_chart(
    config: &Config,
    published: &PublishedRun,
    districts: &[String],
    lot: usize,
) -> BarChart {
    let l = &config.catalogue.lots[lot];
    let rows: Vec<_> = published.lot_rows(lot).collect();
    let chart = BarChart {
        title: format!("{}: supply against demand", l.label),
        subtitle: Some(format!(
            "{}, by district; demand = current users + people waiting",
            config.file.label
        )),
        categories: districts.to_vec(),
        series: vec![
            BarSeries {
                label: "Supply (active services located in the district)".into(),
                values: rows.iter().map(|r| Some(r.supply)).collect(),
            },
            BarSeries {
                label: "Demand".into(),
                values: rows.iter().map(|r| r.demand).collect(),
            },
        ],
        value_label: capitalise(l.unit.label()),
        footnote: Some(people_note(published)),
    };
    // The second series is demand.
    keep_largest(chart, "most demand", |values| values[1])
}

fn trend_chart(config: &Config, inputs: &Inputs) -> LineChart {
    let mut periods: Vec<(&str, &str)> = inputs
        .trend
        .iter()
        .map(|t| (t.date.as_str(), t.period.as_str()))
        .collect();
    periods.sort_unstable();
    periods.dedup();
    let mut ages: Vec<&str> = inputs.trend.iter().map(|t| t.age_band.as_str()).collect();
    ages.sort_unstable();
    ages.dedup();
    let value = |date: &str, age: &str| {
        inputs
            .trend
            .iter()
            .filter(|t| t.date == date && t.age_band == age)
            .map(|t| f64::from(t.users))
            .sum::<f64>()
    };
    let mut series: Vec<LineSeries> = ages
        .iter()
        .map(|age| LineSeries {
            label: format!("Aged {age}"),
            values: periods.iter().map(|(d, _)| value(d, age)).collect(),
        })
        .collect();
    series.push(LineSeries {
        label: "All ages".into(),
        values: periods
            .iter()
            .map(|(d, _)| ages.iter().map(|a| value(d, a)).sum())
            .collect(),
    });
    LineChart {
        title: "People using day opportunities, by age band".into(),
        subtitle: Some(config.file.title.clone()),
        x_labels: periods.iter().map(|(_, p)| p.to_string()).collect(),
        series,
        y_label: "People".into(),
        footnote: Some(
            "Source: the council's published counts of people receiving services".into(),
        ),
    }
}

fn band_chart(config: &Config, published: &PublishedRun) -> BarChart {
    BarChart {
        title: "Band mix: people receiving support at each band".into(),
        subtitle: Some(format!(
            "{}; some people receive support at more than one band",
            config.file.label
        )),
        categories: published
            .cost
            .iter()
            .map(|c| format!("Band {}", config.catalogue.bands[c.band].id))
            .collect(),
        series: vec![BarSeries {
            label: "People".into(),
            values: published
                .cost
                .iter()
                .map(|c| c.people.map(f64::from))
                .collect(),
        }],
        value_label: "People".into(),
        footnote: Some(people_note(published)),
    }
}

fn distance_chart(config: &Config, published: &PublishedRun, districts: &[String]) -> BarChart {
    let chart = BarChart {
        title: format!(
            "Mean {} to the nearest suitable service",
            published.distances.noun()
        ),
        subtitle: Some(format!(
            "{}: {}, {} to the nearest active service for their lot",
            config.file.label,
            published.distances.description,
            published.distances.origins.words()
        )),
        categories: districts.to_vec(),
        series: config
            .catalogue
            .lots
            .iter()
            .enumerate()
            .map(|(lot, l)| BarSeries {
                label: l.label.clone(),
                values: published.lot_rows(lot).map(|r| r.mean_km).collect(),
            })
            .collect(),
        value_label: published.distances.axis_label().into(),
        footnote: Some(format!(
            "Figures for groups of fewer than {} people are not shown",
            published.disclosure.threshold + 1
        )),
    };
    let longest = format!("longest mean {}", published.distances.noun());
    keep_largest(chart, &longest, largest)
}

pub fn gap_map(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    lot: usize,
    shapes: &[Arc<MultiPolygon<f64>>],
) -> ChoroplethMap {
    let l = &config.catalogue.lots[lot];
    let regions: Vec<MapRegion> = inputs
        .districts
        .iter()
        .zip(shapes)
        .map(|(d, shape)| MapRegion {
            name: d.name.clone(),
            geometry: Arc::clone(shape),
            value: published
                .lot_rows(lot)
                .find(|r| r.area_code == d.code)
                .and_then(|r| r.gap),
        })
        .collect();
    let values: Vec<f64> = regions.iter().filter_map(|r| r.value).collect();
    let breaks = class_breaks(&values, &config.file.maps);
    ChoroplethMap {
        title: format!("{}: gap by district", l.label),
        subtitle: Some(format!(
            "{}: demand minus supply, {}",
            config.file.label,
            l.unit.label()
        )),
        regions,
        breaks,
        palette: Palette::Diverging,
        legend_title: format!("Gap ({})", l.unit.label()),
        label_regions: true,
        points: active_service_points(inputs, lot),
        points_label: Some("Active services for this lot".into()),
        attribution: config.attribution(),
    }
}

/// Distance from each small area to the nearest suitable service, as a sequential map.
pub fn access_map(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    lot: usize,
    shapes: &[Arc<MultiPolygon<f64>>],
) -> ChoroplethMap {
    let l = &config.catalogue.lots[lot];
    let regions: Vec<MapRegion> = published
        .areas
        .iter()
        .filter(|r| r.lot == lot)
        .map(|r| MapRegion {
            name: inputs.areas[r.area].name.clone(),
            geometry: Arc::clone(&shapes[r.area]),
            value: r.nearest_km,
        })
        .collect();
    let values: Vec<f64> = regions.iter().filter_map(|r| r.value).collect();
    let breaks = classify(&values, &config.file.maps);
    ChoroplethMap {
        title: format!(
            "{}: {} to the nearest service",
            l.label,
            published.distances.noun()
        ),
        subtitle: Some(format!(
            "{}: {} from each small area to the nearest active service for this lot ({})",
            config.file.label,
            published.distances.suffix(),
            published.distances.description
        )),
        regions,
        breaks,
        palette: Palette::Sequential,
        legend_title: published.distances.axis_label().into(),
        label_regions: false,
        points: active_service_points(inputs, lot),
        points_label: Some("Active services for this lot".into()),
        attribution: config.attribution(),
    }
}

/// The active services serving a lot, as map points.
fn active_service_points(inputs: &Inputs, lot: usize) -> Vec<MapPoint> {
    inputs
        .services
        .iter()
        .filter(|s| s.status == crate::model::ServiceStatus::Active && s.lots.contains(&lot))
        .map(|s| MapPoint {
            lon: s.location.x(),
            lat: s.location.y(),
            label: None,
        })
        .collect()
}

/// Class upper bounds by the configured method.
fn classify(values: &[f64], settings: &MapsSection) -> Vec<f64> {
    let k = settings.classes;
    match settings.classification {
        Classification::Jenks => charts::jenks_breaks(values, k),
        Classification::Quantile => charts::quantile_breaks(values, k),
        Classification::EqualInterval => charts::equal_interval_breaks(values, k),
    }
}

/// Class upper bounds for gap values by the configured method, with zero always a bound so
/// that shortfalls and spare capacity never share a class.
pub fn class_breaks(values: &[f64], settings: &MapsSection) -> Vec<f64> {
    let mut breaks = classify(values, settings);
    let (min, max) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    if min < 0.0 && max > 0.0 {
        breaks.push(0.0);
    }
    breaks.retain(|b| b.is_finite());
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    breaks
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_is_always_a_class_bound_between_shortfall_and_surplus() {
        let settings = MapsSection {
            classification: Classification::Jenks,
            classes: 3,
        };
        // Jenks into 3 classes: {-6, -5}, {1, 2}, {14, 15}; upper bounds -5, 2, 15; plus 0.
        assert_eq!(
            class_breaks(&[-6.0, -5.0, 1.0, 2.0, 14.0, 15.0], &settings),
            vec![-5.0, 0.0, 2.0, 15.0]
        );
        // All shortfalls: no zero bound is added.
        assert_eq!(
            class_breaks(&[1.0, 2.0, 14.0, 15.0, 30.0], &settings),
            vec![2.0, 15.0, 30.0]
        );
    }

    fn chart(districts: usize, series: usize) -> BarChart {
        BarChart {
            title: "t".into(),
            subtitle: Some("s".into()),
            categories: (0..districts).map(|d| format!("D{d}")).collect(),
            series: (0..series)
                .map(|k| BarSeries {
                    label: format!("L{k}"),
                    // District d's bars: d in series 0, missing in the last district.
                    values: (0..districts)
                        .map(|d| (k == 0 && d + 1 < districts).then_some(d as f64))
                        .collect(),
                })
                .collect(),
            value_label: "v".into(),
            footnote: None,
        }
    }

    /// 30 districts and 2 series: 56 / 2 = 28 bars would fit, capped at 25 districts, the
    /// largest first: D28 (the last, D29, has no value) down to D4.
    #[test]
    fn many_districts_keep_the_largest_and_say_so() {
        let kept = keep_largest(chart(30, 2), "most demand", largest);
        let expected: Vec<String> = (4..=28).rev().map(|d| format!("D{d}")).collect();
        assert_eq!(kept.categories, expected);
        assert_eq!(kept.series[0].values[0], Some(28.0));
        assert_eq!(kept.series[1].values, vec![None; 25]);
        assert_eq!(
            kept.subtitle.as_deref(),
            Some("s; the 25 districts with the most demand, of 30 (every district is in tables/gaps.csv)")
        );
        // Six series: 56 / 6 = 9 districts.
        assert_eq!(keep_largest(chart(30, 6), "x", largest).categories.len(), 9);
        // Seven districts of seven series (the sample) are all kept, unchanged.
        assert_eq!(keep_largest(chart(7, 7), "x", largest), chart(7, 7));
    }
}
