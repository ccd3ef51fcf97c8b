//! The XSD and JSON Schema of every library form, checked by real validators: the schemas
//! compile, the example submission validates, and submissions broken in ways the schemas can
//! see (a malformed personnummer, a choice outside its list, a missing required answer) are
//! rejected.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod schema_support;

use blankett_compiler::backend::{example, submission};
use blankett_compiler::eval::{evaluate, testing::default_today};
use blankett_compiler::expr::Value;
use blankett_compiler::ir::FieldType;
use blankett_compiler::ir::{FieldId, Form, Required};
use schema_support::*;
use serde_json::{json, Value as Json};

/// The example as `blankett build` makes it.
fn example_case(form: &Form) -> Case {
    Case::new(form, "example", example::answers(form), default_today())
}

/// The example, and the generated answers (which fill in more of the form), both valid.
fn bases(form: &Form) -> Vec<Case> {
    let generated = Case::new(
        form,
        "generated",
        example::generated(form, default_today()),
        default_today(),
    );
    // Generated answers are a second base where the search found a valid set; where rules
    // between fields defeat it, the form's own complete test is the example (checked below).
    let mut cases = vec![example_case(form)];
    if generated.outcome.errors.is_empty() {
        cases.push(generated);
    }
    cases
}

/// Whether the field is required and nothing can hide it: the schemas must insist on it.
fn must_be_there(form: &Form, id: FieldId) -> bool {
    let f = &form.fields[id];
    f.parent.is_none()
        && f.required == Required::Always
        && f.conditions.is_empty()
        && form.pages[f.page].visible_if.is_none()
        && !matches!(f.kind, FieldType::Computed | FieldType::Repeat)
}

/// Top-level fields of `kind` with a value in the case, and that value as text.
fn present(form: &Form, case: &Case, kind: FieldType) -> Vec<(FieldId, String)> {
    form.fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.parent.is_none() && f.kind == kind && case.outcome.is_visible(&f.path))
        .filter_map(|(id, f)| match case.outcome.values.get(&f.path) {
            Some(Value::Text(s)) => Some((id, s.clone())),
            _ => None,
        })
        .collect()
}

fn pointer(form: &Form, id: FieldId) -> String {
    format!("/{}", form.fields[id].path.replace('.', "/"))
}

/// Replaces the first element `<name>old</name>` by one holding `new`.
fn replace_xml(xml: &str, name: &str, old: &str, new: &str) -> Option<String> {
    let from = format!("<{name}>{old}</{name}>");
    xml.contains(&from)
        .then(|| xml.replacen(&from, &format!("<{name}>{new}</{name}>"), 1))
}

/// Removes the element `<name>…</name>` when it occurs exactly once.
fn remove_xml(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    if xml.matches(&open).count() != 1 {
        return None;
    }
    let start = xml.find(&open)?;
    let end = xml[start..].find(&close)? + start + close.len();
    Some(format!("{}{}", &xml[..start], &xml[end..]))
}

fn set_json(doc: &Json, ptr: &str, v: Option<Json>) -> Json {
    let mut doc = doc.clone();
    let (parent, key) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    if let Some(Json::Object(m)) = doc.pointer_mut(parent) {
        match v {
            Some(v) => m.insert(key.to_string(), v),
            None => m.remove(key),
        };
    }
    doc
}

/// A broken copy of a valid submission, as XML and as JSON, and what is wrong with it.
struct Broken {
    what: String,
    form: String,
    xml: String,
    json: Json,
}

