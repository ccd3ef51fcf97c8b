//! Sessions: who is logged in on a browser, and its CSRF token.

use super::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub person_pnr: Option<String>,
    pub person_name: Option<String>,
    /// As the e-ID gave them, for forms' `inloggad.fornamn` and `inloggad.efternamn`.
    pub person_given_name: Option<String>,
    pub person_family_name: Option<String>,
    pub csrf: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session or updates one (its person, token and last use).
    async fn put_session(&self, s: &Session) -> Result<()>;
    async fn session(&self, id: &str) -> Result<Option<Session>>;
    async fn delete_session(&self, id: &str) -> Result<()>;
    /// Deletes the sessions last used before `idle_since` (they have ended); how many.
    async fn purge_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64>;
}
