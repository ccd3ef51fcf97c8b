//! BankID log-in and signing: the order is started on the server, the person is shown the
//! animated QR code (another device) or a link that starts the app (this device), and the page
//! collects the order's status, every second with JavaScript, by refreshing without it.

pub mod client;
pub mod hints;
pub mod qr;
pub mod simulator;

use crate::app::AppState;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::{EidOrder, EidOrderKind, Session};
use crate::web::{redirect, CheckedForm};
use axum::extract::{FromRequest, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use client::{ApiError, Client, CollectResponse, OrderRequest};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/bankid", post(start))
        .route("/auth/bankid/{id}", get(wait))
        .route("/auth/bankid/{id}/status", get(status))
        .route("/auth/bankid/{id}/qr.svg", get(qr_svg))
        .route("/auth/bankid/{id}/avbryt", post(cancel))
        .route("/auth/bankid/{id}/simulera", post(simulate))
}

/// Whether BankID can be offered.
pub fn available(state: &AppState) -> bool {
    state.config.bankid.is_some() || state.config.dev
}

/// The client `[bankid]` describes; in `--dev` without it, the simulator on this server.
pub fn client_from_config(config: &Config) -> Result<Option<Client>, String> {
    match &config.bankid {
        Some(b) => {
            let url = match b.environment.as_str() {
                "test" => client::TEST_URL.to_string(),
                "production" => client::PRODUCTION_URL.to_string(),
                url => url.to_string(),
            };
            let read = |p: &Option<std::path::PathBuf>| -> Result<Option<Vec<u8>>, String> {
                match p {
                    Some(p) => std::fs::read(p)
                        .map(Some)
                        .map_err(|e| format!("cannot read `{}`: {e}", p.display())),
                    None => Ok(None),
                }
            };
            let identity = read(&b.certificate)?;
            let ca = read(&b.ca)?;
            if url.starts_with("https://") && identity.is_none() {
                return Err(
                    "[bankid] needs `certificate`: the RP certificate and key (PEM)".into(),
                );
            }
            Client::new(&url, identity.as_deref(), ca.as_deref())
                .map(Some)
                .map_err(|e| e.to_string())
        }
        None if config.dev => {
            let port = config.listen.rsplit(':').next().unwrap_or("8080");
            Client::new(
                &format!("http://127.0.0.1:{port}/_dev/bankid/rp/v6.0/"),
                None,
                None,
            )
            .map(Some)
            .map_err(|e| e.to_string())
        }
        None => Ok(None),
    }
}

/// An order in progress, as stored (the secret of the QR code never leaves the server).
#[derive(Serialize, Deserialize, Clone)]
pub struct Order {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
    /// When the order was answered, RFC 3339 with milliseconds: the QR code's time zero.
    pub started: String,
    pub this_device: bool,
    pub next: String,
    /// For a signature: what was signed and what follows it.
    pub sign: Option<crate::submission::signing::Pending>,
}

/// The person's address for `endUserIp`: the client address `client::layer` settled (a
/// forwarded hop only from a trusted proxy), else loopback. Never a header as sent: a spoofed
/// `X-Forwarded-For` must not reach BankID as the signer's address.
pub fn end_user_ip(client: crate::client::ClientAddr) -> String {
    client
        .0
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "127.0.0.1".into())
}

