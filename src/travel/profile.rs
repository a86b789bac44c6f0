//! The car profile: which OpenStreetMap ways a car may use, in which direction, and how fast.
//!
//! A way is a road for cars when its `highway` class is in the speed table and its access
//! tags allow motor vehicles; its speed is the tagged `maxspeed` (km/h, or "30 mph") times
//! [`CarProfile::maxspeed_factor`] where tagged and readable, and the class speed otherwise.
//! This module only judges tags; it reads no file.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Which ways cars use and how fast they drive on them.
///
/// ```
/// # use gapmap::travel::CarProfile;
/// let profile = CarProfile::default();
/// assert_eq!(profile.class_speed("primary"), Some(65.0));
/// assert_eq!(profile.class_speed("footway"), None);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CarProfile {
    /// Typical driving speed (km/h) by `highway` class; classes not listed are not roads for
    /// cars. The defaults are OSRM's car profile, which already allow for junctions and bends.
    pub speeds: BTreeMap<String, f64>,
    /// A tagged `maxspeed` is multiplied by this (traffic rarely averages the limit).
    pub maxspeed_factor: f64,
    /// A tagged speed is never taken above this (km/h).
    pub max_speed: f64,
}

impl Default for CarProfile {
    fn default() -> Self {
        let speeds = [
            ("motorway", 90.0),
            ("motorway_link", 45.0),
            ("trunk", 85.0),
            ("trunk_link", 40.0),
            ("primary", 65.0),
            ("primary_link", 30.0),
            ("secondary", 55.0),
            ("secondary_link", 25.0),
            ("tertiary", 40.0),
            ("tertiary_link", 20.0),
            ("unclassified", 25.0),
            ("residential", 25.0),
            ("living_street", 10.0),
            ("service", 15.0),
        ];
        CarProfile {
            speeds: speeds
                .into_iter()
                .map(|(class, speed)| (class.to_string(), speed))
                .collect(),
            maxspeed_factor: 0.8,
            max_speed: 130.0,
        }
    }
}

/// The direction a car may drive along a way, relative to the order of its nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    Forward,
    Backward,
}

/// A way's verdict: a road for cars (with direction and speed), or not, and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WayVerdict {
    Road {
        direction: Direction,
        speed_kmh: f64,
        /// `maxspeed` was tagged but could not be read (the class speed is used).
        unreadable_maxspeed: bool,
    },
    /// Not a highway class in the table (footway, track, construction...).
    NotACarClass,
    /// A car class, but access tags forbid motor vehicles.
    NoAccess,
    /// `oneway=reversible` or `alternating`: the direction changes with time of day.
    Reversible,
    /// `area=yes`: a car park or square drawn as an outline.
    Area,
}

/// Access values that shut motor vehicles out.
const DENIED: [&str; 8] = [
    "no",
    "private",
    "agricultural",
    "forestry",
    "delivery",
    "permit",
    "emergency",
    "military",
];

impl CarProfile {
    /// The class speed (km/h), or `None` when the class is not a road for cars.
    pub fn class_speed(&self, highway: &str) -> Option<f64> {
        self.speeds.get(highway).copied()
    }

    /// Checks the table: every speed finite and positive, the factor in (0, 2].
    pub fn check(&self) -> Result<(), String> {
        for (class, &speed) in &self.speeds {
            if !(speed.is_finite() && speed > 0.0) {
                return Err(format!(
                    "speed of highway class {class:?} is {speed}: expected a speed in km/h above 0"
                ));
            }
        }
        if !(self.maxspeed_factor.is_finite()
            && self.maxspeed_factor > 0.0
            && self.maxspeed_factor <= 2.0)
        {
            return Err(format!(
                "maxspeed_factor is {}: expected a number above 0 and at most 2",
                self.maxspeed_factor
            ));
        }
        if !(self.max_speed.is_finite() && self.max_speed > 0.0) {
            return Err(format!(
                "max_speed is {}: expected a speed in km/h above 0",
                self.max_speed
            ));
        }
        Ok(())
    }

    /// Judges a way by its tags (`tag` looks a key up).
    pub fn judge<'a>(&self, tag: impl Fn(&str) -> Option<&'a str>) -> WayVerdict {
        let Some(class_speed) = tag("highway").and_then(|h| self.class_speed(h)) else {
            return WayVerdict::NotACarClass;
        };
        if tag("area") == Some("yes") {
            return WayVerdict::Area;
        }
        // The most specific access tag present decides.
        let access = ["motorcar", "motor_vehicle", "vehicle", "access"]
            .iter()
            .find_map(|key| tag(key));
        if access.is_some_and(|value| DENIED.contains(&value)) {
            return WayVerdict::NoAccess;
        }
        let Some(direction) = direction(&tag) else {
            return WayVerdict::Reversible;
        };
        let (speed_kmh, unreadable_maxspeed) = match tag("maxspeed") {
            None => (class_speed, false),
            Some(text) => match parse_maxspeed(text) {
                Some(limit) => ((limit * self.maxspeed_factor).min(self.max_speed), false),
                None => (class_speed, !IGNORED_MAXSPEEDS.contains(&text)),
            },
        };
        WayVerdict::Road {
            direction,
            speed_kmh,
            unreadable_maxspeed,
        }
    }
}

/// `maxspeed` values that carry no limit to use (not counted as unreadable).
const IGNORED_MAXSPEEDS: [&str; 4] = ["none", "signals", "variable", "walk"];

