//! The journey: start page → question pages → check your answers → submit → receipt.
//! Fully usable without JavaScript: every step is a GET or a POST of a whole page, validated on
//! the server with the compiler's evaluator.

mod lengths;
mod pages;
mod submit;
pub mod upload;
pub mod warnings;

use crate::app::AppState;
use crate::error::{Error, Result};
use crate::session::owner;
use crate::store::{Draft, Event, EventKind, Session};
use crate::web::redirect;
use axum::extract::{FromRequestParts, Path, RawPathParams, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use blankett_compiler::backend::html::{self, Ctx, View};
use blankett_compiler::ir::{Form, Identification};
use std::sync::Arc;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/{kommun}/{form}", get(start_redirect))
        .route("/{kommun}/{form}/", get(start))
        .route("/{kommun}/{form}/form.js", get(form_js))
        .route(
            "/{kommun}/{form}/kontrollera",
            get(submit::check).post(submit::submit),
        )
        .route("/{kommun}/{form}/kvitto/{id}", get(submit::receipt))
        .route(
            "/{kommun}/{form}/{page}",
            get(pages::page).post(pages::save_page),
        )
}

#[derive(serde::Deserialize, Default)]
pub struct PageQuery {
    pub tillbaka: Option<String>,
}

/// A served e-service: the kommun, its form and its look, and where its pages are.
pub struct Journey {
    pub kommun: String,
    pub form: Arc<Form>,
    pub branding: blankett_compiler::backend::Branding,
    pub base: String,
}

/// What every journey page begins with: the e-service the address names, the visitor's session
/// and language. An e-service that is not served is 404; in `blankett dev`, forms that do not
/// compile show their errors instead.
pub struct JourneyCtx {
    pub j: Journey,
    pub session: Session,
    pub lang: String,
}

impl JourneyCtx {
    fn ctx<'a>(&'a self, form: &'a Form) -> Ctx<'a> {
        Ctx {
            form,
            branding: &self.j.branding,
            lang: &self.lang,
            base: &self.j.base,
            assets: "/assets",
            csrf: Some(&self.session.csrf),
            user: self.session.person_name.as_deref(),
        }
    }

    /// A page the compiler draws, in the visitor's language.
    fn render(&self, form: &Form, view: &View) -> Response {
        crate::web::html_page(html::render(&self.ctx(form), view), self.lang != "sv")
    }

    /// Keeps the logged-in person with `answers` (`inloggad` in expressions); nobody when no
    /// one is logged in, so a person is never read from answers after logging out.
    fn with_person(&self, answers: &mut blankett_compiler::eval::Answers) {
        let who = crate::session::inloggad(&self.session);
        blankett_compiler::expr::inloggad::set(answers, who.as_ref());
    }

    /// Forms that require e-ID send the person to log in first, and back to `back` after.
    fn needs_login(&self, state: &AppState, back: &str) -> Result<()> {
        if self.j.form.identification == Identification::Required
            && self.session.person_pnr.is_none()
        {
            return Err(Error::LogInFirst {
                to: crate::auth::login_url(state, back),
            });
        }
        Ok(())
    }

    /// The person's draft of this form, if any.
    async fn find_draft(&self, state: &AppState) -> Result<Option<Draft>> {
        let drafts = state.store.drafts_of(&owner(&self.session)).await?;
        Ok(drafts
            .into_iter()
            .find(|d| d.kommun == self.j.kommun && d.form == self.j.form.id))
    }

    /// A draft of this form not yet stored: what a first look at a page is drawn from. Nothing
    /// is stored until the person posts a page (issue 21: every cookieless GET stored a draft
    /// and a "started" event).
    fn unsaved_draft(&self) -> Result<Draft> {
        let j = &self.j;
        let now = chrono::Utc::now();
        // The journey starts with the prefills, decided now for the person logged in.
        let mut answers = blankett_compiler::eval::Answers::new();
        self.with_person(&mut answers);
        blankett_compiler::eval::prefill::start(&j.form, &mut answers, crate::submission::today());
        let answers = serde_json::to_string(&answers)
            .map_err(|e| Error::Corrupt(format!("answers cannot be written: {e}")))?;
        Ok(Draft {
            id: uuid::Uuid::new_v4().to_string(),
            owner: owner(&self.session),
            kommun: j.kommun.clone(),
            form: j.form.id.clone(),
            form_hash: j.form.hash.clone(),
            answers,
            page: j
                .form
                .pages
                .first()
                .map(|p| p.id.clone())
                .unwrap_or_default(),
            created_at: now,
            updated_at: now,
        })
    }

