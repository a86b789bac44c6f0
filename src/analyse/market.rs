//! Market shape: who supplies each lot, in the whole area and in each district.
//!
//! A provider's **share of supply** is its active services' capacity for the lot (places,
//! or hours a week) over all active services' capacity for the lot; a service on several
//! lots counts in full towards each, as in the gap table. Its **share of people served**
//! is the people using its services for the lot over all such people: counted from the
//! person records when they name services (`service_id`), otherwise from each service's
//! `current_users`, shared between its lots as [`super::exit::users`] describes. In a
//! district, only services located there count.
//!
//! The **Herfindahl-Hirschman index** (HHI) is the sum of the squares of the providers'
//! supply shares in percent: 10,000 for a single provider, near 0 for many small ones. A
//! lot or district is **highly concentrated** above 2,500, the line the UK and US
//! competition authorities use. The **top-three share** is the three largest providers'
//! combined share of supply.
//!
//! Counts here are raw; disclosure control is applied when the market is published.

use std::collections::BTreeMap;

use super::exit::{Provider, ServiceUsers};
use crate::load::Inputs;
use crate::locate::Placement;

/// HHI above which a market is highly concentrated.
pub const HIGHLY_CONCENTRATED: f64 = 2_500.0;

/// One provider's part of one market.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPart {
    /// Index into the providers.
    pub provider: usize,
    pub services: u32,
    pub supply: f64,
    pub people: u32,
}

/// One lot, in the whole area (`district` is `None`) or in one district.
#[derive(Debug, Clone, PartialEq)]
pub struct MarketCell {
    pub district: Option<usize>,
    pub lot: usize,
    /// Largest supply first, then provider order.
    pub parts: Vec<ProviderPart>,
}

impl MarketCell {
    pub fn supply(&self) -> f64 {
        self.parts.iter().map(|p| p.supply).sum()
    }

    pub fn people(&self) -> u32 {
        self.parts.iter().map(|p| p.people).sum()
    }

    /// Each provider's share of supply, 0 to 1, in the order of `parts`.
    pub fn supply_shares(&self) -> Vec<f64> {
        let total = self.supply();
        self.parts
            .iter()
            .map(|p| if total > 0.0 { p.supply / total } else { 0.0 })
            .collect()
    }

    /// The HHI of supply shares, 0 to 10,000 (`None` with no supply).
    pub fn hhi(&self) -> Option<f64> {
        (self.supply() > 0.0).then(|| hhi(&self.supply_shares()))
    }

    /// The three largest providers' combined share of supply, 0 to 1.
    pub fn top_three_share(&self) -> Option<f64> {
        (self.supply() > 0.0).then(|| self.supply_shares().iter().take(3).sum())
    }

    pub fn highly_concentrated(&self) -> bool {
        self.hhi().is_some_and(|h| h > HIGHLY_CONCENTRATED)
    }
}

/// The HHI of shares given as fractions (0 to 1): the sum of the squared percentages.
pub fn hhi(shares: &[f64]) -> f64 {
    shares.iter().map(|s| (s * 100.0).powi(2)).sum()
}

/// Every lot's market: the whole area first (lots in config order), then each district
/// (districts in file order, lots in config order); a market without services is left out.
pub fn compute(
    inputs: &Inputs,
    placement: &Placement,
    providers: &[Provider],
    users: &ServiceUsers,
) -> Vec<MarketCell> {
    // (district or usize::MAX for the whole area, lot, provider) -> part
    let mut parts: BTreeMap<(usize, usize, usize), ProviderPart> = BTreeMap::new();
    let mut people: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    for g in &users.groups {
        *people.entry((g.service, g.lot)).or_default() += g.people;
    }
    for (p, provider) in providers.iter().enumerate() {
        for &j in &provider.services {
            let service = &inputs.services[j];
            let district = placement.service_district.get(j).copied().flatten();
            for &lot in &service.lots {
                let served = people.get(&(j, lot)).copied().unwrap_or(0);
                let scopes = [Some(usize::MAX), district];
                for scope in scopes.into_iter().flatten() {
                    let part = parts.entry((scope, lot, p)).or_insert(ProviderPart {
                        provider: p,
                        services: 0,
                        supply: 0.0,
                        people: 0,
                    });
                    part.services += 1;
                    part.supply += service.capacity;
                    part.people += served;
                }
            }
        }
    }
    let mut cells: BTreeMap<(usize, usize), MarketCell> = BTreeMap::new();
    for ((scope, lot, _), part) in parts {
        // The whole area sorts first.
        let key = (scope.wrapping_add(1), lot);
        cells
            .entry(key)
            .or_insert_with(|| MarketCell {
                district: (scope != usize::MAX).then_some(scope),
                lot,
                parts: Vec::new(),
            })
            .parts
            .push(part);
    }
    cells
        .into_values()
        .map(|mut cell| {
            cell.parts.sort_by(|a, b| {
                b.supply
                    .total_cmp(&a.supply)
                    .then(a.provider.cmp(&b.provider))
            });
            cell
        })
        .collect()
}
