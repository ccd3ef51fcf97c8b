//! Mina sidor: a logged-in person's own drafts and submissions, with status and downloads.
//! Everything is looked up by owner: another person's id answers 404, as if it did not exist.

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::session::owner;
use crate::store::Session;
use crate::submission::local_time;
use crate::submission::signing::{signature_state, SignatureState};
use crate::submission::SubmissionStatus;
use crate::web::{Lang, OwnedSubmission};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mina-sidor", get(overview))
        .route("/mina-sidor/inlamning/{id}/{file}", get(download))
        .route("/mina-sidor/bilaga/{id}", get(attachment))
}

#[derive(serde::Deserialize, Default)]
pub struct Q {
    pub sparad: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<Q>,
    Lang(lang): Lang,
) -> Result {
    if session.person_pnr.is_none() {
        return Err(Error::LogInFirst {
            to: crate::auth::login_url(&state, "/mina-sidor"),
        });
    }
    let me = owner(&session);
    let reg = state.registry();
    let title_of = |kommun: &str, form: &str| {
        reg.service(kommun, form)
            .map(|(_, s)| s.form.title.get(&lang).to_string())
            .unwrap_or_else(|| form.to_string())
    };
    let drafts: Vec<serde_json::Value> = state
        .store
        .drafts_of(&me)
        .await?
        .iter()
        .map(|d| json!({"href": format!("/{}/{}/{}", d.kommun, d.form, d.page), "title": title_of(&d.kommun, &d.form), "updated": local_time(d.updated_at)}))
        .collect();
    let mut submissions = Vec::new();
    for s in state.store.submissions_of(&me).await? {
        let atts: Vec<serde_json::Value> = state
            .store
            .attachments_of_submission(&s.id)
            .await?
            .iter()
            .map(|a| json!({"href": format!("/mina-sidor/bilaga/{}", a.id), "name": a.filename}))
            .collect();
        let state_now = signature_state(&state, &s).await?;
        let due = match &state_now {
            SignatureState::Signed(_) | SignatureState::Waiting(..) => {
                crate::submission::signers::of_submission(&state, &s)
                    .await?
                    .map(|(_, due)| due)
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        };
        let role = |pnr: &str| crate::submission::signers::role_label(&due, pnr, &lang);
        // Each signer in their role: who signed when, and who is still to sign.
        let signed = |sigs: &[crate::store::Signature]| -> Vec<String> {
            sigs.iter()
                .map(|g| {
                    format!(
                        "{} ({}) {}",
                        g.signer_name,
                        role(&g.signer_pnr),
                        local_time(g.signed_at)
                    )
                })
                .collect()
        };
        let signed_by: Vec<String> = match state_now {
            SignatureState::Signed(sigs) => signed(&sigs),
            SignatureState::Waiting(sigs, missing) => signed(&sigs)
                .into_iter()
                .chain(missing.iter().map(|c| {
                    let name = due
                        .iter()
                        .find(|d| d.personnummer == c.pnr)
                        .and_then(|d| d.name.clone())
                        .map(|n| format!(" {n}"))
                        .unwrap_or_default();
                    let waiting = if lang == "en" {
                        "waiting for signature"
                    } else {
                        "väntar på underskrift"
                    };
                    format!("{}{name}: {waiting}", role(&c.pnr))
                }))
                .collect(),
            SignatureState::Invalid => vec![if lang == "en" {
                "The signature does not match the submission".to_string()
            } else {
                "Underskriften stämmer inte med ansökan".to_string()
            }],
            _ => vec![],
        };
        submissions.push(json!({
            "signed_by": signed_by,
            "withdraw": (s.status == SubmissionStatus::VantarPaUnderskrift).then(|| format!("/mina-sidor/inlamning/{}/aterkalla", s.id)),
            "reference": s.reference,
            "receipt": format!("/{}/{}/kvitto/{}", s.kommun, s.form, s.id),
            "title": title_of(&s.kommun, &s.form),
            "submitted": local_time(s.submitted_at),
            "status": s.status.label(&lang),
            "case_number": s.case_number,
            "xml": format!("/mina-sidor/inlamning/{}/ansokan.xml", s.id),
            "json": format!("/mina-sidor/inlamning/{}/ansokan.json", s.id),
            "attachments": atts,
        }));
    }
    let body = crate::web::render(
        "mina_sidor.html",
        &lang,
        json!({"title": if lang == "en" { "My pages" } else { "Mina sidor" }, "drafts": drafts, "submissions": submissions,
            "saved": q.sparad.is_some(), "csrf": session.csrf, "user": session.person_name}),
    );
    Ok(crate::web::html_page(body, lang == "en"))
}

async fn download(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    OwnedSubmission(s): OwnedSubmission,
    Path((_, file)): Path<(String, String)>,
) -> Result {
    if session.person_pnr.is_none() {
        return Err(Error::NotFound);
    }
    let (ty, body) = match file.as_str() {
        "ansokan.xml" => ("application/xml; charset=utf-8", s.xml),
        "ansokan.json" => ("application/json; charset=utf-8", s.json),
        _ => return Err(Error::NotFound),
    };
    let who = owner(&session);
    let what = format!("{} {file}", s.reference);
    crate::audit::record(&state.store, &who, "download", &what).await;
    let disposition = format!("attachment; filename=\"{}-{}\"", s.reference, file);
    let mut res = ([(header::CONTENT_TYPE, ty)], body).into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

async fn attachment(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Response> {
    let (a, data) = state
        .store
        .attachment(&id)
        .await?
        .filter(|(a, _)| a.owner == owner(&session))
        .ok_or(Error::NotFound)?;
    let what = format!("attachment {id}");
    crate::audit::record(&state.store, &a.owner, "download", &what).await;
    let mut res = ([(header::CONTENT_TYPE, a.mime.clone())], data).into_response();
    // Always a download: an uploaded file is never shown as a page of this site.
    let safe: String = a
        .filename
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}
