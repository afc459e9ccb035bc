//! Reading an export file row by row, from the start or from a stored [`State`], keeping the
//! byte offset and line number of every row. Generic over the input so that tests read from
//! memory; the plugin reads files under the granted directory with plain `std::fs`.

use std::io::{self, BufRead, Read, Seek, SeekFrom};

use serde_json::{Map, Value};
use weir_sdk::{Error, Result};

use crate::config::Format;
use crate::csv::{self, Scanner};
use crate::cursor::{State, header_hash};

/// The longest row read. A longer one is almost always a quote that is never closed, which
/// would otherwise swallow the rest of the file.
pub const MAX_ROW_BYTES: u64 = 4 * 1024 * 1024;
/// How much of a malformed row its report quotes, in characters.
const MAX_QUOTED_CHARS: usize = 300;
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Where a row starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub offset: u64,
    pub line: u64,
}

/// A CSV file's column names and the hash of its header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub columns: Vec<String>,
    pub hash: String,
}

/// What a row holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// A CSV row's cells.
    Cells(Vec<String>),
    /// A JSONL row's object.
    Object(Map<String, Value>),
    /// A row that cannot be read, why, and the start of its text.
    Malformed { problem: String, quoted: String },
}

/// One row and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub content: Content,
}

pub struct Table<R> {
    input: R,
    file: String,
    format: Format,
    delimiter: u8,
    len: u64,
    header: Option<Header>,
    pos: Position,
}

/// An IO failure as a plugin error: a missing or forbidden file is the configuration's (or the
/// grant's) fault; anything else may pass.
pub fn io_error(file: &str, e: &io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::NotFound => {
            Error::config(format_args!("{file} does not exist: is the file name right, and the directory granted?"))
        }
        io::ErrorKind::PermissionDenied => Error::config(format_args!("{file} cannot be read: {e}")),
        _ => Error::transient(format_args!("reading {file} failed: {e}")),
    }
}

impl<R: BufRead + Seek> Table<R> {
    /// Opens a table: skips a byte order mark and, for CSV, reads the header.
    pub fn open(mut input: R, file: &str, format: Format, delimiter: u8) -> Result<Self> {
        let io = |e: io::Error| io_error(file, &e);
        let len = input.seek(SeekFrom::End(0)).map_err(io)?;
        input.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut start = 0;
        if input.fill_buf().map_err(io)?.starts_with(BOM) {
            input.consume(BOM.len());
            start = BOM.len() as u64;
        }
        let mut table = Self {
            input,
            file: file.to_owned(),
            format,
            delimiter,
            len,
            header: None,
            pos: Position { offset: start, line: 1 },
        };
        if format == Format::Csv {
            table.read_header()?;
        }
        Ok(table)
    }

    fn read_header(&mut self) -> Result<()> {
        while let Some((start, bytes)) = self.next_record()? {
            if csv::is_blank(&bytes) {
                continue;
            }
            let columns = csv::parse(&bytes, self.delimiter).map_err(|problem| {
                Error::invalid_data(format_args!(
                    "{} line {}: the header cannot be read: {problem}",
                    self.file, start.line
                ))
            })?;
            let columns: Vec<String> = columns.into_iter().map(|c| c.trim().to_owned()).collect();
            if let Some(twice) = columns.iter().enumerate().find_map(|(i, c)| columns[..i].contains(c).then_some(c)) {
                return Err(Error::invalid_data(format_args!(
                    "{} line {}: the header names column `{twice}` twice",
                    self.file, start.line
                )));
            }
            let line = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            self.header = Some(Header { columns, hash: header_hash(line) });
            break;
        }
        Ok(())
    }

    /// The CSV header; `None` for JSONL and for an empty CSV file.
    pub fn header(&self) -> Option<&Header> {
        self.header.as_ref()
    }

    /// The state that points at the next row.
    pub fn state(&self) -> State {
        State { offset: self.pos.offset, line: self.pos.line, header: self.header.as_ref().map(|h| h.hash.clone()) }
    }

