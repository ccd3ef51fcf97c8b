//! Pickup: a target with `transport = "shs-pickup"` is never sent to. Its receiver polls this
//! runtime's SHS delivery service (`shs::delivery`, mounted at `/shs/ds` when such a target is
//! configured) with the target's `pickup_token`, and finds there the same SHS message the `shs`
//! transport would have POSTed, built by the same code, with the job's tx.id every time it is
//! offered. Its acknowledgement is the delivery: the attempt is recorded and the job is
//! delivered, as an accepted push is; an acknowledged message is not listed again.
//!
//! A receiver sees only the jobs of the pickup target whose `to_address` is its organisation
//! number. The canary of a pickup target cannot send anything; it fails instead when a message
//! has waited unfetched longer than `pickup_alert_seconds`, so a receiver that stopped polling
//! is noticed.

use super::transport::SendOutcome;
use super::{Outbox, Target};
use crate::shs::delivery::{self, DeliveryAuth, DeliveryQueue, ListedMessage};
use crate::store::{AttemptOutcome, DeliveryJob, DeliveryState, NextStep, OfferSettled};
use async_trait::async_trait;
use std::sync::Arc;

/// At most this many messages are listed at once, oldest first; the next ones appear as those
/// are acknowledged. (Each listed message is built, attachments and all.)
pub const LIST_LIMIT: i64 = 200;

impl Outbox {
    /// The delivery service's routes for the pickup targets; `None` when there are none.
    pub fn pickup_router<S: Clone + Send + Sync + 'static>(
        self: &Arc<Self>,
    ) -> Option<axum::Router<S>> {
        let mut auth = DeliveryAuth::default();
        for (t, _) in self.targets.values().filter(|(t, _)| t.is_pickup()) {
            // `validate` has checked both: a pickup target has a token and an orgnr.
            if let (Ok(orgnr), Some(token)) = (t.receiver_orgnr(), &t.pickup_token) {
                auth.tokens.insert(orgnr, token.clone());
            }
        }
        if auth.tokens.is_empty() {
            return None;
        }
        Some(delivery::router(Arc::new(PickupQueue(self.clone())), auth))
    }

    fn pickup_targets_of(&self, orgnr: &str) -> Vec<&Target> {
        self.targets
            .values()
            .map(|(t, _)| t)
            .filter(|t| t.is_pickup() && t.receiver_orgnr().is_ok_and(|o| o == orgnr))
            .collect()
    }

    /// The job's message as offered now. A message that can never be made (the submission was
    /// changed after signing, its kommun is no longer served …) makes the job a dead letter,
    /// as it would for a push, and is not offered; one that cannot be made just now is left
    /// for the next request.
    async fn offer(&self, job: &DeliveryJob, target: &Target) -> Option<Vec<u8>> {
        match self.message(job, target).await {
            Ok(bytes) => Some(bytes),
            Err(SendOutcome::Permanent(e)) => {
                let settled = OfferSettled {
                    job_id: job.id.clone(),
                    submission_id: job.submission_id.clone(),
                    at: chrono::Utc::now(),
                    outcome: AttemptOutcome::Permanent,
                    detail: Some(e.clone()),
                    next: NextStep::Dead,
                };
                match self.store.settle_offered(&settled).await {
                    Ok(true) => {
                        let labels = [("target", target.name.as_str())];
                        self.metrics
                            .inc("blankett_delivery_failed_attempts_total", &labels);
                        self.metrics.inc("blankett_delivery_dead_total", &labels);
                        tracing::error!(job = %job.id, target = %target.name, error = %e,
                            "delivery: the message for pickup cannot be made; a dead letter on the admin page");
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::error!(job = %job.id, error = %e, "delivery: cannot record a dead letter")
                    }
                }
                None
            }
            Err(SendOutcome::Retryable(e)) => {
                tracing::warn!(job = %job.id, target = %target.name, error = %e,
                    "delivery: the message for pickup cannot be made just now");
                None
            }
            Err(_) => None,
        }
    }

    /// The waiting job with this tx.id, if it is for `orgnr`'s pickup target.
    async fn offered_job(
        &self,
        orgnr: &str,
        tx_id: &str,
    ) -> Result<Option<(DeliveryJob, &Target)>, String> {
        let Some(job) = self
            .store
            .delivery_job_by_tx(&super::canonical_tx_id(tx_id))
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        Ok(self
            .pickup_targets_of(orgnr)
            .into_iter()
            .find(|t| t.name == job.target)
            .map(|t| (job, t)))
    }

    /// A pickup target's canary: passes while nothing offered has waited longer than
    /// `pickup_alert_seconds`; otherwise says how long and what to check.
    pub(super) async fn pickup_check(&self, t: &Target) -> (bool, Option<String>) {
        let oldest = match self.store.waiting_deliveries(&t.name, 1).await {
            Ok(jobs) => jobs.into_iter().next(),
            Err(e) => return (false, Some(format!("cannot read the queue: {e}"))),
        };
        let Some(job) = oldest else {
            return (true, None);
        };
        let waited = (chrono::Utc::now() - job.created_at).num_seconds();
        if waited <= t.pickup_alert_seconds as i64 {
            return (true, None);
        }
        let orgnr = t.receiver_orgnr().unwrap_or_default();
        (
            false,
            Some(format!(
                "a message has waited {} min for pickup (more than pickup_alert_seconds = {}): is the receiver still fetching from /shs/ds/{orgnr}, with the right token?",
                waited / 60,
                t.pickup_alert_seconds
            )),
        )
    }
}

