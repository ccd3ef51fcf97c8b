//! The outbox over SHS: every submission reaches the receiver exactly once (as it counts the
//! tx.ids in the labels) through refused connections, 500s, retryable SHS errors and lost
//! answers; a permanent SHS error makes a dead letter at once, and its manual retry; the
//! canary; two instances sharing PostgreSQL. The receiver is the test mailbox
//! (`test_mailbox::loopback`), which reads every message with the runtime's SHS parser. No timing
//! asserts: backoffs are short and tests wait for outcomes (with a generous limit that only
//! turns a hang into a failure).

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shs_support;
mod support;

use axum::http::StatusCode;
use blankett_runtime::metrics::Metrics;
use blankett_runtime::outbox::{backoff, DeliveryConfig, Outbox, SendOutcome, Target, Transport};
use blankett_runtime::registry::Registry;
use blankett_runtime::shs::{Message, Status};
use blankett_runtime::store::{self, DeliveryState, DynStore, NewSubmission, Submission};
use blankett_runtime::submission::SubmissionStatus;
use blankett_runtime::test_mailbox::loopback::{LoopbackMailbox, Mode};
use blankett_runtime::test_mailbox::Fault;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use support::{app_with, csrf_of, fill_felanmalan_anonymously, Client};

/// The first of January of `year`, UTC.
fn day(year: i32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap()
}

/// The case system's address, and (in the example kommun) the kommun's own.
const TO: &str = "urn:X-shs:2120001439";
/// An SHS error the client retries (the receiver's own delivery failed) …
const RETRYABLE: &str = "MissingDeliveryExecution";
/// … and one it does not (no such receiver: a person must correct the address).
const PERMANENT: &str = "UnknownReceiver";

fn target(name: &str, url: &str) -> Target {
    Target::new(name, "shs", url, TO)
}

/// Short backoffs and polls, no canary, attempts enough to outlast every fault.
fn config(t: Target) -> DeliveryConfig {
    DeliveryConfig {
        workers: 4,
        batch: 16,
        attempt_limit: 100_000,
        backoff_base_ms: 5,
        backoff_cap_ms: 200,
        lease_seconds: 60,
        send_timeout_seconds: 20,
        poll_ms: 10,
        canary_interval_seconds: 0,
        replies_interval_seconds: 60,
        targets: vec![t],
    }
}

/// The example kommun: its SHS address and felanmälan's SHS product go into every label.
static ORUST: LazyLock<Arc<Registry>> = LazyLock::new(|| {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/orust");
    Arc::new(Registry::compile(&[root]).unwrap_or_else(|c| panic!("{:?}", c.diagnostics)))
});

fn outbox_with(store: &DynStore, c: &DeliveryConfig, metrics: Arc<Metrics>) -> Arc<Outbox> {
    Arc::new(
        Outbox::from_config(store.clone(), metrics, c)
            .unwrap()
            .with_registry(Arc::new(|| ORUST.clone())),
    )
}

fn outbox(store: &DynStore, c: &DeliveryConfig) -> Arc<Outbox> {
    outbox_with(store, c, Arc::new(Metrics::default()))
}

async fn mailbox() -> LoopbackMailbox {
    let dir = std::env::temp_dir().join(format!("blankett-rs-{}", uuid::Uuid::new_v4()));
    LoopbackMailbox::start(&dir).await.unwrap()
}

