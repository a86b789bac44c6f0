//! The hidden folders beside a label's run folder, and what the next writer of that label
//! does with those a stopped process left behind.
//!
//! A run stages into `.<label>.<id>.staging` (a name of its own, created exclusively) and,
//! where the operating system cannot swap two folders in one step, moves the earlier run
//! aside to `.<label>.<id>.old` for the moment between the two renames. Both are hidden, so
//! `compare` and `history` never take them for runs. Whoever next holds the label's lock
//! ([`super::label_lock`]) calls [`recover`]: an earlier run moved aside while the label
//! has no run is put back (the replacement stopped half-way); every other leftover is
//! removed. The folders of gapmap versions before the lock (`.<label>.partial`,
//! `.<label>.old`) are treated the same way.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::disk::sync_path;
use super::PublishError;

/// What a hidden folder beside a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Leftover {
    /// A run being written, or the earlier run after a one-step swap.
    Staging,
    /// The earlier run, moved aside during a two-step replacement.
    Old,
}

/// Makes a new, empty staging folder for `label` under `outputs`, named so that no other
/// process can have it (created exclusively, retried on the rare clash).
pub(crate) fn new_staging(outputs: &Path, label: &str) -> Result<PathBuf, PublishError> {
    loop {
        let path = outputs.join(name(label, &unique_id(), Leftover::Staging));
        match std::fs::create_dir(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(PublishError::Write(path, e)),
        }
    }
}

/// Where the earlier run of `label` goes for the moment of a two-step replacement.
pub(crate) fn new_old(outputs: &Path, label: &str) -> PathBuf {
    outputs.join(name(label, &unique_id(), Leftover::Old))
}

fn name(label: &str, id: &str, kind: Leftover) -> String {
    match kind {
        Leftover::Staging => format!(".{label}.{id}.staging"),
        Leftover::Old => format!(".{label}.{id}.old"),
    }
}

/// This process's id, a counter and the clock: no dots, so a name parses back unambiguously.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{}-{}-{nanos:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// What `file_name` is, when it is a leftover of `label` (and of no other label: `a` does
/// not claim `.a.b.1-0-f.staging`, which belongs to `a.b`).
pub(crate) fn parse(file_name: &str, label: &str) -> Option<Leftover> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(label)?;
    match rest {
        ".partial" => return Some(Leftover::Staging),
        ".old" => return Some(Leftover::Old),
        _ => {}
    }
    let rest = rest.strip_prefix('.')?;
    let (id, kind) = if let Some(id) = rest.strip_suffix(".staging") {
        (id, Leftover::Staging)
    } else {
        (rest.strip_suffix(".old")?, Leftover::Old)
    };
    is_unique_id(id).then_some(kind)
}

/// Whether `id` is one [`unique_id`] makes: decimal, decimal and hex, joined by dashes.
fn is_unique_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    let digits = |s: &str, hex: bool| {
        !s.is_empty()
            && s.chars().all(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    parts.len() == 3 && digits(parts[0], false) && digits(parts[1], false) && digits(parts[2], true)
}

/// Puts back or removes what a stopped writer of `label` left under `outputs`, and says
/// what it found and did, one sentence each. Call it only while holding the label's lock.
pub(crate) fn recover(outputs: &Path, label: &str) -> Result<Vec<String>, PublishError> {
    let mut found: Vec<(String, Leftover)> = Vec::new();
    let entries = match std::fs::read_dir(outputs) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(PublishError::Io(outputs.to_path_buf(), e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| PublishError::Io(outputs.to_path_buf(), e))?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if let Some(kind) = parse(&file_name, label) {
            found.push((file_name, kind));
        }
    }
    found.sort();
    let mut said = Vec::new();
    let target = outputs.join(label);
    if !target.exists() {
        if let Some(at) = found.iter().position(|(_, kind)| *kind == Leftover::Old) {
            let (old, _) = found.remove(at);
            let from = outputs.join(&old);
            std::fs::rename(&from, &target).map_err(|e| PublishError::Io(from.clone(), e))?;
            said.push(format!(
                "found the earlier run of {label} moved aside to {} by a replacement that stopped half-way: put it back as {}",
                from.display(),
                target.display()
            ));
        }
    }
    for (name, kind) in &found {
        let path = outputs.join(name);
        std::fs::remove_dir_all(&path).map_err(|e| PublishError::Io(path.clone(), e))?;
        said.push(match kind {
            Leftover::Staging => format!(
                "found {}, left by a run of {label} that stopped before it finished (or by the earlier run it replaced): removed it",
                path.display()
            ),
            Leftover::Old => format!(
                "found {}, the earlier run of {label} left after it was replaced: removed it",
                path.display()
            ),
        });
    }
    if !said.is_empty() {
        sync_path(outputs).map_err(|e| PublishError::Io(outputs.to_path_buf(), e))?;
    }
    Ok(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_to_their_own_label_only() {
        let staging = name("2025-Q2", &unique_id(), Leftover::Staging);
        let old = name("2025-Q2", &unique_id(), Leftover::Old);
        assert_eq!(parse(&staging, "2025-Q2"), Some(Leftover::Staging));
        assert_eq!(parse(&old, "2025-Q2"), Some(Leftover::Old));
        assert_eq!(
            parse(".2025-Q2.partial", "2025-Q2"),
            Some(Leftover::Staging)
        );
        assert_eq!(parse(".2025-Q2.old", "2025-Q2"), Some(Leftover::Old));
        // Another label's folders, the lock file and the run itself are not leftovers.
        let other = name("a.b", &unique_id(), Leftover::Staging);
        assert_eq!(parse(&other, "a"), None);
        assert_eq!(parse(&other, "a.b"), Some(Leftover::Staging));
        assert_eq!(parse(".a.b.partial", "a"), None);
        assert_eq!(parse(".a.b.old", "a"), None);
        assert_eq!(parse(".2025-Q2.lock", "2025-Q2"), None);
        assert_eq!(parse("2025-Q2", "2025-Q2"), None);
        assert_eq!(parse(".2025-Q2.staging", "2025-Q2"), None);
    }

    fn folder(path: &Path, text: &str) {
        std::fs::create_dir_all(path).expect("mkdir");
        std::fs::write(path.join("manifest.json"), text).expect("write");
    }

    #[test]
    fn a_replacement_stopped_between_its_two_steps_puts_the_earlier_run_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path();
        // Killed after moving the earlier run aside, before moving the new one in.
        folder(&new_old(out, "q"), "earlier");
        let staging = new_staging(out, "q").expect("staging");
        folder(&staging, "new");
        folder(&out.join("q.b"), "another label");
        let said = recover(out, "q").expect("recover");
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].contains("put it back"), "{said:?}");
        assert!(said[1].contains("stopped before it finished"), "{said:?}");
        let manifest = std::fs::read_to_string(out.join("q/manifest.json")).expect("read");
        assert_eq!(manifest, "earlier");
        let mut left: Vec<String> = std::fs::read_dir(out)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, vec!["q", "q.b"]);
        assert!(recover(out, "q").expect("again").is_empty());
    }

    #[test]
    fn with_the_run_in_place_every_leftover_is_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path();
        folder(&out.join("q"), "current");
        folder(&new_old(out, "q"), "earlier");
        folder(&out.join(".q.partial"), "from an older gapmap");
        let said = recover(out, "q").expect("recover");
        assert_eq!(said.len(), 2, "{said:?}");
        let manifest = std::fs::read_to_string(out.join("q/manifest.json")).expect("read");
        assert_eq!(manifest, "current");
        assert_eq!(std::fs::read_dir(out).expect("list").count(), 1);
    }
}
