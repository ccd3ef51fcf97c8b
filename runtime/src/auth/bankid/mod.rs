//! BankID log-in and signing: the order is started on the server, the person is shown the
//! animated QR code (another device) or a link that starts the app (this device), and the page
//! collects the order's status, every second with JavaScript, by refreshing without it.

pub mod client;
pub mod hints;
pub mod qr;
pub mod simulator;

use crate::app::AppState;
use crate::config::Config;
use crate::store::{EidOrder, EidOrderKind, Session};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use client::{ApiError, Client, CollectResponse, OrderRequest};
use serde::{Deserialize, Serialize};
use serde_json::json;

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
    pub sign: Option<crate::signing::Pending>,
}

/// The person's address for `endUserIp`: the first `X-Forwarded-For` hop set by the proxy in
/// front, else loopback.
pub fn end_user_ip(headers: &axum::http::HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(str::trim)
        .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
        .unwrap_or("127.0.0.1")
        .to_string()
}

/// Starts an order and stores it for the session; returns the waiting page's address.
pub async fn begin(
    state: &AppState,
    session: &Session,
    req: OrderRequest,
    this_device: bool,
    next: &str,
    sign: Option<crate::signing::Pending>,
) -> Result<String, ApiError> {
    let api = state
        .bankid()
        .ok_or_else(|| ApiError::Transport("BankID is not configured".into()))?;
    let answer = if sign.is_some() {
        api.sign(&req).await?
    } else {
        api.auth(&req).await?
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
            data: serde_json::to_string(&order).unwrap_or_default(),
            created_at: chrono::Utc::now(),
        })
        .await
        .map_err(|e| ApiError::Transport(e.to_string()))?;
    Ok(format!("/auth/bankid/{id}"))
}

/// `POST /auth/bankid`: log in with BankID.
pub async fn start(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let pairs = match crate::web::checked_form(&session, &body) {
        Ok(pairs) => pairs,
        Err(refused) => return refused,
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let client = end_user_ip(&headers);
    if !state
        .limits
        .allow(&client, "login", state.config.login_rate_per_minute)
    {
        return crate::web::too_many("sv");
    }
    let req = OrderRequest {
        end_user_ip: client,
        ..Default::default()
    };
    let next = super::safe_next(get("next"));
    match begin(
        &state,
        &session,
        req,
        get("enhet") == Some("denna"),
        &next,
        None,
    )
    .await
    {
        Ok(url) => crate::web::redirect(&url),
        Err(e) => failed_page(&e),
    }
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
async fn order_of(state: &AppState, session: &Session, id: &str) -> Option<(EidOrder, Order)> {
    let o = state.store.eid_order(id).await.ok().flatten()?;
    if o.session_id != session.id || !o.kind.is_bankid() {
        return None;
    }
    let order = serde_json::from_str(&o.data).ok()?;
    Some((o, order))
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
pub async fn wait(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Response {
    let Some((_, order)) = order_of(&state, &session, &id).await else {
        // Finished already (by the page's script, or another tab), or never this session's:
        // Mina sidor shows what came of it, and nothing of anyone else's.
        return crate::web::redirect("/mina-sidor");
    };
    let Some(api) = state.bankid() else {
        return crate::web::not_found(&state, "sv");
    };
    match api.collect(&order.order_ref).await {
        Ok(c) if c.status == "complete" => finish(&state, &session, &id, c).await,
        Ok(c) if c.status == "failed" => {
            let _ = state.store.take_eid_order(&id).await;
            let msg = hints::message("failed", c.hint_code.as_deref(), !order.this_device);
            crate::web::message(StatusCode::OK, "sv", "BankID avbröts", msg)
        }
        Ok(c) => page(&state, &session, &id, &order, &c),
        Err(e) => {
            let _ = state.store.take_eid_order(&id).await;
            failed_page(&e)
        }
    }
}

fn page(
    state: &AppState,
    session: &Session,
    id: &str,
    order: &Order,
    c: &CollectResponse,
) -> Response {
    let message = hints::message("pending", c.hint_code.as_deref(), !order.this_device);
    let persons: Vec<serde_json::Value> = crate::auth_dev::TEST_PERSONS
        .iter()
        .map(|(pnr, name)| json!({"pnr": pnr, "name": name}))
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
            "user": session.person_name,
        }),
    );
    crate::web::html_page(body, false)
}

/// `GET /auth/bankid/{id}/status`: for the page's script, `{"message", "done"}`.
pub async fn status(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Response {
    let Some((_, order)) = order_of(&state, &session, &id).await else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({"done": true}))).into_response();
    };
    let Some(api) = state.bankid() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (message, done) = match api.collect(&order.order_ref).await {
        Ok(c) if c.status == "pending" => (
            hints::message("pending", c.hint_code.as_deref(), !order.this_device),
            false,
        ),
        _ => ("", true),
    };
    axum::Json(json!({"message": message, "done": done})).into_response()
}

