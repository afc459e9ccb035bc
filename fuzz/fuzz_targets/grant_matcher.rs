//! A rule and a URL made from bytes (see `weir_core::net::grant_property`): parsing the URL
//! never panics, what the host would send parses back to itself, and a URL that the rule allows
//! stays inside the rule's path prefix under every common server normalisation (decode then
//! resolve, resolve then decode, decode twice, backslash as slash, `;parameters`, Unicode
//! compatibility and best-fit mapping, Windows segment trimming, merged slashes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use weir_core::net::grant_property::{Case, check};

fuzz_target!(|data: &[u8]| {
    let case = Case::from_bytes(data);
    if let Err(escape) = check(&case) {
        panic!("{escape}\n{case:?}");
    }
});
