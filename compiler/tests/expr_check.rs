//! The type checker: types of every construct, resolution, and each kind of mistake with
//! its place and help.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod expr_support;

use blankett_compiler::diagnostic::{Code, Diagnostic};
use blankett_compiler::expr::{check, ExprKind, Lookup, LookupError, Ref, Type, TypeEnv};
use expr_support::check_str;

fn ty(text: &str) -> Type {
    let (t, diags, _) = check_str(text, None);
    assert!(diags.is_empty(), "{text}: {diags:#?}");
    t
}

/// The one diagnostic `text` gets; its primary label must cover `marked` (the first
/// occurrence of that text in the expression).
fn one(text: &str, code: Code, marked: &str) -> Diagnostic {
    let (_, diags, _) = check_str(text, None);
    assert_eq!(diags.len(), 1, "{text}: {diags:#?}");
    let d = diags.into_iter().next().expect("one");
    assert_eq!(d.code, code, "{text}: {d:#?}");
    let start = text
        .find(marked)
        .unwrap_or_else(|| panic!("{marked:?} not in {text:?}"));
    let span = d.primary.as_ref().expect("placed").span;
    assert_eq!(
        (span.start as usize, span.end as usize),
        (start, start + marked.len()),
        "{text}: {d:#?}"
    );
    d
}

fn help(d: &Diagnostic) -> &str {
    d.help.as_deref().unwrap_or("")
}

fn label(d: &Diagnostic) -> &str {
    d.primary.as_ref().map_or("", |l| l.message.as_str())
}

#[test]
fn types_of_literals_and_operators() {
    assert_eq!(ty("1 + 2 * 3"), Type::Number);
    assert_eq!(ty("-antal / 2"), Type::Number);
    assert_eq!(ty("namn + ' ' + sokande.namn"), Type::Text);
    assert_eq!(
        ty("antal > 3 and not godkand or kategori == 'gata'"),
        Type::Bool
    );
    assert_eq!(ty("startdatum <= slutdatum"), Type::Bool);
    assert_eq!(ty("namn < 'm'"), Type::Bool);
    assert_eq!(ty("godkand == true"), Type::Bool);
    assert_eq!(ty("[1, 2]"), Type::list(Type::Number));
    assert_eq!(ty("[]"), Type::list(Type::Any));
    assert_eq!(ty("antal in [1, 2, 3]"), Type::Bool);
    assert_eq!(ty("antal in []"), Type::Bool);
    assert_eq!(ty("date('2026-01-01')"), Type::Date);
    assert_eq!(ty("barn[*].alder"), Type::list(Type::Number));
    assert_eq!(ty("barn"), Type::list(Type::Row));
    assert_eq!(ty("plats"), Type::Position);
}

#[test]
fn references_are_resolved() {
    let (_, diags, e) = check_str("barn[*].alder", None);
    assert!(diags.is_empty());
    let ExprKind::Ref(r) = &e.kind else { panic!() };
    assert_eq!(r.resolved.as_deref(), Some("barn.alder"));
    let (_, _, e) = check_str("okand", None);
    let ExprKind::Ref(r) = &e.kind else { panic!() };
    assert_eq!(r.resolved, None);
}

#[test]
fn unknown_fields_point_at_the_failing_segment() {
    let d = one(
        "sokande.personnumer == '1'",
        Code::UnknownField,
        "personnumer",
    );
    assert_eq!(d.message, "unknown field `sokande.personnumer`");
    assert_eq!(label(&d), "`sokande` has no field `personnumer`");
    assert_eq!(help(&d), "did you mean `sokande.personnummer`?");

    let d = one("sokand.namn == 'x'", Code::UnknownField, "sokand");
    assert_eq!(label(&d), "no field has this id");
    assert_eq!(help(&d), "did you mean `sokande.namn`?");

    let d = one("sokande.adress.gatan", Code::UnknownField, "gatan");
    assert_eq!(label(&d), "`sokande.adress` has no field `gatan`");

    let d = one("kategorie == 'gata'", Code::UnknownField, "kategorie");
    assert_eq!(help(&d), "did you mean `kategori`?");
    assert!(help(&one("xyzzy > 1", Code::UnknownField, "xyzzy")).contains("by its id"));
}

