//! The market's pictures: concentration by lot (a bar chart of the HHI), and the map of
//! one provider's exit (the gap it opens by district, the services that close and the
//! services that take its people). Built from the published market only, so every count
//! of people shown has passed disclosure control; no one's home is drawn.

use crate::config::Config;
use crate::load::Inputs;
use crate::model::Unit;
use crate::publish::charts::{BarChart, BarSeries, ChoroplethMap, MapPoint, MapRegion, Palette};
use crate::publish::disclosure::{Published, MARKER};
use crate::publish::market::{ExitRow, PublishedMarket, HHI_LINE};
use crate::publish::published::PublishedRun;

/// The file name (without extension) of the concentration chart.
pub const CONCENTRATION: &str = "market_concentration";
/// The file name (without extension) of the map of the exit ranked first.
pub const LARGEST_EXIT: &str = "map_provider_exit";

/// Charts and maps by file name (without extension).
pub type Named<T> = Vec<(String, T)>;

/// The market's charts and maps by file name, for [`crate::publish::figures`].
pub fn specs(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
) -> (Named<BarChart>, Named<ChoroplethMap>) {
    let market = &published.market;
    if market.markets.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let bars = vec![(
        CONCENTRATION.to_string(),
        concentration_chart(config, market),
    )];
    let maps = market
        .exits
        .first()
        .map(|first| {
            (
                LARGEST_EXIT.to_string(),
                exit_map(config, inputs, published, first),
            )
        })
        .into_iter()
        .collect();
    (bars, maps)
}

/// The HHI of each lot's market over the whole area.
pub fn concentration_chart(config: &Config, market: &PublishedMarket) -> BarChart {
    let lots: Vec<_> = market.by_lot().collect();
    BarChart {
        title: "How concentrated each lot's market is".into(),
        subtitle: Some(format!(
            "{}: Herfindahl-Hirschman index of the providers' shares of supply, all districts",
            config.file.label
        )),
        categories: lots
            .iter()
            .map(|m| config.catalogue.lots[m.lot].label.clone())
            .collect(),
        series: vec![BarSeries {
            label: "HHI".into(),
            values: lots.iter().map(|m| m.hhi).collect(),
        }],
        value_label: "HHI, 0 (many small providers) to 10,000 (one provider)".into(),
        footnote: Some(format!(
            "Above {} a market is highly concentrated. Shares are of capacity (places, or PA hours a week) of active services.",
            crate::publish::report::num(HHI_LINE)
        )),
    }
}

/// People as a label: the published count, or the suppression marker.
fn people(n: Published) -> String {
    n.map_or_else(|| MARKER.to_string(), |n| n.to_string())
}

/// The gap one exit opens in each district (in district order), in the unit of most of
/// the provider's supply: what its map colours.
pub fn exit_gaps(config: &Config, inputs: &Inputs, exit: &ExitRow) -> (Unit, Vec<f64>) {
    let unit = if exit.gap_opened_hours > 0.0 && exit.gap_opened_places == 0.0 {
        Unit::Hours
    } else {
        Unit::Places
    };
    let gaps = (0..inputs.districts.len())
        .map(|d| {
            exit.cells
                .iter()
                .filter(|c| c.district == Some(d) && config.catalogue.lots[c.lot].unit == unit)
                .map(|c| c.gap_opened)
                .sum()
        })
        .collect();
    (unit, gaps)
}

/// The services that would take one exit's people, with how many (suppressed: `None`).
pub fn taking(exit: &ExitRow) -> std::collections::BTreeMap<usize, Published> {
    let mut taking: std::collections::BTreeMap<usize, Published> = Default::default();
    for m in exit.moves.iter().filter(|m| m.people != Some(0)) {
        let total = taking.entry(m.to).or_insert(Some(0));
        *total = total.zip(m.people).map(|(a, b)| a + b);
    }
    taking
}

/// The map of one exit: each district coloured by the gap the exit opens (in the unit of
/// most of the provider's supply), the provider's services marked as closing with the
/// people left without a place, and each service that takes people with how many.
pub fn exit_map(
    config: &Config,
    inputs: &Inputs,
    published: &PublishedRun,
    exit: &ExitRow,
) -> ChoroplethMap {
    let (unit, gaps) = exit_gaps(config, inputs, exit);
    let regions: Vec<MapRegion> = inputs
        .districts
        .iter()
        .zip(gaps)
        .map(|(district, gap)| MapRegion {
            name: district.name.clone(),
            geometry: std::sync::Arc::new(district.geometry.clone()),
            value: Some(gap),
        })
        .collect();
    let values: Vec<f64> = regions.iter().filter_map(|r| r.value).collect();
    let breaks = crate::publish::figures::class_breaks(&values, &config.file.maps);
    let mut points: Vec<MapPoint> = exit
        .services
        .iter()
        .map(|&j| {
            let s = &inputs.services[j];
            let left = exit.left.iter().find(|(k, _)| *k == j).map(|(_, n)| *n);
            MapPoint {
                lon: s.location.x(),
                lat: s.location.y(),
                label: Some(match left {
                    Some(n) => format!("Closes: {} ({} without a place)", s.name, people(n)),
                    None => format!("Closes: {}", s.name),
                }),
            }
        })
        .collect();
    points.extend(taking(exit).into_iter().map(|(j, n)| {
        let s = &inputs.services[j];
        MapPoint {
            lon: s.location.x(),
            lat: s.location.y(),
            label: Some(format!("+{}: {}", people(n), s.name)),
        }
    }));
    let from = if published.market.from_homes {
        "from home"
    } else {
        "from the service they use"
    };
    ChoroplethMap {
        title: format!("If {} left", exit.provider_name),
        subtitle: Some(format!(
            "{}: gap opened by district ({}); its services closing, and the services taking its people (+ people), within {} {} {from}",
            config.file.label,
            unit.label(),
            crate::publish::report::num(published.distances.catchment),
            published.distances.suffix()
        )),
        regions,
        breaks,
        palette: Palette::Sequential,
        legend_title: format!("Gap opened ({})", unit.label()),
        label_regions: true,
        points,
        points_label: Some("Services affected".into()),
        attribution: config.attribution(),
    }
}
