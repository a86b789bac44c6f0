//! The file-system steps that make publishing a run folder safe: each file created new and
//! flushed to stable storage, folders flushed, and one folder swapped for another in a
//! single step where the operating system allows it.
//!
//! [`Disk`] is where a run folder's bytes go. The real one is [`LocalDisk`]; tests put in
//! its place a disk that fails part-way through a write (a full disk, an I/O error, a
//! refused permission), so every failure path is exercised without special mounts. This
//! module knows nothing of labels, locks or manifests ([`super::run_folder`] does).

use std::fmt;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

/// Where a run folder's files are written.
pub trait Disk: Send + Sync {
    /// Creates the file at `path`, which must not exist yet, holding `bytes`.
    fn create_file(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;

    /// Flushes the file or folder at `path` to stable storage (`fsync`).
    fn sync(&self, path: &Path) -> io::Result<()> {
        sync_path(path)
    }
}

/// The local file system, through the operating system.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalDisk;

impl Disk for LocalDisk {
    fn create_file(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        file.write_all(bytes)
    }
}

/// A shared handle on a [`Disk`], cheap to clone; [`LocalDisk`] by default.
#[derive(Clone)]
pub struct DiskHandle(pub Arc<dyn Disk>);

impl DiskHandle {
    pub fn new(disk: impl Disk + 'static) -> DiskHandle {
        DiskHandle(Arc::new(disk))
    }
}

impl Default for DiskHandle {
    fn default() -> Self {
        DiskHandle::new(LocalDisk)
    }
}

impl fmt::Debug for DiskHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DiskHandle")
    }
}

impl std::ops::Deref for DiskHandle {
    type Target = dyn Disk;
    fn deref(&self) -> &Self::Target {
        &*self.0
    }
}

/// Flushes a file (its data) or a folder (its entries) to stable storage.
pub fn sync_path(path: &Path) -> io::Result<()> {
    if std::fs::metadata(path)?.is_dir() {
        sync_folder(path)
    } else {
        open_to_flush(path)?.sync_data()
    }
}

#[cfg(unix)]
fn sync_folder(folder: &Path) -> io::Result<()> {
    std::fs::File::open(folder)?.sync_all()
}

/// Folders cannot be opened and flushed on their own elsewhere: their entries are written
/// with the files (NTFS journals them).
#[cfg(not(unix))]
fn sync_folder(_folder: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn open_to_flush(path: &Path) -> io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Windows flushes only a file opened for writing.
#[cfg(not(unix))]
fn open_to_flush(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new().write(true).open(path)
}

/// Swaps the folders at `a` and `b` (both must exist) in one step, so that no process, and
/// no crash, can ever see neither. `Ok(false)` when the operating system or the file
/// system offers no such step (older kernels, some network file systems, Windows): the
/// caller then replaces in two steps.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "macos"))]
pub fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(e) if [Errno::INVAL, Errno::NOSYS, Errno::NOTSUP, Errno::OPNOTSUPP].contains(&e) => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// See the Linux and macOS version: elsewhere there is no single step.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "macos")))]
pub fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exchange_swaps_two_folders_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        for (folder, text) in [(&a, "old"), (&b, "new")] {
            std::fs::create_dir(folder).expect("mkdir");
            std::fs::write(folder.join("file.txt"), text).expect("write");
        }
        let swapped = exchange(&a, &b).expect("exchange");
        // Linux (ext4, tmpfs, btrfs, xfs) always has the one-step swap; elsewhere it may not.
        assert!(
            swapped || !cfg!(target_os = "linux"),
            "Linux should swap in one step"
        );
        if swapped {
            let read = |p: &Path| std::fs::read_to_string(p.join("file.txt")).expect("read");
            assert_eq!((read(&a).as_str(), read(&b).as_str()), ("new", "old"));
        }
    }

    #[test]
    fn a_local_disk_never_overwrites_a_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        LocalDisk.create_file(&path, b"one").expect("create");
        let again = LocalDisk.create_file(&path, b"two").expect_err("exists");
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        LocalDisk.sync(&path).expect("sync file");
        LocalDisk.sync(dir.path()).expect("sync folder");
        assert_eq!(std::fs::read(&path).expect("read"), b"one");
    }
}
