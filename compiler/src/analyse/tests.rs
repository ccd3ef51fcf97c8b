//! A form's `tests:` into test cases, with every name and answer checked against the form.

use super::form::field_ref;
use super::resolve::Resolver;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::FieldType;
use crate::ir::{self, FieldId};
use crate::syntax::model::{self as m, Sp};
use crate::syntax::yaml::{Node, NodeKind};
use std::collections::BTreeMap;

/// A YAML node as JSON (test answers are stored and compared as JSON).
pub fn to_json(n: &Node) -> serde_json::Value {
    match &n.kind {
        NodeKind::Null => serde_json::Value::Null,
        NodeKind::Bool(b) => serde_json::Value::Bool(*b),
        NodeKind::Int(i) => serde_json::Value::from(*i),
        NodeKind::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        NodeKind::Str(s) => serde_json::Value::String(s.clone()),
        NodeKind::Seq(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

/// Results are reported by test name, so two tests with one name could not be told apart.
pub fn check_names<'t>(r: &mut Resolver, tests: impl Iterator<Item = &'t m::TestDef>) {
    let mut seen: BTreeMap<&str, crate::source::Span> = BTreeMap::new();
    for t in tests {
        match seen.get(t.name.value.as_str()) {
            Some(first) => r.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("two tests are named `{}`", t.name.value),
                )
                .at(t.name.span, "named again here")
                .also(*first, "first named here")
                .help("`blankett test` reports each test by its name; give each its own"),
            ),
            None => {
                seen.insert(&t.name.value, t.name.span);
            }
        }
    }
}

pub fn test_case(r: &mut Resolver, t: &m::TestDef) -> Option<ir::TestCase> {
    let today = t.today.as_ref().and_then(|d| {
        match chrono::NaiveDate::parse_from_str(&d.value, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                r.diags.push(
                    Diagnostic::error(Code::InvalidDate, format!("`{}` is not a date", d.value))
                        .at(d.span, "expected YYYY-MM-DD")
                        .help("write a real date such as `2026-06-15`"),
                );
                None
            }
        }
    });
    let mut answers = BTreeMap::new();
    for (key, value) in t.answers.iter().flat_map(|a| a.0.iter()) {
        if let Some(id) = field_ref(r, key, "in this form") {
            check_answer(r, id, &value.0);
            answers.insert(r.form.fields[id].path.clone(), to_json(&value.0));
        }
    }
    let mut tc = ir::TestCase {
        name: t.name.value.clone(),
        today,
        answers,
        visible: Vec::new(),
        hidden: Vec::new(),
        errors: None,
        values: BTreeMap::new(),
        inloggad: t.inloggad.as_ref().map(|p| {
            crate::expr::inloggad::Inloggad::new(
                &p.personnummer.value,
                p.fornamn.as_ref().map(|f| f.value.as_str()),
                p.efternamn.as_ref().map(|e| e.value.as_str()),
            )
        }),
        warnings: None,
        ends_at: None,
        span: t.name.span,
    };
    if let Some(e) = &t.expect {
        tc.visible = e
            .visible
            .iter()
            .flatten()
            .filter(|n| page_or_field(r, n))
            .map(|n| n.value.clone())
            .collect();
        tc.hidden = e
            .hidden
            .iter()
            .flatten()
            .filter(|n| page_or_field(r, n))
            .map(|n| n.value.clone())
            .collect();
        tc.errors = e.errors.as_ref().map(|errs| {
            errs.iter()
                .filter(|n| {
                    field_ref(
                        r,
                        &Sp::new(crate::eval::field_path(&n.value), n.span),
                        "in this form",
                    )
                    .is_some()
                })
                .map(|n| n.value.clone())
                .collect()
        });
        tc.warnings = e.warnings.as_ref().map(|ws| {
            ws.iter()
                .filter(|n| {
                    let path = Sp::new(crate::eval::field_path(&n.value), n.span);
                    field_ref(r, &path, "in this form").is_some()
                })
                .map(|n| n.value.clone())
                .collect()
        });
        tc.ends_at = e.ends_at.as_ref().and_then(|p| stop_page(r, p));
        for (key, value) in e.values.iter().flat_map(|a| a.0.iter()) {
            // A value in a row is named by its instance path, `rum[1].yta`.
            let field = Sp::new(crate::eval::field_path(&key.value), key.span);
            if let Some(id) = field_ref(r, &field, "in this form") {
                let path = if key.value.contains('[') {
                    key.value.clone()
                } else {
                    r.form.fields[id].path.clone()
                };
                tc.values.insert(path, to_json(&value.0));
            }
        }
    }
    Some(tc)
}

