//! Disclosure control: the one step every published count of people passes through.
//!
//! A count from 1 up to the threshold is suppressed; any other count is rounded to the
//! nearest multiple of the rounding base (halves round up); zero stays zero. When one part
//! of a total (current users, people waiting) must be suppressed, both parts are, and only
//! their total is published, so neither can be recovered by subtraction. Counts of
//! services, places, hours and money are not counts of people and are published as they
//! are, except hours and distances that describe a suppressed group of people.

use crate::config::DisclosureSection;

/// The published form of a count of people: `None` when suppressed.
pub type Published = Option<u32>;

/// The marker shown for a suppressed figure in charts and text.
pub const MARKER: &str = "[c]";

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disclosure {
    pub threshold: u32,
    pub base: u32,
}

impl From<&DisclosureSection> for Disclosure {
    fn from(s: &DisclosureSection) -> Self {
        Disclosure {
            threshold: s.threshold,
            base: s.rounding_base.max(1),
        }
    }
}

/// A total and its two parts, as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedSplit {
    pub first: Published,
    pub second: Published,
    pub total: Published,
}

impl Disclosure {
    /// Whether a raw count must be suppressed.
    pub fn suppresses(&self, n: u32) -> bool {
        n >= 1 && n <= self.threshold
    }

    /// The published form of one count.
    pub fn count(&self, n: u32) -> Published {
        if self.suppresses(n) {
            None
        } else {
            Some((n + self.base / 2) / self.base * self.base)
        }
    }

    /// A total of two parts, with complementary suppression of the parts.
    pub fn split(&self, first: u32, second: u32) -> PublishedSplit {
        let total = self.count(first + second);
        if total.is_none() || self.suppresses(first) || self.suppresses(second) {
            PublishedSplit {
                first: None,
                second: None,
                total,
            }
        } else {
            PublishedSplit {
                first: self.count(first),
                second: self.count(second),
                total,
            }
        }
    }

    /// A rate from two published counts: `None` if either is suppressed or the base is 0.
    pub fn rate(part: Published, whole: Published) -> Option<f64> {
        match (part, whole) {
            (Some(p), Some(w)) if w > 0 => Some(p as f64 / w as f64),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Disclosure = Disclosure {
        threshold: 7,
        base: 5,
    };

    #[test]
    fn small_counts_are_suppressed_and_others_rounded() {
        assert_eq!(D.count(0), Some(0));
        for n in 1..=7 {
            assert_eq!(D.count(n), None, "{n}");
        }
        assert_eq!(D.count(8), Some(10));
        assert_eq!(D.count(12), Some(10));
        assert_eq!(D.count(13), Some(15));
        assert_eq!(D.count(689), Some(690));
    }

    #[test]
    fn a_small_part_suppresses_both_parts_but_not_the_total() {
        assert_eq!(
            D.split(20, 3),
            PublishedSplit {
                first: None,
                second: None,
                total: Some(25)
            }
        );
        assert_eq!(
            D.split(20, 0),
            PublishedSplit {
                first: Some(20),
                second: Some(0),
                total: Some(20)
            }
        );
        assert_eq!(
            D.split(4, 2),
            PublishedSplit {
                first: None,
                second: None,
                total: None
            }
        );
    }

    #[test]
    fn no_published_count_lies_between_one_and_the_threshold() {
        for n in 0..2000 {
            if let Some(p) = D.count(n) {
                assert!(p == 0 || p > D.threshold, "{n} -> {p}");
                assert_eq!(p % D.base, 0);
            }
        }
    }
}
