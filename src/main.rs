//! The `gapmap` command: turns arguments into settings, runs the library, prints the result
//! and sets the exit code. All the work is in the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use gapmap::access::SynthSpec;
use gapmap::compare::{CompareOptions, HistoryOptions};
use gapmap::config::Config;
use gapmap::pipeline::{self, RunOptions};
use gapmap::standalone::{self, AccessOptions};

/// Prints a line to standard output; when the reader has gone (`gapmap run | head`), stops
/// quietly with success, since everything the command writes to files is written by then.
macro_rules! say {
    ($($arg:tt)*) => {
        say_line(format_args!($($arg)*))
    };
}

fn say_line(line: std::fmt::Arguments) {
    use std::io::Write;
    if let Err(e) = writeln!(std::io::stdout(), "{line}") {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Capacity and access gaps for adult social care day opportunities.
///
/// gapmap joins service locations, area boundaries and demand by need category, computes
/// supply, demand and gaps by district and need, the distance from each person to the
/// nearest suitable service, accessibility (2SFCA, E2SFCA) and cost at the framework's band
/// rates, and writes tables (CSV, Parquet), GeoJSON maps with QGIS styles, charts (SVG,
/// PNG), a market position statement report (HTML) and a manifest. It compares each
/// quarter's run with earlier ones.
#[derive(Debug, Parser)]
#[command(name = "gapmap", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the analysis and write a run folder.
    ///
    /// With no --config, runs the embedded Leicestershire sample.
    #[command(
        after_help = "Examples:\n  gapmap run\n  gapmap run --config quarter/gapmap.toml --label 2025-Q3\n  gapmap run --config gapmap.toml --out /shared/gapmap-runs\n  gapmap run --force                   # replace outputs/2025-Q2\n  gapmap run --config q3/gapmap.toml --label 2025-Q3 --compare-with 2025-Q2"
    )]
    Run {
        /// The run's config file (TOML); paths in it are relative to it.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Folder to write run folders into.
        #[arg(long, short, default_value = "outputs")]
        out: PathBuf,
        /// Label of the run folder (default: the config's `label`, such as 2025-Q2).
        #[arg(long, short)]
        label: Option<String>,
        /// Replace an existing run folder of the same label.
        #[arg(long)]
        force: bool,
        /// Compare with an earlier run (its label under --out, or its folder): the report
        /// gains a "Since last quarter" section and the run folder the change tables and map.
        #[arg(long, value_name = "LABEL")]
        compare_with: Option<String>,
        /// Also print the report to report.pdf (A4) with headless Chromium, when it is
        /// installed; the run says so when it is not.
        #[arg(long)]
        pdf: bool,
    },
    /// Load and check every input, writing nothing.
    #[command(
        after_help = "Examples:\n  gapmap validate\n  gapmap validate --config quarter/gapmap.toml"
    )]
    Validate {
        /// The config file (TOML); with none, the embedded sample.
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Accessibility of demand points to services: nearest suitable service, services in
    /// reach, 2SFCA and E2SFCA, per demand point and need.
    ///
    /// Demand rows: id, longitude, latitude (or x, y in British National Grid metres),
    /// weight, need. Service rows: id, longitude, latitude (or x, y), capacity, needs
    /// (;-separated), and optionally active. Lon/lat use great-circle km, x/y planar km, and
    /// --cost a travel-cost matrix (origin, destination, cost) whose unit the catchment and
    /// zones then take.
    #[command(
        after_help = "Examples:\n  gapmap access --demand people.csv --services services.csv --out access.csv\n  gapmap access --demand lsoa_points.csv --services services.csv --cost osrm_minutes.csv --catchment 45 --zones 15:1,30:0.68,45:0.22 --out access.parquet\n  gapmap access --demand d.csv --services s.csv --gaussian --out access.csv"
    )]
    Access {
        /// Demand points (CSV).
        #[arg(long)]
        demand: PathBuf,
        /// Services (CSV).
        #[arg(long)]
        services: PathBuf,
        /// Origin-destination travel costs (CSV: origin, destination, cost), e.g. from OSRM.
        #[arg(long)]
        cost: Option<PathBuf>,
        /// Output file: .csv or .parquet.
        #[arg(long, short)]
        out: PathBuf,
        /// Catchment: the largest distance (km, or the matrix's unit) counted as in reach.
        #[arg(long, default_value_t = 30.0)]
        catchment: f64,
        /// E2SFCA step zones as UPPER:WEIGHT pairs.
        #[arg(
            long,
            default_value = "10:1,20:0.68,30:0.22",
            conflicts_with = "gaussian"
        )]
        zones: String,
        /// Use the Gaussian decay (weight 1 at 0, 0 at the catchment) instead of zones.
        #[arg(long)]
        gaussian: bool,
        /// Factor applied to straight-line distance to approximate road distance.
        #[arg(long, default_value_t = 1.0)]
        circuity: f64,
    },
    /// Drive times and distances by road between places, from an OpenStreetMap extract.
    ///
    /// Builds a road graph from the extract (.osm.pbf, e.g. a Geofabrik county file: roads a
    /// car may use, one-way rules, a speed per road class or the tagged maxspeed), snaps each
    /// place to the nearest point on a road, and writes one row per origin and destination:
    /// origin, destination, minutes, km (the layout `gapmap access --cost` reads). Places are
    /// CSV files with id and longitude, latitude (or easting, northing); the demand and
    /// services files of `gapmap access` work as they are. Road data © OpenStreetMap
    /// contributors (ODbL).
    #[command(
        after_help = "Examples:\n  gapmap travel --network rutland.osm.pbf --origins lsoa_points.csv --destinations services.csv --out od.csv\n  gapmap travel --network county.osm.pbf --origins people.csv --destinations services.csv --max-minutes 45 --out od.parquet\n  gapmap travel --network county.osm.pbf --origins o.csv --destinations d.csv --speeds speeds.toml --snaps snaps.csv --out od.csv"
    )]
    Travel {
        /// The OpenStreetMap extract (.osm.pbf).
        #[arg(long)]
        network: PathBuf,
        /// Origins (CSV: id, longitude, latitude or id, easting, northing).
        #[arg(long)]
        origins: PathBuf,
        /// Destinations (CSV, as origins).
        #[arg(long)]
        destinations: PathBuf,
        /// Output file: .csv or .parquet.
        #[arg(long, short)]
        out: PathBuf,
        /// Leave out pairs more than this many minutes apart.
        #[arg(long)]
        max_minutes: Option<f64>,
        /// A place further than this (metres) from any road is an error.
        #[arg(long, default_value_t = gapmap::travel::job::DEFAULT_MAX_SNAP_METRES)]
        max_snap_metres: f64,
        /// Car profile (TOML): speeds by highway class, maxspeed_factor, max_speed.
        #[arg(long)]
        speeds: Option<PathBuf>,
        /// Also write each place's distance to the road it was snapped to (CSV).
        #[arg(long)]
        snaps: Option<PathBuf>,
    },
    /// Where to add capacity: choose new sites (or services to expand) that bring most
    /// demand within reach, cut most travel, or place most people where there is room.
    ///
    /// In a run (--lot): demand is the lot's people from the run's inputs (with --places,
    /// the people waiting, placed in the new places and the room existing services have
    /// left), existing active services of the lot are open, candidates default to every
    /// service's site and one point per area, and distance is measured as the run measures
    /// it (drive minutes with a [travel] network). Writes <outputs>/<label>/plans/<lot>-<n>/
    /// (chosen sites as CSV and GeoJSON, districts before and after, weekly transport, a
    /// map, a report section) and puts the section into the run's report.html. Plans listed
    /// under [[plan.scenarios]] in the config are made by `gapmap run` itself.
    ///
    /// Standalone (points you already have): --demand and --candidates (and optionally the
    /// existing --services), in the layouts `gapmap access` reads; candidates are id,
    /// longitude, latitude (or x, y) and optionally capacity. Writes one row per chosen site
    /// in the order chosen and prints the objective with a bound on the best possible.
    #[command(
        after_help = "Examples:\n  gapmap plan --lot pmld --new-services 3 --places 10\n  gapmap plan --config gapmap.toml --lot managed_pa --new-services 2 --places 100 --label 2025-Q3\n  gapmap plan --lot pmld --new-services 2 --places 5 --expand\n  gapmap plan --lot pmld --new-services 3 --objective distance --prove\n  gapmap plan --demand people.csv --candidates sites.csv --new-services 3 --catchment 10 --out plan.csv\n  gapmap plan --demand d.csv --services s.csv --candidates c.csv --new-services 5 --objective distance --out plan.csv\n  gapmap plan --demand d.csv --candidates c.csv --new-services 3 --capacity 10 --need pmld --out plan.csv"
    )]
    Plan(PlanArgs),
    /// Generate a seeded instance (demand.csv, services.csv) with town-like clustering.
    #[command(
        after_help = "Examples:\n  gapmap synth --demand 33000 --services 3000 --seed 1 --out county\n  gapmap synth --demand 35000 --services 20000 --extent england --out england"
    )]
    Synth {
        #[arg(long)]
        demand: usize,
        #[arg(long)]
        services: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// county (a 100 km square) or england (England's extent and density).
        #[arg(long, default_value = "county")]
        extent: String,
        /// Need categories to spread demand and services over.
        #[arg(long, default_value_t = 1)]
        needs: usize,
        /// Folder to write into.
        #[arg(long, short)]
        out: PathBuf,
    },
    /// Benchmark the access engine, the planner, the road router and a whole run on
    /// generated instances, each case in a fresh process.
    #[command(
        after_help = "Examples:\n  gapmap bench                 # every case, 5 runs each\n  gapmap bench --filter county --runs 9\n  gapmap bench --filter run-england --runs 3\n  gapmap bench --write-inputs england   # then: gapmap run --config england/gapmap.toml"
    )]
    Bench {
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
        /// services) into this folder instead of benchmarking, to run or inspect them.
        #[arg(long)]
        write_inputs: Option<PathBuf>,
    },
    /// Compare two kept runs: what changed in supply, demand, gaps, access and services.
    ///
    /// BEFORE and AFTER are run folder paths, or labels of run folders under --outputs.
    #[command(
        after_help = "Examples:\n  gapmap compare 2025-Q2 2025-Q3\n  gapmap compare outputs/2025-Q2 outputs/2025-Q3 --threshold 5\n  gapmap compare 2025-Q2 2025-Q3 --out q3-changes --force"
    )]
    Compare {
        /// The earlier run (folder path, or label under --outputs).
        before: String,
        /// The later run (folder path, or label under --outputs).
        after: String,
        /// Folder to write the comparison into (default: <outputs>/compare-<BEFORE>-<AFTER>).
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Folder holding run folders.
        #[arg(long, default_value = "outputs")]
        outputs: PathBuf,
        /// List gaps that opened, closed, widened or narrowed by more than this (in the lot's unit).
        #[arg(long, default_value_t = gapmap::compare::DEFAULT_THRESHOLD)]
        threshold: f64,
        /// Replace an existing comparison folder.
        #[arg(long)]
        force: bool,
    },
    /// List every kept run in time order, and chart the county's gaps across them.
    #[command(
        after_help = "Examples:\n  gapmap history\n  gapmap history --outputs /shared/gapmap-runs"
    )]
    History {
        /// Folder holding run folders.
        #[arg(long, default_value = "outputs")]
        outputs: PathBuf,
    },
    /// Write the sample inputs and their config into a folder, as templates to edit.
    #[command(
        after_help = "Examples:\n  gapmap sample --out my-council\n  gapmap run --config my-council/gapmap.toml"
    )]
    Sample {
        /// Folder to write into (created if missing; existing files are never overwritten).
        #[arg(long, short)]
        out: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// In a run: the config file (TOML); with none, the embedded sample.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// In a run: the lot to plan for (its id in the config, e.g. pmld).
    #[arg(long)]
    lot: Option<String>,
    /// In a run: places (or PA hours a week) at each new site; makes the plan capacitated.
    #[arg(long)]
    places: Option<f64>,
    /// In a run: choose existing services of the lot to expand by --places, not new sites.
    #[arg(long, requires = "places")]
    expand: bool,
    /// In a run, with --places: place everyone (current users and people waiting) afresh
    /// with existing services at full capacity. Without it, the people waiting are placed in
    /// the new places and the room existing services have left (capacity minus current
    /// users). Lots measured in hours always use full capacity.
    #[arg(long, requires = "places")]
    full_capacity: bool,
    /// In a run: the run's label (default: the config's); the plan goes into
    /// <outputs>/<label>/plans/<lot>-<n>/.
    #[arg(long, short)]
    label: Option<String>,
    /// In a run: the folder holding run folders.
    #[arg(long, default_value = "outputs")]
    outputs: PathBuf,
    /// In a run: replace an existing plan folder of the same name.
    #[arg(long)]
    force: bool,
    /// Standalone: demand points (CSV, as for `gapmap access`): id, longitude, latitude
    /// (or x, y), weight, need.
    #[arg(long, requires_all = ["out"], conflicts_with_all = ["config", "lot", "places", "expand"])]
    demand: Option<PathBuf>,
    /// Candidate sites (CSV): id, longitude, latitude (or x, y in British National Grid
    /// metres), optional capacity. In a run, the default is every service's site and one
    /// interior point per area.
    #[arg(long)]
    candidates: Option<PathBuf>,
    /// Standalone: existing services (CSV, as for `gapmap access`): active ones serving
    /// the need are open already.
    #[arg(long, requires = "demand")]
    services: Option<PathBuf>,
    /// How many new sites to choose.
    #[arg(long)]
    new_services: usize,
    /// Standalone: the largest distance (km) counted as in reach; inclusive. In a run, the
    /// config's catchment.
    #[arg(long, default_value_t = 30.0)]
    catchment: f64,
    /// coverage (most demand within reach) or distance (least total distance).
    #[arg(long, default_value = "coverage")]
    objective: String,
    /// Standalone: places at each candidate without its own capacity; makes the plan
    /// capacitated.
    #[arg(long, requires = "demand")]
    capacity: Option<f64>,
    /// Standalone: the need to plan for (required when the demand has several).
    #[arg(long, requires = "demand")]
    need: Option<String>,
    /// Standalone: factor applied to straight-line distance to approximate road distance.
    #[arg(long, default_value_t = 1.0)]
    circuity: f64,
    /// Standalone: output file (.csv).
    #[arg(long, short, requires = "demand")]
    out: Option<PathBuf>,
    /// After planning, search for the proven optimum and say whether the plan is optimal
    /// (plans without capacities; in a run, the report says so too).
    #[arg(long)]
    prove: bool,
    /// Time limit of --prove, seconds.
    #[arg(long, default_value_t = 60.0)]
    prove_seconds: f64,
}

