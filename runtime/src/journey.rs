//! The journey: start page → question pages → check your answers → submit → receipt.
//! Fully usable without JavaScript: every step is a GET or a POST of a whole page, validated on
//! the server with the compiler's evaluator.

use crate::app::AppState;
use crate::session::{csrf_ok, owner};
use crate::store::{Draft, Event, EventKind, NewSubmission, Session, Submission};
use crate::submission::SubmissionStatus;
use crate::web::{self, html_page, not_found, redirect, Lang};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use blankett_compiler::backend::html::{self, Ctx, PageAction, View};
use blankett_compiler::eval::{self, Answers};
use blankett_compiler::ir::{Form, Identification};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub tillbaka: Option<String>,
}

/// The form a draft is bound to: the current version, or the one it was started on.
async fn form_for(state: &AppState, current: &Arc<Form>, draft: &mut Draft) -> Arc<Form> {
    if draft.form_hash == current.hash {
        return current.clone();
    }
    let answers = parse_answers(&draft.answers);
    if compatible(current, &answers) {
        // The new version asks the same about everything already answered: move on to it.
        draft.form_hash = current.hash.clone();
        let _ = state.store.put_draft(draft).await;
        return current.clone();
    }
    stored_form(state, &draft.form_hash)
        .await
        .unwrap_or_else(|| current.clone())
}

/// The form a stored submission was made with.
pub async fn form_of_submission(state: &AppState, s: &Submission) -> Option<Arc<Form>> {
    if let Some(f) = stored_form(state, &s.form_hash).await {
        return Some(f);
    }
    let reg = state.registry();
    reg.service(&s.kommun, &s.form)
        .map(|(_, svc)| svc.form.clone())
}

/// A form version kept by its content hash (see `AppState::remember_versions`).
async fn stored_form(state: &AppState, hash: &str) -> Option<Arc<Form>> {
    let bundle = state.store.form_version(hash).await.ok().flatten()?;
    blankett_compiler::backend::bundle::from_json(&bundle)
        .ok()
        .map(Arc::new)
}

/// A draft can move to a new form version when every answered field still exists there, with
/// the same type, and every chosen value is still a choice.
pub fn compatible(new: &Form, answers: &Answers) -> bool {
    answers.iter().all(|(path, value)| {
        if value.is_null() {
            return true;
        }
        let Some(id) = new.field(path) else {
            return false;
        };
        let f = &new.fields[id];
        match (f.kind, value) {
            (blankett_compiler::ir::FieldType::Choice, serde_json::Value::String(s)) => {
                f.choices.iter().any(|c| &c.value == s)
            }
            _ => true,
        }
    })
}

