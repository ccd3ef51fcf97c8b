//! The audit trail: security-relevant events, append-only (see the migration).

use super::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    /// Who: `pnr:<personnummer>`, `session:<id>`, `staff` (the admin token), a delivery
    /// target's name, or `system`.
    pub actor: String,
    /// What, as a fixed word: `login`, `logout`, `download`, `admin_view`, `retry`, …
    pub action: String,
    /// On what: a submission's reference, a delivery job, a count. Never answer content.
    pub target: String,
    /// From where: the client's address, when a person or system called.
    pub client: Option<String>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn record_audit(&self, e: &AuditEntry) -> Result<()>;
    /// The entries at or after `since`, newest first, at most `limit`.
    async fn audit_entries(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<AuditEntry>>;
    /// Deletes the entries before `before` (the audit log's own retention); how many.
    async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64>;
}
