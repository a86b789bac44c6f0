//! Snapping places to the road: the nearest point on any segment of the graph (not merely the
//! nearest junction), found with an R-tree of segments in a local planar frame, with the
//! great-circle distance from the place to that point.

use rstar::primitives::{GeomWithData, Line};
use rstar::RTree;

use super::cost::{great_circle_m, Cost};
use super::graph::RoadGraph;

/// Where a place joins the road.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snap {
    pub edge: u32,
    /// The segment (index of its first shape point in [`RoadGraph::shape`]).
    pub segment: u32,
    /// How far along the segment, 0 to 1.
    pub fraction: f64,
    /// Cost of driving from the edge's `from` junction to the point.
    pub offset: Cost,
    /// The point on the road (lon/lat).
    pub point: [f64; 2],
    /// Great-circle metres from the place to the point.
    pub distance_m: f64,
}

impl Snap {
    /// Order along the edge: comparable between snaps on the same edge.
    pub fn position(&self) -> (u32, f64) {
        (self.segment, self.fraction)
    }
}

/// An R-tree of the graph's segments.
pub struct SnapIndex<'g> {
    graph: &'g RoadGraph,
    tree: RTree<GeomWithData<Line<[f64; 2]>, u32>>,
    /// Metres per degree of longitude and of latitude in the frame.
    scale: [f64; 2],
}

impl<'g> SnapIndex<'g> {
    pub fn new(graph: &'g RoadGraph) -> SnapIndex<'g> {
        let mean_lat = if graph.junctions.is_empty() {
            0.0
        } else {
            graph.junctions.iter().map(|j| j[1]).sum::<f64>() / graph.junctions.len() as f64
        };
        let metres_per_degree = 6_371_008.8 * std::f64::consts::PI / 180.0;
        let scale = [
            metres_per_degree * mean_lat.to_radians().cos(),
            metres_per_degree,
        ];
        let mut segments = Vec::with_capacity(graph.shape.len());
        for (e, _) in graph.edges.iter().enumerate() {
            for s in graph.segments(e as u32) {
                let a = project(graph.shape[s as usize], scale);
                let b = project(graph.shape[s as usize + 1], scale);
                segments.push(GeomWithData::new(Line::new(a, b), s));
            }
        }
        SnapIndex {
            graph,
            tree: RTree::bulk_load(segments),
            scale,
        }
    }

    /// The nearest point on the road to `place` (lon/lat); of equally near segments, the one
    /// stored first. `None` only for an empty graph.
    pub fn snap(&self, place: [f64; 2]) -> Option<Snap> {
        let query = project(place, self.scale);
        let mut nearest = self.tree.nearest_neighbor_iter_with_distance_2(&query);
        let (first, best) = nearest.next()?;
        let mut segment = first.data;
        for (candidate, d2) in nearest {
            if d2 > best {
                break;
            }
            segment = segment.min(candidate.data);
        }
        Some(self.snap_to(place, segment))
    }

    fn snap_to(&self, place: [f64; 2], segment: u32) -> Snap {
        let graph = self.graph;
        let s = segment as usize;
        let (a, b) = (graph.shape[s], graph.shape[s + 1]);
        let (pa, pb, q) = (
            project(a, self.scale),
            project(b, self.scale),
            project(place, self.scale),
        );
        let (dx, dy) = (pb[0] - pa[0], pb[1] - pa[1]);
        let length2 = dx * dx + dy * dy;
        let fraction = if length2 > 0.0 {
            (((q[0] - pa[0]) * dx + (q[1] - pa[1]) * dy) / length2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let point = [
            a[0] + fraction * (b[0] - a[0]),
            a[1] + fraction * (b[1] - a[1]),
        ];
        let edge = self.edge_of(segment);
        let start = graph.edges[edge as usize].shape.start as usize;
        let before = graph.segment_cost[start..s]
            .iter()
            .fold(Cost::ZERO, |sum, &c| sum + c);
        Snap {
            edge,
            segment,
            fraction,
            offset: before + graph.segment_cost[s].part(fraction),
            point,
            distance_m: great_circle_m(place, point),
        }
    }

    /// The edge holding a segment (edges' shapes are stored in order).
    fn edge_of(&self, segment: u32) -> u32 {
        let edges = &self.graph.edges;
        (edges.partition_point(|e| e.shape.start <= segment) - 1) as u32
    }
}

fn project(p: [f64; 2], scale: [f64; 2]) -> [f64; 2] {
    [p[0] * scale[0], p[1] * scale[1]]
}
