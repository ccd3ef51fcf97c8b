//! The whole chain over SHS: a citizen's submission through the journey goes out as an SHS
//! message (label, the case as ERMS, the submission XML) to the test mailbox, which shows the
//! mapped case; the case number it answers comes back and is on Mina sidor. And a submission
//! changed after it was signed is never delivered.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use blankett_runtime::outbox::{DeliveryConfig, Target};
use blankett_runtime::shs::Message;
use blankett_runtime::store::SignatureRole;
use blankett_runtime::submission::SubmissionStatus;
use blankett_runtime::test_mailbox::{self as mailbox, Mailbox};
use std::time::Duration;
use support::{app_with, fill_felanmalan_anonymously, Client};

async fn mailbox() -> (String, std::sync::Arc<Mailbox>) {
    let dir = std::env::temp_dir().join(format!("blankett-mb-{}", uuid::Uuid::new_v4()));
    let mb = Mailbox::open(&dir, Some("brevladans-nyckel".into())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(mailbox::serve(listener, mb.clone()));
    (url, mb)
}

fn delivery_to(url: &str) -> DeliveryConfig {
    DeliveryConfig {
        backoff_base_ms: 5,
        backoff_cap_ms: 200,
        poll_ms: 10,
        canary_interval_seconds: 0,
        replies_interval_seconds: 1,
        targets: vec![Target {
            replies: true,
            replies_token: Some("brevladans-nyckel".into()),
            ..Target::new("diariet", "shs", url, "urn:X-shs:2120001439")
        }],
        ..DeliveryConfig::default()
    }
}

/// Waits for `done`, polling; a hang fails after a minute rather than passing slowly.
async fn eventually<F: AsyncFnMut() -> bool>(what: &str, mut done: F) {
    for _ in 0..600 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen");
}

#[tokio::test]
async fn a_submission_reaches_the_mailbox_as_a_case_and_its_case_number_reaches_mina_sidor() {
    let (url, mb) = mailbox().await;
    let (router, state) = app_with(|c| c.delivery = delivery_to(&url)).await;
    state.outbox.clone().expect("an outbox").spawn();
    let mut c = Client::new(router);
    c.login("198112289874").await;
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let res = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    let receipt = res.location.expect("a receipt");
    let id = receipt.rsplit('/').next().unwrap().to_string();

    eventually("delivery to the mailbox", async || {
        !mb.received().is_empty()
    })
    .await;
    let (tx, _, bytes) = mb.received().remove(0);
    let message = Message::parse(&bytes).expect("an SHS message");
    let from = message.label.from.as_ref().expect("a sender");
    assert_eq!(from.address.to_string(), "urn:X-shs:2120001439");
    assert_eq!(message.label.corr_id.to_string(), id);
    let case = String::from_utf8(message.parts[0].body.clone()).unwrap();
    assert!(case.contains("https://DILCIS.eu/XML/ERMS"), "{case}");
    assert!(
        case.contains("Felanmälan: Gata, gång- eller cykelväg"),
        "{case}"
    );
    assert!(String::from_utf8_lossy(&message.parts[1].body).contains("Stort hål i asfalten"));

    // The mailbox's page shows the mapped case.
    let page = reqwest::get(format!("{url}/m/{tx}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Felanmälan: Gata, gång- eller cykelväg"),
        "{page}"
    );

    mb.answer(&tx, "KS 2026/417").unwrap();
    eventually("the case number back", async || {
        let s = state.store.submission(&id).await.unwrap().unwrap();
        s.case_number.as_deref() == Some("KS 2026/417")
    })
    .await;
    let mina = c.get("/mina-sidor").await;
    assert!(
        mina.body.contains("KS 2026&#x2f;417") || mina.body.contains("KS 2026/417"),
        "{}",
        mina.body
    );
}

/// Stores a felanmälan submission whose XML is `stored_xml`, signed by the applicant over
/// `signed_xml` with a signature as BankID's (its XML names the SHA-256 of what was signed).
async fn store_signed(
    state: &blankett_runtime::app::AppState,
    stored_xml: &str,
    signed_xml: &str,
) -> blankett_runtime::store::Submission {
    use base64::Engine;
    use blankett_runtime::store::{NewSubmission, Signature, Submission};
    use sha2::Digest;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let stored = state
        .store
        .submit(NewSubmission {
            submission: Submission {
                id: uuid::Uuid::new_v4().to_string(),
                reference: String::new(),
                draft_id: uuid::Uuid::new_v4().to_string(),
                owner: "pnr:198112289874".into(),
                kommun: "orust".into(),
                form: "felanmalan".into(),
                form_version: "1.0.0".into(),
                form_hash: "x".into(),
                answers: "{}".into(),
                xml: stored_xml.into(),
                json: "{}".into(),
                status: SubmissionStatus::Mottagen,
                case_number: None,
                submitted_at: chrono::Utc::now(),
            },
            reference_prefix: "OFEL".into(),
            year: 2026,
            delivery_targets: vec!["diariet".into()],
            attachments: Vec::new(),
        })
        .await
        .unwrap();
    let signed = format!(
        "<Signature><bankIdSignedData><usrNonVisibleData>{}</usrNonVisibleData></bankIdSignedData></Signature>",
        b64(&sha2::Sha256::digest(signed_xml.as_bytes()))
    );
    state
        .store
        .put_signature(&Signature {
            id: uuid::Uuid::new_v4().to_string(),
            submission_id: stored.id.clone(),
            role: SignatureRole::Applicant,
            signer_pnr: "198112289874".into(),
            signer_name: "Anna Andersson".into(),
            digest: blankett_runtime::submission::signing::digest(signed_xml),
            signature: b64(signed.as_bytes()),
            ocsp_response: b64(b"\x30\x03\x0a\x01\x00"),
            signed_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    stored
}

#[tokio::test]
async fn a_submission_changed_after_it_was_signed_is_a_dead_letter_not_a_delivery() {
    let (url, mb) = mailbox().await;
    let (_, state) = app_with(|c| c.delivery = delivery_to(&url)).await;
    let signed_xml = "<inlamning><beskrivning>Som det skrevs under</beskrivning></inlamning>";
    // What is stored now is not what was signed.
    let changed = signed_xml.replace("Som det skrevs under", "Ändrat efteråt");
    store_signed(&state, &changed, signed_xml).await;
    state.outbox.clone().expect("an outbox").spawn();
    eventually("the dead letter", async || {
        !state.store.dead_deliveries(10).await.unwrap().is_empty()
    })
    .await;
    let dead = state.store.dead_deliveries(10).await.unwrap();
    let why = dead[0].last_error.clone().unwrap_or_default();
    assert!(why.contains("changed after signing"), "{why}");
    assert!(mb.received().is_empty(), "nothing reached the case system");
}

#[tokio::test]
async fn a_signed_submission_goes_out_with_its_signature_and_ocsp_response() {
    let (url, mb) = mailbox().await;
    let (_, state) = app_with(|c| c.delivery = delivery_to(&url)).await;
    let xml = "<inlamning><beskrivning>Underskriven</beskrivning></inlamning>";
    let stored = store_signed(&state, xml, xml).await;
    state.outbox.clone().expect("an outbox").spawn();
    eventually("delivery to the mailbox", async || {
        !mb.received().is_empty()
    })
    .await;
    let (_, _, bytes) = mb.received().remove(0);
    let message = Message::parse(&bytes).expect("an SHS message");
    let part = |kind: &str| {
        message
            .parts
            .iter()
            .find(|p| p.datapart_type == kind)
            .unwrap_or_else(|| panic!("no `{kind}` part in {:?}", message.parts))
    };
    let signature = part("underskrift");
    assert!(String::from_utf8_lossy(&signature.body).contains("<usrNonVisibleData>"));
    assert_eq!(
        signature.filename.as_deref(),
        Some(format!("{}.underskrift-1-applicant.xml", stored.reference).as_str())
    );
    let ocsp = part("ocsp");
    assert_eq!(ocsp.content_type, "application/ocsp-response");
    assert_eq!(ocsp.body, b"\x30\x03\x0a\x01\x00");
}

#[tokio::test]
async fn the_canary_reaches_the_mailbox_as_a_test_message() {
    let (url, mb) = mailbox().await;
    let (_, state) = app_with(|c| c.delivery = delivery_to(&url)).await;
    let outbox = state.outbox.clone().expect("an outbox");
    let result = outbox.canary("diariet").await.expect("the target exists");
    assert!(result.ok, "{:?}", result.detail);
    let (_, _, bytes) = mb.received().remove(0);
    let message = Message::parse(&bytes).expect("an SHS message");
    assert_eq!(
        message.label.status,
        blankett_runtime::shs::label::Status::Test
    );
}
