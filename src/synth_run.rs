//! A whole run at England scale, generated, for `gapmap bench`: 32,844 small areas on a
//! jittered grid over England's extent, nested in 322 rectangular districts that the run
//! dissolves from them, 150,000 people clustered in 300 towns and 6,000 services, with the
//! sample's lots, service types and bands. [`bench_england_run`] writes the inputs into a
//! scratch folder and times `gapmap run` on them end to end (load, dissolve, place, analyse,
//! publish every table, map, chart and the report).
//!
//! Small areas share their corners and edges exactly (each point is computed once from its
//! grid position), so districts dissolve into clean polygons.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use crate::config::Config;
use crate::pipeline::{self, RunOptions};
use crate::publish::PublishError;
use crate::Error;

/// Grid columns and rows of small areas: 138 x 238 = 32,844.
const COLUMNS: usize = 138;
const ROWS: usize = 238;
/// Small areas per district, across and down: 6 x 17, so 23 x 14 = 322 districts.
const DISTRICT_COLUMNS: usize = 6;
const DISTRICT_ROWS: usize = 17;
/// England's extent, longitude and latitude.
const WEST: f64 = -5.5;
const EAST: f64 = 1.7;
const SOUTH: f64 = 50.0;
const NORTH: f64 = 55.7;
const PEOPLE: usize = 150_000;
const SERVICES: usize = 6_000;
const TOWNS: usize = 300;

/// The progress message of the step writing the GeoPackage.
const GEOPACKAGE_STEP: &str = crate::publish::geopackage::STEP;

/// The bench case's name.
pub const CASE: &str = "run-england-32844-areas";

/// What the England-scale run measured.
#[derive(Debug, Clone, Serialize)]
pub struct RunBenchReport {
    pub case: String,
    pub small_areas: usize,
    pub districts: usize,
    pub people: usize,
    pub services: usize,
    pub runs: usize,
    /// Median wall time of the runs (the whole run, inputs generated beforehand), seconds.
    pub median_seconds: f64,
    pub fastest_seconds: f64,
    /// Peak resident memory of the process, bytes (includes generating the inputs).
    pub peak_memory_bytes: Option<u64>,
    /// Total size of the run folder's files, and of its charts, bytes.
    pub output_bytes: u64,
    pub chart_bytes: u64,
    /// The largest SVG and its size, bytes.
    pub largest_svg: String,
    pub largest_svg_bytes: u64,
    /// Median time of the step writing `maps/gapmap.gpkg`, seconds, and the file's size.
    pub geopackage_seconds: f64,
    pub geopackage_bytes: u64,
}

/// A small seeded generator (SplitMix64): the same seed gives the same inputs everywhere.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// A deterministic value in [-1, 1) from grid indices.
fn jitter(a: usize, b: usize, salt: u64) -> f64 {
    let mut r = Random((a as u64) << 32 ^ (b as u64) ^ salt.wrapping_mul(0x2545_F491_4F6C_DD1D));
    r.unit() * 2.0 - 1.0
}

/// A grid corner in cell units, moved by up to a fifth of a cell (not on the outer edge).
fn corner(i: usize, j: usize) -> (f64, f64) {
    let inner = i > 0 && i < COLUMNS && j > 0 && j < ROWS;
    let (dx, dy) = if inner {
        (0.2 * jitter(i, j, 1), 0.2 * jitter(i, j, 2))
    } else {
        (0.0, 0.0)
    };
    (i as f64 + dx, j as f64 + dy)
}

