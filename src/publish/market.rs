//! The market and provider exits as published: counts of people through disclosure
//! control, shares of people worked out from the published counts, provider names as
//! given (framework lists are public), and the tables `market`, `provider_exit` and
//! `provider_exit_by_district`.
//!
//! Travel figures describe the people behind them, so they are shown only when the count
//! of those people is. Nothing here places a person's home on a map: an exit's map draws
//! the services left and the services that take people.

use crate::analyse::exit::{Exit, Exits};
use crate::analyse::market::{MarketCell, HIGHLY_CONCENTRATED};
use crate::analyse::Analysis;
use crate::config::Config;
use crate::io::table::Table;
use crate::load::Inputs;
use crate::model::Unit;
use crate::publish::disclosure::{Disclosure, Published};

/// One provider in one market, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketRow {
    pub provider_id: String,
    pub provider_name: String,
    pub services: u32,
    pub supply: f64,
    pub share_of_supply: f64,
    pub people: Published,
    pub share_of_people: Option<f64>,
}

/// One lot in the whole area (`district` is `None`) or in one district, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketSummary {
    pub district: Option<usize>,
    pub lot: usize,
    pub providers: usize,
    pub supply: f64,
    pub people: Published,
    pub hhi: Option<f64>,
    pub share_top_three: Option<f64>,
    pub highly_concentrated: bool,
    /// Largest supply first.
    pub rows: Vec<MarketRow>,
}

/// One district and lot of an exit, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitCellRow {
    pub district: Option<usize>,
    pub lot: usize,
    pub people: Published,
    pub placed: Published,
    pub without_place: Published,
    pub supply_lost: f64,
    pub gap_opened: f64,
}

/// Where the people of an exit go, from one service left to one service taking them, for
/// maps: people through disclosure control.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub from: usize,
    pub to: usize,
    pub people: Published,
    /// Units placed (places, or hours a week): not a count of people, but shown only
    /// with the people's count.
    pub units: Option<f64>,
}

/// One provider's exit, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct ExitRow {
    pub rank: usize,
    pub provider_id: String,
    pub provider_name: String,
    /// Its active services.
    pub services: Vec<usize>,
    pub lots: Vec<usize>,
    pub people: Published,
    pub placed: Published,
    pub without_place: Published,
    /// Raw, for ordering only: never written.
    pub(crate) without_place_raw: u32,
    pub gap_opened_places: f64,
    pub gap_opened_hours: f64,
    /// km or minutes a week (the run's unit).
    pub extra_travel: Option<f64>,
    /// £ a week, with `plan.transport_cost_per_km` and distances in km.
    pub extra_cost: Option<f64>,
    pub cells: Vec<ExitCellRow>,
    pub moves: Vec<Move>,
    /// Services left without a place for some of their people, with those people.
    pub left: Vec<(usize, Published)>,
}

/// The market and exits as published.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PublishedMarket {
    pub markets: Vec<MarketSummary>,
    pub exits: Vec<ExitRow>,
    /// People are re-placed from their homes (records name services); otherwise from the
    /// services' own locations.
    pub from_homes: bool,
    /// Pairs a travel-cost matrix lacked and could not be estimated.
    pub missing_pairs: usize,
}

impl PublishedMarket {
    /// The whole area's market of each lot, in lot order.
    pub fn by_lot(&self) -> impl Iterator<Item = &MarketSummary> {
        self.markets.iter().filter(|m| m.district.is_none())
    }
}

/// The published view of the analysis' market and exits.
pub fn publish(
    config: &Config,
    inputs: &Inputs,
    analysis: &Analysis,
    d: &Disclosure,
) -> PublishedMarket {
    let exits = &analysis.exits;
    PublishedMarket {
        markets: analysis
            .market
            .iter()
            .map(|cell| summary(exits, cell, d))
            .collect(),
        exits: exits
            .exits
            .iter()
            .enumerate()
            .map(|(rank, exit)| {
                let km = analysis.measure.unit == crate::config::TravelCostUnit::Km;
                exit_row(config, inputs, exits, exit, (rank + 1, km), d)
            })
            .collect(),
        from_homes: exits.users.from_homes,
        missing_pairs: exits.missing_pairs,
    }
}

