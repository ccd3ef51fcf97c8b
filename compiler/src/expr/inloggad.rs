//! `inloggad`: the person the e-ID vouched for, as expressions see them.
//!
//! A reserved name, not a field: `inloggad.personnummer`, `inloggad.fornamn` and
//! `inloggad.efternamn` are text, `null` when nobody is logged in. The runtime keeps the person
//! with the answers, under the key [`NAME`] (no field may be called that), so every evaluation
//! of a draft or a submission (the page, the check page, the receipt, delivery) sees the same
//! person, and the browser gets them in the page's `data-answers` like any other answer it
//! needs.

use super::types::{Lookup, LookupError, Type};
use super::{Ref, Value};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The reserved name, and the key the person is kept under in answers.
pub const NAME: &str = "inloggad";

/// What an expression can read of the person; all text.
pub const ATTRIBUTES: [&str; 3] = ["personnummer", "fornamn", "efternamn"];

/// A logged-in person.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inloggad {
    /// `YYYYMMDD-NNNN`, as a `personnummer` field normalizes its answer, so the two compare.
    pub personnummer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fornamn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efternamn: Option<String>,
}

impl Inloggad {
    /// The person with `pnr` written as a personnummer field writes it (12 digits get their
    /// hyphen); empty names are no names.
    pub fn new(pnr: &str, fornamn: Option<&str>, efternamn: Option<&str>) -> Self {
        let digits: String = pnr.chars().filter(char::is_ascii_digit).collect();
        let personnummer = if digits.len() == 12 {
            format!("{}-{}", &digits[..8], &digits[8..])
        } else {
            pnr.trim().to_string()
        };
        let name = |n: Option<&str>| n.map(str::trim).filter(|n| !n.is_empty()).map(String::from);
        Inloggad {
            personnummer,
            fornamn: name(fornamn),
            efternamn: name(efternamn),
        }
    }

    /// The value of `inloggad.<attribute>`.
    pub fn get(&self, attribute: &str) -> Value {
        let text = match attribute {
            "personnummer" => Some(&self.personnummer),
            "fornamn" => self.fornamn.as_ref(),
            "efternamn" => self.efternamn.as_ref(),
            _ => None,
        };
        text.map_or(Value::Null, |t| Value::Text(t.clone()))
    }

    /// The person kept with `answers`, if any (a damaged entry is nobody).
    pub fn of_answers(answers: &BTreeMap<String, Json>) -> Option<Inloggad> {
        answers
            .get(NAME)
            .and_then(|j| serde_json::from_value::<Inloggad>(j.clone()).ok())
            .filter(|p| !p.personnummer.is_empty())
    }

    /// The person as answers keep them.
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or(Json::Null)
    }
}

/// Keeps `who` with `answers`; `None` removes whoever was there, so a person is never read
/// from answers once nobody is logged in.
pub fn set(answers: &mut BTreeMap<String, Json>, who: Option<&Inloggad>) {
    match who {
        Some(p) => {
            answers.insert(NAME.to_string(), p.to_json());
        }
        None => {
            answers.remove(NAME);
        }
    }
}

/// The value of a canonical reference when it is one of `inloggad`'s; `None` for a field.
pub fn value_of(canonical: &str, who: Option<&Inloggad>) -> Option<Value> {
    let attribute = canonical.strip_prefix(NAME)?.strip_prefix('.')?;
    Some(who.map_or(Value::Null, |p| p.get(attribute)))
}

/// Whether a reference, once checked, reads the logged-in person.
pub fn is_reference(r: &Ref) -> bool {
    r.resolved
        .as_deref()
        .is_some_and(|c| value_of(c, None).is_some())
}

/// What the checker makes of a reference that starts with `inloggad`; `None` for any other.
pub fn lookup(r: &Ref) -> Option<Result<Lookup, LookupError>> {
    let (first, rest) = r.segments.split_first()?;
    if first.name != NAME {
        return None;
    }
    let attributes = ATTRIBUTES.join("`, `");
    Some(match rest {
        [attribute] if ATTRIBUTES.contains(&attribute.name.as_str()) && !attribute.all && !first.all => {
            Ok(Lookup {
                ty: Type::Text,
                canonical: format!("{NAME}.{}", attribute.name),
                choices: None,
            })
        }
        [attribute] if !attribute.all && !first.all => Err(LookupError::Unknown {
            suggestion: crate::diagnostic::closest(&attribute.name, ATTRIBUTES)
                .map(|a| format!("{NAME}.{a}")),
        }),
        _ => Err(LookupError::NotAValue {
            why: format!(
                "`{NAME}` is the logged-in person: write `{NAME}.personnummer`, or one of `{attributes}` after the dot"
            ),
        }),
    })
}
