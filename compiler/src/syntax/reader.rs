//! Reading YAML maps key by key while collecting every problem.
//!
//! A lowering function asks an [`Obj`] for each key its kind of map may have; whatever keys
//! remain unasked at [`Obj::finish`] are unknown, and the asked ones are the did-you-mean
//! candidates. So the list of valid keys lives in one place: the code that reads them.

use super::model::Sp;
use super::yaml::{Key, Node, NodeKind};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::source::Span;
use std::cell::RefCell;

/// One file being lowered: its text and the problems found so far.
pub struct Ctx<'a> {
    pub source: &'a str,
    diags: RefCell<Vec<Diagnostic>>,
}

impl<'a> Ctx<'a> {
    pub fn new(source: &'a str) -> Self {
        Ctx {
            source,
            diags: RefCell::new(Vec::new()),
        }
    }
    pub fn report(&self, d: Diagnostic) {
        self.diags.borrow_mut().push(d);
    }
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diags.into_inner()
    }

    /// A map, or an error saying what was expected instead.
    pub fn obj<'n>(&'n self, node: &'n Node, what: &'static str) -> Option<Obj<'n>> {
        match &node.kind {
            NodeKind::Map(entries) => Some(Obj {
                ctx: self,
                node,
                entries,
                what,
                asked: RefCell::new(Vec::new()),
            }),
            _ => {
                self.report(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("expected {what} as a map, found {}", node.kind_name()),
                    )
                    .at(
                        node.span,
                        format!("this should be a map of `key: value` lines for {what}"),
                    ),
                );
                None
            }
        }
    }

    pub fn text_of(&self, node: &Node, key: &str) -> Option<Sp<String>> {
        match node.scalar_text(self.source) {
            Some(s) => Some(Sp::new(s, node.span)),
            None => {
                self.report(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("`{key}` must be text, not {}", node.kind_name()),
                    )
                    .at(node.span, "expected text here"),
                );
                None
            }
        }
    }

    pub fn seq_of<'n>(&self, node: &'n Node, key: &str) -> Option<&'n [Node]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            NodeKind::Null => Some(&[]),
            _ => {
                self.report(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("`{key}` must be a list, not {}", node.kind_name()),
                    )
                    .at(node.span, "expected a list here")
                    .help("write each item on its own line starting with `- `"),
                );
                None
            }
        }
    }
}

/// A YAML map being read.
pub struct Obj<'n> {
    pub ctx: &'n Ctx<'n>,
    pub node: &'n Node,
    entries: &'n [(Key, Node)],
    what: &'static str,
    asked: RefCell<Vec<&'static str>>,
}

impl<'n> Obj<'n> {
    /// Where to point when the map as a whole is meant: its first key.
    pub fn head(&self) -> Span {
        self.entries
            .first()
            .map(|(k, _)| k.span)
            .unwrap_or(self.node.span)
    }

    /// The same map, named differently in messages (a field that turned out to be a `use`).
    pub fn rename(self, what: &'static str) -> Self {
        Obj { what, ..self }
    }

    pub fn has(&self, key: &'static str) -> bool {
        self.entries.iter().any(|(k, _)| k.name == key)
    }

    pub fn get(&self, key: &'static str) -> Option<&'n Node> {
        self.asked.borrow_mut().push(key);
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(k, _)| k.span)
    }

    /// A key that must be present.
    pub fn req(&self, key: &'static str) -> Option<&'n Node> {
        let node = self.get(key);
        if node.is_none() {
            self.ctx.report(
                Diagnostic::error(Code::MissingKey, format!("{} has no `{key}`", self.named()))
                    .at(self.head(), format!("`{key}` is missing in this map"))
                    .help(format!("add a line `{key}: …` to {}", self.what)),
            );
        }
        node
    }

    /// "the field `namn`" for "a field" with `id: namn`, so the author knows which one.
    fn named(&self) -> String {
        let id = self
            .entries
            .iter()
            .find(|(k, _)| k.name == "id")
            .and_then(|(_, v)| v.scalar_text(self.ctx.source));
        match (self.what.strip_prefix("a "), id) {
            (Some(kind), Some(id)) => format!("the {kind} `{id}`"),
            _ => self.what.to_string(),
        }
    }

    pub fn str(&self, key: &'static str) -> Option<Sp<String>> {
        self.get(key).and_then(|n| self.ctx.text_of(n, key))
    }

    pub fn req_str(&self, key: &'static str) -> Option<Sp<String>> {
        self.req(key).and_then(|n| self.ctx.text_of(n, key))
    }

    pub fn bool(&self, key: &'static str) -> Option<Sp<bool>> {
        let n = self.get(key)?;
        match n.kind {
            NodeKind::Bool(b) => Some(Sp::new(b, n.span)),
            _ => {
                let hint = match n.scalar_text(self.ctx.source).as_deref() {
                    Some("yes" | "ja" | "on" | "y") => "write `true`",
                    Some("no" | "nej" | "off" | "n") => "write `false`",
                    _ => "write `true` or `false`",
                };
                self.ctx.report(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("`{key}` must be true or false, not {}", n.kind_name()),
                    )
                    .at(n.span, "expected `true` or `false`")
                    .help(hint),
                );
                None
            }
        }
    }

    pub fn num(&self, key: &'static str) -> Option<Sp<f64>> {
        let n = self.get(key)?;
        match n.kind {
            NodeKind::Int(i) => Some(Sp::new(i as f64, n.span)),
            NodeKind::Float(f) if f.is_finite() => Some(Sp::new(f, n.span)),
            _ => {
                self.ctx.report(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("`{key}` must be a number, not {}", n.kind_name()),
                    )
                    .at(n.span, "expected a number")
                    .help("write the number without quotes, with a decimal point: `12.5`"),
                );
                None
            }
        }
    }

    pub fn int(&self, key: &'static str) -> Option<Sp<i64>> {
        let n = self.get(key)?;
        match n.kind {
            NodeKind::Int(i) => Some(Sp::new(i, n.span)),
            _ => {
                self.ctx.report(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("`{key}` must be a whole number, not {}", n.kind_name()),
                    )
                    .at(n.span, "expected a whole number")
                    .help("write a whole number without quotes, e.g. `10`"),
                );
                None
            }
        }
    }

    pub fn seq(&self, key: &'static str) -> Option<&'n [Node]> {
        self.get(key).and_then(|n| self.ctx.seq_of(n, key))
    }

    /// Reports every key that was never asked for.
    pub fn finish(&self) {
        let asked = self.asked.borrow();
        for (key, _) in self.entries {
            if !asked.contains(&key.name.as_str()) {
                let mut d = Diagnostic::error(
                    Code::UnknownKey,
                    format!("unknown key `{}` in {}", key.name, self.what),
                )
                .at(key.span, "not a key here");
                d = match did_you_mean(&key.name, asked.iter().copied()) {
                    Some(h) => d.help(h),
                    None => {
                        let mut keys: Vec<&str> = asked.to_vec();
                        keys.sort();
                        keys.dedup();
                        d.help(format!("{} has these keys: {}", self.what, keys.join(", ")))
                    }
                };
                self.ctx.report(d);
            }
        }
    }
}
