//! What flows between the stages: one source page after processing, sorted by what the sink
//! must do with each record, then carrying its vectors and stage times to the commit.

use std::time::Duration;

use crate::state::LedgerRow;

/// A record ready to write.
pub(super) struct Item {
    pub(super) key: String,
    pub(super) text: String,
    /// The lexical vector's text, for a hybrid collection.
    pub(super) lexical: Option<String>,
    /// The learned translations the lexical text lacks, `(term, count)` sorted by term.
    pub(super) expansion: Vec<(u32, f32)>,
    pub(super) payload: String,
    pub(super) row: LedgerRow,
}

/// One source page after processing.
pub(super) struct Batch {
    /// The partition (its index in the checkpoint) whose page this was.
    pub(super) partition: usize,
    /// The source state after this page: where a resumed run reads this partition on.
    pub(super) state: String,
    /// The page was its partition's last.
    pub(super) done: bool,
    pub(super) max_cursor: Option<String>,
    pub(super) fetched: u64,
    pub(super) invalid: u64,
    pub(super) new: u64,
    pub(super) reembedded: u64,
    /// New and changed texts: embedded, then upserted.
    pub(super) embed: Vec<Item>,
    /// The vectors of `embed`, in its order (none in a dry run).
    pub(super) vectors: Vec<Vec<f32>>,
    /// The lexical vectors of `embed`, in its order (none for a dense-only collection).
    pub(super) sparse: Vec<weir_core::SparseVector>,
    /// Records whose payload changed but not their text.
    pub(super) payload_only: Vec<Item>,
    /// Ledger rows rewritten without a sink write (unchanged records seen by a full run).
    pub(super) touch: Vec<(String, LedgerRow)>,
    pub(super) unchanged: u64,
    pub(super) estimated_tokens: u64,
    pub(super) embed_time: Duration,
    pub(super) write_time: Duration,
}

impl Batch {
    /// A batch of the `fetched` records of a page of `partition`, nothing sorted yet.
    pub(super) fn new(partition: usize, state: String, done: bool, fetched: u64) -> Self {
        Batch {
            partition,
            state,
            done,
            max_cursor: None,
            fetched,
            invalid: 0,
            new: 0,
            reembedded: 0,
            embed: Vec::new(),
            vectors: Vec::new(),
            sparse: Vec::new(),
            payload_only: Vec::new(),
            touch: Vec::new(),
            unchanged: 0,
            estimated_tokens: 0,
            embed_time: Duration::ZERO,
            write_time: Duration::ZERO,
        }
    }
}
