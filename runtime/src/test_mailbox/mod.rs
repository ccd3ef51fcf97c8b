//! The test mailbox (`blankett shs-mailbox`): a local SHS receive service that plays the
//! kommun's case system.
//!
//! - `POST /shs/rs` stores each message as its raw MIME file, `<dir>/<tx.id>.mime`; a tx.id
//!   already stored is answered `X-shs-duplicatemsg: yes`, as an SHS node does.
//! - `/` lists the messages; `/m/{txid}` shows one (label, parts, the case an ERMS or FGS part
//!   describes) with a form to answer with a case number (diarienummer).
//! - An answer is an SHS reply message (same corr.id and product, `sequence-type="reply"`,
//!   one part `arende.xml` with `<diarienummer>`), queued in `<dir>/outgoing/` for the
//!   sender to fetch from this mailbox's delivery service, `GET /shs/ds/{sender orgnr}`, as a
//!   runtime polls a real SHS node. `reply::apply_reply` reads it. The delivery service
//!   wants `Authorization: Bearer <token>` (the token is printed at start).
//! - `set_fault` makes the receive service fail on purpose (500, an SHS error code, a lost
//!   answer), and `counts` says what it saw: the fault tests and the delivery benchmark use
//!   the mailbox as their receiver, served by `loopback::LoopbackMailbox`, which can also
//!   refuse connections.

pub mod describe;
pub mod loopback;

use crate::shs::delivery::{self, DeliveryAuth, DeliveryQueue, ListedMessage};
use crate::shs::label::{Label, SequenceType, DATETIME_FORMAT};
use crate::shs::mime::{Message, Part};
use crate::shs::ShsError;
use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use std::path::{Path as FsPath, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The largest message the mailbox takes.
const MAX_MESSAGE_BYTES: usize = 200 * 1024 * 1024;
const NODE_ID: &str = "blankett-test-mailbox";

pub struct Mailbox {
    dir: PathBuf,
    /// Opens the delivery service (the replies) for any receiver.
    token: String,
    /// The answer form's CSRF token: fixed for the process, unreadable to other sites.
    csrf: String,
    fault: Mutex<Option<Fault>>,
    posts: AtomicU64,
    stored: AtomicU64,
    duplicates: AtomicU64,
    faults: AtomicU64,
}

/// A failure the receive service answers with on purpose, for the tests that prove delivery
/// outlasts a misbehaving receiver. A message that does not parse is still refused with
/// `IllegalMessageStructure` first, so every fault is met by well-formed messages only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500, the message not stored: the receiver's own trouble (retryable).
    ServerError,
    /// HTTP 400 with `X-shs-errorcode: <code>`, the message not stored. The client decides
    /// from the code: `MissingDeliveryExecution` is retried, `UnknownReceiver` is not
    /// (`client::error_code_is_retryable`).
    ShsError(String),
    /// The message is stored, then answered with 500: the answer is lost on the way, so the
    /// sender retries and meets `X-shs-duplicatemsg: yes`.
    LoseAnswer,
}

/// What the receive service has seen since the mailbox was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every `POST /shs/rs`.
    pub posts: u64,
    /// New messages stored (each tx.id once).
    pub stored: u64,
    /// Messages whose tx.id was stored already (answered `X-shs-duplicatemsg: yes`, unless a
    /// `Fault::LoseAnswer` answers 500).
    pub duplicates: u64,
    /// Posts answered with a `Fault`.
    pub faults: u64,
}

fn random_token() -> String {
    use rand::Rng;
    let bytes: [u8; 24] = rand::rng().random();
    hex::encode(bytes)
}

impl Mailbox {
    /// Creates `dir` (and `dir/outgoing`) if needed. Without `token` a random one is made.
    pub fn open(dir: &FsPath, token: Option<String>) -> Result<Arc<Mailbox>, String> {
        std::fs::create_dir_all(dir.join("outgoing").join("fetched"))
            .map_err(|e| format!("cannot create the mailbox folder `{}`: {e}", dir.display()))?;
        Ok(Arc::new(Mailbox {
            dir: dir.to_path_buf(),
            token: token.unwrap_or_else(random_token),
            csrf: random_token(),
            fault: Mutex::new(None),
            posts: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            faults: AtomicU64::new(0),
        }))
    }

