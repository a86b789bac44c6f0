//! The report in a real headless Chromium, driven through the DevTools protocol: the
//! interactive maps answer the mouse and the keyboard with the published figures, switch
//! lot, ask for nothing over the network and log no errors; and axe-core finds no WCAG 2.2
//! AA violation, with and without a comparison and plans.

#[path = "browser/cdp.rs"]
mod cdp;
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cdp::Browser;
use common::{gapmap, read_csv, stderr};
use serde_json::Value;

fn run_sample(out: &Path, extra: &[&str]) {
    let mut args = vec!["run", "--out", out.to_str().expect("utf8")];
    args.extend(extra);
    let o = gapmap(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn url(run: &Path) -> String {
    format!("file://{}", run.join("report.html").display())
}

/// A number as the report writes it ("1,234", "-7", "102%"), or `None` for a suppressed or
/// missing figure.
fn figure(text: &str) -> Option<f64> {
    let t = text.replace([',', '%'], "").replace('\u{2212}', "-");
    t.trim().parse().ok()
}

/// A figure of gaps.csv, `None` when empty.
fn cell(row: &BTreeMap<String, String>, column: &str) -> Option<f64> {
    row[column].parse().ok()
}

/// A point of the viewport where `selector` is the element the mouse would hit.
fn point_inside(b: &mut Browser, selector: &str) -> (f64, f64) {
    let p = b.eval(&format!(
        r##"(() => {{
            const p = document.querySelector({selector:?});
            const r = p.getBoundingClientRect();
            for (let i = 1; i < 24; i++) for (let j = 1; j < 24; j++) {{
                const x = r.left + r.width * i / 24, y = r.top + r.height * j / 24;
                if (document.elementFromPoint(x, y) === p) return [x, y];
            }}
            return null;
        }})()"##
    ));
    let xy = p
        .as_array()
        .unwrap_or_else(|| panic!("no point inside {selector}"));
    (xy[0].as_f64().expect("x"), xy[1].as_f64().expect("y"))
}

/// The panel of figures: its heading and each figure by its heading.
fn panel(b: &mut Browser, map: &str) -> (String, BTreeMap<String, String>) {
    let v = b.eval(&format!(
        r##"(() => {{
            const info = document.getElementById("{map}-info");
            const dts = [...info.querySelectorAll("dt")], dds = [...info.querySelectorAll("dd")];
            return [info.querySelector("h4") ? info.querySelector("h4").textContent : "",
                    dts.map((dt, i) => [dt.textContent, dds[i].textContent])];
        }})()"##
    ));
    let title = v[0].as_str().expect("title").to_string();
    let figures = v[1]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            (
                p[0].as_str().expect("dt").into(),
                p[1].as_str().expect("dd").into(),
            )
        })
        .collect();
    (title, figures)
}

/// Checks the panel's figures against a row of gaps.csv.
fn assert_figures(figures: &BTreeMap<String, String>, row: &BTreeMap<String, String>) {
    let shown = |prefix: &str| {
        let (_, v) = figures
            .iter()
            .find(|(k, _)| k.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {figures:?}"));
        figure(v)
    };
    assert_eq!(shown("Supply"), cell(row, "supply"), "{figures:?} {row:?}");
    assert_eq!(shown("Current users"), cell(row, "current_users"));
    assert_eq!(shown("Waiting"), cell(row, "waiting"));
    assert_eq!(shown("Demand"), cell(row, "demand"));
    assert_eq!(shown("Gap"), cell(row, "gap"));
    assert_eq!(
        shown("Sufficiency"),
        cell(row, "sufficiency").map(|s| (s * 100.0).round())
    );
}

fn fills(b: &mut Browser) -> Vec<String> {
    let v = b.eval(
        r##"[...document.querySelectorAll("#gm-gap-canvas path.gm-area")].map(p => p.getAttribute("fill"))"##,
    );
    serde_json::from_value(v).expect("fills")
}

/// The colour of the legend's class holding `value` ("1 to 2 (2)", "−7 (1)").
fn legend_colour(b: &mut Browser, value: f64) -> String {
    let v = b.eval(
        r##"[...document.querySelectorAll("#gm-gap-legend li")].map(li => [li.textContent,
            li.querySelector(".gm-swatch") ? li.querySelector(".gm-swatch").style.background : ""])"##,
    );
    for item in v.as_array().expect("legend") {
        let text = item[0].as_str().expect("text");
        let range = text.split(" (").next().unwrap_or("");
        let bounds: Vec<f64> = range.split(" to ").filter_map(figure).collect();
        let inside = match bounds[..] {
            [x] => value == x,
            [lo, hi] => value >= lo && value <= hi,
            _ => false,
        };
        if inside {
            return item[1].as_str().expect("colour").to_string();
        }
    }
    panic!("no class holds {value}: {v}");
}

