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
                geometry: square_with_hole().into(),
                value: Some(4.0),
            },
            MapRegion {
                name: String::from("City"),
                geometry: geo::MultiPolygon(vec![]).into(),
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

/// A grid of `n` x `n` small squares, valued by column so the classes run west to east.
fn grid_map(n: usize) -> ChoroplethMap {
    let size = 0.5 / n as f64;
    let regions = (0..n * n)
        .map(|k| {
            let (i, j) = (k % n, k / n);
            let (x, y) = (-1.5 + i as f64 * size, 52.4 + j as f64 * size);
            MapRegion {
                name: format!("Area {k}"),
                geometry: geo::MultiPolygon(vec![polygon![
                    (x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)
                ]])
                .into(),
                value: Some(i as f64),
            }
        })
        .collect();
    ChoroplethMap {
        title: String::from("Distance"),
        subtitle: None,
        regions,
        breaks: vec![(n / 3) as f64, (2 * n / 3) as f64, n as f64],
        palette: Palette::Sequential,
        legend_title: String::from("km"),
        label_regions: false,
        points: vec![],
        points_label: None,
        attribution: String::new(),
    }
}

#[test]
fn map_svg_has_one_path_per_class_and_outlines_only_when_few_areas() {
    // 10 x 10 areas in 3 classes: three fill paths and one path of outlines.
    let few = choropleth(&grid_map(10)).expect("draws");
    assert_eq!(few.svg.matches("<path fill=\"#").count(), 3);
    assert_eq!(few.svg.matches("<path fill=\"none\"").count(), 1);
    assert!(
        !few.svg.contains("#010203"),
        "the marker is left in the SVG"
    );
    assert!(!few.svg.contains("<polygon"));
    // 50 x 50 = 2,500 areas: still three fill paths, and no outlines to hide the fills.
    let many = choropleth(&grid_map(50)).expect("draws");
    assert_eq!(many.svg.matches("<path fill=\"#").count(), 3);
    assert_eq!(many.svg.matches("<path fill=\"none\"").count(), 0);
    // Every area is in a path: 2,500 subpaths in all.
    assert_eq!(
        many.svg.matches('M').count() - few.svg.matches('M').count(),
        2_500 - 200
    );
}

/// WCAG 2.x contrast ratio of two sRGB colours.
fn contrast(a: plotters::style::RGBColor, b: plotters::style::RGBColor) -> f64 {
    let luminance = |c: plotters::style::RGBColor| {
        let lin = |v: u8| {
            let s = f64::from(v) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2)
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn chart_text_has_at_least_4_5_to_1_contrast_on_white() {
    use layout::Text;
    use plotters::style::RGBColor;
    // The formula against known pairs: #767676 on white is the usual 4.54:1 threshold grey,
    // black on white 21:1.
    assert!((contrast(RGBColor(0x76, 0x76, 0x76), RGBColor(255, 255, 255)) - 4.54).abs() < 0.01);
    assert!((contrast(RGBColor(0, 0, 0), RGBColor(255, 255, 255)) - 21.0).abs() < 1e-9);
    // Every text style the charts and maps draw with (all of them on white, or on a map
    // fill behind a white halo). Series colours never colour text.
    for style in [
        Text::TITLE,
        Text::SUBTITLE,
        Text::LABEL,
        Text::TICK,
        Text::AXIS_TITLE,
        Text::NOTE,
        map::REGION_LABEL,
        map::POINT_LABEL,
    ] {
        let ratio = contrast(style.colour, RGBColor(255, 255, 255));
        assert!(ratio >= 4.5, "{:?} on white: {ratio:.2}", style.colour);
    }
}

#[test]
fn the_interactive_maps_no_data_colour_is_the_pictures() {
    let c = map::NO_DATA;
    assert_eq!(
        NO_DATA_COLOUR,
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    );
}

/// Maps of the same regions drawn with one shared cache (a run's maps of one layer, one per
/// lot: other values, another title) are drawn exactly as each alone; so is a map of other
/// regions drawn with them, and a map of points alone.
#[test]
fn maps_sharing_their_regions_in_pixels_draw_as_each_alone() {
    let first = grid_map(12);
    let mut second = first.clone();
    second.title = "Distance to the nearest PMLD service, a title long enough to wrap onto a second line of the page".into();
    for (k, region) in second.regions.iter_mut().enumerate() {
        region.value = (k % 5 != 0).then_some((k % 7) as f64);
    }
    let other = grid_map(7);
    let mut points = grid_map(3);
    points.regions.clear();
    points.points = vec![
        MapPoint {
            lon: -1.2,
            lat: 52.6,
            label: Some("A".into()),
        },
        MapPoint {
            lon: -0.9,
            lat: 52.8,
            label: None,
        },
    ];
    let shapes = MapShapes::default();
    for map in [&first, &second, &other, &points, &first] {
        assert_eq!(
            choropleth_with(map, &shapes).expect("draws"),
            choropleth(map).expect("draws"),
            "{}",
            map.title
        );
    }
}
