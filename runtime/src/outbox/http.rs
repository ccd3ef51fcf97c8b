//! An HTTP transport (`transport = "http"`): one POST per message over reqwest (`http://`, or
//! `https://`, trusting the Web PKI roots), the transaction id in an `X-shs-txid` header,
//! connect and total timeouts. Case systems with an SHS node (and the test mailbox the delivery
//! tests and benchmark use) are reached through SHS (`transport = "shs"`).

use super::transport::{SendOutcome, Transport};
use crate::shs::client::{http_client, transport_error, ShsClientConfig};
use async_trait::async_trait;
use std::time::Duration;

pub struct HttpTransport {
    client: reqwest::Client,
    url: reqwest::Url,
}

impl HttpTransport {
    /// Accepts `http(s)://host[:port][/path]`, with the SHS client's default timeouts.
    pub fn new(url: &str) -> Result<Self, String> {
        let defaults = ShsClientConfig::new(url);
        HttpTransport::with_timeout(url, defaults.timeout)
    }

    /// Accepts `http(s)://host[:port][/path]`; a send takes at most `timeout`, connecting
    /// included.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, String> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "the http transport takes an http:// or https:// address, not `{url}`"
            ));
        }
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{url}` names no host"));
        }
        let config = ShsClientConfig {
            timeout,
            connect_timeout: ShsClientConfig::new(url).connect_timeout.min(timeout),
            ..ShsClientConfig::new(url)
        };
        Ok(HttpTransport {
            client: http_client(&config, false)?,
            url: parsed,
        })
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, tx_id: &str, message: &[u8]) -> SendOutcome {
        let answer = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .header("X-shs-txid", tx_id)
            .body(message.to_vec())
            .send()
            .await;
        let answer = match answer {
            Ok(a) => a,
            // No connection, no answer in time: the receiver may be back later.
            Err(e) => return SendOutcome::Retryable(format!("HTTP: {}", transport_error(&e))),
        };
        // The status and headers are the answer; the body is not read.
        let duplicate = answer
            .headers()
            .get("x-shs-duplicatemsg")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() == "yes");
        match answer.status().as_u16() {
            _ if duplicate => SendOutcome::Duplicate,
            200..=299 => SendOutcome::Accepted,
            code @ (408 | 429 | 500..=599) => SendOutcome::Retryable(format!("HTTP {code}")),
            code => SendOutcome::Permanent(format!("HTTP {code}")),
        }
    }
}
