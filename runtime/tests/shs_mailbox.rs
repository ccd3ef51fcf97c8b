//! The test mailbox as a peer: it stores what it receives, refuses duplicates the SHS way,
//! shows a message, and its answer with a case number is a reply `apply_reply` reads.
//! Also the replies SHS nodes send: Axel's recorded error message and confirms.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shs_support;

use blankett_runtime::shs::reply::{fetch_replies, Management, ManagementOutcome};
use blankett_runtime::shs::{
    apply_reply, Message, ReplyStatus, SendOutcome, ShsClient, ShsClientConfig,
};
use blankett_runtime::submission::SubmissionStatus;
use blankett_runtime::test_mailbox::{self as mailbox, Mailbox};
use shs_support::*;

async fn start(dir: &std::path::Path) -> (String, std::sync::Arc<Mailbox>) {
    let mb = Mailbox::open(dir, Some("test-token".into())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(mailbox::serve(listener, mb.clone()));
    (url, mb)
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("blankett-shs-{name}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn erms_part() -> blankett_runtime::shs::Part {
    blankett_runtime::shs::Part::new(
        "erms",
        "text/xml; charset=UTF-8",
        Some("arende.xml".into()),
        r#"<?xml version="1.0" encoding="UTF-8"?>
<erms xmlns="https://DILCIS.eu/XML/ERMS"><control/><aggregations>
<aggregation aggregationType="caseFile" systemIdentifier="x"><objectId>1</objectId>
<title>Trasig gatlykta på Storgatan &lt;3&gt;</title>
<classification classificationCode="3.1.2.1">Felanmälan</classification>
<agents><agent agentType="counterpart"><name>Tolvan Tolvansson</name></agent></agents>
</aggregation></aggregations></erms>"#
            .as_bytes()
            .to_vec(),
    )
}

#[tokio::test]
async fn the_mailbox_stores_shows_and_answers_with_a_case_number() {
    let dir = tempdir("mailbox");
    let (url, _mb) = start(&dir).await;
    let mut label = sample_label();
    label
        .meta
        .push(("referens".into(), "OFEL-2026-0007".into()));
    let mut parts = sample_parts();
    parts[0] = erms_part();
    let message = Message::new(label, parts);
    let bytes = message.to_mime();
    let tx = message.label.tx_id;
    let client = ShsClient::new(&ShsClientConfig::new(url.clone())).unwrap();

    // Received and stored as the raw MIME file, named by tx.id; the same tx.id again is a duplicate.
    assert_eq!(
        client.send(tx, &bytes).await,
        SendOutcome::Accepted {
            tx_id: tx.to_string()
        }
    );
    assert_eq!(
        std::fs::read(dir.join(format!("{tx}.mime"))).unwrap(),
        bytes
    );
    assert_eq!(
        client.send(tx, &bytes).await,
        SendOutcome::Duplicate {
            tx_id: tx.to_string()
        }
    );
    match client.send(tx, b"not mime").await {
        SendOutcome::Permanent { code, .. } => assert_eq!(code, "IllegalMessageStructure"),
        other => panic!("{other:?}"),
    }

    // The pages: the list names the case, the message page shows the mapped case.
    let http = reqwest::Client::new();
    let list = http.get(format!("{url}/")).send().await.unwrap();
    assert!(list.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    let list = list.text().await.unwrap();
    assert!(
        list.contains("Trasig gatlykta på Storgatan &lt;3&gt;"),
        "{list}"
    );
    let page = http
        .get(format!("{url}/m/{tx}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for want in [
        "3.1.2.1 Felanmälan",
        "Tolvan Tolvansson",
        "OFEL-2026-0007",
        "ritning.pdf",
    ] {
        assert!(page.contains(want), "{want} missing in\n{page}");
    }
    assert!(
        !page.contains("<script") && !page.contains("style="),
        "no inline script or style"
    );
    let part4 = http
        .get(format!("{url}/m/{tx}/del/4"))
        .send()
        .await
        .unwrap();
    assert_eq!(part4.headers()["content-type"], "application/octet-stream");
    assert_eq!(part4.bytes().await.unwrap().to_vec(), message.parts[3].body);

    // Answering needs the form's CSRF token.
    let no_csrf = http
        .post(format!("{url}/m/{tx}/svara"))
        .form(&[("diarienummer", "KS 2026/123")])
        .send()
        .await
        .unwrap();
    assert_eq!(no_csrf.status(), 403);
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let answered = http
        .post(format!("{url}/m/{tx}/svara"))
        .form(&[("csrf", csrf), ("diarienummer", "KS 2026/123")])
        .send()
        .await
        .unwrap();
    assert!(answered.status().is_success(), "{}", answered.status());
    let answered = answered.text().await.unwrap();
    assert!(
        answered.contains("Besvarat med diarienummer <strong>KS 2026&#x2f;123</strong>"),
        "{answered}"
    );

    // The sender fetches the reply from the delivery service and applies it.
    let orgnr = "2120001439";
    assert!(
        client.list(orgnr, None).await.is_err(),
        "the delivery service wants the token"
    );
    let waiting = client.list(orgnr, Some("test-token")).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].corr_id, message.label.corr_id.to_string());
    assert_eq!(waiting[0].sequence_type, "reply");
    let reply_bytes = client
        .fetch(orgnr, &waiting[0].tx_id, Some("test-token"))
        .await
        .unwrap();
    let reply = Message::parse(&reply_bytes).unwrap();
    if let Some(dtd) = reference("shs/shs-label-1.2.dtd") {
        xmllint_valid(&dtd, &reply.label.to_xml());
    }
    let fetched = fetch_replies(&client, orgnr, Some("test-token"))
        .await
        .unwrap();
    assert_eq!(fetched.len(), 1);
    assert_eq!(fetched[0].tx_id, waiting[0].tx_id);
    let applied = fetched[0].reply.clone().unwrap();
    assert_eq!(applied, apply_reply(&reply).unwrap());
    assert_eq!(applied.corr_id, message.label.corr_id);
    assert_eq!(applied.status, ReplyStatus::Registered);
    assert_eq!(applied.status.store_status(), SubmissionStatus::Registrerad);
    assert_eq!(applied.case_number.as_deref(), Some("KS 2026/123"));
    assert_eq!(applied.reference.as_deref(), Some("OFEL-2026-0007"));
    client
        .ack(orgnr, &waiting[0].tx_id, Some("test-token"))
        .await
        .unwrap();
    assert!(client
        .list(orgnr, Some("test-token"))
        .await
        .unwrap()
        .is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn axels_error_message_is_a_failed_delivery() {
    let Some(path) = reference("shs/samples/shsErrorMessage.mime") else {
        return;
    };
    let m = Message::parse(&std::fs::read(path).unwrap()).unwrap();
    let r = apply_reply(&m).unwrap();
    assert_eq!(
        r.corr_id.to_string(),
        "5a01ff87-e641-486e-8521-8e82d1ee1052"
    );
    assert_eq!(
        r.status,
        ReplyStatus::Failed {
            code: "MissingAgreement".into(),
            info: Some("No valid agreement found for the message".into())
        }
    );
    assert_eq!(r.status.store_status(), SubmissionStatus::Leveransfel);
}

#[test]
fn a_confirm_with_a_case_number_registers_and_without_one_delivers() {
    let corr = sample_label().corr_id;
    for (appinfo, want_status, want_case) in [
        (
            vec![("diarienummer".to_string(), "BN 2026/77".to_string())],
            ReplyStatus::Registered,
            Some("BN 2026/77"),
        ),
        (vec![], ReplyStatus::Delivered, None),
    ] {
        let doc = Management {
            corr_id: corr.to_string(),
            content_id: "c1".into(),
            datetime: "2026-11-29T08:00:00".into(),
            outcome: ManagementOutcome::Confirmation,
            appinfo,
        };
        if let Some(dtd) = reference("shs/shs-management-1.2.dtd") {
            xmllint_valid(&dtd, &doc.to_xml());
        }
        let mut label = sample_label();
        label.product.id = blankett_runtime::shs::ProductId::Confirm;
        label.sequence_type = blankett_runtime::shs::SequenceType::Adm;
        label.corr_id = uuid::Uuid::new_v4(); // the management document's corr.id wins
        let m = Message::new(
            label,
            vec![blankett_runtime::shs::Part::new(
                "confirm",
                "text/xml",
                Some("confirm.xml".into()),
                doc.to_xml(),
            )],
        );
        let r = apply_reply(&Message::parse(&m.to_mime()).unwrap()).unwrap();
        assert_eq!(
            (r.corr_id, r.status, r.case_number.as_deref()),
            (corr, want_status, want_case)
        );
    }
}

#[test]
fn a_request_is_not_a_reply() {
    let m = Message::new(sample_label(), sample_parts());
    assert!(apply_reply(&m)
        .unwrap_err()
        .to_string()
        .contains("not a reply"));
}
