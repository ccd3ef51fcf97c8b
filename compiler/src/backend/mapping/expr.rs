//! The part of the expression language a mapping can use, compiled once into a form that both
//! the native mapper evaluates and the XSLT generator writes as XPath 1.0, so the two agree by
//! construction. What falls outside it is refused when the form is compiled.

use super::super::submission::Leaf;
use super::super::xsd::model::{self, fmt_date, fmt_number, Body, Elem};
use crate::expr::ast::{BinOp, Expr, ExprKind, UnOp};
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, TemplatePart};
use crate::source::Span;
use std::collections::BTreeMap;

/// A text: what a template part or a counterpart value becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tx {
    Lit(String),
    Field(FieldRef),
    Concat(Vec<Tx>),
    If(Box<Cond>, Box<Tx>, Box<Tx>),
    /// `count(repeat)`: the rows in the submission; the XPath selects them.
    Count(FieldId, String),
    /// `sum(repeat[*].number)`: the XPath selects the values.
    Sum(FieldId, String),
}

/// A condition of an `if`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Lit(bool),
    /// A yes/no field answered yes.
    Yes(FieldRef),
    /// The field's raw text equals (or, negated, differs from) the other side.
    Eq(Operand, Operand, bool),
    Answered(FieldRef),
    /// The field's value (any of a list's values) is one of these.
    In(FieldRef, Vec<String>),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Lit(String),
    Raw(FieldRef),
}

/// A field as a mapping reads it: where it is in the submission XML and how its text is shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldRef {
    pub id: FieldId,
    /// Absolute XPath with the `s:` prefix for the submission's namespace.
    pub xpath: String,
    pub show: Show,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Show {
    /// The element's text as it is.
    Plain,
    /// A choice's value shown as its Swedish label.
    Choice(Vec<(String, String)>),
    /// A list's items (labels when there are choices), joined by `, `.
    List {
        item: String,
        choices: Vec<(String, String)>,
    },
    /// `true`/`false` as `Ja`/`Nej`.
    YesNo,
    /// A file by its name.
    File,
    /// A position as `lat, lon`.
    Position,
    /// A field of a repeat's rows (`rader[*].namn`): each row's value, joined by `, `.
    Rows(Box<Show>),
}

/// A problem translating an expression: where, and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Untranslatable {
    pub span: Span,
    pub why: String,
}

