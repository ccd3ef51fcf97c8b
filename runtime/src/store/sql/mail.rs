//! `MailStore`.

use super::{forward, Col, Db, Sql};
use crate::store::{FinishedMail, InvitationMail, MailState, MailStore, Result};
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

const MAIL_COLS: &str = "id, submission_id, pnr, email, lang, state, attempts, next_attempt_at, \
     last_error, sent_at, created_at";

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
    Option<DateTime<Utc>>: Col<DB>,
    MailState: Col<DB>,
{
    async fn queue_invitation_mail(&self, m: &InvitationMail) -> Result<()> {
        let q = format!(
            "INSERT INTO invitation_mails ({MAIL_COLS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (submission_id, pnr) DO NOTHING"
        );
        sqlx::query(&q)
            .bind(&m.id)
            .bind(&m.submission_id)
            .bind(&m.pnr)
            .bind(&m.email)
            .bind(&m.lang)
            .bind(m.state)
            .bind(m.attempts)
            .bind(m.next_attempt_at)
            .bind(&m.last_error)
            .bind(m.sent_at)
            .bind(m.created_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn claim_invitation_mails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<InvitationMail>> {
        // The lease is the next attempt's time: a sender that stops mid-send leaves the mail
        // due again when it runs out. PostgreSQL instances skip each other's rows.
        let q = format!(
            "UPDATE invitation_mails SET attempts = attempts + 1, next_attempt_at = $1
             WHERE id IN (SELECT id FROM invitation_mails WHERE state = $4 AND next_attempt_at <= $2
               ORDER BY next_attempt_at LIMIT $3{})
             RETURNING {MAIL_COLS}",
            DB::SKIP_LOCKED
        );
        Ok(sqlx::query_as(&q)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .bind(MailState::Queued)
            .fetch_all(&self.writer)
            .await?)
    }

    async fn finish_invitation_mail(&self, f: &FinishedMail) -> Result<()> {
        let sent_at = (f.state == MailState::Sent).then_some(f.at);
        sqlx::query(
            "UPDATE invitation_mails SET state = $1, next_attempt_at = $2, last_error = $3,
             sent_at = COALESCE($4, sent_at) WHERE id = $5 AND state = $6",
        )
        .bind(f.state)
        .bind(f.next_attempt_at)
        .bind(&f.error)
        .bind(sent_at)
        .bind(&f.id)
        .bind(MailState::Queued)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn invitation_mails_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>> {
        let q = format!(
            "SELECT {MAIL_COLS} FROM invitation_mails WHERE submission_id = $1 ORDER BY pnr"
        );
        Ok(sqlx::query_as(&q)
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?)
    }
}

forward!(MailStore {
    fn queue_invitation_mail(&self, m: &InvitationMail) -> Result<()>;
    fn claim_invitation_mails(&self, now: DateTime<Utc>, lease_until: DateTime<Utc>, limit: i64) -> Result<Vec<InvitationMail>>;
    fn finish_invitation_mail(&self, f: &FinishedMail) -> Result<()>;
    fn invitation_mails_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>>;
});
