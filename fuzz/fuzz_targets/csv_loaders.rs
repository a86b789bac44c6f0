//! Fuzzes the CSV loaders (services and person-level demand) with arbitrary bytes: they must
//! return records or problems, never panic.
#![no_main]

use gapmap::io::InputFile;
use gapmap::load::{demand, location::Geocoder, services};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = gapmap::sample::config() else {
        return;
    };
    let input = InputFile {
        name: "fuzz.csv".into(),
        bytes: data.to_vec(),
    };
    let geocoder = Geocoder::default();
    let _ = services::load(&input, &config.catalogue, &geocoder);
    let _ = demand::load(&input, &config, &geocoder);
});
