//! A run's checkpoint: where an unfinished run stands, the partitions it reads and how far
//! each one was committed. It is stored in the pipeline's state ([`super::PipelineMeta`]) with
//! every committed batch, and read back when an interrupted run resumes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mode::Mode;

/// Where an unfinished run stands; written with every committed batch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Checkpoint {
    /// The run that wrote it.
    pub run_id: u64,
    /// Its mode.
    pub mode: Mode,
    /// The cursor an incremental run reads from.
    pub since: Option<String>,
    /// The source state after the last committed batch of a run read as one partition (none
    /// when it reads several). Checkpoints written before partitioned reads hold only this;
    /// it is kept so that they resume, and so that a run of one partition stays resumable by
    /// a weir that knows nothing of partitions.
    pub state: Option<String>,
    /// The partitions the run reads, each with its committed source state: fixed when the run
    /// starts and stored before its first read, so that a resumed run reads the same
    /// partitions on from where each one stood (the source is not asked to split again).
    /// Empty in checkpoints written before partitioned reads; see [`Checkpoint::partitions`].
    #[serde(default, skip_serializing_if = "Vec::is_empty", rename = "partitions")]
    pub parts: Vec<PartitionState>,
    /// The full-sync generation (full runs).
    pub generation: u64,
    /// The newest cursor committed so far.
    pub max_cursor: Option<String>,
    /// Batches committed.
    pub batches: u64,
    /// Records committed.
    pub records: u64,
    /// The collection a rebuild fills.
    #[serde(default)]
    pub target: Option<String>,
}

/// One partition of a run's read and how far it was committed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PartitionState {
    /// The source's name for it, for logs.
    pub label: String,
    /// The source state its next read starts from: the partition's own state until its first
    /// batch is committed (`None` starts an unpartitioned read), then the state after its
    /// last committed batch.
    pub state: Option<String>,
    /// Its last page was committed: a resumed run does not read it again.
    #[serde(default)]
    pub done: bool,
}

impl PartitionState {
    /// A partition not read yet.
    pub fn new(partition: weir_core::Partition) -> Self {
        Self { label: partition.label, state: partition.state, done: false }
    }
}

impl Checkpoint {
    /// The run's partitions. A checkpoint written before partitioned reads is one partition
    /// from its source state (a finished one would not have been left behind).
    pub fn partitions(&self) -> Vec<PartitionState> {
        if self.parts.is_empty() {
            return vec![PartitionState { label: "all".to_owned(), state: self.state.clone(), done: false }];
        }
        self.parts.clone()
    }

    /// Sets the run's partitions (at its start, before anything is read).
    pub fn set_partitions(&mut self, partitions: Vec<PartitionState>) {
        self.parts = partitions;
        self.state = self.single_state();
    }

    /// Records that partition `index` committed a batch after which its source stands at
    /// `state` (`done`: that was its last page). The caller commits batches of one partition
    /// in the order they were read, each only after the sink acknowledged it and every batch
    /// read before it.
    pub fn advance(&mut self, index: usize, state: String, done: bool) -> Result<()> {
        if self.parts.is_empty() {
            self.parts = self.partitions();
        }
        let count = self.parts.len();
        let part = self
            .parts
            .get_mut(index)
            .ok_or_else(|| Error::Internal(format!("a batch of partition {index} in a run of {count}")))?;
        part.state = Some(state);
        part.done = done;
        self.state = self.single_state();
        Ok(())
    }

    /// The state mirrored in [`Checkpoint::state`]: that of the only partition.
    fn single_state(&self) -> Option<String> {
        match self.parts.as_slice() {
            [only] => only.state.clone(),
            _ => None,
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::state::{PipelineMeta, StateDir};

    /// A checkpoint as weir wrote it before partitioned reads: one source state.
    pub(in crate::state) const OLD_CHECKPOINT: &str = r#"{"run_id":7,"mode":"full","since":null,"state":"offset=512","generation":3,
        "max_cursor":"2026-01-01T00:00:00Z","batches":2,"records":512,"target":null}"#;

    fn split(labels: &[&str]) -> Vec<PartitionState> {
        labels
            .iter()
            .map(|l| {
                PartitionState::new(weir_core::Partition { label: (*l).to_owned(), state: Some(format!("{l}:0")) })
            })
            .collect()
    }

    #[test]
    fn a_checkpoint_from_before_partitions_resumes_as_one_partition_from_its_state() {
        let mut c: Checkpoint = serde_json::from_str(OLD_CHECKPOINT).unwrap();
        assert_eq!(
            c.partitions(),
            [PartitionState { label: "all".into(), state: Some("offset=512".into()), done: false }]
        );
        c.advance(0, "offset=768".into(), false).unwrap();
        assert_eq!(c.state.as_deref(), Some("offset=768"));
        assert_eq!(c.partitions().len(), 1);
        assert!(c.advance(1, "x".into(), false).is_err(), "there is no second partition");
    }

    #[test]
    fn each_partition_advances_alone_and_survives_a_round_trip_through_the_state_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut c: Checkpoint = serde_json::from_str(OLD_CHECKPOINT).unwrap();
        c.set_partitions(split(&["a", "b", "c"]));
        // With several partitions there is no single state: a weir that knows nothing of
        // partitions would read the whole stream again rather than a part of it.
        assert_eq!(c.state, None);
        c.advance(1, "b:256".into(), false).unwrap();
        c.advance(2, "c:100".into(), true).unwrap();
        {
            let s = StateDir::open(dir.path()).unwrap();
            let meta = PipelineMeta { checkpoint: Some(c.clone()), ..Default::default() };
            s.commit("p", &[], &[], &meta).unwrap();
        }
        let s = StateDir::open(dir.path()).unwrap();
        let stored = s.meta("p").unwrap().checkpoint.unwrap();
        assert_eq!(stored, c);
        let states: Vec<_> = stored.partitions().into_iter().map(|p| (p.label, p.state, p.done)).collect();
        assert_eq!(
            states,
            [
                ("a".into(), Some("a:0".into()), false),
                ("b".into(), Some("b:256".into()), false),
                ("c".into(), Some("c:100".into()), true)
            ]
        );
        assert!(stored.advance_clone(3).is_err());
    }

    #[test]
    fn a_run_of_one_partition_keeps_its_state_readable_without_partitions() {
        let mut c: Checkpoint = serde_json::from_str(OLD_CHECKPOINT).unwrap();
        c.set_partitions(split(&["only"]));
        assert_eq!(c.state.as_deref(), Some("only:0"));
        c.advance(0, "only:256".into(), false).unwrap();
        // What a weir without partitions reads of it: the state to go on from.
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["state"], "only:256");
        assert_eq!(json["partitions"][0]["state"], "only:256");
    }

    impl Checkpoint {
        fn advance_clone(&self, index: usize) -> Result<()> {
            self.clone().advance(index, String::new(), false)
        }
    }
}
