//! `[delivery]` in blankett.toml: the targets submissions are delivered to and how hard to try.
//!
//! ```toml
//! [delivery]
//! workers = 2                    # concurrent senders per runtime instance
//! attempt_limit = 20             # then the job is a dead letter
//! backoff_base_ms = 10000        # first retry within 10 s, doubling (full jitter) …
//! backoff_cap_ms = 3600000       # … up to 1 h
//! canary_interval_seconds = 300  # a test message per target; 0 turns it off
//!
//! [[delivery.targets]]
//! name = "diariet"
//! url = "https://shs.orust.se/shs/rs"
//! to_address = "urn:X-shs:2120001439"
//! tls_cert = "/etc/blankett/client.pem"
//! tls_key = "/etc/blankett/client.key"
//! tls_ca = "/etc/blankett/ca.pem"
//! replies = true                 # fetch confirms and case numbers from its delivery service
//! status_token = "ersatt-med-en-lang-slumpad-nyckel"  # may POST /api/leverans/status
//!
//! [[delivery.targets]]
//! name = "arkivet"
//! transport = "shs-pickup"       # not sent: offered at /shs/ds/5566778899 for the receiver to fetch
//! to_address = "urn:X-shs:5566778899"
//! pickup_token = "ersatt-med-en-annan-slumpad-nyckel" # the receiver's `Authorization: Bearer …`
//! pickup_alert_seconds = 3600    # the canary fails when a message waits longer unfetched
//! ```

use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeliveryConfig {
    /// Concurrent senders in this runtime instance (each claims its own batch).
    pub workers: usize,
    /// Jobs claimed at once by one sender.
    pub batch: i64,
    /// Attempts before a job that keeps failing becomes a dead letter.
    pub attempt_limit: i64,
    /// Backoff: the n-th retry waits a random time up to `min(cap, base · 2ⁿ⁻¹)`.
    pub backoff_base_ms: u64,
    pub backoff_cap_ms: u64,
    /// How long a claimed job is someone's: after that (a crashed worker) it is tried again.
    /// Longer than `send_timeout_seconds`, so a slow send is never sent twice at once.
    pub lease_seconds: u64,
    /// The longest one send may take before it counts as a retryable failure.
    pub send_timeout_seconds: u64,
    /// How often an idle sender looks for due jobs (a new submission wakes it at once).
    pub poll_ms: u64,
    /// A test message to every target this often; 0 turns the canary off.
    pub canary_interval_seconds: u64,
    /// How often the case system's replies are fetched from targets with `replies = true`.
    pub replies_interval_seconds: u64,
    pub targets: Vec<Target>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The name jobs, the admin page and `/metrics` use; keep it once jobs exist.
    pub name: String,
    /// `shs` (the SHS 1.2 client), `shs-pickup` (not sent: the same SHS message is offered at
    /// this runtime's delivery service, `/shs/ds/<orgnr of to_address>`, until the receiver
    /// fetches and acknowledges it) or `http` (the submission XML by plain HTTP POST with an
    /// `X-shs-txid` header, for a receiver that takes it so).
    #[serde(default = "default_transport")]
    pub transport: String,
    /// Where to send; unused (and may be left out) for `shs-pickup`.
    #[serde(default)]
    pub url: String,
    /// The receiver's SHS address, e.g. `urn:X-shs:2120001439`.
    pub to_address: String,
    /// Our SHS address, when the receiver needs it.
    #[serde(default)]
    pub from_address: Option<String>,
    /// Form ids delivered here; empty: every form.
    #[serde(default)]
    pub forms: Vec<String>,
    /// Client certificate and key (PEM) and the CA to trust, for mutual TLS.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    #[serde(default)]
    pub tls_ca: Option<PathBuf>,
    /// Whether the target's SHS node offers the case system's replies (confirms, errors, case
    /// numbers) for pickup at its delivery service, `<url>/shs/ds/<our orgnr>`.
    #[serde(default)]
    pub replies: bool,
    /// The bearer token the delivery service wants, if any.
    #[serde(default)]
    pub replies_token: Option<String>,
    /// `shs-pickup`: the bearer token the receiver fetches with; it opens only this target's
    /// messages.
    #[serde(default)]
    pub pickup_token: Option<String>,
    /// `shs-pickup`: the canary fails when an offered message has waited longer than this
    /// unfetched (a receiver that stopped polling).
    #[serde(default = "default_pickup_alert_seconds")]
    pub pickup_alert_seconds: u64,
    /// A bearer token with which the case system may report status and case numbers of this
    /// target's submissions at `POST /api/leverans/status`.
    #[serde(default)]
    pub status_token: Option<String>,
}

