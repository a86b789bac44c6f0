//! A whole run at England scale, generated, for `gapmap bench`: 32,844 small areas on a
//! jittered grid over England's extent, nested in 322 rectangular districts that the run
//! dissolves from them, 150,000 people clustered in 300 towns and 6,000 services, with the
//! sample's lots, service types and bands. [`bench_england_run`] writes the inputs into a
//! scratch folder and times `gapmap run` on them end to end (load, dissolve, place, analyse,
//! publish every table, map, chart and the report).
//!
//! Small areas share their corners and edges exactly (each point is computed once from its
//! grid position), so districts dissolve into clean polygons.
//!
//! [`bench_real_england_run`] runs the same people and services counts on England's real
//! LSOA 2011 boundaries when the user has them (they are not shipped: see
//! [`find_real_boundaries`]), with each person and service placed inside a small area.
//! Both report each stage's median time and peak memory.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use geo::{BoundingRect, Contains, MultiPolygon, Point};
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
/// The case on real boundaries.
pub const REAL_CASE: &str = "run-england-real";
/// The environment variable naming England's real LSOA boundaries for [`REAL_CASE`].
pub const BOUNDARIES_VARIABLE: &str = "GAPMAP_ENGLAND_BOUNDARIES";
/// The properties the real boundaries carry: small area code and name, district code and
/// name (ONS LSOA 2011 and local authority district).
const REAL_PROPERTIES: [&str; 4] = ["LSOA11CD", "LSOA11NM", "LAD11CD", "LAD11NM"];

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
    /// Peak resident memory of the first run, bytes, as `gapmap run` meets it in a fresh
    /// process: the process's peak started afresh once the inputs were read (its own peak
    /// where that is not possible). Later runs in the same process start from what the
    /// allocator kept of the runs before, which no single run has.
    pub peak_memory_bytes: Option<u64>,
    /// Each stage of the run as it reports itself, in order.
    pub stages: Vec<StageMeasure>,
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

