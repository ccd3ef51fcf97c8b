//! The question pages: drawn from the person's draft, and saved on every POST.

use super::{JourneyCtx, PageQuery};
use crate::app::AppState;
use crate::error::{Error, Result, Texts};
use crate::session::csrf_ok;
use crate::store::{Draft, Event, EventKind};
use crate::submission::{files, form_for, parse_answers, today};
use crate::web::redirect;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use blankett_compiler::backend::html::{self, PageAction, View};
use blankett_compiler::eval;
use blankett_compiler::ir::Form;
use std::sync::Arc;

/// The first visible page at or after `from` (hidden pages are skipped).
fn next_visible(form: &Form, outcome: &eval::Outcome, from: usize) -> Option<usize> {
    (from..form.pages.len()).find(|&p| outcome.page_visible.get(p).copied().unwrap_or(true))
}

/// Where the journey goes after page `index`: the next visible page, else check-your-answers.
fn after(jc: &JourneyCtx, form: &Form, outcome: &eval::Outcome, index: usize) -> Response {
    match next_visible(form, outcome, index + 1) {
        Some(p) => redirect(&format!("{}/{}", jc.j.base, form.pages[p].id)),
        None => redirect(&format!("{}/kontrollera", jc.j.base)),
    }
}

/// A question page's draft and form: login first where the form requires it, the person's draft
/// (when there is none: started now for a POST, an unsaved one for a GET), the form version it is
/// bound to, and the page's index. An address that is no page of the served form starts no
/// draft: it is only a page of the version an existing draft is bound to, or 404.
async fn open_page(
    state: &AppState,
    jc: &JourneyCtx,
    page_id: &str,
    posting: bool,
) -> Result<(Draft, Arc<Form>, usize)> {
    jc.needs_login(state, &format!("{}/{page_id}", jc.j.base))?;
    let mut draft = if jc.j.form.page(page_id).is_some() {
        match (posting, jc.find_draft(state).await?) {
            (_, Some(d)) => d,
            (true, None) => jc.draft_or_new(state).await?,
            (false, None) => jc.unsaved_draft()?,
        }
    } else {
        jc.find_draft(state).await?.ok_or(Error::NotFound)?
    };
    let form = form_for(state, &jc.j.form, &mut draft).await?;
    let index = form.page(page_id).ok_or(Error::NotFound)?;
    Ok((draft, form, index))
}

/// A POST whose repeat rows cannot be read (more rows than the question takes, or row numbers
/// no page draws) is refused whole, before anything is stored: the draft stays as it was.
fn refused(why: html::RowsRefused) -> Error {
    tracing::warn!(refused = %why, "a page's POST was refused");
    match why {
        html::RowsRefused::TooMany { .. } => Error::refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            Texts::new("För många rader", "Too many rows"),
            Texts::new(
                "Sidan skickade fler rader än frågan tar emot, så ingenting av det sparades. Dina tidigare svar finns kvar. Gå tillbaka, ladda om sidan och fyll i raderna där.",
                "The page sent more rows than the question takes, so none of it was saved. Your earlier answers are kept. Go back, reload the page and fill in the rows there.",
            ),
        ),
        html::RowsRefused::BadIndex { .. } => Error::refused(
            StatusCode::BAD_REQUEST,
            Texts::new("Raderna kunde inte läsas", "The rows could not be read"),
            Texts::new(
                "Sidan skickade rader som den inte har, så ingenting av det sparades. Dina tidigare svar finns kvar. Gå tillbaka, ladda om sidan och försök igen.",
                "The page sent rows it does not have, so none of it was saved. Your earlier answers are kept. Go back, reload the page and try again.",
            ),
        ),
    }
}

/// A text over its question's `max_length` is refused before anything is stored; without
/// JavaScript the browser cannot stop it, so the page says what to do.
fn refused_too_long(paths: &[String]) -> Error {
    tracing::warn!(fields = ?paths, "a page's POST had answers over their max_length");
    Error::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        Texts::new("En text var för lång", "A text was too long"),
        Texts::new(
            "Ett av svaren var längre än frågan tar emot, så ingenting av det sparades. Dina tidigare svar finns kvar. Gå tillbaka, korta texten och skicka igen.",
            "One of the answers was longer than the question takes, so none of it was saved. Your earlier answers are kept. Go back, shorten the text and send it again.",
        ),
    )
}

