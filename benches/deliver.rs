//! Delivery throughput: messages per second from the outbox to a loopback receiver.
//!
//! `cargo bench --bench deliver -- [messages] [workers]` (default 5000 and 8) on SQLite in a
//! temporary folder; with `BLANKETT_BENCH_POSTGRES=postgres://…` on PostgreSQL instead.
//! The submissions are stored first; the clock runs from starting the senders until the last
//! job is recorded delivered (every attempt written, `synchronous=FULL` on SQLite).

use blankett_runtime::metrics::Metrics;
use blankett_runtime::outbox::receiver::Receiver;
use blankett_runtime::outbox::{DeliveryConfig, Outbox, Target};
use blankett_runtime::store::{self, NewSubmission, Submission};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let workers: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run(n, workers));
}

async fn run(n: usize, workers: usize) {
    let url = match std::env::var("BLANKETT_BENCH_POSTGRES") {
        Ok(u) => u,
        Err(_) => {
            let dir = std::env::temp_dir().join(format!("blankett-bench-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            dir.join("bench.db").display().to_string()
        }
    };
    let store = store::open(&url).await.unwrap();
    let receiver = Receiver::start().await.unwrap();
    let target = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let config = DeliveryConfig {
        workers,
        batch: 32,
        attempt_limit: 100,
        backoff_base_ms: 10,
        backoff_cap_ms: 1000,
        lease_seconds: 60,
        send_timeout_seconds: 10,
        poll_ms: 5,
        canary_interval_seconds: 0,
        replies_interval_seconds: 60,
        targets: vec![Target::new(
            &target,
            "http",
            &receiver.url(),
            "urn:X-shs:2120001439",
        )],
    };
    let xml = format!("<inlamning>{}</inlamning>", "x".repeat(4000));
    let started = Instant::now();
    for _ in 0..n {
        let id = uuid::Uuid::new_v4().to_string();
        store
            .submit(NewSubmission {
                submission: Submission {
                    id: id.clone(),
                    reference: String::new(),
                    draft_id: format!("d-{id}"),
                    owner: "session:bench".into(),
                    kommun: "orust".into(),
                    form: "felanmalan".into(),
                    form_version: "1.0.0".into(),
                    form_hash: "abc".into(),
                    answers: "{}".into(),
                    xml: xml.clone(),
                    json: "{}".into(),
                    status: "mottagen".into(),
                    case_number: None,
                    submitted_at: chrono::Utc::now().to_rfc3339(),
                },
                reference_prefix: "BENCH".into(),
                year: 2026,
                delivery_targets: vec![target.clone()],
            })
            .await
            .unwrap();
    }
    println!(
        "stored {n} submissions with their jobs in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let outbox = Arc::new(
        Outbox::from_config(store.clone(), Arc::new(Metrics::default()), &config).unwrap(),
    );
    let started = Instant::now();
    outbox.spawn();
    loop {
        let o = store.delivery_overview().await.unwrap();
        if o.iter()
            .any(|o| o.target == target && o.delivered as usize == n)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "delivered {n} messages ({} bytes each) with {workers} senders in {secs:.2} s: {:.0} messages/s (receiver: {} accepted, {} duplicates)",
        xml.len(),
        n as f64 / secs,
        receiver.accepted_count(),
        receiver.duplicates()
    );
}