impl Target {
    /// A target with no TLS files, no form filter and no reply pickup; set those after.
    pub fn new(name: &str, transport: &str, url: &str, to_address: &str) -> Target {
        Target {
            name: name.into(),
            transport: transport.into(),
            url: url.into(),
            to_address: to_address.into(),
            from_address: None,
            forms: Vec::new(),
            tls_cert: None,
            tls_key: None,
            tls_ca: None,
            replies: false,
            replies_token: None,
            pickup_token: None,
            pickup_alert_seconds: default_pickup_alert_seconds(),
            status_token: None,
        }
    }

    /// Offered for pickup at the delivery service instead of sent.
    pub fn is_pickup(&self) -> bool {
        self.transport == PICKUP
    }

    /// The organisation number of `to_address` (`urn:X-shs:5566778899` → `5566778899`).
    pub fn receiver_orgnr(&self) -> Result<String, String> {
        crate::shs::label::Address::parse(&self.to_address)
            .map(|a| a.orgnr)
            .map_err(|e| format!("delivery target `{}`: `to_address`: {e}", self.name))
    }
}

/// The transport name of targets that are fetched, not sent to.
pub const PICKUP: &str = "shs-pickup";

/// Tokens shorter than this are refused: they are all that guards the messages.
const MIN_TOKEN_CHARS: usize = 16;

fn default_transport() -> String {
    "shs".into()
}

fn default_pickup_alert_seconds() -> u64 {
    3600
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            workers: 2,
            batch: 16,
            attempt_limit: 20,
            backoff_base_ms: 10_000,
            backoff_cap_ms: 3_600_000,
            lease_seconds: 300,
            send_timeout_seconds: 120,
            poll_ms: 1000,
            canary_interval_seconds: 300,
            replies_interval_seconds: 60,
            targets: Vec::new(),
        }
    }
}

impl DeliveryConfig {
    /// The targets a submission of `form` is delivered to.
    pub fn targets_for(&self, form: &str) -> Vec<String> {
        self.targets
            .iter()
            .filter(|t| t.forms.is_empty() || t.forms.iter().any(|f| f == form))
            .map(|t| t.name.clone())
            .collect()
    }

