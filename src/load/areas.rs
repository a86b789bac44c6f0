//! Areas: district polygons, or small areas (such as LSOAs) that name their district.
//!
//! Which properties hold the code, the name and the district is configured
//! ([`crate::config::AreasSection`]). ONS codes must be text. When the file holds small
//! areas, each district's polygon is dissolved from its small areas.

use std::collections::{BTreeMap, BTreeSet};

use geo::{MultiPolygon, Polygon};
use rayon::prelude::*;

use crate::config::AreasSection;
use crate::geometry::union_on_grid;
use crate::io::geojson::{read_polygon_features, Crs, PolygonFeature};
use crate::io::InputFile;
use crate::model::{Area, District};
use crate::problem::{Place, Problem, Problems};

/// Loaded areas, the districts they make up, and the features left out for problems.
pub type LoadedAreas = (Vec<Area>, Vec<District>, Problems);

/// Loads the areas and the districts they make up; features with problems are left out
/// and reported.
pub fn load(input: &InputFile, settings: &AreasSection) -> Result<LoadedAreas, Problems> {
    let declared = match settings.crs.as_deref() {
        None => Crs::Wgs84,
        Some(name) => Crs::from_name(name).ok_or_else(|| {
            let mut p = Problems::default();
            p.push(Problem::new(
                &input.name,
                Place::File,
                format!("areas.crs {name:?} in the config is not a system gapmap reads (expected \"EPSG:4326\" or \"EPSG:27700\")"),
            ));
            p
        })?,
    };
    let checked = read_polygon_features(input, declared)?;
    let features = checked.records;
    let mut problems = checked.rejected;
    let mut areas = Vec::with_capacity(features.len());
    let mut seen = BTreeSet::new();
    let mut district_names = BTreeMap::new();
    for feature in features {
        let code = text_property(input, &feature, &settings.code_property, &mut problems);
        let name = text_property(input, &feature, &settings.name_property, &mut problems);
        let (district_code, district_name) = match &settings.district_property {
            None => (code.clone(), name.clone()),
            Some(prop) => {
                let dc = text_property(input, &feature, prop, &mut problems);
                let dn = match &settings.district_name_property {
                    Some(p) => text_property(input, &feature, p, &mut problems),
                    None => dc.clone(),
                };
                (dc, dn)
            }
        };
        let (Some(code), Some(name), Some(dc), Some(dn)) =
            (code, name, district_code, district_name)
        else {
            continue;
        };
        if !seen.insert(code.clone()) {
            problems.push(
                Problem::new(
                    &input.name,
                    Place::Feature(feature.index),
                    "is used by an earlier feature (area codes must be unique)",
                )
                .field(&settings.code_property)
                .value(&code),
            );
            continue;
        }
        district_names.entry(dc.clone()).or_insert(dn);
        areas.push(Area {
            code,
            name,
            district_code: dc,
            geometry: feature.geometry,
        });
    }
    let districts = if settings.district_property.is_some() {
        dissolve(&areas, &district_names, settings.dissolve_min_area_m2)
    } else {
        areas
            .iter()
            .map(|a| District {
                code: a.code.clone(),
                name: a.name.clone(),
                geometry: a.geometry.clone(),
            })
            .collect()
    };
    Ok((areas, districts, problems))
}

/// A property that must be present and hold text.
fn text_property(
    input: &InputFile,
    feature: &PolygonFeature,
    property: &str,
    problems: &mut Problems,
) -> Option<String> {
    let at = || Problem::new(&input.name, Place::Feature(feature.index), "").field(property);
    match feature.properties.get(property) {
        Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(serde_json::Value::String(_)) => {
            problems.push(Problem {
                message: "is empty (a value is required)".into(),
                ..at()
            });
            None
        }
        Some(serde_json::Value::Number(n)) => {
            problems.push(Problem {
                message: "is a number; codes and names must be text (ONS codes such as \"E07000129\" keep their letters)".into(),
                value: Some(n.to_string()),
                ..at()
            });
            None
        }
        Some(other) => {
            problems.push(Problem {
                message: "is not text".into(),
                value: Some(other.to_string()),
                ..at()
            });
            None
        }
        None => {
            let mut names: Vec<&str> = feature.properties.keys().map(String::as_str).collect();
            names.sort_unstable();
            let hint = match crate::problem::closest(property, names.iter().copied()) {
                Some(near) => format!(" (found {near:?}: is the config's property name right?)"),
                None => format!(" (the feature has: {})", names.join(", ")),
            };
            problems.push(Problem {
                message: format!("is missing{hint}"),
                ..at()
            });
            None
        }
    }
}

/// Unions each district's small areas into one district polygon, districts in code order
/// (dissolved in parallel, each on its own, so the result is the same at any thread count).
///
/// The union is resolved on the output grid ([`crate::geometry::union_on_grid`]), so the
/// districts are OGC-valid as written; parts and holes smaller than `min_area_m2` (the
/// slivers left where generalised boundaries do not quite meet) are left out.
pub fn dissolve(
    areas: &[Area],
    names: &BTreeMap<String, String>,
    min_area_m2: f64,
) -> Vec<District> {
    let mut by_district: BTreeMap<&str, Vec<&Polygon<f64>>> = BTreeMap::new();
    for area in areas {
        by_district
            .entry(area.district_code.as_str())
            .or_default()
            .extend(area.geometry.0.iter());
    }
    let by_district: Vec<(&str, Vec<&Polygon<f64>>)> = by_district.into_iter().collect();
    by_district
        .into_par_iter()
        .map(|(code, polygons)| {
            let geometry: MultiPolygon<f64> = union_on_grid(polygons, min_area_m2);
            District {
                code: code.to_string(),
                name: names.get(code).cloned().unwrap_or_else(|| code.to_string()),
                geometry,
            }
        })
        .collect()
}