fn plan(args: PlanArgs) -> Result<(), String> {
    match (&args.demand, &args.out, &args.candidates) {
        (Some(_), Some(_), Some(_)) => plan_points(args),
        (Some(_), _, None) => Err("a standalone plan needs --candidates".to_string()),
        _ => plan_in_run(args),
    }
}

fn plan_in_run(args: PlanArgs) -> Result<(), String> {
    let Some(lot) = args.lot.clone() else {
        return Err(
            "give --lot (a plan in a run) or --demand, --candidates and --out (a standalone plan)"
                .to_string(),
        );
    };
    let config = load_config(args.config.as_ref()).map_err(|e| e.to_string())?;
    let prove = prove_limit(&args)?;
    let options = gapmap::plan::run::RunPlanOptions {
        outputs: args.outputs,
        label: args.label,
        lot,
        new_services: args.new_services,
        places: args.places,
        objective: objective(&args.objective)?,
        candidates: args.candidates,
        expand: args.expand,
        full_capacity: args.full_capacity,
        prove,
        force: args.force,
    };
    let started = std::time::Instant::now();
    let report = gapmap::plan::run::run_plan(&config, &options, &mut |m| progress(m))
        .map_err(|e| e.to_string())?;
    say!("{}", report.summary);
    for line in &report.lines {
        say!("  {line}");
    }
    say!(
        "Wrote {} in {:.2} s",
        report.folder.display(),
        started.elapsed().as_secs_f64()
    );
    match &report.report {
        gapmap::plan::ReportUpdate::Updated {
            report,
            plans,
            pdf_reprinted,
            pdf_stale,
        } => {
            say!(
                "{} now holds {plans} plan{} under \"Where new capacity would help most\"{}",
                report.display(),
                if *plans == 1 { "" } else { "s" },
                if *pdf_reprinted {
                    "; report.pdf printed again"
                } else {
                    ""
                }
            );
            if *pdf_stale {
                eprintln!("gapmap: warning: report.pdf was not printed again (Chromium is not installed), so it does not show the plan; report.html does");
            }
        }
        gapmap::plan::ReportUpdate::NoReport(path) => say!(
            "No run report at {}: run `gapmap run` with the same config and label, then the plan, to see it in the report",
            path.display()
        ),
        gapmap::plan::ReportUpdate::NoPlace(path) => eprintln!(
            "gapmap: warning: {} was written by an older gapmap and has no place for plans: run `gapmap run --force` to rewrite it, then the plan again",
            path.display()
        ),
    }
    Ok(())
}

