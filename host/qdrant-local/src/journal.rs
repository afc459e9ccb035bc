//! The update journal: qdrant-local's own write-ahead log.
//!
//! The engine writes every update into a log of its own but never reads it back: opening a
//! shard loads the segments as they were last flushed. So without help, an acknowledged update
//! lives only in memory (and in files the engine maps) until the next flush. The journal closes
//! that gap cheaply: before an update is applied, it is appended here (and, when durable, the
//! append is synced to disk); when the collection is flushed, the journal is emptied; when a
//! collection opens, what the journal still holds is applied again and flushed.
//!
//! Records are `length (u32 LE) | CRC-32C of the body (u32 LE) | body (the update as CBOR)`. A
//! record cut short or failing its checksum ends the replay: it was being written when the
//! process died, so its update was never applied nor acknowledged.
//!
//! Replaying applies updates that may already be in the flushed segments. Updates by id
//! (upserts, payload changes, deletes) end in the same state however often they run in order;
//! updates selected by a filter could match other points the second time. The window is the
//! moment between a flush finishing and the journal being emptied after it.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

use qdrant_edge::UpdateOperation;

/// Bytes before each record's body.
const HEADER: usize = 8;
/// Largest body accepted when reading back (a request is capped far below this).
const MAX_RECORD: usize = 1 << 30;

/// Updates framed as journal records, ready to append.
pub(crate) struct Records {
    bytes: Vec<u8>,
    /// Where each record starts in `bytes`.
    starts: Vec<u64>,
}

impl Records {
    pub fn encode(ops: &[UpdateOperation]) -> std::io::Result<Self> {
        let mut bytes = Vec::new();
        let mut starts = Vec::with_capacity(ops.len());
        for op in ops {
            let start = bytes.len();
            starts.push(start as u64);
            bytes.extend_from_slice(&[0; HEADER]);
            serde_cbor::to_writer(&mut bytes, op).map_err(std::io::Error::other)?;
            let body = &bytes[start + HEADER..];
            let len = u32::try_from(body.len()).map_err(|_| std::io::Error::other("update too large to journal"))?;
            let crc = crc32c::crc32c(body);
            bytes[start..start + 4].copy_from_slice(&len.to_le_bytes());
            bytes[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
        }
        Ok(Self { bytes, starts })
    }
}

/// An open journal file, appended to under the collection's write lock.
pub(crate) struct Journal {
    file: File,
    path: PathBuf,
    /// Its length in bytes.
    len: u64,
}

impl Journal {
    /// Opens (creating if missing) the journal at `path` for appending.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let created = !path.exists();
        let file = OpenOptions::new().create(true).append(true).read(true).open(path)?;
        if created && let Some(dir) = path.parent() {
            // The new file's name must survive a crash of the machine too.
            File::open(dir)?.sync_all()?;
        }
        let len = file.metadata()?.len();
        Ok(Self { file, path: path.to_owned(), len })
    }

    /// Appends `ops` in one write; with `sync`, returns only once they are on disk. Returns
    /// where each record starts, for [`Journal::truncate`].
    #[cfg(test)]
    pub fn append(&mut self, ops: &[UpdateOperation], sync: bool) -> std::io::Result<Vec<u64>> {
        self.append_encoded(&Records::encode(ops)?, sync)
    }

