//! The database goes away under a running server: a citizen's receipt, Mina sidor and a page
//! POST answer 503 with the message page (never "not found", never "Du har inget sparat"), the
//! log names the cause, and once the database is back the same requests succeed and nothing
//! was lost. PostgreSQL: the test's own database refuses connections and its sessions are
//! ended (as a stopped server does to the runtime); SQLite: the store's calls fail.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/failing_store.rs"]
mod failing_store;
mod support;

use axum::http::StatusCode;
use support::{app_on, csrf_of, Client};

const UNAVAILABLE: &str = "Tjänsten är tillfälligt otillgänglig";

/// What the outage does and undoes.
#[async_trait::async_trait]
trait Outage {
    async fn begin(&self);
    async fn end(&self);
}

/// Log lines, captured for the assertions on what an operator is told.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// A person with a submission (felanmälan, its receipt) and a draft (the first page of
/// bygglov saved); then the outage; then the same requests again.
async fn scenario(mut c: Client, outage: &dyn Outage, log: &Log) {
    c.login("198112289874").await;
    support::fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let sent = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let receipt = sent.location.unwrap();
    let page = c.get("/orust/felanmalan/felet").await;
    let token = csrf_of(&page.body).unwrap();
    let before = c.get(&receipt).await;
    assert_eq!(before.status, StatusCode::OK);

    outage.begin().await;
    for (what, r) in [
        ("the receipt", c.get(&receipt).await),
        ("Mina sidor", c.get("/mina-sidor").await),
        (
            "a page POST",
            c.post(
                "/orust/felanmalan/felet",
                &[
                    ("_csrf", &token),
                    ("kategori", "gata"),
                    ("beskrivning", "Ett nytt hål."),
                ],
            )
            .await,
        ),
    ] {
        assert_eq!(
            r.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{what}: {}",
            r.body
        );
        assert!(
            r.body.contains(UNAVAILABLE),
            "{what} shows the message page: {}",
            r.body
        );
        assert!(!r.body.contains("Du har inget sparat"), "{what}");
    }
    let logged = log.text();
    assert!(
        logged.contains("storage failed") && logged.contains("cause"),
        "the log names the cause: {logged}"
    );

    outage.end().await;
    let after = c.get(&receipt).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.body);
    assert_eq!(after.body, before.body, "the receipt is as it was");
    let mina = c.get("/mina-sidor").await;
    assert_eq!(mina.status, StatusCode::OK);
    assert!(
        mina.body.contains("OFEL-"),
        "the submission is still listed"
    );
    let saved = c
        .post(
            "/orust/felanmalan/felet",
            &[
                ("_csrf", &token),
                ("kategori", "gata"),
                ("beskrivning", "Ett nytt hål."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
}

fn capture() -> (Log, tracing::subscriber::DefaultGuard) {
    let log = Log::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    (log, tracing::subscriber::set_default(subscriber))
}

struct PgOutage {
    admin: sqlx::PgPool,
    db: String,
}

#[async_trait::async_trait]
impl Outage for PgOutage {
    async fn begin(&self) {
        let db = &self.db;
        sqlx::raw_sql(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS false"))
            .execute(&self.admin)
            .await
            .unwrap();
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(db)
            .execute(&self.admin)
            .await
            .unwrap();
    }
    async fn end(&self) {
        let db = &self.db;
        sqlx::raw_sql(&format!("ALTER DATABASE {db} ALLOW_CONNECTIONS true"))
            .execute(&self.admin)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn postgres_going_away_answers_503_and_nothing_is_lost() {
    let Ok(url) = std::env::var("BLANKETT_TEST_POSTGRES") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set BLANKETT_TEST_POSTGRES to a PostgreSQL server"
        );
        eprintln!("BLANKETT_TEST_POSTGRES is not set: skipping the PostgreSQL outage test");
        return;
    };
    // A database of its own, so the outage touches no other test.
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    let db = format!("blankett_outage_{}", uuid::Uuid::new_v4().simple());
    sqlx::raw_sql(&format!("CREATE DATABASE {db}"))
        .execute(&admin)
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let store = blankett_runtime::store::open(&format!("{base}/{db}"))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("blankett-outage-{db}"));
    std::fs::create_dir_all(&dir).unwrap();
    let (router, _) = app_on(store, dir, |_| {}).await;
    let (log, _guard) = capture();
    let outage = PgOutage {
        admin: admin.clone(),
        db: db.clone(),
    };
    scenario(Client::new(router), &outage, &log).await;
    outage.end().await;
    // The test's own database goes with it (FORCE ends the runtime's idle connections).
    sqlx::raw_sql(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .execute(&admin)
        .await
        .unwrap();
}

struct SqliteOutage(std::sync::Arc<std::sync::atomic::AtomicBool>);

#[async_trait::async_trait]
impl Outage for SqliteOutage {
    async fn begin(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
    async fn end(&self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test]
async fn sqlite_failing_answers_503_and_nothing_is_lost() {
    let dir = std::env::temp_dir().join(format!("blankett-outage-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let inner = blankett_runtime::store::open(dir.join("t.db").to_str().unwrap())
        .await
        .unwrap();
    let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let store = std::sync::Arc::new(failing_store::Failing {
        inner,
        down: down.clone(),
    });
    let (router, _) = app_on(store, dir, |_| {}).await;
    let (log, _guard) = capture();
    scenario(Client::new(router), &SqliteOutage(down), &log).await;
}
