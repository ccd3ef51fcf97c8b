//! One expression to one JavaScript expression over `env` and the runtime `B`.
//!
//! The output calls `B` for every operator and function, so the semantics live in one place
//! on each side: [`crate::expr::eval`] on the server, `B` in `blankett.js` in the browser. What
//! is decided here is only what the evaluator decides by the shape of the tree: which branch of
//! `if` and which side of `and`/`or` is evaluated, and which calls have no value at all (an
//! unknown function, a wrong number of arguments), which are `null` before anything runs.

use crate::expr::ast::{BinOp, Call, Expr, ExprKind, UnOp};
use crate::expr::pattern;
use chrono::Datelike;

/// A JavaScript string literal. JSON's, with U+2028 and U+2029 escaped: ES2017 engines end a
/// line at them even inside a string.
pub fn string(s: &str) -> String {
    serde_json::to_string(s)
        .unwrap_or_else(|_| "\"\"".into())
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// `function (env) { return …; }`.
pub fn function(e: &Expr) -> String {
    format!("function (env) {{ return {}; }}", expression(e))
}

/// The JavaScript expression that computes `e`: `B.eq(env.get("kategori"), "annat")`.
pub fn expression(e: &Expr) -> String {
    match &e.kind {
        // Debug prints the shortest decimal that reads back as the same double, as JavaScript
        // reads it too. Literals are never negative (`-3` is a negation).
        ExprKind::Number(n) => format!("{n:?}"),
        ExprKind::Text(s) => string(s),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Date(d) => format!("B.date({}, {}, {})", d.year(), d.month(), d.day()),
        ExprKind::List(items) => format!("[{}]", list(items)),
        // An unresolved reference is null in the evaluator too (the checker reported it).
        ExprKind::Ref(r) => r
            .resolved
            .as_ref()
            .map_or_else(|| "null".into(), |c| format!("env.get({})", string(c))),
        ExprKind::Unary(UnOp::Not, x) => format!("!B.truthy({})", expression(x)),
        ExprKind::Unary(UnOp::Neg, x) => format!("B.neg({})", expression(x)),
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), l, r) => {
            let js = if *op == BinOp::And { "&&" } else { "||" };
            format!(
                "(B.truthy({}) {js} B.truthy({}))",
                expression(l),
                expression(r)
            )
        }
        ExprKind::Binary(op, l, r) => {
            format!("B.{}({}, {})", operator(*op), expression(l), expression(r))
        }
        ExprKind::Call(c) => call(c),
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(expression).collect::<Vec<_>>().join(", ")
}

fn operator(op: BinOp) -> &'static str {
    match op {
        BinOp::Eq => "eq",
        BinOp::Ne => "ne",
        BinOp::Lt => "lt",
        BinOp::Le => "le",
        BinOp::Gt => "gt",
        BinOp::Ge => "ge",
        BinOp::In => "in",
        BinOp::Add => "add",
        BinOp::Sub => "sub",
        BinOp::Mul => "mul",
        BinOp::Div => "div",
        // Handled by the caller; kept total so a new operator cannot be forgotten silently.
        BinOp::And => "and",
        BinOp::Or => "or",
    }
}

/// The calls [`crate::expr::eval::call`] gives a value, by name and number of arguments; every
/// other call is `null` there, whatever its arguments.
fn call(c: &Call) -> String {
    let args = || {
        let mut all = vec!["env".to_string()];
        all.extend(c.args.iter().map(expression));
        all.join(", ")
    };
    match (c.name.as_str(), c.args.as_slice()) {
        ("if", [cond, a, b]) => format!(
            "(B.truthy({}) ? {} : {})",
            expression(cond),
            expression(a),
            expression(b)
        ),
        ("matches", [x, p]) => format!(
            "B.fn.matches(env, {}, {}, {})",
            expression(x),
            expression(p),
            js_pattern(p)
        ),
        ("today", [])
        | ("age" | "len" | "sum" | "count" | "answered" | "year" | "weekday" | "unique", [_])
        | ("round" | "days_between" | "contains", [_, _])
        | ("add_days" | "add_months" | "add_years" | "years_between", [_, _])
        | ("min" | "max", _) => format!("B.fn.{}({})", c.name, args()),
        _ => "null".into(),
    }
}

/// The pattern of `matches`, translated for `RegExp` once here rather than in every browser.
/// `null` when it is outside the dialect (it then matches nothing, as on the server) or not
/// written out (which the checker refuses, so no built form has one).
fn js_pattern(p: &Expr) -> String {
    p.as_text()
        .and_then(|text| pattern::translate(text).ok())
        .map_or_else(|| "null".into(), |t| string(&t.js))
}
