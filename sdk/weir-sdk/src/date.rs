//! Dates as business systems export them, read into UTC instants and written as RFC 3339.
//!
//! Sources hand the host cursors as RFC 3339 UTC text, so instants from different columns,
//! zones and systems compare as written. ERPs rarely write that form; [`Instant`] reads the
//! ones they do write, and refuses impossible dates (31 April, 25:00) instead of guessing:
//!
//! - ISO 8601 with or without a time, zone and fraction: `2026-01-08`, `2026-01-08T10:30`,
//!   `2026-01-08 10:30:00.123`, `2026-01-08T10:30:00+01:00`, `2026-01-08T10:30:00Z`;
//! - Czech `d.m.yyyy[ H:mm[:ss[,fraction]]]`, with or without spaces after the dots:
//!   `8.1.2026`, `8.1.2026 10:30`, `08. 01. 2026 9:05:07`.
//!
//! A value without a zone is read as UTC, both in a source's rows and in the instants the host
//! passes back, so an incremental read compares like with like. Fractions are kept to the
//! nanosecond.
//!
//! ```
//! use weir_sdk::date::Instant;
//!
//! let at = Instant::parse("8.1.2026 10:30").unwrap();
//! assert_eq!(at.to_rfc3339(), "2026-01-08T10:30:00Z");
//! assert_eq!(Instant::parse_iso("2026-01-08T11:30:00+01:00"), Some(at));
//! assert_eq!(at.to_naive_iso(), "2026-01-08T10:30:00");
//! ```

use std::ops::RangeInclusive;
use std::str::FromStr;

/// A UTC instant with nanosecond precision, between the years 1 and 9999. Fields are in order
/// of significance, so the derived ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    year: i32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
}

impl Instant {
    /// Reads an ISO 8601 or a Czech date and time (see the [module](self) for the forms).
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        parse_iso(raw).or_else(|| parse_czech(raw))
    }

    /// Reads an ISO 8601 date and time only: the host's instants (RFC 3339) and columns known
    /// to hold ISO, where a Czech reading would hide a wrong column.
    pub fn parse_iso(raw: &str) -> Option<Self> {
        parse_iso(raw.trim())
    }

    /// Reads a Czech `d.m.yyyy[ H:mm[:ss]]` date and time only.
    pub fn parse_czech(raw: &str) -> Option<Self> {
        parse_czech(raw.trim())
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the fraction without trailing zeros: the form the host
    /// expects in a record's cursor.
    pub fn to_rfc3339(self) -> String {
        let fraction = if self.nanos == 0 {
            String::new()
        } else {
            format!(".{:09}", self.nanos).trim_end_matches('0').to_owned()
        };
        format!("{}{fraction}Z", self.to_naive_iso())
    }

    /// `YYYY-MM-DDTHH:MM:SS` in UTC, whole seconds and no zone: the form of APIs that compare
    /// dates as zoneless text.
    pub fn to_naive_iso(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    fn valid(self) -> Option<Self> {
        let days = match self.month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0 => 29,
            2 => 28,
            _ => return None,
        };
        let ok = (1..=9999).contains(&self.year)
            && (1..=days).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 60;
        ok.then_some(self)
    }

    /// Shifts a local time written with a zone `offset_minutes` east of UTC to UTC.
    fn into_utc(mut self, offset_minutes: i64) -> Option<Self> {
        if offset_minutes == 0 {
            return Some(self);
        }
        let days = days_from_civil(self.year, self.month, self.day);
        let secs = days * 86_400 + i64::from(self.hour * 3600 + self.minute * 60 + self.second) - offset_minutes * 60;
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let rem = u32::try_from(rem).ok()?;
        self.year = year;
        self.month = month;
        self.day = day;
        self.hour = rem / 3600;
        self.minute = rem % 3600 / 60;
        self.second = rem % 60;
        self.valid()
    }
}

