//! QGIS layer styles (.qml) so a GIS analyst's gap layer opens classified and labelled.
//!
//! A graduated renderer on one `<lot>_gap` property with exactly the classes and colours of
//! the map picture, and labels from the district name property. QGIS loads
//! `districts.qml` automatically when it opens `districts.geojson` beside it; the per-lot
//! files can be loaded from the layer's style menu. Suppressed (null) districts match no
//! class and are left unfilled. Point layers (services, a plan's sites) get one labelled
//! marker ([`point_style`]). The same documents go in `maps/gapmap.gpkg`'s `layer_styles`.

use std::fmt::Write as _;

use crate::publish::charts::LegendClass;
use crate::publish::report::esc;

/// A QGIS style document for a polygon layer classified on `field`, labelled by
/// `label_field` when given (districts), unlabelled otherwise (hundreds of small areas).
pub fn graduated_style(field: &str, label_field: Option<&str>, classes: &[LegendClass]) -> String {
    let mut ranges = String::new();
    let mut symbols = String::new();
    for (i, c) in classes.iter().enumerate() {
        let lower = if c.lower.is_finite() {
            c.lower
        } else {
            c.upper
        };
        let _ = writeln!(
            ranges,
            "      <range lower=\"{lower:.6}\" upper=\"{:.6}\" symbol=\"{i}\" label=\"{}\" render=\"true\"/>",
            c.upper,
            esc(strip_count(&c.label))
        );
        symbols.push_str(&fill_symbol(i, c.colour));
    }
    format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology|Labeling">
  <renderer-v2 type="graduatedSymbol" attr="{field}" graduatedMethod="GraduatedColor" symbollevels="0" forceraster="0" enableorderby="0">
    <ranges>
{ranges}    </ranges>
    <symbols>
{symbols}    </symbols>
  </renderer-v2>
{labeling}  <layerGeometryType>2</layerGeometryType>
</qgis>
"#,
        field = esc(field),
        labeling = label_field.map_or_else(String::new, |f| labeling(f, POLYGON_LABELS)),
    )
}

/// The colour of points in the map pictures, for point layers in QGIS.
pub const POINT_COLOUR: (u8, u8, u8) = (20, 20, 20);

/// A QGIS style document for a point layer: one round marker of `colour`, labelled by
/// `label_field` beside the point.
pub fn point_style(label_field: &str, (r, g, b): (u8, u8, u8)) -> String {
    format!(
        r#"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology|Labeling">
  <renderer-v2 type="singleSymbol" symbollevels="0" forceraster="0" enableorderby="0">
    <symbols>
      <symbol type="marker" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="name" value="circle" type="QString"/>
            <Option name="color" value="{r},{g},{b},255" type="QString"/>
            <Option name="outline_color" value="255,255,255,255" type="QString"/>
            <Option name="outline_style" value="solid" type="QString"/>
            <Option name="outline_width" value="0.4" type="QString"/>
            <Option name="outline_width_unit" value="MM" type="QString"/>
            <Option name="size" value="2.6" type="QString"/>
            <Option name="size_unit" value="MM" type="QString"/>
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
{labeling}  <layerGeometryType>0</layerGeometryType>
</qgis>
"#,
        labeling = labeling(label_field, POINT_LABELS),
    )
}

/// Label placement: over a polygon's centroid, or around a point.
const POLYGON_LABELS: &str =
    r#"placement="1" fitInPolygonOnly="0" centroidWhole="1" centroidInside="1""#;
const POINT_LABELS: &str = r#"placement="0" dist="1" distUnits="MM""#;

fn labeling(label_field: &str, placement: &str) -> String {
    format!(
        r#"  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName="{label}" isExpression="0" fontFamily="Sans Serif" fontSize="9" fontSizeUnit="Point" fontWeight="75" textColor="20,20,20,255" textOpacity="1" namedStyle="Bold">
        <text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="1"/>
      </text-style>
      <text-format wrapChar="" multilineAlign="1" autoWrapLength="14"/>
      <placement {placement}/>
      <rendering obstacle="1" displayAll="1" drawLabels="1"/>
    </settings>
  </labeling>
"#,
        label = esc(label_field)
    )
}

/// "0 to 15 (4)" -> "0 to 15": the count describes one run's picture, not the class.
fn strip_count(label: &str) -> &str {
    match label.rfind(" (") {
        Some(i) if label.ends_with(')') => &label[..i],
        _ => label,
    }
}

fn fill_symbol(index: usize, (r, g, b): (u8, u8, u8)) -> String {
    format!(
        r#"      <symbol type="fill" name="{index}" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="{r},{g},{b},255" type="QString"/>
            <Option name="outline_color" value="60,60,60,255" type="QString"/>
            <Option name="outline_style" value="solid" type="QString"/>
            <Option name="outline_width" value="0.3" type="QString"/>
            <Option name="outline_width_unit" value="MM" type="QString"/>
            <Option name="style" value="solid" type="QString"/>
          </Option>
        </layer>
      </symbol>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_has_one_range_and_symbol_per_class() {
        let classes = vec![
            LegendClass {
                lower: -5.0,
                upper: 0.0,
                colour: (33, 102, 172),
                label: "-5 to 0 (3)".into(),
            },
            LegendClass {
                lower: 0.0,
                upper: 15.0,
                colour: (178, 24, 43),
                label: "0 to 15 (4)".into(),
            },
        ];
        let qml = graduated_style("pmld_gap", Some("LAD24NM"), &classes);
        assert!(qml.contains(r#"attr="pmld_gap""#));
        assert!(qml.contains(r#"<range lower="-5.000000" upper="0.000000" symbol="0" label="-5 to 0" render="true"/>"#));
        assert!(qml.contains(r#"value="178,24,43,255""#));
        assert!(qml.contains(r#"fieldName="LAD24NM""#));
        assert_eq!(qml.matches("<symbol ").count(), 2);
        let unlabelled = graduated_style("pmld_nearest_km", None, &classes);
        assert!(!unlabelled.contains("<labeling"));
    }

    #[test]
    fn point_style_is_one_labelled_marker() {
        let qml = point_style("service_name", (20, 20, 20));
        assert!(qml.contains(r#"<renderer-v2 type="singleSymbol""#));
        assert_eq!(qml.matches("<symbol ").count(), 1);
        assert!(qml.contains(r#"value="20,20,20,255""#));
        assert!(qml.contains(r#"fieldName="service_name""#));
        assert!(qml.contains(r#"<placement placement="0""#));
        assert!(qml.contains("<layerGeometryType>0</layerGeometryType>"));
    }
}
