//! Properties: the parser never panics, printing is canonical (parse ∘ display = id), and
//! checking and evaluating whatever parses never panic either.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod expr_support;

use blankett_compiler::expr::{
    check, eval, parse, BinOp, Call, Expr, ExprKind, Ref, Segment, UnOp,
};
use blankett_compiler::source::Span;
use expr_support::{at, fields, stripped, Answers};
use proptest::prelude::*;

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "true", "false"];

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_filter("keywords are not ids", |s| !KEYWORDS.contains(&s.as_str()))
}

fn node(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0u32..100_000).prop_map(|n| node(ExprKind::Number(f64::from(n)))),
        (0.0f64..1e12).prop_map(|n| node(ExprKind::Number(n))),
        any::<String>().prop_map(|s| node(ExprKind::Text(s))),
        "[\"'\\\\a ]{0,6}".prop_map(|s| node(ExprKind::Text(s))),
        any::<bool>().prop_map(|b| node(ExprKind::Bool(b))),
        (1900i32..2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| {
            let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
            node(ExprKind::Date(date))
        }),
        prop::collection::vec((ident(), any::<bool>()), 1..4).prop_map(|segs| {
            let segments = segs
                .into_iter()
                .map(|(name, all)| Segment {
                    name,
                    span: Span::default(),
                    all,
                })
                .collect();
            node(ExprKind::Ref(Ref {
                segments,
                resolved: None,
            }))
        }),
    ]
}

fn binop() -> impl Strategy<Value = BinOp> {
    use BinOp::*;
    prop::sample::select(vec![
        Or, And, Eq, Ne, Lt, Le, Gt, Ge, In, Add, Sub, Mul, Div,
    ])
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| node(ExprKind::List(items))),
            (
                prop::sample::select(vec![UnOp::Not, UnOp::Neg]),
                inner.clone()
            )
                .prop_map(|(op, x)| node(ExprKind::Unary(op, Box::new(x)))),
            (binop(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| node(ExprKind::Binary(
                op,
                Box::new(l),
                Box::new(r)
            ))),
            // `date(…)` is a literal, not a call.
            (
                ident().prop_filter("date is a literal", |n| n != "date"),
                prop::collection::vec(inner, 0..4)
            )
                .prop_map(|(name, args)| node(ExprKind::Call(Call {
                    name,
                    name_span: Span::default(),
                    args
                }))),
        ]
    })
}

/// Text made mostly of the language's own characters, so that it gets far into the grammar.
fn near_miss() -> impl Strategy<Value = String> {
    "([a-z_]{1,4}|[0-9.]{1,3}|[ ()\\[\\],.*+/<>=!&|-]|\"[a-z\\\\]{0,3}\"?|'|\\[\\*\\]|and|or|not|in|true|date\\(){0,14}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parse_never_panics(text in any::<String>()) {
        let _ = parse(&text, at(&text));
    }

    #[test]
    fn near_misses_never_panic_anywhere(text in near_miss()) {
        match parse(&text, at(&text)) {
            Ok(mut e) => {
                let mut diags = Vec::new();
                let _ = check(&mut e, &fields(), None, &mut diags);
                let _ = eval(&e, &Answers::default());
                // Whatever parses prints canonically and reads back the same.
                let printed = e.to_string();
                let again = parse(&printed, at(&printed));
                prop_assert!(again.is_ok(), "{text:?} printed as {printed:?} does not parse");
            }
            Err(d) => {
                let label = d.primary.expect("syntax errors have a place");
                prop_assert!(label.span.end as usize <= text.len());
                prop_assert_eq!(d.message.to_lowercase(), d.message);
                prop_assert!(d.help.is_some());
            }
        }
    }

    #[test]
    fn display_is_canonical(e in expr()) {
        let printed = e.to_string();
        let parsed = parse(&printed, at(&printed));
        prop_assert!(parsed.is_ok(), "{printed:?}: {parsed:?}");
        if let Ok(p) = parsed {
            prop_assert_eq!(p.to_string(), printed.clone());
            prop_assert_eq!(stripped(p), e, "{}", printed);
        }
    }

    #[test]
    fn generated_trees_check_and_evaluate(mut e in expr()) {
        let mut diags = Vec::new();
        let _ = check(&mut e, &fields(), None, &mut diags);
        let _ = eval(&e, &Answers::default());
    }
}
