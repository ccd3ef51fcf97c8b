//! E-signatures of submissions. `signing: applicant`: the person signs the exact submission XML
//! at the check-answers step, with BankID (`userNonVisibleData` = its SHA-256,
//! `userVisibleData` a readable summary) or through the OIDC provider (`auth::oidc_sign`, the
//! same SHA-256 as `tbs_data`), and only then is it stored. `signing: guardians`: the
//! submission is stored waiting (`vantar_pa_underskrift`) until every guardian the form names
//! by personnummer has logged in, seen the answers and signed the same bytes through their
//! invitation link.
//! [`on_fully_signed`] is the one place a signed submission becomes complete.

use crate::app::AppState;
use crate::auth::bankid::client::{OrderRequest, Requirement};
use crate::auth::Person;
use crate::store::{
    Cosigner, Event, EventKind, MailState, NewSubmission, Session, Signature, SignatureRole,
    Submission,
};
use crate::submission::SubmissionStatus;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use base64::Engine;
use blankett_compiler::eval::Outcome;
use blankett_compiler::ir::{FieldType, Form, Signing};
use serde::{Deserialize, Serialize};
use serde_json::json;
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

/// The guardians the form names in `guardians:` whose fields are shown and answered: each
/// one's personnummer (12 digits) and e-mail address, if the form asks for one and it is given.
pub fn named_guardians(form: &Form, outcome: &Outcome) -> Vec<(String, Option<String>)> {
    let text = |path: &str| match outcome.values.get(path) {
        Some(blankett_compiler::expr::Value::Text(v))
            if outcome.is_visible(path) && !v.trim().is_empty() =>
        {
            Some(v.trim().to_string())
        }
        _ => None,
    };
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for g in &form.guardians {
        let Some(pnr) = text(&g.personnummer) else {
            continue;
        };
        let digits: String = pnr.chars().filter(|c| c.is_ascii_digit()).collect();
        if digits.len() != 12 || out.iter().any(|(p, _)| *p == digits) {
            continue;
        }
        out.push((digits, g.email.as_deref().and_then(text)));
    }
    out
}

/// The personnummer (12 digits) of every guardian the form names: answered, visible
/// `personnummer` fields inside a `vardnadshavare…` group.
pub fn guardians(form: &Form, outcome: &Outcome) -> Vec<String> {
    if !form.guardians.is_empty() {
        // The form says which fields name them (`guardians:`).
        return named_guardians(form, outcome)
            .into_iter()
            .map(|(pnr, _)| pnr)
            .collect();
    }
    let mut out: Vec<String> = Vec::new();
    for f in &form.fields {
        let named = f.path.starts_with("vardnadshavare") && f.path.ends_with(".personnummer");
        if !named || !outcome.is_visible(&f.path) {
            continue;
        }
        if let Some(blankett_compiler::expr::Value::Text(v)) = outcome.values.get(&f.path) {
            let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
            if digits.len() == 12 && !out.contains(&digits) {
                out.push(digits);
            }
        }
    }
    out
}

/// The answers as label/value rows, in the order asked: what a co-signer reads.
pub fn summary_rows(form: &Form, outcome: &Outcome, lang: &str) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for (p, page) in form.pages.iter().enumerate() {
        if !outcome.page_visible.get(p).copied().unwrap_or(false) {
            continue;
        }
        for &id in &page.fields {
            let f = &form.fields[id];
            if !f.kind.is_input() || f.kind == FieldType::Repeat || !outcome.is_visible(&f.path) {
                continue;
            }
            let Some(v) = outcome.values.get(&f.path).filter(|v| !v.is_null()) else {
                continue;
            };
            let shown = blankett_compiler::backend::html::display_value(form, id, v, lang);
            if !shown.is_empty() {
                rows.push((f.label.get(lang).to_string(), shown));
            }
        }
    }
    rows
}

