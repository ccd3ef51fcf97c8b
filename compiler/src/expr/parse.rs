//! The parser: pest does the grammar (`expr.pest`), this module builds the tree and refuses
//! what the grammar lets through but the language does not have (chained comparisons,
//! `date(…)` without a written-out date).

use super::ast::{BinOp, Call, Expr, ExprKind, Ref, Segment, UnOp};
use super::syntax_error;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use pest::iterators::Pair;
use pest::Parser as _;

#[derive(pest_derive::Parser)]
#[grammar = "expr/expr.pest"]
pub(crate) struct Grammar;

/// Deeper trees are refused: the checker, the evaluator and the JavaScript backend all
/// recurse, and no real form comes near this.
pub const MAX_DEPTH: u32 = 100;

/// Parses the text of one expression. `at` is where `text` sits in its YAML file; every node's
/// span is `at.sub(start, end)` of its own bytes, so the text must be the scalar as written
/// (a plain or single-quoted YAML scalar without escapes).
pub fn parse(text: &str, at: Span) -> Result<Expr, Diagnostic> {
    if let Some(d) = syntax_error::check_nesting(text, at) {
        return Err(d);
    }
    let mut pairs =
        Grammar::parse(Rule::main, text).map_err(|e| syntax_error::from_pest(text, at, e))?;
    let main = pairs.next().ok_or_else(|| syntax_error::empty(text, at))?;
    let expr = main
        .into_inner()
        .next()
        .ok_or_else(|| syntax_error::empty(text, at))?;
    let b = Builder { text, at };
    b.build(expr).map(|(e, _)| e)
}

struct Builder<'t> {
    text: &'t str,
    at: Span,
}

/// A node and the depth of the tree below it.
type Built = (Expr, u32);

