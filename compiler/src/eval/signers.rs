//! Who must sign one set of answers: the form's signers ([`crate::ir::Signer`]) whose `when`
//! holds, each personnummer their expression gives (a list gives one signer each), once per
//! person. The runtime asks exactly these before a submission is delivered.
//!
//! Signer expressions see the answers and the person who sends (`inloggad.personnummer`,
//! `inloggad.fornamn`, `inloggad.efternamn`): [`SignerEnv`] is where that context is built.

use super::Outcome;
use crate::expr::{self, Ref, Value, ValueEnv};
use crate::ir::{Form, Text};
use chrono::NaiveDate;

/// The name signer expressions call the person who sends.
pub const LOGGED_IN: &str = "inloggad";
/// What they may ask of that person.
pub const LOGGED_IN_FIELDS: &[&str] = &["personnummer", "fornamn", "efternamn"];

/// The person who sends, as signer expressions see them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoggedIn {
    /// 12 digits.
    pub personnummer: String,
    pub fornamn: String,
    pub efternamn: String,
}

impl LoggedIn {
    /// From a personnummer and a full name as an e-ID gives them ("Anna Maria Svensson": the
    /// last word is the family name).
    pub fn new(personnummer: &str, name: &str) -> Self {
        let name = name.trim();
        let (fornamn, efternamn) = name.rsplit_once(' ').unwrap_or((name, ""));
        LoggedIn {
            personnummer: digits(personnummer),
            fornamn: fornamn.to_string(),
            efternamn: efternamn.to_string(),
        }
    }

    fn get(&self, field: &str) -> &str {
        match field {
            "personnummer" => &self.personnummer,
            "fornamn" => &self.fornamn,
            "efternamn" => &self.efternamn,
            _ => "",
        }
    }
}

/// One person who must sign.
#[derive(Debug, Clone, PartialEq)]
pub struct DueSigner {
    pub role: String,
    pub label: Text,
    /// 12 digits.
    pub personnummer: String,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The values signer expressions are evaluated over: the outcome's (hidden fields are null)
/// and the person who sends.
pub struct SignerEnv<'a> {
    pub outcome: &'a Outcome,
    pub logged_in: &'a LoggedIn,
    pub today: NaiveDate,
}

impl ValueEnv for SignerEnv<'_> {
    fn get(&self, r: &Ref) -> Value {
        let Some(path) = &r.resolved else {
            return Value::Null;
        };
        if let Some(field) = path
            .strip_prefix(LOGGED_IN)
            .and_then(|p| p.strip_prefix('.'))
        {
            let v = self.logged_in.get(field);
            return if v.is_empty() {
                Value::Null
            } else {
                Value::Text(v.to_string())
            };
        }
        value_at(self.outcome, path)
    }
    fn today(&self) -> NaiveDate {
        self.today
    }
}

/// The value at a canonical path: `a[*].b` is the list over `a`'s rows.
fn value_at(outcome: &Outcome, path: &str) -> Value {
    match path.split_once("[*]") {
        None => outcome.values.get(path).cloned().unwrap_or(Value::Null),
        Some((repeat, rest)) => {
            let n = outcome.rows.get(repeat).copied().unwrap_or(0);
            Value::List(
                (0..n)
                    .map(|i| value_at(outcome, &format!("{repeat}[{i}]{rest}")))
                    .collect(),
            )
        }
    }
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// The texts of a value: one for a text, one per item for a list.
fn texts(v: Value) -> Vec<Option<String>> {
    let one = |v: Value| match v {
        Value::Text(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
        _ => None,
    };
    match v {
        Value::List(items) => items.into_iter().map(one).collect(),
        v => vec![one(v)],
    }
}

/// Everyone who must sign these answers, in the form's order, each person once (their first
/// role). A personnummer that is not answered, or not 12 digits, names nobody.
pub fn due(
    form: &Form,
    outcome: &Outcome,
    logged_in: &LoggedIn,
    today: NaiveDate,
) -> Vec<DueSigner> {
    let env = SignerEnv {
        outcome,
        logged_in,
        today,
    };
    let mut out: Vec<DueSigner> = Vec::new();
    for s in &form.signers {
        if let Some(w) = &s.when {
            if !expr::eval(w, &env).truthy() {
                continue;
            }
        }
        let pnrs = texts(expr::eval(&s.personnummer, &env));
        let list = pnrs.len();
        let aligned = |e: &Option<expr::Expr>, i: usize| -> Option<String> {
            let vs = texts(expr::eval(e.as_ref()?, &env));
            // A list beside a list of personnummer goes item by item; one value goes with all.
            if vs.len() == list {
                vs.into_iter().nth(i).flatten()
            } else if vs.len() == 1 {
                vs.into_iter().next().flatten()
            } else {
                None
            }
        };
        for (i, pnr) in pnrs.iter().enumerate() {
            let Some(pnr) = pnr.as_deref().map(digits).filter(|d| d.len() == 12) else {
                continue;
            };
            if out.iter().any(|d| d.personnummer == pnr) {
                continue;
            }
            out.push(DueSigner {
                role: s.role.clone(),
                label: s.label.clone(),
                personnummer: pnr,
                name: aligned(&s.name, i),
                email: aligned(&s.email, i),
            });
        }
    }
    out
}
