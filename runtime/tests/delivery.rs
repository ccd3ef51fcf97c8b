//! The outbox: every submission reaches the receiver exactly once (as it counts transaction
//! ids) through refused connections, 500s and lost answers; dead letters and their manual
//! retry; the canary; two instances sharing PostgreSQL. No timing asserts: backoffs are short
//! and tests wait for outcomes (with a generous limit that only turns a hang into a failure).

mod support;

use axum::http::StatusCode;
use blankett_runtime::metrics::Metrics;
use blankett_runtime::outbox::receiver::{Mode, Receiver};
use blankett_runtime::outbox::{backoff, DeliveryConfig, Outbox, Target};
use blankett_runtime::store::{self, DynStore, NewSubmission, Submission};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use support::{app_with, csrf_of, fill_felanmalan_anonymously, Client};

fn target(name: &str, url: &str) -> Target {
    Target::new(name, "http", url, "urn:X-shs:2120001439")
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

fn outbox(store: &DynStore, c: &DeliveryConfig) -> Arc<Outbox> {
    Arc::new(Outbox::from_config(store.clone(), Arc::new(Metrics::default()), c).unwrap())
}

async fn sqlite() -> DynStore {
    let dir = std::env::temp_dir().join(format!("blankett-outbox-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    store::open(dir.join("t.db").to_str().unwrap())
        .await
        .unwrap()
}

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
            answers: "{}".into(),
            xml: format!("<inlamning id=\"{id}\"/>"),
            json: "{}".into(),
            status: "mottagen".into(),
            case_number: None,
            submitted_at: chrono::Utc::now().to_rfc3339(),
        },
        reference_prefix: "FEL".into(),
        year: 2026,
        delivery_targets: targets.to_vec(),
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

/// Every submission has one job for the target, delivered, with its tx id accepted by the
/// receiver, and the receiver accepted nothing else.
async fn assert_exactly_once(s: &DynStore, subs: &[Submission], target: &str, r: &Receiver) {
    let mut expected = BTreeSet::new();
    for sub in subs {
        let jobs = s.delivery_jobs_of(&sub.id).await.unwrap();
        assert_eq!(jobs.len(), 1, "one job per submission and target");
        let j = &jobs[0];
        assert_eq!((j.target.as_str(), j.state.as_str()), (target, "delivered"));
        assert!(expected.insert(j.tx_id.clone()), "tx ids are unique");
        assert_eq!(
            s.submission(&sub.id).await.unwrap().unwrap().status,
            "levererad"
        );
    }
    let accepted: BTreeSet<String> = r.accepted().into_iter().collect();
    let missing: Vec<_> = expected.difference(&accepted).collect();
    let extra: Vec<_> = accepted.difference(&expected).collect();
    assert!(missing.is_empty(), "never accepted: {missing:?}");
    assert!(extra.is_empty(), "accepted but not ours: {extra:?}");
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
async fn a_thousand_submissions_arrive_once_through_refusals_500s_and_lost_answers() {
    let r = Receiver::start().await.unwrap();
    let s = sqlite().await;
    let c = config(target("diariet", &r.url()));
    let names = vec!["diariet".to_string()];
    outbox(&s, &c).spawn();
    let mut subs = Vec::new();
    // The receiver misbehaves in turn while the submissions arrive.
    for (phase, mode) in [Mode::Refuse, Mode::Error500, Mode::KeepThen503]
        .into_iter()
        .enumerate()
    {
        r.set_mode(mode).await.unwrap();
        for _ in 0..(if phase == 2 { 334 } else { 333 }) {
            subs.push(submit(&s, &names).await);
        }
    }
    assert_eq!(subs.len(), 1000);
    r.set_mode(Mode::Accept).await.unwrap();
    wait_delivered(&s, "diariet", 1000).await;
    assert_exactly_once(&s, &subs, "diariet", &r).await;
    // Every attempt is in the log, and each job's last one is the delivery.
    for sub in subs.iter().step_by(37) {
        let job = &s.delivery_jobs_of(&sub.id).await.unwrap()[0];
        let log = s.delivery_attempts(&job.id).await.unwrap();
        assert_eq!(log.len() as i64, job.attempts);
        let last = log.iter().max_by_key(|a| a.number).unwrap();
        assert!(matches!(last.outcome.as_str(), "accepted" | "duplicate"));
        assert!(log.iter().all(|a| a.finished_at.is_some()));
    }
    eprintln!(
        "receiver: {} posts, {} accepted, {} duplicates dropped",
        r.posts(),
        r.accepted_count(),
        r.duplicates()
    );
}

#[tokio::test]
async fn a_rejected_message_is_a_dead_letter_until_retried_by_hand() {
    let r = Receiver::start().await.unwrap();
    r.set_mode(Mode::Reject400).await.unwrap();
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
    assert_eq!(job.state, "queued");

    // The senders are not running: each step is one call.
    assert_eq!(outbox.deliver_due("diariet").await.unwrap(), 1);
    let dead = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!(dead.state, "dead");
    assert_eq!(dead.last_error.as_deref(), Some("HTTP 400"));
    assert_eq!(
        outbox.deliver_due("diariet").await.unwrap(),
        0,
        "dead stays dead"
    );
    let page = c.get("/admin?token=hemligt").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("HTTP 400"), "{}", page.body);
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

    // The retry needs the token and the CSRF token.
    let retry = format!("/admin/leverans/{}/forsok-igen", job.id);
    let csrf = csrf_of(&page.body).unwrap();
    let no_csrf = c.post(&retry, &[("token", "hemligt")]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let no_token = c.post(&retry, &[("_csrf", &csrf)]).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
    r.set_mode(Mode::Accept).await.unwrap();
    let ok = c
        .post(&retry, &[("_csrf", &csrf), ("token", "hemligt")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(outbox.deliver_due("diariet").await.unwrap(), 1);
    let done = state.store.delivery_job(&job.id).await.unwrap().unwrap();
    assert_eq!(done.state, "delivered");
    assert_eq!(
        state.store.submission(&id).await.unwrap().unwrap().status,
        "levererad"
    );
    // The receiver got the submission's XML under the job's tx id.
    let body = String::from_utf8(r.body(&job.tx_id).unwrap()).unwrap();
    assert!(body.contains("<"), "{body}");
    let log: Vec<String> = state
        .store
        .delivery_attempts(&job.id)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.outcome)
        .collect();
    assert_eq!(log, ["permanent", "accepted"]);
}

#[tokio::test]
async fn retryable_failures_become_a_dead_letter_at_the_attempt_limit() {
    let r = Receiver::start().await.unwrap();
    r.set_mode(Mode::Error500).await.unwrap();
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
        assert_eq!(j.state, if attempt < 3 { "queued" } else { "dead" });
    }
    let j = s.delivery_job(&job.id).await.unwrap().unwrap();
    assert!(j.last_error.unwrap().contains("HTTP 500"));
    assert_eq!(
        s.submission(&sub.id).await.unwrap().unwrap().status,
        "mottagen"
    );
}

#[tokio::test]
async fn the_canary_marks_a_broken_target_and_its_recovery() {
    let r = Receiver::start().await.unwrap();
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
    let page = c.get("/admin?token=hemligt").await.body;
    assert!(page.contains("FEL:"), "{page}");

    r.set_mode(Mode::Accept).await.unwrap();
    assert!(outbox.canary("diariet").await.unwrap().ok);
    let metrics = c.get("/metrics").await.body;
    assert!(
        metrics.contains("blankett_delivery_canary_ok{target=\"diariet\"} 1"),
        "{metrics}"
    );
    let page = c.get("/admin?token=hemligt").await.body;
    assert!(
        !page.contains("FEL:") && page.contains("fungerar"),
        "{page}"
    );
    let stored = state.store.canaries().await.unwrap();
    assert!(stored[0].ok && stored[0].last_ok_at.is_some());
    // The test messages are not submissions: no job was made.
    assert!(state.store.delivery_overview().await.unwrap().is_empty());
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
    let r = Receiver::start().await.unwrap();
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
    assert_eq!(r.duplicates(), 0, "a job was sent twice");
    assert_eq!(r.posts(), 1000);
}

#[tokio::test]
async fn retention_deletes_a_submissions_delivery_jobs_with_it() {
    let s = sqlite().await;
    let sub = submit(&s, &["diariet".to_string()]).await;
    assert_eq!(s.delivery_jobs_of(&sub.id).await.unwrap().len(), 1);
    let (_, n) = s
        .purge("orust", "felanmalan", "2000-01-01", "9999-01-01")
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert!(s.delivery_jobs_of(&sub.id).await.unwrap().is_empty());
    assert!(s.delivery_overview().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_leased_job_is_nobody_elses_until_the_lease_ends() {
    use blankett_runtime::store::{utc_stamp, Claim, FinishedAttempt, NextStep};
    let r = Receiver::start().await.unwrap();
    let s = sqlite().await;
    let o = outbox(&s, &config(target("diariet", &r.url())));
    let sub = submit(&s, &["diariet".to_string()]).await;
    let now = chrono::Utc::now();
    let claim = |owner: &str, lease: chrono::Duration| Claim {
        target: "diariet".into(),
        owner: owner.into(),
        now: utc_stamp(now),
        lease_until: utc_stamp(now + lease),
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
        now: utc_stamp(now + chrono::Duration::hours(2)),
        lease_until: utc_stamp(now + chrono::Duration::hours(3)),
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
        finished_at: utc_stamp(chrono::Utc::now()),
        outcome: "retryable".into(),
        detail: Some("late".into()),
        next: NextStep::RetryAt(utc_stamp(now)),
    };
    assert!(!s.finish_delivery(&late).await.unwrap());
    let job = s.delivery_job(&first[0].job.id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.attempts), ("in_flight", 2));
    // The second sender's acceptance delivers it.
    let done = FinishedAttempt {
        attempt_id: second[0].attempt_id.clone(),
        lease_owner: "second".into(),
        outcome: "accepted".into(),
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
        "levererad"
    );
}

#[tokio::test]
async fn the_http_transport_maps_answers_to_outcomes() {
    use blankett_runtime::outbox::http::HttpTransport;
    use blankett_runtime::outbox::{SendOutcome, Transport};
    let r = Receiver::start().await.unwrap();
    let t = HttpTransport::new(&r.url()).unwrap();
    assert_eq!(t.send("tx-1", b"<a/>").await, SendOutcome::Accepted);
    assert_eq!(t.send("tx-1", b"<a/>").await, SendOutcome::Duplicate);
    r.set_mode(Mode::Error500).await.unwrap();
    assert_eq!(
        t.send("tx-2", b"<a/>").await,
        SendOutcome::Retryable("HTTP 500".into())
    );
    r.set_mode(Mode::Reject400).await.unwrap();
    assert_eq!(
        t.send("tx-2", b"<a/>").await,
        SendOutcome::Permanent("HTTP 400".into())
    );
    r.set_mode(Mode::Refuse).await.unwrap();
    assert!(matches!(
        t.send("tx-2", b"<a/>").await,
        SendOutcome::Retryable(_)
    ));
    r.set_mode(Mode::Accept).await.unwrap();
    assert_eq!(t.send("tx-2", b"<b/>").await, SendOutcome::Accepted);
    assert_eq!(r.body("tx-2").unwrap(), b"<b/>");
    assert!(HttpTransport::new("https://shs.example/").is_err());
}

/// The delivery half of the store on both databases: retries to a dead letter, the manual
/// retry, the overview, the canary record.
async fn delivery_store_suite(s: DynStore) {
    let r = Receiver::start().await.unwrap();
    r.set_mode(Mode::Error500).await.unwrap();
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
    assert_eq!(
        mine.oldest_undelivered.as_deref(),
        Some(job.created_at.as_str())
    );

    r.set_mode(Mode::Accept).await.unwrap();
    let now = blankett_runtime::store::utc_stamp(chrono::Utc::now());
    assert!(s.retry_delivery(&job.id, &now).await.unwrap());
    assert_eq!(o.deliver_due(&name).await.unwrap(), 1);
    let ov = s.delivery_overview().await.unwrap();
    let mine = ov.iter().find(|o| o.target == name).unwrap();
    assert_eq!((mine.delivered, mine.dead), (1, 0));
    assert!(mine.oldest_undelivered.is_none() && mine.last_delivered.is_some());
    assert!(
        !s.retry_delivery(&job.id, &now).await.unwrap(),
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

#[tokio::test]
async fn the_builder_gets_the_kommun_the_tx_id_and_test_status_for_the_canary() {
    use blankett_runtime::outbox::{MessageStatus, Transport};
    let r = Receiver::start().await.unwrap();
    let (_, state) = app_with(|_| {}).await;
    let c = config(target("diariet", &r.url()));
    let mut transports = std::collections::BTreeMap::new();
    let t: Arc<dyn Transport> =
        Arc::new(blankett_runtime::outbox::http::HttpTransport::new(&r.url()).unwrap());
    transports.insert("diariet".to_string(), t);
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
    let mut sub = submit(&state.store, &["diariet".to_string()]).await;
    sub = state.store.submission(&sub.id).await.unwrap().unwrap();
    assert_eq!(o.deliver_due("diariet").await.unwrap(), 1);
    let job = &state.store.delivery_jobs_of(&sub.id).await.unwrap()[0];
    let body = String::from_utf8(r.body(&job.tx_id).unwrap()).unwrap();
    let kommun = state.registry().kommuner["orust"].branding.name.clone();
    assert_eq!(
        body,
        format!(
            "{:?} {kommun} {} urn:X-shs:2120001439",
            MessageStatus::Production,
            job.tx_id
        )
    );
    assert!(o.canary("diariet").await.unwrap().ok);
    let canary: Vec<String> = r
        .accepted()
        .into_iter()
        .filter(|t| *t != job.tx_id)
        .collect();
    let body = String::from_utf8(r.body(&canary[0]).unwrap()).unwrap();
    assert!(body.starts_with(&format!("Test {kommun} ")), "{body}");
}