pub(super) async fn page(
    State(state): State<AppState>,
    jc: JourneyCtx,
    Path((_, _, page_id)): Path<(String, String, String)>,
) -> Result {
    if page_id == "tillganglighet" {
        return Ok(jc.render(&jc.j.form, &View::Accessibility));
    }
    let (draft, form, index) = open_page(&state, &jc, &page_id, false).await?;
    let mut answers = parse_answers(&draft.answers)?;
    jc.with_person(&mut answers);
    let mut outcome = eval::evaluate(&form, &answers, today());
    // The journey ended at a stop page before this one: nothing after it is asked.
    if let Some(stop) = outcome.stop_page(&form).filter(|&s| s < index) {
        return Ok(redirect(&format!("{}/{}", jc.j.base, form.pages[stop].id)));
    }
    if !outcome.page_visible[index] {
        return Ok(after(&jc, &form, &outcome, index));
    }
    // Warnings are shown when the page is posted, not when it is looked at.
    outcome.warnings.clear();
    // The page is visible (checked above), so this evaluation is the one it is drawn with.
    let view = View::Question {
        page: index,
        answers: &answers,
        errors: &[],
        outcome: Some(&outcome),
    };
    Ok(jc.render(&form, &view))
}

pub(super) async fn save_page(
    State(state): State<AppState>,
    jc: JourneyCtx,
    Path((_, _, page_id)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
    req: axum::extract::Request,
) -> Result {
    let (mut draft, form, index) = open_page(&state, &jc, &page_id, true).await?;
    let posted = super::upload::read_post(&state, &form, index, &draft, &jc.session, req).await?;
    if !csrf_ok(&jc.session, posted.csrf.as_deref()) {
        return Err(Error::Csrf);
    }
    // A stop page posts nothing and leads nowhere: it is shown again.
    if form.pages[index].end {
        return Ok(redirect(&format!("{}/{page_id}", jc.j.base)));
    }
    // A file answer is only ever an upload of this draft: the ids the page posts are looked up
    // among them, and text under a file's name is nothing.
    let stored = state.store.attachments_of_draft(&draft.id).await?;
    let (pairs, upload_errors) = super::upload::with_uploads(&form, posted);
    let lookup = files::lookup(&stored);
    let mut page_answers =
        html::answers_from_post(&form, index, &pairs, &lookup).map_err(refused)?;
    let too_long = super::lengths::too_long(&form, &page_answers);
    if !too_long.is_empty() {
        return Err(refused_too_long(&too_long));
    }
    let mut answers = parse_answers(&draft.answers)?;
    answers.append(&mut page_answers);
    jc.with_person(&mut answers);
    // What was posted for a locked field is ignored: it keeps its prefilled value.
    eval::prefill::lock(&form, &mut answers, today());
    let action = html::page_action(&pairs);
    let mut outcome = eval::evaluate(&form, &answers, today());
    // One error per problem: a refused upload says why, and the field's "choose a file" that
    // follows from it is not said again.
    let errors: Vec<eval::FieldError> = outcome
        .errors_on_page(&form, index)
        .into_iter()
        .filter(|e| !upload_errors.iter().any(|u| u.path == e.path))
        .cloned()
        .chain(upload_errors.iter().cloned())
        .collect();
    // A row just added is shown without errors until something is posted in it.
    let errors = html::errors_to_show(errors, &action, &answers);
    let warnings = outcome.warnings_on_page(&form, index);
    let warn = action == PageAction::Continue
        && (!errors.is_empty() || super::warnings::any_unseen(&answers, &warnings));
    if warn {
        let warnings: Vec<eval::FieldError> = warnings.into_iter().cloned().collect();
        super::warnings::mark_shown(&mut answers, &warnings.iter().collect::<Vec<_>>());
    } else {
        outcome.warnings.clear();
    }
    draft.answers = serde_json::to_string(&answers)
        .map_err(|e| Error::Corrupt(format!("answers cannot be written: {e}")))?;
    draft.page = page_id.clone();
    draft.updated_at = chrono::Utc::now();
    state.store.put_draft(&draft).await?;
    files::forget_unnamed(&state, &form, &draft, &answers, &stored).await?;
    let save_later = pairs
        .iter()
        .any(|(k, v)| k == "_save" || (k == "_action" && v == "save"));
    if save_later {
        return Ok(redirect("/mina-sidor?sparad=1"));
    }
    if action != PageAction::Continue || !errors.is_empty() || !outcome.warnings.is_empty() {
        if !errors.is_empty() {
            state.metrics.inc(
                "blankett_validation_errors_total",
                &[("form", &form.id), ("page", &page_id)],
            );
        }
        // Drawn with this evaluation when the page is visible under it; else it evaluates anew.
        let view = View::Question {
            page: index,
            answers: &answers,
            errors: &errors,
            outcome: outcome.page_visible[index].then_some(&outcome),
        };
        return Ok(jc.render(&form, &view));
    }
    state.metrics.inc(
        "blankett_pages_completed_total",
        &[("form", &form.id), ("page", &page_id)],
    );
    crate::submission::record_event(
        &state,
        Event {
            kommun: jc.j.kommun.clone(),
            form: form.id.clone(),
            kind: EventKind::Page,
            page: Some(page_id.clone()),
            draft_id: Some(draft.id.clone()),
            at: draft.updated_at,
        },
    )
    .await;
    if q.tillbaka.as_deref() == Some("kontrollera") {
        return Ok(redirect(&format!("{}/kontrollera", jc.j.base)));
    }
    Ok(after(&jc, &form, &outcome, index))
}
