//! The BankID RP API v6.0 client against the simulator served on loopback: auth, sign and
//! collect sequences, cancel, the API's error codes, and the animated QR code checked against
//! BankID's published example (and Python's hmac for other times).

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_runtime::auth::bankid::client::{ApiError, Client, OrderRequest, Requirement};
use blankett_runtime::auth::bankid::simulator::Simulator;
use blankett_runtime::auth::bankid::{hints, qr};

async fn serve() -> (Client, Simulator, String) {
    let sim = Simulator::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = sim.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let client = Client::new(&format!("{base}/rp/v6.0/"), None, None).unwrap();
    (client, sim, base)
}

fn b64(s: &[u8]) -> String {
    base64::Engine::encode(&base64::engine::general_purpose::STANDARD, s)
}

fn auth_req() -> OrderRequest {
    OrderRequest {
        end_user_ip: "192.0.2.10".into(),
        ..Default::default()
    }
}

fn code(e: ApiError) -> String {
    e.code().to_string()
}

#[tokio::test]
async fn auth_goes_from_outstanding_to_started_to_complete() {
    let (api, sim, _) = serve().await;
    let order = api.auth(&auth_req()).await.unwrap();
    assert!(!order.order_ref.is_empty() && !order.auto_start_token.is_empty());
    assert!(!order.qr_start_token.is_empty() && !order.qr_start_secret.is_empty());
    let c = api.collect(&order.order_ref).await.unwrap();
    assert_eq!(
        (c.status.as_str(), c.hint_code.as_deref()),
        ("pending", Some("outstandingTransaction"))
    );
    assert!(c.completion_data.is_none());
    assert!(sim.progress(&order.order_ref, "started"));
    let c = api.collect(&order.order_ref).await.unwrap();
    assert_eq!(
        (c.status.as_str(), c.hint_code.as_deref()),
        ("pending", Some("started"))
    );
    assert!(sim.complete(&order.order_ref, "191212121212", "Tolvan", "Tolvansson"));
    let c = api.collect(&order.order_ref).await.unwrap();
    assert_eq!(c.status, "complete");
    assert_eq!(c.hint_code, None);
    let data = c.completion_data.unwrap();
    assert_eq!(data.user.personal_number, "191212121212");
    assert_eq!(data.user.name, "Tolvan Tolvansson");
    assert_eq!(data.device.ip_address, "192.0.2.10");
    assert!(!data.ocsp_response.is_empty());
    // A completed order cannot be completed again, nor cancelled.
    assert!(!sim.complete(&order.order_ref, "191212121212", "Tolvan", "Tolvansson"));
    assert_eq!(
        code(api.cancel(&order.order_ref).await.unwrap_err()),
        "invalidParameters"
    );
}

#[tokio::test]
async fn sign_needs_user_visible_data_and_signs_the_non_visible_data() {
    let (api, sim, _) = serve().await;
    let err = api.sign(&auth_req()).await.unwrap_err();
    assert_eq!(code(err), "invalidParameters");
    let digest = [7u8; 32];
    let req = OrderRequest {
        user_visible_data: Some(b64("# Bygglov\n\n*Fastighet*\nORUST SÄBY 1:1".as_bytes())),
        user_non_visible_data: Some(b64(&digest)),
        user_visible_data_format: Some("simpleMarkdownV1".into()),
        requirement: Some(Requirement {
            personal_number: Some("198112289874".into()),
            ..Default::default()
        }),
        ..auth_req()
    };
    let order = api.sign(&req).await.unwrap();
    assert!(sim.progress(&order.order_ref, "userSign"));
    let c = api.collect(&order.order_ref).await.unwrap();
    assert_eq!(c.hint_code.as_deref(), Some("userSign"));
    // Required personnummer: nobody else can complete it.
    assert!(!sim.complete(&order.order_ref, "191212121212", "Tolvan", "Tolvansson"));
    assert!(sim.complete(&order.order_ref, "198112289874", "Anna", "Andersson"));
    let data = api
        .collect(&order.order_ref)
        .await
        .unwrap()
        .completion_data
        .unwrap();
    let xml = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &data.signature)
            .unwrap(),
    )
    .unwrap();
    assert!(
        xml.contains(&format!(
            "<usrNonVisibleData>{}</usrNonVisibleData>",
            b64(&digest)
        )),
        "{xml}"
    );
    assert!(xml.contains("<funcId>Signing</funcId>"));
}

#[tokio::test]
async fn cancel_ends_a_pending_order() {
    let (api, _, _) = serve().await;
    let order = api.auth(&auth_req()).await.unwrap();
    api.cancel(&order.order_ref).await.unwrap();
    assert_eq!(
        code(api.collect(&order.order_ref).await.unwrap_err()),
        "invalidParameters"
    );
    assert_eq!(
        code(api.cancel("no-such-order").await.unwrap_err()),
        "invalidParameters"
    );
}

