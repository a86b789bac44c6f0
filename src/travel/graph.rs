//! The road graph: car ways cut at junctions into edges, the largest strongly connected
//! component kept. Junctions (where ways meet or end) are the graph's nodes; the points
//! between them stay on the edge as its shape, so routing touches only junctions while
//! snapping and lengths use every point. What was left out is counted in [`GraphStats`].

use std::collections::HashMap;

use super::cost::{great_circle_m, Cost};
use super::profile::Direction;

/// One car way as read: indices into [`RoadWays::points`], direction relative to that order.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadWay {
    /// The OpenStreetMap way id (or a generated id).
    pub id: i64,
    pub points: Vec<u32>,
    pub direction: Direction,
    pub speed_kmh: f64,
}

/// Car ways and the points they run through (lon/lat, WGS84).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RoadWays {
    pub points: Vec<[f64; 2]>,
    pub ways: Vec<RoadWay>,
}

/// What building the graph kept and left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct GraphStats {
    /// Ways given to the builder, and road points on them.
    pub ways: usize,
    pub points: usize,
    /// Junctions and edges of the whole network, before keeping the largest component.
    pub junctions_all: usize,
    pub edges_all: usize,
    /// Strongly connected components found; junctions and edges outside the largest one,
    /// and their length (m), left out of routing and snapping.
    pub components: usize,
    pub junctions_dropped: usize,
    pub edges_dropped: usize,
    pub length_dropped_m: u64,
    /// What routing uses.
    pub junctions: usize,
    pub edges: usize,
    pub length_m: u64,
}

/// A stretch of road between two junctions. `shape` indexes [`RoadGraph::shape`] and includes
/// both ends; segment `k` of the edge runs from `shape[k]` to `shape[k + 1]` and costs
/// `segment_cost[k]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    /// Drivable only from `from` to `to`.
    pub oneway: bool,
    pub cost: Cost,
    pub shape: std::ops::Range<u32>,
    /// The way it came from.
    pub way: i64,
}

/// The routable network: junctions, edges, and for each junction the edges that lead into it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadGraph {
    pub junctions: Vec<[f64; 2]>,
    pub edges: Vec<Edge>,
    /// Shape points of all edges, edge after edge.
    pub shape: Vec<[f64; 2]>,
    /// Cost of the segment starting at each shape point (zero at an edge's last point).
    pub segment_cost: Vec<Cost>,
    /// Reverse adjacency: for junction `x`, `incoming[incoming_offsets[x]..incoming_offsets[x+1]]`
    /// are (junction `y`, cost) with a drive from `y` to `x` along one edge.
    incoming_offsets: Vec<u32>,
    incoming: Vec<(u32, Cost)>,
    pub stats: GraphStats,
}

impl RoadGraph {
    /// Builds the graph from car ways; ways with fewer than two points are ignored.
    pub fn build(ways: &RoadWays) -> RoadGraph {
        let junction_of = junctions(ways);
        let junctions_all = junction_of.iter().filter(|j| **j != u32::MAX).count();
        let pieces = cut_at_junctions(ways, &junction_of);
        let component = largest_component(junctions_all, &pieces);
        let mut graph = assemble(ways, &junction_of, &pieces, &component);
        graph.stats.ways = ways.ways.len();
        graph.stats.points = ways.points.len();
        graph.stats.junctions_all = junctions_all;
        graph.stats.edges_all = pieces.len();
        graph.stats.components = component.count;
        graph
    }

    pub fn incoming(&self, junction: u32) -> &[(u32, Cost)] {
        let x = junction as usize;
        &self.incoming[self.incoming_offsets[x] as usize..self.incoming_offsets[x + 1] as usize]
    }

    /// The segments of `edge` as global shape indices (the segment's first point).
    pub fn segments(&self, edge: u32) -> std::ops::Range<u32> {
        let shape = &self.edges[edge as usize].shape;
        shape.start..shape.end - 1
    }
}

