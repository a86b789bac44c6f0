//! Rendering tests: determinism, valid output, and no panics on odd input.

use super::*;
use geo::polygon;

fn bar() -> BarChart {
    BarChart {
        title: String::from("Gap by district"),
        subtitle: Some(String::from("Demand less supply")),
        categories: vec![
            String::from("Blaby"),
            String::from("North West Leicestershire"),
            String::from("Hinckley and Bosworth"),
        ],
        series: vec![
            BarSeries {
                label: String::from("PMLD"),
                values: vec![Some(3.0), None, Some(-2.5)],
            },
            BarSeries {
                label: String::from("Dementia"),
                values: vec![Some(f64::NAN), Some(12.0)],
            },
        ],
        value_label: String::from("places per day"),
        footnote: Some(String::from("[c] = suppressed to protect privacy")),
    }
}

fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

#[test]
fn bar_chart_is_deterministic_and_valid() {
    let a = bar_chart(&bar()).expect("draws");
    let b = bar_chart(&bar()).expect("draws");
    assert_eq!(a, b);
    assert!(is_png(&a.png));
    assert!(a.svg.contains("<svg"));
    assert!(a.svg.contains("North West Leicestershire"));
}

#[test]
fn empty_and_degenerate_charts_still_draw() {
    let mut empty = bar();
    empty.categories.clear();
    assert!(bar_chart(&empty).is_ok());
    let mut nothing = bar();
    for s in &mut nothing.series {
        s.values = vec![None; 3];
    }
    assert!(bar_chart(&nothing).is_ok());
    let mut zeros = bar();
    for s in &mut zeros.series {
        s.values = vec![Some(0.0); 3];
    }
    assert!(bar_chart(&zeros).is_ok());
    let line = LineChart {
        title: String::new(),
        subtitle: None,
        x_labels: vec![String::from("Aug-20")],
        series: vec![LineSeries {
            label: String::from("Total"),
            values: vec![f64::NAN, 3.0],
        }],
        y_label: String::from("people"),
        footnote: None,
    };
    assert!(line_chart(&line).is_ok());
}

#[test]
fn line_chart_is_deterministic_and_valid() {
    let chart = LineChart {
        title: String::from("People using day opportunities"),
        subtitle: None,
        x_labels: (0..20).map(|i| format!("Q{i}")).collect(),
        series: vec![
            LineSeries {
                label: String::from("18-64"),
                values: (0..20).map(|i| f64::from(i) * 10.0).collect(),
            },
            LineSeries {
                label: String::from("65+"),
                values: (0..20)
                    .map(|i| if i == 5 { f64::NAN } else { 50.0 })
                    .collect(),
            },
        ],
        y_label: String::from("people"),
        footnote: None,
    };
    let a = line_chart(&chart).expect("draws");
    assert_eq!(a, line_chart(&chart).expect("draws"));
    assert!(is_png(&a.png));
    assert!(a.svg.contains("<svg"));
}

fn square_with_hole() -> geo::MultiPolygon<f64> {
    let p = polygon!(
        exterior: [(x: -1.5, y: 52.4), (x: -0.7, y: 52.4), (x: -0.7, y: 53.0), (x: -1.5, y: 53.0)],
        interiors: [[(x: -1.2, y: 52.6), (x: -1.0, y: 52.6), (x: -1.0, y: 52.7), (x: -1.2, y: 52.7)]],
    );
    geo::MultiPolygon(vec![p])
}

#[test]
fn choropleth_is_deterministic_and_valid() {
    let map = ChoroplethMap {
        title: String::from("Gap"),
        subtitle: None,
        regions: vec![
            MapRegion {
                name: String::from("County"),
                geometry: square_with_hole(),
                value: Some(4.0),
            },
            MapRegion {
                name: String::from("City"),
                geometry: geo::MultiPolygon(vec![]),
                value: None,
            },
        ],
        breaks: vec![0.0, 5.0, 10.0],
        palette: Palette::Diverging,
        legend_title: String::from("Gap (places)"),
        label_regions: true,
        points: vec![MapPoint {
            lon: -1.1,
            lat: 52.8,
            label: Some(String::from("Service")),
        }],
        points_label: Some(String::from("Services")),
        attribution: String::from("Boundaries: test shapes made by hand"),
    };
    let a = choropleth(&map).expect("draws");
    assert_eq!(a, choropleth(&map).expect("draws"));
    assert!(is_png(&a.png));
    assert!(a.svg.contains("<svg"));
    let mut empty = map.clone();
    empty.regions.clear();
    empty.points.clear();
    assert!(choropleth(&empty).is_ok());
}
