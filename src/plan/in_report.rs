//! The run's report carries the sections of the plans made for the run: after a plan is
//! written, the block between the report's plan markers is rebuilt from every plan folder's
//! section, in folder-name order, so the report is the same whatever order the plans were
//! made in. The report is replaced through a temporary file and its SHA-256 in the
//! manifest is updated to match; a `report.pdf` beside it is printed again when Chromium is
//! found, and otherwise reported as out of date.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::publish::report::{PLANS_END, PLANS_NAV_END, PLANS_NAV_START, PLANS_START};
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

/// Rebuilds the plans block of `<run>/report.html` from `<run>/plans/*/section.html`.
pub fn refresh_run_report(run: &Path, data_date: &str) -> Result<ReportUpdate, PublishError> {
    let report = run.join("report.html");
    if !report.is_file() {
        return Ok(ReportUpdate::NoReport(report));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PublishError::Io(path, source)
    };
    let old = std::fs::read_to_string(&report).map_err(io(&report))?;
    let sections = plan_sections(&run.join("plans"))?;
    let Some(html) = splice(&old, &sections) else {
        return Ok(ReportUpdate::NoPlace(report));
    };
    replace_file(&report, html.as_bytes())?;
    update_manifest(run, &Sha256::digest(old.as_bytes()), html.as_bytes())?;
    let pdf = run.join("report.pdf");
    let (mut pdf_reprinted, mut pdf_stale) = (false, false);
    if pdf.is_file() {
        match crate::publish::pdf::find_chromium() {
            Some(browser) => {
                let old_pdf = std::fs::read(&pdf).map_err(io(&pdf))?;
                let bytes = crate::publish::pdf::print(&browser, &report, data_date)?;
                replace_file(&pdf, &bytes)?;
                update_manifest(run, &Sha256::digest(&old_pdf), &bytes)?;
                pdf_reprinted = true;
            }
            None => pdf_stale = true,
        }
    }
    Ok(ReportUpdate::Updated {
        report,
        plans: sections.len(),
        pdf_reprinted,
        pdf_stale,
    })
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

/// Replaces `path` through a temporary file beside it, so it is never half written.
fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.partial"));
    let io = |source| PublishError::Io(path.to_path_buf(), source);
    std::fs::write(&temporary, bytes).map_err(io)?;
    std::fs::rename(&temporary, path).map_err(io)
}

/// Swaps the old SHA-256 of a rewritten file for the new one in the run's manifest (a
/// SHA-256 is 64 hex digits, so the old one names exactly that file).
fn update_manifest(run: &Path, old: &[u8], new: &[u8]) -> Result<(), PublishError> {
    let manifest = run.join("manifest.json");
    if !manifest.is_file() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&manifest)
        .map_err(|source| PublishError::Io(manifest.clone(), source))?;
    let (old, new) = (hex(old), hex(&Sha256::digest(new)));
    if old == new || !text.contains(&old) {
        return Ok(());
    }
    replace_file(&manifest, text.replace(&old, &new).as_bytes())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
