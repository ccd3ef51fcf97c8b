//! `POST /api/leverans/status`: a case system that does not answer over SHS reports a
//! submission's status and case number (diarienummer) over HTTP instead. The caller is a
//! delivery target, known by its `status_token` (`Authorization: Bearer …`); it may report
//! only on submissions delivered to it. What it reports is stored as an SHS reply is
//! (`replies::record_reply`), so Mina sidor shows it the same way.
//!
//! ```json
//! {"reference": "OFEL-2026-0001", "status": "registrerad", "case_number": "KS 2026/417"}
//! ```
//!
//! `reference` (the receipt number) or `tx_id` (the SHS transaction id of the delivery) names
//! the submission; `status` is `levererad`, `registrerad` (with `case_number`) or
//! `leveransfel`. Machine to machine: no session and no CSRF token, the bearer token instead.

use crate::app::AppState;
use crate::outbox::config::Target;
use crate::shs::reply::{AppliedReply, ReplyStatus};
use crate::store::StoreError;
use crate::submission::SubmissionStatus;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

/// Called by case systems, not people: outside the session layer, so no session and no CSRF
/// token, but each caller its own bearer token.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/leverans/status", post(report))
}

/// An API error: JSON `{"error": …}` with its status, for the machine that called.
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "cannot store a status report");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the report could not be stored; send it again",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(json!({ "error": self.message }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// A report is a few lines of JSON.
const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_CASE_NUMBER_CHARS: usize = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    reference: Option<String>,
    tx_id: Option<String>,
    status: String,
    case_number: Option<String>,
    /// Why, for `leveransfel`: logged (never personal data, please), not shown.
    message: Option<String>,
}

/// The target whose `status_token` the request carries, compared in constant time.
fn caller<'a>(targets: &'a [Target], headers: &HeaderMap) -> Option<&'a Target> {
    let got = crate::security::bearer(headers)?;
    targets.iter().find(|t| {
        t.status_token
            .as_deref()
            .is_some_and(|want| crate::security::same_secret(got, want))
    })
}

/// Characters that reorder the text around them when shown.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

impl Report {
    /// What the report means, or what is wrong with it.
    fn reading(&self) -> Result<ReplyStatus, String> {
        if self.reference.is_some() == self.tx_id.is_some() {
            return Err("give either `reference` (the receipt number, e.g. \"OFEL-2026-0001\") or `tx_id` (the SHS transaction id of the delivery), not both or neither".into());
        }
        let case = self.case_number.as_deref().map(str::trim);
        if let Some(c) = case {
            if c.is_empty() || c.chars().count() > MAX_CASE_NUMBER_CHARS {
                return Err(format!(
                    "`case_number` must be 1 to {MAX_CASE_NUMBER_CHARS} characters"
                ));
            }
            if c.chars().any(char::is_control) {
                return Err("`case_number` must be one line of text".into());
            }
            // A case number is shown to the citizen; U+202E would show "KS 2026/417" reversed.
            if c.chars().any(is_bidi_control) {
                return Err("`case_number` must not contain bidirectional control characters (U+200E, U+200F, U+202A to U+202E, U+2066 to U+2069): send the number as the case system shows it".into());
            }
        }
        use SubmissionStatus::{Leveransfel, Levererad, Registrerad};
        // Only what a case system reports; the others are the runtime's own.
        let status = self
            .status
            .parse::<SubmissionStatus>()
            .ok()
            .filter(|s| matches!(s, Levererad | Registrerad | Leveransfel));
        match (status, case) {
            (Some(Registrerad), Some(_)) => Ok(ReplyStatus::Registered),
            (Some(Registrerad), None) => Err("status `registrerad` needs the `case_number` it was registered under".into()),
            (Some(_), Some(_)) => Err(format!(
                "`case_number` goes with status `registrerad`, not `{}`",
                self.status
            )),
            (Some(Levererad), None) => Ok(ReplyStatus::Delivered),
            (Some(_), None) => Ok(ReplyStatus::Failed {
                code: "status-callback".into(),
                info: self.message.clone(),
            }),
            (None, _) => Err(format!(
                "`status` must be \"{Levererad}\", \"{Registrerad}\" or \"{Leveransfel}\", not \"{}\"",
                self.status
            )),
        }
    }
}

/// `POST /api/leverans/status`.
async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let target = caller(&state.config.delivery.targets, &headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "give the delivery target's status_token: Authorization: Bearer <token>",
        )
    })?;
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a status report is at most {MAX_BODY_BYTES} bytes of JSON"),
        ));
    }
    let report: Report = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("the body is not a status report: {e}; send JSON like {{\"reference\": \"OFEL-2026-0001\", \"status\": \"registrerad\", \"case_number\": \"KS 2026/417\"}}"),
        )
    })?;
    let status = report
        .reading()
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e))?;
    let Some(submission) = find(&state, target, &report).await? else {
        let named = match (&report.reference, &report.tx_id) {
            (Some(r), _) => format!("reference `{r}`"),
            (_, Some(t)) => format!("tx_id `{t}`"),
            _ => String::new(),
        };
        // The same answer whether it does not exist or went to another target.
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            format!("no submission with {named} was delivered to this target"),
        ));
    };
    let corr_id = uuid::Uuid::parse_str(&submission.id).map_err(|_| {
        tracing::error!(submission = %submission.id, "a submission id is not a UUID");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "the submission cannot take a status report",
        )
    })?;
    let reply = AppliedReply {
        corr_id,
        status,
        case_number: report.case_number.as_deref().map(|c| c.trim().to_string()),
        reference: Some(submission.reference.clone()),
    };
    crate::outbox::replies::record_reply(&state.store, &reply).await?;
    let what = format!("{} {}", submission.reference, reply.status.store_status());
    crate::audit::record(&state.store, &target.name, "status_report", &what).await;
    if let ReplyStatus::Failed { info, .. } = &reply.status {
        tracing::warn!(target = %target.name, reference = %submission.reference,
            message = info.as_deref().unwrap_or(""), "the case system reports a failed delivery");
    }
    state.metrics.inc(
        "blankett_delivery_status_reports_total",
        &[("target", target.name.as_str())],
    );
    Ok(axum::Json(json!({
        "reference": submission.reference,
        "status": reply.status.store_status(),
        "case_number": reply.case_number,
    }))
    .into_response())
}

/// The submission the report names, if `target` has a delivery job for it.
async fn find(
    state: &AppState,
    target: &Target,
    report: &Report,
) -> Result<Option<crate::store::Submission>, StoreError> {
    let store = &state.store;
    let submission_id = if let Some(reference) = &report.reference {
        match store.submission_by_reference(reference.trim()).await? {
            Some(s) => s.id,
            None => return Ok(None),
        }
    } else {
        let tx = report.tx_id.as_deref().unwrap_or_default();
        match store
            .delivery_job_by_tx(&crate::outbox::canonical_tx_id(tx))
            .await?
        {
            Some(j) if j.target == target.name => j.submission_id,
            _ => return Ok(None),
        }
    };
    let delivered_here = store
        .delivery_jobs_of(&submission_id)
        .await?
        .iter()
        .any(|j| j.target == target.name);
    if !delivered_here {
        return Ok(None);
    }
    store.submission(&submission_id).await
}
