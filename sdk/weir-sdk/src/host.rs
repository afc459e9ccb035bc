//! The host's imports. Inside a plugin they call the host; in a native build (plugin authors'
//! unit tests) they fall back to harmless stand-ins so that pure logic can be tested with
//! plain `cargo test`.

use crate::log::Level;

/// A secret the configuration grants this plugin by name, or `None`. Outside a plugin there
/// are no secrets.
pub fn secret(name: &str) -> Option<String> {
    imp::secret(name)
}

/// Wall-clock time in milliseconds since the Unix epoch, from the host's clock.
pub fn now_ms() -> u64 {
    imp::now_ms()
}

pub(crate) fn log(level: Level, message: &str) {
    imp::log(level, message);
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use crate::__private::bindings::weir::plugin::host;
    use crate::log::Level;

    pub(super) fn secret(name: &str) -> Option<String> {
        host::secret(name)
    }

    pub(super) fn now_ms() -> u64 {
        host::now_ms()
    }

    pub(super) fn log(level: Level, message: &str) {
        let level = match level {
            Level::Trace => host::Level::Trace,
            Level::Debug => host::Level::Debug,
            Level::Info => host::Level::Info,
            Level::Warn => host::Level::Warn,
            Level::Error => host::Level::Error,
        };
        host::log(level, message);
    }

    pub(crate) fn http(request: &host::HttpRequest) -> Result<host::HttpResponse, host::HttpError> {
        host::http(request)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::log::Level;

    pub(super) fn secret(_name: &str) -> Option<String> {
        None
    }

    pub(super) fn now_ms() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    pub(super) fn log(level: Level, message: &str) {
        eprintln!("[{level:?}] {message}");
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) use imp::http;
