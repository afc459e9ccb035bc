//! Splitting a read into partitions the host reads side by side, and keeping each partition
//! inside its bounds.
//!
//! BlueJet can only be asked for one condition per call, so a partition cannot ask the server
//! for "after its lower bound and up to its upper bound" at once. A partition pages with the
//! server's `>` (or `>=`) on its lower bound as an unpartitioned read does, and cuts each page
//! at its upper bound itself:
//!
//! - Key ranges compare keys in SQL Server's `uniqueidentifier` order, the order BlueJet sorts
//!   its GUID keys in. The plugin checks that order against the server's before it splits: a
//!   page of consecutive keys and the sampled boundaries must be in that order, or the stream
//!   is read as one partition (so a key column that is not a GUID never splits wrongly).
//! - Cursor ranges compare the cursor column's values as instants.
//!
//! Boundaries are sampled in the server's own order, at evenly spaced offsets of the sorted
//! rows, so partitions hold about as many rows each whatever the keys look like. The lower
//! partition holds its upper boundary key (`until` is inclusive for keys), and rows at a cursor
//! boundary belong to the partition above it (`until` is exclusive for cursors). The last
//! partition has no upper bound, so rows inserted or modified during a run past the last
//! boundary are read by it.

use std::cmp::Ordering;

use weir_sdk::date::Instant;

use crate::config::DateFormat;
use crate::mapping::Mapped;

/// The integer whose order is SQL Server's `uniqueidentifier` order, for a GUID in its
/// hyphenated text form (case-insensitive, braces allowed); `None` for anything else.
///
/// SQL Server compares the 16 bytes of a GUID in the order of its .NET byte layout, where the
/// first three groups are stored little-endian, taking bytes 10–15, then 8–9, 6–7, 4–5 and
/// 0–3. In the text form that is: the last group (as written) most significant, then the
/// fourth group as written, then the third, second and first groups each with their bytes
/// reversed.
pub fn guid_order(text: &str) -> Option<u128> {
    let t = text.trim();
    let t = t.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(t);
    let groups: Vec<&str> = t.split('-').collect();
    let [g1, g2, g3, g4, g5] = groups[..] else { return None };
    if [g1.len(), g2.len(), g3.len(), g4.len(), g5.len()] != [8, 4, 4, 4, 12] {
        return None;
    }
    let bytes = |g: &str| -> Option<Vec<u8>> {
        (0..g.len())
            .step_by(2)
            .map(|i| g.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect::<Option<Vec<u8>>>()
    };
    let (b1, b2, b3, b4, b5) = (bytes(g1)?, bytes(g2)?, bytes(g3)?, bytes(g4)?, bytes(g5)?);
    let ordered = b5
        .iter()
        .chain(&b4)
        .chain(b3.iter().rev())
        .chain(b2.iter().rev())
        .chain(b1.iter().rev())
        .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
    Some(ordered)
}

/// A cursor value as an instant, read the way the stream's date format says.
pub fn instant(raw: &str, format: DateFormat) -> Option<Instant> {
    match format {
        DateFormat::Iso => Instant::parse_iso(raw),
        DateFormat::Czech => Instant::parse_czech(raw),
        DateFormat::Auto => Instant::parse(raw),
    }
}

/// Whether `values` (those that parse; the others are malformed rows and say nothing about
/// the order) never go down: the server's order agrees with the plugin's comparison.
pub fn in_order<T: Ord>(values: impl IntoIterator<Item = Option<T>>) -> bool {
    let mut last: Option<T> = None;
    for v in values.into_iter().flatten() {
        if last.as_ref().is_some_and(|l| *l > v) {
            return false;
        }
        last = Some(v);
    }
    true
}

/// Where a page, in the server's order, leaves a partition's upper bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// The page's first `rows` rows are inside the partition.
    pub rows: usize,
    /// The page reached the bound: the partition is read to its end.
    pub ended: bool,
}

