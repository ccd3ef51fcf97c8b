//! `OutboxStore`.

use super::{forward, Col, Db, Sql};
use crate::store::{
    AttemptOutcome, CanaryResult, Claim, ClaimedJob, DeliveryAttempt, DeliveryJob, DeliveryState,
    FinishedAttempt, NextStep, OfferSettled, OutboxStore, Result, TargetOverview,
};
use crate::submission::SubmissionStatus;
use chrono::{DateTime, Utc};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

const JOB_COLS: &str = "id, submission_id, target, tx_id, corr_id, state, attempts, \
     next_attempt_at, lease_until, lease_owner, last_error, created_at, delivered_at";

/// Levererad when every target has it; a later status is never undone.
const DELIVERED_WHEN_ALL_ARE: &str = "UPDATE submissions SET status = $2
     WHERE id = $1 AND status = $3
     AND NOT EXISTS (SELECT 1 FROM delivery_jobs WHERE submission_id = $1 AND state <> $4)";

/// Inserts the delivery jobs of one submission on an open transaction; a job that exists for
/// the same submission and target stays as it is.
pub(super) async fn insert_delivery_jobs<DB: Db>(
    tx: &mut DB::Connection,
    submission_id: &str,
    targets: &[String],
    now: DateTime<Utc>,
) -> Result<()>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    String: Col<DB>,
    Option<String>: Col<DB>,
    DateTime<Utc>: Col<DB>,
    Option<DateTime<Utc>>: Col<DB>,
    DeliveryState: Col<DB>,
{
    let q = format!(
        "INSERT INTO delivery_jobs ({JOB_COLS})
         VALUES ($1, $2, $3, $4, $5, $6, 0, $7, NULL, NULL, NULL, $7, NULL)
         ON CONFLICT (submission_id, target) DO NOTHING"
    );
    for target in targets {
        sqlx::query(&q)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(submission_id)
            .bind(target)
            .bind(uuid::Uuid::new_v4().to_string())
            // The conversation is the submission: replies from the case system name it.
            .bind(submission_id)
            .bind(DeliveryState::Queued)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

/// Sets a submission `levererad` once all its jobs are delivered (on the transaction that
/// delivered the last).
async fn delivered_when_all_are<DB: Db>(tx: &mut DB::Connection, submission_id: &str) -> Result<()>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    SubmissionStatus: Col<DB>,
    DeliveryState: Col<DB>,
{
    sqlx::query(DELIVERED_WHEN_ALL_ARE)
        .bind(submission_id)
        .bind(SubmissionStatus::Levererad)
        .bind(SubmissionStatus::Mottagen)
        .bind(DeliveryState::Delivered)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

impl<DB: Db> Sql<DB>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    String: Col<DB>,
    Option<String>: Col<DB>,
    i64: Col<DB>,
    bool: Col<DB>,
    DateTime<Utc>: Col<DB>,
    Option<DateTime<Utc>>: Col<DB>,
    SubmissionStatus: Col<DB>,
    DeliveryState: Col<DB>,
    AttemptOutcome: Col<DB>,
{
    async fn enqueue_delivery(&self, submission_id: &str, targets: &[String]) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        insert_delivery_jobs::<DB>(&mut *tx, submission_id, targets, Utc::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_deliveries(&self, c: &Claim) -> Result<Vec<ClaimedJob>> {
        use DeliveryState::{InFlight, Queued};
        let mut tx = self.writer.begin().await?;
        let q = format!(
            "UPDATE delivery_jobs SET state = $6, lease_until = $1, lease_owner = $2,
             attempts = attempts + 1
             WHERE id IN (SELECT id FROM delivery_jobs WHERE target = $3
               AND ((state = $7 AND next_attempt_at <= $4) OR (state = $6 AND lease_until <= $4))
               ORDER BY next_attempt_at LIMIT $5{})
             RETURNING {JOB_COLS}",
            DB::SKIP_LOCKED
        );
        let jobs: Vec<DeliveryJob> = sqlx::query_as(&q)
            .bind(c.lease_until)
            .bind(&c.owner)
            .bind(&c.target)
            .bind(c.now)
            .bind(c.limit)
            .bind(InFlight)
            .bind(Queued)
            .fetch_all(&mut *tx)
            .await?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            let attempt_id = uuid::Uuid::new_v4().to_string();
            sqlx::query(
                "INSERT INTO delivery_attempts (id, job_id, number, started_at, finished_at, outcome, detail)
                 VALUES ($1, $2, $3, $4, NULL, $5, NULL)",
            )
            .bind(&attempt_id)
            .bind(&job.id)
            .bind(job.attempts)
            .bind(c.now)
            .bind(AttemptOutcome::Started)
            .execute(&mut *tx)
            .await?;
            out.push(ClaimedJob { job, attempt_id });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn finish_delivery(&self, f: &FinishedAttempt) -> Result<bool> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE delivery_attempts SET finished_at = $1, outcome = $2, detail = $3 WHERE id = $4",
        )
        .bind(f.finished_at)
        .bind(f.outcome)
        .bind(&f.detail)
        .bind(&f.attempt_id)
        .execute(&mut *tx)
        .await?;
        let changed = match f.next {
            // Accepted is the truth whoever holds the lease now: the receiver has it.
            NextStep::Delivered => {
                let r = sqlx::query(
                    "UPDATE delivery_jobs SET state = $3, delivered_at = $1, lease_until = NULL,
                     lease_owner = NULL, last_error = NULL WHERE id = $2 AND state <> $3",
                )
                .bind(f.finished_at)
                .bind(&f.job_id)
                .bind(DeliveryState::Delivered)
                .execute(&mut *tx)
                .await?;
                let delivered = DB::rows_affected(&r) > 0;
                if delivered {
                    delivered_when_all_are::<DB>(&mut *tx, &f.submission_id).await?;
                }
                delivered
            }
            NextStep::RetryAt(_) | NextStep::Dead => {
                let (state, at) = match f.next {
                    NextStep::RetryAt(at) => (DeliveryState::Queued, at),
                    _ => (DeliveryState::Dead, f.finished_at),
                };
                let r = sqlx::query(
                    "UPDATE delivery_jobs SET state = $1, next_attempt_at = $2, lease_until = NULL,
                     lease_owner = NULL, last_error = $3
                     WHERE id = $4 AND lease_owner = $5 AND state = $6",
                )
                .bind(state)
                .bind(at)
                .bind(&f.detail)
                .bind(&f.job_id)
                .bind(&f.lease_owner)
                .bind(DeliveryState::InFlight)
                .execute(&mut *tx)
                .await?;
                DB::rows_affected(&r) > 0
            }
        };
        tx.commit().await?;
        Ok(changed)
    }

    async fn settle_offered(&self, s: &OfferSettled) -> Result<bool> {
        let delivered = s.next == NextStep::Delivered;
        let state = if delivered {
            DeliveryState::Delivered
        } else {
            DeliveryState::Dead
        };
        let mut tx = self.writer.begin().await?;
        // Only a waiting job: a second acknowledgement (its answer lost) changes nothing.
        let attempts: Option<i64> = sqlx::query_scalar(
            "UPDATE delivery_jobs SET state = $1, attempts = attempts + 1, delivered_at = $2,
             next_attempt_at = $3, last_error = $4, lease_until = NULL, lease_owner = NULL
             WHERE id = $5 AND state IN ($6, $7) RETURNING attempts",
        )
        .bind(state)
        .bind(delivered.then_some(s.at))
        .bind(s.at)
        .bind(if delivered { None } else { s.detail.as_deref() })
        .bind(&s.job_id)
        .bind(DeliveryState::Queued)
        .bind(DeliveryState::InFlight)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(number) = attempts else {
            return Ok(false);
        };
        sqlx::query(
            "INSERT INTO delivery_attempts (id, job_id, number, started_at, finished_at, outcome, detail)
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&s.job_id)
        .bind(number)
        .bind(s.at)
        .bind(s.outcome)
        .bind(&s.detail)
        .execute(&mut *tx)
        .await?;
        if delivered {
            delivered_when_all_are::<DB>(&mut *tx, &s.submission_id).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn retry_delivery(&self, job_id: &str, now: DateTime<Utc>) -> Result<bool> {
        let r = sqlx::query(
            "UPDATE delivery_jobs SET state = $3, next_attempt_at = $1, attempts = 0,
             lease_until = NULL, lease_owner = NULL WHERE id = $2 AND state IN ($4, $3)",
        )
        .bind(now)
        .bind(job_id)
        .bind(DeliveryState::Queued)
        .bind(DeliveryState::Dead)
        .execute(&self.writer)
        .await?;
        Ok(DB::rows_affected(&r) > 0)
    }

    async fn delivery_job(&self, job_id: &str) -> Result<Option<DeliveryJob>> {
        let q = format!("SELECT {JOB_COLS} FROM delivery_jobs WHERE id = $1");
        Ok(sqlx::query_as(&q)
            .bind(job_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// Jobs by a clause on `$1`, at most `limit`.
    async fn jobs_where(&self, clause: &str, arg: &str, limit: i64) -> Result<Vec<DeliveryJob>> {
        let q = format!("SELECT {JOB_COLS} FROM delivery_jobs WHERE {clause} LIMIT $2");
        Ok(sqlx::query_as(&q)
            .bind(arg)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn delivery_jobs_of(&self, submission_id: &str) -> Result<Vec<DeliveryJob>> {
        self.jobs_where(
            "submission_id = $1 ORDER BY target",
            submission_id,
            i64::MAX,
        )
        .await
    }

    async fn dead_deliveries(&self, limit: i64) -> Result<Vec<DeliveryJob>> {
        let dead = DeliveryState::Dead.as_str();
        self.jobs_where("state = $1 ORDER BY next_attempt_at DESC", dead, limit)
            .await
    }

    async fn waiting_deliveries(&self, target: &str, limit: i64) -> Result<Vec<DeliveryJob>> {
        // Neither delivered nor dead: queued or in flight.
        let clause = "target = $1 AND state NOT IN ($3, $4) ORDER BY created_at, id";
        let q = format!("SELECT {JOB_COLS} FROM delivery_jobs WHERE {clause} LIMIT $2");
        Ok(sqlx::query_as(&q)
            .bind(target)
            .bind(limit)
            .bind(DeliveryState::Delivered)
            .bind(DeliveryState::Dead)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn delivery_job_by_tx(&self, tx_id: &str) -> Result<Option<DeliveryJob>> {
        Ok(self.jobs_where("tx_id = $1", tx_id, 1).await?.pop())
    }

    async fn delivery_attempts(&self, job_id: &str) -> Result<Vec<DeliveryAttempt>> {
        Ok(sqlx::query_as(
            "SELECT id, job_id, number, started_at, finished_at, outcome, detail
             FROM delivery_attempts WHERE job_id = $1 ORDER BY started_at, number",
        )
        .bind(job_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn delivery_overview(&self) -> Result<Vec<TargetOverview>> {
        Ok(sqlx::query_as(
            "SELECT target,
             SUM(CASE WHEN state = $1 THEN 1 ELSE 0 END) AS queued,
             SUM(CASE WHEN state = $2 THEN 1 ELSE 0 END) AS in_flight,
             SUM(CASE WHEN state = $3 THEN 1 ELSE 0 END) AS delivered,
             SUM(CASE WHEN state = $4 THEN 1 ELSE 0 END) AS dead,
             MIN(CASE WHEN state <> $3 THEN created_at END) AS oldest_undelivered,
             MAX(delivered_at) AS last_delivered
             FROM delivery_jobs GROUP BY target ORDER BY target",
        )
        .bind(DeliveryState::Queued)
        .bind(DeliveryState::InFlight)
        .bind(DeliveryState::Delivered)
        .bind(DeliveryState::Dead)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_canary(&self, c: &CanaryResult) -> Result<()> {
        sqlx::query(
            "INSERT INTO delivery_canaries (target, ok, detail, checked_at, last_ok_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (target) DO UPDATE SET ok = excluded.ok, detail = excluded.detail,
             checked_at = excluded.checked_at,
             last_ok_at = COALESCE(excluded.last_ok_at, delivery_canaries.last_ok_at)",
        )
        .bind(&c.target)
        .bind(c.ok)
        .bind(&c.detail)
        .bind(c.checked_at)
        .bind(c.ok.then_some(c.checked_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn canaries(&self) -> Result<Vec<CanaryResult>> {
        Ok(sqlx::query_as(
            "SELECT target, ok, detail, checked_at, last_ok_at FROM delivery_canaries ORDER BY target",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}

forward!(OutboxStore {
    fn enqueue_delivery(&self, submission_id: &str, targets: &[String]) -> Result<()>;
    fn claim_deliveries(&self, c: &Claim) -> Result<Vec<ClaimedJob>>;
    fn finish_delivery(&self, f: &FinishedAttempt) -> Result<bool>;
    fn retry_delivery(&self, job_id: &str, now: DateTime<Utc>) -> Result<bool>;
    fn delivery_job(&self, job_id: &str) -> Result<Option<DeliveryJob>>;
    fn delivery_jobs_of(&self, submission_id: &str) -> Result<Vec<DeliveryJob>>;
    fn delivery_attempts(&self, job_id: &str) -> Result<Vec<DeliveryAttempt>>;
    fn delivery_overview(&self) -> Result<Vec<TargetOverview>>;
    fn dead_deliveries(&self, limit: i64) -> Result<Vec<DeliveryJob>>;
    fn waiting_deliveries(&self, target: &str, limit: i64) -> Result<Vec<DeliveryJob>>;
    fn delivery_job_by_tx(&self, tx_id: &str) -> Result<Option<DeliveryJob>>;
    fn settle_offered(&self, s: &OfferSettled) -> Result<bool>;
    fn record_canary(&self, r: &CanaryResult) -> Result<()>;
    fn canaries(&self) -> Result<Vec<CanaryResult>>;
});
