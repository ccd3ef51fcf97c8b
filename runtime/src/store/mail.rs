//! The co-signers' invitation mails (`crate::mail`): queued with the submission that waits,
//! claimed by the mail sender with a lease, finished as sent, retried, cancelled or dead.

use super::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

super::text_enum! {
    /// Where an invitation mail is.
    pub enum MailState {
        /// To be sent at `next_attempt_at` (a claimed mail's lease is that time too).
        Queued = "queued",
        Sent = "sent",
        /// Signed, withdrawn or expired before it went: not sent.
        Cancelled = "cancelled",
        /// Given up.
        Dead = "dead",
    }
}

/// One invitation to sign, to be (or already) sent by e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct InvitationMail {
    pub id: String,
    pub submission_id: String,
    /// The co-signer it invites (their row in `cosigners`).
    pub pnr: String,
    pub email: String,
    /// The language the form was filled in: the mail's language.
    pub lang: String,
    pub state: MailState,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// How one attempt at sending ended.
pub struct FinishedMail {
    pub id: String,
    /// `Sent`, `Queued` (to be retried at `next_attempt_at`), `Cancelled` or `Dead`.
    pub state: MailState,
    pub next_attempt_at: DateTime<Utc>,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait MailStore: Send + Sync {
    /// Queues an invitation; a second one to the same co-signer of the same submission is ignored.
    async fn queue_invitation_mail(&self, m: &InvitationMail) -> Result<()>;
    /// Claims up to `limit` queued mails due at `now`: counts the attempt and moves their next
    /// attempt to `lease_until`, so no other sender takes them meanwhile.
    async fn claim_invitation_mails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<InvitationMail>>;
    /// Records how a claimed mail's attempt ended.
    async fn finish_invitation_mail(&self, f: &FinishedMail) -> Result<()>;
    async fn invitation_mails_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>>;
}
