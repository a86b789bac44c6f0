//! The plan inside a run (`gapmap plan --config ... --lot pmld --new-services 3`): demand
//! is the lot's people (current and waiting) from the run's inputs, existing active
//! services of the lot are open already, candidates come from a CSV or default to every
//! service's site plus one interior point per area. The plan is written into
//! `<outputs>/<label>/plans/<lot>-<n>/` under the label's lock, in a copy of the run that
//! replaces the run in one step, so a failed or killed plan leaves the run as it was and
//! nothing beside it: chosen sites (CSV and GeoJSON), the effect by
//! district, weekly transport before and after, a map picture and a report section
//! ("Where new capacity would help most"), which also goes into the run's own
//! `report.html` ([`super::in_report`]). Every count of people passes the run's disclosure
//! step.

use std::path::{Path, PathBuf};

use geo::{Contains, Point};

use super::exact::{ExactSettings, Proof};
use super::io::read_candidates_csv;
use super::pairs::PlacedSite;
use super::run_measure::{measure, DemandPoint, Measure};
use super::{adopt, evaluate, plan, Objective, Plan, PlanError, PlanInstance, PlanSettings, Site};
use crate::access::{Coordinates, Location};
use crate::config::Config;
use crate::model::{Demand, DemandStatus, PersonNeed, ServiceStatus, Unit};
use crate::pipeline;
use crate::publish::disclosure::{Disclosure, Published};
use crate::publish::label_lock::{LabelLock, Waiting};
use crate::publish::published::PublishedRun;
use crate::publish::run_folder::RunFolder;
use crate::Error;

/// Options of a plan in a run, resolved from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPlanOptions {
    pub outputs: PathBuf,
    /// The run's label (default: the config's).
    pub label: Option<String>,
    /// The lot's id in the config.
    pub lot: String,
    pub new_services: usize,
    /// Places (or hours) at each new site; makes the plan capacitated.
    pub places: Option<f64>,
    pub objective: Objective,
    /// Candidate sites (CSV); default: every service's site and one point per area.
    pub candidates: Option<PathBuf>,
    /// Choose existing services of the lot to expand by `places` instead of new sites.
    pub expand: bool,
    /// Plans without capacities: after planning, search for the proven optimum within this
    /// time and say whether the plan is optimal.
    pub prove: Option<std::time::Duration>,
    /// Capacitated plans: re-place everyone (current and waiting) with existing services at
    /// their full capacity, instead of placing the people waiting in the room existing
    /// services have left (capacity minus current users).
    pub full_capacity: bool,
    pub force: bool,
    /// Queue behind another writer of the run's label instead of being refused.
    pub wait: bool,
}

/// Who a capacitated plan places, and in what room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placing {
    /// Not capacitated: every person of the lot counts, services have no limit.
    Everyone,
    /// The people waiting, in existing services' room (capacity minus current users):
    /// current users keep their places. The default for lots measured in places.
    WaitingInRoom,
    /// Everyone of the lot, current and waiting, with existing services at full capacity:
    /// asked for with `--full-capacity`, and always for lots measured in hours (a service's
    /// current users are a head count, so its hours left are not known).
    EveryoneInFullCapacity,
}

impl Placing {
    fn of(options: &RunPlanOptions, unit: Unit) -> Placing {
        match (options.places.is_some(), options.full_capacity, unit) {
            (false, _, _) => Placing::Everyone,
            (true, false, Unit::Places) => Placing::WaitingInRoom,
            (true, _, _) => Placing::EveryoneInFullCapacity,
        }
    }

    /// One sentence for the report and the terminal.
    pub fn describe(self) -> &'static str {
        match self {
            Placing::Everyone => "",
            Placing::WaitingInRoom => "People waiting are placed in the new places or in the room existing services have left (capacity minus current users); current users keep their places.",
            Placing::EveryoneInFullCapacity => "Everyone, current users and people waiting, is placed afresh, with existing services at their full capacity.",
        }
    }
}

/// What a plan in a run did.
#[derive(Debug, Clone)]
pub struct RunPlanReport {
    pub folder: PathBuf,
    pub summary: String,
    /// One line per chosen site, for the terminal.
    pub lines: Vec<String>,
    /// What happened to the run's report.
    pub report: super::ReportUpdate,
}

