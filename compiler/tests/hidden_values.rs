//! Computed values with `show: false`: evaluated like any computed field, read by conditions
//! and rules, sent with the submission; only never drawn. The fixture is
//! `tests/cases/clean_hidden_computed` (its diagnostics are snapshotted by `cases.rs`).

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_compiler::backend::submission;
use blankett_compiler::eval::form::{evaluate, Answers};
use blankett_compiler::eval::testing;
use blankett_compiler::expr::Value;
use blankett_compiler::ir::Form;
use blankett_compiler::source::MemFs;
use chrono::NaiveDate;
use serde_json::json;
use std::path::{Path, PathBuf};

fn fixture() -> Form {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/clean_hidden_computed");
    let mut fs = MemFs::new();
    for entry in std::fs::read_dir(&case).unwrap() {
        let path = entry.unwrap().path();
        let rel = Path::new("lib").join(path.file_name().unwrap());
        fs.files
            .insert(rel, std::fs::read_to_string(&path).unwrap());
    }
    let c = blankett_compiler::compile(&fs, &[PathBuf::from("lib")]);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    c.forms.into_iter().next().unwrap()
}

fn answers(pnrs: &[&str]) -> Answers {
    let rows: Vec<_> = pnrs
        .iter()
        .map(|p| json!({"namn": "Anna", "personnummer": p}))
        .collect();
    [("ansvariga".to_string(), json!(rows))]
        .into_iter()
        .collect()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap()
}

#[test]
fn a_computed_field_hidden_by_its_condition_is_null_as_before() {
    let form = fixture();
    let o = evaluate(&form, &answers(&["811218-9876"]), today());
    assert_eq!(o.values["villkorat"], Value::Null);
    assert!(!o.is_visible("villkorat"));
}

#[test]
fn a_value_not_shown_is_computed_and_read_by_conditions_and_rules() {
    let form = fixture();
    let id = form.field("yngst").unwrap();
    assert!(form.fields[id].hidden);
    let o = evaluate(&form, &answers(&["811218-9876", "080101-1230"]), today());
    assert_eq!(o.values["yngst"], Value::Number(18.0));
    assert_eq!(o.values["ansvariga[1].alder"], Value::Number(18.0));
    assert!(o.page_visible[1], "the page shown when `yngst < 25`");
    let errors: Vec<&str> = o.errors.iter().map(|e| e.path.as_str()).collect();
    // The rule on the row's hidden age, and the question of the page `yngst` opened.
    assert_eq!(errors, ["ansvariga[1].personnummer", "kurs"]);
    for r in testing::run(&form) {
        assert!(r.passed(), "{}: {:?}", r.name, r.failures);
    }
}

#[test]
fn a_value_not_shown_is_in_the_submission() {
    let form = fixture();
    let o = evaluate(&form, &answers(&["811218-9876", "900315-1231"]), today());
    let xml = submission::to_xml(&form, &o);
    assert!(
        xml.contains(">36</"),
        "the youngest's age is submitted: {xml}"
    );
    assert!(xml.contains(">44</"), "each row's age is submitted: {xml}");
    let data = submission::to_json(&form, &o);
    assert_eq!(data.pointer("/yngst"), Some(&json!(36)), "{data}");
    assert_eq!(
        data.pointer("/ansvariga/1/alder"),
        Some(&json!(36)),
        "{data}"
    );
}
