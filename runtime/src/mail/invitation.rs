//! Invitations to co-sign, by e-mail. Queued in the store when a submission starts waiting
//! (`queue`), sent by the sender (`send_due`): one mail per co-signer whose e-mail address the
//! form names (`guardians:` in the form), in the language the form was filled in.
//!
//! A mail carries as little personal data as it can: the kommun, the e-service's title, the
//! applicant's name (as their e-ID gave it), the link and the deadline. Never a personnummer
//! and never an answer: those are read after logging in, through the link.

use crate::app::AppState;
use crate::store::{FinishedMail, InvitationMail, MailState, SignatureRole, Submission};
use crate::submission::SubmissionStatus;
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use serde::Serialize;
use std::collections::BTreeMap;

/// Queues an invitation mail to every co-signer of `s` with an e-mail address in the answers.
/// Called once the submission is stored waiting with its co-signers; does nothing without
/// `[smtp]`. A failure here is logged and leaves the links, which always work.
pub async fn queue(state: &AppState, s: &Submission, lang: &str) {
    let Some(mailer) = &state.mailer else {
        return;
    };
    let form = match crate::submission::form_of_submission(state, s).await {
        Ok(Some(form)) => form,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, submission = %s.id, "invitation mails: cannot read the form");
            return;
        }
    };
    let answers = match crate::submission::parse_answers(&s.answers) {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, submission = %s.id, "invitation mails: cannot read the answers");
            return;
        }
    };
    let outcome = blankett_compiler::eval::evaluate(&form, &answers, crate::submission::today());
    let signatures = match state.store.signatures_of(&s.id).await {
        Ok(g) => g,
        Err(e) => {
            tracing::error!(error = %e, submission = %s.id, "invitation mails: cannot read the signatures");
            return;
        }
    };
    let applicant = crate::submission::signers::applicant_of(&signatures);
    let emails: BTreeMap<String, String> =
        crate::submission::signers::due(&form, &outcome, &applicant)
            .into_iter()
            .filter_map(|d| Some((d.personnummer, d.email?)))
            .collect();
    let cosigners = match state.store.cosigners_of(&s.id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, submission = %s.id, "invitation mails: cannot read the co-signers");
            return;
        }
    };
    let now = chrono::Utc::now();
    let lang = if lang == "en" { "en" } else { "sv" };
    for c in cosigners {
        let Some(email) = emails.get(&c.pnr) else {
            continue;
        };
        let m = InvitationMail {
            id: uuid::Uuid::new_v4().to_string(),
            submission_id: s.id.clone(),
            pnr: c.pnr.clone(),
            email: email.clone(),
            lang: lang.into(),
            state: MailState::Queued,
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            sent_at: None,
            created_at: now,
        };
        if let Err(e) = state.store.queue_invitation_mail(&m).await {
            tracing::error!(error = %e, submission = %s.id, "invitation mails: cannot queue an invitation");
        }
    }
    mailer.wake();
}

/// Sends the invitation mails due at `now`, each once; returns how many it tried.
pub async fn send_due(state: &AppState, now: chrono::DateTime<chrono::Utc>) -> usize {
    let Some(mailer) = state.mailer.clone() else {
        return 0;
    };
    // Longer than a send may take (the transport's timeout is 30 s).
    let lease = now + chrono::Duration::minutes(5);
    let claimed = match state.store.claim_invitation_mails(now, lease, 16).await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "invitation mails: cannot claim");
            return 0;
        }
    };
    let n = claimed.len();
    for m in claimed {
        let (state_now, error) = attempt(state, &mailer, &m, now).await;
        let next = match state_now {
            MailState::Queued => {
                let wait = crate::outbox::backoff(m.attempts, 60_000, 3_600_000);
                now + chrono::Duration::from_std(wait).unwrap_or_default()
            }
            _ => now,
        };
        if let Some(e) = &error {
            tracing::warn!(submission = %m.submission_id, attempt = m.attempts, outcome = %state_now,
                error = %redacted(e), "invitation mail not sent");
        } else if state_now == MailState::Sent {
            tracing::info!(submission = %m.submission_id, "invitation mail sent");
        }
        let finished = FinishedMail {
            id: m.id.clone(),
            state: state_now,
            next_attempt_at: next,
            error,
            at: chrono::Utc::now(),
        };
        if let Err(e) = state.store.finish_invitation_mail(&finished).await {
            tracing::error!(error = %e, submission = %m.submission_id, "invitation mails: cannot record an attempt");
        }
    }
    n
}

