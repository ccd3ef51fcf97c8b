//! The BankID client's mutual TLS: the simulator behind a TLS server that demands a client
//! certificate issued by a test CA (as BankID's RP API does) and presents a server certificate
//! from the same CA (the CA the client pins). Certificates in `fixtures/bankid-mtls/`, made
//! with openssl for this test only.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_runtime::auth::bankid::client::{Client, OrderRequest};
use blankett_runtime::auth::bankid::simulator::Simulator;
use std::sync::Arc;
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CA: &[u8] = include_bytes!("fixtures/bankid-mtls/ca.pem");
const RP: &[u8] = include_bytes!("fixtures/bankid-mtls/rp.pem");
const SERVER_CERT: &[u8] = include_bytes!("fixtures/bankid-mtls/server-cert.pem");
const SERVER_KEY: &[u8] = include_bytes!("fixtures/bankid-mtls/server-key.pem");

/// TLS connections whose handshake succeeded; failed handshakes are dropped.
struct TlsListener {
    tcp: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((tcp, addr)) = self.tcp.accept().await else {
                continue;
            };
            if let Ok(tls) = self.acceptor.accept(tcp).await {
                return (tls, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

async fn serve() -> String {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for c in CertificateDer::pem_slice_iter(CA) {
        roots.add(c.unwrap()).unwrap();
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let certs: Vec<CertificateDer> = CertificateDer::pem_slice_iter(SERVER_CERT)
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .unwrap();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/rp/v6.0/", tcp.local_addr().unwrap());
    let listener = TlsListener {
        tcp,
        acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
    };
    let router = Simulator::new().router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

fn req() -> OrderRequest {
    OrderRequest {
        end_user_ip: "192.0.2.1".into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn the_client_presents_the_rp_certificate_and_trusts_only_the_pinned_ca() {
    let url = serve().await;
    let api = Client::new(&url, Some(RP), Some(CA)).unwrap();
    let order = api.auth(&req()).await.unwrap();
    assert!(!order.order_ref.is_empty());

    // Without the RP certificate the server ends the handshake.
    let anonymous = Client::new(&url, None, Some(CA)).unwrap();
    assert_eq!(
        anonymous.auth(&req()).await.unwrap_err().code(),
        "transport"
    );

    // Without the pinned CA the server's certificate is not trusted.
    let unpinned = Client::new(&url, Some(RP), None).unwrap();
    assert_eq!(unpinned.auth(&req()).await.unwrap_err().code(), "transport");
}
