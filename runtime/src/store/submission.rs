//! Drafts, submissions and their attachments, the form versions they were made with, the
//! statistics events, and retention (gallring).

use super::Result;
use crate::submission::SubmissionStatus;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
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
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
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
    pub status: SubmissionStatus,
    pub case_number: Option<String>,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
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
    pub created_at: DateTime<Utc>,
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
    /// The draft's uploads the submission carries, each with the instance path it is answered
    /// at (`bilagor[1].fil`); the draft's other uploads are deleted in the same transaction.
    pub attachments: Vec<SubmittedFile>,
}

/// An upload a submission carries: its id and where in the answers it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmittedFile {
    pub id: String,
    pub field_path: String,
}

super::text_enum! {
    /// What a statistics event records.
    pub enum EventKind {
        /// A journey started: a new draft.
        Start = "start",
        /// A question page was completed.
        Page = "page",
        /// Submitted (recorded by `submit`, in its transaction).
        Submit = "submit",
        /// The last signature of a submission that waited for co-signers came in.
        FullySigned = "fully_signed",
    }
}

/// A statistics event: a journey started, a page completed, a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Event {
    pub kommun: String,
    pub form: String,
    pub kind: EventKind,
    pub page: Option<String>,
    pub draft_id: Option<String>,
    pub at: DateTime<Utc>,
}

#[async_trait]
pub trait SubmissionStore: Send + Sync {
    async fn put_draft(&self, d: &Draft) -> Result<()>;
    async fn draft(&self, id: &str) -> Result<Option<Draft>>;
    /// The owner's drafts, the last changed first.
    async fn drafts_of(&self, owner: &str) -> Result<Vec<Draft>>;
    /// Deletes a draft and the attachments uploaded to it.
    async fn delete_draft(&self, id: &str) -> Result<()>;
    /// Deletes these uploads of the draft (replaced or removed); a submission's are kept.
    async fn delete_draft_attachments(&self, draft_id: &str, ids: &[String]) -> Result<()>;

    async fn put_attachment(&self, a: &Attachment, data: &[u8]) -> Result<()>;
    async fn attachment(&self, id: &str) -> Result<Option<(Attachment, Vec<u8>)>>;
    async fn attachments_of_draft(&self, draft_id: &str) -> Result<Vec<Attachment>>;
    async fn attachments_of_submission(&self, submission_id: &str) -> Result<Vec<Attachment>>;

    /// Stores the submission in one transaction: numbers its reference, moves the uploads it
    /// names (`attachments`) to it and deletes the draft's others, deletes the draft, records the `submit` statistics event and creates
    /// its delivery jobs. Submitting the same draft again returns the submission made the
    /// first time.
    async fn submit(&self, s: NewSubmission) -> Result<Submission>;
    async fn submission(&self, id: &str) -> Result<Option<Submission>>;
    async fn submission_by_draft(&self, draft_id: &str) -> Result<Option<Submission>>;
    /// The owner's submissions, the latest first.
    async fn submissions_of(&self, owner: &str) -> Result<Vec<Submission>>;
    /// Sets the status, and the case number when one is given (a given one is kept otherwise).
    async fn set_status(
        &self,
        id: &str,
        status: SubmissionStatus,
        case_number: Option<&str>,
    ) -> Result<()>;
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
    /// A form's events in the order they were recorded.
    async fn events(&self, kommun: &str, form: &str) -> Result<Vec<Event>>;

    /// Deletes drafts untouched since `drafts_before` and submissions made before
    /// `submissions_before` (retention, gallring), each with everything of it; returns how
    /// many of each.
    async fn purge(
        &self,
        kommun: &str,
        form: &str,
        drafts_before: DateTime<Utc>,
        submissions_before: DateTime<Utc>,
    ) -> Result<(u64, u64)>;
}
