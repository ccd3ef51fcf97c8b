//! A plain-HTTP transport (`transport = "http"`): one POST per message, the transaction id in an
//! `X-shs-txid` header, no TLS. For a local receiver only; real case systems (and the test
//! mailbox the delivery tests and benchmark use) are reached through SHS (`transport = "shs"`).

use super::transport::{SendOutcome, Transport};
use async_trait::async_trait;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub struct HttpTransport {
    /// `host:port` to connect to.
    authority: String,
    path: String,
}

impl HttpTransport {
    /// Accepts `http://host[:port][/path]`.
    pub fn new(url: &str) -> Result<Self, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("the http transport speaks plain http:// only (for local receivers), not `{url}`: use transport = \"shs\"")
        })?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(format!("`{url}` names no host"));
        }
        let authority = if authority.contains(':') {
            authority.to_string()
        } else {
            format!("{authority}:80")
        };
        Ok(HttpTransport {
            authority,
            path: path.to_string(),
        })
    }

    async fn post(&self, tx_id: &str, message: &[u8]) -> std::io::Result<(u16, bool)> {
        let mut s = tokio::net::TcpStream::connect(&self.authority).await?;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/octet-stream\r\nX-shs-txid: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.path,
            self.authority,
            tx_id,
            message.len()
        );
        s.write_all(head.as_bytes()).await?;
        s.write_all(message).await?;
        let mut answer = Vec::new();
        // The answer's head is all we read; a body larger than this is not ours to keep.
        s.take(64 * 1024).read_to_end(&mut answer).await?;
        let text = String::from_utf8_lossy(&answer);
        let mut lines = text.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| std::io::Error::other("the answer is not HTTP"))?;
        let duplicate = lines.take_while(|l| !l.is_empty()).any(|l| {
            l.split_once(':').is_some_and(|(k, v)| {
                k.trim().eq_ignore_ascii_case("x-shs-duplicatemsg") && v.trim() == "yes"
            })
        });
        Ok((status, duplicate))
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn send(&self, tx_id: &str, message: &[u8]) -> SendOutcome {
        match self.post(tx_id, message).await {
            Err(e) => SendOutcome::Retryable(format!("HTTP: {e}")),
            Ok((_, true)) => SendOutcome::Duplicate,
            Ok((200..=299, false)) => SendOutcome::Accepted,
            Ok((code @ (408 | 429 | 500..=599), _)) => {
                SendOutcome::Retryable(format!("HTTP {code}"))
            }
            Ok((code, _)) => SendOutcome::Permanent(format!("HTTP {code}")),
        }
    }
}