/// What the app shows: the form's title and the answers, in BankID's `simpleMarkdownV1`,
/// cut to stay well inside the 40,000 characters of base64 BankID takes.
pub fn visible_summary(form: &Form, outcome: &Outcome) -> String {
    let strip = |s: &str| s.replace(['*', '#', '+', '\n'], " ");
    let mut text = format!("# {}\n\n", strip(form.title.get("sv")));
    for (k, v) in summary_rows(form, outcome, "sv") {
        let line = format!("*{}*\n{}\n\n", strip(&k), strip(&v));
        if text.len() + line.len() > 24_000 {
            text.push_str("…\n");
            break;
        }
        text.push_str(&line);
    }
    text
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The check page's "sign and send": the person signs the submission before it is stored.
/// `lang` is the language the form was filled in, kept for the co-signers' invitation mails.
#[allow(clippy::too_many_arguments)]
pub async fn start_applicant(
    state: &AppState,
    session: &Session,
    headers: &axum::http::HeaderMap,
    form: &Form,
    outcome: &Outcome,
    submission: Submission,
    base: &str,
    lang: &str,
) -> Response {
    let Some(pnr) = session.person_pnr.clone() else {
        return crate::web::redirect(&crate::auth::login_url(
            state,
            &format!("{base}/kontrollera"),
        ));
    };
    let hash = digest(&submission.xml);
    let cosigners = match form.signing {
        Signing::Guardians => guardians(form, outcome)
            .into_iter()
            .filter(|g| *g != pnr)
            .collect(),
        _ => Vec::new(),
    };
    let pending = Pending {
        role: SignatureRole::Applicant,
        title: form.title.get("sv").to_string(),
        back: format!("{base}/kontrollera"),
        digest: hash,
        signer_pnr: pnr,
        submission: Some(submission),
        reference_prefix: form.reference_prefix.clone(),
        submission_id: None,
        cosigners,
        lang: Some(lang.to_string()),
    };
    begin(state, session, headers, form, outcome, pending).await
}

/// Starts the signature `pending` describes with the configured e-ID: the signer, bound by
/// personnummer, signs the SHA-256 of the XML (`pending.digest`) under a readable summary of
/// the answers, and comes back to `pending.back` when it is done or fails.
async fn begin(
    state: &AppState,
    session: &Session,
    headers: &axum::http::HeaderMap,
    form: &Form,
    outcome: &Outcome,
    pending: Pending,
) -> Response {
    if crate::auth::oidc_sign::chosen(state) {
        let message = crate::auth::oidc_sign::sign_message(form, outcome);
        return crate::auth::oidc_sign::begin(state, session, pending, message).await;
    }
    let req = OrderRequest {
        end_user_ip: crate::auth::bankid::end_user_ip(headers),
        requirement: Some(Requirement {
            personal_number: Some(pending.signer_pnr.clone()),
            ..Default::default()
        }),
        user_visible_data: Some(b64(visible_summary(form, outcome).as_bytes())),
        user_non_visible_data: Some(b64(&hex::decode(&pending.digest).unwrap_or_default())),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
    };
    let back = pending.back.clone();
    match crate::auth::bankid::begin(state, session, req, false, &back, Some(pending)).await {
        Ok(url) => crate::web::redirect(&url),
        Err(e) => crate::auth::bankid::failed_page(&e),
    }
}

pub(crate) fn refused(heading: &str, body: &str) -> Response {
    crate::web::message(StatusCode::FORBIDDEN, "sv", heading, body)
}

/// A signature order completed: store what was signed, and the signature.
pub async fn signed(
    state: &AppState,
    session: &Session,
    pending: Pending,
    person: &Person,
    signature_b64: &str,
    ocsp_b64: &str,
) -> Response {
    if person.pnr != pending.signer_pnr {
        return refused(
            "Underskriften gjordes av någon annan",
            "Den som skriver under måste vara den som är inloggad. Ingenting har skickats in.",
        );
    }
    let signature = |submission_id: &str| Signature {
        id: uuid::Uuid::new_v4().to_string(),
        submission_id: submission_id.to_string(),
        role: pending.role,
        signer_pnr: person.pnr.clone(),
        signer_name: person.name.clone(),
        digest: pending.digest.clone(),
        signature: signature_b64.to_string(),
        ocsp_response: ocsp_b64.to_string(),
        signed_at: chrono::Utc::now(),
    };
    if let Some(mut submission) = pending.submission.clone() {
        // The applicant: the draft must still hold exactly the answers that were signed.
        let draft = state.store.draft(&submission.draft_id).await.ok().flatten();
        if draft.as_ref().map(|d| &d.answers) != Some(&submission.answers) {
            if let Ok(Some(s)) = state.store.submission_by_draft(&submission.draft_id).await {
                return crate::web::redirect(&format!("/{}/{}/kvitto/{}", s.kommun, s.form, s.id));
            }
            return refused(
                "Svaren har ändrats sedan du skrev under",
                "Gå tillbaka till sidan där du kontrollerar dina svar och skriv under igen.",
            );
        }
        submission.status = SubmissionStatus::VantarPaUnderskrift;
        let year = chrono::Utc::now()
            .format("%Y")
            .to_string()
            .parse()
            .unwrap_or(2026);
        let stored = match state
            .store
            .submit(NewSubmission {
                submission,
                reference_prefix: pending.reference_prefix.clone(),
                year,
                // Delivered only once every signature is in: `on_fully_signed` queues it.
                delivery_targets: Vec::new(),
            })
            .await
        {
            Ok(s) => s,
            Err(e) => return crate::web::unavailable(e),
        };
        if let Err(e) = state.store.put_signature(&signature(&stored.id)).await {
            return crate::web::unavailable(e);
        }
        let deadline = chrono::Utc::now() + chrono::Duration::days(state.config.cosign_days.max(1));
        for pnr in &pending.cosigners {
            let c = Cosigner {
                submission_id: stored.id.clone(),
                pnr: pnr.clone(),
                invite: crate::session::token(),
                deadline,
            };
            if let Err(e) = state.store.put_cosigner(&c).await {
                return crate::web::unavailable(e);
            }
        }
        let lang = pending.lang.as_deref().unwrap_or("sv");
        crate::mail::invitation::queue(state, &stored, lang).await;
        state
            .metrics
            .inc("blankett_submissions_total", &[("form", &stored.form)]);
        complete_if_signed(state, &stored).await;
        return crate::web::redirect(&format!(
            "/{}/{}/kvitto/{}",
            stored.kommun, stored.form, stored.id
        ));
    }
    // A co-signer: the submission must still be the bytes they were shown.
    let Some(id) = pending.submission_id.clone() else {
        return crate::web::not_found(state, "sv");
    };
    let Some(s) = state.store.submission(&id).await.ok().flatten() else {
        return crate::web::not_found(state, "sv");
    };
    if s.status != SubmissionStatus::VantarPaUnderskrift || digest(&s.xml) != pending.digest {
        return refused(
            "Ansökan kan inte skrivas under",
            "Ansökan har ändrats, återkallats eller gått ut sedan du öppnade den.",
        );
    }
    if let Err(e) = state.store.put_signature(&signature(&s.id)).await {
        return crate::web::unavailable(e);
    }
    complete_if_signed(state, &s).await;
    let _ = session;
    crate::web::redirect(&pending.back)
}

/// Fires [`on_fully_signed`] when the last signature is in, and only then: the status moves
/// from waiting to received in one conditional update, so it fires once.
async fn complete_if_signed(state: &AppState, s: &Submission) {
    if let SignatureState::Signed(_) = signature_state(state, s).await {
        match state.store.mark_fully_signed(&s.id).await {
            Ok(true) => {
                let mut done = s.clone();
                done.status = SubmissionStatus::Mottagen;
                on_fully_signed(state, &done).await;
            }
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "a fully signed submission could not be marked received")
            }
        }
    }
}

