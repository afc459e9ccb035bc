//! Where a read goes on: keyset paging on the key (full reads, key listing) or on the cursor
//! column (incremental reads), never offset paging over a set that changes while it is read.

use serde::{Deserialize, Serialize};
use weir_sdk::{Error, Result};

use crate::mapping::Mapped;

/// The state the host stores between pages. It only ever moves past rows that were returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
pub enum State {
    /// Rows ordered by the key in BlueJet's own order, after `after`. BlueJet (SQL Server)
    /// orders GUIDs by byte groups, not as text; the server's `>` decides where a page starts.
    /// `skip` only moves past rows that carry no usable key. `until` is a partition's last
    /// key (inclusive), compared in SQL Server's order (see `partition`); none for the whole
    /// stream or the last partition.
    Keys {
        #[serde(default)]
        after: Option<String>,
        #[serde(default)]
        skip: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
    /// Rows whose cursor is at or after `from` (BlueJet's own text of the value), ordered by
    /// the cursor. `seen` are the keys already returned at exactly `from`; `skip` is the offset
    /// into the rows at or after `from` when more than a page of them share that value (pages
    /// then overlap by a quarter, and a page that does not start with a row already taken
    /// steps back, so rows leaving the bucket mid-read never shift others out of sight).
    /// `until` is the cursor value where a partition ends (exclusive: rows at it belong to the
    /// next partition); none for an unpartitioned read or the last partition.
    Since {
        from: String,
        #[serde(default)]
        seen: Vec<String>,
        #[serde(default)]
        skip: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
}

/// The parts of one `GET /api/v1/data` that the state decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub condition: Option<String>,
    pub sort: String,
    pub offset: u32,
}

impl State {
    pub fn parse(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|e| Error::config(format_args!("unreadable read state `{text}`: {e}")))
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The condition, sort and offset of the next call.
    pub fn plan(&self, key: &str, cursor: &str) -> Plan {
        match self {
            Self::Keys { after, skip, .. } => Plan {
                condition: after.as_ref().map(|k| format!("{key}|>|{k}")),
                sort: format!("+{key}"),
                offset: *skip,
            },
            Self::Since { from, skip, .. } => {
                Plan { condition: Some(format!("{cursor}|>=|{from}")), sort: format!("+{cursor}"), offset: *skip }
            }
        }
    }

