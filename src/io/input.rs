//! An input file read into memory, with its name for messages and its SHA-256 for the
//! manifest.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::problem::{Place, Problem};

/// An input's bytes and the name messages use for it.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// The name shown in messages and the manifest (the path as configured).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// Reads a whole file; a missing or unreadable file is a problem naming it.
    pub fn read(name: &str, path: &Path) -> Result<InputFile, Problem> {
        std::fs::read(path)
            .map(|bytes| InputFile {
                name: name.to_string(),
                bytes,
            })
            .map_err(|e| {
                Problem::new(
                    name,
                    Place::File,
                    format!("cannot be read ({}): {e}", path.display()),
                )
            })
    }

    /// The file's SHA-256 as lower-case hex.
    pub fn sha256(&self) -> String {
        super::hex(&Sha256::digest(&self.bytes))
    }

    /// The text of the file, without a UTF-8 byte-order mark; a file that is not UTF-8 is a
    /// problem naming the byte offset.
    pub fn text(&self) -> Result<&str, Problem> {
        let bytes = self
            .bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(&self.bytes);
        std::str::from_utf8(bytes).map_err(|e| {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            Problem::new(
                &self.name,
                Place::Line(line),
                format!(
                    "is not UTF-8 text (bad byte at offset {}); save the file as UTF-8",
                    e.valid_up_to()
                ),
            )
        })
    }
}
