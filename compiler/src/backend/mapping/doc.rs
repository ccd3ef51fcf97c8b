//! A target document described once and written two ways: filled in natively, or as an XSLT
//! 1.0 stylesheet that fills it in from the submission XML. Both walk the same tree, so the
//! element structure of the two outputs cannot differ.

use super::expr::{esc, xpath_lit, xslt_text, Tx};
use super::Envelope;
use crate::backend::submission::Leaf;

/// A value in the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    Lit(String),
    /// One of the document's texts (a template), by index.
    Slot(usize),
    Param(Param),
    /// A property of the attachment in a [`Node::Files`] loop.
    File(FileProp),
    Concat(Vec<V>),
    /// The text when the value is not empty, else nothing.
    IfSet(Box<V>, String),
    /// The value without `-` and `+`: an id number as FGS 1.x writes it.
    Digits(Box<V>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Param {
    Reference,
    Submitted,
    /// The submission time as local time without offset (`YYYY-MM-DDThh:mm:ss`): the first
    /// 19 characters of `submitted`.
    SubmittedLocal,
    PersonName,
    PersonId,
}

impl Param {
    pub fn name(self) -> &'static str {
        match self {
            Param::Reference => "reference",
            Param::Submitted | Param::SubmittedLocal => "submitted",
            Param::PersonName => "person_name",
            Param::PersonId => "person_id",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum FileProp {
    Name,
    Mime,
    Size,
    Sha256,
    /// Where the file lies in the delivery: `bilagor/<instance path>/<name>`.
    Path,
    /// The document's heading (`rubrik`) or the field's label.
    Description,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    El(&'static str, Vec<(&'static str, V)>, Vec<Node>),
    Text(V),
    /// The children only when one of the values is not empty.
    When(Vec<V>, Vec<Node>),
    /// The first children whose values are not all empty; the last when none is.
    Choose(Vec<(Vec<V>, Vec<Node>)>, Vec<Node>),
    /// The children once per attached file, in document order.
    Files(Vec<Node>),
}

/// How an attached file is described: tested in order against its instance path.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Describe {
    /// The field path, or for a repeat's child the path without digits, with `[]` per row.
    pub key: String,
    /// Compare the instance path with its digits removed.
    pub in_repeat: bool,
    pub text: String,
}

pub(crate) struct Doc {
    pub root: Node,
    pub slots: Vec<Vec<Tx>>,
    pub describe: Vec<Describe>,
    /// The root element's namespace and any `xsi:schemaLocation`.
    pub namespace: &'static str,
    pub schema_location: Option<&'static str>,
}

fn without_digits(s: &str) -> String {
    s.chars().filter(|c| !c.is_ascii_digit()).collect()
}

pub(crate) struct FileCtx<'a> {
    pub path: &'a str,
    pub leaf: &'a Leaf,
    pub sha256: Option<&'a str>,
}

// ---- native ----

pub(crate) struct Native<'a> {
    pub doc: &'a Doc,
    pub slots: Vec<String>,
    pub env: &'a Envelope,
    pub files: Vec<FileCtx<'a>>,
}

/// Text as it will read back from XML: what XML cannot hold becomes U+FFFD.
fn clean(s: &str) -> String {
    crate::backend::submission::xml_safe(s)
}

