//! `SessionStore`.

use super::{forward, Col, Db, Sql};
use crate::store::{Result, Session, SessionStore};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

const SESSION_COLS: &str = "id, person_pnr, person_name, person_given_name, person_family_name, csrf, created_at, last_seen_at";

impl<DB: Db> Sql<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    String: Col<DB>,
    Option<String>: Col<DB>,
    DateTime<Utc>: Col<DB>,
    Option<DateTime<Utc>>: Col<DB>,
{
    async fn put_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id, person_pnr, person_name, person_given_name,
             person_family_name, csrf, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET person_pnr = excluded.person_pnr,
             person_name = excluded.person_name, person_given_name = excluded.person_given_name,
             person_family_name = excluded.person_family_name, csrf = excluded.csrf,
             last_seen_at = excluded.last_seen_at",
        )
        .bind(&s.id)
        .bind(&s.person_pnr)
        .bind(&s.person_name)
        .bind(&s.person_given_name)
        .bind(&s.person_family_name)
        .bind(&s.csrf)
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<Session>> {
        let q = format!("SELECT {SESSION_COLS} FROM sessions WHERE id = $1");
        Ok(sqlx::query_as(&q)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn delete_session(&self, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn purge_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1")
            .bind(idle_since)
            .execute(&self.writer)
            .await?;
        Ok(DB::rows_affected(&done))
    }
}

forward!(SessionStore {
    fn put_session(&self, s: &Session) -> Result<()>;
    fn session(&self, id: &str) -> Result<Option<Session>>;
    fn delete_session(&self, id: &str) -> Result<()>;
    fn purge_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64>;
});
