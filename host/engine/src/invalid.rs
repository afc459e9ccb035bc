//! `invalid_records.jsonl`: one JSON object per invalid record, appended.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use weir_core::Record;

use crate::error::{Error, Result};

/// The text that replaces a secret found in a record.
pub const REDACTED: &str = "[redacted]";

/// Appends invalid records to a file. Lines are flushed per batch, each batch's lines in one
/// append, so that pipelines running at once never interleave parts of lines.
#[derive(Debug)]
pub struct InvalidLog {
    path: PathBuf,
    enabled: bool,
    file: Option<File>,
    /// Whole lines not yet appended.
    pending: Vec<u8>,
    redact: Vec<String>,
}

impl InvalidLog {
    /// A log at `path`; `enabled = false` writes nothing (dry runs).
    pub fn new(path: PathBuf, enabled: bool) -> Self {
        Self { path, enabled, file: None, pending: Vec::new(), redact: Vec::new() }
    }

    /// Values that must never appear in the file (secrets of the pipeline's plugins).
    pub fn redacting(mut self, secrets: Vec<String>) -> Self {
        self.redact = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        self
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record with its violations (`(rule, message)`).
    pub fn write(
        &mut self,
        run: u64,
        pipeline: &str,
        stream: &str,
        record: &Record,
        violations: &[(&str, String)],
    ) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let fields: Value =
            serde_json::from_str(&record.fields).unwrap_or_else(|_| Value::String(record.fields.clone()));
        let first = violations.first();
        let line = json!({
            "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "run": run,
            "pipeline": pipeline,
            "stream": stream,
            "key": record.key,
            "rule": first.map(|(r, _)| *r),
            "message": first.map(|(_, m)| m.as_str()),
            "violations": violations.iter().map(|(r, m)| json!({"rule": r, "message": m})).collect::<Vec<_>>(),
            "record": fields,
        });
        let mut text = line.to_string();
        for secret in &self.redact {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), REDACTED);
            }
        }
        self.pending.extend_from_slice(text.as_bytes());
        self.pending.push(b'\n');
        Ok(())
    }

    /// Appends the buffered lines.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let io = |source| Error::Io { what: format!("cannot write {}", self.path.display()), source };
        if self.file.is_none() {
            self.file = Some(OpenOptions::new().create(true).append(true).open(&self.path).map_err(io)?);
        }
        if let Some(f) = self.file.as_mut() {
            // One write of whole lines to a file opened for appending lands in one piece.
            f.write_all(&self.pending).map_err(io)?;
        }
        self.pending.clear();
        Ok(())
    }
}

impl Drop for InvalidLog {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}