/// A candidate's name and district, for the outputs.
struct Described {
    name: String,
    district: Option<usize>,
    location: Location,
}

/// What every plan of a run reads: the checked inputs and the run's published figures.
/// Made once for however many plans.
pub struct PlanContext {
    checked: pipeline::Checked,
    published: PublishedRun,
}

impl PlanContext {
    /// Loads and checks the inputs and analyses them as the run does.
    pub fn new(config: &Config, progress: &mut dyn FnMut(&str)) -> Result<PlanContext, Error> {
        let checked = pipeline::check(config, progress)?;
        let analysis = crate::analyse::analyse(
            config,
            &checked.inputs,
            &checked.placement,
            &checked.distances,
        )?;
        let published = PublishedRun::new(config, &checked.inputs, &checked.placement, &analysis);
        Ok(PlanContext { checked, published })
    }
}

/// Takes the lock on the label of the run the plan goes into (refused at once when another
/// process holds it, unless `options.wait`; `on_wait` hears when it queues).
pub fn lock(
    config: &Config,
    options: &RunPlanOptions,
    on_wait: &mut dyn FnMut(&str),
) -> Result<LabelLock, Error> {
    check_options(options)?;
    let label = options
        .label
        .clone()
        .unwrap_or_else(|| config.file.label.clone());
    let waiting = Waiting::queue_if(options.wait);
    Ok(LabelLock::acquire(
        &options.outputs,
        &label,
        waiting,
        on_wait,
    )?)
}

/// Runs the plan and writes its folder into the run of the label `lock` holds (taken with
/// [`lock`]).
pub fn run_plan(
    config: &Config,
    options: &RunPlanOptions,
    lock: &LabelLock,
    progress: &mut dyn FnMut(&str),
) -> Result<RunPlanReport, Error> {
    check_options(options)?;
    let context = PlanContext::new(config, progress)?;
    plan_in(config, &context, options, lock, progress)
}

fn check_options(options: &RunPlanOptions) -> Result<(), PlanError> {
    if options.prove.is_some() && options.places.is_some() {
        return Err(PlanError::Setting {
            setting: "--prove",
            value: "with --places".to_string(),
            expected: "a plan without capacities (the exact search covers those only)",
        });
    }
    Ok(())
}

