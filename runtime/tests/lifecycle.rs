//! Sessions end when idle, submissions are rate-limited, retention deletes what is old, and a
//! draft keeps its form version across an upgrade unless the change is compatible.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_runtime::submission::compatible;
use support::{app, csrf_of, Client};

#[tokio::test]
async fn an_idle_session_ends_and_a_new_one_starts() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    c.login("198112289874").await;
    let id = c
        .cookie
        .clone()
        .unwrap()
        .trim_start_matches("blankett_session=")
        .to_string();
    let mut s = state.store.session(&id).await.unwrap().unwrap();
    // Last seen 16 minutes ago: past the default idle timeout of 15.
    s.last_seen_at = chrono::Utc::now() - chrono::Duration::minutes(16);
    state.store.put_session(&s).await.unwrap();
    let r = c.get("/mina-sidor").await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "logged out: Mina sidor asks for a login again"
    );
    assert!(
        state.store.session(&id).await.unwrap().is_none(),
        "the idle session is deleted"
    );
    assert_ne!(
        c.cookie.unwrap(),
        format!("blankett_session={id}"),
        "a new session id is issued"
    );
}

#[tokio::test]
async fn submissions_are_rate_limited_per_session() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let token = c.csrf("/orust/felanmalan/felet").await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(
            c.post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
                .await
                .status,
        );
    }
    assert!(statuses[..10]
        .iter()
        .all(|s| *s != StatusCode::TOO_MANY_REQUESTS));
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
}

#[tokio::test]
async fn retention_deletes_old_drafts_and_submissions_only() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    // A saved page starts the draft (looking at one stores nothing).
    let token = c.csrf("/orust/felanmalan/felet").await;
    c.post(
        "/orust/felanmalan/felet",
        &[("_csrf", &token), ("_action", "save")],
    )
    .await;
    let owner = {
        let id = c
            .cookie
            .clone()
            .unwrap()
            .trim_start_matches("blankett_session=")
            .to_string();
        format!("session:{id}")
    };
    assert_eq!(state.store.drafts_of(&owner).await.unwrap().len(), 1);
    // Today nothing has passed its period.
    assert_eq!(
        blankett_runtime::app::purge_expired(&state, chrono::Utc::now()).await,
        (0, 0)
    );
    // 31 days on, the draft has (30 days by default).
    let later = chrono::Utc::now() + chrono::Duration::days(31);
    assert_eq!(
        blankett_runtime::app::purge_expired(&state, later).await.0,
        1
    );
    assert!(state.store.drafts_of(&owner).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_logged_in_person_can_save_and_continue_later() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    c.login("198112289874").await;
    let page = c.get("/orust/felanmalan/felet").await;
    assert!(page.body.contains("Spara och fortsätt senare"));
    let token = csrf_of(&page.body).unwrap();
    let r = c
        .post(
            "/orust/felanmalan/felet",
            &[
                ("_csrf", &token),
                ("beskrivning", "Halvfärdig"),
                ("_action", "save"),
            ],
        )
        .await;
    assert_eq!(r.location.as_deref(), Some("/mina-sidor?sparad=1"));
    let mina = c.get("/mina-sidor?sparad=1").await;
    // minijinja's HTML escaping writes `/` as `&#x2f;` inside attributes.
    let body = mina.body.replace("&#x2f;", "/");
    assert!(
        body.contains("href=\"/orust/felanmalan/felet\""),
        "the draft is listed with a link to resume"
    );
    let again = c.get("/orust/felanmalan/felet").await;
    assert!(
        again.body.contains("Halvfärdig"),
        "resuming shows what was saved"
    );
    // Anonymous people have no Mina sidor: no button that promises one.
    let mut anon = Client::new(c.app.clone());
    assert!(!anon
        .get("/orust/felanmalan/felet")
        .await
        .body
        .contains("Spara och fortsätt senare"));
}

#[tokio::test]
async fn a_draft_moves_to_a_compatible_new_version_and_stays_on_its_own_otherwise() {
    let (_, state) = app().await;
    let reg = state.registry();
    let (_, s) = reg.service("orust", "felanmalan").unwrap();
    let form = (*s.form).clone();
    let answers: blankett_runtime::compiler::eval::Answers =
        serde_json::from_value(serde_json::json!({"kategori": "gata", "beskrivning": "Ett hål"}))
            .unwrap();
    // The same questions, a new text: compatible.
    let mut relabelled = form.clone();
    relabelled.title = blankett_runtime::compiler::ir::Text::sv("Felanmälan (ny)");
    assert!(compatible(&relabelled, &answers));
    // A removed choice that the draft chose: not compatible.
    let mut narrowed = form.clone();
    let k = narrowed.field("kategori").unwrap();
    narrowed.fields[k].choices.retain(|c| c.value != "gata");
    assert!(!compatible(&narrowed, &answers));
    // A removed question that the draft answered: not compatible.
    let mut removed = form.clone();
    let b = removed.field("beskrivning").unwrap();
    removed.fields[b].path = "ny_beskrivning".into();
    assert!(!compatible(&removed, &answers));
    // The old version is kept by its hash, so a draft on it can continue.
    assert!(state
        .store
        .form_version(&form.hash)
        .await
        .unwrap()
        .is_some());
}
