//! GUID keys and SQL Server's `uniqueidentifier` ordering.
//!
//! SQL Server does not order GUIDs as their text: it compares the storage bytes (the .NET
//! `Guid.ToByteArray` layout, where the first three groups are little-endian) in the order
//! 10..16, 8..10, 6..8, 4..6, 0..4. The last group of the text form is therefore the most
//! significant. A client that pages with `productid|>|<last key>` while assuming text order
//! skips or repeats rows; the simulator reproduces the real order to catch it.

use std::cmp::Ordering;
use std::fmt;

/// A GUID, held as its 16 bytes in text order (`00112233-4455-6677-8899-aabbccddeeff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// Parses the 36-character hyphenated form, case-insensitive, optionally in braces.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let t = t.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(t);
        let b = t.as_bytes();
        if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
            return None;
        }
        let mut out = [0u8; 16];
        let mut i = 0;
        let mut n = 0;
        while i < 36 {
            if b[i] == b'-' {
                i += 1;
                continue;
            }
            let hi = hex_val(b[i])?;
            let lo = hex_val(*b.get(i + 1)?)?;
            *out.get_mut(n)? = (hi << 4) | lo;
            n += 1;
            i += 2;
        }
        (n == 16).then_some(Self(out))
    }

    /// The key SQL Server sorts by: comparing these integers gives `uniqueidentifier` order.
    pub fn sql_key(&self) -> u128 {
        let t = &self.0;
        // storage layout: first three groups little-endian, the rest as written
        let s = [t[3], t[2], t[1], t[0], t[5], t[4], t[7], t[6], t[8], t[9], t[10], t[11], t[12], t[13], t[14], t[15]];
        const ORDER: [usize; 16] = [10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3];
        ORDER.iter().fold(0u128, |acc, &i| (acc << 8) | u128::from(s[i]))
    }

    /// Compares two GUIDs the way SQL Server does.
    pub fn sql_cmp(&self, other: &Self) -> Ordering {
        self.sql_key().cmp(&other.sql_key())
    }

    /// A random (version 4) GUID from the generator.
    pub fn random(rng: &mut crate::rng::Rng) -> Self {
        let a = rng.next_u64().to_be_bytes();
        let b = rng.next_u64().to_be_bytes();
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&a);
        out[8..].copy_from_slice(&b);
        out[6] = (out[6] & 0x0f) | 0x40;
        out[8] = (out[8] & 0x3f) | 0x80;
        Self(out)
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn last_group_is_most_significant() {
        let a = Guid::parse("ffffffff-ffff-ffff-ffff-000000000001").unwrap();
        let b = Guid::parse("00000000-0000-0000-0000-000000000002").unwrap();
        assert_eq!(a.sql_cmp(&b), Ordering::Less);
        assert!(a.to_string() > b.to_string());
    }

    #[test]
    fn group_order_then_little_endian_bytes() {
        // 4th group beats 3rd group
        let a = Guid::parse("00000000-0000-0002-0001-000000000000").unwrap();
        let b = Guid::parse("00000000-0000-0001-0002-000000000000").unwrap();
        assert_eq!(a.sql_cmp(&b), Ordering::Less);
        // inside the first group the low byte (last text pair) is compared first
        let c = Guid::parse("01000002-0000-0000-0000-000000000000").unwrap();
        let d = Guid::parse("02000001-0000-0000-0000-000000000000").unwrap();
        assert_eq!(c.sql_cmp(&d), Ordering::Greater);
    }

    #[test]
    fn round_trip() {
        let text = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
        assert_eq!(Guid::parse(text).unwrap().to_string(), text);
        assert!(Guid::parse("not-a-guid").is_none());
    }
}
