//! Helpers shared by the expression tests: parsing at a known place, a field table for the
//! checker, answers for the evaluator.
#![allow(dead_code)]

use blankett_compiler::diagnostic::{closest, Diagnostic};
use blankett_compiler::expr::{
    check, eval, parse, Expr, ExprKind, Lookup, LookupError, Ref, Type, TypeEnv, Value, ValueEnv,
};
use blankett_compiler::source::{FileId, Span};
use chrono::NaiveDate;
use std::collections::BTreeMap;

pub fn at(text: &str) -> Span {
    Span::new(FileId(0), 0, text.len())
}

pub fn parse_ok(text: &str) -> Expr {
    match parse(text, at(text)) {
        Ok(e) => e,
        Err(d) => panic!("{text:?} should parse: {d:?}"),
    }
}

pub fn parse_err(text: &str) -> Diagnostic {
    match parse(text, at(text)) {
        Ok(e) => panic!("{text:?} should not parse, got {e}"),
        Err(d) => d,
    }
}

/// The tree without its places, for comparing trees parsed from different texts.
pub fn strip(e: &mut Expr) {
    e.span = Span::default();
    match &mut e.kind {
        ExprKind::List(items) => items.iter_mut().for_each(strip),
        ExprKind::Ref(r) => r.segments.iter_mut().for_each(|s| s.span = Span::default()),
        ExprKind::Unary(_, x) => strip(x),
        ExprKind::Binary(_, l, r) => {
            strip(l);
            strip(r);
        }
        ExprKind::Call(c) => {
            c.name_span = Span::default();
            c.args.iter_mut().for_each(strip);
        }
        ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Date(_) => {}
    }
}

pub fn stripped(mut e: Expr) -> Expr {
    strip(&mut e);
    e
}

/// A field table: path as written (`barn[*].alder`) → type and choices.
pub struct Fields(pub BTreeMap<String, (Type, Option<Vec<String>>)>);

impl TypeEnv for Fields {
    fn lookup(&self, r: &Ref) -> Result<Lookup, LookupError> {
        let path = r.to_string();
        if let Some((ty, choices)) = self.0.get(&path) {
            return Ok(Lookup {
                ty: ty.clone(),
                canonical: path.replace("[*]", ""),
                choices: choices.clone(),
            });
        }
        let group = format!("{path}.");
        if self
            .0
            .keys()
            .any(|k| k.replace("[*]", "").starts_with(&group.replace("[*]", "")))
        {
            return Err(LookupError::NotAValue {
                why: format!("`{path}` is a group of fields, not a field"),
            });
        }
        let suggestion = closest(&path, self.0.keys().map(String::as_str)).map(str::to_string);
        Err(LookupError::Unknown { suggestion })
    }
}

fn strings(xs: &[&str]) -> Option<Vec<String>> {
    Some(xs.iter().map(|s| s.to_string()).collect())
}

/// The fields the checker tests use.
pub fn fields() -> Fields {
    let mut m = BTreeMap::new();
    let mut add = |k: &str, t: Type, c: Option<Vec<String>>| {
        m.insert(k.to_string(), (t, c));
    };
    add(
        "kategori",
        Type::Text,
        strings(&["gata", "belysning", "annat"]),
    );
    add(
        "tillval",
        Type::list(Type::Text),
        strings(&["parkering", "cykel", "laddning"]),
    );
    add("antal", Type::Number, None);
    add("yta", Type::Number, None);
    add("namn", Type::Text, None);
    add("postnummer", Type::Text, None);
    add("startdatum", Type::Date, None);
    add("slutdatum", Type::Date, None);
    add("godkand", Type::Bool, None);
    add("sokande.personnummer", Type::Text, None);
    add("sokande.namn", Type::Text, None);
    add("sokande.adress.gata", Type::Text, None);
    add("barn", Type::list(Type::Row), None);
    add("barn[*].alder", Type::list(Type::Number), None);
    add("barn[*].namn", Type::list(Type::Text), None);
    add("barn[*].fodd", Type::list(Type::Date), None);
    add("plats", Type::Position, None);
    add("foto", Type::File, None);
    Fields(m)
}

/// Parses and checks; the expression must parse.
pub fn check_str(text: &str, expected: Option<&Type>) -> (Type, Vec<Diagnostic>, Expr) {
    let mut e = parse_ok(text);
    let mut diags = Vec::new();
    let ty = check(&mut e, &fields(), expected, &mut diags);
    (ty, diags, e)
}

/// Answers keyed by the reference as written; today is 2026-03-15.
#[derive(Default)]
pub struct Answers(pub BTreeMap<String, Value>);

impl Answers {
    pub fn with(mut self, path: &str, v: impl Into<Value>) -> Self {
        self.0.insert(path.to_string(), v.into());
        self
    }
}

impl ValueEnv for Answers {
    fn get(&self, r: &Ref) -> Value {
        self.0.get(&r.to_string()).cloned().unwrap_or(Value::Null)
    }
    fn today(&self) -> NaiveDate {
        date(2026, 3, 15)
    }
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a test date exists")
}

pub fn eval_in(text: &str, answers: &Answers) -> Value {
    eval(&parse_ok(text), answers)
}

pub fn eval_str(text: &str) -> Value {
    eval_in(text, &Answers::default())
}
