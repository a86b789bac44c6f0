//! A plain twin of the matrix, for the tests: every shape point of every road becomes a node,
//! each snapped place a node of its own inserted on its segment, and a textbook Dijkstra runs
//! forwards from each origin over the whole graph, with no limit and no junction shortcuts.
//! It shares with the fast path only the graph's segment costs and the snaps.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::cost::Cost;
use super::graph::RoadGraph;
use super::route::{Limit, OdCost};
use super::snap::Snap;

/// Every pair within the limit, by origin then destination.
pub fn travel_matrix_plain(
    graph: &RoadGraph,
    origins: &[Snap],
    destinations: &[Snap],
    limit: Limit,
) -> Vec<OdCost> {
    let expanded = Expanded::new(graph, origins, destinations);
    let mut pairs = Vec::new();
    for o in 0..origins.len() {
        let cost = expanded.dijkstra(expanded.origin_node[o]);
        for (d, &node) in expanded.destination_node.iter().enumerate() {
            let c = cost[node];
            if c != Cost::UNREACHED && c.time_ms <= limit.time_ms {
                pairs.push(OdCost {
                    origin: o as u32,
                    destination: d as u32,
                    cost: c,
                });
            }
        }
    }
    pairs
}

struct Expanded {
    arcs: Vec<Vec<(usize, Cost)>>,
    origin_node: Vec<usize>,
    destination_node: Vec<usize>,
}

/// A place on a segment: (fraction, 0 for origins and 1 for destinations, index).
type Place = (f64, u8, usize);

impl Expanded {
    fn new(graph: &RoadGraph, origins: &[Snap], destinations: &[Snap]) -> Expanded {
        let mut on_segment: Vec<Vec<Place>> = vec![Vec::new(); graph.shape.len()];
        for (i, s) in origins.iter().enumerate() {
            on_segment[s.segment as usize].push((s.fraction, 0, i));
        }
        for (i, s) in destinations.iter().enumerate() {
            on_segment[s.segment as usize].push((s.fraction, 1, i));
        }
        let mut expanded = Expanded {
            arcs: vec![Vec::new(); graph.junctions.len()],
            origin_node: vec![0; origins.len()],
            destination_node: vec![0; destinations.len()],
        };
        for (e, edge) in graph.edges.iter().enumerate() {
            let mut node = edge.from as usize;
            for s in graph.segments(e as u32) {
                let segment_cost = graph.segment_cost[s as usize];
                let places = &mut on_segment[s as usize];
                places.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
                let mut done = Cost::ZERO;
                for &(fraction, kind, i) in places.iter() {
                    let at = segment_cost.part(fraction);
                    let place = expanded.new_node();
                    expanded.link(node, place, at - done, edge.oneway);
                    if kind == 0 {
                        expanded.origin_node[i] = place;
                    } else {
                        expanded.destination_node[i] = place;
                    }
                    node = place;
                    done = at;
                }
                let next = if s + 2 == edge.shape.end {
                    edge.to as usize
                } else {
                    expanded.new_node()
                };
                expanded.link(node, next, segment_cost - done, edge.oneway);
                node = next;
            }
        }
        expanded
    }

    fn new_node(&mut self) -> usize {
        self.arcs.push(Vec::new());
        self.arcs.len() - 1
    }

    fn link(&mut self, a: usize, b: usize, cost: Cost, oneway: bool) {
        self.arcs[a].push((b, cost));
        if !oneway {
            self.arcs[b].push((a, cost));
        }
    }

    fn dijkstra(&self, source: usize) -> Vec<Cost> {
        let mut cost = vec![Cost::UNREACHED; self.arcs.len()];
        let mut heap = BinaryHeap::new();
        cost[source] = Cost::ZERO;
        heap.push(Reverse((Cost::ZERO, source)));
        while let Some(Reverse((c, node))) = heap.pop() {
            if c > cost[node] {
                continue;
            }
            for &(next, step) in &self.arcs[node] {
                let candidate = c + step;
                if candidate < cost[next] {
                    cost[next] = candidate;
                    heap.push(Reverse((candidate, next)));
                }
            }
        }
        cost
    }
}
