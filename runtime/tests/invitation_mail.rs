//! Co-signers' invitations by e-mail, against a real SMTP server: aiosmtpd (Debian's
//! `python3-aiosmtpd`, `tests/fixtures/smtp_sink.py`) on a free loopback port, which saves each
//! message as Python's e-mail parser reads it. A barnomsorg submission with two guardians
//! mails the other guardian the link and the deadline, and no personnummer or answers; a
//! relay that is down at first gets the mail on a later attempt; without `[smtp]` nothing is
//! queued; STARTTLS and implicit TLS reach a relay whose certificate is from its own CA (made
//! with `openssl`) only when `ca` names it, and a relay that demands STARTTLS refuses `none`. Without aiosmtpd the tests are skipped, except under `CI=true`, where they fail.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_runtime::app::AppState;
use blankett_runtime::auth::bankid::simulator::Simulator;
use blankett_runtime::config::{BankIdConfig, Config};
use blankett_runtime::mail::{invitation, Mailer, SmtpConfig, SmtpTls};
use blankett_runtime::store::MailState;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use support::{app_with, csrf_of, draft, Client};

const MARIA: &str = "199001012385";
const ANNA: &str = "198112289874";
const ANNA_MAIL: &str = "anna.larsson@example.se";
const PUBLIC_URL: &str = "https://etjanster.orust.se";

/// The python that has aiosmtpd (Debian's, which pyenv and the like may shadow on `PATH`).
fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// aiosmtpd, or `None` to skip; under CI a missing server is a failure, never a skip.
fn python_or_skip() -> Option<&'static str> {
    let p = python();
    if p.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "aiosmtpd is missing: install python3-aiosmtpd (scripts/setup.sh does)"
        );
        eprintln!("skipped: aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
    }
    p
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The SMTP server, stopped when dropped.
struct Sink {
    child: Child,
    dir: PathBuf,
}

impl Sink {
    fn start(python: &str, port: u16) -> Sink {
        Sink::start_with(python, port, &[])
    }

    /// With `["starttls" | "tls", cert, key]`: a relay that wants TLS.
    fn start_with(python: &str, port: u16, tls: &[&str]) -> Sink {
        let dir = std::env::temp_dir().join(format!("blankett-smtp-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .arg(port.to_string())
            .arg(&dir)
            .args(tls)
            .stdout(Stdio::piped())
            // A refused TLS handshake is a traceback there: expected, and only noise.
            .stderr(if tls.is_empty() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .unwrap();
        // The script prints `ready` once the server listens.
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        Sink { child, dir }
    }

    /// The messages received so far, as the sink's parser read them.
    fn messages(&self) -> Vec<serde_json::Value> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                out.push(serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap());
            }
        }
        out
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(port),
        tls: SmtpTls::None,
        from: "e-tjanster@orust.se".into(),
        username: None,
        password: None,
        ca: None,
        public_url: PUBLIC_URL.into(),
        attempt_limit: 12,
        poll_seconds: 1,
    }
}

async fn setup(smtp: Option<SmtpConfig>) -> (axum::Router, AppState, Simulator) {
    let sim = Simulator::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rp/v6.0/", listener.local_addr().unwrap());
    let r = sim.router();
    tokio::spawn(async move { axum::serve(listener, r).await.unwrap() });
    let (router, state) = app_with(|c: &mut Config| {
        c.bankid = Some(BankIdConfig {
            environment: url,
            certificate: None,
            ca: None,
        });
        c.smtp = smtp;
    })
    .await;
    (router, state, sim)
}