/// Cuts a page of rows, ordered by the server, at an upper bound. `position` places a row
/// against the bound: `Less` inside, `Equal` at the bound, `Greater` past it, `None` for a row
/// whose value cannot be compared (a malformed row). `Equal` is inside for an inclusive bound
/// (keys) and past it for an exclusive one (cursors).
///
/// Rows are served in the server's order of their stored values, so the rows of a page
/// switch from inside the bound to past it once; a malformed row (a duplicated key) may be
/// served with a value that lies anywhere, and must neither end the partition early nor pull
/// rows past the bound into it. The page is cut where the fewest comparable rows disagree with
/// one switch (rows past it before the cut plus rows inside it after), the latest such place.
/// The partition ends when the bound row itself was read (inclusive bounds), when at least two
/// comparable rows past the bound follow the cut, or when nothing before the cut is inside. A
/// page whose only row past the bound is its last comparable one is cut there without ending
/// the partition; the next page starts after the last row kept and settles it (one request
/// more where a bound falls on a page's last row). Rows that cannot be compared and sit between
/// the last row inside and the first row past the bound stay in this partition unless the
/// bound row itself was the last one inside (then they are past it, in the next partition's
/// range).
pub fn cut(rows: &[Mapped], inclusive: bool, position: impl Fn(&Mapped) -> Option<Ordering>) -> Cut {
    let places: Vec<Option<Ordering>> = rows.iter().map(position).collect();
    let past = |p: &Option<Ordering>| match p {
        Some(Ordering::Greater) => true,
        Some(Ordering::Equal) => !inclusive,
        _ => false,
    };
    let inside = |p: &Option<Ordering>| p.is_some() && !past(p);
    // cost(n) = rows past the bound before n + rows inside it from n on; walked from n = 0.
    let mut cost = places.iter().filter(|p| inside(p)).count();
    let (mut best, mut best_cost) = (0, cost);
    for (i, p) in places.iter().enumerate() {
        if inside(p) {
            cost -= 1;
        } else if past(p) {
            cost += 1;
        }
        if cost <= best_cost {
            (best, best_cost) = (i + 1, cost);
        }
    }
    let last_inside = places[..best].iter().rposition(inside);
    let bound_row_inside = inclusive && last_inside.is_some_and(|i| places[i] == Some(Ordering::Equal));
    let n = match last_inside {
        Some(i) if bound_row_inside => i + 1,
        _ => best,
    };
    let past_after = places[n..].iter().filter(|p| past(p)).count();
    let ended = bound_row_inside || past_after >= 2 || (past_after >= 1 && last_inside.is_none());
    Cut { rows: n, ended }
}

