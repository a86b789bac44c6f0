//! Fuzzes the GeoJSON boundary loader with arbitrary bytes: it must return areas or
//! problems, never panic, whatever the geometry.
#![no_main]

use gapmap::config::AreasSection;
use gapmap::io::InputFile;
use gapmap::load::areas;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = InputFile {
        name: "fuzz.geojson".into(),
        bytes: data.to_vec(),
    };
    let settings = AreasSection {
        code_property: "code".into(),
        name_property: "name".into(),
        district_property: Some("district".into()),
        ..AreasSection::default()
    };
    let _ = areas::load(&input, &settings);
});
