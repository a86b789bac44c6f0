//! The manifest: what went into a run and what came out, for reproducibility.
//!
//! It holds no timestamps or absolute paths, so the same inputs give the same bytes.

use serde::{Deserialize, Serialize};

use crate::load::InputRecord;

/// The manifest's name inside a run folder.
pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub label: String,
    pub data_date: String,
    pub title: String,
    pub config: ConfigRecord,
    pub inputs: Vec<InputRecord>,
    pub disclosure: DisclosureRecord,
    pub counts: Counts,
    pub warnings: Vec<String>,
    /// Rows the config's mapping rules left out, and people placed by a small-area code,
    /// with counts under disclosure control (`null` when suppressed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub input_notes: Vec<InputNote>,
    /// Every output file (path inside the run folder) with its SHA-256, manifest excepted.
    pub outputs: Vec<OutputRecord>,
}

/// A count of rows or people that reading the inputs set aside, as published.
#[derive(Debug, Clone, Serialize)]
pub struct InputNote {
    pub file: String,
    pub count: Option<u32>,
    pub what: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConfigRecord {
    pub file: String,
    pub sha256: String,
    /// The config's exact text.
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DisclosureRecord {
    pub threshold: u32,
    pub rounding_base: u32,
    pub rule: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub services: usize,
    pub active_services: usize,
    pub services_outside_areas: usize,
    pub areas: usize,
    pub districts: usize,
    pub demand_rows: usize,
    pub rejected_rows: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRecord {
    pub file: String,
    pub sha256: String,
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }
}

/// The outputs a manifest lists, whatever else it holds.
pub fn listed_outputs(bytes: &[u8]) -> Result<Vec<OutputRecord>, serde_json::Error> {
    #[derive(Deserialize)]
    struct Listed {
        outputs: Vec<OutputRecord>,
    }
    serde_json::from_slice::<Listed>(bytes).map(|l| l.outputs)
}

/// The manifest `text` with its list of outputs replaced by `outputs` and every other
/// member kept byte for byte, as [`Manifest::to_json`] writes it (outputs last);
/// `None` when `text` is not laid out so.
pub fn with_outputs(text: &str, outputs: &[OutputRecord]) -> Option<String> {
    #[derive(Serialize)]
    struct Tail<'a> {
        outputs: &'a [OutputRecord],
    }
    // A top-level member starts a line indented by two spaces; nested ones by more, and a
    // string cannot hold a raw line break.
    const MEMBER: &str = "\n  \"outputs\": ";
    let at = text.rfind(MEMBER)?;
    let tail = serde_json::to_string_pretty(&Tail { outputs }).ok()?;
    let mut out = String::with_capacity(text.len() + tail.len());
    out.push_str(&text[..at]);
    out.push_str(&tail[tail.find(MEMBER)?..]);
    out.push('\n');
    // Only the outputs may differ, and the text must still be JSON.
    let without_outputs = |t: &str| {
        let mut value: serde_json::Value = serde_json::from_str(t).ok()?;
        value.as_object_mut()?.remove("outputs")?;
        Some(value)
    };
    (without_outputs(&out)? == without_outputs(text)?).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(outputs: Vec<OutputRecord>) -> Manifest {
        Manifest {
            tool: "gapmap",
            version: "0",
            label: "q".into(),
            data_date: "2025-06-30".into(),
            title: "t".into(),
            config: ConfigRecord {
                file: "gapmap.toml".into(),
                sha256: "ab".into(),
                text: "label = \"q\"\n[outputs]\n  \"outputs\": x\n".into(),
            },
            inputs: Vec::new(),
            disclosure: DisclosureRecord {
                threshold: 5,
                rounding_base: 5,
                rule: "r",
            },
            counts: Counts {
                services: 1,
                active_services: 1,
                services_outside_areas: 0,
                areas: 1,
                districts: 1,
                demand_rows: 1,
                rejected_rows: 0,
            },
            warnings: vec!["w".into()],
            input_notes: Vec::new(),
            outputs,
        }
    }

    fn record(file: &str) -> OutputRecord {
        OutputRecord {
            file: file.into(),
            sha256: format!("{:064}", file.len()),
        }
    }

    #[test]
    fn replacing_the_outputs_gives_the_bytes_a_new_manifest_would_have() {
        let before = manifest(vec![record("a.csv")]);
        let text = String::from_utf8(before.to_json()).expect("utf8");
        let outputs = vec![record("a.csv"), record("plans/p-1/b.csv")];
        let after = with_outputs(&text, &outputs).expect("laid out as written");
        assert_eq!(after.into_bytes(), manifest(outputs.clone()).to_json());
        assert_eq!(
            listed_outputs(&manifest(outputs.clone()).to_json()).expect("read"),
            outputs
        );
        let empty = with_outputs(&text, &[]).expect("empty");
        assert_eq!(empty.into_bytes(), manifest(Vec::new()).to_json());
    }

    #[test]
    fn a_manifest_laid_out_otherwise_is_not_rewritten() {
        assert_eq!(with_outputs("{\"outputs\": []}", &[]), None);
        assert_eq!(
            with_outputs("{\n  \"outputs\": [],\n  \"more\": 1\n}\n", &[]),
            None
        );
    }
}