/// `count` offsets spread evenly over `total` rows, the first at `total / (count + 1)`: where
/// the boundaries between `count + 1` partitions are sampled.
pub fn sample_offsets(total: u64, partitions: u32) -> Vec<u64> {
    let n = u64::from(partitions.max(1));
    (1..n).map(|i| total * i / n).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use weir_sdk::Record;

    fn row(key: &str) -> Mapped {
        Mapped { record: Record { key: key.into(), fields: "{}".into(), cursor: None }, raw_cursor: None }
    }

    /// Orders by a number in the key; keys that are not numbers cannot be compared.
    fn against(bound: u32) -> impl Fn(&Mapped) -> Option<Ordering> {
        move |m: &Mapped| m.record.key.parse::<u32>().ok().map(|k| k.cmp(&bound))
    }

    fn rows(keys: &[&str]) -> Vec<Mapped> {
        keys.iter().map(|k| row(k)).collect()
    }

    #[test]
    fn sql_server_order_puts_the_last_group_first_and_reverses_the_first_three() {
        // Each pair differs in one byte; the later one sorts higher in SQL Server.
        let ascending = [
            "00000000-0000-0000-0000-000000000000",
            "ff000000-0000-0000-0000-000000000000", // byte 0 is the least significant
            "00ff0000-0000-0000-0000-000000000000",
            "0000ff00-0000-0000-0000-000000000000",
            "000000ff-0000-0000-0000-000000000000",
            "00000000-ff00-0000-0000-000000000000",
            "00000000-00ff-0000-0000-000000000000",
            "00000000-0000-ff00-0000-000000000000",
            "00000000-0000-00ff-0000-000000000000",
            "00000000-0000-0000-00ff-000000000000",
            "00000000-0000-0000-ff00-000000000000",
            "00000000-0000-0000-0000-0000000000ff",
            "00000000-0000-0000-0000-ff0000000000",
        ];
        let keys: Vec<u128> = ascending.iter().map(|g| guid_order(g).unwrap()).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{keys:x?}");
        // Text order would say the opposite of SQL Server here.
        let (a, b) = ("10000000-0000-0000-0000-000000000002", "20000000-0000-0000-0000-000000000001");
        assert!(a < b && guid_order(a) > guid_order(b));
        assert_eq!(
            guid_order("{6F1C0A52-1B2C-4D3E-8F90-123456789ABC}"),
            guid_order("6f1c0a52-1b2c-4d3e-8f90-123456789abc")
        );
        for bad in [
            "",
            "KEY-000001",
            "6f1c0a52-1b2c-4d3e-8f90-123456789ab",
            "6f1c0a52-1b2c-4d3e-8f90-123456789abg",
            "6f1c0a521b2c4d3e8f90123456789abc",
        ] {
            assert_eq!(guid_order(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_page_is_cut_after_the_last_row_inside_an_inclusive_bound() {
        assert_eq!(cut(&rows(&["1", "2", "3"]), true, against(5)), Cut { rows: 3, ended: false });
        assert_eq!(cut(&rows(&["1", "5", "7"]), true, against(5)), Cut { rows: 2, ended: true });
        assert_eq!(cut(&rows(&["1", "4", "7", "8"]), true, against(5)), Cut { rows: 2, ended: true });
        // One row past the bound at the end of a page may be a malformed one: the partition
        // goes on after the last row inside, and the next page settles it.
        assert_eq!(cut(&rows(&["1", "4", "7"]), true, against(5)), Cut { rows: 2, ended: false });
        assert_eq!(
            cut(&rows(&["1", "4", "5"]), true, against(5)),
            Cut { rows: 3, ended: true },
            "the bound row ends it"
        );
        assert_eq!(cut(&rows(&["6", "7"]), true, against(5)), Cut { rows: 0, ended: true });
        assert_eq!(cut(&[], true, against(5)), Cut { rows: 0, ended: false });
    }

    #[test]
    fn an_exclusive_bound_leaves_rows_at_the_bound_to_the_next_partition() {
        assert_eq!(cut(&rows(&["1", "5", "5"]), false, against(5)), Cut { rows: 1, ended: true });
        assert_eq!(cut(&rows(&["1", "4"]), false, against(5)), Cut { rows: 2, ended: false });
    }

    #[test]
    fn malformed_rows_never_stop_a_partition_early_or_forever() {
        // A duplicated key past the bound in the middle of the page does not end the partition.
        assert_eq!(cut(&rows(&["1", "9", "3"]), true, against(5)), Cut { rows: 3, ended: false });
        assert_eq!(cut(&rows(&["1", "9", "3", "4"]), true, against(5)), Cut { rows: 4, ended: false });
        assert_eq!(cut(&rows(&["1", "9", "3", "7", "8"]), true, against(5)), Cut { rows: 3, ended: true });
        // Rows without a key before the first row past the bound stay here...
        assert_eq!(cut(&rows(&["1", "x", "7", "8"]), true, against(5)), Cut { rows: 2, ended: true });
        assert_eq!(cut(&rows(&["1", "x", "7"]), true, against(5)), Cut { rows: 2, ended: false });
        // A duplicated key served inside the bound among rows past it pulls none of them in.
        assert_eq!(cut(&rows(&["1", "4", "6", "7", "2", "8"]), true, against(5)), Cut { rows: 2, ended: true });
        assert_eq!(cut(&rows(&["1", "5", "6", "7", "2", "8"]), true, against(5)), Cut { rows: 2, ended: true });
        assert_eq!(cut(&rows(&["1", "7", "x"]), true, against(5)), Cut { rows: 1, ended: false });
        assert_eq!(cut(&rows(&["x", "7"]), true, against(5)), Cut { rows: 1, ended: true });
        // ...unless the bound row was read: they are past it.
        assert_eq!(cut(&rows(&["5", "x", "7"]), true, against(5)), Cut { rows: 1, ended: true });
        assert_eq!(cut(&rows(&["1", "x"]), true, against(5)), Cut { rows: 2, ended: false });
    }

    #[test]
    fn order_checks_skip_values_that_do_not_parse() {
        assert!(in_order([Some(1), None, Some(2), Some(2), Some(3)]));
        assert!(!in_order([Some(1), Some(3), None, Some(2)]));
        assert!(in_order(Vec::<Option<u8>>::new()));
    }

    #[test]
    fn boundaries_are_sampled_evenly() {
        assert_eq!(sample_offsets(1_000, 4), [250, 500, 750]);
        assert_eq!(sample_offsets(10, 1), Vec::<u64>::new());
        assert_eq!(sample_offsets(7, 3), [2, 4]);
    }
}
