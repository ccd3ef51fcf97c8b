//! Storage behind one trait, with SQLite (default, embedded, WAL) and PostgreSQL (several
//! runtime instances share it). One test suite runs against both.

mod delivery;
mod invitation;
mod sql;

pub use delivery::*;
pub use invitation::{FinishedMail, InvitationMail};
pub use sql::{PgStore, SqliteStore};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "storage error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError(e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub person_pnr: Option<String>,
    pub person_name: Option<String>,
    pub csrf: String,
    pub created_at: String,
    pub last_seen_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub id: String,
    /// `pnr:<personnummer>` for a logged-in person, `session:<id>` otherwise.
    pub owner: String,
    pub kommun: String,
    pub form: String,
    pub form_hash: String,
    /// The answers as JSON (field path → answer).
    pub answers: String,
    /// The page last saved.
    pub page: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub id: String,
    pub reference: String,
    pub draft_id: String,
    pub owner: String,
    pub kommun: String,
    pub form: String,
    pub form_version: String,
    pub form_hash: String,
    pub answers: String,
    pub xml: String,
    pub json: String,
    pub status: String,
    pub case_number: Option<String>,
    pub submitted_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: String,
    pub owner: String,
    pub draft_id: String,
    pub submission_id: Option<String>,
    pub field_path: String,
    pub filename: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: String,
}

/// What a submission needs stored at once: it and its attachments, or nothing.
pub struct NewSubmission {
    pub submission: Submission,
    /// The prefix of the reference, e.g. `BYGG`; the store numbers it per year.
    pub reference_prefix: String,
    pub year: i32,
    /// The delivery targets (names from the configuration) that get a delivery job in the same
    /// transaction; empty when nothing is delivered (or delivery waits for co-signers).
    pub delivery_targets: Vec<String>,
}

/// A statistics event: a journey started, a page completed, a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub kommun: String,
    pub form: String,
    pub kind: String,
    pub page: Option<String>,
    pub draft_id: Option<String>,
    pub at: String,
}

/// An e-ID order in progress, bound to the session that started it: an OIDC login (keyed by
/// its `state`) or a BankID order. `data` is the kind's own JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EidOrder {
    pub id: String,
    pub session_id: String,
    /// `oidc`, `bankid-auth` or `bankid-sign`.
    pub kind: String,
    pub data: String,
    pub created_at: String,
}

/// One person's signature of a submission's exact XML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signature {
    pub id: String,
    pub submission_id: String,
    /// `applicant` or `guardian`.
    pub role: String,
    pub signer_pnr: String,
    pub signer_name: String,
    /// SHA-256 (hex) of the submission XML that was signed.
    pub digest: String,
    /// The e-ID's signature (BankID: the signature XML, base64).
    pub signature: String,
    /// The OCSP response that shows the certificate was valid (base64).
    pub ocsp_response: String,
    pub signed_at: String,
}

/// A person a submission waits for before it is complete (`signing: guardians`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cosigner {
    pub submission_id: String,
    pub pnr: String,
    /// The secret of the invitation link.
    pub invite: String,
    pub deadline: String,
}

#[async_trait]
pub trait Store: Send + Sync {
    async fn put_session(&self, s: &Session) -> Result<()>;
    async fn session(&self, id: &str) -> Result<Option<Session>>;
    async fn delete_session(&self, id: &str) -> Result<()>;

    async fn put_draft(&self, d: &Draft) -> Result<()>;
    async fn draft(&self, id: &str) -> Result<Option<Draft>>;
    async fn drafts_of(&self, owner: &str) -> Result<Vec<Draft>>;
    async fn delete_draft(&self, id: &str) -> Result<()>;

    async fn put_attachment(&self, a: &Attachment, data: &[u8]) -> Result<()>;
    async fn attachment(&self, id: &str) -> Result<Option<(Attachment, Vec<u8>)>>;
    async fn attachments_of_draft(&self, draft_id: &str) -> Result<Vec<Attachment>>;
    async fn attachments_of_submission(&self, submission_id: &str) -> Result<Vec<Attachment>>;

