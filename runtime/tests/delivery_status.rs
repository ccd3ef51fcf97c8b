//! The status callback: a case system reports a submission's status and case number over
//! HTTP (`POST /api/leverans/status`) with its delivery target's token, and Mina sidor shows
//! it, as for an SHS reply. Only for submissions delivered to that target.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use blankett_runtime::outbox::{DeliveryConfig, Target};
use blankett_runtime::submission::SubmissionStatus;
use http_body_util::BodyExt;
use support::{app_with, fill_felanmalan_anonymously, Client};
use tower::ServiceExt;

const DIARIETS_NYCKEL: &str = "diariets-statusnyckel-123";
const ANDRAS_NYCKEL: &str = "ett-annat-systems-nyckel-456";

fn targets() -> DeliveryConfig {
    DeliveryConfig {
        canary_interval_seconds: 0,
        targets: vec![
            Target {
                status_token: Some(DIARIETS_NYCKEL.into()),
                forms: vec!["felanmalan".into()],
                ..Target::new(
                    "diariet",
                    "shs",
                    "http://127.0.0.1:9",
                    "urn:X-shs:2120001439",
                )
            },
            // Another case system, which gets no felanmälan: it may not report on them.
            Target {
                status_token: Some(ANDRAS_NYCKEL.into()),
                forms: vec!["ingen-sadan-blankett".into()],
                ..Target::new("annat", "shs", "http://127.0.0.1:9", "urn:X-shs:2021005489")
            },
        ],
        ..DeliveryConfig::default()
    }
}

struct Answer {
    status: StatusCode,
    json: serde_json::Value,
    sets_cookie: bool,
}

async fn report(app: &axum::Router, token: Option<&str>, body: &str) -> Answer {
    let mut req = Request::builder()
        .method("POST")
        .uri("/api/leverans/status")
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let res = app
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let sets_cookie = res.headers().contains_key(header::SET_COOKIE);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
    Answer {
        status,
        json,
        sets_cookie,
    }
}

fn error_of(a: &Answer) -> String {
    a.json["error"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_case_system_reports_the_case_number_and_mina_sidor_shows_it() {
    let (app, state) = app_with(|c| c.delivery = targets()).await;
    let mut c = Client::new(app.clone());
    c.login("198112289874").await;
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let res = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    let id = res
        .location
        .expect("a receipt")
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let reference = state
        .store
        .submission(&id)
        .await
        .unwrap()
        .unwrap()
        .reference;
    let tx_id = state.store.delivery_jobs_of(&id).await.unwrap()[0]
        .tx_id
        .clone();
    let registered = format!(
        r#"{{"reference": "{reference}", "status": "registrerad", "case_number": "KS 2026/417"}}"#
    );

    // No token, a wrong one: 401, and nothing changes.
    for token in [None, Some("fel-nyckel-som-ar-lang-nog")] {
        let a = report(&app, token, &registered).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.json);
        assert!(error_of(&a).contains("status_token"), "{}", a.json);
    }
    // Another target's token: as if the submission did not exist.
    let a = report(&app, Some(ANDRAS_NYCKEL), &registered).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    let a = report(
        &app,
        Some(ANDRAS_NYCKEL),
        &format!(r#"{{"tx_id": "{tx_id}", "status": "levererad"}}"#),
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!((s.status.as_str(), s.case_number), ("mottagen", None));

    // Malformed reports say what is wrong.
    for (body, says) in [
        ("inte json", "not a status report"),
        (r#"{"reference": "X"}"#, "missing field `status`"),
        (
            r#"{"reference": "X", "status": "levererad", "diarienr": "1"}"#,
            "unknown field `diarienr`",
        ),
        (r#"{"status": "levererad"}"#, "give either `reference`"),
        (
            &format!(r#"{{"reference": "{reference}", "status": "registrerad"}}"#),
            "needs the `case_number`",
        ),
        (
            &format!(r#"{{"reference": "{reference}", "status": "klar"}}"#),
            "not \"klar\"",
        ),
        // Issue 21: a right-to-left override would show the case number reversed to the citizen.
        (
            &format!(
                r#"{{"reference": "{reference}", "status": "registrerad", "case_number": "KS \u202e714/6202"}}"#
            ),
            "bidirectional control characters",
        ),
    ] {
        let a = report(&app, Some(DIARIETS_NYCKEL), body).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{body}: {}", a.json);
        assert!(error_of(&a).contains(says), "{body}: {}", a.json);
    }
    // An unknown reference: 404 that names it.
    let a = report(
        &app,
        Some(DIARIETS_NYCKEL),
        r#"{"reference": "OFEL-1999-9999", "status": "levererad"}"#,
    )
    .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.json);
    assert!(error_of(&a).contains("OFEL-1999-9999"), "{}", a.json);

    // By tx.id: delivered. By reference: registered with its case number.
    let a = report(
        &app,
        Some(DIARIETS_NYCKEL),
        &format!(
            r#"{{"tx_id": "{}", "status": "levererad"}}"#,
            tx_id.to_uppercase()
        ),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(
        state.store.submission(&id).await.unwrap().unwrap().status,
        SubmissionStatus::Levererad
    );
    let a = report(&app, Some(DIARIETS_NYCKEL), &registered).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["reference"], reference.as_str());
    assert_eq!(a.json["case_number"], "KS 2026/417");
    assert!(!a.sets_cookie, "a machine's call starts no session");
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::Registrerad);
    assert_eq!(s.case_number.as_deref(), Some("KS 2026/417"));

    let mina = c.get("/mina-sidor").await;
    assert!(mina.body.contains("Registrerad"), "{}", mina.body);
    assert!(
        mina.body.contains("KS 2026&#x2f;417") || mina.body.contains("KS 2026/417"),
        "{}",
        mina.body
    );
}