/// Element paths of the top-level fields, and a list's item name.
pub(crate) fn field_paths(form: &Form) -> BTreeMap<FieldId, (String, Option<String>)> {
    fn walk(elems: &[Elem], prefix: &str, out: &mut BTreeMap<FieldId, (String, Option<String>)>) {
        for e in elems {
            let path = format!("{prefix}/s:{}", e.name);
            match (e.field, &e.body) {
                (Some(id), Body::List { item, .. }) => {
                    // A repeat's rows: their fields' paths select the values of all rows.
                    if let Body::Object { children, .. } = &item.body {
                        walk(children, &format!("{path}/s:{}", item.name), out);
                    }
                    out.insert(id, (path, Some(item.name.clone())));
                }
                (Some(id), _) => {
                    out.insert(id, (path, None));
                }
                (None, Body::Object { children, .. }) => walk(children, &path, out),
                _ => {}
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&model::fields(form), &format!("/s:{}", form.id), &mut out);
    out
}

pub(crate) struct Compiler<'a> {
    pub form: &'a Form,
    pub paths: BTreeMap<FieldId, (String, Option<String>)>,
}

/// Text written from the form itself, made what XML 1.0 can hold.
fn safe(s: &str) -> String {
    crate::backend::submission::xml_safe(s)
}

fn choices(form: &Form, id: FieldId) -> Vec<(String, String)> {
    form.fields[id]
        .choices
        .iter()
        .map(|c| (safe(&c.value), safe(c.label.get("sv"))))
        .collect()
}

impl<'a> Compiler<'a> {
    pub fn new(form: &'a Form) -> Self {
        Compiler {
            form,
            paths: field_paths(form),
        }
    }

    pub fn template(&self, parts: &[TemplatePart]) -> Result<Vec<Tx>, Untranslatable> {
        parts
            .iter()
            .map(|p| match p {
                TemplatePart::Literal(s) => Ok(Tx::Lit(safe(s))),
                TemplatePart::Expr(e) => self.text(e),
            })
            .collect()
    }

    fn field(&self, e: &Expr) -> Result<FieldRef, Untranslatable> {
        let fail = |why: &str| Untranslatable {
            span: e.span,
            why: why.to_string(),
        };
        let ExprKind::Ref(r) = &e.kind else {
            return Err(fail("expected a field"));
        };
        // A reference over rows resolves as `rader[*].vad`; the field is `rader.vad`.
        let id = r
            .resolved
            .as_deref()
            .and_then(|p| self.form.field(&p.replace("[*]", "")))
            .ok_or_else(|| fail("this field is not known"))?;
        let f = &self.form.fields[id];
        let all_rows = r.segments.iter().any(|s| s.all);
        let top_repeat = f
            .parent
            .is_some_and(|p| self.form.fields[p].parent.is_none());
        if f.kind == FieldType::Repeat {
            return Err(fail(
                "a repeat has no single text; map `count(…)` of it, or a field of its rows with `[*]`",
            ));
        }
        if f.parent.is_some() && !(all_rows && top_repeat) {
            return Err(fail(
                "a mapping reads a repeat's rows only as `repeat[*].field` of a repeat that is not inside another",
            ));
        }
        let (xpath, item) = self
            .paths
            .get(&id)
            .cloned()
            .ok_or_else(|| fail("this field is not part of the submission"))?;
        let show = match (f.kind, item) {
            (_, Some(item)) => Show::List {
                item,
                choices: choices(self.form, id),
            },
            (FieldType::Choice, None) => Show::Choice(choices(self.form, id)),
            (FieldType::YesNo | FieldType::Consent, None) => Show::YesNo,
            (FieldType::Computed, None) if f.computed_type == Some(crate::expr::Type::Bool) => {
                Show::YesNo
            }
            (FieldType::File, None) => Show::File,
            (FieldType::Position, None) => Show::Position,
            _ => Show::Plain,
        };
        let show = if f.parent.is_some() {
            if matches!(show, Show::List { .. } | Show::Position) {
                return Err(fail(
                    "a list or a position in a repeat's rows cannot be mapped",
                ));
            }
            Show::Rows(Box::new(show))
        } else {
            show
        };
        Ok(FieldRef { id, xpath, show })
    }

    pub fn text(&self, e: &Expr) -> Result<Tx, Untranslatable> {
        match &e.kind {
            ExprKind::Text(s) => Ok(Tx::Lit(safe(s))),
            ExprKind::Number(n) => Ok(Tx::Lit(fmt_number(*n))),
            ExprKind::Date(d) => Ok(Tx::Lit(fmt_date(*d))),
            ExprKind::Bool(b) => Ok(Tx::Lit(if *b { "Ja" } else { "Nej" }.into())),
            ExprKind::Ref(_) => Ok(Tx::Field(self.field(e)?)),
            ExprKind::Binary(BinOp::Add, a, b) if self.is_text(a) && self.is_text(b) => {
                let mut parts = Vec::new();
                for side in [a, b] {
                    match self.text(side)? {
                        Tx::Concat(inner) => parts.extend(inner),
                        t => parts.push(t),
                    }
                }
                Ok(Tx::Concat(parts))
            }
            ExprKind::Call(c) if c.name == "count" && c.args.len() == 1 => {
                let arg = &c.args[0];
                let repeat = match &arg.kind {
                    ExprKind::Ref(r) if !r.segments.iter().any(|s| s.all) => r
                        .resolved
                        .as_deref()
                        .and_then(|p| self.form.field(p))
                        .filter(|&id| {
                            let f = &self.form.fields[id];
                            f.kind == FieldType::Repeat && f.parent.is_none()
                        }),
                    _ => None,
                };
                let id = repeat.ok_or_else(|| Untranslatable {
                    span: arg.span,
                    why: "a mapping can count the rows of a repeat: `count(repeat)`".into(),
                })?;
                let (path, item) = self.paths.get(&id).cloned().ok_or_else(|| Untranslatable {
                    span: arg.span,
                    why: "this repeat is not part of the submission".into(),
                })?;
                Ok(Tx::Count(id, format!("{path}/s:{}", item.unwrap_or_default())))
            }
            ExprKind::Call(c) if c.name == "sum" && c.args.len() == 1 => {
                let arg = &c.args[0];
                let f = self.field(arg)?;
                let numeric = matches!(
                    self.form.fields[f.id].kind,
                    FieldType::Integer | FieldType::Decimal | FieldType::Money
                );
                if !matches!(f.show, Show::Rows(_)) || !numeric {
                    return Err(Untranslatable {
                        span: arg.span,
                        why: "a mapping can sum a number field of a repeat's rows: `sum(repeat[*].field)`".into(),
                    });
                }
                Ok(Tx::Sum(f.id, f.xpath))
            }
            ExprKind::Call(c) if c.name == "if" && c.args.len() == 3 => Ok(Tx::If(
                Box::new(self.cond(&c.args[0])?),
                Box::new(self.text(&c.args[1])?),
                Box::new(self.text(&c.args[2])?),
            )),
            // A condition where a text is wanted reads as `Ja` or `Nej`, as a yes/no answer does.
            ExprKind::Binary(
                BinOp::Eq
                | BinOp::Ne
                | BinOp::In
                | BinOp::And
                | BinOp::Or,
                ..,
            )
            | ExprKind::Unary(UnOp::Not, _) => Ok(Tx::If(
                Box::new(self.cond(e)?),
                Box::new(Tx::Lit("Ja".into())),
                Box::new(Tx::Lit("Nej".into())),
            )),
            ExprKind::Call(c) if c.name == "answered" => Ok(Tx::If(
                Box::new(self.cond(e)?),
                Box::new(Tx::Lit("Ja".into())),
                Box::new(Tx::Lit("Nej".into())),
            )),
            ExprKind::Binary(BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div, ..) => {
                Err(Untranslatable {
                    span: e.span,
                    why: "arithmetic in a mapping cannot be carried into XSLT 1.0 exactly; compute it in a `computed` field and map that field".into(),
                })
            }
            ExprKind::Call(c) => Err(Untranslatable {
                span: c.name_span,
                why: format!(
                    "`{}(…)` cannot be used in a mapping; a mapping can use fields, text, `+` between texts, `if(…)` and `answered(…)`",
                    c.name
                ),
            }),
            _ => Err(Untranslatable {
                span: e.span,
                why: "this kind of expression gives no text a case system can take".into(),
            }),
        }
    }

    /// Whether `+` on this is joining texts (not adding numbers).
    fn is_text(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Text(_) => true,
            ExprKind::Ref(r) => r
                .resolved
                .as_deref()
                .and_then(|p| self.form.field(p))
                .is_some_and(|id| {
                    let f = &self.form.fields[id];
                    match f.kind {
                        FieldType::Integer | FieldType::Decimal | FieldType::Money => false,
                        FieldType::Computed => f.computed_type == Some(crate::expr::Type::Text),
                        _ => true,
                    }
                }),
            ExprKind::Binary(BinOp::Add, a, b) => self.is_text(a) && self.is_text(b),
            ExprKind::Call(c) if c.name == "if" && c.args.len() == 3 => {
                self.is_text(&c.args[1]) && self.is_text(&c.args[2])
            }
            _ => false,
        }
    }

    fn operand(&self, e: &Expr) -> Result<Operand, Untranslatable> {
        match &e.kind {
            ExprKind::Text(s) => Ok(Operand::Lit(safe(s))),
            ExprKind::Number(n) => Ok(Operand::Lit(fmt_number(*n))),
            ExprKind::Date(d) => Ok(Operand::Lit(fmt_date(*d))),
            ExprKind::Bool(b) => Ok(Operand::Lit(b.to_string())),
            ExprKind::Ref(_) => {
                let f = self.field(e)?;
                if matches!(
                    f.show,
                    Show::List { .. } | Show::File | Show::Position | Show::Rows(_)
                ) {
                    return Err(Untranslatable {
                        span: e.span,
                        why: "a list or a file cannot be compared; use `\"value\" in field`".into(),
                    });
                }
                Ok(Operand::Raw(f))
            }
            _ => Err(Untranslatable {
                span: e.span,
                why: "a comparison in a mapping compares a field with a value".into(),
            }),
        }
    }

    pub fn cond(&self, e: &Expr) -> Result<Cond, Untranslatable> {
        let b = Box::new;
        match &e.kind {
            ExprKind::Bool(v) => Ok(Cond::Lit(*v)),
            ExprKind::Ref(_) => Ok(Cond::Yes(self.field(e)?)),
            ExprKind::Unary(UnOp::Not, x) => Ok(Cond::Not(b(self.cond(x)?))),
            ExprKind::Binary(BinOp::And, x, y) => Ok(Cond::And(b(self.cond(x)?), b(self.cond(y)?))),
            ExprKind::Binary(BinOp::Or, x, y) => Ok(Cond::Or(b(self.cond(x)?), b(self.cond(y)?))),
            ExprKind::Binary(op @ (BinOp::Eq | BinOp::Ne), x, y) => Ok(Cond::Eq(
                self.operand(x)?,
                self.operand(y)?,
                *op == BinOp::Ne,
            )),
            ExprKind::Binary(BinOp::In, x, y) => match (&x.kind, &y.kind) {
                (ExprKind::Ref(_), ExprKind::List(items)) => {
                    let lits = items
                        .iter()
                        .map(|i| match self.operand(i)? {
                            Operand::Lit(s) => Ok(s),
                            Operand::Raw(_) => Err(Untranslatable {
                                span: i.span,
                                why: "the list after `in` must hold values, not fields".into(),
                            }),
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(Cond::In(self.field(x)?, lits))
                }
                (_, ExprKind::Ref(_)) => match self.operand(x)? {
                    Operand::Lit(s) => Ok(Cond::In(self.field(y)?, vec![s])),
                    Operand::Raw(_) => Err(Untranslatable {
                        span: x.span,
                        why: "write a value before `in`".into(),
                    }),
                },
                _ => Err(Untranslatable {
                    span: e.span,
                    why: "`in` in a mapping takes a field and a list of values".into(),
                }),
            },
            ExprKind::Call(c) if c.name == "answered" && c.args.len() == 1 => {
                Ok(Cond::Answered(self.field(&c.args[0])?))
            }
            ExprKind::Call(c) => Err(Untranslatable {
                span: c.name_span,
                why: format!(
                    "`{}(…)` cannot be used in a mapping's condition; use `==`, `!=`, `in`, `answered(…)`, `and`, `or`, `not`",
                    c.name
                ),
            }),
            _ => Err(Untranslatable {
                span: e.span,
                why: "this condition cannot be carried into XSLT 1.0; use `==`, `!=`, `in`, `answered(…)`, `and`, `or`, `not`".into(),
            }),
        }
    }
}

// ---- native evaluation over the submission's leaves ----

pub(crate) type Leaves = BTreeMap<FieldId, Leaf>;

/// What the native mapper reads: the top-level answers and the repeats' rows.
pub(crate) struct Data {
    pub leaves: Leaves,
    pub rows: crate::backend::submission::Rows,
}

fn raw(leaves: &Leaves, f: &FieldRef) -> String {
    match leaves.get(&f.id) {
        Some(Leaf::Text(t)) => t.clone(),
        _ => String::new(),
    }
}

fn label<'a>(choices: &'a [(String, String)], v: &'a str) -> &'a str {
    choices
        .iter()
        .find(|(value, _)| value == v)
        .map(|(_, l)| l.as_str())
        .unwrap_or(v)
}

/// A number as `format-number(n, '0.##########')` writes it: at most ten decimals.
pub(crate) fn fmt_sum(n: f64) -> String {
    let r = (n * 1e10).round() / 1e10;
    if r.is_finite() {
        fmt_number(r)
    } else {
        "NaN".into()
    }
}

fn show_leaf(show: &Show, leaf: &Leaf, out: &mut String) {
    match (show, leaf) {
        (Show::List { choices, .. }, Leaf::List(items)) => {
            let shown: Vec<&str> = items.iter().map(|v| label(choices, v)).collect();
            out.push_str(&shown.join(", "));
        }
        (Show::Choice(choices), Leaf::Text(v)) => out.push_str(label(choices, v)),
        (Show::YesNo, Leaf::Text(v)) => out.push_str(match v.as_str() {
            "true" => "Ja",
            "false" => "Nej",
            other => other,
        }),
        (Show::File, Leaf::File { name, .. }) => out.push_str(name),
        (Show::Position, Leaf::Position(lat, lon)) => {
            out.push_str(lat);
            out.push_str(", ");
            out.push_str(lon);
        }
        (_, Leaf::Text(v)) => out.push_str(v),
        _ => {}
    }
}

pub(crate) fn eval_text(t: &Tx, data: &Data, out: &mut String) {
    match t {
        Tx::Lit(s) => out.push_str(s),
        Tx::Concat(parts) => parts.iter().for_each(|p| eval_text(p, data, out)),
        Tx::If(c, a, b) => {
            if eval_cond(c, &data.leaves) {
                eval_text(a, data, out)
            } else {
                eval_text(b, data, out)
            }
        }
        Tx::Count(id, _) => {
            out.push_str(&data.rows.count.get(id).copied().unwrap_or(0).to_string())
        }
        Tx::Sum(id, _) => {
            let total: f64 = data
                .rows
                .values
                .get(id)
                .into_iter()
                .flatten()
                .map(|l| match l {
                    Leaf::Text(t) => t.parse::<f64>().unwrap_or(f64::NAN),
                    _ => f64::NAN,
                })
                .sum();
            out.push_str(&fmt_sum(total));
        }
        Tx::Field(f) => match &f.show {
            Show::Rows(inner) => {
                let values = data.rows.values.get(&f.id).into_iter().flatten();
                for (i, leaf) in values.enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    show_leaf(inner, leaf, out);
                }
            }
            show => {
                if let Some(leaf) = data.leaves.get(&f.id) {
                    show_leaf(show, leaf, out)
                }
            }
        },
    }
}

pub(crate) fn eval_cond(c: &Cond, leaves: &Leaves) -> bool {
    let side = |o: &Operand| match o {
        Operand::Lit(s) => s.clone(),
        Operand::Raw(f) => raw(leaves, f),
    };
    match c {
        Cond::Lit(b) => *b,
        Cond::Yes(f) => raw(leaves, f) == "true",
        Cond::Eq(a, b, negate) => (side(a) == side(b)) != *negate,
        Cond::Answered(f) => leaves.contains_key(&f.id),
        Cond::In(f, values) => match leaves.get(&f.id) {
            Some(Leaf::List(items)) => items.iter().any(|i| values.contains(i)),
            Some(Leaf::Text(t)) => values.contains(t),
            _ => false,
        },
        Cond::Not(x) => !eval_cond(x, leaves),
        Cond::And(x, y) => eval_cond(x, leaves) && eval_cond(y, leaves),
        Cond::Or(x, y) => eval_cond(x, leaves) || eval_cond(y, leaves),
    }
}

// ---- XSLT ----

/// A string literal in XPath 1.0, which has no escapes: quotes of the other kind, or `concat`.
pub(crate) fn xpath_lit(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// XML text escaping for content written into the stylesheet.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\r' => o.push_str("&#13;"),
            '\n' => o.push_str("&#10;"),
            '\t' => o.push_str("&#9;"),
            c => o.push(c),
        }
    }
    o
}

