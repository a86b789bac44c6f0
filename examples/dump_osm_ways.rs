//! Writes the highway ways of an OpenStreetMap extract with their node coordinates, one JSON
//! object per line (`{"id", "tags", "nodes": [[node_id, lon, lat], ...]}`), for the
//! independent route check in `tools/check_routes.py`:
//!
//! ```sh
//! cargo run --release --example dump_osm_ways -- \
//!     examples/rutland/rutland-2021-05-07.osm.pbf /tmp/rutland_ways.jsonl
//! ```

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use osmpbf::{Element, ElementReader};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [extract, out] = args.as_slice() else {
        return Err("usage: dump_osm_ways EXTRACT.osm.pbf OUT.jsonl".to_string());
    };
    let mut nodes = HashMap::new();
    let mut ways = Vec::new();
    ElementReader::from_path(extract)
        .map_err(|e| format!("{extract}: {e}"))?
        .for_each(|e| match e {
            Element::DenseNode(n) => {
                nodes.insert(n.id(), (n.lon(), n.lat()));
            }
            Element::Node(n) => {
                nodes.insert(n.id(), (n.lon(), n.lat()));
            }
            Element::Way(w) => {
                let tags: BTreeMap<String, String> = w
                    .tags()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                if tags.contains_key("highway") {
                    ways.push((w.id(), tags, w.refs().collect::<Vec<i64>>()));
                }
            }
            Element::Relation(_) => {}
        })
        .map_err(|e| format!("{extract}: {e}"))?;
    let file = std::fs::File::create(out).map_err(|e| format!("{out}: {e}"))?;
    let mut file = std::io::BufWriter::new(file);
    for (id, tags, refs) in &ways {
        let coords: Vec<(i64, f64, f64)> = refs
            .iter()
            .filter_map(|r| nodes.get(r).map(|c| (*r, c.0, c.1)))
            .collect();
        let line = serde_json::json!({"id": id, "tags": tags, "nodes": coords});
        writeln!(file, "{line}").map_err(|e| format!("{out}: {e}"))?;
    }
    file.flush().map_err(|e| format!("{out}: {e}"))?;
    eprintln!("wrote {} highway ways to {out}", ways.len());
    Ok(())
}