/// Runs the plan on a run's checked inputs and writes its folder.
fn plan_in(
    config: &Config,
    context: &PlanContext,
    options: &RunPlanOptions,
    lock: &LabelLock,
    progress: &mut dyn FnMut(&str),
) -> Result<RunPlanReport, Error> {
    let checked = &context.checked;
    let inputs = &checked.inputs;
    let lot = lot_index(config, &options.lot)?;
    let Demand::People(rows) = &inputs.demand else {
        return Err(PlanError::Setting {
            setting: "demand.format",
            value: "aggregated".to_string(),
            expected: "person records (a plan needs where people live)",
        }
        .into());
    };
    let folder_name = crate::config::plan_folder_name(
        &config.catalogue.lots[lot].id,
        options.new_services,
        options.expand,
    );
    let plans = lock.folder().join("plans");
    if plans.join(&folder_name).exists() && !options.force {
        return Err(crate::publish::PublishError::Exists(plans.join(&folder_name)).into());
    }
    progress("planning");
    if config.file.analysis.travel_costs.is_some() && config.file.travel.is_none() {
        progress("the plan measures straight-line km: the run's travel-cost matrix has no costs to candidate sites (a [travel] network gives drive times to every site)");
    }
    let people: Vec<usize> = (0..rows.len()).filter(|&k| rows[k].lot == lot).collect();
    let unit = config.catalogue.lots[lot].unit;
    let placing = Placing::of(options, unit);
    let demand: Vec<DemandPoint> = people
        .iter()
        .map(|&k| DemandPoint {
            location: location(rows[k].location),
            weight: weight(&rows[k], unit),
            line: rows[k].line,
        })
        .collect();
    let waiting: Vec<usize> = (0..people.len())
        .filter(|&i| rows[people[i]].status == DemandStatus::Waiting)
        .collect();
    let (sites, described) = sites(inputs, lot, options, placing)?;
    // Every person of the lot, for the figures published (distances, reach, transport), and
    // the people waiting when only they are placed.
    let measured = measure(
        config,
        &demand,
        (placing == Placing::WaitingInRoom).then_some(waiting.as_slice()),
        sites,
    )?;
    let instance = measured.all;
    let settings = PlanSettings {
        objective: options.objective,
        new_sites: options.new_services,
        capacitated: options.places.is_some(),
        ..PlanSettings::default()
    };
    let planned = measured.subset.as_ref().unwrap_or(&instance);
    let mut plan = plan(planned, &settings)?;
    let proof = match options.prove {
        Some(time_limit) => {
            progress("searching for the proven optimum");
            let proof = super::exact::prove(planned, &plan, &ExactSettings { time_limit })?;
            let better = proof.found_better().then(|| {
                let bound = match plan.objective {
                    Objective::Coverage => plan.bound.min(proof.exact.bound),
                    Objective::Distance => plan.bound.max(proof.exact.bound),
                };
                adopt(planned, &plan, &proof.exact.sites, bound)
            });
            match better.flatten() {
                // The exact search's plan is the plan: its sites, figures and map.
                Some(better) => {
                    plan = better;
                    Some(adopted_sentences(&proof, planned))
                }
                None => Some((proof.summary(planned), proof_sentence(&proof, planned))),
            }
        }
        None => None,
    };
    let states = (0..=plan.chosen.len())
        .map(|k| {
            let sites: Vec<usize> = plan.chosen[..k].iter().map(|c| c.site).collect();
            evaluate(&instance, &sites).nearest
        })
        .collect();
    let mut view = View {
        config,
        inputs,
        published: &context.published,
        rows,
        people: &people,
        person_district: &checked.placement.person_district,
        lot,
        instance: &instance,
        plan: &plan,
        described: &described,
        disclosure: Disclosure::from(&config.file.disclosure),
        places: options.places.unwrap_or(0.0),
        placing,
        folder_name: folder_name.clone(),
        measure: &measured.measure,
        proof: proof.as_ref().map(|p| p.1.clone()),
        states,
        site_rows: Vec::new(),
    };
    view.site_rows = view.build_site_rows();
    let plan_dir = format!("plans/{folder_name}");
    let mut folder = RunFolder::amend(lock)?;
    folder.remove_folder(&plan_dir)?;
    super::run_outputs::write(&view, &mut folder, &plan_dir)?;
    crate::publish::geopackage::write(&mut folder, &config.file.data_date, &[])?;
    let report = super::refresh_run_report(&mut folder, &plan_dir, &config.file.data_date)?;
    let folder = folder.commit()?.join(&plan_dir);
    let mut lines = view.site_lines();
    if let Some((terminal, _)) = &proof {
        lines.push(format!("Exact search: {terminal}"));
    }
    Ok(RunPlanReport {
        folder,
        summary: view.summary(),
        lines,
        report,
    })
}

/// Makes the config's `[[plan.scenarios]]` for the run just published under the label
/// `lock` holds, in the order listed; each replaces a plan folder of the same name.
pub fn run_configured_plans(
    config: &Config,
    lock: &LabelLock,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<RunPlanReport>, Error> {
    let mut reports = Vec::new();
    if config.file.plan.scenarios.is_empty() {
        return Ok(reports);
    }
    let context = PlanContext::new(config, progress)?;
    for scenario in &config.file.plan.scenarios {
        let objective = match scenario.objective.as_deref() {
            Some("distance") => Objective::Distance,
            _ => Objective::Coverage,
        };
        let candidates = scenario.candidates.as_ref().map(|c| match &config.origin {
            crate::config::Origin::Directory(dir) => dir.join(c),
            crate::config::Origin::EmbeddedSample => PathBuf::from(c),
        });
        let options = RunPlanOptions {
            outputs: lock.outputs().to_path_buf(),
            label: Some(lock.label().to_string()),
            lot: scenario.lot.clone(),
            new_services: scenario.new_services,
            places: scenario.places,
            objective,
            candidates,
            expand: scenario.expand,
            full_capacity: scenario.full_capacity,
            prove: scenario
                .prove_seconds
                .map(std::time::Duration::from_secs_f64),
            force: true,
            wait: false,
        };
        progress(&format!("planning {}", scenario.folder_name()));
        reports.push(plan_in(config, &context, &options, lock, progress)?);
    }
    Ok(reports)
}

/// Everything the outputs are drawn from.
pub(crate) struct View<'a> {
    pub config: &'a Config,
    pub inputs: &'a crate::load::Inputs,
    pub published: &'a PublishedRun,
    pub rows: &'a [PersonNeed],
    /// Person rows of the lot, in demand-point order.
    pub people: &'a [usize],
    pub person_district: &'a [usize],
    pub lot: usize,
    pub instance: &'a PlanInstance,
    pub plan: &'a Plan,
    described: &'a [Described],
    pub disclosure: Disclosure,
    pub places: f64,
    pub placing: Placing,
    /// The plan's folder name, e.g. `pmld-3`.
    pub folder_name: String,
    /// Straight-line km or drive minutes.
    pub measure: &'a Measure,
    /// What the exact search found, for the report (with `--prove`).
    pub proof: Option<String>,
    /// For k = 0 to the sites chosen, each person's nearest open site and its cost with
    /// the first k chosen sites open: evaluated once, read by every output.
    states: Vec<Vec<Option<(usize, f64)>>>,
    site_rows: Vec<SiteRow>,
}