/// Maria applies for barnomsorg (the form's second test case) with Anna as the second
/// guardian, signs, and gets the receipt; returns the submission id and Anna's invitation path.
async fn apply(c: &mut Client, state: &AppState, sim: &Simulator, lang: &str) -> (String, String) {
    c.login(MARIA).await;
    draft(
        state,
        "barnomsorg",
        1,
        MARIA,
        &[
            ("vardnadshavare_1.person.personnummer", "19900101-2385"),
            ("vardnadshavare_2.person.personnummer", "19811228-9874"),
            ("vardnadshavare_2.kontakt.epost", ANNA_MAIL),
        ],
    )
    .await;
    let check = c
        .get(&format!("/orust/barnomsorg/kontrollera?lang={lang}"))
        .await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let token = csrf_of(&check.body).unwrap();
    let r = c
        .post(
            &format!("/orust/barnomsorg/kontrollera?lang={lang}"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let waiting = r.location.unwrap();
    let id = waiting.rsplit('/').next().unwrap();
    let order = state.store.eid_order(id).await.unwrap().unwrap();
    let data: serde_json::Value = serde_json::from_str(&order.data).unwrap();
    assert!(sim.complete(
        data["order_ref"].as_str().unwrap(),
        MARIA,
        "Maria",
        "Larsson"
    ));
    let done = c.get(&waiting).await;
    let receipt = done.location.unwrap();
    assert!(
        receipt.starts_with("/orust/barnomsorg/kvitto/"),
        "{receipt}"
    );
    let page = c.get(&receipt).await;
    let body = page.body.replace("&#x2f;", "/");
    let start = body.find("/underskrift/").expect("an invitation link");
    let invite = body[start..].split('"').next().unwrap().to_string();
    (receipt.rsplit('/').next().unwrap().to_string(), invite)
}

/// No personnummer in any form, nor the answers' names and addresses.
fn assert_no_personal_data(text: &str) {
    for pnr in [MARIA, ANNA, "20220315-9849", "202203159849"] {
        let dashed = format!("{}-{}", &pnr[..8], &pnr[8..]);
        assert!(
            !text.contains(pnr) && !text.contains(&dashed) && !text.contains(&pnr[2..]),
            "a personnummer in the mail: {text}"
        );
    }
    for answer in ["Elsa", "Solros", "maria.andersson@example.se"] {
        assert!(
            !text.contains(answer),
            "an answer ({answer}) in the mail: {text}"
        );
    }
}

#[tokio::test]
async fn the_other_guardian_is_mailed_the_link_and_the_deadline() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let port = free_port();
    let sink = Sink::start(python, port);
    let (router, state, sim) = setup(Some(smtp(port))).await;
    // The sender as `serve` runs it: woken by the new invitation.
    Mailer::spawn(&state);
    let mut maria = Client::new(router);
    let (id, invite) = apply(&mut maria, &state, &sim, "sv").await;

    let mut sent = Vec::new();
    for _ in 0..300 {
        sent = state.store.invitation_mails_of(&id).await.unwrap();
        if sent.iter().all(|m| m.state == MailState::Sent) && !sent.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(sent.len(), 1, "one co-signer, one invitation: {sent:?}");
    assert_eq!(sent[0].state, MailState::Sent, "{sent:?}");
    assert_eq!(sent[0].pnr, ANNA);
    assert!(sent[0].sent_at.is_some(), "recorded as sent");
    let receipt = maria.get(&format!("/orust/barnomsorg/kvitto/{id}")).await;
    assert!(
        receipt.body.contains("inbjudan skickad med e-post"),
        "the receipt says the invitation was mailed: {}",
        receipt.body
    );

    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!([ANNA_MAIL]));
    assert_eq!(m["to"], ANNA_MAIL);
    assert_eq!(m["mail_from"], "e-tjanster@orust.se");
    assert!(
        m["from"].as_str().unwrap().contains("Orusts kommun"),
        "{}",
        m["from"]
    );
    assert_eq!(m["content_type"], "multipart/alternative");
    let subject = m["subject"].as_str().unwrap();
    assert_eq!(
        subject,
        "Skriv under: Ansökan om plats i förskola eller fritidshem"
    );
    let link = format!("{PUBLIC_URL}{invite}");
    let text = m["text"].as_str().unwrap();
    let html = m["html"].as_str().unwrap();
    assert!(text.contains(&link), "the link in the text: {text}");
    assert_eq!(
        m["html_links"],
        serde_json::json!([link]),
        "the link in the HTML: {html}"
    );
    assert!(
        text.contains("Maria Larsson har skickat in till Orusts kommun"),
        "{text}"
    );
    let cosigner = state.store.cosigners_of(&id).await.unwrap().remove(0);
    let deadline = blankett_runtime::submission::local_time(cosigner.deadline);
    assert!(
        text.contains(&format!("Skriv under senast {deadline}")),
        "{text}"
    );
    assert!(html.contains(&deadline));
    for part in [subject, text, html, m["raw"].as_str().unwrap()] {
        assert_no_personal_data(part);
    }
}

#[tokio::test]
async fn a_relay_that_is_down_gets_the_mail_on_a_later_attempt() {
    let Some(python) = python_or_skip() else {
        return;
    };
    // Nothing listens on the port yet.
    let port = free_port();
    let (router, state, sim) = setup(Some(smtp(port))).await;
    let mut maria = Client::new(router);
    let (id, invite) = apply(&mut maria, &state, &sim, "en").await;
    let r = maria.get(&format!("/orust/barnomsorg/kvitto/{id}")).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the submission is not held up by the mail"
    );

    let now = chrono::Utc::now();
    assert_eq!(invitation::send_due(&state, now).await, 1);
    let queued = state.store.invitation_mails_of(&id).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(
        queued[0].state,
        MailState::Queued,
        "kept for a retry: {queued:?}"
    );
    assert_eq!(queued[0].attempts, 1);
    assert!(queued[0].last_error.is_some());
    assert!(queued[0].sent_at.is_none());
    assert!(queued[0].next_attempt_at > now, "not tried again at once");

    let sink = Sink::start(python, port);
    // Later: backoff is at most an hour.
    let later = now + chrono::Duration::hours(2);
    assert_eq!(invitation::send_due(&state, later).await, 1);
    let sent = state.store.invitation_mails_of(&id).await.unwrap();
    assert_eq!(sent[0].state, MailState::Sent, "{sent:?}");
    assert_eq!(sent[0].attempts, 2);
    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!([ANNA_MAIL]));
    assert_eq!(
        m["subject"], "Please sign: Apply for a place in preschool or school-age childcare",
        "in the language the form was filled in"
    );
    let text = m["text"].as_str().unwrap();
    assert!(text.contains(&format!("{PUBLIC_URL}{invite}")), "{text}");
    assert_no_personal_data(text);
    assert_eq!(
        invitation::send_due(&state, later).await,
        0,
        "sent once, not again"
    );
}

