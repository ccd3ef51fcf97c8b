//! A submission as XML and JSON, valid against the form's schemas.
//!
//! Both are written by walking the same model the schemas are written from
//! ([`super::xsd::model`]), so nesting, names and order agree by construction. Only visible,
//! answered fields are included (a consent left unticked counts as unanswered, as it does in
//! the evaluator); values are the evaluator's typed ones, in their normalized form.

use super::xsd::model::{self, fmt_date, fmt_number, Base, Body, Elem, Simple};
use crate::eval::{instance_path, Outcome};
use crate::expr::Value;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form};
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use serde_json::{Map, Value as Json};
use std::io;

/// A value shaped for writing: the same tree serves XML and JSON.
#[derive(Debug, Clone, PartialEq)]
enum Out {
    Str(String),
    Num(f64),
    /// A file size: kept whole, where a float would round it.
    UInt(u64),
    Bool(bool),
    /// A gap in a list the schema declares nillable.
    Null,
    /// A gap in a value of undeclared type: an empty element, JSON `null`.
    Empty,
    Object {
        children: Vec<(String, Out)>,
        id: Option<String>,
    },
    List {
        item: String,
        items: Vec<Out>,
    },
}

/// The submission as XML.
pub fn to_xml(form: &Form, outcome: &Outcome) -> String {
    let children = collect(form, outcome, &model::fields(form), &[]);
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail.
    match write_root(&mut w, form, &children, outcome) {
        Ok(()) => String::from_utf8(w.into_inner()).unwrap_or_default() + "\n",
        Err(_) => String::new(),
    }
}

/// The submission as JSON.
pub fn to_json(form: &Form, outcome: &Outcome) -> Json {
    let mut root = Map::new();
    root.insert("formVersion".into(), Json::String(form.version.clone()));
    root.insert("formHash".into(), Json::String(form.hash.clone()));
    for (name, out) in collect(form, outcome, &model::fields(form), &[]) {
        root.insert(name, json(&out));
    }
    if let Some(w) = super::warnings::json(&outcome.warnings) {
        root.insert(super::warnings::ELEMENT.into(), w);
    }
    Json::Object(root)
}

/// Text as XML 1.0 can carry it: the characters it cannot hold at all (most control
/// characters, U+FFFE, U+FFFF) become U+FFFD, so the length of the answer is kept.
pub(crate) fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

fn collect(form: &Form, outcome: &Outcome, elems: &[Elem], rows: &[usize]) -> Vec<(String, Out)> {
    let mut out = Vec::new();
    for e in elems {
        let value = match (e.field, &e.body) {
            (Some(id), _) => field(form, outcome, e, id, rows),
            (None, Body::Object { children, .. }) => {
                let inner = collect(form, outcome, children, rows);
                (!inner.is_empty()).then_some(Out::Object {
                    children: inner,
                    id: None,
                })
            }
            (None, _) => None,
        };
        if let Some(v) = value {
            out.push((e.name.clone(), v));
        }
    }
    out
}

fn field(form: &Form, outcome: &Outcome, e: &Elem, id: FieldId, rows: &[usize]) -> Option<Out> {
    let f = &form.fields[id];
    let path = instance_path(form, id, rows);
    if !outcome.is_visible(&path) {
        return None;
    }
    if f.kind == FieldType::Repeat {
        let n = outcome.rows.get(&path).copied().unwrap_or(0);
        let Body::List { item, .. } = &e.body else {
            return None;
        };
        let Body::Object { children, .. } = &item.body else {
            return None;
        };
        // An empty repeat is unanswered, and left out like any other.
        if n == 0 {
            return None;
        }
        let items = (0..n)
            .map(|i| {
                let mut inner = rows.to_vec();
                inner.push(i);
                Out::Object {
                    children: collect(form, outcome, children, &inner),
                    id: None,
                }
            })
            .collect();
        return Some(Out::List {
            item: item.name.clone(),
            items,
        });
    }
    let value = outcome.values.get(&path)?;
    let unticked = f.kind == FieldType::Consent && *value == Value::Bool(false);
    if !value.is_answered() || unticked {
        return None;
    }
    leaf(&e.body, value, &path)
}

