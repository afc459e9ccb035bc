//! Integration tests of weir's bundled plugins running inside the host against real services.
//! The tests live in `tests/`; this library is empty.
