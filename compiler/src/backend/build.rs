//! `blankett build`: every output of every form, for the library and for each kommun.

use super::{example, html, js, json_schema, mapping, submission, xsd, Branding};
use crate::ir::{Compilation, Form, Kommun};
use std::path::PathBuf;

pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

#[derive(Default)]
pub struct BuildOutput {
    pub files: Vec<OutputFile>,
    pub forms: usize,
    pub pages: usize,
    pub fields: usize,
}

impl BuildOutput {
    fn add(&mut self, path: PathBuf, bytes: impl Into<Vec<u8>>) {
        self.files.push(OutputFile {
            path,
            bytes: bytes.into(),
        });
    }
}

/// All outputs of a compilation, under `library/<form>/` and `<kommun>/<form>/`.
pub fn build(c: &Compilation) -> BuildOutput {
    let mut out = BuildOutput::default();
    html::assets(&mut |name, bytes| out.add(PathBuf::from("assets").join(name), bytes));
    for form in &c.forms {
        form_outputs(
            &mut out,
            form,
            None,
            &Branding::neutral(),
            PathBuf::from("library").join(&form.id),
        );
    }
    for k in &c.kommuner {
        let branding = Branding::of(k);
        for form in &k.forms {
            form_outputs(
                &mut out,
                form,
                Some(k),
                &branding,
                PathBuf::from(&k.id).join(&form.id),
            );
        }
    }
    out
}

fn form_outputs(
    out: &mut BuildOutput,
    form: &Form,
    kommun: Option<&Kommun>,
    branding: &Branding,
    dir: PathBuf,
) {
    out.forms += 1;
    out.pages += form.pages.len();
    out.fields += form.fields.len();
    out.add(dir.join("form.xsd"), xsd::generate(form));
    let schema = json_schema::generate(form);
    out.add(
        dir.join("submission.schema.json"),
        serde_json::to_string_pretty(&schema).unwrap_or_default(),
    );
    let answers = example::answers(form);
    let outcome = crate::eval::evaluate(form, &answers, crate::eval::testing::default_today());
    out.add(dir.join("example.xml"), submission::to_xml(form, &outcome));
    out.add(
        dir.join("example.json"),
        serde_json::to_string_pretty(&submission::to_json(form, &outcome)).unwrap_or_default(),
    );
    if form.mapping.is_some() {
        let envelope = mapping::example_envelope(form, &outcome);
        let files = [
            ("mapping-erms.xslt", mapping::erms_xslt(form, kommun)),
            ("mapping-fgs.xslt", mapping::fgs_xslt(form, kommun)),
            (
                "example.erms.xml",
                mapping::to_erms(form, kommun, &outcome, &envelope),
            ),
            (
                "example.fgs.xml",
                mapping::to_fgs(form, kommun, &outcome, &envelope),
            ),
        ];
        // A mapping the compiler accepted always maps; an error here was reported already.
        for (name, made) in files {
            if let Ok(text) = made {
                out.add(dir.join(name), text);
            }
        }
    }
    out.add(dir.join("form.js"), js::generate(form));
    out.add(dir.join("form.bundle.json"), super::bundle::to_json(form));
    for (name, page) in html::preview(form, branding) {
        out.add(dir.join(name), page);
    }
}
