//! The shape of a form's submission: which elements, in which order, of which types, and which
//! are always there.
//!
//! The XSD and the JSON Schema are both written from this one model, and the submission writer
//! walks it too, so the three cannot disagree about nesting, names or requiredness.

use super::pattern::Pattern;
use crate::domain::{self, Kind};
use crate::expr::Type;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, Limit, Required, Text};
use chrono::NaiveDate;

/// One element of the submission (one property in JSON).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Elem {
    pub name: String,
    /// Present in every valid submission: `minOccurs="1"`, listed in `required`.
    pub required: bool,
    pub label: Option<Text>,
    /// The field whose answer this element carries; `None` for a group or a part of a value.
    pub field: Option<FieldId>,
    pub body: Body,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    Simple(Simple),
    /// Child elements in order. `id_attribute` adds a required `id` (a file's).
    Object {
        children: Vec<Elem>,
        id_attribute: bool,
    },
    /// Repeated `item` elements: a repeat's rows, a multi-choice's or a computed list's values.
    /// `nullable` items may be empty (`xsi:nil`, JSON `null`): a computed list can hold gaps.
    List {
        item: Box<Elem>,
        min: u32,
        max: Option<u32>,
        nullable: bool,
    },
    /// Anything: a computed value whose type the checker could not pin down.
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base {
    String,
    Integer,
    NonNegativeInteger,
    Decimal,
    Date,
    Boolean,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Bound {
    Number(f64),
    Date(NaiveDate),
    /// The day the form is filled in: no schema language can say it.
    Today,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Simple {
    pub base: Base,
    pub enumeration: Vec<String>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub xsd_pattern: Option<String>,
    pub json_pattern: Option<String>,
    /// The author's pattern, kept so a schema that cannot carry it can say so.
    pub source_pattern: Option<String>,
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    pub fraction_digits: Option<u32>,
}

impl Simple {
    pub(crate) fn of(base: Base) -> Simple {
        Simple {
            base,
            enumeration: Vec::new(),
            min_length: None,
            max_length: None,
            xsd_pattern: None,
            json_pattern: None,
            source_pattern: None,
            min: None,
            max: None,
            fraction_digits: None,
        }
    }
}

/// A number as a schema or a submission writes it: never with an exponent (Rust's `Display`
/// for floats has none), and without the sign of a negative zero.
pub(crate) fn fmt_number(n: f64) -> String {
    if n == 0.0 {
        return "0".to_string();
    }
    format!("{n}")
}

/// `YYYY-MM-DD`. chrono writes years past 9999 with a `+`, which `xs:date` does not allow.
pub(crate) fn fmt_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    let year = d.year();
    let sign = if year < 0 { "-" } else { "" };
    format!(
        "{sign}{:04}-{:02}-{:02}",
        year.unsigned_abs(),
        d.month(),
        d.day()
    )
}

/// The elements of a whole submission, under its root.
pub(crate) fn fields(form: &Form) -> Vec<Elem> {
    let top: Vec<FieldId> = (0..form.fields.len())
        .filter(|&i| form.fields[i].parent.is_none())
        .collect();
    tree(form, &top, "")
}

/// The elements for `ids`, nested by the dotted segments of their path relative to `base`
/// (a fragment's prefix becomes an element around its fields).
fn tree(form: &Form, ids: &[FieldId], base: &str) -> Vec<Elem> {
    let mut out: Vec<Elem> = Vec::new();
    for &id in ids {
        let f = &form.fields[id];
        if f.kind == FieldType::Info {
            continue;
        }
        let key = f.row_key(form);
        let segments: Vec<&str> = key.split('.').collect();
        let Some((last, groups)) = segments.split_last() else {
            continue;
        };
        let leaf = field(form, id, last);
        insert(form, &mut out, groups, base, leaf);
    }
    for e in &mut out {
        settle_required(e);
    }
    out
}

fn insert(form: &Form, list: &mut Vec<Elem>, groups: &[&str], prefix: &str, leaf: Elem) {
    let Some((first, rest)) = groups.split_first() else {
        list.push(leaf);
        return;
    };
    let path = if prefix.is_empty() {
        first.to_string()
    } else {
        format!("{prefix}.{first}")
    };
    let pos = list.iter().position(|e| {
        e.name == *first && e.field.is_none() && matches!(e.body, Body::Object { .. })
    });
    let pos = pos.unwrap_or_else(|| {
        list.push(Elem {
            name: first.to_string(),
            required: false,
            label: form
                .groups
                .iter()
                .find(|g| g.prefix == path)
                .map(|g| g.label.clone()),
            field: None,
            body: Body::Object {
                children: Vec::new(),
                id_attribute: false,
            },
        });
        list.len() - 1
    });
    if let Body::Object { children, .. } = &mut list[pos].body {
        insert(form, children, rest, &path, leaf);
    }
}

/// A group is always there exactly when something in it always is.
fn settle_required(e: &mut Elem) {
    if e.field.is_some() {
        return;
    }
    if let Body::Object { children, .. } = &mut e.body {
        for c in children.iter_mut() {
            settle_required(c);
        }
        e.required = children.iter().any(|c| c.required);
    }
}

/// Whether nothing can ever hide the field: no condition on it or on a repeat around it, and
/// no condition on its page.
fn never_hidden(form: &Form, id: FieldId) -> bool {
    let mut current = Some(id);
    while let Some(i) = current {
        let f = &form.fields[i];
        let page_shown = form
            .pages
            .get(f.page)
            .is_some_and(|p| p.visible_if.is_none());
        if !f.conditions.is_empty() || !page_shown {
            return false;
        }
        current = f.parent;
    }
    true
}

/// Whether every valid submission has the field. A repeat is left out when it has no rows,
/// so it is always there only when it must have one; a computed value may be unknown.
pub(crate) fn always_present(form: &Form, id: FieldId) -> bool {
    let f = &form.fields[id];
    match f.kind {
        FieldType::Computed | FieldType::Info => false,
        FieldType::Repeat => {
            never_hidden(form, id) && f.min_items.unwrap_or(0) >= 1 && f.max_items != Some(0)
        }
        _ => f.required == Required::Always && never_hidden(form, id),
    }
}

fn elem(name: &str, body: Body) -> Elem {
    Elem {
        name: name.to_string(),
        required: true,
        label: None,
        field: None,
        body,
    }
}

fn field(form: &Form, id: FieldId, name: &str) -> Elem {
    let f = &form.fields[id];
    let simple = |s: Simple| Body::Simple(s);
    let body = match f.kind {
        FieldType::Text | FieldType::Textarea => simple(text(f)),
        FieldType::Integer => simple(numbers(Base::Integer, &f.min, &f.max)),
        FieldType::Decimal => simple(numbers(Base::Decimal, &f.min, &f.max)),
        FieldType::Money => simple(Simple {
            fraction_digits: Some(2),
            ..numbers(Base::Decimal, &f.min, &f.max)
        }),
        FieldType::Date => simple(dates(&f.min, &f.max)),
        FieldType::YesNo | FieldType::Consent => simple(Simple::of(Base::Boolean)),
        FieldType::Choice => simple(choice(f)),
        FieldType::MultiChoice => Body::List {
            item: Box::new(elem("val", Body::Simple(choice(f)))),
            min: 1,
            max: None,
            nullable: false,
        },
        FieldType::Email => simple(domain_type(Kind::Email)),
        FieldType::Phone => simple(domain_type(Kind::Phone)),
        FieldType::Postnummer => simple(domain_type(Kind::Postnummer)),
        FieldType::Personnummer => simple(domain_type(Kind::Personnummer)),
        FieldType::Orgnummer => simple(domain_type(Kind::Orgnummer)),
        FieldType::Fastighetsbeteckning => simple(domain_type(Kind::Fastighetsbeteckning)),
        // Several files: one `fil` element each, its `id` the instance path with its number.
        FieldType::File if f.max_files > 1 => Body::List {
            item: Box::new(elem("fil", file(&f.accept, f.max_size))),
            min: 1,
            max: Some(f.max_files),
            nullable: false,
        },
        FieldType::File => file(&f.accept, f.max_size),
        FieldType::Position => position(),
        FieldType::Repeat => {
            let max = f.max_items;
            // An empty repeat is left out, so a repeat that is there has a row.
            let min = f.min_items.unwrap_or(0).max(1).min(max.unwrap_or(u32::MAX));
            let row = elem(
                "rad",
                Body::Object {
                    children: tree(form, &f.children, &f.path),
                    id_attribute: false,
                },
            );
            Body::List {
                item: Box::new(row),
                min,
                max,
                nullable: false,
            }
        }
        FieldType::Computed => typed(f.computed_type.as_ref().unwrap_or(&Type::Any)),
        FieldType::Info => Body::Any,
    };
    Elem {
        name: name.to_string(),
        required: always_present(form, id),
        label: Some(f.label.clone()),
        field: Some(id),
        body,
    }
}

/// The body of a value of an expression type: what a computed field holds.
pub(crate) fn typed(ty: &Type) -> Body {
    match ty {
        Type::Bool => Body::Simple(Simple::of(Base::Boolean)),
        Type::Number => Body::Simple(Simple::of(Base::Decimal)),
        Type::Text => Body::Simple(Simple::of(Base::String)),
        Type::Date => Body::Simple(Simple::of(Base::Date)),
        Type::Position => position(),
        Type::File => file(&[], None),
        Type::List(item) => Body::List {
            item: Box::new(elem("val", typed(item))),
            min: 0,
            max: None,
            nullable: true,
        },
        Type::Row | Type::Any => Body::Any,
    }
}

fn text(f: &crate::ir::Field) -> Simple {
    let (min_length, max_length) = ordered(
        f.min_length.map(u64::from),
        f.max_length.map(u64::from),
        |a, b| a <= b,
    );
    let parsed = f.pattern.as_deref().and_then(Pattern::parse);
    Simple {
        min_length,
        max_length,
        xsd_pattern: parsed.as_ref().and_then(Pattern::xsd),
        json_pattern: parsed.as_ref().and_then(Pattern::ecma),
        source_pattern: f.pattern.clone(),
        ..Simple::of(Base::String)
    }
}

fn choice(f: &crate::ir::Field) -> Simple {
    Simple {
        enumeration: f.choices.iter().map(|c| c.value.clone()).collect(),
        ..Simple::of(Base::String)
    }
}

fn domain_type(kind: Kind) -> Simple {
    Simple {
        max_length: domain::max_length(kind).map(|n| n as u64),
        xsd_pattern: Some(domain::xsd_pattern(kind).to_string()),
        json_pattern: Some(domain::json_pattern(kind).to_string()),
        ..Simple::of(Base::String)
    }
}

/// Both bounds, or neither when they contradict each other: the field then has no valid
/// answer, and a schema with crossed facets would not load at all.
fn ordered<T: Copy>(
    min: Option<T>,
    max: Option<T>,
    le: impl Fn(T, T) -> bool,
) -> (Option<T>, Option<T>) {
    match (min, max) {
        (Some(a), Some(b)) if !le(a, b) => (None, None),
        other => other,
    }
}

fn numbers(base: Base, min: &Option<Limit>, max: &Option<Limit>) -> Simple {
    let number = |l: &Option<Limit>| match l {
        Some(Limit::Number(n)) if n.is_finite() => Some(*n),
        _ => None,
    };
    let (mut lo, mut hi) = (number(min), number(max));
    if base == Base::Integer {
        // An integer facet must be an integer: the tightest one the bound allows.
        lo = lo.map(f64::ceil);
        hi = hi.map(f64::floor);
    }
    let (lo, hi) = ordered(lo, hi, |a, b| a <= b);
    Simple {
        min: lo.map(Bound::Number),
        max: hi.map(Bound::Number),
        ..Simple::of(base)
    }
}

fn dates(min: &Option<Limit>, max: &Option<Limit>) -> Simple {
    let bound = |l: &Option<Limit>| match l {
        Some(Limit::Date(d)) => Some(Bound::Date(*d)),
        Some(Limit::Today) => Some(Bound::Today),
        _ => None,
    };
    let (min, max) = ordered(bound(min), bound(max), |a, b| match (a, b) {
        (Bound::Date(a), Bound::Date(b)) => a <= b,
        _ => true,
    });
    Simple {
        min,
        max,
        ..Simple::of(Base::Date)
    }
}

fn file(accept: &[String], max_size: Option<u64>) -> Body {
    let types = (!accept.is_empty()).then(|| Pattern::media_types(accept));
    let size = Simple {
        max: max_size.map(|n| Bound::Number(n as f64)),
        ..Simple::of(Base::NonNegativeInteger)
    };
    let media = Simple {
        xsd_pattern: types.as_ref().and_then(Pattern::xsd),
        json_pattern: types.as_ref().and_then(Pattern::ecma),
        ..Simple::of(Base::String)
    };
    Body::Object {
        children: vec![
            elem("name", Body::Simple(Simple::of(Base::String))),
            elem("size", Body::Simple(size)),
            elem("type", Body::Simple(media)),
        ],
        id_attribute: true,
    }
}

fn position() -> Body {
    let degrees = |limit: f64| {
        Body::Simple(Simple {
            min: Some(Bound::Number(-limit)),
            max: Some(Bound::Number(limit)),
            ..Simple::of(Base::Decimal)
        })
    };
    Body::Object {
        children: vec![elem("lat", degrees(90.0)), elem("lon", degrees(180.0))],
        id_attribute: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_no_exponent_and_no_negative_zero() {
        assert_eq!(fmt_number(1e21), "1000000000000000000000");
        assert_eq!(fmt_number(1e-7), "0.0000001");
        assert_eq!(fmt_number(-0.0), "0");
        assert_eq!(fmt_number(8.5), "8.5");
        assert_eq!(fmt_number(52000.0), "52000");
    }

    #[test]
    fn dates_are_plain_iso() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(fmt_date(d(2026, 6, 5)), "2026-06-05");
        assert_eq!(fmt_date(d(12026, 1, 1)), "12026-01-01");
        assert_eq!(fmt_date(d(-44, 3, 15)), "-0044-03-15");
    }
}