    /// Appends records encoded beforehand (without holding the journal).
    pub fn append_encoded(&mut self, records: &Records, sync: bool) -> std::io::Result<Vec<u64>> {
        let written =
            self.file.write_all(&records.bytes).and_then(|()| if sync { self.file.sync_data() } else { Ok(()) });
        if let Err(e) = written {
            // Nothing of a failed append may stay: it would be replayed, or hide what follows.
            self.file.set_len(self.len)?;
            return Err(e);
        }
        let starts = records.starts.iter().map(|s| self.len + s).collect();
        self.len += records.bytes.len() as u64;
        Ok(starts)
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Drops every record from byte `at` on: updates that were journalled but not applied.
    pub fn truncate(&mut self, at: u64, sync: bool) -> std::io::Result<()> {
        if at < self.len {
            self.file.set_len(at)?;
            self.len = at;
            if sync {
                self.file.sync_data()?;
            }
        }
        Ok(())
    }

    /// Empties the journal once everything in it is in the flushed segments.
    pub fn clear(&mut self, sync: bool) -> std::io::Result<()> {
        if self.len == 0 {
            return Ok(());
        }
        self.file.set_len(0)?;
        self.len = 0;
        if sync { self.file.sync_data() } else { Ok(()) }
    }

    /// The updates in the journal at `path`, in order, up to the first incomplete or damaged
    /// record; with a note on what was left out, if anything.
    pub fn read(path: &Path) -> std::io::Result<(Vec<UpdateOperation>, Option<String>)> {
        let mut bytes = Vec::new();
        match File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), None)),
            Err(e) => return Err(e),
        }
        let mut ops = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let Some(header) = bytes.get(at..at + HEADER) else {
                return Ok((ops, Some(format!("an incomplete record at byte {at}"))));
            };
            let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
            let crc = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
            let Some(body) = bytes.get(at + HEADER..at + HEADER + len).filter(|_| len <= MAX_RECORD) else {
                return Ok((ops, Some(format!("an incomplete record at byte {at}"))));
            };
            if crc32c::crc32c(body) != crc {
                return Ok((ops, Some(format!("a damaged record at byte {at}"))));
            }
            match serde_cbor::from_slice(body) {
                Ok(op) => ops.push(op),
                Err(e) => return Ok((ops, Some(format!("an unreadable record at byte {at}: {e}")))),
            }
            at += HEADER + len;
        }
        Ok((ops, None))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use qdrant_edge::PointOperations;

    use super::*;

    fn delete(ids: &[u64]) -> UpdateOperation {
        UpdateOperation::PointOperation(PointOperations::DeletePoints {
            ids: ids.iter().map(|&n| n.into()).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn an_upsert_of_named_dense_and_sparse_vectors_reads_back_whole() {
        use qdrant_edge::{
            Payload, PointInsertOperations, PointStructPersisted, SparseVector, VectorPersisted, VectorStructPersisted,
        };
        let vectors = std::collections::HashMap::from([
            ("dense".to_owned(), VectorPersisted::Dense(vec![0.5, -0.25, 1.0])),
            (
                "bm25".to_owned(),
                VectorPersisted::Sparse(SparseVector { indices: vec![3, 70_000], values: vec![1.5, 0.25] }),
            ),
            ("empty".to_owned(), VectorPersisted::Sparse(SparseVector { indices: vec![], values: vec![] })),
        ]);
        let upsert =
            UpdateOperation::PointOperation(PointOperations::UpsertPoints(PointInsertOperations::PointsList(vec![
                PointStructPersisted {
                    id: 7.into(),
                    vector: VectorStructPersisted::Named(vectors),
                    payload: Some(Payload(serde_json::Map::new())),
                },
            ])));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        Journal::open(&path).unwrap().append(std::slice::from_ref(&upsert), true).unwrap();
        assert_eq!(Journal::read(&path).unwrap(), (vec![upsert], None));
    }

    #[test]
    fn appended_updates_read_back_in_order_until_a_torn_or_damaged_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::open(&path).unwrap();
        j.append(&[delete(&[1]), delete(&[2, 3])], false).unwrap();
        j.append(&[delete(&[4])], true).unwrap();
        let (ops, note) = Journal::read(&path).unwrap();
        assert_eq!(ops, vec![delete(&[1]), delete(&[2, 3]), delete(&[4])]);
        assert_eq!(note, None);

        // A record cut short by a crash mid-write: the ones before it still count.
        let full = std::fs::read(&path).unwrap();
        std::fs::write(&path, &full[..full.len() - 3]).unwrap();
        let (ops, note) = Journal::read(&path).unwrap();
        assert_eq!(ops, vec![delete(&[1]), delete(&[2, 3])]);
        assert!(note.unwrap().contains("incomplete"));

        // A flipped byte inside the second record's body.
        let mut bad = full.clone();
        let second = HEADER + u32::from_le_bytes(full[..4].try_into().unwrap()) as usize;
        bad[second + HEADER + 1] ^= 0x40;
        std::fs::write(&path, &bad).unwrap();
        let (ops, note) = Journal::read(&path).unwrap();
        assert_eq!(ops, vec![delete(&[1])]);
        assert!(note.unwrap().contains("damaged"));
    }

    #[test]
    fn clearing_empties_the_file_and_appends_go_on_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let mut j = Journal::open(&path).unwrap();
        j.append(&[delete(&[1])], false).unwrap();
        j.clear(true).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        let starts = j.append(&[delete(&[9]), delete(&[10]), delete(&[11])], false).unwrap();
        assert_eq!(starts[0], 0);
        // The second update failed: it and the one after it were never applied.
        j.truncate(starts[1], true).unwrap();
        j.append(&[delete(&[12])], false).unwrap();
        assert_eq!(Journal::read(&path).unwrap().0, vec![delete(&[9]), delete(&[12])]);
        assert_eq!(Journal::read(&dir.path().join("none")).unwrap(), (Vec::new(), None));
    }
}