fn broken(form: &Form) -> Vec<Broken> {
    let mut out = Vec::new();
    for case in bases(form) {
        assert!(
            case.outcome.errors.is_empty(),
            "{}: {} has errors",
            form.id,
            case.name
        );
        let (xml, doc) = (case.xml(form), case.json(form));
        let mut add = |what: String, x: Option<String>, j: Json| {
            let xml = x.unwrap_or_else(|| panic!("{}: cannot make {what}", form.id));
            out.push(Broken {
                what: format!("{what} ({})", case.name),
                form: form.id.clone(),
                xml,
                json: j,
            });
        };
        for (kind, bad) in [
            // No 13th month; and the unnormalized form without the hyphen.
            (FieldType::Personnummer, vec!["19851315-9819", "8503159819"]),
            (FieldType::Email, vec!["namn.example.se"]),
            (FieldType::Postnummer, vec!["47480"]),
        ] {
            for (id, value) in present(form, &case, kind).into_iter().take(1) {
                let name = &form.fields[id].id;
                for b in &bad {
                    add(
                        format!("{} {b:?}", form.fields[id].path),
                        replace_xml(&xml, name, &value, b),
                        set_json(&doc, &pointer(form, id), Some(json!(b))),
                    );
                }
            }
        }
        if let Some((id, value)) = present(form, &case, FieldType::Choice).into_iter().next() {
            add(
                format!("{} outside its list", form.fields[id].path),
                replace_xml(&xml, &form.fields[id].id, &value, "finns_inte"),
                set_json(&doc, &pointer(form, id), Some(json!("finns_inte"))),
            );
        }
        let required = (0..form.fields.len())
            .filter(|&id| must_be_there(form, id))
            .find_map(|id| remove_xml(&xml, &form.fields[id].id).map(|x| (id, x)));
        let (id, x) = required.unwrap_or_else(|| panic!("{}: no required field", form.id));
        add(
            format!("{} missing", form.fields[id].path),
            Some(x),
            set_json(&doc, &pointer(form, id), None),
        );
    }
    out
}

#[test]
fn xsd_compiles_and_the_example_validates() {
    let Some(lint) = xmllint() else { return };
    for lf in library_forms() {
        let form = &lf.form;
        let docs: Vec<(String, String)> = bases(form)
            .iter()
            .map(|c| {
                assert!(
                    c.outcome.errors.is_empty(),
                    "{}: {} has errors",
                    form.id,
                    c.name
                );
                (c.name.clone(), c.xml(form))
            })
            .collect();
        lint.assert_valid(form, &docs);
    }
}

#[test]
fn json_schema_is_2020_12_and_the_example_validates() {
    for lf in library_forms() {
        let form = &lf.form;
        let v = json_validator(form);
        for c in bases(form) {
            let doc = c.json(form);
            let errors = json_errors(&v, &doc);
            assert!(
                errors.is_empty(),
                "{} {}: {errors:#?}\n{doc:#}",
                form.id,
                c.name
            );
        }
    }
}

#[test]
fn xmllint_rejects_broken_submissions() {
    let Some(lint) = xmllint() else { return };
    let mut kinds = std::collections::BTreeSet::new();
    for lf in library_forms() {
        let form = &lf.form;
        let cases = broken(form);
        let docs: Vec<(String, String)> = cases
            .iter()
            .map(|b| (b.what.clone(), b.xml.clone()))
            .collect();
        for v in lint.validate(&blankett_compiler::backend::xsd::generate(form), &docs) {
            assert!(!v.valid, "{}: xmllint accepted {}", form.id, v.name);
            assert!(v.messages.contains("fails to validate"), "{}", v.messages);
        }
        kinds.extend(cases.iter().map(|b| (b.form.clone(), b.what.clone())));
    }
    let all = format!("{kinds:?}");
    for needed in ["19851315-9819", "outside its list", "missing"] {
        assert!(all.contains(needed), "no case of {needed}: {all}");
    }
}

#[test]
fn json_schema_rejects_broken_submissions() {
    for lf in library_forms() {
        let form = &lf.form;
        let v = json_validator(form);
        for b in broken(form) {
            assert!(
                !json_errors(&v, &b.json).is_empty(),
                "{}: the JSON Schema accepted {}",
                form.id,
                b.what
            );
        }
    }
}

