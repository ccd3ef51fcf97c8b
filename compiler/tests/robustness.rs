//! Bad input never panics: arbitrary bytes, arbitrary YAML in the shape of a form, and the real
//! forms with random damage all compile to diagnostics, never to a crash.
//!
//! The case count is `BLANKETT_FUZZ_CASES` (default 100,000: 49% arbitrary bytes, 49% arbitrary
//! form-shaped YAML, 2% damaged real forms, which cost a whole library compile each; a longer
//! fuzz run sets it higher).

use blankett_compiler::eval::{evaluate, testing};
use blankett_compiler::source::MemFs;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};

fn total_cases() -> u32 {
    std::env::var("BLANKETT_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

fn runner(share: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: total_cases() * share / 100,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Compiles one form file in a one-file library and runs whatever compiled: tests and evaluation.
fn compile_one(text: String) {
    let fs = MemFs::new()
        .with(
            "lib/blankett.yaml",
            "library: fuzz\nversion: 1.0.0\nlanguages: [sv, en]\n",
        )
        .with("lib/x.form.yaml", text);
    let c = blankett_compiler::compile(&fs, &[PathBuf::from("lib")]);
    for form in &c.forms {
        let _ = testing::run(form);
        let _ = evaluate(form, &Default::default(), testing::default_today());
    }
}

#[test]
fn arbitrary_bytes_never_panic() {
    runner(49)
        .run(&proptest::collection::vec(any::<u8>(), 0..400), |bytes| {
            compile_one(String::from_utf8_lossy(&bytes).into_owned());
            Ok(())
        })
        .unwrap();
}

const KEYS: &[&str] = &[
    "form",
    "version",
    "title",
    "pages",
    "id",
    "type",
    "label",
    "fields",
    "visible_if",
    "required",
    "choices",
    "value",
    "min",
    "max",
    "use",
    "as",
    "rules",
    "when",
    "message",
    "field",
    "tests",
    "answers",
    "expect",
    "errors",
    "values",
    "mapping",
    "motpart",
    "namn",
    "hint",
    "pattern",
    "accept",
    "max_size",
    "min_items",
    "sv",
    "en",
    "visible",
    "hidden",
];
const SCALARS: &[&str] = &[
    "text",
    "repeat",
    "computed",
    "choice",
    "date",
    "integer",
    "a == 1",
    "sum(b[*].c)",
    "a.b",
    "1.0.0",
    "true",
    "12",
    "\"x\"",
    "[a, b]",
    "date(\"2026-02-30\")",
    "not",
    "(",
    "a and",
    "today()",
    "common/person",
    "kat",
    "-1",
    "~",
    "1e400",
    "age(p) > 18",
    "x in [\"a\"]",
    "'",
    "{",
    "p1",
    "barn[*]",
    "10 MB",
    "image/jpeg",
];

fn yaml_tree() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(SCALARS).prop_map(|s| s.to_string());
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec((prop::sample::select(KEYS), inner.clone()), 0..6).prop_map(
                |entries| {
                    let body: Vec<String> =
                        entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                    format!("{{{}}}", body.join(", "))
                }
            ),
            prop::collection::vec(inner, 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
        ]
    })
}

#[test]
fn arbitrary_form_shaped_yaml_never_panics() {
    let form = (yaml_tree(), yaml_tree(), yaml_tree()).prop_map(|(pages, rules, tests)| {
        format!(
            "form: x\nversion: 1.0.0\ntitle: T\npages: {pages}\nrules: {rules}\ntests: {tests}\n"
        )
    });
    runner(49)
        .run(&form, |text| {
            compile_one(text);
            Ok(())
        })
        .unwrap();
}

/// The shared library in memory, and the paths of its forms.
fn real_library() -> (MemFs, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../forms");
    let mut fs = MemFs::new();
    let mut forms = Vec::new();
    for entry in walk(&root) {
        let rel = Path::new("lib").join(entry.strip_prefix(&root).unwrap_or(&entry));
        if rel.to_string_lossy().ends_with(".yaml") {
            if rel.to_string_lossy().ends_with(".form.yaml") {
                forms.push(rel.clone());
            }
            fs.files
                .insert(rel, std::fs::read_to_string(&entry).unwrap_or_default());
        }
    }
    (fs, forms)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn damaged_real_forms_never_panic() {
    let (library, forms) = real_library();
    if forms.is_empty() {
        return;
    }
    let damage = (
        0..forms.len(),
        any::<prop::sample::Index>(),
        0usize..40,
        prop::sample::select(SCALARS),
    );
    runner(2)
        .run(&damage, |(which, at, len, insert)| {
            let text = &library.files[&forms[which]];
            let start = at.index(text.len().max(1));
            let mut start = start.min(text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = (start + len).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let damaged = format!("{}{}{}", &text[..start], insert, &text[end..]);
            let mut fs = library.clone();
            fs.files.insert(forms[which].clone(), damaged);
            let c = blankett_compiler::compile(&fs, &[forms[which].clone()]);
            for form in &c.forms {
                let _ = testing::run(form);
            }
            Ok(())
        })
        .unwrap();
}

/// A diagnostic on a line longer than miette can underline (its columns stop at 65,535) used to
/// panic `blankett check` (exit 101). It is now drawn as an excerpt of that line.
#[test]
fn a_diagnostic_past_column_65535_is_an_excerpt_not_a_panic() {
    let long = "x".repeat(70_000);
    let text = format!(
        "form: f\nversion: 1.0.0\ntitle: {{sv: T}}\npages:\n  - id: p\n    title: {{sv: P}}\n    fields:\n      - {{id: a, type: text, label: {{sv: \"{long}\"}}, visible_if: nosuch == 1}}\n"
    );
    let fs = MemFs::new()
        .with("lib/blankett.yaml", "library: x\nversion: 1.0.0\n")
        .with("lib/f.form.yaml", text);
    let c = blankett_compiler::compile(&fs, &[PathBuf::from("lib")]);
    let out = blankett_compiler::diagnostic::render(&c.sources, &c.diagnostics, false);
    assert!(out.contains("blankett::unknown_field"), "{out}");
    assert!(out.contains("at column 70058 of a line"), "{out}");
    assert!(out.contains("visible_if: ⟨here⟩nosuch == 1"), "{out}");
    assert!(out.len() < 5_000, "the long line is not printed whole");
}
