//! Five-field cron expressions (`minute hour day-of-month month day-of-week`), evaluated in
//! local time: `*`, `*/n`, `a-b`, `a-b/n` and comma lists; day-of-week 0–7 (0 and 7 are
//! Sunday). When both day fields are restricted, a day matching either runs (as in cron).

use chrono::{DateTime, Datelike, Duration, Local, TimeZone, Timelike};

/// A parsed schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Schedule {
    text: String,
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    days_any: bool,
    weekdays_any: bool,
}

fn field(spec: &str, min: u32, max: u32, name: &str) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    let any = spec == "*";
    for part in spec.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().map_err(|_| format!("{name}: step `{s}` is not a number"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("{name}: a step of 0"));
        }
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            let a = a.parse::<u32>().map_err(|_| format!("{name}: `{a}` is not a number"))?;
            let b = b.parse::<u32>().map_err(|_| format!("{name}: `{b}` is not a number"))?;
            (a, b)
        } else {
            let v = range.parse::<u32>().map_err(|_| format!("{name}: `{range}` is not a number"))?;
            (v, if part.contains('/') { max } else { v })
        };
        if lo < min || hi > max || lo > hi {
            return Err(format!("{name}: `{part}` is outside {min}-{max}"));
        }
        let mut v = lo;
        while v <= hi {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, any))
}

impl Schedule {
    /// Parses a five-field expression.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split_whitespace().collect();
        let [m, h, dom, mon, dow] = parts.as_slice() else {
            return Err(format!("`{text}` is not a cron expression of five fields (minute hour day month weekday)"));
        };
        let (minutes, _) = field(m, 0, 59, "minute")?;
        let (hours, _) = field(h, 0, 23, "hour")?;
        let (days, days_any) = field(dom, 1, 31, "day of month")?;
        let (months, _) = field(mon, 1, 12, "month")?;
        let (mut weekdays, weekdays_any) = field(dow, 0, 7, "day of week")?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1;
        }
        Ok(Self { text: text.to_owned(), minutes, hours, days, months, weekdays, days_any, weekdays_any })
    }

    fn day_matches(&self, t: &DateTime<Local>) -> bool {
        let dom = self.days & (1 << t.day()) != 0;
        let dow = self.weekdays & (1 << t.weekday().num_days_from_sunday()) != 0;
        match (self.days_any, self.weekdays_any) {
            (true, true) => true,
            (false, true) => dom,
            (true, false) => dow,
            (false, false) => dom || dow,
        }
    }

    /// The first time strictly after `after` that matches, within about four years.
    pub(crate) fn next_after(&self, after: DateTime<Local>) -> Option<DateTime<Local>> {
        let start = after.with_second(0)?.with_nanosecond(0)? + Duration::minutes(1);
        let mut t = start;
        let limit = start + Duration::days(366 * 4);
        while t < limit {
            if self.months & (1 << t.month()) == 0 || !self.day_matches(&t) {
                // Next day at 00:00.
                let next = (t.date_naive() + Duration::days(1)).and_hms_opt(0, 0, 0)?;
                t = Local.from_local_datetime(&next).earliest()?;
                continue;
            }
            if self.hours & (1 << t.hour()) == 0 {
                t = t.with_minute(0)? + Duration::hours(1);
                continue;
            }
            if self.minutes & (1 << t.minute()) == 0 {
                t += Duration::minutes(1);
                continue;
            }
            return Some(t);
        }
        None
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn at(s: &str) -> DateTime<Local> {
        let naive = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        Local.from_local_datetime(&naive).earliest().unwrap()
    }

    fn next(expr: &str, from: &str) -> String {
        Schedule::parse(expr).unwrap().next_after(at(from)).unwrap().format("%Y-%m-%d %H:%M").to_string()
    }

    #[test]
    fn common_schedules() {
        assert_eq!(next("*/30 * * * *", "2026-03-01 10:05"), "2026-03-01 10:30");
        assert_eq!(next("*/30 * * * *", "2026-03-01 10:30"), "2026-03-01 11:00");
        assert_eq!(next("0 2 * * *", "2026-03-01 10:05"), "2026-03-02 02:00");
        assert_eq!(next("15 3 * * 1-5", "2026-02-27 04:00"), "2026-03-02 03:15"); // Fri → Mon
        assert_eq!(next("0 0 1 * *", "2026-02-10 00:00"), "2026-03-01 00:00");
        assert_eq!(next("0 12 * * 0", "2026-03-02 13:00"), "2026-03-08 12:00"); // Sunday
        assert_eq!(next("0 12 * * 7", "2026-03-02 13:00"), "2026-03-08 12:00");
        assert_eq!(next("5,35 8-9 * * *", "2026-03-01 08:40"), "2026-03-01 09:05");
    }

    #[test]
    fn bad_expressions_are_explained() {
        for (bad, why) in [
            ("* * * *", "five fields"),
            ("61 * * * *", "outside"),
            ("*/0 * * * *", "step of 0"),
            ("a * * * *", "not a number"),
            ("* * 0 * *", "outside"),
        ] {
            let e = Schedule::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
