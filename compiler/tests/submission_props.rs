//! Submissions validate against their schemas for every valid answer set we can find: each
//! scenario test the evaluator accepts, and variations of those (an answer left out, another
//! choice, a yes turned to no) that it still accepts. The schemas are a promise to case
//! systems; a valid application that fails them would be lost at delivery.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod schema_support;

use blankett_compiler::backend::example;
use blankett_compiler::eval::testing::default_today;
use blankett_compiler::eval::Answers;
use blankett_compiler::ir::FieldType;
use blankett_compiler::ir::Form;
use schema_support::*;
use serde_json::{json, Value as Json};

/// Answer sets one change away from `base`.
fn variations(form: &Form, base: &Answers) -> Vec<(String, Answers)> {
    let mut out = Vec::new();
    for key in base.keys() {
        let mut a = base.clone();
        a.remove(key);
        out.push((format!("without {key}"), a));
    }
    for f in form.fields.iter().filter(|f| f.parent.is_none()) {
        let values: Vec<Json> = match f.kind {
            FieldType::Choice => f.choices.iter().map(|c| json!(c.value)).collect(),
            FieldType::MultiChoice => f.choices.iter().map(|c| json!([c.value])).collect(),
            FieldType::YesNo | FieldType::Consent => vec![json!(true), json!(false)],
            _ => Vec::new(),
        };
        for v in values {
            if base.get(&f.path) != Some(&v) {
                let mut a = base.clone();
                a.insert(f.path.clone(), v.clone());
                out.push((format!("{} = {v}", f.path), a));
            }
        }
    }
    out
}

#[test]
fn scenario_submissions_validate() {
    let lint = xmllint();
    for lf in library_forms() {
        let form = &lf.form;
        let cases = valid_scenarios(form);
        assert!(!cases.is_empty(), "{}: no scenario without errors", form.id);
        let v = json_validator(form);
        for c in &cases {
            let doc = c.json(form);
            let errors = json_errors(&v, &doc);
            assert!(
                errors.is_empty(),
                "{} / {}: {errors:#?}\n{doc:#}",
                form.id,
                c.name
            );
        }
        if let Some(lint) = &lint {
            let docs: Vec<(String, String)> = cases
                .iter()
                .map(|c| (c.name.clone(), c.xml(form)))
                .collect();
            lint.assert_valid(form, &docs);
        }
    }
}

#[test]
fn varied_submissions_validate() {
    let lint = xmllint();
    let forms = library_forms();
    let mut total = 0;
    for lf in &forms {
        let form = &lf.form;
        let mut bases: Vec<(String, Answers, chrono::NaiveDate)> = form
            .tests
            .iter()
            .map(|t| (t.name.clone(), t.answers.clone(), today_of(t)))
            .collect();
        bases.push((
            "generated".into(),
            example::generated(form, default_today()),
            default_today(),
        ));
        let mut cases = Vec::new();
        for (name, answers, today) in &bases {
            for (change, a) in variations(form, answers) {
                let c = Case::new(form, format!("{name}, {change}"), a, *today);
                if c.outcome.errors.is_empty() {
                    cases.push(c);
                }
            }
        }
        // Enough valid variations that hidden pages, optional fields and every choice are
        // exercised, not just the happy path. Forms whose rules tie fields together (ages,
        // dates, rows) keep fewer variations valid; over the library there must be many.
        assert!(
            !cases.is_empty(),
            "{}: only {} valid variations",
            form.id,
            cases.len()
        );
        total += cases.len();
        let v = json_validator(form);
        for c in &cases {
            let doc = c.json(form);
            let errors = json_errors(&v, &doc);
            assert!(
                errors.is_empty(),
                "{} / {}: {errors:#?}\n{doc:#}",
                form.id,
                c.name
            );
        }
        if let Some(lint) = &lint {
            let docs: Vec<(String, String)> = cases
                .iter()
                .map(|c| (c.name.clone(), c.xml(form)))
                .collect();
            lint.assert_valid(form, &docs);
        }
    }
    assert!(
        total >= 20 * forms.len(),
        "only {total} valid variations over {} forms",
        forms.len()
    );
}
