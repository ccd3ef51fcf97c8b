//! The SQL behind the store traits, written once for SQLite and PostgreSQL: generic methods of
//! [`Sql`] (one file per concern) that the trait impls of both databases forward to
//! (`forward!`). Statements number their parameters `$1…$n`, which both databases read, and
//! bind times, statuses and other enums as the types they are.

mod audit;
mod mail;
mod migrate;
mod outbox;
mod session;
mod signing;
mod submission;

use super::Result;
use sqlx::{Database, Decode, Encode, Pool, Postgres, Sqlite, Type};

/// Reads go to `pool`; writes to `writer`. SQLite lets one writer in at a time: with one
/// connection, writers wait their turn in order in the process instead of each retrying the
/// file lock (`busy_timeout` sleeps of up to 100 ms, the worst of a latency tail under load).
/// Readers never wait for the writer (WAL). PostgreSQL has no single-writer limit: both are
/// the same pool there.
pub struct Sql<DB: Database> {
    pool: Pool<DB>,
    writer: Pool<DB>,
}

pub type SqliteStore = Sql<Sqlite>;
pub type PgStore = Sql<Postgres>;

/// What differs between the two databases.
pub trait Db: Database {
    /// Ends the subquery that picks the rows a claim takes. PostgreSQL: rows another instance
    /// is claiming are skipped, not waited for. SQLite has one writer, so no row locks (and no
    /// such clause).
    const SKIP_LOCKED: &'static str;
    /// Whether the table of the migration runner before sqlx's exists (`migrate`).
    const HAS_LEGACY_MIGRATIONS: &'static str;

    fn rows_affected(r: &Self::QueryResult) -> u64;
}

impl Db for Sqlite {
    const SKIP_LOCKED: &'static str = "";
    const HAS_LEGACY_MIGRATIONS: &'static str =
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'blankett_migrations'";

    fn rows_affected(r: &Self::QueryResult) -> u64 {
        r.rows_affected()
    }
}

impl Db for Postgres {
    const SKIP_LOCKED: &'static str = " FOR UPDATE SKIP LOCKED";
    const HAS_LEGACY_MIGRATIONS: &'static str = "SELECT COUNT(*) FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_name = 'blankett_migrations'";

    fn rows_affected(r: &Self::QueryResult) -> u64 {
        r.rows_affected()
    }
}

/// A Rust type that is a column type in `DB`: bound, read and typed. Each file's `impl` block
/// names the ones its statements use (Rust does not carry bounds like these from a trait to
/// its users, so they are listed there, not here).
pub trait Col<DB: Database>:
    for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB> + Send + Sync
{
}

impl<DB: Database, T> Col<DB> for T where
    T: for<'q> Encode<'q, DB> + for<'r> Decode<'r, DB> + Type<DB> + Send + Sync
{
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self> {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        use std::str::FromStr;
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a receipt is shown only after the submission is on disk, power loss included.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10))
            .foreign_keys(true);
        // A local file needs no liveness check before each use (sqlx's default pings the
        // connection's worker thread first: a round trip per query).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        // An in-memory database exists once per connection: there, one pool does both.
        let pool = if path.contains(":memory:") || path.contains("mode=memory") {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(opts)
                .await?
        };
        migrate::run(&writer, &migrate::SQLITE).await?;
        Ok(Sql { pool, writer })
    }
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        migrate::run(&pool, &migrate::POSTGRES).await?;
        Ok(Sql {
            writer: pool.clone(),
            pool,
        })
    }
}

/// Implements a store trait for both databases: each method calls the generic method of the
/// same name on `Sql<DB>` (an inherent method, so it is not the trait's own).
macro_rules! forward {
    ($tr:ident { $(fn $m:ident(&self $(, $a:ident: $t:ty)*) -> $r:ty;)* }) => {
        forward!(@one sqlx::Sqlite, $tr { $(fn $m(&self $(, $a: $t)*) -> $r;)* });
        forward!(@one sqlx::Postgres, $tr { $(fn $m(&self $(, $a: $t)*) -> $r;)* });
    };
    (@one $db:ty, $tr:ident { $(fn $m:ident(&self $(, $a:ident: $t:ty)*) -> $r:ty;)* }) => {
        #[async_trait::async_trait]
        impl $tr for super::Sql<$db> {
            $(async fn $m(&self $(, $a: $t)*) -> $r {
                super::Sql::<$db>::$m(self $(, $a)*).await
            })*
        }
    };
}
use forward;
