//! Timestamps without a time zone, as BlueJet serves them, and the simulated clock.
//!
//! Times are seconds since 1970-01-01 in local wall-clock time (no zone is ever attached).

use serde::{Deserialize, Serialize};

/// How date-time columns are written in responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateFormat {
    /// `2026-01-08T10:30:00` (the default).
    #[default]
    Iso,
    /// `8.1.2026 10:30` (minute resolution).
    Czech,
}

/// Days since 1970-01-01 for a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Seconds for a civil date-time.
pub fn timestamp(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s)
}

/// Writes a timestamp in the given format.
pub fn format(ts: i64, fmt: DateFormat) -> String {
    let (y, mo, d) = civil_from_days(ts.div_euclid(86_400));
    let secs = ts.rem_euclid(86_400);
    let (h, mi, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    match fmt {
        DateFormat::Iso => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"),
        DateFormat::Czech => format!("{d}.{mo}.{y} {h}:{mi:02}"),
    }
}

/// Parses ISO (`2026-01-08T10:30:00`, `2026-01-08 10:30`, `2026-01-08`, optional fraction)
/// or Czech (`8.1.2026 10:30`, `8. 1. 2026`) forms. Invalid calendar values are refused.
pub fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.contains('-') {
        let (date, time) = match t.split_once(['T', ' ']) {
            Some((d, tm)) => (d, Some(tm)),
            None => (t, None),
        };
        let mut it = date.split('-');
        let y: i64 = it.next()?.parse().ok()?;
        let mo: u32 = it.next()?.parse().ok()?;
        let d: u32 = it.next()?.parse().ok()?;
        if it.next().is_some() {
            return None;
        }
        let (h, mi, s) = parse_time(time)?;
        valid(y, mo, d, h, mi, s)
    } else if t.contains('.') {
        let (date, time) = match t.rfind(':') {
            Some(_) => {
                let pos = t.rfind(' ')?;
                (&t[..pos], Some(&t[pos + 1..]))
            }
            None => (t, None),
        };
        let parts: Vec<&str> = date.split('.').map(str::trim).collect();
        if parts.len() != 3 {
            return None;
        }
        let d: u32 = parts[0].parse().ok()?;
        let mo: u32 = parts[1].parse().ok()?;
        let y: i64 = parts[2].parse().ok()?;
        let (h, mi, s) = parse_time(time)?;
        valid(y, mo, d, h, mi, s)
    } else {
        None
    }
}

fn parse_time(time: Option<&str>) -> Option<(u32, u32, u32)> {
    let Some(time) = time else {
        return Some((0, 0, 0));
    };
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next()?;
    let mut it = time.split(':');
    let h = it.next()?.trim().parse().ok()?;
    let mi = it.next().map_or(Some(0), |v| v.parse().ok())?;
    let s = it.next().map_or(Some(0), |v| v.parse().ok())?;
    Some((h, mi, s))
}

fn valid(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    if !(1..=12).contains(&mo) || d == 0 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let ts = timestamp(y, mo, d, h, mi, s);
    // rejects 30 February and the like: the date must round-trip
    (civil_from_days(ts.div_euclid(86_400)) == (y, mo, d)).then_some(ts)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formats_round_trip() {
        let ts = timestamp(2026, 1, 8, 10, 30, 0);
        assert_eq!(format(ts, DateFormat::Iso), "2026-01-08T10:30:00");
        assert_eq!(format(ts, DateFormat::Czech), "8.1.2026 10:30");
        assert_eq!(parse("2026-01-08T10:30:00"), Some(ts));
        assert_eq!(parse("8.1.2026 10:30"), Some(ts));
        assert_eq!(parse("2026-02-30T10:00:00"), None);
        assert_eq!(parse("garbage"), None);
    }
}
