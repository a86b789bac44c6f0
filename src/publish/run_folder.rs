//! The run folder: written in full beside its final place, flushed, then put in place in
//! one step, so `<outputs>/<label>/` always holds a whole run, the earlier one or the new.
//!
//! A [`RunFolder`] can only be started by the holder of the label's lock
//! ([`LabelLock`]), and stages into a folder of its own ([`super::leftovers`] names it).
//! [`RunFolder::create`] starts empty (a new run); [`RunFolder::amend`] starts from a copy
//! of the run in place, made of hard links, so that a plan can add its files and rewrite
//! the report and manifest without touching the run until it is swapped in. Files are
//! always created new (never rewritten where they stand, which would change the run in
//! place through a hard link), through a [`Disk`].
//!
//! [`RunFolder::commit`] flushes every file and folder written, then swaps the staging
//! folder for the run in place (Linux `renameat2(RENAME_EXCHANGE)`, macOS `RENAME_SWAP`),
//! flushes the outputs folder and removes the earlier run. Where no one-step swap exists it
//! moves the earlier run aside and the new one in; a crash between the two is put right by
//! the label's next writer. A run that fails, or is dropped before commit, removes its
//! staging folder and leaves the run in place as it was.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::disk::{exchange, sync_path, DiskHandle};
use super::label_lock::LabelLock;
use super::{leftovers, PublishError};

/// A run folder being written.
#[derive(Debug)]
pub struct RunFolder<'lock> {
    lock: &'lock LabelLock,
    staging: PathBuf,
    replace: bool,
    disk: DiskHandle,
    /// Files written so far: path inside the folder and SHA-256 (those still queued on the
    /// writing thread are added as they are written; [`RunFolder::files`] waits for them).
    files: Vec<(String, String)>,
    /// Files copied that are not yet flushed.
    unsynced: Vec<PathBuf>,
    /// Writes files on a thread of its own, so that the run computes its next outputs
    /// meanwhile.
    writer: Writer,
    /// Flushes each file written while the run goes on, so that the commit seldom waits.
    flusher: Flusher,
    committed: bool,
}

