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
use crate::web::CheckedForm;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::json;

/// Every way to log in, and the OIDC provider's signing pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/logga-in", get(page))
        .route(blankett_compiler::backend::html::LOGOUT_URL, post(log_out))
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
    /// Given and family names, when the e-ID gives them apart.
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

/// Where a log-in leads afterwards: `next` when it is a path on this site, else Mina sidor. A
/// log-in must not send anyone to another site, and a prefix test is not enough: browsers drop
/// tabs and newlines, so `/\t/evil.example/` is `//evil.example/` to them (issue 21).
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_next)
        .unwrap_or_else(|| "/mina-sidor".into())
}

/// `next` read as a browser reads a link on our pages, relative to a fixed origin: its path and
/// query when it stays on that origin and is, before and after, a plain local path.
fn local_next(next: &str) -> Option<String> {
    if !crate::web::is_local_path(next) {
        return None;
    }
    let origin = reqwest::Url::parse("http://blankett.invalid/").ok()?;
    let url = origin.join(next).ok()?;
    if url.origin() != origin.origin() {
        return None;
    }
    let mut local = url.path().to_string();
    if let Some(q) = url.query() {
        local.push('?');
        local.push_str(q);
    }
    // Dot segments are resolved by the join: `/.//evil` becomes `//evil`.
    crate::web::is_local_path(&local).then_some(local)
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

/// `POST /auth/logga-ut` with the session's CSRF token: the only way to log out. Logging out
/// changes state, so neither a GET nor another site's form (without the token) may do it.
async fn log_out(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    _form: CheckedForm,
) -> Result {
    state.store.delete_session(&session.id).await?;
    let who = crate::session::owner(&session);
    crate::audit::record(&state.store, &who, "logout", "").await;
    let mut res = crate::web::redirect("/");
    if let Ok(v) = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
        crate::session::COOKIE
    )
    .parse()
    {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Ends a log-in: a new session id for the person (so an id known before log-in is worth
/// nothing after it), then on to `next`.
/// Log-ins are counted per client address (see `crate::client`): a client that sends a made-up
/// `X-Forwarded-For` is still one client, and clients without one are not one shared bucket.
pub fn login_allowed(state: &AppState, client: &crate::client::ClientAddr) -> Result<()> {
    if state
        .limits
        .allow(&client.key(), "login", state.config.login_rate_per_minute)
    {
        Ok(())
    } else {
        Err(crate::error::Error::TooManyRequests)
    }
}

pub async fn log_in(state: &AppState, old: &Session, person: &Person, next: &str) -> Result {
    state.store.delete_session(&old.id).await?;
    crate::audit::record(&state.store, &format!("pnr:{}", person.pnr), "login", "").await;
    let now = chrono::Utc::now();
    let fresh = Session {
        id: crate::session::token(),
        person_pnr: Some(person.pnr.clone()),
        person_name: Some(person.name.clone()),
        person_given_name: person.given_name.clone(),
        person_family_name: person.family_name.clone(),
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

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_path_on_this_site_or_mina_sidor() {
        for attack in [
            "/%09/evil.example/",
            "/\t/evil.example/",
            "\t/evil",
            "/\n/evil",
            "//evil",
            "/\\evil",
            "\\\\evil",
            "https://evil",
            "http://blankett.invalid@evil/",
            "/%2F%2Fevil",
            "/%5Cevil",
            "/.//evil",
            "/x/..//evil",
            "javascript:alert(1)",
            " /x",
            "",
        ] {
            assert_eq!(safe_next(Some(attack)), "/mina-sidor", "{attack:?}");
        }
        assert_eq!(safe_next(None), "/mina-sidor");
        for (ok, kept) in [
            ("/ok?a=1", "/ok?a=1"),
            ("/orust/bygglov/arendet", "/orust/bygglov/arendet"),
            ("/underskrift/abc?lang=en", "/underskrift/abc?lang=en"),
            ("/a/../b#top", "/b"),
        ] {
            assert_eq!(safe_next(Some(ok)), kept, "{ok:?}");
        }
    }
}
