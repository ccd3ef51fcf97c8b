//! Signers over HTTP, in process, with the BankID simulator on loopback as the BankID: a
//! company's serveringstillstånd signed by the applicant and the firmatecknare (delivered only
//! after the second, each shown in their role); everyone signs what they see (a co-signer's
//! page and the e-ID's visible text hold every answer of the signed XML, repeat rows too); the
//! wrong person is refused and the request stays open; one clock for sending and signing.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_compiler::eval::signers::LoggedIn;
use blankett_compiler::ir::Signing;
use blankett_runtime::app::AppState;
use blankett_runtime::auth::bankid::simulator::Simulator;
use blankett_runtime::submission::signing::{self, SignatureState};
use blankett_runtime::submission::{shown, signers, SubmissionStatus};
use support::bankid::{app_with_simulator as setup, complete, fully_signed_events, sign_and_send};
use support::{app_with, csrf_of, draft, Client};

/// "Erik Eriksson" among the test persons.
const ERIK: &str = "199001012385";
/// "Anna Andersson".
const ANNA: &str = "198112289874";
const TOLVAN: &str = "191212121212";

/// The first invitation link on a page.
fn invitation(body: &str) -> String {
    let body = body.replace("&#x2f;", "/");
    let start = body
        .find("/underskrift/")
        .unwrap_or_else(|| panic!("an invitation link: {body}"));
    body[start..].split('"').next().unwrap().to_string()
}

