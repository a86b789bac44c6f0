//! The run folder: written in full beside its final place, then renamed into place.
//!
//! Files go into `<outputs>/.<label>.partial/`; only [`RunFolder::commit`] moves them to
//! `<outputs>/<label>/`, replacing an earlier run of the same label (only when asked to). A run
//! that fails (or is dropped before commit) removes its partial folder and leaves earlier
//! runs as they were.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::publish::PublishError;

/// A run folder being written.
#[derive(Debug)]
pub struct RunFolder {
    staging: PathBuf,
    target: PathBuf,
    /// Files written so far: path inside the folder and SHA-256.
    pub files: Vec<(String, String)>,
    committed: bool,
}

/// Checks that a label can name a folder.
pub fn check_label(label: &str) -> Result<(), PublishError> {
    let ok = !label.is_empty()
        && !label.starts_with('.')
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(PublishError::Label(label.to_string()))
    }
}

impl RunFolder {
    /// Starts a run folder. An existing run of the same label is an error unless `replace`.
    pub fn create(outputs: &Path, label: &str, replace: bool) -> Result<RunFolder, PublishError> {
        check_label(label)?;
        let staging = outputs.join(format!(".{label}.partial"));
        let target = outputs.join(label);
        if target.exists() && !replace {
            return Err(PublishError::Exists(target));
        }
        let io = |e| PublishError::Io(staging.clone(), e);
        std::fs::create_dir_all(outputs).map_err(|e| PublishError::Io(outputs.to_path_buf(), e))?;
        if staging.exists() {
            std::fs::remove_dir_all(&staging).map_err(io)?;
        }
        std::fs::create_dir_all(&staging).map_err(io)?;
        Ok(RunFolder {
            staging,
            target,
            files: Vec::new(),
            committed: false,
        })
    }

    /// Where the folder is being written (not its final place).
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Writes one file at `relative` (forward slashes) inside the folder.
    pub fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<(), PublishError> {
        let path = self.staging.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| PublishError::Io(parent.to_path_buf(), e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| PublishError::Io(path.clone(), e))?;
        let digest = Sha256::digest(bytes);
        self.files.push((
            relative.to_string(),
            digest.iter().map(|b| format!("{b:02x}")).collect(),
        ));
        Ok(())
    }

    /// Moves the finished folder into place and returns its path.
    pub fn commit(mut self) -> Result<PathBuf, PublishError> {
        let old = self.target.with_file_name(format!(
            ".{}.old",
            self.target
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        ));
        if self.target.exists() {
            if old.exists() {
                std::fs::remove_dir_all(&old).map_err(|e| PublishError::Io(old.clone(), e))?;
            }
            std::fs::rename(&self.target, &old)
                .map_err(|e| PublishError::Io(self.target.clone(), e))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .map_err(|e| PublishError::Io(self.staging.clone(), e))?;
        self.committed = true;
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| PublishError::Io(old.clone(), e))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for RunFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_folder_leaves_the_earlier_run_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut first = RunFolder::create(dir.path(), "2025-Q2", false).expect("create");
        first.write("a.txt", b"first").expect("write");
        first.commit().expect("commit");
        {
            assert!(matches!(
                RunFolder::create(dir.path(), "2025-Q2", false),
                Err(PublishError::Exists(_))
            ));
            let mut second = RunFolder::create(dir.path(), "2025-Q2", true).expect("create");
            second.write("a.txt", b"second").expect("write");
            // dropped without commit, as when a later step fails
        }
        let text = std::fs::read_to_string(dir.path().join("2025-Q2/a.txt")).expect("read");
        assert_eq!(text, "first");
        assert!(!dir.path().join(".2025-Q2.partial").exists());
    }

    #[test]
    fn labels_cannot_escape_the_outputs_folder() {
        assert!(check_label("2025-Q2").is_ok());
        assert!(check_label("../x").is_err());
        assert!(check_label(".hidden").is_err());
        assert!(check_label("").is_err());
    }
}
