//! The case-system mapping against real oracles: every ERMS document of every example
//! submission of every form (in `forms/` and each kommun in `examples/`) validates against
//! `ERMS_v3.xsd` with xmllint, and the generated XSLT run by xsltproc over the submission XML
//! gives the same canonical XML as the native mapper, for ERMS and FGS alike. Snapshots show
//! the mapping beside its documents and stylesheets for three forms.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_compiler::backend::mapping::{self, Envelope};
use blankett_compiler::backend::{example, submission};
use blankett_compiler::eval::{evaluate, testing::default_today, Answers, Outcome};
use blankett_compiler::ir::Form;
use blankett_compiler::ir::Kommun;
use blankett_compiler::source::RealFs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the compiler crate sits in the workspace")
        .to_path_buf()
}

/// Every library form, and every kommun's service forms with their kommun.
fn all_forms() -> Vec<(Form, Option<Kommun>)> {
    let root = repo_root();
    let mut targets = vec![root.join("forms")];
    for entry in std::fs::read_dir(root.join("examples")).expect("examples/ exists") {
        let dir = entry.expect("a readable folder").path();
        if dir.join("kommun.yaml").exists() {
            targets.push(dir);
        }
    }
    let c = blankett_compiler::compile(&RealFs, &targets);
    assert!(
        !c.has_errors(),
        "forms/ and examples/ should compile without errors"
    );
    let mut out: Vec<(Form, Option<Kommun>)> = c.forms.into_iter().map(|f| (f, None)).collect();
    for k in c.kommuner {
        for f in &k.forms {
            out.push((f.clone(), Some(k.clone())));
        }
    }
    out
}

struct Case {
    label: String,
    outcome: Outcome,
}

