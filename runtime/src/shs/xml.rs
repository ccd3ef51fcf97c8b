//! A small XML tree for the SHS documents (label, management, message list) and the case
//! parts the test mailbox shows: local names, attributes, text. Documents arrive in
//! ISO-8859-1 or UTF-8; they are decoded here by their XML declaration before parsing.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use quick_xml::XmlVersion;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    /// The local name (a namespace prefix is dropped).
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The element's own text (its children's text not included).
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child called `name`.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string())
    }

    /// Depth-first: this element, then every descendant.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = vec![self];
        let mut i = 0;
        while i < out.len() {
            let e = out[i];
            out.extend(e.children.iter());
            i += 1;
        }
        out
    }

    /// All text below this element, children's included, whitespace runs made one space.
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        fn walk(e: &Element, out: &mut String) {
            out.push_str(&e.text);
            out.push(' ');
            for c in &e.children {
                walk(c, out);
            }
        }
        walk(self, &mut out);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The first element (this or below) called `name`.
    pub fn find(&self, name: &str) -> Option<&Element> {
        self.descendants().into_iter().find(|e| e.name == name)
    }
}

/// The encoding named in an XML declaration (`<?xml … encoding="…"?>`), lowercased.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(200)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]);
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_ascii_lowercase())
}

/// Decodes an XML document's bytes: its declared encoding first (what an XML parser reading
/// the bytes does), then `charset` (the MIME part's), else UTF-8.
pub fn decode(bytes: &[u8], charset: Option<&str>) -> Result<String, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let encoding = declared_encoding(bytes)
        .or_else(|| charset.map(|c| c.to_ascii_lowercase()))
        .unwrap_or_else(|| "utf-8".into());
    match encoding.as_str() {
        "utf-8" | "utf8" => String::from_utf8(bytes.to_vec()).map_err(|e| {
            format!(
                "the XML is declared UTF-8 but byte {} is not UTF-8",
                e.utf8_error().valid_up_to()
            )
        }),
        "us-ascii" | "ascii" => {
            if let Some(i) = bytes.iter().position(|b| !b.is_ascii()) {
                return Err(format!(
                    "the XML is declared US-ASCII but byte {i} is not ASCII"
                ));
            }
            Ok(bytes.iter().map(|&b| b as char).collect())
        }
        // ISO-8859-1 maps each byte to the code point of the same number. windows-1252 differs
        // only in 0x80–0x9F, which never occur in Swedish text written as Latin-1.
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" | "l1" | "iso_8859-1" | "cp1252"
        | "windows-1252" => Ok(bytes.iter().map(|&b| b as char).collect()),
        other => Err(format!(
            "the XML is in the encoding `{other}`; SHS documents are ISO-8859-1 or UTF-8"
        )),
    }
}

/// Encodes XML text as ISO-8859-1; characters beyond Latin-1 become character references,
/// which is correct because they occur only in text and attribute values.
pub fn to_latin1(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let n = c as u32;
        if n <= 0xFF {
            out.push(n as u8);
        } else {
            out.extend_from_slice(format!("&#x{n:X};").as_bytes());
        }
    }
    out
}

/// Escapes text and attribute values (`&`, `<`, `>`, `"`, `'`) and drops characters XML 1.0
/// cannot carry at all.
pub fn escape(s: &str) -> String {
    let clean: String = s
        .chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect();
    quick_xml::escape::escape(&clean).into_owned()
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.into_owned(),
    }
}

fn element(start: &BytesStart) -> Result<Element, String> {
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| format!("a malformed attribute: {e}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("the attribute `{key}` is malformed: {e}"))?;
        attrs.push((local(key.as_bytes()), value.into_owned()));
    }
    Ok(Element {
        name: local(start.name().as_ref()),
        attrs,
        ..Default::default()
    })
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Parses a decoded XML document into its root element. A DOCTYPE is read past, never
/// fetched; entities other than the five predefined ones are refused.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let at = |r: &Reader<&[u8]>| {
        let pos = r.buffer_position() as usize;
        let line = text.as_bytes()[..pos.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        format!("line {line}")
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("the XML is not well-formed at {}: {e}", at(&reader)))?;
        match event {
            Event::Start(s) => {
                if root.is_some() {
                    return Err("the XML has content after its root element".into());
                }
                stack.push(element(&s)?);
            }
            Event::Empty(s) => {
                let e = element(&s)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(e),
                    None if root.is_none() => root = Some(e),
                    None => return Err("the XML has content after its root element".into()),
                }
            }
            Event::End(_) => {
                let done = stack
                    .pop()
                    .ok_or("the XML closes an element never opened")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let s = t
                    .xml10_content()
                    .map_err(|e| format!("the XML text is malformed: {e}"))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&s);
                } else if !s.trim().is_empty() {
                    return Err("the XML has text outside its root element".into());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    Ok(None) => {
                        let name = r.decode().map_err(|e| e.to_string())?;
                        predefined(&name)
                            .ok_or_else(|| format!("the XML uses the unknown entity `&{name};`"))?
                    }
                    Err(e) => return Err(format!("a malformed character reference: {e}")),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(c);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!(
            "the XML ends before `<{}>` is closed: it is cut off",
            open.name
        ));
    }
    root.ok_or_else(|| "the XML has no root element".into())
}

/// Decodes and parses in one step.
pub fn parse_bytes(bytes: &[u8], charset: Option<&str>) -> Result<Element, String> {
    parse(&decode(bytes, charset)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_declared_document_is_decoded_by_its_declaration() {
        let bytes =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a x=\"\xe5\">\xe4&amp;&#x20AC;</a>";
        let e = parse_bytes(bytes, Some("UTF-8")).unwrap();
        assert_eq!(e.attr("x"), Some("å"));
        assert_eq!(e.text, "ä&€");
    }

    #[test]
    fn cut_off_document_is_refused() {
        let err = parse("<a><b>").unwrap_err();
        assert!(err.contains("cut off"), "{err}");
    }

    #[test]
    fn latin1_writer_uses_references_beyond_latin1() {
        assert_eq!(to_latin1("å€"), b"\xe5&#x20AC;".to_vec());
    }
}
