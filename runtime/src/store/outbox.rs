//! The outbox's records (`crate::outbox` runs it). Jobs are made with the submission
//! (`SubmissionStore::submit`) or later with `enqueue_delivery`; workers claim due jobs with a
//! lease and finish each attempt; pickup targets' jobs are settled when their receiver fetches
//! them.

use super::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

super::text_enum! {
    /// Where a delivery job is.
    pub enum DeliveryState {
        /// Waiting for its next attempt (`next_attempt_at`).
        Queued = "queued",
        /// Claimed by a worker until `lease_until`.
        InFlight = "in_flight",
        Delivered = "delivered",
        /// Given up: a dead letter on the admin page, retried by hand.
        Dead = "dead",
    }
}

super::text_enum! {
    /// How one delivery attempt ended, as the attempts log keeps it.
    pub enum AttemptOutcome {
        /// Claimed and not finished: the worker stopped.
        Started = "started",
        Accepted = "accepted",
        /// The receiver had it already: delivered before.
        Duplicate = "duplicate",
        Retryable = "retryable",
        Permanent = "permanent",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DeliveryJob {
    pub id: String,
    pub submission_id: String,
    pub target: String,
    pub tx_id: String,
    pub corr_id: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub lease_owner: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct DeliveryAttempt {
    pub id: String,
    pub job_id: String,
    pub number: i64,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: AttemptOutcome,
    pub detail: Option<String>,
}

/// A worker's request for due jobs.
pub struct Claim {
    pub target: String,
    /// Unique per claim: a finish counts only for the worker that holds the lease.
    pub owner: String,
    pub now: DateTime<Utc>,
    pub lease_until: DateTime<Utc>,
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
    RetryAt(DateTime<Utc>),
    Dead,
}

pub struct FinishedAttempt {
    pub job_id: String,
    pub submission_id: String,
    pub attempt_id: String,
    pub lease_owner: String,
    pub finished_at: DateTime<Utc>,
    pub outcome: AttemptOutcome,
    pub detail: Option<String>,
    pub next: NextStep,
}

/// How a job offered for pickup ended (`OutboxStore::settle_offered`).
pub struct OfferSettled {
    pub job_id: String,
    pub submission_id: String,
    pub at: DateTime<Utc>,
    /// The attempt's outcome as logged: `Accepted` (the receiver acknowledged it) or
    /// `Permanent` (the message cannot be made).
    pub outcome: AttemptOutcome,
    pub detail: Option<String>,
    /// `Delivered` or `Dead`.
    pub next: NextStep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct TargetOverview {
    pub target: String,
    pub queued: i64,
    pub in_flight: i64,
    pub delivered: i64,
    pub dead: i64,
    pub oldest_undelivered: Option<DateTime<Utc>>,
    pub last_delivered: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct CanaryResult {
    pub target: String,
    pub ok: bool,
    pub detail: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// The last time it passed (kept while it fails).
    pub last_ok_at: Option<DateTime<Utc>>,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Creates the delivery jobs of a submission that has none yet for these targets (e.g. when
    /// the last co-signer has signed). Each job gets its transaction id now, once.
    async fn enqueue_delivery(&self, submission_id: &str, targets: &[String]) -> Result<()>;
    /// Claims up to `limit` jobs of `target` that are due at `now` (queued and due, or in flight
    /// with an expired lease): marks them in flight until `lease_until`, counts the attempt and
    /// logs it as started. Several processes may claim at once; no job is claimed twice.
    async fn claim_deliveries(&self, c: &Claim) -> Result<Vec<ClaimedJob>>;
    /// Records how an attempt ended and moves the job on. A result for a job whose lease went
    /// to another worker only counts when it delivered. Returns whether the job changed.
    async fn finish_delivery(&self, f: &FinishedAttempt) -> Result<bool>;
    /// A manual retry of a dead (or waiting) job: queued, due now, attempts counted from zero.
    async fn retry_delivery(&self, job_id: &str, now: DateTime<Utc>) -> Result<bool>;
    async fn delivery_job(&self, job_id: &str) -> Result<Option<DeliveryJob>>;
    async fn delivery_jobs_of(&self, submission_id: &str) -> Result<Vec<DeliveryJob>>;
    async fn delivery_attempts(&self, job_id: &str) -> Result<Vec<DeliveryAttempt>>;
    /// Counts per target and state, the oldest undelivered job and the last delivery.
    async fn delivery_overview(&self) -> Result<Vec<TargetOverview>>;
    /// The dead letters, newest first.
    async fn dead_deliveries(&self, limit: i64) -> Result<Vec<DeliveryJob>>;
    /// Jobs of `target` neither delivered nor dead, oldest first: what a pickup target offers.
    async fn waiting_deliveries(&self, target: &str, limit: i64) -> Result<Vec<DeliveryJob>>;
    async fn delivery_job_by_tx(&self, tx_id: &str) -> Result<Option<DeliveryJob>>;
    /// Ends a job that is fetched by its receiver, not sent: acknowledged (`Delivered`) or its
    /// message cannot be made (`Dead`). Counts and logs the attempt as `finish_delivery` does;
    /// false when the job was no longer waiting (acknowledged twice, or dead already).
    async fn settle_offered(&self, s: &OfferSettled) -> Result<bool>;
    async fn record_canary(&self, r: &CanaryResult) -> Result<()>;
    async fn canaries(&self) -> Result<Vec<CanaryResult>>;
}
