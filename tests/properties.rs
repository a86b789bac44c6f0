//! Property tests: valid input is never refused, whatever its legal variations (column
//! order, quoting, CRLF line ends, a byte-order mark, BNG or WGS84 coordinates), and the BNG
//! transform round-trips within its stated accuracy. Cases come from a seeded generator, so
//! a failure names a seed that reproduces it.

use gapmap::io::InputFile;
use gapmap::load::location::Geocoder;
use gapmap::load::mapping::{Context, InputSpec};
use gapmap::load::{demand, services};
use gapmap::locate::bng;
use gapmap::model::Demand;

/// SplitMix64: small, seeded, good enough to vary test cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Writes rows as CSV with the columns in a random order, random quoting and line ends.
fn to_csv(rng: &mut Rng, header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut order: Vec<usize> = (0..header.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let newline = if rng.below(2) == 0 { "\n" } else { "\r\n" };
    let quote = |rng: &mut Rng, s: &str| {
        if s.contains(',') || rng.below(4) == 0 {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut text = String::new();
    if rng.below(3) == 0 {
        text.push('\u{feff}');
    }
    let head: Vec<String> = order.iter().map(|&i| header[i].to_string()).collect();
    text.push_str(&head.join(","));
    text.push_str(newline);
    for row in rows {
        let fields: Vec<String> = order.iter().map(|&i| quote(rng, &row[i])).collect();
        text.push_str(&fields.join(","));
        text.push_str(newline);
    }
    text.into_bytes()
}

/// A random point in England, as latitude/longitude or easting/northing.
fn location(rng: &mut Rng, grid: bool) -> (String, String) {
    let (lat, lon) = (rng.uniform(50.8, 54.5), rng.uniform(-2.8, 0.5));
    if grid {
        let (e, n) = bng::wgs84_to_bng(lon, lat).expect("on the grid");
        (format!("{e:.1}"), format!("{n:.1}"))
    } else {
        (format!("{lat:.6}"), format!("{lon:.6}"))
    }
}

#[test]
fn valid_services_are_never_refused() {
    let config = gapmap::sample::config().expect("sample config");
    let lots = [
        "ld_autism",
        "pmld",
        "physical_sensory",
        "mental_health",
        "older_adults",
        "dementia",
    ];
    for seed in 0..200u64 {
        let mut rng = Rng(seed);
        let grid = rng.below(2) == 0;
        let (a, b) = if grid {
            ("easting", "northing")
        } else {
            ("latitude", "longitude")
        };
        let header = [
            "service_id",
            "provider_id",
            "provider_name",
            "service_name",
            "service_type",
            "lots",
            a,
            b,
            "capacity",
            "current_users",
            "bands",
            "status",
        ];
        let n = 1 + rng.below(30);
        let rows: Vec<Vec<String>> = (0..n)
            .map(|i| {
                let (x, y) = location(&mut rng, grid);
                let kind = rng.pick(&["building_based", "community_based", "managed_pa"]);
                let lot = if kind == "managed_pa" {
                    "managed_pa".to_string()
                } else {
                    format!("{};{}", rng.pick(&lots), rng.pick(&lots))
                };
                vec![
                    format!("SV{i:03}"),
                    format!("PR{}", rng.below(9)),
                    "Provider, with a comma".into(),
                    "Service \"quoted\" name".into(),
                    kind.into(),
                    lot,
                    x,
                    y,
                    format!("{}", rng.below(400)),
                    format!("{}", rng.below(60)),
                    rng.pick(&["A;B", "C;D;E", "F", ""]).into(),
                    rng.pick(&["active", "closed", "suspended", "Active"])
                        .into(),
                ]
            })
            .collect();
        let input = InputFile {
            name: "services.csv".into(),
            bytes: to_csv(&mut rng, &header, &rows),
        };
        let spec = InputSpec::path("services.csv");
        let context = Context::of(&config, "services", &[]);
        let checked = services::load(&input, &spec, &context, &Geocoder::default())
            .unwrap_or_else(|e| panic!("seed {seed}: {:?}", e.listed));
        assert!(
            checked.rejected.is_empty(),
            "seed {seed}: {:?}",
            checked.rejected.listed
        );
        assert_eq!(checked.records.len(), n, "seed {seed}");
        for (s, row) in checked.records.iter().zip(&rows) {
            assert_eq!(s.capacity.to_string(), row[8], "seed {seed}");
        }
    }
}

#[test]
fn valid_person_records_are_never_refused() {
    let config = gapmap::sample::config().expect("sample config");
    let lots = [
        "ld_autism",
        "pmld",
        "physical_sensory",
        "mental_health",
        "older_adults",
        "dementia",
    ];
    for seed in 0..200u64 {
        let mut rng = Rng(1000 + seed);
        let grid = rng.below(2) == 0;
        let (a, b) = if grid {
            ("easting", "northing")
        } else {
            ("latitude", "longitude")
        };
        let header = [
            "person_id",
            a,
            b,
            "age_band",
            "primary_need",
            "lot",
            "status",
            "band",
            "days_per_week",
            "hours_per_week",
            "additional_hours_per_week",
        ];
        let n = 1 + rng.below(50);
        let rows: Vec<Vec<String>> = (0..n)
            .map(|i| {
                let (x, y) = location(&mut rng, grid);
                let need = rng.pick(&lots).to_string();
                let pa = rng.below(3) == 0;
                vec![
                    format!("P{i:06x}"),
                    x,
                    y,
                    rng.pick(&["18-64", "65+"]).into(),
                    need.clone(),
                    if pa { "managed_pa".into() } else { need },
                    rng.pick(&["current", "waiting", "Waiting"]).into(),
                    if pa {
                        "F".into()
                    } else {
                        rng.pick(&["A", "B", "C", "D", ""]).into()
                    },
                    if pa {
                        String::new()
                    } else {
                        format!("{}", 0.5 * (1 + rng.below(10)) as f64)
                    },
                    if pa {
                        format!("{}", 1 + rng.below(30))
                    } else {
                        String::new()
                    },
                    if rng.below(3) == 0 {
                        format!("{}", rng.below(6))
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        let input = InputFile {
            name: "people.csv".into(),
            bytes: to_csv(&mut rng, &header, &rows),
        };
        let context = Context::of(&config, "demand", &[]);
        let loaded = demand::load(
            &input,
            &config,
            &context,
            &Geocoder::default(),
            Default::default(),
        )
        .unwrap_or_else(|e| panic!("seed {seed}: {:?}", e.listed));
        let (demand, rejected) = (loaded.demand, loaded.rejected);
        assert!(rejected.is_empty(), "seed {seed}: {:?}", rejected.listed);
        let Demand::People(people) = demand else {
            panic!("person-level demand")
        };
        assert_eq!(people.len(), n, "seed {seed}");
    }
}

#[test]
fn bng_round_trips_within_the_stated_accuracy() {
    let mut rng = Rng(7);
    for _ in 0..20_000 {
        let (e, n) = (
            rng.uniform(100_000.0, 650_000.0),
            rng.uniform(10_000.0, 1_200_000.0),
        );
        let Some((lon, lat)) = bng::bng_to_wgs84(e, n) else {
            continue;
        };
        let (e2, n2) = bng::wgs84_to_bng(lon, lat).expect("back on the grid");
        let error = ((e2 - e).powi(2) + (n2 - n).powi(2)).sqrt();
        assert!(error <= bng::ROUND_TRIP_M, "{e}, {n}: {error} m");
    }
}
