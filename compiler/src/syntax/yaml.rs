//! YAML into a tree of nodes that each carry their span.
//!
//! The tree is read with serde-saphyr (`Spanned<T>` on every node) and then lowered by hand,
//! so that every problem in a file is reported, not only the first one serde would stop at.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

impl Node {
    /// "a map", "a list", … for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "empty",
            NodeKind::Bool(_) => "true/false",
            NodeKind::Int(_) | NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "text",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
        }
    }
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }
    /// The scalar as the author wrote it: `version: 1.0` is the text "1.0", not a float.
    pub fn scalar_text(&self, source: &str) -> Option<String> {
        match &self.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Bool(_) | NodeKind::Int(_) | NodeKind::Float(_) => source
                .get(self.span.start as usize..self.span.end as usize)
                .map(|s| s.trim().to_string()),
            _ => None,
        }
    }
    /// Where a string's content starts in the file: after an opening quote, or on the line
    /// after a block-scalar indicator. Expression spans are laid over this.
    pub fn content_span(&self, source: &str) -> Span {
        let start = self.span.start as usize;
        let bytes = source.as_bytes();
        match bytes.get(start) {
            Some(b'"') | Some(b'\'') => {
                let end = (self.span.end as usize).saturating_sub(1).max(start + 1);
                Span::new(self.span.file, start + 1, end)
            }
            Some(b'|') | Some(b'>') => {
                let rest = &source[start..];
                let line_end = rest
                    .find('\n')
                    .map(|i| start + i + 1)
                    .unwrap_or(source.len());
                let indent =
                    source[line_end..].len() - source[line_end..].trim_start_matches(' ').len();
                Span::new(self.span.file, line_end + indent, self.span.end as usize)
            }
            _ => self.span,
        }
    }
}

struct RawNode(Spanned<RawKind>);

enum RawKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<RawNode>),
    Map(Vec<(Spanned<String>, RawNode)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RawNode(Spanned::<RawKind>::deserialize(d)?))
    }
}

