//! The type checker: every node gets a [`Type`], every reference is resolved, every problem
//! is reported. A node that is wrong gets [`Type::Any`], which fits everywhere, so a mistake
//! is reported once and not again by each operator around it.

use super::ast::{BinOp, Expr, ExprKind, Ref, UnOp};
use super::functions;
use super::types::{LookupError, Type, TypeEnv};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::source::Span;

/// Checks `expr`, sets every [`Ref::resolved`] that resolves, pushes a diagnostic for every
/// problem and returns the expression's type (`Any` if it is wrong at the top).
///
/// With `expected`, the result must fit that type: `Some(&Type::Bool)` for conditions.
pub fn check(
    expr: &mut Expr,
    env: &dyn TypeEnv,
    expected: Option<&Type>,
    diags: &mut Vec<Diagnostic>,
) -> Type {
    let mut c = Checker { env, diags };
    let ty = c.infer(expr);
    match expected {
        Some(want) if !ty.fits(want) => {
            let help = match want {
                Type::Bool => format!(
                    "a condition must be true or false: compare the value, e.g. `{expr} == …`, or test whether \
                     it is given with `answered(…)`"
                ),
                Type::Number => "the value must be a number; compute it with numbers, `sum(…)` or `count(…)`".into(),
                other => format!("the value must be {}", other.noun()),
            };
            c.diags.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!("expected {}, found {}", want.noun(), ty.noun()),
                )
                .at(expr.span, format!("this is {}", ty.noun()))
                .help(help),
            );
            Type::Any
        }
        _ => ty,
    }
}

