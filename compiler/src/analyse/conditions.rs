//! Conditions that cannot do what their author meant: one that is the same whatever the
//! answers (`visible_if: false`, `required: 1 > 0`), and a `required` that reads the field's
//! own answer, which asks for the answer only once it is given.

use super::resolve::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::{self, Expr, ExprKind, Ref, Value, ValueEnv};
use crate::ir::FieldId;
use crate::source::Span;
use std::collections::BTreeSet;

/// The answers of a condition that reads none: every reference is null. Only used for
/// expressions without references.
struct NoAnswers;

impl ValueEnv for NoAnswers {
    fn get(&self, _: &Ref) -> Value {
        Value::Null
    }
    fn today(&self) -> chrono::NaiveDate {
        chrono::NaiveDate::default()
    }
}

/// Whether `e` calls `today()`, whose value changes from day to day.
fn reads_the_date(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call(c) => c.name == "today" || c.args.iter().any(reads_the_date),
        ExprKind::List(items) => items.iter().any(reads_the_date),
        ExprKind::Unary(_, x) => reads_the_date(x),
        ExprKind::Binary(_, l, r) => reads_the_date(l) || reads_the_date(r),
        _ => false,
    }
}

/// The value of a condition that reads no answer and not the date: `Some(true)` or
/// `Some(false)`. `None` when it depends on something.
pub fn constant(e: &Expr) -> Option<bool> {
    if !e.refs().is_empty() || reads_the_date(e) {
        return None;
    }
    match expr::eval(e, &NoAnswers) {
        Value::Bool(b) => Some(b),
        // Not a bool: a type error, reported by the checker.
        _ => None,
    }
}

/// Which condition a constant was written as, for the message.
#[derive(Clone, Copy)]
pub enum Written {
    VisibleIf,
    Required,
    PageVisibleIf,
}

impl Resolver<'_> {
    /// Warns once per place (a fragment use's condition is every field's of the use).
    pub fn constant_condition(&mut self, e: &Expr, written: Written, warned: &mut BTreeSet<Span>) {
        let Some(value) = constant(e) else {
            return;
        };
        if !warned.insert(e.span) {
            return;
        }
        // A literal `false` on a page is already an unreachable page.
        if matches!(written, Written::PageVisibleIf) && matches!(e.kind, ExprKind::Bool(false)) {
            return;
        }
        let (headline, help) = match (written, value) {
            (Written::VisibleIf | Written::PageVisibleIf, true) => (
                "this condition is always true",
                "remove `visible_if`: it is shown anyway".to_string(),
            ),
            (Written::VisibleIf | Written::PageVisibleIf, false) => (
                "this condition is always false, so this is never shown",
                "remove it, or give it a condition on an answer, e.g. `visible_if: kategori == \"annat\"`"
                    .to_string(),
            ),
            (Written::Required, v) => (
                if v {
                    "this `required` is always true"
                } else {
                    "this `required` is always false"
                },
                format!("write `required: {v}`, or make it depend on an answer"),
            ),
        };
        self.diags.push(
            Diagnostic::warning(Code::ConstantCondition, headline)
                .at(e.span, format!("reads no answer: always `{value}`"))
                .help(help),
        );
    }

    /// A `required` that reads the field's own answer.
    pub fn required_on_itself(&mut self, id: FieldId, e: &Expr, deps: &[FieldId]) {
        if !deps.contains(&id) {
            return;
        }
        let path = self.form.fields[id].path.clone();
        let own = self.form.fields[id].id.clone();
        let at = e
            .refs()
            .into_iter()
            .zip(ref_spans(e))
            .find(|(r, _)| {
                r.resolved
                    .as_deref()
                    .is_some_and(|c| c.replace("[*]", "") == path)
            })
            .map_or(e.span, |(_, span)| span);
        self.diags.push(
            Diagnostic::error(
                Code::RequiredOnItself,
                format!("whether `{own}` is required depends on its own answer"),
            )
            .at(at, "the field's own answer")
            .help(
                "a field is required or not before it is answered: make `required` depend on \
                 other answers, or check the answer itself with a rule (`rules:` with `when:`)",
            ),
        );
    }
}

/// The spans of the references of `e`, in the order of [`Expr::refs`].
fn ref_spans(e: &Expr) -> Vec<Span> {
    let mut out = Vec::new();
    collect_ref_spans(e, &mut out);
    out
}

fn collect_ref_spans(e: &Expr, out: &mut Vec<Span>) {
    match &e.kind {
        ExprKind::Ref(_) => out.push(e.span),
        ExprKind::List(items) => items.iter().for_each(|x| collect_ref_spans(x, out)),
        ExprKind::Unary(_, x) => collect_ref_spans(x, out),
        ExprKind::Binary(_, l, r) => {
            collect_ref_spans(l, out);
            collect_ref_spans(r, out);
        }
        ExprKind::Call(c) => c.args.iter().for_each(|x| collect_ref_spans(x, out)),
        _ => {}
    }
}
