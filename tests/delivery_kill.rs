//! Delivery over SHS survives a misbehaving receiver and the process dying: 1,000 submissions
//! made through the journey while the receiver (the test mailbox) first loses its answers,
//! then refuses connections, answers 500, then a retryable SHS error; when it recovers the
//! server is SIGKILLed in the middle of delivering and restarted on the same data. The mailbox
//! ends with each submission's tx.id exactly once, every message a valid SHS message.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_runtime::shs::Message;
use blankett_runtime::store::DeliveryState;
use blankett_runtime::submission::SubmissionStatus;
use blankett_runtime::test_mailbox::loopback::{LoopbackMailbox, Mode};
use blankett_runtime::test_mailbox::Fault;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

mod common;

use common::{free_port, shs_delivery_config, start, submit_felanmalan, Browser};

const SUBMISSIONS: usize = 1000;
/// Retried by the SHS client: the receiver's own delivery failed.
const RETRYABLE: &str = "MissingDeliveryExecution";

/// One anonymous felanmälan; returns the submission id (the last part of the receipt URL).
fn submit_one(port: u16, n: usize) -> String {
    let receipt = submit_felanmalan(&mut Browser::new(port), n);
    receipt.rsplit('/').next().unwrap().to_string()
}

fn delivered(port: u16) -> usize {
    let mut b = Browser::new(port);
    let (_, metrics) = b.get("/metrics");
    metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix("blankett_delivery_jobs{target=\"diariet\",state=\"delivered\"} ")
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// `xmllint --dtdvalid` over all the labels at once; skipped where the reference folder or
/// xmllint is absent.
fn labels_valid(labels: &[Vec<u8>]) {
    let dtd = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/shs/shs-label-1.2.dtd");
    if !dtd.exists() {
        eprintln!(
            "note: {} is absent, labels not checked against the DTD",
            dtd.display()
        );
        return;
    }
    let dir = std::env::temp_dir().join(format!("blankett-kill-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<_> = labels
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let f = dir.join(format!("{n}.xml"));
            std::fs::write(&f, l).unwrap();
            f
        })
        .collect();
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--dtdvalid"])
        .arg(&dtd)
        .args(&files)
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(out) => assert!(
            out.status.success(),
            "xmllint refused a label:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => eprintln!("note: xmllint is not installed, labels not checked"),
    }
}

#[test]
fn deliveries_over_shs_survive_faults_and_sigkill_exactly_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let data = std::env::temp_dir().join(format!("blankett-outbox-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let mb = rt
        .block_on(LoopbackMailbox::start(&data.join("mailbox")))
        .unwrap();
    rt.block_on(mb.set_mode(Mode::Fail(Fault::LoseAnswer)))
        .unwrap();
    let config = data.join("blankett.toml");
    // A short lease: the jobs the killed process had in flight are claimed again soon. Waits
    // of up to 3 s: hundreds of failing jobs retried sooner only take CPU from the journey.
    std::fs::write(&config, shs_delivery_config(&mb.url(), 4, 3000)).unwrap();
    let port = free_port();
    let mut server = start(
        &data.join("server"),
        port,
        &["--config".as_ref(), config.as_os_str()],
    );

    // Four citizens at a time; the receiver fails another way after each quarter: first it
    // loses its answers (it has those messages, the sender does not know), then it refuses
    // connections, answers 500, and a retryable SHS error.
    let submitted = AtomicUsize::new(0);
    let phases = [
        Mode::Refuse,
        Mode::Fail(Fault::ServerError),
        Mode::Fail(Fault::ShsError(RETRYABLE.into())),
    ];
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|w| {
                let submitted = &submitted;
                s.spawn(move || {
                    (w..SUBMISSIONS)
                        .step_by(4)
                        .map(|n| {
                            let id = submit_one(port, n);
                            submitted.fetch_add(1, Ordering::Relaxed);
                            id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (quarter, mode) in phases.into_iter().enumerate() {
            while submitted.load(Ordering::Relaxed) < (quarter + 1) * SUBMISSIONS / 4 {
                std::thread::sleep(Duration::from_millis(5));
            }
            rt.block_on(mb.set_mode(mode)).unwrap();
        }
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), SUBMISSIONS);

    // The receiver recovers; the server is killed as soon as deliveries are under way.
    rt.block_on(mb.set_mode(Mode::Accept)).unwrap();
    while delivered(port) < 100 {
        std::thread::sleep(Duration::from_millis(2));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let at_kill = mb.mailbox.counts();

    let mut server = start(
        &data.join("server"),
        port,
        &["--config".as_ref(), config.as_os_str()],
    );
    let deadline = Instant::now() + Duration::from_secs(600);
    while delivered(port) < SUBMISSIONS {
        assert!(
            Instant::now() < deadline,
            "deliveries stopped after the restart"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let counts = mb.mailbox.counts();
    eprintln!("mailbox at the kill: {at_kill:?}; at the end: {counts:?}");
    assert!(counts.faults > 0 && counts.duplicates > 0, "{counts:?}");

    let store = rt
        .block_on(blankett_runtime::store::open(
            data.join("server").join("blankett.db").to_str().unwrap(),
        ))
        .unwrap();
    let mut corr_of_tx = BTreeMap::new();
    let mut failures = BTreeSet::new();
    for id in &ids {
        let jobs = rt.block_on(store.delivery_jobs_of(id)).unwrap();
        assert_eq!(jobs.len(), 1, "one job per submission");
        assert_eq!(jobs[0].state, DeliveryState::Delivered);
        assert!(corr_of_tx
            .insert(jobs[0].tx_id.clone(), id.clone())
            .is_none());
        let s = rt.block_on(store.submission(id)).unwrap().unwrap();
        assert_eq!(s.status, SubmissionStatus::Levererad);
        for a in rt.block_on(store.delivery_attempts(&jobs[0].id)).unwrap() {
            let d = a.detail.unwrap_or_default();
            for (needle, what) in [
                ("cannot connect", "refused"),
                ("500", "500"),
                (RETRYABLE, "shs error"),
            ] {
                if d.contains(needle) {
                    failures.insert(what);
                }
            }
        }
    }
    assert_eq!(failures.len(), 3, "every fault was met: {failures:?}");

    // The mailbox counts by the labels' tx.id: each submission's once, and no other.
    let stored = mb.mailbox.tx_ids();
    let accepted: BTreeSet<String> = stored.iter().map(|t| t.to_string()).collect();
    let expected: BTreeSet<String> = corr_of_tx.keys().cloned().collect();
    assert_eq!(
        accepted, expected,
        "the mailbox has each submission's tx.id once, and no other"
    );
    assert_eq!(counts.stored as usize, SUBMISSIONS);
    let mut labels = Vec::new();
    for tx in stored {
        let bytes = mb.mailbox.message(&tx).unwrap();
        let m = Message::parse(&bytes).expect("an SHS message");
        assert_eq!(m.label.tx_id, tx);
        assert_eq!(m.label.corr_id.to_string(), corr_of_tx[&tx.to_string()]);
        assert_eq!(
            m.label.to.as_ref().unwrap().address.to_string(),
            "urn:X-shs:2120001439"
        );
        assert!(String::from_utf8_lossy(&m.parts[0].body).contains("https://DILCIS.eu/XML/ERMS"));
        labels.push(m.label.to_xml());
    }
    labels_valid(&labels);
    let _ = std::fs::remove_dir_all(&data);
}
