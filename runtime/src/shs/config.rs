//! `[shs]` in `blankett.toml`: where and how submissions are delivered over SHS.
//!
//! ```toml
//! [shs]
//! url = "https://shs.kommun.se"          # the receiver's receive service (over kommun.yaml's shs.url)
//! client_cert = "/etc/blankett/shs.crt"   # PEM: the kommun's SHS client certificate (chain)
//! client_key = "/etc/blankett/shs.key"    # PEM: its private key
//! ca = "/etc/blankett/shs-ca.pem"         # PEM: the CA(s) of the receiver's certificate
//! timeout_seconds = 60
//! [shs.delivery_tokens]                   # receivers that poll /shs/ds/{orgnr}: orgnr → token
//! "2120001439" = "…"
//! ```

use super::client::ShsClientConfig;
use super::delivery::DeliveryAuth;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShsSettings {
    /// The receiver's base URL; `/shs/rs` is appended. Over every kommun's `shs.url`.
    pub url: Option<String>,
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub ca: Option<PathBuf>,
    pub timeout_seconds: u64,
    /// Delivery service: a bearer token per receiver organisation number (digits).
    pub delivery_tokens: BTreeMap<String, String>,
    /// Set by `blankett dev` when it started the test mailbox: the token of the mailbox's
    /// delivery service, where the replies (case numbers) wait.
    #[serde(skip)]
    pub dev_mailbox_token: Option<String>,
}

impl Default for ShsSettings {
    fn default() -> Self {
        ShsSettings {
            url: None,
            client_cert: None,
            client_key: None,
            ca: None,
            timeout_seconds: 60,
            delivery_tokens: BTreeMap::new(),
            dev_mailbox_token: None,
        }
    }
}

impl ShsSettings {
    /// The client configuration for sending to `url` (this section's `url` or a kommun's).
    pub fn client_config(&self, url: &str) -> ShsClientConfig {
        let mut c = ShsClientConfig::new(url);
        c.client_cert = self.client_cert.clone();
        c.client_key = self.client_key.clone();
        c.ca = self.ca.clone();
        c.timeout = Duration::from_secs(self.timeout_seconds.max(1));
        c
    }

    pub fn delivery_auth(&self) -> DeliveryAuth {
        DeliveryAuth {
            tokens: self.delivery_tokens.clone(),
            any: None,
        }
    }
}
