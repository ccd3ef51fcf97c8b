//! `blankett schema` is a valid JSON Schema, and every YAML file of the shared library and the
//! example kommuner validates against it (as an editor with the yaml-language-server would).

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn schema() -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_blankett"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("`blankett schema` prints JSON")
}

fn yaml_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.ends_with(".form.yaml")
                || n.ends_with(".fragment.yaml")
                || n == "blankett.yaml"
                || n == "kommun.yaml"
        })
        .collect()
}

#[test]
fn the_schema_is_a_valid_json_schema() {
    let s = schema();
    jsonschema::meta::validate(&s).expect("the language schema is valid against its meta-schema");
}

#[test]
fn every_library_and_example_file_validates() {
    let validator = jsonschema::validator_for(&schema()).expect("the schema compiles");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files: Vec<PathBuf> = ["forms", "examples"]
        .iter()
        .flat_map(|d| yaml_files(&root.join(d)))
        .collect();
    assert!(
        files.len() >= 10,
        "expected the library's files, found {}",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let value: serde_json::Value =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for err in validator.iter_errors(&value) {
            failures.push(format!("{}: {} at {}", f.display(), err, err.instance_path));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_misspelt_key_fails_the_schema() {
    let validator = jsonschema::validator_for(&schema()).unwrap();
    let bad: serde_json::Value = serde_json::json!({
        "form": "x", "version": "1.0.0", "title": "X",
        "pages": [{"id": "p", "title": "P", "fields": [{"id": "a", "type": "text", "lable": "A"}]}]
    });
    assert!(!validator.is_valid(&bad));
    let good: serde_json::Value = serde_json::json!({
        "form": "x", "version": "1.0.0", "title": "X",
        "pages": [{"id": "p", "title": "P", "fields": [{"id": "a", "type": "text", "label": "A"}]}]
    });
    assert!(
        validator.is_valid(&good),
        "{:?}",
        validator
            .iter_errors(&good)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
}
