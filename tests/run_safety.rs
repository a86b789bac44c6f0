//! Nothing lost when runs race, are killed or the disk fails: real `gapmap` processes of
//! one label started together, killed (SIGKILL) at points spread through a run, a
//! replacement and a plan, and runs whose disk fails part-way (by fault injection through
//! the library's `Disk`). After each, the label's folder is checked with `gapmap verify`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{gapmap, leftovers, stderr, stdout};

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the gapmap binary starts")
}

fn out_str(dir: &Path) -> &str {
    dir.to_str().expect("utf8")
}

/// `gapmap verify` on the folder: whether it says the folder is whole, and what it printed.
fn verify(folder: &Path) -> (bool, String) {
    let o = gapmap(&["verify", out_str(folder)]);
    let whole = o.status.success();
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(
        whole,
        said.contains("is whole"),
        "verify's exit code and words disagree: {said}"
    );
    (whole, said)
}

/// How a process of a race ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Succeeded,
    /// Refused as busy, naming the label and a process id.
    Busy(u32),
    /// Refused because the label had a run already (no --force), once its inputs were
    /// checked.
    Exists,
}

fn outcome(o: &Output, label: &str) -> Outcome {
    let err = stderr(o);
    if o.status.success() {
        return Outcome::Succeeded;
    }
    assert_eq!(o.status.code(), Some(1), "{err}");
    if err.contains("already exists: give --force") {
        return Outcome::Exists;
    }
    // Refused as busy before any analysis: nothing was loaded.
    assert!(!err.contains("loading inputs"), "refused late: {err}");
    let busy = format!("run label {label:?} is busy: process ");
    let at = err
        .find(&busy)
        .unwrap_or_else(|| panic!("neither success nor the busy message: {err}"));
    let pid: String = err[at + busy.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Outcome::Busy(pid.parse().expect("a process id"))
}

/// Starts every command at once and waits for all: (process id, output) each.
fn race(commands: &[Vec<String>]) -> Vec<(u32, Output)> {
    let children: Vec<Child> = commands
        .iter()
        .map(|args| spawn(&args.iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    children
        .into_iter()
        .map(|c| (c.id(), c.wait_with_output().expect("wait")))
        .collect()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// `gapmap plan` of one new PMLD site with 5 places into the run `label` under `outputs`,
/// replacing an earlier plan of the same name.
fn pmld_plan(outputs: &Path, label: &str) -> Vec<String> {
    args(&[
        "plan",
        "--outputs",
        out_str(outputs),
        "--label",
        label,
        "--lot",
        "pmld",
        "--new-services",
        "1",
        "--places",
        "5",
        "--force",
    ])
}

/// Checks a race: each process succeeded or was refused as busy by one of the racers (or,
/// without --force, because a racer had already written the label); at least one succeeded
/// and the label's folder verifies, with nothing left beside it. Returns how many
/// succeeded.
fn check_race(results: &[(u32, Output)], outputs: &Path, label: &str) -> usize {
    let pids: Vec<u32> = results.iter().map(|(pid, _)| *pid).collect();
    let mut succeeded = 0;
    for (_, o) in results {
        match outcome(o, label) {
            Outcome::Succeeded => succeeded += 1,
            Outcome::Busy(holder) => assert!(
                pids.contains(&holder),
                "the busy message names {holder}, not one of the racers {pids:?}"
            ),
            Outcome::Exists => {}
        }
    }
    assert!(succeeded >= 1, "no process succeeded");
    let (whole, said) = verify(&outputs.join(label));
    assert!(whole, "{said}");
    assert_eq!(leftovers(outputs), Vec::<String>::new());
    succeeded
}

#[test]
fn racing_runs_and_plans_of_one_label_leave_one_whole_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let run = args(&["run", "--out", out_str(out), "--label", "same"]);
    // Eight at once: exactly one writes the label, the others are refused.
    let results = race(&vec![run.clone(); 8]);
    assert_eq!(check_race(&results, out, "same"), 1);
    // Eight replacing it at once.
    let mut force = run.clone();
    force.push("--force".into());
    let results = race(&vec![force.clone(); 8]);
    check_race(&results, out, "same");
    // Plans racing replacements of the run they write into.
    let plan = pmld_plan(out, "same");
    let mixed = vec![
        plan.clone(),
        force.clone(),
        plan.clone(),
        force.clone(),
        plan,
        force,
    ];
    let results = race(&mixed);
    check_race(&results, out, "same");
}

#[test]
fn waiting_runs_queue_and_all_succeed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let wait = args(&[
        "run",
        "--out",
        out_str(out),
        "--label",
        "queued",
        "--force",
        "--wait",
    ]);
    let results = race(&vec![wait; 3]);
    for (_, o) in &results {
        assert!(o.status.success(), "{}", stderr(o));
    }
    let waited = results
        .iter()
        .filter(|(_, o)| stderr(o).contains("waiting for it to finish"))
        .count();
    assert!(waited >= 1, "no process had to wait");
    let (whole, said) = verify(&out.join("queued"));
    assert!(whole, "{said}");
    assert_eq!(leftovers(out), Vec::<String>::new());
}

/// Runs `command` to the end once and returns how long it took.
fn timed(command: &[&str]) -> Duration {
    let start = Instant::now();
    let o = gapmap(command);
    assert!(o.status.success(), "{}", stderr(&o));
    start.elapsed()
}

/// What a kill found.
struct Kill {
    /// What the process printed.
    err: String,
    /// The kill stopped it.
    stopped: bool,
    /// It had finished before the kill.
    finished: bool,
}

/// Starts `command` and kills it (SIGKILL) after `delay`.
fn killed_after(command: &[&str], delay: Duration) -> Kill {
    let mut child = spawn(command);
    std::thread::sleep(delay);
    // The process may have finished already: killing it then does nothing.
    let finished = child.try_wait().expect("try_wait").is_some();
    let _ = child.kill();
    let o = child.wait_with_output().expect("wait");
    Kill {
        err: stderr(&o),
        stopped: !finished && !o.status.success(),
        finished,
    }
}

/// Where the kills of [`kill_through`] fall: `points` moments spread evenly between the
/// fractions `from` and `to` of the time a whole run of the command takes. That time is
/// measured once, on a machine busy with other tests: each kill that finds the process
/// already finished takes a tenth off it for the kills after, so that they still land
/// inside the command when the measured run was a slow one.
struct Kills {
    points: u32,
    from: f64,
    to: f64,
    /// The label may hold no run (the command is its first run).
    may_be_absent: bool,
}

impl Kills {
    /// `points` kills from the start to a little past the end of a whole run.
    fn through(points: u32, may_be_absent: bool) -> Kills {
        Kills {
            points,
            from: 0.0,
            to: 1.05,
            may_be_absent,
        }
    }
}

/// Checks that at least `part_way` kills landed inside the command (after it took the
/// lock) and at least one left a folder behind for the next process to recover.
fn assert_exercised((part_way, left_behind): (u32, u32), at_least: u32) {
    assert!(
        part_way >= at_least && left_behind >= 1,
        "{part_way} kills part-way (wanted {at_least}), {left_behind} left a folder behind"
    );
}

/// Kills `command` at the moments `kills` says. After each kill the label must hold a whole
/// run (checked by `gapmap verify`) or, when `may_be_absent`, no run; each next process that
/// got as far as loading inputs must first have said what it found left behind; and a last
/// run to the end leaves a whole run and nothing beside it.
///
/// Returns how many kills stopped the process part-way (after it had taken the lock) and
/// how many of those left a folder beside the run for the next process to deal with.
fn kill_through(outputs: &Path, label: &str, command: &[&str], kills: &Kills) -> (u32, u32) {
    let Kills {
        points,
        from,
        to,
        may_be_absent,
    } = *kills;
    let mut full = timed(command);
    let folder = outputs.join(label);
    let (mut part_way, mut left_behind) = (0, 0);
    for point in 0..points {
        if may_be_absent {
            let _ = std::fs::remove_dir_all(&folder);
        }
        let left = leftovers(outputs);
        let delay = full.mul_f64(from + (to - from) * f64::from(point) / f64::from(points));
        let Kill {
            err,
            stopped,
            finished,
        } = killed_after(command, delay);
        if finished {
            full = full.mul_f64(0.9);
        }
        if stopped && err.contains("loading inputs") {
            part_way += 1;
            left_behind += u32::from(!leftovers(outputs).is_empty());
        }
        if err.contains("loading inputs") {
            for name in &left {
                assert!(
                    err.contains(&format!("found {}", outputs.join(name).display()))
                        || err
                            .contains(&format!("moved aside to {}", outputs.join(name).display())),
                    "{name} was left, and the next run did not say so: {err}"
                );
            }
        }
        if may_be_absent && !folder.exists() {
            continue;
        }
        let (whole, said) = verify(&folder);
        assert!(whole, "killed after {delay:?}: {said}");
    }
    let err = stderr(&gapmap(command));
    let (whole, said) = verify(&folder);
    assert!(whole, "{err}\n{said}");
    assert_eq!(leftovers(outputs), Vec::<String>::new());
    eprintln!(
        "{command:?}: {points} kills, {part_way} part-way, {left_behind} left a folder behind"
    );
    (part_way, left_behind)
}

#[test]
fn killed_runs_leave_the_label_whole_and_the_next_run_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let run = ["run", "--out", out_str(out), "--label", "k"];
    // The kills land inside runs, and some leave staging folders to recover from.
    assert_exercised(kill_through(out, "k", &run, &Kills::through(10, true)), 5);
    let force = ["run", "--out", out_str(out), "--label", "k", "--force"];
    let replacing = Kills::through(20, false);
    assert_exercised(kill_through(out, "k", &force, &replacing), 10);
}

#[test]
fn killed_plans_leave_the_run_whole_and_the_next_plan_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let o = gapmap(&["run", "--out", out_str(out), "--label", "p"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plan = pmld_plan(out, "p");
    let plan: Vec<&str> = plan.iter().map(String::as_str).collect();
    // A plan spends most of its time planning, and writes the run only at the end: kill it
    // through the whole, then many times through its last fifth.
    let (part_way, _) = kill_through(out, "p", &plan, &Kills::through(6, false));
    assert!(part_way >= 3, "{part_way}");
    let end = Kills {
        points: 14,
        from: 0.8,
        to: 1.05,
        may_be_absent: false,
    };
    assert_exercised(kill_through(out, "p", &plan, &end), 3);
    // The plan is in the run's report and manifest.
    let report = std::fs::read_to_string(out.join("p/report.html")).expect("report");
    assert!(report.contains("id=\"plan-pmld-1\""));
    let manifest = std::fs::read_to_string(out.join("p/manifest.json")).expect("manifest");
    assert!(manifest.contains("\"plans/pmld-1/chosen_sites.csv\""));
}

#[test]
fn verify_names_each_file_missing_changed_or_not_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let o = gapmap(&["run", "--out", out_str(out), "--label", "v"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let folder = out.join("v");
    // By label under --outputs, and by path.
    let o = gapmap(&["verify", "v", "--outputs", out_str(out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).expect("read"))
            .expect("json");
    let listed = manifest["outputs"].as_array().expect("outputs").len();
    assert!(listed > 100, "{listed}");
    assert!(
        stdout(&o).contains(&format!("is whole: {listed} files match")),
        "{}",
        stdout(&o)
    );
    std::fs::remove_file(folder.join("tables/gaps.csv")).expect("remove");
    std::fs::write(folder.join("report.html"), "<p>edited</p>").expect("edit");
    std::fs::write(folder.join("maps/extra.geojson"), "{}").expect("add");
    let o = gapmap(&["verify", out_str(&folder)]);
    assert_eq!(o.status.code(), Some(1));
    let said = stdout(&o);
    let path = |f: &str| folder.join(f).display().to_string();
    assert!(
        said.contains(&format!("missing: {}", path("tables/gaps.csv"))),
        "{said}"
    );
    assert!(
        said.contains(&format!("changed: {}", path("report.html"))),
        "{said}"
    );
    assert!(
        said.contains(&format!("not listed: {}", path("maps/extra.geojson"))),
        "{said}"
    );
    assert!(
        stderr(&o).contains("1 missing and 1 changed; 1 not listed"),
        "{}",
        stderr(&o)
    );
    // A folder with no manifest is not a run folder.
    let o = gapmap(&["verify", out_str(&folder.join("tables"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("manifest.json: not there"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn compare_and_history_read_only_committed_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let o = gapmap(&["run", "--out", out_str(out), "--label", "c"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A staging folder of a run that was killed, holding a copy of the run.
    let staging: PathBuf = out.join(".c.123-0-ab.staging");
    copy_tree(&out.join("c"), &staging);
    let o = gapmap(&["history", "--outputs", out_str(out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let runs: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| !l.starts_with("Wrote"))
        .map(String::from)
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    let o = gapmap(&["compare", out_str(&staging), "c", "--outputs", out_str(out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a run folder"), "{}", stderr(&o));
    // The next run of the label removes the staging folder and says so.
    let o = gapmap(&["run", "--out", out_str(out), "--label", "c", "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("found {}", staging.display())),
        "{}",
        stderr(&o)
    );
    assert_eq!(leftovers(out), Vec::<String>::new());
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_tree(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy");
        }
    }
}

mod write_failures {
    //! Fault injection through the library's `Disk`: a write that fails part-way with a
    //! full disk, an I/O error or a refused permission, and a flush that fails.

    use std::io;
    use std::path::Path;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use gapmap::pipeline::{self, RunOptions};
    use gapmap::publish::disk::{Disk, DiskHandle, LocalDisk};

    use super::common::{leftovers, snapshot};

    // The numbers Linux and macOS give these errors.
    const ENOSPC: i32 = 28;
    const EIO: i32 = 5;
    const EACCES: i32 = 13;

    /// Writes `budget` bytes in all, then fails the write under way after what is left of
    /// the budget, with `errno`; flushes fail with `errno` when `fail_sync`.
    struct FailingDisk {
        budget: AtomicUsize,
        errno: i32,
        fail_sync: bool,
    }

    impl Disk for FailingDisk {
        fn create_file(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            let left = self.budget.load(Ordering::SeqCst);
            if bytes.len() <= left {
                self.budget.store(left - bytes.len(), Ordering::SeqCst);
                return LocalDisk.create_file(path, bytes);
            }
            // A real full disk leaves the part that fitted.
            LocalDisk.create_file(path, &bytes[..left])?;
            self.budget.store(0, Ordering::SeqCst);
            Err(io::Error::from_raw_os_error(self.errno))
        }

        fn sync(&self, path: &Path) -> io::Result<()> {
            if self.fail_sync {
                return Err(io::Error::from_raw_os_error(self.errno));
            }
            LocalDisk.sync(path)
        }
    }

    fn options(outputs: &Path, label: &str, disk: DiskHandle) -> RunOptions {
        RunOptions {
            outputs: outputs.to_path_buf(),
            label: Some(label.to_string()),
            force: true,
            compare_with: None,
            pdf: false,
            wait: false,
            disk,
        }
    }

    /// Runs the sample under `label` through `disk`: the error's text, or `None` on success.
    fn run(outputs: &Path, label: &str, disk: DiskHandle) -> Option<String> {
        let config = gapmap::sample::config().expect("sample");
        let options = options(outputs, label, disk);
        let lock = pipeline::lock(&config, &options, &mut |_| {}).expect("lock");
        pipeline::run(&config, &options, &lock, &mut |_| {})
            .err()
            .map(|e| e.to_string())
    }

    #[test]
    fn a_failed_write_stops_the_run_naming_the_file_and_leaves_earlier_runs_as_they_were() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path();
        assert_eq!(run(out, "q", DiskHandle::default()), None);
        let before = snapshot(&out.join("q"));
        let cases = [
            (ENOSPC, 0, false, "No space left on device"),
            (ENOSPC, 3_000_000, false, "No space left on device"),
            (EIO, 40_000, false, "Input/output error"),
            (EACCES, 500, false, "Permission denied"),
            (EIO, usize::MAX, true, "Input/output error"),
        ];
        for (errno, budget, fail_sync, reason) in cases {
            let disk = DiskHandle::new(FailingDisk {
                budget: AtomicUsize::new(budget),
                errno,
                fail_sync,
            });
            let err = run(out, "q", disk).expect("the run fails");
            assert!(err.contains(reason), "{err}");
            // The path named is a file or folder being written, under the outputs folder.
            assert!(err.starts_with(&out.display().to_string()), "{err}");
            assert!(err.contains("nothing was published"), "{err}");
            assert_eq!(
                snapshot(&out.join("q")),
                before,
                "the earlier run changed: {err}"
            );
            assert_eq!(leftovers(out), Vec::<String>::new(), "{err}");
        }
        // A new label whose first run fails leaves no folder at all.
        let disk = DiskHandle::new(FailingDisk {
            budget: AtomicUsize::new(100_000),
            errno: ENOSPC,
            fail_sync: false,
        });
        assert!(run(out, "new", disk).is_some());
        assert!(!out.join("new").exists());
        assert_eq!(leftovers(out), Vec::<String>::new());
    }
}

/// The workbook's large tables are written through the temporary folder: when it cannot be
/// written, the run stops with an error that names it and the remedy, and the earlier run
/// of the label stays as it was.
#[test]
fn an_unwritable_temporary_folder_stops_the_run_and_keeps_the_earlier_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path();
    let o = gapmap(&["run", "--out", out_str(out), "--label", "t"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = common::snapshot(&out.join("t"));
    let missing = dir.path().join("no-such-folder");
    let o = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(["run", "--out", out_str(out), "--label", "t", "--force"])
        .env("TMPDIR", &missing)
        .output()
        .expect("the gapmap binary runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("writing tables/gapmap.xlsx")
            && err.contains(&format!("the temporary folder {}", missing.display()))
            && err.contains("set TMPDIR"),
        "{err}"
    );
    assert_eq!(common::snapshot(&out.join("t")), before);
    assert!(leftovers(out).is_empty(), "{:?}", leftovers(out));
}
