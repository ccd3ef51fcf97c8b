//! The syntax tree of an expression.
//!
//! Parentheses leave no node behind: the tree's shape carries the grouping, and [`Display`]
//! puts back exactly the parentheses that shape needs. That is what makes the printed form
//! canonical: `parse(e.to_string())` is `e` again, apart from spans.

use crate::source::Span;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    /// The expression's own bytes in the YAML file, without surrounding parentheses.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    /// Always finite and never negative: `-3` is `Unary(Neg, 3)`.
    Number(f64),
    Text(String),
    Bool(bool),
    /// `date("2026-01-31")`: a literal, checked when parsed.
    Date(chrono::NaiveDate),
    List(Vec<Expr>),
    Ref(Ref),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Call),
}

/// A reference to a field: `kategori`, `sokande.personnummer`, `barn[*].alder`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ref {
    pub segments: Vec<Segment>,
    /// The canonical path of the field, set by the checker; `None` until then or when the
    /// reference does not resolve.
    pub resolved: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    pub name: String,
    pub span: Span,
    /// Followed by `[*]`: the segment is a repeat, traversed over all its rows.
    pub all: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub name: String,
    pub name_span: Span,
    pub args: Vec<Expr>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Add,
    Sub,
    Mul,
    Div,
}

/// Binding strength, low to high. Parentheses are needed where a child binds less tightly
/// than its parent demands.
pub(crate) mod prec {
    pub const OR: u8 = 1;
    pub const AND: u8 = 2;
    pub const NOT: u8 = 3;
    pub const CMP: u8 = 4;
    pub const ADD: u8 = 5;
    pub const MUL: u8 = 6;
    pub const NEG: u8 = 7;
    pub const ATOM: u8 = 8;
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    pub fn from_symbol(s: &str) -> Option<BinOp> {
        Some(match s {
            "or" => BinOp::Or,
            "and" => BinOp::And,
            "==" => BinOp::Eq,
            "!=" => BinOp::Ne,
            "<" => BinOp::Lt,
            "<=" => BinOp::Le,
            ">" => BinOp::Gt,
            ">=" => BinOp::Ge,
            "in" => BinOp::In,
            "+" => BinOp::Add,
            "-" => BinOp::Sub,
            "*" => BinOp::Mul,
            "/" => BinOp::Div,
            _ => return None,
        })
    }

    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => prec::OR,
            BinOp::And => prec::AND,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::In => {
                prec::CMP
            }
            BinOp::Add | BinOp::Sub => prec::ADD,
            BinOp::Mul | BinOp::Div => prec::MUL,
        }
    }

    pub fn is_comparison(self) -> bool {
        self.precedence() == prec::CMP
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Self {
        Expr { kind, span }
    }

    /// Every reference in the expression, left to right: what a dependency graph needs.
    pub fn refs(&self) -> Vec<&Ref> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<&'a Ref>) {
        match &self.kind {
            ExprKind::Ref(r) => out.push(r),
            ExprKind::List(items) => items.iter().for_each(|e| e.collect_refs(out)),
            ExprKind::Unary(_, e) => e.collect_refs(out),
            ExprKind::Binary(_, l, r) => {
                l.collect_refs(out);
                r.collect_refs(out);
            }
            ExprKind::Call(c) => c.args.iter().for_each(|e| e.collect_refs(out)),
            ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Bool(_) | ExprKind::Date(_) => {}
        }
    }

    pub(crate) fn precedence(&self) -> u8 {
        match &self.kind {
            ExprKind::Binary(op, ..) => op.precedence(),
            ExprKind::Unary(UnOp::Not, _) => prec::NOT,
            ExprKind::Unary(UnOp::Neg, _) => prec::NEG,
            _ => prec::ATOM,
        }
    }

    /// The text literal this expression is, if it is one.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Text(s) => Some(s),
            _ => None,
        }
    }
}

impl Ref {
    /// The path as written, `barn[*].alder`: what messages quote.
    pub fn path(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(&s.name)?;
            if s.all {
                f.write_str("[*]")?;
            }
        }
        Ok(())
    }
}

/// Writes a text literal in double quotes; only `"` and `\` need escaping.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn write_child(f: &mut fmt::Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            // f64's Display is the shortest text that reads back as the same number, and
            // never uses an exponent, which the grammar does not have.
            ExprKind::Number(n) => write!(f, "{n}"),
            ExprKind::Text(s) => f.write_str(&quote(s)),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Date(d) => write!(f, "date(\"{}\")", d.format("%Y-%m-%d")),
            ExprKind::List(items) => {
                f.write_str("[")?;
                write_list(f, items)?;
                f.write_str("]")
            }
            ExprKind::Ref(r) => write!(f, "{r}"),
            ExprKind::Unary(UnOp::Not, e) => {
                f.write_str("not ")?;
                write_child(f, e, e.precedence() < prec::NOT)
            }
            ExprKind::Unary(UnOp::Neg, e) => {
                f.write_str("-")?;
                write_child(f, e, e.precedence() < prec::NEG)
            }
            ExprKind::Binary(op, l, r) => {
                let p = op.precedence();
                // Left-associative: a right child of equal strength needs parentheses; so
                // does either child of a comparison, which does not chain at all.
                let left_parens = l.precedence() < p || (op.is_comparison() && l.precedence() == p);
                write_child(f, l, left_parens)?;
                write!(f, " {} ", op.symbol())?;
                write_child(f, r, r.precedence() <= p)
            }
            ExprKind::Call(c) => {
                write!(f, "{}(", c.name)?;
                write_list(f, &c.args)?;
                f.write_str(")")
            }
        }
    }
}