    /// From now on every received message is answered with `fault`; `None`: as a receiver should.
    pub fn set_fault(&self, fault: Option<Fault>) {
        *self.fault.lock().unwrap_or_else(|e| e.into_inner()) = fault;
    }

    fn fault(&self) -> Option<Fault> {
        self.fault.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn counts(&self) -> Counts {
        Counts {
            posts: self.posts.load(Ordering::Relaxed),
            stored: self.stored.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            faults: self.faults.load(Ordering::Relaxed),
        }
    }

    /// The tx.ids of the stored messages (the file names), without reading them.
    pub fn tx_ids(&self) -> Vec<Uuid> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                Uuid::parse_str(name.strip_suffix(".mime")?).ok()
            })
            .collect()
    }

    /// The stored message `tx_id` as it came.
    pub fn message(&self, tx_id: &Uuid) -> Option<Vec<u8>> {
        std::fs::read(self.message_path(tx_id)).ok()
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    fn message_path(&self, tx_id: &Uuid) -> PathBuf {
        self.dir.join(format!("{tx_id}.mime"))
    }

    fn answer_path(&self, tx_id: &Uuid) -> PathBuf {
        self.dir.join(format!("{tx_id}.answer"))
    }

    /// The received messages, newest first: (tx.id, arrival time, bytes).
    pub fn received(&self) -> Vec<(Uuid, String, Vec<u8>)> {
        let mut out = stored_messages(&self.dir);
        out.sort_by(|a, b| b.1.cmp(&a.1));
        out
    }

    /// Stores a received message; `Ok(Some(arrival))` when that tx.id was stored before.
    pub fn store(&self, bytes: &[u8]) -> Result<(Label, Option<String>), StoreFailure> {
        let message = Message::parse(bytes).map_err(StoreFailure::Refused)?;
        let path = self.message_path(&message.label.tx_id);
        if path.exists() {
            return Ok((message.label, Some(arrival(&path))));
        }
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", message.label.tx_id, random_token()));
        let write = std::fs::write(&tmp, bytes)
            // A hard link fails when the name exists: two deliveries at once store it once.
            .and_then(|_| std::fs::hard_link(&tmp, &path));
        let _ = std::fs::remove_file(&tmp);
        match write {
            Ok(()) => Ok((message.label, None)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Ok((message.label, Some(arrival(&path))))
            }
            Err(e) => Err(StoreFailure::Io(e.to_string())),
        }
    }

    /// Answers the message `tx_id` with a case number: queues the reply for its sender.
    pub fn answer(&self, tx_id: &Uuid, case_number: &str) -> Result<Message, String> {
        let bytes =
            std::fs::read(self.message_path(tx_id)).map_err(|_| "no such message".to_string())?;
        let original = Message::parse(&bytes).map_err(|e| e.to_string())?;
        let reply = case_reply(&original, case_number, chrono::Local::now().naive_local())?;
        let out = self
            .dir
            .join("outgoing")
            .join(format!("{}.mime", reply.label.tx_id));
        std::fs::write(&out, reply.to_mime())
            .map_err(|e| format!("cannot queue the reply: {e}"))?;
        std::fs::write(self.answer_path(tx_id), case_number)
            .map_err(|e| format!("cannot record the answer: {e}"))?;
        Ok(reply)
    }

    fn answered(&self, tx_id: &Uuid) -> Option<String> {
        std::fs::read_to_string(self.answer_path(tx_id)).ok()
    }
}

/// Why a received message was not stored.
#[derive(Debug)]
pub enum StoreFailure {
    /// Not an SHS message: the sender's fault (400 `IllegalMessageStructure`).
    Refused(ShsError),
    /// The disk: the mailbox's fault (500, the sender retries).
    Io(String),
}

fn arrival(path: &FsPath) -> String {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(|t| {
            chrono::DateTime::<chrono::Local>::from(t)
                .naive_local()
                .format(DATETIME_FORMAT)
                .to_string()
        })
        .unwrap_or_default()
}

