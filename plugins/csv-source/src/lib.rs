//! weir's CSV source: reads CSV and JSONL exports, the way many ERPs write them, from one
//! directory the host grants read-only and mounts at `/exports` inside the plugin.
//!
//! - `config.rs`: the strict configuration (one file per stream, its format, key, cursor,
//!   delimiter and column types);
//! - `csv.rs`: the CSV record reader (quotes, embedded delimiters and line breaks);
//! - `table.rs`: a file read row by row with byte offsets and line numbers;
//! - `mapping.rs`: rows to records (typed values, Czech decimals, dates read with the SDK's
//!   [`weir_sdk::date::Instant`]);
//! - `cursor.rs`: the read state (offset, line, header hash).
//!
//! Every read reopens the file and goes on from the stored state's byte offset, so a page costs
//! only its own rows. An incremental read (`Scope::Since`) passes over the whole file and returns
//! the rows whose cursor is at or after the instant, and the rows whose cursor is empty or not a
//! date, so that none is lost; unchanged rows cost the host nothing.

mod config;
mod csv;
mod cursor;
mod mapping;
mod table;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Seek};

use weir_sdk::date::Instant;
use weir_sdk::{Error, KeyPage, Page, Result, Scope, Source, StreamInfo};

use crate::config::{Config, Stream};
use crate::cursor::State;
use crate::mapping::{Miss, check_header, map_row};
use crate::table::{Table, io_error};

/// Rows per page when the host asks for none.
pub const DEFAULT_PAGE_SIZE: u32 = 500;
/// The most rows one page returns, whatever the host asks for.
pub const MAX_PAGE_SIZE: u32 = 10_000;
/// The most rows one call passes over. An incremental read that finds few matches returns a
/// page short of `max` (even empty) rather than scan a large file in one call.
pub const MAX_SCAN_ROWS: usize = 50_000;
/// Keys per page when the host asks for none.
pub const DEFAULT_KEY_PAGE_SIZE: u32 = 1_000;
/// Read buffer for export files.
const BUFFER_BYTES: usize = 64 * 1024;

pub struct CsvSource {
    streams: BTreeMap<String, Stream>,
}

/// A table opened for a stream, with its header checked against the configuration.
struct Opened<R> {
    table: Table<R>,
    columns: Vec<String>,
}

impl CsvSource {
    fn stream(&self, name: &str) -> Result<&Stream> {
        self.streams.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.streams.keys().map(String::as_str).collect();
            Error::config(format_args!("unknown stream `{name}`; this source has {}", known.join(", ")))
        })
    }

    fn open(stream: &Stream) -> Result<Opened<BufReader<File>>> {
        let shown = stream.path.display().to_string();
        let file = File::open(&stream.path).map_err(|e| io_error(&shown, &e))?;
        open_table(stream, BufReader::with_capacity(BUFFER_BYTES, file))
    }
}

/// Opens `input` as the stream's table and checks its header.
fn open_table<R: BufRead + Seek>(stream: &Stream, input: R) -> Result<Opened<R>> {
    let table = Table::open(input, &stream.file, stream.format, stream.delimiter)?;
    let columns = table.header().map(|h| h.columns.clone()).unwrap_or_default();
    if table.header().is_some() {
        check_header(stream, &columns)?;
    }
    Ok(Opened { table, columns })
}

/// One page of records from an opened table.
fn read_page<R: BufRead + Seek>(
    stream: &Stream,
    opened: &mut Opened<R>,
    since: Option<Instant>,
    state: Option<&str>,
    max: u32,
) -> Result<Page> {
    if let Some(text) = state {
        opened.table.resume(&State::parse(text)?)?;
    }
    let limit = page_size(max, DEFAULT_PAGE_SIZE);
    let mut records = Vec::new();
    let mut misses = Vec::new();
    let mut scanned = 0;
    while records.len() < limit && scanned < MAX_SCAN_ROWS {
        let Some(row) = opened.table.next_row()? else { break };
        scanned += 1;
        let mapped = map_row(row, stream, &opened.columns, &mut misses);
        // Rows without a readable cursor are returned too: dropping them would lose them.
        if since.is_none_or(|since| mapped.instant.is_none_or(|at| at >= since)) {
            records.push(mapped.record);
        }
    }
    report(stream, &misses);
    let done = opened.table.at_end()?;
    let next = opened.table.state().to_text();
    Ok(if done { Page::last(records, next) } else { Page::more(records, next) })
}