fn objective(name: &str) -> Result<gapmap::plan::Objective, String> {
    match name {
        "coverage" => Ok(gapmap::plan::Objective::Coverage),
        "distance" => Ok(gapmap::plan::Objective::Distance),
        other => Err(format!("--objective {other:?} is not coverage or distance")),
    }
}

/// The time limit of `--prove`, when given.
fn prove_limit(args: &PlanArgs) -> Result<Option<std::time::Duration>, String> {
    if !args.prove {
        return Ok(None);
    }
    std::time::Duration::try_from_secs_f64(args.prove_seconds)
        .map(Some)
        .map_err(|_| {
            format!(
                "--prove-seconds {}: expected a number of seconds >= 0",
                args.prove_seconds
            )
        })
}

fn plan_points(args: PlanArgs) -> Result<(), String> {
    let prove_limit = prove_limit(&args)?;
    let (Some(demand), Some(candidates), Some(out)) = (args.demand, args.candidates, args.out)
    else {
        return Err("a standalone plan needs --demand, --candidates and --out".to_string());
    };
    let options = gapmap::plan::points::PointPlanOptions {
        demand,
        candidates,
        services: args.services,
        out,
        new_services: args.new_services,
        catchment: args.catchment,
        objective: objective(&args.objective)?,
        capacity: args.capacity,
        need: args.need,
        circuity: args.circuity,
    };
    let started = std::time::Instant::now();
    let report = gapmap::plan::points::run_point_plan(&options).map_err(|e| e.to_string())?;
    let plan = &report.plan;
    say!(
        "{}: {} demand points, {} existing services, {} candidates, {} pairs",
        report.need,
        report.demand_points,
        report.existing,
        report.candidates,
        report.pairs
    );
    say!(
        "{} plan{} for {} new site{}: {}",
        plan.objective.name(),
        if plan.capacitated {
            " (capacitated)"
        } else {
            ""
        },
        plan.chosen.len(),
        if plan.chosen.len() == 1 { "" } else { "s" },
        plan.summary("of demand weight")
    );
    for (rank, chosen) in plan.chosen.iter().enumerate() {
        say!(
            "  {}. {} (gain {:.1})",
            rank + 1,
            report.instance.sites[chosen.site].id,
            chosen.gain
        );
    }
    say!(
        "in {:.2} s; wrote {}",
        started.elapsed().as_secs_f64(),
        options.out.display()
    );
    if let Some(time_limit) = prove_limit {
        let settings = gapmap::plan::exact::ExactSettings { time_limit };
        let proof = gapmap::plan::exact::prove(&report.instance, plan, &settings)
            .map_err(|e| e.to_string())?;
        say!("{}", proof.summary(&report.instance));
    }
    Ok(())
}

