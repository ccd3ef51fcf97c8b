//! Static types, and what the checker needs to know about the form's fields.

use super::ast::Ref;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Type {
    Bool,
    Number,
    Text,
    Date,
    Position,
    File,
    /// One row of a repeat.
    Row,
    List(Box<Type>),
    /// The type of something already reported as wrong. It fits everywhere, so one mistake
    /// gives one message, not one per enclosing operator.
    Any,
}

impl Type {
    pub fn list(of: Type) -> Type {
        Type::List(Box::new(of))
    }

    /// Whether a value of this type may stand where `wanted` is needed. [`Type::Any`] fits
    /// both ways; lists fit when their items do.
    pub fn fits(&self, wanted: &Type) -> bool {
        match (self, wanted) {
            (Type::Any, _) | (_, Type::Any) => true,
            (Type::List(a), Type::List(b)) => a.fits(b),
            (a, b) => a == b,
        }
    }

    /// The more informative of two types that fit each other (`List(Any)` and `List(Number)`
    /// give `List(Number)`), or `None` when they do not fit.
    pub fn unify(&self, other: &Type) -> Option<Type> {
        match (self, other) {
            (Type::Any, t) | (t, Type::Any) => Some(t.clone()),
            (Type::List(a), Type::List(b)) => a.unify(b).map(Type::list),
            (a, b) if a == b => Some(a.clone()),
            _ => None,
        }
    }

    pub fn is_any(&self) -> bool {
        matches!(self, Type::Any)
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Type::List(_) | Type::Any)
    }

    /// The item type of a list; `Any` for anything else, which has been reported already.
    pub fn item(&self) -> Type {
        match self {
            Type::List(t) => (**t).clone(),
            _ => Type::Any,
        }
    }

    /// The type with an article, as in "this is a number".
    pub fn noun(&self) -> String {
        match self {
            Type::Bool => "true or false".to_string(),
            Type::Number => "a number".to_string(),
            Type::Text => "text".to_string(),
            Type::Date => "a date".to_string(),
            Type::Position => "a position".to_string(),
            Type::File => "a file".to_string(),
            Type::Row => "a repeat row".to_string(),
            Type::List(t) => format!("a list of {}", t.plural()),
            Type::Any => "unknown".to_string(),
        }
    }

    fn plural(&self) -> String {
        match self {
            Type::Bool => "true/false values".to_string(),
            Type::Number => "numbers".to_string(),
            Type::Text => "texts".to_string(),
            Type::Date => "dates".to_string(),
            Type::Position => "positions".to_string(),
            Type::File => "files".to_string(),
            Type::Row => "repeat rows".to_string(),
            Type::List(t) => format!("lists of {}", t.plural()),
            Type::Any => "values".to_string(),
        }
    }
}

/// The names the handbook uses: `bool`, `number`, `list of text`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::Text => f.write_str("text"),
            Type::Date => f.write_str("date"),
            Type::Position => f.write_str("position"),
            Type::File => f.write_str("file"),
            Type::Row => f.write_str("row"),
            Type::List(t) => write!(f, "list of {t}"),
            Type::Any => f.write_str("any"),
        }
    }
}

/// What a reference resolves to.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    pub ty: Type,
    /// The field's full path, as answers and the IR name it (`sokande.personnummer`).
    pub canonical: String,
    /// The allowed values, for a choice or multi-choice field: literals compared with it are
    /// checked against them.
    pub choices: Option<Vec<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LookupError {
    /// Nothing has this name. `suggestion` is a close existing path, if any.
    Unknown { suggestion: Option<String> },
    /// Something has this name, but it has no value (an info text, a page, a fragment group);
    /// `why` says so in a sentence for the help line.
    NotAValue { why: String },
    /// Inside a row of repeat `repeat`, a reference through `repeat[*]`: the list over all
    /// rows where the row's own field (`field`, relative to the row) was meant.
    OwnRowThroughStar { repeat: String, field: String },
}

/// The names an expression can see, supplied by whoever checks it (the analyser, a test).
pub trait TypeEnv {
    /// Resolves a reference. When a reference is unknown the checker also asks about its
    /// prefixes (`sokande` of `sokande.pnr`) to point at the first segment that does not
    /// exist, so a group of fields should answer `NotAValue`, not `Unknown`.
    fn lookup(&self, r: &Ref) -> Result<Lookup, LookupError>;
}