/// A value in the shape of its element; `None` when it does not fit, which the evaluator's
/// types rule out, and which is better left out than written against the schema.
fn leaf(body: &Body, value: &Value, path: &str) -> Option<Out> {
    match (body, value) {
        (Body::Simple(s), v) => scalar(s, v),
        (Body::List { item, nullable, .. }, Value::List(items)) => {
            // Each of a field's several files is told apart by its number: `ritningar[1]`.
            let numbered = matches!(
                item.body,
                Body::Object {
                    id_attribute: true,
                    ..
                }
            );
            let items = items
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Null if *nullable => Some(Out::Null),
                    v if numbered => leaf(&item.body, v, &format!("{path}[{i}]")),
                    v => leaf(&item.body, v, path),
                })
                .collect::<Option<Vec<_>>>()?;
            Some(Out::List {
                item: item.name.clone(),
                items,
            })
        }
        (Body::Object { id_attribute, .. }, Value::File { name, size, mime }) => {
            Some(Out::Object {
                children: vec![
                    ("name".into(), Out::Str(name.clone())),
                    ("size".into(), Out::UInt(*size)),
                    ("type".into(), Out::Str(mime.clone())),
                ],
                // The instance path names the field the file was attached at, which is what a
                // case system needs to file it as the right document.
                id: id_attribute.then(|| path.to_string()),
            })
        }
        (Body::Object { .. }, Value::Position { lat, lon }) => Some(position(*lat, *lon)),
        (Body::Any, v) => Some(anything(v)),
        _ => None,
    }
}

fn scalar(s: &Simple, v: &Value) -> Option<Out> {
    match (s.base, v) {
        (Base::String, Value::Text(t)) => Some(Out::Str(t.clone())),
        (Base::Integer, Value::Number(n)) if n.fract() == 0.0 => Some(Out::Num(*n)),
        (Base::Decimal, Value::Number(n)) => Some(Out::Num(match s.fraction_digits {
            // Kronor and öre: the evaluator takes more decimals than money has.
            Some(2) => (n * 100.0).round() / 100.0,
            _ => *n,
        })),
        (Base::Date, Value::Date(d)) => Some(Out::Str(fmt_date(*d))),
        (Base::Boolean, Value::Bool(b)) => Some(Out::Bool(*b)),
        _ => None,
    }
}

fn position(lat: f64, lon: f64) -> Out {
    Out::Object {
        children: vec![("lat".into(), Out::Num(lat)), ("lon".into(), Out::Num(lon))],
        id: None,
    }
}

/// Any value, for an element whose schema type is open.
fn anything(v: &Value) -> Out {
    match v {
        Value::Null => Out::Empty,
        Value::Bool(b) => Out::Bool(*b),
        Value::Number(n) => Out::Num(*n),
        Value::Text(t) => Out::Str(t.clone()),
        Value::Date(d) => Out::Str(fmt_date(*d)),
        Value::List(items) => Out::List {
            item: "val".into(),
            items: items.iter().map(anything).collect(),
        },
        Value::Position { lat, lon } => position(*lat, *lon),
        Value::File { name, size, mime } => Out::Object {
            children: vec![
                ("name".into(), Out::Str(name.clone())),
                ("size".into(), Out::UInt(*size)),
                ("type".into(), Out::Str(mime.clone())),
            ],
            id: None,
        },
        Value::Row(fields) => Out::Object {
            children: fields
                .iter()
                .filter(|(_, v)| v.is_answered())
                .map(|(k, v)| (k.clone(), anything(v)))
                .collect(),
            id: None,
        },
    }
}

fn json(out: &Out) -> Json {
    match out {
        Out::Str(s) => Json::String(s.clone()),
        Out::Num(n) => number(*n),
        Out::UInt(n) => Json::from(*n),
        Out::Bool(b) => Json::Bool(*b),
        Out::Null | Out::Empty => Json::Null,
        Out::Object { children, id } => {
            let mut m = Map::new();
            if let Some(id) = id {
                m.insert("id".into(), Json::String(id.clone()));
            }
            for (k, v) in children {
                m.insert(k.clone(), json(v));
            }
            Json::Object(m)
        }
        Out::List { items, .. } => Json::Array(items.iter().map(json).collect()),
    }
}

/// Whole numbers as JSON integers (`52000`, not `52000.0`), others as floats.
fn number(n: f64) -> Json {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every integer below is exact.
    if n.fract() == 0.0 && n.abs() < EXACT {
        Json::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number)
    }
}

