//! `prefill:` and `locked:`: answers the journey starts with, and those the citizen cannot
//! change.
//!
//! A prefill is evaluated when the journey starts, over the logged-in person and today only
//! (the checker refuses references to answers). A `locked` field whose prefill has a value
//! takes that value whatever is posted, and is drawn as a value, not an input; when the
//! prefill has none (nobody is logged in) the field is asked like any other.

use super::Answers;
use crate::expr::inloggad::{self, Inloggad};
use crate::expr::{self, Ref, Value, ValueEnv};
use crate::ir::{FieldId, FieldType, Form};
use chrono::NaiveDate;
use serde_json::Value as Json;

/// What a prefill sees: the person and the day, no answers.
struct StartEnv<'a> {
    who: Option<&'a Inloggad>,
    today: NaiveDate,
}

impl ValueEnv for StartEnv<'_> {
    fn get(&self, r: &Ref) -> Value {
        r.resolved
            .as_deref()
            .and_then(|c| inloggad::value_of(c, self.who))
            .unwrap_or(Value::Null)
    }
    fn today(&self) -> NaiveDate {
        self.today
    }
}

/// The prefill of `field` for `who` today; `Null` without a prefill.
pub fn value(form: &Form, field: FieldId, who: Option<&Inloggad>, today: NaiveDate) -> Value {
    match &form.fields[field].prefill {
        Some(e) => expr::eval(e, &StartEnv { who, today }),
        None => Value::Null,
    }
}

/// Whether `field` is locked for `who`: `locked: true` and a prefill with a value.
pub fn is_locked(form: &Form, field: FieldId, who: Option<&Inloggad>, today: NaiveDate) -> bool {
    form.fields[field].locked && value(form, field, who, today).is_answered()
}

/// The answers a journey starts with: every prefill that has a value, for the person kept in
/// `answers`. Answers already given are kept.
pub fn start(form: &Form, answers: &mut Answers, today: NaiveDate) {
    let who = Inloggad::of_answers(answers);
    for (id, f) in form.fields.iter().enumerate() {
        if f.prefill.is_none()
            || f.parent.is_some()
            || answers.get(&f.path).is_some_and(|a| !a.is_null())
        {
            continue;
        }
        if let Some(answer) = to_answer(f.kind, &value(form, id, who.as_ref(), today)) {
            answers.insert(f.path.clone(), answer);
        }
    }
}

/// Puts back the prefilled value of every locked field: what was posted for it is ignored.
pub fn lock(form: &Form, answers: &mut Answers, today: NaiveDate) {
    let who = Inloggad::of_answers(answers);
    for (id, f) in form.fields.iter().enumerate() {
        if !f.locked || f.parent.is_some() {
            continue;
        }
        if let Some(answer) = to_answer(f.kind, &value(form, id, who.as_ref(), today)) {
            answers.insert(f.path.clone(), answer);
        }
    }
}

/// A value as an answer of a field of `kind` is posted; `None` for no value.
fn to_answer(kind: FieldType, v: &Value) -> Option<Json> {
    Some(match v {
        Value::Text(s) => Json::String(s.clone()),
        Value::Number(n) if kind.is_numeric() => {
            serde_json::Number::from_f64(*n).map(Json::Number)?
        }
        Value::Number(n) => Json::String(super::answer::number_text(*n)),
        Value::Bool(b) => Json::Bool(*b),
        Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        Value::List(items) => Json::Array(
            items
                .iter()
                .filter_map(|i| match i {
                    Value::Text(s) => Some(Json::String(s.clone())),
                    _ => None,
                })
                .collect(),
        ),
        _ => return None,
    })
}