/// One chosen site as published.
pub(crate) struct SiteRow {
    pub rank: usize,
    pub id: String,
    pub name: String,
    pub district: String,
    pub location: Location,
    pub places: f64,
    pub newly_in_reach: Published,
    pub users: Published,
    /// Mean km (or minutes) nearer for the lot's people, over all of them.
    pub mean_saved: Option<f64>,
}

impl View<'_> {
    pub(crate) fn lot_label(&self) -> &str {
        &self.config.catalogue.lots[self.lot].label
    }

    pub(crate) fn unit(&self) -> Unit {
        self.config.catalogue.lots[self.lot].unit
    }

    /// Each of the lot's people's nearest open site and its cost (km or minutes) with the
    /// first `k` chosen sites.
    pub(crate) fn state(&self, k: usize) -> &[Option<(usize, f64)>] {
        &self.states[k]
    }

    /// The chosen sites as published, in the order chosen.
    pub(crate) fn site_rows(&self) -> &[SiteRow] {
        &self.site_rows
    }

    fn in_reach(&self, state: &[Option<(usize, f64)>]) -> u32 {
        let catchment = self.instance.catchment;
        state
            .iter()
            .filter(|d| d.is_some_and(|(_, cost)| cost <= catchment))
            .count() as u32
    }

    fn build_site_rows(&self) -> Vec<SiteRow> {
        let mut previous = self.state(0);
        let people = self.people.len() as u32;
        let mut out = Vec::new();
        for (k, chosen) in self.plan.chosen.iter().enumerate() {
            let now = self.state(k + 1);
            let newly = self.in_reach(now) - self.in_reach(previous);
            let saved: f64 = previous
                .iter()
                .zip(now)
                .map(|(b, a)| match (b, a) {
                    (Some(b), Some(a)) => b.1 - a.1,
                    _ => 0.0,
                })
                .sum();
            let d = &self.described[chosen.site];
            let users = match self.unit() {
                Unit::Places => chosen.users.round() as u32,
                Unit::Hours => self.users_people(chosen.site),
            };
            out.push(SiteRow {
                rank: k + 1,
                id: self.instance.sites[chosen.site].id.clone(),
                name: d.name.clone(),
                district: d.district.map_or("outside the areas".to_string(), |i| {
                    self.inputs.districts[i].name.clone()
                }),
                location: d.location,
                places: self.instance.sites[chosen.site].capacity,
                newly_in_reach: self.disclosure.count(newly),
                users: self.disclosure.count(users),
                mean_saved: (self.disclosure.count(people).is_some() && people > 0)
                    .then(|| saved / f64::from(people)),
            });
            previous = now;
        }
        out
    }

    /// People (not hours) placed at a site, for hour-measured lots.
    fn users_people(&self, site: usize) -> u32 {
        match &self.plan.assignment {
            Some(a) => a.flows.iter().filter(|f| f.1 == site).count() as u32,
            None => self
                .plan
                .after
                .nearest
                .iter()
                .filter(|n| n.is_some_and(|(s, km)| s == site && km <= self.instance.catchment))
                .count() as u32,
        }
    }

    /// The district each chosen site lies in, and the places it adds.
    pub(crate) fn new_places_by_district(&self) -> Vec<f64> {
        let mut places = vec![0.0; self.inputs.districts.len()];
        for chosen in &self.plan.chosen {
            if let Some(d) = self.described[chosen.site].district {
                places[d] += self.instance.sites[chosen.site].capacity;
            }
        }
        places
    }

    /// The plan's result in a sentence, in the lot's words ("places 28 of at most 28 people
    /// waiting: within 0.00% of the best possible").
    pub(crate) fn summary_sentence(&self) -> String {
        let unit = match (self.plan.capacitated, self.unit()) {
            (true, Unit::Hours) => "PA hours a week",
            (true, Unit::Places) if self.placing == Placing::WaitingInRoom => "people waiting",
            (true, Unit::Places) => "people",
            (false, Unit::Hours) => "PA hours a week of demand",
            (false, Unit::Places) => "people",
        };
        self.plan.summary(unit)
    }

    pub(crate) fn summary(&self) -> String {
        format!("{}: {}", self.lot_label(), self.summary_sentence())
    }

    fn site_lines(&self) -> Vec<String> {
        self.site_rows()
            .iter()
            .map(|r| {
                format!(
                    "{}. {} ({}, {}): {}{} more people within {} {}{}",
                    r.rank,
                    r.name,
                    r.id,
                    r.district,
                    if self.plan.capacitated {
                        format!("{} people placed there, ", shown(r.users))
                    } else {
                        String::new()
                    },
                    shown(r.newly_in_reach),
                    crate::publish::report::num(self.instance.catchment),
                    self.measure.unit(),
                    r.mean_saved.map_or(String::new(), |saved| format!(
                        ", {saved:.1} {} nearer on average",
                        self.measure.unit()
                    ))
                )
            })
            .collect()
    }
}