/// `s` as a number when it is `len` ASCII digits long.
fn num<T: FromStr>(s: &str, len: RangeInclusive<usize>) -> Option<T> {
    (len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// `H:MM[:SS[.fraction]]` (or `,fraction`) as hour, minute, second and nanoseconds.
fn parse_time(time: &str) -> Option<(u32, u32, u32, u32)> {
    let (hms, fraction) = match time.split_once(['.', ',']) {
        Some((hms, f)) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => (hms, f),
        Some(_) => return None,
        None => (time, ""),
    };
    let mut parts = hms.split(':');
    let hour = num(parts.next()?, 1..=2)?;
    let minute = num(parts.next()?, 2..=2)?;
    let second = match parts.next() {
        Some(s) => num(s, 2..=2)?,
        None => 0,
    };
    if parts.next().is_some() {
        return None;
    }
    // Nanoseconds: the first nine digits, padded; finer digits are dropped.
    let digits: String = fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
    Some((hour, minute, second, digits.parse().ok()?))
}

fn parse_iso(raw: &str) -> Option<Instant> {
    // A character of several bytes across the tenth byte is no date (and no split point).
    let (date, rest) = if raw.len() > 10 { (raw.get(..10)?, raw.get(10..)?) } else { (raw, "") };
    let mut d = date.split('-');
    let year = num(d.next()?, 4..=4)?;
    let month = num(d.next()?, 2..=2)?;
    let day = num(d.next()?, 2..=2)?;
    if d.next().is_some() {
        return None;
    }
    if rest.is_empty() {
        return Instant { year, month, day, hour: 0, minute: 0, second: 0, nanos: 0 }.valid();
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, offset) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, zone) = rest.split_at(i);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = &zone[1..];
        let (h, m) = zone.split_once(':').unwrap_or((zone.get(..2)?, zone.get(2..)?));
        (t, sign * (num::<i64>(h, 2..=2)? * 60 + num::<i64>(m, 2..=2)?))
    } else {
        (rest, 0)
    };
    let (hour, minute, second, nanos) = parse_time(time)?;
    Instant { year, month, day, hour, minute, second, nanos }.valid()?.into_utc(offset)
}

/// `d.m.yyyy[ H:mm[:ss]]`, with or without spaces after the dots.
fn parse_czech(raw: &str) -> Option<Instant> {
    let (date, time) = match raw.rsplit_once(char::is_whitespace) {
        Some((d, t)) if t.contains(':') => (d.trim(), t),
        _ => (raw, ""),
    };
    let date: String = date.chars().filter(|c| !c.is_whitespace()).collect();
    let mut d = date.split('.');
    let day = num(d.next()?, 1..=2)?;
    let month = num(d.next()?, 1..=2)?;
    let year = num(d.next()?, 4..=4)?;
    if d.next().is_some() {
        return None;
    }
    let (hour, minute, second, nanos) = if time.is_empty() { (0, 0, 0, 0) } else { parse_time(time)? };
    Instant { year, month, day, hour, minute, second, nanos }.valid()
}

