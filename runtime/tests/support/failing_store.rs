//! A store that can be made to fail, for the SQLite outage test: every call of every store
//! trait goes to the real store, or, while `down` is set, fails as a database that has gone
//! away does. Written out from the store traits; a new store method is a compile error here
//! until it is added.

use blankett_runtime::store::*;
use blankett_runtime::submission::SubmissionStatus;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub struct Failing {
    pub inner: DynStore,
    pub down: Arc<AtomicBool>,
}

impl Failing {
    fn check(&self) -> Result<()> {
        if self.down.load(Ordering::SeqCst) {
            return Err(StoreError::from(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "the database is gone (outage test)",
            ))));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SessionStore for Failing {
    async fn put_session(&self, s: &Session) -> Result<()> {
        self.check()?;
        self.inner.put_session(s).await
    }
    async fn session(&self, id: &str) -> Result<Option<Session>> {
        self.check()?;
        self.inner.session(id).await
    }
    async fn delete_session(&self, id: &str) -> Result<()> {
        self.check()?;
        self.inner.delete_session(id).await
    }
    async fn purge_sessions(&self, idle_since: DateTime<Utc>) -> Result<u64> {
        self.check()?;
        self.inner.purge_sessions(idle_since).await
    }
}

#[async_trait::async_trait]
impl SubmissionStore for Failing {
    async fn put_draft(&self, d: &Draft) -> Result<()> {
        self.check()?;
        self.inner.put_draft(d).await
    }
    async fn draft(&self, id: &str) -> Result<Option<Draft>> {
        self.check()?;
        self.inner.draft(id).await
    }
    async fn drafts_of(&self, owner: &str) -> Result<Vec<Draft>> {
        self.check()?;
        self.inner.drafts_of(owner).await
    }
    async fn delete_draft(&self, id: &str) -> Result<()> {
        self.check()?;
        self.inner.delete_draft(id).await
    }
    async fn delete_draft_attachments(&self, draft_id: &str, ids: &[String]) -> Result<()> {
        self.check()?;
        self.inner.delete_draft_attachments(draft_id, ids).await
    }
    async fn put_attachment(&self, a: &Attachment, data: &[u8]) -> Result<()> {
        self.check()?;
        self.inner.put_attachment(a, data).await
    }
    async fn attachment(&self, id: &str) -> Result<Option<(Attachment, Vec<u8>)>> {
        self.check()?;
        self.inner.attachment(id).await
    }
    async fn attachments_of_draft(&self, draft_id: &str) -> Result<Vec<Attachment>> {
        self.check()?;
        self.inner.attachments_of_draft(draft_id).await
    }
    async fn attachments_of_submission(&self, submission_id: &str) -> Result<Vec<Attachment>> {
        self.check()?;
        self.inner.attachments_of_submission(submission_id).await
    }
    async fn submit(&self, s: NewSubmission) -> Result<Submission> {
        self.check()?;
        self.inner.submit(s).await
    }
    async fn submission(&self, id: &str) -> Result<Option<Submission>> {
        self.check()?;
        self.inner.submission(id).await
    }
    async fn submission_by_draft(&self, draft_id: &str) -> Result<Option<Submission>> {
        self.check()?;
        self.inner.submission_by_draft(draft_id).await
    }
    async fn submissions_of(&self, owner: &str) -> Result<Vec<Submission>> {
        self.check()?;
        self.inner.submissions_of(owner).await
    }
    async fn set_status(
        &self,
        id: &str,
        status: SubmissionStatus,
        case_number: Option<&str>,
    ) -> Result<()> {
        self.check()?;
        self.inner.set_status(id, status, case_number).await
    }
    async fn submission_by_reference(&self, reference: &str) -> Result<Option<Submission>> {
        self.check()?;
        self.inner.submission_by_reference(reference).await
    }
    async fn put_form_version(
        &self,
        hash: &str,
        kommun: &str,
        form: &str,
        version: &str,
        bundle: &str,
    ) -> Result<()> {
        self.check()?;
        self.inner
            .put_form_version(hash, kommun, form, version, bundle)
            .await
    }
    async fn form_version(&self, hash: &str) -> Result<Option<String>> {
        self.check()?;
        self.inner.form_version(hash).await
    }
    async fn record(&self, e: &Event) -> Result<()> {
        self.check()?;
        self.inner.record(e).await
    }
    async fn events(&self, kommun: &str, form: &str) -> Result<Vec<Event>> {
        self.check()?;
        self.inner.events(kommun, form).await
    }
    async fn purge(
        &self,
        kommun: &str,
        form: &str,
        drafts_before: DateTime<Utc>,
        submissions_before: DateTime<Utc>,
    ) -> Result<(u64, u64)> {
        self.check()?;
        self.inner
            .purge(kommun, form, drafts_before, submissions_before)
            .await
    }
}

#[async_trait::async_trait]
impl OutboxStore for Failing {
    async fn enqueue_delivery(&self, submission_id: &str, targets: &[String]) -> Result<()> {
        self.check()?;
        self.inner.enqueue_delivery(submission_id, targets).await
    }
    async fn claim_deliveries(&self, c: &Claim) -> Result<Vec<ClaimedJob>> {
        self.check()?;
        self.inner.claim_deliveries(c).await
    }
    async fn finish_delivery(&self, f: &FinishedAttempt) -> Result<bool> {
        self.check()?;
        self.inner.finish_delivery(f).await
    }
    async fn retry_delivery(&self, job_id: &str, now: DateTime<Utc>) -> Result<bool> {
        self.check()?;
        self.inner.retry_delivery(job_id, now).await
    }
    async fn delivery_job(&self, job_id: &str) -> Result<Option<DeliveryJob>> {
        self.check()?;
        self.inner.delivery_job(job_id).await
    }
    async fn delivery_jobs_of(&self, submission_id: &str) -> Result<Vec<DeliveryJob>> {
        self.check()?;
        self.inner.delivery_jobs_of(submission_id).await
    }
    async fn delivery_attempts(&self, job_id: &str) -> Result<Vec<DeliveryAttempt>> {
        self.check()?;
        self.inner.delivery_attempts(job_id).await
    }
    async fn delivery_overview(&self) -> Result<Vec<TargetOverview>> {
        self.check()?;
        self.inner.delivery_overview().await
    }
    async fn dead_deliveries(&self, limit: i64) -> Result<Vec<DeliveryJob>> {
        self.check()?;
        self.inner.dead_deliveries(limit).await
    }
    async fn waiting_deliveries(&self, target: &str, limit: i64) -> Result<Vec<DeliveryJob>> {
        self.check()?;
        self.inner.waiting_deliveries(target, limit).await
    }
    async fn delivery_job_by_tx(&self, tx_id: &str) -> Result<Option<DeliveryJob>> {
        self.check()?;
        self.inner.delivery_job_by_tx(tx_id).await
    }
    async fn settle_offered(&self, s: &OfferSettled) -> Result<bool> {
        self.check()?;
        self.inner.settle_offered(s).await
    }
    async fn record_canary(&self, r: &CanaryResult) -> Result<()> {
        self.check()?;
        self.inner.record_canary(r).await
    }
    async fn canaries(&self) -> Result<Vec<CanaryResult>> {
        self.check()?;
        self.inner.canaries().await
    }
}

#[async_trait::async_trait]
impl SigningStore for Failing {
    async fn put_eid_order(&self, o: &EidOrder) -> Result<()> {
        self.check()?;
        self.inner.put_eid_order(o).await
    }
    async fn eid_order(&self, id: &str) -> Result<Option<EidOrder>> {
        self.check()?;
        self.inner.eid_order(id).await
    }
    async fn take_eid_order(&self, id: &str) -> Result<Option<EidOrder>> {
        self.check()?;
        self.inner.take_eid_order(id).await
    }
    async fn purge_eid_orders(&self, before: DateTime<Utc>) -> Result<u64> {
        self.check()?;
        self.inner.purge_eid_orders(before).await
    }
    async fn put_signature(&self, s: &Signature) -> Result<bool> {
        self.check()?;
        self.inner.put_signature(s).await
    }
    async fn signatures_of(&self, submission_id: &str) -> Result<Vec<Signature>> {
        self.check()?;
        self.inner.signatures_of(submission_id).await
    }
    async fn put_cosigner(&self, c: &Cosigner) -> Result<()> {
        self.check()?;
        self.inner.put_cosigner(c).await
    }
    async fn cosigners_of(&self, submission_id: &str) -> Result<Vec<Cosigner>> {
        self.check()?;
        self.inner.cosigners_of(submission_id).await
    }
    async fn cosigner_by_invite(&self, invite: &str) -> Result<Option<Cosigner>> {
        self.check()?;
        self.inner.cosigner_by_invite(invite).await
    }
    async fn mark_fully_signed(&self, submission_id: &str) -> Result<bool> {
        self.check()?;
        self.inner.mark_fully_signed(submission_id).await
    }
}

#[async_trait::async_trait]
impl MailStore for Failing {
    async fn queue_invitation_mail(&self, m: &InvitationMail) -> Result<()> {
        self.check()?;
        self.inner.queue_invitation_mail(m).await
    }
    async fn claim_invitation_mails(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<InvitationMail>> {
        self.check()?;
        self.inner
            .claim_invitation_mails(now, lease_until, limit)
            .await
    }
    async fn finish_invitation_mail(&self, f: &FinishedMail) -> Result<()> {
        self.check()?;
        self.inner.finish_invitation_mail(f).await
    }
    async fn invitation_mails_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>> {
        self.check()?;
        self.inner.invitation_mails_of(submission_id).await
    }
}

#[async_trait::async_trait]
impl AuditStore for Failing {
    async fn record_audit(&self, e: &AuditEntry) -> Result<()> {
        self.check()?;
        self.inner.record_audit(e).await
    }
    async fn audit_entries(&self, since: DateTime<Utc>, limit: i64) -> Result<Vec<AuditEntry>> {
        self.check()?;
        self.inner.audit_entries(since, limit).await
    }
    async fn purge_audit(&self, before: DateTime<Utc>) -> Result<u64> {
        self.check()?;
        self.inner.purge_audit(before).await
    }
}
