//! The resolved, typed form, and the kommun projects and compilation that hold it: what
//! analysis produces and every backend and the runtime use. Analysis and the backends depend
//! on this module and not on each other; it depends on neither.
//!
//! Serializable, so a built bundle can be loaded by the runtime without the sources. The
//! content hash identifies the exact form a submission or draft was made against.

mod kinds;
mod kommun;
mod signer;

pub use kinds::{FieldType, Identification, RuleSeverity, Signing};
pub use kommun::{Contact, Kommun};
pub use signer::Signer;

use crate::diagnostic::Diagnostic;
use crate::expr::ast::Expr;
use crate::source::{SourceMap, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Everything one run of the compiler found.
pub struct Compilation {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// Library forms, as written.
    pub forms: Vec<Form>,
    pub kommuner: Vec<Kommun>,
}

impl Compilation {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// A text by language; `sv` is always present.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    pub fn sv(s: impl Into<String>) -> Self {
        let mut m = BTreeMap::new();
        m.insert("sv".to_string(), s.into());
        Text(m)
    }
    pub fn sv_en(sv: impl Into<String>, en: impl Into<String>) -> Self {
        let mut m = BTreeMap::new();
        m.insert("sv".to_string(), sv.into());
        m.insert("en".to_string(), en.into());
        Text(m)
    }
    /// The text in `lang`, falling back to Swedish.
    pub fn get(&self, lang: &str) -> &str {
        self.0
            .get(lang)
            .or_else(|| self.0.get("sv"))
            .map(String::as_str)
            .unwrap_or("")
    }
}

/// A guardian who signs, by the paths of the fields that hold their personnummer and e-mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guardian {
    pub personnummer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// Index of a field in [`Form::fields`].
pub type FieldId = usize;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub id: String,
    pub version: String,
    /// SHA-256 over the form's canonical JSON (without the hash itself).
    pub hash: String,
    pub title: Text,
    pub description: Option<Text>,
    pub identification: Identification,
    pub signing: Signing,
    /// With `signing: guardians`: the fields naming each guardian. Empty: every
    /// `personnummer` field under a `vardnadshavare…` group names one (no e-mail address).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guardians: Vec<Guardian>,
    /// Who signs, whatever way `signing:` was written (`applicant` and `guardians` are
    /// shorthands of this list); empty without signing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signers: Vec<Signer>,
    pub reference_prefix: String,
    pub duration_minutes: Option<u32>,
    /// The group the e-service is listed in on the index page.
    pub category: Option<Category>,
    pub you_need: Vec<Text>,
    /// The languages the form's texts are written in (from its library).
    pub languages: Vec<String>,
    pub pages: Vec<Page>,
    /// Every field, in the order asked; children of a repeat follow it.
    pub fields: Vec<Field>,
    pub groups: Vec<Group>,
    pub rules: Vec<Rule>,
    pub mapping: Option<Mapping>,
    pub tests: Vec<TestCase>,
    /// Where the form came from (for messages; not part of the hash).
    #[serde(skip)]
    pub source_span: Option<Span>,
    /// Field ids by path, for [`Form::field`] (not part of the hash; rebuilt by [`Form::seal`]).
    #[serde(skip)]
    pub field_index: FieldIndex,
}

/// Field ids by path. [`Form::field`] is asked for every reference an expression follows and
/// every answer a page reads: a scan over the fields' paths made that a cost per request.
/// Built by [`Form::seal`] and [`Form::index_fields`]; while it does not cover the fields (a form
/// still being built, or changed since), [`Form::field`] scans as before.
#[derive(Clone, Default)]
pub struct FieldIndex {
    len: usize,
    map: std::collections::HashMap<String, FieldId>,
}

/// The index only mirrors `fields`: two forms with the same fields are equal, indexed or not.
impl PartialEq for FieldIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for FieldIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldIndex({} paths)", self.map.len())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub id: String,
    pub title: Text,
    pub visible_if: Option<Expr>,
    /// The page's own fields (not repeat children), in order.
    pub fields: Vec<FieldId>,
    /// A stop page: the journey ends where it is shown (`end: true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub end: bool,
}

/// A heading over the fields a fragment placed (`use … as … label …`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub prefix: String,
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Required {
    Always,
    Never,
    When(Expr),
}