/// For each point, its junction number (in order of first appearance), or `u32::MAX` for
/// a point inside one way that no other way touches.
fn junctions(ways: &RoadWays) -> Vec<u32> {
    let mut touches = vec![0u8; ways.points.len()];
    let mut end = vec![false; ways.points.len()];
    for way in ways.ways.iter().filter(|w| w.points.len() >= 2) {
        for &p in &way.points {
            touches[p as usize] = touches[p as usize].saturating_add(1);
        }
        end[way.points[0] as usize] = true;
        end[way.points[way.points.len() - 1] as usize] = true;
    }
    let mut junction_of = vec![u32::MAX; ways.points.len()];
    let mut next = 0u32;
    for way in ways.ways.iter().filter(|w| w.points.len() >= 2) {
        for &p in &way.points {
            let p = p as usize;
            if (end[p] || touches[p] != 1) && junction_of[p] == u32::MAX {
                junction_of[p] = next;
                next += 1;
            }
        }
    }
    junction_of
}

/// A way cut between two junctions, in driving order for one-way roads.
struct Piece {
    way: usize,
    /// Range of the way's points, both ends junctions.
    range: std::ops::Range<usize>,
    reversed: bool,
    oneway: bool,
    from: u32,
    to: u32,
}

fn cut_at_junctions(ways: &RoadWays, junction_of: &[u32]) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (w, way) in ways.ways.iter().enumerate() {
        if way.points.len() < 2 {
            continue;
        }
        let mut start = 0;
        for i in 1..way.points.len() {
            let j = junction_of[way.points[i] as usize];
            if j == u32::MAX {
                continue;
            }
            let from = junction_of[way.points[start] as usize];
            let (reversed, oneway) = match way.direction {
                Direction::Both => (false, false),
                Direction::Forward => (false, true),
                Direction::Backward => (true, true),
            };
            let (from, to) = if reversed { (j, from) } else { (from, j) };
            pieces.push(Piece {
                way: w,
                range: start..i + 1,
                reversed,
                oneway,
                from,
                to,
            });
            start = i;
        }
    }
    pieces
}

/// Membership of the largest strongly connected component (ties: the one holding the
/// lowest-numbered junction).
struct Component {
    member: Vec<bool>,
    count: usize,
}