/// The direction from `oneway`, `junction` and the class; `None` for reversible ways.
fn direction<'a>(tag: &impl Fn(&str) -> Option<&'a str>) -> Option<Direction> {
    match tag("oneway") {
        Some("yes" | "true" | "1") => return Some(Direction::Forward),
        Some("-1" | "reverse") => return Some(Direction::Backward),
        Some("reversible" | "alternating") => return None,
        Some("no" | "false" | "0") => return Some(Direction::Both),
        _ => {}
    }
    let roundabout = matches!(tag("junction"), Some("roundabout" | "circular"));
    let motorway = matches!(tag("highway"), Some("motorway"));
    Some(if roundabout || motorway {
        Direction::Forward
    } else {
        Direction::Both
    })
}

/// A `maxspeed` value in km/h: "50", "50 km/h", "30 mph", "30mph", the UK national limits
/// ("GB:nsl_single" 60 mph, "GB:nsl_dual" and "GB:motorway" 70 mph), "UK:..." alike, and the
/// first of several values ("30;40"). `None` for anything else.
///
/// ```
/// # use gapmap::travel::parse_maxspeed;
/// assert_eq!(parse_maxspeed("30 mph"), Some(30.0 * 1.609344));
/// assert_eq!(parse_maxspeed("50"), Some(50.0));
/// assert_eq!(parse_maxspeed("none"), None);
/// ```
pub fn parse_maxspeed(text: &str) -> Option<f64> {
    const MPH: f64 = 1.609344;
    let text = text.split(';').next()?.trim();
    let national = match text
        .strip_prefix("GB:")
        .or_else(|| text.strip_prefix("UK:"))
    {
        Some("nsl_single" | "national") => Some(60.0 * MPH),
        Some("nsl_dual" | "motorway") => Some(70.0 * MPH),
        Some(_) => return None,
        None => None,
    };
    if national.is_some() {
        return national;
    }
    let lower = text.to_ascii_lowercase();
    let (number, factor) = if let Some(n) = lower.strip_suffix("mph") {
        (n, MPH)
    } else if let Some(n) = lower
        .strip_suffix("km/h")
        .or_else(|| lower.strip_suffix("kmh"))
        .or_else(|| lower.strip_suffix("kph"))
    {
        (n, 1.0)
    } else {
        (lower.as_str(), 1.0)
    };
    let value: f64 = number.trim().parse().ok()?;
    (value.is_finite() && value > 0.0).then_some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(tags: &[(&'static str, &'static str)]) -> WayVerdict {
        CarProfile::default().judge(|key| tags.iter().find(|(k, _)| *k == key).map(|(_, v)| *v))
    }

    #[test]
    fn reads_uk_and_metric_maxspeeds() {
        assert_eq!(parse_maxspeed("30 mph"), Some(48.28032));
        assert_eq!(parse_maxspeed("30mph"), Some(48.28032));
        assert_eq!(parse_maxspeed("40 km/h"), Some(40.0));
        assert_eq!(parse_maxspeed("20;30"), Some(20.0));
        assert_eq!(parse_maxspeed("GB:nsl_single"), Some(60.0 * 1.609344));
        assert_eq!(parse_maxspeed("GB:nsl_dual"), Some(70.0 * 1.609344));
        assert_eq!(parse_maxspeed("fast"), None);
        assert_eq!(parse_maxspeed("-5"), None);
        assert_eq!(parse_maxspeed("GB:zone20"), None);
    }

    #[test]
    fn access_tags_most_specific_first() {
        assert_eq!(judge(&[("highway", "footway")]), WayVerdict::NotACarClass);
        assert_eq!(
            judge(&[("highway", "service"), ("access", "private")]),
            WayVerdict::NoAccess
        );
        assert!(matches!(
            judge(&[
                ("highway", "service"),
                ("access", "no"),
                ("motor_vehicle", "yes")
            ]),
            WayVerdict::Road { .. }
        ));
        assert_eq!(
            judge(&[("highway", "primary"), ("motor_vehicle", "no")]),
            WayVerdict::NoAccess
        );
        assert_eq!(
            judge(&[("highway", "service"), ("area", "yes")]),
            WayVerdict::Area
        );
    }

    #[test]
    fn directions_and_speeds() {
        let road = |tags: &[(&'static str, &'static str)]| match judge(tags) {
            WayVerdict::Road {
                direction,
                speed_kmh,
                unreadable_maxspeed,
            } => (direction, speed_kmh, unreadable_maxspeed),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            road(&[("highway", "primary")]),
            (Direction::Both, 65.0, false)
        );
        assert_eq!(
            road(&[("highway", "tertiary"), ("junction", "roundabout")]).0,
            Direction::Forward
        );
        assert_eq!(road(&[("highway", "motorway")]).0, Direction::Forward);
        assert_eq!(
            road(&[("highway", "residential"), ("oneway", "-1")]).0,
            Direction::Backward
        );
        // 30 mph = 48.28 km/h, times 0.8.
        let (_, speed, _) = road(&[("highway", "residential"), ("maxspeed", "30 mph")]);
        assert!((speed - 38.624256).abs() < 1e-9);
        assert_eq!(
            road(&[("highway", "residential"), ("maxspeed", "quick")]),
            (Direction::Both, 25.0, true)
        );
        assert_eq!(
            judge(&[("highway", "primary"), ("oneway", "reversible")]),
            WayVerdict::Reversible
        );
    }
}
