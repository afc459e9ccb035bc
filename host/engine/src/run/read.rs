//! Stage 1, reading: a task pages through the source stream from the checkpoint's source state
//! and queues the pages for processing, until the source says it is done, the run is stopped
//! or the next stage hangs up.

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

/// The reading stage of one run.
pub(super) struct Reader {
    pub(super) source: SourceInstance,
    pub(super) stream: String,
    pub(super) scope: Scope,
    /// The source state to read on from (`None`: the beginning).
    pub(super) cursor: Option<String>,
    /// Records per page.
    pub(super) max: u32,
    pub(super) stop: StopSignal,
    pub(super) busy: Arc<Busy>,
    /// Pages read so far: each becomes one batch, so on a stop those read and not committed
    /// are the batches dropped.
    pub(super) pages: Arc<AtomicU64>,
}

impl Reader {
    /// Starts the task; it hands the source back when it ends.
    pub(super) fn spawn(self, page_tx: mpsc::Sender<Result<Page>>) -> JoinHandle<SourceInstance> {
        let Reader { mut source, stream, scope, mut cursor, max, stop, busy, pages } = self;
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
                        if page_tx.send(Ok(page)).await.is_err() || done {
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
