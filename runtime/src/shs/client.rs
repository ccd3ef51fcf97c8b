//! Sending to an SHS receive service, and polling a delivery service.
//!
//! A message is POSTed whole (`Content-Type: message/rfc822`) to `<url>/shs/rs`, over mutual
//! TLS: the kommun's client certificate and key, and the CA that issued the receiver's
//! certificate (only that CA is trusted when one is configured). Plain `http://` is accepted
//! only for a loopback address (the test mailbox, `blankett dev`).
//!
//! The caller keeps the tx.id: every retry of one message sends the same tx.id, so a receiver
//! that got it already answers `X-shs-duplicatemsg: yes`, which counts as delivered.

use async_trait::async_trait;
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

/// Where and how to send.
#[derive(Debug, Clone)]
pub struct ShsClientConfig {
    /// The receiver's base URL, e.g. `https://shs.example.se`; `/shs/rs` and `/shs/ds` are
    /// appended. A URL already ending in `/shs/rs` is used as it is.
    pub url: String,
    /// PEM files: the client certificate (chain), its private key, and the CA(s) to trust.
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
    pub ca: Option<PathBuf>,
    /// The whole request, sending included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl ShsClientConfig {
    pub fn new(url: impl Into<String>) -> ShsClientConfig {
        ShsClientConfig {
            url: url.into(),
            client_cert: None,
            client_key: None,
            ca: None,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// What became of one send. `Accepted` and `Duplicate` mean delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendOutcome {
    /// 202 (or 200): the receiver took it; its `X-shs-txid`.
    Accepted { tx_id: String },
    /// The receiver had it already (`X-shs-duplicatemsg: yes`): delivered before.
    Duplicate { tx_id: String },
    /// Refused for good (a wrong address, product, agreement or message): retrying will not
    /// help; a person must look. `code` is the `X-shs-errorcode` or `http-<status>`.
    Permanent { code: String, message: String },
    /// Try again later with the same tx.id: 5xx, a transient SHS error, no connection, timeout.
    Retryable { reason: String },
}

impl SendOutcome {
    pub fn is_delivered(&self) -> bool {
        matches!(
            self,
            SendOutcome::Accepted { .. } | SendOutcome::Duplicate { .. }
        )
    }
}

/// What the outbox sends through: `ShsClient` in production, a fake in tests.
#[async_trait]
pub trait ShsTransport: Send + Sync {
    /// Sends the whole MIME message `message`, whose label has `tx_id`.
    async fn send(&self, tx_id: Uuid, message: &[u8]) -> SendOutcome;
}

/// SHS error codes (`X-shs-errorcode`) after which the same message can succeed later:
/// the receiver's delivery failed, or its directory could not resolve the receiver just now.
/// Every other known code names something wrong in the message or the agreement.
pub fn error_code_is_retryable(code: &str) -> bool {
    matches!(
        code,
        "MissingDeliveryExecution" | "UnresolvedReceiver" | "MissingDeliveryAddress" | "OtherError"
    ) || !KNOWN_ERROR_CODES.contains(&code)
}

/// The codes of `shs-protocol/…/exception/*.java` (protocols.md §1.5).
pub const KNOWN_ERROR_CODES: [&str; 15] = [
    "MissingAgreement",
    "UnresolvedReceiver",
    "MissingDeliveryAddress",
    "MissingDeliveryExecution",
    "IllegalProductType",
    "UnknownProductType",
    "IllegalReceiver",
    "UnknownReceiver",
    "IllegalSender",
    "UnknownSender",
    "IllegalOriginator",
    "IllegalEndRecipient",
    "IllegalMessageStructure",
    "IllegalDatapartContent",
    "OtherError",
];

#[derive(Clone)]
pub struct ShsClient {
    http: reqwest::Client,
    base: String,
}

impl std::fmt::Debug for ShsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShsClient")
            .field("base", &self.base)
            .finish()
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(h) => h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

fn read_pem(path: &PathBuf, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read the {what} `{}`: {e}", path.display()))
}

/// The HTTP client of an SHS client and of the plain `http` delivery transport: rustls with
/// the TLS files of `config` (client certificate and key, the only CAs to trust), its total
/// and connect timeouts, no redirects. `https_only` refuses plain http on every request.
pub fn http_client(config: &ShsClientConfig, https_only: bool) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .use_rustls_tls()
        .timeout(config.timeout)
        .connect_timeout(config.connect_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("blankett/", env!("CARGO_PKG_VERSION")))
        .https_only(https_only);
    match (&config.client_cert, &config.client_key) {
        (Some(cert), Some(key)) => {
            let mut pem = read_pem(cert, "client certificate")?;
            pem.push(b'\n');
            pem.extend(read_pem(key, "client key")?);
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                format!(
                    "the client certificate `{}` and key `{}` cannot be used: {e}",
                    cert.display(),
                    key.display()
                )
            })?;
            b = b.identity(id);
        }
        (None, None) => {}
        _ => return Err("give both the SHS client certificate and its key, or neither".into()),
    }
    if let Some(ca) = &config.ca {
        let pem = read_pem(ca, "CA certificate")?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
            format!(
                "the CA file `{}` is not PEM certificates: {e}",
                ca.display()
            )
        })?;
        if certs.is_empty() {
            return Err(format!(
                "the CA file `{}` holds no certificate",
                ca.display()
            ));
        }
        b = b.tls_built_in_root_certs(false);
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build()
        .map_err(|e| format!("cannot set up the HTTP client: {e}"))
}

