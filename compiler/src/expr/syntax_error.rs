//! Turning a failed parse into a message an author can act on.
//!
//! pest knows where parsing stopped and which rules it tried there. That is enough for
//! "expected a value after `and`", but not for the mistakes authors actually make (`=` for
//! `==`, `&&`, a text without its closing quote), which pest sees only as "expected an
//! operator". So a small lexer looks at the text first and names those mistakes itself.

use super::parse::Rule;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use pest::error::{ErrorVariant, InputLocation};

/// Parentheses and brackets nested deeper than this are refused before pest sees them, so
/// that neither pest nor the tree's users recurse without bound.
const MAX_NESTING: usize = 40;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Word,
    Number,
    Text { closed: bool },
    Punct,
}

#[derive(Clone, Copy, Debug)]
struct Tok<'a> {
    kind: Kind,
    start: usize,
    end: usize,
    text: &'a str,
}

const PUNCT2: &[&str] = &["==", "!=", "<=", ">=", "&&", "||", "=>", "=<", "<>"];

fn lex(text: &str) -> Vec<Tok<'_>> {
    let mut toks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let kind = if c == '"' || c == '\'' {
            let mut closed = false;
            while let Some((_, d)) = chars.next() {
                if d == '\\' {
                    chars.next();
                } else if d == c {
                    closed = true;
                    break;
                }
            }
            Kind::Text { closed }
        } else if c.is_ascii_digit() {
            while chars
                .next_if(|(_, d)| d.is_ascii_digit() || *d == '.')
                .is_some()
            {}
            Kind::Number
        } else if c.is_alphanumeric() || c == '_' {
            while chars
                .next_if(|(_, d)| d.is_alphanumeric() || *d == '_')
                .is_some()
            {}
            Kind::Word
        } else {
            if let Some((_, d)) = chars.peek() {
                let mut pair = String::from(c);
                pair.push(*d);
                if PUNCT2.contains(&pair.as_str()) {
                    chars.next();
                }
            }
            Kind::Punct
        };
        let end = chars.peek().map_or(text.len(), |(i, _)| *i);
        toks.push(Tok {
            kind,
            start,
            end,
            text: &text[start..end],
        });
    }
    toks
}

pub(crate) fn empty(_text: &str, at: Span) -> Diagnostic {
    Diagnostic::error(Code::ExpressionSyntax, "the expression is empty")
        .at(at.sub(0, 0), "an expression is needed here")
        .help("write an expression, e.g. `kategori == \"gata\"`")
}

/// Refuses absurd nesting up front; see [`MAX_NESTING`].
pub(crate) fn check_nesting(text: &str, at: Span) -> Option<Diagnostic> {
    let mut depth = 0usize;
    for t in lex(text) {
        match t.text {
            "(" | "[" => depth += 1,
            ")" | "]" => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return Some(
                Diagnostic::error(
                    Code::ExpressionSyntax,
                    "this expression is nested too deeply",
                )
                .at(
                    at.sub(t.start, t.end),
                    format!("more than {MAX_NESTING} levels of brackets"),
                )
                .help("split it into computed fields and refer to those"),
            );
        }
    }
    None
}

/// The author's text with one token replaced: the concrete fix for a help line. Long
/// expressions get no quoted fix, since it would drown the point.
fn fixed(text: &str, t: &Tok, with: &str) -> Option<String> {
    (text.len() <= 80).then(|| format!("`{}{}{}`", &text[..t.start], with, &text[t.end..]))
}

fn with_fix(help: &str, fix: Option<String>) -> String {
    match fix {
        Some(f) => format!("{help}: {f}"),
        None => help.to_string(),
    }
}

