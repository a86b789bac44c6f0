//! `gapmap exit --provider ID`: one provider's exit in full, as the run would publish it.
//! Loads and analyses the inputs as the run does, then tells the exit: the sentence the
//! report would print, every district and lot touched, where the people would go and who
//! would be left, and the map (PNG and SVG) of the services closing and taking people.
//! Counts of people pass the run's disclosure control, as in every output.

use std::path::PathBuf;

use crate::config::Config;
use crate::publish::charts;
use crate::publish::disclosure::{Published, MARKER};
use crate::publish::market::ExitRow;
use crate::publish::published::PublishedRun;
use crate::{analyse, pipeline, Error};

/// Options of `gapmap exit`, resolved from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitOptions {
    /// The provider's id, as in the services file.
    pub provider: String,
    /// The folder the map is written to.
    pub out: PathBuf,
}

/// Why an exit could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ExitError {
    #[error("{services}: no provider with an active service has provider_id {provider:?} (expected one of {known})")]
    UnknownProvider {
        services: String,
        provider: String,
        known: String,
    },
    #[error("drawing the map of the exit: {0}")]
    Map(#[from] charts::ChartError),
    #[error("{}: {source}", .path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What `gapmap exit` found: lines to print and the map files written.
#[derive(Debug, Clone)]
pub struct ExitReport {
    pub lines: Vec<String>,
    pub files: Vec<PathBuf>,
}

/// Analyses the run's inputs and tells one provider's exit.
pub fn exit(
    config: &Config,
    options: &ExitOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<ExitReport, Error> {
    let checked = pipeline::check(config, progress)?;
    progress("re-placing every provider's users");
    let analysis = analyse::analyse(
        config,
        &checked.inputs,
        &checked.placement,
        &checked.distances,
    )?;
    let published = PublishedRun::new(config, &checked.inputs, &checked.placement, &analysis);
    let row = published
        .market
        .exits
        .iter()
        .find(|e| e.provider_id == options.provider)
        .ok_or_else(|| ExitError::UnknownProvider {
            services: config.file.inputs.services.file.clone(),
            provider: options.provider.clone(),
            known: known(&published),
        })?;
    let lines = tell(config, &checked.inputs, &published, row);
    progress("drawing the map");
    let map = crate::publish::market_charts::exit_map(config, &checked.inputs, &published, row);
    let figure = charts::choropleth(&map).map_err(ExitError::from)?;
    let stem = format!("exit_{}", file_safe(&row.provider_id));
    let mut files = Vec::new();
    std::fs::create_dir_all(&options.out).map_err(|source| ExitError::Write {
        path: options.out.clone(),
        source,
    })?;
    for (ext, bytes) in [
        ("png", figure.png.as_slice()),
        ("svg", figure.svg.as_bytes()),
    ] {
        let path = options.out.join(format!("{stem}.{ext}"));
        std::fs::write(&path, bytes).map_err(|source| ExitError::Write {
            path: path.clone(),
            source,
        })?;
        files.push(path);
    }
    Ok(ExitReport { lines, files })
}

/// The providers' ids, for the message naming an unknown one.
fn known(published: &PublishedRun) -> String {
    let mut ids: Vec<&str> = published
        .market
        .exits
        .iter()
        .map(|e| e.provider_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.join(", ")
}

/// A provider id as part of a file name: letters, digits, '-' and '_' kept, others '_'.
fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn count(n: Published) -> String {
    n.map_or_else(|| MARKER.to_string(), |n| n.to_string())
}

/// The exit in lines of text.
fn tell(
    config: &Config,
    inputs: &crate::load::Inputs,
    published: &PublishedRun,
    row: &ExitRow,
) -> Vec<String> {
    use crate::publish::report::market::exit_sentence;
    let market = &published.market;
    let unit = published.distances.suffix();
    let mut lines = vec![
        format!(
            "{} ({}): ranked {} of {} exits, {} active service{}",
            row.provider_name,
            row.provider_id,
            row.rank,
            market.exits.len(),
            row.services.len(),
            if row.services.len() == 1 { "" } else { "s" }
        ),
        exit_sentence(config, inputs, published, row).unwrap_or_else(|| {
            format!(
                "If {} left, everyone using its services could be placed within {} {unit}.",
                row.provider_name,
                crate::publish::report::num(published.distances.catchment)
            )
        }),
        format!(
            "People to re-place {}, placed {}, without a place {}; gap opened {} places and {} PA hours a week; extra travel {} {unit} a week{}",
            count(row.people),
            count(row.placed),
            count(row.without_place),
            crate::publish::report::num(row.gap_opened_places),
            crate::publish::report::num(row.gap_opened_hours),
            row.extra_travel.map_or_else(|| MARKER.to_string(), |x| format!("{x:.1}")),
            row.extra_cost.map_or_else(String::new, |c| format!(" (£{c:.2} a week)")),
        ),
        String::new(),
        "By district and lot: people to re-place, placed, without a place; supply lost; gap opened".into(),
    ];
    for c in &row.cells {
        let area = c.district.map_or("Outside the districts", |d| {
            inputs.districts[d].name.as_str()
        });
        let lot = &config.catalogue.lots[c.lot];
        lines.push(format!(
            "  {area}, {}: {}, {}, {}; {} {}; {}",
            lot.label,
            count(c.people),
            count(c.placed),
            count(c.without_place),
            crate::publish::report::num(c.supply_lost),
            lot.unit.label(),
            crate::publish::report::num(c.gap_opened)
        ));
    }
    lines.push(String::new());
    lines.push(
        "Where the people would go (from the service closing to the service taking them):".into(),
    );
    for m in &row.moves {
        let hours = config.catalogue.service_types[inputs.services[m.to].service_type].unit
            == crate::model::Unit::Hours;
        let units = match (hours, m.units) {
            (true, Some(h)) => format!(" ({h:.1} hours a week placed)"),
            _ => String::new(),
        };
        lines.push(format!(
            "  {} -> {}: {} people{units}",
            inputs.services[m.from].name,
            inputs.services[m.to].name,
            count(m.people)
        ));
    }
    if row.moves.is_empty() {
        lines.push("  nobody could be placed".into());
    }
    for (j, n) in &row.left {
        lines.push(format!(
            "  {}: {} people left without a place",
            inputs.services[*j].name,
            count(*n)
        ));
    }
    lines.push(String::new());
    lines.push(format!(
        "Assumes every other provider keeps its services, spare places and rates, and nobody else moves. People are re-placed {}; counts of people are rounded to {} and those up to {} shown as {MARKER}.",
        if market.from_homes { "from their homes" } else { "from the service they use now (the person records do not name services)" },
        published.disclosure.base,
        published.disclosure.threshold
    ));
    lines
}