/// `<uuid>.mime` files in `dir`: (tx.id, modification time, bytes).
fn stored_messages(dir: &FsPath) -> Vec<(Uuid, String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let tx = Uuid::parse_str(name.strip_suffix(".mime")?).ok()?;
            let bytes = std::fs::read(e.path()).ok()?;
            Some((tx, arrival(&e.path()), bytes))
        })
        .collect()
}

/// The case system's answer to `original`: a reply with the same corr.id and product, from
/// its receiver to its sender, carrying the case number (and the sender's reference, when
/// its label has `<meta name="referens">`).
pub fn case_reply(
    original: &Message,
    case_number: &str,
    now: chrono::NaiveDateTime,
) -> Result<Message, String> {
    let case_number = case_number.trim();
    if case_number.is_empty() {
        return Err("write a case number".into());
    }
    let l = &original.label;
    let to = l
        .sender()
        .cloned()
        .ok_or("the message names no sender to answer")?;
    let from =
        l.to.clone()
            .ok_or("the message names no receiver to answer as")?;
    let mut label = Label::new(
        Uuid::new_v4(),
        l.corr_id,
        from,
        to,
        l.product.clone(),
        SequenceType::Reply,
    );
    label.status = l.status;
    label.datetime = now;
    let reference = l
        .meta
        .iter()
        .find(|(n, _)| n == "referens")
        .map(|(_, v)| v.clone());
    label.subject = Some(format!("Diarienummer {case_number}"));
    let e = crate::shs::xml::escape;
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<arende xmlns=\"urn:blankett:shs:arende:1\">\n  <diarienummer>{}</diarienummer>\n",
        e(case_number)
    );
    if let Some(r) = &reference {
        xml += &format!("  <referens>{}</referens>\n", e(r));
    }
    xml += "</arende>\n";
    Ok(Message::new(
        label,
        vec![Part::new(
            "arende",
            "text/xml; charset=UTF-8",
            Some("arende.xml".into()),
            xml.into_bytes(),
        )],
    ))
}

/// The replies waiting in `<dir>/outgoing`, served by the delivery service.
struct DirQueue {
    dir: PathBuf,
}

impl DirQueue {
    fn entries(&self, orgnr: &str) -> Vec<(ListedMessage, Vec<u8>)> {
        let mut out: Vec<(ListedMessage, Vec<u8>)> = stored_messages(&self.dir)
            .into_iter()
            .filter_map(|(_, at, bytes)| Some((ListedMessage::of(&bytes, &at)?, bytes)))
            .filter(|(m, _)| {
                crate::shs::label::Address::parse(&m.to).is_ok_and(|a| a.orgnr == orgnr)
            })
            .collect();
        out.sort_by(|a, b| a.0.timestamp.cmp(&b.0.timestamp));
        out
    }
}

#[async_trait]
impl DeliveryQueue for DirQueue {
    async fn list(&self, orgnr: &str) -> Result<Vec<ListedMessage>, String> {
        Ok(self.entries(orgnr).into_iter().map(|(m, _)| m).collect())
    }

    async fn fetch(&self, orgnr: &str, tx_id: &str) -> Result<Option<Vec<u8>>, String> {
        Ok(self
            .entries(orgnr)
            .into_iter()
            .find(|(m, _)| m.tx_id == tx_id)
            .map(|(_, b)| b))
    }

    async fn ack(&self, orgnr: &str, tx_id: &str) -> Result<bool, String> {
        let Ok(tx) = Uuid::parse_str(tx_id) else {
            return Ok(false);
        };
        if !self
            .entries(orgnr)
            .iter()
            .any(|(m, _)| m.tx_id == tx.to_string())
        {
            return Ok(false);
        }
        let name = format!("{tx}.mime");
        std::fs::rename(self.dir.join(&name), self.dir.join("fetched").join(&name))
            .map_err(|e| e.to_string())?;
        Ok(true)
    }
}

