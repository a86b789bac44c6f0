//! One writer per run label: an advisory lock on `<outputs>/.<label>.lock`, held for the
//! writer's whole life and released by the operating system when the process ends, however
//! it ends, so a crash leaves no stale lock.
//!
//! The holder writes its process id into the lock file, so a second writer can be refused
//! with a message naming who holds the label, or can queue behind it. Once the lock is
//! held, whatever a stopped writer left beside the run is put back or removed
//! ([`super::leftovers`]) and reported. The lock file itself stays: removing it would let
//! two processes lock two different files of the same name.
//!
//! This module does not write runs ([`super::run_folder`] does, and needs a lock to start).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use super::run_folder::check_label;
use super::PublishError;

/// What a writer does when another process holds the label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Waiting {
    /// Refuse at once, naming the label and the process holding it.
    #[default]
    Refuse,
    /// Wait until the holder has finished.
    Queue,
}

impl Waiting {
    /// Queue when `wait` (a command's `--wait`), refuse otherwise.
    pub fn queue_if(wait: bool) -> Waiting {
        if wait {
            Waiting::Queue
        } else {
            Waiting::Refuse
        }
    }
}

/// The lock on one run label under one outputs folder, held until dropped.
#[derive(Debug)]
pub struct LabelLock {
    /// Kept open: closing it (or the process ending) releases the lock.
    _file: File,
    outputs: PathBuf,
    label: String,
    recovered: Vec<String>,
}

impl LabelLock {
    /// Locks `label` under `outputs` (creating the folder if needed), then recovers what a
    /// stopped writer of the label left behind. `waiting` hears a line when it queues.
    pub fn acquire(
        outputs: &Path,
        label: &str,
        waiting: Waiting,
        on_wait: &mut dyn FnMut(&str),
    ) -> Result<LabelLock, PublishError> {
        check_label(label)?;
        std::fs::create_dir_all(outputs).map_err(|e| PublishError::Io(outputs.to_path_buf(), e))?;
        let path = outputs.join(format!(".{label}.lock"));
        let io = |e| PublishError::Io(path.clone(), e);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let busy = PublishError::Busy {
                    label: label.to_string(),
                    folder: outputs.join(label),
                    holder: holder(&path),
                };
                match waiting {
                    Waiting::Refuse => return Err(busy),
                    Waiting::Queue => {
                        on_wait(&format!("{busy}: waiting for it to finish"));
                        file.lock().map_err(io)?;
                    }
                }
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        let recovered = super::leftovers::recover(outputs, label)?;
        Ok(LabelLock {
            _file: file,
            outputs: outputs.to_path_buf(),
            label: label.to_string(),
            recovered,
        })
    }

    /// The folder holding the label's run folder.
    pub fn outputs(&self) -> &Path {
        &self.outputs
    }

    pub fn label(&self) -> &str {
        &self.label
    }

    /// The run folder this lock guards (it may not exist yet).
    pub fn folder(&self) -> PathBuf {
        self.outputs.join(&self.label)
    }

    /// What taking the lock found left behind by a stopped writer, and did with it.
    pub fn recovered(&self) -> &[String] {
        &self.recovered
    }
}

/// The process id the holder wrote, when it can be read (the holder may be between taking
/// the lock and writing its id, so look a few times; Windows does not let a locked file be
/// read at all).
fn holder(path: &Path) -> Option<u32> {
    for _ in 0..5 {
        if let Some(pid) = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| text.trim().parse().ok())
        {
            return Some(pid);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_naming_the_label_and_the_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first =
            LabelLock::acquire(dir.path(), "2025-Q2", Waiting::Refuse, &mut |_| {}).expect("first");
        // Locks are per open file, so a second open in this process is refused too.
        let second = LabelLock::acquire(dir.path(), "2025-Q2", Waiting::Refuse, &mut |_| {});
        let Err(PublishError::Busy { label, holder, .. }) = second else {
            panic!("expected busy, got {second:?}");
        };
        assert_eq!(label, "2025-Q2");
        assert_eq!(holder, Some(std::process::id()));
        // Another label is free, and the label is free again once the first is dropped.
        LabelLock::acquire(dir.path(), "2025-Q3", Waiting::Refuse, &mut |_| {}).expect("other");
        drop(first);
        LabelLock::acquire(dir.path(), "2025-Q2", Waiting::Refuse, &mut |_| {}).expect("again");
    }

    #[test]
    fn a_queued_writer_waits_for_the_holder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first =
            LabelLock::acquire(dir.path(), "q", Waiting::Refuse, &mut |_| {}).expect("first");
        let path = dir.path().to_path_buf();
        let waiter = std::thread::spawn(move || {
            let mut heard = Vec::new();
            let lock = LabelLock::acquire(&path, "q", Waiting::Queue, &mut |m| {
                heard.push(m.to_string())
            });
            (lock.is_ok(), heard)
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(first);
        let (locked, heard) = waiter.join().expect("join");
        assert!(locked);
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert!(heard[0].contains("waiting for it to finish"), "{heard:?}");
    }
}