/// "rgb(r, g, b)" as "#RRGGBB".
fn hex(css: &str) -> String {
    let n: Vec<u8> = css
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .map(|c| c.trim().parse().expect("channel"))
        .collect();
    format!("#{:02X}{:02X}{:02X}", n[0], n[1], n[2])
}

fn assert_quiet(b: &Browser, report: &str) {
    assert_eq!(b.errors(), Vec::<String>::new(), "the page logged errors");
    let requests = b.requests();
    assert!(
        requests.iter().all(|r| r == report),
        "the page asked for {requests:?}"
    );
}

#[test]
fn pointing_at_a_district_shows_its_published_figures_for_the_chosen_lot() {
    let Some(chromium) = cdp::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    run_sample(&dir.path().join("out"), &[]);
    let run = dir.path().join("out/2025-Q2");
    let gaps = read_csv(&run.join("tables/gaps.csv"));
    let row = |district: &str, lot: &str| {
        gaps.iter()
            .find(|r| r["area_name"] == district && r["lot"] == lot)
            .unwrap_or_else(|| panic!("no {district} {lot} in gaps.csv"))
            .clone()
    };
    let mut b = Browser::start(chromium, &dir.path().join("profile"), (1280, 1000));
    b.open(&url(&run));
    b.eval(r##"document.getElementById("gm-gap").scrollIntoView()"##);
    let harborough = r##"#gm-gap-canvas path.gm-area[aria-label="Harborough"]"##;
    for (lot, id) in [(0, "ld_autism"), (1, "pmld")] {
        if lot > 0 {
            let before = fills(&mut b);
            b.eval(&format!(
                r##"(() => {{ const s = document.getElementById("gm-gap-lot"); s.value = "{lot}";
                    s.dispatchEvent(new Event("change")); }})()"##
            ));
            assert_ne!(
                fills(&mut b),
                before,
                "switching lot left the map as it was"
            );
            // Another lot, other services: the markers are drawn anew.
        }
        let (x, y) = point_inside(&mut b, harborough);
        b.point_at(x, y);
        let (title, figures) = panel(&mut b, "gm-gap");
        assert!(title.starts_with("Harborough: "), "{title}");
        let expected = row("Harborough", id);
        assert_figures(&figures, &expected);
        // Coloured by the legend's class of its gap, as the picture is.
        let gap = cell(&expected, "gap").expect("Harborough's gap is published");
        let fill = b.eval(&format!(
            "document.querySelector({harborough:?}).getAttribute('fill')"
        ));
        assert_eq!(
            fill.as_str().expect("fill").to_uppercase(),
            hex(&legend_colour(&mut b, gap))
        );
    }
    assert_quiet(&b, &url(&run));
}