/// The mailbox's routes: receive service, delivery service (replies), pages, assets.
pub fn router(mb: Arc<Mailbox>) -> Router {
    let auth = DeliveryAuth {
        any: Some(mb.token.clone()),
        ..Default::default()
    };
    let ds = delivery::router(
        Arc::new(DirQueue {
            dir: mb.dir.join("outgoing"),
        }),
        auth,
    );
    Router::new()
        .route("/", get(index))
        .route("/shs/rs", post(receive))
        .route("/m/{txid}", get(show))
        .route("/m/{txid}/svara", post(answer))
        .route("/m/{txid}/del/{n}", get(download))
        .route("/assets/{file}", get(crate::site::asset))
        .with_state(mb)
        .merge(ds)
        .layer(axum::middleware::from_fn(crate::security::headers))
        .layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES))
}

/// Serves the mailbox on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, mb: Arc<Mailbox>) -> std::io::Result<()> {
    axum::serve(listener, router(mb)).await
}

fn shs_error(code: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        [
            ("X-shs-errorcode", code.to_string()),
            (
                header::CONTENT_TYPE.as_str(),
                "text/plain; charset=utf-8".into(),
            ),
        ],
        format!("{message}\n"),
    )
        .into_response()
}

async fn receive(State(mb): State<Arc<Mailbox>>, body: Bytes) -> Response {
    mb.posts.fetch_add(1, Ordering::Relaxed);
    let fault = mb.fault();
    if let Some(f @ (Fault::ServerError | Fault::ShsError(_))) = &fault {
        if let Err(e) = Message::parse(&body) {
            return shs_error("IllegalMessageStructure", &e.to_string());
        }
        mb.faults.fetch_add(1, Ordering::Relaxed);
        return match f {
            Fault::ShsError(code) => shs_error(code, "the test mailbox refuses messages now"),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the test mailbox fails now\n",
            )
                .into_response(),
        };
    }
    let (label, earlier) = match mb.store(&body) {
        Ok(r) => r,
        Err(StoreFailure::Io(m)) => {
            tracing::error!(error = %m, "the test mailbox cannot store a message");
            return (StatusCode::INTERNAL_SERVER_ERROR, "cannot store\n").into_response();
        }
        Err(StoreFailure::Refused(e)) => {
            return shs_error("IllegalMessageStructure", &e.to_string())
        }
    };
    let counter = if earlier.is_some() {
        &mb.duplicates
    } else {
        &mb.stored
    };
    counter.fetch_add(1, Ordering::Relaxed);
    if fault == Some(Fault::LoseAnswer) {
        mb.faults.fetch_add(1, Ordering::Relaxed);
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "stored, but the answer is lost\n",
        )
            .into_response();
    }
    let now = chrono::Local::now()
        .naive_local()
        .format(DATETIME_FORMAT)
        .to_string();
    let tx = label.tx_id.to_string();
    let headers = [
        ("X-shs-txid", tx.clone()),
        ("X-shs-corrid", label.corr_id.to_string()),
        ("X-shs-contentid", label.content.content_id.clone()),
        ("X-shs-nodeid", NODE_ID.into()),
        ("X-shs-localid", tx.clone()),
        ("X-shs-arrivaldate", earlier.clone().unwrap_or(now)),
        (
            "X-shs-duplicatemsg",
            if earlier.is_some() { "yes" } else { "no" }.into(),
        ),
        ("Content-Type", "text/plain; charset=utf-8".into()),
    ];
    (StatusCode::ACCEPTED, headers, tx).into_response()
}

fn page(name: &str, ctx: serde_json::Value) -> Response {
    let mut ctx = ctx;
    if let Some(o) = ctx.as_object_mut() {
        o.insert("site".into(), json!("SHS-brevlåda för test"));
    }
    crate::web::html_page(crate::web::render(name, "sv", ctx), false)
}

fn not_found() -> Response {
    crate::web::message(
        StatusCode::NOT_FOUND,
        "sv",
        "Meddelandet finns inte",
        "Gå tillbaka till listan över meddelanden.",
    )
}

/// The case title of the first ERMS/FGS part, for the list.
fn case_title(described: &serde_json::Value) -> Option<String> {
    described["parts"]
        .as_array()?
        .iter()
        .find_map(|p| p["case"]["title"].as_str().map(str::to_string))
}

