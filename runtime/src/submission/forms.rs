//! The form a draft or a submission belongs to. A published form version is kept by its content
//! hash (`AppState::remember_versions`), so a draft started on version 1 can be finished on it
//! after version 2 is published, and a submission is always shown with the form it was made on.

use super::answers::{compatible, parse_answers};
use crate::app::AppState;
use crate::error::Error;
use crate::store::{Draft, Submission};
use blankett_compiler::ir::Form;
use std::sync::Arc;

/// The form a draft is bound to: the current version, or the one it was started on. A draft
/// whose answers all still fit the current version moves on to it (and is saved so).
pub async fn form_for(
    state: &AppState,
    current: &Arc<Form>,
    draft: &mut Draft,
) -> Result<Arc<Form>, Error> {
    if draft.form_hash == current.hash {
        return Ok(current.clone());
    }
    let answers = parse_answers(&draft.answers)?;
    if compatible(current, &answers) {
        draft.form_hash = current.hash.clone();
        state.store.put_draft(draft).await?;
        return Ok(current.clone());
    }
    Ok(stored_form(state, &draft.form_hash)
        .await?
        .unwrap_or_else(|| current.clone()))
}

/// The form a stored submission was made with: its own version when kept, else the one served
/// now under its name; `None` when neither exists any more.
pub async fn form_of_submission(
    state: &AppState,
    s: &Submission,
) -> Result<Option<Arc<Form>>, Error> {
    if let Some(f) = stored_form(state, &s.form_hash).await? {
        return Ok(Some(f));
    }
    let reg = state.registry();
    Ok(reg
        .service(&s.kommun, &s.form)
        .map(|(_, svc)| svc.form.clone()))
}

/// A form version kept by its content hash. A bundle an older blankett wrote in a shape this
/// one no longer reads counts as not kept (the callers fall back to the form served now), and
/// the log says so.
pub async fn stored_form(state: &AppState, hash: &str) -> Result<Option<Arc<Form>>, Error> {
    let Some(bundle) = state.store.form_version(hash).await? else {
        return Ok(None);
    };
    match blankett_compiler::backend::bundle::from_json(&bundle) {
        Ok(f) => Ok(Some(Arc::new(f))),
        Err(e) => {
            tracing::warn!(form_hash = hash, error = %e, "a kept form version cannot be read; using the form served now");
            Ok(None)
        }
    }
}