/// A file's contents, owned, so that the folder's writing thread can write them while the
/// run goes on: bytes, text, or anything that can give its bytes when written (a
/// GeoPackage's database, serialised only then, with no copy made).
pub trait Contents: Send {
    /// Its size in bytes, to bound how much waits to be written.
    fn size(&self) -> usize;
    /// Gives the bytes to `write`.
    fn with_bytes(
        &mut self,
        write: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()>;
}

/// Bytes held as such: `Vec<u8>`, `String`.
impl<T: AsRef<[u8]> + Send> Contents for T {
    fn size(&self) -> usize {
        self.as_ref().len()
    }
    fn with_bytes(
        &mut self,
        write: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        write(self.as_ref())
    }
}

/// One file for the writing thread.
struct Job {
    relative: String,
    path: PathBuf,
    contents: Box<dyn Contents>,
}

/// What the writing thread did with one [`Job`].
struct Written {
    relative: String,
    /// The file's SHA-256, or why it could not be written.
    result: Result<String, PublishError>,
    /// The file, when it could not be queued to be flushed (it is flushed at the commit).
    unflushed: Option<PathBuf>,
}

/// At most this many bytes wait to be written (more than one file only while they fit), so
/// that writing behind the run never holds much memory the run would have freed.
const MAX_QUEUED_BYTES: usize = 64 << 20;

/// Writes the folder's files on a thread of its own, in the order they are given, each
/// with its SHA-256 (writing a whole England run's 250 MB takes the better part of a
/// second, which the run spends computing its next outputs instead). Without the thread
/// (it could not be started) files are written in the open.
struct Writer {
    jobs: Option<std::sync::mpsc::Sender<Job>>,
    written: std::sync::mpsc::Receiver<Written>,
    worker: Option<std::thread::JoinHandle<()>>,
    /// Jobs sent and not yet heard back from.
    pending: usize,
    /// Bytes queued and not yet written, with a signal when that falls.
    queued: std::sync::Arc<(std::sync::Mutex<usize>, std::sync::Condvar)>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

impl Writer {
    fn start(disk: &DiskHandle, flusher: &Flusher) -> Writer {
        let (jobs, incoming) = std::sync::mpsc::channel::<Job>();
        let (report, written) = std::sync::mpsc::channel::<Written>();
        let queued =
            std::sync::Arc::new((std::sync::Mutex::new(0usize), std::sync::Condvar::new()));
        let (disk, flush, shared) = (disk.clone(), flusher.queue.clone(), queued.clone());
        let worker = std::thread::Builder::new()
            .name("gapmap-write".into())
            .spawn(move || {
                for job in incoming {
                    let size = job.contents.size();
                    let done = write_job(&disk, job, |path| {
                        flush
                            .as_ref()
                            .is_some_and(|q| q.send(path.to_path_buf()).is_ok())
                    });
                    let (lock, fallen) = &*shared;
                    if let Ok(mut queued) = lock.lock() {
                        *queued = queued.saturating_sub(size);
                    }
                    fallen.notify_all();
                    if report.send(done).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Writer {
            jobs: worker.is_some().then_some(jobs),
            written,
            worker,
            pending: 0,
            queued,
        }
    }

    /// Hands `job` to the thread, once what waits leaves room for it; gives it back when
    /// there is no thread.
    fn send(&mut self, job: Job) -> Option<Job> {
        let Some(jobs) = &self.jobs else {
            return Some(job);
        };
        let size = job.contents.size();
        let (lock, fallen) = &*self.queued;
        if let Ok(mut queued) = lock.lock() {
            while *queued > 0 && *queued + size > MAX_QUEUED_BYTES {
                match fallen.wait(queued) {
                    Ok(q) => queued = q,
                    Err(_) => return Some(job),
                }
            }
            *queued += size;
        }
        match jobs.send(job) {
            Ok(()) => {
                self.pending += 1;
                None
            }
            Err(std::sync::mpsc::SendError(job)) => Some(job),
        }
    }

    /// What the thread has written so far, without waiting.
    fn finished(&mut self) -> Vec<Written> {
        let mut done = Vec::new();
        while self.pending > 0 {
            let Ok(w) = self.written.try_recv() else {
                break;
            };
            self.pending -= 1;
            done.push(w);
        }
        done
    }

    /// Waits for every file sent to be written, in order.
    fn wait(&mut self) -> Vec<Written> {
        let mut done = Vec::with_capacity(self.pending);
        while self.pending > 0 {
            match self.written.recv() {
                Ok(w) => {
                    self.pending -= 1;
                    done.push(w);
                }
                // The thread stopped (it panicked): what it did not report was not written.
                Err(_) => {
                    self.pending = 0;
                    done.push(Written {
                        relative: String::new(),
                        result: Err(PublishError::Write(
                            PathBuf::new(),
                            std::io::Error::other("the thread writing the run's files stopped"),
                        )),
                        unflushed: None,
                    });
                }
            }
        }
        done
    }

    /// Stops the thread once it has written what it was sent.
    fn stop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Writes `job`'s file and frees its contents; `flush` queues the file to be flushed and
/// says whether it could.
fn write_job(disk: &DiskHandle, mut job: Job, flush: impl FnOnce(&Path) -> bool) -> Written {
    let result = write_file(disk, &job.path, job.contents.as_mut());
    drop(job.contents);
    let flushing = result.is_ok() && flush(&job.path);
    Written {
        relative: job.relative,
        unflushed: (result.is_ok() && !flushing).then_some(job.path),
        result,
    }
}

/// Writes one file as a new file at `path` (replacing any there) and returns its SHA-256.
fn write_file(
    disk: &DiskHandle,
    path: &Path,
    contents: &mut dyn Contents,
) -> Result<String, PublishError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| PublishError::Write(parent.to_path_buf(), e))?;
    }
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(PublishError::Write(path.to_path_buf(), e)),
    }
    let mut digest = String::new();
    contents
        .with_bytes(&mut |bytes| {
            disk.create_file(path, bytes)?;
            digest = crate::io::hex(&Sha256::digest(bytes));
            Ok(())
        })
        .map_err(|e| PublishError::Write(path.to_path_buf(), e))?;
    Ok(digest)
}

/// Flushes files to stable storage on a thread of its own, in the order they are written:
/// a flush mostly waits on the disk, so a run's files are flushed while it computes the
/// next ones instead of all at its end. What it fails to flush (a file replaced or removed
/// meanwhile, a disk error) is flushed again, in the open, by [`Flusher::finish`].
#[derive(Debug)]
struct Flusher {
    queue: Option<std::sync::mpsc::Sender<PathBuf>>,
    worker: Option<std::thread::JoinHandle<Vec<PathBuf>>>,
}

impl Flusher {
    fn start(disk: &DiskHandle) -> Flusher {
        let (queue, paths) = std::sync::mpsc::channel::<PathBuf>();
        let disk = disk.clone();
        let worker = std::thread::Builder::new()
            .name("gapmap-flush".into())
            .spawn(move || {
                paths
                    .into_iter()
                    .filter(|path| disk.sync(path).is_err())
                    .collect()
            })
            .ok();
        Flusher {
            queue: worker.is_some().then_some(queue),
            worker,
        }
    }

