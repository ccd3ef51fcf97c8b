//! Delivery to the case system: a submission mapped to ERMS 3 (FGS Ärendehantering 2.0) and
//! to FGS Ärendehantering 1.x, natively and as XSLT 1.0 stylesheets.
//!
//! The form's `mapping:` is compiled once ([`expr`]) into texts both ways can produce, and each
//! target document is described once ([`erms`], [`fgs`]) as a tree ([`doc`]) that is either
//! filled in here ([`to_erms`], [`to_fgs`]) or written as a stylesheet ([`erms_xslt`],
//! [`fgs_xslt`]) over the submission XML. Nothing here reads a clock: times come from the
//! [`Envelope`].

mod doc;
mod erms;
pub(crate) mod expr;
mod fgs;

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::Outcome;
use crate::ir::{Form, Kommun, Mapping};
use crate::source::Span;
use doc::{Describe, Doc, FileCtx, Native, V};
use expr::{Compiler, Tx};

/// What the runtime knows of a submission beyond its answers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Envelope {
    /// The submission's reference (receipt) number; the case's and the delivery's identifier.
    pub reference: String,
    /// When it was submitted.
    pub submitted: chrono::DateTime<chrono::FixedOffset>,
    /// The signed-in person, if any.
    pub person: Option<Person>,
    /// The attached files. Name, type and size are taken from the submission itself (they are
    /// the same upload); from here the mapper takes the SHA-256 of each.
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Person {
    pub personnummer: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Attachment {
    /// The instance path of the file field: `foto`, or `bilagor[0].fil` in a repeat.
    pub field_path: String,
    pub filename: String,
    pub mime: String,
    /// Lowercase hex.
    pub sha256: String,
    pub size: u64,
}

impl Envelope {
    /// `xs:dateTime` with seconds and the offset: `2026-11-29T08:15:00+01:00`.
    pub fn submitted_text(&self) -> String {
        self.submitted
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }

    /// The stylesheets' parameters, in the order they are declared: name and value. The
    /// `checksums` parameter lists `<field path>=<sha256>` separated by spaces.
    pub fn xslt_params(&self) -> Vec<(&'static str, String)> {
        let person = self.person.as_ref();
        vec![
            ("reference", self.reference.clone()),
            ("submitted", self.submitted_text()),
            (
                "person_name",
                person.map(|p| p.name.clone()).unwrap_or_default(),
            ),
            (
                "person_id",
                person.map(|p| p.personnummer.clone()).unwrap_or_default(),
            ),
            (
                "checksums",
                self.attachments
                    .iter()
                    .map(|a| format!("{}={}", a.field_path, a.sha256))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ]
    }
}

/// Why a submission could not be mapped.
#[derive(Debug, Clone, PartialEq)]
pub enum MappingError {
    /// The form has no `mapping:`.
    NoMapping,
    /// An expression the compiler would have refused (a form not from `analyse`).
    Untranslatable(String),
}

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MappingError::NoMapping => write!(f, "the form has no mapping to the case system"),
            MappingError::Untranslatable(why) => write!(f, "the mapping cannot be used: {why}"),
        }
    }
}

impl std::error::Error for MappingError {}

/// The ERMS 3 document (`https://DILCIS.eu/XML/ERMS`) of a submission.
///
/// `form` is the form as served (a kommun's service form already carries its overrides);
/// `kommun` names the receiving organisation (`None`: the library's name); `outcome` is the
/// evaluation of the submitted answers, the same the submission XML was written from.
pub fn to_erms(
    form: &Form,
    kommun: Option<&Kommun>,
    outcome: &Outcome,
    envelope: &Envelope,
) -> Result<String, MappingError> {
    native(
        &erms::document(&parts(form, kommun)?),
        form,
        outcome,
        envelope,
    )
}

/// The FGS Ärendehantering 1.x document (`http://xml.ra.se/e-arkiv/FGS-ERMS`) of a submission.
pub fn to_fgs(
    form: &Form,
    kommun: Option<&Kommun>,
    outcome: &Outcome,
    envelope: &Envelope,
) -> Result<String, MappingError> {
    native(
        &fgs::document(&parts(form, kommun)?),
        form,
        outcome,
        envelope,
    )
}

/// The XSLT 1.0 stylesheet that makes [`to_erms`]'s document from the submission XML.
pub fn erms_xslt(form: &Form, kommun: Option<&Kommun>) -> Result<String, MappingError> {
    let d = erms::document(&parts(form, kommun)?);
    Ok(doc::xslt(
        &d,
        &super::namespace(form),
        &generator(form, "ERMS 3"),
    ))
}