async fn sqlite() -> DynStore {
    let dir = std::env::temp_dir().join(format!("blankett-outbox-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    store::open(dir.join("t.db").to_str().unwrap())
        .await
        .unwrap()
}

/// A felanmälan as the journey stores it: answers the case mapping reads, and its XML.
async fn submit(s: &DynStore, targets: &[String]) -> Submission {
    let id = uuid::Uuid::new_v4().to_string();
    s.submit(NewSubmission {
        submission: Submission {
            id: id.clone(),
            reference: String::new(),
            draft_id: format!("d-{id}"),
            owner: "session:x".into(),
            kommun: "orust".into(),
            form: "felanmalan".into(),
            form_version: "1.0.0".into(),
            form_hash: "abc".into(),
            answers: r#"{"kategori":"gata","beskrivning":"Hål i asfalten","platsbeskrivning":"Skolvägen","vill_ha_aterkoppling":false}"#.into(),
            xml: format!("<inlamning id=\"{id}\"><beskrivning>Hål i asfalten</beskrivning></inlamning>"),
            json: "{}".into(),
            status: SubmissionStatus::Mottagen,
            case_number: None,
            submitted_at: chrono::Utc::now(),
        },
        reference_prefix: "FEL".into(),
        year: 2026,
        delivery_targets: targets.to_vec(),
        attachments: Vec::new(),
    })
    .await
    .unwrap()
}

/// Waits until `target` has `n` delivered jobs; a hang fails after minutes, not a slow run.
async fn wait_delivered(s: &DynStore, target: &str, n: i64) {
    for _ in 0..6000 {
        let o = s.delivery_overview().await.unwrap();
        if o.iter().any(|o| o.target == target && o.delivered == n) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "not all delivered: {:?}",
        s.delivery_overview().await.unwrap()
    );
}

/// Waits for `done`; a hang fails after a few minutes.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..6000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{what} did not happen");
}

/// Runs `xmllint --dtdvalid` once over all `docs`; skips with a note without xmllint.
fn all_valid_against(dtd: &std::path::Path, docs: &[Vec<u8>]) {
    let dir = std::env::temp_dir().join(format!("blankett-labels-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(n, d)| {
            let f = dir.join(format!("{n}.xml"));
            std::fs::write(&f, d).unwrap();
            f
        })
        .collect();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--dtdvalid"])
        .arg(dtd)
        .args(&files)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    let Ok(out) = out else {
        eprintln!("note: skipped the DTD check, xmllint is not installed");
        return;
    };
    assert!(
        out.status.success(),
        "xmllint refused a label:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every submission has one job for the target, delivered, and the mailbox holds exactly their
/// tx.ids, each once: each an SHS message whose label names the job's tx.id, the submission as
/// corr.id, the kommun as sender, the case system as receiver and felanmälan's product, with
/// the case and the submission as its parts; every label valid against the SHS 1.2 DTD.
async fn assert_exactly_once(s: &DynStore, subs: &[Submission], target: &str, r: &LoopbackMailbox) {
    let mut corr_of_tx = BTreeMap::new();
    for sub in subs {
        let jobs = s.delivery_jobs_of(&sub.id).await.unwrap();
        assert_eq!(jobs.len(), 1, "one job per submission and target");
        let j = &jobs[0];
        assert_eq!((j.target.as_str(), j.state.as_str()), (target, "delivered"));
        assert!(
            corr_of_tx.insert(j.tx_id.clone(), sub.id.clone()).is_none(),
            "tx ids are unique"
        );
        assert_eq!(
            s.submission(&sub.id).await.unwrap().unwrap().status,
            SubmissionStatus::Levererad
        );
    }
    let expected: BTreeSet<String> = corr_of_tx.keys().cloned().collect();
    let accepted: BTreeSet<String> = r.mailbox.tx_ids().iter().map(|t| t.to_string()).collect();
    let missing: Vec<_> = expected.difference(&accepted).collect();
    let extra: Vec<_> = accepted.difference(&expected).collect();
    assert!(missing.is_empty(), "never accepted: {missing:?}");
    assert!(extra.is_empty(), "accepted but not ours: {extra:?}");
    assert_eq!(
        r.mailbox.counts().stored as usize,
        subs.len(),
        "each stored once"
    );
    let mut labels = Vec::new();
    for tx in r.mailbox.tx_ids() {
        let bytes = r.mailbox.message(&tx).unwrap();
        let m = Message::parse(&bytes).expect("an SHS message");
        let l = &m.label;
        assert_eq!(l.tx_id, tx);
        assert_eq!(l.corr_id.to_string(), corr_of_tx[&tx.to_string()]);
        assert_eq!(l.sender().unwrap().address.to_string(), TO);
        assert_eq!(l.to.as_ref().unwrap().address.to_string(), TO);
        assert_eq!(l.product.name.as_deref(), Some("felanmalan"));
        assert_eq!(l.status, Status::Production);
        assert_eq!(m.parts.len(), 2, "the case (ERMS) and the submission");
        assert!(String::from_utf8_lossy(&m.parts[0].body).contains("https://DILCIS.eu/XML/ERMS"));
        // The label as sent is the label the parser read, written again.
        let xml = l.to_xml();
        assert!(
            shs_support::find(&bytes, &xml).is_some(),
            "label re-written differs"
        );
        labels.push(xml);
    }
    if let Some(dtd) = shs_support::reference("shs/shs-label-1.2.dtd") {
        all_valid_against(&dtd, &labels);
    }
}

/// A counter of the outbox's metrics, summed over its labels.
fn counter(m: &Metrics, name: &str) -> u64 {
    m.render()
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[test]
fn backoff_is_full_jitter_under_a_doubling_ceiling_and_the_cap() {
    for attempt in 1..80 {
        let ceiling = (10_000u64 << (attempt - 1).min(40)).min(3_600_000);
        for _ in 0..50 {
            let d = backoff(attempt, 10_000, 3_600_000).as_millis() as u64;
            assert!(d <= ceiling, "attempt {attempt}: {d} > {ceiling}");
        }
    }
    // Not a constant: two waits of a late attempt differ (the chance of 20 equal ones is nil).
    let waits: BTreeSet<u128> = (0..20)
        .map(|_| backoff(30, 10_000, 3_600_000).as_millis())
        .collect();
    assert!(waits.len() > 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_submissions_arrive_once_through_refusals_500s_shs_errors_and_lost_answers() {
    let r = mailbox().await;
    let s = sqlite().await;
    let metrics = Arc::new(Metrics::default());
    let mut c = config(target("diariet", &r.url()));
    // Waits of up to 3 s: a thousand failing jobs retried sooner keep both cores busy.
    c.backoff_cap_ms = 3000;
    let names = vec!["diariet".to_string()];
    outbox_with(&s, &c, metrics.clone()).spawn();
    let mut subs = Vec::new();
    // The receiver misbehaves in turn while the submissions arrive, each phase until the
    // senders have met its failure a few dozen times: it loses its answers (it has those
    // messages, the senders do not know), refuses connections, answers 500, and a retryable
    // SHS error.
    let phases = [
        Mode::Fail(Fault::LoseAnswer),
        Mode::Refuse,
        Mode::Fail(Fault::ServerError),
        Mode::Fail(Fault::ShsError(RETRYABLE.into())),
    ];
    for mode in phases {
        r.set_mode(mode.clone()).await.unwrap();
        let failed = counter(&metrics, "blankett_delivery_failed_attempts_total");
        for _ in 0..250 {
            subs.push(submit(&s, &names).await);
        }
        until(&format!("failed attempts in {mode:?}"), || {
            counter(&metrics, "blankett_delivery_failed_attempts_total") >= failed + 25
        })
        .await;
    }
    assert_eq!(subs.len(), 1000);
    let before = r.mailbox.counts();
    assert!(before.faults > 0 && before.stored > 0, "{before:?}");
    r.set_mode(Mode::Accept).await.unwrap();
    wait_delivered(&s, "diariet", 1000).await;
    assert_exactly_once(&s, &subs, "diariet", &r).await;
    let counts = r.mailbox.counts();
    assert!(
        counts.duplicates > 0,
        "the lost answers were sent again and dropped: {counts:?}"
    );
    // Every attempt is in the log, each job's last one is the delivery, and every failure
    // was retried: refused connections, 500s and the retryable SHS error all show.
    let mut seen = BTreeSet::new();
    for sub in &subs {
        let job = &s.delivery_jobs_of(&sub.id).await.unwrap()[0];
        let log = s.delivery_attempts(&job.id).await.unwrap();
        assert_eq!(log.len() as i64, job.attempts);
        let last = log.iter().max_by_key(|a| a.number).unwrap();
        assert!(matches!(last.outcome.as_str(), "accepted" | "duplicate"));
        assert!(log.iter().all(|a| a.finished_at.is_some()));
        for a in &log {
            assert!(matches!(
                a.outcome.as_str(),
                "accepted" | "duplicate" | "retryable"
            ));
            let d = a.detail.as_deref().unwrap_or("");
            for (needle, what) in [
                ("cannot connect", "refused"),
                ("500", "500"),
                (RETRYABLE, "shs error"),
            ] {
                if d.contains(needle) {
                    seen.insert(what);
                }
            }
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
    eprintln!("mailbox: {counts:?}");
}

#[tokio::test]
async fn a_permanently_refused_message_is_a_dead_letter_until_retried_by_hand() {
    let r = mailbox().await;
    r.set_mode(Mode::Fail(Fault::ShsError(PERMANENT.into())))
        .await
        .unwrap();
    let url = r.url();
    let (router, state) = app_with(|c| {
        c.admin_token = Some("hemligt".into());
        c.delivery = config(target("diariet", &url));
    })
    .await;
    let outbox = state
        .outbox
        .clone()
        .expect("an outbox for the configured target");
    // Through the journey: the job is made with the submission.
    let mut c = Client::new(router);
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let res = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    let id = res
        .location
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let job = state.store.delivery_jobs_of(&id).await.unwrap().remove(0);
    assert_eq!(job.state, DeliveryState::Queued);

    // The senders are not running: each step is one call.
    assert_eq!(outbox.deliver_due("diariet").await.unwrap(), 1);
    let dead = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!(dead.state, DeliveryState::Dead);
    let why = dead.last_error.clone().unwrap();
    assert!(why.starts_with(PERMANENT), "{why}");
    assert_eq!(
        outbox.deliver_due("diariet").await.unwrap(),
        0,
        "dead stays dead"
    );
    assert_eq!(r.mailbox.counts().posts, 1, "sent once, not retried");
    assert!(r.mailbox.tx_ids().is_empty());
    let page = c.admin("hemligt").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(PERMANENT), "{}", page.body);
    assert!(
        page.body.contains("OFEL-"),
        "dead letters show the reference"
    );
    assert!(page
        .body
        .contains(&format!("/admin/leverans/{}/forsok-igen", job.id)));
    let metrics = c.get("/metrics").await.body;
    assert!(
        metrics.contains("blankett_delivery_jobs{target=\"diariet\",state=\"dead\"} 1"),
        "{metrics}"
    );

    // The token is in no page and no address after the exchange (issue 21).
    assert!(!page.body.contains("hemligt"), "{}", page.body);
    // The retry needs the admin cookie and the CSRF token.
    let retry = format!("/admin/leverans/{}/forsok-igen", job.id);
    let csrf = csrf_of(&page.body).unwrap();
    let no_csrf = c.post(&retry, &[]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let admin = c.admin_cookie.take();
    let no_token = c
        .post(&retry, &[("_csrf", &csrf), ("token", "hemligt")])
        .await;
    assert_eq!(
        no_token.status,
        StatusCode::UNAUTHORIZED,
        "a posted token is no key"
    );
    c.admin_cookie = admin;
    r.set_mode(Mode::Accept).await.unwrap();
    let ok = c.post(&retry, &[("_csrf", &csrf)]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/admin"));
    assert_eq!(outbox.deliver_due("diariet").await.unwrap(), 1);
    let done = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!(done.state, DeliveryState::Delivered);
    assert_eq!(
        state.store.submission(&id).await.unwrap().unwrap().status,
        SubmissionStatus::Levererad
    );
    // The mailbox has the submission's SHS message under the job's tx.id.
    let tx = uuid::Uuid::parse_str(&job.tx_id).unwrap();
    let m = Message::parse(&r.mailbox.message(&tx).unwrap()).unwrap();
    assert_eq!(m.label.corr_id.to_string(), id);
    let log: Vec<String> = state
        .store
        .delivery_attempts(&job.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.outcome.to_string())
        .collect();
    assert_eq!(log, ["permanent", "accepted"]);
}

#[tokio::test]
async fn retryable_failures_become_a_dead_letter_at_the_attempt_limit() {
    let r = mailbox().await;
    r.set_mode(Mode::Fail(Fault::ShsError(RETRYABLE.into())))
        .await
        .unwrap();
    let s = sqlite().await;
    let mut c = config(target("diariet", &r.url()));
    (c.attempt_limit, c.backoff_base_ms, c.backoff_cap_ms) = (3, 0, 0);
    let o = outbox(&s, &c);
    let sub = submit(&s, &["diariet".to_string()]).await;
    let job = &s.delivery_jobs_of(&sub.id).await.unwrap()[0];
    for attempt in 1..=3 {
        assert_eq!(o.deliver_due("diariet").await.unwrap(), 1);
        let j = s.delivery_job(&job.id).await.unwrap().unwrap();
        assert_eq!(j.attempts, attempt);
        assert_eq!(
            j.state.as_str(),
            if attempt < 3 { "queued" } else { "dead" }
        );
    }
    let j = s.delivery_job(&job.id).await.unwrap().unwrap();
    let why = j.last_error.unwrap();
    assert!(why.contains(RETRYABLE) && why.contains("given up"), "{why}");
    assert_eq!(
        s.submission(&sub.id).await.unwrap().unwrap().status,
        SubmissionStatus::Mottagen
    );
}

#[tokio::test]
async fn the_canary_marks_a_broken_target_and_its_recovery() {
    let r = mailbox().await;
    r.set_mode(Mode::Refuse).await.unwrap();
    let url = r.url();
    let (router, state) = app_with(|c| {
        c.admin_token = Some("hemligt".into());
        c.delivery = config(target("diariet", &url));
    })
    .await;
    let outbox = state.outbox.clone().unwrap();
    let mut c = Client::new(router);
    // Nobody has submitted anything: the canary alone notices.
    let broken = outbox.canary("diariet").await.unwrap();
    assert!(!broken.ok);
    let metrics = c.get("/metrics").await.body;
    assert!(
        metrics.contains("blankett_delivery_canary_ok{target=\"diariet\"} 0"),
        "{metrics}"
    );
    let page = c.admin("hemligt").await.body;
    assert!(page.contains("FEL:"), "{page}");

    r.set_mode(Mode::Accept).await.unwrap();
    assert!(outbox.canary("diariet").await.unwrap().ok);
    let metrics = c.get("/metrics").await.body;
    assert!(
        metrics.contains("blankett_delivery_canary_ok{target=\"diariet\"} 1"),
        "{metrics}"
    );
    let page = c.admin("hemligt").await.body;
    assert!(
        !page.contains("FEL:") && page.contains("fungerar"),
        "{page}"
    );
    let stored = state.store.canaries().await.unwrap();
    assert!(stored[0].ok && stored[0].last_ok_at.is_some());
    // The test messages are not submissions: no job was made.
    assert!(state.store.delivery_overview().await.unwrap().is_empty());
    let tx = r.mailbox.tx_ids()[0];
    let m = Message::parse(&r.mailbox.message(&tx).unwrap()).unwrap();
    assert_eq!(m.label.status, Status::Test);
}

#[tokio::test]
async fn jobs_made_later_for_co_signed_submissions_are_made_once() {
    let s = sqlite().await;
    let sub = submit(&s, &[]).await;
    assert!(s.delivery_jobs_of(&sub.id).await.unwrap().is_empty());
    let t = vec!["diariet".to_string(), "arkiv".to_string()];
    s.enqueue_delivery(&sub.id, &t).await.unwrap();
    let first = s.delivery_jobs_of(&sub.id).await.unwrap();
    s.enqueue_delivery(&sub.id, &t).await.unwrap();
    assert_eq!(
        s.delivery_jobs_of(&sub.id).await.unwrap(),
        first,
        "tx ids fixed at creation"
    );
    assert_eq!(first.len(), 2);
}

/// Two runtime instances (two stores, two sets of senders) share one PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_sharing_postgres_deliver_each_job_once() {
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must set BLANKETT_TEST_POSTGRES to a PostgreSQL server"
        );
        eprintln!("BLANKETT_TEST_POSTGRES is not set: skipping the two-instance delivery test");
        return;
    };
    let a: DynStore = Arc::new(store::PgStore::open(&url).await.unwrap());
    let b: DynStore = Arc::new(store::PgStore::open(&url).await.unwrap());
    let r = mailbox().await;
    // A target of this run only: jobs of earlier runs in the shared database are not ours.
    let name = format!("pg-{}", uuid::Uuid::new_v4().simple());
    let c = config(target(&name, &r.url()));
    let names = vec![name.clone()];
    let mut subs = Vec::new();
    for _ in 0..1000 {
        subs.push(submit(&a, &names).await);
    }
    outbox(&a, &c).spawn();
    outbox(&b, &c).spawn();
    wait_delivered(&a, &name, 1000).await;
    assert_exactly_once(&a, &subs, &name, &r).await;
    let counts = r.mailbox.counts();
    assert_eq!(counts.duplicates, 0, "a job was sent twice");
    assert_eq!(counts.posts, 1000);
}

#[tokio::test]
async fn retention_deletes_a_submissions_delivery_jobs_with_it() {
    let s = sqlite().await;
    let sub = submit(&s, &["diariet".to_string()]).await;
    assert_eq!(s.delivery_jobs_of(&sub.id).await.unwrap().len(), 1);
    let (_, n) = s
        .purge("orust", "felanmalan", day(2000), day(9999))
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert!(s.delivery_jobs_of(&sub.id).await.unwrap().is_empty());
    assert!(s.delivery_overview().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_leased_job_is_nobody_elses_until_the_lease_ends() {
    use blankett_runtime::store::{AttemptOutcome, Claim, FinishedAttempt, NextStep};
    let r = mailbox().await;
    let s = sqlite().await;
    let o = outbox(&s, &config(target("diariet", &r.url())));
    let sub = submit(&s, &["diariet".to_string()]).await;
    let now = chrono::Utc::now();
    let claim = |owner: &str, lease: chrono::Duration| Claim {
        target: "diariet".into(),
        owner: owner.into(),
        now,
        lease_until: now + lease,
        limit: 10,
    };
    // A sender claims it and dies: while its lease runs, no one else may send it.
    let first = s
        .claim_deliveries(&claim("dead-sender", chrono::Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    assert!(s
        .claim_deliveries(&claim("other", chrono::Duration::hours(1)))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(o.deliver_due("diariet").await.unwrap(), 0);

    // Once the lease is over (here: claimed again with the clock past it), it is sent again,
    // with the same tx id; the dead sender's attempt stays in the log as never finished.
    let later = Claim {
        now: now + chrono::Duration::hours(2),
        lease_until: now + chrono::Duration::hours(3),
        ..claim("second", chrono::Duration::zero())
    };
    let second = s.claim_deliveries(&later).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].job.tx_id, first[0].job.tx_id);
    // The first sender wakes up with a failure: its lease is gone, so it changes nothing.
    let late = FinishedAttempt {
        job_id: first[0].job.id.clone(),
        submission_id: sub.id.clone(),
        attempt_id: first[0].attempt_id.clone(),
        lease_owner: "dead-sender".into(),
        finished_at: chrono::Utc::now(),
        outcome: AttemptOutcome::Retryable,
        detail: Some("late".into()),
        next: NextStep::RetryAt(now),
    };
    assert!(!s.finish_delivery(&late).await.unwrap());
    let job = s.delivery_job(&first[0].job.id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.attempts), ("in_flight", 2));
    // The second sender's acceptance delivers it.
    let done = FinishedAttempt {
        attempt_id: second[0].attempt_id.clone(),
        lease_owner: "second".into(),
        outcome: AttemptOutcome::Accepted,
        detail: None,
        next: NextStep::Delivered,
        ..late
    };
    assert!(s.finish_delivery(&done).await.unwrap());
    let log = s.delivery_attempts(&job.id).await.unwrap();
    let outcomes: Vec<(i64, &str, bool)> = log
        .iter()
        .map(|a| (a.number, a.outcome.as_str(), a.finished_at.is_some()))
        .collect();
    assert!(outcomes.contains(&(2, "accepted", true)));
    assert_eq!(log.len(), 2);
    assert_eq!(
        s.submission(&sub.id).await.unwrap().unwrap().status,
        SubmissionStatus::Levererad
    );
}

/// A whole SHS message (the shared sample) under `tx`.
fn sample_message(tx: uuid::Uuid) -> Vec<u8> {
    let mut label = shs_support::sample_label();
    label.tx_id = tx;
    Message::new(label, shs_support::sample_parts()).to_mime()
}

#[tokio::test]
async fn the_shs_transport_maps_the_mailboxs_answers_to_outcomes() {
    use blankett_runtime::outbox::shs_delivery::ShsTransport;
    let r = mailbox().await;
    let t = ShsTransport::new(&target("diariet", &r.url()), Duration::from_secs(20)).unwrap();
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    let (a_s, b_s) = (a.to_string(), b.to_string());
    assert_eq!(
        t.send(&a_s, &sample_message(a)).await,
        SendOutcome::Accepted
    );
    assert_eq!(
        t.send(&a_s, &sample_message(a)).await,
        SendOutcome::Duplicate
    );
    let retryable = |o: SendOutcome, needle: &str| match o {
        SendOutcome::Retryable(why) => assert!(why.contains(needle), "{why}"),
        other => panic!("{other:?}"),
    };
    r.set_mode(Mode::Fail(Fault::ServerError)).await.unwrap();
    retryable(t.send(&b_s, &sample_message(b)).await, "500");
    r.set_mode(Mode::Fail(Fault::ShsError(RETRYABLE.into())))
        .await
        .unwrap();
    retryable(t.send(&b_s, &sample_message(b)).await, RETRYABLE);
    r.set_mode(Mode::Fail(Fault::ShsError(PERMANENT.into())))
        .await
        .unwrap();
    match t.send(&b_s, &sample_message(b)).await {
        SendOutcome::Permanent(why) => assert!(why.starts_with(PERMANENT), "{why}"),
        other => panic!("{other:?}"),
    }
    r.set_mode(Mode::Refuse).await.unwrap();
    retryable(t.send(&b_s, &sample_message(b)).await, "cannot connect");
    // Stored, but the answer lost: the next attempt is a duplicate, so delivered.
    r.set_mode(Mode::Fail(Fault::LoseAnswer)).await.unwrap();
    retryable(t.send(&b_s, &sample_message(b)).await, "500");
    r.set_mode(Mode::Accept).await.unwrap();
    assert_eq!(
        t.send(&b_s, &sample_message(b)).await,
        SendOutcome::Duplicate
    );
    // Not an SHS message: refused for good.
    match t.send(&uuid::Uuid::new_v4().to_string(), b"<a/>").await {
        SendOutcome::Permanent(why) => assert!(why.starts_with("IllegalMessageStructure"), "{why}"),
        other => panic!("{other:?}"),
    }
    let stored: BTreeSet<uuid::Uuid> = r.mailbox.tx_ids().into_iter().collect();
    assert_eq!(stored, BTreeSet::from([a, b]));
    assert_eq!(r.mailbox.counts().duplicates, 2);
}

#[tokio::test]
async fn the_plain_http_transport_posts_to_a_local_receiver() {
    use blankett_runtime::outbox::http::HttpTransport;
    let r = mailbox().await;
    let t = HttpTransport::new(&format!("{}/shs/rs", r.url())).unwrap();
    let tx = uuid::Uuid::new_v4();
    let s = tx.to_string();
    assert_eq!(t.send(&s, &sample_message(tx)).await, SendOutcome::Accepted);
    assert_eq!(
        t.send(&s, &sample_message(tx)).await,
        SendOutcome::Duplicate
    );
    r.set_mode(Mode::Fail(Fault::ServerError)).await.unwrap();
    assert_eq!(
        t.send(&s, &sample_message(tx)).await,
        SendOutcome::Retryable("HTTP 500".into())
    );
    r.set_mode(Mode::Fail(Fault::ShsError(PERMANENT.into())))
        .await
        .unwrap();
    assert_eq!(
        t.send(&s, &sample_message(tx)).await,
        SendOutcome::Permanent("HTTP 400".into())
    );
    r.set_mode(Mode::Refuse).await.unwrap();
    assert!(matches!(
        t.send(&s, &sample_message(tx)).await,
        SendOutcome::Retryable(_)
    ));
    // TLS is allowed (issue 15); other schemes are not.
    assert!(HttpTransport::new("https://shs.example/").is_ok());
    assert!(HttpTransport::new("ftp://shs.example/").is_err());
}

/// The delivery half of the store on both databases: retries to a dead letter, the manual
/// retry, the overview, the canary record.
async fn delivery_store_suite(s: DynStore) {
    let r = mailbox().await;
    r.set_mode(Mode::Fail(Fault::ServerError)).await.unwrap();
    let name = format!("t-{}", uuid::Uuid::new_v4().simple());
    let mut c = config(target(&name, &r.url()));
    (c.attempt_limit, c.backoff_base_ms, c.backoff_cap_ms) = (2, 0, 0);
    let o = outbox(&s, &c);
    let sub = submit(&s, std::slice::from_ref(&name)).await;
    let job = s.delivery_jobs_of(&sub.id).await.unwrap().remove(0);
    assert_eq!(o.deliver_due(&name).await.unwrap(), 1);
    assert_eq!(o.deliver_due(&name).await.unwrap(), 1);
    let dead = s.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!((dead.state.as_str(), dead.attempts), ("dead", 2));
    assert!(s
        .dead_deliveries(1000)
        .await
        .unwrap()
        .iter()
        .any(|j| j.id == job.id));
    let ov = s.delivery_overview().await.unwrap();
    let mine = ov.iter().find(|o| o.target == name).unwrap();
    assert_eq!(
        (mine.queued, mine.in_flight, mine.delivered, mine.dead),
        (0, 0, 0, 1)
    );
    assert_eq!(mine.oldest_undelivered, Some(job.created_at));

    r.set_mode(Mode::Accept).await.unwrap();
    let now = chrono::Utc::now();
    assert!(s.retry_delivery(&job.id, now).await.unwrap());
    assert_eq!(o.deliver_due(&name).await.unwrap(), 1);
    let ov = s.delivery_overview().await.unwrap();
    let mine = ov.iter().find(|o| o.target == name).unwrap();
    assert_eq!((mine.delivered, mine.dead), (1, 0));
    assert!(mine.oldest_undelivered.is_none() && mine.last_delivered.is_some());
    assert!(
        !s.retry_delivery(&job.id, now).await.unwrap(),
        "delivered stays delivered"
    );

    r.set_mode(Mode::Refuse).await.unwrap();
    assert!(!o.canary(&name).await.unwrap().ok);
    r.set_mode(Mode::Accept).await.unwrap();
    assert!(o.canary(&name).await.unwrap().ok);
    r.set_mode(Mode::Refuse).await.unwrap();
    assert!(!o.canary(&name).await.unwrap().ok);
    let stored = s.canaries().await.unwrap();
    let mine = stored.iter().find(|c| c.target == name).unwrap();
    assert!(!mine.ok && mine.detail.is_some());
    assert!(
        mine.last_ok_at.is_some(),
        "the last success is kept while failing"
    );
}

#[tokio::test]
async fn delivery_store_on_sqlite() {
    delivery_store_suite(sqlite().await).await;
}

#[tokio::test]
async fn delivery_store_on_postgres() {
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must set BLANKETT_TEST_POSTGRES"
        );
        return;
    };
    delivery_store_suite(store::open(&url).await.unwrap()).await;
}

/// A builder that writes down what it was given.
struct Describe;

impl blankett_runtime::outbox::MessageBuilder for Describe {
    fn build(&self, m: &blankett_runtime::outbox::MessageInput<'_>) -> Result<Vec<u8>, String> {
        let kommun = m
            .kommun
            .map(|k| k.branding.name.clone())
            .unwrap_or_default();
        Ok(format!(
            "{:?} {kommun} {} {}",
            m.status, m.tx_id, m.target.to_address
        )
        .into_bytes())
    }
}

/// A transport that keeps what it is given and accepts it.
#[derive(Default)]
struct Recorder(std::sync::Mutex<Vec<(String, Vec<u8>)>>);

#[async_trait::async_trait]
impl Transport for Recorder {
    async fn send(&self, tx_id: &str, message: &[u8]) -> SendOutcome {
        self.0
            .lock()
            .unwrap()
            .push((tx_id.to_string(), message.to_vec()));
        SendOutcome::Accepted
    }
}

#[tokio::test]
async fn the_builder_gets_the_kommun_the_tx_id_and_test_status_for_the_canary() {
    use blankett_runtime::outbox::MessageStatus;
    let (_, state) = app_with(|_| {}).await;
    let c = config(target("diariet", "http://127.0.0.1:9"));
    let recorder = Arc::new(Recorder::default());
    let mut transports = BTreeMap::new();
    transports.insert(
        "diariet".to_string(),
        recorder.clone() as Arc<dyn Transport>,
    );
    let registry = state.registry();
    let o = Arc::new(
        Outbox::new(
            state.store.clone(),
            state.metrics.clone(),
            c,
            transports,
            Arc::new(Describe),
        )
        .unwrap()
        .with_registry(Arc::new(move || registry.clone())),
    );
    let sub = submit(&state.store, &["diariet".to_string()]).await;
    assert_eq!(o.deliver_due("diariet").await.unwrap(), 1);
    let job = &state.store.delivery_jobs_of(&sub.id).await.unwrap()[0];
    let kommun = state.registry().kommuner["orust"].branding.name.clone();
    let sent = recorder.0.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, job.tx_id);
    assert_eq!(
        String::from_utf8(sent[0].1.clone()).unwrap(),
        format!(
            "{:?} {kommun} {} {TO}",
            MessageStatus::Production,
            job.tx_id
        )
    );
    assert!(o.canary("diariet").await.unwrap().ok);
    let sent = recorder.0.lock().unwrap().clone();
    let body = String::from_utf8(sent[1].1.clone()).unwrap();
    assert!(body.starts_with(&format!("Test {kommun} ")), "{body}");
    assert_ne!(sent[1].0, job.tx_id, "the canary has its own tx.id");
}
