//! Signing with BankID in tests: the example kommun with the BankID simulator as its RP API,
//! sending a check page (which starts the order) and completing an order as a person.

use super::{app_with, csrf_of, Client};
use axum::http::StatusCode;
use blankett_runtime::app::AppState;
use blankett_runtime::auth::bankid::simulator::Simulator;
use blankett_runtime::config::BankIdConfig;
use blankett_runtime::store::EventKind;

/// The example kommun whose BankID is the simulator, served on a loopback port.
pub async fn app_with_simulator() -> (axum::Router, AppState, Simulator) {
    let sim = Simulator::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rp/v6.0/", listener.local_addr().unwrap());
    let r = sim.router();
    tokio::spawn(async move { axum::serve(listener, r).await.unwrap() });
    let (router, state) = app_with(|c| {
        c.bankid = Some(BankIdConfig {
            environment: url,
            certificate: None,
            ca: None,
        })
    })
    .await;
    (router, state, sim)
}

/// Sends the check page: the signature order starts; returns the waiting page's address.
pub async fn sign_and_send(c: &mut Client, form: &str) -> String {
    let check = c.get(&format!("/orust/{form}/kontrollera")).await;
    assert_eq!(
        check.status,
        StatusCode::OK,
        "{:?} {}",
        check.location,
        check.body
    );
    let token = csrf_of(&check.body).unwrap();
    let r = c
        .post(&format!("/orust/{form}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let waiting = r.location.unwrap();
    assert!(waiting.starts_with("/auth/bankid/"), "{waiting}");
    waiting
}

/// The BankID order behind a waiting page.
pub async fn order_ref(state: &AppState, waiting: &str) -> String {
    let id = waiting.rsplit('/').next().unwrap();
    let order = state.store.eid_order(id).await.unwrap().unwrap();
    let data: serde_json::Value = serde_json::from_str(&order.data).unwrap();
    data["order_ref"].as_str().unwrap().to_string()
}

/// The simulated app completes the order as `pnr`; returns where the page sends them after.
pub async fn complete(
    c: &mut Client,
    state: &AppState,
    sim: &Simulator,
    waiting: &str,
    pnr: &str,
) -> String {
    let page = c.get(waiting).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(sim.complete(&order_ref(state, waiting).await, pnr, "Test", "Person"));
    let done = c.get(waiting).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    done.location.unwrap()
}

/// How many submissions of `form` have been fully signed.
pub async fn fully_signed_events(state: &AppState, form: &str) -> usize {
    let events = state.store.events("orust", form).await.unwrap();
    events
        .iter()
        .filter(|e| e.kind == EventKind::FullySigned)
        .count()
}
