//! Token ids: MurmurHash3 (x86, 32 bit) of the token's UTF-8 bytes.
//!
//! Qdrant's server-side BM25, qdrant-edge's `bm25_embed` and fastembed's `Qdrant/bm25` all
//! map a token to `|murmur3_32(token, seed 0) as i32|`; weir uses the same mapping so that a
//! token has the same id wherever Qdrant's tooling is pointed at a weir collection. The
//! function is spelled out here (not taken from a crate) because the ids are stored in
//! collections: they must never change with a dependency upgrade, and they do not depend on
//! the platform's endianness or word size.

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

/// MurmurHash3 x86 32-bit of `data` with `seed`, as published by Austin Appleby (SMHasher).
pub(crate) fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    let mut h = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        h ^= scramble(k);
        h = h.rotate_left(13).wrapping_mul(5).wrapping_add(0xe654_6b64);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let k = tail.iter().enumerate().fold(0u32, |k, (i, b)| k | (u32::from(*b) << (8 * i)));
        h ^= scramble(k);
    }
    // The algorithm mixes in the length modulo 2^32 by definition.
    h ^= data.len() as u32;
    finalize(h)
}

fn scramble(k: u32) -> u32 {
    k.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

fn finalize(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// The sparse-vector index of a token: murmur3 (seed 0) read as a signed 32-bit integer,
/// absolute value. Ids lie in `0..=2^31`; distinct tokens may collide (then they count as one
/// term, deterministically).
pub fn token_id(token: &str) -> u32 {
    (murmur3_32(token.as_bytes(), 0) as i32).unsigned_abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values of MurmurHash3_x86_32 as published with the algorithm (SMHasher's
    /// verification inputs, repeated in its many ports) — not produced by this code.
    #[test]
    fn murmur3_matches_published_values() {
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"", 0xffff_ffff), 0x81f1_6f39);
        assert_eq!(murmur3_32(b"test", 0), 0xba6b_d213);
        assert_eq!(murmur3_32(b"Hello, world!", 0), 0xc036_3e43);
        assert_eq!(murmur3_32(b"The quick brown fox jumps over the lazy dog", 0), 0x2e4f_f723);
        // Every tail length (1, 2, 3 bytes after the blocks), with a non-zero seed.
        let seed = 3_242_157_231;
        assert_eq!(murmur3_32(b"", seed), 36_859_204);
        assert_eq!(murmur3_32(b"a", seed), 3_144_985_375);
        assert_eq!(murmur3_32(b"ab", seed), 3_262_304_301);
        assert_eq!(murmur3_32(b"abc", seed), 476_091_040);
        assert_eq!(murmur3_32(b"abcd", seed), 412_992_581);
        assert_eq!(murmur3_32(b"abcde", seed), 2_747_833_956);
        assert_eq!(murmur3_32(b"abcdefghijklmnop", seed), 2_078_305_053);
    }

    #[test]
    fn token_ids_are_the_absolute_signed_hash() {
        // 0xba6bd213 is negative as i32: -(0xba6bd213 - 2^32) = 0x45942ded.
        assert_eq!(token_id("test"), 0x4594_2ded);
        // 0x2e4ff723 is positive and stays as it is.
        assert_eq!(token_id("The quick brown fox jumps over the lazy dog"), 0x2e4f_f723);
        assert_eq!(token_id(""), 0);
        assert_ne!(token_id("kurc"), token_id("Kurc"));
    }
}