/// The two points inside the edge from corner `a` to corner `b` (grid indices), in that
/// direction. Each edge's points are made from its ends in a fixed order, so both areas
/// that share it get exactly the same points.
fn edge_points(a: (usize, usize), b: (usize, usize)) -> [(f64, f64); 2] {
    let (lo, hi, flipped) = if a <= b { (a, b, false) } else { (b, a, true) };
    let (p, q) = (corner(lo.0, lo.1), corner(hi.0, hi.1));
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let salt = (lo.0 * 7 + hi.0) as u64 * 1_000_003 + (lo.1 * 13 + hi.1) as u64;
    let boundary = (lo.0 == hi.0 && (lo.0 == 0 || lo.0 == COLUMNS))
        || (lo.1 == hi.1 && (lo.1 == 0 || lo.1 == ROWS));
    let bend = |t: f64, k: u64| {
        let off = if boundary {
            0.0
        } else {
            0.06 * jitter(lo.0 + hi.0, lo.1 + hi.1, salt + k)
        };
        (p.0 + t * dx - off * dy, p.1 + t * dy + off * dx)
    };
    let points = [bend(1.0 / 3.0, 3), bend(2.0 / 3.0, 4)];
    if flipped {
        [points[1], points[0]]
    } else {
        points
    }
}

fn lon_lat((x, y): (f64, f64)) -> (f64, f64) {
    (
        WEST + x * (EAST - WEST) / COLUMNS as f64,
        SOUTH + y * (NORTH - SOUTH) / ROWS as f64,
    )
}

/// The ring of small area (i, j), counter-clockwise, closed, as GeoJSON positions.
fn ring(i: usize, j: usize) -> String {
    let corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)];
    let mut out = String::from("[");
    for k in 0..4 {
        let (a, b) = (corners[k], corners[(k + 1) % 4]);
        for p in std::iter::once(corner(a.0, a.1)).chain(edge_points(a, b)) {
            let (lon, lat) = lon_lat(p);
            let _ = write!(out, "[{lon:.6},{lat:.6}],");
        }
    }
    let (lon, lat) = lon_lat(corner(i, j));
    let _ = write!(out, "[{lon:.6},{lat:.6}]]");
    out
}

fn district_of(i: usize, j: usize) -> usize {
    (j / DISTRICT_ROWS) * (COLUMNS / DISTRICT_COLUMNS) + i / DISTRICT_COLUMNS
}

fn small_areas_geojson() -> String {
    let mut out = String::with_capacity(32 << 20);
    out.push_str("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for j in 0..ROWS {
        for i in 0..COLUMNS {
            let d = district_of(i, j);
            if i + j > 0 {
                out.push_str(",\n");
            }
            let _ = write!(
                out,
                "{{\"type\":\"Feature\",\"properties\":{{\"code\":\"S{:05}\",\"name\":\"Small area {}\",\"district\":\"D{d:03}\",\"district_name\":\"District {d}\"}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[{}]}}}}",
                j * COLUMNS + i,
                j * COLUMNS + i,
                ring(i, j)
            );
        }
    }
    out.push_str("\n]}\n");
    out
}

/// A point near a town: Gaussian, about 6 km across, kept inside the extent.
fn near(r: &mut Random, towns: &[(f64, f64)]) -> (f64, f64) {
    let (lon, lat) = towns[r.below(towns.len())];
    let lon = (lon + 0.09 * r.normal()).clamp(WEST + 0.001, EAST - 0.001);
    let lat = (lat + 0.055 * r.normal()).clamp(SOUTH + 0.001, NORTH - 0.001);
    (lon, lat)
}

const DAY_LOTS: [&str; 6] = [
    "ld_autism",
    "pmld",
    "physical_sensory",
    "mental_health",
    "older_adults",
    "dementia",
];

fn people_csv(r: &mut Random, towns: &[(f64, f64)]) -> String {
    let mut out = String::from("person_id,latitude,longitude,age_band,primary_need,lot,status,band,days_per_week,hours_per_week,additional_hours_per_week\n");
    for n in 0..PEOPLE {
        let (lon, lat) = near(r, towns);
        let status = if r.below(100) < 85 {
            "current"
        } else {
            "waiting"
        };
        let age = if r.below(100) < 85 { "18-64" } else { "65+" };
        if r.below(100) < 20 {
            let hours = 4 + r.below(17);
            let _ = writeln!(
                out,
                "X{n:07},{lat:.5},{lon:.5},{age},ld_autism,managed_pa,{status},F,,{hours},"
            );
        } else {
            let lot = DAY_LOTS[r.below(DAY_LOTS.len())];
            let band = ["B", "C", "D"][r.below(3)];
            let days = 1 + r.below(5);
            let _ = writeln!(
                out,
                "X{n:07},{lat:.5},{lon:.5},{age},{lot},{lot},{status},{band},{days},,"
            );
        }
    }
    out
}