/// Every form has example answers without errors: its first test's, when that is a complete
/// application, or generated ones. Generated answers must then leave no asked question open.
#[test]
fn every_form_has_valid_example_answers() {
    let mut without = Vec::new();
    for lf in library_forms() {
        let form = &lf.form;
        let answers = example::answers(form);
        let outcome = evaluate(form, &answers, default_today());
        if !outcome.errors.is_empty() {
            let errors: Vec<_> = outcome.errors.iter().map(|e| e.path.clone()).collect();
            without.push(format!("{}: {errors:?}", form.id));
            continue;
        }
        let from_test = form.tests.first().is_some_and(|t| t.answers == answers);
        if from_test {
            continue;
        }
        for (id, f) in form.fields.iter().enumerate() {
            let shown = outcome.is_visible(&f.path);
            if shown && f.parent.is_none() && f.kind.is_input() && f.required == Required::Always {
                assert!(
                    answers.contains_key(&f.path),
                    "{}: {} unanswered",
                    form.id,
                    id
                );
            }
        }
    }
    assert!(
        without.is_empty(),
        "forms without valid example answers (give each a complete first test):\n{}",
        without.join("\n")
    );
}

/// The generator on its own finds valid answers for forms with conditions, repeats, guardians
/// and dates (it is what a form without a complete first test gets as its example).
#[test]
fn generated_answers_satisfy_forms_with_conditions_repeats_and_dates() {
    let forms = library_forms();
    let mut generated = 0;
    for lf in &forms {
        let form = &lf.form;
        let answers = example::generated(form, default_today());
        if evaluate(form, &answers, default_today()).errors.is_empty() {
            generated += 1;
        } else {
            assert!(
                !["felanmalan", "bygglov", "barnomsorg"].contains(&form.id.as_str()),
                "{}: generated answers have errors",
                form.id
            );
        }
    }
    // Rules between fields (ages, times of day, rows) defeat the search in a few forms.
    assert!(
        generated * 4 >= forms.len() * 3,
        "only {generated} of {} forms",
        forms.len()
    );
}

/// Text the XML must escape or cannot carry literally, and an amount with öre fractions.
#[test]
fn awkward_answers_still_validate() {
    let Some(lint) = xmllint() else { return };
    let forms = library_forms();
    let form = &forms
        .iter()
        .find(|f| f.form.id == "felanmalan")
        .expect("felanmalan is in the library")
        .form;
    let mut answers = example::answers(form);
    let awkward = "Hål <&> \"här\"\r\nock\u{1}så ]]> i asfalten";
    answers.insert("beskrivning".into(), json!(awkward));
    let outcome = evaluate(form, &answers, default_today());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let xml = submission::to_xml(form, &outcome);
    assert!(
        xml.contains("Hål &lt;&amp;&gt; \"här\"&#13;\nock\u{fffd}så ]]&gt;"),
        "{xml}"
    );
    assert!(
        xml.contains("&#13;"),
        "a carriage return survives parsing: {xml}"
    );
    lint.assert_valid(form, &[("awkward".into(), xml)]);
    let doc = submission::to_json(form, &outcome);
    assert_eq!(
        doc["beskrivning"],
        json!(awkward),
        "JSON keeps the answer as it is"
    );

    let form = &forms
        .iter()
        .find(|f| f.form.id == "barnomsorg")
        .expect("barnomsorg is in the library")
        .form;
    let mut answers = example::answers(form);
    answers.insert("hushallets_inkomst".into(), json!("52 000,456"));
    let outcome = evaluate(form, &answers, default_today());
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    let xml = submission::to_xml(form, &outcome);
    assert!(
        xml.contains("<hushallets_inkomst>52000.46</hushallets_inkomst>"),
        "{xml}"
    );
    lint.assert_valid(form, &[("money".into(), xml)]);
    let v = json_validator(form);
    let doc = submission::to_json(form, &outcome);
    assert_eq!(doc["hushallets_inkomst"], json!(52000.46));
    assert!(json_errors(&v, &doc).is_empty());
}
