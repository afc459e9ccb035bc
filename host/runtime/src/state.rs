//! The data each plugin instance's store holds: its WASI context (empty), its limits, its
//! network policy and secrets, and what it wrote to stderr (kept to explain a crash).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use weir_core::HostRule;

/// How much of a plugin's stderr is kept to explain a crash.
const STDERR_TAIL_BYTES: usize = 8 * 1024;
/// The most table elements a plugin instance may have.
const MAX_TABLE_ELEMENTS: usize = 100_000;

/// Counters of what one plugin did through the host, shared by all its instances.
#[derive(Debug, Default)]
pub struct PluginStats {
    pub calls: AtomicU64,
    pub http_requests: AtomicU64,
    pub http_retries: AtomicU64,
    pub http_denied: AtomicU64,
    pub http_bytes_in: AtomicU64,
    pub traps: AtomicU64,
    pub timeouts: AtomicU64,
    /// Nanoseconds spent inside calls into the plugin, host imports included.
    pub busy_nanos: AtomicU64,
    /// Nanoseconds spent inside the `http` import (the request and its retries): subtracted
    /// from `busy_nanos`, what is left is the plugin's own code and the boundary crossings.
    pub http_nanos: AtomicU64,
}

impl PluginStats {
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// The network policy of one plugin: the manifest's rules and the configuration's grants.
#[derive(Debug)]
pub(crate) struct NetPolicy {
    pub(crate) requested: Vec<HostRule>,
    pub(crate) granted: Vec<HostRule>,
    pub(crate) max_response_bytes: u64,
    /// The source's shared limit of requests in flight (sources only).
    pub(crate) requests: Option<crate::RequestLimit>,
}

pub(crate) struct HostState {
    pub(crate) plugin: Arc<str>,
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) memory: MemoryCap,
    pub(crate) stderr: TailBuffer,
    pub(crate) net: Arc<NetPolicy>,
    pub(crate) http: reqwest::Client,
    pub(crate) secrets: Arc<BTreeMap<String, String>>,
    pub(crate) stats: Arc<PluginStats>,
    /// When the current call must end.
    pub(crate) deadline: Option<Instant>,
}

impl HostState {
    pub(crate) fn new(
        plugin: Arc<str>,
        memory_bytes: usize,
        net: Arc<NetPolicy>,
        http: reqwest::Client,
        secrets: Arc<BTreeMap<String, String>>,
        stats: Arc<PluginStats>,
        dirs: &[(String, std::path::PathBuf)],
    ) -> Self {
        let stderr = TailBuffer::default();
        let mut builder = WasiCtxBuilder::new();
        builder.stderr(stderr.clone()).allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false);
        for (name, path) in dirs {
            // Read-only: the plugin can list and read, never create, write or delete. A
            // directory that vanished since the grant was checked is simply not mounted.
            if let Err(e) = builder.preopened_dir(path, format!("/{name}"), FsPerms::ReadOnly) {
                tracing::warn!(plugin = %plugin, dir = %path.display(), error = %e, "cannot mount a granted directory");
            }
        }
        let wasi = builder.build();
        Self {
            plugin,
            wasi,
            table: ResourceTable::new(),
            memory: MemoryCap { max_bytes: memory_bytes, hit: false },
            stderr,
            net,
            http,
            secrets,
            stats,
            deadline: None,
        }
    }

    /// Replaces every granted secret value in `text` so that nothing a plugin writes can leak one.
    pub(crate) fn redact(&self, text: &str) -> String {
        redact(&self.secrets, text)
    }
}

pub(crate) fn redact(secrets: &BTreeMap<String, String>, text: &str) -> String {
    let mut out = text.to_owned();
    for value in secrets.values().filter(|v| v.len() >= 4) {
        if out.contains(value.as_str()) {
            out = out.replace(value.as_str(), "[redacted]");
        }
    }
    out
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

/// Caps an instance's linear memory and remembers whether the cap was hit.
pub(crate) struct MemoryCap {
    pub(crate) max_bytes: usize,
    pub(crate) hit: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_bytes {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// A stderr that keeps only the last few KiB a plugin wrote and never fails a write.
#[derive(Clone, Default)]
pub(crate) struct TailBuffer(Arc<Mutex<Vec<u8>>>);

impl TailBuffer {
    pub(crate) fn take_text(&self) -> String {
        let mut buf = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let text = String::from_utf8_lossy(&buf).trim().to_owned();
        buf.clear();
        text
    }

    fn push(&self, bytes: &[u8]) {
        let mut buf = self.0.lock().unwrap_or_else(|p| p.into_inner());
        buf.extend_from_slice(bytes);
        if buf.len() > STDERR_TAIL_BYTES {
            let cut = buf.len() - STDERR_TAIL_BYTES;
            buf.drain(..cut);
        }
    }
}

impl IsTerminal for TailBuffer {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for TailBuffer {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

impl tokio::io::AsyncWrite for TailBuffer {
    fn poll_write(self: Pin<&mut Self>, _cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