/// The XSLT 1.0 stylesheet that makes [`to_fgs`]'s document from the submission XML.
pub fn fgs_xslt(form: &Form, kommun: Option<&Kommun>) -> Result<String, MappingError> {
    let d = fgs::document(&parts(form, kommun)?);
    Ok(doc::xslt(
        &d,
        &super::namespace(form),
        &generator(form, "FGS Ärendehantering 1.x"),
    ))
}

fn generator(form: &Form, target: &str) -> String {
    format!(
        "blankett: {} {} to {target}. Parameters: reference, submitted, person_name, person_id, checksums.",
        form.id, form.version
    )
}

/// [`untranslatable`] as the compiler reports it: an error where each expression is written.
/// [`crate::compile`] has analysis run this on every form whose mapping resolved.
pub fn check(form: &Form) -> Vec<Diagnostic> {
    untranslatable(form)
        .into_iter()
        .map(|(span, why)| {
            Diagnostic::error(
                Code::UntranslatableMapping,
                "this expression cannot be used in a mapping",
            )
            .at(span, "not translatable to XSLT 1.0")
            .help(why)
        })
        .collect()
}

/// Every expression in the mapping that cannot be translated to XPath 1.0: where and why.
/// The compiler reports these; the runtime never meets them.
pub fn untranslatable(form: &Form) -> Vec<(Span, String)> {
    let Some(m) = &form.mapping else {
        return Vec::new();
    };
    let c = Compiler::new(form);
    let mut out = Vec::new();
    let mut note = |r: Result<(), expr::Untranslatable>| {
        if let Err(e) = r {
            out.push((e.span, e.why));
        }
    };
    for p in &m.arendemening {
        note(c.template(std::slice::from_ref(p)).map(|_| ()));
    }
    for e in m.motpart.values() {
        note(c.text(e).map(|_| ()));
    }
    for (_, parts) in &m.extra {
        for p in parts {
            note(c.template(std::slice::from_ref(p)).map(|_| ()));
        }
    }
    out
}

/// The mapping compiled: the texts (slots) and the constants both documents are made of.
pub(crate) struct Parts {
    pub slots: Vec<Vec<Tx>>,
    pub title: V,
    /// Counterpart values by name (`namn`, `personnummer`, …); absent when not mapped.
    pub motpart: std::collections::BTreeMap<String, V>,
    pub has_motpart: bool,
    /// Extra elements: name, value, and the values whose emptiness leaves it out.
    pub extras: Vec<(String, V, Vec<V>)>,
    pub describe: Vec<Describe>,
    pub application_title: String,
    pub submission_file: String,
    pub agency: String,
    pub casetype: Option<String>,
    pub classification: Option<String>,
    pub form_label: String,
}

fn safe(s: &str) -> String {
    super::submission::xml_safe(s)
}

fn parts(form: &Form, kommun: Option<&Kommun>) -> Result<Parts, MappingError> {
    let m: &Mapping = form.mapping.as_ref().ok_or(MappingError::NoMapping)?;
    let c = Compiler::new(form);
    let bad = |e: expr::Untranslatable| MappingError::Untranslatable(e.why);
    let mut slots: Vec<Vec<Tx>> = Vec::new();
    let mut slot = |t: Vec<Tx>| {
        slots.push(t);
        V::Slot(slots.len() - 1)
    };
    let title = slot(c.template(&m.arendemening).map_err(bad)?);
    let mut motpart = std::collections::BTreeMap::new();
    for (k, e) in &m.motpart {
        motpart.insert(k.clone(), slot(vec![c.text(e).map_err(bad)?]));
    }
    let mut extras = Vec::new();
    for (name, template) in &m.extra {
        let txs = c.template(template).map_err(bad)?;
        let tests: Vec<V> = txs
            .iter()
            .filter(|t| !matches!(t, Tx::Lit(_)))
            .map(|t| slot(vec![t.clone()]))
            .collect();
        let value = slot(txs);
        extras.push((safe(name), value, tests));
    }
    let application_title = m
        .handlingar
        .iter()
        .find(|h| h.typ == "ansokan")
        .and_then(|h| h.rubrik.as_deref().map(safe))
        .unwrap_or_else(|| safe(form.title.get("sv")));
    let mut describe = Vec::new();
    for h in &m.handlingar {
        if let (Some(id), Some(r)) = (h.field, &h.rubrik) {
            describe.push(describe_of(form, id, safe(r)));
        }
    }
    for (id, f) in form.fields.iter().enumerate() {
        if f.kind == crate::ir::FieldType::File {
            describe.push(describe_of(form, id, safe(f.label.get("sv"))));
        }
    }
    Ok(Parts {
        slots,
        title,
        has_motpart: !m.motpart.is_empty(),
        motpart,
        extras,
        describe,
        application_title,
        submission_file: format!("{}.xml", form.id),
        agency: kommun.map_or_else(|| "kommun-bas".to_string(), |k| safe(&k.name)),
        casetype: m.arendetyp.as_deref().map(safe),
        classification: m.klassificering.as_deref().map(safe),
        form_label: format!("blankett {} {}", form.id, form.version),
    })
}

