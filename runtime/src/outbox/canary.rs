//! The canary: a test message (`status = test`) to every target on a timer, through the same
//! builder and transport as submissions, so a broken connection, an expired certificate or a
//! receiver that is down raises the alarm even when nobody has submitted anything. Nothing can
//! be sent to a pickup target: its canary fails when a message waits unfetched too long
//! (`outbox::pickup`).

use super::transport::{MessageInput, MessageStatus, SendOutcome, Transport};
use super::Outbox;
use super::Target;
use crate::store::{CanaryResult, Submission};
use crate::submission::SubmissionStatus;
use std::sync::Arc;
use std::time::Duration;

impl Outbox {
    pub(super) async fn canary_loop(self: Arc<Self>, target: String) {
        let every = Duration::from_secs(self.config.canary_interval_seconds.max(1));
        loop {
            self.canary(&target).await;
            tokio::time::sleep(every).await;
        }
    }

    /// Sends one test message to `target` (for a pickup target: looks at how long its
    /// messages wait unfetched), records and logs the result, and returns it.
    pub async fn canary(&self, target: &str) -> Option<CanaryResult> {
        let (t, transport) = self.targets.get(target)?;
        let was_ok = self
            .store
            .canaries()
            .await
            .ok()
            .and_then(|all| all.into_iter().find(|c| c.target == target))
            .map(|c| c.ok);
        let now = chrono::Utc::now();
        let (ok, detail) = if t.is_pickup() {
            self.pickup_check(t).await
        } else {
            self.probe(t, transport.as_ref(), now).await
        };
        if ok {
            if was_ok == Some(false) {
                tracing::info!(target = %target, "delivery canary: the target accepts messages again");
            }
            self.metrics.inc(
                "blankett_delivery_canary_passed_total",
                &[("target", target)],
            );
        } else {
            tracing::error!(target = %target, error = detail.as_deref().unwrap_or(""),
                "delivery canary failed: the case system does not accept messages");
            self.metrics.inc(
                "blankett_delivery_canary_failed_total",
                &[("target", target)],
            );
        }
        let result = CanaryResult {
            target: target.to_string(),
            ok,
            detail,
            checked_at: now,
            last_ok_at: None,
        };
        if let Err(e) = self.store.record_canary(&result).await {
            tracing::error!(error = %e, "delivery canary: cannot record the result");
        }
        Some(result)
    }

    /// Sends a test message through `t`'s builder and transport: whether it was taken, and
    /// if not, why.
    async fn probe(
        &self,
        t: &Target,
        transport: &dyn Transport,
        now: chrono::DateTime<chrono::Utc>,
    ) -> (bool, Option<String>) {
        let tx_id = uuid::Uuid::new_v4().to_string();
        // The probe travels as a service this target delivers (its SHS product), marked test.
        let registry = self.registry();
        let service = registry.kommuner.iter().find_map(|(id, k)| {
            let form = k
                .services
                .keys()
                .find(|f| t.forms.is_empty() || t.forms.contains(f))?;
            Some((id.clone(), k, form.clone()))
        });
        let (kommun_id, kommun, form) = match service {
            Some((id, k, f)) => (id, Some(k), f),
            None => (String::new(), None, String::new()),
        };
        let probe = Submission {
            // Its own corr.id (a UUID, as SHS wants): a reply to a test is matched to nothing.
            id: uuid::Uuid::new_v4().to_string(),
            reference: "TEST".into(),
            draft_id: String::new(),
            owner: String::new(),
            kommun: kommun_id,
            form,
            form_version: "0".into(),
            form_hash: String::new(),
            answers: "{}".into(),
            xml: "<blankett-test/>".into(),
            json: "{}".into(),
            // Never stored: the status is not sent.
            status: SubmissionStatus::Mottagen,
            case_number: None,
            submitted_at: now,
        };
        let built = self.builder.build(&MessageInput {
            submission: &probe,
            kommun,
            attachments: &[],
            signatures: &[],
            target: t,
            tx_id: &tx_id,
            corr_id: &probe.id,
            status: MessageStatus::Test,
        });
        let timeout = Duration::from_secs(self.config.send_timeout_seconds);
        let outcome = match built {
            Err(e) => SendOutcome::Permanent(format!("cannot build the test message: {e}")),
            Ok(bytes) => tokio::time::timeout(timeout, transport.send(&tx_id, &bytes))
                .await
                .unwrap_or_else(|_| SendOutcome::Retryable("no answer in time".into())),
        };
        match outcome {
            SendOutcome::Accepted | SendOutcome::Duplicate => (true, None),
            SendOutcome::Retryable(e) | SendOutcome::Permanent(e) => (false, Some(e)),
        }
    }
}
