//! Storage, with SQLite (default, embedded, WAL) and PostgreSQL (several runtime instances
//! share it). One trait per concern; [`Store`] is all of them, and [`DynStore`] what the
//! runtime holds. The SQL is written once for both databases (`sql`); one test suite runs
//! against both.
//!
//! A trait's methods are called with the trait in scope: `use crate::store::prelude::*;`.
//!
//! Times are `DateTime<Utc>`. SQLite keeps them as RFC 3339 text with `+00:00` (sqlx's
//! format, the one `to_rfc3339` wrote before), which sorts as time does; PostgreSQL as
//! `TIMESTAMPTZ`, to the microsecond.

mod audit;
pub mod backup;
mod error;
mod mail;
mod outbox;
mod session;
mod signing;
mod sql;
mod submission;
mod text;

pub use audit::{AuditEntry, AuditStore};
pub use error::{StoreError, UnknownValue};
pub use mail::{FinishedMail, InvitationMail, MailState, MailStore};
pub use outbox::{
    AttemptOutcome, CanaryResult, Claim, ClaimedJob, DeliveryAttempt, DeliveryJob, DeliveryState,
    FinishedAttempt, NextStep, OfferSettled, OutboxStore, TargetOverview,
};
pub use session::{Session, SessionStore};
pub use signing::{Cosigner, EidOrder, EidOrderKind, Signature, SignatureRole, SigningStore};
pub use sql::{PgStore, SqliteStore};
pub use submission::{
    Attachment, Draft, Event, EventKind, NewSubmission, Submission, SubmissionStore, SubmittedFile,
};
pub(crate) use text::text_enum;

use std::sync::Arc;

/// The store traits, for `use crate::store::prelude::*;`.
pub mod prelude {
    pub use super::{
        AuditStore, MailStore, OutboxStore, SessionStore, SigningStore, Store, SubmissionStore,
    };
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything the runtime stores.
pub trait Store:
    SessionStore + SubmissionStore + OutboxStore + SigningStore + MailStore + AuditStore
{
}

impl<T> Store for T where
    T: SessionStore
        + SubmissionStore
        + OutboxStore
        + SigningStore
        + MailStore
        + AuditStore
        + ?Sized
{
}

pub type DynStore = Arc<dyn Store>;

/// Opens the store a URL names: `postgres://…` or a SQLite file path / `sqlite://…`.
pub async fn open(url: &str) -> Result<DynStore> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}
