//! The evaluator: operators, null semantics and every function.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod expr_support;

use blankett_compiler::expr::eval::round_decimal;
use blankett_compiler::expr::Value;
use expr_support::{date, eval_in, eval_str, Answers};
use std::collections::BTreeMap;

fn n(x: f64) -> Value {
    Value::Number(x)
}

fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn b(x: bool) -> Value {
    Value::Bool(x)
}

fn list(items: Vec<Value>) -> Value {
    Value::List(items)
}

fn answers() -> Answers {
    Answers::default()
        .with("antal", 3.0)
        .with("namn", "Anna")
        .with("tom", "")
        .with("godkand", true)
        .with("start", date(2026, 1, 1))
        .with("slut", date(2026, 3, 1))
        .with("alder", list(vec![n(4.0), Value::Null, n(11.0)]))
        .with(
            "fodd",
            list(vec![
                Value::Date(date(2019, 5, 1)),
                Value::Date(date(2015, 2, 1)),
            ]),
        )
        .with("tillval", list(vec![t("cykel"), t("laddning")]))
        .with("inga", list(vec![]))
        .with("pnr", "20000229-0005")
}

fn ev(text: &str) -> Value {
    eval_in(text, &answers())
}

#[test]
fn literals_and_arithmetic() {
    assert_eq!(eval_str("1 + 2 * 3"), n(7.0));
    assert_eq!(eval_str("(1 + 2) * 3"), n(9.0));
    assert_eq!(eval_str("10 - 4 - 3"), n(3.0));
    assert_eq!(eval_str("7 / 2"), n(3.5));
    assert_eq!(eval_str("-3 + 1"), n(-2.0));
    assert_eq!(eval_str("'a' + 'b'"), t("ab"));
    assert_eq!(eval_str("[1, 'x']"), list(vec![n(1.0), t("x")]));
    assert_eq!(
        eval_str("date('2026-01-31')"),
        Value::Date(date(2026, 1, 31))
    );
    assert_eq!(eval_str("1 / 0"), Value::Null);
    assert_eq!(eval_str("0 / 0"), Value::Null);
    // Overflow to infinity is null, never inf.
    let big = format!("{0} * {0}", "9".repeat(300));
    assert_eq!(eval_str(&big), Value::Null);
}

#[test]
fn comparisons() {
    assert_eq!(ev("antal == 3"), b(true));
    assert_eq!(ev("antal != 3"), b(false));
    assert_eq!(ev("antal > 2 and antal <= 3"), b(true));
    assert_eq!(ev("namn == 'Anna'"), b(true));
    assert_eq!(ev("namn == 'anna'"), b(false));
    assert_eq!(ev("start < slut"), b(true));
    assert_eq!(ev("slut >= date('2026-03-01')"), b(true));
    assert_eq!(ev("'Zebra' < 'apa'"), b(true));
    assert_eq!(ev("'ö' > 'z'"), b(true));
    assert_eq!(ev("godkand == true"), b(true));
    assert_eq!(ev("antal in [1, 2, 3]"), b(true));
    assert_eq!(ev("'bil' in tillval"), b(false));
    assert_eq!(ev("'cykel' in tillval"), b(true));
    // Different kinds are never equal.
    assert_eq!(ev("antal == '3'"), b(false));
    assert_eq!(ev("antal != '3'"), b(true));
    assert_eq!(
        ev("0.1 + 0.2 == 0.3"),
        b(false),
        "numbers compare exactly, as in JavaScript"
    );
}

#[test]
fn null_semantics() {
    // `saknas` is not answered.
    assert_eq!(ev("saknas"), Value::Null);
    assert_eq!(ev("saknas == 'x'"), b(false));
    assert_eq!(ev("saknas != 'x'"), b(false), "!= with null is false too");
    assert_eq!(ev("saknas < 1"), b(false));
    assert_eq!(ev("saknas >= 1"), b(false));
    assert_eq!(ev("saknas == saknas"), b(false));
    assert_eq!(ev("saknas in [1]"), b(false));
    assert_eq!(ev("1 in saknas"), b(false));
    assert_eq!(ev("saknas + 1"), Value::Null);
    assert_eq!(ev("'a' + saknas"), Value::Null);
    assert_eq!(ev("-saknas"), Value::Null);
    assert_eq!(ev("saknas * 0"), Value::Null);
    assert_eq!(ev("not saknas"), b(true));
    assert_eq!(ev("not answered(saknas)"), b(true));
    assert_eq!(ev("saknas and true"), b(false));
    assert_eq!(ev("saknas or true"), b(true));
    assert_eq!(ev("saknas or saknas"), b(false));
    assert!(!ev("saknas").truthy());
    assert!(!Value::Number(1.0).truthy());
    assert!(Value::Bool(true).truthy());
}

#[test]
fn and_or_short_circuit() {
    // The right side would be null arithmetic; it is never looked at.
    assert_eq!(ev("false and 1 / 0 == 1"), b(false));
    assert_eq!(ev("true or saknas"), b(true));
    // `if` evaluates only the chosen branch.
    assert_eq!(ev("if(godkand, 'ja', 1 / 0)"), t("ja"));
    assert_eq!(ev("if(saknas, 1, 2)"), n(2.0));
}

