//! weir's BlueJet source: reads BlueJet evidences through the host's `http` import.
//!
//! - Full reads page through an evidence ordered by its key (keyset: `key|>|<last key>`), so
//!   inserts and deletes during a read neither skip nor repeat rows.
//! - Incremental reads page by the cursor column (`modifiedon|>=|<value>`, `sort=+modifiedon`),
//!   skipping rows already taken at that exact value; a row modified during the read comes back
//!   later with its new value, so nothing is lost.
//! - The state returned with each page never points past a row not in that page.
//!
//! The token is fetched once per instance and renewed once on a 401.

mod client;
mod config;
mod cursor;
mod mapping;

use std::collections::BTreeMap;

use weir_sdk::{Error, KeyPage, Page, Result, Scope, Source, StreamInfo};

use crate::client::{Client, Query};
use crate::config::{Config, StreamConfig};
use crate::cursor::State;
use crate::mapping::to_bluejet_iso;

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

    fn read(&mut self, stream: &str, scope: Scope, state: Option<String>, max: u32) -> Result<Page> {
        let s = self.stream(stream)?.clone();
        let state = match (state, &scope) {
            (Some(text), _) => State::parse(&text)?,
            (None, Scope::Full) => State::Keys { after: None, skip: 0 },
            (None, Scope::Since(at)) => {
                if s.cursor.is_empty() {
                    return Err(Error::config(format_args!("stream `{stream}` has no cursor column; read it in full")));
                }
                let from = to_bluejet_iso(at)
                    .ok_or_else(|| Error::config(format_args!("`{at}` is not an RFC 3339 instant")))?;
                State::Since { from, seen: Vec::new(), skip: 0 }
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
        let (returned, mapped) =
            self.client.data(&query)?.map(&s.key, &s.cursor, s.date_format, s.fields.as_deref())?;
        let (fresh, next) = state.advance(mapped, limit);
        let records = fresh.into_iter().map(|m| m.record).collect();
        let next = next.to_text();
        // A short page is the last one: BlueJet had no more rows matching.
        Ok(if returned < limit as usize { Page::last(records, next) } else { Page::more(records, next) })
    }

    fn list_keys(&mut self, stream: &str, state: Option<String>, max: u32) -> Result<KeyPage> {
        let s = self.stream(stream)?.clone();
        let state = match state {
            Some(text) => State::parse(&text)?,
            None => State::Keys { after: None, skip: 0 },
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
        let (returned, mapped) = self.client.data(&query)?.map(&s.key, "", s.date_format, Some(&[]))?;
        let (rows, next) = state.advance(mapped, limit);
        let keys = rows.into_iter().map(|m| m.record.key).filter(|k| !k.is_empty()).collect();
        Ok(KeyPage { keys, state: next.to_text(), done: returned < limit as usize })
    }

    fn count(&mut self, stream: &str) -> Result<Option<u64>> {
        let s = self.stream(stream)?.clone();
        let query = Query { evidence: s.evidence, offset: 0, limit: 1, condition: None, sort: None, fields: None };
        Ok(self.client.data(&query)?.total)
    }
}

weir_sdk::export_source!(BlueJet);
