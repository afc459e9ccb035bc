//! Stage 1, reading: one task per partition pages through it on its own source instance (a
//! plugin instance runs one call at a time), from the partition's committed state, and queues
//! its pages, tagged with the partition, for processing, until the source says the partition
//! is done, the run is stopped or the next stage hangs up. The tasks share one queue: each
//! sends its pages in the order it read them, so batches of one partition are committed in
//! that order whatever the other partitions do.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use weir_core::{Page, Scope};
use weir_runtime::SourceInstance;

use super::busy::{Busy, add};
use super::options::StopSignal;
use crate::error::Result;

/// A page and the partition (its index in the checkpoint) it was read from.
pub(super) struct PartPage {
    pub(super) partition: usize,
    pub(super) page: Page,
}

/// The reading of one partition.
pub(super) struct Reader {
    pub(super) source: SourceInstance,
    pub(super) stream: String,
    pub(super) scope: Scope,
    /// The partition's index in the checkpoint.
    pub(super) partition: usize,
    /// The source state to read on from (`None`: the beginning of an unpartitioned read).
    pub(super) cursor: Option<String>,
    /// Records per page.
    pub(super) max: u32,
    pub(super) stop: StopSignal,
    pub(super) busy: Arc<Busy>,
    /// Pages read so far (by every partition): each becomes one batch, so on a stop those
    /// read and not committed are the batches dropped.
    pub(super) pages: Arc<AtomicU64>,
}

impl Reader {
    /// Starts the task; it hands the source instance back when it ends.
    pub(super) fn spawn(self, page_tx: mpsc::Sender<Result<PartPage>>) -> JoinHandle<SourceInstance> {
        let Reader { mut source, stream, scope, partition, mut cursor, max, stop, busy, pages } = self;
        tokio::spawn(async move {
            loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let t = Instant::now();
                let page = source.read(&stream, &scope, cursor.as_deref(), max).await;
                add(&busy.read, t);
                match page {
                    // A page read as the run was stopped is not handed on: it would be dropped.
                    Ok(_) if stop.load(Ordering::Relaxed) => break,
                    Ok(page) => {
                        pages.fetch_add(1, Ordering::Relaxed);
                        let done = page.done;
                        cursor = Some(page.state.clone());
                        if page_tx.send(Ok(PartPage { partition, page })).await.is_err() || done {
                            break;
                        }
                    }
                    Err(e) => {
                        let _ = page_tx.send(Err(e.into())).await;
                        break;
                    }
                }
            }
            source
        })
    }
}
