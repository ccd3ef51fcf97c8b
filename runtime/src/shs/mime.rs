//! An SHS message on the wire: a MIME `multipart/mixed` message whose first part is the
//! label (text/xml) and whose following parts are the data parts, in the label's order.
//!
//! A small implementation rather than a mail crate: SHS needs the exact bytes of every part
//! (the label's own XML declaration decides its encoding; binary parts must come through
//! untouched), and nodes send CRLF or LF, `binary`, `7bit` or `base64`.

use super::label::{DataRef, Label};
use super::ShsError;
use base64::Engine;

/// One data part, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The label's `datapartType` for this part (e.g. `xml`, `erms`, `pdf`).
    pub datapart_type: String,
    /// The MIME type with parameters, e.g. `text/xml; charset=UTF-8`.
    pub content_type: String,
    pub filename: Option<String>,
    /// The transfer encoding it arrived in (`binary`, `base64`, …); `None` when built here.
    pub transfer_encoding: Option<String>,
    pub body: Vec<u8>,
}

impl Part {
    pub fn new(
        datapart_type: impl Into<String>,
        content_type: impl Into<String>,
        filename: Option<String>,
        body: Vec<u8>,
    ) -> Part {
        Part {
            datapart_type: datapart_type.into(),
            content_type: content_type.into(),
            filename,
            transfer_encoding: None,
            body,
        }
    }

    /// The MIME type without parameters, lowercased: `text/xml`.
    pub fn mime_type(&self) -> String {
        self.content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    pub fn charset(&self) -> Option<String> {
        param(&self.content_type, "charset")
    }

    /// XML parts: `text/xml`, `application/xml` and `…+xml`.
    pub fn is_xml(&self) -> bool {
        let t = self.mime_type();
        t == "text/xml" || t == "application/xml" || t.ends_with("+xml")
    }

    fn is_text(&self) -> bool {
        self.mime_type().starts_with("text/") || self.is_xml()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub label: Label,
    pub parts: Vec<Part>,
}

impl Message {
    /// A message whose label lists exactly `parts` (type, file name, size).
    pub fn new(mut label: Label, parts: Vec<Part>) -> Message {
        label.content.data = parts
            .iter()
            .map(|p| DataRef {
                datapart_type: p.datapart_type.clone(),
                filename: p.filename.clone(),
                no_of_bytes: Some(p.body.len() as u64),
            })
            .collect();
        Message { label, parts }
    }

    /// The whole message, CRLF line ends: headers, the label part, then each data part. The
    /// same message gives the same bytes.
    /// Text and XML parts go as `binary`, everything else as `base64`.
    pub fn to_mime(&self) -> Vec<u8> {
        let label = self.label.to_xml();
        // Made from the tx.id, so the same message always has the same bytes; the rare
        // clash with content is stepped past.
        let mut n = 0u32;
        let boundary = loop {
            let b = format!("----=_blankett_{}_{n}", self.label.tx_id.simple());
            n += 1;
            let clash = std::iter::once(&label[..])
                .chain(self.parts.iter().map(|p| &p.body[..]))
                .any(|body| contains(body, b.as_bytes()));
            if !clash {
                break b;
            }
        };
        let mut out = Vec::new();
        out.extend_from_slice(
            format!(
                "MIME-Version: 1.0\r\nSubject: SHS Message\r\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            )
            .as_bytes(),
        );
        out.extend_from_slice(format!("--{boundary}\r\nContent-Type: text/xml; charset=ISO-8859-1\r\nContent-Transfer-Encoding: binary\r\n\r\n").as_bytes());
        out.extend_from_slice(&label);
        for p in &self.parts {
            out.extend_from_slice(format!("\r\n--{boundary}\r\n").as_bytes());
            let content_type = header_safe(&p.content_type);
            let content_type = if content_type.is_empty() {
                "application/octet-stream".to_string()
            } else {
                content_type
            };
            out.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
            let base64 = !p.is_text();
            out.extend_from_slice(
                format!(
                    "Content-Transfer-Encoding: {}\r\n",
                    if base64 { "base64" } else { "binary" }
                )
                .as_bytes(),
            );
            out.extend_from_slice(b"Content-Disposition: attachment");
            if let Some(f) = &p.filename {
                out.extend_from_slice(filename_param(f).as_bytes());
            }
            out.extend_from_slice(b"\r\n\r\n");
            if base64 {
                let text = base64::engine::general_purpose::STANDARD.encode(&p.body);
                for (i, line) in text.as_bytes().chunks(76).enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b"\r\n");
                    }
                    out.extend_from_slice(line);
                }
            } else {
                out.extend_from_slice(&p.body);
            }
        }
        out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        out
    }