/// `GET /auth/bankid/{id}/qr.svg`: the QR code of this second.
pub async fn qr_svg(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Response {
    let Some((_, order)) = order_of(&state, &session, &id).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let data = qr::qr_data(
        &order.qr_start_token,
        &order.qr_start_secret,
        seconds_since(&order.started),
    );
    ([(header::CONTENT_TYPE, "image/svg+xml")], qr::svg(&data)).into_response()
}

/// `POST /auth/bankid/{id}/avbryt`: the person gives up; the order is cancelled at BankID.
pub async fn cancel(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = crate::web::checked_form(&session, &body) {
        return refused;
    }
    let Some((_, order)) = order_of(&state, &session, &id).await else {
        return crate::web::not_found(&state, "sv");
    };
    let _ = state.store.take_eid_order(&id).await;
    if let Some(api) = state.bankid() {
        let _ = api.cancel(&order.order_ref).await;
    }
    let back = match &order.sign {
        Some(s) => s.back.clone(),
        None => "/".into(),
    };
    crate::web::redirect(&back)
}

/// `POST /auth/bankid/{id}/simulera` (only `--dev` with the simulator): plays the BankID app,
/// identifying or signing as one of the test persons.
pub async fn simulate(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if !(state.config.dev && state.config.bankid.is_none()) {
        return crate::web::not_found(&state, "sv");
    }
    let pairs = match crate::web::checked_form(&session, &body) {
        Ok(pairs) => pairs,
        Err(refused) => return refused,
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some((_, order)) = order_of(&state, &session, &id).await else {
        return crate::web::not_found(&state, "sv");
    };
    if let Some((pnr, name)) = crate::auth_dev::TEST_PERSONS
        .iter()
        .find(|(p, _)| Some(*p) == get("person"))
    {
        let (given, surname) = name.split_once(' ').unwrap_or((name, ""));
        state
            .bankid_simulator
            .complete(&order.order_ref, pnr, given, surname);
    }
    crate::web::redirect(&format!("/auth/bankid/{id}"))
}

/// A completed order: taken once, then the log-in or the signature it was for.
async fn finish(state: &AppState, session: &Session, id: &str, c: CollectResponse) -> Response {
    let Some(taken) = state.store.take_eid_order(id).await.ok().flatten() else {
        return crate::web::redirect("/mina-sidor");
    };
    let Ok(order) = serde_json::from_str::<Order>(&taken.data) else {
        return crate::web::not_found(state, "sv");
    };
    let Some(data) = c.completion_data else {
        return failed_page(&ApiError::Transport(
            "complete without completionData".into(),
        ));
    };
    let person = super::Person {
        pnr: data.user.personal_number.clone(),
        name: data.user.name.clone(),
    };
    match order.sign {
        None => super::log_in(state, session, &person, &order.next).await,
        Some(pending) => {
            crate::signing::signed(
                state,
                session,
                pending,
                &person,
                &data.signature,
                &data.ocsp_response,
            )
            .await
        }
    }
}