/// A bound on a number or a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Limit {
    Number(f64),
    Date(chrono::NaiveDate),
    Today,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// The full path: `sokande.personnummer`; a repeat's child is `barn.alder`.
    pub path: String,
    /// The last segment of the path.
    pub id: String,
    pub kind: FieldType,
    pub label: Text,
    pub hint: Option<Text>,
    pub required: Required,
    /// All must hold for the field to show: its own `visible_if` and those of enclosing uses.
    pub conditions: Vec<Expr>,
    pub page: usize,
    /// The repeat this field is a child of.
    pub parent: Option<FieldId>,
    /// For a repeat: its children.
    pub children: Vec<FieldId>,
    pub group: Option<usize>,
    pub choices: Vec<Choice>,
    /// The name of the choice list, when the choices came from one (overlays replace lists).
    pub choice_list: Option<String>,
    pub min: Option<Limit>,
    pub max: Option<Limit>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub pattern: Option<String>,
    pub pattern_message: Option<Text>,
    pub accept: Vec<String>,
    pub max_size: Option<u64>,
    /// How many files a file field takes (1 unless `max_files` says more); several are a list.
    #[serde(default = "one_file", skip_serializing_if = "is_one_file")]
    pub max_files: u32,
    /// How many files a required file field needs at least (1 when not given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_files: Option<u32>,
    /// The largest size of a file field's files together.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_total_size: Option<u64>,
    pub capture: bool,
    pub value: Option<Expr>,
    /// A computed value with `show: false`: evaluated and submitted, never drawn. Left out of
    /// the serialized form when false, so forms without it keep their hash.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// A computed field's value type, as the checker inferred it.
    pub computed_type: Option<crate::expr::Type>,
    pub min_items: Option<u32>,
    pub max_items: Option<u32>,
    pub autocomplete: Option<String>,
    /// The answer the journey starts with (`prefill:`), over `inloggad` and `today()`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<Expr>,
    /// `locked: true`: the prefilled value is shown, not asked, and a posted one is ignored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
    /// Where the field was defined (for messages; not part of the hash).
    #[serde(skip)]
    pub span: Span,
}

fn one_file() -> u32 {
    1
}

// serde's `skip_serializing_if` passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_one_file(n: &u32) -> bool {
    *n == 1
}

impl Field {
    /// Whether the field takes several files (`max_files` above 1): its answer is a list.
    pub fn takes_several_files(&self) -> bool {
        self.kind == FieldType::File && self.max_files > 1
    }

    /// The path relative to its repeat row (`alder` for `barn.alder`), or the full path.
    pub fn row_key<'a>(&'a self, form: &'a Form) -> &'a str {
        match self.parent {
            Some(p) => self
                .path
                .strip_prefix(&form.fields[p].path)
                .map(|s| s.trim_start_matches('.'))
                .unwrap_or(&self.path),
            None => &self.path,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub when: Expr,
    pub message: Text,
    pub field: FieldId,
    #[serde(default, skip_serializing_if = "is_error")]
    pub severity: RuleSeverity,
}

fn is_error(s: &RuleSeverity) -> bool {
    *s == RuleSeverity::Error
}

/// The case-system mapping, resolved. Template parts are literal text and expressions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Mapping {
    pub arendemening: Vec<TemplatePart>,
    pub arendetyp: Option<String>,
    pub klassificering: Option<String>,
    /// Counterpart element name (`namn`, `personnummer`, …) → expression.
    pub motpart: BTreeMap<String, Expr>,
    pub handlingar: Vec<Handling>,
    pub extra: Vec<(String, Vec<TemplatePart>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TemplatePart {
    Literal(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Handling {
    pub typ: String,
    pub field: Option<FieldId>,
    pub rubrik: Option<String>,
}

/// A group of e-services, from the library's `categories:`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub title: Text,
    /// Its place in the library's list: the index shows the groups in this order.
    pub order: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    pub name: String,
    pub today: Option<chrono::NaiveDate>,
    /// Answers by field path, as JSON values.
    pub answers: BTreeMap<String, serde_json::Value>,
    pub visible: Vec<String>,
    pub hidden: Vec<String>,
    pub errors: Option<Vec<String>>,
    pub values: BTreeMap<String, serde_json::Value>,
    /// The logged-in person (`inloggad:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inloggad: Option<crate::expr::inloggad::Inloggad>,
    /// Fields that must show a warning; `None` when the test does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<String>>,
    /// The stop page the journey must end at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

impl Form {
    pub fn field(&self, path: &str) -> Option<FieldId> {
        let ix = &self.field_index;
        if ix.len == self.fields.len() && ix.len > 0 {
            // A hit is checked, so a field renamed since indexing is not found under its old path.
            return ix
                .map
                .get(path)
                .copied()
                .filter(|&i| self.fields[i].path == path);
        }
        self.fields.iter().position(|f| f.path == path)
    }
    /// Builds the index [`Form::field`] uses; the first field with a path wins, as in a scan.
    pub fn index_fields(&mut self) {
        let mut map = std::collections::HashMap::with_capacity(self.fields.len());
        for (i, f) in self.fields.iter().enumerate() {
            map.entry(f.path.clone()).or_insert(i);
        }
        self.field_index = FieldIndex {
            len: self.fields.len(),
            map,
        };
    }
    pub fn page(&self, id: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.id == id)
    }
    /// Computes and stores the content hash.
    pub fn seal(&mut self) {
        use sha2::{Digest, Sha256};
        self.index_fields();
        self.hash.clear();
        // The JSON is hashed as it is written, not gathered first: the same bytes, without a
        // buffer the size of the form.
        use std::io::Write;
        let mut hasher = Sha256::new();
        let mut w = std::io::BufWriter::with_capacity(8192, &mut hasher);
        let ok = serde_json::to_writer(&mut w, self).is_ok() && w.flush().is_ok();
        drop(w);
        if !ok {
            hasher = Sha256::new();
        }
        self.hash = hex::encode(hasher.finalize());
    }
}
