//! The two seams the integrator wires: how a message goes out (`Transport`, the SHS client) and
//! what the message is (`MessageBuilder`, the SHS label + MIME of a submission).

use super::config::Target;
use crate::store::{Attachment, Submission};
use async_trait::async_trait;

/// What the receiver said about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// Taken: the job is delivered.
    Accepted,
    /// The receiver has this transaction id already (an earlier attempt got through but its
    /// answer was lost): delivered too.
    Duplicate,
    /// Try again later (no connection, timeout, 5xx, the receiver asks to wait).
    Retryable(String),
    /// Never going to work as it is (rejected message, unknown address): a dead letter at once.
    Permanent(String),
}

#[async_trait]
pub trait Transport: Send + Sync {
    /// Sends one message. `tx_id` is the job's transaction id, the same on every attempt.
    async fn send(&self, tx_id: &str, message: &[u8]) -> SendOutcome;
}

/// `Production` for citizens' submissions; `Test` for the canary (SHS `status="test"`: the
/// receiver acknowledges it but makes no case of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageStatus {
    Production,
    Test,
}

pub struct MessageInput<'a> {
    pub submission: &'a Submission,
    /// The submission's kommun as served now (its `kommun.yaml`, e.g. its SHS addresses);
    /// for the canary, the first kommun with a form delivered to the target.
    pub kommun: Option<&'a crate::registry::KommunEntry>,
    pub attachments: &'a [(Attachment, Vec<u8>)],
    /// The submission's e-signatures, already checked against its XML; delivered with it.
    pub signatures: &'a [crate::store::Signature],
    pub target: &'a Target,
    pub tx_id: &'a str,
    pub corr_id: &'a str,
    pub status: MessageStatus,
}

/// Turns a submission into the bytes one attempt sends. Called on every attempt with the same
/// `tx_id`, so what it builds must depend only on its input.
pub trait MessageBuilder: Send + Sync {
    /// An error is permanent: the job becomes a dead letter with it as the reason.
    fn build(&self, m: &MessageInput<'_>) -> Result<Vec<u8>, String>;
}

/// Until the SHS label and MIME builder is wired in: the submission's XML as it is stored.
pub struct SubmissionXml;

impl MessageBuilder for SubmissionXml {
    fn build(&self, m: &MessageInput<'_>) -> Result<Vec<u8>, String> {
        Ok(m.submission.xml.clone().into_bytes())
    }
}
