//! Runtime values of expressions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The value of an expression or of an answer.
///
/// `Null` is an unanswered or hidden field, and the result of arithmetic that has no answer
/// (`null + 1`, `1 / 0`). Numbers are always finite: whatever would be NaN or infinite is
/// `Null` instead, as it is in the browser's evaluator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    Date(NaiveDate),
    List(Vec<Value>),
    Position {
        lat: f64,
        lon: f64,
    },
    File {
        name: String,
        size: u64,
        mime: String,
    },
    /// One row of a repeat: field id → answer.
    Row(BTreeMap<String, Value>),
}

impl Value {
    /// A number, or `Null` when it is NaN or infinite.
    pub fn number(n: f64) -> Value {
        if n.is_finite() {
            Value::Number(n)
        } else {
            Value::Null
        }
    }

    /// How a value counts in a condition: only `true` is true. `Null` (and anything that is
    /// not a bool, which the checker keeps out of conditions) is false.
    pub fn truthy(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// `answered(x)`: not `Null`, not the empty text and not the empty list.
    pub fn is_answered(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Text(s) => !s.is_empty(),
            Value::List(items) => !items.is_empty(),
            _ => true,
        }
    }

    /// The value with every NaN or infinite number, at any depth, made `Null`: answers come
    /// from outside and must not bring in what the evaluator never produces.
    pub fn sanitized(self) -> Value {
        match self {
            Value::Number(n) => Value::number(n),
            Value::List(items) => Value::List(items.into_iter().map(Value::sanitized).collect()),
            Value::Row(fields) => Value::Row(
                fields
                    .into_iter()
                    .map(|(k, v)| (k, v.sanitized()))
                    .collect(),
            ),
            Value::Position { lat, lon } if !(lat.is_finite() && lon.is_finite()) => Value::Null,
            other => other,
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::number(n)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}

impl From<NaiveDate> for Value {
    fn from(d: NaiveDate) -> Self {
        Value::Date(d)
    }
}