/// The instructions that write `t` as text.
pub(crate) fn xslt_text(t: &Tx, out: &mut String) {
    match t {
        Tx::Lit(s) if s.is_empty() => {}
        Tx::Lit(s) => out.push_str(&format!("<xsl:text>{}</xsl:text>", esc(s))),
        Tx::Concat(parts) => parts.iter().for_each(|p| xslt_text(p, out)),
        Tx::If(c, a, b) => {
            out.push_str(&format!(
                "<xsl:choose><xsl:when test=\"{}\">",
                esc(&xpath_cond(c))
            ));
            xslt_text(a, out);
            out.push_str("</xsl:when><xsl:otherwise>");
            xslt_text(b, out);
            out.push_str("</xsl:otherwise></xsl:choose>");
        }
        Tx::Count(_, rows) => out.push_str(&format!("<xsl:value-of select=\"count({rows})\"/>")),
        Tx::Sum(_, values) => out.push_str(&format!(
            "<xsl:value-of select=\"format-number(sum({values}), '0.##########')\"/>"
        )),
        Tx::Field(f) => match &f.show {
            Show::Rows(inner) => {
                out.push_str(&format!(
                    "<xsl:for-each select=\"{}\"><xsl:if test=\"position() &gt; 1\"><xsl:text>, </xsl:text></xsl:if>",
                    f.xpath
                ));
                xslt_show(inner, ".", out);
                out.push_str("</xsl:for-each>");
            }
            show => xslt_show(show, &f.xpath, out),
        },
    }
}

