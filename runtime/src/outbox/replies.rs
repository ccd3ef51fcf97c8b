//! The case system's answers: from each SHS target with `replies = true`, fetch the confirms,
//! errors and case numbers waiting at its delivery service for each kommun served, set the
//! submissions' status and case number (which Mina sidor shows), and only then acknowledge
//! each message, so a reply is never lost between fetching and storing it.

use super::config::Target;
use super::Outbox;
use crate::shs::client::ShsClient;
use crate::shs::reply::{fetch_replies, AppliedReply};
use crate::store::DynStore;
use std::sync::Arc;
use std::time::Duration;

impl Outbox {
    pub(super) async fn replies_loop(self: Arc<Self>, target: Target) {
        let timeout = Duration::from_secs(self.config.send_timeout_seconds);
        let client = match super::shs_delivery::client_for(&target, timeout) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(target = %target.name, error = %e, "cannot fetch replies");
                return;
            }
        };
        let every = Duration::from_secs(self.config.replies_interval_seconds.max(1));
        loop {
            self.fetch_replies_once(&client, &target).await;
            tokio::time::sleep(every).await;
        }
    }

    /// One round over every kommun served; returns how many replies were stored.
    pub async fn fetch_replies_once(&self, client: &ShsClient, target: &Target) -> usize {
        let registry = self.registry();
        let mut stored = 0;
        for k in registry.kommuner.values().filter_map(|k| k.info.as_ref()) {
            let orgnr: String = k.orgnr.chars().filter(char::is_ascii_digit).collect();
            let token = target.replies_token.as_deref();
            let replies = match fetch_replies(client, &orgnr, token).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(target = %target.name, error = %e, "cannot fetch replies");
                    continue;
                }
            };
            for r in replies {
                match r.reply {
                    Ok(reply) => {
                        if let Err(e) = record_reply(&self.store, &reply).await {
                            // Not acknowledged: fetched again next round.
                            tracing::error!(error = %e, "cannot store a reply");
                            continue;
                        }
                        stored += 1;
                    }
                    // A reply we cannot read stays unread for ever if left: log it and take it.
                    Err(e) => tracing::error!(tx_id = %r.tx_id, error = %e, "an unreadable reply"),
                }
                if let Err(e) = client.ack(&orgnr, &r.tx_id, token).await {
                    tracing::warn!(tx_id = %r.tx_id, error = %e, "cannot acknowledge a reply");
                }
            }
        }
        stored
    }
}

/// Stores what a reply says: its submission's (by corr.id) status and case number. The one way
/// a case system's answer is stored, fetched over SHS or reported to `POST /api/leverans/status`.
pub async fn record_reply(store: &DynStore, reply: &AppliedReply) -> crate::store::Result<()> {
    store
        .set_status(
            &reply.corr_id.to_string(),
            reply.status.store_status(),
            reply.case_number.as_deref(),
        )
        .await
}