/// An environment that knows fields only, not the groups they are in.
struct FieldsOnly(expr_support::Fields);

impl TypeEnv for FieldsOnly {
    fn lookup(&self, r: &Ref) -> Result<Lookup, LookupError> {
        match self.0.lookup(r) {
            Err(LookupError::NotAValue { .. }) => Err(LookupError::Unknown { suggestion: None }),
            other => other,
        }
    }
}

#[test]
fn the_suggestion_shows_which_segment_exists() {
    let text = "sokande.personnumer";
    let mut e = expr_support::parse_ok(text);
    let mut diags = Vec::new();
    check(
        &mut e,
        &FieldsOnly(expr_support::fields()),
        None,
        &mut diags,
    );
    assert_eq!(diags.len(), 1);
    let span = diags[0].primary.as_ref().expect("placed").span;
    assert_eq!((span.start, span.end), (8, 19));
}

#[test]
fn groups_are_not_values() {
    let d = one("sokande == 'x'", Code::TypeMismatch, "sokande");
    assert_eq!(d.message, "`sokande` has no value");
    assert!(help(&d).contains("group of fields"));
}

#[test]
fn every_problem_is_reported_once() {
    // Two unknown fields and a bad function: three messages, no cascade from `Any`.
    let (t, diags, _) = check_str("(okand1 + 1) * 2 > okand2 and nofunc(1)", None);
    let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::UnknownField,
            Code::UnknownField,
            Code::UnknownFunction
        ]
    );
    assert_eq!(t, Type::Bool);
    let (_, diags, _) = check_str(
        "not okand and -okand * 2 > 3 and sum(okand) == len(okand)",
        None,
    );
    assert_eq!(diags.len(), 4, "{diags:#?}");
    assert!(diags.iter().all(|d| d.code == Code::UnknownField));
}