    /// Queues `path` to be flushed; `false` when there is no flushing thread (the caller
    /// then flushes it at the end itself).
    fn queue(&self, path: &Path) -> bool {
        self.queue
            .as_ref()
            .is_some_and(|q| q.send(path.to_path_buf()).is_ok())
    }

    /// Waits for every queued flush (the writing thread, which also queues flushes, has
    /// stopped by then); returns the paths that failed (every queued one if the thread
    /// stopped).
    fn finish(&mut self, queued: Vec<PathBuf>) -> Vec<PathBuf> {
        drop(self.queue.take());
        match self.worker.take().map(std::thread::JoinHandle::join) {
            Some(Ok(failed)) => failed,
            _ => queued,
        }
    }
}

impl Drop for Flusher {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
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

impl<'lock> RunFolder<'lock> {
    /// Starts a new run of the locked label. An existing run of the label is an error
    /// unless `replace`.
    pub fn create(lock: &'lock LabelLock, replace: bool) -> Result<Self, PublishError> {
        Self::create_on(lock, replace, DiskHandle::default())
    }

    /// [`RunFolder::create`] writing through `disk`.
    pub fn create_on(
        lock: &'lock LabelLock,
        replace: bool,
        disk: DiskHandle,
    ) -> Result<Self, PublishError> {
        let target = lock.folder();
        if target.exists() && !replace {
            return Err(PublishError::Exists(target));
        }
        let flusher = Flusher::start(&disk);
        Ok(RunFolder {
            lock,
            staging: leftovers::new_staging(lock.outputs(), lock.label())?,
            replace,
            files: Vec::new(),
            unsynced: Vec::new(),
            writer: Writer::start(&disk, &flusher),
            flusher,
            disk,
            committed: false,
        })
    }

    /// Starts a change to the run in place (a plan added to it): the staging folder begins
    /// as a copy of the run, made of hard links where the file system allows, of copies
    /// elsewhere. With no run in place it begins empty.
    pub fn amend(lock: &'lock LabelLock) -> Result<Self, PublishError> {
        let mut folder = Self::create_on(lock, true, DiskHandle::default())?;
        let target = lock.folder();
        if target.is_dir() {
            let staging = folder.staging.clone();
            link_tree(&target, &staging, &mut folder.unsynced)?;
        }
        Ok(folder)
    }

    /// Where the folder is being written (not its final place), once every file given so
    /// far is there. The
    /// path borrows the folder, so it cannot be held across a later write (whose file
    /// might not be there yet): ask again after writing.
    pub fn written(&mut self) -> Result<&Path, PublishError> {
        self.wait_written()?;
        Ok(&self.staging)
    }

    /// Waits until every file given so far is written (and their contents freed), and
    /// records them; the first failure to write is the answer.
    pub fn wait_written(&mut self) -> Result<(), PublishError> {
        let done = self.writer.wait();
        self.record_all(done)
    }

    /// Every file written so far, path inside the folder and SHA-256, in the order first
    /// written (once every file given so far is written).
    pub fn files(&mut self) -> Result<&[(String, String)], PublishError> {
        self.wait_written()?;
        Ok(&self.files)
    }

