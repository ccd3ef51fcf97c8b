//! The co-signers' invitation mails (`crate::mail`): queued with the submission that waits,
//! claimed by the mail sender with a lease, finished as sent, retried, cancelled or dead. One
//! SQL text for SQLite and PostgreSQL, like the rest of the store.

use serde::{Deserialize, Serialize};

/// One invitation to sign, to be (or already) sent by e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationMail {
    pub id: String,
    pub submission_id: String,
    /// The co-signer it invites (their row in `cosigners`).
    pub pnr: String,
    pub email: String,
    /// The language the form was filled in: the mail's language.
    pub lang: String,
    /// `queued`, `sent`, `cancelled` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub created_at: String,
}

/// How one attempt at sending ended.
pub struct FinishedMail {
    pub id: String,
    /// `sent`, `queued` (to be retried at `next_attempt_at`), `cancelled` or `dead`.
    pub state: String,
    pub next_attempt_at: String,
    pub error: Option<String>,
    pub at: String,
}

pub(super) const MAIL_COLS: &str = "id, submission_id, pnr, email, lang, state, attempts, next_attempt_at, last_error, sent_at, created_at";

macro_rules! mail_row {
    ($r:expr) => {
        InvitationMail {
            id: $r.try_get("id")?,
            submission_id: $r.try_get("submission_id")?,
            pnr: $r.try_get("pnr")?,
            email: $r.try_get("email")?,
            lang: $r.try_get("lang")?,
            state: $r.try_get("state")?,
            attempts: $r.try_get("attempts")?,
            next_attempt_at: $r.try_get("next_attempt_at")?,
            last_error: $r.try_get("last_error")?,
            sent_at: $r.try_get("sent_at")?,
            created_at: $r.try_get("created_at")?,
        }
    };
}

/// The invitation-mail methods of the store, as inherent methods the trait impl calls.
macro_rules! invitation_impl {
    ($store:ident, $sql:ident) => {
        impl $store {
            pub(super) async fn m_queue(&self, m: &InvitationMail) -> Result<()> {
                let q = $sql(&format!(
                    "INSERT INTO invitation_mails ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                     ON CONFLICT (submission_id, pnr) DO NOTHING",
                    $crate::store::invitation::MAIL_COLS
                ));
                sqlx::query(&q)
                    .bind(&m.id)
                    .bind(&m.submission_id)
                    .bind(&m.pnr)
                    .bind(&m.email)
                    .bind(&m.lang)
                    .bind(&m.state)
                    .bind(m.attempts)
                    .bind(&m.next_attempt_at)
                    .bind(&m.last_error)
                    .bind(&m.sent_at)
                    .bind(&m.created_at)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            pub(super) async fn m_claim(&self, now: &str, lease_until: &str, limit: i64) -> Result<Vec<InvitationMail>> {
                // The lease is the next attempt's time: a sender that stops mid-send leaves the
                // mail due again when it runs out. PostgreSQL instances skip each other's rows.
                let q = $sql(&format!(
                    "UPDATE invitation_mails SET attempts = attempts + 1, next_attempt_at = $1
                     WHERE id IN (SELECT id FROM invitation_mails WHERE state = 'queued' AND next_attempt_at <= $2
                       ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
                     RETURNING {}",
                    $crate::store::invitation::MAIL_COLS
                ));
                let rows = sqlx::query(&q)
                    .bind(lease_until)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&self.writer)
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(mail_row!(r));
                }
                Ok(out)
            }

            pub(super) async fn m_finish(&self, f: &FinishedMail) -> Result<()> {
                let sent_at = (f.state == "sent").then_some(f.at.as_str());
                let q = $sql(
                    "UPDATE invitation_mails SET state = $1, next_attempt_at = $2, last_error = $3,
                     sent_at = COALESCE($4, sent_at) WHERE id = $5 AND state = 'queued'",
                );
                sqlx::query(&q)
                    .bind(&f.state)
                    .bind(&f.next_attempt_at)
                    .bind(&f.error)
                    .bind(sent_at)
                    .bind(&f.id)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            pub(super) async fn m_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>> {
                let q = $sql(&format!(
                    "SELECT {} FROM invitation_mails WHERE submission_id = $1 ORDER BY pnr",
                    $crate::store::invitation::MAIL_COLS
                ));
                let rows = sqlx::query(&q).bind(submission_id).fetch_all(&self.pool).await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    out.push(mail_row!(r));
                }
                Ok(out)
            }
        }
    };
}
pub(super) use invitation_impl;
pub(super) use mail_row;
