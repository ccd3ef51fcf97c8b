//! E-signatures over HTTP, in process, with the BankID simulator on loopback as the BankID:
//! `signing: applicant` (bygglov) signs the exact XML before it is stored, and a changed XML
//! is no longer signed; `signing: guardians` (barnomsorg) waits for the second guardian, who
//! must be the person invited, and completes (the hook fires) only at the last signature;
//! withdrawal and expiry.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_runtime::app::AppState;
use blankett_runtime::auth::bankid::simulator::Simulator;
use blankett_runtime::submission::signing::{self, SignatureState};
use blankett_runtime::submission::SubmissionStatus;
use support::bankid::{app_with_simulator as setup, fully_signed_events, sign_and_send};
use support::{csrf_of, draft, Client};

const MARIA: &str = "199001012385";
const ANNA: &str = "198112289874";
const TOLVAN: &str = "191212121212";

/// The waiting page, then the simulated app completes the order as `pnr`; returns where the
/// page sends the person after.
async fn complete(
    c: &mut Client,
    state: &AppState,
    sim: &Simulator,
    waiting: &str,
    pnr: &str,
) -> String {
    let page = c.get(waiting).await;
    assert!(
        page.body.contains("qr.svg") && page.body.contains("bankid.js"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("http-equiv=\"refresh\""),
        "without JavaScript the page refreshes"
    );
    support::bankid::complete(c, state, sim, waiting, pnr).await
}

async fn tamper(state: &AppState, sql: &str, id: &str) {
    let path = state.config.data.join("t.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(sql).bind(id).execute(&pool).await.unwrap();
}

#[tokio::test]
async fn an_applicant_signs_the_exact_xml_and_a_changed_xml_is_not_signed() {
    let (router, state, sim) = setup().await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let waiting = sign_and_send(&mut c, "bygglov").await;
    let qr = c.get(&format!("{waiting}/qr.svg")).await;
    assert!(qr.body.contains("<svg"));
    let status = c.get(&format!("{waiting}/status")).await;
    assert!(status.body.contains("\"done\":false"), "{}", status.body);
    assert!(
        state
            .store
            .submissions_of(&format!("pnr:{MARIA}"))
            .await
            .unwrap()
            .is_empty(),
        "nothing is stored before it is signed"
    );
    let receipt = complete(&mut c, &state, &sim, &waiting, MARIA).await;
    assert!(receipt.starts_with("/orust/bygglov/kvitto/"), "{receipt}");
    let id = receipt.rsplit('/').next().unwrap().to_string();
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::Mottagen);
    let sigs = state.store.signatures_of(&id).await.unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].signer_pnr, MARIA);
    assert_eq!(sigs[0].digest, signing::digest(&s.xml));
    assert!(signing::verify(&s.xml, &sigs[0]));
    assert!(matches!(
        signing::signature_state(&state, &s).await.unwrap(),
        SignatureState::Signed(_)
    ));
    assert_eq!(fully_signed_events(&state, "bygglov").await, 1);
    let page = c.get(&receipt).await;
    assert!(
        page.body
            .contains("Underskriven av <strong>Test Person</strong>"),
        "{}",
        page.body
    );
    let mina = c.get("/mina-sidor").await;
    assert!(mina.body.contains("Underskriven av") && mina.body.contains("Test Person"));

    // The stored XML changed after signing: the signature no longer holds.
    tamper(
        &state,
        "UPDATE submissions SET xml = replace(xml, 'Henån', 'Henan') WHERE id = ?1",
        &id,
    )
    .await;
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(
        signing::signature_state(&state, &s).await.unwrap(),
        SignatureState::Invalid
    );
    let page = c.get(&receipt).await;
    assert!(
        !page.body.contains("Underskriven av <strong>"),
        "not shown as signed"
    );
    assert!(page.body.contains("Underskriften stämmer inte med ansökan"));
}

/// Issue 21: BankID is told the signer's address as the server settled it, never a header the
/// client wrote (no proxy is trusted here, so a written `X-Forwarded-For` is ignored).
#[tokio::test]
async fn a_forwarded_for_header_written_by_the_client_does_not_reach_bankid() {
    use base64::Engine;
    let (router, state, sim) = setup().await;
    let mut c = Client::new(router);
    c.forwarded_for = Some("203.0.113.7".into());
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let waiting = sign_and_send(&mut c, "bygglov").await;
    let receipt = complete(&mut c, &state, &sim, &waiting, MARIA).await;
    let id = receipt.rsplit('/').next().unwrap();
    let sigs = state.store.signatures_of(id).await.unwrap();
    let xml = base64::engine::general_purpose::STANDARD
        .decode(&sigs[0].signature)
        .unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains("<ipAddr>127.0.0.1</ipAddr>"), "{xml}");
    assert!(!xml.contains("203.0.113.7"), "{xml}");
}

