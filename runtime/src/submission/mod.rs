//! The submission service: what the journey, signing, Mina sidor, the outbox and the mail all
//! need to know about drafts and submissions, with no HTTP in it. Handlers draw pages from what
//! it returns; the outbox and the mailer call it directly.

mod answers;
pub mod files;
mod forms;
pub mod shown;
pub mod signers;
pub mod signing;
mod status;
mod time;

pub use answers::{compatible, parse_answers};
pub use forms::{form_for, form_of_submission, stored_form};
pub use status::SubmissionStatus;
pub use time::{local_time, today};

/// Records a statistics event. Statistics must not fail the visitor's request: a failure is
/// logged with its cause (the admin page's counts are then short by one), never dropped unseen.
pub async fn record_event(state: &crate::app::AppState, e: crate::store::Event) {
    if let Err(err) = state.store.record(&e).await {
        tracing::error!(error = %err, kind = %e.kind, form = %e.form, "a statistics event could not be stored");
    }
}
