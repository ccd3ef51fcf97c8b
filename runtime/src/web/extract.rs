//! Extractors for what many handlers begin with: the visitor's language, a POSTed form with its
//! CSRF token checked, and a submission that belongs to the visitor.

use crate::app::AppState;
use crate::error::Error;
use crate::session::{csrf_ok, owner};
use crate::store::{Session, Submission};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;

/// The visitor's language, `sv` or `en` (see [`super::lang_of`]).
pub struct Lang(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(super::lang_of(&parts.uri, &parts.headers)))
    }
}

/// The session the session layer loaded for this request.
pub(crate) fn session_of(parts: &Parts) -> Result<Session, Error> {
    // Only routes outside the session layer lack it; none of them asks for it.
    parts
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or(Error::Csrf)
}

/// A POSTed `application/x-www-form-urlencoded` form whose `_csrf` is the session's token.
pub struct CheckedForm(pub Vec<(String, String)>);

impl CheckedForm {
    /// The first value posted under `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest<AppState> for CheckedForm {
    type Rejection = Error;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Error> {
        let (parts, body) = req.into_parts();
        let session = session_of(&parts)?;
        let req = Request::from_parts(parts, body);
        let body = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| Error::body(e.status()))?;
        let form = CheckedForm(super::form_pairs(&body));
        if csrf_ok(&session, form.get("_csrf")) {
            Ok(form)
        } else {
            Err(Error::Csrf)
        }
    }
}

/// The submission named by the route's `{id}`, when it is the visitor's. Another person's
/// submission answers 404, exactly as one that does not exist.
pub struct OwnedSubmission(pub Submission);

impl FromRequestParts<AppState> for OwnedSubmission {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| Error::NotFound)?;
        let id = params
            .iter()
            .find(|(k, _)| *k == "id")
            .map(|(_, v)| v.to_string())
            .ok_or(Error::NotFound)?;
        let session = session_of(parts)?;
        match state.store.submission(&id).await? {
            Some(s) if s.owner == owner(&session) => Ok(OwnedSubmission(s)),
            _ => Err(Error::NotFound),
        }
    }
}
