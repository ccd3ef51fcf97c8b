//! Configuration: `blankett.toml` beside the project (or given with `--config`), then
//! environment variables `BLANKETT_<KEY>` over it, then command-line flags over both.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Folder for the SQLite database and the cookie key.
    pub data: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    pub database: Option<String>,
    /// Local development: the test e-ID provider, cookies without `Secure`.
    pub dev: bool,
    /// Minutes without a request before a session ends.
    pub idle_timeout_minutes: i64,
    /// The largest request body (uploads included), in bytes.
    pub max_request_bytes: usize,
    /// A token that opens the admin pages (`Authorization: Bearer …` or `?token=`).
    pub admin_token: Option<String>,
    /// Retention (gallring) in days: drafts untouched and submissions kept.
    pub retention_draft_days: i64,
    pub retention_submission_days: i64,
    /// Days the audit trail keeps an entry.
    pub audit_retention_days: i64,
    /// Submissions per minute of one form by one person (or anonymous session).
    pub submit_rate_per_minute: u32,
    /// Submissions per minute from one client address, whoever sends them.
    pub submit_rate_per_address_per_minute: u32,
    /// Log-ins per minute from one address.
    pub login_rate_per_minute: u32,
    /// The reverse proxies in front (addresses or networks) whose `X-Forwarded-For` is believed;
    /// without them every request's client is the connection's peer.
    pub trusted_proxies: Vec<crate::client::ProxyNet>,
    /// Seconds a client may take to send a request's headers.
    pub header_timeout_seconds: u64,
    /// Seconds a request body may pause between two pieces, and take in all.
    pub body_idle_timeout_seconds: u64,
    pub request_timeout_seconds: u64,
    /// Retention per form id, over the defaults above: `[retention.bygglov] submission_days = 3650`.
    pub retention: std::collections::BTreeMap<String, Retention>,
    /// Delivery to the kommun's case system: `[delivery]` and `[[delivery.targets]]`.
    pub delivery: crate::outbox::DeliveryConfig,
    /// Log-in through an OpenID Connect provider (a broker for Freja, BankID, Sweden Connect).
    pub oidc: Option<OidcConfig>,
    /// BankID's RP API for log-in and signing. Without it, `--dev` uses the built-in simulator.
    pub bankid: Option<BankIdConfig>,
    /// Days a submission waits for its co-signers before it expires.
    pub cosign_days: i64,
    /// The SMTP relay co-signers' invitations are mailed through; without it, links only.
    pub smtp: Option<crate::mail::SmtpConfig>,
    /// Which e-ID signs submissions: `"bankid"` (the RP API, or `--dev`'s simulator) or
    /// `"oidc"` (the `[oidc]` provider's Signature Extension). Unset: BankID when `[bankid]` is
    /// set or in `--dev`, else the OIDC provider when `[oidc]` has a `request_key`.
    pub signing: Option<SigningMethod>,
}

/// The e-ID a person signs a submission with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SigningMethod {
    Bankid,
    Oidc,
}

/// `[oidc]`: the kommun's client at an OpenID Connect provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer; its discovery document is `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where the provider sends the person back: `https://<this server>/auth/oidc/callback`.
    pub redirect_url: String,
    /// The name on the log-in button, e.g. "Freja eID" (default "e-legitimation").
    #[serde(default)]
    pub name: Option<String>,
    /// Scopes beyond `openid`, `profile` and `https://id.oidc.se/scope/naturalPersonNumber`.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// PEM file with the RSA private key (PKCS#1, `BEGIN RSA PRIVATE KEY`) that signs the
    /// request objects of signature requests. Its public key is registered at the provider;
    /// blankett publishes it at `/auth/oidc/jwks.json`. Needed to sign through the provider.
    #[serde(default)]
    pub request_key: Option<PathBuf>,
}

/// `[bankid]`: the RP API, its RP certificate (mutual TLS) and the CA it is pinned to.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BankIdConfig {
    /// `test`, `production`, or the API's base URL (ending in `/rp/v6.0/`).
    pub environment: String,
    /// PEM file with the RP certificate and its private key.
    pub certificate: Option<PathBuf>,
    /// PEM file with the CA certificate BankID's server certificate is issued by.
    pub ca: Option<PathBuf>,
}

/// How long one form's drafts and submissions are kept, in days.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub draft_days: Option<i64>,
    pub submission_days: Option<i64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("blankett-data"),
            database: None,
            dev: false,
            idle_timeout_minutes: 15,
            max_request_bytes: 25 * 1024 * 1024,
            admin_token: None,
            retention_draft_days: 30,
            retention_submission_days: 365,
            audit_retention_days: 730,
            submit_rate_per_minute: 10,
            submit_rate_per_address_per_minute: 60,
            login_rate_per_minute: 20,
            trusted_proxies: Vec::new(),
            header_timeout_seconds: 10,
            body_idle_timeout_seconds: 20,
            request_timeout_seconds: 300,
            retention: Default::default(),
            delivery: Default::default(),
            oidc: None,
            bankid: None,
            cosign_days: 14,
            signing: None,
            smtp: None,
        }
    }
}

