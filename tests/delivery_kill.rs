//! Delivery survives the process dying: 1,000 submissions made through the journey while the
//! receiver refuses connections, the server SIGKILLed in the middle of delivering them,
//! restarted on the same data; the receiver ends with each submission's tx id exactly once.

use blankett_runtime::outbox::receiver::{Mode, Receiver};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

mod common;

use common::{free_port, start, submit_felanmalan, Browser};

const SUBMISSIONS: usize = 1000;

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

#[test]
fn deliveries_survive_sigkill_exactly_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let receiver = rt.block_on(Receiver::start()).unwrap();
    rt.block_on(receiver.set_mode(Mode::Refuse)).unwrap();
    let data = std::env::temp_dir().join(format!("blankett-outbox-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let config = data.join("blankett.toml");
    // A short lease: the jobs the killed process had in flight are claimed again soon.
    std::fs::write(
        &config,
        format!(
            r#"
[delivery]
workers = 4
attempt_limit = 100000
backoff_base_ms = 5
backoff_cap_ms = 200
lease_seconds = 3
send_timeout_seconds = 2
poll_ms = 20
canary_interval_seconds = 0

[[delivery.targets]]
name = "diariet"
transport = "http"
url = "{}"
to_address = "urn:X-shs:2120001439"
"#,
            receiver.url()
        ),
    )
    .unwrap();
    let port = free_port();
    let mut server = start(&data, port, &["--config".as_ref(), config.as_os_str()]);

    // Four citizens at a time, while the receiver refuses every connection.
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|w| {
                s.spawn(move || {
                    (w..SUBMISSIONS)
                        .step_by(4)
                        .map(|n| submit_one(port, n))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len(), SUBMISSIONS);

    // The receiver recovers; the server is killed as soon as deliveries are under way.
    rt.block_on(receiver.set_mode(Mode::Accept)).unwrap();
    while receiver.accepted_count() < 100 {
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    let at_kill = receiver.accepted_count();

    let mut server = start(&data, port, &["--config".as_ref(), config.as_os_str()]);
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
    eprintln!(
        "accepted {at_kill} before the kill; receiver: {} posts, {} duplicates dropped",
        receiver.posts(),
        receiver.duplicates()
    );

    let store = rt
        .block_on(blankett_runtime::store::open(
            data.join("blankett.db").to_str().unwrap(),
        ))
        .unwrap();
    let mut expected = BTreeSet::new();
    for id in &ids {
        let jobs = rt.block_on(store.delivery_jobs_of(id)).unwrap();
        assert_eq!(jobs.len(), 1, "one job per submission");
        assert_eq!(jobs[0].state, "delivered");
        assert!(expected.insert(jobs[0].tx_id.clone()));
        let s = rt.block_on(store.submission(id)).unwrap().unwrap();
        assert_eq!(s.status, "levererad");
    }
    let accepted: BTreeSet<String> = receiver.accepted().into_iter().collect();
    assert_eq!(
        accepted, expected,
        "the receiver has each submission's tx id once, and no other"
    );
    let _ = std::fs::remove_dir_all(&data);
}
