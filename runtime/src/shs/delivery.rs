//! The delivery service ("hämtning") for receivers that poll instead of running a receive
//! service, as Inera Axel's `/shs/ds`:
//!
//! - `GET /shs/ds/{outbox}`: the messages waiting, as `shs.message-list` XML
//!   (`{outbox}` is `urn:X-shs:<orgnr>` or the bare number; filters `corrid`, `producttype`,
//!   `status`, `maxhits`);
//! - `GET /shs/ds/{outbox}/{txid}`: one message, `message/rfc822`;
//! - `POST /shs/ds/{outbox}/{txid}?action=ack`: fetched and kept; it is not listed again.
//!
//! Client authentication: a bearer token per receiver (`Authorization: Bearer <token>`),
//! configured per organisation number; a token opens only its own organisation's messages.
//! Where receivers authenticate with client certificates, terminate mTLS in a proxy in front
//! (nginx `ssl_verify_client on`) and let it set that header for the verified client.
//!
//! What is served comes from a `DeliveryQueue`: the runtime's outbox implements it over its
//! queued messages (its `ack` is where a message counts as delivered); `MemoryQueue` is the
//! simple one the test mailbox uses.

use super::label::Address;
use super::mime::Message;
use super::xml::{self, escape};
use async_trait::async_trait;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// One message as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListedMessage {
    pub tx_id: String,
    pub corr_id: String,
    pub content_id: String,
    /// `yyyy-MM-ddTHH:mm:ss`, when it was queued.
    pub timestamp: String,
    pub size: u64,
    pub from: String,
    pub to: String,
    pub product: String,
    pub sequence_type: String,
    pub status: String,
    pub subject: Option<String>,
    /// (datapartType, filename) per data part.
    pub data: Vec<(String, Option<String>)>,
}

impl ListedMessage {
    /// The list entry of a message's bytes; `None` if they are not a readable SHS message.
    pub fn of(bytes: &[u8], timestamp: &str) -> Option<ListedMessage> {
        let m = Message::parse(bytes).ok()?;
        let l = &m.label;
        Some(ListedMessage {
            tx_id: l.tx_id.to_string(),
            corr_id: l.corr_id.to_string(),
            content_id: l.content.content_id.clone(),
            timestamp: timestamp.to_string(),
            size: bytes.len() as u64,
            from: l
                .sender()
                .map(|p| p.address.to_string())
                .unwrap_or_default(),
            to: l
                .to
                .as_ref()
                .map(|p| p.address.to_string())
                .unwrap_or_default(),
            product: l.product.id.to_string(),
            sequence_type: l.sequence_type.as_str().into(),
            status: l.status.as_str().into(),
            subject: l.subject.clone(),
            data: l
                .content
                .data
                .iter()
                .map(|d| (d.datapart_type.clone(), d.filename.clone()))
                .collect(),
        })
    }
}

/// The list filters of Axel's delivery service that are supported here.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListFilter {
    pub corrid: Option<String>,
    /// Comma-separated product ids (`urn:X-shs:…` or bare).
    pub producttype: Option<String>,
    pub status: Option<String>,
    pub maxhits: Option<usize>,
}

impl ListFilter {
    pub fn admits(&self, m: &ListedMessage) -> bool {
        let bare = |s: &str| {
            s.trim()
                .trim_start_matches("urn:X-shs:")
                .to_ascii_lowercase()
        };
        self.corrid
            .as_ref()
            .is_none_or(|c| bare(c) == bare(&m.corr_id))
            && self
                .producttype
                .as_ref()
                .is_none_or(|p| p.split(',').any(|p| bare(p) == bare(&m.product)))
            && self.status.as_ref().is_none_or(|s| s == &m.status)
    }
}

/// Messages waiting for receivers, by organisation number.
#[async_trait]
pub trait DeliveryQueue: Send + Sync {
    /// Unacknowledged messages for `orgnr`, oldest first.
    async fn list(&self, orgnr: &str) -> Result<Vec<ListedMessage>, String>;
    /// One message's MIME bytes, if it is waiting for `orgnr`.
    async fn fetch(&self, orgnr: &str, tx_id: &str) -> Result<Option<Vec<u8>>, String>;
    /// Marks it fetched; `false` when there is no such message for `orgnr`.
    async fn ack(&self, orgnr: &str, tx_id: &str) -> Result<bool, String>;
}

/// A queued message: its list entry and its bytes.
type Queued = (ListedMessage, Vec<u8>);

