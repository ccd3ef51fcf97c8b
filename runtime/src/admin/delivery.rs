//! Delivery on the admin page and in `/metrics`: per target the queue, the dead letters with
//! their last error and a "försök igen" button, and the canary's last result.

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::store::{CanaryResult, TargetOverview};
use crate::web::CheckedForm;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
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
async fn per_target(
    state: &AppState,
) -> Result<Vec<(String, TargetOverview, Option<CanaryResult>)>> {
    let names: Vec<String> = state
        .config
        .delivery
        .targets
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let overview = state.store.delivery_overview().await?;
    let canaries = state.store.canaries().await?;
    Ok(names
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
        .collect())
}

/// What the admin template shows under "Leverans".
pub async fn view(state: &AppState) -> Result<serde_json::Value> {
    let now = chrono::Utc::now();
    let targets: Vec<_> = per_target(state)
        .await?
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
    for j in state.store.dead_deliveries(100).await? {
        // Staff know a submission by its reference number (a purged one by its id).
        let reference = match state.store.submission(&j.submission_id).await? {
            Some(s) => s.reference,
            None => j.submission_id.clone(),
        };
        dead.push(
            json!({"id": j.id, "target": j.target, "reference": reference, "attempts": j.attempts,
            "error": j.last_error, "created_at": local(j.created_at)}),
        );
    }
    Ok(json!({"targets": targets, "dead": dead}))
}

/// `POST /admin/leverans/{job}/forsok-igen`: a dead letter goes back in the queue, due now.
pub(super) async fn retry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(job): Path<String>,
    // Checks the CSRF token; the form carries nothing else.
    _form: CheckedForm,
) -> Result {
    if !super::authorized(&state, &headers) {
        return Err(Error::Unauthorized);
    }
    let now = chrono::Utc::now();
    crate::audit::record(&state.store, "staff", "retry", &format!("job {job}")).await;
    if state.store.retry_delivery(&job, now).await? {
        tracing::info!(job = %job, "delivery: manual retry");
        if let Some(o) = &state.outbox {
            o.wake();
        }
    }
    Ok(crate::web::redirect("/admin"))
}

/// Delivery gauges for `/metrics`, per configured target: jobs per state, the oldest
/// undelivered job's age, the last delivery and the canary (1 passing, 0 failing).
pub async fn metrics_text(state: &AppState) -> Result<String> {
    if state.config.delivery.targets.is_empty() {
        return Ok(String::new());
    }
    let now = chrono::Utc::now();
    let mut jobs = String::from("# TYPE blankett_delivery_jobs gauge\n");
    let mut oldest = String::from("# TYPE blankett_delivery_oldest_undelivered_seconds gauge\n");
    let mut last = String::from("# TYPE blankett_delivery_last_success_timestamp_seconds gauge\n");
    let mut canary = String::from("# TYPE blankett_delivery_canary_ok gauge\n");
    for (name, o, c) in per_target(state).await? {
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
    Ok(format!("{jobs}{oldest}{last}{canary}"))
}
