//! E-signatures of submissions. `signing: applicant`: the person signs the exact submission XML
//! at the check-answers step, with BankID (`userNonVisibleData` = its SHA-256,
//! `userVisibleData` a readable summary) or through the OIDC provider (`auth::oidc_sign`, the
//! same SHA-256 as `tbs_data`), and only then is it stored. `signing: guardians`: the
//! submission is stored waiting (`vantar_pa_underskrift`) until every guardian the form names
//! by personnummer has logged in, seen the answers and signed the same bytes through their
//! invitation link.
//! [`on_fully_signed`] is the one place a signed submission becomes complete.
//!
//! This is the domain: what is signed, by whom, and when a submission is complete. The pages
//! and the handlers that start signatures are in `crate::signing`.

use crate::app::AppState;
use crate::auth::Person;
use crate::error::{Error, Texts};
use crate::store::{
    Cosigner, Event, EventKind, NewSubmission, Signature, SignatureRole, Submission,
};
use crate::submission::SubmissionStatus;
use axum::http::StatusCode;
use base64::Engine;
use blankett_compiler::eval::Outcome;
use blankett_compiler::ir::Form;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A signature order's purpose, stored with the BankID order until it completes.
#[derive(Serialize, Deserialize, Clone)]
pub struct Pending {
    pub role: SignatureRole,
    /// The form's title, on the waiting page.
    pub title: String,
    /// Where "cancel" leads.
    pub back: String,
    /// SHA-256 (hex) of the XML being signed.
    pub digest: String,
    /// The only person who may sign.
    pub signer_pnr: String,
    /// The applicant's submission, stored once signed.
    pub submission: Option<Submission>,
    pub reference_prefix: String,
    /// A guardian's: the submission waiting for them.
    pub submission_id: Option<String>,
    /// The applicant's: the others who must sign after them.
    pub cosigners: Vec<String>,
    /// The language the form was filled in (the co-signers' invitation mails are in it).
    #[serde(default)]
    pub lang: Option<String>,
}

/// SHA-256 of the exact XML, hex.
pub fn digest(xml: &str) -> String {
    hex::encode(Sha256::digest(xml.as_bytes()))
}

