//! The schema: sqlx's migrator, with the files of `migrations/sqlite` and
//! `migrations/postgres`.
//!
//! Databases made before it was used recorded their migrations in `blankett_migrations`
//! (one row per file version that ran). Those versions are recorded as sqlx's own, with the
//! checksums of the same files, before the migrator runs: it then runs only what is new.
//! `blankett_migrations` stays as it was, unused.

use super::{Col, Db};
use crate::store::Result;
use sqlx::migrate::{Migrate, Migrator};
use sqlx::{Executor, IntoArguments, Pool};

pub static SQLITE: Migrator = sqlx::migrate!("./migrations/sqlite");
pub static POSTGRES: Migrator = sqlx::migrate!("./migrations/postgres");

pub async fn run<DB: Db>(pool: &Pool<DB>, migrator: &Migrator) -> Result<()>
where
    DB::Connection: Migrate,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
    for<'q> &'q [u8]: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: Col<DB>,
    bool: Col<DB>,
{
    let mut conn = pool.acquire().await?;
    let legacy: i64 = sqlx::query_scalar(DB::HAS_LEGACY_MIGRATIONS)
        .fetch_one(&mut *conn)
        .await?;
    if legacy > 0 {
        conn.ensure_migrations_table().await?;
        let done: Vec<i64> = sqlx::query_scalar("SELECT version FROM blankett_migrations")
            .fetch_all(&mut *conn)
            .await?;
        for m in migrator.iter().filter(|m| done.contains(&m.version)) {
            sqlx::query(
                "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
                 VALUES ($1, $2, $3, $4, 0) ON CONFLICT (version) DO NOTHING",
            )
            .bind(m.version)
            .bind(&*m.description)
            .bind(true)
            .bind(&*m.checksum)
            .execute(&mut *conn)
            .await?;
        }
    }
    drop(conn);
    migrator.run(pool).await?;
    Ok(())
}
