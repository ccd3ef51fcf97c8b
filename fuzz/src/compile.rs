//! The compiler's targets: a form file in the library (read, analysed, checked by the backends,
//! its diagnostics rendered as `blankett check` prints them), and one expression inside a form
//! with fields of every kind.

use blankett_compiler::source::MemFs;
use std::path::PathBuf;
use std::sync::OnceLock;

const LIBRARY: &str = "/lib";
const FORM: &str = "/lib/fuzz/fuzz.form.yaml";

/// The library's `blankett.yaml` and shared fragments, so a fuzzed form can `use:` them.
fn library() -> &'static MemFs {
    static FS: OnceLock<MemFs> = OnceLock::new();
    FS.get_or_init(|| {
        let forms = crate::repo_root().join("forms");
        let mut fs = MemFs::new();
        if let Ok(text) = std::fs::read_to_string(forms.join("blankett.yaml")) {
            fs = fs.with(format!("{LIBRARY}/blankett.yaml"), text);
        }
        for entry in std::fs::read_dir(forms.join("common"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = entry.path();
            if let (Some(name), Ok(text)) = (path.file_name(), std::fs::read_to_string(&path)) {
                fs = fs.with(format!("{LIBRARY}/common/{}", name.to_string_lossy()), text);
            }
        }
        fs
    })
}

/// `blankett check` on the library with this form in it.
pub fn form_yaml(input: &[u8]) {
    let text = String::from_utf8_lossy(input).into_owned();
    let fs = library().clone().with(FORM, text);
    let c = blankett_compiler::compile(&fs, &[PathBuf::from(LIBRARY)]);
    let _ = blankett_compiler::diagnostic::render(&c.sources, &c.diagnostics, false);
}

/// A form whose computed field's value and a page's condition are the expression.
pub fn expression(input: &[u8]) {
    let expr = String::from_utf8_lossy(input);
    form_yaml(expression_form(&expr).as_bytes());
}

fn expression_form(expr: &str) -> String {
    let block: String = expr
        .lines()
        .map(|l| format!("          {l}\n"))
        .collect::<String>();
    let block = if block.is_empty() {
        "          \n".to_string()
    } else {
        block
    };
    format!(
        r#"form: fuzz
version: 1.0.0
title: {{sv: Fuzz, en: Fuzz}}
pages:
  - id: forsta
    title: {{sv: Första, en: First}}
    fields:
      - id: namn
        type: text
        label: {{sv: Namn, en: Name}}
      - id: antal
        type: number
        label: {{sv: Antal, en: Number}}
      - id: datum
        type: date
        label: {{sv: Datum, en: Date}}
      - id: val
        type: choice
        label: {{sv: Val, en: Choice}}
        choices:
          - {{value: a, label: {{sv: A, en: A}}}}
          - {{value: b, label: {{sv: B, en: B}}}}
      - id: ja
        type: yes_no
        label: {{sv: Ja, en: Yes}}
      - id: pnr
        type: personnummer
        label: {{sv: Personnummer, en: Personal number}}
      - id: rader
        type: repeat
        label: {{sv: Rader, en: Rows}}
        fields:
          - id: belopp
            type: decimal
            label: {{sv: Belopp, en: Amount}}
      - id: resultat
        type: computed
        label: {{sv: Resultat, en: Result}}
        value: |-
{block}  - id: andra
    title: {{sv: Andra, en: Second}}
    visible_if: |-
{block}    fields:
      - id: mer
        type: text
        label: {{sv: Mer, en: More}}
"#
    )
}

/// Every form of the library, as its author wrote it.
pub fn form_seeds() -> Vec<Vec<u8>> {
    let forms = crate::repo_root().join("forms");
    let mut out = Vec::new();
    for dir in std::fs::read_dir(forms).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = file.path();
            if path.to_string_lossy().ends_with(".form.yaml") {
                if let Ok(bytes) = std::fs::read(&path) {
                    out.push(bytes);
                }
            }
        }
    }
    out.sort();
    out
}

/// Expressions as the library writes them, over the fuzz form's fields.
pub fn expression_seeds() -> Vec<Vec<u8>> {
    [
        "antal + 1",
        "sum(rader[*].belopp) > 1000",
        "val == \"a\" and ja",
        "not answered(namn) or len(namn) > 3",
        "age(pnr) < 20",
        "days_between(datum, today()) > 3653",
        "count(rader) >= 2",
        "if(ja, antal * 2, 0)",
        "val in [\"a\", \"b\"]",
        "round(antal / 3, 2)",
        "namn != \"\" and datum <= today()",
        "-antal",
    ]
    .into_iter()
    .map(|e| e.as_bytes().to_vec())
    .collect()
}
