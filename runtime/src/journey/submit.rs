//! Check your answers, submit, and the receipt.

use super::JourneyCtx;
use crate::app::AppState;
use crate::error::{Error, Result};
use crate::session::owner;
use crate::store::{NewSubmission, Submission};
use crate::submission::{form_for, parse_answers, stored_form, today, SubmissionStatus};
use crate::web::{redirect, CheckedForm, OwnedSubmission};
use axum::extract::State;
use axum::response::Response;
use blankett_compiler::backend::html::View;
use blankett_compiler::eval;
use blankett_compiler::ir::Form;

pub(super) async fn check(State(state): State<AppState>, jc: JourneyCtx) -> Result {
    jc.needs_login(&state, &format!("{}/kontrollera", jc.j.base))?;
    let Some(mut draft) = jc.find_draft(&state).await? else {
        return Ok(redirect(&format!("{}/", jc.j.base)));
    };
    let form = form_for(&state, &jc.j.form, &mut draft).await?;
    let mut answers = parse_answers(&draft.answers)?;
    jc.with_person(&mut answers);
    // Shown as it will be sent: locked fields hold the e-ID's values.
    eval::prefill::lock(&form, &mut answers, today());
    let outcome = eval::evaluate(&form, &answers, today());
    if let Some(r) = to_stop_page(&jc, &form, &outcome) {
        return Ok(r);
    }
    if let Some(r) = to_first_error(&jc, &form, &outcome) {
        return Ok(r);
    }
    let view = View::Check {
        answers: &answers,
        outcome: &outcome,
    };
    Ok(jc.render(&form, &view))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    jc: JourneyCtx,
    client: crate::client::ClientAddr,
    _form: CheckedForm,
) -> Result {
    let base = &jc.j.base;
    jc.needs_login(&state, &format!("{base}/kontrollera"))?;
    // Per person and form, and per client address: fresh sessions do not reset either (issue 21).
    let person = format!("{}/{}", owner(&jc.session), jc.j.form.id);
    let per_person = state.config.submit_rate_per_minute;
    let per_address = state.config.submit_rate_per_address_per_minute;
    if !state.limits.allow(&person, "submit", per_person)
        || !state
            .limits
            .allow(&client.key(), "submit-address", per_address)
    {
        return Err(Error::TooManyRequests);
    }
    let Some(mut draft) = jc.find_draft(&state).await? else {
        // Submitted already (a double click, or back and submit again): the same receipt.
        return Ok(match recent_submission(&state, &jc).await? {
            Some(s) => redirect(&format!("{base}/kvitto/{}", s.id)),
            None => redirect(&format!("{base}/")),
        });
    };
    let form = form_for(&state, &jc.j.form, &mut draft).await?;
    let mut answers = parse_answers(&draft.answers)?;
    jc.with_person(&mut answers);
    eval::prefill::lock(&form, &mut answers, today());
    let outcome = eval::evaluate(&form, &answers, today());
    // A journey that ended at a stop page sends nothing, whatever was posted here.
    if let Some(r) = to_stop_page(&jc, &form, &outcome) {
        return Ok(r);
    }
    if let Some(r) = to_first_error(&jc, &form, &outcome) {
        return Ok(r);
    }
    let answers_json = serde_json::to_string(&answers)
        .map_err(|e| Error::Corrupt(format!("answers cannot be written: {e}")))?;
    let json = serde_json::to_string(&blankett_compiler::backend::submission::to_json(
        &form, &outcome,
    ))
    .map_err(|e| Error::Corrupt(format!("the submission's JSON cannot be written: {e}")))?;
    let submission = Submission {
        id: uuid::Uuid::new_v4().to_string(),
        reference: String::new(),
        draft_id: draft.id.clone(),
        owner: owner(&jc.session),
        kommun: jc.j.kommun.clone(),
        form: form.id.clone(),
        form_version: form.version.clone(),
        form_hash: form.hash.clone(),
        answers: answers_json,
        xml: blankett_compiler::backend::submission::to_xml(&form, &outcome),
        json,
        status: SubmissionStatus::Mottagen,
        case_number: None,
        submitted_at: chrono::Utc::now(),
    };
    if form.signing != blankett_compiler::ir::Signing::None {
        // What is signed is checked against the draft when the signature comes back, so the
        // draft holds exactly these answers (the person and locked values put back) first.
        if draft.answers != submission.answers {
            draft.answers = submission.answers.clone();
            state.store.put_draft(&draft).await?;
        }
        // Signed first, stored after: see `signing`.
        return crate::signing::start_applicant(
            &state,
            &jc.session,
            &form,
            &outcome,
            submission,
            base,
            &jc.lang,
        )
        .await;
    }
    let stored = state
        .store
        .submit(NewSubmission {
            submission,
            reference_prefix: form.reference_prefix.clone(),
            year: chrono::Datelike::year(&chrono::Utc::now()),
            // Signing forms waiting for co-signers enqueue later (`Store::enqueue_delivery`).
            delivery_targets: state.config.delivery.targets_for(&form.id),
            attachments: crate::submission::files::submitted(&form, &answers, &outcome),
        })
        .await?;
    state
        .metrics
        .inc("blankett_submissions_total", &[("form", &form.id)]);
    if let Some(o) = &state.outbox {
        o.wake();
    }
    // The `submit` statistics event was stored with the submission, in the same transaction.
    // The receipt is shown only now, after the commit.
    Ok(redirect(&format!("{base}/kvitto/{}", stored.id)))
}