/// The build's example, and each scenario test whose answers make a complete submission.
fn cases(form: &Form, kommun: Option<&Kommun>) -> Vec<Case> {
    let owner = kommun.map_or("library".to_string(), |k| k.id.clone());
    let mut out = vec![Case {
        label: format!("{owner}/{}/example", form.id),
        outcome: evaluate(form, &example::answers(form), default_today()),
    }];
    for t in &form.tests {
        let answers: Answers = t.answers.clone();
        let outcome = evaluate(form, &answers, t.today.unwrap_or_else(default_today));
        if outcome.errors.is_empty() {
            out.push(Case {
                label: format!("{owner}/{}/{}", form.id, t.name),
                outcome,
            });
        }
    }
    out
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("--version").output().is_ok()
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("blankett-mapping-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    dir
}

/// Writes the native document and the stylesheet's output for one submission and requires
/// the same canonical XML; returns the native document's path.
fn agree(
    dir: &Path,
    stem: &str,
    xslt: &Path,
    input: &Path,
    native: &str,
    envelope: &Envelope,
) -> PathBuf {
    let native_path = dir.join(format!("{stem}.native.xml"));
    let xslt_path = dir.join(format!("{stem}.xslt.xml"));
    std::fs::write(&native_path, native).unwrap();
    std::fs::write(&xslt_path, transform(xslt, input, envelope)).unwrap();
    // The native document is indented; the stylesheet's output has no whitespace of its own,
    // so it is compared as it is: a stray text node from the stylesheet shows.
    assert_eq!(
        canonical(&native_path, true),
        canonical(&xslt_path, false),
        "{stem}: the XSLT and the native mapper disagree (variant 1: not signed in, awkward texts); see {}",
        dir.display()
    );
    native_path
}

fn canonical(path: &Path, noblanks: bool) -> String {
    let mut cmd = Command::new("xmllint");
    if noblanks {
        cmd.arg("--noblanks");
    }
    let out = cmd.arg("--c14n").arg(path).output().expect("xmllint runs");
    assert!(
        out.status.success(),
        "{} is not well-formed XML: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn transform(xslt: &Path, input: &Path, envelope: &Envelope) -> Vec<u8> {
    let mut cmd = Command::new("xsltproc");
    for (name, value) in envelope.xslt_params() {
        cmd.arg("--stringparam").arg(name).arg(value);
    }
    let out = cmd.arg(xslt).arg(input).output().expect("xsltproc runs");
    assert!(
        out.status.success(),
        "xsltproc {} failed: {}",
        xslt.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Text answers with everything that must be escaped, in XML and in XPath literals.
fn awkward(form: &Form, outcome: &Outcome) -> Outcome {
    let mut o = outcome.clone();
    for f in &form.fields {
        if f.parent.is_none()
            && matches!(
                f.kind,
                blankett_compiler::ir::FieldType::Text | blankett_compiler::ir::FieldType::Textarea
            )
        {
            if let Some(v @ blankett_compiler::expr::Value::Text(_)) = o.values.get_mut(&f.path) {
                *v = blankett_compiler::expr::Value::Text(
                    "a<b> & 'c' \"d\" ]]> e\r\nf\tg \u{1}".into(),
                );
            }
        }
    }
    o
}

#[test]
fn erms_validates_and_xslt_agrees_with_the_native_mapper() {
    if !tool("xmllint") || !tool("xsltproc") {
        eprintln!("note: xmllint or xsltproc is not installed; skipping");
        return;
    }
    let schema = repo_root().join("../shared/reference/erms/ERMS_v3.xsd");
    let have_schema = schema.exists();
    if !have_schema {
        eprintln!(
            "note: {} is absent; ERMS documents are not validated",
            schema.display()
        );
    }
    let dir = scratch("oracle");
    let mut erms_files = Vec::new();
    let mut compared = 0;
    for (form, kommun) in all_forms() {
        if form.mapping.is_none() {
            continue;
        }
        let k = kommun.as_ref();
        let base = dir.join(kommun.as_ref().map_or("library", |k| k.id.as_str()));
        std::fs::create_dir_all(&base).unwrap();
        let xslt_erms = base.join(format!("{}-erms.xslt", form.id));
        let xslt_fgs = base.join(format!("{}-fgs.xslt", form.id));
        std::fs::write(&xslt_erms, mapping::erms_xslt(&form, k).unwrap()).unwrap();
        std::fs::write(&xslt_fgs, mapping::fgs_xslt(&form, k).unwrap()).unwrap();
        for (n, case) in cases(&form, k).into_iter().enumerate() {
            let mut variants = vec![(case.outcome.clone(), true)];
            variants.push((awkward(&form, &case.outcome), false));
            for (v, (outcome, signed_in)) in variants.into_iter().enumerate() {
                let mut envelope = mapping::example_envelope(&form, &outcome);
                if !signed_in {
                    envelope.person = None;
                    envelope.reference = "R&D <'1'>".into();
                }
                let stem = base.join(format!("{}-{n}-{v}", form.id));
                let input = stem.with_extension("xml");
                std::fs::write(&input, submission::to_xml(&form, &outcome)).unwrap();
                for (target, xslt, native) in [
                    (
                        "erms",
                        &xslt_erms,
                        mapping::to_erms(&form, k, &outcome, &envelope).unwrap(),
                    ),
                    (
                        "fgs",
                        &xslt_fgs,
                        mapping::to_fgs(&form, k, &outcome, &envelope).unwrap(),
                    ),
                ] {
                    // The case's name goes into the file name, so a disagreement names it.
                    let file_stem = format!("{}.{v}.{target}", case.label.replace('/', "-"));
                    let native_path = agree(&base, &file_stem, xslt, &input, &native, &envelope);
                    compared += 1;
                    if target == "erms" {
                        erms_files.push(native_path);
                    }
                }
            }
        }
    }
    assert!(compared > 0, "some form should have a mapping");
    if have_schema {
        for chunk in erms_files.chunks(50) {
            let out = Command::new("xmllint")
                .arg("--noout")
                .arg("--schema")
                .arg(&schema)
                .args(chunk)
                .output()
                .expect("xmllint runs");
            assert!(
                out.status.success(),
                "ERMS documents do not validate against ERMS_v3.xsd:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    eprintln!(
        "{compared} documents compared, {} ERMS documents validated",
        erms_files.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn snapshot(name: &str, input: &str, output: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings
        .set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/mapping"));
    let both = format!("──── input ────\n{input}\n──── output ────\n{output}");
    settings.bind(|| insta::assert_snapshot!(name, both));
}

/// The `mapping:` section of a form's YAML, as written.
fn mapping_yaml(id: &str) -> String {
    let path = repo_root().join(format!("forms/{id}/{id}.form.yaml"));
    let text = std::fs::read_to_string(&path).expect("the form's YAML");
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("mapping:") {
            inside = true;
        } else if inside && !line.is_empty() && !line.starts_with(' ') && !line.starts_with('#') {
            break;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn snapshots_of_three_forms() {
    let forms = all_forms();
    for id in ["felanmalan", "bygglov", "barnomsorg"] {
        let Some((form, _)) = forms.iter().find(|(f, k)| f.id == id && k.is_none()) else {
            panic!("forms/{id} should exist");
        };
        let outcome = evaluate(form, &example::answers(form), default_today());
        let envelope = mapping::example_envelope(form, &outcome);
        let input = format!(
            "{}\n──── submission ────\n{}\n──── envelope ────\n{}",
            mapping_yaml(id),
            submission::to_xml(form, &outcome),
            serde_json::to_string_pretty(&envelope).unwrap()
        );
        snapshot(
            &format!("{id}.erms.xml"),
            &input,
            &mapping::to_erms(form, None, &outcome, &envelope).unwrap(),
        );
        snapshot(
            &format!("{id}.fgs.xml"),
            &input,
            &mapping::to_fgs(form, None, &outcome, &envelope).unwrap(),
        );
        snapshot(
            &format!("{id}.erms.xslt"),
            &mapping_yaml(id),
            &mapping::erms_xslt(form, None).unwrap(),
        );
        snapshot(
            &format!("{id}.fgs.xslt"),
            &mapping_yaml(id),
            &mapping::fgs_xslt(form, None).unwrap(),
        );
    }
}

/// A form using every construct a mapping may: choice labels, a multi-choice, yes/no,
/// `answered`, `in`, nested `if`, `!=`, `not`, literals with both quote kinds, a computed
/// text, a position, and files at the top level and in a repeat's rows.
const EVERY_CONSTRUCT: &str = r#"
form: allt
version: 1.0.0
title: Allt i en mappning
pages:
  - id: sidan
    title: Sidan
    fields:
      - id: namn
        type: text
        label: Namn
      - id: pnr
        type: personnummer
        label: Personnummer
        required: false
      - id: slag
        type: choice
        label: Slag
        choices:
          - {value: a, label: "Alfa \"citat\" & 'apostrof'"}
          - {value: b, label: "Beta <b>"}
      - id: flera
        type: multi_choice
        label: Flera
        required: false
        choices:
          - {value: x, label: Xylofon}
          - {value: y, label: Ypsilon}
      - id: ja
        type: yes_no
        label: Ja eller nej
      - id: plats
        type: position
        label: Plats
        required: false
      - id: antal
        type: integer
        label: Antal
        required: false
      - id: helt
        type: computed
        label: Helt
        value: 'namn + " (" + slag + ")"'
      - id: foto
        type: file
        label: Foto
        required: false
      - id: rader
        type: repeat
        label: Rader
        required: false
        fields:
          - id: fil
            type: file
            label: Radens fil
            required: false
          - id: vad
            type: text
            label: Vad
            required: false
          - id: mangd
            type: decimal
            label: Mängd
            required: false
          - id: sort
            type: choice
            label: Sort
            required: false
            choices:
              - {value: s1, label: "Sort ett"}
              - {value: s2, label: "Sort två"}
mapping:
  arendemening: "{if(slag == \"a\" and not(ja), \"it's \" + namn, if(\"x\" in flera, 'sa \"hej\"', namn))} – {slag}"
  arendetyp: ALLT
  klassificering: "1.2.3"
  motpart:
    namn: 'if(answered(pnr), namn, "Okänd")'
    personnummer: pnr
  handlingar:
    - {typ: ansokan, rubrik: "Allt"}
    - {typ: bilaga, falt: foto, rubrik: "Fotot"}
  extra:
    - {namn: "Flera", varde: "{flera}"}
    - {namn: "Ja", varde: "{ja}"}
    - {namn: "Plats", varde: "{plats}"}
    - {namn: "Antal", varde: "{antal} st"}
    - {namn: "Helt", varde: "{helt}"}
    - {namn: "Foto", varde: "{foto}"}
    - {namn: "Rader", varde: "{count(rader)} rader: {rader[*].vad}; {sum(rader[*].mangd)} kg; {rader[*].sort}; {rader[*].fil}"}
    - {namn: "Villkor", varde: '{slag == "a"} {answered(pnr)} {not(ja) and "x" in flera}'}
    - {namn: "Annat", varde: "{if(slag != \"b\" or slag in [\"b\"], \"ja\", \"nej\")}"}
"#;

#[test]
fn every_construct_agrees_with_its_stylesheet() {
    if !tool("xmllint") || !tool("xsltproc") {
        eprintln!("note: xmllint or xsltproc is not installed; skipping");
        return;
    }
    use blankett_compiler::source::MemFs;
    use serde_json::json;
    let fs = MemFs::new()
        .with("lib/blankett.yaml", "library: prov\nversion: 1.0.0\n")
        .with("lib/allt.form.yaml", EVERY_CONSTRUCT);
    let c = blankett_compiler::compile(&fs, &[PathBuf::from("lib")]);
    assert!(
        !c.has_errors(),
        "{}",
        blankett_compiler::diagnostic::render(&c.sources, &c.diagnostics, false)
    );
    let form = &c.forms[0];
    let answer_sets = [
        json!({"namn": "Åsa <&> \"Q\" 'A'", "pnr": "19121212-1212", "slag": "a", "ja": false,
               "flera": ["x", "y"], "plats": {"lat": 58.1, "lon": 11.79}, "antal": 3,
               "foto": {"name": "bild 1.jpg", "size": 12, "type": "image/jpeg"},
               "rader": [{"fil": {"name": "a.pdf", "size": 1, "type": "application/pdf"},
                          "vad": "Ett", "mangd": 0.1, "sort": "s2"},
                         {"vad": "Två", "mangd": 0.2},
                         {"fil": {"name": "b.pdf", "size": 2, "type": "application/pdf"},
                          "mangd": 1234567.125, "sort": "s1"}]}),
        json!({"namn": "Bo", "slag": "b", "ja": true, "flera": ["x"]}),
        json!({"namn": "Cia", "slag": "a", "ja": true}),
        json!({}),
    ];
    let dir = scratch("constructs");
    let erms_xslt = dir.join("erms.xslt");
    let fgs_xslt = dir.join("fgs.xslt");
    std::fs::write(&erms_xslt, mapping::erms_xslt(form, None).unwrap()).unwrap();
    std::fs::write(&fgs_xslt, mapping::fgs_xslt(form, None).unwrap()).unwrap();
    let mut erms_files = Vec::new();
    for (i, answers) in answer_sets.iter().enumerate() {
        let answers: Answers = serde_json::from_value(answers.clone()).unwrap();
        let outcome = evaluate(form, &answers, default_today());
        let envelope = mapping::example_envelope(form, &outcome);
        let input = dir.join(format!("{i}.xml"));
        std::fs::write(&input, submission::to_xml(form, &outcome)).unwrap();
        let erms = mapping::to_erms(form, None, &outcome, &envelope).unwrap();
        let fgs = mapping::to_fgs(form, None, &outcome, &envelope).unwrap();
        if i == 0 {
            assert!(erms.contains("it&apos;s") || erms.contains("it's Åsa &lt;&amp;&gt;"));
            assert!(fgs.contains("Beskrivning=\"Radens fil\""), "{fgs}");
            assert!(fgs.contains("Beskrivning=\"Fotot\""), "{fgs}");
            assert!(erms.contains("Xylofon, Ypsilon"), "{erms}");
            assert!(
                erms.contains(
                    "3 rader: Ett, Två; 1234567.425 kg; Sort två, Sort ett; a.pdf, b.pdf"
                ),
                "{erms}"
            );
        }
        erms_files.push(agree(
            &dir,
            &format!("{i}.erms"),
            &erms_xslt,
            &input,
            &erms,
            &envelope,
        ));
        agree(
            &dir,
            &format!("{i}.fgs"),
            &fgs_xslt,
            &input,
            &fgs,
            &envelope,
        );
    }
    let schema = repo_root().join("../shared/reference/erms/ERMS_v3.xsd");
    if schema.exists() {
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(&schema)
            .args(&erms_files)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