impl Config {
    /// Reads `path` when it exists, then applies `BLANKETT_*` environment variables.
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        let mut c = match path {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
                toml::from_str(&text)
                    .map_err(|e| format!("`{}` is not a valid configuration: {e}", p.display()))?
            }
            Some(p) if p.file_name().is_some_and(|n| n != "blankett.toml") => {
                return Err(format!(
                    "the configuration file `{}` does not exist",
                    p.display()
                ))
            }
            _ => Config::default(),
        };
        c.apply_env(|k| std::env::var(k).ok())?;
        Ok(c)
    }

    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let num = |k: &str, v: String| {
            v.parse::<i64>()
                .map_err(|_| format!("{k} must be a whole number, not `{v}`"))
        };
        if let Some(v) = get("BLANKETT_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("BLANKETT_DATA") {
            self.data = v.into();
        }
        if let Some(v) = get("BLANKETT_DATABASE") {
            self.database = Some(v);
        }
        if let Some(v) = get("BLANKETT_ADMIN_TOKEN") {
            self.admin_token = Some(v);
        }
        let rate = |k: &str, v: String| {
            v.parse::<u32>().map_err(|_| {
                format!("{k} must be a whole number of requests per minute, not `{v}`")
            })
        };
        if let Some(v) = get("BLANKETT_SUBMIT_RATE_PER_MINUTE") {
            self.submit_rate_per_minute = rate("BLANKETT_SUBMIT_RATE_PER_MINUTE", v)?;
        }
        if let Some(v) = get("BLANKETT_SUBMIT_RATE_PER_ADDRESS_PER_MINUTE") {
            self.submit_rate_per_address_per_minute =
                rate("BLANKETT_SUBMIT_RATE_PER_ADDRESS_PER_MINUTE", v)?;
        }
        if let Some(v) = get("BLANKETT_LOGIN_RATE_PER_MINUTE") {
            self.login_rate_per_minute = rate("BLANKETT_LOGIN_RATE_PER_MINUTE", v)?;
        }
        if let Some(v) = get("BLANKETT_TRUSTED_PROXIES") {
            self.trusted_proxies = v
                .split(',')
                .filter(|s| !s.trim().is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("BLANKETT_IDLE_TIMEOUT_MINUTES") {
            self.idle_timeout_minutes = num("BLANKETT_IDLE_TIMEOUT_MINUTES", v)?;
        }
        if let Some(v) = get("BLANKETT_RETENTION_DRAFT_DAYS") {
            self.retention_draft_days = num("BLANKETT_RETENTION_DRAFT_DAYS", v)?;
        }
        if let Some(v) = get("BLANKETT_RETENTION_SUBMISSION_DAYS") {
            self.retention_submission_days = num("BLANKETT_RETENTION_SUBMISSION_DAYS", v)?;
        }
        if let Some(v) = get("BLANKETT_DELIVERY_WORKERS") {
            self.delivery.workers = num("BLANKETT_DELIVERY_WORKERS", v)?.max(0) as usize;
        }
        if let Some(v) = get("BLANKETT_DELIVERY_ATTEMPT_LIMIT") {
            self.delivery.attempt_limit = num("BLANKETT_DELIVERY_ATTEMPT_LIMIT", v)?;
        }
        if let Some(v) = get("BLANKETT_DELIVERY_CANARY_INTERVAL_SECONDS") {
            self.delivery.canary_interval_seconds =
                num("BLANKETT_DELIVERY_CANARY_INTERVAL_SECONDS", v)?.max(0) as u64;
        }
        self.check_signing()?;
        if let Some(v) = get("BLANKETT_SMTP_PASSWORD") {
            match &mut self.smtp {
                Some(smtp) => smtp.password = Some(v),
                None => {
                    return Err(
                        "there is no [smtp], but BLANKETT_SMTP_PASSWORD is set: add [smtp] or unset the variable".into(),
                    )
                }
            }
        }
        if let Some(smtp) = &self.smtp {
            smtp.validate()?;
        }
        self.delivery.validate()
    }

    /// The e-ID that signs submissions here (see [`Config::signing`]).
    pub fn signing_method(&self) -> SigningMethod {
        match self.signing {
            Some(m) => m,
            None if self.bankid.is_some() || self.dev => SigningMethod::Bankid,
            None if self.oidc.as_ref().is_some_and(|o| o.request_key.is_some()) => {
                SigningMethod::Oidc
            }
            None => SigningMethod::Bankid,
        }
    }

    fn check_signing(&self) -> Result<(), String> {
        if self.signing == Some(SigningMethod::Oidc)
            && self.oidc.as_ref().is_none_or(|o| o.request_key.is_none())
        {
            return Err("`signing = \"oidc\"` needs `[oidc]` with `request_key`: the key that signs the signature requests sent to the provider".into());
        }
        Ok(())
    }

    /// Days to keep `form`'s drafts and submissions.
    pub fn retention_days(&self, form: &str) -> (i64, i64) {
        let r = self.retention.get(form);
        (
            r.and_then(|r| r.draft_days)
                .unwrap_or(self.retention_draft_days),
            r.and_then(|r| r.submission_days)
                .unwrap_or(self.retention_submission_days),
        )
    }

    /// The store's URL: PostgreSQL when configured, else SQLite in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => self.data.join("blankett.db").display().to_string(),
        }
    }
}