/// One stage of the run: its median time over the runs and its largest peak memory.
#[derive(Debug, Clone, Serialize)]
pub struct StageMeasure {
    pub stage: String,
    pub median_seconds: f64,
    /// Median processor time (user and system, every thread) of the stage, seconds: on a
    /// busy machine a steadier measure of the work than the wall time.
    pub median_cpu_seconds: Option<f64>,
    /// Peak resident memory during the stage in the first run, bytes (the whole process's
    /// while the stage ran, counting what earlier stages still hold).
    pub peak_memory_bytes: Option<u64>,
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

/// Where the generated people and services are: a longitude/latitude from the generator.
type Placer<'a> = dyn FnMut(&mut Random) -> (f64, f64) + 'a;

fn people_csv(r: &mut Random, place: &mut Placer) -> String {
    let mut out = String::from("person_id,latitude,longitude,age_band,primary_need,lot,status,band,days_per_week,hours_per_week,additional_hours_per_week\n");
    for n in 0..PEOPLE {
        let (lon, lat) = place(r);
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

fn services_csv(r: &mut Random, place: &mut Placer) -> String {
    let mut out = String::from("service_id,provider_id,provider_name,service_name,service_type,lots,latitude,longitude,capacity,current_users,bands,status\n");
    for n in 0..SERVICES {
        let (lon, lat) = place(r);
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

/// The generated small areas' `[areas]` settings.
const GENERATED_AREAS: &str = r#"areas = "small_areas.geojson"

[areas]
code_property = "code"
name_property = "name"
district_property = "district"
district_name_property = "district_name"
attribution = "Generated by gapmap bench""#;

/// The run's config: the sample's lots, service types, bands, cost and map settings, the
/// generated people and services, the areas `areas` gives (their file and `[areas]`
/// section), and small areas dissolved into districts.
fn config_text(title: &str, areas: &str) -> Result<String, Error> {
    let sample = crate::sample::config()?.text;
    let from = sample.find("[cost]").unwrap_or(0);
    let to = sample.find("[[groupings]]").unwrap_or(sample.len());
    // The generated inputs have no population or users trend: leave out future demand.
    let mut settings = sample[from..to].to_string();
    if let (Some(a), Some(b)) = (settings.find("[projections]"), settings.find("[[lots]]")) {
        settings.replace_range(a..b, "");
    }
    Ok(format!(
        r#"title = "{title}"
label = "england"
data_date = "2025-06-30"

[inputs]
services = "services.csv"
demand = "people.csv"
{areas}

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

fn io_error(dir: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::from(PublishError::Io(dir.to_path_buf(), e))
}

/// Writes the config and inputs into `dir` and returns the config's path.
pub fn write_inputs(dir: &Path) -> Result<PathBuf, Error> {
    let io = io_error(dir);
    std::fs::create_dir_all(dir).map_err(&io)?;
    let mut r = Random(2025);
    let towns: Vec<(f64, f64)> = (0..TOWNS)
        .map(|_| {
            (
                WEST + 0.3 + r.unit() * (EAST - WEST - 0.6),
                SOUTH + 0.3 + r.unit() * (NORTH - SOUTH - 0.6),
            )
        })
        .collect();
    std::fs::write(dir.join("small_areas.geojson"), small_areas_geojson()).map_err(&io)?;
    let mut place = |r: &mut Random| near(r, &towns);
    write_people_and_services(dir, &mut r, &mut place)?;
    let config = dir.join("gapmap.toml");
    let title = "England-scale benchmark (generated areas, people and services)";
    std::fs::write(&config, config_text(title, GENERATED_AREAS)?).map_err(&io)?;
    Ok(config)
}

fn write_people_and_services(dir: &Path, r: &mut Random, place: &mut Placer) -> Result<(), Error> {
    let io = io_error(dir);
    std::fs::write(dir.join("people.csv"), people_csv(r, place)).map_err(&io)?;
    std::fs::write(dir.join("services.csv"), services_csv(r, place)).map_err(&io)?;
    Ok(())
}

/// Where England's real LSOA boundaries are: the file given, else the one
/// [`BOUNDARIES_VARIABLE`] names. `Err` says where it looked, for the skip message.
///
/// The boundaries are a GeoJSON FeatureCollection of England's 32,844 LSOAs (2011) whose
/// features carry `LSOA11CD`, `LSOA11NM`, `LAD11CD` and `LAD11NM`; or a folder of one such
/// file per local authority district named by its code (`E06000001.json`, ...), as
/// `json/statistical/eng/lsoa_by_lad` in the martinjc/UK-GeoJSON repository on GitHub
/// holds them, from which the district code is taken and its name read from the LSOA's
/// ("Hartlepool 009A" is in "Hartlepool").
pub fn find_real_boundaries(given: Option<&Path>) -> Result<PathBuf, String> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => match std::env::var_os(BOUNDARIES_VARIABLE) {
            Some(p) => PathBuf::from(p),
            None => {
                return Err(format!(
                "no boundaries given (give --england-boundaries FILE or set {BOUNDARIES_VARIABLE})"
            ))
            }
        },
    };
    if path.exists() {
        Ok(path)
    } else {
        Err(format!(
            "England's LSOA boundaries are not at {}",
            path.display()
        ))
    }
}

/// The real boundaries as one file in `dir` (combined from a folder of per-district files)
/// or the file itself.
fn real_boundaries_file(boundaries: &Path, dir: &Path) -> Result<PathBuf, Error> {
    if !boundaries.is_dir() {
        return std::path::absolute(boundaries).map_err(io_error(boundaries));
    }
    let io = io_error(boundaries);
    let mut files: Vec<PathBuf> = std::fs::read_dir(boundaries)
        .map_err(&io)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with('E') && name.ends_with(".json")
        })
        .collect();
    files.sort();
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    let mut first = true;
    for file in &files {
        let district = file.file_stem().and_then(|n| n.to_str()).unwrap_or("");
        let text = std::fs::read_to_string(file).map_err(io_error(file))?;
        let mut value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Error::from(PublishError::Io(file.clone(), std::io::Error::other(e))))?;
        let features = value["features"].as_array_mut().map(std::mem::take);
        for mut feature in features.into_iter().flatten() {
            let name = feature["properties"]["LSOA11NM"].as_str().unwrap_or("");
            let district_name = name.rsplit_once(' ').map_or(name, |(d, _)| d).to_string();
            if let Some(p) = feature["properties"].as_object_mut() {
                p.insert("LAD11CD".into(), district.into());
                p.insert("LAD11NM".into(), district_name.into());
            }
            if !first {
                out.push_str(",\n");
            }
            first = false;
            out.push_str(&feature.to_string());
        }
    }
    out.push_str("\n]}\n");
    let combined = dir.join("england_lsoa_2011.geojson");
    std::fs::write(&combined, out).map_err(io_error(dir))?;
    Ok(combined)
}

/// A point inside a small area chosen at random (so people follow the LSOAs, which hold
/// about 1,500 residents each), on the 5-decimal grid the CSVs are written to.
fn inside(r: &mut Random, areas: &[MultiPolygon<f64>]) -> (f64, f64) {
    let snap = |v: f64| (v * 1e5).round() / 1e5;
    loop {
        let area = &areas[r.below(areas.len())];
        let Some(bounds) = area.bounding_rect() else {
            continue;
        };
        for _ in 0..100 {
            let x = snap(bounds.min().x + r.unit() * bounds.width());
            let y = snap(bounds.min().y + r.unit() * bounds.height());
            if area.contains(&Point::new(x, y)) {
                return (x, y);
            }
        }
    }
}

/// Writes the config, people and services for a run on England's real LSOA boundaries
/// into `dir` and returns the config's path. The boundaries are read once here, to place
/// people and services inside them.
pub fn write_real_inputs(dir: &Path, boundaries: &Path) -> Result<PathBuf, Error> {
    let io = io_error(dir);
    std::fs::create_dir_all(dir).map_err(&io)?;
    let file = real_boundaries_file(boundaries, dir)?;
    let input = crate::io::InputFile::read(&file.display().to_string(), &file)
        .map_err(|p| Error::from(crate::problem::InputErrors(one_problem(p))))?;
    let read = crate::io::geojson::read_polygon_features(&input, crate::io::geojson::Crs::Wgs84)
        .map_err(crate::problem::InputErrors)?;
    let areas: Vec<MultiPolygon<f64>> = read.records.into_iter().map(|f| f.geometry).collect();
    if areas.is_empty() {
        return Err(crate::problem::InputErrors(read.rejected).into());
    }
    let mut r = Random(2025);
    let mut place = |r: &mut Random| inside(r, &areas);
    write_people_and_services(dir, &mut r, &mut place)?;
    let [code, name, district, district_name] = REAL_PROPERTIES;
    // The config names its inputs relative to its own folder: the combined file written
    // there by its name alone, a file given elsewhere by its absolute path.
    let named = match file.strip_prefix(dir) {
        Ok(inside) => inside.to_path_buf(),
        Err(_) => file.clone(),
    };
    let path = named
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let section = format!(
        "areas = \"{path}\"\n\n[areas]\ncode_property = \"{code}\"\nname_property = \"{name}\"\ndistrict_property = \"{district}\"\ndistrict_name_property = \"{district_name}\"\nattribution = \"Contains OS data © Crown copyright and database right. Source: Office for National Statistics licensed under the Open Government Licence v3.0\""
    );
    let config = dir.join("gapmap.toml");
    let title =
        "England-scale benchmark (real LSOA 2011 boundaries, generated people and services)";
    std::fs::write(&config, config_text(title, &section)?).map_err(&io)?;
    Ok(config)
}

fn one_problem(p: crate::problem::Problem) -> crate::problem::Problems {
    let mut problems = crate::problem::Problems::default();
    problems.push(p);
    problems
}

/// Generates the inputs in a scratch folder, runs the whole pipeline `runs` times (at least
/// once), and removes the folder.
pub fn bench_england_run(runs: usize) -> Result<RunBenchReport, Error> {
    in_scratch(|scratch| {
        let config = write_inputs(&scratch.join("inputs"))?;
        let districts = (COLUMNS / DISTRICT_COLUMNS) * (ROWS / DISTRICT_ROWS);
        bench_in(scratch, &config, CASE, runs).map(|report| RunBenchReport {
            districts,
            ..report
        })
    })
}

/// [`bench_england_run`] on inputs already written (by [`write_real_inputs`], in another
/// process, so that reading the boundaries to place people leaves nothing in this one).
pub fn bench_written_run(runs: usize, config: &Path) -> Result<RunBenchReport, Error> {
    in_scratch(|scratch| bench_in(scratch, config, REAL_CASE, runs))
}

fn in_scratch(
    bench: impl FnOnce(&Path) -> Result<RunBenchReport, Error>,
) -> Result<RunBenchReport, Error> {
    let scratch = std::env::temp_dir().join(format!("gapmap-bench-{}", std::process::id()));
    let result = bench(&scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// The stages of one run as the pipeline reports them: each one's time and peak memory.
#[derive(Default)]
struct StageClock {
    current: Option<(String, Instant, Option<f64>)>,
    done: Vec<Stage>,
}

/// One stage of one run: name, wall seconds, processor seconds, peak memory.
type Stage = (String, f64, Option<f64>, Option<u64>);

impl StageClock {
    fn stage(&mut self, name: &str) {
        self.end();
        crate::access::reset_peak_memory();
        self.current = Some((name.to_string(), Instant::now(), cpu_seconds()));
    }

    fn end(&mut self) {
        if let Some((name, started, cpu)) = self.current.take() {
            let seconds = started.elapsed().as_secs_f64();
            let cpu = cpu.zip(cpu_seconds()).map(|(a, b)| b - a);
            self.done
                .push((name, seconds, cpu, crate::access::peak_memory_bytes()));
        }
    }
}

/// The process's processor time so far, user and system, seconds (Linux: fields 14 and 15
/// of /proc/self/stat, in clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

fn bench_in(
    scratch: &Path,
    config: &Path,
    case: &str,
    runs: usize,
) -> Result<RunBenchReport, Error> {
    let config = Config::read(config)?;
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
    let mut clocks = Vec::new();
    let mut geopackage = Vec::new();
    let mut folder = PathBuf::new();
    let mut summary = None;
    crate::access::reset_peak_memory();
    let mut run_peak: Option<u64> = None;
    for _ in 0..runs.max(1) {
        let mut clock = StageClock::default();
        let start = Instant::now();
        clock.stage("taking the label's lock");
        let lock = pipeline::lock(&config, &options, &mut |_| {})?;
        let report = pipeline::run(&config, &options, &lock, &mut |m| clock.stage(m))?;
        drop(lock);
        clock.end();
        seconds.push(start.elapsed().as_secs_f64());
        // The first run's, as `gapmap run` meets it in a fresh process: later runs in this
        // one start from what the allocator kept of the runs before.
        if clocks.is_empty() {
            run_peak = clock.done.iter().filter_map(|s| s.3).max();
        }
        folder = report.folder;
        let areas: std::collections::BTreeSet<usize> =
            report.published.areas.iter().map(|r| r.area).collect();
        let districts: std::collections::BTreeSet<&str> = report
            .published
            .districts
            .iter()
            .map(|r| r.area_code.as_str())
            .collect();
        summary = Some((areas.len(), districts.len()));
        geopackage.extend(
            clock
                .done
                .iter()
                .filter(|s| s.0 == GEOPACKAGE_STEP)
                .map(|s| s.1),
        );
        clocks.push(clock.done);
    }
    seconds.sort_by(f64::total_cmp);
    geopackage.sort_by(f64::total_cmp);
    let geopackage_bytes =
        std::fs::metadata(folder.join(crate::publish::geopackage::FILE)).map_or(0, |m| m.len());
    let (output_bytes, chart_bytes, largest_svg, largest_svg_bytes) = sizes(&folder);
    let (small_areas, districts) = summary.unwrap_or_default();
    Ok(RunBenchReport {
        case: case.to_string(),
        small_areas,
        districts,
        people: PEOPLE,
        services: SERVICES,
        runs: seconds.len(),
        median_seconds: seconds[seconds.len() / 2],
        fastest_seconds: seconds[0],
        peak_memory_bytes: run_peak.or_else(crate::access::peak_memory_bytes),
        stages: stage_measures(&clocks),
        output_bytes,
        chart_bytes,
        largest_svg,
        largest_svg_bytes,
        geopackage_seconds: geopackage.get(geopackage.len() / 2).copied().unwrap_or(0.0),
        geopackage_bytes,
    })
}

/// Each stage's median time over the runs, and its peak in the first run (every run
/// reports the same stages in the same order). Later runs start with what the allocator
/// kept from the first, so only the first run's peaks are each stage's own.
fn stage_measures(runs: &[Vec<Stage>]) -> Vec<StageMeasure> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    (0..first.len())
        .map(|i| {
            let mut times: Vec<f64> = runs.iter().filter_map(|r| r.get(i)).map(|s| s.1).collect();
            times.sort_by(f64::total_cmp);
            let mut cpu: Vec<f64> = runs.iter().filter_map(|r| r.get(i)?.2).collect();
            cpu.sort_by(f64::total_cmp);
            StageMeasure {
                stage: first[i].0.clone(),
                median_seconds: times[times.len() / 2],
                median_cpu_seconds: cpu.get(cpu.len() / 2).copied(),
                peak_memory_bytes: first[i].3,
            }
        })
        .collect()
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