/// The outbox's jobs for pickup targets as the delivery service's queue.
struct PickupQueue(Arc<Outbox>);

/// `yyyy-MM-ddTHH:mm:ss` in local time, as SHS writes times, of a stored UTC time.
fn shs_time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::Local)
        .naive_local()
        .format(crate::shs::label::DATETIME_FORMAT)
        .to_string()
}

#[async_trait]
impl DeliveryQueue for PickupQueue {
    async fn list(&self, orgnr: &str) -> Result<Vec<ListedMessage>, String> {
        let outbox = &self.0;
        let mut out = Vec::new();
        for t in outbox.pickup_targets_of(orgnr) {
            let jobs = outbox
                .store
                .waiting_deliveries(&t.name, LIST_LIMIT)
                .await
                .map_err(|e| e.to_string())?;
            for job in jobs {
                let Some(bytes) = outbox.offer(&job, t).await else {
                    continue;
                };
                match ListedMessage::of(&bytes, &shs_time(job.created_at)) {
                    Some(entry) => out.push(entry),
                    None => {
                        tracing::error!(job = %job.id, "delivery: a message for pickup does not read back")
                    }
                }
            }
        }
        Ok(out)
    }

    async fn fetch(&self, orgnr: &str, tx_id: &str) -> Result<Option<Vec<u8>>, String> {
        let outbox = &self.0;
        match outbox.offered_job(orgnr, tx_id).await? {
            Some((job, t))
                if matches!(job.state, DeliveryState::Queued | DeliveryState::InFlight) =>
            {
                Ok(outbox.offer(&job, t).await)
            }
            _ => Ok(None),
        }
    }

    async fn ack(&self, orgnr: &str, tx_id: &str) -> Result<bool, String> {
        let outbox = &self.0;
        let Some((job, t)) = outbox.offered_job(orgnr, tx_id).await? else {
            return Ok(false);
        };
        let settled = OfferSettled {
            job_id: job.id.clone(),
            submission_id: job.submission_id.clone(),
            at: chrono::Utc::now(),
            outcome: AttemptOutcome::Accepted,
            detail: Some("fetched and acknowledged by the receiver".into()),
            next: NextStep::Delivered,
        };
        if outbox
            .store
            .settle_offered(&settled)
            .await
            .map_err(|e| e.to_string())?
        {
            outbox
                .metrics
                .inc("blankett_deliveries_total", &[("target", t.name.as_str())]);
            tracing::info!(job = %job.id, target = %t.name, "delivery: fetched and acknowledged by the receiver");
            return Ok(true);
        }
        // Acknowledged before (the answer to that was lost): the same answer again.
        let now = outbox
            .store
            .delivery_job(&job.id)
            .await
            .map_err(|e| e.to_string())?;
        Ok(now.is_some_and(|j| j.state == DeliveryState::Delivered))
    }
}

/// The transport of a pickup target. Never called: senders skip these targets.
pub struct NotSent;

#[async_trait]
impl super::Transport for NotSent {
    async fn send(&self, _tx_id: &str, _message: &[u8]) -> SendOutcome {
        SendOutcome::Retryable("a shs-pickup target is fetched by its receiver, not sent to".into())
    }
}