pub(crate) struct Checker<'a> {
    pub env: &'a dyn TypeEnv,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    pub(crate) fn infer(&mut self, e: &mut Expr) -> Type {
        let span = e.span;
        match &mut e.kind {
            ExprKind::Number(_) => Type::Number,
            ExprKind::Text(_) => Type::Text,
            ExprKind::Bool(_) => Type::Bool,
            ExprKind::Date(_) => Type::Date,
            ExprKind::List(items) => self.list(items),
            ExprKind::Ref(r) => self.reference(r, span),
            ExprKind::Unary(op, x) => self.unary(*op, x),
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, span),
            ExprKind::Call(call) => functions::check_call(self, call, span),
        }
    }

    /// A TypeMismatch pointing at `at`, saying what it is.
    pub(crate) fn mismatch(
        &self,
        message: String,
        at: &Expr,
        ty: &Type,
        help: String,
    ) -> Diagnostic {
        Diagnostic::error(Code::TypeMismatch, message)
            .at(at.span, format!("this is {}", ty.noun()))
            .help(help)
    }

    /// Reports `at` unless its type fits `want`; `Any` never gets reported again.
    pub(crate) fn want(
        &mut self,
        at: &Expr,
        ty: &Type,
        want: &Type,
        message: String,
        help: String,
    ) -> bool {
        if ty.fits(want) {
            return true;
        }
        let d = self.mismatch(message, at, ty, help);
        self.diags.push(d);
        false
    }

    fn list(&mut self, items: &mut [Expr]) -> Type {
        let mut item = Type::Any;
        let mut first: Option<(Span, Type)> = None;
        for e in items.iter_mut() {
            let t = self.infer(e);
            match item.unify(&t) {
                Some(u) => item = u,
                None => {
                    let mut d = self.mismatch(
                        "the items of a list must all have the same type".into(),
                        e,
                        &t,
                        format!("make every item {}", item.noun()),
                    );
                    if let Some((s, ft)) = &first {
                        d = d.also(*s, format!("this is {}", ft.noun()));
                    }
                    self.diags.push(d);
                }
            }
            if first.is_none() && !t.is_any() {
                first = Some((e.span, t));
            }
        }
        Type::list(item)
    }

    fn reference(&mut self, r: &mut Ref, span: Span) -> Type {
        match self.env.lookup(r) {
            Ok(found) => {
                r.resolved = Some(found.canonical);
                found.ty
            }
            Err(LookupError::Unknown { suggestion }) => {
                let d = self.unknown_field(r, span, suggestion);
                self.diags.push(d);
                Type::Any
            }
            Err(LookupError::OwnRowThroughStar { repeat, field }) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::StarInOwnRow,
                        format!("`{r}` reads every row of `{repeat}`, inside one of its rows"),
                    )
                    .at(span, format!("this is evaluated for one row of `{repeat}`"))
                    .help(format!(
                        "inside a per-row rule (or any expression of a row of `{repeat}`), write \
                         `{field}`, the row's own field; `{r}` is the list over all rows, for \
                         a rule on the whole table (`field: {repeat}`)"
                    )),
                );
                Type::Any
            }
            Err(LookupError::NotAValue { why }) => {
                self.diags.push(
                    Diagnostic::error(Code::TypeMismatch, format!("`{r}` has no value"))
                        .at(span, "not a value")
                        .help(why),
                );
                Type::Any
            }
        }
    }

    /// Blames the first segment that does not exist: in `sokande.pnr` that is `pnr` when
    /// `sokande` exists, `sokande` when it does not. A prefix exists when the environment
    /// knows it (a field, or a group it calls `NotAValue`), or when the suggested path
    /// shares it, since an environment may not answer for groups at all.
    fn unknown_field(&self, r: &Ref, span: Span, suggestion: Option<String>) -> Diagnostic {
        let n = r.segments.len();
        let known = (1..n)
            .take_while(|&k| {
                let prefix = Ref {
                    segments: r.segments[..k].to_vec(),
                    resolved: None,
                };
                !matches!(self.env.lookup(&prefix), Err(LookupError::Unknown { .. }))
            })
            .count();
        let shared = suggestion.as_deref().map_or(0, |s| {
            s.split('.')
                .map(|part| part.trim_end_matches("[*]"))
                .zip(&r.segments)
                .take_while(|(part, seg)| *part == seg.name)
                .count()
        });
        let blame = known.max(shared).min(n.saturating_sub(1));
        let (at, label) = match r.segments.get(blame) {
            Some(seg) if blame > 0 => {
                let parent = Ref {
                    segments: r.segments[..blame].to_vec(),
                    resolved: None,
                };
                (seg.span, format!("`{parent}` has no field `{}`", seg.name))
            }
            Some(seg) => (seg.span, "no field has this id".to_string()),
            None => (span, "no field has this id".to_string()),
        };
        // `today` without its brackets reads as a field id.
        let function = match r.segments.as_slice() {
            [only] => functions::function(&only.name),
            _ => None,
        };
        let help = match (function, suggestion) {
            (Some(f), _) => format!("`{}` is a function: write `{}`", f.name, f.signature),
            (None, Some(s)) => format!("did you mean `{s}`?"),
            (None, None) => "refer to a field by its id; a fragment's fields carry its `as` name in front, as in \
                     `sokande.namn`"
                .to_string(),
        };
        Diagnostic::error(Code::UnknownField, format!("unknown field `{r}`"))
            .at(at, label)
            .help(help)
    }

    fn unary(&mut self, op: UnOp, x: &mut Expr) -> Type {
        let t = self.infer(x);
        match op {
            UnOp::Not => {
                let help = format!(
                    "`not` turns a condition around; make one first, e.g. `not ({x} == …)`"
                );
                self.want(x, &t, &Type::Bool, "`not` needs true or false".into(), help);
                Type::Bool
            }
            UnOp::Neg => {
                let help = "only a number can be negated".to_string();
                self.want(x, &t, &Type::Number, "`-` needs a number".into(), help);
                Type::Number
            }
        }
    }

    fn binary(&mut self, op: BinOp, l: &mut Expr, r: &mut Expr, span: Span) -> Type {
        let lt = self.infer(l);
        let rt = self.infer(r);
        let sym = op.symbol();
        match op {
            BinOp::And | BinOp::Or => {
                for (side, t) in [(&*l, &lt), (&*r, &rt)] {
                    let help = format!(
                        "`{sym}` joins two conditions; make this one, e.g. `{side} == …` or `answered({side})`"
                    );
                    self.want(
                        side,
                        t,
                        &Type::Bool,
                        format!("`{sym}` needs true or false on both sides"),
                        help,
                    );
                }
                Type::Bool
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.comparison(op, l, &lt, r, &rt);
                Type::Bool
            }
            BinOp::In => {
                self.membership(l, &lt, r, &rt);
                Type::Bool
            }
            BinOp::Add => self.add(l, &lt, r, &rt),
            BinOp::Sub if lt == Type::Date && rt == Type::Date => {
                self.diags.push(
                    Diagnostic::error(Code::TypeMismatch, "dates cannot be subtracted")
                        .at(span, "a date minus a date")
                        .help(format!(
                            "the days from `{r}` to `{l}` are `days_between({r}, {l})`"
                        )),
                );
                Type::Any
            }
            BinOp::Sub | BinOp::Mul | BinOp::Div => {
                for (side, t) in [(&*l, &lt), (&*r, &rt)] {
                    let help = if *t == Type::Date {
                        "dates have no arithmetic; `days_between(a, b)` gives the days between two dates".into()
                    } else {
                        format!("`{sym}` works on numbers only")
                    };
                    self.want(
                        side,
                        t,
                        &Type::Number,
                        format!("`{sym}` needs numbers"),
                        help,
                    );
                }
                Type::Number
            }
        }
    }

    fn comparison(&mut self, op: BinOp, l: &Expr, lt: &Type, r: &Expr, rt: &Type) {
        let sym = op.symbol();
        if lt.is_any() || rt.is_any() {
            return self.choice_sides(l, r);
        }
        if lt != rt {
            let help = comparison_help(l, lt, r, rt);
            let d = self
                .mismatch(
                    format!("cannot compare {} with {}", lt.noun(), rt.noun()),
                    r,
                    rt,
                    help,
                )
                .also(l.span, format!("this is {}", lt.noun()));
            return self.diags.push(d);
        }
        let equality = matches!(op, BinOp::Eq | BinOp::Ne);
        let comparable =
            matches!(lt, Type::Number | Type::Text | Type::Date) || (equality && *lt == Type::Bool);
        if !comparable {
            let help = match lt {
                Type::Bool => {
                    "true and false have no order; compare them with `==` or `!=`".to_string()
                }
                Type::List(_) => {
                    "to test whether a list holds a value, use `contains(list, value)`".to_string()
                }
                _ => format!("to test whether `{l}` is given, use `answered({l})`"),
            };
            let d = self.mismatch(
                format!("{} cannot be compared with `{sym}`", lt.noun()),
                l,
                lt,
                help,
            );
            return self.diags.push(d);
        }
        self.choice_sides(l, r);
    }

    fn membership(&mut self, l: &Expr, lt: &Type, r: &Expr, rt: &Type) {
        if *rt == Type::Text {
            let help = format!("to look for a part of a text, use `contains({r}, {l})`");
            let d = self.mismatch("`in` needs a list on its right".into(), r, rt, help);
            return self.diags.push(d);
        }
        if !rt.is_list() {
            let help = format!("write the values as a list, e.g. `{l} in [\"a\", \"b\"]`");
            let d = self.mismatch("`in` needs a list on its right".into(), r, rt, help);
            return self.diags.push(d);
        }
        let item = rt.item();
        if !lt.fits(&item) {
            let help = if lt.is_list() {
                format!("to test whether `{l}` includes a value, use `contains({l}, …)`")
            } else {
                format!(
                    "the list holds {}, so the value must be {}",
                    rt.item().noun(),
                    item.noun()
                )
            };
            let d = self
                .mismatch(
                    format!("cannot look for {} in {}", lt.noun(), rt.noun()),
                    l,
                    lt,
                    help,
                )
                .also(r.span, format!("this is {}", rt.noun()));
            return self.diags.push(d);
        }
        self.choice_sides(l, r);
    }

    fn add(&mut self, l: &Expr, lt: &Type, r: &Expr, rt: &Type) -> Type {
        let addable = |t: &Type| matches!(t, Type::Number | Type::Text | Type::Any);
        let help = "`+` adds two numbers or joins two texts".to_string();
        for (side, t) in [(l, lt), (r, rt)] {
            if !addable(t) {
                let help = if *t == Type::Date {
                    "dates have no arithmetic; `days_between(a, b)` gives the days between two dates".into()
                } else {
                    help.clone()
                };
                let d = self.mismatch(format!("cannot add {}", t.noun()), side, t, help);
                self.diags.push(d);
                return Type::Any;
            }
        }
        match lt.unify(rt) {
            Some(t) => t,
            None => {
                // A number in quotes is the usual slip; otherwise the author wants text and a
                // number together, which `+` does not do.
                let quoted_number = [l, r]
                    .into_iter()
                    .find_map(|e| e.as_text().filter(|s| s.trim().parse::<f64>().is_ok()));
                let help = match quoted_number {
                    Some(n) => format!("write the number without quotes: `{}`", n.trim()),
                    None => "`+` adds two numbers or joins two texts, and does not turn a number into text: \
                             keep the number in a field of its own and put the words in its `label`"
                        .to_string(),
                };
                let d = self
                    .mismatch(
                        format!("cannot add {} and {}", lt.noun(), rt.noun()),
                        r,
                        rt,
                        help,
                    )
                    .also(l.span, format!("this is {}", lt.noun()));
                self.diags.push(d);
                Type::Any
            }
        }
    }

    /// The allowed values of a choice field, when `e` is a reference to one.
    pub(crate) fn choices_of(&self, e: &Expr) -> Option<Vec<String>> {
        match &e.kind {
            ExprKind::Ref(r) => self.env.lookup(r).ok().and_then(|l| l.choices),
            _ => None,
        }
    }

    fn choice_sides(&mut self, l: &Expr, r: &Expr) {
        self.choice_literals(l, r);
        self.choice_literals(r, l);
        self.bare_choice_word(l, r);
        self.bare_choice_word(r, l);
    }

    /// `kategori == annat`: a choice written without quotes reads as a field id, and the
    /// unknown-field message would send the author looking for a field. Say what it is.
    fn bare_choice_word(&mut self, field: &Expr, word: &Expr) {
        let Some(choices) = self.choices_of(field) else {
            return;
        };
        let words: Vec<&Expr> = match &word.kind {
            ExprKind::List(items) => items.iter().collect(),
            _ => vec![word],
        };
        for w in words {
            let ExprKind::Ref(r) = &w.kind else { continue };
            let ([seg], None) = (r.segments.as_slice(), &r.resolved) else {
                continue;
            };
            if !choices.contains(&seg.name) {
                continue;
            }
            if let Some(d) = self.diags.iter_mut().rev().find(|d| {
                d.code == Code::UnknownField
                    && d.primary.as_ref().is_some_and(|p| p.span == seg.span)
            }) {
                d.message = format!("`{}` is written without quotes", seg.name);
                if let Some(p) = d.primary.as_mut() {
                    p.message = format!("read as a field id, but it is a choice of `{field}`");
                }
                d.help = Some(format!(
                    "a choice is a text: write it in quotes, `\"{}\"`",
                    seg.name
                ));
            }
        }
    }

    /// Text literals compared with a choice field must be among its choices: a typo there
    /// would make a condition silently never true.
    pub(crate) fn choice_literals(&mut self, field: &Expr, lit: &Expr) {
        let Some(choices) = self.choices_of(field) else {
            return;
        };
        let items = match &lit.kind {
            ExprKind::List(items) => items.iter().collect(),
            _ => vec![lit],
        };
        for item in items {
            let Some(value) = item.as_text() else {
                continue;
            };
            if choices.iter().any(|c| c == value) {
                continue;
            }
            let help =
                did_you_mean(value, choices.iter().map(String::as_str)).unwrap_or_else(|| {
                    let shown: Vec<String> =
                        choices.iter().take(8).map(|c| format!("`{c}`")).collect();
                    let more = if choices.len() > 8 { ", …" } else { "" };
                    format!("the choices are {}{more}", shown.join(", "))
                });
            self.diags.push(
                Diagnostic::error(
                    Code::UnknownChoiceValue,
                    format!("`{value}` is not a choice of `{field}`"),
                )
                .at(item.span, "not among the choices")
                .also(field.span, "a choice field")
                .help(help),
            );
        }
    }
}

