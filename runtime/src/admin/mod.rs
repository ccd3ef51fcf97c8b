//! The admin page: statistics per service. Opened with the configured token (staff login comes
//! with the e-ID work): `Authorization: Bearer …`, or once as `/admin?token=…`, which sets an
//! HttpOnly cookie and leads on to `/admin`, so the token never stays in an address, a page or a
//! redirect (issue 21: it was copied into hidden fields and the retry's redirect).

pub mod delivery;
mod statistics;

pub use statistics::{statistics, Stats};

use crate::app::AppState;
use crate::error::{Error, Result};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/logg.csv", get(audit_csv))
        .route("/admin/leverans/{job}/forsok-igen", post(delivery::retry))
}

#[derive(serde::Deserialize, Default)]
pub struct Q {
    pub token: Option<String>,
}

const ADMIN_COOKIE: &str = "blankett_admin";

/// What the admin cookie holds: a hash of the token, not the token itself.
fn cookie_value(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("blankett admin:{token}")))
}

fn cookie_of(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|kv| kv.trim().strip_prefix("blankett_admin="))
}

/// Whether the request carries the admin token (bearer) or the cookie it was exchanged for.
pub(crate) fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(want) = &state.config.admin_token else {
        return false;
    };
    if let Some(got) = crate::security::bearer(headers) {
        return crate::security::same_secret(got, want);
    }
    cookie_of(headers).is_some_and(|got| crate::security::same_secret(got, &cookie_value(want)))
}

/// `/admin?token=…`: the token for the cookie, then on to `/admin` without it.
async fn exchange(state: &AppState, token: &str) -> Result {
    let Some(want) = &state.config.admin_token else {
        return Err(Error::Unauthorized);
    };
    if !crate::security::same_secret(token, want) {
        crate::audit::record(&state.store, "staff", "admin_login_refused", "").await;
        return Err(Error::Unauthorized);
    }
    crate::audit::record(&state.store, "staff", "admin_login", "").await;
    let secure = if state.config.dev { "" } else { "; Secure" };
    let cookie = format!(
        "{ADMIN_COOKIE}={}; Path=/admin; HttpOnly; SameSite=Strict{secure}",
        cookie_value(want)
    );
    let mut res = crate::web::redirect("/admin");
    if let Ok(v) = cookie.parse() {
        res.headers_mut().append(axum::http::header::SET_COOKIE, v);
    }
    Ok(res)
}

async fn overview(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<crate::store::Session>,
    headers: HeaderMap,
    Query(q): Query<Q>,
) -> Result {
    if let Some(token) = &q.token {
        return exchange(&state, token).await;
    }
    if !authorized(&state, &headers) {
        return Err(Error::Unauthorized);
    }
    let reg = state.registry();
    let mut services = Vec::new();
    for (kid, k) in &reg.kommuner {
        for (fid, s) in &k.services {
            let events = state.store.events(kid, fid).await?;
            let stats = statistics(
                &events,
                &s.form
                    .pages
                    .iter()
                    .map(|p| p.id.clone())
                    .collect::<Vec<_>>(),
            );
            services.push(json!({"kommun": k.branding.name, "title": s.form.title.get("sv"), "started": stats.started, "completed": stats.completed,
                "completion": stats.completion, "median": stats.median, "pages": stats.pages}));
        }
    }
    let delivery = delivery::view(&state).await?;
    crate::audit::record(&state.store, "staff", "admin_view", "").await;
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    let audit: Vec<_> = state
        .store
        .audit_entries(month_ago, 100)
        .await?
        .into_iter()
        .map(|e| {
            json!({"at": crate::submission::local_time(e.at), "actor": e.actor,
            "action": e.action, "target": e.target, "client": e.client})
        })
        .collect();
    Ok(crate::web::html_page(
        crate::web::render(
            "admin.html",
            "sv",
            json!({"title": "Statistik", "services": services, "delivery": delivery,
                "csrf": session.csrf, "audit": audit}),
        ),
        false,
    ))
}

#[derive(serde::Deserialize, Default)]
pub struct AuditQ {
    /// Days back from now (default 90).
    pub dagar: Option<i64>,
}

/// `GET /admin/logg.csv?dagar=90`: the audit trail as CSV, for the security officer.
async fn audit_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<AuditQ>,
) -> Result {
    if !authorized(&state, &headers) {
        return Err(Error::Unauthorized);
    }
    let days = q.dagar.unwrap_or(90).clamp(1, 36_500);
    let since = chrono::Utc::now() - chrono::Duration::days(days);
    let entries = state.store.audit_entries(since, 1_000_000).await?;
    crate::audit::record(
        &state.store,
        "staff",
        "audit_export",
        &format!("{days} days"),
    )
    .await;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"granskningslogg.csv\"",
            ),
        ],
        crate::audit::csv(&entries),
    )
        .into_response())
}