    /// Reads a message as SHS nodes send it. Refuses, with the reason, what is not an SHS
    /// message: not multipart, cut off, a first part that is not a text/xml label, no data part.
    pub fn parse(bytes: &[u8]) -> Result<Message, ShsError> {
        // Some senders put the Content-Type in the HTTP request only and send the body from
        // its first boundary on: the first line then names the boundary.
        let start = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        if bytes[start..].starts_with(b"--") {
            let line_end = find(bytes, b"\n", start).unwrap_or(bytes.len());
            let line = String::from_utf8_lossy(&bytes[start + 2..line_end]);
            let boundary = line.trim_end().to_string();
            if !boundary.is_empty() {
                return Message::from_parts(split_parts(&bytes[start..], &boundary)?);
            }
        }
        let (headers, body) = split_head(bytes);
        let headers = parse_headers(headers);
        let content_type = header(&headers, "content-type").ok_or_else(|| {
            ShsError::Mime(
                "the message has no Content-Type header: it does not start with MIME headers"
                    .into(),
            )
        })?;
        if !content_type
            .to_ascii_lowercase()
            .trim_start()
            .starts_with("multipart/")
        {
            return Err(ShsError::Mime(format!(
                "the message is `{}`, not multipart/mixed",
                content_type.split(';').next().unwrap_or("").trim()
            )));
        }
        let boundary = param(&content_type, "boundary").ok_or_else(|| {
            ShsError::Mime("the message's Content-Type has no boundary parameter".into())
        })?;
        Message::from_parts(split_parts(body, &boundary)?)
    }

    fn from_parts(raw_parts: Vec<&[u8]>) -> Result<Message, ShsError> {
        if raw_parts.len() < 2 {
            return Err(ShsError::Mime(format!(
                "the message has {} part(s); an SHS message has a label and at least one data part",
                raw_parts.len()
            )));
        }
        let mut decoded = Vec::new();
        for (i, raw) in raw_parts.iter().enumerate() {
            decoded.push(
                decode_part(raw).map_err(|e| ShsError::Mime(format!("part {}: {e}", i + 1)))?,
            );
        }
        let label_part = decoded.remove(0);
        if label_part.mime_type() != "text/xml" {
            return Err(ShsError::Mime(format!(
                "the first part is `{}`, not the text/xml label",
                label_part.mime_type()
            )));
        }
        let label = Label::parse(&label_part.body, label_part.charset().as_deref())?;
        let parts = decoded
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                if let Some(d) = label.content.data.get(i) {
                    p.datapart_type = d.datapart_type.clone();
                    if p.filename.is_none() {
                        p.filename = d.filename.clone();
                    }
                }
                p
            })
            .collect();
        Ok(Message { label, parts })
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle, 0).is_some()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() || from > hay.len() - needle.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Header values cannot carry line breaks or control characters.
fn header_safe(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).collect()
}

/// `; filename="…"`, or RFC 2231 `filename*=UTF-8''…` for a name beyond ASCII.
fn filename_param(name: &str) -> String {
    let name: String = header_safe(name).replace(['"', '\\'], "_");
    if name.is_ascii() {
        format!("; filename=\"{name}\"")
    } else {
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("; filename*=UTF-8''{encoded}")
    }
}

/// Splits at the first empty line (CRLF or LF).
fn split_head(bytes: &[u8]) -> (&[u8], &[u8]) {
    let crlf = find(bytes, b"\r\n\r\n", 0).map(|i| (i, 4));
    let lf = find(bytes, b"\n\n", 0).map(|i| (i, 2));
    let at = match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 < b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match at {
        Some((i, n)) => (&bytes[..i], &bytes[i + n..]),
        // Only headers: a part with an empty body.
        None => (bytes, &[]),
    }
}