impl Builder<'_> {
    fn span(&self, s: pest::Span) -> Span {
        self.at.sub(s.start(), s.end())
    }

    /// The source text of a node, for help lines that quote the author's own expression.
    fn source(&self, e: &Expr) -> &str {
        let start = (e.span.start - self.at.start) as usize;
        let end = (e.span.end - self.at.start) as usize;
        self.text.get(start..end).unwrap_or("…")
    }

    fn node(&self, kind: ExprKind, span: Span, depth: u32) -> Result<Built, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                Code::ExpressionSyntax,
                "this expression is nested too deeply",
            )
            .at(span, format!("more than {MAX_DEPTH} levels deep"))
            .help("split it into computed fields and refer to those"));
        }
        Ok((Expr::new(kind, span), depth))
    }

    fn build(&self, pair: Pair<Rule>) -> Result<Built, Diagnostic> {
        match pair.as_rule() {
            Rule::expr | Rule::conj | Rule::sum | Rule::product => self.fold_left(pair),
            Rule::comparison => self.comparison(pair),
            Rule::negation | Rule::unary => self.prefixed(pair),
            Rule::group => {
                let inner = pair.into_inner().find(|p| p.as_rule() == Rule::expr);
                inner.map_or_else(|| Err(self.internal(0)), |p| self.build(p))
            }
            Rule::number => self.number(pair),
            Rule::string => {
                let span = self.span(pair.as_span());
                self.node(ExprKind::Text(unescape(pair)), span, 1)
            }
            Rule::boolean => self.node(
                ExprKind::Bool(pair.as_str() == "true"),
                self.span(pair.as_span()),
                1,
            ),
            Rule::list => {
                let span = self.span(pair.as_span());
                let (items, depth) = self.items(pair)?;
                self.node(ExprKind::List(items), span, depth + 1)
            }
            Rule::call => self.call(pair),
            Rule::reference => {
                let span = self.span(pair.as_span());
                let segments = pair.into_inner().map(|s| self.segment(s)).collect();
                self.node(
                    ExprKind::Ref(Ref {
                        segments,
                        resolved: None,
                    }),
                    span,
                    1,
                )
            }
            _ => Err(self.internal(pair.as_span().start())),
        }
    }

    /// The grammar guarantees the shapes below; if it ever stops doing so, the author gets a
    /// syntax error rather than a panic.
    fn internal(&self, pos: usize) -> Diagnostic {
        Diagnostic::error(Code::ExpressionSyntax, "this expression could not be read")
            .at(self.at.sub(pos, pos), "here")
            .help("this is a bug in blankett; please report it with the expression")
    }

    /// `a op b op c` → `(a op b) op c`.
    fn fold_left(&self, pair: Pair<Rule>) -> Result<Built, Diagnostic> {
        let start = pair.as_span().start();
        let mut inner = pair.into_inner();
        let first = inner.next().ok_or_else(|| self.internal(start))?;
        let (mut acc, mut depth) = self.build(first)?;
        while let Some(op) = inner.next() {
            let op_start = op.as_span().start();
            let op = BinOp::from_symbol(op.as_str()).ok_or_else(|| self.internal(op_start))?;
            let rhs = inner.next().ok_or_else(|| self.internal(op_start))?;
            let (rhs, rd) = self.build(rhs)?;
            let span = acc.span.to(rhs.span);
            depth = depth.max(rd) + 1;
            (acc, depth) = self.node(
                ExprKind::Binary(op, Box::new(acc), Box::new(rhs)),
                span,
                depth,
            )?;
        }
        Ok((acc, depth))
    }

    fn comparison(&self, pair: Pair<Rule>) -> Result<Built, Diagnostic> {
        let start = pair.as_span().start();
        let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
        match parts.as_slice() {
            [single] => self.build(single.clone()),
            [l, op, r] => {
                let bin = BinOp::from_symbol(op.as_str()).ok_or_else(|| self.internal(start))?;
                let (l, ld) = self.build(l.clone())?;
                let (r, rd) = self.build(r.clone())?;
                let span = l.span.to(r.span);
                self.node(
                    ExprKind::Binary(bin, Box::new(l), Box::new(r)),
                    span,
                    ld.max(rd) + 1,
                )
            }
            [a, op1, b, op2, c, ..] => {
                let (a, _) = self.build(a.clone())?;
                let (b, _) = self.build(b.clone())?;
                let (c, _) = self.build(c.clone())?;
                let (a, b, c) = (self.source(&a), self.source(&b), self.source(&c));
                let (o1, o2) = (op1.as_str(), op2.as_str());
                Err(
                    Diagnostic::error(Code::ExpressionSyntax, "comparisons cannot be chained")
                        .at(self.span(op2.as_span()), "a second comparison")
                        .also(self.span(op1.as_span()), "after this one")
                        .help(format!(
                            "compare twice and join with `and`: `{a} {o1} {b} and {b} {o2} {c}`"
                        )),
                )
            }
            _ => Err(self.internal(start)),
        }
    }

    /// `not not x`, `--x`: prefix operators, the innermost applied first.
    fn prefixed(&self, pair: Pair<Rule>) -> Result<Built, Diagnostic> {
        let start = pair.as_span().start();
        let mut parts: Vec<Pair<Rule>> = pair.into_inner().collect();
        let operand = parts.pop().ok_or_else(|| self.internal(start))?;
        let (mut acc, mut depth) = self.build(operand)?;
        for op in parts.iter().rev() {
            let un = if op.as_rule() == Rule::not_op {
                UnOp::Not
            } else {
                UnOp::Neg
            };
            let span = self.span(op.as_span()).to(acc.span);
            (acc, depth) = self.node(ExprKind::Unary(un, Box::new(acc)), span, depth + 1)?;
        }
        Ok((acc, depth))
    }

    fn number(&self, pair: Pair<Rule>) -> Result<Built, Diagnostic> {
        let span = self.span(pair.as_span());
        match pair.as_str().parse::<f64>() {
            Ok(n) if n.is_finite() => self.node(ExprKind::Number(n), span, 1),
            _ => Err(
                Diagnostic::error(Code::ExpressionSyntax, "this number is too large")
                    .at(span, "larger than any number blankett can compute with")
                    .help("numbers must stay below about 1.8 × 10^308"),
            ),
        }
    }

    /// The expressions between brackets or parentheses, skipping the punctuation.
    fn items(&self, pair: Pair<Rule>) -> Result<(Vec<Expr>, u32), Diagnostic> {
        let mut items = Vec::new();
        let mut depth = 0;
        for p in pair.into_inner().filter(|p| p.as_rule() == Rule::expr) {
            let (e, d) = self.build(p)?;
            depth = depth.max(d);
            items.push(e);
        }
        Ok((items, depth))
    }

    fn segment(&self, pair: Pair<Rule>) -> Segment {
        let all = pair.clone().into_inner().any(|p| p.as_rule() == Rule::all);
        let ident = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::ident)
            .unwrap_or(pair);
        Segment {
            name: ident.as_str().to_string(),
            span: self.span(ident.as_span()),
            all,
        }
    }

    fn call(&self, pair: Pair<Rule>) -> Result<Built, Diagnostic> {
        let span = self.span(pair.as_span());
        let start = pair.as_span().start();
        let name = pair
            .clone()
            .into_inner()
            .next()
            .ok_or_else(|| self.internal(start))?;
        let name_span = self.span(name.as_span());
        let name = name.as_str().to_string();
        let (args, depth) = self.items(pair)?;
        if name == "date" {
            return self.date(args, span);
        }
        self.node(
            ExprKind::Call(Call {
                name,
                name_span,
                args,
            }),
            span,
            depth + 1,
        )
    }

    fn date(&self, args: Vec<Expr>, span: Span) -> Result<Built, Diagnostic> {
        let example = "write a date as `date(\"2026-01-31\")`";
        let [arg] = args.as_slice() else {
            return Err(Diagnostic::error(
                Code::ExpressionSyntax,
                "`date(…)` takes one date in quotes",
            )
            .at(span, format!("{} given", plural(args.len(), "value")))
            .help(example));
        };
        let Some(text) = arg.as_text() else {
            let src = self.source(arg);
            let parts: Vec<&str> = src.split('-').map(str::trim).collect();
            let looks_like_date = parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            let d = Diagnostic::error(Code::ExpressionSyntax, "a date must be written in quotes");
            return Err(if looks_like_date {
                d.at(arg.span, "this is read as a subtraction")
                    .help(format!(
                        "put the date in quotes: `date(\"{}\")`",
                        parts.join("-")
                    ))
            } else {
                d.at(arg.span, "not a date written out in quotes").help(format!(
                    "{example}; to use the value of a date field, write the field's id without `date(…)`"
                ))
            });
        };
        match parse_date(text) {
            Ok(date) => self.node(ExprKind::Date(date), span, 1),
            Err(why) => Err(
                Diagnostic::error(Code::InvalidDate, format!("invalid date `{text}`"))
                    .at(arg.span, why)
                    .help("write the date as YYYY-MM-DD, e.g. `date(\"2026-01-31\")`"),
            ),
        }
    }
}

/// A date written exactly `YYYY-MM-DD`; the error says which of the two ways it fails.
pub(crate) fn parse_date(text: &str) -> Result<chrono::NaiveDate, &'static str> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    if !shaped {
        return Err("not written YYYY-MM-DD");
    }
    let num =
        |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    chrono::NaiveDate::from_ymd_opt(num(0..4) as i32, num(5..7), num(8..10))
        .ok_or("there is no such day")
}

fn unescape(pair: Pair<Rule>) -> String {
    let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next @ ('"' | '\'' | '\\')) = chars.peek() {
                out.push(next);
                chars.next();
                continue;
            }
        }
        out.push(c);
    }
    out
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    match n {
        0 => format!("no {word}s"),
        1 => format!("1 {word}"),
        n => format!("{n} {word}s"),
    }
}