/// An in-memory queue: `push` a message for a receiver; acknowledged ones are dropped.
#[derive(Default)]
pub struct MemoryQueue {
    /// orgnr → (entry, bytes), in arrival order.
    inner: Mutex<BTreeMap<String, Vec<Queued>>>,
}

impl MemoryQueue {
    /// Queues `message` for the organisation number of its label's `to`.
    pub fn push(&self, message: Vec<u8>) -> Result<(), String> {
        let now = chrono::Local::now()
            .naive_local()
            .format(super::label::DATETIME_FORMAT)
            .to_string();
        let entry = ListedMessage::of(&message, &now).ok_or("not a readable SHS message")?;
        let orgnr = Address::parse(&entry.to).map_err(|e| e.to_string())?.orgnr;
        if let Ok(mut g) = self.inner.lock() {
            let q = g.entry(orgnr).or_default();
            if !q.iter().any(|(e, _)| e.tx_id == entry.tx_id) {
                q.push((entry, message));
            }
        }
        Ok(())
    }
}

#[async_trait]
impl DeliveryQueue for MemoryQueue {
    async fn list(&self, orgnr: &str) -> Result<Vec<ListedMessage>, String> {
        let g = self.inner.lock().map_err(|e| e.to_string())?;
        Ok(g.get(orgnr)
            .map(|q| q.iter().map(|(e, _)| e.clone()).collect())
            .unwrap_or_default())
    }

    async fn fetch(&self, orgnr: &str, tx_id: &str) -> Result<Option<Vec<u8>>, String> {
        let g = self.inner.lock().map_err(|e| e.to_string())?;
        Ok(g.get(orgnr)
            .and_then(|q| q.iter().find(|(e, _)| e.tx_id == tx_id))
            .map(|(_, b)| b.clone()))
    }

    async fn ack(&self, orgnr: &str, tx_id: &str) -> Result<bool, String> {
        let mut g = self.inner.lock().map_err(|e| e.to_string())?;
        let Some(q) = g.get_mut(orgnr) else {
            return Ok(false);
        };
        let before = q.len();
        q.retain(|(e, _)| e.tx_id != tx_id);
        Ok(q.len() < before)
    }
}

/// Writes `shs.message-list` (`shs-message-list-1.2.01.dtd`), ISO-8859-1.
pub fn message_list_xml(messages: &[ListedMessage]) -> Vec<u8> {
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE shs.message-list SYSTEM \"shs-message-list-1.2.01.dtd\">\n<shs.message-list version=\"1.2\">\n");
    for m in messages {
        s += &format!(
            "  <message tx.id=\"{}\" timestamp=\"{}\" corr.id=\"{}\" content.id=\"{}\" size=\"{}\" from=\"{}\" to=\"{}\" product=\"{}\" sequence-type=\"{}\" status=\"{}\">\n",
            escape(&m.tx_id), escape(&m.timestamp), escape(&m.corr_id), escape(&m.content_id), m.size,
            escape(&m.from), escape(&m.to), escape(&m.product), escape(&m.sequence_type), escape(&m.status)
        );
        if let Some(subject) = &m.subject {
            s += &format!("    <subject>{}</subject>\n", escape(subject));
        }
        for (t, f) in &m.data {
            s += &format!("    <data datapartType=\"{}\"", escape(t));
            if let Some(f) = f {
                s += &format!(" filename=\"{}\"", escape(f));
            }
            s += "/>\n";
        }
        s += "  </message>\n";
    }
    s += "</shs.message-list>\n";
    xml::to_latin1(&s)
}

/// Reads `shs.message-list` as a delivery service answers it.
pub fn parse_message_list(bytes: &[u8]) -> Result<Vec<ListedMessage>, String> {
    let root = xml::parse_bytes(bytes, None)
        .map_err(|e| format!("the message list is not readable: {e}"))?;
    if root.name != "shs.message-list" {
        return Err(format!(
            "the answer is `<{}>`, not `<shs.message-list>`",
            root.name
        ));
    }
    Ok(root
        .children_named("message")
        .map(|m| {
            let a = |n: &str| m.attr(n).unwrap_or("").to_string();
            ListedMessage {
                tx_id: a("tx.id"),
                corr_id: a("corr.id"),
                content_id: a("content.id"),
                timestamp: a("timestamp"),
                size: m.attr("size").and_then(|s| s.parse().ok()).unwrap_or(0),
                from: a("from"),
                to: a("to"),
                product: a("product"),
                sequence_type: a("sequence-type"),
                status: m.attr("status").unwrap_or("production").to_string(),
                subject: m.child_text("subject"),
                data: m
                    .children_named("data")
                    .map(|d| {
                        (
                            d.attr("datapartType").unwrap_or("").to_string(),
                            d.attr("filename").map(str::to_string),
                        )
                    })
                    .collect(),
            }
        })
        .collect())
}

