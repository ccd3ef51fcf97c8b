//! Issue 21: the audit trail records who did what, when and from where (log-ins, downloads,
//! staff on the admin page, a refused admin token), shows it on the admin page and exports it
//! as CSV, and never holds an answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use support::{app_with, fill_felanmalan_anonymously, Client};

const PERSON: &str = "191212121212";

#[tokio::test]
async fn the_audit_trail_names_the_deed_and_never_the_answers() {
    let (router, state) = app_with(|c| c.admin_token = Some("hemligt".into())).await;
    let mut c = Client::new(router.clone());
    c.login(PERSON).await;
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let r = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    let id = r.location.unwrap().rsplit('/').next().unwrap().to_string();
    let reference = state
        .store
        .submission(&id)
        .await
        .unwrap()
        .unwrap()
        .reference;
    let xml = c
        .get(&format!("/mina-sidor/inlamning/{id}/ansokan.xml"))
        .await;
    assert_eq!(xml.status, StatusCode::OK);

    let mut staff = Client::new(router);
    assert_eq!(
        staff.get("/admin?token=fel").await.status,
        StatusCode::UNAUTHORIZED
    );
    let page = staff.admin("hemligt").await;
    assert!(page.body.contains("Granskningslogg"), "{}", page.body);
    assert!(page.body.contains("login"));

    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let entries = state.store.audit_entries(since, 100).await.unwrap();
    let has = |actor: &str, action: &str, target: &str| {
        entries
            .iter()
            .any(|e| e.actor == actor && e.action == action && e.target.contains(target))
    };
    let person = format!("pnr:{PERSON}");
    assert!(has(&person, "login", ""), "{entries:#?}");
    assert!(
        has(&person, "download", &format!("{reference} ansokan.xml")),
        "{entries:#?}"
    );
    assert!(has("staff", "admin_login_refused", ""), "{entries:#?}");
    assert!(has("staff", "admin_login", ""), "{entries:#?}");
    assert!(has("staff", "admin_view", ""), "{entries:#?}");
    for e in &entries {
        let all = format!("{} {} {}", e.actor, e.action, e.target);
        assert!(
            !all.contains("asfalten") && !all.contains("Skolvägen"),
            "{all}"
        );
    }

    let csv = staff.get("/admin/logg.csv?dagar=1").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.body.starts_with("tid,vem,handling,vad,varifran\r\n"));
    assert!(csv.body.contains("\"download\""), "{}", csv.body);
    // Without the admin cookie there is no export.
    let mut stranger = Client::new(staff.app.clone());
    assert_eq!(
        stranger.get("/admin/logg.csv").await.status,
        StatusCode::UNAUTHORIZED
    );

    // Kept for its own retention period, then purged.
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(state.store.purge_audit(later).await.unwrap() >= entries.len() as u64);
    assert!(state
        .store
        .audit_entries(since, 100)
        .await
        .unwrap()
        .is_empty());
}