fn load_config(path: Option<&PathBuf>) -> Result<Config, gapmap::Error> {
    Ok(match path {
        Some(p) => Config::read(p)?,
        None => gapmap::sample::config()?,
    })
}

fn progress(message: &str) {
    eprintln!("gapmap: {message}");
}

fn run(config: Option<PathBuf>, options: RunOptions) -> Result<(), gapmap::Error> {
    let config = load_config(config.as_ref())?;
    let outputs = options.outputs.clone();
    let started = std::time::Instant::now();
    let mut stages = gapmap::progress::Stages::new(std::io::stderr().is_terminal());
    let report = pipeline::run(&config, &options, &mut |m| stages.stage(m));
    let stages = stages.finish();
    let report = report?;
    for w in &report.warnings {
        eprintln!("gapmap: warning: {w}");
    }
    say!("Largest shortfalls ({}):", report.label);
    let gaps = report.published.largest_shortfalls(8);
    if gaps.is_empty() {
        say!("  none: supply meets demand in every district and lot");
    }
    for row in gaps {
        say!("  {}", gapmap::publish::report::gap_sentence(&config, row));
    }
    say!(
        "Wrote {} in {:.2} s",
        report.folder.display(),
        started.elapsed().as_secs_f64()
    );
    let times = gapmap::progress::summary(&stages);
    if !times.is_empty() {
        say!("Time by stage:");
    }
    for line in times {
        say!("{line}");
    }
    let plans =
        gapmap::plan::run::run_configured_plans(&config, &outputs, &report.label, &mut |m| {
            progress(m)
        })?;
    for plan in plans {
        say!("{}", plan.summary);
        for line in &plan.lines {
            say!("  {line}");
        }
        say!("Wrote {}", plan.folder.display());
    }
    Ok(())
}

