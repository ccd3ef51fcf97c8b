//! The admin page: statistics per service. Opened with the configured token (staff login comes
//! with the e-ID work).

use crate::app::AppState;
use crate::store::EventKind;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

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

pub async fn overview(
    State(state): State<AppState>,
    axum::Extension(session): axum::Extension<crate::store::Session>,
    headers: HeaderMap,
    Query(q): Query<Q>,
) -> Response {
    if !authorized(&state, &headers, &q) {
        return crate::web::message(
            StatusCode::UNAUTHORIZED,
            "sv",
            "Logga in som handläggare",
            "Den här sidan kräver behörighet.",
        );
    }
    let reg = state.registry();
    let mut services = Vec::new();
    for (kid, k) in &reg.kommuner {
        for (fid, s) in &k.services {
            let events = state.store.events(kid, fid).await.unwrap_or_default();
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
    let delivery = crate::outbox::admin::view(&state).await;
    crate::web::html_page(
        crate::web::render(
            "admin.html",
            "sv",
            json!({"title": "Statistik", "services": services, "delivery": delivery,
                "csrf": session.csrf, "token": q.token}),
        ),
        false,
    )
}

pub struct Stats {
    pub started: usize,
    pub completed: usize,
    pub completion: String,
    pub median: String,
    pub pages: Vec<serde_json::Value>,
}

/// Started, completed, drop-off per page and the median time from start to submission.
pub fn statistics(events: &[crate::store::Event], pages: &[String]) -> Stats {
    let started: BTreeSet<&str> = events
        .iter()
        .filter(|e| e.kind == EventKind::Start)
        .filter_map(|e| e.draft_id.as_deref())
        .collect();
    let mut start_at: BTreeMap<&str, chrono::DateTime<chrono::Utc>> = BTreeMap::new();
    let mut durations = Vec::new();
    let mut completed = 0;
    for e in events {
        let Some(d) = e.draft_id.as_deref() else {
            continue;
        };
        match e.kind {
            EventKind::Start => {
                start_at.insert(d, e.at);
            }
            EventKind::Submit => {
                completed += 1;
                if let Some(a) = start_at.get(d) {
                    durations.push((e.at - *a).num_seconds());
                }
            }
            _ => {}
        }
    }
    durations.sort();
    let median = durations
        .get(durations.len() / 2)
        .map(|s| format!("{} min {} s", s / 60, s % 60))
        .unwrap_or_else(|| "–".into());
    let mut page_rows = Vec::new();
    let mut previous = started.len();
    for p in pages {
        let done: BTreeSet<&str> = events
            .iter()
            .filter(|e| e.kind == EventKind::Page && e.page.as_deref() == Some(p))
            .filter_map(|e| e.draft_id.as_deref())
            .collect();
        page_rows.push(json!({"id": p, "completed": done.len(), "dropped": previous.saturating_sub(done.len())}));
        previous = done.len();
    }
    let completion = if started.is_empty() {
        "–".into()
    } else {
        format!("{:.0} %", 100.0 * completed as f64 / started.len() as f64)
    };
    Stats {
        started: started.len(),
        completed,
        completion,
        median,
        pages: page_rows,
    }
}
