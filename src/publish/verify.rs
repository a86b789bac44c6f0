//! Checking a run folder against its manifest: every file listed is there with the SHA-256
//! the manifest gives, and nothing else is. Anyone receiving a run folder (a GIS team, a
//! publisher) can check it this way, and the tests use it to decide whether a folder left by
//! a killed or racing run is whole.
//!
//! This module only reads; it does not repair anything.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::manifest::{listed_outputs, MANIFEST};

/// What checking a run folder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub folder: PathBuf,
    /// Files the manifest lists (the manifest itself excepted).
    pub listed: usize,
    /// Listed but not there.
    pub missing: Vec<String>,
    /// There, but with another SHA-256 than listed.
    pub changed: Vec<String>,
    /// There, but not listed.
    pub unlisted: Vec<String>,
}

impl Verification {
    /// Every listed file is there unchanged, and no other file is.
    pub fn is_whole(&self) -> bool {
        self.missing.is_empty() && self.changed.is_empty() && self.unlisted.is_empty()
    }
}

/// Why a folder could not be checked at all.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{}: no such folder", .0.display())]
    NoFolder(PathBuf),
    #[error("{}: not there, so {} is not a whole run folder (or not a run folder at all)", .0.display(), .0.parent().map_or_else(String::new, |p| p.display().to_string()))]
    NoManifest(PathBuf),
    #[error("{}: {message}", .path.display())]
    Manifest { path: PathBuf, message: String },
    #[error("{}: cannot be read: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Checks every file of the run folder at `folder` against its `manifest.json`.
pub fn verify(folder: &Path) -> Result<Verification, VerifyError> {
    if !folder.is_dir() {
        return Err(VerifyError::NoFolder(folder.to_path_buf()));
    }
    let manifest = folder.join(MANIFEST);
    let bytes = match std::fs::read(&manifest) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(VerifyError::NoManifest(manifest))
        }
        Err(source) => {
            return Err(VerifyError::Read {
                path: manifest,
                source,
            })
        }
    };
    let mut listed = listed_outputs(&bytes).map_err(|e| VerifyError::Manifest {
        path: manifest.clone(),
        message: format!("is not a gapmap run manifest: {e}"),
    })?;
    listed.sort_by(|a, b| a.file.cmp(&b.file));
    listed.dedup_by(|a, b| a.file == b.file);
    if let Some(bad) = listed.iter().find(|o| !inside(&o.file)) {
        return Err(VerifyError::Manifest {
            path: manifest,
            message: format!(
                "lists {:?}, which is not a file inside the run folder",
                bad.file
            ),
        });
    }
    let mut present = Vec::new();
    files_under(folder, "", &mut present)?;
    present.sort();
    let checked: Vec<Result<Option<bool>, VerifyError>> = listed
        .par_iter()
        .map(|o| matches_digest(&folder.join(&o.file), &o.sha256))
        .collect();
    let mut result = Verification {
        folder: folder.to_path_buf(),
        listed: listed.len(),
        missing: Vec::new(),
        changed: Vec::new(),
        unlisted: Vec::new(),
    };
    for (output, check) in listed.iter().zip(checked) {
        match check? {
            None => result.missing.push(output.file.clone()),
            Some(false) => result.changed.push(output.file.clone()),
            Some(true) => {}
        }
    }
    result.unlisted = present
        .into_iter()
        .filter(|f| f != MANIFEST && listed.binary_search_by(|o| o.file.cmp(f)).is_err())
        .collect();
    Ok(result)
}

/// Whether a listed path stays inside the folder (relative, no `..`).
fn inside(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Whether the file has the SHA-256 `expected`; `None` when there is no file.
fn matches_digest(path: &Path, expected: &str) -> Result<Option<bool>, VerifyError> {
    let read = |source| VerifyError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read(e)),
    };
    if !file.metadata().map_err(read)?.is_file() {
        return Ok(None);
    }
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(read)?;
    let digest = crate::io::hex(&hasher.finalize());
    Ok(Some(digest.eq_ignore_ascii_case(expected)))
}

/// Every file (anything not a folder) under `folder`, as forward-slash paths after `prefix`.
fn files_under(folder: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), VerifyError> {
    let read = |source| VerifyError::Read {
        path: folder.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(folder).map_err(read)? {
        let entry = entry.map_err(read)?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().map_err(read)?.is_dir() {
            files_under(&entry.path(), &format!("{name}/"), out)?;
        } else {
            out.push(name);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(bytes: &[u8]) -> String {
        crate::io::hex(&Sha256::digest(bytes))
    }

    fn manifest(outputs: &[(&str, &str)]) -> String {
        let list: Vec<String> = outputs
            .iter()
            .map(|(file, sha)| format!("{{\"file\": \"{file}\", \"sha256\": \"{sha}\"}}"))
            .collect();
        format!("{{\"label\": \"q\", \"outputs\": [{}]}}", list.join(", "))
    }

    #[test]
    fn a_whole_folder_verifies_and_each_fault_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path();
        std::fs::create_dir(run.join("tables")).expect("mkdir");
        std::fs::write(run.join("tables/gaps.csv"), "a,b\n").expect("write");
        std::fs::write(run.join("report.html"), "<p>").expect("write");
        let (gaps, report) = (sha(b"a,b\n"), sha(b"<p>"));
        std::fs::write(
            run.join(MANIFEST),
            manifest(&[("tables/gaps.csv", &gaps), ("report.html", &report)]),
        )
        .expect("write");
        let whole = verify(run).expect("verify");
        assert!(whole.is_whole(), "{whole:?}");
        assert_eq!(whole.listed, 2);
        // One file changed, one gone, one added.
        std::fs::write(run.join("report.html"), "<p>edited").expect("write");
        std::fs::remove_file(run.join("tables/gaps.csv")).expect("remove");
        std::fs::write(run.join("tables/extra.csv"), "x").expect("write");
        let broken = verify(run).expect("verify");
        assert!(!broken.is_whole());
        assert_eq!(broken.missing, vec!["tables/gaps.csv"]);
        assert_eq!(broken.changed, vec!["report.html"]);
        assert_eq!(broken.unlisted, vec!["tables/extra.csv"]);
    }

    #[test]
    fn a_folder_without_a_readable_manifest_cannot_be_verified() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            verify(dir.path()),
            Err(VerifyError::NoManifest(_))
        ));
        std::fs::write(dir.path().join(MANIFEST), "{\"outputs\": 3}").expect("write");
        assert!(matches!(
            verify(dir.path()),
            Err(VerifyError::Manifest { .. })
        ));
        std::fs::write(dir.path().join(MANIFEST), manifest(&[("../x", "00")])).expect("write");
        let Err(VerifyError::Manifest { message, .. }) = verify(dir.path()) else {
            panic!("a path outside the folder should be refused");
        };
        assert!(message.contains("../x"), "{message}");
        assert!(matches!(
            verify(&dir.path().join("none")),
            Err(VerifyError::NoFolder(_))
        ));
    }
}
