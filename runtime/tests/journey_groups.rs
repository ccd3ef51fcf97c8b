//! Answers read back under the heading of the fragment use they came from, as a citizen sees
//! them: the error summary of a posted page, check-your-answers, the receipt. The same fragment
//! used for each weekday (barnomsorg_schema) or for inomhus and utomhus (serveringstillstånd)
//! would otherwise show the same question several times with nothing to tell them apart.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::{app, csrf_of, draft, Client};

const MARIA: &str = "199001012385";

/// The index of the form's own scenario test called `name`.
fn case(state: &blankett_runtime::app::AppState, form: &str, name: &str) -> usize {
    let reg = state.registry();
    let (_, svc) = reg.service("orust", form).unwrap();
    svc.form.tests.iter().position(|t| t.name == name).unwrap()
}

#[tokio::test]
async fn the_error_summary_names_the_day_a_fragment_rule_is_about() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "barnomsorg_schema", 0, MARIA, &[]).await;
    let base = "/orust/barnomsorg_schema";
    let page = c.get(&format!("{base}/tider_a")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // The page draws each day's two questions in a group under the day.
    assert!(page.body.contains("Onsdag"), "{}", page.body);
    let token = csrf_of(&page.body).unwrap();
    let r = c
        .post(
            &format!("{base}/tider_a"),
            &[
                ("_csrf", &token),
                ("mandag.lamning", "07:30"),
                ("mandag.hamtning", "16:00"),
                // Picked up before being dropped off: the fragment's own rule, for Wednesday.
                ("onsdag.lamning", "14:00"),
                ("onsdag.hamtning", "08:00"),
                ("fredag.lamning", "07:30"),
                ("fredag.hamtning", "15:00"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the page comes back with its error"
    );
    let summary = &r.body[r.body.find("bk-error-summary__list").unwrap()..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    assert!(
        summary.contains(
            "Onsdag: Hämtningen måste vara senare än lämningen. Skriv klockslagen som 07:30 och 16:15."
        ),
        "{summary}"
    );
    assert!(!summary.contains("Måndag"), "Monday is fine: {summary}");
}

#[tokio::test]
async fn check_your_answers_and_the_receipt_show_each_days_times_under_the_day() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "barnomsorg_schema", 0, MARIA, &[]).await;
    let base = "/orust/barnomsorg_schema";
    let check = c.get(&format!("{base}/kontrollera")).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let headings: Vec<&str> = ["Måndag", "Onsdag", "Fredag"]
        .into_iter()
        .filter(|d| {
            check
                .body
                .contains(&format!(r#"<h3 class="bk-heading-s">{d}</h3>"#))
        })
        .collect();
    assert_eq!(headings, ["Måndag", "Onsdag", "Fredag"], "{}", check.body);
    // Each day's heading stands before that day's times.
    let onsdag = check.body.find(">Onsdag</h3>").unwrap();
    let fredag = check.body.find(">Fredag</h3>").unwrap();
    let between = &check.body[onsdag..fredag];
    assert!(
        between.contains("08:00") && between.contains("16:30"),
        "{between}"
    );

    let token = csrf_of(&check.body).unwrap();
    let sent = c
        .post(&format!("{base}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let receipt_url = sent.location.unwrap();
    let receipt = c.get(&receipt_url).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(
        receipt
            .body
            .contains(r#"<h3 class="bk-heading-s">Onsdag</h3>"#),
        "{}",
        receipt.body
    );
    // Mina sidor shows the answers through the same receipt.
    let id = receipt_url.rsplit('/').next().unwrap();
    let mina = c.get("/mina-sidor").await;
    assert!(mina.body.contains(id), "{}", mina.body);
}

#[tokio::test]
async fn serveringstillstand_shows_the_hours_under_inomhus_and_utomhus() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    let n = case(
        &state,
        "serveringstillstand",
        "senare tider med motivering och uteservering till 23 går igenom",
    );
    draft(&state, "serveringstillstand", n, MARIA, &[]).await;
    let check = c.get("/orust/serveringstillstand/kontrollera").await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let inne = check
        .body
        .find(r#"<h3 class="bk-heading-s">Inomhus</h3>"#)
        .expect("an Inomhus heading");
    let ute = check
        .body
        .find(r#"<h3 class="bk-heading-s">Utomhus</h3>"#)
        .expect("an Utomhus heading");
    assert!(inne < ute);
    // "Till klockan" twice, once under each heading, with its own answer.
    assert!(check.body[inne..ute].contains("02.00"));
    assert!(check.body[ute..].contains("23.00"));

    // Posting the page without utomhus's times: its closing time is required even though
    // the use says `required: false` (the fragment marks it itself), its opening time is not,
    // and the summary says which closing time it means.
    let page = c.get("/orust/serveringstillstand/serveringstider").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = csrf_of(&page.body).unwrap();
    let r = c
        .post(
            "/orust/serveringstillstand/serveringstider",
            &[
                ("_csrf", &token),
                ("normaltid", "false"),
                ("inomhus.fran", "kl_11"),
                ("inomhus.till", "kl_02"),
                ("tider_motivering", "Dans med livemusik på fredagar."),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let summary = &r.body[r.body.find("bk-error-summary__list").unwrap()..];
    let summary = &summary[..summary.find("</ul>").unwrap()];
    assert!(
        summary.contains("Utomhus: Välj ett svar på ”Till klockan”."),
        "{summary}"
    );
    assert_eq!(summary.matches("<li>").count(), 1, "{summary}");
}