    /// The person's draft of this form, started now if there is none.
    async fn draft_or_new(&self, state: &AppState) -> Result<Draft> {
        if let Some(d) = self.find_draft(state).await? {
            return Ok(d);
        }
        let j = &self.j;
        let d = self.unsaved_draft()?;
        state.store.put_draft(&d).await?;
        state
            .metrics
            .inc("blankett_journeys_started_total", &[("form", &j.form.id)]);
        crate::submission::record_event(
            state,
            Event {
                kommun: j.kommun.clone(),
                form: j.form.id.clone(),
                kind: EventKind::Start,
                page: None,
                draft_id: Some(d.id.clone()),
                at: d.created_at,
            },
        )
        .await;
        Ok(d)
    }
}

impl FromRequestParts<AppState> for JourneyCtx {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .ok_or(Error::NotFound)
        };
        let (kommun, form) = (param("kommun")?, param("form")?);
        if state.config.dev {
            if let Some(errors) = state.dev_errors() {
                return Err(Error::DevCompile(errors));
            }
        }
        let reg = state.registry();
        let (k, s) = reg.service(&kommun, &form).ok_or(Error::NotFound)?;
        let j = Journey {
            base: format!("/{kommun}/{form}"),
            kommun,
            form: s.form.clone(),
            branding: k.branding.clone(),
        };
        Ok(JourneyCtx {
            j,
            session: crate::web::extract::session_of(parts)?,
            lang: crate::web::lang_of(&parts.uri, &parts.headers),
        })
    }
}

/// `/{kommun}/{form}` goes to the start page; `/{kommun}/<logo file>` is the kommun's logo.
/// The start page's address is made of the registry's own ids, never of the request's text: the
/// path's segments arrive decoded, and `/%2Fevil.example/x` would otherwise redirect to
/// `//evil.example/x/`, another site (issue 21).
async fn start_redirect(
    State(state): State<AppState>,
    Path((kommun, form)): Path<(String, String)>,
) -> Result {
    if state.config.dev {
        if let Some(errors) = state.dev_errors() {
            return Err(Error::DevCompile(errors));
        }
    }
    let reg = state.registry();
    let (kommun_id, k) = reg.kommuner.get_key_value(&kommun).ok_or(Error::NotFound)?;
    if let (Some(info), Some(logo)) = (&k.info, &k.branding.logo) {
        if *logo == form && !logo.contains("..") && !logo.contains('/') {
            let ty = if logo.ends_with(".svg") {
                "image/svg+xml"
            } else if logo.ends_with(".png") {
                "image/png"
            } else {
                "application/octet-stream"
            };
            let bytes = tokio::fs::read(info.dir.join(logo))
                .await
                .map_err(|_| Error::NotFound)?;
            return Ok(([(header::CONTENT_TYPE, ty)], bytes).into_response());
        }
    }
    let (form_id, _) = k.services.get_key_value(&form).ok_or(Error::NotFound)?;
    Ok(redirect(&format!("/{kommun_id}/{form_id}/")))
}

async fn start(jc: JourneyCtx) -> Response {
    jc.render(&jc.j.form, &View::Start)
}

async fn form_js(
    State(state): State<AppState>,
    Path((kommun, form)): Path<(String, String)>,
) -> Response {
    let reg = state.registry();
    match reg.service(&kommun, &form) {
        Some((_, s)) => {
            let mut js = s.js.clone();
            if state.config.dev {
                js.push_str(crate::site::DEV_RELOAD_JS);
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
