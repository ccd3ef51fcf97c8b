//! `blankett shs show`: a recorded message described for an operator, as text and JSON; a
//! broken message refused with the reason and exit code 1.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn sample(name: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/shs/samples")
        .join(name);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: skipped, {} is absent", p.display());
        None
    }
}

fn show(args: &[&str], file: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_blankett"))
        .args(["shs", "show"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn show_prints_the_label_and_parts_of_axels_error_message() {
    let Some(file) = sample("shsErrorMessage.mime") else {
        return;
    };
    let (code, out, _) = show(&[], &file);
    assert_eq!(code, 0);
    for want in [
        "tx.id          4c9fd3e8-b4c4-49aa-926a-52a68864a7b8",
        "from           R2M (urn:X-shs:5565317129)",
        "product        urn:X-shs:error",
        "history        axel 2013-06-17T14:57:20 Received",
        "1. error  text/xml; charset=us-ascii; name=error.xml  error.xml  382 bytes  7bit",
        "sha256 7f3df9aa85c0cc258731430f3366ae41aa0d13b6cb1be2d4555c47fec2f23009",
        "|     <error errorcode=\"MissingAgreement\"",
    ] {
        assert!(out.contains(want), "`{want}` missing in:\n{out}");
    }
    let (code, json, _) = show(&["--json"], &file);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["label"]["corr_id"],
        "5a01ff87-e641-486e-8521-8e82d1ee1052"
    );
    assert_eq!(v["parts"][0]["size"], 382);
    assert_eq!(v["parts"][0]["datapart_type"], "error");
}

#[test]
fn show_refuses_a_cut_off_message_with_exit_code_1() {
    let Some(file) = sample("shsTextMessageTotallyBroken.mime") else {
        return;
    };
    let (code, out, err) = show(&[], &file);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("it was cut off in transfer"), "{err}");
    let (code, json, _) = show(&["--json"], &file);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["error"].as_str().unwrap().contains("closing boundary"));
}
