//! Many-to-many drive times: for each destination, one Dijkstra search over the reverse graph
//! from the destination's snapped point, cut at the time limit, then every origin reads its
//! cost from the two ends of the edge it is snapped to (or straight along the edge when both
//! share it). One worker function serves the serial and the parallel (rayon over
//! destinations) paths, so results are identical at any thread count.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rayon::prelude::*;

use super::cost::Cost;
use super::graph::RoadGraph;
use super::snap::Snap;

/// The time limit: pairs slower than this are left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub time_ms: u32,
}

impl Limit {
    pub const NONE: Limit = Limit {
        time_ms: u32::MAX - 1,
    };

    /// A limit in minutes (whole milliseconds, rounded down).
    pub fn minutes(minutes: f64) -> Limit {
        Limit {
            time_ms: ((minutes * 60_000.0).floor() as u32).min(u32::MAX - 1),
        }
    }
}

/// One origin-destination pair within the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OdCost {
    pub origin: u32,
    pub destination: u32,
    pub cost: Cost,
}

/// Every pair within the limit, ordered by origin then destination.
pub fn travel_matrix(
    graph: &RoadGraph,
    origins: &[Snap],
    destinations: &[Snap],
    limit: Limit,
) -> Vec<OdCost> {
    let columns: Vec<Vec<OdCost>> = destinations
        .par_iter()
        .enumerate()
        .map_init(
            || Search::new(graph.junctions.len()),
            |search, (d, destination)| search.column(graph, origins, d as u32, destination, limit),
        )
        .collect();
    order(columns)
}

/// The same as [`travel_matrix`] on one thread.
pub fn travel_matrix_serial(
    graph: &RoadGraph,
    origins: &[Snap],
    destinations: &[Snap],
    limit: Limit,
) -> Vec<OdCost> {
    let mut search = Search::new(graph.junctions.len());
    let columns = destinations
        .iter()
        .enumerate()
        .map(|(d, destination)| search.column(graph, origins, d as u32, destination, limit))
        .collect();
    order(columns)
}

/// Columns (one per destination, each in origin order) to rows in origin order, then
/// destination order: a counting sort, so one copy of the pairs at a time.
fn order(columns: Vec<Vec<OdCost>>) -> Vec<OdCost> {
    let origins = columns
        .iter()
        .flat_map(|c| c.last())
        .map(|p| p.origin as usize + 1)
        .max()
        .unwrap_or(0);
    let mut start = vec![0usize; origins + 1];
    for pair in columns.iter().flatten() {
        start[pair.origin as usize + 1] += 1;
    }
    for o in 1..start.len() {
        start[o] += start[o - 1];
    }
    let mut pairs = vec![
        OdCost {
            origin: 0,
            destination: 0,
            cost: Cost::ZERO,
        };
        start[origins]
    ];
    for column in columns {
        for pair in column {
            pairs[start[pair.origin as usize]] = pair;
            start[pair.origin as usize] += 1;
        }
    }
    pairs
}

/// A reusable search: costs to the destination by junction, and the junctions touched.
struct Search {
    cost: Vec<Cost>,
    touched: Vec<u32>,
    /// (packed cost, junction): one integer comparison orders costs as [`Cost`] does.
    heap: BinaryHeap<Reverse<(u64, u32)>>,
}

impl Search {
    fn new(junctions: usize) -> Search {
        Search {
            cost: vec![Cost::UNREACHED; junctions],
            touched: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// The worker: every origin's cost to one destination.
    fn column(
        &mut self,
        graph: &RoadGraph,
        origins: &[Snap],
        d: u32,
        destination: &Snap,
        limit: Limit,
    ) -> Vec<OdCost> {
        self.reverse_search(graph, destination, limit);
        let mut column = Vec::new();
        for (o, origin) in origins.iter().enumerate() {
            if let Some(cost) = self.origin_cost(graph, origin, destination) {
                if cost.time_ms <= limit.time_ms {
                    column.push(OdCost {
                        origin: o as u32,
                        destination: d,
                        cost,
                    });
                }
            }
        }
        self.clear();
        column
    }

    fn clear(&mut self) {
        for &j in &self.touched {
            self.cost[j as usize] = Cost::UNREACHED;
        }
        self.touched.clear();
        self.heap.clear();
    }

    fn offer(&mut self, junction: u32, cost: Cost) {
        let slot = &mut self.cost[junction as usize];
        if cost < *slot {
            if *slot == Cost::UNREACHED {
                self.touched.push(junction);
            }
            *slot = cost;
            self.heap.push(Reverse((cost.packed(), junction)));
        }
    }

    /// Cost from every junction within the limit to the destination point.
    fn reverse_search(&mut self, graph: &RoadGraph, destination: &Snap, limit: Limit) {
        let edge = &graph.edges[destination.edge as usize];
        self.offer(edge.from, destination.offset);
        if !edge.oneway {
            self.offer(edge.to, edge.cost - destination.offset);
        }
        while let Some(Reverse((packed, junction))) = self.heap.pop() {
            let cost = self.cost[junction as usize];
            if packed > cost.packed() {
                continue;
            }
            if cost.time_ms > limit.time_ms {
                break;
            }
            for &(from, step) in graph.incoming(junction) {
                self.offer(from, cost + step);
            }
        }
    }

    /// The cheapest way from an origin's point to the destination, if any.
    fn origin_cost(&self, graph: &RoadGraph, origin: &Snap, destination: &Snap) -> Option<Cost> {
        let edge = &graph.edges[origin.edge as usize];
        let via = |junction: u32, part: Cost| {
            let to_destination = self.cost[junction as usize];
            (to_destination != Cost::UNREACHED).then(|| part + to_destination)
        };
        let mut best = via(edge.to, edge.cost - origin.offset);
        if !edge.oneway {
            best = min(best, via(edge.from, origin.offset));
        }
        if origin.edge == destination.edge {
            best = min(best, along_edge(edge.oneway, origin, destination));
        }
        best
    }
}

/// Driving straight along a shared edge: forwards when the destination lies ahead, or
/// backwards on a two-way road.
pub(crate) fn along_edge(oneway: bool, origin: &Snap, destination: &Snap) -> Option<Cost> {
    if origin.position() <= destination.position() {
        Some(destination.offset - origin.offset)
    } else if !oneway {
        Some(origin.offset - destination.offset)
    } else {
        None
    }
}

fn min(a: Option<Cost>, b: Option<Cost>) -> Option<Cost> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