fn summary(exits: &Exits, cell: &MarketCell, d: &Disclosure) -> MarketSummary {
    let shares = cell.supply_shares();
    let people = d.count(cell.people());
    let rows = cell
        .parts
        .iter()
        .zip(shares)
        .map(|(part, share)| {
            let provider = &exits.providers[part.provider];
            let count = d.count(part.people);
            MarketRow {
                provider_id: provider.id.clone(),
                provider_name: provider.name.clone(),
                services: part.services,
                supply: part.supply,
                share_of_supply: share,
                people: count,
                share_of_people: Disclosure::rate(count, people),
            }
        })
        .collect();
    MarketSummary {
        district: cell.district,
        lot: cell.lot,
        providers: cell.parts.len(),
        supply: cell.supply(),
        people,
        // As published (to one decimal), so the report, the tables and `compare` (which reads
        // the tables back) round the same figure.
        hhi: cell.hhi().map(|h| (h * 10.0).round() / 10.0),
        share_top_three: cell.top_three_share(),
        highly_concentrated: cell.highly_concentrated(),
        rows,
    }
}

fn exit_row(
    config: &Config,
    inputs: &Inputs,
    exits: &Exits,
    exit: &Exit,
    (rank, km): (usize, bool),
    d: &Disclosure,
) -> ExitRow {
    let provider = &exits.providers[exit.provider];
    let mut lots: Vec<usize> = provider
        .services
        .iter()
        .flat_map(|&j| inputs.services[j].lots.iter().copied())
        .collect();
    lots.sort_unstable();
    lots.dedup();
    let people = d.count(exit.people);
    let placed = exit.people - exit.unplaced;
    let extra_travel = people.and(exit.extra_travel);
    let extra_cost = match (km, config.file.plan.transport_cost_per_km, extra_travel) {
        (true, Some(rate), Some(extra)) => Some(extra * rate),
        _ => None,
    };
    ExitRow {
        rank,
        provider_id: provider.id.clone(),
        provider_name: provider.name.clone(),
        services: provider.services.clone(),
        lots,
        people,
        placed: d.count(placed),
        without_place: d.count(exit.unplaced),
        without_place_raw: exit.unplaced,
        gap_opened_places: exit.gap_opened_places,
        gap_opened_hours: exit.gap_opened_hours,
        extra_travel,
        extra_cost,
        cells: exit
            .cells
            .iter()
            .map(|c| ExitCellRow {
                district: c.district,
                lot: c.lot,
                people: d.count(c.people),
                placed: d.count(c.placed),
                without_place: d.count(c.unplaced),
                supply_lost: c.supply_lost,
                gap_opened: c.gap_opened,
            })
            .collect(),
        moves: moves(exits, exit, d),
        left: left(exits, exit, d),
    }
}

/// People moved from each service left to each service taking them (whole people: the
/// units placed over the units per person, rounded).
fn moves(exits: &Exits, exit: &Exit, d: &Disclosure) -> Vec<Move> {
    let mut by: std::collections::BTreeMap<(usize, usize), (f64, f64)> = Default::default();
    for o in &exit.outcomes {
        let g = &exits.users.groups[o.group];
        let per_person = g.units_per_person().max(f64::MIN_POSITIVE);
        for &(to, units, _) in &o.placements {
            let e = by.entry((g.service, to)).or_default();
            e.0 += units / per_person;
            e.1 += units;
        }
    }
    by.into_iter()
        .map(|((from, to), (people, units))| {
            // A person counts as moving only when all of them is placed (part of a
            // person's hours placed is shown in hours); 1e-6 absorbs rounding.
            let people = d.count((people + 1e-6).floor() as u32);
            Move {
                from,
                to,
                people,
                units: people.map(|_| units),
            }
        })
        .collect()
}

/// People left without a place, by the service they were using.
fn left(exits: &Exits, exit: &Exit, d: &Disclosure) -> Vec<(usize, Published)> {
    let mut by: std::collections::BTreeMap<usize, u32> = Default::default();
    for o in &exit.outcomes {
        if o.unplaced_people > 0 {
            *by.entry(exits.users.groups[o.group].service).or_default() += o.unplaced_people;
        }
    }
    by.into_iter().map(|(j, n)| (j, d.count(n))).collect()
}

fn count(v: Published) -> Option<i64> {
    v.map(i64::from)
}

fn area(inputs: &Inputs, district: Option<usize>, whole: &str) -> (String, String) {
    match district {
        Some(d) => (
            inputs.districts[d].code.clone(),
            inputs.districts[d].name.clone(),
        ),
        None => (String::new(), whole.to_string()),
    }
}