/// Starts an order and stores it for the session, then on to the waiting page; when BankID
/// cannot start one, the page that says so.
pub async fn begin(
    state: &AppState,
    session: &Session,
    req: OrderRequest,
    this_device: bool,
    next: &str,
    sign: Option<crate::submission::signing::Pending>,
) -> Result {
    let Some(api) = state.bankid() else {
        return Ok(failed_page(&ApiError::Transport(
            "BankID is not configured".into(),
        )));
    };
    let answer = if sign.is_some() {
        api.sign(&req).await
    } else {
        api.auth(&req).await
    };
    let answer = match answer {
        Ok(a) => a,
        Err(e) => return Ok(failed_page(&e)),
    };
    let order = Order {
        order_ref: answer.order_ref,
        auto_start_token: answer.auto_start_token,
        qr_start_token: answer.qr_start_token,
        qr_start_secret: answer.qr_start_secret,
        started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        this_device,
        next: next.to_string(),
        sign: sign.clone(),
    };
    let id = crate::session::token();
    state
        .store
        .put_eid_order(&EidOrder {
            id: id.clone(),
            session_id: session.id.clone(),
            kind: if sign.is_some() {
                EidOrderKind::BankidSign
            } else {
                EidOrderKind::BankidAuth
            },
            data: serde_json::to_string(&order)
                .map_err(|e| Error::Corrupt(format!("a BankID order: {e}")))?,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(redirect(&format!("/auth/bankid/{id}")))
}

/// `POST /auth/bankid`: log in with BankID.
async fn start(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    client: crate::client::ClientAddr,
    form: CheckedForm,
) -> Result {
    super::login_allowed(&state, &client)?;
    let req = OrderRequest {
        end_user_ip: end_user_ip(client),
        ..Default::default()
    };
    let next = super::safe_next(form.get("next"));
    let this_device = form.get("enhet") == Some("denna");
    begin(&state, &session, req, this_device, &next, None).await
}

pub fn failed_page(e: &ApiError) -> Response {
    tracing::warn!(error = %e, "a BankID order could not start");
    crate::web::message(
        StatusCode::SERVICE_UNAVAILABLE,
        "sv",
        "BankID gick inte att starta",
        hints::error_message(e.code()),
    )
}

/// The session's order, or nothing: another person's order id does not exist.
async fn order_of(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<Option<(EidOrder, Order)>> {
    let Some(o) = state.store.eid_order(id).await? else {
        return Ok(None);
    };
    if o.session_id != session.id || !o.kind.is_bankid() {
        return Ok(None);
    }
    let order = serde_json::from_str(&o.data)
        .map_err(|e| Error::Corrupt(format!("a stored BankID order: {e}")))?;
    Ok(Some((o, order)))
}

fn seconds_since(started: &str) -> u64 {
    chrono::DateTime::parse_from_rfc3339(started)
        .map(|d| {
            (chrono::Utc::now() - d.with_timezone(&chrono::Utc))
                .num_seconds()
                .max(0) as u64
        })
        .unwrap_or(0)
}

/// `GET /auth/bankid/{id}`: collects; pending shows the QR code and the message, complete
/// ends the log-in or the signature, failed says why.
async fn wait(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result {
    let Some((_, order)) = order_of(&state, &session, &id).await? else {
        // Finished already (by the page's script, or another tab), or never this session's:
        // Mina sidor shows what came of it, and nothing of anyone else's.
        return Ok(redirect("/mina-sidor"));
    };
    let api = state.bankid().ok_or(Error::NotFound)?;
    match api.collect(&order.order_ref).await {
        Ok(c) if c.status == "complete" => finish(&state, &session, &id, c).await,
        Ok(c) if c.status == "failed" => {
            state.store.take_eid_order(&id).await?;
            let msg = hints::message("failed", c.hint_code.as_deref(), !order.this_device);
            Ok(crate::web::message(
                StatusCode::OK,
                "sv",
                "BankID avbröts",
                msg,
            ))
        }
        Ok(c) => Ok(page(&state, &session, &id, &order, &c, None)),
        Err(e) => {
            state.store.take_eid_order(&id).await?;
            Ok(failed_page(&e))
        }
    }
}

fn page(
    state: &AppState,
    session: &Session,
    id: &str,
    order: &Order,
    c: &CollectResponse,
    notice: Option<&str>,
) -> Response {
    let message = hints::message("pending", c.hint_code.as_deref(), !order.this_device);
    // The simulator offers the person a signature asks for first, as the real app only
    // offers it to them.
    let asked = order.sign.as_ref().map(|p| p.signer_pnr.as_str());
    let checked = super::dev::TEST_PERSONS
        .iter()
        .position(|(p, _)| Some(*p) == asked)
        .unwrap_or(0);
    let persons: Vec<serde_json::Value> = super::dev::TEST_PERSONS
        .iter()
        .enumerate()
        .map(|(i, (pnr, name))| json!({"pnr": pnr, "name": name, "checked": i == checked}))
        .collect();
    // The simulator's "app" exists only where the simulator is the BankID in use.
    let simulate = state.config.dev && state.config.bankid.is_none();
    let body = crate::web::render(
        "bankid.html",
        "sv",
        json!({
            "title": if order.sign.is_some() { "Skriv under med BankID" } else { "Logga in med BankID" },
            "signing": order.sign.as_ref().map(|s| s.title.clone()),
            "id": id,
            "message": message,
            "this_device": order.this_device,
            "autostart": format!("bankid:///?autostarttoken={}&redirect=null", order.auto_start_token),
            "qr_t": seconds_since(&order.started),
            "csrf": session.csrf,
            "simulate": simulate,
            "persons": persons,
            "notice": notice,
            "user": session.person_name,
        }),
    );
    crate::web::html_page(body, false)
}

/// `GET /auth/bankid/{id}/status`: for the page's script, `{"message", "done"}`.
async fn status(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result {
    let Some((_, order)) = order_of(&state, &session, &id).await? else {
        return Ok((StatusCode::NOT_FOUND, axum::Json(json!({"done": true}))).into_response());
    };
    let Some(api) = state.bankid() else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let (message, done) = match api.collect(&order.order_ref).await {
        Ok(c) if c.status == "pending" => (
            hints::message("pending", c.hint_code.as_deref(), !order.this_device),
            false,
        ),
        _ => ("", true),
    };
    Ok(axum::Json(json!({"message": message, "done": done})).into_response())
}

/// `GET /auth/bankid/{id}/qr.svg`: the QR code of this second.
async fn qr_svg(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result {
    let Some((_, order)) = order_of(&state, &session, &id).await? else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let data = qr::qr_data(
        &order.qr_start_token,
        &order.qr_start_secret,
        seconds_since(&order.started),
    );
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], qr::svg(&data)).into_response())
}

/// `POST /auth/bankid/{id}/avbryt`: the person gives up; the order is cancelled at BankID.
async fn cancel(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    _form: CheckedForm,
) -> Result {
    let (_, order) = order_of(&state, &session, &id)
        .await?
        .ok_or(Error::NotFound)?;
    state.store.take_eid_order(&id).await?;
    if let Some(api) = state.bankid() {
        // The order is ours no more; at BankID it times out by itself if this fails.
        if let Err(e) = api.cancel(&order.order_ref).await {
            tracing::warn!(error = %e, "a BankID order could not be cancelled");
        }
    }
    let back = match &order.sign {
        Some(s) => s.back.clone(),
        None => "/".into(),
    };
    Ok(redirect(&back))
}

/// `POST /auth/bankid/{id}/simulera` (only `--dev` with the simulator): plays the BankID app,
/// identifying or signing as one of the test persons.
async fn simulate(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Result {
    // Without the simulator this address does not exist, whatever was posted to it.
    if !(state.config.dev && state.config.bankid.is_none()) {
        return Err(Error::NotFound);
    }
    let form = CheckedForm::from_request(req, &state).await?;
    let (_, order) = order_of(&state, &session, &id)
        .await?
        .ok_or(Error::NotFound)?;
    if let Some((pnr, name)) = super::dev::TEST_PERSONS
        .iter()
        .find(|(p, _)| Some(*p) == form.get("person"))
    {
        if state
            .bankid_simulator
            .asks_for_another(&order.order_ref, pnr)
        {
            // The real app never offers the order to anyone else: nothing is signed, and the
            // order stays open for the right person.
            let api = state.bankid().ok_or(Error::NotFound)?;
            let c = match api.collect(&order.order_ref).await {
                Ok(c) => c,
                Err(e) => return Ok(failed_page(&e)),
            };
            let notice = format!(
                "{name} kan inte skriva under: det här ska skrivas under av någon annan. Ingenting har skrivits under. Välj den som ska skriva under, eller avbryt."
            );
            let mut r = page(&state, &session, &id, &order, &c, Some(&notice));
            *r.status_mut() = StatusCode::CONFLICT;
            return Ok(r);
        }
        let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
        state
            .bankid_simulator
            .complete(&order.order_ref, pnr, given, surname);
    }
    Ok(redirect(&format!("/auth/bankid/{id}")))
}

/// A completed order: taken once, then the log-in or the signature it was for.
async fn finish(state: &AppState, session: &Session, id: &str, c: CollectResponse) -> Result {
    let Some(taken) = state.store.take_eid_order(id).await? else {
        return Ok(redirect("/mina-sidor"));
    };
    let order = serde_json::from_str::<Order>(&taken.data)
        .map_err(|e| Error::Corrupt(format!("a stored BankID order: {e}")))?;
    let Some(data) = c.completion_data else {
        return Ok(failed_page(&ApiError::Transport(
            "complete without completionData".into(),
        )));
    };
    let person = super::Person {
        pnr: data.user.personal_number.clone(),
        name: data.user.name.clone(),
        given_name: Some(data.user.given_name.clone()),
        family_name: Some(data.user.surname.clone()),
    };
    match order.sign {
        None => super::log_in(state, session, &person, &order.next).await,
        Some(pending) => {
            crate::signing::finish(
                state,
                pending,
                &person,
                &data.signature,
                &data.ocsp_response,
            )
            .await
        }
    }
}