/// Who may fetch: bearer tokens by organisation number.
#[derive(Clone, Default)]
pub struct DeliveryAuth {
    /// orgnr (digits) → token.
    pub tokens: BTreeMap<String, String>,
    /// A token that opens every receiver's messages (the test mailbox).
    pub any: Option<String>,
}

impl DeliveryAuth {
    fn allows(&self, headers: &HeaderMap, orgnr: &str) -> bool {
        let got = crate::security::bearer(headers).unwrap_or("");
        let same = |want: &String| crate::security::same_secret(got, want);
        self.tokens.get(orgnr).is_some_and(same) || self.any.as_ref().is_some_and(same)
    }
}

#[derive(Clone)]
struct Ds {
    queue: Arc<dyn DeliveryQueue>,
    auth: DeliveryAuth,
}

/// The delivery service's routes, to merge into a server (of any state).
pub fn router<S: Clone + Send + Sync + 'static>(
    queue: Arc<dyn DeliveryQueue>,
    auth: DeliveryAuth,
) -> Router<S> {
    Router::new()
        .route("/shs/ds/{outbox}", get(list))
        .route("/shs/ds/{outbox}/{txid}", get(fetch).post(ack))
        .with_state(Ds { queue, auth })
}

fn text(status: StatusCode, body: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{body}\n"),
    )
        .into_response()
}

/// The organisation number of `{outbox}`, after the caller is checked.
fn open(ds: &Ds, headers: &HeaderMap, outbox: &str) -> Result<String, Box<Response>> {
    let orgnr = Address::parse(outbox)
        .map_err(|e| Box::new(text(StatusCode::BAD_REQUEST, &e.to_string())))?
        .orgnr;
    if !ds.auth.allows(headers, &orgnr) {
        return Err(Box::new(text(
            StatusCode::UNAUTHORIZED,
            "give this receiver's token: Authorization: Bearer <token>",
        )));
    }
    Ok(orgnr)
}

fn failed(e: String) -> Response {
    tracing::error!(error = %e, "the SHS delivery service failed");
    text(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the delivery service failed; try again",
    )
}

async fn list(
    State(ds): State<Ds>,
    headers: HeaderMap,
    Path(outbox): Path<String>,
    Query(filter): Query<ListFilter>,
) -> Response {
    let orgnr = match open(&ds, &headers, &outbox) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    let mut messages: Vec<ListedMessage> = match ds.queue.list(&orgnr).await {
        Ok(m) => m.into_iter().filter(|m| filter.admits(m)).collect(),
        Err(e) => return failed(e),
    };
    if let Some(n) = filter.maxhits {
        messages.truncate(n);
    }
    (
        [(header::CONTENT_TYPE, "application/xml; charset=iso-8859-1")],
        message_list_xml(&messages),
    )
        .into_response()
}

async fn fetch(
    State(ds): State<Ds>,
    headers: HeaderMap,
    Path((outbox, txid)): Path<(String, String)>,
) -> Response {
    let orgnr = match open(&ds, &headers, &outbox) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    match ds.queue.fetch(&orgnr, &txid).await {
        Ok(Some(bytes)) => ([(header::CONTENT_TYPE, "message/rfc822")], bytes).into_response(),
        Ok(None) => text(StatusCode::NOT_FOUND, "no such message for this receiver"),
        Err(e) => failed(e),
    }
}

#[derive(serde::Deserialize)]
struct AckQuery {
    action: Option<String>,
}

async fn ack(
    State(ds): State<Ds>,
    headers: HeaderMap,
    Path((outbox, txid)): Path<(String, String)>,
    Query(q): Query<AckQuery>,
) -> Response {
    let orgnr = match open(&ds, &headers, &outbox) {
        Ok(o) => o,
        Err(r) => return *r,
    };
    if q.action.as_deref() != Some("ack") {
        return text(StatusCode::BAD_REQUEST, "the only action is ?action=ack");
    }
    match ds.queue.ack(&orgnr, &txid).await {
        Ok(true) => text(StatusCode::OK, "OK"),
        Ok(false) => text(StatusCode::NOT_FOUND, "no such message for this receiver"),
        Err(e) => failed(e),
    }
}