#[tokio::test]
async fn without_smtp_an_invitation_is_a_link_only() {
    let (router, state, sim) = setup(None).await;
    let mut maria = Client::new(router);
    let (id, invite) = apply(&mut maria, &state, &sim, "sv").await;
    assert!(invite.starts_with("/underskrift/"));
    assert!(state
        .store
        .invitation_mails_of(&id)
        .await
        .unwrap()
        .is_empty());
    let receipt = maria.get(&format!("/orust/barnomsorg/kvitto/{id}")).await;
    assert!(!receipt.body.contains("inbjudan skickad med e-post"));
    assert_eq!(invitation::send_due(&state, chrono::Utc::now()).await, 0);
}

/// A CA and a certificate for 127.0.0.1 signed by it, made with `openssl`.
fn relay_certificate() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blankett-smtp-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = r#"set -e
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.crt -days 2 -subj "/CN=relay-ca" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout relay.key -out relay.csr -subj "/CN=relay"
printf "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" > relay.ext
openssl x509 -req -in relay.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out relay.crt -days 2 -extfile relay.ext
"#;
    let ok = Command::new("sh")
        .args(["-c", script])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "openssl could not make the relay's certificate");
    dir
}

fn sample() -> invitation::Invitation {
    invitation::Invitation {
        en: false,
        kommun: "Orusts kommun".into(),
        title: "Ansökan om plats i förskola eller fritidshem".into(),
        applicant: Some("Maria Larsson".into()),
        link: format!("{PUBLIC_URL}/underskrift/abc"),
        deadline: "2026-12-13 10:00".into(),
        contact: None,
    }
}

#[tokio::test]
async fn starttls_and_implicit_tls_reach_a_relay_with_its_own_ca() {
    let Some(python) = python_or_skip() else {
        return;
    };
    let certs = relay_certificate();
    let cert = certs.join("relay.crt");
    let key = certs.join("relay.key");
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    for (mode, tls) in [("starttls", SmtpTls::Starttls), ("tls", SmtpTls::Tls)] {
        let port = free_port();
        let sink = Sink::start_with(python, port, &[mode, cert, key]);
        let message = || invitation::compose("e-tjanster@orust.se", ANNA_MAIL, &sample()).unwrap();
        // The relay's CA is not a public one: refused until the configuration names it.
        let untrusted = Mailer::new(&SmtpConfig { tls, ..smtp(port) }).unwrap();
        assert!(
            untrusted.send(message()).await.is_err(),
            "{mode}: an unknown CA is refused"
        );
        let trusted = Mailer::new(&SmtpConfig {
            tls,
            ca: Some(certs.join("ca.crt")),
            ..smtp(port)
        })
        .unwrap();
        trusted
            .send(message())
            .await
            .unwrap_or_else(|e| panic!("{mode}: {e}"));
        let messages = sink.messages();
        assert_eq!(messages.len(), 1, "{mode}");
        assert_eq!(messages[0]["rcpt_tos"], serde_json::json!([ANNA_MAIL]));
        if mode == "starttls" {
            // A relay that wants STARTTLS does not take a mail sent without it.
            let plain = Mailer::new(&smtp(port)).unwrap();
            assert!(plain.send(message()).await.is_err());
            assert_eq!(sink.messages().len(), 1);
        }
    }
    let _ = std::fs::remove_dir_all(&certs);
}