    /// Says what is wrong, all of it, in the words of the configuration file.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.workers == 0 && !self.targets.is_empty() {
            problems.push("`delivery.workers` must be at least 1".to_string());
        }
        if self.batch < 1 {
            problems.push("`delivery.batch` must be at least 1".into());
        }
        if self.attempt_limit < 1 {
            problems.push("`delivery.attempt_limit` must be at least 1".into());
        }
        if self.backoff_cap_ms < self.backoff_base_ms {
            problems
                .push("`delivery.backoff_cap_ms` must not be less than `backoff_base_ms`".into());
        }
        if self.lease_seconds <= self.send_timeout_seconds {
            problems.push(format!(
                "`delivery.lease_seconds` ({}) must be longer than `send_timeout_seconds` ({}): otherwise a slow send is sent again while it is still going",
                self.lease_seconds, self.send_timeout_seconds
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut pickup_orgnrs = std::collections::BTreeMap::new();
        let mut status_tokens = std::collections::BTreeMap::new();
        for t in &self.targets {
            if t.name.is_empty() {
                problems.push("a delivery target needs a `name`".into());
            } else if !seen.insert(&t.name) {
                problems.push(format!("the delivery target `{}` is named twice", t.name));
            }
            if !matches!(t.transport.as_str(), "shs" | "http" | PICKUP) {
                problems.push(format!(
                    "delivery target `{}`: transport must be \"shs\", \"shs-pickup\" or \"http\", not \"{}\"",
                    t.name, t.transport
                ));
            }
            let short = |token: &Option<String>| {
                token
                    .as_ref()
                    .is_some_and(|k| k.trim().chars().count() < MIN_TOKEN_CHARS)
            };
            if t.is_pickup() {
                match &t.pickup_token {
                    None => problems.push(format!(
                        "delivery target `{}`: a `shs-pickup` target needs a `pickup_token` (the receiver's `Authorization: Bearer …`)",
                        t.name
                    )),
                    Some(_) if short(&t.pickup_token) => problems.push(format!(
                        "delivery target `{}`: `pickup_token` must be at least {MIN_TOKEN_CHARS} characters (e.g. `openssl rand -hex 32`)",
                        t.name
                    )),
                    Some(_) => {}
                }
                if t.replies {
                    problems.push(format!(
                        "delivery target `{}`: `replies` fetches from the receiver's own delivery service, which a `shs-pickup` target has none of; let its case system report to POST /api/leverans/status with a `status_token` instead",
                        t.name
                    ));
                }
                match t.receiver_orgnr() {
                    Err(e) => problems.push(e),
                    Ok(orgnr) => {
                        if let Some(other) = pickup_orgnrs.insert(orgnr.clone(), &t.name) {
                            problems.push(format!(
                                "delivery targets `{other}` and `{}` are both fetched by {orgnr}: make them one target (`forms` chooses what it gets)",
                                t.name
                            ));
                        }
                    }
                }
            } else {
                if t.url.trim().is_empty() {
                    problems.push(format!("delivery target `{}` needs a `url`", t.name));
                }
                if t.pickup_token.is_some() {
                    problems.push(format!(
                        "delivery target `{}`: `pickup_token` is only for `transport = \"shs-pickup\"`",
                        t.name
                    ));
                }
            }
            if short(&t.status_token) {
                problems.push(format!(
                    "delivery target `{}`: `status_token` must be at least {MIN_TOKEN_CHARS} characters",
                    t.name
                ));
            }
            if let Some(token) = &t.status_token {
                if let Some(other) = status_tokens.insert(token, &t.name) {
                    problems.push(format!(
                        "delivery targets `{other}` and `{}` have the same `status_token`: give each its own",
                        t.name
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn the_documented_example_reads_and_validates() {
        let text = include_str!("config.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! "))
            .skip_while(|l| !l.starts_with("```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("```"))
            .collect::<Vec<_>>()
            .join("\n");
        let c: Config = toml::from_str(&text).unwrap();
        c.delivery.validate().unwrap();
        assert_eq!(c.delivery.targets[0].transport, "shs");
        assert_eq!(c.delivery.targets_for("bygglov"), ["diariet", "arkivet"]);
        assert!(c.delivery.targets[1].is_pickup());
        assert_eq!(
            c.delivery.targets[1].receiver_orgnr().unwrap(),
            "5566778899"
        );
        assert_eq!(c.delivery.backoff_cap_ms, 3_600_000);
    }

    #[test]
    fn every_problem_is_named() {
        let c: Config = toml::from_str(
            r#"
[delivery]
lease_seconds = 10
send_timeout_seconds = 10
[[delivery.targets]]
name = "a"
transport = "ftp"
url = "x"
to_address = "y"
[[delivery.targets]]
name = "a"
url = "x"
to_address = "y"
"#,
        )
        .unwrap();
        let e = c.delivery.validate().unwrap_err();
        assert!(e.contains("lease_seconds"), "{e}");
        assert!(e.contains("not \"ftp\""), "{e}");
        assert!(e.contains("named twice"), "{e}");
        let unknown = toml::from_str::<Config>("[delivery]\nworkes = 2\n").unwrap_err();
        assert!(unknown.to_string().contains("workes"));
    }
}
