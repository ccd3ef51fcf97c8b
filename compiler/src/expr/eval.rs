//! The one evaluator of expressions. The server's validation and `blankett test` use it; the
//! JavaScript backend must give the same results, so the rules are spelled out here.
//!
//! # Semantics
//!
//! * **Null.** An unanswered or hidden field is [`Value::Null`].
//! * **Conditions.** A value counts as true only if it is `true` ([`Value::truthy`]); `null`
//!   is false. `not x` is `true` exactly when `x` is not true, so `not null` is `true`.
//!   `a and b`, `a or b` evaluate `b` only when needed and always give `true` or `false`.
//! * **Comparisons** (`== != < <= > >= in`) with `null` on either side are `false`, `!=`
//!   included: `null != "x"` is false. To test for absence write `not answered(x)`.
//!   Otherwise `==` is equality of kind and content (numbers exactly, texts exactly,
//!   case-sensitive); `!=` is its negation. `< <= > >=` order numbers, dates, and texts by
//!   UTF-16 code units (as JavaScript does); other pairs are `false`.
//!   `x in xs` is `true` when `xs` is a list with an item equal to `x` (`null` items never are).
//! * **Arithmetic** with `null` is `null`. `+` adds numbers or joins texts; `- * /` take
//!   numbers; division by zero is `null`; a result that is not finite is `null`. Mixed kinds
//!   give `null`.
//! * **Functions** are documented on [`call`]. A call of a function that does not exist, or
//!   with the wrong number of arguments, is `null` (the checker refuses both).
//!
//! Evaluation never panics and never fails: whatever the answers, it gives a value.
//!
//! The browser's copy of these rules is `B` in `backend/js/blankett.js`, ported line by line;
//! `tests/js_differential.rs` runs both over thousands of random expressions and answers and
//! requires the same value from each. Change both, or that test fails.

use super::ast::{BinOp, Call, Expr, ExprKind, Ref, UnOp};
use super::dates;
use super::pnr;
use super::value::Value;
use chrono::{Datelike, NaiveDate};
use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;

/// The answers an expression is evaluated over.
pub trait ValueEnv {
    /// The value of a reference (use [`Ref::resolved`]); `Null` when unanswered or hidden.
    /// A reference through `[*]` is a list with one item per row.
    fn get(&self, r: &Ref) -> Value;
    /// The date `today()` is: the server's date in Sweden, or a fixed date in tests.
    fn today(&self) -> NaiveDate;
}

/// Evaluates `expr` over `env`. See the module documentation for the rules.
pub fn eval(expr: &Expr, env: &dyn ValueEnv) -> Value {
    match &expr.kind {
        ExprKind::Number(n) => Value::number(*n),
        ExprKind::Text(s) => Value::Text(s.clone()),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::List(items) => Value::List(items.iter().map(|e| eval(e, env)).collect()),
        ExprKind::Ref(r) => env.get(r).sanitized(),
        ExprKind::Unary(UnOp::Not, x) => Value::Bool(!eval(x, env).truthy()),
        ExprKind::Unary(UnOp::Neg, x) => match eval(x, env) {
            Value::Number(n) => Value::number(-n),
            _ => Value::Null,
        },
        ExprKind::Binary(BinOp::And, l, r) => {
            Value::Bool(eval(l, env).truthy() && eval(r, env).truthy())
        }
        ExprKind::Binary(BinOp::Or, l, r) => {
            Value::Bool(eval(l, env).truthy() || eval(r, env).truthy())
        }
        ExprKind::Binary(op, l, r) => binary(*op, eval(l, env), eval(r, env)),
        ExprKind::Call(c) => call(c, env),
    }
}

/// `Some(equal)` for two values that are not null, `None` otherwise.
fn equal(a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() {
        None
    } else {
        Some(a == b)
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.partial_cmp(y),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
        _ => None,
    }
}

fn binary(op: BinOp, a: Value, b: Value) -> Value {
    let ordered = |want: fn(Ordering) -> bool| Value::Bool(order(&a, &b).is_some_and(want));
    match op {
        BinOp::Eq => Value::Bool(equal(&a, &b) == Some(true)),
        BinOp::Ne => Value::Bool(equal(&a, &b) == Some(false)),
        BinOp::Lt => ordered(Ordering::is_lt),
        BinOp::Le => ordered(Ordering::is_le),
        BinOp::Gt => ordered(Ordering::is_gt),
        BinOp::Ge => ordered(Ordering::is_ge),
        BinOp::In => Value::Bool(holds(&b, &a)),
        BinOp::Add => match (a, b) {
            (Value::Number(x), Value::Number(y)) => Value::number(x + y),
            (Value::Text(x), Value::Text(y)) => Value::Text(x + &y),
            _ => Value::Null,
        },
        BinOp::Sub | BinOp::Mul | BinOp::Div => match (a, b) {
            (Value::Number(_), Value::Number(y)) if op == BinOp::Div && y == 0.0 => Value::Null,
            (Value::Number(x), Value::Number(y)) => Value::number(match op {
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                _ => x / y,
            }),
            _ => Value::Null,
        },
        // `eval` short-circuits these before both sides exist; this is the same rule.
        BinOp::And => Value::Bool(a.truthy() && b.truthy()),
        BinOp::Or => Value::Bool(a.truthy() || b.truthy()),
    }
}

