//! A kommun's overrides of a library form: texts, choice lists, added fields, mapping values.

use super::form::field_ref;
use super::resolve::{Resolver, Scope};
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
        r.form.reference_prefix = p.value.clone();
    }
    for (name, items) in s.choices.iter().flatten() {
        let choices = r.choices(items);
        r.list_overrides.insert(name.clone(), choices);
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
    for (name, _) in s.choices.iter().flatten() {
        if r.list(name).is_some() && r.list_names().contains(name) {
            continue;
        }
        let names = r.list_names();
        let span = s.form.span;
        r.diags.push(
            Diagnostic::error(
                Code::UnknownChoiceList,
                format!(
                    "the form `{}` has no choice list `{name}` to replace",
                    s.form.value
                ),
            )
            .at(span, format!("in the overrides of `{}`", s.form.value))
            .help(
                did_you_mean(name, names.iter().map(String::as_str))
                    .unwrap_or_else(|| format!("its lists are: {}", names.join(", "))),
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
        match &o.required {
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
    let _ = Scope::default();
}
