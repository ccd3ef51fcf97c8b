//! Issue 21: what an attacker's probe of the server found, each attack replayed as sent and
//! shown refused: open redirects before and after log-in, a flood of repeat rows, and logging
//! a person out from another site.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::{app, app_with, csrf_of, Client};

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

const AGGREGAT: &str = "/orust/koldmedium/aggregaten";

/// The person's stored draft of köldmedierapporten: its answers and when it was saved.
async fn koldmedium_draft(state: &blankett_runtime::app::AppState) -> (String, String) {
    let drafts = state
        .store
        .drafts_of(&format!("pnr:{PERSON}"))
        .await
        .unwrap();
    let d = drafts.iter().find(|d| d.form == "koldmedium").unwrap();
    (d.answers.clone(), d.updated_at.to_rfc3339())
}

/// `aggregat[i].benamning` for each `i` of `rows`, after the page's CSRF token.
fn rows_post(token: &str, rows: impl Iterator<Item = usize>) -> Vec<(String, String)> {
    let mut pairs = vec![("_csrf".to_string(), token.to_string())];
    pairs.extend(rows.map(|i| (format!("aggregat[{i}].benamning"), format!("KA{i}"))));
    pairs
}

async fn post_owned(c: &mut Client, path: &str, pairs: &[(String, String)]) -> support::Response {
    let borrowed: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post(path, &borrowed).await
}

#[tokio::test]
async fn a_flood_of_repeat_rows_is_refused_and_the_draft_kept() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    c.login(PERSON).await;
    let page = c.get(AGGREGAT).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = csrf_of(&page.body).unwrap();
    // Looking at the page stores nothing; saving one row stores the draft.
    let mut one = rows_post(&token, 0..1);
    one.push(("_action".into(), "save".into()));
    assert_eq!(
        post_owned(&mut c, AGGREGAT, &one).await.status,
        StatusCode::SEE_OTHER
    );
    let before = koldmedium_draft(&state).await;

    // 20,000 distinct rows (a 614 kB body): once 14.5 s, a 218 MB page, and the rows stored.
    let flood = post_owned(&mut c, AGGREGAT, &rows_post(&token, 0..20_000)).await;
    assert_eq!(flood.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(flood.body.contains("För många rader"), "{}", flood.body);
    assert!(flood.body.len() < 20_000, "a short message page");
    assert_eq!(
        koldmedium_draft(&state).await,
        before,
        "the draft as it was"
    );

    // One more row than the repeat's `max_items` (50) is refused the same way.
    let r = post_owned(&mut c, AGGREGAT, &rows_post(&token, 0..51)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // So is one row with an index no page ever draws.
    let r = post_owned(
        &mut c,
        AGGREGAT,
        &rows_post(&token, [4_000_000_000].into_iter()),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Raderna kunde inte läsas"), "{}", r.body);
    assert_eq!(
        koldmedium_draft(&state).await,
        before,
        "the draft as it was"
    );

    let again = c.get(AGGREGAT).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.len() < 200_000, "{} bytes", again.body.len());
    assert!(!again.body.contains("value=\"KA1\""), "no rows were stored");

    // An ordinary page of three rows is read and stored.
    let r = post_owned(&mut c, AGGREGAT, &rows_post(&token, 0..3)).await;
    assert!(r.status.is_success() || r.status.is_redirection());
    let (answers, _) = koldmedium_draft(&state).await;
    let answers: serde_json::Value = serde_json::from_str(&answers).unwrap();
    let names: Vec<&str> = answers["aggregat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["benamning"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["KA0", "KA1", "KA2"]);
    assert!(c.get(AGGREGAT).await.body.contains("value=\"KA2\""));
}

/// Whether the session cookie `cookie` still belongs to the logged-in person.
async fn logged_in(c: &mut Client, cookie: &str) -> bool {
    c.cookie = Some(cookie.to_string());
    let r = c.get("/mina-sidor").await;
    r.status == StatusCode::OK && r.body.contains("Tolvan Tolvansson")
}

#[tokio::test]
async fn logging_out_takes_a_post_with_the_sessions_token() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    c.login(PERSON).await;
    let cookie = c.cookie.clone().unwrap();
    assert!(logged_in(&mut c, &cookie).await);

    // A link or an image on any site could GET this address.
    let r = c.get("/orust/felanmalan/logga-ut").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(logged_in(&mut c, &cookie).await, "a GET does not log out");
    let r = c.get("/auth/logga-ut").await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(logged_in(&mut c, &cookie).await, "a GET does not log out");
    // A form on another site can POST, but cannot know the token.
    let r = c.post("/orust/felanmalan/logga-ut", &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(
        logged_in(&mut c, &cookie).await,
        "the old address takes no POST"
    );
    let r = c.post("/auth/logga-ut", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(logged_in(&mut c, &cookie).await, "a POST without the token");
    let r = c.post("/auth/logga-ut", &[("_csrf", "gissat")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(logged_in(&mut c, &cookie).await);

    // The journey's own control: a form that posts there with the token, no script needed.
    let page = c.get("/orust/felanmalan/").await;
    let form = page
        .body
        .find("action=\"/auth/logga-ut\"")
        .expect("a log-out form on the journey's pages");
    let token = csrf_of(&page.body[form..]).unwrap();
    let r = c.post("/auth/logga-ut", &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location.as_deref(), Some("/"));
    assert_eq!(c.cookie, None, "the cookie is cleared");
    assert!(!logged_in(&mut c, &cookie).await, "the session is gone");
}