fn services_csv(r: &mut Random, towns: &[(f64, f64)]) -> String {
    let mut out = String::from("service_id,provider_id,provider_name,service_name,service_type,lots,latitude,longitude,capacity,current_users,bands,status\n");
    for n in 0..SERVICES {
        let (lon, lat) = near(r, towns);
        let provider = r.below(900);
        let status = if r.below(100) < 95 {
            "active"
        } else {
            "closed"
        };
        let kind = r.below(100);
        let (service_type, lots, capacity, bands) = if kind < 10 {
            (
                "managed_pa",
                "managed_pa".to_string(),
                60 + r.below(181),
                "F",
            )
        } else {
            let first = DAY_LOTS[r.below(DAY_LOTS.len())];
            let second = DAY_LOTS[r.below(DAY_LOTS.len())];
            let lots = if first == second || r.below(2) == 0 {
                first.to_string()
            } else {
                format!("{first};{second}")
            };
            let service_type = if kind < 70 {
                "building_based"
            } else {
                "community_based"
            };
            (service_type, lots, 5 + r.below(16), "B;C;D;E")
        };
        let users = r.below(capacity + 1);
        let _ = writeln!(
            out,
            "V{n:05},P{provider:03},Provider {provider},Service {n},{service_type},{lots},{lat:.5},{lon:.5},{capacity},{users},{bands},{status}"
        );
    }
    out
}

/// The run's config: the sample's lots, service types, bands, cost and map settings, the
/// generated inputs, and small areas dissolved into districts.
fn config_text() -> Result<String, Error> {
    let sample = crate::sample::config()?.text;
    let from = sample.find("[cost]").unwrap_or(0);
    let to = sample.find("[[groupings]]").unwrap_or(sample.len());
    // The generated inputs have no population or users trend: leave out future demand.
    let mut settings = sample[from..to].to_string();
    if let (Some(a), Some(b)) = (settings.find("[projections]"), settings.find("[[lots]]")) {
        settings.replace_range(a..b, "");
    }
    Ok(format!(
        r#"title = "England-scale benchmark (generated areas, people and services)"
label = "england"
data_date = "2025-06-30"

[inputs]
services = "services.csv"
areas = "small_areas.geojson"
demand = "people.csv"

[areas]
code_property = "code"
name_property = "name"
district_property = "district"
district_name_property = "district_name"
attribution = "Generated by gapmap bench"

[demand]
format = "people"

[analysis]
catchment_km = 30.0
circuity = 1.0

[disclosure]
threshold = 7
rounding_base = 5

{}"#,
        settings
    ))
}

/// Writes the config and inputs into `dir` and returns the config's path.
pub fn write_inputs(dir: &Path) -> Result<PathBuf, Error> {
    let io = |e: std::io::Error| Error::from(PublishError::Io(dir.to_path_buf(), e));
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut r = Random(2025);
    let towns: Vec<(f64, f64)> = (0..TOWNS)
        .map(|_| {
            (
                WEST + 0.3 + r.unit() * (EAST - WEST - 0.6),
                SOUTH + 0.3 + r.unit() * (NORTH - SOUTH - 0.6),
            )
        })
        .collect();
    std::fs::write(dir.join("small_areas.geojson"), small_areas_geojson()).map_err(io)?;
    std::fs::write(dir.join("people.csv"), people_csv(&mut r, &towns)).map_err(io)?;
    std::fs::write(dir.join("services.csv"), services_csv(&mut r, &towns)).map_err(io)?;
    let config = dir.join("gapmap.toml");
    std::fs::write(&config, config_text()?).map_err(io)?;
    Ok(config)
}

