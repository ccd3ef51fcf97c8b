//! Delivery throughput: SHS messages per second from the outbox to a loopback SHS receiver.
//!
//! `cargo bench --bench deliver -- [messages] [workers]` (default 5000 and 8) on SQLite in a
//! temporary folder; with `BLANKETT_BENCH_POSTGRES=postgres://…` on PostgreSQL instead.
//!
//! Each message is what a real delivery sends: felanmälan of the example kommun (Orust), built
//! by the outbox on every attempt (the case as an ERMS document mapped from the answers, the
//! submission XML, the label, MIME) and POSTed by the SHS client to the test mailbox's
//! `/shs/rs` on 127.0.0.1, which parses it, stores it as `<tx.id>.mime` (in `/dev/shm` where
//! there is one) and answers 202.
//! The submissions are stored first; the clock runs from starting the senders until the last
//! job is recorded delivered (every attempt written, `synchronous=FULL` on SQLite). For
//! comparison the same messages also go through the plain-HTTP transport (a new connection per
//! message, no TLS) to the same mailbox; the two alternate, twice each. Beside the wall clock
//! it prints the rate per CPU-second the process used (senders, store and mailbox together),
//! which moves less on a machine shared with other work.

// A benchmark has no caller to hand an error to: a broken setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_runtime::metrics::Metrics;
use blankett_runtime::outbox::shs_delivery::ShsMessages;
use blankett_runtime::outbox::{transport_for, DeliveryConfig, Outbox, Target};
use blankett_runtime::registry::Registry;
use blankett_runtime::store::{self, DynStore, NewSubmission, Submission};
use blankett_runtime::submission::SubmissionStatus;
use blankett_runtime::test_mailbox::loopback::LoopbackMailbox;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// CPU seconds this process has used, all threads (Linux; `/proc/self/stat` counts in ticks
/// of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let workers: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let dir = std::env::temp_dir().join(format!("blankett-bench-{}", std::process::id()));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/orust");
    let registry =
        Arc::new(Registry::compile(&[root]).unwrap_or_else(|c| panic!("{:?}", c.diagnostics)));
    for (run, transport) in ["shs", "http", "shs", "http"].into_iter().enumerate() {
        // A runtime, a database and a mailbox of its own per run: dropping the runtime stops
        // the run's senders, so they take no CPU from the next.
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(one_run(
            &dir.join(run.to_string()),
            &registry,
            transport,
            n,
            workers,
        ));
        rt.shutdown_timeout(Duration::from_secs(5));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

async fn one_run(
    dir: &std::path::Path,
    registry: &Arc<Registry>,
    transport: &str,
    n: usize,
    workers: usize,
) {
    std::fs::create_dir_all(dir).unwrap();
    let url = std::env::var("BLANKETT_BENCH_POSTGRES")
        .unwrap_or_else(|_| dir.join("bench.db").display().to_string());
    let store = store::open(&url).await.unwrap();
    // The mailbox writes a file per message (and a temporary one first); on this machine's
    // ext4 that file creation cost more CPU than all of the sending, so where there is a
    // memory file system it goes there: the figure is the sender's, not the receiver's disk.
    let shm = std::path::Path::new("/dev/shm");
    let mailbox_dir = if shm.is_dir() {
        shm.join(format!("blankett-bench-mailbox-{}", uuid::Uuid::new_v4()))
    } else {
        dir.join("mailbox")
    };
    let mailbox = LoopbackMailbox::start(&mailbox_dir).await.unwrap();
    let url = match transport {
        "shs" => mailbox.url(),
        _ => format!("{}/shs/rs", mailbox.url()),
    };
    let target = Target::new(
        &format!("bench-{transport}-{}", uuid::Uuid::new_v4().simple()),
        transport,
        &url,
        "urn:X-shs:2120001439",
    );
    let (secs, cpu) = deliver(&store, registry, target, n, workers).await;
    let counts = mailbox.mailbox.counts();
    let size = mailbox
        .mailbox
        .tx_ids()
        .first()
        .and_then(|t| mailbox.mailbox.message(t))
        .map_or(0, |m| m.len());
    let _ = std::fs::remove_dir_all(&mailbox_dir);
    let what = match transport {
        "shs" => "SHS messages (SHS client, keep-alive)",
        _ => "the same over plain HTTP (a connection each)",
    };
    println!(
        "{what}: {n} of {size} bytes with {workers} senders in {secs:.2} s: {:.0} messages/s, {} (mailbox: {} stored, {} duplicates)",
        n as f64 / secs,
        cpu.map_or("on-CPU rate unknown".into(), |c| format!("{:.0} messages per CPU-second", n as f64 / c)),
        counts.stored,
        counts.duplicates
    );
}

/// Stores `n` submissions for `target`, then times their delivery; returns the seconds, and
/// the CPU seconds the process used meanwhile.
async fn deliver(
    store: &DynStore,
    registry: &Arc<Registry>,
    target: Target,
    n: usize,
    workers: usize,
) -> (f64, Option<f64>) {
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
        targets: vec![target.clone()],
    };
    let started = Instant::now();
    for n in 0..n {
        store.submit(felanmalan(n, &target.name)).await.unwrap();
    }
    println!(
        "stored {n} submissions with their jobs in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let mut transports = BTreeMap::new();
    transports.insert(
        target.name.clone(),
        transport_for(&target, &config).unwrap(),
    );
    let registry = registry.clone();
    // The SHS message whatever the transport, so both carry the same bytes.
    let outbox = Arc::new(
        Outbox::new(
            store.clone(),
            Arc::new(Metrics::default()),
            config,
            transports,
            Arc::new(ShsMessages),
        )
        .unwrap()
        .with_registry(Arc::new(move || registry.clone())),
    );
    let started = Instant::now();
    let cpu = cpu_seconds();
    outbox.spawn();
    loop {
        let o = store.delivery_overview().await.unwrap();
        let mine = o.iter().find(|o| o.target == target.name);
        if let Some(m) = mine {
            assert_eq!(m.dead, 0, "a message was refused: {m:?}");
            if m.delivered as usize == n {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    (secs, cpu.zip(cpu_seconds()).map(|(a, b)| b - a))
}

/// A felanmälan as the journey stores it.
fn felanmalan(n: usize, target: &str) -> NewSubmission {
    let id = uuid::Uuid::new_v4().to_string();
    let text = format!(
        "Hål nummer {n} i asfalten vid skolan. {}",
        "Det är djupt. ".repeat(40)
    );
    NewSubmission {
        submission: Submission {
            id: id.clone(),
            reference: String::new(),
            draft_id: format!("d-{id}"),
            owner: "session:bench".into(),
            kommun: "orust".into(),
            form: "felanmalan".into(),
            form_version: "1.0.0".into(),
            form_hash: "abc".into(),
            answers: serde_json::json!({"kategori": "gata", "beskrivning": text,
                "platsbeskrivning": "Skolvägen", "vill_ha_aterkoppling": false})
            .to_string(),
            xml: format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<felanmalan><kategori>gata</kategori><beskrivning>{text}</beskrivning><platsbeskrivning>Skolvägen</platsbeskrivning></felanmalan>\n"
            ),
            json: "{}".into(),
            status: SubmissionStatus::Mottagen,
            case_number: None,
            submitted_at: chrono::Utc::now(),
        },
        reference_prefix: "BENCH".into(),
        year: 2026,
        delivery_targets: vec![target.to_string()],
        attachments: Vec::new(),
    }
}
