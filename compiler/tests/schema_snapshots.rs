//! Snapshots of the XSD and the JSON Schema of the three forms that exercise every field type
//! (felanmälan, bygglov, barnomsorg), each headed by the YAML it was made from, so a review sees
//! input and output side by side. Every other form's schemas are checked by xmllint and the
//! JSON Schema validator in `schemas.rs`.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod schema_support;

use blankett_compiler::backend::{json_schema, xsd};
use schema_support::library_forms;

use std::path::Path;

const SNAPSHOTTED: [&str; 3] = ["felanmalan", "bygglov", "barnomsorg"];

fn snapshotted() -> impl Iterator<Item = schema_support::LibraryForm> {
    library_forms()
        .into_iter()
        .filter(|lf| SNAPSHOTTED.contains(&lf.form.id.as_str()))
}

fn snapshot(name: &str, yaml: &str, output: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
        .set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/schemas"));
    settings.set_description(yaml);
    let input_and_output = format!("──── {yaml} ────\n{output}");
    settings.bind(|| insta::assert_snapshot!(name, input_and_output));
}

#[test]
fn xsd_of_each_form() {
    for lf in snapshotted() {
        snapshot(
            &format!("{}.xsd", lf.form.id),
            &lf.yaml,
            &xsd::generate(&lf.form),
        );
    }
}

#[test]
fn json_schema_of_each_form() {
    for lf in snapshotted() {
        let schema = serde_json::to_string_pretty(&json_schema::generate(&lf.form))
            .expect("a JSON value serializes");
        snapshot(&format!("{}.schema.json", lf.form.id), &lf.yaml, &schema);
    }
}
