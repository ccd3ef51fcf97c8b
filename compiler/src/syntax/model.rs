//! The syntax model: the YAML files as authors write them, every value with its span.
//!
//! These types are also the source of `blankett schema` (JSON Schema for editors), so the doc
//! comments here are what an editor shows while an author types.

use crate::ir::{FieldType, Identification, Signing};
use crate::source::Span;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Sp<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Sp<T> {
    pub fn new(value: T, span: Span) -> Self {
        Sp { value, span }
    }
}

impl<T: JsonSchema> JsonSchema for Sp<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
    fn inline_schema() -> bool {
        T::inline_schema()
    }
}

/// A text shown to people: Swedish as a plain string, or a map by language (`sv` required).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Text {
    pub span: Span,
    pub by_lang: BTreeMap<String, Sp<String>>,
    /// A key was not a language code (already reported): the text's languages are unknown,
    /// so no translation is reported missing on top.
    pub bad_language: bool,
}

impl Text {
    pub fn sv(&self) -> &str {
        self.by_lang
            .get("sv")
            .map(|s| s.value.as_str())
            .unwrap_or("")
    }
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "A text: Swedish as plain text, or a map by language such as {sv: …, en: …}.",
            "anyOf": [
                { "type": "string" },
                { "type": "object", "required": ["sv"],
                  "propertyNames": { "pattern": "^[a-z]{2}$" },
                  "additionalProperties": { "type": "string" } }
            ]
        })
    }
}

/// An expression in the blankett expression language, e.g. `kategori == "annat"`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExprSrc {
    pub text: String,
    /// The span of the expression's own characters (inside quotes).
    pub span: Span,
}

impl JsonSchema for ExprSrc {
    fn schema_name() -> Cow<'static, str> {
        "Expression".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "An expression, e.g. `kategori == \"annat\"` or `sum(rum[*].yta)`.",
            "type": "string"
        })
    }
}

/// Values by field path, keeping where each key was written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyedValues(pub Vec<(Sp<String>, AnyValue)>);

impl JsonSchema for KeyedValues {
    fn schema_name() -> Cow<'static, str> {
        "KeyedValues".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "description": "Answers by field path, e.g. `sokande.namn: Anna`.",
            "type": "object"
        })
    }
}

/// Named choice lists, keeping where each name was written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChoiceLists(pub Vec<(Sp<String>, Vec<ChoiceItem>)>);

impl JsonSchema for ChoiceLists {
    fn schema_name() -> Cow<'static, str> {
        "ChoiceLists".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<ChoiceItem>();
        schemars::json_schema!({
            "description": "Named lists of choices: `list_name: [{value, label}, …]`.",
            "type": "object",
            "additionalProperties": { "type": "array", "items": item }
        })
    }
}

/// Any YAML value (test answers).
#[derive(Debug, Clone, PartialEq)]
pub struct AnyValue(pub super::yaml::Node);

impl JsonSchema for AnyValue {
    fn schema_name() -> Cow<'static, str> {
        "AnyValue".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!(true)
    }
}

/// A form definition: `<id>.form.yaml`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FormFile {
    /// The form's id; the same as the file name before `.form.yaml`.
    pub form: Sp<String>,
    /// Semantic version, e.g. `1.2.0`.
    pub version: Sp<String>,
    pub title: Text,
    pub description: Option<Text>,
    /// The group the e-service is listed in: a category id from the library's `blankett.yaml`.
    pub category: Option<Sp<String>>,
    /// Whether the citizen logs in with e-ID: `none`, `optional` or `required`.
    pub identification: Option<Sp<Identification>>,
    /// Who signs: `none`, `applicant`, `guardians`, or a list of signers.
    pub signing: Option<SigningDef>,
    /// With `signing: guardians`: the fields that name each guardian (personnummer, and the
    /// e-mail address their invitation to sign is sent to). Without it, every `personnummer`
    /// field under a `vardnadshavare…` group names one, and invitations are links only.
    pub guardians: Option<Vec<GuardianDef>>,
    /// Receipt numbers start with this, e.g. `BYGG` gives `BYGG-2026-000123`.
    pub reference_prefix: Option<Sp<String>>,
    /// About how many minutes the e-service takes (shown on the start page).
    pub duration_minutes: Option<Sp<i64>>,
    /// What the citizen needs at hand (shown on the start page).
    pub you_need: Option<Vec<Text>>,
    /// Named lists of choices.
    pub choices: Option<ChoiceLists>,
    pub pages: Vec<PageDef>,
    pub rules: Option<Vec<RuleDef>>,
    pub mapping: Option<MappingDef>,
    pub tests: Option<Vec<TestDef>>,
}