/// One page of keys from an opened table: the non-empty keys a full read would return.
fn key_page<R: BufRead + Seek>(
    stream: &Stream,
    opened: &mut Opened<R>,
    state: Option<&str>,
    max: u32,
) -> Result<KeyPage> {
    if let Some(text) = state {
        opened.table.resume(&State::parse(text)?)?;
    }
    let limit = page_size(max, DEFAULT_KEY_PAGE_SIZE);
    let mut keys = Vec::new();
    let mut scanned = 0;
    while keys.len() < limit && scanned < MAX_SCAN_ROWS {
        let Some(row) = opened.table.next_row()? else { break };
        scanned += 1;
        let record = map_row(row, stream, &opened.columns, &mut Vec::new()).record;
        if !record.key.is_empty() {
            keys.push(record.key);
        }
    }
    let done = opened.table.at_end()?;
    Ok(KeyPage { keys, state: opened.table.state().to_text(), done })
}

/// The rows of an opened table, malformed ones included.
fn count_rows<R: BufRead + Seek>(opened: &mut Opened<R>) -> Result<u64> {
    let mut rows = 0;
    while opened.table.next_row()?.is_some() {
        rows += 1;
    }
    Ok(rows)
}

fn page_size(max: u32, default: u32) -> usize {
    (if max == 0 { default } else { max.min(MAX_PAGE_SIZE) }) as usize
}

/// One warning per page for the values that did not fit their declared type.
fn report(stream: &Stream, misses: &[Miss]) {
    if let Some(first) = misses.first() {
        weir_sdk::log::warn!(
            "{}: {} values do not fit their declared type and are kept as text (first: line {}, column `{}`: `{}` is not {})",
            stream.file,
            misses.len(),
            first.line,
            first.column,
            first.value,
            first.expected
        );
    }
}

impl Source for CsvSource {
    type Config = Config;

    fn configure(config: Config) -> Result<Self> {
        Ok(Self { streams: config.streams()? })
    }

    fn streams(&self) -> Result<Vec<StreamInfo>> {
        Ok(self
            .streams
            .iter()
            .map(|(name, s)| {
                let info = StreamInfo::new(name, &s.key);
                match &s.cursor {
                    Some(cursor) => info.with_cursor_field(cursor),
                    None => info,
                }
            })
            .collect())
    }

    fn read(&mut self, stream: &str, scope: Scope, state: Option<String>, max: u32) -> Result<Page> {
        let s = self.stream(stream)?;
        let since = match &scope {
            Scope::Full => None,
            Scope::Since(_) if s.cursor.is_none() => {
                return Err(Error::config(format_args!("stream `{stream}` has no cursor column; read it in full")));
            }
            Scope::Since(at) => Some(
                Instant::parse_iso(at)
                    .ok_or_else(|| Error::config(format_args!("`{at}` is not an RFC 3339 instant")))?,
            ),
        };
        read_page(s, &mut Self::open(s)?, since, state.as_deref(), max)
    }

    fn list_keys(&mut self, stream: &str, state: Option<String>, max: u32) -> Result<KeyPage> {
        let s = self.stream(stream)?;
        key_page(s, &mut Self::open(s)?, state.as_deref(), max)
    }

    fn count(&mut self, stream: &str) -> Result<Option<u64>> {
        let s = self.stream(stream)?;
        Ok(Some(count_rows(&mut Self::open(s)?)?))
    }
}

