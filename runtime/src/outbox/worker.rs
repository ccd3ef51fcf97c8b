//! Senders: claim due jobs, send each, record the attempt, schedule the next or give up.

use super::transport::{MessageInput, MessageStatus, SendOutcome};
use super::Outbox;
use crate::store::{AttemptOutcome, Claim, ClaimedJob, DeliveryJob, FinishedAttempt, NextStep};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

/// Full jitter: the n-th retry (n ≥ 1) waits a random time in `0..=min(cap, base · 2ⁿ⁻¹)`,
/// so senders that failed together do not come back together.
pub fn backoff(attempt: i64, base_ms: u64, cap_ms: u64) -> Duration {
    let exp = attempt.clamp(1, 63) as u32 - 1;
    let ceiling = base_ms.saturating_mul(1u64 << exp.min(40)).min(cap_ms);
    Duration::from_millis(rand::rng().random_range(0..=ceiling))
}

impl Outbox {
    pub(super) async fn sender_loop(self: Arc<Self>, n: usize) {
        let poll = Duration::from_millis(self.config.poll_ms.max(1));
        loop {
            let mut sent = 0;
            for target in self.targets.keys() {
                match self.deliver_due(target).await {
                    Ok(k) => sent += k,
                    Err(e) => {
                        tracing::error!(sender = n, target = %target, error = %e, "delivery: cannot claim jobs")
                    }
                }
            }
            if sent == 0 {
                tokio::select! {
                    _ = tokio::time::sleep(poll) => {}
                    _ = self.wake.notified() => {}
                }
            }
        }
    }

    /// Claims one batch of `target`'s due jobs and tries each once, all at once (each send
    /// within `send_timeout`, so within the lease); returns how many it claimed.
    /// A pickup target's jobs are not sent: they wait for its receiver (`outbox::pickup`).
    pub async fn deliver_due(self: &Arc<Self>, target: &str) -> crate::store::Result<usize> {
        if self.targets.get(target).is_some_and(|(t, _)| t.is_pickup()) {
            return Ok(0);
        }
        let now = chrono::Utc::now();
        let lease = chrono::Duration::seconds(self.config.lease_seconds as i64);
        let claimed = self
            .store
            .claim_deliveries(&Claim {
                target: target.to_string(),
                owner: format!("{}-{}", self.instance, uuid::Uuid::new_v4().simple()),
                now,
                lease_until: now + lease,
                limit: self.config.batch,
            })
            .await?;
        let n = claimed.len();
        let mut sends = tokio::task::JoinSet::new();
        for c in claimed {
            let me = self.clone();
            sends.spawn(async move { me.attempt(c).await });
        }
        while sends.join_next().await.is_some() {}
        Ok(n)
    }

