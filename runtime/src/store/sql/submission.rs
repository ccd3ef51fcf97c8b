//! `SubmissionStore`.

use super::{forward, Col, Db, Sql};
use crate::store::{
    Attachment, Draft, Event, EventKind, NewSubmission, Result, StoreError, Submission,
    SubmissionStore,
};
use crate::submission::SubmissionStatus;
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

const DRAFT_COLS: &str =
    "id, owner, kommun, form, form_hash, answers, page, created_at, updated_at";
const SUBMISSION_COLS: &str = "id, reference, draft_id, owner, kommun, form, form_version, \
     form_hash, answers, xml, json, status, case_number, submitted_at";
const ATTACHMENT_COLS: &str =
    "id, owner, draft_id, submission_id, field_path, filename, mime, size, sha256, created_at";

/// What goes with a submission at retention, before it: each statement takes the kommun, the
/// form and the time before which submissions go.
const PURGED_WITH_A_SUBMISSION: [&str; 6] = [
    "DELETE FROM attachments WHERE submission_id IN
     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
    "DELETE FROM delivery_attempts WHERE job_id IN (SELECT id FROM delivery_jobs WHERE submission_id IN
     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3))",
    "DELETE FROM delivery_jobs WHERE submission_id IN
     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
    "DELETE FROM signatures WHERE submission_id IN
     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
    "DELETE FROM cosigners WHERE submission_id IN
     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
    "DELETE FROM invitation_mails WHERE submission_id IN
     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
];