    /// Where the folder goes on commit.
    pub fn target(&self) -> PathBuf {
        self.lock.folder()
    }

    /// Writes one file at `relative` (forward slashes) inside the folder, replacing one
    /// there by a new file. The bytes are copied; [`RunFolder::write_owned`] takes them.
    pub fn write(&mut self, relative: &str, bytes: &[u8]) -> Result<(), PublishError> {
        self.write_owned(relative, bytes.to_vec())
    }

    /// Writes one file at `relative` (forward slashes) inside the folder, replacing one
    /// there by a new file, on the folder's writing thread: this returns at once (unless
    /// much already waits to be written), and a failure to write is reported by a later
    /// call (at the latest by [`RunFolder::commit`]), naming the file.
    pub fn write_owned(
        &mut self,
        relative: &str,
        contents: impl Contents + 'static,
    ) -> Result<(), PublishError> {
        self.take_written()?;
        let job = Job {
            relative: relative.to_string(),
            path: self.staging.join(relative),
            contents: Box::new(contents),
        };
        let Some(job) = self.writer.send(job) else {
            return Ok(());
        };
        let flusher = &self.flusher;
        let done = write_job(&self.disk, job, |path| flusher.queue(path));
        self.record_all([done])
    }

    /// Records what the writing thread has finished so far, without waiting.
    fn take_written(&mut self) -> Result<(), PublishError> {
        let done = self.writer.finished();
        self.record_all(done)
    }

    /// Records every file in `done`; the first failure to write is the answer.
    fn record_all(&mut self, done: impl IntoIterator<Item = Written>) -> Result<(), PublishError> {
        let mut first_error = Ok(());
        for done in done {
            let recorded = self.record(done);
            if first_error.is_ok() {
                first_error = recorded;
            }
        }
        first_error
    }

    /// Adds a written file's SHA-256 to the list (replacing an earlier one of the same
    /// file), or gives its failure.
    fn record(&mut self, done: Written) -> Result<(), PublishError> {
        let digest = done.result?;
        match self
            .files
            .iter_mut()
            .find(|(file, _)| *file == done.relative)
        {
            Some(entry) => entry.1 = digest,
            None => self.files.push((done.relative, digest)),
        }
        if let Some(path) = done.unflushed {
            self.unsynced.push(path);
        }
        Ok(())
    }

    /// Removes the folder at `relative` inside the folder being written, if there is one
    /// (a plan replaced by a new one of the same name).
    pub fn remove_folder(&mut self, relative: &str) -> Result<(), PublishError> {
        // Files still queued for that folder are written first, so none lands after.
        self.wait_written()?;
        let path = self.staging.join(relative);
        match std::fs::remove_dir_all(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(PublishError::Write(path, e)),
        }
    }

    /// Flushes everything written, puts the folder in place and returns its final path.
    pub fn commit(mut self) -> Result<PathBuf, PublishError> {
        self.sync_all()?;
        let target = self.target();
        let outputs = self.lock.outputs().to_path_buf();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |e| PublishError::Write(path, e)
        };
        let earlier = if target.exists() {
            if !self.replace {
                return Err(PublishError::Exists(target));
            }
            Some(self.swap_in(&target)?)
        } else {
            std::fs::rename(&self.staging, &target).map_err(io(&self.staging))?;
            None
        };
        self.committed = true;
        // The run is in place by now: a failure here is not a failure to publish.
        sync_path(&outputs).map_err(|e| PublishError::Io(outputs.clone(), e))?;
        if let Some(earlier) = earlier {
            // The new run is in place; a failure here leaves a hidden folder that the
            // label's next writer removes.
            let _ = std::fs::remove_dir_all(earlier);
        }
        Ok(target)
    }

    /// Puts the staging folder at `target` in place of the run there; returns where the
    /// earlier run now is.
    fn swap_in(&mut self, target: &Path) -> Result<PathBuf, PublishError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |e| PublishError::Write(path, e)
        };
        if exchange(&self.staging, target).map_err(io(target))? {
            return Ok(self.staging.clone());
        }
        let old = leftovers::new_old(self.lock.outputs(), self.lock.label());
        replace_in_two_steps(&self.staging, target, &old)?;
        Ok(old)
    }

