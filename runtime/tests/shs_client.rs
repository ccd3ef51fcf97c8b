//! The SHS client against loopback receivers: every answer a receive service can give, a
//! refused connection and a timeout; the delivery service polled with the same client.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shs_support;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use blankett_runtime::shs::delivery::{self, DeliveryAuth, MemoryQueue};
use blankett_runtime::shs::{Message, SendOutcome, ShsClient, ShsClientConfig, ShsTransport};
use shs_support::*;
use std::sync::Arc;
use std::time::Duration;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// A receive service that checks what it gets, as Axel's does, and answers 202.
async fn accept(headers: HeaderMap, body: Bytes) -> axum::response::Response {
    if headers.get("content-type").and_then(|v| v.to_str().ok()) != Some("message/rfc822") {
        return (
            StatusCode::BAD_REQUEST,
            [("X-shs-errorcode", "IllegalMessageStructure")],
            "content type",
        )
            .into_response();
    }
    match Message::parse(&body) {
        Ok(m) => {
            let tx = m.label.tx_id.to_string();
            (
                StatusCode::ACCEPTED,
                [
                    ("X-shs-txid", tx.clone()),
                    ("X-shs-duplicatemsg", "no".into()),
                ],
                tx,
            )
                .into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            [("X-shs-errorcode", "IllegalMessageStructure")],
            e.to_string(),
        )
            .into_response(),
    }
}

fn receivers() -> Router {
    Router::new()
        .route("/ok/shs/rs", post(accept))
        .route(
            "/dup/shs/rs",
            post(|| async {
                (
                    StatusCode::ACCEPTED,
                    [("X-shs-txid", "earlier"), ("X-shs-duplicatemsg", "yes")],
                    "earlier",
                )
            }),
        )
        .route(
            "/retry/shs/rs",
            post(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    [("X-shs-errorcode", "MissingDeliveryExecution")],
                    "Delivery of message failed",
                )
            }),
        )
        .route(
            "/perm/shs/rs",
            post(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    [("X-shs-errorcode", "UnknownReceiver")],
                    "Receiving actor unknown",
                )
            }),
        )
        .route(
            "/boom/shs/rs",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "NullPointerException") }),
        )
        .route(
            "/slow/shs/rs",
            post(|| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                StatusCode::ACCEPTED
            }),
        )
}

fn client(url: String) -> ShsClient {
    let mut c = ShsClientConfig::new(url);
    c.timeout = Duration::from_millis(500);
    ShsClient::new(&c).unwrap()
}

#[tokio::test]
async fn every_answer_of_a_receive_service_maps_to_an_outcome() {
    let base = serve(receivers()).await;
    let message = Message::new(sample_label(), sample_parts());
    let bytes = message.to_mime();
    let tx = message.label.tx_id;
    let mut seen = Vec::new();
    for path in ["ok", "dup", "retry", "perm", "boom"] {
        let c = client(format!("{base}/{path}"));
        seen.push(format!(
            "{path}: {:?}",
            ShsTransport::send(&c, tx, &bytes).await
        ));
    }
    insta::assert_snapshot!(seen.join("\n"));
    let ok = client(format!("{base}/ok/shs/rs")).send(tx, &bytes).await;
    assert_eq!(
        ok,
        SendOutcome::Accepted {
            tx_id: tx.to_string()
        },
        "a URL ending in /shs/rs is used as is"
    );
    assert!(SendOutcome::Duplicate { tx_id: "x".into() }.is_delivered());
}