impl<DB: Db> Sql<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    String: Col<DB>,
    Option<String>: Col<DB>,
    i64: Col<DB>,
    Vec<u8>: Col<DB>,
    DateTime<Utc>: Col<DB>,
    Option<DateTime<Utc>>: Col<DB>,
    SubmissionStatus: Col<DB>,
    EventKind: Col<DB>,
    crate::store::DeliveryState: Col<DB>,
{
    async fn put_draft(&self, d: &Draft) -> Result<()> {
        let q = format!(
            "INSERT INTO drafts ({DRAFT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET answers = excluded.answers, page = excluded.page,
             form_hash = excluded.form_hash, updated_at = excluded.updated_at"
        );
        sqlx::query(&q)
            .bind(&d.id)
            .bind(&d.owner)
            .bind(&d.kommun)
            .bind(&d.form)
            .bind(&d.form_hash)
            .bind(&d.answers)
            .bind(&d.page)
            .bind(d.created_at)
            .bind(d.updated_at)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn draft(&self, id: &str) -> Result<Option<Draft>> {
        let q = format!("SELECT {DRAFT_COLS} FROM drafts WHERE id = $1");
        Ok(sqlx::query_as(&q)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn drafts_of(&self, owner: &str) -> Result<Vec<Draft>> {
        let q =
            format!("SELECT {DRAFT_COLS} FROM drafts WHERE owner = $1 ORDER BY updated_at DESC");
        Ok(sqlx::query_as(&q).bind(owner).fetch_all(&self.pool).await?)
    }

    async fn delete_draft(&self, id: &str) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM attachments WHERE draft_id = $1 AND submission_id IS NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM drafts WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_draft_attachments(&self, draft_id: &str, ids: &[String]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        for id in ids {
            sqlx::query(
                "DELETE FROM attachments WHERE id = $1 AND draft_id = $2 AND submission_id IS NULL",
            )
            .bind(id)
            .bind(draft_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_attachment(&self, a: &Attachment, data: &[u8]) -> Result<()> {
        let q = format!(
            "INSERT INTO attachments ({ATTACHMENT_COLS}, data)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        sqlx::query(&q)
            .bind(&a.id)
            .bind(&a.owner)
            .bind(&a.draft_id)
            .bind(&a.submission_id)
            .bind(&a.field_path)
            .bind(&a.filename)
            .bind(&a.mime)
            .bind(a.size)
            .bind(&a.sha256)
            .bind(a.created_at)
            .bind(data)
            .execute(&self.writer)
            .await?;
        Ok(())
    }

    async fn attachment(&self, id: &str) -> Result<Option<(Attachment, Vec<u8>)>> {
        #[derive(sqlx::FromRow)]
        struct WithData {
            #[sqlx(flatten)]
            attachment: Attachment,
            data: Vec<u8>,
        }
        let q = format!("SELECT {ATTACHMENT_COLS}, data FROM attachments WHERE id = $1");
        let row: Option<WithData> = sqlx::query_as(&q)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (r.attachment, r.data)))
    }

    async fn attachments_of_draft(&self, draft_id: &str) -> Result<Vec<Attachment>> {
        let q = format!(
            "SELECT {ATTACHMENT_COLS} FROM attachments WHERE draft_id = $1 ORDER BY created_at"
        );
        Ok(sqlx::query_as(&q)
            .bind(draft_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn attachments_of_submission(&self, submission_id: &str) -> Result<Vec<Attachment>> {
        let q = format!(
            "SELECT {ATTACHMENT_COLS} FROM attachments WHERE submission_id = $1 ORDER BY created_at"
        );
        Ok(sqlx::query_as(&q)
            .bind(submission_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn submit(&self, n: NewSubmission) -> Result<Submission> {
        if let Some(existing) = self.submission_by_draft(&n.submission.draft_id).await? {
            return Ok(existing);
        }
        let mut tx = self.writer.begin().await?;
        let counter = format!("{}-{}", n.reference_prefix, n.year);
        let number: i64 = sqlx::query_scalar(
            "INSERT INTO counters (name, value) VALUES ($1, 1)
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .bind(&counter)
        .fetch_one(&mut *tx)
        .await?;
        let mut s = n.submission;
        s.reference = format!("{counter}-{number:06}");
        let q = format!(
            "INSERT INTO submissions ({SUBMISSION_COLS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        );
        let inserted = sqlx::query(&q)
            .bind(&s.id)
            .bind(&s.reference)
            .bind(&s.draft_id)
            .bind(&s.owner)
            .bind(&s.kommun)
            .bind(&s.form)
            .bind(&s.form_version)
            .bind(&s.form_hash)
            .bind(&s.answers)
            .bind(&s.xml)
            .bind(&s.json)
            .bind(s.status)
            .bind(&s.case_number)
            .bind(s.submitted_at)
            .execute(&mut *tx)
            .await;
        if let Err(e) = inserted {
            let e = StoreError::from(e);
            if !e.is_duplicate() {
                return Err(e);
            }
            // Two clicks racing: the other one won; its receipt is the receipt. Any other
            // key taken (the reference: the counter was reset) is the error it is.
            drop(tx);
            return match self.submission_by_draft(&s.draft_id).await? {
                Some(existing) => Ok(existing),
                None => Err(e),
            };
        }
        // Exactly the files the answers name go with the submission, each filed under the
        // place it is answered at now; whatever else the draft held is deleted with it.
        for file in &n.attachments {
            sqlx::query(
                "UPDATE attachments SET submission_id = $1, field_path = $2
                 WHERE id = $3 AND draft_id = $4 AND submission_id IS NULL",
            )
            .bind(&s.id)
            .bind(&file.field_path)
            .bind(&file.id)
            .bind(&s.draft_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM attachments WHERE draft_id = $1 AND submission_id IS NULL")
            .bind(&s.draft_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM drafts WHERE id = $1")
            .bind(&s.draft_id)
            .execute(&mut *tx)
            .await?;
        // The statistics event goes with the submission: one commit (one fsync) for both.
        sqlx::query(
            "INSERT INTO events (kommun, form, kind, page, draft_id, at)
             VALUES ($1, $2, $3, NULL, $4, $5)",
        )
        .bind(&s.kommun)
        .bind(&s.form)
        .bind(EventKind::Submit)
        .bind(&s.draft_id)
        .bind(s.submitted_at)
        .execute(&mut *tx)
        .await?;
        // Its delivery jobs too: a stored submission is never without its way out.
        super::outbox::insert_delivery_jobs::<DB>(&mut *tx, &s.id, &n.delivery_targets, Utc::now())
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>> {
        self.submission_where("id = $1", id).await
    }

    async fn submission_by_reference(&self, reference: &str) -> Result<Option<Submission>> {
        self.submission_where("reference = $1", reference).await
    }

    async fn submission_by_draft(&self, draft_id: &str) -> Result<Option<Submission>> {
        self.submission_where("draft_id = $1", draft_id).await
    }

    async fn submission_where(&self, clause: &str, arg: &str) -> Result<Option<Submission>> {
        let q = format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE {clause}");
        Ok(sqlx::query_as(&q)
            .bind(arg)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn submissions_of(&self, owner: &str) -> Result<Vec<Submission>> {
        let q = format!(
            "SELECT {SUBMISSION_COLS} FROM submissions WHERE owner = $1 ORDER BY submitted_at DESC"
        );
        Ok(sqlx::query_as(&q).bind(owner).fetch_all(&self.pool).await?)
    }

    async fn set_status(
        &self,
        id: &str,
        status: SubmissionStatus,
        case_number: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE submissions SET status = $1, case_number = COALESCE($2, case_number)
             WHERE id = $3",
        )
        .bind(status)
        .bind(case_number)
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn put_form_version(
        &self,
        hash: &str,
        kommun: &str,
        form: &str,
        version: &str,
        bundle: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO form_versions (hash, kommun, form, version, bundle, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(kommun)
        .bind(form)
        .bind(version)
        .bind(bundle)
        .bind(Utc::now())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn form_version(&self, hash: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT bundle FROM form_versions WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn record(&self, e: &Event) -> Result<()> {
        sqlx::query(
            "INSERT INTO events (kommun, form, kind, page, draft_id, at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&e.kommun)
        .bind(&e.form)
        .bind(e.kind)
        .bind(&e.page)
        .bind(&e.draft_id)
        .bind(e.at)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn events(&self, kommun: &str, form: &str) -> Result<Vec<Event>> {
        Ok(sqlx::query_as(
            "SELECT kommun, form, kind, page, draft_id, at FROM events
             WHERE kommun = $1 AND form = $2 ORDER BY id",
        )
        .bind(kommun)
        .bind(form)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn purge(
        &self,
        kommun: &str,
        form: &str,
        drafts_before: DateTime<Utc>,
        submissions_before: DateTime<Utc>,
    ) -> Result<(u64, u64)> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "DELETE FROM attachments WHERE submission_id IS NULL AND draft_id IN
             (SELECT id FROM drafts WHERE kommun = $1 AND form = $2 AND updated_at < $3)",
        )
        .bind(kommun)
        .bind(form)
        .bind(drafts_before)
        .execute(&mut *tx)
        .await?;
        let d =
            sqlx::query("DELETE FROM drafts WHERE kommun = $1 AND form = $2 AND updated_at < $3")
                .bind(kommun)
                .bind(form)
                .bind(drafts_before)
                .execute(&mut *tx)
                .await?;
        // A submission goes with everything of it: attachments, delivery jobs and their log,
        // signatures, co-signers and invitation mails.
        for q in PURGED_WITH_A_SUBMISSION {
            sqlx::query(q)
                .bind(kommun)
                .bind(form)
                .bind(submissions_before)
                .execute(&mut *tx)
                .await?;
        }
        let s = sqlx::query(
            "DELETE FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3",
        )
        .bind(kommun)
        .bind(form)
        .bind(submissions_before)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((DB::rows_affected(&d), DB::rows_affected(&s)))
    }
}

forward!(SubmissionStore {
    fn put_draft(&self, d: &Draft) -> Result<()>;
    fn draft(&self, id: &str) -> Result<Option<Draft>>;
    fn drafts_of(&self, owner: &str) -> Result<Vec<Draft>>;
    fn delete_draft(&self, id: &str) -> Result<()>;
    fn delete_draft_attachments(&self, draft_id: &str, ids: &[String]) -> Result<()>;
    fn put_attachment(&self, a: &Attachment, data: &[u8]) -> Result<()>;
    fn attachment(&self, id: &str) -> Result<Option<(Attachment, Vec<u8>)>>;
    fn attachments_of_draft(&self, draft_id: &str) -> Result<Vec<Attachment>>;
    fn attachments_of_submission(&self, submission_id: &str) -> Result<Vec<Attachment>>;
    fn submit(&self, s: NewSubmission) -> Result<Submission>;
    fn submission(&self, id: &str) -> Result<Option<Submission>>;
    fn submission_by_draft(&self, draft_id: &str) -> Result<Option<Submission>>;
    fn submissions_of(&self, owner: &str) -> Result<Vec<Submission>>;
    fn set_status(&self, id: &str, status: SubmissionStatus, case_number: Option<&str>) -> Result<()>;
    fn submission_by_reference(&self, reference: &str) -> Result<Option<Submission>>;
    fn put_form_version(&self, hash: &str, kommun: &str, form: &str, version: &str, bundle: &str) -> Result<()>;
    fn form_version(&self, hash: &str) -> Result<Option<String>>;
    fn record(&self, e: &Event) -> Result<()>;
    fn events(&self, kommun: &str, form: &str) -> Result<Vec<Event>>;
    fn purge(&self, kommun: &str, form: &str, drafts_before: DateTime<Utc>, submissions_before: DateTime<Utc>) -> Result<(u64, u64)>;
});