weir_sdk::export_source!(CsvSource);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde_json::{Value, json};
    use std::path::PathBuf;
    use weir_sdk::Record;

    const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");

    /// The shipped example configuration, reading the shipped examples.
    fn examples() -> CsvSource {
        let text = std::fs::read_to_string(format!("{EXAMPLES}/config.json")).unwrap();
        let mut config: Value = serde_json::from_str(&text).unwrap();
        config["dir"] = EXAMPLES.into();
        CsvSource::configure(weir_sdk::parse_config(&config.to_string()).unwrap()).unwrap()
    }

    /// A directory of its own per test, with `files` written into it.
    fn dir_with(test: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("csv-source-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    fn source(dir: &std::path::Path, streams: Value) -> CsvSource {
        let config = json!({"dir": dir.to_str().unwrap(), "streams": streams});
        CsvSource::configure(weir_sdk::parse_config(&config.to_string()).unwrap()).unwrap()
    }

    /// Reads a stream to its end in pages of `max`; returns the records and each page's state.
    fn read_all(s: &mut CsvSource, stream: &str, scope: Scope, max: u32) -> (Vec<Record>, Vec<String>) {
        let (mut records, mut states, mut state) = (Vec::new(), Vec::new(), None);
        for _ in 0..1000 {
            let page = s.read(stream, scope.clone(), state, max).unwrap();
            assert!(page.records.len() <= max as usize);
            records.extend(page.records);
            states.push(page.state.clone());
            if page.done {
                return (records, states);
            }
            state = Some(page.state);
        }
        unreachable!("the read never ended")
    }

    fn keys(records: &[Record]) -> Vec<&str> {
        records.iter().map(|r| r.key.as_str()).collect()
    }

    fn fields(r: &Record) -> Value {
        r.fields_as().unwrap()
    }

    #[test]
    fn the_examples_read_in_pages_with_typed_fields_and_normalised_cursors() {
        let mut s = examples();
        let infos = s.streams().unwrap();
        assert_eq!(infos.len(), 2);
        assert_eq!((infos[0].key_field.as_str(), infos[0].cursor_field.as_deref()), ("code", Some("modifiedon")));
        let (records, states) = read_all(&mut s, "products", Scope::Full, 7);
        assert_eq!(states.len(), 3, "20 rows in pages of 7");
        let expected: Vec<String> = (1001..=1020).map(|n| format!("GN-{n}")).collect();
        assert_eq!(keys(&records), expected);
        let chef = fields(&records[4]);
        assert_eq!(chef["name"], "Nůž kuchařský \"Šéf\" 20 cm");
        assert_eq!((&chef["price"], &chef["stock"], &chef["active"]), (&json!(1249.0), &json!(25), &json!(true)));
        assert_eq!(
            fields(&records[0])["description"],
            "Kombinovaný parní konvektomat; 6 zásuvů GN 1/1, bojlerový vyvíječ páry."
        );
        assert!(fields(&records[14])["description"].as_str().unwrap().contains("mm.\nVčetně"));
        assert_eq!(fields(&records[8])["active"], json!(false));
        assert_eq!(records[0].cursor.as_deref(), Some("2026-01-08T10:30:00Z"));
        assert_eq!(records[18].cursor.as_deref(), Some("2026-01-26T09:00:00Z"));

        // The JSONL export of the same rows gives the same keys, prices and cursors.
        let (jsonl, _) = read_all(&mut s, "products-jsonl", Scope::Full, 100);
        assert_eq!(keys(&jsonl), expected);
        for (c, j) in records.iter().zip(&jsonl) {
            assert_eq!(c.cursor, j.cursor, "{}", c.key);
            assert_eq!(fields(c)["price"], fields(j)["price"], "{}", c.key);
            assert_eq!(fields(c)["modifiedon"], fields(j)["modifiedon"], "{}", c.key);
        }
        assert_eq!(s.count("products").unwrap(), Some(20));
        assert_eq!(s.count("products-jsonl").unwrap(), Some(20));
    }

    #[test]
    fn a_read_resumes_from_every_state_it_hands_out() {
        let mut s = examples();
        for stream in ["products", "products-jsonl"] {
            let (all, states) = read_all(&mut s, stream, Scope::Full, 3);
            for (i, state) in states.iter().enumerate() {
                let mut rest = Vec::new();
                let mut state = Some(state.clone());
                loop {
                    let page = s.read(stream, Scope::Full, state, 3).unwrap();
                    rest.extend(page.records);
                    if page.done {
                        break;
                    }
                    state = Some(page.state);
                }
                let done = (3 * (i + 1)).min(all.len());
                assert_eq!(rest, all[done..], "{stream}: resuming after page {i}");
            }
        }
    }

    #[test]
    fn incremental_reads_return_rows_at_or_after_the_instant() {
        let mut s = examples();
        for stream in ["products", "products-jsonl"] {
            let (records, _) = read_all(&mut s, stream, Scope::Since("2026-01-22T11:20:00Z".into()), 4);
            assert_eq!(keys(&records), ["GN-1015", "GN-1016", "GN-1017", "GN-1018", "GN-1019", "GN-1020"], "{stream}");
            // An instant written with a zone; a row exactly at the instant is in.
            let (records, _) = read_all(&mut s, stream, Scope::Since("2026-01-26T10:00:00+01:00".into()), 4);
            assert_eq!(keys(&records), ["GN-1019", "GN-1020"], "{stream}");
            let (records, _) = read_all(&mut s, stream, Scope::Since("2027-01-01T00:00:00Z".into()), 4);
            assert!(records.is_empty());
        }
        let err = s.read("products", Scope::Since("včera".into()), None, 10).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("RFC 3339")), "{err}");
    }

    #[test]
    fn keys_are_listed_in_pages_and_cover_the_stream() {
        let mut s = examples();
        let (mut listed, mut state) = (Vec::new(), None);
        loop {
            let page = s.list_keys("products", state, 8).unwrap();
            assert!(page.keys.len() <= 8);
            listed.extend(page.keys);
            if page.done {
                break;
            }
            state = Some(page.state);
        }
        assert_eq!(listed.len(), 20);
        assert_eq!(listed.first().map(String::as_str), Some("GN-1001"));
        assert_eq!(listed.last().map(String::as_str), Some("GN-1020"));
    }

    #[test]
    fn a_messy_export_is_read_to_its_end_and_bad_rows_come_back_with_an_empty_key() {
        let csv = "code;name;price;modifiedon\n\
                   A1;Hrnec;12,50;8.1.2026 10:00\n\
                   ;Bez kódu;1;8.1.2026 10:00\n\
                   A3;\"Pánev\";\"bad\"x;8.1.2026 10:00\n\
                   A4;Krátký řádek\n\
                   A5;\"Víko\nna dva řádky\";abc;\n\
                   \n\
                   A6;Nůž;99;9.1.2026 8:00\n";
        let dir = dir_with("messy", &[("messy.csv", csv)]);
        let mut s = source(
            &dir,
            json!({"m": {"file": "messy.csv", "key": "code", "cursor": "modifiedon", "delimiter": ";", "types": {"price": "number"}}}),
        );
        let (records, _) = read_all(&mut s, "m", Scope::Full, 2);
        assert_eq!(keys(&records), ["A1", "", "", "", "A5", "A6"]);
        let errors: Vec<String> = records
            .iter()
            .filter(|r| r.key.is_empty())
            .map(|r| fields(r)["_error"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            errors,
            [
                "messy.csv line 3: no value in the key column `code`",
                "messy.csv line 4: field 3 has text after its closing quote",
                "messy.csv line 5: the row has 2 fields, the header 4",
            ]
        );
        let a5 = fields(&records[4]);
        assert_eq!(
            (&a5["name"], &a5["price"], &a5["modifiedon"]),
            (&json!("Víko\nna dva řádky"), &json!("abc"), &Value::Null)
        );
        assert_eq!(
            records[5].cursor.as_deref(),
            Some("2026-01-09T08:00:00Z"),
            "line numbers survive the quoted line break"
        );

        // Rows without a cursor come back in incremental reads too; rows before the instant do not.
        let (since, _) = read_all(&mut s, "m", Scope::Since("2026-01-09T00:00:00Z".into()), 10);
        assert_eq!(keys(&since), ["", "", "A5", "A6"]);

        assert_eq!(s.count("m").unwrap(), Some(6));
        let keys = s.list_keys("m", None, 100).unwrap();
        assert_eq!((keys.keys, keys.done), (vec!["A1".to_owned(), "A5".into(), "A6".into()], true));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_file_replaced_mid_read_is_refused_with_a_clear_error() {
        let dir = dir_with("replaced", &[("p.csv", "code;name\nA1;x\nA2;y\n")]);
        let mut s = source(&dir, json!({"p": {"file": "p.csv", "key": "code", "delimiter": ";"}}));
        let page = s.read("p", Scope::Full, None, 1).unwrap();
        assert!(!page.done);
        std::fs::write(dir.join("p.csv"), "code;nazev\nA1;x\nA2;y\n").unwrap();
        let err = s.read("p", Scope::Full, Some(page.state.clone()), 1).unwrap_err();
        assert!(matches!(&err, Error::InvalidData(m) if m.contains("p.csv") && m.contains("another header")), "{err}");
        std::fs::write(dir.join("p.csv"), "code;name\nB;y\n").unwrap();
        assert!(matches!(s.read("p", Scope::Full, Some(page.state.clone()), 1), Err(Error::InvalidData(_))));
        std::fs::write(dir.join("p.csv"), "code;name\nA1;x\nA2;y\nA3;z\n").unwrap();
        let page = s.read("p", Scope::Full, Some(page.state), 10).unwrap();
        assert_eq!(keys(&page.records), ["A2", "A3"], "rows appended after the read began are read");
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn missing_files_columns_and_cursors_are_config_errors() {
        let dir = dir_with("missing", &[("p.csv", "kod;nazev\nA1;x\n")]);
        let mut s = source(
            &dir,
            json!({"p": {"file": "p.csv", "key": "code", "delimiter": ";"},
                   "q": {"file": "nowhere.csv", "key": "kod"},
                   "r": {"file": "p.csv", "key": "kod", "delimiter": ";"}}),
        );
        let err = s.read("p", Scope::Full, None, 10).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("no column `code`") && m.contains("kod, nazev")),
            "{err}"
        );
        let err = s.count("q").unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("nowhere.csv") && m.contains("does not exist")), "{err}");
        let err = s.read("r", Scope::Since("2026-01-01T00:00:00Z".into()), None, 10).unwrap_err();
        assert!(matches!(&err, Error::Config(m) if m.contains("no cursor column")), "{err}");
        assert!(matches!(s.read("x", Scope::Full, None, 10), Err(Error::Config(m)) if m.contains("p, q, r")));
        assert!(matches!(s.read("r", Scope::Full, Some("{}".into()), 10), Err(Error::Permanent(_))));
        std::fs::remove_dir_all(dir).ok();
    }
}