#[tokio::test]
async fn a_refused_connection_and_a_timeout_are_retryable() {
    let base = serve(receivers()).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let a = l.local_addr().unwrap();
        drop(l);
        format!("http://{a}")
    };
    let bytes = Message::new(sample_label(), sample_parts()).to_mime();
    let tx = sample_label().tx_id;
    for (what, url) in [("refused", closed), ("timeout", format!("{base}/slow"))] {
        match client(url).send(tx, &bytes).await {
            SendOutcome::Retryable { reason } => {
                let want = if what == "refused" {
                    "cannot connect"
                } else {
                    "timeout"
                };
                assert!(reason.contains(want), "{what}: {reason}");
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn configuration_mistakes_are_refused_at_start() {
    let err = |c: ShsClientConfig| ShsClient::new(&c).unwrap_err();
    assert!(err(ShsClientConfig::new("http://shs.kommun.se")).contains("plain http"));
    assert!(err(ShsClientConfig::new("ftp://127.0.0.1")).contains("scheme"));
    assert!(err(ShsClientConfig::new("inte en adress")).contains("not a URL"));
    let mut half = ShsClientConfig::new("https://shs.kommun.se");
    half.client_cert = Some("cert.pem".into());
    assert!(err(half).contains("both"));
    let mut missing = ShsClientConfig::new("https://shs.kommun.se");
    missing.ca = Some("/nonexistent/ca.pem".into());
    assert!(err(missing).contains("cannot read the CA certificate"));
    assert!(ShsClient::new(&ShsClientConfig::new("http://localhost:9/")).is_ok());
    assert!(ShsClient::new(&ShsClientConfig::new("https://shs.kommun.se")).is_ok());
}

#[tokio::test]
async fn the_delivery_service_lists_serves_and_forgets_acknowledged_messages() {
    let queue = Arc::new(MemoryQueue::default());
    let message = Message::new(sample_label(), sample_parts());
    let bytes = message.to_mime();
    queue.push(bytes.clone()).unwrap();
    queue.push(bytes.clone()).unwrap(); // the same tx.id again: queued once
    let mut auth = DeliveryAuth::default();
    auth.tokens.insert("2120001439".into(), "hemligt".into());
    let base = serve(delivery::router(queue.clone(), auth)).await;
    let c = client(base.clone());
    let tx = message.label.tx_id.to_string();

    assert!(c
        .list("2120001439", None)
        .await
        .unwrap_err()
        .contains("401"));
    assert!(c
        .list("2120001439", Some("fel-token"))
        .await
        .unwrap_err()
        .contains("401"));
    assert!(
        c.list("5565317129", Some("hemligt"))
            .await
            .unwrap_err()
            .contains("401"),
        "a token opens only its own organisation"
    );

    let listed = c
        .list("urn:X-shs:2120001439", Some("hemligt"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].tx_id, tx);
    assert_eq!(listed[0].data.len(), 4);
    assert_eq!(
        c.fetch("2120001439", &tx, Some("hemligt")).await.unwrap(),
        bytes
    );
    assert!(c
        .fetch("2120001439", "nope", Some("hemligt"))
        .await
        .unwrap_err()
        .contains("404"));
    c.ack("2120001439", &tx, Some("hemligt")).await.unwrap();
    assert!(c
        .list("2120001439", Some("hemligt"))
        .await
        .unwrap()
        .is_empty());
    assert!(c.ack("2120001439", &tx, Some("hemligt")).await.is_err());

    // Filters.
    queue.push(bytes).unwrap();
    let raw = |q: &str| {
        let url = format!("{base}/shs/ds/2120001439{q}");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth("hemligt")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap()
        }
    };
    let none =
        delivery::parse_message_list(&raw("?corrid=00000000-0000-0000-0000-000000000000").await)
            .unwrap();
    assert!(none.is_empty());
    let one = delivery::parse_message_list(
        &raw(&format!("?corrid={}&status=test", message.label.corr_id)).await,
    )
    .unwrap();
    assert_eq!(one.len(), 1);
    assert!(delivery::parse_message_list(&raw("?maxhits=0").await)
        .unwrap()
        .is_empty());
}

#[test]
fn the_message_list_is_valid_against_its_dtd_and_reads_axels_sample() {
    let Some(dtd) = reference("shs/shs-message-list-1.2.01.dtd") else {
        return;
    };
    let bytes = Message::new(sample_label(), sample_parts()).to_mime();
    let entry = delivery::ListedMessage::of(&bytes, "2026-11-29T07:05:00").unwrap();
    let xml = delivery::message_list_xml(&[entry.clone(), entry]);
    xmllint_valid(&dtd, &xml);
    let sample = std::fs::read(reference("shs/samples/listMessagesResponse.xml").unwrap()).unwrap();
    let listed = delivery::parse_message_list(&sample).unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[2].tx_id, "9212a1dd-77bc-4727-ace0-76f13ae5c4bf");
    assert_eq!(listed[2].data, vec![("properties".to_string(), None)]);
}