/// Every signature the submission needs is in and matches its XML, and it has just become
/// `mottagen`: it is complete and may be delivered.
///
/// This is the hook the delivery outbox is wired to: call
/// `state.store.enqueue_delivery(&submission.id, targets)` here. It runs once per submission,
/// after the last signature is stored, never before. (A form without `signing` is complete
/// at `Store::submit` and does not come here.)
pub async fn on_fully_signed(state: &AppState, submission: &Submission) {
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
    let _ = state
        .store
        .record(&Event {
            kommun: submission.kommun.clone(),
            form: submission.form.clone(),
            kind: EventKind::FullySigned,
            page: None,
            draft_id: Some(submission.draft_id.clone()),
            at: chrono::Utc::now(),
        })
        .await;
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

pub async fn signature_state(state: &AppState, s: &Submission) -> SignatureState {
    let sigs = state.store.signatures_of(&s.id).await.unwrap_or_default();
    let cosigners = state.store.cosigners_of(&s.id).await.unwrap_or_default();
    if s.status == SubmissionStatus::Aterkallad {
        return SignatureState::Withdrawn;
    }
    if sigs.is_empty() && cosigners.is_empty() {
        return SignatureState::Unsigned;
    }
    if sigs.iter().any(|g| !verify(&s.xml, g)) {
        return SignatureState::Invalid;
    }
    let missing: Vec<Cosigner> = cosigners
        .into_iter()
        .filter(|c| !sigs.iter().any(|g| g.signer_pnr == c.pnr))
        .collect();
    if missing.is_empty() && !sigs.is_empty() {
        return SignatureState::Signed(sigs);
    }
    let now = chrono::Utc::now();
    if s.status == SubmissionStatus::Utgangen || missing.iter().any(|c| c.deadline < now) {
        return SignatureState::Expired;
    }
    SignatureState::Waiting(sigs, missing)
}

fn pnr_display(p: &str) -> String {
    if p.len() == 12 {
        format!("{}-{}", &p[..8], &p[8..])
    } else {
        p.to_string()
    }
}

/// The receipt's and Mina sidor's block: who signed and when, who is still to sign (with
/// their invitation links, for the applicant to pass on), or that the signature is not valid.
pub async fn status_html(state: &AppState, s: &Submission, lang: &str) -> String {
    let st = signature_state(state, s).await;
    let mails = state
        .store
        .invitation_mails_of(&s.id)
        .await
        .unwrap_or_default();
    let mailed = |pnr: &str| {
        mails
            .iter()
            .find(|m| m.pnr == pnr && m.state == MailState::Sent)
            .and_then(|m| m.sent_at)
            .map(crate::mina_sidor::local_time)
    };
    let signer = |g: &Signature| json!({"name": g.signer_name, "at": crate::mina_sidor::local_time(g.signed_at)});
    let (signed, waiting, kind): (Vec<_>, Vec<_>, &str) = match &st {
        SignatureState::Unsigned => return String::new(),
        SignatureState::Signed(sigs) => (sigs.iter().map(signer).collect(), vec![], "signed"),
        SignatureState::Waiting(sigs, missing) => (
            sigs.iter().map(signer).collect(),
            missing
                .iter()
                .map(|c| {
                    json!({"pnr": pnr_display(&c.pnr), "href": format!("/underskrift/{}", c.invite),
                    "deadline": crate::mina_sidor::local_time(c.deadline), "mailed": mailed(&c.pnr)})
                })
                .collect(),
            "waiting",
        ),
        SignatureState::Invalid => (vec![], vec![], "invalid"),
        SignatureState::Withdrawn => (vec![], vec![], "withdrawn"),
        SignatureState::Expired => (vec![], vec![], "expired"),
    };
    crate::web::render(
        "signatures.html",
        lang,
        json!({"signed": signed, "waiting": waiting, "kind": kind, "id": s.id}),
    )
}

/// `GET /underskrift/{invite}`: a co-signer reads the answers and is offered to sign.
pub async fn invite(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(invite): Path<String>,
) -> Response {
    match invited(&state, &session, &invite).await {
        Ok((c, s, form)) => {
            let sigs = state.store.signatures_of(&s.id).await.unwrap_or_default();
            let done = sigs.iter().any(|g| g.signer_pnr == c.pnr);
            let outcome = blankett_compiler::eval::evaluate(
                &form,
                &crate::journey::parse_answers(&s.answers),
                chrono::Local::now().date_naive(),
            );
            let rows: Vec<serde_json::Value> = summary_rows(&form, &outcome, "sv")
                .into_iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect();
            let body = crate::web::render(
                "cosign.html",
                "sv",
                json!({"title": format!("Skriv under: {}", form.title.get("sv")), "form_title": form.title.get("sv"),
                    "reference": s.reference, "rows": rows, "done": done, "csrf": session.csrf,
                    "action": format!("/underskrift/{invite}"), "user": session.person_name,
                    "method": if crate::auth::oidc_sign::chosen(&state) { crate::auth::oidc_sign::provider_name(&state) } else { "BankID".into() }}),
            );
            crate::web::html_page(body, false)
        }
        Err(r) => r,
    }
}

/// The invitation's co-signer, submission and form, when the logged-in person is the one
/// invited and the submission still waits for them.
async fn invited(
    state: &AppState,
    session: &Session,
    invite: &str,
) -> Result<(Cosigner, Submission, std::sync::Arc<Form>), Response> {
    let Some(c) = state.store.cosigner_by_invite(invite).await.ok().flatten() else {
        return Err(crate::web::not_found(state, "sv"));
    };
    let Some(pnr) = &session.person_pnr else {
        return Err(crate::web::redirect(&crate::auth::login_url(
            state,
            &format!("/underskrift/{invite}"),
        )));
    };
    if *pnr != c.pnr {
        return Err(refused(
            "Inbjudan gäller någon annan",
            "Du är inloggad med ett annat personnummer än det ansökan ska skrivas under av. Logga ut och logga in som den som har fått inbjudan.",
        ));
    }
    let Some(s) = state
        .store
        .submission(&c.submission_id)
        .await
        .ok()
        .flatten()
    else {
        return Err(crate::web::not_found(state, "sv"));
    };
    match signature_state(state, &s).await {
        SignatureState::Withdrawn => Err(refused(
            "Ansökan är återkallad",
            "Den som skickade in ansökan har återkallat den. Du behöver inte göra något.",
        )),
        SignatureState::Expired => {
            let _ = state
                .store
                .set_status(&s.id, SubmissionStatus::Utgangen, None)
                .await;
            Err(refused(
                "Tiden för att skriva under har gått ut",
                "Ansökan skrevs inte under i tid. Den som skickade in den kan göra en ny ansökan.",
            ))
        }
        SignatureState::Invalid => Err(refused(
            "Ansökan kan inte skrivas under",
            "Ansökan stämmer inte med det som skrevs under först. Kontakta kommunen.",
        )),
        _ => {
            let form = crate::journey::form_of_submission(state, &s)
                .await
                .ok_or_else(|| crate::web::not_found(state, "sv"))?;
            Ok((c, s, form))
        }
    }
}

/// `POST /underskrift/{invite}`: the co-signer signs the same bytes with BankID.
pub async fn cosign(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(invite): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = crate::web::checked_form(&session, &body) {
        return refused;
    }
    let (c, s, form) = match invited(&state, &session, &invite).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let outcome = blankett_compiler::eval::evaluate(
        &form,
        &crate::journey::parse_answers(&s.answers),
        chrono::Local::now().date_naive(),
    );
    let pending = Pending {
        role: SignatureRole::Guardian,
        title: form.title.get("sv").to_string(),
        back: format!("/underskrift/{invite}"),
        digest: digest(&s.xml),
        signer_pnr: c.pnr.clone(),
        submission: None,
        reference_prefix: String::new(),
        submission_id: Some(s.id.clone()),
        cosigners: vec![],
        lang: None,
    };
    begin(&state, &session, &headers, &form, &outcome, pending).await
}

/// `POST /mina-sidor/inlamning/{id}/aterkalla`: the applicant withdraws a submission that
/// still waits for signatures.
pub async fn withdraw(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refused) = crate::web::checked_form(&session, &body) {
        return refused;
    }
    let Some(s) = state
        .store
        .submission(&id)
        .await
        .ok()
        .flatten()
        .filter(|s| s.owner == crate::session::owner(&session) && session.person_pnr.is_some())
    else {
        return crate::web::not_found(&state, "sv");
    };
    if s.status != SubmissionStatus::VantarPaUnderskrift {
        return crate::web::message(
            StatusCode::CONFLICT,
            "sv",
            "Ansökan kan inte återkallas här",
            "Bara en ansökan som väntar på underskrift kan återkallas. Kontakta kommunen.",
        );
    }
    if let Err(e) = state
        .store
        .set_status(&s.id, SubmissionStatus::Aterkallad, None)
        .await
    {
        return crate::web::unavailable(e);
    }
    crate::web::redirect("/mina-sidor")
}
