//! The signing area: the pages where signatures start (the applicant's "sign and send", a
//! co-signer's invitation), the receipt's block of who has signed, and withdrawing. What a
//! signature means and when a submission is complete is `crate::submission::signing`.

use crate::app::AppState;
use crate::auth::bankid::client::{OrderRequest, Requirement};
use crate::error::{Error, Result, Texts};
use crate::store::{Cosigner, MailState, Session, Signature, SignatureRole, Submission};
use crate::submission::signing::{
    b64, digest, refused, signature_state, visible_summary, Pending, SignatureState,
};
use crate::submission::SubmissionStatus;
use crate::web::{redirect, CheckedForm, OwnedSubmission};
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Router};
use blankett_compiler::eval::signers::LoggedIn;
use blankett_compiler::eval::Outcome;
use blankett_compiler::ir::Form;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/underskrift/{invite}", get(invite).post(cosign))
        .route("/mina-sidor/inlamning/{id}/aterkalla", post(withdraw))
}

/// The check page's "sign and send": the person signs the submission before it is stored.
/// `lang` is the language the form was filled in, kept for the co-signers' invitation mails.
pub async fn start_applicant(
    state: &AppState,
    session: &Session,
    form: &Form,
    outcome: &Outcome,
    submission: Submission,
    base: &str,
    lang: &str,
) -> Result {
    let Some(pnr) = session.person_pnr.clone() else {
        return Err(Error::LogInFirst {
            to: crate::auth::login_url(state, &format!("{base}/kontrollera")),
        });
    };
    let hash = digest(&submission.xml);
    let me = LoggedIn::new(&pnr, session.person_name.as_deref().unwrap_or_default());
    let cosigners = crate::submission::signers::cosigners(form, outcome, &me)
        .into_iter()
        .map(|d| d.personnummer)
        .collect();
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
    begin(state, session, form, outcome, pending).await
}

/// Starts the signature `pending` describes with the configured e-ID: the signer, bound by
/// personnummer, signs the SHA-256 of the XML (`pending.digest`) under a readable summary of
/// the answers, and comes back to `pending.back` when it is done or fails.
async fn begin(
    state: &AppState,
    session: &Session,
    form: &Form,
    outcome: &Outcome,
    pending: Pending,
) -> Result {
    if crate::auth::oidc_sign::chosen(state) {
        let message = crate::auth::oidc_sign::sign_message(form, outcome);
        return crate::auth::oidc_sign::begin(state, session, pending, message).await;
    }
    let digest = hex::decode(&pending.digest)
        .map_err(|e| Error::Corrupt(format!("a signature's digest is not hex: {e}")))?;
    let req = OrderRequest {
        end_user_ip: crate::auth::bankid::end_user_ip(crate::client::ClientAddr::current()),
        requirement: Some(Requirement {
            personal_number: Some(pending.signer_pnr.clone()),
            ..Default::default()
        }),
        user_visible_data: Some(b64(visible_summary(form, outcome).as_bytes())),
        user_non_visible_data: Some(b64(&digest)),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
    };
    let back = pending.back.clone();
    crate::auth::bankid::begin(state, session, req, false, &back, Some(pending)).await
}