/// What the exact search found, in words that do not depend on how fast the machine is:
/// a search that ran out of time says only that.
fn proof_sentence(proof: &Proof, instance: &PlanInstance) -> String {
    let e = &proof.exact;
    match (e.proven, proof.found_better()) {
        (true, false) => "An exact search (branch and bound) proved the plan optimal: no other choice of as many sites does better.".to_string(),
        (true, true) => {
            let ids: Vec<&str> = e.sites.iter().map(|&j| instance.sites[j].id.as_str()).collect();
            format!(
                "An exact search (branch and bound) found that the best possible choice is {}, with a value of {:.1} against the plan's {:.1}.",
                ids.join(", "),
                e.value,
                proof.plan_value
            )
        }
        (false, _) => format!(
            "An exact search (branch and bound) did not finish within {} s, so the plan is not proven optimal.",
            proof.limit_seconds
        ),
    }
}

/// What the terminal and the report say when the exact search found a better plan than the
/// local search's and it was adopted.
fn adopted_sentences(proof: &Proof, instance: &PlanInstance) -> (String, String) {
    let e = &proof.exact;
    let ids: Vec<&str> = e
        .sites
        .iter()
        .map(|&j| instance.sites[j].id.as_str())
        .collect();
    let search = format!("exact search, {} nodes, {:.2} s", e.nodes, proof.seconds);
    let terminal = format!(
        "found a better plan than the local search's and adopted it: {} with {} against {}; {} ({search})",
        super::figure(e.value),
        ids.join(", "),
        super::figure(proof.plan_value),
        if e.proven {
            "proven optimal".to_string()
        } else {
            format!("not proven optimal within {} s", proof.limit_seconds)
        }
    );
    let report = format!(
        "An exact search (branch and bound) found a better choice of as many sites than the local search's, with a value of {:.1} against {:.1}, {}; the plan shown is that choice.",
        e.value,
        proof.plan_value,
        if e.proven {
            "and proved it optimal".to_string()
        } else {
            format!("within the {} s allowed, without proving it optimal", proof.limit_seconds)
        }
    );
    (terminal, report)
}

/// A published count as text ("[c]" when suppressed).
pub(crate) fn shown(count: Published) -> String {
    count.map_or(crate::publish::disclosure::MARKER.to_string(), |n| {
        n.to_string()
    })
}