/// `signing:` as one word (`none`, `applicant`, `guardians`) or as the list of who signs.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum SigningDef {
    Kind(Sp<Signing>),
    Signers(Sp<Vec<SignerDef>>),
}

/// One person who signs: `{role: firmatecknare, personnummer: firmatecknare.personnummer}`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct SignerDef {
    /// The signer's role, an id: `sokande`, `firmatecknare`, `fastighetsagare`.
    pub role: Sp<String>,
    /// The role as the receipt and the invitation name it; by default the role's id.
    pub label: Option<Text>,
    /// Who must sign: an expression giving their personnummer (a field, or
    /// `inloggad.personnummer` for the one who sends), or a list of them (`agare[*].personnummer`).
    pub personnummer: ExprSrc,
    /// The signer's name, for the invitation (an expression).
    pub name: Option<ExprSrc>,
    /// The e-mail address the invitation to sign is sent to (an expression).
    pub email: Option<ExprSrc>,
    /// Only when this holds does the signer sign.
    pub when: Option<ExprSrc>,
}

/// One guardian who signs: `{personnummer: vardnadshavare_2.person.personnummer, email: …}`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct GuardianDef {
    /// The path of the guardian's `personnummer` field: only that person may sign.
    pub personnummer: Sp<String>,
    /// The path of the guardian's `email` field: the invitation to sign is also sent there.
    pub email: Option<Sp<String>>,
}

/// A reusable group of fields: `<name>.fragment.yaml`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FragmentFile {
    pub fragment: Sp<String>,
    pub description: Option<Text>,
    pub choices: Option<ChoiceLists>,
    pub fields: Vec<FieldItem>,
    /// Rules of the fragment's own fields, with names relative to the fragment (`till`, not
    /// `inomhus.till`); each use of the fragment gets them for its fields.
    pub rules: Option<Vec<RuleDef>>,
}

/// One choice: `{value, label}`, or just a value that is also its label.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum ChoiceItem {
    Full { value: Sp<String>, label: Text },
    Plain(Sp<String>),
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PageDef {
    pub id: Sp<String>,
    pub title: Text,
    /// Show the page only when this is true.
    pub visible_if: Option<ExprSrc>,
    /// A stop page: the journey ends here when it is shown (only `info` fields; no submit).
    pub end: Option<Sp<bool>>,
    pub fields: Vec<FieldItem>,
}

/// A field, or a fragment placed with `use`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum FieldItem {
    Field(Box<FieldDef>),
    Use(UseDef),
    /// A field or use with an id but a reported mistake (an unknown `type`, a missing `use`).
    /// Its id is kept so that references to it are not reported again as unknown.
    #[schemars(skip)]
    Broken(Sp<String>),
}