/// One attempt: the mail's next state and the error.
async fn attempt(
    state: &AppState,
    mailer: &super::Mailer,
    m: &InvitationMail,
    now: chrono::DateTime<chrono::Utc>,
) -> (MailState, Option<String>) {
    let store = &state.store;
    let s = match store.submission(&m.submission_id).await {
        Ok(Some(s)) => s,
        Ok(None) => return (MailState::Cancelled, None),
        Err(e) => return (MailState::Queued, Some(e.to_string())),
    };
    let cosigner = match store.cosigners_of(&s.id).await {
        Ok(c) => c.into_iter().find(|c| c.pnr == m.pnr),
        Err(e) => return (MailState::Queued, Some(e.to_string())),
    };
    let signatures = match store.signatures_of(&s.id).await {
        Ok(s) => s,
        Err(e) => return (MailState::Queued, Some(e.to_string())),
    };
    // Signed, withdrawn or expired meanwhile: nothing to invite to any more.
    let Some(cosigner) = cosigner.filter(|c| {
        s.status == SubmissionStatus::VantarPaUnderskrift
            && c.deadline > now
            && !signatures.iter().any(|g| g.signer_pnr == c.pnr)
    }) else {
        return (MailState::Cancelled, None);
    };
    let applicant = signatures
        .iter()
        .find(|g| g.role == SignatureRole::Applicant)
        .map(|g| g.signer_name.clone());
    let reg = state.registry();
    let kommun = reg.kommuner.get(&s.kommun).map(|k| &k.branding);
    let form = match crate::submission::form_of_submission(state, &s).await {
        Ok(form) => form,
        Err(e) => return (MailState::Queued, Some(e.to_string())),
    };
    let invitation = Invitation {
        en: m.lang == "en",
        kommun: kommun.map(|k| k.name.clone()).unwrap_or_default(),
        title: form
            .as_ref()
            .map(|f| f.title.get(&m.lang).to_string())
            .unwrap_or_default(),
        applicant,
        link: format!(
            "{}/underskrift/{}",
            mailer.config.public_url.trim_end_matches('/'),
            cosigner.invite
        ),
        deadline: crate::submission::local_time(cosigner.deadline),
        contact: kommun.and_then(|k| k.contact_email.clone().or(k.contact_phone.clone())),
    };
    let message = match compose(&mailer.config.from, &m.email, &invitation) {
        Ok(message) => message,
        Err(e) => return (MailState::Dead, Some(e)),
    };
    match mailer.send(message).await {
        Ok(()) => (MailState::Sent, None),
        Err(e) if m.attempts >= mailer.config.attempt_limit => (MailState::Dead, Some(e)),
        Err(e) => (MailState::Queued, Some(e)),
    }
}

/// What an invitation says.
#[derive(Serialize, Debug, Clone)]
pub struct Invitation {
    pub en: bool,
    pub kommun: String,
    pub title: String,
    /// The applicant's name as their e-ID gave it.
    pub applicant: Option<String>,
    pub link: String,
    pub deadline: String,
    /// The kommun's e-mail address or phone number, for "this is not mine".
    pub contact: Option<String>,
}

