//! The manifest: what went into a run and what came out, for reproducibility.
//!
//! It holds no timestamps or absolute paths, so the same inputs give the same bytes.

use serde::Serialize;

use crate::load::InputRecord;

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

#[derive(Debug, Clone, Serialize)]
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