#[test]
fn operand_type_mismatches() {
    let d = one("antal == 'tre'", Code::TypeMismatch, "'tre'");
    assert_eq!(d.message, "cannot compare a number with text");
    assert_eq!(label(&d), "this is text");
    assert_eq!(d.secondary[0].message, "this is a number");

    let d = one("antal == '3'", Code::TypeMismatch, "'3'");
    assert_eq!(help(&d), "write the number without quotes: `3`");
    let d = one(
        "startdatum < '2026-01-01'",
        Code::TypeMismatch,
        "'2026-01-01'",
    );
    assert_eq!(help(&d), r#"write a date as `date("2026-01-01")`"#);
    let d = one("namn == 3", Code::TypeMismatch, "3");
    assert!(help(&d).contains(r#"`"3"`"#));

    let d = one("antal + namn", Code::TypeMismatch, "namn");
    assert_eq!(d.message, "cannot add a number and text");
    assert!(help(&d).starts_with("`+` adds two numbers or joins two texts"));
    // `+` does not join text and a number: the help says what to do instead.
    assert!(help(&d).contains("does not turn a number into text"));
    let d = one("antal + '3'", Code::TypeMismatch, "'3'");
    assert_eq!(help(&d), "write the number without quotes: `3`");
    let d = one("namn * 2", Code::TypeMismatch, "namn");
    assert_eq!(d.message, "`*` needs numbers");
    let d = one("-namn", Code::TypeMismatch, "namn");
    assert_eq!(d.message, "`-` needs a number");
    let d = one("startdatum + 1", Code::TypeMismatch, "startdatum");
    assert!(help(&d).contains("days_between"));

    let d = one(
        "slutdatum - startdatum > 3",
        Code::TypeMismatch,
        "slutdatum - startdatum",
    );
    assert_eq!(d.message, "dates cannot be subtracted");
    assert!(help(&d).contains("`days_between(startdatum, slutdatum)`"));

    let d = one("antal and godkand", Code::TypeMismatch, "antal");
    assert_eq!(d.message, "`and` needs true or false on both sides");
    assert!(help(&d).contains("`antal == …`"));
    let d = one("not namn", Code::TypeMismatch, "namn");
    assert_eq!(d.message, "`not` needs true or false");

    let d = one("godkand < true", Code::TypeMismatch, "godkand");
    assert!(help(&d).contains("no order"));
    let d = one("tillval == ['cykel']", Code::TypeMismatch, "tillval");
    assert!(help(&d).contains("contains("));
    let d = one("plats == plats", Code::TypeMismatch, "plats");
    assert!(help(&d).contains("answered(plats)"));
}

#[test]
fn membership() {
    let d = one("'a' in namn", Code::TypeMismatch, "namn");
    assert_eq!(
        help(&d),
        "to look for a part of a text, use `contains(namn, \"a\")`"
    );
    let d = one("antal in 3", Code::TypeMismatch, "3");
    assert_eq!(d.message, "`in` needs a list on its right");
    let d = one("namn in [1, 2]", Code::TypeMismatch, "namn");
    assert_eq!(d.message, "cannot look for text in a list of numbers");
    let d = one("tillval in ['a']", Code::TypeMismatch, "tillval");
    assert!(help(&d).contains("contains(tillval, …)"));
    let d = one("[1, 'a']", Code::TypeMismatch, "'a'");
    assert_eq!(d.message, "the items of a list must all have the same type");
}

#[test]
fn choice_values_are_checked() {
    let d = one(
        "kategori == 'belysnig'",
        Code::UnknownChoiceValue,
        "'belysnig'",
    );
    assert_eq!(d.message, "`belysnig` is not a choice of `kategori`");
    assert_eq!(help(&d), "did you mean `belysning`?");
    one(
        "'belysnig' != kategori",
        Code::UnknownChoiceValue,
        "'belysnig'",
    );
    let d = one(
        "kategori in ['gata', 'parkk']",
        Code::UnknownChoiceValue,
        "'parkk'",
    );
    assert_eq!(help(&d), "the choices are `gata`, `belysning`, `annat`");
    one("'cykl' in tillval", Code::UnknownChoiceValue, "'cykl'");
    one(
        "contains(tillval, 'laddnig')",
        Code::UnknownChoiceValue,
        "'laddnig'",
    );
    assert_eq!(
        ty("kategori == 'gata' or 'cykel' in tillval or contains(tillval, 'laddning')"),
        Type::Bool
    );
    // Only literals are checked: a field's value is not known here.
    assert_eq!(ty("kategori == namn"), Type::Bool);
}

#[test]
fn expected_type() {
    let (t, diags, _) = check_str("antal + 1", Some(&Type::Bool));
    assert_eq!(t, Type::Any);
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d.code, Code::TypeMismatch);
    assert_eq!(d.message, "expected true or false, found a number");
    assert_eq!(label(d), "this is a number");
    assert!(help(d).starts_with("a condition must be true or false"));
    let (_, diags, _) = check_str("godkand", Some(&Type::Bool));
    assert!(diags.is_empty());
    let (_, diags, _) = check_str("okand", Some(&Type::Bool));
    assert_eq!(
        diags.len(),
        1,
        "an unknown field is not also the wrong type"
    );
    let (_, diags, _) = check_str("sum(barn[*].alder)", Some(&Type::Number));
    assert!(diags.is_empty());
}

#[test]
fn function_types() {
    let cases = [
        ("today()", Type::Date),
        ("age(sokande.personnummer)", Type::Number),
        ("len(namn)", Type::Number),
        ("len(barn)", Type::Number),
        ("sum(barn[*].alder)", Type::Number),
        ("sum([1, 2])", Type::Number),
        ("sum([])", Type::Number),
        ("count(barn)", Type::Number),
        ("min(barn[*].alder)", Type::Number),
        ("max(barn[*].fodd)", Type::Date),
        ("min(antal, yta, 3)", Type::Number),
        ("max(startdatum, slutdatum)", Type::Date),
        ("round(yta * 1.25, 2)", Type::Number),
        ("answered(foto)", Type::Bool),
        ("matches(postnummer, '^[0-9]{3} ?[0-9]{2}$')", Type::Bool),
        ("days_between(startdatum, slutdatum)", Type::Number),
        ("contains(tillval, 'cykel')", Type::Bool),
        ("contains(namn, 'son')", Type::Bool),
        ("if(godkand, antal, 0)", Type::Number),
        ("if(godkand, 'ja', namn)", Type::Text),
        ("year(startdatum)", Type::Number),
    ];
    for (text, want) in cases {
        assert_eq!(ty(text), want, "{text}");
    }
}

#[test]
fn unknown_functions_and_arity() {
    let d = one("summa(barn[*].alder)", Code::UnknownFunction, "summa");
    assert_eq!(d.message, "unknown function `summa`");
    assert_eq!(help(&d), "did you mean `sum`?");
    assert!(
        help(&one("frobnicate()", Code::UnknownFunction, "frobnicate"))
            .starts_with("the functions are today, age")
    );

    let d = one("round(yta)", Code::WrongArgumentCount, "round(yta)");
    assert_eq!(d.message, "`round` takes 2 arguments, but 1 was given");
    assert!(help(&d).starts_with("write `round(number, decimals)`"));
    let d = one("today(1, 2)", Code::WrongArgumentCount, "1, 2");
    assert_eq!(d.message, "`today` takes no arguments, but 2 were given");
    assert_eq!(label(&d), "2 too many");
    let d = one("year(startdatum, 2)", Code::WrongArgumentCount, "2");
    assert_eq!(label(&d), "one too many");
    let d = one("min()", Code::WrongArgumentCount, "min()");
    assert_eq!(
        d.message,
        "`min` takes at least 1 argument, but none was given"
    );
    // Arguments are checked even when the call is wrong.
    let (_, diags, _) = check_str("round(okand)", None);
    assert_eq!(diags.len(), 2);
}

#[test]
fn function_argument_mismatches() {
    let sig = |text: &str, marked: &str, message: &str| {
        let d = one(text, Code::TypeMismatch, marked);
        assert_eq!(d.message, message, "{text}");
        d
    };
    sig("age(antal)", "antal", "`age` needs text here");
    sig("len(antal)", "antal", "`len` needs text or a list");
    assert!(help(&sig("sum(antal)", "antal", "`sum` needs a list of numbers")).contains("use `+`"));
    sig(
        "sum(barn[*].namn)",
        "barn[*].namn",
        "`sum` needs a list of numbers here",
    );
    sig("count(namn)", "namn", "`count` needs a list");
    sig("min(antal)", "antal", "`min` of one value needs a list");
    sig(
        "max(barn[*].namn)",
        "barn[*].namn",
        "`max` needs numbers or dates",
    );
    sig(
        "min(antal, startdatum)",
        "startdatum",
        "`min` cannot mix numbers and dates",
    );
    sig("round(namn, 2)", "namn", "`round` needs a number here");
    sig(
        "days_between(startdatum, '2026-01-01')",
        "'2026-01-01'",
        "`days_between` needs a date here",
    );
    sig(
        "contains(antal, 1)",
        "antal",
        "`contains` needs a list or text first",
    );
    sig(
        "contains(barn[*].alder, 'x')",
        "'x'",
        "cannot look for text in a list of numbers",
    );
    sig("contains(namn, 1)", "1", "`contains` needs text here");
    sig("if(antal, 1, 2)", "antal", "`if` needs true or false here");
    let d = sig(
        "if(godkand, 1, 'x')",
        "'x'",
        "the two branches of `if` must have the same type",
    );
    assert_eq!(d.secondary[0].message, "this is a number");
    sig("year(namn)", "namn", "`year` needs a date here");
    sig("matches(antal, 'x')", "antal", "`matches` needs text here");
}

#[test]
fn patterns() {
    let d = one("matches(namn, '[a-')", Code::InvalidPattern, "'[a-'");
    assert_eq!(label(&d), "unclosed character class");
    let d = one(
        "matches(namn, sokande.namn)",
        Code::TypeMismatch,
        "sokande.namn",
    );
    assert_eq!(d.message, "the pattern must be written out");
    assert_eq!(ty(r"matches(namn, '^\d+$')"), Type::Bool);
}
