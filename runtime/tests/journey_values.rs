//! What the citizen sees of values, over HTTP: a computed value with `show: false` is on no
//! page and not on check your answers, yet it is in the signed and stored XML; amounts show
//! öre with two decimals; "Lägg till en rad" gives an empty row without errors.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::{app_with, csrf_of, draft, Client};

const MARIA: &str = "199001012385";

#[tokio::test]
async fn a_hidden_value_is_submitted_but_never_shown() {
    let (router, state, sim) = support::bankid::app_with_simulator().await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    // Bygglov's first test case: a new house, which normally needs a certified inspector.
    draft(&state, "bygglov", 0, MARIA, &[]).await;

    let page = c.get("/orust/bygglov/arendet").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        !page.body.contains("kräver normalt en kontrollansvarig"),
        "not drawn on its page: {}",
        page.body
    );
    let check = c.get("/orust/bygglov/kontrollera").await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    assert!(
        check.body.contains("Sammanlagd byggnadsarea"),
        "shown computed values stay"
    );
    assert!(
        !check.body.contains("kräver normalt en kontrollansvarig"),
        "not on check your answers: {}",
        check.body
    );
    assert!(
        check.body.contains("Karin Ström"),
        "the page the hidden value opens is in the summary"
    );

    let waiting = support::bankid::sign_and_send(&mut c, "bygglov").await;
    let receipt = support::bankid::complete(&mut c, &state, &sim, &waiting, MARIA).await;
    assert!(receipt.starts_with("/orust/bygglov/kvitto/"), "{receipt}");
    let sid = receipt.rsplit('/').next().unwrap();
    let stored = state.store.submission(sid).await.unwrap().unwrap();
    assert!(
        stored.xml.contains("kraver_kontrollansvarig>true<"),
        "the hidden value is submitted: {}",
        stored.xml
    );
    let page = c.get(&receipt).await;
    assert!(!page.body.contains("kräver normalt en kontrollansvarig"));
}

#[tokio::test]
async fn row_helpers_are_hidden_and_amounts_show_ore() {
    let (router, state) = app_with(|_| {}).await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(
        &state,
        "serveringstillstand",
        0,
        MARIA,
        &[("investering", "500000.5")],
    )
    .await;
    let check = c.get("/orust/serveringstillstand/kontrollera").await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    assert!(
        check.body.contains("000,50 kr"),
        "öre with two decimals: {}",
        check.body
    );
    assert!(
        !check.body.contains("Ålder:"),
        "the age helper of each row is not shown"
    );
}

#[tokio::test]
async fn a_new_row_shows_no_errors_until_it_is_posted() {
    let (router, state) = app_with(|_| {}).await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let page = c.get("/orust/bygglov/areor").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = csrf_of(&page.body).unwrap();
    let row = [
        ("_csrf", token.as_str()),
        ("byggnader[0].benamning", "Bostadshus"),
        ("byggnader[0].byggnadsarea", "142,5"),
        ("byggnader[0].bruttoarea", "128"),
    ];
    let mut add = row.to_vec();
    add.push(("_action", "add:byggnader"));
    let r = c.post("/orust/bygglov/areor", &add).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        !r.body.contains("<title>Fel: "),
        "the fresh row has no errors: {}",
        r.body
    );
    assert!(r.body.contains("byggnader[1].benamning"), "{}", r.body);

    // Once something is written in it, the row is checked like the others.
    let mut half = row.to_vec();
    half.push(("byggnader[1].benamning", "Garage"));
    let r = c.post("/orust/bygglov/areor", &half).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<title>Fel: "), "{}", r.body);
}