#[tokio::test]
async fn answers_changed_while_signing_are_not_sent() {
    let (router, state, sim) = setup().await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let waiting = sign_and_send(&mut c, "bygglov").await;
    // In another tab, an answer changes after the signature order started.
    let mut d = state
        .store
        .drafts_of(&format!("pnr:{MARIA}"))
        .await
        .unwrap()
        .remove(0);
    d.answers = d.answers.replace("Kyrkvägen 4", "Kyrkvägen 5");
    state.store.put_draft(&d).await.unwrap();
    let page = c.get(&waiting).await;
    assert_eq!(page.status, StatusCode::OK);
    let id = waiting.rsplit('/').next().unwrap();
    let order = state.store.eid_order(id).await.unwrap().unwrap();
    let data: serde_json::Value = serde_json::from_str(&order.data).unwrap();
    sim.complete(
        data["order_ref"].as_str().unwrap(),
        MARIA,
        "Maria",
        "Larsson",
    );
    let r = c.get(&waiting).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(state
        .store
        .submissions_of(&format!("pnr:{MARIA}"))
        .await
        .unwrap()
        .is_empty());
}

/// Barnomsorg with two guardians: Maria (the applicant) and Anna.
async fn two_guardians(c: &mut Client, state: &AppState, sim: &Simulator) -> (String, String) {
    c.login(MARIA).await;
    draft(
        state,
        "barnomsorg",
        1,
        MARIA,
        &[
            ("vardnadshavare_1.person.personnummer", "19900101-2385"),
            ("vardnadshavare_2.person.personnummer", "19811228-9874"),
        ],
    )
    .await;
    let waiting = sign_and_send(c, "barnomsorg").await;
    let receipt = complete(c, state, sim, &waiting, MARIA).await;
    assert!(
        receipt.starts_with("/orust/barnomsorg/kvitto/"),
        "{receipt}"
    );
    let id = receipt.rsplit('/').next().unwrap().to_string();
    let page = c.get(&receipt).await;
    assert!(page.body.contains("Väntar på underskrift"), "{}", page.body);
    let body = page.body.replace("&#x2f;", "/");
    let start = body
        .find("/underskrift/")
        .unwrap_or_else(|| panic!("an invitation link on the receipt: {}", page.body));
    let invite = body[start..].split('"').next().unwrap().to_string();
    (id, invite)
}

#[tokio::test]
async fn guardians_sign_and_the_submission_completes_only_at_the_last_signature() {
    let (router, state, sim) = setup().await;
    let mut maria = Client::new(router.clone());
    let (id, invite) = two_guardians(&mut maria, &state, &sim).await;
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::VantarPaUnderskrift);
    assert!(matches!(
        signing::signature_state(&state, &s).await.unwrap(),
        SignatureState::Waiting(_, _)
    ));
    assert_eq!(
        fully_signed_events(&state, "barnomsorg").await,
        0,
        "not complete after the first signature"
    );
    let mina = maria.get("/mina-sidor").await;
    assert!(mina.body.contains("Väntar på underskrift"));

    // Not logged in: log in first, and back to the invitation after.
    let mut anna = Client::new(router.clone());
    let r = anna.get(&invite).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().contains("next=%2Funderskrift%2F"));
    anna.login(ANNA).await;
    let page = anna.get(&invite).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Elsa"), "the co-signer sees the answers");
    let token = csrf_of(&page.body).unwrap();
    let r = anna.post(&invite, &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let waiting = r.location.unwrap();
    let back = complete(&mut anna, &state, &sim, &waiting, ANNA).await;
    assert_eq!(back, invite);
    assert!(anna
        .get(&invite)
        .await
        .body
        .contains("Du har skrivit under"));

    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::Mottagen);
    let sigs = state.store.signatures_of(&id).await.unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(
        sigs.iter().all(|g| g.digest == signing::digest(&s.xml)),
        "both signed the same bytes"
    );
    assert_eq!(
        fully_signed_events(&state, "barnomsorg").await,
        1,
        "the hook fired once, after the last"
    );
    let receipt = maria.get(&format!("/orust/barnomsorg/kvitto/{id}")).await;
    assert_eq!(receipt.body.matches("Underskriven av <strong>").count(), 2);
}

