//! Running a form's scenario tests (`tests:`) on the evaluator.

use super::form::{evaluate, Outcome};
use crate::expr::Value;
use crate::ir::{Form, TestCase};
use chrono::NaiveDate;
use serde_json::Value as Json;
use std::collections::BTreeSet;

/// The date `today()` is in a test that does not say.
pub fn default_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).unwrap_or_default()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TestResult {
    pub form: String,
    pub name: String,
    pub failures: Vec<String>,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

pub fn run(form: &Form) -> Vec<TestResult> {
    form.tests.iter().map(|t| run_one(form, t)).collect()
}

fn shown(form: &Form, o: &Outcome, name: &str) -> bool {
    if let Some(p) = form.page(name) {
        return o.page_visible[p];
    }
    if o.visible.contains_key(name) {
        return o.is_visible(name);
    }
    o.visible
        .iter()
        .any(|(k, v)| *v && super::form::field_path(k) == name)
}

/// A test's answers as the journey has them: the person kept with the answers, the prefills
/// the journey started with under what the test answers, and locked fields as prefilled.
pub fn journey_answers(form: &Form, t: &TestCase) -> super::Answers {
    let today = t.today.unwrap_or_else(default_today);
    let mut answers = t.answers.clone();
    crate::expr::inloggad::set(&mut answers, t.inloggad.as_ref());
    super::prefill::start(form, &mut answers, today);
    super::prefill::lock(form, &mut answers, today);
    answers
}

pub fn run_one(form: &Form, t: &TestCase) -> TestResult {
    let today = t.today.unwrap_or_else(default_today);
    let o = evaluate(form, &journey_answers(form, t), today);
    let mut failures = Vec::new();
    for v in &t.visible {
        if !shown(form, &o, v) {
            failures.push(format!("`{v}` should be shown, but is hidden"));
        }
    }
    for h in &t.hidden {
        if shown(form, &o, h) {
            failures.push(format!("`{h}` should be hidden, but is shown"));
        }
    }
    if let Some(expected) = &t.errors {
        let got: BTreeSet<String> = o.errors.iter().map(|e| e.path.clone()).collect();
        let got_fields: BTreeSet<String> = got.iter().map(|p| super::form::field_path(p)).collect();
        for e in expected {
            let hit = if e.contains('[') {
                got.contains(e)
            } else {
                got_fields.contains(e)
            };
            if !hit {
                failures.push(format!("`{e}` should have an error, but has none"));
            }
        }
        for e in &o.errors {
            if !expected
                .iter()
                .any(|x| x == &e.path || x == &super::form::field_path(&e.path))
            {
                failures.push(format!(
                    "unexpected error at `{}`: {}",
                    e.path,
                    e.message.get("sv")
                ));
            }
        }
    }
    if let Some(expected) = &t.warnings {
        failures.extend(super::expect::warnings(expected, &o.warnings));
    }
    if let Some(page) = &t.ends_at {
        failures.extend(super::expect::ends_at(form, &o, page));
    }
    for (path, want) in &t.values {
        let got = o.values.get(path).cloned().unwrap_or(Value::Null);
        if !same(&got, want) {
            failures.push(format!("`{path}` should be {want}, but is {}", show(&got)));
        }
    }
    TestResult {
        form: form.id.clone(),
        name: t.name.clone(),
        failures,
    }
}

/// A computed value against what the author wrote in YAML.
fn same(got: &Value, want: &Json) -> bool {
    match (got, want) {
        (Value::Null, Json::Null) => true,
        (Value::Number(a), Json::Number(b)) => {
            b.as_f64().map(|b| (a - b).abs() < 1e-9).unwrap_or(false)
        }
        (Value::Text(a), Json::String(b)) => a == b,
        (Value::Bool(a), Json::Bool(b)) => a == b,
        (Value::Date(a), Json::String(b)) => a.format("%Y-%m-%d").to_string() == *b,
        (Value::List(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => false,
    }
}

pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "null (unanswered)".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(s) => format!("\"{s}\""),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Position { lat, lon } => format!("{lat}, {lon}"),
        Value::File { name, .. } => name.clone(),
        Value::Row(_) => "a row".into(),
    }
}