/// `tables/market.csv`: one row per provider in each lot's market, the whole area first,
/// then each district; each row repeats its market's providers, HHI and top-three share.
pub fn market_table(config: &Config, inputs: &Inputs, market: &PublishedMarket) -> Table {
    let lots = &config.catalogue.lots;
    let rows: Vec<(&MarketSummary, &MarketRow)> = market
        .markets
        .iter()
        .flat_map(|m| m.rows.iter().map(move |r| (m, r)))
        .collect();
    let text = |f: &dyn Fn(&MarketSummary, &MarketRow) -> String| -> Vec<String> {
        rows.iter().map(|(m, r)| f(m, r)).collect()
    };
    let float = |f: &dyn Fn(&MarketSummary, &MarketRow) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|(m, r)| f(m, r)).collect()
    };
    let int = |f: &dyn Fn(&MarketSummary, &MarketRow) -> Option<i64>| -> Vec<Option<i64>> {
        rows.iter().map(|(m, r)| f(m, r)).collect()
    };
    Table::default()
        .text(
            "area_kind",
            text(&|m, _| {
                if m.district.is_some() {
                    "district"
                } else {
                    "all"
                }
                .into()
            }),
        )
        .text("area_code", text(&|m, _| area(inputs, m.district, "").0))
        .text(
            "area_name",
            text(&|m, _| area(inputs, m.district, "All districts").1),
        )
        .text("lot", text(&|m, _| lots[m.lot].id.clone()))
        .text("lot_label", text(&|m, _| lots[m.lot].label.clone()))
        .text("unit", text(&|m, _| lots[m.lot].unit.label().to_string()))
        .text("provider_id", text(&|_, r| r.provider_id.clone()))
        .text("provider_name", text(&|_, r| r.provider_name.clone()))
        .int("services", int(&|_, r| Some(i64::from(r.services))))
        .float("supply", float(&|_, r| Some(r.supply)), 2)
        .float("share_of_supply", float(&|_, r| Some(r.share_of_supply)), 4)
        .int("people_served", int(&|_, r| count(r.people)))
        .float(
            "share_of_people_served",
            float(&|_, r| r.share_of_people),
            4,
        )
        .int("providers", int(&|m, _| Some(m.providers as i64)))
        .float("share_top_three", float(&|m, _| m.share_top_three), 4)
        .float("hhi", float(&|m, _| m.hhi), 1)
        .text(
            "highly_concentrated",
            text(&|m, _| if m.highly_concentrated { "yes" } else { "no" }.into()),
        )
}

/// `tables/provider_exit.csv`: every provider's exit, ranked.
pub fn exit_table(config: &Config, market: &PublishedMarket, unit: &str) -> Table {
    let lots = &config.catalogue.lots;
    let rows = &market.exits;
    let from = if market.from_homes { "home" } else { "service" };
    let mut table = Table::default()
        .int("rank", rows.iter().map(|r| Some(r.rank as i64)).collect())
        .text(
            "provider_id",
            rows.iter().map(|r| r.provider_id.clone()).collect(),
        )
        .text(
            "provider_name",
            rows.iter().map(|r| r.provider_name.clone()).collect(),
        )
        .int(
            "services",
            rows.iter().map(|r| Some(r.services.len() as i64)).collect(),
        )
        .text(
            "lots",
            rows.iter()
                .map(|r| {
                    r.lots
                        .iter()
                        .map(|&l| lots[l].id.as_str())
                        .collect::<Vec<_>>()
                        .join(";")
                })
                .collect(),
        )
        .int(
            "people_to_re_place",
            rows.iter().map(|r| count(r.people)).collect(),
        )
        .int(
            "people_placed",
            rows.iter().map(|r| count(r.placed)).collect(),
        )
        .int(
            "people_without_place",
            rows.iter().map(|r| count(r.without_place)).collect(),
        )
        .float(
            "gap_opened_places",
            rows.iter().map(|r| Some(r.gap_opened_places)).collect(),
            2,
        )
        .float(
            "gap_opened_hours",
            rows.iter().map(|r| Some(r.gap_opened_hours)).collect(),
            2,
        )
        .float(
            &format!("extra_travel_{unit}_per_week"),
            rows.iter().map(|r| r.extra_travel).collect(),
            1,
        );
    if config.file.plan.transport_cost_per_km.is_some() {
        table = table.float(
            "extra_transport_gbp_per_week",
            rows.iter().map(|r| r.extra_cost).collect(),
            2,
        );
    }
    table.text(
        "re_placed_from",
        rows.iter().map(|_| from.to_string()).collect(),
    )
}

