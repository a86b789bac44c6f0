//! `gapmap plan`: its arguments, which choose between a plan in a run (`--lot`) and a
//! standalone plan on points (`--demand`, `--candidates`, `--out`), turned into the
//! planner's options, and what it prints about the plan, its proof and the run's report.
//! The planning itself is [`gapmap::plan`].

use std::path::PathBuf;

use super::{load_config, progress};

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
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  gapmap plan --lot pmld --new-services 3 --places 10\n  gapmap plan --config gapmap.toml --lot managed_pa --new-services 2 --places 100 --label 2025-Q3\n  gapmap plan --lot pmld --new-services 2 --places 5 --expand\n  gapmap plan --lot pmld --new-services 3 --objective distance --prove\n  gapmap plan --demand people.csv --candidates sites.csv --new-services 3 --catchment 10 --out plan.csv\n  gapmap plan --demand d.csv --services s.csv --candidates c.csv --new-services 5 --objective distance --out plan.csv\n  gapmap plan --demand d.csv --candidates c.csv --new-services 3 --capacity 10 --need pmld --out plan.csv"
)]
pub struct PlanArgs {
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
    /// In a run: when another run or plan is writing the run's label, wait for it to
    /// finish instead of stopping at once.
    #[arg(long)]
    wait: bool,
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

/// Plans on the run's inputs (`--lot`) or on points given (`--demand`, `--candidates`,
/// `--out`), whichever the arguments ask for.
pub fn plan(args: PlanArgs) -> Result<(), String> {
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
        wait: args.wait,
    };
    let started = std::time::Instant::now();
    let lock = gapmap::plan::run::lock(&config, &options, &mut |m| progress(m))
        .map_err(|e| e.to_string())?;
    for note in lock.recovered() {
        progress(note);
    }
    let report = gapmap::plan::run::run_plan(&config, &options, &lock, &mut |m| progress(m))
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