impl ShsClient {
    /// Checks the URL and loads the certificates; a wrong configuration is an error here,
    /// at start, not at the first send.
    pub fn new(config: &ShsClientConfig) -> Result<ShsClient, String> {
        let trimmed = config.url.trim().trim_end_matches('/');
        let base = trimmed
            .strip_suffix("/shs/rs")
            .unwrap_or(trimmed)
            .to_string();
        let url = reqwest::Url::parse(&base)
            .map_err(|e| format!("the SHS address `{}` is not a URL: {e}", config.url))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(format!(
                    "the SHS address `{}` is plain http: SHS is sent over https with a client certificate (http is allowed only to 127.0.0.1 for tests)",
                    config.url
                ))
            }
            other => return Err(format!("the SHS address `{}` has the scheme `{other}`; use https", config.url)),
        }
        let http = http_client(config, !is_loopback(&url))?;
        Ok(ShsClient { http, base })
    }

    pub fn receive_url(&self) -> String {
        format!("{}/shs/rs", self.base)
    }

    /// POSTs one message to the receive service and says what became of it.
    pub async fn send(&self, tx_id: Uuid, message: &[u8]) -> SendOutcome {
        let res = self
            .http
            .post(self.receive_url())
            .header(reqwest::header::CONTENT_TYPE, "message/rfc822")
            .body(message.to_vec())
            .send()
            .await;
        let res = match res {
            Ok(r) => r,
            Err(e) => {
                return SendOutcome::Retryable {
                    reason: transport_error(&e),
                }
            }
        };
        let status = res.status();
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let duplicate = header("x-shs-duplicatemsg").is_some_and(|v| v.eq_ignore_ascii_case("yes"));
        let their_tx = header("x-shs-txid");
        let code = header("x-shs-errorcode");
        let body = res.text().await.unwrap_or_default();
        let body: String = body.trim().chars().take(500).collect();
        if status.is_success() {
            let tx_id = their_tx
                .or_else(|| Uuid::parse_str(&body).ok().map(|u| u.to_string()))
                .unwrap_or_else(|| tx_id.to_string());
            return if duplicate {
                SendOutcome::Duplicate { tx_id }
            } else {
                SendOutcome::Accepted { tx_id }
            };
        }
        if let Some(code) = code {
            let message = if body.is_empty() {
                status.to_string()
            } else {
                body
            };
            return if error_code_is_retryable(&code) {
                SendOutcome::Retryable {
                    reason: format!("{code}: {message}"),
                }
            } else {
                SendOutcome::Permanent { code, message }
            };
        }
        let n = status.as_u16();
        if status.is_server_error() || n == 408 || n == 429 {
            return SendOutcome::Retryable {
                reason: format!(
                    "the receiver answered {status}{}",
                    if body.is_empty() {
                        String::new()
                    } else {
                        format!(": {body}")
                    }
                ),
            };
        }
        SendOutcome::Permanent {
            code: format!("http-{n}"),
            message: if body.is_empty() {
                status.to_string()
            } else {
                body
            },
        }
    }

    fn ds_url(&self, orgnr: &str, tx_id: Option<&str>) -> String {
        let mut u = format!("{}/shs/ds/{}", self.base, url_encode(orgnr));
        if let Some(t) = tx_id {
            u += "/";
            u += &url_encode(t);
        }
        u
    }

    async fn ds_get(&self, url: String, bearer: Option<&str>) -> Result<Vec<u8>, String> {
        let mut req = self.http.get(url);
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.map_err(|e| transport_error(&e))?;
        let status = res.status();
        let body = res.bytes().await.map_err(|e| transport_error(&e))?;
        if !status.is_success() {
            return Err(format!(
                "the delivery service answered {status}: {}",
                String::from_utf8_lossy(&body).trim()
            ));
        }
        Ok(body.to_vec())
    }

    /// Delivery service: the list of messages waiting for `orgnr` (`shs.message-list`).
    pub async fn list(
        &self,
        orgnr: &str,
        bearer: Option<&str>,
    ) -> Result<Vec<super::delivery::ListedMessage>, String> {
        let body = self.ds_get(self.ds_url(orgnr, None), bearer).await?;
        super::delivery::parse_message_list(&body)
    }

    /// Delivery service: one message's MIME bytes.
    pub async fn fetch(
        &self,
        orgnr: &str,
        tx_id: &str,
        bearer: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        self.ds_get(self.ds_url(orgnr, Some(tx_id)), bearer).await
    }

    /// Delivery service: acknowledges a fetched message, so it is not listed again.
    pub async fn ack(&self, orgnr: &str, tx_id: &str, bearer: Option<&str>) -> Result<(), String> {
        let mut req = self
            .http
            .post(format!("{}?action=ack", self.ds_url(orgnr, Some(tx_id))));
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.map_err(|e| transport_error(&e))?;
        if res.status().is_success() {
            Ok(())
        } else {
            Err(format!(
                "the delivery service refused the acknowledgement: {}",
                res.status()
            ))
        }
    }
}

#[async_trait]
impl ShsTransport for ShsClient {
    async fn send(&self, tx_id: Uuid, message: &[u8]) -> SendOutcome {
        ShsClient::send(self, tx_id, message).await
    }
}

/// Names the failure for a log line: timeout, refused connection, TLS, …
pub(crate) fn transport_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "no answer in time (timeout)"
    } else if e.is_connect() {
        "cannot connect (refused, unreachable, or the TLS handshake failed)"
    } else {
        "the request failed"
    };
    let mut detail = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    format!("{what}: {detail}")
}

/// One path segment or query value, percent-encoded.
fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
