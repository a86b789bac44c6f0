//! `gapmap bench --write-inputs DIR --england-boundaries FOLDER` on a folder of one
//! boundary file per district (as UK-GeoJSON lays out England's LSOAs), here the real
//! Leicestershire LSOAs of `../shared/data`: the inputs it writes run from anywhere.

mod common;

#[test]
fn real_boundary_inputs_written_to_a_relative_folder_run_from_anywhere() {
    let Some(lsoas) = common::lsoa_dir() else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let by_district = dir.path().join("lsoa_by_lad");
    std::fs::create_dir(&by_district).expect("mkdir");
    let mut districts = Vec::new();
    for entry in std::fs::read_dir(&lsoas).expect("list") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(code) = name.strip_suffix(".geojson").filter(|c| c.starts_with('E')) {
            std::fs::copy(&path, by_district.join(format!("{code}.json"))).expect("copy");
            districts.push(code.to_string());
        }
    }
    assert_eq!(
        districts.len(),
        8,
        "Leicestershire's 7 districts and Leicester"
    );
    // A folder named relative to where the command runs.
    let boundaries = by_district.to_str().expect("utf8");
    let written = common::gapmap_in(
        dir.path(),
        &[
            "bench",
            "--write-inputs",
            "inputs",
            "--england-boundaries",
            boundaries,
        ],
    );
    assert!(written.status.success(), "{}", common::stderr(&written));
    let config = dir.path().join("inputs/gapmap.toml");
    let text = std::fs::read_to_string(&config).expect("config");
    let areas = text
        .lines()
        .find_map(|l| l.strip_prefix("areas = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("an areas line");
    // Paths in a config are relative to its folder.
    let combined = dir.path().join("inputs").join(areas);
    assert!(combined.is_file(), "{} is not there", combined.display());
    let geojson = std::fs::read_to_string(&combined).expect("combined");
    for code in &districts {
        assert!(
            geojson.contains(&format!("\"LAD11CD\":\"{code}\"")),
            "{code} named from its file"
        );
    }
    // Checked from another folder: every input is found.
    let config = config.to_str().expect("utf8");
    let checked = common::gapmap_in(&std::env::temp_dir(), &["validate", "--config", config]);
    assert!(
        checked.status.success(),
        "{}{}",
        common::stdout(&checked),
        common::stderr(&checked)
    );
}
