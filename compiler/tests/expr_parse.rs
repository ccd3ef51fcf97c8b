//! The expression parser: literals, references, precedence, canonical printing, and every
//! kind of syntax error with its exact place.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod expr_support;

use blankett_compiler::diagnostic::{position, Code, Diagnostic};
use blankett_compiler::expr::{parse, BinOp, Expr, ExprKind, UnOp};
use blankett_compiler::source::{FileId, SourceMap, Span};
use expr_support::{date, parse_err, parse_ok, stripped};

/// Fully parenthesised prefix form: shows the tree's shape independent of `Display`.
fn shape(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Text(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Date(d) => d.to_string(),
        ExprKind::List(items) => format!(
            "[{}]",
            items.iter().map(shape).collect::<Vec<_>>().join(" ")
        ),
        ExprKind::Ref(r) => r.to_string(),
        ExprKind::Unary(UnOp::Not, x) => format!("(not {})", shape(x)),
        ExprKind::Unary(UnOp::Neg, x) => format!("(neg {})", shape(x)),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", op.symbol(), shape(l), shape(r)),
        ExprKind::Call(c) => format!(
            "({}{})",
            c.name,
            c.args
                .iter()
                .map(|a| format!(" {}", shape(a)))
                .collect::<String>()
        ),
    }
}