type W = Writer<Vec<u8>>;

fn write_root(
    w: &mut W,
    form: &Form,
    children: &[(String, Out)],
    outcome: &Outcome,
) -> io::Result<()> {
    let ns = super::namespace(form);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let mut root = w
        .create_element(form.id.as_str())
        .with_attribute(("xmlns", ns.as_str()));
    if children.iter().any(|(_, o)| has_null(o)) {
        root = root.with_attribute(("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"));
    }
    root.with_attribute(("formVersion", form.version.as_str()))
        .with_attribute(("formHash", form.hash.as_str()))
        .write_inner_content(|w| {
            for (name, out) in children {
                write(w, name, out)?;
            }
            super::warnings::write_xml(w, &outcome.warnings)
        })?;
    Ok(())
}

fn has_null(o: &Out) -> bool {
    match o {
        Out::Null => true,
        Out::Object { children, .. } => children.iter().any(|(_, c)| has_null(c)),
        Out::List { items, .. } => items.iter().any(has_null),
        _ => false,
    }
}

fn write(w: &mut W, name: &str, out: &Out) -> io::Result<()> {
    let el = w.create_element(name);
    match out {
        Out::Str(s) => {
            el.write_inner_content(|w| text(w, s))?;
        }
        Out::Num(n) => {
            el.write_text_content(BytesText::new(&fmt_number(*n)))?;
        }
        Out::UInt(n) => {
            el.write_text_content(BytesText::new(&n.to_string()))?;
        }
        Out::Bool(b) => {
            el.write_text_content(BytesText::new(if *b { "true" } else { "false" }))?;
        }
        Out::Null => {
            el.with_attribute(("xsi:nil", "true")).write_empty()?;
        }
        Out::Empty => {
            el.write_empty()?;
        }
        Out::Object { children, id } => {
            let el = match id {
                Some(id) => el.with_attribute(("id", xml_safe(id).as_str())),
                None => el,
            };
            if children.is_empty() {
                el.write_empty()?;
            } else {
                el.write_inner_content(|w| {
                    for (k, v) in children {
                        write(w, k, v)?;
                    }
                    Ok(())
                })?;
            }
        }
        Out::List { item, items } => {
            el.write_inner_content(|w| {
                for v in items {
                    write(w, item, v)?;
                }
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Text content. A carriage return is written as a character reference, because a parser
/// turns a literal one into a line feed and the answer would change (and could get shorter
/// than its `minLength`).
fn text(w: &mut W, s: &str) -> io::Result<()> {
    let safe = xml_safe(s);
    for (i, part) in safe.split('\r').enumerate() {
        if i > 0 {
            w.write_event(Event::Text(BytesText::from_escaped("&#13;")))?;
        }
        if !part.is_empty() {
            // Quotes need no escaping in content; `partial_escape` leaves them readable.
            w.write_event(Event::Text(BytesText::from_escaped(partial_escape(part))))?;
        }
    }
    Ok(())
}

/// A field's answer as the submission XML carries it, for the case-system mapping.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Leaf {
    /// The element's text content.
    Text(String),
    /// The texts of a list's items (a multi-choice's values).
    List(Vec<String>),
    /// A file: its name, size and media type.
    File {
        name: String,
        size: u64,
        mime: String,
    },
    /// A position: latitude and longitude as written.
    Position(String, String),
    /// Something with inner structure the mapping does not read.
    Other,
}

/// What the mapping reads of a repeat: its number of rows in the submission, and for each
/// field of its rows the values the rows hold, in order (rows without an answer add none).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Rows {
    pub count: std::collections::BTreeMap<FieldId, usize>,
    pub values: std::collections::BTreeMap<FieldId, Vec<Leaf>>,
}

/// The answers of the top-level fields (not inside a repeat) that the submission XML holds,
/// and the values of the fields in the rows of top-level repeats.
pub(crate) fn leaves_and_rows(
    form: &Form,
    outcome: &Outcome,
) -> (std::collections::BTreeMap<FieldId, Leaf>, Rows) {
    let elems = model::fields(form);
    let outs = collect(form, outcome, &elems, &[]);
    let mut map = std::collections::BTreeMap::new();
    walk_leaves(&elems, &outs, &mut map);
    let mut rows = Rows::default();
    walk_rows(&elems, &outs, &mut rows);
    (map, rows)
}

fn walk_rows(elems: &[Elem], outs: &[(String, Out)], rows: &mut Rows) {
    for e in elems {
        let Some((_, out)) = outs.iter().find(|(n, _)| *n == e.name) else {
            continue;
        };
        match (&e.body, out) {
            (Body::List { item, .. }, Out::List { items, .. }) if e.field.is_some() => {
                let (Some(id), Body::Object { children, .. }) = (e.field, &item.body) else {
                    continue;
                };
                rows.count.insert(id, items.len());
                for row in items {
                    if let Out::Object {
                        children: inner, ..
                    } = row
                    {
                        let mut one = std::collections::BTreeMap::new();
                        walk_leaves(children, inner, &mut one);
                        for (field, leaf) in one {
                            rows.values.entry(field).or_default().push(leaf);
                        }
                    }
                }
            }
            (
                Body::Object { children, .. },
                Out::Object {
                    children: inner, ..
                },
            ) if e.field.is_none() => walk_rows(children, inner, rows),
            _ => {}
        }
    }
}

fn walk_leaves(
    elems: &[Elem],
    outs: &[(String, Out)],
    map: &mut std::collections::BTreeMap<FieldId, Leaf>,
) {
    for e in elems {
        let Some((_, out)) = outs.iter().find(|(n, _)| *n == e.name) else {
            continue;
        };
        match (e.field, &e.body, out) {
            (Some(id), _, out) => {
                map.insert(id, leaf_of(out));
            }
            (
                None,
                Body::Object { children, .. },
                Out::Object {
                    children: inner, ..
                },
            ) => walk_leaves(children, inner, map),
            _ => {}
        }
    }
}

fn out_text(o: &Out) -> Option<String> {
    match o {
        Out::Str(s) => Some(s.clone()),
        Out::Num(n) => Some(fmt_number(*n)),
        Out::UInt(n) => Some(n.to_string()),
        Out::Bool(b) => Some(if *b { "true" } else { "false" }.into()),
        Out::Null | Out::Empty => Some(String::new()),
        _ => None,
    }
}

fn leaf_of(o: &Out) -> Leaf {
    if let Some(t) = out_text(o) {
        return Leaf::Text(t);
    }
    match o {
        Out::List { items, .. } => Leaf::List(items.iter().filter_map(out_text).collect()),
        Out::Object {
            children,
            id: Some(_),
        } => file_of(children).unwrap_or(Leaf::Other),
        Out::Object { children, id: None } => {
            let get = |k: &str| {
                children
                    .iter()
                    .find(|(n, _)| n == k)
                    .and_then(|(_, o)| out_text(o))
            };
            match (get("lat"), get("lon")) {
                (Some(lat), Some(lon)) => Leaf::Position(lat, lon),
                _ => Leaf::Other,
            }
        }
        _ => Leaf::Other,
    }
}

fn file_of(children: &[(String, Out)]) -> Option<Leaf> {
    let get = |k: &str| children.iter().find(|(n, _)| n == k).map(|(_, o)| o);
    match (get("name"), get("size"), get("type")) {
        (Some(Out::Str(name)), Some(Out::UInt(size)), Some(Out::Str(mime))) => Some(Leaf::File {
            name: name.clone(),
            size: *size,
            mime: mime.clone(),
        }),
        _ => None,
    }
}

/// Every attached file in the submission, in document order: instance path and file.
pub(crate) fn files(form: &Form, outcome: &Outcome) -> Vec<(String, Leaf)> {
    let outs = collect(form, outcome, &model::fields(form), &[]);
    let mut found = Vec::new();
    fn walk(o: &Out, found: &mut Vec<(String, Leaf)>) {
        match o {
            Out::Object { children, id } => {
                if let (Some(id), Some(file)) = (id, file_of(children)) {
                    found.push((xml_safe(id), file));
                    return;
                }
                for (_, c) in children {
                    walk(c, found);
                }
            }
            Out::List { items, .. } => items.iter().for_each(|i| walk(i, found)),
            _ => {}
        }
    }
    for (_, o) in &outs {
        walk(o, &mut found);
    }
    found
}
