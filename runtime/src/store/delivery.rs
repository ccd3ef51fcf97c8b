//! The outbox's records and SQL (`crate::outbox` runs it). The statements are shared by SQLite
//! and PostgreSQL like the rest of the store; `sql_store!` calls these from its `// Delivery`
//! block.

use serde::{Deserialize, Serialize};

/// A UTC time as the outbox stores it: fixed width (microseconds, `Z`), so text order is time
/// order in both databases.
pub fn utc_stamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryJob {
    pub id: String,
    pub submission_id: String,
    pub target: String,
    pub tx_id: String,
    pub corr_id: String,
    /// `queued`, `in_flight`, `delivered` or `dead`.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub lease_until: Option<String>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub delivered_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub id: String,
    pub job_id: String,
    pub number: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `started` (the worker stopped before it finished), `accepted`, `duplicate`,
    /// `retryable` or `permanent`.
    pub outcome: String,
    pub detail: Option<String>,
}

/// A worker's request for due jobs.
pub struct Claim {
    pub target: String,
    /// Unique per claim: a finish counts only for the worker that holds the lease.
    pub owner: String,
    pub now: String,
    pub lease_until: String,
    pub limit: i64,
}

pub struct ClaimedJob {
    pub job: DeliveryJob,
    /// The row of this attempt in the attempts log.
    pub attempt_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NextStep {
    Delivered,
    RetryAt(String),
    Dead,
}

pub struct FinishedAttempt {
    pub job_id: String,
    pub submission_id: String,
    pub attempt_id: String,
    pub lease_owner: String,
    pub finished_at: String,
    pub outcome: String,
    pub detail: Option<String>,
    pub next: NextStep,
}

/// How a job offered for pickup ended (`Store::settle_offered`).
pub struct OfferSettled {
    pub job_id: String,
    pub submission_id: String,
    pub at: String,
    /// The attempt's outcome as logged: `accepted` (the receiver acknowledged it) or
    /// `permanent` (the message cannot be made).
    pub outcome: String,
    pub detail: Option<String>,
    /// `Delivered` or `Dead`.
    pub next: NextStep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetOverview {
    pub target: String,
    pub queued: i64,
    pub in_flight: i64,
    pub delivered: i64,
    pub dead: i64,
    pub oldest_undelivered: Option<String>,
    pub last_delivered: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanaryResult {
    pub target: String,
    pub ok: bool,
    pub detail: Option<String>,
    pub checked_at: String,
    /// The last time it passed (kept while it fails).
    pub last_ok_at: Option<String>,
}

/// Levererad when every target has it; a later status is never undone.
pub(super) const DELIVERED_WHEN_ALL_ARE: &str = "UPDATE submissions SET status = 'levererad' WHERE id = $1 AND status = 'mottagen'
     AND NOT EXISTS (SELECT 1 FROM delivery_jobs WHERE submission_id = $1 AND state <> 'delivered')";

pub(super) const JOB_COLS: &str = "id, submission_id, target, tx_id, corr_id, state, attempts, next_attempt_at, lease_until, lease_owner, last_error, created_at, delivered_at";

macro_rules! job_row {
    ($r:expr) => {
        DeliveryJob {
            id: $r.try_get("id")?,
            submission_id: $r.try_get("submission_id")?,
            target: $r.try_get("target")?,
            tx_id: $r.try_get("tx_id")?,
            corr_id: $r.try_get("corr_id")?,
            state: $r.try_get("state")?,
            attempts: $r.try_get("attempts")?,
            next_attempt_at: $r.try_get("next_attempt_at")?,
            lease_until: $r.try_get("lease_until")?,
            lease_owner: $r.try_get("lease_owner")?,
            last_error: $r.try_get("last_error")?,
            created_at: $r.try_get("created_at")?,
            delivered_at: $r.try_get("delivered_at")?,
        }
    };
}
pub(super) use job_row;

/// Inserts the delivery jobs of one submission on an open transaction; a job that exists for
/// the same submission and target stays as it is.
macro_rules! insert_delivery_jobs {
    ($sql:ident, $tx:expr, $submission_id:expr, $targets:expr, $now:expr) => {
        for target in $targets {
            sqlx::query(&$sql(&format!(
                "INSERT INTO delivery_jobs ({}) VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, NULL, NULL, NULL, $6, NULL)
                 ON CONFLICT (submission_id, target) DO NOTHING",
                $crate::store::delivery::JOB_COLS
            )))
            .bind(uuid::Uuid::new_v4().to_string())
            .bind($submission_id)
            .bind(target)
            .bind(uuid::Uuid::new_v4().to_string())
            // The conversation is the submission: replies from the case system name it.
            .bind($submission_id)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(super) use insert_delivery_jobs;

/// The `// Delivery` methods of the store, as inherent methods the trait impl calls.
macro_rules! delivery_impl {
    ($store:ident, $sql:ident) => {
        impl $store {
            pub(super) async fn d_enqueue(&self, submission_id: &str, targets: &[String]) -> Result<()> {
                let mut tx = self.writer.begin().await?;
                let now = utc_stamp(chrono::Utc::now());
                insert_delivery_jobs!($sql, tx, submission_id, targets, &now);
                tx.commit().await?;
                Ok(())
            }

            pub(super) async fn d_claim(&self, c: &Claim) -> Result<Vec<ClaimedJob>> {
                let mut tx = self.writer.begin().await?;
                // PostgreSQL: rows another instance is claiming are skipped, not waited for.
                // SQLite has one writer, so the lock clause is dropped there (see `sqlite_sql`).
                let q = $sql(&format!(
                    "UPDATE delivery_jobs SET state = 'in_flight', lease_until = $1, lease_owner = $2,
                     attempts = attempts + 1
                     WHERE id IN (SELECT id FROM delivery_jobs WHERE target = $3
                       AND ((state = 'queued' AND next_attempt_at <= $4) OR (state = 'in_flight' AND lease_until <= $4))
                       ORDER BY next_attempt_at LIMIT $5 FOR UPDATE SKIP LOCKED)
                     RETURNING {}",
                    $crate::store::delivery::JOB_COLS
                ));
                let rows = sqlx::query(&q)
                    .bind(&c.lease_until)
                    .bind(&c.owner)
                    .bind(&c.target)
                    .bind(&c.now)
                    .bind(c.limit)
                    .fetch_all(&mut *tx)
                    .await?;
                let mut out = Vec::with_capacity(rows.len());
                for r in rows {
                    let job = job_row!(r);
                    let attempt_id = uuid::Uuid::new_v4().to_string();
                    sqlx::query(&$sql(
                        "INSERT INTO delivery_attempts (id, job_id, number, started_at, finished_at, outcome, detail)
                         VALUES ($1, $2, $3, $4, NULL, 'started', NULL)",
                    ))
                    .bind(&attempt_id)
                    .bind(&job.id)
                    .bind(job.attempts)
                    .bind(&c.now)
                    .execute(&mut *tx)
                    .await?;
                    out.push(ClaimedJob { job, attempt_id });
                }
                tx.commit().await?;
                Ok(out)
            }

            pub(super) async fn d_finish(&self, f: &FinishedAttempt) -> Result<bool> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(&$sql(
                    "UPDATE delivery_attempts SET finished_at = $1, outcome = $2, detail = $3 WHERE id = $4",
                ))
                .bind(&f.finished_at)
                .bind(&f.outcome)
                .bind(&f.detail)
                .bind(&f.attempt_id)
                .execute(&mut *tx)
                .await?;
                let changed = match &f.next {
                    // Accepted is the truth whoever holds the lease now: the receiver has it.
                    NextStep::Delivered => {
                        let n = sqlx::query(&$sql(
                            "UPDATE delivery_jobs SET state = 'delivered', delivered_at = $1, lease_until = NULL,
                             lease_owner = NULL, last_error = NULL WHERE id = $2 AND state <> 'delivered'",
                        ))
                        .bind(&f.finished_at)
                        .bind(&f.job_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                        if n > 0 {
                            sqlx::query(&$sql($crate::store::delivery::DELIVERED_WHEN_ALL_ARE))
                                .bind(&f.submission_id)
                                .execute(&mut *tx)
                                .await?;
                        }
                        n > 0
                    }
                    NextStep::RetryAt(_) | NextStep::Dead => {
                        let (state, at) = match &f.next {
                            NextStep::RetryAt(at) => ("queued", at.as_str()),
                            _ => ("dead", f.finished_at.as_str()),
                        };
                        sqlx::query(&$sql(
                            "UPDATE delivery_jobs SET state = $1, next_attempt_at = $2, lease_until = NULL,
                             lease_owner = NULL, last_error = $3 WHERE id = $4 AND lease_owner = $5 AND state = 'in_flight'",
                        ))
                        .bind(state)
                        .bind(at)
                        .bind(&f.detail)
                        .bind(&f.job_id)
                        .bind(&f.lease_owner)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                            > 0
                    }
                };
                tx.commit().await?;
                Ok(changed)
            }

            pub(super) async fn d_settle_offered(&self, s: &OfferSettled) -> Result<bool> {
                let delivered = s.next == NextStep::Delivered;
                let mut tx = self.writer.begin().await?;
                // Only a waiting job: a second acknowledgement (its answer lost) changes nothing.
                let attempts: Option<i64> = sqlx::query_scalar(&$sql(
                    "UPDATE delivery_jobs SET state = $1, attempts = attempts + 1, delivered_at = $2, next_attempt_at = $3,
                     last_error = $4, lease_until = NULL, lease_owner = NULL
                     WHERE id = $5 AND state IN ('queued', 'in_flight') RETURNING attempts",
                ))
                .bind(if delivered { "delivered" } else { "dead" })
                .bind(delivered.then_some(s.at.as_str()))
                .bind(&s.at)
                .bind(if delivered { None } else { s.detail.as_deref() })
                .bind(&s.job_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(number) = attempts else {
                    return Ok(false);
                };
                sqlx::query(&$sql(
                    "INSERT INTO delivery_attempts (id, job_id, number, started_at, finished_at, outcome, detail)
                     VALUES ($1, $2, $3, $4, $4, $5, $6)",
                ))
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(&s.job_id)
                .bind(number)
                .bind(&s.at)
                .bind(&s.outcome)
                .bind(&s.detail)
                .execute(&mut *tx)
                .await?;
                if delivered {
                    sqlx::query(&$sql($crate::store::delivery::DELIVERED_WHEN_ALL_ARE))
                        .bind(&s.submission_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            pub(super) async fn d_retry(&self, job_id: &str, now: &str) -> Result<bool> {
                let n = sqlx::query(&$sql(
                    "UPDATE delivery_jobs SET state = 'queued', next_attempt_at = $1, attempts = 0,
                     lease_until = NULL, lease_owner = NULL WHERE id = $2 AND state IN ('dead', 'queued')",
                ))
                .bind(now)
                .bind(job_id)
                .execute(&self.writer)
                .await?
                .rows_affected();
                Ok(n > 0)
            }

            pub(super) async fn d_job(&self, job_id: &str) -> Result<Option<DeliveryJob>> {
                let q = $sql(&format!("SELECT {} FROM delivery_jobs WHERE id = $1", $crate::store::delivery::JOB_COLS));
                let row = sqlx::query(&q).bind(job_id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(job_row!(r)),
                    None => None,
                })
            }

            pub(super) async fn d_jobs_where(&self, clause: &str, arg: &str, limit: i64) -> Result<Vec<DeliveryJob>> {
                let q = $sql(&format!("SELECT {} FROM delivery_jobs WHERE {clause} LIMIT $2", $crate::store::delivery::JOB_COLS));
                let rows = sqlx::query(&q).bind(arg).bind(limit).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(job_row!(r));
                }
                Ok(out)
            }

            pub(super) async fn d_attempts(&self, job_id: &str) -> Result<Vec<DeliveryAttempt>> {
                let q = $sql("SELECT id, job_id, number, started_at, finished_at, outcome, detail FROM delivery_attempts
                              WHERE job_id = $1 ORDER BY started_at, number");
                let rows = sqlx::query(&q).bind(job_id).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(DeliveryAttempt {
                        id: r.try_get("id")?,
                        job_id: r.try_get("job_id")?,
                        number: r.try_get("number")?,
                        started_at: r.try_get("started_at")?,
                        finished_at: r.try_get("finished_at")?,
                        outcome: r.try_get("outcome")?,
                        detail: r.try_get("detail")?,
                    });
                }
                Ok(out)
            }

            pub(super) async fn d_overview(&self) -> Result<Vec<TargetOverview>> {
                let q = "SELECT target,
                    SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END) AS queued,
                    SUM(CASE WHEN state = 'in_flight' THEN 1 ELSE 0 END) AS in_flight,
                    SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END) AS delivered,
                    SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END) AS dead,
                    MIN(CASE WHEN state <> 'delivered' THEN created_at END) AS oldest_undelivered,
                    MAX(delivered_at) AS last_delivered
                    FROM delivery_jobs GROUP BY target ORDER BY target";
                let rows = sqlx::query(q).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(TargetOverview {
                        target: r.try_get("target")?,
                        queued: r.try_get("queued")?,
                        in_flight: r.try_get("in_flight")?,
                        delivered: r.try_get("delivered")?,
                        dead: r.try_get("dead")?,
                        oldest_undelivered: r.try_get("oldest_undelivered")?,
                        last_delivered: r.try_get("last_delivered")?,
                    });
                }
                Ok(out)
            }

            pub(super) async fn d_record_canary(&self, c: &CanaryResult) -> Result<()> {
                let q = $sql("INSERT INTO delivery_canaries (target, ok, detail, checked_at, last_ok_at) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (target) DO UPDATE SET ok = excluded.ok, detail = excluded.detail, checked_at = excluded.checked_at,
                     last_ok_at = COALESCE(excluded.last_ok_at, delivery_canaries.last_ok_at)");
                sqlx::query(&q)
                    .bind(&c.target)
                    .bind(c.ok as i64)
                    .bind(&c.detail)
                    .bind(&c.checked_at)
                    .bind(if c.ok { Some(&c.checked_at) } else { None })
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }

            pub(super) async fn d_canaries(&self) -> Result<Vec<CanaryResult>> {
                let rows = sqlx::query("SELECT target, ok, detail, checked_at, last_ok_at FROM delivery_canaries ORDER BY target")
                    .fetch_all(&self.pool)
                    .await?;
                let mut out = Vec::new();
                for r in rows {
                    let ok: i64 = r.try_get("ok")?;
                    out.push(CanaryResult {
                        target: r.try_get("target")?,
                        ok: ok != 0,
                        detail: r.try_get("detail")?,
                        checked_at: r.try_get("checked_at")?,
                        last_ok_at: r.try_get("last_ok_at")?,
                    });
                }
                Ok(out)
            }
        }
    };
}
pub(super) use delivery_impl;