/// The invitation's templates. They are built in and a unit test renders them; were one ever
/// broken, `render` says so for each mail (a dead mail with the reason), nothing panics.
fn templates() -> Result<minijinja::Environment<'static>, String> {
    let mut env = minijinja::Environment::new();
    // `.html` is autoescaped (minijinja's default by file name); `.txt` is not.
    env.add_template("invitation.txt", include_str!("templates/invitation.txt"))
        .map_err(|e| format!("the invitation's text template: {e}"))?;
    env.add_template("invitation.html", include_str!("templates/invitation.html"))
        .map_err(|e| format!("the invitation's HTML template: {e}"))?;
    Ok(env)
}

/// The subject, the plain text and the HTML of an invitation.
pub fn render(i: &Invitation) -> Result<(String, String, String), String> {
    let env = templates()?;
    let text = env
        .get_template("invitation.txt")
        .and_then(|t| t.render(i))
        .map_err(|e| e.to_string())?;
    let html = env
        .get_template("invitation.html")
        .and_then(|t| t.render(i))
        .map_err(|e| e.to_string())?;
    let subject = if i.en {
        format!("Please sign: {}", i.title)
    } else {
        format!("Skriv under: {}", i.title)
    };
    Ok((subject, text, html))
}

/// The mail: plain text and HTML alternatives, from the configured sender (named after the
/// kommun when the configuration gives no name).
pub fn compose(from: &str, to: &str, i: &Invitation) -> Result<Message, String> {
    let mut from: Mailbox = from
        .parse()
        .map_err(|e| format!("[smtp] `from` is not an address: {e}"))?;
    if from.name.is_none() && !i.kommun.is_empty() {
        from.name = Some(i.kommun.clone());
    }
    let to: lettre::Address = to
        .trim()
        .parse()
        .map_err(|_| "the co-signer's e-mail address is not valid".to_string())?;
    let (subject, text, html) = render(i)?;
    use lettre::message::header::{HeaderName, HeaderValue};
    // RFC 3834: sent by a program, so vacation replies and the like are not sent back.
    let auto = HeaderValue::new(
        HeaderName::new_from_ascii_str("Auto-Submitted"),
        "auto-generated".into(),
    );
    Message::builder()
        .from(from)
        .to(Mailbox::new(None, to))
        .subject(subject)
        .raw_header(auto)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())
}

/// An error for the log, without the e-mail addresses relays like to quote.
fn redacted(e: &str) -> String {
    e.split(' ')
        .map(|w| if w.contains('@') { "<address>" } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invitation(en: bool) -> Invitation {
        Invitation {
            en,
            kommun: "Orusts kommun".into(),
            title: "Förskola <script>alert(1)</script> & fritids".into(),
            applicant: Some("Maria \"Mia\" Larsson".into()),
            link: "https://etjanster.orust.se/underskrift/abc".into(),
            deadline: "2026-12-13 10:00".into(),
            contact: Some("kommunen@orust.se".into()),
        }
    }

    #[test]
    fn the_html_is_escaped_and_the_text_is_not() {
        let (subject, text, html) = render(&invitation(false)).unwrap();
        assert_eq!(
            subject,
            "Skriv under: Förskola <script>alert(1)</script> & fritids"
        );
        assert!(text.contains("”Förskola <script>alert(1)</script> & fritids”"));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; fritids"));
        assert!(html.contains("Maria &quot;Mia&quot; Larsson"), "{html}");
    }

    #[test]
    fn a_header_cannot_be_injected_through_the_address() {
        let e = compose(
            "e-tjanster@orust.se",
            "anna@example.se\r\nBcc: mallory@example.se",
            &invitation(true),
        )
        .unwrap_err();
        assert!(e.contains("not valid"), "{e}");
        let m = compose("e-tjanster@orust.se", "anna@example.se", &invitation(true)).unwrap();
        let raw = String::from_utf8(m.formatted()).unwrap();
        assert!(
            raw.contains("From: \"Orusts kommun\" <e-tjanster@orust.se>"),
            "{raw}"
        );
        assert!(raw.contains("To: anna@example.se"), "{raw}");
        assert!(raw.contains("Auto-Submitted: auto-generated"), "{raw}");
    }
}