/// Generates the inputs in a scratch folder, runs the whole pipeline `runs` times (at least
/// once), and removes the folder.
pub fn bench_england_run(runs: usize) -> Result<RunBenchReport, Error> {
    let scratch = std::env::temp_dir().join(format!("gapmap-bench-{}", std::process::id()));
    let result = bench_in(&scratch, runs);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn bench_in(scratch: &Path, runs: usize) -> Result<RunBenchReport, Error> {
    let config = Config::read(&write_inputs(&scratch.join("inputs"))?)?;
    let options = RunOptions {
        outputs: scratch.join("outputs"),
        label: None,
        force: true,
        compare_with: None,
        pdf: false,
        wait: false,
        disk: Default::default(),
    };
    let mut seconds = Vec::new();
    let mut geopackage = Vec::new();
    let mut folder = PathBuf::new();
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let lock = pipeline::lock(&config, &options, &mut |_| {})?;
        // The GeoPackage's step lasts from its message to the next one.
        let mut steps: Vec<(String, Instant)> = Vec::new();
        folder = pipeline::run(&config, &options, &lock, &mut |step| {
            steps.push((step.to_string(), Instant::now()));
        })?
        .folder;
        seconds.push(start.elapsed().as_secs_f64());
        let at = steps.iter().position(|(s, _)| s == GEOPACKAGE_STEP);
        if let Some(i) = at {
            let end = steps.get(i + 1).map_or_else(Instant::now, |s| s.1);
            geopackage.push((end - steps[i].1).as_secs_f64());
        }
    }
    seconds.sort_by(f64::total_cmp);
    geopackage.sort_by(f64::total_cmp);
    let geopackage_bytes =
        std::fs::metadata(folder.join(crate::publish::geopackage::FILE)).map_or(0, |m| m.len());
    let (output_bytes, chart_bytes, largest_svg, largest_svg_bytes) = sizes(&folder);
    Ok(RunBenchReport {
        case: CASE.to_string(),
        small_areas: COLUMNS * ROWS,
        districts: (COLUMNS / DISTRICT_COLUMNS) * (ROWS / DISTRICT_ROWS),
        people: PEOPLE,
        services: SERVICES,
        runs: seconds.len(),
        median_seconds: seconds[seconds.len() / 2],
        fastest_seconds: seconds[0],
        peak_memory_bytes: crate::access::peak_memory_bytes(),
        output_bytes,
        chart_bytes,
        largest_svg,
        largest_svg_bytes,
        geopackage_seconds: geopackage.get(geopackage.len() / 2).copied().unwrap_or(0.0),
        geopackage_bytes,
    })
}

/// Total bytes of the folder, of `charts/`, and the largest SVG with its size.
fn sizes(folder: &Path) -> (u64, u64, String, u64) {
    let (mut total, mut charts, mut largest, mut largest_bytes) = (0, 0, String::new(), 0);
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = entry.metadata().map_or(0, |m| m.len());
            total += bytes;
            if path.parent().and_then(Path::file_name) == Some("charts".as_ref()) {
                charts += bytes;
            }
            if path.extension() == Some("svg".as_ref()) && bytes > largest_bytes {
                largest_bytes = bytes;
                largest = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
            }
        }
    }
    (total, charts, largest, largest_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_share_their_edge_exactly() {
        // The east edge of (3, 4) is the west edge of (4, 4), walked the other way.
        let east = edge_points((4, 4), (4, 5));
        let west = edge_points((4, 5), (4, 4));
        assert_eq!(east, [west[1], west[0]]);
    }

    #[test]
    fn districts_tile_the_grid() {
        assert_eq!(district_of(0, 0), 0);
        assert_eq!(district_of(5, 16), 0);
        assert_eq!(district_of(6, 0), 1);
        assert_eq!(district_of(0, 17), 23);
        assert_eq!(district_of(COLUMNS - 1, ROWS - 1), 321);
    }
}