/// How a file field's attachments are told apart: by path, or in a repeat by the path with
/// `[]` for each row (digits removed on both sides, as XPath 1.0 can do it); a field of
/// several files numbers each, so it ends in `[]` too.
fn describe_of(form: &Form, id: usize, text: String) -> Describe {
    let f = &form.fields[id];
    if f.takes_several_files() {
        let mut d = describe_of_one(form, id, text);
        d.key.push_str("[]");
        d.in_repeat = true;
        return d;
    }
    describe_of_one(form, id, text)
}

fn describe_of_one(form: &Form, id: usize, text: String) -> Describe {
    let f = &form.fields[id];
    if f.parent.is_none() {
        return Describe {
            key: f.path.clone(),
            in_repeat: false,
            text,
        };
    }
    // Rebuild the instance shape: each repeat around the field gets `[]` after its segment.
    let mut chain = vec![id];
    let mut p = f.parent;
    while let Some(r) = p {
        chain.push(r);
        p = form.fields[r].parent;
    }
    chain.reverse();
    let mut key = String::new();
    for (i, &c) in chain.iter().enumerate() {
        let seg = if i == 0 {
            form.fields[c].path.clone()
        } else {
            form.fields[c].row_key(form).to_string()
        };
        if i > 0 {
            key.push('.');
        }
        key.push_str(&seg);
        if i + 1 < chain.len() {
            key.push_str("[]");
        }
    }
    Describe {
        key: key.chars().filter(|c| !c.is_ascii_digit()).collect(),
        in_repeat: true,
        text,
    }
}

fn native(
    d: &Doc,
    form: &Form,
    outcome: &Outcome,
    envelope: &Envelope,
) -> Result<String, MappingError> {
    let (leaves, rows) = super::submission::leaves_and_rows(form, outcome);
    let data = expr::Data { leaves, rows };
    let slots = d
        .slots
        .iter()
        .map(|txs| {
            let mut s = String::new();
            for t in txs {
                expr::eval_text(t, &data, &mut s);
            }
            super::submission::xml_safe(&s)
        })
        .collect();
    let files = super::submission::files(form, outcome);
    let ctx: Vec<FileCtx> = files
        .iter()
        .map(|(path, leaf)| FileCtx {
            path,
            leaf,
            sha256: envelope
                .attachments
                .iter()
                .find(|a| a.field_path == *path)
                .map(|a| a.sha256.as_str()),
        })
        .collect();
    Ok(Native {
        doc: d,
        slots,
        env: envelope,
        files: ctx,
    }
    .write())
}

/// The envelope of the example documents `blankett build` writes: a fixed reference and time,
/// a signed-in test person and the example's attachments (their SHA-256 over the file name,
/// as the example has no file contents).
pub fn example_envelope(form: &Form, outcome: &Outcome) -> Envelope {
    use sha2::{Digest, Sha256};
    let attachments = super::submission::files(form, outcome)
        .into_iter()
        .filter_map(|(path, leaf)| match leaf {
            super::submission::Leaf::File { name, size, mime } => Some(Attachment {
                field_path: path,
                sha256: hex::encode(Sha256::digest(name.as_bytes())),
                filename: name,
                mime,
                size,
            }),
            _ => None,
        })
        .collect();
    Envelope {
        reference: format!("{}-2026-000001", form.reference_prefix),
        submitted: example_submitted(),
        person: Some(Person {
            personnummer: "19121212-1212".into(),
            name: "Tolvan Tolvansson".into(),
        }),
        attachments,
    }
}

/// When the example was submitted: a Monday morning in Swedish winter time.
// The text is a constant, valid RFC 3339 time, so parsing it cannot fail.
#[allow(clippy::expect_used)]
fn example_submitted() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2026-03-02T09:30:00+01:00")
        .expect("a valid constant time")
}
