//! The run modes. They sit below the run, the state directory and the report, which all name
//! them: a checkpoint and a run report say which mode wrote them.

use serde::{Deserialize, Serialize};

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Read everything; write what changed; delete what the source no longer has.
    Full,
    /// Read what changed since the watermark (minus the overlap).
    Incremental,
    /// List keys only and delete points whose keys vanished. No embedding.
    Reconcile,
    /// Embed everything into a new collection, then switch the alias to it.
    Rebuild,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Full => "full",
            Mode::Incremental => "incremental",
            Mode::Reconcile => "reconcile",
            Mode::Rebuild => "rebuild",
        })
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "full" => Ok(Mode::Full),
            "incremental" => Ok(Mode::Incremental),
            "reconcile" => Ok(Mode::Reconcile),
            "rebuild" => Ok(Mode::Rebuild),
            _ => Err(format!("`{s}` is not a mode (full, incremental, reconcile, rebuild)")),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn modes_parse() {
        assert_eq!("full".parse::<Mode>().unwrap(), Mode::Full);
        assert!("fast".parse::<Mode>().unwrap_err().contains("reconcile"));
    }
}