/// Header lines unfolded into (lowercase name, value). Values are read as Latin-1, so that
/// no byte is lost and no header makes the message unreadable.
fn parse_headers(block: &[u8]) -> Vec<(String, String)> {
    let text: String = block.iter().map(|&b| b as char).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            if let Some(last) = out.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            out.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    out
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// A parameter of a structured header (`boundary`, `charset`, `filename`, `name`), quoted
/// or not; RFC 2231 `name*=charset''value` and RFC 2047 encoded words are decoded.
pub fn param(value: &str, name: &str) -> Option<String> {
    let mut plain = None;
    for piece in split_params(value).into_iter().skip(1) {
        let Some((k, v)) = piece.split_once('=') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let v = unquote(v.trim());
        if k == format!("{name}*") || k == format!("{name}*0*") {
            return Some(decode_2231(&v));
        }
        if k == name || k == format!("{name}*0") {
            plain = Some(decode_2047(&v));
        }
    }
    plain
}

fn split_params(value: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        match c {
            _ if escaped => {
                escaped = false;
                out.last_mut().unwrap_or(&mut String::new()).push(c);
                continue;
            }
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => v.to_string(),
    }
}

fn charset_decode(bytes: &[u8], charset: &str) -> String {
    match charset.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => String::from_utf8_lossy(bytes).into_owned(),
        _ => bytes.iter().map(|&b| b as char).collect(),
    }
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(n) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

fn decode_2231(v: &str) -> String {
    let mut it = v.splitn(3, '\'');
    match (it.next(), it.next(), it.next()) {
        (Some(charset), Some(_lang), Some(text)) => charset_decode(&percent_decode(text), charset),
        _ => String::from_utf8_lossy(&percent_decode(v)).into_owned(),
    }
}

/// `=?UTF-8?B?…?=` and `=?ISO-8859-1?Q?…?=`, as Java mail writes non-ASCII file names.
fn decode_2047(v: &str) -> String {
    let mut out = String::new();
    let mut rest = v;
    while let Some(start) = rest.find("=?") {
        let after = &rest[start + 2..];
        let parts: Vec<&str> = after.splitn(3, '?').collect();
        let decoded = (parts.len() == 3).then(|| {
            let end = parts[2].find("?=")?;
            let text = &parts[2][..end];
            let bytes = match parts[1].to_ascii_uppercase().as_str() {
                "B" => base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()?,
                "Q" => quoted_printable(text.replace('_', " ").as_bytes()),
                _ => return None,
            };
            let consumed = start + 2 + parts[0].len() + 1 + parts[1].len() + 1 + end + 2;
            Some((charset_decode(&bytes, parts[0]), consumed))
        });
        match decoded.flatten() {
            Some((text, consumed)) => {
                let between = &rest[..start];
                if !between.trim().is_empty() || out.is_empty() {
                    out.push_str(between);
                }
                out.push_str(&text);
                rest = &rest[consumed..];
            }
            None => {
                out.push_str(&rest[..start + 2]);
                rest = &rest[start + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            let rest = &bytes[i + 1..];
            if rest.starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            if rest.starts_with(b"\n") {
                i += 2;
                continue;
            }
            if rest.len() >= 2 {
                if let Ok(n) = u8::from_str_radix(&String::from_utf8_lossy(&rest[..2]), 16) {
                    out.push(n);
                    i += 3;
                    continue;
                }
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The raw parts between the boundaries, each without the line break before the next
/// delimiter. A missing closing delimiter means the message was cut off.
fn split_parts<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<&'a [u8]>, ShsError> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    // Delimiter lines start a line: at the very start, or after LF.
    let mut starts = Vec::new();
    let mut from = 0;
    while let Some(i) = find(body, d, from) {
        if i == 0 || body[i - 1] == b'\n' {
            starts.push(i);
        }
        from = i + d.len();
    }
    if starts.is_empty() {
        return Err(ShsError::Mime(format!(
            "the boundary `{boundary}` never occurs in the body: the message is not multipart as declared"
        )));
    }
    let mut parts = Vec::new();
    for (n, &s) in starts.iter().enumerate() {
        let after = &body[s + d.len()..];
        if after.starts_with(b"--") {
            return Ok(parts);
        }
        let line_end = match find(after, b"\n", 0) {
            Some(e) => s + d.len() + e + 1,
            None => break,
        };
        let Some(&next) = starts.get(n + 1) else {
            break;
        };
        let mut end = next;
        if end > line_end && body[end - 1] == b'\n' {
            end -= 1;
            if end > line_end && body[end - 1] == b'\r' {
                end -= 1;
            }
        }
        parts.push(&body[line_end.min(end)..end]);
    }
    Err(ShsError::Mime(format!(
        "the message ends before its closing boundary `--{boundary}--`: it was cut off in transfer ({} complete part(s) before the end)",
        parts.len()
    )))
}

fn decode_part(raw: &[u8]) -> Result<Part, String> {
    let (head, body) = split_head(raw);
    let headers = parse_headers(head);
    let content_type =
        header(&headers, "content-type").unwrap_or_else(|| "text/plain; charset=us-ascii".into());
    let encoding = header(&headers, "content-transfer-encoding")
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_else(|| "7bit".into());
    let body = match encoding.as_str() {
        "7bit" | "8bit" | "binary" => body.to_vec(),
        "base64" => {
            let clean: Vec<u8> = body.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(&clean)
                .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(clean.strip_suffix(b"=").unwrap_or(&clean)))
                .map_err(|e| format!("its base64 content does not decode: {e}"))?
        }
        "quoted-printable" => quoted_printable(body),
        other => return Err(format!("the transfer encoding `{other}` is unknown (known: binary, 7bit, 8bit, base64, quoted-printable)")),
    };
    let filename = header(&headers, "content-disposition")
        .and_then(|d| param(&d, "filename"))
        .or_else(|| param(&content_type, "name"));
    Ok(Part {
        datapart_type: String::new(),
        content_type,
        filename,
        transfer_encoding: Some(encoding),
        body,
    })
}
