//! The development e-ID provider: pick one of Skatteverket's test persons. It exists only in
//! `--dev`; in production the route answers 404, so it cannot be reached by mistake.

use crate::app::AppState;
use crate::store::Session;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use serde_json::json;

/// Test persons (personnummer from Skatteverket's published test series).
pub const TEST_PERSONS: &[(&str, &str)] = &[
    ("191212121212", "Tolvan Tolvansson"),
    ("198112289874", "Anna Andersson"),
    ("199001012385", "Erik Eriksson"),
    ("197010102387", "Maria Larsson"),
];

#[derive(serde::Deserialize)]
pub struct Next {
    pub next: Option<String>,
}

use crate::auth::safe_next;

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<Next>,
) -> Response {
    if !state.config.dev {
        return crate::web::not_found(&state, "sv");
    }
    let persons: Vec<serde_json::Value> = TEST_PERSONS
        .iter()
        .map(|(pnr, name)| json!({"pnr": pnr, "name": name, "pnr_display": format!("{}-{}", &pnr[..8], &pnr[8..])}))
        .collect();
    let body = crate::web::render(
        "dev_login.html",
        "sv",
        json!({"title": "Logga in (test)", "persons": persons, "csrf": session.csrf, "next": safe_next(q.next.as_deref())}),
    );
    crate::web::html_page(body, false)
}

pub async fn login(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !state.config.dev {
        return crate::web::not_found(&state, "sv");
    }
    let client = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("local")
        .to_string();
    if !state
        .limits
        .allow(&client, "login", state.config.login_rate_per_minute)
    {
        return crate::web::too_many("sv");
    }
    let pairs = match crate::web::checked_form(&session, &body) {
        Ok(pairs) => pairs,
        Err(refused) => return refused,
    };
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let Some((pnr, name)) = TEST_PERSONS.iter().find(|(p, _)| Some(*p) == get("person")) else {
        return crate::web::message(
            StatusCode::BAD_REQUEST,
            "sv",
            "Välj en testperson",
            "Gå tillbaka och välj en av testpersonerna.",
        );
    };
    let person = crate::auth::Person {
        pnr: pnr.to_string(),
        name: name.to_string(),
    };
    crate::auth::log_in(&state, &session, &person, get("next").unwrap_or("")).await
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = crate::web::checked_form(&session, &body) {
        return refused;
    }
    logout_now(&state, &session).await
}

pub async fn logout_now(state: &AppState, session: &Session) -> Response {
    let _ = state.store.delete_session(&session.id).await;
    let mut res = crate::web::redirect("/");
    if let Ok(v) = format!(
        "{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
        crate::session::COOKIE
    )
    .parse()
    {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    res
}
