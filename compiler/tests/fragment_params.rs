//! Fragment parameters (`required: false`, `labels`, `hints`, a fragment's own `rules`) and the
//! group headings answers are read back under, over the fixture `clean_fragment_params`: the
//! same fragment used twice, as `inne` (Inomhus) and `ute` (Utomhus).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_compiler::backend::html::{self, answer_context, answer_sections, Ctx, View};
use blankett_compiler::backend::Branding;
use blankett_compiler::eval::testing::{default_today, run};
use blankett_compiler::eval::{evaluate, Answers};
use blankett_compiler::ir::{Form, Required};
use blankett_compiler::source::RealFs;
use serde_json::json;
use std::path::PathBuf;

fn form() -> Form {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/clean_fragment_params");
    let c = blankett_compiler::compile(&RealFs, &[dir]);
    assert!(!c.has_errors(), "{:?}", c.diagnostics);
    c.forms.into_iter().next().unwrap()
}

fn answers(pairs: serde_json::Value) -> Answers {
    pairs
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn field<'f>(f: &'f Form, path: &str) -> &'f blankett_compiler::ir::Field {
    &f.fields[f.field(path).unwrap()]
}

#[test]
fn a_use_makes_its_fields_optional_and_gives_them_other_texts() {
    let f = form();
    // `required: false` on `ute`: its fields are optional...
    assert_eq!(field(&f, "ute.fran").required, Required::Never);
    assert_eq!(field(&f, "ute.till").required, Required::Never);
    // ...except the one the fragment marks `required: true` itself.
    assert_eq!(field(&f, "ute.kommentar").required, Required::Always);
    // The other use is untouched.
    assert_eq!(field(&f, "inne.fran").required, Required::Always);

    assert_eq!(
        field(&f, "ute.fran").label.get("sv"),
        "Från klockan på uteserveringen"
    );
    assert_eq!(field(&f, "inne.fran").label.get("sv"), "Från klockan");
    assert_eq!(
        field(&f, "ute.till").hint.as_ref().unwrap().get("sv"),
        "Många kommuner har en tidigare sluttid ute."
    );
    assert!(field(&f, "inne.till").hint.is_none());
}

#[test]
fn a_fragment_rule_applies_to_each_use_with_its_own_fields() {
    let f = form();
    // One rule in the fragment, one per use.
    assert_eq!(f.rules.len(), 2);
    let o = evaluate(
        &f,
        &answers(json!({
            "inne.fran": "11:00", "inne.till": "10:00", "inne.kommentar": "x",
            "uteservering": true,
            "ute.fran": "12:00", "ute.till": "22:00", "ute.kommentar": "y",
        })),
        default_today(),
    );
    let paths: Vec<&str> = o.errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["inne.till"], "only inomhus ends before it starts");
    // The scenario test of the fixture passes too.
    assert!(run(&f).iter().all(|r| r.passed()));
}

#[test]
fn answers_are_read_back_under_their_groups_headings() {
    let f = form();
    let o = evaluate(
        &f,
        &answers(json!({
            "inne.fran": "11:00", "inne.till": "23:00", "inne.kommentar": "Restaurang",
            "uteservering": true,
            "ute.fran": "12:00", "ute.till": "22:00", "ute.kommentar": "Altan",
        })),
        default_today(),
    );
    let sections = answer_sections(&f, &o, "sv");
    assert_eq!(sections.len(), 1);
    let groups: Vec<(Option<&str>, Vec<&str>)> = sections[0]
        .groups
        .iter()
        .map(|g| {
            (
                g.heading.as_deref(),
                g.rows.iter().map(|r| r.label.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (
                Some("Inomhus"),
                vec!["Från klockan", "Till klockan", "Kommentar"]
            ),
            (None, vec!["Har ni uteservering?"]),
            (
                Some("Utomhus"),
                vec![
                    "Från klockan på uteserveringen",
                    "Till klockan",
                    "Kommentar"
                ]
            ),
        ]
    );

    // Drawn on check-your-answers and the receipt as a heading before each group.
    let branding = Branding::neutral();
    let ctx = Ctx {
        form: &f,
        branding: &branding,
        lang: "sv",
        base: "/k/servering",
        assets: "/assets",
        csrf: None,
        user: None,
    };
    let empty = Answers::new();
    let check = html::render(
        &ctx,
        &View::Check {
            answers: &empty,
            outcome: &o,
        },
    );
    let inne = check
        .find(r#"<h3 class="bk-heading-s">Inomhus</h3>"#)
        .unwrap();
    let ute = check
        .find(r#"<h3 class="bk-heading-s">Utomhus</h3>"#)
        .unwrap();
    assert!(inne < check.find("Restaurang").unwrap());
    assert!(ute < check.find("Altan").unwrap() && inne < ute);
    let receipt = html::render(
        &ctx,
        &View::Receipt {
            reference: "SERV-2026-000001",
            submitted_at: "2026-06-15T12:00:00+02:00",
            outcome: &o,
        },
    );
    assert!(receipt.contains(r#"<h3 class="bk-heading-s">Utomhus</h3>"#));
}

#[test]
fn the_error_summary_says_which_group_a_message_is_about() {
    let f = form();
    let o = evaluate(
        &f,
        &answers(json!({"inne.fran": "11:00", "inne.till": "01:00", "uteservering": true})),
        default_today(),
    );
    let ctx_of = |e: &blankett_compiler::eval::FieldError| {
        answer_context(&f, e.field, &e.path, "sv").map(|c| format!("{c}: {}", e.message.get("sv")))
    };
    let texts: Vec<String> = o.errors.iter().filter_map(ctx_of).collect();
    assert!(
        texts.contains(&"Inomhus: Sluttiden måste vara senare än starttiden.".to_string()),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("Utomhus: ")),
        "{texts:?}"
    );

    let branding = Branding::neutral();
    let ctx = Ctx {
        form: &f,
        branding: &branding,
        lang: "sv",
        base: "/k/servering",
        assets: "/assets",
        csrf: None,
        user: None,
    };
    let empty = Answers::new();
    let check = html::render(
        &ctx,
        &View::Check {
            answers: &empty,
            outcome: &o,
        },
    );
    assert!(
        check.contains("Inomhus: Sluttiden måste vara senare än starttiden."),
        "the check page's error summary names the group"
    );
}
