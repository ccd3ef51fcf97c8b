//! `AuditStore`.

use super::{forward, Col, Db, Sql};
use crate::store::{AuditEntry, AuditStore, Result};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

impl<DB: Db> Sql<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    String: Col<DB>,
    Option<String>: Col<DB>,
    i64: Col<DB>,
    DateTime<Utc>: Col<DB>,
{
    async fn record_audit(&self, e: &AuditEntry) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, at, actor, action, target, client)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.id)
        .bind(e.at)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.client)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn audit_entries(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<AuditEntry>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, target, client FROM audit_log
             WHERE at >= $1 ORDER BY at DESC, id LIMIT $2",
        )
        .bind(since)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(before)
            .execute(&self.writer)
            .await?;
        Ok(DB::rows_affected(&done))
    }
}

forward!(AuditStore {
    fn record_audit(&self, e: &AuditEntry) -> Result<()>;
    fn audit_entries(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<AuditEntry>>;
    fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64>;
});
