//! The test mailbox on a free loopback port, as the receiver of the delivery fault tests and
//! the delivery benchmark. Besides the mailbox's own failures (`mailbox::Fault`) it can refuse
//! connections, as a receiver that is down does. Not for production.

use super::{self as mailbox, Fault, Mailbox};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// How the receiver behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Stores each new message (202), answers a repeat `X-shs-duplicatemsg: yes`.
    Accept,
    /// Not listening: new connections are refused, idle kept-alive ones are closed.
    Refuse,
    /// Listening, but answering with `Fault`.
    Fail(Fault),
}

struct Running {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

pub struct LoopbackMailbox {
    pub addr: SocketAddr,
    pub mailbox: Arc<Mailbox>,
    server: tokio::sync::Mutex<Option<Running>>,
}

impl LoopbackMailbox {
    /// Opens the mailbox in `dir` and serves it on a free 127.0.0.1 port, accepting.
    pub async fn start(dir: &Path) -> std::io::Result<LoopbackMailbox> {
        let mailbox = Mailbox::open(dir, Some("loopback".into())).map_err(std::io::Error::other)?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        Ok(LoopbackMailbox {
            addr,
            server: tokio::sync::Mutex::new(Some(serve(listener, mailbox.clone()))),
            mailbox,
        })
    }

    /// The base URL a delivery target uses (the client adds `/shs/rs`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn set_mode(&self, mode: Mode) -> std::io::Result<()> {
        let mut server = self.server.lock().await;
        if mode == Mode::Refuse {
            if let Some(Running { stop, mut task }) = server.take() {
                // Idle keep-alive connections close at once, requests under way finish; a
                // connection that lingers is cut.
                let _ = stop.send(());
                if tokio::time::timeout(Duration::from_secs(10), &mut task)
                    .await
                    .is_err()
                {
                    task.abort();
                }
            }
            return Ok(());
        }
        self.mailbox.set_fault(match mode {
            Mode::Fail(f) => Some(f),
            _ => None,
        });
        if server.is_none() {
            let listener = tokio::net::TcpListener::bind(self.addr).await?;
            *server = Some(serve(listener, self.mailbox.clone()));
        }
        Ok(())
    }
}

fn serve(listener: tokio::net::TcpListener, mb: Arc<Mailbox>) -> Running {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, mailbox::router(mb))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Running { stop, task }
}
