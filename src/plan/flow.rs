//! Exact assignment of demand to open sites with capacities: a transportation problem
//! solved as a min-cost flow by successive shortest paths (Dijkstra with potentials; Ahuja,
//! Magnanti and Orlin 1993, ch. 9). Source -> demand point (its weight) -> site within the
//! catchment -> sink (the site's capacity). Leaving a unit unplaced costs U, so placing it
//! on a pair of cost c changes the total by c - U: arcs carry c - U (negative), and paths
//! are augmented while they lower the total. Only placed flow is routed, so the work grows
//! with the places, not with the people left without one.
//!
//! Quantities are integers (people, places, or hundredths of an hour) and costs integers
//! (thousandths of the cost unit: metres for km), so the solution is exact and the same on
//! every machine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

#[derive(Debug, Clone, Copy)]
struct Arc {
    to: usize,
    capacity: i64,
    cost: i64,
}

/// A flow network in adjacency form; arc `a ^ 1` is the reverse of arc `a`.
pub(crate) struct Network {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

impl Network {
    pub(crate) fn new(nodes: usize) -> Network {
        Network {
            arcs: Vec::new(),
            out: vec![Vec::new(); nodes],
        }
    }

    /// Adds an arc and returns its index (its flow is the reverse arc's capacity).
    pub(crate) fn add(&mut self, from: usize, to: usize, capacity: i64, cost: i64) -> usize {
        let index = self.arcs.len();
        self.arcs.push(Arc { to, capacity, cost });
        self.arcs.push(Arc {
            to: from,
            capacity: 0,
            cost: -cost,
        });
        self.out[from].push(index);
        self.out[to].push(index + 1);
        index
    }

    /// Flow on arc `arc`.
    pub(crate) fn flow(&self, arc: usize) -> i64 {
        self.arcs[arc ^ 1].capacity
    }

    /// Sends flow from `source` to `sink` along shortest paths for as long as a path has
    /// negative cost: the least-cost flow of any amount. The network with capacity must be
    /// free of cycles at the start (arcs may have negative costs). Returns (flow, cost).
    pub(crate) fn min_cost_flow(&mut self, source: usize, sink: usize) -> (i64, i128) {
        let n = self.out.len();
        let mut potential = self.initial_potentials(source);
        let mut distance = vec![i64::MAX; n];
        let mut via = vec![usize::MAX; n];
        let (mut flow, mut cost) = (0i64, 0i128);
        loop {
            self.shortest_paths(source, &potential, &mut distance, &mut via);
            if distance[sink] == i64::MAX
                || distance[sink] + potential[sink] - potential[source] >= 0
            {
                break;
            }
            for v in 0..n {
                if distance[v] != i64::MAX {
                    potential[v] += distance[v];
                }
            }
            let mut push = i64::MAX;
            let mut v = sink;
            while v != source {
                let a = via[v];
                push = push.min(self.arcs[a].capacity);
                v = self.arcs[a ^ 1].to;
            }
            let mut v = sink;
            while v != source {
                let a = via[v];
                self.arcs[a].capacity -= push;
                self.arcs[a ^ 1].capacity += push;
                cost += i128::from(push) * i128::from(self.arcs[a].cost);
                v = self.arcs[a ^ 1].to;
            }
            flow += push;
        }
        (flow, cost)
    }

    /// Shortest distances from `source` over arcs with capacity (Bellman-Ford; the networks
    /// here are three layers deep, so it settles in a few passes). Unreached nodes get 0.
    fn initial_potentials(&self, source: usize) -> Vec<i64> {
        let n = self.out.len();
        let mut distance = vec![i64::MAX; n];
        distance[source] = 0;
        for _ in 0..n {
            let mut changed = false;
            for u in 0..n {
                if distance[u] == i64::MAX {
                    continue;
                }
                for &a in &self.out[u] {
                    let arc = self.arcs[a];
                    if arc.capacity > 0 && distance[u] + arc.cost < distance[arc.to] {
                        distance[arc.to] = distance[u] + arc.cost;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        distance
            .into_iter()
            .map(|d| if d == i64::MAX { 0 } else { d })
            .collect()
    }

    /// Dijkstra on reduced costs; ties are settled by node index, so paths are the same on
    /// every run.
    fn shortest_paths(
        &self,
        source: usize,
        potential: &[i64],
        distance: &mut [i64],
        via: &mut [usize],
    ) {
        distance.iter_mut().for_each(|d| *d = i64::MAX);
        via.iter_mut().for_each(|v| *v = usize::MAX);
        distance[source] = 0;
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((0i64, source)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > distance[u] {
                continue;
            }
            for &a in &self.out[u] {
                let arc = self.arcs[a];
                if arc.capacity <= 0 {
                    continue;
                }
                let reduced = (arc.cost + potential[u] - potential[arc.to]).max(0);
                let next = d + reduced;
                if next < distance[arc.to] {
                    distance[arc.to] = next;
                    via[arc.to] = a;
                    heap.push(Reverse((next, arc.to)));
                }
            }
        }
    }
}
