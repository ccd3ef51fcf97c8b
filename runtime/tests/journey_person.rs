//! The logged-in person, warnings and stop pages, as a citizen meets them: serveringstillstånd
//! served for Orust, filled in over HTTP after a log-in with the development e-ID.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::{app, csrf_of, Client};

const BASE: &str = "/orust/serveringstillstand";
/// Anna Andersson, one of the development e-ID's test persons, 44 years old.
const ANNA: &str = "198112289874";

/// Logged in as Anna, at the applicant page with its CSRF token.
async fn at_applicant_page(c: &mut Client) -> (String, String) {
    c.login(ANNA).await;
    let start = c.get(&format!("{BASE}/")).await;
    assert_eq!(start.status, StatusCode::OK);
    // The age gate is a stop page for those under 20: Anna goes past it to the applicant page.
    let gate = c.get(&format!("{BASE}/for_ung")).await;
    assert_eq!(
        gate.location.as_deref(),
        Some("/orust/serveringstillstand/sokande")
    );
    let page = c.get(&format!("{BASE}/sokande")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = csrf_of(&page.body).unwrap();
    (page.body, token)
}

async fn answers_of(state: &blankett_runtime::app::AppState) -> serde_json::Value {
    let drafts = state.store.drafts_of(&format!("pnr:{ANNA}")).await.unwrap();
    let draft = drafts
        .iter()
        .find(|d| d.form == "serveringstillstand")
        .unwrap();
    serde_json::from_str(&draft.answers).unwrap()
}

#[tokio::test]
async fn the_applicant_is_prefilled_from_the_e_id_and_a_posted_value_is_ignored() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    let (page, token) = at_applicant_page(&mut c).await;
    // Shown as values, not inputs.
    for shown in [
        "Anna",
        "Andersson",
        "19811228-9874",
        "Hämtat från din e-legitimation.",
    ] {
        assert!(page.contains(shown), "{shown} on the page: {page}");
    }
    for input in [
        "sokande_fornamn",
        "sokande_efternamn",
        "sokande_personnummer",
    ] {
        assert!(
            !page.contains(&format!("name=\"{input}\"")),
            "{input} is locked, not an input: {page}"
        );
    }
    // A forged POST of another personnummer and name changes nothing.
    let r = c
        .post(
            &format!("{BASE}/sokande"),
            &[
                ("_csrf", &token),
                ("sokande_personnummer", "19121212-1212"),
                ("sokande_fornamn", "Tolvan"),
                ("bara_folkol", "false"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some("/orust/serveringstillstand/tillstandet")
    );
    let answers = answers_of(&state).await;
    assert_eq!(answers["sokande_personnummer"], "19811228-9874");
    assert_eq!(answers["sokande_fornamn"], "Anna");
    assert_eq!(answers["sokande_efternamn"], "Andersson");
}

#[tokio::test]
async fn a_warning_is_shown_on_the_first_post_and_passed_on_the_second() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    let (_, token) = at_applicant_page(&mut c).await;
    c.post(
        &format!("{BASE}/sokande"),
        &[("_csrf", &token), ("bara_folkol", "false")],
    )
    .await;
    // Opening in ten days: sooner than processing usually takes.
    let soon = chrono::Local::now().date_naive() + chrono::Duration::days(10);
    let (day, month, year) = (
        soon.format("%d").to_string(),
        soon.format("%m").to_string(),
        soon.format("%Y").to_string(),
    );
    let page = [
        ("_csrf", token.as_str()),
        ("tillstand_for", "allmanheten"),
        ("drycker", "vin"),
        ("overtar_verksamhet", "false"),
        ("oppningsdatum.day", &day),
        ("oppningsdatum.month", &month),
        ("oppningsdatum.year", &year),
    ];
    let first = c.post(&format!("{BASE}/tillstandet"), &page).await;
    assert_eq!(
        first.status,
        StatusCode::OK,
        "the warning stops the first post"
    );
    assert!(
        first
            .body
            .contains("Handläggningen tar ofta två till tre månader"),
        "{}",
        first.body
    );
    assert!(first.body.contains("bk-warning-message"));
    assert!(
        !first.body.contains("<title>Fel: "),
        "a warning is not an error"
    );
    let second = c.post(&format!("{BASE}/tillstandet"), &page).await;
    assert_eq!(second.status, StatusCode::SEE_OTHER, "{}", second.body);
    assert_eq!(
        second.location.as_deref(),
        Some("/orust/serveringstillstand/bolaget")
    );
    // A later look at the page does not warn again, and the answer is kept.
    let again = c.get(&format!("{BASE}/tillstandet")).await;
    assert!(!again.body.contains("bk-warning-message"));
    assert_eq!(answers_of(&state).await["tillstand_for"], "allmanheten");
}

#[tokio::test]
async fn a_stop_page_ends_the_journey_and_a_forged_submit_is_refused() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    let (_, token) = at_applicant_page(&mut c).await;
    let r = c
        .post(
            &format!("{BASE}/sokande"),
            &[("_csrf", &token), ("bara_folkol", "true")],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/orust/serveringstillstand/behover_inte_ansoka")
    );
    let stop = c.get(&format!("{BASE}/behover_inte_ansoka")).await;
    assert_eq!(stop.status, StatusCode::OK);
    assert!(stop
        .body
        .contains("Folköl kräver inget serveringstillstånd"));
    assert!(stop.body.contains("bk-back-link"), "a way back");
    assert!(
        !stop.body.contains(">Fortsätt</button>"),
        "no continue: {}",
        stop.body
    );
    assert!(!stop.body.contains("name=\"_action\""), "nothing to post");
    // Pages after it, the check page and a submit all lead back to it.
    let later = c.get(&format!("{BASE}/bolaget")).await;
    assert_eq!(
        later.location.as_deref(),
        Some("/orust/serveringstillstand/behover_inte_ansoka")
    );
    let check = c.get(&format!("{BASE}/kontrollera")).await;
    assert_eq!(
        check.location.as_deref(),
        Some("/orust/serveringstillstand/behover_inte_ansoka")
    );
    let forged = c
        .post(&format!("{BASE}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert_eq!(
        forged.location.as_deref(),
        Some("/orust/serveringstillstand/behover_inte_ansoka")
    );
    let posted_on_stop = c
        .post(&format!("{BASE}/behover_inte_ansoka"), &[("_csrf", &token)])
        .await;
    assert_eq!(
        posted_on_stop.location.as_deref(),
        Some("/orust/serveringstillstand/behover_inte_ansoka")
    );
    let sent = state
        .store
        .submissions_of(&format!("pnr:{ANNA}"))
        .await
        .unwrap();
    assert!(sent.is_empty(), "nothing was submitted: {sent:?}");
}