/// Whether `list` is a list with an item equal to `x`; `false` for a null `x` or a non-list.
fn holds(list: &Value, x: &Value) -> bool {
    match list {
        Value::List(items) => items.iter().any(|i| equal(i, x) == Some(true)),
        _ => false,
    }
}

/// The functions, by name:
///
/// * `today()`: [`ValueEnv::today`].
/// * `age(pnr)`: whole years today of the person with this personnummer or samordningsnummer
///   (10 or 12 digits, with or without `-`/`+`, check digit verified; a `+` in a 10-digit
///   number means 100 or older; a samordningsnummer's day is 60 more). `null` if it is not one.
/// * `len(x)`: characters (Unicode code points, not UTF-16 units) of a text, items of a list;
///   `len(null)` is 0.
/// * `sum(xs)`: the numbers of a list added, other items (nulls) skipped; `sum(null)` is 0.
/// * `count(xs)`: the items of a list, nulls included; `count(null)` is 0.
/// * `min(…)`, `max(…)`: of one list's items or of several arguments, nulls skipped; all
///   numbers or all dates, else `null`; `null` when nothing is left.
/// * `round(x, n)`: see [`round_decimal`]; `n` a whole number from -15 to 15, else `null`.
/// * `answered(x)`: [`Value::is_answered`].
/// * `matches(x, p)`: whether the whole text `x` matches the pattern `p`, i.e. `^(?:p)$`;
///   `false` when `x` is not a text. Patterns are the portable dialect of [`super::pattern`]:
///   `\d`, `\w`, `\s`, `\b` are ASCII-only, `.` is anything but a line feed.
/// * `days_between(a, b)`: days from date `a` to date `b`, negative if `b` is earlier.
/// * `contains(xs, x)`: whether list `xs` holds `x` (as `x in xs`), or text `xs` contains
///   text `x`; `false` when either is null.
/// * `if(c, a, b)`: `a` when `c` is true, else `b`; only the chosen one is evaluated.
/// * `year(d)`: the year of a date.
/// * `add_days(d, n)`, `add_months(d, n)`, `add_years(d, n)`: see [`super::dates`]; `n` a
///   whole number under a billion in size, else `null`, as is a date outside the calendar.
/// * `years_between(a, b)`: whole years from `a` to `b`, negative if `b` is earlier.
/// * `weekday(d)`: 1 for Monday to 7 for Sunday.
/// * `unique(xs)`: whether no two answered items (see [`Value::is_answered`]) of list `xs`
///   are equal; `true` for `null`, `null` for anything else.
pub fn call(c: &Call, env: &dyn ValueEnv) -> Value {
    if c.name == "if" {
        return match c.args.as_slice() {
            [cond, a, b] => eval(if eval(cond, env).truthy() { a } else { b }, env),
            _ => Value::Null,
        };
    }
    let args: Vec<Value> = c.args.iter().map(|e| eval(e, env)).collect();
    match (c.name.as_str(), args.as_slice()) {
        ("today", []) => Value::Date(env.today()),
        ("age", [Value::Text(p)]) => pnr::birth_date(p, env.today())
            .and_then(|born| pnr::age_on(born, env.today()))
            .map_or(Value::Null, |years| Value::Number(f64::from(years))),
        ("len", [Value::Text(s)]) => Value::Number(s.chars().count() as f64),
        ("len" | "count", [Value::List(items)]) => Value::Number(items.len() as f64),
        ("len" | "count" | "sum", [Value::Null]) => Value::Number(0.0),
        ("sum", [Value::List(items)]) => Value::number(numbers(items).sum()),
        ("min", _) => extreme(&args, Ordering::Less),
        ("max", _) => extreme(&args, Ordering::Greater),
        ("round", [Value::Number(x), Value::Number(n)]) => {
            if n.fract() == 0.0 && n.abs() <= 15.0 {
                round_decimal(*x, *n as i32)
            } else {
                Value::Null
            }
        }
        ("answered", [x]) => Value::Bool(x.is_answered()),
        ("matches", [Value::Text(x), Value::Text(p)]) => Value::Bool(whole_match(x, p)),
        ("matches", [_, _]) => Value::Bool(false),
        ("days_between", [Value::Date(a), Value::Date(b)]) => {
            Value::Number(b.signed_duration_since(*a).num_days() as f64)
        }
        ("contains", [Value::Text(s), Value::Text(part)]) => Value::Bool(s.contains(part.as_str())),
        ("contains", [xs, x]) => Value::Bool(holds(xs, x)),
        ("year", [Value::Date(d)]) => Value::Number(f64::from(d.year())),
        ("add_days", [Value::Date(d), Value::Number(n)]) => date_or_null(dates::add_days(*d, *n)),
        ("add_months", [Value::Date(d), Value::Number(n)]) => {
            date_or_null(dates::add_months(*d, *n))
        }
        ("add_years", [Value::Date(d), Value::Number(n)]) => date_or_null(dates::add_years(*d, *n)),
        ("years_between", [Value::Date(a), Value::Date(b)]) => {
            Value::Number(f64::from(dates::years_between(*a, *b)))
        }
        ("weekday", [Value::Date(d)]) => Value::Number(f64::from(d.weekday().number_from_monday())),
        ("unique", [Value::List(items)]) => Value::Bool(unique(items)),
        ("unique", [Value::Null]) => Value::Bool(true),
        _ => Value::Null,
    }
}

