//! Issue 21: a backup taken while citizens submit, restored into a fresh data folder and
//! served: every receipt given before the backup began is there, and opens for its citizen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_runtime::store::backup;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use support::{app_on, fill_felanmalan_anonymously, Client};

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blankett-backup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A citizen's submission: its receipt address and the citizen's cookie.
type Receipt = (String, String);

async fn submit_one(router: axum::Router) -> Receipt {
    let mut c = Client::new(router);
    fill_felanmalan_anonymously(&mut c).await;
    let token = c.csrf("/orust/felanmalan/kontrollera").await;
    let r = c
        .post("/orust/felanmalan/kontrollera", &[("_csrf", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    (r.location.unwrap(), c.cookie.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_every_receipt() {
    let dir = temp_dir();
    let db = dir.join("blankett.db");
    let store = blankett_runtime::store::open(db.to_str().unwrap())
        .await
        .unwrap();
    let (router, _) = app_on(store, dir.clone(), |_| {}).await;

    let receipts: Arc<Mutex<Vec<Receipt>>> = Arc::default();
    let citizens: Vec<_> = (0..3)
        .map(|_| {
            let (router, receipts) = (router.clone(), receipts.clone());
            tokio::spawn(async move {
                for _ in 0..8 {
                    let r = submit_one(router.clone()).await;
                    receipts.lock().unwrap().push(r);
                }
            })
        })
        .collect();
    while receipts.lock().unwrap().len() < 6 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // What was given before the backup began must be in it; what comes during may be.
    let given: Vec<Receipt> = receipts.lock().unwrap().clone();
    let file = dir.join("kopia.db");
    let snap = backup::backup(&db, &file).await.unwrap();
    assert!(snap.submissions >= given.len() as i64, "{snap:?}");
    for c in citizens {
        c.await.unwrap();
    }
    // A backup never overwrites.
    let again = backup::backup(&db, &file).await.unwrap_err();
    assert!(again.contains("never overwrites"), "{again}");

    let fresh = temp_dir();
    let restored_db = fresh.join("blankett.db");
    let restored = backup::restore(&file, &restored_db).await.unwrap();
    assert_eq!(restored, snap);
    // Never over a database in use.
    let over = backup::restore(&file, &db).await.unwrap_err();
    assert!(over.contains("new, empty data folder"), "{over}");

    let store = blankett_runtime::store::open(restored_db.to_str().unwrap())
        .await
        .unwrap();
    let (router, state) = app_on(store, fresh, |_| {}).await;
    for (receipt, cookie) in &given {
        let id = receipt.rsplit('/').next().unwrap();
        assert!(state.store.submission(id).await.unwrap().is_some(), "{id}");
        let mut c = Client::new(router.clone());
        c.cookie = Some(cookie.clone());
        let page = c.get(receipt).await;
        assert_eq!(page.status, StatusCode::OK, "{receipt}: {}", page.body);
        assert!(page.body.contains("OFEL-"), "{}", page.body);
    }
}

#[tokio::test]
async fn a_file_that_is_no_database_is_not_restored() {
    let dir = temp_dir();
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"not a database at all").unwrap();
    let e = backup::restore(&junk, &dir.join("blankett.db"))
        .await
        .unwrap_err();
    assert!(
        e.contains("not a blankett database") || e.contains("damaged"),
        "{e}"
    );
    assert!(!dir.join("blankett.db").exists());
}