/// One value at `node` as its show says.
fn xslt_show(show: &Show, node: &str, out: &mut String) {
    match show {
        Show::Plain | Show::Rows(_) => {
            out.push_str(&format!("<xsl:value-of select=\"{node}\"/>"))
        }
        Show::File => out.push_str(&format!("<xsl:value-of select=\"{node}/s:name\"/>")),
        Show::Position => out.push_str(&format!(
            "<xsl:if test=\"{node}\"><xsl:value-of select=\"concat({node}/s:lat, ', ', {node}/s:lon)\"/></xsl:if>"
        )),
        Show::YesNo => out.push_str(&labels(
            node,
            &[("true".into(), "Ja".into()), ("false".into(), "Nej".into())],
            None,
        )),
        Show::Choice(choices) => out.push_str(&labels(node, choices, None)),
        Show::List { item, choices } => {
            out.push_str(&format!(
                "<xsl:for-each select=\"{node}/s:{item}\"><xsl:if test=\"position() &gt; 1\"><xsl:text>, </xsl:text></xsl:if>"
            ));
            out.push_str(&labels(".", choices, None));
            out.push_str("</xsl:for-each>");
        }
    }
}

/// A value shown by its label: a `choose` over the choices, the value itself otherwise.
fn labels(ctx: &str, choices: &[(String, String)], at: Option<&str>) -> String {
    let node = at.unwrap_or(ctx);
    let mut s = String::from("<xsl:choose>");
    for (v, l) in choices {
        s.push_str(&format!(
            "<xsl:when test=\"{} = {}\"><xsl:text>{}</xsl:text></xsl:when>",
            node,
            esc(&xpath_lit(v)),
            esc(l)
        ));
    }
    s.push_str(&format!(
        "<xsl:otherwise><xsl:value-of select=\"{node}\"/></xsl:otherwise></xsl:choose>"
    ));
    s
}