    /// Goes on from `state`, after checking that it belongs to this file: the same header, and
    /// an offset at the start of a row inside the file.
    pub fn resume(&mut self, state: &State) -> Result<()> {
        let ours = self.header.as_ref().map(|h| h.hash.as_str());
        if state.header.as_deref() != ours {
            return Err(Error::invalid_data(format_args!(
                "{} was replaced by a file with another header since this read began; start the read again",
                self.file
            )));
        }
        let changed = || {
            Error::invalid_data(format_args!(
                "{} changed since this read began (no row starts at byte {}); start the read again",
                self.file, state.offset
            ))
        };
        if state.offset < self.pos.offset || state.offset > self.len {
            return Err(changed());
        }
        let io = |e: io::Error| io_error(&self.file, &e);
        if state.offset > self.pos.offset && state.offset < self.len {
            // The row before must have ended with a line break.
            self.input.seek(SeekFrom::Start(state.offset - 1)).map_err(io)?;
            let mut before = [0u8; 1];
            self.input.read_exact(&mut before).map_err(io)?;
            if before[0] != b'\n' {
                return Err(changed());
            }
        } else {
            self.input.seek(SeekFrom::Start(state.offset)).map_err(io)?;
        }
        self.pos = Position { offset: state.offset, line: state.line };
        Ok(())
    }

    /// Whether nothing is left to read.
    pub fn at_end(&mut self) -> Result<bool> {
        let file = &self.file;
        Ok(self.input.fill_buf().map_err(|e| io_error(file, &e))?.is_empty())
    }

