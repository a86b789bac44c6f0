//! Calendar dates as councils' extracts write them, and ages at the data date.
//!
//! Dates are read from ISO 8601 (`2025-06-30`, also with a time), the UK's day-first forms
//! (`30/06/2025`, `30-06-2025`, `30.06.2025`) and Excel date serials left as numbers
//! (`45838`, days since 1899-12-30). Month-first (US) dates are not read: `06/30/2025` is
//! refused rather than guessed.

use std::fmt;

/// A day of the Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Excel's day 0 in its 1900 date system, as a day number of [`Date::days`].
const EXCEL_EPOCH: i64 = -25_569; // 1899-12-30

impl Date {
    /// A valid date, or `None`.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// Reads a date as extracts write it (see the module's notes); `None` when it is not one.
    pub fn parse(text: &str) -> Option<Date> {
        let t = text.trim();
        let t = t.split(['T', ' ']).next().unwrap_or(t);
        if let Some(d) = parse_iso(t) {
            return Some(d);
        }
        if let Some(d) = parse_day_first(t) {
            return Some(d);
        }
        // An Excel date serial left as a number: 1 (1900-01-01) to 2958465 (9999-12-31).
        let serial: f64 = t.parse().ok()?;
        if !(1.0..2_958_466.0).contains(&serial)
            || !t.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            return None;
        }
        // Excel counts a 29 February 1900 that never was: serials from 61 on are a day late.
        let whole = serial.floor() as i64;
        let shift = if whole < 61 { 1 } else { 0 };
        Some(Date::from_days(EXCEL_EPOCH + whole + shift))
    }

    /// Whole years of age on `on` for someone born on `self`.
    pub fn age_on(self, on: Date) -> i64 {
        let mut age = i64::from(on.year) - i64::from(self.year);
        if (on.month, on.day) < (self.month, self.day) {
            age -= 1;
        }
        age
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

fn parse_iso(t: &str) -> Option<Date> {
    let mut parts = t.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn parse_day_first(t: &str) -> Option<Date> {
    let sep = ['/', '-', '.'].into_iter().find(|c| t.contains(*c))?;
    let mut parts = t.split(sep);
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || d.len() > 2 || m.len() > 2 {
        return None;
    }
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> Date {
        Date::new(y, m, d).expect("valid")
    }

    #[test]
    fn days_count_from_1970_both_ways() {
        assert_eq!(date(1970, 1, 1).days(), 0);
        assert_eq!(date(2000, 3, 1).days(), 11_017);
        assert_eq!(date(1899, 12, 30).days(), EXCEL_EPOCH);
        for days in [-30_000, -1, 0, 59, 60, 20_000, 45_000] {
            assert_eq!(Date::from_days(days).days(), days);
        }
    }

    #[test]
    fn dates_are_read_in_iso_uk_and_excel_serial_forms() {
        let expected = date(2025, 6, 30);
        for text in [
            "2025-06-30",
            "2025-06-30T00:00:00",
            "30/06/2025",
            "30-06-2025",
            "30.06.2025",
            "45838",
        ] {
            assert_eq!(Date::parse(text), Some(expected), "{text}");
        }
        // Excel serial 1 is 1900-01-01; serial 61 is 1900-03-01 (after Excel's phantom 29 February).
        assert_eq!(Date::parse("1"), Some(date(1900, 1, 1)));
        assert_eq!(Date::parse("61"), Some(date(1900, 3, 1)));
        for bad in ["06/30/2025", "2025-02-30", "soon", "", "-5", "30/06/25"] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn age_turns_on_the_birthday() {
        let born = date(1960, 7, 1);
        assert_eq!(born.age_on(date(2025, 6, 30)), 64);
        assert_eq!(born.age_on(date(2025, 7, 1)), 65);
        assert_eq!(date(2000, 2, 29).age_on(date(2018, 2, 28)), 17);
        assert_eq!(date(2000, 2, 29).age_on(date(2018, 3, 1)), 18);
    }
}