#[test]
fn functions() {
    let cases: Vec<(&str, Value)> = vec![
        ("today()", Value::Date(date(2026, 3, 15))),
        ("len(namn)", n(4.0)),
        ("len('åäö')", n(3.0)),
        ("len(tillval)", n(2.0)),
        ("len(saknas)", n(0.0)),
        ("sum(alder)", n(15.0)),
        ("sum(inga)", n(0.0)),
        ("sum(saknas)", n(0.0)),
        ("count(alder)", n(3.0)),
        ("count(saknas)", n(0.0)),
        ("min(alder)", n(4.0)),
        ("max(alder)", n(11.0)),
        ("min(3, saknas, 1, 2)", n(1.0)),
        ("max(fodd)", Value::Date(date(2019, 5, 1))),
        ("min(start, slut)", Value::Date(date(2026, 1, 1))),
        ("min(inga)", Value::Null),
        ("max(saknas, saknas)", Value::Null),
        ("round(2.5, 0)", n(3.0)),
        ("round(-2.5, 0)", n(-3.0)),
        ("round(1.005, 2)", n(1.01)),
        ("round(2.675, 2)", n(2.68)),
        ("round(1234.5, -2)", n(1200.0)),
        ("round(0.04, 1)", n(0.0)),
        ("round(1.5, 0.5)", Value::Null),
        ("round(saknas, 2)", Value::Null),
        ("answered(namn)", b(true)),
        ("answered(tom)", b(false)),
        ("answered(inga)", b(false)),
        ("answered(saknas)", b(false)),
        ("answered(0)", b(true)),
        ("matches('123 45', '[0-9]{3} ?[0-9]{2}')", b(true)),
        ("matches('123 456', '[0-9]{3} ?[0-9]{2}')", b(false)),
        ("matches('x123', '[0-9]+')", b(false)),
        (r"matches('123', '\d+')", b(true)),
        ("matches(saknas, '.*')", b(false)),
        ("matches('a', '[')", b(false)),
        ("days_between(start, slut)", n(59.0)),
        ("days_between(slut, start)", n(-59.0)),
        ("days_between(start, saknas)", Value::Null),
        ("contains(tillval, 'cykel')", b(true)),
        ("contains(tillval, saknas)", b(false)),
        ("contains(namn, 'nn')", b(true)),
        ("contains(saknas, 'a')", b(false)),
        ("if(antal > 2, 'många', 'få')", t("många")),
        ("year(slut)", n(2026.0)),
        ("year(saknas)", Value::Null),
        ("age(pnr)", n(26.0)),
        ("age(saknas)", Value::Null),
        ("age('inte ett nummer')", Value::Null),
    ];
    for (text, want) in cases {
        assert_eq!(ev(text), want, "{text}");
    }
}

#[test]
fn age_forms() {
    // Today is 2026-03-15 in the test answers.
    let age = |pnr: &str| eval_in("age(p)", &Answers::default().with("p", pnr));
    assert_eq!(age("811218-9876"), n(44.0));
    assert_eq!(age("8112189876"), n(44.0));
    assert_eq!(age("198112189876"), n(44.0));
    assert_eq!(age("19811218-9876"), n(44.0));
    assert_eq!(age(" 811218-9876 "), n(44.0));
    assert_eq!(
        age("811218+9876"),
        n(144.0),
        "`+` means a hundred years more"
    );
    assert_eq!(age("811278-9873"), n(44.0), "samordningsnummer: day + 60");
    assert_eq!(age("811218-9875"), Value::Null, "wrong check digit");
    assert_eq!(age("811318-9876"), Value::Null, "month 13");
    assert_eq!(age("21011218-9876"), Value::Null, "not born yet");
    assert_eq!(age("811218-98"), Value::Null);
    assert_eq!(age(""), Value::Null);
    // Born 2000-02-29: on 2026-03-15 the birthday has passed.
    assert_eq!(age("000229-0005"), n(26.0));
}

#[test]
fn rounding_is_decimal() {
    for (x, d, want) in [
        (0.125, 2, 0.13),
        (-0.125, 2, -0.13),
        (1e20, 2, 1e20),
        (0.5, 0, 1.0),
        (9.995, 2, 10.0),
        (5e-324, 2, 0.0),
    ] {
        assert_eq!(round_decimal(x, d), n(want), "round({x}, {d})");
    }
    assert_eq!(round_decimal(f64::NAN, 2), Value::Null);
}

#[test]
fn answers_that_are_not_numbers_become_null() {
    let a = Answers::default().with("x", Value::Number(f64::NAN)).with(
        "rad",
        Value::Row(BTreeMap::from([(
            "y".to_string(),
            Value::Number(f64::INFINITY),
        )])),
    );
    assert_eq!(eval_in("x", &a), Value::Null);
    assert_eq!(eval_in("x + 1", &a), Value::Null);
    assert_eq!(
        eval_in("rad", &a),
        Value::Row(BTreeMap::from([("y".to_string(), Value::Null)]))
    );
}

#[test]
fn wrong_calls_are_null_not_panics() {
    for text in [
        "nofunc(1)",
        "round(1)",
        "today(1)",
        "if(true, 1)",
        "len(1)",
        "sum(1)",
        "year(1)",
        "age(1)",
    ] {
        assert_eq!(ev(text), Value::Null, "{text}");
    }
}

#[test]
fn values_serialize() {
    let v = list(vec![
        Value::Null,
        n(1.5),
        t("x"),
        Value::Date(date(2026, 1, 2)),
        Value::Position {
            lat: 58.1,
            lon: 11.8,
        },
        Value::File {
            name: "foto.jpg".into(),
            size: 12,
            mime: "image/jpeg".into(),
        },
    ]);
    let json = serde_json::to_string(&v).expect("serializes");
    assert_eq!(
        serde_json::from_str::<Value>(&json).expect("deserializes"),
        v
    );
}