    /// The next row, passing over blank lines; `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row>> {
        while let Some((start, bytes)) = self.next_record()? {
            if csv::is_blank(&bytes) {
                continue;
            }
            let malformed = |problem: String| {
                let text = String::from_utf8_lossy(&bytes);
                Content::Malformed { problem, quoted: text.trim_end().chars().take(MAX_QUOTED_CHARS).collect() }
            };
            let content = match self.format {
                Format::Csv => match csv::parse(&bytes, self.delimiter) {
                    Ok(cells) => Content::Cells(cells),
                    Err(problem) => malformed(problem),
                },
                Format::Jsonl => match serde_json::from_slice::<Value>(&bytes) {
                    Ok(Value::Object(object)) => Content::Object(object),
                    Ok(_) => malformed("the line is not a JSON object".to_owned()),
                    Err(e) => malformed(format!("the line is not JSON: {e}")),
                },
            };
            return Ok(Some(Row { line: start.line, content }));
        }
        Ok(None)
    }

    /// The bytes of the next record, line break included, and where it starts.
    fn next_record(&mut self) -> Result<Option<(Position, Vec<u8>)>> {
        let start = self.pos;
        let mut bytes = Vec::new();
        let mut scanner = Scanner::default();
        loop {
            let before = bytes.len();
            let room = MAX_ROW_BYTES + 1 - before as u64;
            let file = &self.file;
            let n = (&mut self.input).take(room).read_until(b'\n', &mut bytes).map_err(|e| io_error(file, &e))?;
            if n == 0 {
                break;
            }
            let line = &bytes[before..];
            self.pos.offset += n as u64;
            let ended = line.ends_with(b"\n");
            if ended {
                self.pos.line += 1;
            }
            if bytes.len() as u64 > MAX_ROW_BYTES {
                return Err(Error::invalid_data(format_args!(
                    "{} line {}: a row longer than {} MiB (a quote that is never closed?)",
                    self.file,
                    start.line,
                    MAX_ROW_BYTES >> 20
                )));
            }
            let complete = match self.format {
                Format::Csv => scanner.feed(line, self.delimiter),
                Format::Jsonl => ended,
            };
            if complete {
                break;
            }
        }
        Ok((!bytes.is_empty()).then_some((start, bytes)))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use std::io::Cursor;

    fn csv_table(text: &str) -> Table<Cursor<Vec<u8>>> {
        Table::open(Cursor::new(text.as_bytes().to_vec()), "products.csv", Format::Csv, b';').unwrap()
    }

    fn cells(row: Option<Row>) -> (u64, Vec<String>) {
        match row {
            Some(Row { line, content: Content::Cells(c) }) => (line, c),
            other => panic!("not cells: {other:?}"),
        }
    }

    #[test]
    fn rows_carry_the_line_they_start_on_and_blank_lines_are_passed_over() {
        let mut t = csv_table("\u{feff}code;name\r\nA1;\"Hrnec\nvelký\"\r\n\r\nA2;Pánev\n");
        assert_eq!(t.header().unwrap().columns, ["code", "name"]);
        assert_eq!(t.header().unwrap().hash, header_hash(b"code;name"), "no BOM, no line break");
        assert_eq!(t.state(), State { offset: 14, line: 2, header: Some(header_hash(b"code;name")) });
        assert_eq!(cells(t.next_row().unwrap()), (2, vec!["A1".into(), "Hrnec\nvelký".into()]));
        assert_eq!(cells(t.next_row().unwrap()), (5, vec!["A2".into(), "Pánev".into()]));
        assert!(t.next_row().unwrap().is_none());
        assert!(t.at_end().unwrap());
    }

    #[test]
    fn a_read_resumes_from_every_state_it_hands_out() {
        let text = "code;name\nA1;\"a;b\"\n\nA2;\"x\ny\"\nA3;c";
        let mut all = Vec::new();
        let mut states = vec![csv_table(text).state()];
        let mut t = csv_table(text);
        while let Some(row) = t.next_row().unwrap() {
            all.push(cells(Some(row)));
            states.push(t.state());
        }
        assert_eq!(all.len(), 3);
        for (i, state) in states.iter().enumerate() {
            let mut t = csv_table(text);
            t.resume(&State::parse(&state.to_text()).unwrap()).unwrap();
            let mut rest = Vec::new();
            while let Some(row) = t.next_row().unwrap() {
                rest.push(cells(Some(row)));
            }
            assert_eq!(rest, all[i..], "resuming from state {i}");
        }
    }

    #[test]
    fn a_replaced_or_shortened_file_is_refused_on_resume() {
        let mut t = csv_table("code;name\nA1;x\nA2;y\n");
        t.next_row().unwrap();
        let state = t.state();
        let err = csv_table("code;nazev\nA1;x\nA2;y\n").resume(&state).unwrap_err();
        assert!(matches!(&err, Error::InvalidData(m) if m.contains("another header")), "{err}");
        let err = csv_table("code;name\nA1;xx\nA2;y\n").resume(&state).unwrap_err();
        assert!(matches!(&err, Error::InvalidData(m) if m.contains("no row starts")), "{err}");
        let err = csv_table("code;name\nA\n").resume(&state).unwrap_err();
        assert!(matches!(&err, Error::InvalidData(m) if m.contains("changed")), "{err}");
        let jsonl = Table::open(Cursor::new(b"{}\n".to_vec()), "p.jsonl", Format::Jsonl, b',').unwrap();
        let err = csv_table("code;name\n").resume(&jsonl.state()).unwrap_err();
        assert!(matches!(&err, Error::InvalidData(_)), "{err}");
    }

    #[test]
    fn malformed_rows_are_rows_with_their_problem_and_the_read_goes_on() {
        let mut t = csv_table("code;name\nA1;\"bad\"x\nA2;ok\n");
        match t.next_row().unwrap().unwrap() {
            Row { line: 2, content: Content::Malformed { problem, quoted } } => {
                assert!(problem.contains("closing quote"), "{problem}");
                assert_eq!(quoted, "A1;\"bad\"x");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cells(t.next_row().unwrap()).0, 3);
        let mut t = csv_table("code;name\r\nA1;\"bad\"\r\"\r\nA2;ok\r\n");
        assert!(matches!(t.next_row().unwrap(), Some(Row { line: 2, content: Content::Malformed { .. } })));
        assert_eq!(cells(t.next_row().unwrap()), (3, vec!["A2".into(), "ok".into()]), "the next row is its own");
        let mut t = csv_table("code;name\nA1;\"never closed\nA2;x\n");
        assert!(matches!(t.next_row().unwrap(), Some(Row { line: 2, content: Content::Malformed { .. } })));
        assert!(t.next_row().unwrap().is_none());
    }

    #[test]
    fn unreadable_headers_and_huge_rows_stop_the_read() {
        let open = |text: &str| Table::open(Cursor::new(text.as_bytes().to_vec()), "p.csv", Format::Csv, b';');
        assert!(matches!(open("code;\"name\n"), Err(Error::InvalidData(m)) if m.contains("p.csv line 1")));
        assert!(matches!(open("code;name;code\n"), Err(Error::InvalidData(m)) if m.contains("`code` twice")));
        let huge = format!("code\n\"{}\n", "x".repeat(MAX_ROW_BYTES as usize));
        let mut t = open(&huge).unwrap();
        assert!(matches!(t.next_row(), Err(Error::InvalidData(m)) if m.contains("p.csv line 2")));
        let mut empty = open("").unwrap();
        assert_eq!(empty.header(), None);
        assert!(empty.next_row().unwrap().is_none());
    }

    #[test]
    fn jsonl_rows_are_objects_one_per_line() {
        let text = "\u{feff}{\"id\": 1}\n\n[1]\nnot json\n{\"id\": \"č\"}";
        let mut t = Table::open(Cursor::new(text.as_bytes().to_vec()), "p.jsonl", Format::Jsonl, b',').unwrap();
        assert_eq!(t.header(), None);
        assert!(matches!(t.next_row().unwrap(), Some(Row { line: 1, content: Content::Object(_) })));
        assert!(
            matches!(t.next_row().unwrap(), Some(Row { line: 3, content: Content::Malformed { problem, .. } }) if problem.contains("not a JSON object"))
        );
        assert!(
            matches!(t.next_row().unwrap(), Some(Row { line: 4, content: Content::Malformed { problem, .. } }) if problem.contains("not JSON"))
        );
        assert!(matches!(t.next_row().unwrap(), Some(Row { line: 5, content: Content::Object(o) }) if o["id"] == "č"));
        assert!(t.next_row().unwrap().is_none());
    }

    /// An export of about 8 MiB shaped like `examples/products.csv`: `;`-delimited, CRLF line
    /// ends, every tenth row with a quoted description holding `;`, doubled quotes and a line
    /// break.
    fn large_export() -> String {
        let mut text = String::from("code;name;category;price;stock;active;description;modifiedon\r\n");
        let mut i = 0;
        while text.len() < 8 << 20 {
            let description = if i % 10 == 0 {
                format!("\"Nerez 18/10; objem {i} l, \"\"profi\"\" řada.\r\nStohovatelná.\"")
            } else {
                format!("Nerez 18/10, objem {i} l.")
            };
            text.push_str(&format!(
                "GN-{i};Gastronádoba GN 1/1, hloubka {} mm;Gastronádoby;{},50;{};ano;{description};8.1.2026 10:{:02}\r\n",
                i % 200,
                i % 9000,
                i % 150,
                i % 60
            ));
            i += 1;
        }
        text
    }

    /// Rows of a few-MB export per second, this reader against `csv-core` (the streaming parser
    /// under the `csv` crate) cutting the same bytes into records of owned UTF-8 fields. csv-core
    /// does less here: no line numbers, offsets or malformed-row checks. Run with
    /// `cargo test --release --manifest-path plugins/Cargo.toml -p csv-source reading_speed -- --ignored --nocapture`.
    #[test]
    #[ignore = "a measurement, not a check"]
    fn reading_speed_against_csv_core() {
        use csv_core::{ReadRecordResult, ReaderBuilder, Terminator};
        use std::time::{Duration, Instant};

        let text = large_export();
        let mb = text.len() as f64 / (1 << 20) as f64;
        let best = |f: &dyn Fn() -> (usize, usize)| {
            let mut best = Duration::MAX;
            let mut counts = (0, 0);
            for _ in 0..7 {
                let t = Instant::now();
                counts = f();
                best = best.min(t.elapsed());
            }
            (best, counts)
        };
        let (ours, ours_counts) = best(&|| {
            let mut t = csv_table(&text);
            let (mut rows, mut fields) = (0, 0);
            while let Some(row) = t.next_row().unwrap() {
                rows += 1;
                fields += cells(Some(row)).1.len();
            }
            (rows, fields)
        });
        let (core, core_counts) = best(&|| {
            let mut input = Cursor::new(text.as_bytes());
            let mut reader = ReaderBuilder::new().delimiter(b';').terminator(Terminator::CRLF).build();
            let (mut out, mut ends) = (vec![0u8; 4096], vec![0usize; 64]);
            let (mut o, mut e) = (0, 0);
            let (mut rows, mut fields) = (0, 0);
            let mut header = true;
            loop {
                let buf = input.fill_buf().unwrap();
                let (result, nin, nout, nend) = reader.read_record(buf, &mut out[o..], &mut ends[e..]);
                input.consume(nin);
                (o, e) = (o + nout, e + nend);
                match result {
                    ReadRecordResult::InputEmpty => {}
                    ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
                    ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                    ReadRecordResult::Record => {
                        let mut start = 0;
                        let cells: Vec<String> = ends[..e]
                            .iter()
                            .map(|&end| {
                                let cell = String::from_utf8(out[start..end].to_vec()).unwrap();
                                start = end;
                                cell
                            })
                            .collect();
                        if !std::mem::take(&mut header) {
                            rows += 1;
                            fields += cells.len();
                        }
                        (o, e) = (0, 0);
                    }
                    ReadRecordResult::End => break,
                }
            }
            (rows, fields)
        });
        assert_eq!(ours_counts, core_counts, "both readers see the same rows and fields");
        let rate = |d: Duration| mb / d.as_secs_f64();
        println!(
            "{mb:.1} MiB, {} rows: this reader {:.1} ms ({:.0} MiB/s), csv-core {:.1} ms ({:.0} MiB/s)",
            ours_counts.0,
            ours.as_secs_f64() * 1e3,
            rate(ours),
            core.as_secs_f64() * 1e3,
            rate(core)
        );
    }
}
