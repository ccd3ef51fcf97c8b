//! Issue 21: what an attacker's probe of the server found, each attack replayed as sent and
//! shown refused: open redirects before and after log-in, a flood of repeat rows, and logging
//! a person out from another site.

mod support;

use axum::http::StatusCode;
use support::{app, app_with, Client};

const PERSON: &str = "191212121212";

#[tokio::test]
async fn the_start_redirect_never_leaves_the_site() {
    let (router, _) = app_with(|c| c.dev = false).await;
    let mut c = Client::new(router);
    // Decoded, these segments were `/evil.example` and `\evil.example`: the Location became
    // `//evil.example/x/`, which a browser follows to another host.
    for probe in ["/%2Fevil.example/x", "/%5Cevil.example/x"] {
        let r = c.get(probe).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{probe}");
        assert_eq!(r.location, None, "{probe}");
    }
    // An e-service that is not served is not redirected to either.
    let r = c.get("/orust/finns-inte").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.location, None);

    let r = c.get("/orust/felanmalan").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/orust/felanmalan/"));
    // The kommun's logo shares the route and still answers.
    let logo = c.get("/orust/logo.svg").await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.headers["content-type"], "image/svg+xml");
}

#[tokio::test]
async fn a_log_in_does_not_lead_to_another_site() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let token = c.csrf("/auth/dev").await;
    // `next=/%09/evil.example/` as the browser posts it: a tab after the first slash, which
    // browsers drop, leaving `//evil.example/`.
    let r = c
        .post(
            "/auth/dev",
            &[
                ("_csrf", &token),
                ("person", PERSON),
                ("next", "/\t/evil.example/"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/mina-sidor"));

    // A local `next` is still followed, with its query.
    let mut c = Client::new(app().await.0);
    let token = c.csrf("/auth/dev").await;
    let r = c
        .post(
            "/auth/dev",
            &[
                ("_csrf", &token),
                ("person", PERSON),
                ("next", "/orust/bygglov/arendet?tillbaka=kontrollera"),
            ],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/orust/bygglov/arendet?tillbaka=kontrollera")
    );
}
