//! The SHS client's mutual TLS against a loopback receive service that demands a client
//! certificate from its CA. Certificates are made with the `openssl` command at test time
//! (skipped with a note where it is absent).

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shs_support;

use blankett_runtime::shs::{Message, SendOutcome, ShsClient, ShsClientConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use shs_support::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GEN: &str = r#"set -e
ca() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key -out $1.crt -days 2 -subj "/CN=$1" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"; }
leaf() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout $1.key -out $1.csr -subj "/CN=$1"
  printf "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=$3\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n" > $1.ext
  openssl x509 -req -in $1.csr -CA $2.crt -CAkey $2.key -CAcreateserial -out $1.crt -days 2 -extfile $1.ext
}
ca ca; ca otherca
leaf server ca serverAuth
leaf client ca clientAuth
leaf stranger otherca clientAuth
"#;

fn certificates() -> Option<PathBuf> {
    let dir = std::env::temp_dir().join(format!("blankett-shs-tls-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let ok = std::process::Command::new("sh")
        .arg("-c")
        .arg(GEN)
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("note: skipped, the openssl command cannot make test certificates");
        return None;
    }
    Some(dir)
}

fn certs(path: &Path) -> Vec<CertificateDer<'static>> {
    let pem = std::fs::read(path).unwrap();
    CertificateDer::pem_slice_iter(&pem)
        .map(|c| c.unwrap())
        .collect()
}

/// A receive service over TLS that accepts only client certificates issued by `ca.crt`.
async fn tls_receiver(dir: &Path) -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in certs(&dir.join("ca.crt")) {
        roots.add(c).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let key =
        PrivateKeyDer::from_pem_slice(&std::fs::read(dir.join("server.key")).unwrap()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs(&dir.join("server.crt")), key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head_end, length) = loop {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = find(&buf, b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (i + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let Ok(n) = tls.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let tx = Message::parse(&buf[head_end..])
                    .map(|m| m.label.tx_id.to_string())
                    .unwrap_or_default();
                let answer = format!("HTTP/1.1 202 Accepted\r\nX-shs-txid: {tx}\r\nX-shs-duplicatemsg: no\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://127.0.0.1:{port}")
}

fn config(url: &str, dir: &Path, client: Option<&str>, ca: &str) -> ShsClientConfig {
    let mut c = ShsClientConfig::new(url);
    if let Some(name) = client {
        c.client_cert = Some(dir.join(format!("{name}.crt")));
        c.client_key = Some(dir.join(format!("{name}.key")));
    }
    c.ca = Some(dir.join(format!("{ca}.crt")));
    c.timeout = std::time::Duration::from_secs(10);
    c
}

#[tokio::test]
async fn mutual_tls_delivers_only_with_the_right_certificates() {
    let Some(dir) = certificates() else {
        return;
    };
    let url = tls_receiver(&dir).await;
    let message = Message::new(sample_label(), sample_parts());
    let bytes = message.to_mime();
    let tx = message.label.tx_id;
    let send = |c: ShsClientConfig| {
        let bytes = bytes.clone();
        async move { ShsClient::new(&c).unwrap().send(tx, &bytes).await }
    };

    assert_eq!(
        send(config(&url, &dir, Some("client"), "ca")).await,
        SendOutcome::Accepted {
            tx_id: tx.to_string()
        },
        "the kommun's certificate, the receiver's CA"
    );
    // Refused in the TLS handshake, each for its reason; retryable, as every connection error.
    for (what, c, reason) in [
        (
            "no client certificate",
            config(&url, &dir, None, "ca"),
            "CertificateRequired",
        ),
        (
            "a certificate from another CA",
            config(&url, &dir, Some("stranger"), "ca"),
            "UnknownCA",
        ),
        (
            "the receiver's CA not trusted",
            config(&url, &dir, Some("client"), "otherca"),
            "UnknownIssuer",
        ),
    ] {
        match send(c).await {
            SendOutcome::Retryable { reason: r } => assert!(r.contains(reason), "{what}: {r}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
