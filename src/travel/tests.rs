//! Tests on the real Rutland extract: statistics, hand-checked routes, and the matrix against
//! its plain Dijkstra twin.

use std::path::PathBuf;

use super::*;

fn extract() -> Option<PathBuf> {
    let path = bench::rutland_extract();
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {} is missing", path.display());
    }
    eprintln!("skipping: {} is absent", path.display());
    None
}

#[test]
#[ignore]
fn dump_rutland() {
    use osmpbf::{Element, ElementReader};
    use std::io::Write;
    let Some(path) = extract() else { return };
    let (graph, osm) = job::load_network(&path, &CarProfile::default()).unwrap();
    eprintln!("{osm:?}\n{:?}", graph.stats);
    let mut nodes = std::collections::HashMap::new();
    let mut ways = Vec::new();
    ElementReader::from_path(&path)
        .unwrap()
        .for_each(|e| match e {
            Element::DenseNode(n) => {
                nodes.insert(n.id(), (n.lon(), n.lat()));
            }
            Element::Way(w) => {
                let tags: Vec<(String, String)> =
                    w.tags().map(|(k, v)| (k.to_string(), v.to_string())).collect();
                if tags.iter().any(|(k, _)| k == "highway") {
                    ways.push((w.id(), tags, w.refs().collect::<Vec<i64>>()));
                }
            }
            _ => {}
        })
        .unwrap();
    let mut out = std::fs::File::create("/tmp/rutland_ways.jsonl").unwrap();
    for (id, tags, refs) in ways {
        let coords: Vec<(i64, f64, f64)> = refs
            .iter()
            .filter_map(|r| nodes.get(r).map(|c| (*r, c.0, c.1)))
            .collect();
        let tags: std::collections::BTreeMap<_, _> = tags.into_iter().collect();
        writeln!(
            out,
            "{}",
            serde_json::json!({"id": id, "tags": tags, "nodes": coords})
        )
        .unwrap();
    }
}