/// A mistake the lexer can name on its own: a wrong operator or an unclosed text.
fn token_mistake(text: &str, at: Span, t: &Tok, prev: Option<&Tok>) -> Option<Diagnostic> {
    let here = at.sub(t.start, t.end);
    let glued_to_comparison = prev.is_some_and(|p| {
        p.end == t.start && matches!(p.text, "==" | "!=" | "<" | ">" | "<=" | ">=")
    });
    let (message, label, help) = match t.text {
        "=" if glued_to_comparison => (
            "`=` does not belong here",
            "one `=` too many",
            with_fix("remove it", fixed(text, t, "")),
        ),
        "=" => (
            "`=` does not compare",
            "a single `=`",
            with_fix("use `==` to compare", fixed(text, t, "==")),
        ),
        "&&" => (
            "`&&` is not an operator here",
            "not an operator",
            with_fix("write `and`", fixed(text, t, "and")),
        ),
        "||" => (
            "`||` is not an operator here",
            "not an operator",
            with_fix("write `or`", fixed(text, t, "or")),
        ),
        "!" => (
            "`!` is not an operator here",
            "not an operator",
            with_fix("write `not`", fixed(text, t, "not ")),
        ),
        "=>" => (
            "`=>` is not an operator",
            "not an operator",
            with_fix("write `>=`", fixed(text, t, ">=")),
        ),
        "=<" => (
            "`=<` is not an operator",
            "not an operator",
            with_fix("write `<=`", fixed(text, t, "<=")),
        ),
        "<>" => (
            "`<>` is not an operator",
            "not an operator",
            with_fix("write `!=`", fixed(text, t, "!=")),
        ),
        "&" | "|" => {
            let word = if t.text == "&" { "and" } else { "or" };
            let help = with_fix(&format!("write `{word}`"), fixed(text, t, word));
            let message = format!("`{}` is not an operator", t.text);
            return Some(
                Diagnostic::error(Code::ExpressionSyntax, message)
                    .at(here, "not an operator")
                    .help(help),
            );
        }
        _ => match t.kind {
            Kind::Text { closed: false } => {
                let q = &t.text[..1];
                let at_quote = at.sub(t.start, t.start + 1);
                return Some(
                    Diagnostic::error(Code::ExpressionSyntax, "unclosed text")
                        .at(at_quote, "this text has no closing quote")
                        .help(format!("end the text with `{q}`")),
                );
            }
            _ => return None,
        },
    };
    Some(
        Diagnostic::error(Code::ExpressionSyntax, message)
            .at(here, label)
            .help(help),
    )
}

/// Unbalanced brackets: pest stops at the closer (or at the end, for an unclosed opener), so
/// this is used only when its stop agrees.
fn bracket_mistake(at: Span, toks: &[Tok], stop: usize, at_end: bool) -> Option<Diagnostic> {
    let mut open: Vec<&Tok> = Vec::new();
    for t in toks {
        match t.text {
            "(" | "[" => open.push(t),
            ")" | "]" => {
                let want = if t.text == ")" { "(" } else { "[" };
                match open.pop() {
                    Some(o) if o.text == want => {}
                    Some(o) if t.start == stop => {
                        return Some(
                            Diagnostic::error(
                                Code::ExpressionSyntax,
                                format!("`{}` does not close `{}`", t.text, o.text),
                            )
                            .at(at.sub(t.start, t.end), "this closes the wrong bracket")
                            .also(at.sub(o.start, o.end), "the bracket still open")
                            .help(format!(
                                "close `{}` with `{}`",
                                o.text,
                                closing(o.text)
                            )),
                        );
                    }
                    None if t.start == stop => {
                        return Some(
                            Diagnostic::error(
                                Code::ExpressionSyntax,
                                format!("unmatched `{}`", t.text),
                            )
                            .at(at.sub(t.start, t.end), "nothing to close here")
                            .help(format!("remove it, or add the `{want}` it closes")),
                        );
                    }
                    _ => return None,
                }
            }
            _ => {}
        }
    }
    let o = open.last().filter(|_| at_end)?;
    Some(
        Diagnostic::error(Code::ExpressionSyntax, format!("unclosed `{}`", o.text))
            .at(at.sub(o.start, o.end), "this is never closed")
            .help(format!("add the missing `{}`", closing(o.text))),
    )
}

fn closing(open: &str) -> &'static str {
    if open == "(" {
        ")"
    } else {
        "]"
    }
}

/// What pest tried, in words.
fn expected_word(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the expression",
        Rule::or_op | Rule::and_op | Rule::cmp_op | Rule::add_op | Rule::mul_op => "an operator",
        Rule::rparen => "`)`",
        Rule::rbracket => "`]`",
        Rule::comma => "`,`",
        Rule::all => "`[*]`",
        Rule::lparen => "`(`",
        Rule::ident | Rule::segment => "a field id",
        _ => "a value",
    }
}

const ORDER: &[&str] = &[
    "a value",
    "a field id",
    "an operator",
    "`[*]`",
    "`(`",
    "`,`",
    "`)`",
    "`]`",
    "the end of the expression",
];

