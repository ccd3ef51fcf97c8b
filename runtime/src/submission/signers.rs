//! Who must sign a submission: the form's signers (`eval::signers`) over its answers, with
//! the applicant (the one who sends, `inloggad.*`) as their e-ID named them. Asked when the
//! applicant signs (who else is invited), and again for the receipt, Mina sidor and the
//! invitation mails (each signer's role and name).

use crate::app::AppState;
use crate::error::Error;
use crate::store::{Signature, SignatureRole, Submission};
use blankett_compiler::eval::signers::{self, DueSigner, LoggedIn};
use blankett_compiler::eval::Outcome;
use blankett_compiler::ir::{Form, Text};
use std::sync::Arc;

/// Everyone who must sign these answers when `applicant` sends them.
pub fn due(form: &Form, outcome: &Outcome, applicant: &LoggedIn) -> Vec<DueSigner> {
    signers::due(form, outcome, applicant, crate::submission::today())
}

/// Everyone but the applicant, who signs when sending: the ones to invite.
pub fn cosigners(form: &Form, outcome: &Outcome, applicant: &LoggedIn) -> Vec<DueSigner> {
    due(form, outcome, applicant)
        .into_iter()
        .filter(|d| d.personnummer != applicant.personnummer)
        .collect()
}

/// The applicant as their own signature names them.
pub fn applicant_of(signatures: &[Signature]) -> LoggedIn {
    signatures
        .iter()
        .find(|g| g.role == SignatureRole::Applicant)
        .map(|g| LoggedIn::new(&g.signer_pnr, &g.signer_name))
        .unwrap_or_default()
}

/// A stored submission's form and who must sign it.
pub async fn of_submission(
    state: &AppState,
    s: &Submission,
) -> Result<Option<(Arc<Form>, Vec<DueSigner>)>, Error> {
    let Some(form) = crate::submission::form_of_submission(state, s).await? else {
        return Ok(None);
    };
    let answers = crate::submission::parse_answers(&s.answers)?;
    let outcome = blankett_compiler::eval::evaluate(&form, &answers, crate::submission::today());
    let signatures = state.store.signatures_of(&s.id).await?;
    let due = due(&form, &outcome, &applicant_of(&signatures));
    Ok(Some((form, due)))
}

/// The role a person signs in, as people read it: their role among `due`, else the one who
/// sent it.
pub fn role_label(due: &[DueSigner], pnr: &str, lang: &str) -> String {
    match due.iter().find(|d| d.personnummer == pnr) {
        Some(d) => d.label.get(lang).to_string(),
        None => Text::sv("Sökande").get(lang).to_string(),
    }
}