#[test]
fn literals() {
    assert_eq!(parse_ok("12").kind, ExprKind::Number(12.0));
    assert_eq!(parse_ok("3.5").kind, ExprKind::Number(3.5));
    assert_eq!(parse_ok("true").kind, ExprKind::Bool(true));
    assert_eq!(parse_ok("false").kind, ExprKind::Bool(false));
    assert_eq!(
        parse_ok(r#""a\"b\\c""#).kind,
        ExprKind::Text(r#"a"b\c"#.into())
    );
    assert_eq!(parse_ok(r"'it\'s'").kind, ExprKind::Text("it's".into()));
    assert_eq!(
        parse_ok(r#"'say "hej"'"#).kind,
        ExprKind::Text(r#"say "hej""#.into())
    );
    // A backslash before anything else stays, so patterns read as written.
    assert_eq!(parse_ok(r#""^\d+$""#).kind, ExprKind::Text(r"^\d+$".into()));
    assert_eq!(parse_ok(r#""åäö""#).kind, ExprKind::Text("åäö".into()));
    assert_eq!(
        parse_ok(r#"date("2026-01-31")"#).kind,
        ExprKind::Date(date(2026, 1, 31))
    );
    assert_eq!(
        parse_ok(r#"date('2024-02-29')"#).kind,
        ExprKind::Date(date(2024, 2, 29))
    );
    assert_eq!(shape(&parse_ok(r#"[1, "a", [true]]"#)), r#"[1 "a" [true]]"#);
    assert_eq!(parse_ok("[]").kind, ExprKind::List(vec![]));
}

#[test]
fn references_and_their_segments() {
    let e = parse_ok("barn[*].alder");
    let ExprKind::Ref(r) = &e.kind else {
        panic!("not a reference: {e:?}")
    };
    assert_eq!(r.resolved, None);
    let names: Vec<(&str, bool, u32, u32)> = r
        .segments
        .iter()
        .map(|s| (s.name.as_str(), s.all, s.span.start, s.span.end))
        .collect();
    assert_eq!(names, [("barn", true, 0, 4), ("alder", false, 8, 13)]);

    let e = parse_ok("sokande.adress.gata");
    let ExprKind::Ref(r) = &e.kind else { panic!() };
    assert_eq!(r.segments.len(), 3);
    assert_eq!(r.to_string(), "sokande.adress.gata");
    assert_eq!(parse_ok("barn[*]").to_string(), "barn[*]");
    // `date` is a function only when called.
    assert!(matches!(parse_ok("date").kind, ExprKind::Ref(_)));
}

#[test]
fn keywords_are_not_ids() {
    for kw in ["and", "or", "not", "in"] {
        assert_eq!(parse_err(kw).code, Code::ExpressionSyntax, "{kw}");
    }
    for id in [
        "android",
        "order",
        "notes",
        "inkomst",
        "true_value",
        "falsk",
        "_x",
    ] {
        assert!(matches!(parse_ok(id).kind, ExprKind::Ref(_)), "{id}");
    }
    assert_eq!(shape(&parse_ok("notes and nota")), "(and notes nota)");
}

#[test]
fn precedence_and_associativity() {
    let cases = [
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a or b or c", "(or (or a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not a == b", "(not (== a b))"),
        ("not not a", "(not (not a))"),
        ("a == b + 1", "(== a (+ b 1))"),
        ("a + b * c", "(+ a (* b c))"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a / b / c", "(/ (/ a b) c)"),
        ("-a * b", "(* (neg a) b)"),
        ("--a", "(neg (neg a))"),
        ("a - -1", "(- a (neg 1))"),
        ("(a or b) and c", "(and (or a b) c)"),
        ("(a == b) == c", "(== (== a b) c)"),
        ("x in [1, 2] or y", "(or (in x [1 2]) y)"),
        ("a <= b and c >= d", "(and (<= a b) (>= c d))"),
        ("a != b", "(!= a b)"),
        ("f(a, b + 1) * 2", "(* (f a (+ b 1)) 2)"),
        ("today()", "(today)"),
        ("-(a + b)", "(neg (+ a b))"),
    ];
    for (text, want) in cases {
        assert_eq!(shape(&parse_ok(text)), want, "{text}");
    }
}

#[test]
fn whitespace_is_free_between_tokens() {
    assert_eq!(
        shape(&parse_ok(" a==1\n and\tb<2 ")),
        "(and (== a 1) (< b 2))"
    );
    assert_eq!(shape(&parse_ok("f( a ,b )")), "(f a b)");
}

#[test]
fn canonical_display_round_trips() {
    let cases = [
        ("a  ==  'x'", r#"a == "x""#),
        ("(a or b) and not c", "(a or b) and not c"),
        ("a or (b or c)", "a or (b or c)"),
        ("(a or b) or c", "a or b or c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(a - b) - c", "a - b - c"),
        ("-(a + b)", "-(a + b)"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) == b", "(not a) == b"),
        ("(a == b) != c", "(a == b) != c"),
        ("x in ['a','b']", r#"x in ["a", "b"]"#),
        (r#"date("2026-01-31") < d"#, r#"date("2026-01-31") < d"#),
        (
            "sum(barn[*].alder) / count(barn)",
            "sum(barn[*].alder) / count(barn)",
        ),
        (r#"'say "hi" \\ bye'"#, r#""say \"hi\" \\ bye""#),
        ("3.50", "3.5"),
        ("007", "7"),
    ];
    for (text, canonical) in cases {
        let e = parse_ok(text);
        assert_eq!(e.to_string(), canonical, "{text}");
        assert_eq!(stripped(parse_ok(canonical)), stripped(e), "{text}");
    }
}

#[test]
fn spans_are_places_in_the_file() {
    let text = "antal + 1 > 3";
    let at = Span::new(FileId(2), 100, 100 + text.len());
    let e = parse(text, at).expect("parses");
    assert_eq!(e.span, Span::new(FileId(2), 100, 113));
    let ExprKind::Binary(BinOp::Gt, l, r) = &e.kind else {
        panic!()
    };
    assert_eq!((l.span.start, l.span.end), (100, 109));
    assert_eq!((r.span.start, r.span.end), (112, 113));
    let ExprKind::Binary(BinOp::Add, a, one) = &l.kind else {
        panic!()
    };
    assert_eq!((a.span.start, a.span.end, one.span.start), (100, 105, 108));

    // Parentheses are not part of the inner expression; a call spans name to `)`.
    let e = parse_ok("(a) and f(b)");
    let ExprKind::Binary(_, l, r) = &e.kind else {
        panic!()
    };
    assert_eq!((l.span.start, l.span.end), (1, 2));
    assert_eq!((r.span.start, r.span.end), (8, 12));
    let ExprKind::Call(c) = &r.kind else { panic!() };
    assert_eq!((c.name_span.start, c.name_span.end), (8, 9));
    let e = parse_ok("not -x");
    assert_eq!((e.span.start, e.span.end), (0, 6));
}

#[test]
fn refs_lists_every_reference() {
    let e = parse_ok(r#"if(a > 1, [b, c.d], sum(e[*].f)) == g"#);
    let refs: Vec<String> = e.refs().iter().map(|r| r.to_string()).collect();
    assert_eq!(refs, ["a", "b", "c.d", "e[*].f", "g"]);
    assert!(parse_ok("1 + 2").refs().is_empty());
}

#[test]
fn serde_round_trip() {
    let e = parse_ok(
        r#"kategori in ["a", "b"] and date("2026-01-31") < d and -x * 2 >= sum(barn[*].y)"#,
    );
    let json = serde_json::to_string(&e).expect("serializes");
    let back: Expr = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, e);
}

/// Places `expr` in a YAML file as line 3, column 17 on, and returns the error with its
/// (line, column, end column).
fn error_in_yaml(expr: &str) -> (Diagnostic, (usize, usize, usize)) {
    let yaml = format!("form: test\npages:\n  - visible_if: {expr}\n");
    let mut sources = SourceMap::new();
    let file = sources.add("test.form.yaml", "test.form.yaml".into(), yaml.clone());
    let start = yaml.find("visible_if: ").expect("present") + "visible_if: ".len();
    let d = parse(expr, Span::new(file, start, start + expr.len())).expect_err("must not parse");
    let label = d.primary.as_ref().expect("has a place");
    let p = position(&sources, label.span);
    assert_eq!(p.line, 3, "{expr}: {d:?}");
    assert_eq!(p.end_line, 3, "{expr}: {d:?}");
    (d.clone(), (p.line, p.column, p.end_column))
}

/// Asserts the message, the 1-based columns (within the expression) of the primary label,
/// and a fragment of the help.
fn syntax(expr: &str, message: &str, cols: (usize, usize), help: &str) {
    let (d, (_, col, end)) = error_in_yaml(expr);
    assert_eq!(d.code, Code::ExpressionSyntax, "{expr}: {d:?}");
    assert_eq!(d.message, message, "{expr}");
    assert_eq!((col - 16, end - 16), cols, "{expr}: {d:?}");
    let h = d.help.unwrap_or_default();
    assert!(h.contains(help), "{expr}: help {h:?} lacks {help:?}");
    assert_eq!(
        d.message,
        d.message.to_lowercase(),
        "messages are lowercase"
    );
}

#[test]
fn missing_operands() {
    syntax(
        "a and",
        "expected a value after `and`",
        (6, 6),
        "complete the expression after `and`",
    );
    syntax(
        "a and or b",
        "expected a value after `and`",
        (7, 9),
        "a value is missing before `or`",
    );
    syntax(
        "== a",
        "expected a value, found `==`",
        (1, 3),
        "a value is missing before `==`",
    );
    syntax(
        "a + * b",
        "expected a value after `+`",
        (5, 6),
        "before `*`",
    );
    syntax("", "the expression is empty", (1, 1), "write an expression");
    syntax("not", "expected a value after `not`", (4, 4), "after `not`");
    syntax("[1,]", "expected a value after `,`", (4, 5), "before `]`");
}

#[test]
fn missing_operators() {
    syntax(
        "a b",
        "expected an operator, found `b`",
        (3, 4),
        "need an operator between them",
    );
    syntax(
        "f(a b)",
        "expected an operator, `,` or `)`, found `b`",
        (5, 6),
        "operator",
    );
    syntax(
        r#"a == "x" b"#,
        "expected an operator, found `b`",
        (10, 11),
        "operator",
    );
    syntax(
        "x not in [1]",
        "expected an operator, found `not`",
        (3, 6),
        "`not (a in b)`",
    );
    syntax(
        "a[1]",
        "expected an operator or `[*]`, found `[`",
        (2, 3),
        "only `[*]`",
    );
    syntax(
        "a.",
        "expected a field id after `.`",
        (3, 3),
        "`sokande.namn`",
    );
}

#[test]
fn author_mistakes_get_specific_help() {
    syntax(
        "kategori = 'gata'",
        "`=` does not compare",
        (10, 11),
        r#"use `==` to compare: `kategori == 'gata'`"#,
    );
    syntax(
        "a === b",
        "`=` does not belong here",
        (5, 6),
        "remove it: `a == b`",
    );
    syntax(
        "a == 1 && b",
        "`&&` is not an operator here",
        (8, 10),
        "write `and`: `a == 1 and b`",
    );
    syntax(
        "a || b",
        "`||` is not an operator here",
        (3, 5),
        "write `or`",
    );
    syntax(
        "!answered(x)",
        "`!` is not an operator here",
        (1, 2),
        "write `not`: `not answered(x)`",
    );
    syntax("a & b", "`&` is not an operator", (3, 4), "write `and`");
    syntax("a => 1", "`=>` is not an operator", (3, 5), "write `>=`");
    syntax("a =< 1", "`=<` is not an operator", (3, 5), "write `<=`");
    syntax("a <> 1", "`<>` is not an operator", (3, 5), "write `!=`");
    syntax(
        "ålder > 3",
        "expected a value, found `ålder`",
        (1, 6),
        "ids use only a–z",
    );
    syntax(
        "a > 3,5",
        "expected an operator, found `,`",
        (6, 7),
        "decimals with a point",
    );
    syntax(".5", "expected a value, found `.`", (1, 2), "decimals");
    syntax(
        "a < b < c",
        "comparisons cannot be chained",
        (7, 8),
        "`a < b and b < c`",
    );
}

#[test]
fn unclosed_texts_and_brackets() {
    syntax(
        r#"a == "gata"#,
        "unclosed text",
        (6, 7),
        "end the text with `\"`",
    );
    syntax(
        "a == 'gata",
        "unclosed text",
        (6, 7),
        "end the text with `'`",
    );
    syntax(r#""a\""#, "unclosed text", (1, 2), "end the text");
    syntax("f(a, b", "unclosed `(`", (2, 3), "add the missing `)`");
    syntax("(a and (b or c)", "unclosed `(`", (1, 2), "`)`");
    syntax("x in [1, 2", "unclosed `[`", (6, 7), "add the missing `]`");
    syntax("a + b)", "unmatched `)`", (6, 7), "remove it");
    let (d, _) = error_in_yaml("(a]");
    assert_eq!(d.message, "`]` does not close `(`");
    assert_eq!(d.secondary.len(), 1);
}

#[test]
fn dates_must_be_written_out() {
    syntax(
        "date(2026-01-31) < d",
        "a date must be written in quotes",
        (6, 16),
        r#"`date("2026-01-31")`"#,
    );
    syntax(
        "date(d)",
        "a date must be written in quotes",
        (6, 7),
        "without `date(…)`",
    );
    syntax(
        "date()",
        "`date(…)` takes one date in quotes",
        (1, 7),
        "date(",
    );
    for (text, label) in [
        (r#"date("2026-02-30")"#, "there is no such day"),
        (r#"date("2026-1-31")"#, "not written YYYY-MM-DD"),
    ] {
        let (d, (_, col, end)) = error_in_yaml(text);
        assert_eq!(d.code, Code::InvalidDate);
        assert_eq!(
            (col - 16, end - 16),
            (6, text.len()),
            "{text}: the label is on the string"
        );
        assert_eq!(d.primary.map(|l| l.message).as_deref(), Some(label));
    }
}

#[test]
fn limits() {
    let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
    assert!(parse_err(&deep).message.contains("nested too deeply"));
    let long_chain = vec!["a"; 300].join(" + ");
    assert!(parse_err(&long_chain).message.contains("nested too deeply"));
    let minus = format!("{}1", "-".repeat(5000));
    assert!(parse_err(&minus).message.contains("nested too deeply"));
    assert!(parse_err(&"9".repeat(400)).message.contains("too large"));
    // Fifty terms are fine.
    parse_ok(&vec!["a"; 50].join(" + "));
}