impl Native<'_> {
    fn value(&self, v: &V, file: Option<&FileCtx>) -> String {
        match v {
            V::Lit(s) => s.clone(),
            V::Slot(i) => self.slots.get(*i).cloned().unwrap_or_default(),
            V::Param(p) => clean(&match p {
                Param::Reference => self.env.reference.clone(),
                Param::Submitted => self.env.submitted_text(),
                Param::SubmittedLocal => self.env.submitted_text().chars().take(19).collect(),
                Param::PersonName => self
                    .env
                    .person
                    .as_ref()
                    .map_or(String::new(), |p| p.name.clone()),
                Param::PersonId => self
                    .env
                    .person
                    .as_ref()
                    .map_or(String::new(), |p| p.personnummer.clone()),
            }),
            V::File(prop) => file.map_or_else(String::new, |f| self.file_prop(*prop, f)),
            V::Concat(vs) => vs.iter().map(|v| self.value(v, file)).collect(),
            V::Digits(v) => self
                .value(v, file)
                .chars()
                .filter(|c| *c != '-' && *c != '+')
                .collect(),
            V::IfSet(test, text) => {
                if self.value(test, file).is_empty() {
                    String::new()
                } else {
                    text.clone()
                }
            }
        }
    }

    fn file_prop(&self, prop: FileProp, f: &FileCtx) -> String {
        let Leaf::File { name, size, mime } = f.leaf else {
            return String::new();
        };
        match prop {
            FileProp::Name => name.clone(),
            FileProp::Mime => mime.clone(),
            FileProp::Size => size.to_string(),
            FileProp::Sha256 => clean(f.sha256.unwrap_or("")),
            FileProp::Path => format!("bilagor/{}/{}", f.path, name),
            FileProp::Description => self
                .doc
                .describe
                .iter()
                .find(|d| {
                    if d.in_repeat {
                        without_digits(f.path) == d.key
                    } else {
                        f.path == d.key
                    }
                })
                .map(|d| d.text.clone())
                .unwrap_or_default(),
        }
    }

    pub fn write(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        self.node(&self.doc.root, None, 0, true, &mut out);
        out.push('\n');
        out
    }

    fn node(&self, n: &Node, file: Option<&FileCtx>, depth: usize, root: bool, out: &mut String) {
        match n {
            Node::El(name, attrs, children) => {
                out.push('\n');
                out.push_str(&"  ".repeat(depth));
                out.push('<');
                out.push_str(name);
                if root {
                    out.push_str(&format!(" xmlns=\"{}\"", self.doc.namespace));
                    if let Some(loc) = self.doc.schema_location {
                        out.push_str(&format!(
                            " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{} {loc}\"",
                            self.doc.namespace
                        ));
                    }
                }
                for (k, v) in attrs {
                    let value = self.value(v, file);
                    // A computed attribute is left out when empty, as the stylesheet does.
                    if matches!(v, V::Lit(_)) || !value.is_empty() {
                        out.push_str(&format!(" {k}=\"{}\"", esc(&value)));
                    }
                }
                if children.is_empty() {
                    out.push_str("/>");
                    return;
                }
                out.push('>');
                let mut inner = String::new();
                for c in children {
                    self.node(c, file, depth + 1, false, &mut inner);
                }
                let element_only = inner.starts_with('\n');
                out.push_str(&inner);
                if element_only {
                    out.push('\n');
                    out.push_str(&"  ".repeat(depth));
                }
                out.push_str(&format!("</{name}>"));
            }
            Node::Text(v) => out.push_str(&text_esc(&self.value(v, file))),
            Node::When(vs, children) => {
                if vs.iter().any(|v| !self.value(v, file).is_empty()) {
                    for c in children {
                        self.node(c, file, depth, false, out);
                    }
                }
            }
            Node::Choose(alts, otherwise) => {
                let chosen = alts
                    .iter()
                    .find(|(vs, _)| vs.iter().any(|v| !self.value(v, file).is_empty()))
                    .map_or(otherwise, |(_, c)| c);
                for c in chosen {
                    self.node(c, file, depth, false, out);
                }
            }
            Node::Files(children) => {
                for f in &self.files {
                    for c in children {
                        self.node(c, Some(f), depth, false, out);
                    }
                }
            }
        }
    }
}

/// Content escaping that reads back exactly: `\r` as a reference, as the submission writes it.
fn text_esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\r', "&#13;")
}

// ---- XSLT ----

pub(crate) fn xslt(doc: &Doc, submission_ns: &str, generator: &str) -> String {
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!("<!-- {generator} -->\n"));
    s.push_str(&format!(
        "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" xmlns:s=\"{}\" exclude-result-prefixes=\"s\">\n",
        esc(submission_ns)
    ));
    s.push_str("  <xsl:output method=\"xml\" encoding=\"UTF-8\" indent=\"no\"/>\n");
    s.push_str("  <!-- The envelope, given by the caller as string parameters. -->\n");
    for p in [
        Param::Reference,
        Param::Submitted,
        Param::PersonName,
        Param::PersonId,
    ] {
        s.push_str(&format!(
            "  <xsl:param name=\"{}\" select=\"''\"/>\n",
            p.name()
        ));
    }
    s.push_str(
        "  <!-- Attachments' SHA-256 sums: `<instance path>=<hex>` separated by spaces. -->\n",
    );
    s.push_str("  <xsl:param name=\"checksums\" select=\"''\"/>\n");
    for (i, slot) in doc.slots.iter().enumerate() {
        s.push_str(&format!("  <xsl:variable name=\"t{i}\">"));
        for t in slot {
            xslt_text(t, &mut s);
        }
        s.push_str("</xsl:variable>\n");
    }
    s.push_str("  <xsl:template match=\"/\">\n");
    let mut body = String::new();
    xnode(doc, &doc.root, true, &mut body);
    s.push_str("    ");
    s.push_str(&body);
    s.push_str("\n  </xsl:template>\n</xsl:stylesheet>\n");
    // One instruction a line. Whitespace-only text in a stylesheet is not output (XSLT 1.0
    // §3.4), and `><` occurs only between tags: text and attributes escape `<` and `>`.
    s.replace("><", ">\n<")
}

