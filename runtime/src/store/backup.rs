//! Backup and restore of the embedded SQLite database. A backup is taken while the server runs
//! (`VACUUM INTO`: one consistent snapshot, written as a fresh database file, readers and the
//! writer carry on); attachments are rows in it, so the file is everything. PostgreSQL is backed
//! up with its own tools (`pg_dump`), see the handbook's operator chapter.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::path::Path;
use std::str::FromStr;

/// What a backup or restore holds, checked by reading it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub submissions: i64,
    pub attachments: i64,
}

async fn connect(path: &Path, create: bool) -> Result<SqliteConnection, String> {
    SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .map_err(|e| e.to_string())?
        .create_if_missing(create)
        .connect()
        .await
        .map_err(|e| format!("cannot open `{}`: {e}", path.display()))
}

/// Reads `path` back: SQLite's integrity check, then what it holds.
pub async fn verify(path: &Path) -> Result<Snapshot, String> {
    let mut c = connect(path, false).await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut c)
        .await
        .map_err(|e| format!("`{}` is not a blankett database: {e}", path.display()))?;
    if check != "ok" {
        return Err(format!("`{}` is damaged: {check}", path.display()));
    }
    let not_ours = |e: sqlx::Error| format!("`{}` is not a blankett database: {e}", path.display());
    let submissions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM submissions")
        .fetch_one(&mut c)
        .await
        .map_err(not_ours)?;
    let attachments: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attachments")
        .fetch_one(&mut c)
        .await
        .map_err(not_ours)?;
    Ok(Snapshot {
        submissions,
        attachments,
    })
}

/// Writes a consistent copy of the database at `db` to `to` (which must not exist yet) and
/// reads it back.
pub async fn backup(db: &Path, to: &Path) -> Result<Snapshot, String> {
    if to.exists() {
        return Err(format!(
            "`{}` exists already: give a new file name, a backup never overwrites",
            to.display()
        ));
    }
    if !db.exists() {
        return Err(format!("there is no database at `{}`", db.display()));
    }
    let mut c = connect(db, false).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(to.display().to_string())
        .execute(&mut c)
        .await
        .map_err(|e| format!("cannot write the backup `{}`: {e}", to.display()))?;
    c.close().await.map_err(|e| e.to_string())?;
    verify(to).await
}

/// Puts the backup `from` in place as the database `db`, which must not exist: a restore goes
/// into a fresh data folder, never over a database in use.
pub async fn restore(from: &Path, db: &Path) -> Result<Snapshot, String> {
    if db.exists() {
        return Err(format!(
            "`{}` exists already: restore into a new, empty data folder (`--data`), then point the server at it",
            db.display()
        ));
    }
    if !from.exists() {
        return Err(format!("there is no backup at `{}`", from.display()));
    }
    let snapshot = verify(from).await?;
    let partial = db.with_extension("db.restoring");
    std::fs::copy(from, &partial)
        .and_then(|_| std::fs::File::open(&partial)?.sync_all())
        .map_err(|e| format!("cannot write `{}`: {e}", partial.display()))?;
    std::fs::rename(&partial, db)
        .map_err(|e| format!("cannot put `{}` in place: {e}", db.display()))?;
    Ok(snapshot)
}