    /// Waits for the files written to be flushed, flushes those that failed and every file
    /// copied (in parallel: each flush mostly waits on the disk), then every folder of the
    /// staging tree, deepest first.
    fn sync_all(&mut self) -> Result<(), PublishError> {
        self.wait_written()?;
        self.writer.stop();
        let queued: Vec<PathBuf> = self
            .files
            .iter()
            .map(|(file, _)| self.staging.join(file))
            .collect();
        let failed = self.flusher.finish(queued);
        self.unsynced.extend(failed);
        let disk = &self.disk;
        self.unsynced.par_iter().try_for_each(|path| {
            disk.sync(path)
                .map_err(|e| PublishError::Write(path.clone(), e))
        })?;
        self.unsynced.clear();
        let mut folders = Vec::new();
        collect_folders(&self.staging, &mut folders)?;
        for folder in folders.iter().rev() {
            disk.sync(folder)
                .map_err(|e| PublishError::Write(folder.clone(), e))?;
        }
        Ok(())
    }
}

impl Drop for RunFolder<'_> {
    fn drop(&mut self) {
        // The writing thread finishes first, so that it creates nothing once the staging
        // folder is removed.
        self.writer.stop();
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Moves the run at `target` aside to `old`, then `staging` to `target`. Should the
/// process stop between the two, the label's next writer puts `old` back
/// ([`leftovers::recover`]).
fn replace_in_two_steps(staging: &Path, target: &Path, old: &Path) -> Result<(), PublishError> {
    std::fs::rename(target, old).map_err(|e| PublishError::Write(target.to_path_buf(), e))?;
    if let Err(e) = std::fs::rename(staging, target) {
        // Put the earlier run back; should that fail too, the next writer does.
        let _ = std::fs::rename(old, target);
        return Err(PublishError::Write(staging.to_path_buf(), e));
    }
    Ok(())
}

/// `folder` and every folder under it, parents before children.
fn collect_folders(folder: &Path, out: &mut Vec<PathBuf>) -> Result<(), PublishError> {
    out.push(folder.to_path_buf());
    let io = |e| PublishError::Write(folder.to_path_buf(), e);
    for entry in std::fs::read_dir(folder).map_err(io)? {
        let entry = entry.map_err(io)?;
        if entry.file_type().map_err(io)?.is_dir() {
            collect_folders(&entry.path(), out)?;
        }
    }
    Ok(())
}

/// Fills `to` (which exists) with the tree under `from`: folders made, files hard-linked
/// where the file system allows and copied where it does not (copies are listed in
/// `copied`, to be flushed).
fn link_tree(from: &Path, to: &Path, copied: &mut Vec<PathBuf>) -> Result<(), PublishError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e| PublishError::Write(path, e)
    };
    for entry in std::fs::read_dir(from).map_err(io(from))? {
        let entry = entry.map_err(io(from))?;
        let (source, dest) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().map_err(io(&source))?.is_dir() {
            std::fs::create_dir(&dest).map_err(io(&dest))?;
            link_tree(&source, &dest, copied)?;
        } else if std::fs::hard_link(&source, &dest).is_err() {
            std::fs::copy(&source, &dest).map_err(io(&source))?;
            copied.push(dest);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::label_lock::Waiting;
    use super::*;

    fn lock(dir: &Path) -> LabelLock {
        LabelLock::acquire(dir, "2025-Q2", Waiting::Refuse, &mut |_| {}).expect("lock")
    }

    /// Commits a first run of the label holding `files`.
    fn first_run(lock: &LabelLock, files: &[(&str, &[u8])]) {
        let mut first = RunFolder::create(lock, false).expect("create");
        for (file, bytes) in files {
            first.write(file, bytes).expect("write");
        }
        first.commit().expect("commit");
    }

    /// Names under `dir` other than the lock file.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| !n.ends_with(".lock"))
            .collect();
        names.sort();
        names
    }

    /// Records each flush; fails the first flush of each file named in `flaky`.
    #[derive(Default)]
    struct Recording {
        synced: std::sync::Mutex<Vec<PathBuf>>,
        flaky: Vec<&'static str>,
        failed: std::sync::Mutex<Vec<PathBuf>>,
    }

    impl super::super::disk::Disk for Recording {
        fn create_file(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
            super::super::disk::LocalDisk.create_file(path, bytes)
        }

        fn sync(&self, path: &Path) -> std::io::Result<()> {
            let flaky = self.flaky.iter().any(|f| path.ends_with(f));
            let mut failed = self.failed.lock().expect("lock");
            if flaky && !failed.iter().any(|p| p == path) {
                failed.push(path.to_path_buf());
                return Err(std::io::Error::other("not yet"));
            }
            self.synced.lock().expect("lock").push(path.to_path_buf());
            super::super::disk::sync_path(path)
        }
    }

    /// Every file written is flushed before the folder is put in place: by the flushing
    /// thread as the files are written, and a flush that failed there is made again at the
    /// commit (here the first flush of `b.csv` fails, and of the replaced `c.txt`).
    #[test]
    fn every_file_is_flushed_before_the_commit_even_when_a_first_flush_fails() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = lock(dir.path());
        let disk = std::sync::Arc::new(Recording {
            flaky: vec!["b.csv", "c.txt"],
            ..Recording::default()
        });
        let mut folder =
            RunFolder::create_on(&lock, false, DiskHandle(disk.clone())).expect("create");
        let staging = folder.written().expect("written").to_path_buf();
        for (file, bytes) in [
            ("a.csv", "1"),
            ("maps/b.csv", "2"),
            ("c.txt", "3"),
            ("c.txt", "4"),
        ] {
            folder.write(file, bytes.as_bytes()).expect("write");
        }
        let target = folder.commit().expect("commit");
        let synced = disk.synced.lock().expect("lock").clone();
        for file in ["a.csv", "maps/b.csv", "c.txt"] {
            assert!(
                synced.contains(&staging.join(file)),
                "{file} flushed: {synced:?}"
            );
        }
        assert_eq!(disk.failed.lock().expect("lock").len(), 2);
        assert_eq!(
            std::fs::read_to_string(target.join("c.txt")).expect("read"),
            "4"
        );
    }

    #[test]
    fn an_unfinished_folder_leaves_the_earlier_run_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = lock(dir.path());
        first_run(&lock, &[("a.txt", b"first")]);
        {
            assert!(matches!(
                RunFolder::create(&lock, false),
                Err(PublishError::Exists(_))
            ));
            let mut second = RunFolder::create(&lock, true).expect("create");
            second.write("a.txt", b"second").expect("write");
            // dropped without commit, as when a later step fails
        }
        let text = std::fs::read_to_string(dir.path().join("2025-Q2/a.txt")).expect("read");
        assert_eq!(text, "first");
        assert_eq!(entries(dir.path()), vec!["2025-Q2"]);
    }

    #[test]
    fn a_replacement_swaps_the_whole_folder_and_leaves_nothing_beside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = lock(dir.path());
        first_run(&lock, &[("a.txt", b"first"), ("only-first/b.txt", b"b")]);
        let mut second = RunFolder::create(&lock, true).expect("create");
        second.write("a.txt", b"second").expect("write");
        second.write("a.txt", b"second, again").expect("rewrite");
        assert_eq!(second.files().expect("written").len(), 1);
        let path = second.commit().expect("commit");
        assert_eq!(path, dir.path().join("2025-Q2"));
        assert_eq!(
            std::fs::read_to_string(path.join("a.txt")).expect("read"),
            "second, again"
        );
        assert!(!path.join("only-first").exists());
        assert_eq!(entries(dir.path()), vec!["2025-Q2"]);
    }

    #[test]
    fn an_amendment_never_changes_the_run_in_place_until_it_is_committed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = lock(dir.path());
        first_run(
            &lock,
            &[("report.html", b"report"), ("plans/p-1/a.csv", b"plan")],
        );
        let run = dir.path().join("2025-Q2");
        let mut change = RunFolder::amend(&lock).expect("amend");
        assert_eq!(
            std::fs::read(change.written().expect("written").join("report.html")).expect("copied"),
            b"report"
        );
        change
            .write("report.html", b"report with plans")
            .expect("write");
        change.remove_folder("plans/p-1").expect("remove");
        change.write("plans/p-2/a.csv", b"plan 2").expect("write");
        // Rewriting the hard-linked report made a new file: the run in place is as it was.
        assert_eq!(
            std::fs::read(run.join("report.html")).expect("read"),
            b"report"
        );
        assert!(run.join("plans/p-1/a.csv").exists());
        drop(change);
        assert_eq!(
            std::fs::read(run.join("report.html")).expect("read"),
            b"report"
        );
        let mut change = RunFolder::amend(&lock).expect("amend");
        change
            .write("report.html", b"report with plans")
            .expect("write");
        change.commit().expect("commit");
        assert_eq!(
            std::fs::read(run.join("report.html")).expect("read"),
            b"report with plans"
        );
        assert_eq!(
            std::fs::read(run.join("plans/p-1/a.csv")).expect("kept"),
            b"plan"
        );
        assert_eq!(entries(dir.path()), vec!["2025-Q2"]);
    }

    #[test]
    fn the_two_step_replacement_leaves_the_new_run_in_place_and_the_earlier_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = lock(dir.path());
        first_run(&lock, &[("a.txt", b"first")]);
        let mut second = RunFolder::create(&lock, true).expect("create");
        second.write("a.txt", b"second").expect("write");
        let old = leftovers::new_old(dir.path(), "2025-Q2");
        let target = dir.path().join("2025-Q2");
        let staged = second.written().expect("written");
        replace_in_two_steps(staged, &target, &old).expect("replace");
        second.committed = true;
        assert_eq!(std::fs::read(target.join("a.txt")).expect("new"), b"second");
        assert_eq!(std::fs::read(old.join("a.txt")).expect("old"), b"first");
        // The next writer of the label removes the earlier run.
        drop(second);
        drop(lock);
        let next =
            LabelLock::acquire(dir.path(), "2025-Q2", Waiting::Refuse, &mut |_| {}).expect("lock");
        assert_eq!(next.recovered().len(), 1, "{:?}", next.recovered());
        assert_eq!(entries(dir.path()), vec!["2025-Q2"]);
    }

    /// Fails to create any file named `full.bin`, as a full disk would.
    struct FullFor;

    impl super::super::disk::Disk for FullFor {
        fn create_file(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
            if path.ends_with("full.bin") {
                return Err(std::io::Error::other("no space left"));
            }
            super::super::disk::LocalDisk.create_file(path, bytes)
        }
    }

    /// Files are written on a thread of their own: a file that fails there is reported
    /// (naming it) by a later call, at the latest by the commit, and the run in place is
    /// left as it was.
    #[test]
    fn a_file_that_fails_to_be_written_behind_the_run_stops_its_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = lock(dir.path());
        first_run(&lock, &[("a.txt", b"first")]);
        let disk = DiskHandle(std::sync::Arc::new(FullFor));
        let mut second = RunFolder::create_on(&lock, true, disk).expect("create");
        second.write("a.txt", b"second").expect("write");
        // Queued: the failure is not known yet, or is reported here.
        let queued = second.write_owned("maps/full.bin", vec![0u8; 1000]);
        let failure = match queued {
            Err(e) => e,
            Ok(()) => second
                .commit()
                .expect_err("the commit sees the failed write"),
        };
        match &failure {
            PublishError::Write(path, _) => {
                assert!(path.ends_with("maps/full.bin"), "{}", path.display());
            }
            other => panic!("expected a write error, got {other:?}"),
        }
        assert!(failure.to_string().contains("full.bin"), "{failure}");
        let text = std::fs::read_to_string(dir.path().join("2025-Q2/a.txt")).expect("read");
        assert_eq!(text, "first");
        assert_eq!(entries(dir.path()), vec!["2025-Q2"]);
    }

    #[test]
    fn labels_cannot_escape_the_outputs_folder() {
        assert!(check_label("2025-Q2").is_ok());
        assert!(check_label("../x").is_err());
        assert!(check_label(".hidden").is_err());
        assert!(check_label("").is_err());
    }
}