fn largest_component(junctions: usize, pieces: &[Piece]) -> Component {
    let mut offsets = vec![0u32; junctions + 1];
    let arcs = || {
        pieces.iter().flat_map(|p| {
            let back = (!p.oneway).then_some((p.to, p.from));
            std::iter::once((p.from, p.to)).chain(back)
        })
    };
    for (a, _) in arcs() {
        offsets[a as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    let mut fill = offsets.clone();
    let mut targets = vec![0u32; offsets[junctions] as usize];
    for (a, b) in arcs() {
        targets[fill[a as usize] as usize] = b;
        fill[a as usize] += 1;
    }
    let label = tarjan(junctions, &offsets, &targets);
    let count = label.iter().map(|&l| l as usize + 1).max().unwrap_or(0);
    let mut size = vec![0usize; count];
    for &l in &label {
        size[l as usize] += 1;
    }
    // Largest; of equal sizes, the first met in junction order.
    let mut best: Option<u32> = None;
    for &l in &label {
        if best.is_none_or(|b| size[l as usize] > size[b as usize]) {
            best = Some(l);
        }
    }
    Component {
        member: label.iter().map(|&l| Some(l) == best).collect(),
        count,
    }
}

/// Tarjan's strongly connected components, iterative; returns each node's component label.
fn tarjan(n: usize, offsets: &[u32], targets: &[u32]) -> Vec<u32> {
    const NONE: u32 = u32::MAX;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut label = vec![NONE; n];
    let mut stack = Vec::new();
    let mut call: Vec<(u32, u32)> = Vec::new();
    let (mut next_index, mut next_label) = (0u32, 0u32);
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        call.push((root, offsets[root as usize]));
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        while let Some(&mut (v, ref mut arc)) = call.last_mut() {
            let vu = v as usize;
            if *arc < offsets[vu + 1] {
                let w = targets[*arc as usize];
                *arc += 1;
                let wu = w as usize;
                if index[wu] == NONE {
                    index[wu] = next_index;
                    low[wu] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[wu] = true;
                    call.push((w, offsets[wu]));
                } else if on_stack[wu] {
                    low[vu] = low[vu].min(index[wu]);
                }
                continue;
            }
            call.pop();
            if let Some(&(parent, _)) = call.last() {
                low[parent as usize] = low[parent as usize].min(low[vu]);
            }
            if low[vu] == index[vu] {
                while let Some(w) = stack.pop() {
                    on_stack[w as usize] = false;
                    label[w as usize] = next_label;
                    if w == v {
                        break;
                    }
                }
                next_label += 1;
            }
        }
    }
    label
}

fn assemble(
    ways: &RoadWays,
    junction_of: &[u32],
    pieces: &[Piece],
    component: &Component,
) -> RoadGraph {
    // Renumber the kept junctions in their original order.
    let mut renumber = vec![u32::MAX; component.member.len()];
    let mut junctions = vec![[0.0; 2]; component.member.iter().filter(|m| **m).count()];
    let mut next = 0u32;
    for (p, &j) in junction_of.iter().enumerate() {
        if j != u32::MAX && component.member[j as usize] && renumber[j as usize] == u32::MAX {
            renumber[j as usize] = next;
            junctions[next as usize] = ways.points[p];
            next += 1;
        }
    }
    let mut stats = GraphStats {
        junctions_dropped: component.member.len() - junctions.len(),
        junctions: junctions.len(),
        ..GraphStats::default()
    };
    let mut edges = Vec::new();
    let mut shape = Vec::new();
    let mut segment_cost = Vec::new();
    for piece in pieces {
        let way = &ways.ways[piece.way];
        let mut points: Vec<[f64; 2]> = way.points[piece.range.clone()]
            .iter()
            .map(|&p| ways.points[p as usize])
            .collect();
        if piece.reversed {
            points.reverse();
        }
        let costs: Vec<Cost> = points
            .windows(2)
            .map(|s| Cost::of_length(great_circle_m(s[0], s[1]), way.speed_kmh))
            .collect();
        let total = costs.iter().fold(Cost::ZERO, |a, &c| a + c);
        let kept = component.member[piece.from as usize] && component.member[piece.to as usize];
        if !kept {
            stats.edges_dropped += 1;
            stats.length_dropped_m += u64::from(total.length_mm / 1000);
            continue;
        }
        stats.length_m += u64::from(total.length_mm / 1000);
        let start = shape.len() as u32;
        shape.extend_from_slice(&points);
        segment_cost.extend_from_slice(&costs);
        segment_cost.push(Cost::ZERO);
        edges.push(Edge {
            from: renumber[piece.from as usize],
            to: renumber[piece.to as usize],
            oneway: piece.oneway,
            cost: total,
            shape: start..shape.len() as u32,
            way: way.id,
        });
    }
    stats.edges = edges.len();
    let (incoming_offsets, incoming) = incoming_lists(junctions.len(), &edges);
    RoadGraph {
        junctions,
        edges,
        shape,
        segment_cost,
        incoming_offsets,
        incoming,
        stats,
    }
}

/// For each junction, (neighbour, cost) of every edge drivable into it, in edge order.
fn incoming_lists(junctions: usize, edges: &[Edge]) -> (Vec<u32>, Vec<(u32, Cost)>) {
    let arcs = || {
        edges.iter().flat_map(|e| {
            let back = (!e.oneway).then_some((e.from, e.to, e.cost));
            std::iter::once((e.to, e.from, e.cost)).chain(back)
        })
    };
    let mut offsets = vec![0u32; junctions + 1];
    for (into, _, _) in arcs() {
        offsets[into as usize + 1] += 1;
    }
    for i in 1..offsets.len() {
        offsets[i] += offsets[i - 1];
    }
    let mut fill = offsets.clone();
    let mut incoming = vec![(0u32, Cost::ZERO); offsets[junctions] as usize];
    for (into, from, cost) in arcs() {
        incoming[fill[into as usize] as usize] = (from, cost);
        fill[into as usize] += 1;
    }
    (offsets, incoming)
}

/// Junction ids of a graph's edges keyed by way id, for tests and diagnostics.
pub fn edges_by_way(graph: &RoadGraph) -> HashMap<i64, Vec<u32>> {
    let mut by_way: HashMap<i64, Vec<u32>> = HashMap::new();
    for (e, edge) in graph.edges.iter().enumerate() {
        by_way.entry(edge.way).or_default().push(e as u32);
    }
    by_way
}

#[cfg(test)]
mod tests {
    use super::*;

    fn way(id: i64, points: &[u32], direction: Direction) -> RoadWay {
        RoadWay {
            id,
            points: points.to_vec(),
            direction,
            speed_kmh: 36.0,
        }
    }

    /// A square loop 0-1-2-3 of two-way roads, a one-way spur 3 -> 4 (a dead end that can't
    /// be left, so its own component) and a detached two-way road 5-6.
    fn network() -> RoadWays {
        RoadWays {
            points: vec![
                [0.0, 52.0],
                [0.01, 52.0],
                [0.01, 52.01],
                [0.0, 52.01],
                [-0.01, 52.01],
                [1.0, 53.0],
                [1.01, 53.0],
            ],
            ways: vec![
                way(1, &[0, 1, 2], Direction::Both),
                way(2, &[2, 3, 0], Direction::Both),
                way(3, &[3, 4], Direction::Forward),
                way(4, &[5, 6], Direction::Both),
            ],
        }
    }

    #[test]
    fn junctions_cut_ways_and_the_largest_component_is_kept() {
        let graph = RoadGraph::build(&network());
        // Junctions: 0, 2 (way ends), 3 (three ways), 4, 5, 6; point 1 is inside way 1.
        assert_eq!(graph.stats.junctions_all, 6);
        // Pieces: 0-2, 2-3, 3-0, 3-4, 5-6.
        assert_eq!(graph.stats.edges_all, 5);
        // Components: {0,2,3}, {4}, {5,6}.
        assert_eq!(graph.stats.components, 3);
        assert_eq!(graph.stats.junctions, 3);
        assert_eq!(graph.stats.junctions_dropped, 3);
        assert_eq!(graph.stats.edges, 3);
        assert_eq!(graph.stats.edges_dropped, 2);
        // Edge 0-2 keeps point 1 as its shape.
        assert_eq!(graph.edges[0].shape.len(), 3);
    }

    #[test]
    fn edge_cost_is_the_sum_of_its_segments() {
        let graph = RoadGraph::build(&network());
        let edge = &graph.edges[0];
        // 36 km/h = 10 m/s: time in ms is length in mm / 10.
        let a = great_circle_m([0.0, 52.0], [0.01, 52.0]);
        let b = great_circle_m([0.01, 52.0], [0.01, 52.01]);
        let expected_mm = (a * 1000.0).round() as u32 + (b * 1000.0).round() as u32;
        assert_eq!(edge.cost.length_mm, expected_mm);
        assert_eq!(
            edge.cost.time_ms,
            (a * 100.0).round() as u32 + (b * 100.0).round() as u32
        );
    }

    #[test]
    fn one_way_roads_lead_in_one_direction() {
        let mut ways = network();
        // Make the loop one-way 0 -> 1 -> 2 -> 3 -> 0: still one component.
        ways.ways[0].direction = Direction::Forward;
        ways.ways[1].direction = Direction::Forward;
        let graph = RoadGraph::build(&ways);
        assert_eq!(graph.stats.junctions, 3);
        let into_first = graph.incoming(graph.edges[0].to);
        assert_eq!(into_first.len(), 1);
        assert_eq!(into_first[0].0, graph.edges[0].from);
        // Way 2 backward (driven 0 -> 3 -> 2): nothing leads back to 0, every loop junction is
        // its own component, and the detached two-way road 5-6 is the largest.
        ways.ways[1].direction = Direction::Backward;
        let graph = RoadGraph::build(&ways);
        assert_eq!(graph.stats.junctions, 2);
        assert_eq!(graph.junctions[0], [1.0, 53.0]);
    }
}
