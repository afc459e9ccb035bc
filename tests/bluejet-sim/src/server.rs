//! The accept loop both simulators run: plain HTTP/1.1 on a TCP listener, with a per-connection
//! kill switch so a handler can drop its connection without answering (a real reset: the
//! socket is closed with `SO_LINGER` 0, so the client sees RST, not a response).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::{JoinHandle, JoinSet};

/// Handed to handlers as a request extension: `kill()` drops the connection.
#[derive(Clone, Debug)]
pub struct ConnKill {
    notify: Arc<Notify>,
    rst: Arc<AtomicBool>,
}

impl ConnKill {
    /// Closes the connection with a reset; the request gets no answer.
    pub fn kill(&self) {
        self.rst.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// A TCP stream that resets instead of closing when it was killed.
struct ResetOnDrop {
    stream: TcpStream,
    rst: Arc<AtomicBool>,
}

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        if self.rst.load(Ordering::SeqCst) {
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for ResetOnDrop {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResetOnDrop {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A running server: its address and the means to stop it.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Running {
    /// Stops accepting, drops open connections and waits for the loop to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// Binds `addr` and serves `app` until shut down.
pub async fn serve(addr: SocketAddr, app: Router) -> io::Result<Running> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let kill = ConnKill { notify: Arc::new(Notify::new()), rst: Arc::new(AtomicBool::new(false)) };
                    let io = TokioIo::new(ResetOnDrop { stream, rst: kill.rst.clone() });
                    let svc = TowerToHyperService::new(app.clone().layer(Extension(kill.clone())));
                    conns.spawn(async move {
                        let conn = hyper::server::conn::http1::Builder::new().serve_connection(io, svc);
                        tokio::select! {
                            _ = conn => {}
                            () = kill.notify.notified() => {}
                        }
                    });
                }
                Some(_) = conns.join_next(), if !conns.is_empty() => {}
                _ = stopped.changed() => break,
            }
        }
        conns.abort_all();
        while conns.join_next().await.is_some() {}
    });
    Ok(Running { addr, stop, task: Some(task) })
}