/// What the app shows: the form's title and every answer, grouped as on the check page, in
/// BankID's `simpleMarkdownV1`, shortened (and saying so) to stay well inside the 40,000
/// characters of base64 BankID takes.
pub fn visible_summary(form: &Form, outcome: &Outcome) -> String {
    super::shown::visible_text(form, outcome, super::shown::Style::Markdown, 24_000)
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A signature order completed: stores what was signed and the signature, and returns the
/// address the signer goes on to (the applicant's receipt, a co-signer's invitation page).
pub async fn record_signature(
    state: &AppState,
    pending: Pending,
    person: &Person,
    signature_b64: &str,
    ocsp_b64: &str,
) -> Result<String, Error> {
    if person.pnr != pending.signer_pnr {
        return Err(refused(
            Texts::new(
                "Underskriften gjordes av någon annan",
                "Someone else signed",
            ),
            Texts::new(
                "Det här ska skrivas under av den som är inloggad, men det gjordes av någon annan. Ingenting har skrivits under och ingenting har skickats; det som skulle skrivas under väntar kvar. Gå tillbaka och skriv under som rätt person.",
                "This is to be signed by the person logged in, but someone else signed. Nothing has been signed and nothing sent; what was to be signed is still waiting. Go back and sign as the right person.",
            ),
        ));
    }
    // One clock for one event: the applicant's signature is the sending, so the receipt's
    // "sent" and "signed" are the same moment.
    let now = chrono::Utc::now();
    let signature = |submission_id: &str| Signature {
        id: uuid::Uuid::new_v4().to_string(),
        submission_id: submission_id.to_string(),
        role: pending.role,
        signer_pnr: person.pnr.clone(),
        signer_name: person.name.clone(),
        digest: pending.digest.clone(),
        signature: signature_b64.to_string(),
        ocsp_response: ocsp_b64.to_string(),
        signed_at: now,
    };
    if let Some(mut submission) = pending.submission.clone() {
        // The applicant: the draft must still hold exactly the answers that were signed.
        let draft = state.store.draft(&submission.draft_id).await?;
        if draft.as_ref().map(|d| &d.answers) != Some(&submission.answers) {
            if let Some(s) = state
                .store
                .submission_by_draft(&submission.draft_id)
                .await?
            {
                return Ok(receipt_path(&s));
            }
            return Err(refused(
                Texts::new(
                    "Svaren har ändrats sedan du skrev under",
                    "The answers have changed since you signed",
                ),
                Texts::new(
                    "Gå tillbaka till sidan där du kontrollerar dina svar och skriv under igen.",
                    "Go back to the page where you check your answers and sign again.",
                ),
            ));
        }
        submission.status = SubmissionStatus::VantarPaUnderskrift;
        submission.submitted_at = now;
        let attachments = super::files::submitted_of(state, &submission).await?;
        let stored = state
            .store
            .submit(NewSubmission {
                submission,
                reference_prefix: pending.reference_prefix.clone(),
                year: chrono::Datelike::year(&now),
                // Delivered only once every signature is in: `on_fully_signed` queues it.
                delivery_targets: Vec::new(),
                attachments,
            })
            .await?;
        state.store.put_signature(&signature(&stored.id)).await?;
        let deadline = chrono::Utc::now() + chrono::Duration::days(state.config.cosign_days.max(1));
        for pnr in &pending.cosigners {
            let c = Cosigner {
                submission_id: stored.id.clone(),
                pnr: pnr.clone(),
                invite: crate::session::token(),
                deadline,
            };
            state.store.put_cosigner(&c).await?;
        }
        let lang = pending.lang.as_deref().unwrap_or("sv");
        crate::mail::invitation::queue(state, &stored, lang).await;
        state
            .metrics
            .inc("blankett_submissions_total", &[("form", &stored.form)]);
        complete_if_signed(state, &stored).await?;
        return Ok(receipt_path(&stored));
    }
    // A co-signer: the submission must still be the bytes they were shown.
    let id = pending.submission_id.clone().ok_or(Error::NotFound)?;
    let s = state.store.submission(&id).await?.ok_or(Error::NotFound)?;
    if s.status != SubmissionStatus::VantarPaUnderskrift || digest(&s.xml) != pending.digest {
        return Err(refused(
            Texts::new(
                "Ansökan kan inte skrivas under",
                "The application cannot be signed",
            ),
            Texts::new(
                "Ansökan har ändrats, återkallats eller gått ut sedan du öppnade den.",
                "The application has been changed, withdrawn or has expired since you opened it.",
            ),
        ));
    }
    state.store.put_signature(&signature(&s.id)).await?;
    complete_if_signed(state, &s).await?;
    Ok(pending.back)
}

/// Where a submission's receipt is.
pub fn receipt_path(s: &Submission) -> String {
    format!("/{}/{}/kvitto/{}", s.kommun, s.form, s.id)
}

/// A signing step that cannot go on: 403 with what happened and what to do.
pub fn refused(heading: Texts, body: Texts) -> Error {
    Error::refused(StatusCode::FORBIDDEN, heading, body)
}

/// Fires [`on_fully_signed`] when the last signature is in, and only then: the status moves
/// from waiting to received in one conditional update, so it fires once.
async fn complete_if_signed(state: &AppState, s: &Submission) -> Result<(), Error> {
    if let SignatureState::Signed(_) = signature_state(state, s).await? {
        if state.store.mark_fully_signed(&s.id).await? {
            let mut done = s.clone();
            done.status = SubmissionStatus::Mottagen;
            on_fully_signed(state, &done).await?;
        }
    }
    Ok(())
}

/// Every signature the submission needs is in and matches its XML, and it has just become
/// `mottagen`: it is complete and may be delivered.
///
/// This is the hook the delivery outbox is wired to: call
/// `state.store.enqueue_delivery(&submission.id, targets)` here. It runs once per submission,
/// after the last signature is stored, never before. (A form without `signing` is complete
/// at `Store::submit` and does not come here.)
pub async fn on_fully_signed(state: &AppState, submission: &Submission) -> Result<(), Error> {
    let targets = state.config.delivery.targets_for(&submission.form);
    if !targets.is_empty() {
        if let Err(e) = state.store.enqueue_delivery(&submission.id, &targets).await {
            // The submission is stored and signed; an operator sees it undelivered on Mina
            // sidor's status and in this error, and `enqueue_delivery` may safely be run again.
            tracing::error!(error = %e, submission = %submission.id, "could not queue a signed submission for delivery");
        }
        if let Some(o) = &state.outbox {
            o.wake();
        }
    }
    state.metrics.inc(
        "blankett_submissions_signed_total",
        &[("form", &submission.form)],
    );
    super::record_event(
        state,
        Event {
            kommun: submission.kommun.clone(),
            form: submission.form.clone(),
            kind: EventKind::FullySigned,
            page: None,
            draft_id: Some(submission.draft_id.clone()),
            at: chrono::Utc::now(),
        },
    )
    .await;
    Ok(())
}

/// Where a submission stands with its signatures.
#[derive(Debug, Clone, PartialEq)]
pub enum SignatureState {
    /// The form asks for no signature.
    Unsigned,
    /// Signed so far by these; waiting for the personnummer listed.
    Waiting(Vec<Signature>, Vec<Cosigner>),
    Signed(Vec<Signature>),
    /// A signature does not match the stored XML: not treated as signed.
    Invalid,
    Withdrawn,
    Expired,
}

/// Whether `sig` signs exactly `xml`: the digest stored with it is the XML's, and the
/// signature covers it ([`covers`]).
pub fn verify(xml: &str, sig: &Signature) -> bool {
    sig.digest == digest(xml) && covers(&sig.signature, &sig.digest)
}

/// Whether an e-ID signature (base64) covers the SHA-256 `digest_hex`: BankID's signature XML,
/// directly or from an OIDC broker's `userSignature`, carries the signed hash as
/// `usrNonVisibleData` (base64 of its 32 bytes).
pub fn covers(signature_b64: &str, digest_hex: &str) -> bool {
    let Ok(hash) = hex::decode(digest_hex) else {
        return false;
    };
    let signed = base64::engine::general_purpose::STANDARD
        .decode(signature_b64.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    signed.contains(&format!(
        "<usrNonVisibleData>{}</usrNonVisibleData>",
        b64(&hash)
    ))
}

pub async fn signature_state(state: &AppState, s: &Submission) -> Result<SignatureState, Error> {
    let sigs = state.store.signatures_of(&s.id).await?;
    let cosigners = state.store.cosigners_of(&s.id).await?;
    if s.status == SubmissionStatus::Aterkallad {
        return Ok(SignatureState::Withdrawn);
    }
    if sigs.is_empty() && cosigners.is_empty() {
        return Ok(SignatureState::Unsigned);
    }
    if sigs.iter().any(|g| !verify(&s.xml, g)) {
        return Ok(SignatureState::Invalid);
    }
    let missing: Vec<Cosigner> = cosigners
        .into_iter()
        .filter(|c| !sigs.iter().any(|g| g.signer_pnr == c.pnr))
        .collect();
    if missing.is_empty() && !sigs.is_empty() {
        return Ok(SignatureState::Signed(sigs));
    }
    let now = chrono::Utc::now();
    if s.status == SubmissionStatus::Utgangen || missing.iter().any(|c| c.deadline < now) {
        return Ok(SignatureState::Expired);
    }
    Ok(SignatureState::Waiting(sigs, missing))
}

/// The applicant withdraws a submission that still waits for signatures.
pub async fn withdraw(state: &AppState, s: &Submission) -> Result<(), Error> {
    if s.status != SubmissionStatus::VantarPaUnderskrift {
        return Err(Error::refused(
            StatusCode::CONFLICT,
            Texts::new("Ansökan kan inte återkallas här", "The application cannot be withdrawn here"),
            Texts::new(
                "Bara en ansökan som väntar på underskrift kan återkallas. Kontakta kommunen.",
                "Only an application waiting for signatures can be withdrawn. Contact the municipality.",
            ),
        ));
    }
    state
        .store
        .set_status(&s.id, SubmissionStatus::Aterkallad, None)
        .await?;
    Ok(())
}
