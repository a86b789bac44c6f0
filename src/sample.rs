//! The embedded sample: the Leicestershire inputs and their config, compiled into the
//! binary so `gapmap run` works anywhere with no arguments, and `gapmap sample` can write
//! them out as editable templates.

use std::path::{Path, PathBuf};

use crate::config::{Config, ConfigError, Origin};
use crate::io::InputFile;
use crate::problem::{Place, Problem};

/// Name of the sample's config file.
pub const CONFIG_NAME: &str = "gapmap.toml";

/// Every file of the sample: name and contents.
pub const FILES: [(&str, &[u8]); 8] = [
    (CONFIG_NAME, include_bytes!("../data/gapmap.toml")),
    ("services.xlsx", include_bytes!("../data/services.xlsx")),
    ("services.csv", include_bytes!("../data/services.csv")),
    ("people.csv", include_bytes!("../data/people.csv")),
    ("lsoa11.geojson", include_bytes!("../data/lsoa11.geojson")),
    ("population.csv", include_bytes!("../data/population.csv")),
    ("users_trend.csv", include_bytes!("../data/users_trend.csv")),
    ("README.md", include_bytes!("../data/README.md")),
];

/// The sample's config.
pub fn config() -> Result<Config, ConfigError> {
    let text = String::from_utf8_lossy(FILES[0].1);
    Config::parse(
        &format!("data/{CONFIG_NAME}"),
        &text,
        Origin::EmbeddedSample,
    )
}

/// One of the sample's input files, named as in its config.
pub fn input(name: &str) -> Result<InputFile, Problem> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(n, bytes)| InputFile {
            name: format!("data/{n}"),
            bytes: bytes.to_vec(),
        })
        .ok_or_else(|| Problem::new(name, Place::File, "is not part of the embedded sample"))
}

/// Writes the sample into `dir` (created if needed) and returns the config's path.
/// Existing files are not overwritten.
pub fn write_to(dir: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    for (name, _) in FILES {
        let path = dir.join(name);
        if path.exists() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                format!("{} already exists; choose an empty folder", path.display()),
            ));
        }
    }
    for (name, bytes) in FILES {
        std::fs::write(dir.join(name), bytes)?;
    }
    Ok(dir.join(CONFIG_NAME))
}
