//! The outbox: every submission reaches the kommun's case system, exactly once as the receiver
//! counts it. A submission's delivery jobs are stored in its own transaction (`Store::submit`);
//! senders here claim due jobs with a lease, send through a `Transport`, and record every
//! attempt. Failures are retried with capped, jittered exponential backoff until a limit makes
//! the job a dead letter (shown on the admin page, retried by hand). Each job keeps one
//! transaction id for all its attempts, so a resend after a lost answer is a duplicate the
//! receiver drops. A canary sends a test message to every target on a timer, so a broken
//! connection is noticed before a citizen's submission waits on it. Targets whose receiver
//! polls (`shs-pickup`) are not sent to: their jobs wait at the delivery service (`pickup`).

mod canary;
pub mod config;
pub mod http;
pub mod pickup;
pub mod replies;
pub mod shs_delivery;
pub mod transport;
mod worker;

pub use config::{DeliveryConfig, Target};
pub use transport::{
    MessageBuilder, MessageInput, MessageStatus, SendOutcome, SubmissionXml, Transport,
};
pub use worker::backoff;

use crate::metrics::Metrics;
use crate::store::DynStore;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Outbox {
    store: DynStore,
    metrics: Arc<Metrics>,
    config: DeliveryConfig,
    /// Target name → its transport and configuration.
    targets: BTreeMap<String, (Target, Arc<dyn Transport>)>,
    builder: Arc<dyn MessageBuilder>,
    wake: tokio::sync::Notify,
    /// Names this process in leases and logs.
    instance: String,
    /// The forms being served now (they change on every save in `blankett dev`).
    registry: Option<RegistryHandle>,
}

/// Gives the registry as it is now.
pub type RegistryHandle = Arc<dyn Fn() -> Arc<crate::registry::Registry> + Send + Sync>;

impl Outbox {
    pub fn new(
        store: DynStore,
        metrics: Arc<Metrics>,
        config: DeliveryConfig,
        transports: BTreeMap<String, Arc<dyn Transport>>,
        builder: Arc<dyn MessageBuilder>,
    ) -> Result<Outbox, String> {
        config.validate()?;
        let mut targets = BTreeMap::new();
        for t in &config.targets {
            let tr = transports
                .get(&t.name)
                .ok_or_else(|| format!("no transport for the delivery target `{}`", t.name))?;
            targets.insert(t.name.clone(), (t.clone(), tr.clone()));
        }
        Ok(Outbox {
            store,
            metrics,
            config,
            targets,
            builder,
            wake: tokio::sync::Notify::new(),
            instance: uuid::Uuid::new_v4().simple().to_string(),
            registry: None,
        })
    }

    /// Lets the message builder see the kommun of each submission.
    pub fn with_registry(mut self, registry: RegistryHandle) -> Outbox {
        self.registry = Some(registry);
        self
    }

    fn registry(&self) -> Arc<crate::registry::Registry> {
        self.registry.as_ref().map(|r| r()).unwrap_or_default()
    }

    /// The outbox the configuration describes, each target with its transport (`transport_for`)
    /// and the message its transport carries (`ByTransport`).
    pub fn from_config(
        store: DynStore,
        metrics: Arc<Metrics>,
        config: &DeliveryConfig,
    ) -> Result<Outbox, String> {
        let mut transports = BTreeMap::new();
        for t in &config.targets {
            transports.insert(t.name.clone(), transport_for(t, config)?);
        }
        Outbox::new(
            store,
            metrics,
            config.clone(),
            transports,
            Arc::new(ByTransport),
        )
    }

    pub fn config(&self) -> &DeliveryConfig {
        &self.config
    }

    pub fn target_names(&self) -> Vec<String> {
        self.targets.keys().cloned().collect()
    }

    /// A new job may be due: an idle sender looks now instead of at its next poll.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the senders and the canaries; they run as long as the runtime.
    pub fn spawn(self: &Arc<Self>) {
        if self.targets.is_empty() {
            return;
        }
        for n in 0..self.config.workers {
            tokio::spawn(self.clone().sender_loop(n));
        }
        for (t, _) in self
            .targets
            .values()
            .filter(|(t, _)| t.replies && t.transport == "shs")
        {
            tokio::spawn(self.clone().replies_loop(t.clone()));
        }
        if self.config.canary_interval_seconds > 0 {
            for name in self.targets.keys() {
                tokio::spawn(self.clone().canary_loop(name.clone()));
            }
        }
    }
}

/// The transport of one configured target.
pub fn transport_for(t: &Target, config: &DeliveryConfig) -> Result<Arc<dyn Transport>, String> {
    match t.transport.as_str() {
        "http" => Ok(Arc::new(http::HttpTransport::with_timeout(
            &t.url,
            std::time::Duration::from_secs(config.send_timeout_seconds),
        )?)),
        "shs" => Ok(Arc::new(shs_delivery::ShsTransport::new(
            t,
            std::time::Duration::from_secs(config.send_timeout_seconds),
        )?)),
        config::PICKUP => Ok(Arc::new(pickup::NotSent)),
        other => Err(format!(
            "delivery target `{}`: unknown transport `{other}`",
            t.name
        )),
    }
}

/// An SHS message for `shs` and `shs-pickup` targets; the submission's XML as it is for plain
/// `http` ones (a receiver that takes the submission XML by HTTP POST).
pub struct ByTransport;

impl MessageBuilder for ByTransport {
    fn build(&self, m: &MessageInput<'_>) -> Result<Vec<u8>, String> {
        if m.target.transport == "shs" || m.target.is_pickup() {
            shs_delivery::ShsMessages.build(m)
        } else {
            SubmissionXml.build(m)
        }
    }
}

/// A tx.id as jobs store it: a UUID in lower case. A receiver may write it in capitals or with
/// spaces around; what is not a UUID is kept as it is (and matches no job).
pub(crate) fn canonical_tx_id(tx_id: &str) -> String {
    let tx_id = tx_id.trim();
    uuid::Uuid::parse_str(tx_id)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| tx_id.to_string())
}