#[test]
fn the_keyboard_reaches_every_district_and_zooms_to_it() {
    let Some(chromium) = cdp::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    run_sample(&dir.path().join("out"), &[]);
    let run = dir.path().join("out/2025-Q2");
    let mut b = Browser::start(chromium, &dir.path().join("profile"), (1280, 1000));
    b.open(&url(&run));
    b.eval(r##"document.getElementById("gm-gap").scrollIntoView()"##);
    let shot = |b: &mut Browser, name: &str| {
        let png = b.screenshot();
        assert!(png.starts_with(b"\x89PNG"));
        if let Some(folder) = std::env::var_os("GAPMAP_SCREENSHOTS") {
            std::fs::write(Path::new(&folder).join(name), png).expect("screenshot");
        }
    };
    shot(&mut b, "gap-map-county.png");
    // From the lot switcher, Tab reaches the map, then (past the zoom buttons) a district.
    b.eval(r##"document.getElementById("gm-gap-lot").focus()"##);
    let active = r##"(() => { const a = document.activeElement;
        return [a.tagName, a.getAttribute("class") || "", a.getAttribute("aria-label") || "",
                a.getBoundingClientRect().x + a.getBoundingClientRect().width / 2,
                a.getBoundingClientRect().width]; })()"##;
    let mut reached = Value::Null;
    for _ in 0..6 {
        b.press("Tab");
        reached = b.eval(active);
        if reached[1].as_str().is_some_and(|c| c.contains("gm-area")) {
            break;
        }
    }
    assert!(
        reached[1].as_str().is_some_and(|c| c.contains("gm-area")),
        "Tab did not reach a district: {reached}"
    );
    let name = reached[2].as_str().expect("name").to_string();
    let (title, figures) = panel(&mut b, "gm-gap");
    assert!(title.starts_with(&format!("{name}: ")), "{title}");
    assert_eq!(figures.len(), 6);
    // The right arrow moves to a district to the east.
    let x0 = reached[3].as_f64().expect("x");
    b.press("ArrowRight");
    let east = b.eval(active);
    assert!(east[1].as_str().is_some_and(|c| c.contains("gm-area")));
    assert_ne!(east[2], reached[2]);
    assert!(
        east[3].as_f64().expect("x") > x0,
        "{east} is not east of {reached}"
    );
    // From the first district, the arrow keys lead to all seven (a search over the keys).
    let mut seen = std::collections::BTreeSet::from([name.clone()]);
    let mut queue = vec![name.clone()];
    while let Some(from) = queue.pop() {
        for key in ["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp"] {
            b.eval(&format!(
                "document.querySelector('#gm-gap-canvas path.gm-area[aria-label=\\'{from}\\']').focus()"
            ));
            b.press(key);
            let to = b.eval(active)[2].as_str().unwrap_or("").to_string();
            if seen.insert(to.clone()) {
                queue.push(to);
            }
        }
    }
    assert_eq!(seen.len(), 7, "{seen:?}");
    b.eval(&format!(
        "document.querySelector('#gm-gap-canvas path.gm-area[aria-label=\\'{name}\\']').focus()"
    ));
    // Enter zooms to the district: it grows on the screen.
    let before = b.eval(active)[4].as_f64().expect("width");
    b.press("Enter");
    let after = b.eval(active)[4].as_f64().expect("width");
    assert!(after > before * 1.4, "{before} -> {after}");
    shot(&mut b, "gap-map-district.png");
    // Escape returns to the map itself.
    b.press("Escape");
    assert_eq!(
        b.eval("document.activeElement.id"),
        Value::from("gm-gap-canvas")
    );
    assert_quiet(&b, &url(&run));
}

/// axe-core's WCAG 2.2 AA rules on the page: the violations, and the checks it could not
/// decide ("incomplete").
fn axe(b: &mut Browser) -> Vec<String> {
    let source = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/vendor/axe-core/axe.min.js"
    ))
    .expect("vendor/axe-core/axe.min.js");
    b.eval(&source);
    let r = b.eval(
        r##"axe.run(document, { runOnly: { type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] } })
          .then(r => [r.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")
                        + " (" + n.failureSummary + ")").join("; ")),
                      r.incomplete.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ") + " [" + (n.any[0] ? n.any[0].message : "") + "]").join("; "))])"##,
    );
    // Checks axe could not decide count too: the README's accessibility statement says
    // none is left.
    let mut found: Vec<String> = serde_json::from_value(r[0].clone()).expect("violations");
    let undecided: Vec<String> = serde_json::from_value(r[1].clone()).expect("incomplete");
    found.extend(undecided.into_iter().map(|u| format!("undecided: {u}")));
    found
}

#[test]
fn axe_finds_no_wcag_violation_with_or_without_a_comparison_and_plans() {
    let Some(chromium) = cdp::chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    run_sample(&out, &["--label", "q1"]);
    run_sample(&out, &["--label", "q2", "--compare-with", "q1"]);
    let o = gapmap(&[
        "plan",
        "--outputs",
        out.to_str().expect("utf8"),
        "--label",
        "q2",
        "--lot",
        "pmld",
        "--new-services",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A laptop's width, and a narrow window where the contents bar wraps onto several lines.
    for (width, height) in [(1280, 1000), (760, 1000)] {
        let profile = dir.path().join(format!("profile-{width}"));
        let mut b = Browser::start(chromium, &profile, (width, height));
        for label in ["q1", "q2"] {
            let run: PathBuf = out.join(label);
            let html = std::fs::read_to_string(run.join("report.html")).expect("report");
            if label == "q2" {
                assert!(html.contains("id=\"since\"") && html.contains("id=\"plans\""));
            }
            b.open(&url(&run));
            let violations = axe(&mut b);
            assert!(violations.is_empty(), "{label} at {width}: {violations:#?}");
            if width == 1280 {
                // Again with a district's figures showing.
                b.eval(r##"document.querySelector("#gm-gap-canvas path.gm-area").focus()"##);
                let violations = axe(&mut b);
                assert!(
                    violations.is_empty(),
                    "{label}, a district focused: {violations:#?}"
                );
            }
        }
        assert_eq!(b.errors(), Vec::<String>::new());
    }
}