/// A signature order completed (BankID or the OIDC provider): recorded, then on to the
/// receipt or back to the invitation.
pub async fn finish(
    state: &AppState,
    pending: Pending,
    person: &crate::auth::Person,
    signature_b64: &str,
    ocsp_b64: &str,
) -> Result {
    let to = crate::submission::signing::record_signature(
        state,
        pending,
        person,
        signature_b64,
        ocsp_b64,
    )
    .await?;
    Ok(redirect(&to))
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
pub async fn status_html(state: &AppState, s: &Submission, lang: &str) -> Result<String> {
    let st = signature_state(state, s).await?;
    let due = match crate::submission::signers::of_submission(state, s).await? {
        Some((_, due)) => due,
        None => Vec::new(),
    };
    let role = |pnr: &str| crate::submission::signers::role_label(&due, pnr, lang);
    let mails = state.store.invitation_mails_of(&s.id).await?;
    let local = crate::submission::local_time;
    let mailed = |pnr: &str| {
        mails
            .iter()
            .find(|m| m.pnr == pnr && m.state == MailState::Sent)
            .and_then(|m| m.sent_at)
            .map(local)
    };
    let signer = |g: &Signature| json!({"name": g.signer_name, "at": local(g.signed_at), "role": role(&g.signer_pnr)});
    let (signed, waiting, kind): (Vec<_>, Vec<_>, &str) = match &st {
        SignatureState::Unsigned => return Ok(String::new()),
        SignatureState::Signed(sigs) => (sigs.iter().map(signer).collect(), vec![], "signed"),
        SignatureState::Waiting(sigs, missing) => (
            sigs.iter().map(signer).collect(),
            missing
                .iter()
                .map(|c| {
                    let name = due
                        .iter()
                        .find(|d| d.personnummer == c.pnr)
                        .and_then(|d| d.name.clone());
                    json!({"pnr": pnr_display(&c.pnr), "href": format!("/underskrift/{}", c.invite),
                    "role": role(&c.pnr), "name": name,
                    "deadline": local(c.deadline), "mailed": mailed(&c.pnr)})
                })
                .collect(),
            "waiting",
        ),
        SignatureState::Invalid => (vec![], vec![], "invalid"),
        SignatureState::Withdrawn => (vec![], vec![], "withdrawn"),
        SignatureState::Expired => (vec![], vec![], "expired"),
    };
    Ok(crate::web::render(
        "signatures.html",
        lang,
        json!({"signed": signed, "waiting": waiting, "kind": kind, "id": s.id}),
    ))
}

/// `GET /underskrift/{invite}`: a co-signer reads the answers and is offered to sign.
async fn invite(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(invite): Path<String>,
) -> Result {
    let (c, s, form) = invited(&state, &session, &invite).await?;
    let sigs = state.store.signatures_of(&s.id).await?;
    let done = sigs.iter().any(|g| g.signer_pnr == c.pnr);
    let answers = crate::submission::parse_answers(&s.answers)?;
    let outcome = blankett_compiler::eval::evaluate(&form, &answers, crate::submission::today());
    let sections = crate::submission::shown::sections(&form, &outcome, "sv");
    let method = if crate::auth::oidc_sign::chosen(&state) {
        crate::auth::oidc_sign::provider_name(&state)
    } else {
        "BankID".into()
    };
    let body = crate::web::render(
        "cosign.html",
        "sv",
        json!({"title": format!("Skriv under: {}", form.title.get("sv")), "form_title": form.title.get("sv"),
            "reference": s.reference, "sections": sections, "done": done, "csrf": session.csrf,
            "action": format!("/underskrift/{invite}"), "user": session.person_name,
            "method": method}),
    );
    Ok(crate::web::html_page(body, false))
}

/// The invitation's co-signer, submission and form, when the logged-in person is the one
/// invited and the submission still waits for them.
async fn invited(
    state: &AppState,
    session: &Session,
    invite: &str,
) -> Result<(Cosigner, Submission, std::sync::Arc<Form>)> {
    let c = state
        .store
        .cosigner_by_invite(invite)
        .await?
        .ok_or(Error::NotFound)?;
    let Some(pnr) = &session.person_pnr else {
        return Err(Error::LogInFirst {
            to: crate::auth::login_url(state, &format!("/underskrift/{invite}")),
        });
    };
    if *pnr != c.pnr {
        return Err(refused(
            Texts::new("Inbjudan gäller någon annan", "The invitation is for someone else"),
            Texts::new(
                "Du är inloggad med ett annat personnummer än det ansökan ska skrivas under av. Logga ut och logga in som den som har fått inbjudan.",
                "You are logged in with another personal identity number than the one who is to sign. Log out and log in as the person invited.",
            ),
        ));
    }
    let s = state
        .store
        .submission(&c.submission_id)
        .await?
        .ok_or(Error::NotFound)?;
    match signature_state(state, &s).await? {
        SignatureState::Withdrawn => Err(refused(
            Texts::new(
                "Ansökan är återkallad",
                "The application has been withdrawn",
            ),
            Texts::new(
                "Den som skickade in ansökan har återkallat den. Du behöver inte göra något.",
                "The person who sent the application has withdrawn it. You need not do anything.",
            ),
        )),
        SignatureState::Expired => {
            state
                .store
                .set_status(&s.id, SubmissionStatus::Utgangen, None)
                .await?;
            Err(refused(
                Texts::new(
                    "Tiden för att skriva under har gått ut",
                    "The time to sign has run out",
                ),
                Texts::new(
                    "Ansökan skrevs inte under i tid. Den som skickade in den kan göra en ny ansökan.",
                    "The application was not signed in time. The person who sent it can make a new one.",
                ),
            ))
        }
        SignatureState::Invalid => Err(refused(
            Texts::new(
                "Ansökan kan inte skrivas under",
                "The application cannot be signed",
            ),
            Texts::new(
                "Ansökan stämmer inte med det som skrevs under först. Kontakta kommunen.",
                "The application does not match what was signed first. Contact the municipality.",
            ),
        )),
        _ => {
            let form = crate::submission::form_of_submission(state, &s)
                .await?
                .ok_or(Error::NotFound)?;
            Ok((c, s, form))
        }
    }
}

/// `POST /underskrift/{invite}`: the co-signer signs the same bytes with BankID.
async fn cosign(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(invite): Path<String>,
    _form: CheckedForm,
) -> Result {
    let (c, s, form) = invited(&state, &session, &invite).await?;
    let answers = crate::submission::parse_answers(&s.answers)?;
    let outcome = blankett_compiler::eval::evaluate(&form, &answers, crate::submission::today());
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
    begin(&state, &session, &form, &outcome, pending).await
}

/// `POST /mina-sidor/inlamning/{id}/aterkalla`: the applicant withdraws a submission that
/// still waits for signatures.
async fn withdraw(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    OwnedSubmission(s): OwnedSubmission,
    _form: CheckedForm,
) -> Result {
    if session.person_pnr.is_none() {
        return Err(Error::NotFound);
    }
    crate::submission::signing::withdraw(&state, &s).await?;
    Ok(redirect("/mina-sidor"))
}
