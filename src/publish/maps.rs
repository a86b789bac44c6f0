//! Maps as GeoJSON (RFC 7946): districts with gap properties per lot, services as points.
//!
//! District properties keep the boundary file's own code and name property names (such as
//! `LAD24CD`), so the layer joins to other ONS data; codes are text, figures are numbers,
//! suppressed figures are null.

use geo::MultiPolygon;
use rayon::prelude::*;
use serde_json::Value;

use crate::config::Config;
use crate::io::geojson::{written_area, OutFeature, OutGeometry};
use crate::load::Inputs;
use crate::publish::published::PublishedRun;

fn num(v: Option<f64>, decimals: i32) -> Value {
    let scale = 10f64.powi(decimals);
    v.filter(|x| x.is_finite())
        .map_or(Value::Null, |x| Value::from((x * scale).round() / scale))
}

fn count(v: Option<u32>) -> Value {
    v.map_or(Value::Null, Value::from)
}

/// One feature per district, with `<lot>_supply`, `_demand`, `_gap`, `_sufficiency`,
/// `_current_users`, `_waiting` and `_share_beyond_catchment` for every lot.
pub fn districts(config: &Config, inputs: &Inputs, published: &PublishedRun) -> Vec<OutFeature> {
    let areas = &config.file.areas;
    let (code_prop, name_prop) = match &areas.district_property {
        None => (areas.code_property.clone(), areas.name_property.clone()),
        Some(p) => (
            p.clone(),
            areas
                .district_name_property
                .clone()
                .unwrap_or_else(|| format!("{p}_name")),
        ),
    };
    inputs
        .districts
        .iter()
        .map(|d| {
            let mut props: Vec<(String, Value)> = vec![
                (code_prop.clone(), d.code.clone().into()),
                (name_prop.clone(), d.name.clone().into()),
            ];
            for r in published.districts.iter().filter(|r| r.area_code == d.code) {
                let id = &config.catalogue.lots[r.lot].id;
                props.push((format!("{id}_supply"), num(Some(r.supply), 2)));
                props.push((format!("{id}_current_users"), count(r.current_users)));
                props.push((format!("{id}_waiting"), count(r.waiting)));
                props.push((format!("{id}_demand"), num(r.demand, 2)));
                props.push((format!("{id}_gap"), num(r.gap, 2)));
                props.push((format!("{id}_sufficiency"), num(r.sufficiency, 3)));
                props.push((
                    format!("{id}_share_beyond_catchment"),
                    num(r.share_beyond_catchment, 3),
                ));
            }
            OutFeature {
                geometry: OutGeometry::Area(d.geometry.clone()),
                properties: props,
            }
        })
        .collect()
}

/// One point per service.
pub fn services(config: &Config, inputs: &Inputs, published: &PublishedRun) -> Vec<OutFeature> {
    let cat = &config.catalogue;
    published
        .services
        .iter()
        .map(|row| {
            let s = &inputs.services[row.service];
            let kind = &cat.service_types[s.service_type];
            let lots: Vec<&str> = s.lots.iter().map(|&l| cat.lots[l].id.as_str()).collect();
            let bands: Vec<&str> = s.bands.iter().map(|&b| cat.bands[b].id.as_str()).collect();
            let district = row.district.map(|d| &inputs.districts[d]);
            OutFeature {
                geometry: OutGeometry::Point(s.location),
                properties: vec![
                    ("service_id".into(), s.id.clone().into()),
                    ("provider_id".into(), s.provider_id.clone().into()),
                    ("provider_name".into(), s.provider_name.clone().into()),
                    ("service_name".into(), s.name.clone().into()),
                    ("service_type".into(), kind.id.clone().into()),
                    ("lots".into(), lots.join(";").into()),
                    ("bands".into(), bands.join(";").into()),
                    ("capacity".into(), num(Some(s.capacity), 2)),
                    ("unit".into(), kind.unit.label().into()),
                    ("current_users".into(), count(row.current_users)),
                    ("status".into(), s.status.as_str().into()),
                    (
                        "district_code".into(),
                        district.map_or(Value::Null, |d| d.code.clone().into()),
                    ),
                    (
                        "district_name".into(),
                        district.map_or(Value::Null, |d| d.name.clone().into()),
                    ),
                ],
            }
        })
        .collect()
}