fn xvalue(v: &V) -> String {
    match v {
        V::Lit(s) => xpath_lit(s),
        V::Slot(i) => format!("string($t{i})"),
        V::Param(Param::SubmittedLocal) => "substring($submitted, 1, 19)".into(),
        V::Param(p) => format!("${}", p.name()),
        V::File(prop) => match prop {
            FileProp::Name => "string(s:name)".into(),
            FileProp::Mime => "string(s:type)".into(),
            FileProp::Size => "string(s:size)".into(),
            FileProp::Sha256 => "substring-before(substring-after(concat(' ', $checksums, ' '), concat(' ', @id, '=')), ' ')".into(),
            FileProp::Path => "concat('bilagor/', @id, '/', s:name)".into(),
            FileProp::Description => "string($description)".into(),
        },
        V::Concat(vs) => match vs.len() {
            0 => "''".into(),
            1 => format!("string({})", xvalue(&vs[0])),
            _ => format!(
                "concat({})",
                vs.iter().map(xvalue).collect::<Vec<_>>().join(", ")
            ),
        },
        V::Digits(v) => format!("translate({}, '-+', '')", xvalue(v)),
        V::IfSet(test, text) => format!(
            "substring({}, 1 div (string-length({}) > 0))",
            xpath_lit(text),
            xvalue(test)
        ),
    }
}

fn uses_description(n: &Node) -> bool {
    match n {
        Node::El(_, attrs, children) => {
            attrs
                .iter()
                .any(|(_, v)| *v == V::File(FileProp::Description))
                || children.iter().any(uses_description)
        }
        Node::Text(v) => *v == V::File(FileProp::Description),
        Node::When(vs, c) => {
            vs.contains(&V::File(FileProp::Description)) || c.iter().any(uses_description)
        }
        Node::Choose(alts, o) => {
            alts.iter().any(|(_, c)| c.iter().any(uses_description))
                || o.iter().any(uses_description)
        }
        Node::Files(c) => c.iter().any(uses_description),
    }
}

fn nonempty(vs: &[V]) -> String {
    let tests: Vec<String> = vs
        .iter()
        .map(|v| format!("string-length({}) > 0", xvalue(v)))
        .collect();
    tests.join(" or ")
}

fn xnode(doc: &Doc, n: &Node, root: bool, out: &mut String) {
    match n {
        Node::El(name, attrs, children) => {
            out.push('<');
            out.push_str(name);
            if root {
                out.push_str(&format!(" xmlns=\"{}\"", doc.namespace));
                if let Some(loc) = doc.schema_location {
                    out.push_str(&format!(
                        " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{} {loc}\"",
                        doc.namespace
                    ));
                }
            }
            let mut dynamic = Vec::new();
            for (k, v) in attrs {
                match v {
                    V::Lit(s) => out.push_str(&format!(" {k}=\"{}\"", esc(s))),
                    v => dynamic.push((k, v)),
                }
            }
            out.push('>');
            for (k, v) in dynamic {
                let x = esc(&xvalue(v));
                out.push_str(&format!(
                    "<xsl:if test=\"string-length({x}) &gt; 0\"><xsl:attribute name=\"{k}\"><xsl:value-of select=\"{x}\"/></xsl:attribute></xsl:if>"
                ));
            }
            for c in children {
                xnode(doc, c, false, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        // An empty `xsl:text` would get a line break inside from the one-instruction-a-line layout.
        Node::Text(V::Lit(t)) if t.is_empty() => {}
        Node::Text(V::Lit(t)) => out.push_str(&format!("<xsl:text>{}</xsl:text>", esc(t))),
        Node::Text(v) => out.push_str(&format!("<xsl:value-of select=\"{}\"/>", esc(&xvalue(v)))),
        // Nothing can make an empty list of values non-empty.
        Node::When(vs, _) if vs.is_empty() => {}
        Node::Choose(alts, otherwise) if alts.is_empty() => {
            for c in otherwise {
                xnode(doc, c, false, out);
            }
        }
        Node::When(vs, children) => {
            out.push_str(&format!("<xsl:if test=\"{}\">", esc(&nonempty(vs))));
            for c in children {
                xnode(doc, c, false, out);
            }
            out.push_str("</xsl:if>");
        }
        Node::Choose(alts, otherwise) => {
            out.push_str("<xsl:choose>");
            for (vs, children) in alts {
                out.push_str(&format!("<xsl:when test=\"{}\">", esc(&nonempty(vs))));
                for c in children {
                    xnode(doc, c, false, out);
                }
                out.push_str("</xsl:when>");
            }
            out.push_str("<xsl:otherwise>");
            for c in otherwise {
                xnode(doc, c, false, out);
            }
            out.push_str("</xsl:otherwise></xsl:choose>");
        }
        Node::Files(children) => {
            out.push_str("<xsl:for-each select=\"//s:*[@id]\">");
            if children.iter().any(uses_description) {
                out.push_str("<xsl:variable name=\"description\"><xsl:choose>");
                for d in &doc.describe {
                    let test = if d.in_repeat {
                        format!("translate(@id, '0123456789', '') = {}", xpath_lit(&d.key))
                    } else {
                        format!("@id = {}", xpath_lit(&d.key))
                    };
                    out.push_str(&format!(
                        "<xsl:when test=\"{}\"><xsl:text>{}</xsl:text></xsl:when>",
                        esc(&test),
                        esc(&d.text)
                    ));
                }
                out.push_str("<xsl:otherwise/></xsl:choose></xsl:variable>");
            }
            for c in children {
                xnode(doc, c, false, out);
            }
            out.push_str("</xsl:for-each>");
        }
    }
}
