//! The config's settings of what is published: disclosure control of counts of people
//! ([`DisclosureSection`]), how maps classify their values ([`MapsSection`]) and the
//! report's council and published spend ([`ReportSection`]). Applying them is
//! [`crate::publish`]'s.

use serde::Deserialize;

/// Settings of the disclosure control applied to counts of people.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisclosureSection {
    /// Counts from 1 up to and including this are suppressed.
    pub threshold: u32,
    /// Other counts are rounded to the nearest multiple of this.
    pub rounding_base: u32,
    /// Also write unrounded, unsuppressed gap tables into `NOT-FOR-PUBLICATION/` in the run
    /// folder, for internal use only.
    pub write_unrounded: bool,
}

impl Default for DisclosureSection {
    fn default() -> Self {
        Self {
            threshold: 7,
            rounding_base: 5,
            write_unrounded: false,
        }
    }
}

/// How choropleth maps classify their values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    /// Fisher-Jenks natural breaks.
    #[default]
    Jenks,
    /// Equal counts of areas in each class.
    Quantile,
    /// Classes of equal width.
    EqualInterval,
}

/// What the map pictures show and how they are classified.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MapsSection {
    pub classification: Classification,
    /// Number of classes (2 to 7).
    pub classes: usize,
}

impl Default for MapsSection {
    fn default() -> Self {
        Self {
            classification: Classification::Jenks,
            classes: 4,
        }
    }
}

/// Settings of the market position statement report.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSection {
    /// The council, as named in the report.
    pub council: Option<String>,
    /// A published annual spend to reconcile the costed packages against (pounds).
    pub published_spend: Option<f64>,
    /// What that figure is, e.g. "Expenditure on CLC services in 2024/25".
    pub published_spend_label: Option<String>,
}
