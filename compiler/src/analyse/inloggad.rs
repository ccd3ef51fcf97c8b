//! The logged-in person in a form: `inloggad` is reserved, `prefill:` and `locked:` are
//! checked, and a form that reads the person must log them in.

use super::check::field_type;
use super::resolve::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::inloggad::{self, NAME};
use crate::expr::{Expr, Ref};
use crate::ir::{FieldId, FieldType, Identification, Required, TemplatePart};
use crate::syntax::model::{self as m, Sp};

impl Resolver<'_> {
    /// A field or an `as` named `inloggad` would be shadowed by the person in every expression.
    pub fn reserved_name(&mut self, id: &Sp<String>, what: &str) {
        if id.value == NAME {
            self.diags.push(
                Diagnostic::error(
                    Code::ReservedName,
                    format!("`{NAME}` cannot be the id of a {what}"),
                )
                .at(id.span, "a reserved name")
                .help(format!(
                    "`{NAME}` is the logged-in person in expressions (`{NAME}.personnummer`); \
                     give this one another id, e.g. `sokande`"
                )),
            );
        }
    }

    /// `prefill:` and `locked:` of a field just resolved: where they apply; the expression is
    /// parsed here and checked with the others in [`Resolver::check_prefills`].
    pub fn prefill_keys(&mut self, f: &m::FieldDef, id: FieldId) {
        let kind = f.ty.value;
        let takes = kind.is_input()
            && !matches!(
                kind,
                FieldType::Repeat | FieldType::File | FieldType::Position
            );
        let in_row = self.form.fields[id].parent.is_some();
        if let Some(p) = &f.prefill {
            if !takes {
                self.not_applicable(p.span, "prefill", kind);
            } else if in_row {
                self.diags.push(
                    Diagnostic::error(
                        Code::NotApplicable,
                        "a field in a repeat's row has no `prefill`",
                    )
                    .at(p.span, "the rows do not exist when the journey starts")
                    .help("prefill a field outside the repeat, or remove `prefill`"),
                );
            } else {
                self.form.fields[id].prefill = self.parse_expr(p);
            }
        }
        let Some(locked) = f.locked.as_ref().filter(|l| l.value) else {
            return;
        };
        if !takes {
            self.not_applicable(locked.span, "locked", kind);
        } else if f.prefill.is_none() && !in_row {
            self.diags.push(
                Diagnostic::error(
                    Code::MissingKey,
                    format!("the locked field `{}` has no `prefill`", self.form.fields[id].path),
                )
                .at(locked.span, "locked to what?")
                .help("add `prefill: <expression>`, e.g. `prefill: inloggad.personnummer`, or remove `locked`"),
            );
        } else if !in_row {
            self.form.fields[id].locked = true;
        }
    }

    /// Types every prefill against its field and refuses answers in it: a prefill is decided
    /// when the journey starts, before anything is answered. Then, for a form that does not
    /// log the citizen in, every use of `inloggad` is an error.
    pub fn check_prefills(&mut self) {
        for id in 0..self.form.fields.len() {
            let Some(mut e) = self.form.fields[id].prefill.take() else {
                continue;
            };
            let want = field_type(&self.form, id, &self.computed_types);
            let scope = self.scopes[id].clone();
            let computed = self.computed_types.clone();
            self.check_one(&mut e, &scope, want.as_ref(), &computed);
            for r in e.refs() {
                if r.resolved.is_none() || inloggad::is_reference(r) {
                    continue;
                }
                self.diags.push(
                    Diagnostic::error(
                        Code::ForwardReference,
                        format!("the prefill of `{}` depends on the answer `{r}`", self.form.fields[id].path),
                    )
                    .at(ref_span(r).unwrap_or(e.span), "not answered when the journey starts")
                    .help(format!(
                        "a prefill is decided before any question is asked: use `{NAME}.personnummer`, \
                         `{NAME}.fornamn`, `{NAME}.efternamn` or `today()`"
                    )),
                );
            }
            self.form.fields[id].prefill = Some(e);
        }
        if self.form.identification == Identification::None {
            let uses: Vec<crate::source::Span> = expressions(&self.form)
                .into_iter()
                .flat_map(|e| e.refs())
                .filter(|r| inloggad::is_reference(r))
                .filter_map(ref_span)
                .collect();
            for span in uses {
                self.diags.push(
                    Diagnostic::error(
                        Code::NeedsIdentification,
                        format!("`{NAME}` needs a logged-in citizen, but this form has `identification: none`"),
                    )
                    .at(span, "nobody is logged in to read this from")
                    .help("write `identification: required` (or `optional`, where it is null for those who do not log in)"),
                );
            }
        }
    }
}

fn ref_span(r: &Ref) -> Option<crate::source::Span> {
    let first = r.segments.first()?.span;
    Some(first.to(r.segments.last().map_or(first, |l| l.span)))
}

/// Every expression of a form, in the order written.
fn expressions(form: &crate::ir::Form) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = form
        .pages
        .iter()
        .filter_map(|p| p.visible_if.as_ref())
        .collect();
    for f in &form.fields {
        out.extend(f.conditions.iter());
        if let Required::When(e) = &f.required {
            out.push(e);
        }
        out.extend(f.value.iter());
        out.extend(f.prefill.iter());
    }
    out.extend(form.rules.iter().map(|r| &r.when));
    if let Some(m) = &form.mapping {
        out.extend(m.motpart.values());
        let parts = m
            .arendemening
            .iter()
            .chain(m.extra.iter().flat_map(|(_, t)| t));
        out.extend(parts.filter_map(|p| match p {
            TemplatePart::Expr(e) => Some(e),
            TemplatePart::Literal(_) => None,
        }));
    }
    out
}
