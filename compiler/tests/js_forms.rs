//! Every form of the shared library (`forms/`) compiled to JavaScript: node accepts the file,
//! and fed each scenario test's answers (and no answers at all), the runtime shows the same
//! pages and fields and holds the same values, computed ones included, as the Rust evaluator.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod js_support;

use blankett_compiler::backend::js;
use blankett_compiler::eval::{evaluate, testing, Answers};
use blankett_compiler::expr::Value;
use blankett_compiler::source::RealFs;
use js_support::{encode, harness, node_check, temp_file};
use serde_json::{json, Value as Json};
use std::path::Path;

/// JSON values equal, numbers by value (serde_json tells `50` from `50.0`; JSON does not).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn forms_run_alike_in_the_browser() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms");
    let c = blankett_compiler::compile(&RealFs, &[library]);
    assert!(!c.has_errors(), "the form library has errors");
    assert!(!c.forms.is_empty(), "no forms in forms/");

    let mut files = Vec::new();
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    let mut names = Vec::new();
    for form in &c.forms {
        let code = js::generate(form);
        let file = temp_file(&format!("{}.form.js", form.id), &code);
        if let Err(e) = node_check(&file) {
            panic!("the JavaScript of {} does not parse:\n{e}", form.id);
        }
        files.push(file);
        let empty = (
            String::from("no answers"),
            Answers::new(),
            testing::default_today(),
        );
        let scenarios = form.tests.iter().map(|t| {
            let today = t.today.unwrap_or_else(testing::default_today);
            (t.name.clone(), testing::journey_answers(form, t), today)
        });
        for (name, answers, today) in std::iter::once(empty).chain(scenarios) {
            let o = evaluate(form, &answers, today);
            let values: serde_json::Map<String, Json> = o
                .values
                .iter()
                .map(|(k, v)| (k.clone(), encode(v)))
                .collect();
            let warnings: Vec<&str> = o.warnings.iter().map(|w| w.path.as_str()).collect();
            expected.push(json!({
                "pages": o.page_visible, "visible": o.visible, "values": values, "warnings": warnings,
            }));
            cases.push(json!({
                "form": form.id, "answers": answers, "today": encode(&Value::Date(today)),
            }));
            names.push(format!("{} / {name}", form.id));
        }
    }
    let cases_file = temp_file("forms.json", &Json::Array(cases).to_string());
    let mut args = vec![cases_file];
    args.extend(files);
    let got = harness("forms", &args);
    let got = got.as_array().expect("one result per case");
    assert_eq!(got.len(), expected.len());

    let mut failures = Vec::new();
    for ((name, want), got) in names.iter().zip(&expected).zip(got) {
        if let Some(e) = got.get("threw") {
            failures.push(format!("{name}: the runtime threw {e}"));
            continue;
        }
        for part in ["pages", "visible", "values", "warnings"] {
            let (w, g) = (&want[part], &got[part]);
            if same(w, g) {
                continue;
            }
            let diff: Vec<String> = match (w, g) {
                (Json::Object(w), Json::Object(g)) => w
                    .keys()
                    .chain(g.keys().filter(|k| !w.contains_key(*k)))
                    .filter(|k| {
                        !same(
                            &w.get(*k).cloned().unwrap_or_default(),
                            &g.get(*k).cloned().unwrap_or_default(),
                        )
                    })
                    .map(|k| {
                        format!(
                            "`{k}`: rust {} browser {}",
                            w.get(k).unwrap_or(&Json::Null),
                            g.get(k).unwrap_or(&Json::Null)
                        )
                    })
                    .collect(),
                _ => vec![format!("rust {w} browser {g}")],
            };
            failures.push(format!("{name}: {part} differ: {}", diff.join("; ")));
        }
    }
    println!(
        "{} scenarios of {} forms run alike in node",
        expected.len(),
        c.forms.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The page glue on a fake document (`js_support/fake_dom.js`): questions shown and hidden as
/// answers change, the character count in code points of the trimmed text, the rule message
/// in its live region, and the position button revealed and filling the position.
#[test]
fn the_page_follows_the_answers() {
    let library = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms");
    let c = blankett_compiler::compile(&RealFs, &[library]);
    let form = c
        .forms
        .iter()
        .find(|f| f.id == "felanmalan")
        .expect("the felanmalan form");
    let file = temp_file("dom-felanmalan.form.js", &js::generate(form));
    let steps = harness("dom", &[file]);
    // Announced as an error, as the server draws it: a visually hidden "Fel: " first.
    let rule = format!("Fel: {}", form.rules[0].message.get("sv"));
    let rule = rule.as_str();
    let step = |annat_hidden: bool, count: &str, rule: &str| {
        json!({
            "annat_vad_hidden": annat_hidden, "namn_hidden": true, "count": count,
            "count_live": "polite", "rule": rule, "button_hidden": false,
        })
    };
    let expected = json!([
        step(true, "Du har 20 tecken kvar", rule),
        step(true, "Du har 20 tecken kvar", rule),
        step(false, "Du har 1 tecken för mycket", rule),
        step(false, "Du har 1 tecken för mycket", ""),
    ]);
    assert_eq!(steps, expected);
}