/// serveringstillstånd's first scenario, sent by `pnr`, with `firmatecknare` (written
/// `ÅÅÅÅMMDD-NNNN`) in the scenario's firmatecknare's place everywhere.
async fn company_draft(state: &AppState, pnr: &str, firmatecknare: &str) {
    let reg = state.registry();
    let (_, svc) = reg.service("orust", "serveringstillstand").unwrap();
    let answers = serde_json::to_string(&svc.form.tests[0].answers)
        .unwrap()
        .replace("19850315-9819", firmatecknare);
    let now = chrono::Utc::now();
    state
        .store
        .put_draft(&blankett_runtime::store::Draft {
            id: uuid::Uuid::new_v4().to_string(),
            owner: format!("pnr:{pnr}"),
            kommun: "orust".into(),
            form: "serveringstillstand".into(),
            form_hash: svc.form.hash.clone(),
            answers,
            page: svc.form.pages[0].id.clone(),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn a_company_is_signed_by_the_applicant_and_the_firmatecknare_and_delivered_after_both() {
    let (router, state, sim) = setup().await;
    let mut erik = Client::new(router.clone());
    erik.login(ERIK).await;
    // The scenario's firmatecknare (also among the people with influence, as a rule asks)
    // is Anna.
    company_draft(&state, ERIK, "19811228-9874").await;
    let waiting = sign_and_send(&mut erik, "serveringstillstand").await;
    let receipt = complete(&mut erik, &state, &sim, &waiting, ERIK).await;
    let id = receipt.rsplit('/').next().unwrap().to_string();
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(
        s.status,
        SubmissionStatus::VantarPaUnderskrift,
        "not delivered after the first"
    );
    assert_eq!(fully_signed_events(&state, "serveringstillstand").await, 0);
    let page = erik.get(&receipt).await;
    assert!(
        page.body
            .contains("Underskriven av <strong>Test Person</strong> (Sökande)"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Firmatecknare Erik, <span class=\"bk-nowrap\">19811228-9874</span>: väntar"),
        "{}",
        page.body
    );
    let mina = erik.get("/mina-sidor").await;
    assert!(
        mina.body.contains("Firmatecknare") && mina.body.contains("väntar"),
        "{}",
        mina.body
    );
    let invite = invitation(&page.body);

    // Someone else with the link is refused, and the invitation stays open.
    let mut tolvan = Client::new(router.clone());
    tolvan.login(TOLVAN).await;
    let r = tolvan.get(&invite).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Inbjudan gäller någon annan"));

    // The firmatecknare logs in on their own, reads everything and signs.
    let mut anna = Client::new(router.clone());
    anna.login(ANNA).await;
    let page = anna.get(&invite).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Hamnkrogen i Henån AB"),
        "the firmatecknare sees the answers"
    );
    let token = csrf_of(&page.body).unwrap();
    let r = anna.post(&invite, &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let back = complete(&mut anna, &state, &sim, &r.location.unwrap(), ANNA).await;
    assert_eq!(back, invite);

    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::Mottagen);
    let sigs = state.store.signatures_of(&id).await.unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(
        sigs.iter().all(|g| signing::verify(&s.xml, g)),
        "both signed the exact bytes"
    );
    assert!(matches!(
        signing::signature_state(&state, &s).await.unwrap(),
        SignatureState::Signed(_)
    ));
    assert_eq!(
        fully_signed_events(&state, "serveringstillstand").await,
        1,
        "complete once, after the second"
    );
    let page = erik.get(&receipt).await;
    assert!(
        page.body.contains("(Sökande)") && page.body.contains("(Firmatecknare)"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn an_applicant_who_is_the_firmatecknare_signs_once_and_an_enskild_firma_has_none() {
    let (_, state, _) = setup().await;
    let reg = state.registry();
    let (_, svc) = reg.service("orust", "serveringstillstand").unwrap();
    let form = &svc.form;
    let mut answers = form.tests[0].answers.clone();
    answers.insert(
        "firmatecknare.personnummer".into(),
        serde_json::json!("19811228-9874"),
    );
    let outcome =
        blankett_compiler::eval::evaluate(form, &answers, blankett_runtime::submission::today());
    let roles = |who: &str| -> Vec<String> {
        signers::due(form, &outcome, &LoggedIn::new(who, "Test Person"))
            .into_iter()
            .map(|d| d.role)
            .collect()
    };
    assert_eq!(roles(ERIK), ["sokande", "firmatecknare"]);
    assert_eq!(
        roles(ANNA),
        ["sokande"],
        "the firmatecknare who sends signs once"
    );
    answers.insert("bolagsform".into(), serde_json::json!("enskild_firma"));
    let outcome =
        blankett_compiler::eval::evaluate(form, &answers, blankett_runtime::submission::today());
    let due = signers::due(form, &outcome, &LoggedIn::new(ERIK, "Test Person"));
    assert_eq!(due.len(), 1, "an enskild firma: only the one who sends");
}

#[tokio::test]
async fn the_second_guardian_sees_every_repeat_row_they_sign() {
    let (router, state, sim) = setup().await;
    let mut erik = Client::new(router.clone());
    erik.login(ERIK).await;
    draft(
        &state,
        "barnomsorg",
        1,
        ERIK,
        &[
            ("vardnadshavare_1.person.personnummer", "19900101-2385"),
            ("vardnadshavare_2.person.personnummer", "19811228-9874"),
        ],
    )
    .await;
    let waiting = sign_and_send(&mut erik, "barnomsorg").await;
    let visible = sim_visible_text(&state, &sim, &waiting).await;
    let receipt = complete(&mut erik, &state, &sim, &waiting, ERIK).await;
    let invite = invitation(&erik.get(&receipt).await.body);
    let mut anna = Client::new(router);
    anna.login(ANNA).await;
    let page = anna.get(&invite).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // barnomsorg's omsorgstider: five rows, Friday's pick-up at 15:00.
    assert!(
        page.body.contains("Omsorgstider")
            || page.body.contains("omsorgstider")
            || page.body.contains("Rad 5"),
        "{}",
        page.body
    );
    for day in ["Måndag", "Fredag"] {
        assert!(
            page.body.contains(day),
            "the row of {day} is shown: {}",
            page.body
        );
        assert!(visible.contains(day), "and in the app's text: {visible}");
    }
    assert!(page.body.contains("15:00") && visible.contains("15:00"));
}

/// What the simulated app would show for the order at `waiting`.
async fn sim_visible_text(state: &AppState, sim: &Simulator, waiting: &str) -> String {
    let _ = sim;
    let id = waiting.rsplit('/').next().unwrap();
    let order = state.store.eid_order(id).await.unwrap().unwrap();
    let data: serde_json::Value = serde_json::from_str(&order.data).unwrap();
    // The order keeps what it was started with; the visible text is the form's summary of the
    // same answers, which `visible_summary` makes.
    let pending = &data["sign"];
    let s = state
        .store
        .drafts_of(&format!("pnr:{ERIK}"))
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    let reg = state.registry();
    let (_, svc) = reg.service("orust", &s.form).unwrap();
    let answers = blankett_runtime::submission::parse_answers(&s.answers).unwrap();
    let outcome = blankett_compiler::eval::evaluate(
        &svc.form,
        &answers,
        blankett_runtime::submission::today(),
    );
    assert!(pending.is_object(), "a signature order: {data}");
    signing::visible_summary(&svc.form, &outcome)
}

/// For every library form that is signed: each answer the signed XML holds is on the signing
/// page (as the check page shows it, repeat rows included) and in the e-ID's visible text, or
/// that text says it was shortened.
#[tokio::test]
async fn every_signed_form_shows_every_answer_its_xml_holds() {
    let (_, state, _) = setup().await;
    let reg = state.registry();
    let mut checked = 0;
    for form in reg
        .kommuner
        .values()
        .flat_map(|k| k.services.values())
        .map(|s| &s.form)
    {
        if form.signing == Signing::None {
            continue;
        }
        for case in &form.tests {
            let outcome = blankett_compiler::eval::evaluate(
                form,
                &case.answers,
                blankett_runtime::submission::today(),
            );
            let xml = blankett_compiler::backend::submission::to_xml(form, &outcome);
            let page = shown::all_text(&shown::sections(form, &outcome, "sv"));
            let visible = signing::visible_summary(form, &outcome);
            let shortened = visible.contains(shown::SHORTENED);
            for (path, value) in &outcome.values {
                let field_path = blankett_compiler::eval::form::field_path(path);
                let Some(id) = form.field(&field_path) else {
                    continue;
                };
                let f = &form.fields[id];
                if !f.kind.is_input() || !outcome.is_visible(path) || !value.is_answered() {
                    continue;
                }
                if let blankett_compiler::expr::Value::Text(t) = value {
                    let escaped = t
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;");
                    if !xml.contains(&escaped) {
                        continue; // not in the signed XML (an unticked consent and the like)
                    }
                }
                let lines = blankett_compiler::backend::html::display_value(form, id, value, "sv");
                if lines.is_empty() {
                    continue;
                }
                assert!(
                    page.contains(&lines),
                    "{}: `{path}` = {lines:?} is signed but not on the signing page",
                    form.id
                );
                assert!(
                    shortened || visible.contains(&lines.replace(['*', '#', '+', '_', '\n'], " ")),
                    "{}: `{path}` = {lines:?} is signed but not in the e-ID's text",
                    form.id
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 20, "every signed form's scenarios: {checked}");
}

/// `blankett dev`'s set-up: no `[bankid]`, the simulator served by the app itself, and its
/// page's "approve as" form.
async fn dev_setup() -> (axum::Router, AppState) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listen = listener.local_addr().unwrap().to_string();
    let (router, state) = app_with(|c| {
        c.dev = true;
        c.bankid = None;
        c.listen = listen;
    })
    .await;
    let served = router.clone();
    tokio::spawn(async move { axum::serve(listener, served).await.unwrap() });
    (router, state)
}

#[tokio::test]
async fn signing_as_another_person_in_the_simulator_is_refused_and_the_order_stays_open() {
    let (router, state) = dev_setup().await;
    let mut c = Client::new(router);
    c.login(ERIK).await;
    draft(&state, "bygglov", 0, ERIK, &[]).await;
    let waiting = sign_and_send(&mut c, "bygglov").await;
    let page = c.get(&waiting).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(&format!("value=\"{ERIK}\" checked")),
        "the one asked for is offered first: {}",
        page.body
    );
    let token = csrf_of(&page.body).unwrap();
    let r = c
        .post(
            &format!("{waiting}/simulera"),
            &[("_csrf", &token), ("person", TOLVAN)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(
        r.body.contains("Fel person") && r.body.contains("Ingenting har skrivits under"),
        "{}",
        r.body
    );
    assert!(state
        .store
        .submissions_of(&format!("pnr:{ERIK}"))
        .await
        .unwrap()
        .is_empty());
    // Still open: the right person signs it.
    let r = c
        .post(
            &format!("{waiting}/simulera"),
            &[("_csrf", &token), ("person", ERIK)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let done = c.get(&waiting).await;
    let receipt = done.location.unwrap_or_else(|| panic!("{}", done.body));
    assert!(receipt.starts_with("/orust/bygglov/kvitto/"), "{receipt}");
}

#[tokio::test]
async fn sending_and_signing_are_one_moment_on_the_receipt() {
    let (router, state, sim) = setup().await;
    let mut c = Client::new(router);
    c.login(ERIK).await;
    draft(&state, "bygglov", 0, ERIK, &[]).await;
    let waiting = sign_and_send(&mut c, "bygglov").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let receipt = complete(&mut c, &state, &sim, &waiting, ERIK).await;
    let id = receipt.rsplit('/').next().unwrap();
    let s = state.store.submission(id).await.unwrap().unwrap();
    let sigs = state.store.signatures_of(id).await.unwrap();
    assert_eq!(s.submitted_at, sigs[0].signed_at, "one clock for one event");
}
