//! The report as a PDF, printed from `report.html` by headless Chromium when it is
//! installed (gapmap draws everything else itself; a PDF typesetter is not worth
//! building in). The print stylesheet of [`crate::publish::report`] decides the pages.
//!
//! Chromium stamps each PDF with the time it was made and a random document id; both are
//! overwritten in place (same length, so the PDF's cross-reference offsets stay right) with
//! the run's data date and zeros, so the same inputs give the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Names Chromium goes by on Debian, Ubuntu and elsewhere.
const BROWSERS: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Printing the report failed.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("running {browser} to print {html}: {source}")]
    Start {
        browser: String,
        html: PathBuf,
        source: std::io::Error,
    },
    #[error("{browser} did not print {html} to PDF: {stderr}")]
    Failed {
        browser: String,
        html: PathBuf,
        stderr: String,
    },
}

/// The first Chromium found on the PATH.
pub fn find_chromium() -> Option<String> {
    let path = std::env::var_os("PATH")?;
    BROWSERS
        .iter()
        .find(|b| std::env::split_paths(&path).any(|dir| dir.join(b).is_file()))
        .map(|b| b.to_string())
}

/// Prints `html` to a PDF with `browser` (A4, no header or footer lines) and returns its
/// bytes, with the creation time and document id fixed from `data_date`.
pub fn print(browser: &str, html: &Path, data_date: &str) -> Result<Vec<u8>, PdfError> {
    let scratch = html.with_file_name(".report-pdf");
    let pdf = scratch.join("report.pdf");
    let start = |source| PdfError::Start {
        browser: browser.to_string(),
        html: html.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(&scratch).map_err(start)?;
    let absolute = std::fs::canonicalize(html).map_err(start)?;
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", absolute.display()))
        .output()
        .map_err(start)?;
    let bytes = std::fs::read(&pdf);
    let _ = std::fs::remove_dir_all(&scratch);
    match bytes {
        Ok(b) if b.starts_with(b"%PDF") => Ok(fix_stamps(b, data_date)),
        _ => Err(PdfError::Failed {
            browser: browser.to_string(),
            html: html.to_path_buf(),
            stderr: String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or("no PDF written")
                .to_string(),
        }),
    }
}

/// Overwrites `/CreationDate (D:...)`, `/ModDate (D:...)` and the `/ID [<...> <...>]` hex
/// strings in place: dates become the data date (digits only, the rest kept), ids zeros.
pub fn fix_stamps(mut pdf: Vec<u8>, data_date: &str) -> Vec<u8> {
    let digits: Vec<u8> = data_date
        .bytes()
        .filter(u8::is_ascii_digit)
        .chain(std::iter::repeat(b'0'))
        .take(14)
        .collect();
    for key in [&b"/CreationDate (D:"[..], &b"/ModDate (D:"[..]] {
        for at in find_all(&pdf, key) {
            let start = at + key.len();
            let mut i = 0;
            while start + i < pdf.len() && i < 14 && pdf[start + i].is_ascii_digit() {
                pdf[start + i] = digits[i];
                i += 1;
            }
            // The time zone (+00'00' or Z) stays as it was: it is the same length always.
        }
    }
    for at in find_all(&pdf, b"/ID [") {
        let mut i = at + 5;
        while i < pdf.len() && pdf[i] != b']' {
            if pdf[i].is_ascii_hexdigit() {
                pdf[i] = b'0';
            }
            i += 1;
        }
    }
    pdf
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, w)| *w == needle)
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_become_the_data_date_and_zeros_at_the_same_length() {
        let pdf = b"%PDF-1.4\n<< /CreationDate (D:20261201040506+00'00') /ModDate (D:20261201040506+00'00') >>\ntrailer << /ID [<A1B2c3> <d4E5F6>] >>".to_vec();
        let fixed = fix_stamps(pdf.clone(), "2025-06-30");
        assert_eq!(fixed.len(), pdf.len());
        let text = String::from_utf8(fixed).expect("ascii");
        assert!(
            text.contains("/CreationDate (D:20250630000000+00'00')"),
            "{text}"
        );
        assert!(text.contains("/ModDate (D:20250630000000+00'00')"));
        assert!(text.contains("/ID [<000000> <000000>]"));
    }
}
