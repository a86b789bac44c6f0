//! The run's report carries the sections of the plans made for the run: after a plan is
//! written, the block between the report's plan markers is rebuilt from every plan folder's
//! section, in folder-name order, so the report is the same whatever order the plans were
//! made in. All of it happens in the run folder being written (a copy of the run in place,
//! swapped in whole on commit): the report is written anew, a `report.pdf` beside it is
//! printed again when Chromium is found (and otherwise reported as out of date), and the
//! manifest, written last, lists the plan's files and the new checksums, so the run's
//! report, manifest and plans always agree.

use std::path::{Path, PathBuf};

use crate::publish::manifest::{listed_outputs, with_outputs, OutputRecord, MANIFEST};
use crate::publish::report::{PLANS_END, PLANS_NAV_END, PLANS_NAV_START, PLANS_START};
use crate::publish::run_folder::RunFolder;
use crate::publish::PublishError;

/// The file in each plan folder holding its report section.
pub(crate) const SECTION: &str = "section.html";

/// What happened to the run's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportUpdate {
    /// The report now holds this many plan sections.
    Updated {
        report: PathBuf,
        plans: usize,
        /// `report.pdf` was printed again.
        pdf_reprinted: bool,
        /// `report.pdf` exists but could not be printed again (no Chromium).
        pdf_stale: bool,
    },
    /// No report in the run folder (the run has not been published under this label).
    NoReport(PathBuf),
    /// The report has no place for plans (written by an older gapmap).
    NoPlace(PathBuf),
}

/// Rebuilds the plans block of the report in the run folder being written from its
/// `plans/*/section.html`, and lists in its manifest what was written (the plan folder
/// `plan_dir` in full, replacing what the manifest listed under it).
pub fn refresh_run_report(
    folder: &mut RunFolder,
    plan_dir: &str,
    data_date: &str,
) -> Result<ReportUpdate, PublishError> {
    let update = splice_report(folder, data_date)?;
    update_manifest(folder, plan_dir)?;
    Ok(update)
}

fn splice_report(folder: &mut RunFolder, data_date: &str) -> Result<ReportUpdate, PublishError> {
    let target = folder.target();
    let staged = folder.written()?;
    let report = staged.join("report.html");
    if !report.is_file() {
        return Ok(ReportUpdate::NoReport(target.join("report.html")));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishError::Io(path, source)
    };
    let old = std::fs::read_to_string(&report).map_err(io(&report))?;
    let sections = plan_sections(&staged.join("plans"))?;
    let has_pdf = staged.join("report.pdf").is_file();
    let Some(html) = splice(&old, &sections) else {
        return Ok(ReportUpdate::NoPlace(target.join("report.html")));
    };
    folder.write("report.html", html.as_bytes())?;
    let (mut pdf_reprinted, mut pdf_stale) = (false, false);
    if has_pdf {
        match crate::publish::pdf::find_chromium() {
            Some(browser) => {
                // The new report, once it is written.
                let report = folder.written()?.join("report.html");
                let bytes = crate::publish::pdf::print(&browser, &report, data_date)?;
                folder.write("report.pdf", &bytes)?;
                pdf_reprinted = true;
            }
            None => pdf_stale = true,
        }
    }
    Ok(ReportUpdate::Updated {
        report: target.join("report.html"),
        plans: sections.len(),
        pdf_reprinted,
        pdf_stale,
    })
}

/// Rewrites the manifest of the run folder being written, if it has one, so that it lists
/// every file written into the folder (the plan's, the report) with its new SHA-256 and
/// nothing that was under `plan_dir` before. Plans' files come after the run's own, by path,
/// so the manifest is the same whatever order the plans were made in.
fn update_manifest(folder: &mut RunFolder, plan_dir: &str) -> Result<(), PublishError> {
    let path = folder.written()?.join(MANIFEST);
    let files = folder.files()?.to_vec();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(PublishError::Io(path, e)),
    };
    let unreadable = |message: String| PublishError::Manifest {
        path: folder.target().join(MANIFEST),
        message,
    };
    let listed = listed_outputs(text.as_bytes())
        .map_err(|e| unreadable(format!("is not a gapmap run manifest: {e}")))?;
    let replaced = format!("{plan_dir}/");
    let mut outputs: Vec<OutputRecord> = listed
        .into_iter()
        .filter(|o| !o.file.starts_with(&replaced))
        .collect();
    for (file, sha256) in files.iter().filter(|(file, _)| file != MANIFEST) {
        match outputs.iter_mut().find(|o| &o.file == file) {
            Some(listed) => listed.sha256.clone_from(sha256),
            None => outputs.push(OutputRecord {
                file: file.clone(),
                sha256: sha256.clone(),
            }),
        }
    }
    let (mut plans, mut outputs): (Vec<OutputRecord>, Vec<OutputRecord>) = outputs
        .into_iter()
        .partition(|o| o.file.starts_with("plans/"));
    plans.sort_by(|a, b| a.file.cmp(&b.file));
    outputs.extend(plans);
    let Some(text) = with_outputs(&text, &outputs) else {
        return Err(unreadable(
            "is not laid out as this gapmap writes manifests: run `gapmap run --force` to write the run again, then the plan".to_string(),
        ));
    };
    folder.write(MANIFEST, text.as_bytes())
}