/// A fragment placed in a page: `- use: common/person` with `as: sokande`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct UseDef {
    /// The fragment's path in the library, e.g. `common/person`.
    #[schemars(rename = "use")]
    pub fragment: Sp<String>,
    /// The prefix of the fragment's fields: `sokande` gives `sokande.namn`.
    #[schemars(rename = "as")]
    pub prefix: Sp<String>,
    /// A heading over the group: over its fields on the page, and before its answers on
    /// check-your-answers, the receipt and in the error summary ("Inomhus: …").
    pub label: Option<Text>,
    pub visible_if: Option<ExprSrc>,
    /// `false`: every field of this use is optional, except those the fragment itself gives a
    /// `required`.
    pub required: Option<Sp<bool>>,
    /// Other labels for the fragment's fields in this use, by field id (a path inside the
    /// fragment): `{fran: "Från klockan, inomhus"}`.
    pub labels: Option<TextsById>,
    /// Other hints for the fragment's fields in this use, by field id.
    pub hints: Option<TextsById>,
}

/// Texts by field id, keeping where each id was written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextsById(pub Vec<(Sp<String>, Text)>);

impl JsonSchema for TextsById {
    fn schema_name() -> Cow<'static, str> {
        "TextsById".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let text = generator.subschema_for::<Text>();
        schemars::json_schema!({
            "description": "Texts by the id of a field of the fragment, e.g. `{fran: \"Från klockan\"}`.",
            "type": "object",
            "additionalProperties": text
        })
    }
}

/// `required: true`, or an expression that decides it.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum RequiredDef {
    Always(Sp<bool>),
    When(ExprSrc),
}

/// Choices: the name of a list under `choices:`, or the list itself.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum ChoicesRef {
    Named(Sp<String>),
    Inline(Vec<ChoiceItem>),
}

