//! `gapmap bench`: its arguments, and the tables it prints. Each case (the access engine's,
//! the planner's, the road router's, the whole England-scale run) runs in a fresh process
//! of this program (`bench --case`), so its peak memory is its own; the cases and their
//! measurements are the library's (`gapmap::access`, `gapmap::plan::bench`,
//! `gapmap::travel::bench`, `gapmap::synth_run`).

use std::path::{Path, PathBuf};

/// Benchmark the access engine, the planner, the road router and a whole run on
/// generated instances, each case in a fresh process.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap bench                 # every case, 5 runs each\n  gapmap bench --filter county --runs 9\n  gapmap bench --filter run-england --runs 3 --england-boundaries lsoa_by_lad/\n  gapmap bench --write-inputs england   # then: gapmap run --config england/gapmap.toml"
)]
pub struct BenchArgs {
    /// Runs per case (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Only cases whose name contains this.
    #[arg(long, default_value = "")]
    filter: String,
    /// Run one case and print its report as JSON (used by the benchmark itself).
    #[arg(long, hide = true)]
    case: Option<String>,
    /// Write the England-scale run's generated inputs (config, small areas, people,
    /// services) into this folder instead of benchmarking, to run or inspect them; with
    /// --england-boundaries, those of the run on real boundaries.
    #[arg(long)]
    write_inputs: Option<PathBuf>,
    /// The Rutland extract for the road router's cases (default:
    /// examples/rutland/rutland-2021-05-07.osm.pbf under the current folder, then in the
    /// checkout gapmap was built from); without one those cases are skipped, saying so.
    #[arg(long, value_name = "FILE")]
    rutland: Option<PathBuf>,
    /// England's LSOA 2011 boundaries for the run-england-real case: a GeoJSON file whose
    /// features carry LSOA11CD, LSOA11NM, LAD11CD and LAD11NM, or a folder of one file per
    /// district (UK-GeoJSON's json/statistical/eng/lsoa_by_lad). Default: the file or
    /// folder GAPMAP_ENGLAND_BOUNDARIES names; without either the case is skipped, saying so.
    #[arg(long, value_name = "PATH")]
    england_boundaries: Option<PathBuf>,
}

/// Benchmarks every case (or those `--filter` names), runs the one case `--case` names, or
/// writes the England-scale run's inputs.
pub fn bench(args: BenchArgs) -> Result<(), String> {
    let files = args.files();
    match (args.case, args.write_inputs) {
        (_, Some(dir)) => match &files.england_boundaries {
            Some(real) => gapmap::synth_run::write_real_inputs(&dir, real),
            None => gapmap::synth_run::write_inputs(&dir),
        }
        .map(|config| say!("Wrote {}", config.display()))
        .map_err(|e| e.to_string()),
        (Some(name), None) => bench_one(&name, args.runs, &files),
        (None, None) => bench_all(args.runs, &args.filter, &files),
    }
}

/// The input files some cases read, as given on the command line.
struct CaseFiles {
    rutland: Option<PathBuf>,
    england_boundaries: Option<PathBuf>,
}

impl BenchArgs {
    fn files(&self) -> CaseFiles {
        CaseFiles {
            rutland: self.rutland.clone(),
            england_boundaries: self.england_boundaries.clone(),
        }
    }
}

fn bench_cases() -> Vec<gapmap::access::BenchCase> {
    let mut cases = gapmap::access::standard_cases();
    cases.extend(gapmap::access::variant_cases());
    cases
}

/// The Rutland extract, or why there is none.
fn rutland(given: Option<&Path>) -> Result<PathBuf, String> {
    gapmap::travel::bench::find_rutland_extract(given).map_err(|looked| {
        let places: Vec<String> = looked.iter().map(|p| p.display().to_string()).collect();
        format!(
            "the Rutland extract is not at {} (give --rutland FILE)",
            places.join(" nor ")
        )
    })
}

