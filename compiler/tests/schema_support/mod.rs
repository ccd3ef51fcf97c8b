//! Helpers shared by the schema and submission tests: the library's forms, compiled from
//! `forms/`, and the two oracles, xmllint for XML Schema and the `jsonschema` crate.
#![allow(dead_code)]

use blankett_compiler::backend::{json_schema, submission, xsd};
use blankett_compiler::eval::{evaluate, testing::default_today, Answers, Outcome};
use blankett_compiler::ir::{Form, TestCase};
use blankett_compiler::source::RealFs;
use serde_json::Value as Json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the compiler crate sits in the workspace")
        .to_path_buf()
}

/// A library form and the YAML file it was written in, relative to the repository.
pub struct LibraryForm {
    pub form: Form,
    pub yaml: String,
}

/// Every form in `forms/`, compiled without errors.
pub fn library_forms() -> Vec<LibraryForm> {
    let root = repo_root();
    let c = blankett_compiler::compile(&RealFs, &[root.join("forms")]);
    assert!(!c.has_errors(), "forms/ should compile without errors");
    assert!(!c.forms.is_empty(), "forms/ should hold forms");
    c.forms
        .into_iter()
        .map(|form| {
            let yaml = form
                .source_span
                .map(|s| c.sources.get(s.file).path.clone())
                .map(|p| {
                    p.strip_prefix(&root)
                        .map(Path::to_path_buf)
                        .unwrap_or(p)
                        .display()
                        .to_string()
                })
                .unwrap_or_else(|| format!("forms/{0}/{0}.form.yaml", form.id));
            LibraryForm { form, yaml }
        })
        .collect()
}

/// The day a test's `today()` is.
pub fn today_of(t: &TestCase) -> chrono::NaiveDate {
    t.today.unwrap_or_else(default_today)
}

/// One answer set and its evaluation.
pub struct Case {
    pub name: String,
    pub answers: Answers,
    pub outcome: Outcome,
}

impl Case {
    pub fn new(
        form: &Form,
        name: impl Into<String>,
        answers: Answers,
        today: chrono::NaiveDate,
    ) -> Case {
        let outcome = evaluate(form, &answers, today);
        Case {
            name: name.into(),
            answers,
            outcome,
        }
    }
    pub fn xml(&self, form: &Form) -> String {
        submission::to_xml(form, &self.outcome)
    }
    pub fn json(&self, form: &Form) -> Json {
        submission::to_json(form, &self.outcome)
    }
}

/// The form's scenario tests whose answers the evaluator accepts.
pub fn valid_scenarios(form: &Form) -> Vec<Case> {
    form.tests
        .iter()
        .map(|t| {
            // As `blankett test` runs it: the logged-in person, the prefills, the answers.
            let answers = blankett_compiler::eval::testing::journey_answers(form, t);
            Case::new(form, t.name.clone(), answers, today_of(t))
        })
        .filter(|c| c.outcome.errors.is_empty())
        .collect()
}

/// xmllint, when it can be run. Without it the XML tests skip, except in CI (`CI` set),
/// where `scripts/setup.sh` installs it and its absence is a failure.
pub fn xmllint() -> Option<Xmllint> {
    let found = Command::new("xmllint").arg("--version").output().is_ok();
    if found {
        return Some(Xmllint);
    }
    if std::env::var_os("CI").is_some() {
        panic!("xmllint is missing in CI: install libxml2-utils (scripts/setup.sh does)");
    }
    // Written to the stderr handle itself: `eprintln!` is captured by the test harness and
    // would hide the skip from anyone not running with `--nocapture`.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: xmllint is not installed, so XML Schema validation was not tested \
         (apt-get install libxml2-utils)"
    );
    None
}

pub struct Xmllint;

/// What xmllint said about one document.
#[derive(Debug)]
pub struct Verdict {
    pub name: String,
    pub valid: bool,
    pub messages: String,
}

fn scratch_dir() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "schemas-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("the scratch directory can be made");
    dir
}

impl Xmllint {
    /// Compiles `schema` and validates every document against it in one run. Panics when the
    /// schema itself does not compile, or when xmllint says anything about it.
    pub fn validate(&self, schema: &str, docs: &[(String, String)]) -> Vec<Verdict> {
        let dir = scratch_dir();
        let xsd = dir.join("form.xsd");
        std::fs::write(&xsd, schema).expect("the schema can be written");
        let mut files = Vec::new();
        for (i, (_, xml)) in docs.iter().enumerate() {
            let path = dir.join(format!("doc{i}.xml"));
            std::fs::write(&path, xml).expect("the document can be written");
            files.push(path);
        }
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&xsd)
            .args(&files)
            .output()
            .expect("xmllint runs");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(
            !stderr.contains("failed to compile") && !stderr.contains("Schemas parser"),
            "the schema does not compile:\n{stderr}\n{schema}"
        );
        let verdicts: Vec<Verdict> = docs
            .iter()
            .zip(&files)
            .map(|((name, _), path)| {
                let p = path.display().to_string();
                let messages: Vec<&str> = stderr.lines().filter(|l| l.starts_with(&p)).collect();
                Verdict {
                    name: name.clone(),
                    valid: messages.iter().any(|l| *l == format!("{p} validates")),
                    messages: messages.join("\n"),
                }
            })
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        verdicts
    }

    /// Panics with xmllint's words unless every document validates.
    pub fn assert_valid(&self, form: &Form, docs: &[(String, String)]) {
        let bad: Vec<String> = self
            .validate(&xsd::generate(form), docs)
            .into_iter()
            .zip(docs)
            .filter(|(v, _)| !v.valid)
            .map(|(v, (_, xml))| format!("── {} ──\n{}\n{xml}", v.name, v.messages))
            .collect();
        assert!(
            bad.is_empty(),
            "{}: invalid XML:\n{}",
            form.id,
            bad.join("\n")
        );
    }
}

/// The form's JSON Schema, checked against the 2020-12 meta-schema and compiled.
pub fn json_validator(form: &Form) -> jsonschema::Validator {
    let schema = json_schema::generate(form);
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("{}: the JSON Schema is not valid 2020-12: {e}", form.id);
    }
    jsonschema::draft202012::new(&schema)
        .unwrap_or_else(|e| panic!("{}: the JSON Schema does not compile: {e}", form.id))
}

/// The reasons `instance` is invalid; empty when it is valid.
pub fn json_errors(v: &jsonschema::Validator, instance: &Json) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}