/// A bound: a number, a date (`2026-01-31`) or `today`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(untagged)]
pub enum Bound {
    Number(Sp<f64>),
    Text(Sp<String>),
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FieldDef {
    /// ASCII snake_case, unique on the form.
    pub id: Sp<String>,
    #[schemars(rename = "type")]
    pub ty: Sp<FieldType>,
    pub label: Text,
    pub hint: Option<Text>,
    /// `true`, `false` or an expression. Input fields are required unless this says otherwise.
    pub required: Option<RequiredDef>,
    pub visible_if: Option<ExprSrc>,
    pub choices: Option<ChoicesRef>,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    pub min_length: Option<Sp<i64>>,
    pub max_length: Option<Sp<i64>>,
    /// A regular expression the whole answer must match.
    pub pattern: Option<Sp<String>>,
    pub pattern_message: Option<Text>,
    /// File types, e.g. `[image/jpeg, application/pdf]`.
    pub accept: Option<Vec<Sp<String>>>,
    /// The largest file, e.g. `10 MB`.
    pub max_size: Option<Sp<String>>,
    /// How many files a file field takes; 1 when not given.
    pub max_files: Option<Sp<i64>>,
    /// How many files a required file field needs at least; 1 when not given.
    pub min_files: Option<Sp<i64>>,
    /// The largest size of a file field's files together, e.g. `50 MB`.
    pub max_total_size: Option<Sp<String>>,
    /// Let a phone open its camera for a file field.
    pub capture: Option<Sp<bool>>,
    /// A computed field's expression.
    pub value: Option<ExprSrc>,
    /// `false`: a computed value that is never drawn (not on its page, check your answers or
    /// the receipt) but is used in conditions and rules and sent with the submission.
    pub show: Option<Sp<bool>>,
    /// A repeat's fields (one row).
    pub fields: Option<Vec<FieldItem>>,
    pub min_items: Option<Sp<i64>>,
    pub max_items: Option<Sp<i64>>,
    /// The input's autocomplete purpose, when it cannot be derived from the type.
    pub autocomplete: Option<Sp<String>>,
    /// The answer the journey starts with, e.g. `inloggad.personnummer`.
    pub prefill: Option<ExprSrc>,
    /// Show the prefilled value instead of an input; the server ignores a posted value.
    pub locked: Option<Sp<bool>>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RuleDef {
    /// The rule's error shows when this is true.
    pub when: ExprSrc,
    pub message: Text,
    /// The field the message is shown at.
    pub field: Sp<String>,
    /// `error` (the default) stops the citizen; `warning` is shown once and posting the page
    /// again continues.
    pub severity: Option<Sp<RuleSeverity>>,
}

pub use crate::ir::RuleSeverity;

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestDef {
    pub name: Sp<String>,
    /// Answers by field path: `sokande.namn: Anna`.
    pub answers: Option<KeyedValues>,
    pub expect: Option<ExpectDef>,
    /// The date `today()` returns in this test (`YYYY-MM-DD`); default 2026-06-15.
    pub today: Option<Sp<String>>,
    /// The logged-in person: `{personnummer: …, fornamn: …, efternamn: …}`.
    pub inloggad: Option<InloggadDef>,
}

/// The person a test is logged in as.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct InloggadDef {
    pub personnummer: Sp<String>,
    pub fornamn: Option<Sp<String>>,
    pub efternamn: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExpectDef {
    /// Pages and fields that must be shown.
    pub visible: Option<Vec<Sp<String>>>,
    /// Pages and fields that must be hidden.
    pub hidden: Option<Vec<Sp<String>>>,
    /// Fields that must have an error; `[]` means no errors at all.
    pub errors: Option<Vec<Sp<String>>>,
    /// Computed values.
    pub values: Option<KeyedValues>,
    /// Fields that must show a warning (rules with `severity: warning`); `[]` means none.
    pub warnings: Option<Vec<Sp<String>>>,
    /// The stop page (`end: true`) the journey must end at.
    pub ends_at: Option<Sp<String>>,
}

/// The mapping into the case system (ÄDHS).
#[derive(Debug, Clone, PartialEq, JsonSchema, Default)]
#[schemars(deny_unknown_fields)]
pub struct MappingDef {
    /// Where `mapping:` was written, for what it lacks.
    #[schemars(skip)]
    pub span: Span,
    /// The case title; `{expression}` inserts a value.
    pub arendemening: Option<Sp<String>>,
    pub arendetyp: Option<Sp<String>>,
    /// A code from the kommun's classification scheme.
    pub klassificering: Option<Sp<String>>,
    pub motpart: Option<MotpartDef>,
    pub handlingar: Option<Vec<HandlingDef>>,
    pub extra: Option<Vec<ExtraDef>>,
}

/// Which fields make the counterpart (motpart). Each value is a field path or an expression.
#[derive(Debug, Clone, PartialEq, JsonSchema, Default)]
#[schemars(deny_unknown_fields)]
pub struct MotpartDef {
    /// Where `motpart:` was written, for what it lacks.
    #[schemars(skip)]
    pub span: Span,
    pub namn: Option<ExprSrc>,
    pub personnummer: Option<ExprSrc>,
    pub orgnummer: Option<ExprSrc>,
    pub adress: Option<ExprSrc>,
    pub postnummer: Option<ExprSrc>,
    pub postort: Option<ExprSrc>,
    pub epost: Option<ExprSrc>,
    pub telefon: Option<ExprSrc>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct HandlingDef {
    /// `ansokan` (the application itself) or `bilaga` (an attached file).
    pub typ: Sp<String>,
    /// For `bilaga`: the file field.
    pub falt: Option<Sp<String>>,
    pub rubrik: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ExtraDef {
    pub namn: Sp<String>,
    /// A text template; `{expression}` inserts a value.
    pub varde: Sp<String>,
}

/// A library: `blankett.yaml`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LibraryFile {
    pub library: Sp<String>,
    pub version: Sp<String>,
    /// Languages every text should have, e.g. `[sv, en]`.
    pub languages: Option<Vec<Sp<String>>>,
    pub description: Option<Text>,
    pub depends: Option<Vec<DependDef>>,
    /// Forms, fields, pages and choice lists this library renamed, so that a kommun overlay
    /// still using an old name is told the new one.
    pub renamed: Option<Vec<RenameDef>>,
    /// The groups the e-services are listed in, in this order, e.g.
    /// `{id: bygga_bo, title: {sv: "Bygga, bo och miljö", en: "Building, housing and environment"}}`.
    pub categories: Option<Vec<CategoryDef>>,
}

/// A group of e-services on the index page.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct CategoryDef {
    pub id: Sp<String>,
    pub title: Text,
}

/// One rename in a library: `{since: 2.0.0, form: felanmalan, field: beskrivning, to: felbeskrivning}`.
/// With only `form`, the form itself was renamed to `to`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RenameDef {
    /// The library version that made the change.
    pub since: Sp<String>,
    /// The form (its id before the change when the form itself was renamed).
    pub form: Sp<String>,
    /// A field's path before the change.
    pub field: Option<Sp<String>>,
    /// A page's id before the change.
    pub page: Option<Sp<String>>,
    /// A choice list's name before the change.
    pub list: Option<Sp<String>>,
    /// The new id, path or name.
    pub to: Sp<String>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DependDef {
    /// The library's folder, relative to this file.
    pub path: Sp<String>,
    /// A version requirement, e.g. `^1.2`.
    pub version: Sp<String>,
}

/// A kommun project: `kommun.yaml`.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KommunFile {
    pub kommun: Sp<String>,
    pub name: Sp<String>,
    pub orgnr: Sp<String>,
    pub logo: Option<Sp<String>>,
    pub colors: Option<ColorsDef>,
    pub contact: Option<ContactDef>,
    pub libraries: Vec<DependDef>,
    pub shs: Option<ShsDef>,
    pub services: Vec<ServiceDef>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema, Default)]
