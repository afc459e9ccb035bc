//! weir's BlueJet source: reads BlueJet evidences through the host's `http` import.
//!
//! - Full reads page through an evidence ordered by its key (keyset: `key|>|<last key>`), so
//!   inserts and deletes during a read neither skip nor repeat rows.
//! - Incremental reads page by the cursor column (`modifiedon|>=|<value>`, `sort=+modifiedon`),
//!   skipping rows already taken at that exact value; a row modified during the read comes back
//!   later with its new value, so nothing is lost.
//! - The state returned with each page never points past a row not in that page.
//! - A read splits into partitions the host reads side by side: key ranges for full reads and
//!   key listings, cursor ranges for incremental reads, their boundaries sampled in BlueJet's
//!   own order (see `partition`). Each partition's states carry its upper bound.
//!
//! The token is fetched once per instance and renewed once on a 401.

mod client;
mod config;
mod cursor;
mod mapping;
mod partition;

use std::collections::BTreeMap;

use weir_sdk::{Error, KeyPage, Page, Partition, Result, Scope, Source, SplitScope, StreamInfo};

use crate::client::{Client, Query};
use crate::config::{Config, StreamConfig};
use crate::cursor::State;
use crate::mapping::{Mapped, to_bluejet_iso};
use crate::partition::{Cut, guid_order, in_order, instant, sample_offsets};

/// Consecutive rows read to check that BlueJet orders a stream as the plugin compares it,
/// before the stream is split.
const ORDER_PROBE: u32 = 64;
/// Rows asked for at each sampled offset: the first with a usable value is the boundary.
const SAMPLE_ROWS: u32 = 3;

/// The plugin's pure logic (page parsing, row mapping, dates, read states) for the fuzz
/// targets in `fuzz/`. Not an API: nothing outside this repository should depend on it.
#[doc(hidden)]
pub mod fuzzing {
    pub use crate::config::DateFormat;
    pub use crate::cursor::State;
    pub use crate::mapping::{DataResponse, Mapped, map_row, normalise_date, to_bluejet_iso};
}

pub struct BlueJet {
    config: Config,
    streams: BTreeMap<String, StreamConfig>,
    client: Client,
}