fn lot_index(config: &Config, id: &str) -> Result<usize, PlanError> {
    config
        .catalogue
        .lots
        .iter()
        .position(|l| l.id == id)
        .ok_or_else(|| PlanError::Input {
            file: config.file_name.clone(),
            message: format!(
                "no lot {id:?} (the lots are: {})",
                config
                    .catalogue
                    .lots
                    .iter()
                    .map(|l| l.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

fn location(point: Point<f64>) -> Location {
    Location {
        x: point.x(),
        y: point.y(),
    }
}

/// A person's demand in the lot's unit: one place, or their PA hours a week.
fn weight(person: &PersonNeed, unit: Unit) -> f64 {
    match unit {
        Unit::Places => 1.0,
        Unit::Hours => person.hours_per_week,
    }
}

type SiteList = (Vec<PlacedSite>, Vec<Described>);

/// Existing active services of the lot (open; their room or full capacity, as `placing`
/// says), then the candidates.
fn sites(
    inputs: &crate::load::Inputs,
    lot: usize,
    options: &RunPlanOptions,
    placing: Placing,
) -> Result<SiteList, Error> {
    let district_of = |p: Location| {
        let point = Point::new(p.x, p.y);
        inputs
            .districts
            .iter()
            .position(|d| d.geometry.contains(&point))
    };
    let mut placed = Vec::new();
    let mut described = Vec::new();
    let mut push = |site: Site, name: String, location: Location| {
        described.push(Described {
            name,
            district: district_of(location),
            location,
        });
        placed.push(PlacedSite { site, location });
    };
    let places = options.places.unwrap_or(0.0);
    let serving: Vec<&crate::model::Service> = inputs
        .services
        .iter()
        .filter(|s| s.status == ServiceStatus::Active && s.lots.contains(&lot))
        .collect();
    for s in &serving {
        let capacity = match placing {
            Placing::WaitingInRoom => (s.capacity - f64::from(s.current_users)).max(0.0),
            Placing::Everyone | Placing::EveryoneInFullCapacity => s.capacity,
        };
        let site = Site {
            id: s.id.clone(),
            capacity,
            existing: true,
        };
        push(site, s.name.clone(), location(s.location));
    }
    for (id, name, at, capacity) in candidates(inputs, &serving, options)? {
        let site = Site {
            id,
            capacity: capacity.unwrap_or(places),
            existing: false,
        };
        push(site, name, at);
    }
    Ok((placed, described))
}

type CandidateRow = (String, String, Location, Option<f64>);

fn candidates(
    inputs: &crate::load::Inputs,
    serving: &[&crate::model::Service],
    options: &RunPlanOptions,
) -> Result<Vec<CandidateRow>, Error> {
    if options.expand {
        return Ok(serving
            .iter()
            .map(|s| {
                (
                    format!("expand:{}", s.id),
                    format!("{} (expanded)", s.name),
                    location(s.location),
                    None,
                )
            })
            .collect());
    }
    if let Some(path) = &options.candidates {
        return read_run_candidates(path);
    }
    let mut out: Vec<CandidateRow> = inputs
        .services
        .iter()
        .map(|s| {
            (
                format!("site:{}", s.id),
                format!("{} site", s.name),
                location(s.location),
                None,
            )
        })
        .collect();
    for (area, point) in inputs.areas.iter().zip(&inputs.area_points) {
        if let Some(point) = *point {
            out.push((
                format!("area:{}", area.code),
                area.name.clone(),
                location(point),
                None,
            ));
        }
    }
    Ok(out)
}

fn read_run_candidates(path: &Path) -> Result<Vec<CandidateRow>, Error> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| {
        PlanError::Access(crate::access::AccessError::Io {
            file: name.clone(),
            source,
        })
    })?;
    let read = read_candidates_csv(file, &name).map_err(PlanError::from)?;
    read.candidates
        .into_iter()
        .enumerate()
        .map(|(k, c)| {
            let at = match read.coordinates {
                Coordinates::LonLat => c.location,
                Coordinates::EastingNorthing => {
                    let (x, y) = crate::locate::bng::bng_to_wgs84(c.location.x, c.location.y)
                        .ok_or_else(|| PlanError::Input {
                            file: name.clone(),
                            message: format!(
                                "line {}: easting/northing {} {} is outside the British National Grid",
                                k + 2,
                                c.location.x,
                                c.location.y
                            ),
                        })?;
                    Location { x, y }
                }
            };
            Ok((c.id.clone(), c.id, at, c.capacity))
        })
        .collect()
}
