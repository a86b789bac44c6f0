//! The config's sections about the input files: where they are ([`InputsSection`]), how
//! the boundaries are read ([`AreasSection`]), which form the demand comes in
//! ([`DemandSection`]) and what a bad row does ([`ValidationSection`]). Reading the files
//! themselves is [`crate::load`]'s.

use serde::Deserialize;

use crate::load::mapping::InputSpec;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputsSection {
    /// Each input other than the boundaries is a path, or a table with the file and how
    /// to read it: sheet, header row, columns and values mapped to gapmap's
    /// ([`crate::load::mapping::spec`]).
    #[serde(deserialize_with = "crate::load::mapping::spec::deserialize_input")]
    pub services: InputSpec,
    pub areas: String,
    #[serde(deserialize_with = "crate::load::mapping::spec::deserialize_input")]
    pub demand: InputSpec,
    /// People waiting, in a file of their own (any layout, mapped like demand); each row
    /// is a person waiting for a lot.
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub waiting: Option<InputSpec>,
    /// Where people live, joined to demand (and waiting) rows on `person_id`, for
    /// extracts such as Client Level Data that carry no location.
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub person_locations: Option<InputSpec>,
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub population: Option<InputSpec>,
    #[serde(
        default,
        deserialize_with = "crate::load::mapping::spec::deserialize_optional_input"
    )]
    pub users_trend: Option<InputSpec>,
    /// An ONS Postcode Directory (ONSPD or NSPL) CSV, for rows located by postcode.
    pub postcodes: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AreasSection {
    /// Property holding each area's ONS code.
    pub code_property: String,
    /// Property holding each area's name.
    pub name_property: String,
    /// For small areas: the property naming the district each lies in. When set, district
    /// polygons are dissolved from the small areas.
    pub district_property: Option<String>,
    /// For small areas: the property naming the district (optional; the code is used if absent).
    pub district_name_property: Option<String>,
    /// Attribution line printed under maps.
    pub attribution: String,
    /// The boundary file's coordinate reference system when it does not say:
    /// "EPSG:4326" (WGS84, the default) or "EPSG:27700" (British National Grid).
    pub crs: Option<String>,
    /// When dissolving small areas into districts: parts and holes smaller than this many
    /// square metres are left out (the slivers where generalised boundaries do not meet).
    pub dissolve_min_area_m2: f64,
}

impl Default for AreasSection {
    fn default() -> Self {
        Self {
            code_property: "LAD24CD".into(),
            name_property: "LAD24NM".into(),
            district_property: None,
            district_name_property: None,
            attribution: "Boundaries: as supplied".into(),
            crs: None,
            dissolve_min_area_m2: crate::geometry::DEFAULT_MIN_AREA_M2,
        }
    }
}

/// The two forms demand can come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DemandFormat {
    /// One row per person per lot, with a home location.
    #[default]
    People,
    /// Rows by area, lot and age band.
    Aggregated,
    /// NHS England's Adult Social Care Client Level Data: service events, one row each.
    Cld,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DemandSection {
    pub format: DemandFormat,
    /// How Client Level Data service events become people (`format = "cld"`).
    pub cld: crate::load::cld::CldSettings,
}

/// What to do with a row (or feature) that fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnBadRow {
    /// Stop the run and list every problem (the default).
    #[default]
    Stop,
    /// Leave the row out, list it in `NOT-FOR-PUBLICATION/rejects.csv` and count it in the
    /// manifest. Problems with a file as a whole still stop the run.
    Skip,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ValidationSection {
    pub on_bad_row: OnBadRow,
}