async fn index(State(mb): State<Arc<Mailbox>>) -> Response {
    let rows: Vec<serde_json::Value> = mb
        .received()
        .into_iter()
        .map(|(tx, at, bytes)| match Message::parse(&bytes) {
            Ok(m) => {
                let d = describe::message(&m, bytes.len());
                json!({"tx": tx.to_string(), "href": format!("/m/{tx}"), "received": at.replace('T', " "), "from": d["label"]["from"], "product": d["label"]["product"],
                    "title": case_title(&d).or(m.label.subject.clone()), "answer": mb.answered(&tx), "error": null})
            }
            Err(e) => json!({"tx": tx.to_string(), "href": format!("/m/{tx}"), "received": at, "from": null, "product": null, "title": null, "answer": null, "error": e.to_string()}),
        })
        .collect();
    page(
        "shs_mailbox.html",
        json!({"title": "Mottagna SHS-meddelanden", "messages": rows, "dir": mb.dir.display().to_string()}),
    )
}

async fn show(State(mb): State<Arc<Mailbox>>, Path(txid): Path<String>) -> Response {
    let Ok(tx) = Uuid::parse_str(&txid) else {
        return not_found();
    };
    let Ok(bytes) = std::fs::read(mb.message_path(&tx)) else {
        return not_found();
    };
    let (described, error, heading) = match Message::parse(&bytes) {
        Ok(m) => {
            let d = describe::message(&m, bytes.len());
            let sender = m
                .label
                .sender()
                .map(|p| p.name.clone().unwrap_or_else(|| p.address.to_string()));
            let heading = case_title(&d)
                .or(m.label.subject.clone())
                .unwrap_or_else(|| {
                    format!(
                        "Meddelande från {}",
                        sender.unwrap_or_else(|| "okänd avsändare".into())
                    )
                });
            (d, None, heading)
        }
        Err(e) => (
            serde_json::Value::Null,
            Some(e.to_string()),
            "Oläsbart meddelande".to_string(),
        ),
    };
    page(
        "shs_message.html",
        json!({"title": heading.clone(), "heading": heading, "tx": tx.to_string(), "m": described, "error": error,
            "answer": mb.answered(&tx), "csrf": mb.csrf, "action": format!("/m/{tx}/svara"), "base": format!("/m/{tx}/del/")}),
    )
}

async fn download(
    State(mb): State<Arc<Mailbox>>,
    Path((txid, n)): Path<(String, usize)>,
) -> Response {
    let part = Uuid::parse_str(&txid)
        .ok()
        .and_then(|tx| std::fs::read(mb.message_path(&tx)).ok())
        .and_then(|b| Message::parse(&b).ok())
        .and_then(|m| m.parts.into_iter().nth(n.checked_sub(1)?));
    let Some(part) = part else {
        return not_found();
    };
    let name: String = part
        .filename
        .unwrap_or_else(|| format!("del-{n}"))
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    // Served as bytes to save, never rendered: the parts come from outside.
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        part.body,
    )
        .into_response()
}

async fn answer(State(mb): State<Arc<Mailbox>>, Path(txid): Path<String>, body: Bytes) -> Response {
    let Ok(tx) = Uuid::parse_str(&txid) else {
        return not_found();
    };
    let form = crate::web::form_pairs(&body);
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    if !crate::security::same_secret(field("csrf"), &mb.csrf) {
        return crate::error::Error::Csrf.into_response();
    }
    let case_number = field("diarienummer").trim();
    if case_number.is_empty() || case_number.chars().count() > 100 {
        return crate::web::message(StatusCode::BAD_REQUEST, "sv", "Skriv ett diarienummer", "Diarienumret får vara högst 100 tecken, till exempel KS 2026/123. Gå tillbaka och försök igen.");
    }
    match mb.answer(&tx, case_number) {
        Ok(_) => crate::web::redirect(&format!("/m/{tx}")),
        Err(e) => crate::web::message(
            StatusCode::BAD_REQUEST,
            "sv",
            "Meddelandet kunde inte besvaras",
            &e,
        ),
    }
}