/// `tables/provider_exit_by_district.csv`: each exit by district and lot.
pub fn exit_cells_table(config: &Config, inputs: &Inputs, market: &PublishedMarket) -> Table {
    let lots = &config.catalogue.lots;
    let rows: Vec<(&ExitRow, &ExitCellRow)> = market
        .exits
        .iter()
        .flat_map(|e| e.cells.iter().map(move |c| (e, c)))
        .collect();
    let outside = "Outside the districts";
    Table::default()
        .int(
            "rank",
            rows.iter().map(|(e, _)| Some(e.rank as i64)).collect(),
        )
        .text(
            "provider_id",
            rows.iter().map(|(e, _)| e.provider_id.clone()).collect(),
        )
        .text(
            "provider_name",
            rows.iter().map(|(e, _)| e.provider_name.clone()).collect(),
        )
        .text(
            "area_code",
            rows.iter()
                .map(|(_, c)| area(inputs, c.district, outside).0)
                .collect(),
        )
        .text(
            "area_name",
            rows.iter()
                .map(|(_, c)| area(inputs, c.district, outside).1)
                .collect(),
        )
        .text(
            "lot",
            rows.iter().map(|(_, c)| lots[c.lot].id.clone()).collect(),
        )
        .text(
            "unit",
            rows.iter()
                .map(|(_, c)| lots[c.lot].unit.label().to_string())
                .collect(),
        )
        .int(
            "people_to_re_place",
            rows.iter().map(|(_, c)| count(c.people)).collect(),
        )
        .int(
            "people_placed",
            rows.iter().map(|(_, c)| count(c.placed)).collect(),
        )
        .int(
            "people_without_place",
            rows.iter().map(|(_, c)| count(c.without_place)).collect(),
        )
        .float(
            "supply_lost",
            rows.iter().map(|(_, c)| Some(c.supply_lost)).collect(),
            2,
        )
        .float(
            "gap_opened",
            rows.iter().map(|(_, c)| Some(c.gap_opened)).collect(),
            2,
        )
}

/// What a column of the market and exit tables means, for the workbook's `about` sheet.
pub fn meaning(sheet: &str, column: &str) -> Option<&'static str> {
    if !matches!(
        sheet,
        "market" | "provider_exit" | "provider_exit_by_district"
    ) {
        return None;
    }
    Some(match column {
        "area_kind" => "all (every district together) or district",
        "area_code" if sheet == "market" => "ONS code of the district (empty for all districts)",
        "share_of_supply" => "The provider's share of the lot's supply (capacity of active services) in the area",
        "people_served" => "People using the provider's services for the lot (count of people: rounded; small counts empty)",
        "share_of_people_served" => "The provider's share of the people served, from the published counts (empty when a count is suppressed)",
        "area_code" if sheet.starts_with("changes") => "ONS code of the district (empty for all districts)",
        "providers" => "Providers with an active service for the lot in the area",
        "share_top_three" => "The three largest providers' combined share of supply",
        "hhi" => "Herfindahl-Hirschman index: the sum of the squared supply shares in percent (0 to 10,000)",
        "highly_concentrated" => "yes when the HHI is above 2,500",
        "rank" => "Rank of the exit: most people left without a place first, then most gap opened",
        "services" => "Active services of the provider",
        "people_to_re_place" => "People using the provider's services now (count of people: rounded; small counts empty)",
        "people_placed" => "Of those, people placed in the room left at other providers' services within the catchment",
        "people_without_place" => "Of those, people who could not be placed within the catchment",
        "gap_opened_places" => "Shortfall of places that opens across the districts (shortfall after the exit less the shortfall before)",
        "gap_opened_hours" => "Shortfall of PA hours a week that opens across the districts",
        "extra_travel_km_per_week" | "extra_travel_minutes_per_week" => "Extra travel a week of the people placed: return journeys on their days a week, new distance less old (empty when their count is suppressed)",
        "extra_transport_gbp_per_week" => "The extra travel a week priced at plan.transport_cost_per_km (£)",
        "re_placed_from" => "home (the person records name each person's service) or service (people re-placed from the service's own location)",
        "supply_lost" => "The provider's supply in the district, in the lot's unit",
        "gap_opened" => "Shortfall that opens in the district, in the lot's unit",
        _ => return None,
    })
}

/// The threshold above which a market is highly concentrated, for sentences.
pub const HHI_LINE: f64 = HIGHLY_CONCENTRATED;

/// Whether a lot is measured in hours, for sentences.
pub fn in_hours(config: &Config, lot: usize) -> bool {
    config.catalogue.lots[lot].unit == Unit::Hours
}

/// The market's tables by name, in the order of the workbook's sheets (none when no
/// service is active).
pub fn tables(
    config: &Config,
    inputs: &Inputs,
    published: &crate::publish::published::PublishedRun,
) -> Vec<(&'static str, Table)> {
    let market = &published.market;
    if market.markets.is_empty() {
        return Vec::new();
    }
    vec![
        ("market", market_table(config, inputs, market)),
        (
            "provider_exit",
            exit_table(config, market, published.distances.suffix()),
        ),
        (
            "provider_exit_by_district",
            exit_cells_table(config, inputs, market),
        ),
    ]
}
