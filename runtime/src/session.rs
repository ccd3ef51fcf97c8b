//! Sessions: a random id in an HttpOnly cookie, the session itself in the store (so several
//! instances share it), an idle timeout, and a CSRF token per session.

use crate::app::AppState;
use crate::error::Error;
use crate::store::Session;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::RngCore;

pub const COOKIE: &str = "blankett_session";

/// A 256-bit random token, hex: unguessable session ids and CSRF tokens.
pub fn token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn cookie_value(req: &Request) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == COOKIE && v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| v.to_string())
        })
}

/// The person a session belongs to, for ownership of drafts and submissions.
pub fn owner(s: &Session) -> String {
    match &s.person_pnr {
        Some(pnr) => format!("pnr:{pnr}"),
        None => format!("session:{}", s.id),
    }
}

/// Addresses that serve no person's page: the BankID simulator's API (`--dev`, called server to
/// server), health and metrics, and static files. They get no session, so a flood of cookieless
/// requests to them stores nothing (issue 21: every `GET /healthz` stored a session row).
fn needs_no_session(path: &str) -> bool {
    path.starts_with("/_dev/")
        || path.starts_with("/assets/")
        || matches!(path, "/healthz" | "/metrics" | "/favicon.ico")
        || path.ends_with("/theme.css")
        || path.ends_with("/form.js")
}

/// Loads the session (or starts one) before every request and sets the cookie when new.
pub async fn layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if needs_no_session(req.uri().path()) {
        return next.run(req).await;
    }
    let cookie = cookie_value(&req);
    match load(&state, cookie).await {
        Ok((session, fresh)) => {
            let id = session.id.clone();
            req.extensions_mut().insert(session);
            let mut res = next.run(req).await;
            if fresh {
                let secure = if state.config.dev { "" } else { "; Secure" };
                let cookie = format!("{COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax{secure}");
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
        // The store failed: 503, never a fresh session that would hide the person's drafts.
        Err(e) => e.into_response(),
    }
}

/// The request's session and whether it is new (expired or none), stored.
async fn load(state: &AppState, cookie: Option<String>) -> Result<(Session, bool), Error> {
    let idle = chrono::Duration::minutes(state.config.idle_timeout_minutes.max(1));
    let mut fresh = false;
    let existing = match cookie {
        Some(id) => state.store.session(&id).await?,
        None => None,
    };
    let session = match existing {
        Some(mut s) => {
            let last = s.last_seen_at;
            if now() - last > idle {
                state.store.delete_session(&s.id).await?;
                fresh = true;
                new_session()
            } else {
                // Touch at most once a minute (a write per page view would cost throughput), and
                // at least four times per idle period, so activity always keeps a session alive.
                let touch = (idle / 4).min(chrono::Duration::seconds(60));
                if now() - last > touch {
                    s.last_seen_at = now();
                    state.store.put_session(&s).await?;
                }
                s
            }
        }
        None => {
            fresh = true;
            new_session()
        }
    };
    if fresh {
        state.store.put_session(&session).await?;
    }
    Ok((session, fresh))
}

fn new_session() -> Session {
    let t = now();
    Session {
        id: token(),
        person_pnr: None,
        person_name: None,
        person_given_name: None,
        person_family_name: None,
        csrf: token(),
        created_at: t,
        last_seen_at: t,
    }
}

/// The logged-in person as forms see them (`inloggad`), or nobody.
pub fn inloggad(s: &Session) -> Option<blankett_compiler::expr::inloggad::Inloggad> {
    s.person_pnr.as_deref().map(|pnr| {
        blankett_compiler::expr::inloggad::Inloggad::new(
            pnr,
            s.person_given_name.as_deref(),
            s.person_family_name.as_deref(),
        )
    })
}

/// Compares a submitted CSRF token with the session's, in constant time.
pub fn csrf_ok(session: &Session, submitted: Option<&str>) -> bool {
    let Some(got) = submitted else { return false };
    crate::security::same_secret(got, &session.csrf)
}