    /// Drops rows already returned and works out the state after this page, which was asked
    /// for with `limit` rows.
    pub fn advance(&self, rows: Vec<Mapped>, limit: u32) -> (Vec<Mapped>, State) {
        match self {
            Self::Keys { after, skip, until } => {
                let last_key = rows.iter().rev().find(|m| !m.record.key.is_empty()).map(|m| m.record.key.clone());
                let next = match last_key {
                    // Rows without a key after the last keyed one are passed over by offset.
                    Some(k) => {
                        let trailing = rows.iter().rev().take_while(|m| m.record.key.is_empty()).count() as u32;
                        State::Keys { after: Some(k), skip: trailing, until: until.clone() }
                    }
                    None => State::Keys {
                        after: after.clone(),
                        skip: skip.saturating_add(rows.len() as u32),
                        until: until.clone(),
                    },
                };
                (rows, next)
            }
            Self::Since { from, seen, skip: offset, until } => {
                let at_from = |m: &Mapped| m.raw_cursor.as_deref() == Some(from.as_str());
                // Inside a bucket of rows sharing one cursor value, pages overlap: the page must
                // start with a row already taken, or rows before it may have moved (modified
                // rows leave the bucket) and shifted unread rows past the offset.
                let anchored = *offset == 0 || rows.first().is_some_and(|m| at_from(m) && seen.contains(&m.record.key));
                let returned = rows.len() as u32;
                let mut taken = std::collections::BTreeSet::new();
                let fresh: Vec<Mapped> = rows
                    .into_iter()
                    .filter(|m| !(at_from(m) && seen.contains(&m.record.key)))
                    .filter(|m| !at_from(m) || taken.insert(m.record.key.clone()))
                    .collect();
                let mut seen_now = seen.clone();
                seen_now.extend(fresh.iter().filter(|m| at_from(m)).map(|m| m.record.key.clone()));
                if !anchored {
                    // Step back a page; rows past the bucket are read again once it is done.
                    let fresh: Vec<Mapped> = fresh.into_iter().filter(|m| at_from(m)).collect();
                    let next = State::Since {
                        from: from.clone(),
                        seen: seen_now,
                        skip: offset.saturating_sub(limit),
                        until: until.clone(),
                    };
                    return (fresh, next);
                }
                let next = match fresh.iter().rev().find_map(|m| m.raw_cursor.clone()) {
                    Some(last) if last != *from => {
                        let at_last: Vec<String> = fresh
                            .iter()
                            .filter(|m| m.raw_cursor.as_deref() == Some(last.as_str()))
                            .map(|m| m.record.key.clone())
                            .collect();
                        State::Since { from: last, seen: at_last, skip: 0, until: until.clone() }
                    }
                    // Every new row of the page sits at `from`: go on through the bucket.
                    _ => {
                        let overlap = (limit / 4).min(returned.saturating_sub(1));
                        let skip = offset.saturating_add(returned - overlap);
                        State::Since { from: from.clone(), seen: seen_now, skip, until: until.clone() }
                    }
                };
                (fresh, next)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use weir_sdk::Record;

    fn m(key: &str, cursor: &str) -> Mapped {
        Mapped {
            record: Record { key: key.into(), fields: "{}".into(), cursor: None },
            raw_cursor: (!cursor.is_empty()).then(|| cursor.to_owned()),
        }
    }

    fn keys(rows: &[Mapped]) -> Vec<&str> {
        rows.iter().map(|m| m.record.key.as_str()).collect()
    }

    #[test]
    fn full_reads_page_by_key_after_the_last_key_returned() {
        let start = State::Keys { after: None, skip: 0, until: None };
        assert_eq!(
            start.plan("productid", "modifiedon"),
            Plan { condition: None, sort: "+productid".into(), offset: 0 }
        );
        let (rows, next) = start.advance(vec![m("b", ""), m("a", "")], 2);
        assert_eq!(keys(&rows), ["b", "a"], "the server's order is kept, never re-sorted as text");
        assert_eq!(next, State::Keys { after: Some("a".into()), skip: 0, until: None });
        assert_eq!(next.plan("productid", "x").condition.as_deref(), Some("productid|>|a"));
    }

    #[test]
    fn keyless_rows_are_passed_by_offset_so_the_read_never_sticks() {
        let state = State::Keys { after: Some("a".into()), skip: 0, until: None };
        let (_, next) = state.advance(vec![m("b", ""), m("", "")], 2);
        assert_eq!(next, State::Keys { after: Some("b".into()), skip: 1, until: None });
        let (_, next) = next.advance(vec![m("", ""), m("", "")], 2);
        assert_eq!(next, State::Keys { after: Some("b".into()), skip: 3, until: None });
        assert_eq!(next.plan("k", "c").offset, 3);
    }

    #[test]
    fn incremental_reads_skip_rows_already_taken_at_the_same_instant() {
        let state = State::Since { from: "t1".into(), seen: vec![], skip: 0, until: None };
        assert_eq!(state.plan("k", "modifiedon").condition.as_deref(), Some("modifiedon|>=|t1"));
        let (rows, next) = state.advance(vec![m("a", "t1"), m("b", "t2"), m("c", "t2")], 3);
        assert_eq!(keys(&rows), ["a", "b", "c"]);
        assert_eq!(next, State::Since { from: "t2".into(), seen: vec!["b".into(), "c".into()], skip: 0, until: None });
        // The next call starts at t2 again (>=) and must not return b and c twice.
        let (rows, next) = next.advance(vec![m("b", "t2"), m("c", "t2"), m("d", "t2"), m("e", "t3")], 4);
        assert_eq!(keys(&rows), ["d", "e"]);
        assert_eq!(next, State::Since { from: "t3".into(), seen: vec!["e".into()], skip: 0, until: None });
    }

    #[test]
    fn a_modified_row_comes_back_later_with_its_new_cursor() {
        let state = State::Since { from: "t1".into(), seen: vec!["a".into()], skip: 0, until: None };
        let (rows, _) = state.advance(vec![m("a", "t1"), m("b", "t2"), m("a", "t9")], 3);
        assert_eq!(keys(&rows), ["b", "a"], "a at t9 is a new version, not a repeat");
    }

    #[test]
    fn more_than_a_page_at_one_instant_moves_on_by_overlapping_offsets() {
        let state = State::Since { from: "t1".into(), seen: vec![], skip: 0, until: None };
        let (rows, next) = state.advance(vec![m("a", "t1"), m("b", "t1"), m("c", "t1"), m("d", "t1")], 4);
        assert_eq!(keys(&rows), ["a", "b", "c", "d"]);
        // Four rows, a quarter (one) overlaps: the next page starts at d.
        assert_eq!(
            next,
            State::Since {
                from: "t1".into(),
                seen: vec!["a".into(), "b".into(), "c".into(), "d".into()],
                skip: 3,
                until: None
            }
        );
        assert_eq!(next.plan("k", "c").offset, 3);
        let (rows, next) = next.advance(vec![m("d", "t1"), m("e", "t1"), m("f", "t2")], 4);
        assert_eq!(keys(&rows), ["e", "f"]);
        assert_eq!(next, State::Since { from: "t2".into(), seen: vec!["f".into()], skip: 0, until: None });
    }

    #[test]
    fn rows_leaving_a_bucket_mid_read_never_hide_the_rows_behind_them() {
        // a..d were read; then a, b and c were modified (they move to a later cursor), so e
        // and f shifted to the front of the t1 bucket and an offset of 3 would skip them.
        let seen: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let state = State::Since { from: "t1".into(), seen, skip: 3, until: None };
        let (rows, next) = state.advance(vec![m("g", "t1"), m("a", "t5")], 4);
        assert_eq!(keys(&rows), ["g"], "no anchor: keep only new rows of the bucket and step back");
        assert!(matches!(&next, State::Since { skip: 0, .. }));
        let (rows, next) = next.advance(vec![m("d", "t1"), m("e", "t1"), m("f", "t1"), m("g", "t1")], 4);
        assert_eq!(keys(&rows), ["e", "f"], "g was already returned");
        assert!(matches!(&next, State::Since { skip: 3, .. }));
    }

    #[test]
    fn a_partition_keeps_its_bound_in_every_later_state() {
        let keys = State::Keys { after: Some("a".into()), skip: 0, until: Some("m".into()) };
        let (_, next) = keys.advance(vec![m("b", ""), m("", "")], 2);
        assert_eq!(next, State::Keys { after: Some("b".into()), skip: 1, until: Some("m".into()) });
        let (_, next) = next.advance(vec![m("", "")], 2);
        assert!(matches!(&next, State::Keys { until: Some(u), .. } if u == "m"));

        let since = State::Since { from: "t1".into(), seen: vec![], skip: 0, until: Some("t5".into()) };
        let (_, next) = since.advance(vec![m("a", "t1"), m("b", "t2")], 2);
        assert!(matches!(&next, State::Since { until: Some(u), .. } if u == "t5"));
        let (_, next) = next.advance(vec![m("b", "t2"), m("c", "t2")], 2);
        assert!(matches!(&next, State::Since { until: Some(u), .. } if u == "t5"));
        assert_eq!(State::parse(&next.to_text()).unwrap(), next);
    }

    #[test]
    fn states_without_a_bound_read_as_before() {
        // States stored before partitions existed still parse, and unbounded states are written
        // as they were.
        let old = r#"{"mode":"keys","after":"x","skip":2}"#;
        assert_eq!(State::parse(old).unwrap(), State::Keys { after: Some("x".into()), skip: 2, until: None });
        assert_eq!(State::parse(old).unwrap().to_text(), old);
        let old = r#"{"mode":"since","from":"t","seen":["k"],"skip":0}"#;
        assert_eq!(State::parse(old).unwrap().to_text(), old);
    }

    #[test]
    fn states_round_trip_as_text_and_garbage_is_a_config_error() {
        for s in [
            State::Keys { after: Some("x".into()), skip: 2, until: None },
            State::Since { from: "t".into(), seen: vec!["k".into()], skip: 0, until: None },
        ] {
            assert_eq!(State::parse(&s.to_text()).unwrap(), s);
        }
        assert!(matches!(State::parse("{\"mode\":\"nope\"}"), Err(Error::Config(_))));
    }

    /// Found by the fuzz target `bluejet_cursor` (`fuzz/regressions/bluejet_cursor/*-overflow`): a
    /// stored state whose skip is near `u32::MAX` overflowed the next offset (a panic in debug
    /// builds, a wrap back to the start in release). The offset now stops at the maximum.
    #[test]
    fn fuzz_regression_a_skip_near_the_maximum_saturates() {
        let keys = include_str!("../../../fuzz/regressions/bluejet_cursor/keys-state-skip-overflow");
        let (_, next) = State::parse(keys).unwrap().advance(vec![m("", "")], 4);
        assert_eq!(next, State::Keys { after: None, skip: u32::MAX, until: None });

        let since = include_str!("../../../fuzz/regressions/bluejet_cursor/since-state-skip-overflow");
        let (rows, next) = State::parse(since).unwrap().advance(vec![m("a", "2026-01-08T10:30:00")], 4);
        assert!(rows.is_empty(), "a was already returned");
        assert!(matches!(next, State::Since { skip: u32::MAX, .. }), "{next:?}");
    }
}
