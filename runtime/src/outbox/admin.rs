//! Delivery on the admin page and in `/metrics`: per target the queue, the dead letters with
//! their last error and a "försök igen" button, and the canary's last result.

use crate::app::AppState;
use crate::store::{CanaryResult, TargetOverview};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Extension;
use chrono::{DateTime, Utc};
use serde_json::json;

/// Seconds since a stored time (0 for one in the future).
fn age_seconds(t: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - t).num_seconds().max(0)
}

fn human_age(s: i64) -> String {
    match s {
        s if s < 120 => format!("{s} s"),
        s if s < 7200 => format!("{} min", s / 60),
        s if s < 172_800 => format!("{} h", s / 3600),
        s => format!("{} dygn", s / 86_400),
    }
}

fn local(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// The configured targets with their counts and canary (targets with no jobs yet show zeros).
async fn per_target(state: &AppState) -> Vec<(String, TargetOverview, Option<CanaryResult>)> {
    let names: Vec<String> = state
        .config
        .delivery
        .targets
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let overview = state.store.delivery_overview().await.unwrap_or_default();
    let canaries = state.store.canaries().await.unwrap_or_default();
    names
        .into_iter()
        .map(|name| {
            let o = overview
                .iter()
                .find(|o| o.target == name)
                .cloned()
                .unwrap_or(TargetOverview {
                    target: name.clone(),
                    queued: 0,
                    in_flight: 0,
                    delivered: 0,
                    dead: 0,
                    oldest_undelivered: None,
                    last_delivered: None,
                });
            let c = canaries.iter().find(|c| c.target == name).cloned();
            (name, o, c)
        })
        .collect()
}

/// What the admin template shows under "Leverans".
pub async fn view(state: &AppState) -> serde_json::Value {
    let now = chrono::Utc::now();
    let targets: Vec<_> = per_target(state)
        .await
        .into_iter()
        .map(|(name, o, c)| {
            let pickup = state
                .config
                .delivery
                .targets
                .iter()
                .any(|t| t.name == name && t.is_pickup());
            json!({
                "name": name, "pickup": pickup, "queued": o.queued, "in_flight": o.in_flight, "delivered": o.delivered, "dead": o.dead,
                "oldest": o.oldest_undelivered.map(|t| human_age(age_seconds(t, now))),
                "last_delivered": o.last_delivered.map(local),
                "canary": c.map(|c| json!({"ok": c.ok, "detail": c.detail, "checked_at": local(c.checked_at),
                    "last_ok_at": c.last_ok_at.map(local)})),
            })
        })
        .collect();
    let mut dead = Vec::new();
    for j in state.store.dead_deliveries(100).await.unwrap_or_default() {
        // Staff know a submission by its reference number.
        let reference = match state.store.submission(&j.submission_id).await {
            Ok(Some(s)) => s.reference,
            _ => j.submission_id.clone(),
        };
        dead.push(
            json!({"id": j.id, "target": j.target, "reference": reference, "attempts": j.attempts,
            "error": j.last_error, "created_at": local(j.created_at)}),
        );
    }
    json!({"targets": targets, "dead": dead})
}

/// `POST /admin/leverans/{job}/forsok-igen`: a dead letter goes back in the queue, due now.
pub async fn retry(
    State(state): State<AppState>,
    Extension(session): Extension<crate::store::Session>,
    headers: HeaderMap,
    Path(job): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let pairs = crate::web::form_pairs(&body);
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let token = get("token");
    let q = crate::admin::Q {
        token: token.clone(),
    };
    if !crate::admin::authorized(&state, &headers, &q) {
        return crate::web::message(
            StatusCode::UNAUTHORIZED,
            "sv",
            "Logga in som handläggare",
            "Den här sidan kräver behörighet.",
        );
    }
    if !crate::session::csrf_ok(&session, get("_csrf").as_deref()) {
        return crate::web::forbidden_csrf("sv");
    }
    let now = chrono::Utc::now();
    match state.store.retry_delivery(&job, now).await {
        Ok(true) => {
            tracing::info!(job = %job, "delivery: manual retry");
            if let Some(o) = &state.outbox {
                o.wake();
            }
        }
        Ok(false) => {}
        Err(e) => return crate::web::unavailable(e),
    }
    let back = match token {
        Some(t) => format!(
            "/admin?{}",
            form_urlencoded::Serializer::new(String::new())
                .append_pair("token", &t)
                .finish()
        ),
        None => "/admin".into(),
    };
    crate::web::redirect(&back)
}

/// Delivery gauges for `/metrics`, per configured target: jobs per state, the oldest
/// undelivered job's age, the last delivery and the canary (1 passing, 0 failing).
pub async fn metrics_text(state: &AppState) -> String {
    if state.config.delivery.targets.is_empty() {
        return String::new();
    }
    let now = chrono::Utc::now();
    let mut jobs = String::from("# TYPE blankett_delivery_jobs gauge\n");
    let mut oldest = String::from("# TYPE blankett_delivery_oldest_undelivered_seconds gauge\n");
    let mut last = String::from("# TYPE blankett_delivery_last_success_timestamp_seconds gauge\n");
    let mut canary = String::from("# TYPE blankett_delivery_canary_ok gauge\n");
    for (name, o, c) in per_target(state).await {
        let name = name.replace('\\', "\\\\").replace('"', "\\\"");
        for (s, n) in [
            ("queued", o.queued),
            ("in_flight", o.in_flight),
            ("delivered", o.delivered),
            ("dead", o.dead),
        ] {
            jobs.push_str(&format!(
                "blankett_delivery_jobs{{target=\"{name}\",state=\"{s}\"}} {n}\n"
            ));
        }
        let age = o
            .oldest_undelivered
            .map(|t| age_seconds(t, now))
            .unwrap_or(0);
        oldest.push_str(&format!(
            "blankett_delivery_oldest_undelivered_seconds{{target=\"{name}\"}} {age}\n"
        ));
        if let Some(t) = o.last_delivered {
            last.push_str(&format!(
                "blankett_delivery_last_success_timestamp_seconds{{target=\"{name}\"}} {}\n",
                t.timestamp()
            ));
        }
        if let Some(c) = c {
            canary.push_str(&format!(
                "blankett_delivery_canary_ok{{target=\"{name}\"}} {}\n",
                c.ok as u8
            ));
        }
    }
    format!("{jobs}{oldest}{last}{canary}")
}
