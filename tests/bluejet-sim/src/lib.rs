//! Test doubles for weir: a faithful simulator of the BlueJet REST API (auth, paging,
//! conditions, SQL Server GUID order, changes during a run, faults, malformed rows, a request
//! log) and an OpenAI-compatible embeddings simulator (limits, real error bodies, rate
//! limiting, deterministic vectors that keep some meaning).
//!
//! Both run in-process for tests (`BlueJetSim::builder()…start().await`,
//! `OpenAiSim::builder()…start().await`) or as the `bluejet-sim` and `openai-sim` binaries.
//! Data is generated from a seed: the same seed and sizes give the same records.

pub mod bluejet;
pub mod catalog;
#[doc(hidden)]
pub mod cli;
pub mod data;
pub mod faults;
mod generate;
pub mod guid;
pub mod openai;
pub mod relevance;
pub mod rng;
mod server;
pub mod stats;
pub mod time;
mod words;

pub use bluejet::{BlueJetConfig, BlueJetSim, BlueJetSimBuilder, ChangeSchedule, RunningBlueJetSim};
pub use data::{
    COMPANIES, CONTACTS, ChangeRequest, ChangeResult, INVOICES, MalformedKind, MalformedRow, MalformedSpec, OFFERS,
    ORDERS, PRODUCTS, ProductInfo, Sizes,
};
pub use faults::{FaultSpec, OffsetFailure, Trigger};
pub use openai::{OpenAiConfig, OpenAiSim, OpenAiSimBuilder, OpenAiStats, RunningOpenAiSim};
pub use stats::{LogEntry, Stats};
pub use time::DateFormat;

/// Errors of the simulators' library API.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request the simulator refuses (the message is what the API answers).
    #[error("{0}")]
    BadRequest(String),
    /// No such evidence.
    #[error("Neznámá evidence {0}.")]
    UnknownEvidence(u32),
    /// Binding or serving failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// Result with this crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