fn date_or_null(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, Value::Date)
}

/// No two answered items equal. Quadratic, as in the browser: a table has tens of rows.
fn unique(items: &[Value]) -> bool {
    let answered: Vec<&Value> = items.iter().filter(|v| v.is_answered()).collect();
    answered
        .iter()
        .enumerate()
        .all(|(i, a)| answered[i + 1..].iter().all(|b| equal(a, b) != Some(true)))
}

fn numbers(items: &[Value]) -> impl Iterator<Item = f64> + '_ {
    items.iter().filter_map(|v| match v {
        Value::Number(n) => Some(*n),
        _ => None,
    })
}

/// `min`/`max`: `want` is the ordering the kept item has to each other one.
fn extreme(args: &[Value], want: Ordering) -> Value {
    let items: Vec<&Value> = match args {
        [Value::List(items)] => items.iter().collect(),
        _ => args.iter().collect(),
    };
    let items: Vec<&Value> = items.into_iter().filter(|v| !v.is_null()).collect();
    let same_kind = items.iter().all(|v| matches!(v, Value::Number(_)))
        || items.iter().all(|v| matches!(v, Value::Date(_)));
    if !same_kind {
        return Value::Null;
    }
    let best = items.into_iter().reduce(|best, v| {
        if order(v, best) == Some(want) {
            v
        } else {
            best
        }
    });
    best.cloned().unwrap_or(Value::Null)
}

/// Rounds `x` to `n` decimals (`n` < 0: to tens, hundreds …), halves away from zero, on the
/// number's shortest decimal form: the digits Rust's `{:e}` and JavaScript's
/// `toExponential()` both print. So `round(1.005, 2)` is 1.01, as written, although the
/// double nearest 1.005 lies just below it. The result is the double nearest the rounded
/// decimal.
pub fn round_decimal(x: f64, n: i32) -> Value {
    if !x.is_finite() {
        return Value::Null;
    }
    if x == 0.0 {
        return Value::Number(0.0);
    }
    let sci = format!("{:e}", x.abs());
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return Value::Null;
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return Value::Null;
    };
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // Digits kept: those before the decimal point (exp + 1) and n after it.
    let keep = exp + 1 + n;
    if keep >= digits.len() as i32 {
        return Value::Number(x);
    }
    if keep < 0 {
        return Value::Number(0.0);
    }
    let keep = keep as usize;
    let mut kept: u64 = digits[..keep]
        .iter()
        .fold(0, |acc, d| acc * 10 + u64::from(*d));
    if digits[keep] >= 5 {
        kept += 1;
    }
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{kept}e{}", -n)
        .parse::<f64>()
        .map_or(Value::Null, Value::number)
}

thread_local! {
    /// Compiled patterns: a form has few, and each is used on every evaluation.
    static PATTERNS: RefCell<HashMap<String, Option<regex::Regex>>> = RefCell::new(HashMap::new());
}

/// Whether the whole of `text` matches `pattern`, read as the dialect of [`super::pattern`]
/// (which the browser reads alike); a pattern outside it matches nothing.
fn whole_match(text: &str, pattern: &str) -> bool {
    try_whole_match(text, pattern).unwrap_or(false)
}

/// Whether the whole of `text` matches `pattern`, the pattern compiled once per thread;
/// `None` when it does not compile.
pub(crate) fn try_whole_match(text: &str, pattern: &str) -> Option<bool> {
    PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Looked up by `&str` first: a hit, the common case, allocates nothing.
        if let Some(re) = cache.get(pattern) {
            return re.as_ref().map(|re| re.is_match(text));
        }
        if cache.len() > 256 {
            cache.clear();
        }
        let compiled = super::pattern::translate(pattern)
            .ok()
            .and_then(|t| regex::Regex::new(&t.rust).ok());
        cache
            .entry(pattern.to_string())
            .or_insert(compiled)
            .as_ref()
            .map(|re| re.is_match(text))
    })
}
