//! A kommun's overrides of a library form: texts, choice lists, added fields, mapping values.

use super::form::field_ref;
use super::resolve::Resolver;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::Required;
use crate::syntax::model as m;

/// Overrides that change what is resolved: texts, lists and added fields.
pub fn before_resolve(r: &mut Resolver, pages: &mut [m::PageDef], s: &m::ServiceDef) {
    if let Some(t) = &s.title {
        r.form.title = r.texts.text(t);
    }
    if let Some(t) = &s.description {
        r.form.description = Some(r.texts.text(t));
    }
    if let Some(p) = &s.reference_prefix {
        if let Some(d) = super::form::reference_prefix_error(p, &s.form.value) {
            r.diags.push(d);
        }
        r.form.reference_prefix = p.value.clone();
    }
    for (name, items) in s.choices.iter().flat_map(|c| c.0.iter()) {
        let choices = r.choices(items);
        r.list_overrides.insert(name.value.clone(), choices);
    }
    for add in s.add_fields.iter().flatten() {
        match pages.iter_mut().find(|p| p.id.value == add.page.value) {
            Some(page) => page.fields.extend(add.fields.iter().cloned()),
            None => {
                let ids: Vec<&str> = pages.iter().map(|p| p.id.value.as_str()).collect();
                r.diags.push(
                    Diagnostic::error(
                        Code::UnknownPage,
                        format!(
                            "the form `{}` has no page `{}`",
                            s.form.value, add.page.value
                        ),
                    )
                    .at(add.page.span, "fields cannot be added here")
                    .help(
                        did_you_mean(&add.page.value, ids.iter().copied())
                            .unwrap_or_else(|| format!("its pages are: {}", ids.join(", "))),
                    ),
                );
            }
        }
    }
}

/// Overrides that name resolved things: fields by path, lists by name.
pub fn after_resolve(r: &mut Resolver, s: &m::ServiceDef) {
    for (name, _) in s.choices.iter().flat_map(|c| c.0.iter()) {
        let names = r.list_names();
        if names.contains(&name.value) {
            continue;
        }
        r.diags.push(
            Diagnostic::error(
                Code::UnknownChoiceList,
                format!(
                    "the form `{}` has no choice list `{}` to replace",
                    s.form.value, name.value
                ),
            )
            .at(name.span, "no list with this name in the form")
            .help(
                did_you_mean(&name.value, names.iter().map(String::as_str)).unwrap_or_else(|| {
                    if names.is_empty() {
                        "the form has no named choice lists to replace".to_string()
                    } else {
                        format!("its lists are: {}", names.join(", "))
                    }
                }),
            ),
        );
    }
    for (path, o) in s.fields.iter().flat_map(|m| m.0.iter()) {
        let Some(id) = field_ref(r, path, &format!("in the form `{}`", s.form.value)) else {
            continue;
        };
        if let Some(l) = &o.label {
            r.form.fields[id].label = r.texts.text(l);
        }
        if let Some(h) = &o.hint {
            r.form.fields[id].hint = Some(r.texts.text(h));
        }
        let kind = r.form.fields[id].kind;
        match &o.required {
            Some(req) if !kind.is_input() => {
                let span = match req {
                    m::RequiredDef::Always(b) => b.span,
                    m::RequiredDef::When(e) => e.span,
                };
                r.not_applicable(span, "required", kind);
            }
            Some(m::RequiredDef::Always(b)) => {
                r.form.fields[id].required = if b.value {
                    Required::Always
                } else {
                    Required::Never
                }
            }
            Some(m::RequiredDef::When(e)) => {
                if let Some(e) = r.parse_expr(e) {
                    r.form.fields[id].required = Required::When(e);
                }
            }
            None => {}
        }
    }
}
