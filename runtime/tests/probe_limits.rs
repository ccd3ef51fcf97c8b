//! Issue 21, the server's limits, over real connections: rate limits keyed by the client's
//! address (never by a header the client writes), header and body read timeouts, no stored
//! session for machine and static addresses, sessions kept alive by activity, and malformed
//! bodies answered 400 rather than "too large".

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use support::{app_with, csrf_of, Client};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The example kommun served on a loopback port through the real server, as `blankett serve`
/// serves it.
async fn serve(
    adjust: impl FnOnce(&mut blankett_runtime::config::Config),
) -> (SocketAddr, blankett_runtime::app::AppState) {
    let (router, state) = app_with(adjust).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let timeouts = blankett_runtime::server::ConnectionTimeouts {
        headers: Duration::from_secs(state.config.header_timeout_seconds),
    };
    tokio::spawn(blankett_runtime::server::serve(
        listener,
        router,
        timeouts,
        std::future::pending(),
    ));
    (addr, state)
}

/// One dev log-in attempt with `X-Forwarded-For: forwarded`: its status.
async fn dev_login(http: &reqwest::Client, addr: SocketAddr, forwarded: &str) -> StatusCode {
    let page = http
        .get(format!("http://{addr}/auth/dev"))
        .send()
        .await
        .unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = csrf_of(&page.text().await.unwrap()).unwrap();
    let r = http
        .post(format!("http://{addr}/auth/dev"))
        .header("cookie", cookie)
        .header("x-forwarded-for", forwarded)
        .form(&[("_csrf", token.as_str()), ("person", "191212121212")])
        .send()
        .await
        .unwrap();
    StatusCode::from_u16(r.status().as_u16()).unwrap()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_made_up_forwarded_for_does_not_get_past_the_login_limit() {
    let (addr, _) = serve(|c| c.login_rate_per_minute = 5).await;
    let http = no_redirects();
    let mut statuses = Vec::new();
    for i in 0..8 {
        // Issue 21: each attempt claimed another first hop, and each got a fresh bucket.
        statuses.push(dev_login(&http, addr, &format!("203.0.113.{i}")).await);
    }
    assert_eq!(&statuses[..5], &[StatusCode::SEE_OTHER; 5], "{statuses:?}");
    assert_eq!(
        &statuses[5..],
        &[StatusCode::TOO_MANY_REQUESTS; 3],
        "{statuses:?}"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit() {
    let (addr, state) = serve(|c| {
        c.login_rate_per_minute = 3;
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let http = no_redirects();
    // The proxy appends the address it saw; what the client wrote before it does not count.
    for i in 0..3 {
        let spoofed = format!("10.9.9.{i}, 198.51.100.7");
        assert_eq!(
            dev_login(&http, addr, &spoofed).await,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        dev_login(&http, addr, "10.9.9.99, 198.51.100.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy is not locked out by the first.
    assert_eq!(
        dev_login(&http, addr, "198.51.100.8").await,
        StatusCode::SEE_OTHER
    );
    // The audit trail says where each log-in came from.
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let logins: Vec<_> = state
        .store
        .audit_entries(since, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "login")
        .map(|e| e.client.unwrap())
        .collect();
    assert_eq!(logins.len(), 4, "{logins:?}");
    assert!(logins.contains(&"198.51.100.8".to_string()));
    assert_eq!(
        logins.iter().filter(|c| *c == "198.51.100.7").count(),
        3,
        "{logins:?}"
    );
}

#[tokio::test]
async fn starting_oidc_log_ins_is_limited_before_anything_is_fetched_or_stored() {
    let (addr, _) = serve(|c| {
        c.login_rate_per_minute = 4;
        // A provider that is not there: each start that gets through tries it and fails.
        c.oidc = Some(
            toml::from_str(
                r#"issuer = "http://127.0.0.1:9"
client_id = "blankett"
client_secret = "s"
redirect_url = "http://127.0.0.1:9/auth/oidc/callback""#,
            )
            .unwrap(),
        );
    })
    .await;
    let http = no_redirects();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = http
            .get(format!("http://{addr}/auth/oidc"))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, [503, 503, 503, 503, 429, 429]);
}

/// Reads until the server closes the connection (or `limit` passes): what it sent.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&got).into_owned()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn headers_trickled_or_never_sent_end_the_connection() {
    let (addr, _) = serve(|c| c.header_timeout_seconds = 1).await;
    // A connection that sends nothing, and one that sends its headers a byte a time.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    let trickling = tokio::spawn(async move {
        for b in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " {
            if trickle.write_all(&[*b]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        for _ in 0..50 {
            if trickle.write_all(b"a").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        read_until_closed(&mut trickle, Duration::from_secs(1)).await
    });
    // Closed by the server, well before the test's own limit.
    assert!(read_until_closed(&mut silent, Duration::from_secs(20))
        .await
        .is_some());
    assert!(trickling.await.unwrap().is_some());
}

#[tokio::test]
async fn a_body_trickled_past_the_request_timeout_is_cut_off() {
    let (addr, _) = serve(|c| {
        c.request_timeout_seconds = 2;
        c.body_idle_timeout_seconds = 1;
    })
    .await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(
        b"POST /auth/dev HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n",
    )
    .await
    .unwrap();
    let (mut rd, mut wr) = s.into_split();
    // A byte every half second: never idle for a second, and never done.
    tokio::spawn(async move {
        for _ in 0..200 {
            if wr.write_all(b"a").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let mut got = Vec::new();
    let answered = tokio::time::timeout(Duration::from_secs(20), async {
        let mut buf = [0u8; 4096];
        while let Ok(n) = rd.read(&mut buf).await {
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            if got.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(answered.is_ok(), "the server held the trickled body");
    let head = String::from_utf8_lossy(&got);
    assert!(
        head.starts_with("HTTP/1.1 408") || head.starts_with("HTTP/1.1 400"),
        "{head}"
    );
}

#[tokio::test]
async fn machine_and_static_addresses_store_no_session() {
    let (router, _) = app_with(|_| {}).await;
    let mut c = Client::new(router);
    for path in [
        "/healthz",
        "/metrics",
        "/assets/bankid.js",
        "/orust/theme.css",
    ] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(
            !r.headers.contains_key("set-cookie"),
            "{path} started a session"
        );
    }
    // A person's page still starts one.
    let r = c.get("/").await;
    assert!(r.headers.contains_key("set-cookie"));
}

#[tokio::test]
async fn a_session_used_every_quarter_of_the_idle_timeout_stays_alive() {
    let (router, state) = app_with(|c| c.idle_timeout_minutes = 1).await;
    let mut c = Client::new(router);
    c.get("/").await;
    let id = c.cookie.clone().unwrap()["blankett_session=".len()..].to_string();
    // Last seen 20 seconds ago; active every 15 s, the person was logged out after a minute
    // because `last_seen` was only written after 60 s (issue 21).
    let mut s = state.store.session(&id).await.unwrap().unwrap();
    s.last_seen_at = chrono::Utc::now() - chrono::Duration::seconds(20);
    state.store.put_session(&s).await.unwrap();
    c.get("/").await;
    let seen = state
        .store
        .session(&id)
        .await
        .unwrap()
        .unwrap()
        .last_seen_at;
    assert!(chrono::Utc::now() - seen < chrono::Duration::seconds(5));
    // And ended sessions are purged.
    let n = state
        .store
        .purge_sessions(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert!(n >= 1);
    assert!(state.store.session(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_malformed_multipart_body_is_unreadable_not_too_large() {
    let (router, _) = app_with(|_| {}).await;
    let mut c = Client::new(router);
    let page = c.get("/orust/felanmalan/").await;
    assert_eq!(page.status, StatusCode::OK);
    let first = c.get("/orust/felanmalan/felet").await;
    let token = csrf_of(&first.body).unwrap();
    for (content_type, body) in [
        ("multipart/form-data", "no boundary".to_string()),
        (
            "multipart/form-data; boundary=XYZ",
            format!("--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{token}\r\n--XYZ\r\nContent-Disposition: form-data; name=\"foto\"; filename=\"a.jpg\"\r\n\r\ncut sh"),
        ),
    ] {
        let r = c
            .post_raw("/orust/felanmalan/felet", content_type, body.into_bytes())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{content_type}: {}", r.body);
        assert!(r.body.contains("kunde inte läsas"), "{}", r.body);
    }
}

#[tokio::test]
async fn looking_at_a_question_page_stores_no_draft_and_counts_no_start() {
    let (router, state) = app_with(|_| {}).await;
    let mut c = Client::new(router);
    for _ in 0..3 {
        let r = c.get("/orust/felanmalan/felet").await;
        assert_eq!(r.status, StatusCode::OK);
    }
    let id = c.cookie.clone().unwrap()["blankett_session=".len()..].to_string();
    let owner = format!("session:{id}");
    assert!(state.store.drafts_of(&owner).await.unwrap().is_empty());
    assert!(state
        .store
        .events("orust", "felanmalan")
        .await
        .unwrap()
        .is_empty());
    // The first POST starts the draft, and the journey is counted once.
    let token = csrf_of(&c.get("/orust/felanmalan/felet").await.body).unwrap();
    let r = c
        .post(
            "/orust/felanmalan/felet",
            &[("_csrf", token.as_str()), ("_action", "save")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(state.store.drafts_of(&owner).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_answer_over_its_max_length_is_refused_before_it_is_stored() {
    let (router, state) = app_with(|_| {}).await;
    let mut c = Client::new(router);
    let token = csrf_of(&c.get("/orust/felanmalan/felet").await.body).unwrap();
    let ok = c
        .post(
            "/orust/felanmalan/felet",
            &[
                ("_csrf", token.as_str()),
                ("beskrivning", "Stort hål i asfalten"),
                ("_action", "save"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    // `beskrivning` takes 2,000 characters; 10 MB were stored and echoed (issue 21).
    let huge = "x".repeat(10 * 1024 * 1024);
    let r = c
        .post(
            "/orust/felanmalan/felet",
            &[("_csrf", token.as_str()), ("beskrivning", huge.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.len() < 20_000, "the answer was echoed");
    assert!(r.body.contains("för lång"), "{}", r.body);
    let id = c.cookie.clone().unwrap()["blankett_session=".len()..].to_string();
    let drafts = state
        .store
        .drafts_of(&format!("session:{id}"))
        .await
        .unwrap();
    assert!(drafts[0].answers.contains("Stort hål i asfalten"));
    assert!(!drafts[0].answers.contains("xxxx"));
    // A line break counts once, as the browser counts it, though it arrives as CR LF.
    let lines = "rad\r\n".repeat(450);
    let r = c
        .post(
            "/orust/felanmalan/felet",
            &[
                ("_csrf", token.as_str()),
                ("beskrivning", lines.as_str()),
                ("_action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}
