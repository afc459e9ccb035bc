//! Record cursors and the watermark: an incremental run reads from the watermark minus the
//! overlap, and every stage keeps the newest cursor it saw.

use std::time::Duration;

/// Subtracts `overlap` from an RFC 3339 watermark (kept as is when it does not parse).
pub(super) fn minus_overlap(watermark: &str, overlap: Duration) -> String {
    match chrono::DateTime::parse_from_rfc3339(watermark) {
        Ok(t) => {
            let back = (t - chrono::Duration::from_std(overlap).unwrap_or_default()).with_timezone(&chrono::Utc);
            back.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
        }
        Err(_) => watermark.to_owned(),
    }
}

/// The later of two cursors, either of which may be missing.
pub(super) fn newer(a: Option<String>, b: Option<&String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if later(b, &a) { b.clone() } else { a }),
        (a, b) => a.or_else(|| b.cloned()),
    }
}

/// Whether cursor `a` is later than `b` (as instants when both parse, else as text).
pub(super) fn later(a: &str, b: &str) -> bool {
    match (chrono::DateTime::parse_from_rfc3339(a), chrono::DateTime::parse_from_rfc3339(b)) {
        (Ok(x), Ok(y)) => x > y,
        _ => a > b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_moves_the_watermark_back() {
        assert_eq!(minus_overlap("2026-03-01T10:05:00Z", Duration::from_secs(300)), "2026-03-01T10:00:00Z");
        assert_eq!(minus_overlap("2026-03-01T10:05:00+01:00", Duration::from_secs(60)), "2026-03-01T09:04:00Z");
        assert_eq!(minus_overlap("not a date", Duration::from_secs(60)), "not a date");
    }

    #[test]
    fn newest_cursor_wins_by_instant() {
        let a = Some("2026-03-01T10:00:00+01:00".to_owned());
        let b = "2026-03-01T09:30:00Z".to_owned();
        assert_eq!(newer(a.clone(), Some(&b)), Some(b.clone()));
        assert_eq!(newer(None, Some(&b)), Some(b));
        assert_eq!(newer(a.clone(), None), a);
    }
}
