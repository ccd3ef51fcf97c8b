//! Log-in with e-ID: the page that offers the ways configured (BankID, an OpenID Connect
//! provider, the development provider in `--dev`), and what every way ends with: a new session
//! for the person who logged in.

pub mod bankid;
pub mod dev;
pub mod oidc;
pub mod oidc_sign;

use crate::app::AppState;
use crate::error::Result;
use crate::store::Session;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::json;

/// Every way to log in, and the OIDC provider's signing pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/logga-in", get(page))
        .merge(dev::router())
        .merge(oidc::router())
        .merge(oidc_sign::router())
        .merge(bankid::router())
}

/// A person an e-ID vouched for.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// Twelve digits, no hyphen.
    pub pnr: String,
    pub name: String,
}

/// Only local paths: a log-in must not send anyone to another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/mina-sidor".into(),
    }
}

/// Where a person who must log in is sent. With only the development provider there is
/// nothing to choose, so `--dev` goes straight to it.
pub fn login_url(state: &AppState, next: &str) -> String {
    let path = if state.config.dev && state.config.oidc.is_none() && state.config.bankid.is_none() {
        "/auth/dev"
    } else {
        "/auth/logga-in"
    };
    format!("{path}?next={}", crate::web::url_encode(next))
}

#[derive(serde::Deserialize)]
pub struct Next {
    pub next: Option<String>,
}

/// `GET /auth/logga-in`: the ways to log in.
async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<Next>,
) -> Response {
    let oidc = state
        .config
        .oidc
        .as_ref()
        .map(|o| o.name.clone().unwrap_or_else(|| "e-legitimation".into()));
    let next = safe_next(q.next.as_deref());
    let body = crate::web::render(
        "login.html",
        "sv",
        json!({"title": "Logga in", "csrf": session.csrf, "next_q": crate::web::url_encode(&next), "next": next,
            "bankid": bankid::available(&state), "oidc": oidc, "dev": state.config.dev}),
    );
    crate::web::html_page(body, false)
}

/// Ends a log-in: a new session id for the person (so an id known before log-in is worth
/// nothing after it), then on to `next`.
pub async fn log_in(state: &AppState, old: &Session, person: &Person, next: &str) -> Result {
    state.store.delete_session(&old.id).await?;
    let now = chrono::Utc::now();
    let fresh = Session {
        id: crate::session::token(),
        person_pnr: Some(person.pnr.clone()),
        person_name: Some(person.name.clone()),
        csrf: crate::session::token(),
        created_at: now,
        last_seen_at: now,
    };
    state.store.put_session(&fresh).await?;
    let mut res = crate::web::redirect(&safe_next(Some(next)));
    let secure = if state.config.dev { "" } else { "; Secure" };
    if let Ok(v) = format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        crate::session::COOKIE,
        fresh.id
    )
    .parse()
    {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(res)
}