fn bench_one(name: &str, runs: usize, files: &CaseFiles) -> Result<(), String> {
    if let Some(case) = gapmap::plan::bench::plan_cases()
        .into_iter()
        .find(|c| c.name == name)
    {
        let report =
            gapmap::plan::bench::bench_plan_case(&case, runs).map_err(|e| e.to_string())?;
        say!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
        return Ok(());
    }
    if name.starts_with("travel-") {
        let extract = rutland(files.rutland.as_deref())?;
        let report = gapmap::travel::bench::bench_travel_case(name, runs, &extract)
            .map_err(|e| e.to_string())?;
        return serde_json::to_string(&report)
            .map(|json| say!("{json}"))
            .map_err(|e| e.to_string());
    }
    if name == CLD_WRITE {
        return gapmap::load::bench::write_cld_workbook(&cld_workbook_path())
            .map(|()| say!("{{}}"));
    }
    if name == gapmap::load::bench::CASE {
        let report = gapmap::load::bench::bench_cld_read(&cld_workbook_path(), runs)?;
        return serde_json::to_string(&report)
            .map(|json| say!("{json}"))
            .map_err(|e| e.to_string());
    }
    if name == gapmap::analyse::exit::bench::CASE {
        let report = gapmap::analyse::exit::bench::bench_exits(runs).map_err(|e| e.to_string())?;
        return serde_json::to_string(&report)
            .map(|json| say!("{json}"))
            .map_err(|e| e.to_string());
    }
    if name == gapmap::standalone::DENSE_CASE {
        let report = gapmap::standalone::bench_access_job(runs).map_err(|e| e.to_string())?;
        return serde_json::to_string(&report)
            .map(|json| say!("{json}"))
            .map_err(|e| e.to_string());
    }
    if name == gapmap::synth_run::CASE || name == gapmap::synth_run::REAL_CASE {
        let report = if name == gapmap::synth_run::CASE {
            gapmap::synth_run::bench_england_run(runs)
        } else {
            let boundaries =
                gapmap::synth_run::find_real_boundaries(files.england_boundaries.as_deref())?;
            let inputs =
                std::env::temp_dir().join(format!("gapmap-bench-england-{}", std::process::id()));
            let report = write_real_inputs(&inputs, &boundaries).and_then(|config| {
                gapmap::synth_run::bench_written_run(runs, &config).map_err(|e| e.to_string())
            });
            let _ = std::fs::remove_dir_all(&inputs);
            return serde_json::to_string(&report?)
                .map(|json| say!("{json}"))
                .map_err(|e| e.to_string());
        };
        return serde_json::to_string(&report.map_err(|e| e.to_string())?)
            .map(|json| say!("{json}"))
            .map_err(|e| e.to_string());
    }
    let case = bench_cases()
        .into_iter()
        .find(|c| c.name == name)
        .ok_or_else(|| format!("no benchmark case {name:?}"))?;
    let report = gapmap::access::bench_case(&case, runs).map_err(|e| e.to_string())?;
    say!(
        "{}",
        serde_json::to_string(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// Runs one benchmark case in a fresh process (so peak memory is the case's own) and
/// returns its JSON report.
fn run_case(exe: &Path, name: &str, runs: usize) -> Result<serde_json::Value, String> {
    run_case_with(exe, name, runs, &[])
}

/// [`run_case`] with more arguments for the case process.
fn run_case_with(
    exe: &Path,
    name: &str,
    runs: usize,
    more: &[&std::ffi::OsStr],
) -> Result<serde_json::Value, String> {
    let out = std::process::Command::new(exe)
        .args(["bench", "--case", name, "--runs", &runs.to_string()])
        .args(more)
        .output()
        .map_err(|e| format!("running case {name}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "case {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("case {name}: {e}"))
}

fn bench_all(runs: usize, filter: &str, files: &CaseFiles) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    say!(
        "{:<34} {:>9} {:>8} {:>14} {:>11} {:>10} {:>9}",
        "case",
        "demand",
        "services",
        "pairs in reach",
        "median ms",
        "pairs/s",
        "peak MB"
    );
    for case in bench_cases().iter().filter(|c| c.name.contains(filter)) {
        let r = run_case(&exe, case.name, runs)?;
        let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
        let int = |k: &str| r[k].as_u64().unwrap_or(0);
        say!(
            "{:<34} {:>9} {:>8} {:>14} {:>11.2} {:>10.2e} {:>9.1}",
            case.name,
            int("demand_sites"),
            int("services"),
            int("pairs_in_reach"),
            1000.0 * num("median_seconds"),
            num("pairs_per_second"),
            num("peak_memory_bytes") / 1_048_576.0
        );
    }
    if gapmap::standalone::DENSE_CASE.contains(filter) {
        bench_access_job(&exe, runs)?;
    }
    bench_plans(&exe, runs, filter)?;
    bench_travel(&exe, runs, filter, files.rutland.as_deref())?;
    if gapmap::load::bench::CASE.contains(filter) {
        bench_cld_read(&exe, runs)?;
    }
    if gapmap::synth_run::CASE.contains(filter) {
        let r = run_case(&exe, gapmap::synth_run::CASE, runs)?;
        print_england_run(gapmap::synth_run::CASE, &r);
    }
    if gapmap::synth_run::REAL_CASE.contains(filter) {
        bench_real_england_run(&exe, runs, files.england_boundaries.as_deref())?;
    }
    if gapmap::analyse::exit::bench::CASE.contains(filter) {
        bench_exits(&exe, runs)?;
    }
    Ok(())
}

/// Every provider's exit at England scale, in a fresh process.
fn bench_exits(exe: &Path, runs: usize) -> Result<(), String> {
    let name = gapmap::analyse::exit::bench::CASE;
    let r = run_case(exe, name, runs)?;
    let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
    let int = |k: &str| r[k].as_u64().unwrap_or(0);
    say!(
        "\n{name}: every exit of {} providers ({} services, {} people, {} naming a service), {} leaving people without a place",
        int("providers"),
        int("services"),
        int("people"),
        int("people_naming_a_service"),
        int("exits_leaving_people")
    );
    say!(
        "  median {:.2} s (fastest {:.2} s, {} runs), peak memory {:.0} MB",
        num("median_seconds"),
        num("fastest_seconds"),
        int("runs"),
        num("peak_memory_bytes") / 1_048_576.0
    );
    Ok(())
}

/// The case that writes the generated CLD workbook for the reading case.
const CLD_WRITE: &str = "cld-write-200000";

/// The environment variable that tells the case processes where the workbook is.
const CLD_FILE_VARIABLE: &str = "GAPMAP_BENCH_CLD_FILE";

/// Where the generated CLD workbook is kept between the writing and reading processes:
/// named by the benchmarking process, which the case processes inherit.
fn cld_workbook_path() -> PathBuf {
    std::env::var_os(CLD_FILE_VARIABLE).map_or_else(
        || std::env::temp_dir().join("gapmap-bench-cld.xlsx"),
        PathBuf::from,
    )
}

/// Reading a 200,000-event Client Level Data workbook: written by one fresh process, read
/// by another, so the peak memory is the reading's own.
fn bench_cld_read(exe: &Path, runs: usize) -> Result<(), String> {
    let file = std::env::temp_dir().join(format!("gapmap-bench-cld-{}.xlsx", std::process::id()));
    std::env::set_var(CLD_FILE_VARIABLE, &file);
    run_case(exe, CLD_WRITE, 1)?;
    let r = run_case(exe, gapmap::load::bench::CASE, runs);
    let _ = std::fs::remove_file(cld_workbook_path());
    let r = r?;
    let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
    let int = |k: &str| r[k].as_u64().unwrap_or(0);
    say!(
        "\n{}: Client Level Data workbook of {} service events ({:.1} MB) read into {} person-lot rows: median {:.2} s (fastest {:.2} s, {} runs), peak memory {:.0} MB",
        gapmap::load::bench::CASE,
        int("events"),
        num("workbook_bytes") / 1_048_576.0,
        int("people_rows"),
        num("median_seconds"),
        num("fastest_seconds"),
        int("runs"),
        num("peak_memory_bytes") / 1_048_576.0
    );
    Ok(())
}

/// The whole `gapmap access` job on a dense county, in a fresh process like the others.
fn bench_access_job(exe: &Path, runs: usize) -> Result<(), String> {
    let name = gapmap::standalone::DENSE_CASE;
    let r = run_case(exe, name, runs)?;
    let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
    let int = |k: &str| r[k].as_u64().unwrap_or(0);
    say!(
        "\n{name}: the access job (read CSV, compute, write CSV) on {} demand points x {} services in a 100 km square, {} pairs in reach",
        int("demand_sites"),
        int("services"),
        int("pairs_in_reach")
    );
    say!(
        "  median {:.3} s (fastest {:.3} s, {} runs), peak memory {:.0} MB",
        num("median_seconds"),
        num("fastest_seconds"),
        int("runs"),
        num("peak_memory_bytes") / 1_048_576.0
    );
    Ok(())
}

/// Writes the run on real boundaries' inputs into `dir` in a fresh process (reading the
/// boundaries to place people leaves nothing behind in the measuring one); its config.
fn write_real_inputs(dir: &Path, boundaries: &Path) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("finding this program: {e}"))?;
    let out = std::process::Command::new(exe)
        .arg("bench")
        .arg("--write-inputs")
        .arg(dir)
        .arg("--england-boundaries")
        .arg(boundaries)
        .output()
        .map_err(|e| format!("writing the inputs: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "writing the inputs: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir.join("gapmap.toml"))
}

/// The whole run on England's real boundaries, in a fresh process like the others; skipped,
/// saying where it looked, when they are not there.
fn bench_real_england_run(exe: &Path, runs: usize, given: Option<&Path>) -> Result<(), String> {
    let name = gapmap::synth_run::REAL_CASE;
    match gapmap::synth_run::find_real_boundaries(given) {
        Ok(path) => {
            let more = ["--england-boundaries".as_ref(), path.as_os_str()];
            let r = run_case_with(exe, name, runs, &more)?;
            print_england_run(name, &r);
        }
        Err(why) => say!("\n{name}: skipped: {why}"),
    }
    Ok(())
}

/// A whole-run case's report: the run, then each stage's median time and peak memory.
fn print_england_run(name: &str, r: &serde_json::Value) {
    let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
    let int = |k: &str| r[k].as_u64().unwrap_or(0);
    say!(
        "\n{name}: the whole run on {} small areas in {} districts, {} people, {} services",
        int("small_areas"),
        int("districts"),
        int("people"),
        int("services")
    );
    say!(
        "  median {:.2} s (fastest {:.2} s, {} runs), peak memory {:.0} MB, outputs {:.1} MB of which charts {:.1} MB, largest SVG {} {:.1} MB",
        num("median_seconds"),
        num("fastest_seconds"),
        int("runs"),
        num("peak_memory_bytes") / 1_048_576.0,
        num("output_bytes") / 1_048_576.0,
        num("chart_bytes") / 1_048_576.0,
        r["largest_svg"].as_str().unwrap_or(""),
        num("largest_svg_bytes") / 1_048_576.0
    );
    for stage in r["stages"].as_array().into_iter().flatten() {
        say!(
            "  {:<58} {:>7.3} s {:>7.3} s cpu {:>7.0} MB peak",
            stage["stage"].as_str().unwrap_or(""),
            stage["median_seconds"].as_f64().unwrap_or(0.0),
            stage["median_cpu_seconds"].as_f64().unwrap_or(0.0),
            stage["peak_memory_bytes"].as_f64().unwrap_or(0.0) / 1_048_576.0
        );
    }
    say!(
        "  of which writing maps/gapmap.gpkg {:.2} s (median), {:.1} MB",
        num("geopackage_seconds"),
        num("geopackage_bytes") / 1_048_576.0
    );
}

/// The planner's cases, each in a fresh process.
fn bench_plans(exe: &Path, runs: usize, filter: &str) -> Result<(), String> {
    let cases: Vec<_> = gapmap::plan::bench::plan_cases()
        .into_iter()
        .filter(|c| c.name.contains(filter))
        .collect();
    if cases.is_empty() {
        return Ok(());
    }
    say!(
        "\n{:<34} {:>8} {:>10} {:>4} {:>11} {:>11} {:>10} {:>10} {:>9}",
        "plan case",
        "demand",
        "candidates",
        "p",
        "pairs",
        "median s",
        "median gap",
        "worst gap",
        "peak MB"
    );
    for case in cases {
        let r = run_case(exe, case.name, runs)?;
        let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
        let int = |k: &str| r[k].as_u64().unwrap_or(0);
        say!(
            "{:<34} {:>8} {:>10} {:>4} {:>11} {:>11.3} {:>9.3}% {:>9.3}% {:>9.1}",
            case.name,
            int("demand"),
            int("candidates"),
            int("new_sites"),
            int("pairs"),
            num("median_seconds"),
            100.0 * num("median_gap"),
            100.0 * num("worst_gap"),
            num("peak_memory_bytes") / 1_048_576.0
        );
        print_optimum(&r["optimum"]);
    }
    Ok(())
}

/// The plans against the optimum, under their case.
fn print_optimum(o: &serde_json::Value) {
    if o.is_null() {
        return;
    }
    let num = |k: &str| o[k].as_f64().unwrap_or(0.0);
    say!(
        "  share of the optimum: median {:.3}%, worst {:.3}% ({} of {} runs optimal); exact search median {:.2} s, slowest {:.2} s, median {} nodes",
        100.0 * num("median_share"),
        100.0 * num("worst_share"),
        o["optimal"].as_u64().unwrap_or(0),
        o["runs"].as_u64().unwrap_or(0),
        num("median_seconds"),
        num("slowest_seconds"),
        o["median_nodes"].as_u64().unwrap_or(0)
    );
    for unproven in o["unproven"].as_array().into_iter().flatten() {
        say!(
            "  seed {}: optimum not proven in {} s, search gap {:.3}% (share measured against its bound)",
            unproven[0],
            gapmap::plan::bench::OPTIMUM_SECONDS,
            100.0 * unproven[1].as_f64().unwrap_or(0.0)
        );
    }
}

/// The travel cases, each in a fresh process like the access cases.
fn bench_travel(
    exe: &Path,
    runs: usize,
    filter: &str,
    rutland_file: Option<&Path>,
) -> Result<(), String> {
    let cases: Vec<&str> = gapmap::travel::bench::CASES
        .into_iter()
        .filter(|c| c.contains(filter))
        .collect();
    if cases.is_empty() {
        return Ok(());
    }
    say!(
        "\n{:<26} {:>10} {:>10} {:>14} {:>9} {:>9} {:>10} {:>9}",
        "case",
        "junctions",
        "edges",
        "origins x dest",
        "build s",
        "snap s",
        "route s",
        "peak MB"
    );
    let extract = rutland(rutland_file);
    for case in cases {
        let r = if gapmap::travel::bench::reads_rutland(case) {
            match &extract {
                Ok(path) => run_case_with(exe, case, runs, &["--rutland".as_ref(), path.as_ref()])?,
                Err(why) => {
                    say!("{case:<26} skipped: {why}");
                    continue;
                }
            }
        } else {
            run_case(exe, case, runs)?
        };
        let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
        let int = |k: &str| r[k].as_u64().unwrap_or(0);
        say!(
            "{:<26} {:>10} {:>10} {:>14} {:>9.3} {:>9.3} {:>10.3} {:>9.1}",
            case,
            int("junctions"),
            int("edges"),
            format!("{} x {}", int("origins"), int("destinations")),
            num("build_seconds"),
            num("snap_seconds"),
            num("route_seconds"),
            num("peak_memory_bytes") / 1_048_576.0
        );
    }
    Ok(())
}