/// `ends_at:` names a page that is a stop page.
fn stop_page(r: &mut Resolver, p: &Sp<String>) -> Option<String> {
    let stops: Vec<&str> = r
        .form
        .pages
        .iter()
        .filter(|pg| pg.end)
        .map(|pg| pg.id.as_str())
        .collect();
    if r.form.pages.iter().any(|pg| pg.end && pg.id == p.value) {
        return Some(p.value.clone());
    }
    let help = match (
        did_you_mean(&p.value, stops.iter().copied()),
        stops.is_empty(),
    ) {
        (Some(d), _) => d,
        (None, true) => "the form has no stop page: give a page `end: true`".to_string(),
        (None, false) => format!("its stop pages are: {}", stops.join(", ")),
    };
    r.diags.push(
        Diagnostic::error(Code::UnknownPage, format!("no stop page `{}`", p.value))
            .at(p.span, "not a page with `end: true` in this form")
            .help(help),
    );
    None
}

fn page_or_field(r: &mut Resolver, n: &Sp<String>) -> bool {
    let path = crate::eval::field_path(&n.value);
    if r.form.page(&path).is_some() || r.form.field(&path).is_some() {
        return true;
    }
    if r.is_broken(&path) {
        return false;
    }
    let names: Vec<&str> = r
        .form
        .pages
        .iter()
        .map(|p| p.id.as_str())
        .chain(r.form.fields.iter().map(|f| f.path.as_str()))
        .collect();
    r.diags.push(
        Diagnostic::error(
            Code::UnknownField,
            format!("no page or field `{}`", n.value),
        )
        .at(n.span, "not a page id or field path in this form")
        .help(
            did_you_mean(&path, names.iter().copied())
                .unwrap_or_else(|| "name a page by its id or a field by its path".into()),
        ),
    );
    false
}