// Howard Hinnant's civil-date algorithms: days since 1970-01-01 and back.
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn n(s: &str) -> Option<String> {
        Instant::parse(s).map(Instant::to_rfc3339)
    }

    #[test]
    fn iso_and_czech_dates_normalise_to_rfc3339_utc() {
        assert_eq!(n("2026-01-08T10:30:00").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("2026-01-08 10:30:00.1230").as_deref(), Some("2026-01-08T10:30:00.123Z"));
        assert_eq!(n("2026-01-08T10:30").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("2026-01-08t10:30:00z").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("2026-01-08T00:30:00+01:00").as_deref(), Some("2026-01-07T23:30:00Z"));
        assert_eq!(n("2026-12-31T23:30:00-0100").as_deref(), Some("2027-01-01T00:30:00Z"));
        assert_eq!(n("2026-12-31T23:30:00-01:00").as_deref(), Some("2027-01-01T00:30:00Z"));
        assert_eq!(n("2026-01-08").as_deref(), Some("2026-01-08T00:00:00Z"));
        assert_eq!(n(" 8.1.2026 10:30 ").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("08.01.2026 9:05:07").as_deref(), Some("2026-01-08T09:05:07Z"));
        assert_eq!(n("8. 1. 2026 9:05").as_deref(), Some("2026-01-08T09:05:00Z"));
        assert_eq!(n("8.1.2026\t10:30").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("29.2.2024").as_deref(), Some("2024-02-29T00:00:00Z"));
        assert_eq!(n("1.3.2026 7:00:00,5").as_deref(), Some("2026-03-01T07:00:00.5Z"));
    }

    #[test]
    fn fractions_keep_nanoseconds_and_drop_finer_digits() {
        assert_eq!(n("2026-01-08T10:30:00.000").as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(n("2026-01-08T10:30:00.000000001Z").as_deref(), Some("2026-01-08T10:30:00.000000001Z"));
        assert_eq!(n("2026-01-08T10:30:00.1234567891Z").as_deref(), Some("2026-01-08T10:30:00.123456789Z"));
        assert_eq!(n("2026-01-08T10:30:00.Z"), None);
        assert_eq!(n("2026-01-08T10:30:00.5x"), None);
    }

    #[test]
    fn impossible_dates_are_refused() {
        for bad in [
            "",
            "včera",
            "yesterday",
            "2026-02-30T10:00:00",
            "31.4.2026 10:00",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "8.1.26 10:30",
            "2026-01-08T25:00:00",
            "2026-01-08T10:60:00",
            "2026-01-08T10:30:60",
            "29.2.2026",
            "2026-01-08T10:30:00+1",
            "2026-01-08T10:30:00+01:3",
            "2026-01-08X10:30:00",
            "2026-1-8",
            "8.1.2026 10",
            "1.1.2026 10:5",
            "1.1.2026 10:30:00:00",
            "1.1.1.2026",
        ] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }

    #[test]
    fn iso_only_and_czech_only_readings_refuse_the_other_form() {
        assert_eq!(Instant::parse_iso("8.1.2026 10:30"), None, "the host's instants are ISO");
        assert_eq!(Instant::parse_czech("2026-01-08T10:30:00"), None);
        assert_eq!(Instant::parse_czech(" 8.1.2026 10:30 "), Instant::parse_iso("2026-01-08T10:30:00Z"));
    }

    #[test]
    fn a_zone_shift_past_the_calendar_is_refused() {
        assert_eq!(n("9999-12-31T23:30:00-01:00"), None);
        assert_eq!(n("0001-01-01T00:30:00+01:00"), None);
        assert_eq!(n("0001-01-01T01:30:00+01:00").as_deref(), Some("0001-01-01T00:30:00Z"));
    }

    #[test]
    fn naive_iso_is_utc_whole_seconds_without_a_zone() {
        let at = |s| Instant::parse_iso(s).map(Instant::to_naive_iso);
        assert_eq!(at("2026-01-08T10:30:00Z").as_deref(), Some("2026-01-08T10:30:00"));
        assert_eq!(at("2026-01-08T11:30:00.75+01:00").as_deref(), Some("2026-01-08T10:30:00"));
        assert_eq!(at("garbage"), None);
    }

    /// Found by fuzzing a source's cursors: a character of several bytes across the tenth
    /// byte made the ISO reading panic instead of refusing the value.
    #[test]
    fn a_character_across_the_date_split_is_no_date() {
        for raw in ["2026-01-0ž", "2026-01-0ž 10:30:00", "2026-01-08ž10:30", "ž026-01-08"] {
            assert_eq!(Instant::parse(raw), None, "{raw}");
            assert_eq!(Instant::parse_iso(raw), None, "{raw}");
            assert_eq!(Instant::parse_czech(raw), None, "{raw}");
        }
    }

    #[test]
    fn rfc3339_output_reads_back_as_the_same_instant() {
        for raw in ["8.1.2026 10:30", "2026-01-08T10:30:00.5+02:00", "29.2.2024", "2026-12-31T23:59:59.999999999Z"] {
            let at = Instant::parse(raw).unwrap();
            assert_eq!(Instant::parse_iso(&at.to_rfc3339()), Some(at), "{raw}");
        }
    }

    #[test]
    fn instants_order_chronologically_across_zones_and_fractions() {
        let i = |s| Instant::parse(s).unwrap();
        assert!(i("2026-01-08T10:30:00.5Z") > i("2026-01-08T10:30:00Z"));
        assert!(i("2026-01-08T10:30:00.5Z") < i("2026-01-08T10:30:00.51Z"));
        assert!(i("2026-01-08T11:29:59+01:00") < i("8.1.2026 10:30"));
        assert_eq!(i("2026-01-08T11:30:00+01:00"), i("8.1.2026 10:30"));
        assert!(i("31.12.2025 23:59:59") < i("2026-01-01"));
        for days in [-719_162i64, -1000, 0, 20_000, 20_461, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
    }
}
