//! Where a read goes on: the byte offset and line number of the next row, and a hash of the
//! header the read began with. Resuming checks that hash, so a file replaced by one with other
//! columns is refused instead of being read under the wrong names.

use serde::{Deserialize, Serialize};
use weir_sdk::{Error, Result};

/// The state the host stores between pages, as JSON text, e.g.
/// `{"offset":1234,"line":57,"header":"9b3f0c4e1a2d5e6f"}`. It only ever moves past rows that
/// were read (returned, or passed over by an incremental read's filter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// The byte offset of the next row.
    pub offset: u64,
    /// The line the next row starts on, counting from 1.
    pub line: u64,
    /// The header's hash (CSV only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

impl State {
    /// Reads a stored state; text that is not one is a permanent error.
    pub fn parse(text: &str) -> Result<Self> {
        let state: Self = serde_json::from_str(text)
            .map_err(|e| Error::permanent(format_args!("unreadable read state `{text}`: {e}")))?;
        if state.line == 0 {
            return Err(Error::permanent(format_args!("unreadable read state `{text}`: lines count from 1")));
        }
        Ok(state)
    }

    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The header's fingerprint: 64-bit FNV-1a of its bytes, in hex. It tells headers apart; it is
/// no defence against someone forging one.
pub fn header_hash(header: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in header {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn states_round_trip_as_text() {
        for state in [
            State { offset: 0, line: 1, header: None },
            State { offset: 1234, line: 57, header: Some(header_hash(b"code;name")) },
        ] {
            assert_eq!(State::parse(&state.to_text()).unwrap(), state);
        }
        assert_eq!(State { offset: 9, line: 2, header: None }.to_text(), r#"{"offset":9,"line":2}"#);
    }

    #[test]
    fn unreadable_states_are_permanent_errors() {
        for text in ["", "17", r#"{"offset": 3}"#, r#"{"offset": -1, "line": 1}"#, r#"{"offset": 3, "line": 0}"#] {
            assert!(matches!(State::parse(text), Err(Error::Permanent(_))), "{text}");
        }
        assert!(State::parse(r#"{"offset": 3, "line": 2, "extra": true}"#).is_err());
    }

    #[test]
    fn headers_hash_apart() {
        assert_eq!(header_hash(b""), "cbf29ce484222325");
        assert_eq!(header_hash(b"code;name"), header_hash(b"code;name"));
        assert_ne!(header_hash(b"code;name"), header_hash(b"code;nazev"));
    }
}