#[schemars(deny_unknown_fields)]
pub struct ColorsDef {
    /// The brand colour (buttons, header), e.g. `#005a8c`.
    pub primary: Option<Sp<String>>,
    /// Text on the brand colour.
    pub text: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema, Default)]
#[schemars(deny_unknown_fields)]
pub struct ContactDef {
    pub email: Option<Sp<String>>,
    pub phone: Option<Sp<String>>,
    pub address: Option<Sp<String>>,
    pub web: Option<Sp<String>>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema, Default)]
#[schemars(deny_unknown_fields)]
pub struct ShsDef {
    /// The kommun's own SHS address, `urn:X-shs:<orgnr>`.
    pub address: Option<Sp<String>>,
    /// The case system's SHS address.
    pub to: Option<Sp<String>>,
    /// The receiver's receive-service URL.
    pub url: Option<Sp<String>>,
}

/// One e-service the kommun offers, with its overrides.
#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ServiceDef {
    /// The library form's id.
    pub form: Sp<String>,
    pub title: Option<Text>,
    pub description: Option<Text>,
    pub reference_prefix: Option<Sp<String>>,
    /// Replace whole choice lists by name.
    pub choices: Option<ChoiceLists>,
    /// Text overrides per field path.
    pub fields: Option<Overrides>,
    pub add_fields: Option<Vec<AddFields>>,
    pub mapping: Option<MappingDef>,
    /// The kommun's own classification code for this service (replaces the form's).
    pub klassificering: Option<Sp<String>>,
    /// The kommun's own case type for this service (replaces the form's).
    pub arendetyp: Option<Sp<String>>,
    /// The SHS product id (a UUID) of this service.
    pub shs_product: Option<Sp<String>>,
}

/// Field overrides by path, keeping where each path was written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overrides(pub Vec<(Sp<String>, FieldOverride)>);

impl JsonSchema for Overrides {
    fn schema_name() -> Cow<'static, str> {
        "Overrides".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let item = generator.subschema_for::<FieldOverride>();
        schemars::json_schema!({ "type": "object", "additionalProperties": item })
    }
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FieldOverride {
    pub label: Option<Text>,
    pub hint: Option<Text>,
    pub required: Option<RequiredDef>,
}

#[derive(Debug, Clone, PartialEq, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AddFields {
    /// The page the fields are added at the end of.
    pub page: Sp<String>,
    pub fields: Vec<FieldItem>,
}
