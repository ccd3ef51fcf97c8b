//! The kinds authors choose from in YAML (a field's type, how a citizen identifies and who
//! signs) and that every later phase reads: the syntax model parses them, analysis, the
//! evaluator, the backends and the runtime branch on them.

use schemars::JsonSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identification {
    None,
    Optional,
    Required,
}

/// How a rule's message stops the citizen: an `error` until the answers change, a `warning`
/// once (posting the page again continues).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum RuleSeverity {
    #[default]
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signing {
    None,
    Applicant,
    Guardians,
    /// `signing:` written as a list of signers ([`crate::ir::Signer`]); never written as a word.
    #[schemars(skip)]
    Signers,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    JsonSchema,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Textarea,
    Integer,
    Decimal,
    Money,
    Date,
    YesNo,
    Choice,
    MultiChoice,
    Email,
    Phone,
    Postnummer,
    Personnummer,
    Orgnummer,
    Fastighetsbeteckning,
    File,
    Position,
    Repeat,
    Computed,
    Info,
    Consent,
}

impl FieldType {
    pub const ALL: &'static [FieldType] = &[
        FieldType::Text,
        FieldType::Textarea,
        FieldType::Integer,
        FieldType::Decimal,
        FieldType::Money,
        FieldType::Date,
        FieldType::YesNo,
        FieldType::Choice,
        FieldType::MultiChoice,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Postnummer,
        FieldType::Personnummer,
        FieldType::Orgnummer,
        FieldType::Fastighetsbeteckning,
        FieldType::File,
        FieldType::Position,
        FieldType::Repeat,
        FieldType::Computed,
        FieldType::Info,
        FieldType::Consent,
    ];
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Textarea => "textarea",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Money => "money",
            FieldType::Date => "date",
            FieldType::YesNo => "yes_no",
            FieldType::Choice => "choice",
            FieldType::MultiChoice => "multi_choice",
            FieldType::Email => "email",
            FieldType::Phone => "phone",
            FieldType::Postnummer => "postnummer",
            FieldType::Personnummer => "personnummer",
            FieldType::Orgnummer => "orgnummer",
            FieldType::Fastighetsbeteckning => "fastighetsbeteckning",
            FieldType::File => "file",
            FieldType::Position => "position",
            FieldType::Repeat => "repeat",
            FieldType::Computed => "computed",
            FieldType::Info => "info",
            FieldType::Consent => "consent",
        }
    }
    pub fn from_name(name: &str) -> Option<FieldType> {
        FieldType::ALL.iter().copied().find(|t| t.name() == name)
    }
    /// Fields that take an answer from the citizen.
    pub fn is_input(self) -> bool {
        !matches!(self, FieldType::Computed | FieldType::Info)
    }
    pub fn is_textual(self) -> bool {
        matches!(self, FieldType::Text | FieldType::Textarea)
    }
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Integer | FieldType::Decimal | FieldType::Money
        )
    }
}