pub fn parse_answers(json: &str) -> Answers {
    serde_json::from_str(json).unwrap_or_default()
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

pub struct Journey {
    pub kommun: String,
    pub form: Arc<Form>,
    pub branding: blankett_compiler::backend::Branding,
    pub base: String,
}

fn journey(state: &AppState, kommun: &str, form: &str) -> Option<Journey> {
    let reg = state.registry();
    let (k, s) = reg.service(kommun, form)?;
    Some(Journey {
        kommun: kommun.to_string(),
        form: s.form.clone(),
        branding: k.branding.clone(),
        base: format!("/{kommun}/{form}"),
    })
}

fn ctx<'a>(j: &'a Journey, form: &'a Form, lang: &'a str, session: &'a Session) -> Ctx<'a> {
    Ctx {
        form,
        branding: &j.branding,
        lang,
        base: &j.base,
        assets: "/assets",
        csrf: Some(&session.csrf),
        user: session.person_name.as_deref(),
    }
}

/// The person's draft of this form, if any.
async fn find_draft(
    state: &AppState,
    session: &Session,
    kommun: &str,
    form: &str,
) -> Option<Draft> {
    let drafts = state.store.drafts_of(&owner(session)).await.ok()?;
    drafts
        .into_iter()
        .find(|d| d.kommun == kommun && d.form == form)
}

async fn draft_or_new(state: &AppState, session: &Session, j: &Journey) -> Result<Draft, Response> {
    if let Some(d) = find_draft(state, session, &j.kommun, &j.form.id).await {
        return Ok(d);
    }
    let now = chrono::Utc::now();
    let d = Draft {
        id: uuid::Uuid::new_v4().to_string(),
        owner: owner(session),
        kommun: j.kommun.clone(),
        form: j.form.id.clone(),
        form_hash: j.form.hash.clone(),
        answers: "{}".into(),
        page: j
            .form
            .pages
            .first()
            .map(|p| p.id.clone())
            .unwrap_or_default(),
        created_at: now,
        updated_at: now,
    };
    state.store.put_draft(&d).await.map_err(web::unavailable)?;
    state
        .metrics
        .inc("blankett_journeys_started_total", &[("form", &j.form.id)]);
    let _ = state
        .store
        .record(&Event {
            kommun: j.kommun.clone(),
            form: j.form.id.clone(),
            kind: EventKind::Start,
            page: None,
            draft_id: Some(d.id.clone()),
            at: d.created_at,
        })
        .await;
    Ok(d)
}

/// Forms that require e-ID send the person to log in first, and back here after.
fn needs_login(state: &AppState, form: &Form, session: &Session, back: &str) -> Option<Response> {
    (form.identification == Identification::Required && session.person_pnr.is_none())
        .then(|| redirect(&crate::auth::login_url(state, back)))
}

/// `/{kommun}/{form}` goes to the start page; `/{kommun}/<logo file>` is the kommun's logo.
pub async fn start_redirect(
    State(state): State<AppState>,
    Path((kommun, form)): Path<(String, String)>,
) -> Response {
    let reg = state.registry();
    if let Some(k) = reg.kommuner.get(&kommun) {
        if let (Some(info), Some(logo)) = (&k.info, &k.branding.logo) {
            if *logo == form && !logo.contains("..") && !logo.contains('/') {
                let ty = if logo.ends_with(".svg") {
                    "image/svg+xml"
                } else if logo.ends_with(".png") {
                    "image/png"
                } else {
                    "application/octet-stream"
                };
                return match tokio::fs::read(info.dir.join(logo)).await {
                    Ok(bytes) => ([(header::CONTENT_TYPE, ty)], bytes).into_response(),
                    Err(_) => StatusCode::NOT_FOUND.into_response(),
                };
            }
        }
    }
    redirect(&format!("/{kommun}/{form}/"))
}

pub async fn start(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((kommun, form)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    lang: Lang,
) -> Response {
    if let Some(r) = crate::pages::dev_error_page(&state) {
        return r;
    }
    let Some(j) = journey(&state, &kommun, &form) else {
        return not_found(&state, lang.get(&q));
    };
    let lang = lang.get(&q);
    html_page(
        html::render(&ctx(&j, &j.form, &lang, &session), &View::Start),
        lang != "sv",
    )
}

pub async fn form_js(
    State(state): State<AppState>,
    Path((kommun, form)): Path<(String, String)>,
) -> Response {
    let reg = state.registry();
    match reg.service(&kommun, &form) {
        Some((_, s)) => {
            let mut js = s.js.clone();
            if state.config.dev {
                js.push_str(crate::pages::DEV_RELOAD_JS);
            }
            (
                [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                js,
            )
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The first visible page at or after `from` (hidden pages are skipped).
fn next_visible(form: &Form, outcome: &eval::Outcome, from: usize) -> Option<usize> {
    (from..form.pages.len()).find(|&p| outcome.page_visible.get(p).copied().unwrap_or(true))
}

pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((kommun, form_id, page_id)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
    lang: Lang,
) -> Response {
    let lang = lang.get(&q);
    if let Some(r) = crate::pages::dev_error_page(&state) {
        return r;
    }
    let Some(j) = journey(&state, &kommun, &form_id) else {
        return not_found(&state, lang);
    };
    match page_id.as_str() {
        "tillganglighet" => {
            return html_page(
                html::render(&ctx(&j, &j.form, &lang, &session), &View::Accessibility),
                lang != "sv",
            )
        }
        "logga-ut" => return crate::auth_dev::logout_now(&state, &session).await,
        _ => {}
    }
    let (draft, form, index) = match open_page(&state, &session, &j, &page_id, &lang).await {
        Ok(opened) => opened,
        Err(r) => return r,
    };
    let answers = parse_answers(&draft.answers);
    let outcome = eval::evaluate(&form, &answers, today());
    if !outcome.page_visible[index] {
        return match next_visible(&form, &outcome, index + 1) {
            Some(p) => redirect(&format!("{}/{}", j.base, form.pages[p].id)),
            None => redirect(&format!("{}/kontrollera", j.base)),
        };
    }
    // The page is visible (checked above), so this evaluation is the one it is drawn with.
    let view = View::Question {
        page: index,
        answers: &answers,
        errors: &[],
        outcome: Some(&outcome),
    };
    html_page(
        html::render(&ctx(&j, &form, &lang, &session), &view),
        lang != "sv",
    )
}

/// A question page's draft and form: login first where the form requires it, the person's draft
/// (started now if there is none), the form version it is bound to, and the page's index.
async fn open_page(
    state: &AppState,
    session: &Session,
    j: &Journey,
    page_id: &str,
    lang: &str,
) -> Result<(Draft, Arc<Form>, usize), Response> {
    if let Some(r) = needs_login(state, &j.form, session, &format!("{}/{page_id}", j.base)) {
        return Err(r);
    }
    let mut draft = draft_or_new(state, session, j).await?;
    let form = form_for(state, &j.form, &mut draft).await;
    match form.page(page_id) {
        Some(index) => Ok((draft, form, index)),
        None => Err(not_found(state, lang)),
    }
}

pub async fn save_page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((kommun, form_id, page_id)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
    lang: Lang,
    req: axum::extract::Request,
) -> Response {
    let lang = lang.get(&q);
    let Some(j) = journey(&state, &kommun, &form_id) else {
        return not_found(&state, lang);
    };
    if page_id == "logga-ut" {
        return crate::auth_dev::logout_now(&state, &session).await;
    }
    let (mut draft, form, index) = match open_page(&state, &session, &j, &page_id, &lang).await {
        Ok(opened) => opened,
        Err(r) => return r,
    };
    let posted = match crate::upload::read_post(&state, &form, index, &draft, req).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if !csrf_ok(&session, posted.csrf.as_deref()) {
        return web::forbidden_csrf(&lang);
    }
    let mut answers = parse_answers(&draft.answers);
    for (k, v) in html::answers_from_form(&form, index, &posted.pairs) {
        answers.insert(k, v);
    }
    answers.extend(posted.files.clone());
    draft.answers = serde_json::to_string(&answers).unwrap_or_else(|_| "{}".into());
    draft.page = page_id.clone();
    draft.updated_at = chrono::Utc::now();
    if let Err(e) = state.store.put_draft(&draft).await {
        return web::unavailable(e);
    }
    let action = html::page_action(&posted.pairs);
    let outcome = eval::evaluate(&form, &answers, today());
    let errors: Vec<eval::FieldError> = outcome
        .errors_on_page(&form, index)
        .into_iter()
        .cloned()
        .chain(posted.upload_errors.clone())
        .collect();
    let save_later = posted
        .pairs
        .iter()
        .any(|(k, v)| k == "_save" || (k == "_action" && v == "save"));
    if save_later {
        return redirect("/mina-sidor?sparad=1");
    }
    if action != PageAction::Continue || !errors.is_empty() {
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
        return html_page(
            html::render(&ctx(&j, &form, &lang, &session), &view),
            lang != "sv",
        );
    }
    state.metrics.inc(
        "blankett_pages_completed_total",
        &[("form", &form.id), ("page", &page_id)],
    );
    let _ = state
        .store
        .record(&Event {
            kommun: j.kommun.clone(),
            form: form.id.clone(),
            kind: EventKind::Page,
            page: Some(page_id.clone()),
            draft_id: Some(draft.id.clone()),
            at: draft.updated_at,
        })
        .await;
    if q.tillbaka.as_deref() == Some("kontrollera") {
        return redirect(&format!("{}/kontrollera", j.base));
    }
    match next_visible(&form, &outcome, index + 1) {
        Some(p) => redirect(&format!("{}/{}", j.base, form.pages[p].id)),
        None => redirect(&format!("{}/kontrollera", j.base)),
    }
}

pub async fn check(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((kommun, form_id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    lang: Lang,
) -> Response {
    let lang = lang.get(&q);
    let Some(j) = journey(&state, &kommun, &form_id) else {
        return not_found(&state, lang);
    };
    if let Some(r) = needs_login(
        &state,
        &j.form,
        &session,
        &format!("{}/kontrollera", j.base),
    ) {
        return r;
    }
    let Some(mut draft) = find_draft(&state, &session, &kommun, &form_id).await else {
        return redirect(&format!("{}/", j.base));
    };
    let form = form_for(&state, &j.form, &mut draft).await;
    let answers = parse_answers(&draft.answers);
    let outcome = eval::evaluate(&form, &answers, today());
    if let Some(r) = to_first_error(&j, &form, &outcome) {
        return r;
    }
    let view = View::Check {
        answers: &answers,
        outcome: &outcome,
    };
    html_page(
        html::render(&ctx(&j, &form, &lang, &session), &view),
        lang != "sv",
    )
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((kommun, form_id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    lang: Lang,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let lang = lang.get(&q);
    let Some(j) = journey(&state, &kommun, &form_id) else {
        return not_found(&state, lang);
    };
    let pairs = web::form_pairs(&body);
    if !csrf_ok(
        &session,
        pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str()),
    ) {
        return web::forbidden_csrf(&lang);
    }
    if let Some(r) = needs_login(
        &state,
        &j.form,
        &session,
        &format!("{}/kontrollera", j.base),
    ) {
        return r;
    }
    if !state
        .limits
        .allow(&session.id, "submit", state.config.submit_rate_per_minute)
    {
        return web::too_many(&lang);
    }
    let Some(mut draft) = find_draft(&state, &session, &kommun, &form_id).await else {
        // Submitted already (a double click, or back and submit again): the same receipt.
        return match recent_submission(&state, &session, &kommun, &form_id).await {
            Some(s) => redirect(&format!("{}/kvitto/{}", j.base, s.id)),
            None => redirect(&format!("{}/", j.base)),
        };
    };
    let form = form_for(&state, &j.form, &mut draft).await;
    let answers = parse_answers(&draft.answers);
    let outcome = eval::evaluate(&form, &answers, today());
    if let Some(r) = to_first_error(&j, &form, &outcome) {
        return r;
    }
    let submission = Submission {
        id: uuid::Uuid::new_v4().to_string(),
        reference: String::new(),
        draft_id: draft.id.clone(),
        owner: owner(&session),
        kommun: kommun.clone(),
        form: form.id.clone(),
        form_version: form.version.clone(),
        form_hash: form.hash.clone(),
        answers: draft.answers.clone(),
        xml: blankett_compiler::backend::submission::to_xml(&form, &outcome),
        json: serde_json::to_string(&blankett_compiler::backend::submission::to_json(
            &form, &outcome,
        ))
        .unwrap_or_default(),
        status: SubmissionStatus::Mottagen,
        case_number: None,
        submitted_at: chrono::Utc::now(),
    };
    if form.signing != blankett_compiler::ir::Signing::None {
        // Signed first, stored after: see `signing`.
        return crate::signing::start_applicant(
            &state, &session, &headers, &form, &outcome, submission, &j.base, &lang,
        )
        .await;
    }
    let year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap_or(2026);
    let stored = match state
        .store
        .submit(NewSubmission {
            submission,
            reference_prefix: form.reference_prefix.clone(),
            year,
            // Signing forms waiting for co-signers enqueue later (`Store::enqueue_delivery`).
            delivery_targets: state.config.delivery.targets_for(&form.id),
        })
        .await
    {
        Ok(s) => s,
        Err(e) => return web::unavailable(e),
    };
    state
        .metrics
        .inc("blankett_submissions_total", &[("form", &form.id)]);
    if let Some(o) = &state.outbox {
        o.wake();
    }
    // The `submit` statistics event was stored with the submission, in the same transaction.
    // The receipt is shown only now, after the commit.
    redirect(&format!("{}/kvitto/{}", j.base, stored.id))
}

/// Something still needs an answer: take the person to it rather than show or send a summary.
fn to_first_error(j: &Journey, form: &Form, outcome: &eval::Outcome) -> Option<Response> {
    let first = outcome.errors.first()?;
    let page = &form.pages[form.fields[first.field].page].id;
    Some(redirect(&format!("{}/{page}?tillbaka=kontrollera", j.base)))
}

async fn recent_submission(
    state: &AppState,
    session: &Session,
    kommun: &str,
    form: &str,
) -> Option<Submission> {
    let subs = state.store.submissions_of(&owner(session)).await.ok()?;
    let cutoff = chrono::Utc::now() - chrono::Duration::minutes(30);
    subs.into_iter()
        .find(|s| s.kommun == kommun && s.form == form && s.submitted_at > cutoff)
}

pub async fn receipt(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((kommun, form_id, id)): Path<(String, String, String)>,
    Query(q): Query<PageQuery>,
    lang: Lang,
) -> Response {
    let lang = lang.get(&q);
    let Some(j) = journey(&state, &kommun, &form_id) else {
        return not_found(&state, lang);
    };
    let Some(s) = state.store.submission(&id).await.ok().flatten() else {
        return not_found(&state, lang);
    };
    // Nobody sees another person's receipt: an id that is not yours does not exist.
    if s.owner != owner(&session) || s.kommun != kommun || s.form != form_id {
        return not_found(&state, lang);
    }
    let form = stored_form(&state, &s.form_hash)
        .await
        .unwrap_or_else(|| j.form.clone());
    let answers: BTreeMap<String, serde_json::Value> = parse_answers(&s.answers);
    let outcome = eval::evaluate(&form, &answers, today());
    // Stored in UTC; shown in the server's local time, as the person's clock shows it.
    let submitted_at = s.submitted_at.with_timezone(&chrono::Local).to_rfc3339();
    let view = View::Receipt {
        reference: &s.reference,
        submitted_at: &submitted_at,
        outcome: &outcome,
    };
    let page = html::render(&ctx(&j, &form, &lang, &session), &view);
    let signatures = crate::signing::status_html(&state, &s, &lang).await;
    html_page(web::before_main_end(page, &signatures), lang != "sv")
}