impl BlueJet {
    fn stream(&self, name: &str) -> Result<&StreamConfig> {
        self.streams.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.streams.keys().map(String::as_str).collect();
            Error::config(format_args!("unknown stream `{name}`; this source has {}", known.join(", ")))
        })
    }

    fn limit(&self, max: u32) -> u32 {
        if max == 0 { self.config.page_size } else { max.min(self.config.page_size) }
    }

    /// Key ranges in BlueJet's key order, for full reads and key listings.
    fn key_partitions(&mut self, stream: &str, s: &StreamConfig, max: u32) -> Result<Vec<Partition>> {
        let sort = format!("+{}", s.key);
        let probe = Query {
            evidence: s.evidence,
            offset: 0,
            limit: ORDER_PROBE,
            condition: None,
            sort: Some(sort.clone()),
            fields: Some(s.key.clone()),
        };
        let page = self.client.data(&probe)?;
        let (_, rows) = page.map(&s.key, "", s.date_format, Some(&[]))?;
        let Some(n) = self.split_count(page.total, max) else { return Ok(vec![Partition::whole()]) };
        if !rows.iter().any(|m| guid_order(&m.record.key).is_some())
            || !in_order(rows.iter().map(|m| guid_order(&m.record.key)))
        {
            weir_sdk::log::info!(
                "{stream}: keys of evidence {} are not GUIDs in SQL Server order; reading it as one partition",
                s.evidence
            );
            return Ok(vec![Partition::whole()]);
        }
        let mut bounds: Vec<(u128, String)> = Vec::new();
        for offset in sample_offsets(page.total.unwrap_or(0), n) {
            let query = Query { offset: clamp_offset(offset), limit: SAMPLE_ROWS, ..probe.clone() };
            let (_, rows) = self.client.data(&query)?.map(&s.key, "", s.date_format, Some(&[]))?;
            let sample = rows.into_iter().find_map(|m| guid_order(&m.record.key).map(|o| (o, m.record.key)));
            // Rows deleted meanwhile can make two samples meet; a boundary must move forward.
            if let Some((order, key)) = sample
                && bounds.last().is_none_or(|(last, _)| order > *last)
            {
                bounds.push((order, key));
            }
        }
        let count = bounds.len() + 1;
        let mut after: Option<String> = None;
        let mut parts = Vec::with_capacity(count);
        for (i, until) in bounds.into_iter().map(|(_, key)| Some(key)).chain([None]).enumerate() {
            let state = State::Keys { after: after.clone(), skip: 0, until: until.clone() };
            parts.push(Partition::new(format!("keys {}/{count}", i + 1), state.to_text()));
            after = until;
        }
        weir_sdk::log::info!("{stream}: {count} key ranges of about {} rows", page.total.unwrap_or(0) / count as u64);
        Ok(parts)
    }

    /// Cursor ranges from `from` (BlueJet's text of the scope's instant), for incremental reads.
    fn cursor_partitions(&mut self, stream: &str, s: &StreamConfig, from: String, max: u32) -> Result<Vec<Partition>> {
        let probe = Query {
            evidence: s.evidence,
            offset: 0,
            limit: ORDER_PROBE,
            condition: Some(format!("{}|>=|{from}", s.cursor)),
            sort: Some(format!("+{}", s.cursor)),
            fields: Some(format!("{},{}", s.key, s.cursor)),
        };
        let page = self.client.data(&probe)?;
        let (_, rows) = page.map(&s.key, &s.cursor, s.date_format, Some(&[]))?;
        let Some(n) = self.split_count(page.total, max) else { return Ok(vec![Partition::whole()]) };
        let at = |m: &Mapped| m.raw_cursor.as_deref().and_then(|c| instant(c, s.date_format));
        if !rows.iter().any(|m| at(m).is_some()) || !in_order(rows.iter().map(at)) {
            weir_sdk::log::info!(
                "{stream}: `{}` of evidence {} does not read as ordered dates; reading the changes as one partition",
                s.cursor,
                s.evidence
            );
            return Ok(vec![Partition::whole()]);
        }
        let mut bounds: Vec<String> = Vec::new();
        let mut last = weir_sdk::date::Instant::parse(&from);
        for offset in sample_offsets(page.total.unwrap_or(0), n) {
            let query = Query { offset: clamp_offset(offset), limit: SAMPLE_ROWS, ..probe.clone() };
            let (_, rows) = self.client.data(&query)?.map(&s.key, &s.cursor, s.date_format, Some(&[]))?;
            let Some((value, raw)) = rows.into_iter().find_map(|m| at(&m).zip(m.raw_cursor)) else { continue };
            // Rows sharing one cursor value stay in one partition: a boundary must move on.
            if last.is_none_or(|l| value > l) {
                last = Some(value);
                bounds.push(raw);
            }
        }
        let count = bounds.len() + 1;
        let mut start = from;
        let mut parts = Vec::with_capacity(count);
        for (i, until) in bounds.into_iter().map(Some).chain([None]).enumerate() {
            let label = format!("changes {}/{count} from {start}", i + 1);
            let next = until.clone();
            let state = State::Since { from: start, seen: Vec::new(), skip: 0, until };
            parts.push(Partition::new(label, state.to_text()));
            start = next.unwrap_or_default();
        }
        weir_sdk::log::info!(
            "{stream}: {count} cursor ranges of about {} rows",
            page.total.unwrap_or(0) / count as u64
        );
        Ok(parts)
    }

    /// How many partitions `total` rows make, at most `max`; none when one would do.
    fn split_count(&self, total: Option<u64>, max: u32) -> Option<u32> {
        let by_size = total? / self.config.min_partition_rows();
        let n = u32::try_from(by_size).unwrap_or(u32::MAX).min(max);
        (n > 1).then_some(n)
    }
}

/// Offsets are u32 in a query; a stream never holds four billion rows.
fn clamp_offset(offset: u64) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// Keeps a page inside the state's partition: how many of its rows are inside, and whether
/// the page reached the partition's upper bound.
fn bound(state: &State, s: &StreamConfig, rows: &[Mapped]) -> Result<Cut> {
    let unreadable = |until: &str| Error::config(format_args!("unreadable partition bound `{until}` in a read state"));
    match state {
        State::Keys { until: Some(until), .. } => {
            let limit = guid_order(until).ok_or_else(|| unreadable(until))?;
            Ok(partition::cut(rows, true, |m| guid_order(&m.record.key).map(|k| k.cmp(&limit))))
        }
        State::Since { until: Some(until), .. } => {
            let limit = instant(until, s.date_format).ok_or_else(|| unreadable(until))?;
            Ok(partition::cut(rows, false, |m| {
                m.raw_cursor.as_deref().and_then(|c| instant(c, s.date_format)).map(|c| c.cmp(&limit))
            }))
        }
        _ => Ok(Cut { rows: rows.len(), ended: false }),
    }
}

/// Whether an incremental read stepped back inside a bucket of rows sharing one cursor value
/// (see [`State::Since`]): the rows it has not taken yet are read again, so it is not done.
fn stepped_back(state: &State, next: &State) -> bool {
    matches!((state, next), (State::Since { from: a, skip: s0, .. }, State::Since { from: b, skip: s1, .. })
        if a == b && s1 < s0)
}

impl Source for BlueJet {
    type Config = Config;

    fn configure(config: Config) -> Result<Self> {
        let streams = config.streams()?;
        let client = Client::new(config.base());
        Ok(Self { config, streams, client })
    }