impl<'de> Deserialize<'de> for RawKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawKind;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<RawKind, E> {
                Ok(RawKind::Null)
            }
            fn visit_none<E>(self) -> Result<RawKind, E> {
                Ok(RawKind::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawKind, D::Error> {
                RawKind::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawKind, E> {
                Ok(RawKind::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawKind, E> {
                Ok(RawKind::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<RawKind, E> {
                Ok(i64::try_from(v)
                    .map(RawKind::Int)
                    .unwrap_or(RawKind::Float(v as f64)))
            }
            fn visit_i128<E>(self, v: i128) -> Result<RawKind, E> {
                Ok(RawKind::Float(v as f64))
            }
            fn visit_u128<E>(self, v: u128) -> Result<RawKind, E> {
                Ok(RawKind::Float(v as f64))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawKind, E> {
                Ok(RawKind::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawKind, E> {
                Ok(RawKind::Str(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawKind, E> {
                Ok(RawKind::Str(v))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<RawKind, E> {
                Ok(RawKind::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawKind, A::Error> {
                let mut v = Vec::new();
                while let Some(n) = a.next_element()? {
                    v.push(n);
                }
                Ok(RawKind::Seq(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawKind, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = a.next_key::<Spanned<KeyText>>()? {
                    let value = a.next_value()?;
                    v.push((Spanned::new(k.value.0, k.referenced, k.defined), value));
                }
                Ok(RawKind::Map(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping key as text, whatever scalar it was written as (`1:`, `true:`).
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyText;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key written as text")
            }
            fn visit_str<E>(self, v: &str) -> Result<KeyText, E> {
                Ok(KeyText(v.into()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<KeyText, E> {
                Ok(KeyText(v.to_string()))
            }
            fn visit_unit<E>(self) -> Result<KeyText, E> {
                Ok(KeyText(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

fn span_of(file: FileId, loc: &serde_saphyr::Location, source: &str) -> Span {
    let s = loc.span();
    match (s.byte_offset(), s.byte_len()) {
        (Some(off), Some(len)) => Span::new(file, off as usize, (off + len) as usize),
        // Character offsets only: convert through the text.
        _ => {
            let start = source
                .char_indices()
                .nth(s.offset() as usize)
                .map(|(i, _)| i)
                .unwrap_or(source.len());
            let end = source[start..]
                .char_indices()
                .nth(s.len() as usize)
                .map(|(i, _)| start + i)
                .unwrap_or(source.len());
            Span::new(file, start, end)
        }
    }
}

fn convert(raw: RawNode, file: FileId, source: &str) -> Node {
    let node = convert_inner(raw, file, source);
    flow_span(node, source)
}

/// The parser gives a collection only the span of its first character. A flow collection
/// (`{sv: Hej, en: Hello}`, `[a, b]`) fits on a line, so it gets its whole extent, up to its
/// closing bracket: a label under `{` alone says little. Block collections keep their start,
/// since a label over many lines would hide the lines themselves.
fn flow_span(mut node: Node, source: &str) -> Node {
    let start = node.span.start as usize;
    let close = match (source.as_bytes().get(start), &node.kind) {
        (Some(b'{'), NodeKind::Map(_)) => '}',
        (Some(b'['), NodeKind::Seq(_)) => ']',
        _ => return node,
    };
    let last = match &node.kind {
        NodeKind::Map(entries) => entries.last().map(|(k, v)| k.span.end.max(v.span.end)),
        NodeKind::Seq(items) => items.last().map(|n| n.span.end),
        _ => None,
    };
    let from = last.map_or(start + 1, |e| e as usize).min(source.len());
    if let Some(i) = source.get(from..).and_then(|rest| rest.find(close)) {
        node.span.end = (from + i + 1) as u32;
    }
    node
}

fn convert_inner(raw: RawNode, file: FileId, source: &str) -> Node {
    let span = span_of(file, &raw.0.referenced, source);
    let kind = match raw.0.value {
        RawKind::Null => NodeKind::Null,
        RawKind::Bool(b) => NodeKind::Bool(b),
        RawKind::Int(i) => NodeKind::Int(i),
        RawKind::Float(f) => NodeKind::Float(f),
        RawKind::Str(s) => NodeKind::Str(s),
        RawKind::Seq(items) => NodeKind::Seq(
            items
                .into_iter()
                .map(|n| convert(n, file, source))
                .collect(),
        ),
        RawKind::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        span: span_of(file, &k.referenced, source),
                        name: k.value,
                    };
                    (key, convert(v, file, source))
                })
                .collect(),
        ),
    };
    Node { span, kind }
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! { strict_booleans: true }
}

/// Parses one YAML document. An empty file is an empty map, so it gets "missing key" errors.
pub fn parse(file: FileId, source: &str) -> Result<Node, Diagnostic> {
    if source.trim().is_empty()
        || source
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Node {
            span: Span::new(file, 0, 0),
            kind: NodeKind::Map(vec![]),
        });
    }
    match serde_saphyr::from_str_with_options::<RawNode>(source, options()) {
        Ok(raw) => Ok(convert(raw, file, source)),
        Err(e) => Err(yaml_error(file, source, &e)),
    }
}

fn yaml_error(file: FileId, source: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let full = e.to_string();
    // The library's text starts "error: line L column C: msg" and may add a source excerpt.
    let first = full
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ");
    let msg = match first.split_once(": ") {
        Some((pos, rest)) if pos.starts_with("line ") => rest.to_string(),
        _ => first.to_string(),
    };
    let span = e.location().map(|loc| {
        let (line, col) = (loc.line() as usize, loc.column() as usize);
        let offset = line_col_to_offset(source, line, col);
        let end = source[offset..]
            .chars()
            .next()
            .map(|c| offset + c.len_utf8())
            .unwrap_or(offset);
        Span::new(file, offset, end)
    });
    if let Some(span) = span {
        if let Some(d) = duplicate_key(source, span, &msg) {
            return d;
        }
        if let Some(d) = tab(source, span, &msg) {
            return d;
        }
        if let Some(d) = colon_in_text(source, span, &msg) {
            return d;
        }
        if let Some(d) = super::yaml_quote::unquoted_indicator(source, span) {
            return d;
        }
        if let Some(d) = misindented(source, span, &msg) {
            return d;
        }
    }
    let mut d = Diagnostic::error(
        Code::YamlSyntax,
        format!("this is not valid YAML: {}", lowercase_first(&msg)),
    );
    if let Some(span) = span {
        let label = if msg.contains("unclosed quote") {
            "this quote is never closed"
        } else {
            "here"
        };
        d = d.at(span, label);
    }
    let help = if msg.contains("unclosed quote") {
        "end the text with the same kind of quote it starts with"
    } else if msg.contains("indent") {
        "check the indentation: items of one list or map must start in the same column, with spaces, not tabs"
    } else if msg.contains("tab") {
        "YAML does not allow tabs for indentation; use spaces"
    } else {
        "check quotes, colons and indentation around this place; texts with `: ` or starting with a quote need quoting"
    };
    d.help(help)
}

/// The parser's message for a repeated key names its own option for allowing it; the author
/// needs the key, both places, and what to do.
fn duplicate_key(source: &str, at: Span, msg: &str) -> Option<Diagnostic> {
    let key = msg
        .strip_prefix("duplicate mapping key: ")?
        .split(", set ")
        .next()?
        .trim()
        .to_string();
    let start = at.start as usize;
    let key_span = Span::new(at.file, start, (start + key.len()).min(source.len()));
    let mut d = Diagnostic::error(
        Code::YamlSyntax,
        format!("the key `{key}` is written twice in the same map"),
    )
    .at(key_span, "written again here")
    .help(format!(
        "a key may appear once in a map; keep one `{key}:` line and remove the other"
    ));
    if let Some(first) = earlier_key(source, start, &key) {
        d = d.also(
            Span::new(at.file, first, first + key.len()),
            "first written here",
        );
    }
    Some(d)
}

/// The same key earlier in the same block map: a line above at the same column, before the
/// map ends at a line indented less.
fn earlier_key(source: &str, at: usize, key: &str) -> Option<usize> {
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let col = at - line_start;
    let mut end = line_start;
    while end > 0 {
        let start = source[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &source[start..end - 1];
        end = start;
        let indent = line.len() - line.trim_start().len();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        // `- key:` starts a map in a list at the column after `- `.
        let content = indent
            + if line.trim_start().starts_with("- ") {
                2
            } else {
                0
            };
        if content == col && line[content..].starts_with(&format!("{key}:")) {
            return Some(start + col);
        }
        if indent < col && content <= col {
            return None;
        }
    }
    None
}

/// A tab: the parser stops near it, not always on it; the author needs the tab itself.
fn tab(source: &str, at: Span, msg: &str) -> Option<Diagnostic> {
    if !msg.contains("tab") {
        return None;
    }
    let start = at.start as usize;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    // The nearest tab from the start of the line the parser stopped on, within two lines.
    let window_end = source[start..]
        .match_indices('\n')
        .nth(1)
        .map_or(source.len(), |(i, _)| start + i);
    let tab = line_start + source[line_start..window_end].find('\t')?;
    Some(
        Diagnostic::error(Code::YamlSyntax, "a tab is used for indentation")
            .at(Span::new(at.file, tab, tab + 1), "a tab")
            .help("YAML indents with spaces only: replace the tab with spaces, lined up with the line above"),
    )
}

/// `label: Obs: läs detta`: a second `: ` in a plain text reads as the start of a map.
fn colon_in_text(source: &str, at: Span, msg: &str) -> Option<Diagnostic> {
    if !msg.contains("mapping values are not allowed") {
        return None;
    }
    let start = at.start as usize;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line = &source[line_start..line_end];
    let body = line.trim_start().trim_start_matches("- ");
    let (key, value) = body.split_once(": ")?;
    let value = value.trim();
    if key.contains(' ')
        || value.starts_with(['"', '\'', '{', '[', '|', '>'])
        || !value.contains(": ")
    {
        return None;
    }
    let value_start = line_start + line.find(value)?;
    let quoted = value.replace('"', "\\\"");
    Some(
        Diagnostic::error(
            Code::YamlSyntax,
            format!("the text of `{key}` contains `: `"),
        )
        .at(
            Span::new(at.file, value_start, value_start + value.len()),
            "YAML reads the `: ` in here as the start of a new key",
        )
        .help(format!("put the text in quotes: `{key}: \"{quoted}\"`")),
    )
}

/// A line indented differently from the lines of its map: the parser reports what it then
/// expected, in its own terms; the author needs to know which line to move and where to.
fn misindented(source: &str, at: Span, msg: &str) -> Option<Diagnostic> {
    let parser_says_structure = msg.contains("did not find expected")
        || msg.contains("mapping values are not allowed")
        || msg.contains("indent");
    if !parser_says_structure {
        return None;
    }
    let start = at.start as usize;
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line = &source[line_start..line_end];
    let indent = line.len() - line.trim_start().len();
    // The nearest line above with content, and the column its map's keys start at.
    let above = source[..line_start]
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let above_indent = above.len() - above.trim_start().len();
    let above_col = above_indent
        + if above.trim_start().starts_with("- ") {
            2
        } else {
            0
        };
    let key_of = |l: &str| {
        l.trim_start()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let (here, there) = (key_of(line), key_of(above));
    if indent == above_col || here.is_empty() || line.trim_start().starts_with("- ") {
        return None;
    }
    let first = line_start + indent;
    let span = Span::new(at.file, first, first + here.len().max(1));
    let spaces = |n: usize| {
        if n == 1 {
            "1 space".to_string()
        } else {
            format!("{n} spaces")
        }
    };
    Some(
        Diagnostic::error(
            Code::YamlSyntax,
            format!("the line with `{here}` is indented differently from the line above it"),
        )
        .at(span, format!("indented by {}, the line above by {}", spaces(indent), spaces(above_col)))
        .help(format!(
            "if `{here}` belongs to the same map as `{there}`, start it in the same column, with {} before it; use spaces, not tabs",
            spaces(above_col)
        )),
    )
}

fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn line_col_to_offset(source: &str, line: usize, col: usize) -> usize {
    let mut offset = 0;
    for (i, l) in source.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return offset
                + l.char_indices()
                    .nth(col.saturating_sub(1))
                    .map(|(b, _)| b)
                    .unwrap_or(l.len());
        }
        offset += l.len();
    }
    source.len()
}
