//! Pickup: a `shs-pickup` target is not sent to; its receiver fetches the submission's SHS
//! message from the runtime's delivery service (`/shs/ds`), with the same SHS client the
//! runtime uses to fetch replies from a peer, and its acknowledgement is the delivery.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shs_support;
mod support;

use blankett_runtime::outbox::{DeliveryConfig, Target};
use blankett_runtime::shs::client::{ShsClient, ShsClientConfig};
use blankett_runtime::shs::Message;
use blankett_runtime::store::{AttemptOutcome, DeliveryState, SignatureRole};
use blankett_runtime::submission::SubmissionStatus;
use shs_support::{find, reference, xmllint_valid};
use support::{app_with, fill_felanmalan_anonymously, Client};

const ARKIVET: &str = "5565594230";
const ARKIVETS_NYCKEL: &str = "arkivets-hemliga-nyckel-1";
const EKONOMI: &str = "2021005489";
const EKONOMINS_NYCKEL: &str = "ekonomins-hemliga-nyckel-2";

fn pickup_targets() -> DeliveryConfig {
    DeliveryConfig {
        poll_ms: 10,
        canary_interval_seconds: 0,
        targets: vec![
            Target {
                pickup_token: Some(ARKIVETS_NYCKEL.into()),
                forms: vec!["felanmalan".into()],
                ..Target::new("arkivet", "shs-pickup", "", &format!("urn:X-shs:{ARKIVET}"))
            },
            // Another receiver, which gets other forms: it must see none of arkivet's.
            Target {
                pickup_token: Some(EKONOMINS_NYCKEL.into()),
                forms: vec!["ingen-sadan-blankett".into()],
                ..Target::new("ekonomi", "shs-pickup", "", &format!("urn:X-shs:{EKONOMI}"))
            },
        ],
        ..DeliveryConfig::default()
    }
}

/// The label as it is on the wire: the first part of the MIME message, up to its boundary.
fn wire_label(mime: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(mime);
    let b = text.find("boundary=\"").expect("a boundary") + 10;
    let boundary = format!("\r\n--{}", &text[b..b + text[b..].find('"').unwrap()]);
    let start = find(mime, b"<?xml").expect("the label's XML");
    let end = start + find(&mime[start..], boundary.as_bytes()).expect("the label's end");
    mime[start..end].to_vec()
}

