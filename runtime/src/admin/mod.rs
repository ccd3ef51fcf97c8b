//! The admin page: statistics per service. Opened with the configured token (staff login comes
//! with the e-ID work).

pub mod delivery;
mod statistics;

pub use statistics::{statistics, Stats};

use crate::app::AppState;
use crate::error::{Error, Result};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview))
        .route("/admin/leverans/{job}/forsok-igen", post(delivery::retry))
}

#[derive(serde::Deserialize, Default)]
pub struct Q {
    pub token: Option<String>,
}

pub(crate) fn authorized(state: &AppState, headers: &HeaderMap, q: &Q) -> bool {
    let Some(want) = &state.config.admin_token else {
        return false;
    };
    let got = crate::security::bearer(headers)
        .or(q.token.as_deref())
        .unwrap_or("");
    crate::security::same_secret(got, want)
}

async fn overview(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<crate::store::Session>,
    headers: HeaderMap,
    Query(q): Query<Q>,
) -> Result {
    if !authorized(&state, &headers, &q) {
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
    Ok(crate::web::html_page(
        crate::web::render(
            "admin.html",
            "sv",
            json!({"title": "Statistik", "services": services, "delivery": delivery,
                "csrf": session.csrf, "token": q.token}),
        ),
        false,
    ))
}
