//! The crash campaign (issue 21): citizens submit felanmälan with a photo while the server is
//! SIGKILLed at random moments and restarted on the same data, and the test mailbox it delivers
//! to loses answers, refuses connections and answers 500 in turn. At the end every receipt that
//! was ever returned has its submission, its photo byte for byte, and exactly one delivery
//! whose message carries the photo.
//!
//! CI runs a brief campaign (`crash_campaign_brief`, 5 kills). The full one runs by hand:
//!
//! ```text
//! BLANKETT_CRASH_KILLS=100 cargo test --test crash_campaign -- --ignored --nocapture
//! BLANKETT_CRASH_KILLS=100 BLANKETT_TEST_POSTGRES=postgres://… cargo test --test crash_campaign -- --ignored --nocapture
//! ```
//!
//! and its figures go on the book's reliability page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common/citizen.rs"]
mod citizen;
mod common;

use blankett_runtime::shs::Message;
use blankett_runtime::store::DeliveryState;
use blankett_runtime::test_mailbox::loopback::{LoopbackMailbox, Mode};
use blankett_runtime::test_mailbox::Fault;
use citizen::{Citizen, Receipt};
use common::{free_port, shs_delivery_config, start};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// xorshift64*: reproducible from the seed printed at the start.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A database of its own on the PostgreSQL server the tests use, or SQLite in the data folder.
fn database(rt: &tokio::runtime::Runtime, data: &Path) -> (String, Vec<std::ffi::OsString>) {
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        let path = data.join("server").join("blankett.db");
        return (path.display().to_string(), vec![]);
    };
    let db = format!("blankett_crash_{}", uuid::Uuid::new_v4().simple());
    rt.block_on(async {
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::raw_sql(&format!("CREATE DATABASE {db}"))
            .execute(&admin)
            .await
            .unwrap();
    });
    let (base, _) = url.rsplit_once('/').unwrap();
    let url = format!("{base}/{db}");
    (url.clone(), vec!["--database".into(), url.into()])
}

fn campaign(kills: usize) {
    let seed = std::env::var("BLANKETT_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("crash campaign: {kills} kills, seed {seed}");
    let mut rng = Rng(seed);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let data = std::env::temp_dir().join(format!("blankett-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).unwrap();
    let (db_url, db_args) = database(&rt, &data);
    let mb = rt
        .block_on(LoopbackMailbox::start(&data.join("mailbox")))
        .unwrap();
    let config = data.join("blankett.toml");
    std::fs::write(&config, shs_delivery_config(&mb.url(), 2, 1000)).unwrap();
    let mut args: Vec<std::ffi::OsString> = vec!["--config".into(), config.clone().into()];
    args.extend(db_args);
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
    let port = free_port();

    let receipts = Mutex::new(Vec::<Receipt>::new());
    let attempts = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let mut server = start(&data.join("server"), port, &args);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let n = attempts.fetch_add(1, Ordering::Relaxed);
                    match Citizen::new(port).submit(n) {
                        Some(r) => receipts.lock().unwrap().push(r),
                        None => std::thread::sleep(Duration::from_millis(20)),
                    }
                }
            });
        }
        let modes = [
            Mode::Accept,
            Mode::Fail(Fault::LoseAnswer),
            Mode::Refuse,
            Mode::Fail(Fault::ServerError),
        ];
        for k in 0..kills {
            std::thread::sleep(Duration::from_millis(100 + rng.below(1400)));
            server.kill().unwrap();
            server.wait().unwrap();
            let mode = modes[rng.below(modes.len() as u64) as usize].clone();
            rt.block_on(mb.set_mode(mode)).unwrap();
            server = start(&data.join("server"), port, &args);
            if (k + 1) % 10 == 0 {
                let told = receipts.lock().unwrap().len();
                eprintln!("{} kills, {told} receipts", k + 1);
            }
        }
        stop.store(true, Ordering::Relaxed);
    });
    let campaign_time = started.elapsed();

    // The receiver recovers; everything is delivered before the server stops for the check.
    rt.block_on(mb.set_mode(Mode::Accept)).unwrap();
    let receipts = receipts.into_inner().unwrap();
    let store = rt.block_on(blankett_runtime::store::open(&db_url)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    for r in &receipts {
        loop {
            let jobs = rt.block_on(store.delivery_jobs_of(&r.id)).unwrap();
            if jobs.iter().any(|j| j.state == DeliveryState::Delivered) {
                break;
            }
            assert!(Instant::now() < deadline, "{} is not delivered", r.id);
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    server.kill().unwrap();
    server.wait().unwrap();

    // Every message in the mailbox, by its submission (the label's corr.id).
    let mut messages: BTreeMap<String, Vec<Message>> = BTreeMap::new();
    for tx in mb.mailbox.tx_ids() {
        let m = Message::parse(&mb.mailbox.message(&tx).unwrap()).expect("an SHS message");
        messages
            .entry(m.label.corr_id.to_string())
            .or_default()
            .push(m);
    }
    for r in &receipts {
        r.assert_kept(&rt, &store);
        let jobs = rt.block_on(store.delivery_jobs_of(&r.id)).unwrap();
        assert_eq!(jobs.len(), 1, "receipt {}: one delivery job", r.id);
        let delivered = messages.get(&r.id).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(delivered.len(), 1, "receipt {}: delivered once", r.id);
        assert!(
            delivered[0].parts.iter().any(|p| p.body == r.photo),
            "receipt {}: the delivered message carries the photo",
            r.id
        );
    }
    for (corr, ms) in &messages {
        assert_eq!(
            ms.len(),
            1,
            "submission {corr} was delivered {} times",
            ms.len()
        );
    }
    let counts = mb.mailbox.counts();
    eprintln!(
        "crash campaign done: {kills} kills in {:.0} s, {} journeys started, {} receipts, {} messages delivered (each once), mailbox {counts:?}, seed {seed}",
        campaign_time.as_secs_f64(),
        attempts.load(Ordering::Relaxed),
        receipts.len(),
        messages.len(),
    );
    assert!(!receipts.is_empty(), "no citizen got through");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn crash_campaign_brief() {
    campaign(5);
}

#[test]
#[ignore = "the full campaign runs by hand; its figures are in the book's reliability page"]
fn crash_campaign() {
    let kills = std::env::var("BLANKETT_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(100);
    campaign(kills);
}