fn validate(config: Option<PathBuf>) -> Result<(), gapmap::Error> {
    let config = load_config(config.as_ref())?;
    let checked = pipeline::check(&config, &mut |m| progress(m))?;
    for w in &checked.warnings {
        eprintln!("gapmap: warning: {w}");
    }
    say!(
        "{}: inputs are valid ({} services, {} areas, {} districts)",
        config.file_name,
        checked.inputs.services.len(),
        checked.inputs.areas.len(),
        checked.inputs.districts.len()
    );
    Ok(())
}

fn sample(out: PathBuf) -> Result<(), String> {
    let config = gapmap::sample::write_to(&out).map_err(|e| format!("writing the sample: {e}"))?;
    say!("Wrote the sample to {}", out.display());
    say!("Run it with: gapmap run --config {}", config.display());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn access(
    demand: &Path,
    services: &Path,
    cost: Option<&Path>,
    out: &Path,
    catchment: f64,
    zones: &str,
    gaussian: bool,
    circuity: f64,
) -> Result<(), String> {
    let options = AccessOptions {
        catchment,
        zones: if gaussian {
            Vec::new()
        } else {
            standalone::parse_zones(zones).map_err(|e| e.to_string())?
        },
        circuity,
    };
    let started = std::time::Instant::now();
    let summary =
        standalone::run_access(demand, services, cost, out, &options).map_err(|e| e.to_string())?;
    for need in &summary.result.needs {
        say!(
            "{}: {} demand points, {:.1}% of demand weight with no suitable service in reach, {} services with no demand in reach",
            need.need,
            need.demand_sites,
            100.0 * need.share_out_of_reach,
            need.services_without_demand
        );
    }
    say!(
        "{} demand points x {} services, {} pairs in reach, in {:.2} s; wrote {}",
        summary.demand_sites,
        summary.services,
        summary.pairs_in_reach,
        started.elapsed().as_secs_f64(),
        summary.out.display()
    );
    Ok(())
}

fn synth(
    demand: usize,
    services: usize,
    seed: u64,
    extent: &str,
    needs: usize,
    out: &Path,
) -> Result<(), String> {
    let mut spec = SynthSpec::new(
        standalone::extent(extent).map_err(|e| e.to_string())?,
        demand,
        services,
    );
    spec.seed = seed;
    spec.needs = needs.max(1);
    let (d, s) = standalone::run_synth(&spec, out).map_err(|e| e.to_string())?;
    say!("Wrote {} and {}", d.display(), s.display());
    Ok(())
}

fn travel(options: &gapmap::travel::TravelOptions) -> Result<(), String> {
    let started = std::time::Instant::now();
    let summary = gapmap::travel::run_travel(options).map_err(|e| e.to_string())?;
    let g = &summary.graph;
    say!(
        "Roads: {} car ways of {} highways; graph of {} junctions and {} edges ({:.0} km); left out {} small pieces not connected both ways ({} junctions, {:.1} km)",
        summary.osm.car_ways,
        summary.osm.highway_ways,
        g.junctions,
        g.edges,
        g.length_m as f64 / 1000.0,
        g.components.saturating_sub(1),
        g.junctions_dropped,
        g.length_dropped_m as f64 / 1000.0
    );
    if let Some((id, metres)) = &summary.furthest_snap {
        say!("Furthest from a road: {id}, {metres:.0} m");
    }
    say!(
        "{} origins x {} destinations: {} pairs in {:.2} s; wrote {} (road data {})",
        summary.origins,
        summary.destinations,
        summary.pairs,
        started.elapsed().as_secs_f64(),
        options.out.display(),
        gapmap::travel::OSM_ATTRIBUTION
    );
    Ok(())
}

fn bench_cases() -> Vec<gapmap::access::BenchCase> {
    let mut cases = gapmap::access::standard_cases();
    cases.extend(gapmap::access::variant_cases());
    cases
}

fn bench_one(name: &str, runs: usize) -> Result<(), String> {
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
        let report =
            gapmap::travel::bench::bench_travel_case(name, runs).map_err(|e| e.to_string())?;
        return serde_json::to_string(&report)
            .map(|json| say!("{json}"))
            .map_err(|e| e.to_string());
    }
    if name == gapmap::synth_run::CASE {
        let report = gapmap::synth_run::bench_england_run(runs).map_err(|e| e.to_string())?;
        say!(
            "{}",
            serde_json::to_string(&report).map_err(|e| e.to_string())?
        );
        return Ok(());
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
    let out = std::process::Command::new(exe)
        .args(["bench", "--case", name, "--runs", &runs.to_string()])
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

fn bench_all(runs: usize, filter: &str) -> Result<(), String> {
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
    bench_plans(&exe, runs, filter)?;
    bench_travel(&exe, runs, filter)?;
    if gapmap::synth_run::CASE.contains(filter) {
        bench_england_run(&exe, runs)?;
    }
    Ok(())
}

/// The whole-run case, in a fresh process like the others.
fn bench_england_run(exe: &Path, runs: usize) -> Result<(), String> {
    let name = gapmap::synth_run::CASE;
    let r = run_case(exe, name, runs)?;
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
    Ok(())
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
fn bench_travel(exe: &Path, runs: usize, filter: &str) -> Result<(), String> {
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
    for case in cases {
        let r = run_case(exe, case, runs)?;
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

fn compare(options: CompareOptions) -> Result<(), gapmap::compare::CompareError> {
    let report = gapmap::compare::compare(&options)?;
    for line in &report.summary {
        say!("{line}");
    }
    say!("Wrote {}", report.folder.display());
    Ok(())
}

fn history(outputs: PathBuf) -> Result<(), gapmap::compare::CompareError> {
    let report = gapmap::compare::history(&HistoryOptions { outputs })?;
    for line in &report.lines {
        say!("{line}");
    }
    say!("Wrote {}", report.folder.display());
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run {
            config,
            out,
            label,
            force,
            compare_with,
            pdf,
        } => run(
            config,
            RunOptions {
                outputs: out,
                label,
                force,
                compare_with,
                pdf,
            },
        )
        .map_err(|e| e.to_string()),
        Command::Validate { config } => validate(config).map_err(|e| e.to_string()),
        Command::Compare {
            before,
            after,
            out,
            outputs,
            threshold,
            force,
        } => compare(CompareOptions {
            before,
            after,
            outputs,
            out,
            threshold,
            force,
        })
        .map_err(|e| e.to_string()),
        Command::History { outputs } => history(outputs).map_err(|e| e.to_string()),
        Command::Sample { out } => sample(out),
        Command::Access {
            demand,
            services,
            cost,
            out,
            catchment,
            zones,
            gaussian,
            circuity,
        } => access(
            &demand,
            &services,
            cost.as_deref(),
            &out,
            catchment,
            &zones,
            gaussian,
            circuity,
        ),
        Command::Synth {
            demand,
            services,
            seed,
            extent,
            needs,
            out,
        } => synth(demand, services, seed, &extent, needs, &out),
        Command::Plan(args) => plan(args),
        Command::Travel {
            network,
            origins,
            destinations,
            out,
            max_minutes,
            max_snap_metres,
            speeds,
            snaps,
        } => travel(&gapmap::travel::TravelOptions {
            network,
            origins,
            destinations,
            out,
            max_minutes,
            max_snap_metres,
            profile: speeds,
            snaps,
        }),
        Command::Bench {
            runs,
            filter,
            case,
            write_inputs,
        } => match (case, write_inputs) {
            (_, Some(dir)) => gapmap::synth_run::write_inputs(&dir)
                .map(|config| say!("Wrote {}", config.display()))
                .map_err(|e| e.to_string()),
            (Some(name), None) => bench_one(&name, runs),
            (None, None) => bench_all(runs, &filter),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("gapmap: error: {}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}