/// (folder name, section) of every plan folder with a section, by folder name.
fn plan_sections(plans: &Path) -> Result<Vec<(String, String)>, PublishError> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(plans) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(source) => return Err(PublishError::Io(plans.to_path_buf(), source)),
    };
    for entry in entries {
        let entry = entry.map_err(|source| PublishError::Io(plans.to_path_buf(), source))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let section = entry.path().join(SECTION);
        // Staging folders start with a dot; plans from before sections existed have none.
        if name.starts_with('.') || !section.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&section)
            .map_err(|source| PublishError::Io(section.clone(), source))?;
        out.push((name, text));
    }
    out.sort();
    Ok(out)
}

/// The report with its plans block and nav link rebuilt; `None` when it has no markers.
fn splice(report: &str, sections: &[(String, String)]) -> Option<String> {
    let mut block = String::new();
    let mut nav = String::new();
    if !sections.is_empty() {
        block.push_str("<section id=\"plans\">\n<h2>Where new capacity would help most</h2>\n");
        block.push_str(&format!(
            "<p>{} made with <code>gapmap plan</code> for this run: where new sites (or more places at existing services) would bring most people within reach of a suitable service, give a place to most people waiting, or bring people closest, with how far each plan could be from the best possible. Each plan's files are in <code>plans/</code>.</p>\n",
            if sections.len() == 1 { "One plan".to_string() } else { format!("{} plans", sections.len()) }
        ));
        for (_, section) in sections {
            block.push_str(section);
        }
        block.push_str("</section>\n");
        nav.push_str("<a href=\"#plans\">Where to add capacity</a>");
    }
    let html = between(report, PLANS_START, PLANS_END, &format!("\n{block}"))?;
    between(&html, PLANS_NAV_START, PLANS_NAV_END, &nav)
}

/// `text` with what lies between `start` and `end` replaced by `inner`.
fn between(text: &str, start: &str, end: &str, inner: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = from + text[from..].find(end)?;
    Some(format!("{}{inner}{}", &text[..from], &text[to..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> String {
        format!("<nav><a>A</a>{PLANS_NAV_START}{PLANS_NAV_END}<a>M</a></nav>\n<main>\n<section>gaps</section>\n{PLANS_START}\n{PLANS_END}\n<section>method</section>\n")
    }

    #[test]
    fn plans_go_between_the_markers_in_name_order_and_can_be_taken_out() {
        let sections = vec![
            (
                "managed_pa-2".to_string(),
                "<section>PA</section>\n".to_string(),
            ),
            (
                "pmld-3".to_string(),
                "<section>PMLD</section>\n".to_string(),
            ),
        ];
        let with = splice(&report(), &sections).expect("markers");
        let (gaps, pa, pmld, method) = (
            with.find("gaps").expect("gaps"),
            with.find("PA</section>").expect("pa"),
            with.find("PMLD").expect("pmld"),
            with.find("method").expect("method"),
        );
        assert!(gaps < pa && pa < pmld && pmld < method, "{with}");
        assert!(with.contains("<a>A</a><!-- gapmap:plans-nav --><a href=\"#plans\">Where to add capacity</a><!-- /gapmap:plans-nav --><a>M</a>"));
        assert!(with.contains("2 plans made with"));
        // Splicing again is stable, and splicing none restores the report.
        assert_eq!(splice(&with, &sections).expect("markers"), with);
        assert_eq!(splice(&with, &[]).expect("markers"), report());
    }

    #[test]
    fn a_report_without_markers_is_left_alone() {
        assert_eq!(splice("<html><main></main></html>", &[]), None);
    }
}