#[tokio::test]
async fn failures_come_back_as_failed_with_their_hint_code() {
    let (api, sim, _) = serve().await;
    let order = api.auth(&auth_req()).await.unwrap();
    assert!(sim.fail(&order.order_ref, "userCancel"));
    let c = api.collect(&order.order_ref).await.unwrap();
    assert_eq!(
        (c.status.as_str(), c.hint_code.as_deref()),
        ("failed", Some("userCancel"))
    );
    assert_eq!(
        hints::message("failed", c.hint_code.as_deref(), true),
        hints::RFA6
    );
}

#[tokio::test]
async fn the_api_errors_are_the_api_s() {
    let (api, _, base) = serve().await;
    let bad_ip = OrderRequest {
        end_user_ip: "not an address".into(),
        ..Default::default()
    };
    assert_eq!(
        code(api.auth(&bad_ip).await.unwrap_err()),
        "invalidParameters"
    );
    let bad_b64 = OrderRequest {
        user_visible_data: Some("***".into()),
        ..auth_req()
    };
    assert_eq!(
        code(api.sign(&bad_b64).await.unwrap_err()),
        "invalidParameters"
    );
    // A second order for the same person: alreadyInProgress, and the first is aborted.
    let for_anna = OrderRequest {
        requirement: Some(Requirement {
            personal_number: Some("198112289874".into()),
            ..Default::default()
        }),
        ..auth_req()
    };
    let first = api.auth(&for_anna).await.unwrap();
    assert_eq!(
        code(api.auth(&for_anna).await.unwrap_err()),
        "alreadyInProgress"
    );
    let c = api.collect(&first.order_ref).await.unwrap();
    assert_eq!(
        (c.status.as_str(), c.hint_code.as_deref()),
        ("failed", Some("cancelled"))
    );
    assert_eq!(hints::error_message("alreadyInProgress"), hints::RFA4);
    // Not JSON: unsupportedMediaType, with the API's error body.
    let res = reqwest::Client::new()
        .post(format!("{base}/rp/v6.0/auth"))
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 415);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["errorCode"], "unsupportedMediaType");
    // Nobody listening: a transport error, shown as RFA5.
    let gone = Client::new("http://127.0.0.1:9/rp/v6.0/", None, None).unwrap();
    let e = gone.auth(&auth_req()).await.unwrap_err();
    assert_eq!(hints::error_message(e.code()), hints::RFA5);
}

#[test]
fn the_qr_code_follows_bankid_s_algorithm() {
    // BankID's published example: qrStartSecret d28db9a7-…, time 0.
    let secret = "d28db9a7-4cde-429e-a983-359be676944c";
    assert_eq!(
        qr::qr_data("67df3917-fa0d-44e5-b327-edcc928297f8", secret, 0),
        "bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8"
    );
    // Other times, computed with Python's hmac.
    assert_eq!(
        qr::auth_code(secret, 1),
        "949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2"
    );
    assert_eq!(
        qr::auth_code(secret, 137),
        "564b486ccee0d172c6b5814720d662eefbbfa3e5f7353b02bb411403a78df3a0"
    );
    let svg = qr::svg(&qr::qr_data("t", secret, 3));
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
}

#[tokio::test]
async fn the_simulator_accepts_the_client_s_qr_codes_and_no_others() {
    let (api, sim, _) = serve().await;
    let order = api.auth(&auth_req()).await.unwrap();
    let good = qr::qr_data(&order.qr_start_token, &order.qr_start_secret, 0);
    assert!(sim.qr_valid(&order.order_ref, &good));
    let wrong_secret = qr::qr_data(&order.qr_start_token, "another secret", 0);
    assert!(!sim.qr_valid(&order.order_ref, &wrong_secret));
    let future = qr::qr_data(&order.qr_start_token, &order.qr_start_secret, 3600);
    assert!(
        !sim.qr_valid(&order.order_ref, &future),
        "a time ahead of the order is refused"
    );
}

#[test]
fn production_bankid_needs_the_rp_certificate_and_a_readable_ca() {
    use blankett_runtime::auth::bankid::client_from_config;
    use blankett_runtime::config::{BankIdConfig, Config};
    let with = |b: BankIdConfig| Config {
        bankid: Some(b),
        ..Config::default()
    };
    let no_cert = with(BankIdConfig {
        environment: "production".into(),
        certificate: None,
        ca: None,
    });
    let e = client_from_config(&no_cert).err().unwrap();
    assert!(e.contains("certificate"), "{e}");
    let missing = with(BankIdConfig {
        environment: "test".into(),
        certificate: Some("/no/such/rp.pem".into()),
        ca: None,
    });
    assert!(client_from_config(&missing)
        .err()
        .unwrap()
        .contains("/no/such/rp.pem"));
    // Not a certificate at all: said so, not a panic.
    let dir = std::env::temp_dir().join(format!("bk-bankid-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("rp.pem");
    std::fs::write(&junk, "not a PEM file").unwrap();
    let bad = with(BankIdConfig {
        environment: "test".into(),
        certificate: Some(junk),
        ca: None,
    });
    assert!(client_from_config(&bad)
        .err()
        .unwrap()
        .contains("RP certificate"));
    // Neither configured nor --dev: no BankID at all.
    assert!(client_from_config(&Config::default()).unwrap().is_none());
}