fn comparison_help(l: &Expr, lt: &Type, r: &Expr, rt: &Type) -> String {
    // A multi-choice answer is a list: `==` with one of its values is never true.
    for (list, lty, value, vty) in [(l, lt, r, rt), (r, rt, l, lt)] {
        if let Type::List(item) = lty {
            if vty.fits(item) {
                return format!(
                    "`{list}` is a list of answers; to test whether it holds a value, write `contains({list}, {value})`"
                );
            }
        }
    }
    // A literal written in the wrong form is the usual cause; say how to write it.
    for (lit, other) in [(r, lt), (l, rt)] {
        if let Some(s) = lit.as_text() {
            if *other == Type::Number && s.trim().parse::<f64>().is_ok() {
                return format!("write the number without quotes: `{}`", s.trim());
            }
            if *other == Type::Date {
                return format!(
                    "write a date as `date(\"{}\")`",
                    if s.len() == 10 { s } else { "2026-01-31" }
                );
            }
            if *other == Type::Bool && (s == "true" || s == "false") {
                return format!("write `{s}` without quotes");
            }
            if *other == Type::Bool {
                match s.trim().to_lowercase().as_str() {
                    "ja" | "yes" | "sant" => return "a yes/no answer is `true` or `false`: write `true`, without quotes".into(),
                    "nej" | "no" | "falskt" => return "a yes/no answer is `true` or `false`: write `false`, without quotes".into(),
                    _ => {}
                }
            }
        }
        if let ExprKind::Number(n) = lit.kind {
            if *other == Type::Text {
                return format!("a text is compared with a text: write `\"{n}\"` in quotes");
            }
        }
    }
    "both sides of a comparison must have the same type".to_string()
}