#[tokio::test]
async fn a_co_signer_with_another_personnummer_is_refused() {
    let (router, state, sim) = setup().await;
    let mut maria = Client::new(router.clone());
    let (id, invite) = two_guardians(&mut maria, &state, &sim).await;
    let mut tolvan = Client::new(router);
    tolvan.login(TOLVAN).await;
    let page = tolvan.get(&invite).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("Inbjudan gäller någon annan"));
    let token = csrf_of(&tolvan.get("/auth/logga-in").await.body).unwrap();
    let r = tolvan.post(&invite, &[("_csrf", &token)]).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "no signature order for the wrong person"
    );
    assert_eq!(state.store.signatures_of(&id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_applicant_can_withdraw_and_the_invitation_expires() {
    let (router, state, sim) = setup().await;
    let mut maria = Client::new(router.clone());
    let (id, invite) = two_guardians(&mut maria, &state, &sim).await;
    let mut anna = Client::new(router.clone());
    anna.login(ANNA).await;

    // Past its deadline, the invitation says so and nothing can be signed.
    tamper(
        &state,
        "UPDATE cosigners SET deadline = '2000-01-01T00:00:00+00:00' WHERE submission_id = ?1",
        &id,
    )
    .await;
    let page = anna.get(&invite).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("har gått ut"));
    assert_eq!(
        state.store.submission(&id).await.unwrap().unwrap().status,
        SubmissionStatus::Utgangen
    );

    // Another, withdrawn before Anna signs.
    let mut maria2 = Client::new(router.clone());
    let (id2, invite2) = two_guardians(&mut maria2, &state, &sim).await;
    let mina = maria2.get("/mina-sidor").await;
    let token = csrf_of(&mina.body).unwrap();
    let r = maria2
        .post(
            &format!("/mina-sidor/inlamning/{id2}/aterkalla"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        state.store.submission(&id2).await.unwrap().unwrap().status,
        SubmissionStatus::Aterkallad
    );
    let page = anna.get(&invite2).await;
    assert!(page.body.contains("återkallat"), "{}", page.body);
    // Nobody else can withdraw it.
    let token = csrf_of(&anna.get("/mina-sidor").await.body).unwrap();
    let r = anna
        .post(
            &format!("/mina-sidor/inlamning/{id}/aterkalla"),
            &[("_csrf", &token)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bankid_log_in_on_another_device_with_the_qr_code() {
    let (router, state, sim) = setup().await;
    let mut c = Client::new(router);
    let page = c.get("/auth/logga-in?next=/mina-sidor").await;
    assert!(page.body.contains("Mobilt BankID på en annan enhet"));
    let token = csrf_of(&page.body).unwrap();
    let r = c
        .post(
            "/auth/bankid",
            &[
                ("_csrf", &token),
                ("next", "/mina-sidor"),
                ("enhet", "annan"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let waiting = r.location.unwrap();
    let wait = c.get(&waiting).await;
    assert!(
        wait.body.contains("Skanna QR-kod"),
        "RFA1 for the QR code: {}",
        wait.body
    );
    // Another session cannot see or use the order.
    let mut other = Client::new(c.app.clone());
    let theirs = other.get(&waiting).await;
    assert_eq!(theirs.location.as_deref(), Some("/mina-sidor"));
    assert_eq!(
        other.get(&format!("{waiting}/qr.svg")).await.status,
        StatusCode::NOT_FOUND
    );
    let next = complete(&mut c, &state, &sim, &waiting, ANNA).await;
    assert_eq!(next, "/mina-sidor");
    let mina = c.get("/mina-sidor").await;
    assert_eq!(mina.status, StatusCode::OK);
    assert!(mina.body.contains("Test Person"));
    // The order was used up: the waiting page only leads on.
    assert_eq!(
        c.get(&waiting).await.location.as_deref(),
        Some("/mina-sidor")
    );
}

#[tokio::test]
async fn without_dev_there_is_no_simulator_and_no_test_log_in() {
    let (router, _) = support::app_with(|c| c.dev = false).await;
    let mut c = Client::new(router);
    let r = c
        .post("/_dev/bankid/rp/v6.0/auth", &[("endUserIp", "127.0.0.1")])
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let page = c.get("/auth/logga-in").await;
    assert!(!page.body.contains("BankID") && !page.body.contains("test-e-legitimation"));
    let token = csrf_of(&page.body).unwrap_or_default();
    let r = c
        .post(
            "/auth/bankid/abc/simulera",
            &[("_csrf", &token), ("person", TOLVAN)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/auth/dev").await.status, StatusCode::NOT_FOUND);
}