fn check_answer(r: &mut Resolver, id: FieldId, v: &Node) {
    let f = &r.form.fields[id];
    let kind = f.kind;
    let shape_ok = match (&v.kind, kind) {
        (NodeKind::Null, _) => true,
        (_, FieldType::Computed | FieldType::Info) => {
            let msg = format!(
                "`{}` is {} field and takes no answer",
                f.path,
                if kind == FieldType::Info {
                    "an info"
                } else {
                    "a computed"
                }
            );
            r.diags.push(
                Diagnostic::error(Code::InvalidTestAnswer, msg)
                    .at(v.span, "this answer is ignored")
                    .help(
                        "remove the answer; check a computed value under `expect: values:` instead",
                    ),
            );
            return;
        }
        (NodeKind::Seq(rows), FieldType::Repeat) => {
            let children: Vec<(String, FieldId)> = f
                .children
                .iter()
                .map(|&c| (r.form.fields[c].row_key(&r.form).to_string(), c))
                .collect();
            for row in rows {
                let Some(entries) = row.as_map() else {
                    r.diags.push(
                        Diagnostic::error(
                            Code::InvalidTestAnswer,
                            "a repeat's row must be a map of its fields",
                        )
                        .at(row.span, "expected `{field: answer, …}`")
                        .help("write each row as a map, e.g. `- {namn: Ella, alder: 3}`"),
                    );
                    continue;
                };
                for (k, cv) in entries {
                    match children.iter().find(|(n, _)| *n == k.name) {
                        Some((_, c)) => check_answer(r, *c, cv),
                        None => r.diags.push(
                            Diagnostic::error(
                                Code::UnknownField,
                                format!("the repeat has no field `{}`", k.name),
                            )
                            .at(k.span, "not a field of this repeat's rows")
                            .help(
                                did_you_mean(&k.name, children.iter().map(|(n, _)| n.as_str()))
                                    .unwrap_or_else(|| {
                                        format!(
                                            "its fields are: {}",
                                            children
                                                .iter()
                                                .map(|(n, _)| n.as_str())
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        )
                                    }),
                            ),
                        ),
                    }
                }
            }
            true
        }
        (_, FieldType::Repeat) => false,
        (NodeKind::Seq(items), FieldType::MultiChoice) => {
            for item in items {
                check_choice(r, id, item);
            }
            true
        }
        (NodeKind::Seq(_), FieldType::File) => r.form.fields[id].takes_several_files(),
        (NodeKind::Seq(_), _) => false,
        (NodeKind::Map(_), FieldType::File | FieldType::Position) => true,
        (NodeKind::Map(_), _) => false,
        (_, FieldType::Choice | FieldType::MultiChoice) => {
            check_choice(r, id, v);
            true
        }
        _ => true,
    };
    if !shape_ok {
        let f = &r.form.fields[id];
        let expected = match f.kind {
            FieldType::Repeat => "a list of rows",
            FieldType::MultiChoice => "a list of values",
            FieldType::File if f.takes_several_files() => {
                "a list of file names or of {name, size, type}"
            }
            FieldType::File => "a file name or {name, size, type}",
            FieldType::Position => "{lat, lon}",
            _ => "a single value",
        };
        // An example in the shape the field takes, with its own choices and row fields.
        let example = match f.kind {
            FieldType::Repeat => {
                let cols: Vec<String> = f
                    .children
                    .iter()
                    .take(2)
                    .map(|&c| format!("{}: …", r.form.fields[c].row_key(&r.form)))
                    .collect();
                format!("[{{{}}}]", cols.join(", "))
            }
            FieldType::MultiChoice => {
                let values: Vec<&str> =
                    f.choices.iter().take(2).map(|c| c.value.as_str()).collect();
                format!("[{}]", values.join(", "))
            }
            FieldType::File => "foto.jpg".to_string(),
            FieldType::Position => "{lat: 58.1, lon: 11.8}".to_string(),
            FieldType::YesNo | FieldType::Consent => "true".to_string(),
            _ => "one value on the same line".to_string(),
        };
        r.diags.push(
            Diagnostic::error(
                Code::InvalidTestAnswer,
                format!("the answer to `{}` should be {expected}", f.path),
            )
            .at(v.span, format!("this is {}", v.kind_name()))
            .help(format!(
                "`{}` is {} field: write e.g. `{}: {example}`",
                f.path,
                super::resolve::a_type(f.kind),
                f.row_key(&r.form)
            )),
        );
    }
}

fn check_choice(r: &mut Resolver, id: FieldId, v: &Node) {
    let f = &r.form.fields[id];
    let value = match &v.kind {
        NodeKind::Str(s) => s.clone(),
        NodeKind::Int(i) => i.to_string(),
        NodeKind::Float(f) => f.to_string(),
        NodeKind::Bool(b) => b.to_string(),
        _ => return,
    };
    if f.choices.is_empty() || f.choices.iter().any(|c| c.value == value) {
        return;
    }
    let values: Vec<&str> = f.choices.iter().map(|c| c.value.as_str()).collect();
    r.diags.push(
        Diagnostic::error(
            Code::UnknownChoiceValue,
            format!("`{value}` is not a choice of `{}`", f.path),
        )
        .at(v.span, "not among the field's choices")
        .help(
            did_you_mean(&value, values.iter().copied())
                .unwrap_or_else(|| format!("the choices are: {}", values.join(", "))),
        ),
    );
}