    async fn attempt(&self, c: ClaimedJob) {
        let job = &c.job;
        let Some((target, transport)) = self.targets.get(&job.target) else {
            return;
        };
        let outcome = match self.message(job, target).await {
            Err(o) => o,
            // Too little of the lease is left to finish in time: another sender may claim it
            // before the answer comes, so this one does not send (the attempt stays `started`).
            Ok(_) if !self.lease_covers_a_send(job.lease_until) => {
                tracing::warn!(job = %job.id, "delivery: the lease ran short before sending; left for the next claim");
                return;
            }
            Ok(bytes) => {
                let timeout = Duration::from_secs(self.config.send_timeout_seconds);
                match tokio::time::timeout(timeout, transport.send(&job.tx_id, &bytes)).await {
                    Ok(o) => o,
                    Err(_) => SendOutcome::Retryable(format!(
                        "no answer within {} s",
                        self.config.send_timeout_seconds
                    )),
                }
            }
        };
        let finished = chrono::Utc::now();
        let (label, detail, next) = match &outcome {
            SendOutcome::Accepted => (AttemptOutcome::Accepted, None, NextStep::Delivered),
            SendOutcome::Duplicate => (AttemptOutcome::Duplicate, None, NextStep::Delivered),
            SendOutcome::Retryable(e) if job.attempts >= self.config.attempt_limit => (
                AttemptOutcome::Retryable,
                Some(format!(
                    "{e} (attempt {} of {}: given up)",
                    job.attempts, self.config.attempt_limit
                )),
                NextStep::Dead,
            ),
            SendOutcome::Retryable(e) => {
                let wait = backoff(
                    job.attempts,
                    self.config.backoff_base_ms,
                    self.config.backoff_cap_ms,
                );
                let at = finished + chrono::Duration::from_std(wait).unwrap_or_default();
                (
                    AttemptOutcome::Retryable,
                    Some(e.clone()),
                    NextStep::RetryAt(at),
                )
            }
            SendOutcome::Permanent(e) => {
                (AttemptOutcome::Permanent, Some(e.clone()), NextStep::Dead)
            }
        };
        let labels = [("target", job.target.as_str())];
        match &next {
            NextStep::Delivered => {
                self.metrics.inc("blankett_deliveries_total", &labels);
                let what = format!("job {} tx {}", job.id, job.tx_id);
                crate::audit::record(&self.store, &job.target, "delivered", &what).await;
            }
            NextStep::RetryAt(at) => {
                self.metrics
                    .inc("blankett_delivery_failed_attempts_total", &labels);
                tracing::warn!(job = %job.id, target = %job.target, attempt = job.attempts, retry_at = %at,
                    error = detail.as_deref().unwrap_or(""), "delivery attempt failed; will retry");
            }
            NextStep::Dead => {
                self.metrics
                    .inc("blankett_delivery_failed_attempts_total", &labels);
                self.metrics.inc("blankett_delivery_dead_total", &labels);
                tracing::error!(job = %job.id, target = %job.target, attempt = job.attempts,
                    error = detail.as_deref().unwrap_or(""), "delivery failed for good: a dead letter on the admin page");
            }
        }
        let f = FinishedAttempt {
            job_id: job.id.clone(),
            submission_id: job.submission_id.clone(),
            attempt_id: c.attempt_id.clone(),
            lease_owner: job.lease_owner.clone().unwrap_or_default(),
            finished_at: finished,
            outcome: label,
            detail,
            next,
        };
        // When this fails the lease runs out and the job is tried again; the tx id stays.
        if let Err(e) = self.store.finish_delivery(&f).await {
            tracing::error!(job = %job.id, error = %e, "delivery: cannot record an attempt");
        }
    }

    fn lease_covers_a_send(&self, lease_until: Option<chrono::DateTime<chrono::Utc>>) -> bool {
        let Some(until) = lease_until else {
            return false;
        };
        let send = chrono::Duration::seconds(self.config.send_timeout_seconds as i64);
        chrono::Utc::now() + send < until
    }

    /// Loads the submission and builds its message; on failure, the outcome to record (a store
    /// that cannot be read now may be readable later; a missing submission never comes back).
    /// Pickup targets offer what this builds, as pushes send it.
    pub(super) async fn message(
        &self,
        job: &DeliveryJob,
        target: &super::Target,
    ) -> Result<Vec<u8>, SendOutcome> {
        let retry = |what: &str, e: crate::store::StoreError| {
            SendOutcome::Retryable(format!("cannot read {what}: {e}"))
        };
        let s = self
            .store
            .submission(&job.submission_id)
            .await
            .map_err(|e| retry("the submission", e))?
            .ok_or_else(|| {
                SendOutcome::Permanent(
                    "the submission no longer exists (deleted by retention?)".into(),
                )
            })?;
        // A signed submission goes out only as it was signed: changed since, it is a dead
        // letter for a person to look at, never delivered as if signed.
        let signatures = self
            .store
            .signatures_of(&s.id)
            .await
            .map_err(|e| retry("the signatures", e))?;
        for sig in &signatures {
            if !crate::submission::signing::verify(&s.xml, sig) {
                return Err(SendOutcome::Permanent(format!(
                    "the stored submission no longer matches the {}'s signature: changed after signing, not delivered",
                    sig.role
                )));
            }
        }
        let mut attachments = Vec::new();
        for a in self
            .store
            .attachments_of_submission(&s.id)
            .await
            .map_err(|e| retry("the attachments", e))?
        {
            // A file the submission lists goes with it, or the submission does not go at all.
            let pair = self
                .store
                .attachment(&a.id)
                .await
                .map_err(|e| retry("an attachment", e))?
                .ok_or_else(|| {
                    SendOutcome::Permanent(format!(
                        "the attachment `{}` ({}) is listed but its content is gone",
                        a.filename, a.id
                    ))
                })?;
            attachments.push(pair);
        }
        let registry = self.registry();
        self.builder
            .build(&MessageInput {
                submission: &s,
                kommun: registry.kommuner.get(&s.kommun),
                attachments: &attachments,
                signatures: &signatures,
                target,
                tx_id: &job.tx_id,
                corr_id: &job.corr_id,
                status: MessageStatus::Production,
            })
            .map_err(|e| SendOutcome::Permanent(format!("cannot build the message: {e}")))
    }
}
