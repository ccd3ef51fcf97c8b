//! A loopback stand-in for a case system's receiver: takes `POST`s with an `X-shs-txid` header
//! and counts what it accepted by transaction id, dropping repeats as SHS receivers do
//! (`X-shs-duplicatemsg: yes`). Its mode makes it fail on purpose. Tests, the delivery
//! benchmark and local development use it; it is not for production.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 202 for a new transaction id, 200 + `X-shs-duplicatemsg: yes` for a known one.
    Accept,
    /// Not listening: connections are refused.
    Refuse,
    /// 500 without keeping the message.
    Error500,
    /// Keeps the message, then answers 503: the sender must retry and meets a duplicate.
    KeepThen503,
    /// 400: the message is rejected for good.
    Reject400,
}

#[derive(Default)]
struct Counts {
    /// Transaction id → the body of the first accepted message.
    accepted: HashMap<String, Vec<u8>>,
    duplicates: u64,
    posts: u64,
}

struct Shared {
    mode: Mutex<Mode>,
    counts: Mutex<Counts>,
}

pub struct Receiver {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    server: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Receiver {
    /// Listens on a free loopback port, accepting.
    pub async fn start() -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let r = Receiver {
            addr: listener.local_addr()?,
            shared: Arc::new(Shared {
                mode: Mutex::new(Mode::Accept),
                counts: Mutex::new(Counts::default()),
            }),
            server: Mutex::new(None),
        };
        r.serve(listener);
        Ok(r)
    }

    pub fn url(&self) -> String {
        format!("http://{}/shs", self.addr)
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let app = axum::Router::new()
            .fallback(axum::routing::post(receive))
            .with_state(self.shared.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        *self.server.lock().unwrap_or_else(|e| e.into_inner()) = Some(handle);
    }

    pub async fn set_mode(&self, mode: Mode) -> std::io::Result<()> {
        *self.shared.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
        let running = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
        match (mode, running) {
            (Mode::Refuse, Some(h)) => {
                h.abort();
                let _ = h.await;
            }
            (Mode::Refuse, None) => {}
            (_, Some(h)) => *self.server.lock().unwrap_or_else(|e| e.into_inner()) = Some(h),
            (_, None) => self.serve(tokio::net::TcpListener::bind(self.addr).await?),
        }
        Ok(())
    }

    /// Each accepted transaction id once.
    pub fn accepted(&self) -> Vec<String> {
        let c = self.shared.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.accepted.keys().cloned().collect()
    }

    pub fn body(&self, tx_id: &str) -> Option<Vec<u8>> {
        let c = self.shared.counts.lock().unwrap_or_else(|e| e.into_inner());
        c.accepted.get(tx_id).cloned()
    }

    pub fn accepted_count(&self) -> usize {
        self.shared
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .accepted
            .len()
    }

    /// Messages that came again after they were accepted (dropped).
    pub fn duplicates(&self) -> u64 {
        self.shared
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .duplicates
    }

    /// Every POST that reached it, failed ones included.
    pub fn posts(&self) -> u64 {
        self.shared
            .counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .posts
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mode = *shared.mode.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = shared.counts.lock().unwrap_or_else(|e| e.into_inner());
    c.posts += 1;
    let Some(tx) = headers.get("x-shs-txid").and_then(|v| v.to_str().ok()) else {
        return (StatusCode::BAD_REQUEST, "no X-shs-txid").into_response();
    };
    match mode {
        Mode::Error500 => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Mode::Reject400 => return (StatusCode::BAD_REQUEST, "rejected").into_response(),
        Mode::Accept | Mode::KeepThen503 | Mode::Refuse => {}
    }
    let known = c.accepted.contains_key(tx);
    if known {
        c.duplicates += 1;
    } else {
        c.accepted.insert(tx.to_string(), body.to_vec());
    }
    if mode == Mode::KeepThen503 {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    if known {
        (StatusCode::OK, [("x-shs-duplicatemsg", "yes")]).into_response()
    } else {
        StatusCode::ACCEPTED.into_response()
    }
}