    /// Stores the submission in one transaction: numbers its reference, moves the draft's
    /// attachments to it, deletes the draft and records the `submit` statistics event.
    /// Submitting the same draft again returns the submission made the first time.
    async fn submit(&self, s: NewSubmission) -> Result<Submission>;
    async fn submission(&self, id: &str) -> Result<Option<Submission>>;
    async fn submission_by_draft(&self, draft_id: &str) -> Result<Option<Submission>>;
    async fn submissions_of(&self, owner: &str) -> Result<Vec<Submission>>;
    async fn set_status(&self, id: &str, status: &str, case_number: Option<&str>) -> Result<()>;
    /// The submission with this receipt number (e.g. `OFEL-2026-0001`).
    async fn submission_by_reference(&self, reference: &str) -> Result<Option<Submission>>;

    /// Keeps a published form version, so drafts made against it can continue after an upgrade.
    async fn put_form_version(
        &self,
        hash: &str,
        kommun: &str,
        form: &str,
        version: &str,
        bundle: &str,
    ) -> Result<()>;
    async fn form_version(&self, hash: &str) -> Result<Option<String>>;

    async fn record(&self, e: &Event) -> Result<()>;
    async fn events(&self, kommun: &str, form: &str) -> Result<Vec<Event>>;

    /// Deletes drafts untouched since `drafts_before` and submissions made before
    /// `submissions_before` (retention, gallring); returns how many of each.
    async fn purge(
        &self,
        kommun: &str,
        form: &str,
        drafts_before: &str,
        submissions_before: &str,
    ) -> Result<(u64, u64)>;

    // Delivery: the outbox (`crate::outbox`). Jobs are made with the submission (`submit`) or
    // later with `enqueue_delivery`; workers claim due jobs with a lease and finish each attempt.

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
    async fn retry_delivery(&self, job_id: &str, now: &str) -> Result<bool>;
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
    // Signatures
    async fn put_eid_order(&self, o: &EidOrder) -> Result<()>;
    async fn eid_order(&self, id: &str) -> Result<Option<EidOrder>>;
    /// Returns the order and deletes it, in one statement: only one caller ever gets it.
    async fn take_eid_order(&self, id: &str) -> Result<Option<EidOrder>>;
    /// Stores a signature; a second signature by the same person of the same submission is
    /// ignored (returns `false`).
    async fn put_signature(&self, s: &Signature) -> Result<bool>;
    async fn signatures_of(&self, submission_id: &str) -> Result<Vec<Signature>>;
    async fn put_cosigner(&self, c: &Cosigner) -> Result<()>;
    async fn cosigners_of(&self, submission_id: &str) -> Result<Vec<Cosigner>>;
    async fn cosigner_by_invite(&self, invite: &str) -> Result<Option<Cosigner>>;
    /// Moves a submission from `vantar_pa_underskrift` to `mottagen`; true for the one caller
    /// that made the move (so completion happens once, however many sign at the same time).
    async fn mark_fully_signed(&self, submission_id: &str) -> Result<bool>;
    /// Deletes e-ID orders started before `before` (abandoned log-ins and signatures).
    async fn purge_eid_orders(&self, before: &str) -> Result<u64>;

    // Invitation mails to co-signers (`crate::mail`; the SQL is in `invitation.rs`).

    /// Queues an invitation; a second one to the same co-signer of the same submission is ignored.
    async fn queue_invitation_mail(&self, m: &InvitationMail) -> Result<()>;
    /// Claims up to `limit` queued mails due at `now`: counts the attempt and moves their next
    /// attempt to `lease_until`, so no other sender takes them meanwhile.
    async fn claim_invitation_mails(
        &self,
        now: &str,
        lease_until: &str,
        limit: i64,
    ) -> Result<Vec<InvitationMail>>;
    /// Records how a claimed mail's attempt ended.
    async fn finish_invitation_mail(&self, f: &FinishedMail) -> Result<()>;
    async fn invitation_mails_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>>;
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