/// One feature per small area, with `<lot>_nearest_km` (`_minutes` with travel times),
/// `<lot>_services_in_reach` and `<lot>_e2sfca` for every lot (empty unless the boundaries
/// are small areas). Made one area at a time ([`SmallAreas::feature`]), so a map of tens of
/// thousands of areas is written without holding it whole.
pub struct SmallAreas<'a> {
    config: &'a Config,
    inputs: &'a Inputs,
    district_property: String,
    /// Each area's rows, found once (not by a scan of every row for every area).
    rows_of: Vec<Vec<&'a crate::publish::published::AreaRow>>,
    /// Each lot's property names (nearest, services in reach, E2SFCA), made once rather
    /// than for every area.
    lot_keys: Vec<[String; 3]>,
    /// Each area as written, made once in parallel: the GeoJSON and the GeoPackage both
    /// write it, and making an area valid on the output grid is most of the cost of
    /// writing it. Empty when the run has no small-area rows (the map is not written).
    written: Vec<MultiPolygon<f64>>,
}

impl<'a> SmallAreas<'a> {
    pub fn new(config: &'a Config, inputs: &'a Inputs, published: &'a PublishedRun) -> Self {
        let mut rows_of = vec![Vec::new(); inputs.areas.len()];
        for r in &published.areas {
            if let Some(rows) = rows_of.get_mut(r.area) {
                rows.push(r);
            }
        }
        SmallAreas {
            config,
            inputs,
            district_property: config
                .file
                .areas
                .district_property
                .clone()
                .unwrap_or_else(|| "district_code".into()),
            rows_of,
            lot_keys: config
                .catalogue
                .lots
                .iter()
                .map(|l| {
                    let id = &l.id;
                    [
                        format!("{id}_nearest_{}", published.distances.suffix()),
                        format!("{id}_services_in_reach"),
                        format!("{id}_e2sfca"),
                    ]
                })
                .collect(),
            written: if published.areas.is_empty() {
                Vec::new()
            } else {
                inputs
                    .areas
                    .par_iter()
                    .map(|a| written_area(&a.geometry))
                    .collect()
            },
        }
    }

    /// How many features the map has: one per area.
    pub fn len(&self) -> usize {
        self.inputs.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inputs.areas.is_empty()
    }

    /// The feature of the `i`th area.
    pub fn feature(&self, i: usize) -> OutFeature {
        let geometry = match self.written.get(i) {
            Some(written) => OutGeometry::WrittenArea(written.clone()),
            None => OutGeometry::Area(self.inputs.areas[i].geometry.clone()),
        };
        OutFeature {
            geometry,
            properties: self.properties(i),
        }
    }

    /// The properties of the `i`th area's feature, in their order.
    pub fn properties(&self, i: usize) -> Vec<(String, Value)> {
        let areas = &self.config.file.areas;
        let a = &self.inputs.areas[i];
        let mut props: Vec<(String, Value)> = vec![
            (areas.code_property.clone(), a.code.clone().into()),
            (areas.name_property.clone(), a.name.clone().into()),
            (
                self.district_property.clone(),
                a.district_code.clone().into(),
            ),
        ];
        for r in &self.rows_of[i] {
            let [nearest, in_reach, e2sfca] = &self.lot_keys[r.lot];
            props.push((nearest.clone(), num(r.nearest_km, 3)));
            props.push((in_reach.clone(), Value::from(r.services_in_reach)));
            props.push((e2sfca.clone(), num(Some(r.e2sfca), 6)));
        }
        props
    }
}