/// A condition as an XPath 1.0 boolean expression (not yet escaped for an attribute).
pub(crate) fn xpath_cond(c: &Cond) -> String {
    let side = |o: &Operand| match o {
        Operand::Lit(s) => xpath_lit(s),
        Operand::Raw(f) => format!("string({})", f.xpath),
    };
    match c {
        Cond::Lit(true) => "true()".into(),
        Cond::Lit(false) => "false()".into(),
        Cond::Yes(f) => format!("string({}) = 'true'", f.xpath),
        Cond::Eq(a, b, false) => format!("{} = {}", side(a), side(b)),
        Cond::Eq(a, b, true) => format!("{} != {}", side(a), side(b)),
        Cond::Answered(f) => format!("boolean({})", f.xpath),
        Cond::In(f, values) => {
            let node = match &f.show {
                Show::List { item, .. } => format!("{}/s:{item}", f.xpath),
                _ => f.xpath.clone(),
            };
            if values.is_empty() {
                return "false()".into();
            }
            let tests: Vec<String> = values
                .iter()
                .map(|v| format!("{node} = {}", xpath_lit(v)))
                .collect();
            format!("({})", tests.join(" or "))
        }
        Cond::Not(x) => format!("not({})", xpath_cond(x)),
        Cond::And(x, y) => format!("({}) and ({})", xpath_cond(x), xpath_cond(y)),
        Cond::Or(x, y) => format!("({}) or ({})", xpath_cond(x), xpath_cond(y)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xpath_literals_take_either_quote_and_both() {
        assert_eq!(xpath_lit("abc"), "'abc'");
        assert_eq!(xpath_lit("it's"), "\"it's\"");
        assert_eq!(xpath_lit("a'b\"c"), "concat('a', \"'\", 'b\"c')");
    }

    #[test]
    fn sums_read_as_format_number_writes_them() {
        assert_eq!(fmt_sum(0.1 + 0.2), "0.3");
        assert_eq!(fmt_sum(15.0), "15");
        assert_eq!(fmt_sum(1234567.425), "1234567.425");
        assert_eq!(fmt_sum(0.0), "0");
    }
}
