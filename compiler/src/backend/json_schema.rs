//! JSON Schema (2020-12) of a form's submissions.
//!
//! Written from the same model as the XSD ([`super::xsd::model`]), so both say the same: an
//! object per fragment prefix, an array per repeat and multi-choice, the same bounds, patterns
//! and required properties. Where JSON Schema cannot say something the XSD can (a date bound,
//! money's two decimals) or that the e-service checks, a `$comment` says it instead.

use super::xsd::model::{self, Base, Body, Bound, Elem, Simple};
use crate::ir::Form;
use serde_json::{json, Map, Value};

const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// `YYYY-MM-DD` with a real month and day. `format: date` is only an annotation in 2020-12,
/// so the pattern is what validators enforce. Years past 9999 are written in full, as in XSD.
const DATE_PATTERN: &str = "^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

pub fn generate(form: &Form) -> Value {
    let elems = model::fields(form);
    let mut properties = Map::new();
    properties.insert(
        "formVersion".into(),
        json!({"type": "string", "title": "Formulärets version"}),
    );
    properties.insert(
        "formHash".into(),
        json!({
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "title": "Formulärets kontrollsumma",
            "$comment": "SHA-256 of the form the submission was made against.",
        }),
    );
    let mut required = vec![json!("formVersion"), json!("formHash")];
    for e in &elems {
        properties.insert(e.name.clone(), element(e));
        if e.required {
            required.push(json!(e.name));
        }
    }
    if super::warnings::has_warnings(form) {
        properties.insert(
            super::warnings::ELEMENT.into(),
            super::warnings::json_schema(),
        );
    }
    json!({
        "$schema": DRAFT,
        "$id": super::namespace(form),
        "title": form.title.get("sv"),
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn element(e: &Elem) -> Value {
    let mut schema = body(&e.body);
    if let (Some(label), Value::Object(m)) = (&e.label, &mut schema) {
        m.insert("title".into(), json!(label.get("sv")));
    }
    schema
}

fn body(b: &Body) -> Value {
    match b {
        Body::Simple(s) => simple(s),
        Body::Object {
            children,
            id_attribute,
        } => {
            let mut properties = Map::new();
            let mut required = Vec::new();
            if *id_attribute {
                properties.insert("id".into(), json!({"type": "string"}));
                required.push(json!("id"));
            }
            for c in children {
                properties.insert(c.name.clone(), element(c));
                if c.required {
                    required.push(json!(c.name));
                }
            }
            let mut m = Map::new();
            m.insert("type".into(), json!("object"));
            m.insert("properties".into(), Value::Object(properties));
            if !required.is_empty() {
                m.insert("required".into(), Value::Array(required));
            }
            m.insert("additionalProperties".into(), json!(false));
            Value::Object(m)
        }
        Body::List {
            item,
            min,
            max,
            nullable,
        } => {
            let mut items = element(item);
            if *nullable {
                items = json!({"anyOf": [items, {"type": "null"}]});
            }
            let mut m = Map::new();
            m.insert("type".into(), json!("array"));
            m.insert("items".into(), items);
            if *min > 0 {
                m.insert("minItems".into(), json!(min));
            }
            if let Some(max) = max {
                m.insert("maxItems".into(), json!(max));
            }
            Value::Object(m)
        }
        Body::Any => json!({"$comment": "Computed by the e-service; its type is not known."}),
    }
}

fn simple(s: &Simple) -> Value {
    let mut m = Map::new();
    let mut comments: Vec<String> = Vec::new();
    let kind = match s.base {
        Base::String | Base::Date => "string",
        Base::Integer | Base::NonNegativeInteger => "integer",
        Base::Decimal => "number",
        Base::Boolean => "boolean",
    };
    m.insert("type".into(), json!(kind));
    if s.base == Base::NonNegativeInteger {
        m.insert("minimum".into(), json!(0));
    }
    if s.base == Base::Date {
        m.insert("format".into(), json!("date"));
        m.insert("pattern".into(), json!(DATE_PATTERN));
    }
    if !s.enumeration.is_empty() {
        m.insert("enum".into(), json!(s.enumeration));
    }
    if let Some(n) = s.min_length {
        m.insert("minLength".into(), json!(n));
    }
    if let Some(n) = s.max_length {
        m.insert("maxLength".into(), json!(n));
    }
    if let Some(p) = &s.json_pattern {
        m.insert("pattern".into(), json!(p));
    } else if let Some(p) = &s.source_pattern {
        comments.push(format!(
            "The answer must also match the pattern {p}, which the e-service checks; \
             ECMAScript cannot express it exactly."
        ));
    }
    for (key, bound) in [("minimum", &s.min), ("maximum", &s.max)] {
        match bound {
            Some(Bound::Number(n)) => {
                m.insert(key.into(), number(*n));
            }
            Some(Bound::Date(d)) => comments.push(format!(
                "The date is {} {}.",
                if key == "minimum" {
                    "on or after"
                } else {
                    "on or before"
                },
                model::fmt_date(*d)
            )),
            Some(Bound::Today) => comments.push(format!(
                "The date is {} the day the form is filled in.",
                if key == "minimum" {
                    "on or after"
                } else {
                    "on or before"
                }
            )),
            None => {}
        }
    }
    if s.fraction_digits == Some(2) {
        // `multipleOf: 0.01` would be exact only in decimal arithmetic; validators divide
        // binary floats and reject amounts such as 12.34.
        comments.push("Kronor with at most two decimals.".into());
    }
    if !comments.is_empty() {
        m.insert("$comment".into(), json!(comments.join(" ")));
    }
    Value::Object(m)
}

/// A bound as a JSON number: whole numbers as integers, so `minimum: 0`, not `0.0`.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        json!(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}