#[tokio::test]
async fn a_receiver_fetches_its_message_and_its_acknowledgement_delivers_it() {
    let (router, state) = app_with(|c| c.delivery = pickup_targets()).await;
    let outbox = state.outbox.clone().expect("an outbox");
    // Senders run, and must leave pickup jobs alone.
    outbox.spawn();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let mut c = Client::new(app_with_same(&state));
    c.login("198112289874").await;
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let res = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    let id = res
        .location
        .expect("a receipt")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let jobs = state.store.delivery_jobs_of(&id).await.unwrap();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    let job = jobs[0].clone();
    assert_eq!(job.target, "arkivet");

    // The receiver's side: the SHS client blankett fetches replies with.
    let shs = ShsClient::new(&ShsClientConfig::new(&url)).unwrap();
    let waiting = shs.list(ARKIVET, Some(ARKIVETS_NYCKEL)).await.unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].tx_id, job.tx_id);
    assert_eq!(waiting[0].corr_id, id);
    assert_eq!(waiting[0].to, format!("urn:X-shs:{ARKIVET}"));
    assert_eq!(waiting[0].status, "production");

    // The list itself is a valid shs.message-list.
    let raw_list = reqwest::Client::new()
        .get(format!("{url}/shs/ds/{ARKIVET}"))
        .bearer_auth(ARKIVETS_NYCKEL)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    if let Some(dtd) = reference("shs/shs-message-list-1.2.01.dtd") {
        xmllint_valid(&dtd, &raw_list);
    }

    let bytes = shs
        .fetch(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap();
    let message = Message::parse(&bytes).expect("an SHS message");
    assert_eq!(message.label.tx_id.to_string(), job.tx_id);
    assert_eq!(message.label.corr_id.to_string(), id);
    let case = String::from_utf8_lossy(&message.parts[0].body);
    assert!(case.contains("https://DILCIS.eu/XML/ERMS"), "{case}");
    assert!(String::from_utf8_lossy(&message.parts[1].body).contains("Stort hål i asfalten"));
    if let Some(dtd) = reference("shs/shs-label-1.2.dtd") {
        xmllint_valid(&dtd, &wire_label(&bytes));
    }
    // Offered again, it is the same message, tx.id and all.
    let again = shs
        .fetch(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap();
    assert_eq!(again, bytes);
    // Not delivered until acknowledged, and never sent by the senders.
    let before = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!((before.state.as_str(), before.attempts), ("queued", 0));

    // Another receiver sees nothing of it, and arkivet's token opens nothing else.
    assert!(shs
        .list(EKONOMI, Some(EKONOMINS_NYCKEL))
        .await
        .unwrap()
        .is_empty());
    let e = shs
        .fetch(EKONOMI, &job.tx_id, Some(EKONOMINS_NYCKEL))
        .await
        .unwrap_err();
    assert!(e.contains("404"), "{e}");
    assert!(shs
        .ack(EKONOMI, &job.tx_id, Some(EKONOMINS_NYCKEL))
        .await
        .is_err());
    let e = shs.list(EKONOMI, Some(ARKIVETS_NYCKEL)).await.unwrap_err();
    assert!(e.contains("401"), "{e}");
    // A wrong token, or none, is refused.
    for token in [Some("fel-nyckel-som-ar-lang-nog"), None] {
        let e = shs.list(ARKIVET, token).await.unwrap_err();
        assert!(e.contains("401"), "{e}");
        let e = shs.fetch(ARKIVET, &job.tx_id, token).await.unwrap_err();
        assert!(e.contains("401"), "{e}");
        assert!(shs.ack(ARKIVET, &job.tx_id, token).await.is_err());
    }
    assert_eq!(
        state
            .store
            .delivery_job(&job.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        DeliveryState::Queued
    );

    // The acknowledgement delivers it: an attempt recorded, the submission levererad.
    shs.ack(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap();
    let after = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!(after.state, DeliveryState::Delivered);
    assert!(after.delivered_at.is_some());
    let attempts = state.store.delivery_attempts(&job.id).await.unwrap();
    assert_eq!(attempts.len(), 1, "{attempts:?}");
    assert_eq!(attempts[0].outcome, AttemptOutcome::Accepted);
    assert_eq!(attempts[0].number, 1);
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::Levererad);

    // Gone from the list; a repeated acknowledgement (its answer lost) is still OK.
    assert!(shs
        .list(ARKIVET, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap()
        .is_empty());
    shs.ack(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap();
    assert_eq!(
        state.store.delivery_attempts(&job.id).await.unwrap().len(),
        1
    );
    let e = shs
        .fetch(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap_err();
    assert!(e.contains("404"), "{e}");
}

/// A router over the same state, for the in-process browser.
fn app_with_same(state: &blankett_runtime::app::AppState) -> axum::Router {
    blankett_runtime::app::router(state.clone())
}

#[tokio::test]
async fn the_canary_of_a_pickup_target_fails_when_messages_wait_unfetched() {
    let (_, state) = app_with(|c| {
        c.delivery = pickup_targets();
        c.delivery.targets[0].pickup_alert_seconds = 0;
        c.admin_token = Some("adminnyckel".into());
    })
    .await;
    let outbox = state.outbox.clone().expect("an outbox");
    let nothing_waits = outbox.canary("arkivet").await.unwrap();
    assert!(nothing_waits.ok, "{:?}", nothing_waits.detail);

    let mut c = Client::new(app_with_same(&state));
    c.login("198112289874").await;
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    c.post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    // Created at least a second ago (the threshold is 0 s) without being fetched.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let waits = outbox.canary("arkivet").await.unwrap();
    assert!(!waits.ok);
    let why = waits.detail.unwrap_or_default();
    assert!(why.contains(&format!("/shs/ds/{ARKIVET}")), "{why}");

    // The admin page and /metrics show it like any target's canary.
    let metrics = c.get("/metrics").await.body;
    assert!(
        metrics.contains("blankett_delivery_canary_ok{target=\"arkivet\"} 0"),
        "{metrics}"
    );
    assert!(
        metrics.contains("blankett_delivery_jobs{target=\"arkivet\",state=\"queued\"} 1"),
        "{metrics}"
    );
    let admin = c.admin("adminnyckel").await.body;
    assert!(admin.contains("arkivet (hämtar själv)"), "{admin}");
    assert!(
        admin.contains("<strong>FEL:</strong> a message has waited"),
        "{admin}"
    );
}

#[tokio::test]
async fn a_pickup_target_without_a_token_or_address_is_refused_at_start() {
    let mut d = pickup_targets();
    d.targets[0].pickup_token = None;
    d.targets[1].to_address = "ekonomi".into();
    let e = d.validate().unwrap_err();
    assert!(e.contains("needs a `pickup_token`"), "{e}");
    assert!(e.contains("`to_address`"), "{e}");
    let mut d = pickup_targets();
    d.targets[1].to_address = d.targets[0].to_address.clone();
    d.targets[1].pickup_token = Some("kort".into());
    d.targets[0].replies = true;
    let e = d.validate().unwrap_err();
    assert!(e.contains("`status_token` instead"), "{e}");
    assert!(e.contains("both fetched by 5565594230"), "{e}");
    assert!(e.contains("at least 16 characters"), "{e}");
}

/// The store's side of pickup, on both databases: what waits, by tx.id and reference, and an
/// acknowledgement that counts once however often it comes (also at the same moment).
async fn offered_jobs_settle_once(s: blankett_runtime::store::DynStore) {
    use blankett_runtime::store::{NewSubmission, NextStep, OfferSettled, Submission};
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let target = format!("arkivet-{unique}");
    let mut made = Vec::new();
    for n in 0..2 {
        let s = s
            .submit(NewSubmission {
                submission: Submission {
                    id: uuid::Uuid::new_v4().to_string(),
                    reference: String::new(),
                    draft_id: format!("{unique}-{n}"),
                    owner: "pnr:198112289874".into(),
                    kommun: "orust".into(),
                    form: "felanmalan".into(),
                    form_version: "1.0.0".into(),
                    form_hash: "x".into(),
                    answers: "{}".into(),
                    xml: "<x/>".into(),
                    json: "{}".into(),
                    status: SubmissionStatus::Mottagen,
                    case_number: None,
                    submitted_at: chrono::Utc::now(),
                },
                reference_prefix: format!("P{}", &unique[..8]).to_uppercase(),
                year: 2026,
                delivery_targets: vec![target.clone()],
                attachments: Vec::new(),
            })
            .await
            .unwrap();
        made.push(s);
    }
    let waiting = s.waiting_deliveries(&target, 10).await.unwrap();
    assert_eq!(waiting.len(), 2);
    assert_eq!(waiting[0].submission_id, made[0].id, "oldest first");
    assert_eq!(s.waiting_deliveries(&target, 1).await.unwrap().len(), 1);
    let job = waiting[0].clone();
    assert_eq!(
        s.delivery_job_by_tx(&job.tx_id).await.unwrap(),
        Some(job.clone())
    );
    assert_eq!(s.delivery_job_by_tx("no such tx").await.unwrap(), None);
    assert_eq!(
        s.submission_by_reference(&made[0].reference)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(made[0].id.clone())
    );

    let ack = |job: &blankett_runtime::store::DeliveryJob, next: NextStep| OfferSettled {
        job_id: job.id.clone(),
        submission_id: job.submission_id.clone(),
        at: chrono::Utc::now(),
        outcome: if next == NextStep::Delivered {
            AttemptOutcome::Accepted
        } else {
            AttemptOutcome::Permanent
        },
        detail: Some("why".into()),
        next,
    };
    let (first, second) = (
        ack(&job, NextStep::Delivered),
        ack(&job, NextStep::Delivered),
    );
    let (a, b) = tokio::join!(s.settle_offered(&first), s.settle_offered(&second));
    assert!(
        a.unwrap() ^ b.unwrap(),
        "exactly one acknowledgement counts"
    );
    let done = s.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!((done.state.as_str(), done.attempts), ("delivered", 1));
    assert_eq!(done.last_error, None);
    let attempts = s.delivery_attempts(&job.id).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].outcome, AttemptOutcome::Accepted);
    assert!(attempts[0].finished_at.is_some());
    let sub = s.submission(&made[0].id).await.unwrap().unwrap();
    assert_eq!(sub.status, SubmissionStatus::Levererad);

    // One that cannot be made is a dead letter with its reason, no longer waiting.
    let other = s.waiting_deliveries(&target, 10).await.unwrap();
    assert_eq!(other.len(), 1);
    assert!(s
        .settle_offered(&ack(&other[0], NextStep::Dead))
        .await
        .unwrap());
    let dead = s.delivery_job(&other[0].id).await.unwrap().unwrap();
    assert_eq!(dead.state, DeliveryState::Dead);
    assert_eq!(dead.last_error.as_deref(), Some("why"));
    assert!(!s
        .settle_offered(&ack(&other[0], NextStep::Delivered))
        .await
        .unwrap());
    assert!(s.waiting_deliveries(&target, 10).await.unwrap().is_empty());
    assert_eq!(
        s.submission(&made[1].id).await.unwrap().unwrap().status,
        SubmissionStatus::Mottagen
    );
}

#[tokio::test]
async fn offered_jobs_settle_once_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("blankett-pickup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let s = blankett_runtime::store::open(dir.join("t.db").to_str().unwrap())
        .await
        .unwrap();
    offered_jobs_settle_once(s).await;
}

#[tokio::test]
async fn offered_jobs_settle_once_on_postgres() {
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set BLANKETT_TEST_POSTGRES"
        );
        eprintln!("BLANKETT_TEST_POSTGRES is not set: skipping the PostgreSQL run");
        return;
    };
    let s = blankett_runtime::store::open(&url).await.unwrap();
    offered_jobs_settle_once(s).await;
}

/// Every `toml` block of the delivery chapter reads as `blankett.toml` and validates, so the
/// settings the book shows (pickup targets and status tokens included) are real.
#[test]
fn the_books_delivery_settings_are_real() {
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../book/src/leverans.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let mut blocks = 0;
    let mut rest = text.as_str();
    while let Some(start) = rest.find("```toml\n") {
        let body = &rest[start + 8..];
        let end = body.find("```").expect("a closed block");
        let config: blankett_runtime::config::Config = toml::from_str(&body[..end])
            .unwrap_or_else(|e| panic!("{}: {e}\n{}", page.display(), &body[..end]));
        config.delivery.validate().unwrap();
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert!(blocks >= 2, "the chapter shows its settings");
}

#[tokio::test]
async fn a_message_that_cannot_be_made_is_a_dead_letter_and_never_offered() {
    use blankett_runtime::store::{NewSubmission, Signature, Submission};
    let (router, state) = app_with(|c| c.delivery = pickup_targets()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let signed_xml = "<inlamning><beskrivning>Som det skrevs under</beskrivning></inlamning>";
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
                // What is stored now is not what was signed.
                xml: signed_xml.replace("Som det skrevs under", "Ändrat efteråt"),
                json: "{}".into(),
                status: SubmissionStatus::Mottagen,
                case_number: None,
                submitted_at: chrono::Utc::now(),
            },
            reference_prefix: "OFEL".into(),
            year: 2026,
            delivery_targets: vec!["arkivet".into()],
            attachments: Vec::new(),
        })
        .await
        .unwrap();
    state
        .store
        .put_signature(&Signature {
            id: uuid::Uuid::new_v4().to_string(),
            submission_id: stored.id.clone(),
            role: SignatureRole::Applicant,
            signer_pnr: "198112289874".into(),
            signer_name: "Anna Andersson".into(),
            digest: blankett_runtime::submission::signing::digest(signed_xml),
            signature: String::new(),
            ocsp_response: String::new(),
            signed_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
    let job = state.store.delivery_jobs_of(&stored.id).await.unwrap()[0].clone();

    let shs = ShsClient::new(&ShsClientConfig::new(&url)).unwrap();
    assert!(shs
        .list(ARKIVET, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap()
        .is_empty());
    let e = shs
        .fetch(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .unwrap_err();
    assert!(e.contains("404"), "{e}");
    let dead = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!(dead.state, DeliveryState::Dead);
    let why = dead.last_error.unwrap_or_default();
    assert!(why.contains("changed after signing"), "{why}");
    // Not acknowledgeable either: nothing was delivered.
    assert!(shs
        .ack(ARKIVET, &job.tx_id, Some(ARKIVETS_NYCKEL))
        .await
        .is_err());
}
