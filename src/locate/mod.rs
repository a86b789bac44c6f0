//! Locate: which area (and so which district) each service and each person lies in.
//!
//! [`AreaIndex`] keeps the areas' bounding boxes in an R-tree, so each point is tested
//! against the few polygons whose box holds it. A point on the shared edge of two areas
//! goes to the first of them in file order, so the answer never depends on thread timing.
//! A service outside every area (such as one in a neighbouring city) still serves people
//! and is reported; a person outside every area is an input problem.

pub mod bng;
pub mod postcode;

use std::collections::HashMap;

use geo::coordinate_position::{CoordPos, CoordinatePosition};
use geo::{BoundingRect, Point};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

use crate::model::{Area, Demand, District, Service};
use crate::problem::Problems;

type Entry = GeomWithData<Rectangle<[f64; 2]>, usize>;

/// A spatial index over area polygons.
pub struct AreaIndex<'a> {
    areas: &'a [Area],
    tree: RTree<Entry>,
}

impl<'a> AreaIndex<'a> {
    pub fn new(areas: &'a [Area]) -> Self {
        let entries = areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let r = a.geometry.bounding_rect()?;
                let rect = Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]);
                Some(GeomWithData::new(rect, i))
            })
            .collect();
        AreaIndex {
            areas,
            tree: RTree::bulk_load(entries),
        }
    }

    /// The index of the area holding `point`, if any.
    pub fn locate(&self, point: Point<f64>) -> Option<usize> {
        let envelope = AABB::from_point([point.x(), point.y()]);
        let mut boundary: Option<usize> = None;
        for entry in self.tree.locate_in_envelope_intersecting(&envelope) {
            let i = entry.data;
            match self.areas[i].geometry.coordinate_position(&point.0) {
                CoordPos::Inside => return Some(i),
                CoordPos::OnBoundary => boundary = Some(boundary.map_or(i, |b| b.min(i))),
                CoordPos::Outside => {}
            }
        }
        boundary
    }
}

/// Where each service and person lies: an index into the districts, or `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Per service: the area it lies in.
    pub service_area: Vec<Option<usize>>,
    /// Per service: the district it lies in.
    pub service_district: Vec<Option<usize>>,
    /// Per person row (person-level demand only): the area.
    pub person_area: Vec<usize>,
    /// Per person row: the district.
    pub person_district: Vec<usize>,
    /// Per aggregated demand row: the district.
    pub cell_district: Vec<usize>,
    /// Things worth telling the analyst that do not stop the run.
    pub warnings: Vec<String>,
}

/// Places services and demand in areas and districts.
pub fn locate(
    services: &[Service],
    demand: &Demand,
    areas: &[Area],
    districts: &[District],
) -> Result<Placement, Problems> {
    let index = AreaIndex::new(areas);
    let district_of_area: Vec<Option<usize>> = areas
        .iter()
        .map(|a| districts.iter().position(|d| d.code == a.district_code))
        .collect();
    let service_area: Vec<Option<usize>> = services
        .par_iter()
        .map(|s| index.locate(s.location))
        .collect();
    let service_district: Vec<Option<usize>> = service_area
        .iter()
        .map(|a| a.and_then(|i| district_of_area[i]))
        .collect();
    let mut warnings = Vec::new();
    let outside: Vec<&str> = services
        .iter()
        .zip(&service_area)
        .filter(|(_, a)| a.is_none())
        .map(|(s, _)| s.id.as_str())
        .collect();
    if !outside.is_empty() {
        warnings.push(format!(
            "{} service{} outside every area ({}): they count towards access for people nearby but not towards any district's supply",
            outside.len(),
            if outside.len() == 1 { " lies" } else { "s lie" },
            outside.join(", ")
        ));
    }
    let mut problems = Problems::default();
    let mut placement = Placement {
        service_area,
        service_district,
        person_area: Vec::new(),
        person_district: Vec::new(),
        cell_district: Vec::new(),
        warnings,
    };
    match demand {
        Demand::People(people) => {
            let found: Vec<Option<usize>> = people
                .par_iter()
                .map(|p| index.locate(p.location))
                .collect();
            for (person, area) in people.iter().zip(found) {
                match area.and_then(|a| district_of_area[a].map(|d| (a, d))) {
                    Some((a, d)) => {
                        placement.person_area.push(a);
                        placement.person_district.push(d);
                    }
                    None => problems.push(
                        person
                            .at
                            .problem(format!(
                                "the home location (latitude {}, longitude {}) lies outside every area in the boundaries file; a person outside the council's area is not its demand",
                                person.location.y(),
                                person.location.x()
                            ))
                        .field("latitude"),
                    ),
                }
            }
        }
        Demand::Aggregated(cells) => {
            // A code names an area (and so its district), or a district directly.
            let mut by_code: HashMap<&str, usize> = districts
                .iter()
                .enumerate()
                .map(|(i, d)| (d.code.as_str(), i))
                .collect();
            for (a, area) in areas.iter().enumerate() {
                if let Some(d) = district_of_area[a] {
                    by_code.insert(area.code.as_str(), d);
                }
            }
            for cell in cells {
                let district = by_code.get(cell.area_code.as_str()).copied();
                match district {
                    Some(d) => placement.cell_district.push(d),
                    None => problems.push(
                        cell.at
                            .problem(
                                "is not the code of any area or district in the boundaries file",
                            )
                            .field("area_code")
                            .value(&cell.area_code),
                    ),
                }
            }
        }
    }
    problems.into_result(placement).map_err(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn area(code: &str, geometry: MultiPolygon<f64>) -> Area {
        Area {
            code: code.into(),
            name: code.into(),
            district_code: code.into(),
            geometry,
        }
    }

    #[test]
    fn points_in_holes_and_multipolygon_parts_are_found() {
        // A: a square with a square hole; B: two separate squares, one inside A's hole.
        let a = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)],
            interiors: [[(x: 4.0, y: 4.0), (x: 6.0, y: 4.0), (x: 6.0, y: 6.0), (x: 4.0, y: 6.0)]],
        );
        let b1 =
            polygon![(x: 20.0, y: 0.0), (x: 30.0, y: 0.0), (x: 30.0, y: 10.0), (x: 20.0, y: 10.0)];
        let b2 = polygon![(x: 4.5, y: 4.5), (x: 5.5, y: 4.5), (x: 5.5, y: 5.5), (x: 4.5, y: 5.5)];
        let areas = vec![
            area("A", MultiPolygon(vec![a])),
            area("B", MultiPolygon(vec![b1, b2])),
        ];
        let index = AreaIndex::new(&areas);
        assert_eq!(index.locate(Point::new(1.0, 1.0)), Some(0));
        assert_eq!(
            index.locate(Point::new(25.0, 5.0)),
            Some(1),
            "second part of B"
        );
        assert_eq!(
            index.locate(Point::new(5.0, 5.0)),
            Some(1),
            "island of B inside A's hole"
        );
        assert_eq!(
            index.locate(Point::new(4.2, 4.2)),
            None,
            "in A's hole, outside B's island"
        );
        assert_eq!(index.locate(Point::new(15.0, 5.0)), None, "between A and B");
    }

    #[test]
    fn shared_edge_goes_to_the_first_area() {
        let left = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)];
        let right =
            polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0)];
        let areas = vec![
            area("R", MultiPolygon(vec![right])),
            area("L", MultiPolygon(vec![left])),
        ];
        let index = AreaIndex::new(&areas);
        assert_eq!(index.locate(Point::new(1.0, 0.5)), Some(0));
    }
}