/// The journey ended at a stop page: the person is taken there, and nothing is sent.
fn to_stop_page(jc: &JourneyCtx, form: &Form, outcome: &eval::Outcome) -> Option<Response> {
    let stop = outcome.stop_page(form)?;
    tracing::info!(form = %form.id, page = %form.pages[stop].id, "a journey ended at its stop page");
    Some(redirect(&format!("{}/{}", jc.j.base, form.pages[stop].id)))
}

/// Something still needs an answer: take the person to it rather than show or send a summary.
fn to_first_error(jc: &JourneyCtx, form: &Form, outcome: &eval::Outcome) -> Option<Response> {
    let first = outcome.errors.first()?;
    let page = &form.pages[form.fields[first.field].page].id;
    Some(redirect(&format!(
        "{}/{page}?tillbaka=kontrollera",
        jc.j.base
    )))
}

async fn recent_submission(state: &AppState, jc: &JourneyCtx) -> Result<Option<Submission>> {
    let subs = state.store.submissions_of(&owner(&jc.session)).await?;
    let cutoff = chrono::Utc::now() - chrono::Duration::minutes(30);
    Ok(subs
        .into_iter()
        .find(|s| s.kommun == jc.j.kommun && s.form == jc.j.form.id && s.submitted_at > cutoff))
}

pub(super) async fn receipt(
    State(state): State<AppState>,
    jc: JourneyCtx,
    OwnedSubmission(s): OwnedSubmission,
) -> Result {
    // Nobody sees another person's receipt: an id that is not yours does not exist.
    if s.kommun != jc.j.kommun || s.form != jc.j.form.id {
        return Err(Error::NotFound);
    }
    let form = stored_form(&state, &s.form_hash)
        .await?
        .unwrap_or_else(|| jc.j.form.clone());
    let answers = parse_answers(&s.answers)?;
    let outcome = eval::evaluate(&form, &answers, today());
    // Stored in UTC; shown in the server's local time, as the person's clock shows it.
    let submitted_at = s.submitted_at.with_timezone(&chrono::Local).to_rfc3339();
    let view = View::Receipt {
        reference: &s.reference,
        submitted_at: &submitted_at,
        outcome: &outcome,
    };
    let page = blankett_compiler::backend::html::render(&jc.ctx(&form), &view);
    let signatures = crate::signing::status_html(&state, &s, &jc.lang).await?;
    Ok(crate::web::html_page(
        crate::web::before_main_end(page, &signatures),
        jc.lang != "sv",
    ))
}
