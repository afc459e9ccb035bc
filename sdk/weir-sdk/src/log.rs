//! Logging through the host, which tags each line with the plugin's name.
//!
//! ```
//! weir_sdk::log::info!("read {} records of {}", 100, "items");
//! ```

/// How important a log line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// Writes one line to the host's log.
pub fn write(level: Level, message: &str) {
    crate::host::log(level, message);
}

#[doc(hidden)]
#[macro_export]
macro_rules! __log_trace {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Trace, &::std::format!($($arg)+)) };
}
#[doc(hidden)]
#[macro_export]
macro_rules! __log_debug {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Debug, &::std::format!($($arg)+)) };
}
#[doc(hidden)]
#[macro_export]
macro_rules! __log_info {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Info, &::std::format!($($arg)+)) };
}
#[doc(hidden)]
#[macro_export]
macro_rules! __log_warn {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Warn, &::std::format!($($arg)+)) };
}
#[doc(hidden)]
#[macro_export]
macro_rules! __log_error {
    ($($arg:tt)+) => { $crate::log::write($crate::log::Level::Error, &::std::format!($($arg)+)) };
}

/// Logs at [`Level::Debug`], with `format!` arguments.
pub use crate::__log_debug as debug;
/// Logs at [`Level::Error`], with `format!` arguments.
pub use crate::__log_error as error;
/// Logs at [`Level::Info`], with `format!` arguments.
pub use crate::__log_info as info;
/// Logs at [`Level::Trace`], with `format!` arguments.
pub use crate::__log_trace as trace;
/// Logs at [`Level::Warn`], with `format!` arguments.
pub use crate::__log_warn as warn;