    fn streams(&self) -> Result<Vec<StreamInfo>> {
        Ok(self
            .streams
            .iter()
            .map(|(name, s)| {
                let info = StreamInfo::new(name, &s.key);
                if s.cursor.is_empty() { info } else { info.with_cursor_field(&s.cursor) }
            })
            .collect())
    }

    /// Key ranges for full reads and key listings, cursor ranges for incremental reads; one
    /// partition when asked for one, when the read is too small to be worth splitting, or when
    /// BlueJet's order of the stream is not one the plugin can compare in.
    fn partitions(&mut self, stream: &str, scope: SplitScope, max: u32) -> Result<Vec<Partition>> {
        let s = self.stream(stream)?.clone();
        if max <= 1 {
            return Ok(vec![Partition::whole()]);
        }
        match scope {
            SplitScope::Keys | SplitScope::Read(Scope::Full) => self.key_partitions(stream, &s, max),
            SplitScope::Read(Scope::Since(at)) => {
                let from = since_start(stream, &s, &at)?;
                self.cursor_partitions(stream, &s, from, max)
            }
        }
    }

    fn read(&mut self, stream: &str, scope: Scope, state: Option<String>, max: u32) -> Result<Page> {
        let s = self.stream(stream)?.clone();
        let state = match (state, &scope) {
            (Some(text), _) => State::parse(&text)?,
            (None, Scope::Full) => State::Keys { after: None, skip: 0, until: None },
            (None, Scope::Since(at)) => {
                State::Since { from: since_start(stream, &s, at)?, seen: Vec::new(), skip: 0, until: None }
            }
        };
        let limit = self.limit(max);
        let plan = state.plan(&s.key, &s.cursor);
        let fields = s.fields.as_ref().map(|f| {
            let mut all = vec![s.key.clone()];
            if !s.cursor.is_empty() {
                all.push(s.cursor.clone());
            }
            all.extend(f.iter().cloned());
            all.join(",")
        });
        let query = Query {
            evidence: s.evidence,
            offset: plan.offset,
            limit,
            condition: plan.condition,
            sort: Some(plan.sort),
            fields,
        };
        let (returned, mut mapped) =
            self.client.data(&query)?.map(&s.key, &s.cursor, s.date_format, s.fields.as_deref())?;
        let cut = bound(&state, &s, &mapped)?;
        mapped.truncate(cut.rows);
        let (fresh, next) = state.advance(mapped, limit);
        let done = !stepped_back(&state, &next) && (cut.ended || returned < limit as usize);
        let records = fresh.into_iter().map(|m| m.record).collect();
        let next = next.to_text();
        // A short page is the last one: BlueJet had no more rows matching. A partition also
        // ends where its bound is reached.
        Ok(if done { Page::last(records, next) } else { Page::more(records, next) })
    }

    fn list_keys(&mut self, stream: &str, state: Option<String>, max: u32) -> Result<KeyPage> {
        let s = self.stream(stream)?.clone();
        let state = match state {
            Some(text) => State::parse(&text)?,
            None => State::Keys { after: None, skip: 0, until: None },
        };
        if !matches!(state, State::Keys { .. }) {
            return Err(Error::config("a key listing state must be a key state"));
        }
        let limit = self.limit(max);
        let plan = state.plan(&s.key, &s.cursor);
        let query = Query {
            evidence: s.evidence,
            offset: plan.offset,
            limit,
            condition: plan.condition,
            sort: Some(plan.sort),
            fields: Some(s.key.clone()),
        };
        let (returned, mut mapped) = self.client.data(&query)?.map(&s.key, "", s.date_format, Some(&[]))?;
        let cut = bound(&state, &s, &mapped)?;
        mapped.truncate(cut.rows);
        let (rows, next) = state.advance(mapped, limit);
        let keys = rows.into_iter().map(|m| m.record.key).filter(|k| !k.is_empty()).collect();
        Ok(KeyPage { keys, state: next.to_text(), done: cut.ended || returned < limit as usize })
    }

    fn count(&mut self, stream: &str) -> Result<Option<u64>> {
        let s = self.stream(stream)?.clone();
        let query = Query { evidence: s.evidence, offset: 0, limit: 1, condition: None, sort: None, fields: None };
        Ok(self.client.data(&query)?.total)
    }
}

/// BlueJet's text of the instant an incremental read starts at.
fn since_start(stream: &str, s: &StreamConfig, at: &str) -> Result<String> {
    if s.cursor.is_empty() {
        return Err(Error::config(format_args!("stream `{stream}` has no cursor column; read it in full")));
    }
    to_bluejet_iso(at).ok_or_else(|| Error::config(format_args!("`{at}` is not an RFC 3339 instant")))
}

weir_sdk::export_source!(BlueJet);
