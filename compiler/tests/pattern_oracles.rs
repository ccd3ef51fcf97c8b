//! Authors' patterns as the schemas carry them, against the engines that read them: for each
//! pattern and answer, the evaluator (Rust's regex), xmllint (XSD regex) and the `jsonschema`
//! crate (ECMAScript) must agree. Where a schema could not carry a pattern it must accept
//! everything, since the e-service has already checked.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod schema_support;

use blankett_compiler::backend::{json_schema, xsd};
use blankett_compiler::eval::{evaluate, testing::default_today, Answers};
use blankett_compiler::ir::Form;
use blankett_compiler::source::MemFs;
use quick_xml::escape::partial_escape;
use schema_support::{json_errors, xmllint};
use serde_json::json;

const PATTERNS: &[&str] = &[
    "^([01][0-9]|2[0-3]):[0-5][0-9]$",
    r"[A-Z]{2}\d{4}",
    "a.c",
    "[^abc]+",
    "(?:ab|c)*x?",
    r"\$[0-9]+\.[0-9]{2}",
    r"[a\-z]+",
    "[-a]+",
    "x{2,3}",
    "^a|b$",
    "[åäö]+",
    "a+?b",
    r"(?P<n>[0-9])-\d",
    // Not translatable: the schemas must let everything through.
    r"\w+",
    "(?i)abc",
];

const ANSWERS: &[&str] = &[
    "07:30",
    "24:00",
    "AB1234",
    "AB١٢٣٤",
    "abc",
    "a\nc",
    "a\rc",
    "xyz",
    "abab",
    "ccx",
    "$12.50",
    "12.50",
    "a-z",
    "-a",
    "xx",
    "xxxx",
    "a",
    "b",
    "ab",
    "åäö",
    "aab",
    "1-٣",
    "ABC",
    "hello_world",
    "a.c",
];

fn form() -> Form {
    let mut yaml = String::from(
        "form: demo\nversion: 1.0.0\ntitle: Demo\npages:\n  - id: start\n    title: Start\n    fields:\n",
    );
    for (i, p) in PATTERNS.iter().enumerate() {
        yaml.push_str(&format!(
            "      - id: p{i}\n        type: text\n        label: P{i}\n        required: false\n        pattern: {}\n",
            serde_json::to_string(p).expect("a string serializes")
        ));
    }
    let fs = MemFs::new()
        .with("lib/blankett.yaml", "library: demo\nversion: 1.0.0\n")
        .with("lib/demo/demo.form.yaml", yaml);
    let c = blankett_compiler::compile(&fs, &["lib".into()]);
    assert!(!c.has_errors(), "the demo form compiles");
    c.forms.into_iter().next().expect("one form")
}

/// Whether the part of the XSD declaring `name` carries a pattern.
fn xsd_has_pattern(schema: &str, name: &str) -> bool {
    let start = schema
        .find(&format!("<xs:element name=\"{name}\""))
        .expect("the field is declared");
    let end = schema[start..]
        .find("</xs:element>")
        .map_or(schema.len(), |e| start + e);
    schema[start..end].contains("<xs:pattern")
}

fn document(form: &Form, field: &str, value: &str) -> String {
    // A carriage return as a character reference, as the submission writer writes it.
    let text = partial_escape(value).replace('\r', "&#13;");
    format!(
        "<?xml version=\"1.0\"?>\n<demo xmlns=\"{}\" formVersion=\"1.0.0\" formHash=\"{}\"><{field}>{text}</{field}></demo>\n",
        blankett_compiler::backend::namespace(form),
        form.hash
    )
}

#[test]
fn schemas_agree_with_the_evaluator_on_patterns() {
    let form = form();
    let schema = xsd::generate(&form);
    let json = json_schema::generate(&form);
    let validator = jsonschema::draft202012::new(&json).expect("the JSON Schema compiles");
    let mut docs = Vec::new();
    let mut expected = Vec::new();
    let mut exact = 0;
    for (i, pattern) in PATTERNS.iter().enumerate() {
        let field = format!("p{i}");
        let in_xsd = xsd_has_pattern(&schema, &field);
        let in_json = json["properties"][&field].get("pattern").is_some();
        exact += usize::from(in_xsd) + usize::from(in_json);
        for a in ANSWERS {
            let answers: Answers = [(field.clone(), json!(a))].into_iter().collect();
            let accepted = evaluate(&form, &answers, default_today()).errors.is_empty();
            let doc = json!({"formVersion": "1.0.0", "formHash": form.hash, &field: a});
            let json_accepts = json_errors(&validator, &doc).is_empty();
            let what = format!("pattern {pattern:?} on {a:?}");
            if in_json {
                assert_eq!(
                    json_accepts, accepted,
                    "JSON Schema and evaluator differ: {what}"
                );
            } else {
                assert!(
                    json_accepts,
                    "JSON Schema rejects without a pattern: {what}"
                );
            }
            docs.push((what, document(&form, &field, a)));
            expected.push(accepted || !in_xsd);
        }
    }
    // Most of the subset must actually reach the schemas, or this test proves little.
    assert!(
        exact >= 2 * PATTERNS.len() - 6,
        "only {exact} patterns translated"
    );
    let Some(lint) = xmllint() else { return };
    let verdicts = lint.validate(&schema, &docs);
    for (v, want) in verdicts.iter().zip(expected) {
        assert_eq!(
            v.valid, want,
            "xmllint and evaluator differ: {}\n{}",
            v.name, v.messages
        );
    }
}
