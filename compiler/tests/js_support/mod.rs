//! What the JavaScript differential tests share: values as JSON both sides read, and one node
//! process running `harness.js` over files written to the target's temporary folder.
#![allow(dead_code)]

pub mod exprs;
pub mod random;
pub mod raw;

use blankett_compiler::backend::js::RUNTIME_JS;
use blankett_compiler::expr::Value;
use chrono::Datelike;
use serde_json::{json, Value as Json};
use std::path::PathBuf;
use std::process::Command;

/// A value as JSON, the same encoding `harness.js` gives the browser's values: numbers stay
/// numbers (serde_json writes the shortest text that reads back as the same double, and
/// JavaScript reads it exactly), a date is `{"date": [y, m, d]}`, and so on.
pub fn encode(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Number(n) => json!(n),
        Value::Text(s) => json!(s),
        Value::Date(d) => json!({ "date": [d.year(), d.month(), d.day()] }),
        Value::List(items) => Json::Array(items.iter().map(encode).collect()),
        Value::Position { lat, lon } => json!({ "position": [lat, lon] }),
        Value::File { name, size, mime } => json!({ "file": [name, size, mime] }),
        Value::Row(fields) => {
            let row: serde_json::Map<String, Json> =
                fields.iter().map(|(k, v)| (k.clone(), encode(v))).collect();
            json!({ "row": row })
        }
    }
}

/// A file in this test binary's temporary folder.
pub fn temp_file(name: &str, contents: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("js");
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("a temporary file");
    path
}

/// The runtime as served, in a file node can load.
pub fn runtime_file() -> PathBuf {
    temp_file("blankett.js", RUNTIME_JS)
}

/// Runs `node harness.js <mode> <runtime> <files…>` and reads the JSON it prints.
pub fn harness(mode: &str, files: &[PathBuf]) -> Json {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js_support/harness.js");
    let out = Command::new("node")
        .arg(script)
        .arg(mode)
        .arg(runtime_file())
        .args(files)
        .output()
        .expect("node runs (scripts/setup.sh installs it)");
    assert!(
        out.status.success(),
        "node failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the harness prints JSON")
}

/// `node --check`: whether the file is JavaScript that parses.
pub fn node_check(path: &PathBuf) -> Result<(), String> {
    let out = Command::new("node")
        .arg("--check")
        .arg(path)
        .output()
        .expect("node runs (scripts/setup.sh installs it)");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
