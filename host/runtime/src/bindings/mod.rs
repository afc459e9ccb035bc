//! Generated bindings, one module per released WIT version. Nothing outside this module sees
//! generated types: each version module converts to and from `weir_core` domain types.

pub(crate) mod v0_1_0;