fn join_words(words: &[&str]) -> String {
    match words {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

const KEYWORDS: &[&str] = &["and", "or", "not", "in", "true", "false"];

pub(crate) fn from_pest(text: &str, at: Span, err: pest::error::Error<Rule>) -> Diagnostic {
    let stop = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let toks = lex(text);
    // The first named mistake at or before the stop explains it; one after it is a second
    // problem the author will meet once this one is fixed.
    let mistake = toks
        .iter()
        .enumerate()
        .take_while(|(_, t)| t.start <= stop)
        .find_map(|(i, t)| token_mistake(text, at, t, i.checked_sub(1).and_then(|p| toks.get(p))));
    if let Some(d) = mistake {
        return d;
    }
    let at_end = text.get(stop..).is_none_or(|rest| rest.trim().is_empty());
    if let Some(d) = bracket_mistake(at, &toks, stop, at_end) {
        return d;
    }
    let positives = match err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => {
            return Diagnostic::error(
                Code::ExpressionSyntax,
                "this expression is too complex to read",
            )
            .at(at.sub(stop, stop), "here")
            .help("split it into computed fields and refer to those");
        }
    };
    let mut words: Vec<&str> = positives.into_iter().map(expected_word).collect();
    words.sort_by_key(|w| ORDER.iter().position(|o| o == w));
    words.dedup();
    if words.contains(&"an operator") {
        // After a value, `(` (a call) and the end are always possible; listing them buries
        // the likely intent, which is to continue with an operator.
        words.retain(|w| *w != "`(`" && *w != "the end of the expression");
    }
    if text.trim().is_empty() {
        return empty(text, at);
    }

    // pest may stop inside what the lexer saw as one token (`3.`); point at the rest of it.
    let found = toks
        .iter()
        .find(|t| t.start <= stop && stop < t.end.max(t.start + 1))
        .map(|t| match text.get(stop..t.end) {
            Some(rest) if t.start < stop && !rest.is_empty() => Tok {
                start: stop,
                text: rest,
                ..*t
            },
            _ => *t,
        });
    let found = found.as_ref();
    let prev = toks.iter().rev().find(|t| t.end <= stop);
    let (here, found_desc) = match found {
        Some(t) => (at.sub(t.start, t.end), format!("`{}`", t.text)),
        None => (
            at.sub(text.len(), text.len()),
            "the end of the expression".to_string(),
        ),
    };
    let expected = join_words(&words);
    let value_only = words == ["a value"] || words == ["a field id"];
    let message = match prev {
        Some(p) if value_only => format!("expected {expected} after `{}`", p.text),
        _ => format!("expected {expected}, found {found_desc}"),
    };
    let label = match found {
        None => "the expression ends here".to_string(),
        Some(t) if value_only && KEYWORDS.contains(&t.text) => {
            format!("`{}` is an operator, not a value", t.text)
        }
        Some(t) => format!("found `{}`", t.text),
    };
    let help = help_for(text, &words, found, prev);
    Diagnostic::error(Code::ExpressionSyntax, message)
        .at(here, label)
        .help(help)
}

fn help_for(text: &str, words: &[&str], found: Option<&Tok>, prev: Option<&Tok>) -> String {
    if let Some(t) = found.filter(|t| t.kind == Kind::Word && !t.text.is_ascii()) {
        return format!(
            "ids use only a–z, 0–9 and `_`: write `a` for `å` and `ä`, `o` for `ö` (`{}` is not an id)",
            t.text
        );
    }
    if words == ["a field id"] {
        return "after a `.` comes the id of a field in the group, as in `sokande.namn`"
            .to_string();
    }
    let decimal_help = "write decimals with a point and digits on both sides, e.g. `3.5` or `0.5`";
    if let Some(t) = found {
        let digit_follows = text
            .get(t.end..)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
        if (t.kind == Kind::Number && t.text.ends_with('.')) || (t.text == "." && digit_follows) {
            return decimal_help.to_string();
        }
        if t.text == "," && prev.is_some_and(|p| p.kind == Kind::Number && p.end == t.start) {
            return decimal_help.to_string();
        }
    }
    if words.contains(&"`[*]`") && found.is_some_and(|t| t.text == "[") {
        return "only `[*]` may follow a repeat's id, as in `barn[*].alder`".to_string();
    }
    if words == ["a value"] {
        return match (prev, found) {
            (Some(p), None) => format!("complete the expression after `{}`, or remove `{}`", p.text, p.text),
            (_, Some(t)) if t.kind == Kind::Punct || KEYWORDS.contains(&t.text) => format!(
                "a value is missing before `{}`: a number, a text in quotes, a field id, a function call or `(…)`",
                t.text
            ),
            _ => "write a value here: a number, a text in quotes, a field id, a function call or `(…)`".to_string(),
        };
    }
    if words.contains(&"an operator") {
        if let Some(t) = found {
            if t.text == "not" {
                return "`not` goes in front of the whole condition: `not (a in b)`".to_string();
            }
            if matches!(t.kind, Kind::Word | Kind::Number | Kind::Text { .. })
                || t.text == "("
                || t.text == "["
            {
                return "two values need an operator between them, such as `and`, `or`, `==` or `+`".to_string();
            }
        }
    }
    if words.contains(&"`)`") || words.contains(&"`]`") {
        return "separate the items with `,` and close the list or call".to_string();
    }
    "check the expression at this point against the grammar in the handbook".to_string()
}
