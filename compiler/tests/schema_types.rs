//! Every field type, bound and nesting the schemas know, in one made-up form that the library
//! forms do not cover (integers, fixed date bounds, positions, nested fragments in a repeat,
//! computed lists with gaps, texts and dates): the schemas compile, and submissions validate.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod schema_support;

use blankett_compiler::backend::{example, xsd};
use blankett_compiler::eval::{evaluate, testing::default_today, Answers};
use blankett_compiler::ir::Form;
use blankett_compiler::source::MemFs;
use schema_support::{json_errors, json_validator, xmllint};
use serde_json::json;

const FORM: &str = r#"
form: typer
version: 2.1.0
title: {sv: "Alla typer", en: "Every type"}
pages:
  - id: forsta
    title: Första
    fields:
      - id: antal
        type: integer
        label: Antal
        min: 0.5
        max: 10.7
      - id: belopp
        type: money
        label: Belopp
        min: -100
        required: false
      - id: dag
        type: date
        label: Dag
        min: 2020-01-01
        max: 2030-12-31
      - id: plats
        type: position
        label: Plats
        required: false
      - id: roller
        type: multi_choice
        label: Roller
        choices: [a, b, c_d]
      - id: org
        type: orgnummer
        label: Organisationsnummer
        required: false
      - id: telefon
        type: phone
        label: Telefon
        required: false
      - id: fastighet
        type: fastighetsbeteckning
        label: Fastighet
        required: false
      - id: rader
        type: repeat
        label: Rader
        max_items: 3
        fields:
          - id: namn
            type: text
            label: Namn
            min_length: 2
          - id: antal
            type: decimal
            label: Antal
            required: false
          - use: common/person
            as: person
          - id: bilaga
            type: file
            label: Bilaga
            required: false
            accept: [image/*, application/pdf]
            max_size: 1 MB
      - id: alla_antal
        type: computed
        label: Alla antal
        value: rader[*].antal
      - id: halsning
        type: computed
        label: Hälsning
        value: '"Hej " + telefon'
      - id: idag
        type: computed
        label: Idag
        value: today()
  - id: andra
    title: Andra
    visible_if: antal > 5
    fields:
      - id: kommentar
        type: textarea
        label: Kommentar
        pattern: '[A-Z].*'
"#;

const PERSON: &str = r#"
fragment: person
fields:
  - id: fornamn
    type: text
    label: Förnamn
  - id: personnummer
    type: personnummer
    label: Personnummer
    required: false
"#;

fn form() -> Form {
    let fs = MemFs::new()
        .with("lib/blankett.yaml", "library: typer\nversion: 1.0.0\n")
        .with("lib/typer/typer.form.yaml", FORM)
        .with("lib/common/person.fragment.yaml", PERSON);
    let c = blankett_compiler::compile(&fs, &["lib".into()]);
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    c.forms.into_iter().next().expect("one form")
}

fn answer_sets(form: &Form) -> Vec<(String, Answers)> {
    let generated = example::generated(form, default_today());
    let mut full = generated.clone();
    full.insert("antal".into(), json!(7));
    full.insert("kommentar".into(), json!("Ja, en kommentar\rmed två rader"));
    full.insert("belopp".into(), json!(-99.999));
    full.insert("roller".into(), json!(["c_d", "a"]));
    full.insert(
        "rader".into(),
        json!([
            {"namn": "Ett", "antal": 1.25, "person.fornamn": "Anna", "person.personnummer": "19121212-1212",
             "bilaga": {"name": "a.png", "size": 1000, "type": "image/png"}},
            {"namn": "Två", "person.fornamn": "Bo"},
            {"namn": "Tre", "antal": 3, "person.fornamn": "Cia",
             "bilaga": {"name": "b.pdf", "size": 1000000, "type": "APPLICATION/PDF"}}
        ]),
    );
    let mut sparse = Answers::new();
    for key in ["antal", "dag", "roller"] {
        if let Some(v) = generated.get(key) {
            sparse.insert(key.into(), v.clone());
        }
    }
    vec![
        ("generated".into(), generated),
        ("full".into(), full),
        ("sparse".into(), sparse),
    ]
}

#[test]
fn every_type_validates() {
    let form = form();
    let schema = xsd::generate(&form);
    for needed in [
        "<xs:minInclusive value=\"1\"/>",
        "<xs:maxInclusive value=\"10\"/>",
        "<xs:minInclusive value=\"2020-01-01\"/>",
        "<xs:fractionDigits value=\"2\"/>",
        "nillable=\"true\"",
        "maxOccurs=\"3\"",
    ] {
        assert!(schema.contains(needed), "the XSD lacks {needed}:\n{schema}");
    }
    let validator = json_validator(&form);
    let mut docs = Vec::new();
    for (name, answers) in answer_sets(&form) {
        let outcome = evaluate(&form, &answers, default_today());
        assert!(outcome.errors.is_empty(), "{name}: {:#?}", outcome.errors);
        let doc = blankett_compiler::backend::submission::to_json(&form, &outcome);
        let errors = json_errors(&validator, &doc);
        assert!(errors.is_empty(), "{name}: {errors:#?}\n{doc:#}");
        docs.push((
            name,
            blankett_compiler::backend::submission::to_xml(&form, &outcome),
        ));
    }
    let full = &docs[1].1;
    for needed in [
        "xsi:nil=\"true\"",
        "<belopp>-100</belopp>",
        "<val>c_d</val>",
    ] {
        assert!(
            full.contains(needed),
            "the submission lacks {needed}:\n{full}"
        );
    }
    let Some(lint) = xmllint() else { return };
    lint.assert_valid(&form, &docs);
}
