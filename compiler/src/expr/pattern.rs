//! The patterns of `matches(x, "…")`: one small dialect of regular expressions that the server
//! and the browser read alike.
//!
//! The server matches with Rust's `regex` crate and the browser with JavaScript's `RegExp`, and
//! the two disagree on much that looks the same: `\d`, `\w`, `\s` and `\b` are Unicode-aware in
//! `regex` but (mostly) ASCII in JavaScript, `.` stops at `\r` in JavaScript only, `[[a]]` and
//! `[a&&b]` are nested classes and intersections in `regex` but literal brackets in JavaScript,
//! `(?i)` exists in one only, and Unicode property classes follow each engine's Unicode version.
//! So a pattern is not handed to either engine as written: [`translate`] reads the dialect below
//! and writes it out twice, once for each engine, with every character class spelled out and
//! every character that is not a letter or a digit written as a code-point escape. A pattern
//! outside the dialect is refused by the checker (`invalid_pattern`) and matches nothing.
//!
//! The dialect (what a form author can write):
//!
//! * characters, which match themselves; `\` before an ASCII punctuation character makes it a
//!   character (`\.`, `\(`, `\-`); `\n \t \r \f \v`, `\xHH`, `\x{H…}`, `\uHHHH`, `\u{H…}`;
//! * `.`: any character except a line feed;
//! * `\d` = `[0-9]`, `\w` = `[0-9A-Za-z_]`, `\s` = tab, line feed, vertical tab, form feed,
//!   carriage return and space; `\D \W \S` their complements. **ASCII only**, on both sides:
//!   a Swedish letter is not `\w`; write `[A-Za-zÅÄÖåäö]`;
//! * `\b`, `\B`: ASCII word boundary and its opposite; `^` and `\A` start, `$` and `\z` end;
//! * classes `[…]` and `[^…]` of characters, ranges `a-z` and `\d \w \s`; a `-` is literal only
//!   first or last, and `[`, `&&`, `~~`, `--` must be escaped (in `regex` they nest or combine
//!   classes);
//! * groups `(…)`, `(?:…)`, `(?<name>…)`, `(?P<name>…)` (all only group), alternatives `a|b`;
//! * repetition `* + ? {n} {n,} {n,m}` (n, m ≤ 1000), each optionally followed by `?`.
//!
//! Not in the dialect: flags (`(?i)`), look-around, back-references, `\p{…}` (the Unicode
//! version differs between the engines), a repetition of a repetition (`a**`), and a `{`, `}`
//! or `]` that is not escaped.
//!
//! Matching is whole-text (`^(?:…)$`), so which of several matches an engine prefers never
//! shows: only whether one exists, and that is the same for the same regular language.

/// A pattern in the two engines' syntax: `rust` for `regex::Regex` and `js` for
/// `new RegExp(js, "u")`. Both are anchored: they match a whole text or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub rust: String,
    pub js: String,
}

/// The largest count in `{n,m}`: keeps compiled patterns small in both engines.
const MAX_COUNT: u32 = 1000;

/// Reads a pattern of the dialect; `Err` says in a few words what is wrong, for the label under
/// the pattern. `Ok` also means `regex` compiles it (within its size limit).
pub fn translate(pattern: &str) -> Result<Translated, String> {
    let mut t = Translator {
        chars: pattern.chars().collect(),
        pos: 0,
        rust: String::new(),
        js: String::new(),
    };
    t.alternation()?;
    if t.pos < t.chars.len() {
        return Err("unopened group: `)` without `(`".into());
    }
    let out = Translated {
        rust: format!("^(?:{})$", t.rust),
        js: format!("^(?:{})$", t.js),
    };
    regex::Regex::new(&out.rust).map_err(|_| "the pattern is too large".to_string())?;
    Ok(out)
}

struct Translator {
    chars: Vec<char>,
    pos: usize,
    rust: String,
    js: String,
}

/// A single character, as an escape: `\x{e5}` in `regex`, `\u{e5}` in JavaScript. Letters and
/// digits stay as they are, for legible output; both engines read them alike.
fn char_rust(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\x{{{:x}}}", c as u32)
    }
}

fn char_js(c: char) -> String {
    if c.is_ascii_alphanumeric() {
        c.to_string()
    } else {
        format!("\\u{{{:x}}}", c as u32)
    }
}

/// The ASCII classes, as ranges to put inside `[…]`: the same characters in both engines.
fn class_ranges(letter: char) -> Option<(&'static str, &'static str)> {
    match letter {
        'd' => Some(("0-9", "0-9")),
        'w' => Some(("0-9A-Za-z_", "0-9A-Za-z_")),
        's' => Some((r"\x{9}-\x{d}\x{20}", r"\u{9}-\u{d}\u{20}")),
        _ => None,
    }
}

impl Translator {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn emit(&mut self, rust: &str, js: &str) {
        self.rust.push_str(rust);
        self.js.push_str(js);
    }

    fn emit_char(&mut self, c: char) {
        self.rust.push_str(&char_rust(c));
        self.js.push_str(&char_js(c));
    }

    fn alternation(&mut self) -> Result<(), String> {
        loop {
            while !matches!(self.peek(), None | Some('|') | Some(')')) {
                self.item()?;
            }
            if self.peek() != Some('|') {
                return Ok(());
            }
            self.pos += 1;
            self.emit("|", "|");
        }
    }

    /// One atom and its repetition, if any.
    fn item(&mut self) -> Result<(), String> {
        let repeatable = self.atom()?;
        if !matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return Ok(());
        }
        if !repeatable {
            return Err("an anchor or boundary cannot be repeated".into());
        }
        self.repetition()?;
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return Err("a repetition cannot be repeated; put it in a group first".into());
        }
        Ok(())
    }

    /// Whether what was read can be repeated (anchors cannot, in JavaScript).
    fn atom(&mut self) -> Result<bool, String> {
        let Some(c) = self.peek() else {
            return Err("the pattern ends too early".into());
        };
        self.pos += 1;
        match c {
            '(' => self.group().map(|()| true),
            '[' => self.class().map(|()| true),
            '.' => {
                self.emit(r"[^\x{a}]", r"[^\u{a}]");
                Ok(true)
            }
            '^' | '$' => {
                self.emit(&c.to_string(), &c.to_string());
                Ok(false)
            }
            '\\' => self.escape(),
            '*' | '+' | '?' => Err(format!(
                "`{c}` repeats nothing here; write `\\{c}` for the character"
            )),
            '{' | '}' | ']' => Err(format!("write `\\{c}` for the character `{c}`")),
            c => {
                self.emit_char(c);
                Ok(true)
            }
        }
    }

    fn group(&mut self) -> Result<(), String> {
        if self.peek() == Some('?') {
            self.pos += 1;
            match (self.peek(), self.peek_at(1)) {
                (Some(':'), _) => self.pos += 1,
                (Some('<'), _) => {
                    self.pos += 1;
                    self.group_name()?;
                }
                (Some('P'), Some('<')) => {
                    self.pos += 2;
                    self.group_name()?;
                }
                _ => return Err("flags and look-around are not supported".into()),
            }
        }
        self.emit("(?:", "(?:");
        self.alternation()?;
        if self.peek() != Some(')') {
            return Err("unclosed group: `(` without `)`".into());
        }
        self.pos += 1;
        self.emit(")", ")");
        Ok(())
    }

    /// `name>` of a named group; the name is dropped, as nothing refers to it.
    fn group_name(&mut self) -> Result<(), String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        let named = self.pos > start && !self.chars[start].is_ascii_digit();
        if !named || self.peek() != Some('>') {
            return Err("a group name is letters, digits and `_`, then `>`".into());
        }
        self.pos += 1;
        Ok(())
    }

    fn repetition(&mut self) -> Result<(), String> {
        let c = self.chars[self.pos];
        self.pos += 1;
        let counts = if c == '{' {
            let n = self.count()?;
            let m = match self.peek() {
                Some(',') if self.peek_at(1) == Some('}') => {
                    self.pos += 1;
                    None
                }
                Some(',') => {
                    self.pos += 1;
                    Some(self.count()?)
                }
                _ => Some(n),
            };
            if self.peek() != Some('}') {
                return Err("write a repetition as `{n}`, `{n,}` or `{n,m}`".into());
            }
            self.pos += 1;
            if m.is_some_and(|m| m < n) {
                return Err("in `{n,m}`, n must not be larger than m".into());
            }
            match m {
                Some(m) if m == n => format!("{{{n}}}"),
                Some(m) => format!("{{{n},{m}}}"),
                None => format!("{{{n},}}"),
            }
        } else {
            c.to_string()
        };
        self.emit(&counts, &counts);
        if self.peek() == Some('?') {
            self.pos += 1;
            self.emit("?", "?");
        }
        Ok(())
    }

    fn count(&mut self) -> Result<u32, String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        match digits.parse::<u32>() {
            Ok(n) if n <= MAX_COUNT => Ok(n),
            Ok(_) => Err(format!("a repetition count is at most {MAX_COUNT}")),
            Err(_) if digits.is_empty() => {
                Err("write a repetition as `{n}`, `{n,}` or `{n,m}`".into())
            }
            Err(_) => Err(format!("a repetition count is at most {MAX_COUNT}")),
        }
    }

    /// After `\` outside a class. Whether the result can be repeated.
    fn escape(&mut self) -> Result<bool, String> {
        let Some(c) = self.peek() else {
            return Err("the pattern ends with a lone `\\`".into());
        };
        self.pos += 1;
        if let Some((rust, js)) = class_ranges(c) {
            self.emit(&format!("[{rust}]"), &format!("[{js}]"));
            return Ok(true);
        }
        if let Some((rust, js)) =
            class_ranges(c.to_ascii_lowercase()).filter(|_| c.is_ascii_uppercase())
        {
            self.emit(&format!("[^{rust}]"), &format!("[^{js}]"));
            return Ok(true);
        }
        match c {
            'b' => self.emit(r"(?-u:\b)", r"\b"),
            'B' => self.emit(r"(?-u:\B)", r"\B"),
            'A' => self.emit("^", "^"),
            'z' => self.emit("$", "$"),
            _ => {
                let ch = self.escaped_char(c)?;
                self.emit_char(ch);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The character an escape other than a class or an assertion stands for; `c` follows `\`.
    fn escaped_char(&mut self, c: char) -> Result<char, String> {
        match c {
            'n' => Ok('\n'),
            't' => Ok('\t'),
            'r' => Ok('\r'),
            'f' => Ok('\u{c}'),
            'v' => Ok('\u{b}'),
            'x' | 'u' => self.hex_char(c),
            // `regex` gives `\<` and `\>` a meaning (word start and end); JavaScript does not.
            '<' | '>' => Err(format!("`\\{c}` is not supported")),
            'p' | 'P' => Err(
                "Unicode classes are not supported: list the characters, e.g. `[A-Za-zÅÄÖåäö]`"
                    .into(),
            ),
            c if c.is_ascii_punctuation() || c == ' ' => Ok(c),
            c => Err(format!("`\\{c}` is not supported")),
        }
    }

    /// `\xHH`, `\uHHHH`, or either with `{H…}`.
    fn hex_char(&mut self, letter: char) -> Result<char, String> {
        let braced = self.peek() == Some('{');
        let digits: String = if braced {
            let end = self.chars[self.pos..]
                .iter()
                .position(|&c| c == '}')
                .ok_or("unclosed `{` in a character escape")?;
            let s = self.chars[self.pos + 1..self.pos + end].iter().collect();
            self.pos += end + 1;
            s
        } else {
            let want = if letter == 'x' { 2 } else { 4 };
            let s: String = self.chars[self.pos..].iter().take(want).collect();
            if s.chars().count() != want {
                return Err(format!("`\\{letter}` needs {want} hexadecimal digits"));
            }
            self.pos += want;
            s
        };
        let ok = !digits.is_empty()
            && digits.len() <= 8
            && digits.chars().all(|c| c.is_ascii_hexdigit());
        u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| ok)
            .and_then(char::from_u32)
            .ok_or_else(|| format!("`\\{letter}{digits}` is not a character"))
    }

    fn class(&mut self) -> Result<(), String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut rust = String::from(if negated { "[^" } else { "[" });
        let mut js = rust.clone();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return Err("unclosed character class".into());
            };
            match c {
                ']' if first => return Err("an empty class: write `\\]` for the character".into()),
                ']' => break,
                '[' => return Err("write `\\[` for the character `[` inside a class".into()),
                '&' | '~' | '-' if self.peek_at(1) == Some(c) => {
                    return Err(format!(
                        "write `\\{c}` for the character `{c}` inside a class"
                    ))
                }
                '-' if !first && !matches!(self.peek_at(1), Some(']') | None) => {
                    return Err(
                        "a `-` inside a class is a character only first or last; write `\\-`"
                            .into(),
                    )
                }
                _ => {}
            }
            first = false;
            self.pos += 1;
            let start = if c == '\\' {
                match self.class_escape()? {
                    Member::Ranges(r, j) => {
                        rust.push_str(r);
                        js.push_str(j);
                        continue;
                    }
                    Member::Char(ch) => ch,
                }
            } else {
                c
            };
            let range = self.peek() == Some('-') && !matches!(self.peek_at(1), Some(']') | None);
            if !range {
                rust.push_str(&char_rust(start));
                js.push_str(&char_js(start));
                continue;
            }
            self.pos += 1;
            let end = match self.peek() {
                Some('\\') => {
                    self.pos += 1;
                    match self.class_escape()? {
                        Member::Char(ch) => ch,
                        Member::Ranges(..) => return Err("a range must end in a character".into()),
                    }
                }
                Some('[') => return Err("write `\\[` for the character `[` inside a class".into()),
                Some(ch) => {
                    self.pos += 1;
                    ch
                }
                None => return Err("unclosed character class".into()),
            };
            if end < start {
                return Err(format!("the range `{start}-{end}` is backwards"));
            }
            rust.push_str(&format!("{}-{}", char_rust(start), char_rust(end)));
            js.push_str(&format!("{}-{}", char_js(start), char_js(end)));
        }
        self.pos += 1;
        rust.push(']');
        js.push(']');
        self.emit(&rust, &js);
        Ok(())
    }

    /// After `\` inside a class.
    fn class_escape(&mut self) -> Result<Member, String> {
        let Some(c) = self.peek() else {
            return Err("unclosed character class".into());
        };
        self.pos += 1;
        if let Some((r, j)) = class_ranges(c) {
            return Ok(Member::Ranges(r, j));
        }
        match c {
            'D' | 'W' | 'S' => Err(format!("`\\{c}` is not supported inside a class")),
            'b' | 'B' | 'A' | 'z' => Err(format!("`\\{c}` means nothing inside a class")),
            c => self.escaped_char(c).map(Member::Char),
        }
    }
}

enum Member {
    Char(char),
    Ranges(&'static str, &'static str),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(p: &str) -> Translated {
        translate(p).unwrap_or_else(|e| panic!("{p:?}: {e}"))
    }

    fn matches(p: &str, text: &str) -> bool {
        regex::Regex::new(&ok(p).rust).unwrap().is_match(text)
    }

    #[test]
    fn ascii_classes() {
        assert!(matches(r"\d{3} ?\d{2}", "123 45"));
        assert!(!matches(r"\d", "٣"), "Arabic-Indic digits are not \\d");
        assert!(!matches(r"\w+", "åäö"));
        assert!(matches(r"[\w-]+", "a-b_9"));
        assert!(!matches(r"\s", "\u{a0}"));
        assert!(matches(r".", "\r"));
        assert!(!matches(r".", "\n"));
        assert!(matches(r"\bord\b.*", "ord här"));
        assert!(matches("[A-Za-zÅÄÖåäö]+", "Åsa"));
        assert!(matches("😀|a", "😀"));
    }

    #[test]
    fn written_out_for_javascript() {
        assert_eq!(ok(r"\d+").js, r"^(?:[0-9]+)$");
        assert_eq!(ok("a.b").js, r"^(?:a[^\u{a}]b)$");
        assert_eq!(ok("[a-]").js, r"^(?:[a\u{2d}])$");
        assert_eq!(ok("(?P<x>å){2,}?").js, r"^(?:(?:\u{e5}){2,}?)$");
    }

    #[test]
    fn refused() {
        for (p, why) in [
            ("[a-", "unclosed character class"),
            ("(?i)a", "flags and look-around are not supported"),
            (
                "a**",
                "a repetition cannot be repeated; put it in a group first",
            ),
            ("^*", "an anchor or boundary cannot be repeated"),
            (
                "[[:alpha:]]",
                "write `\\[` for the character `[` inside a class",
            ),
            ("[a&&b]", "write `\\&` for the character `&` inside a class"),
            ("[--a]", "write `\\-` for the character `-` inside a class"),
            (
                "[a-z-0]",
                "a `-` inside a class is a character only first or last; write `\\-`",
            ),
            (
                r"\p{L}",
                "Unicode classes are not supported: list the characters, e.g. `[A-Za-zÅÄÖåäö]`",
            ),
            ("a{2,1}", "in `{n,m}`, n must not be larger than m"),
            ("a{,3}", "write a repetition as `{n}`, `{n,}` or `{n,m}`"),
            ("}", "write `\\}` for the character `}`"),
            ("(a", "unclosed group: `(` without `)`"),
            ("a)", "unopened group: `)` without `(`"),
            ("[z-a]", "the range `z-a` is backwards"),
            ("(a{1000}){1000}", "the pattern is too large"),
        ] {
            assert_eq!(translate(p), Err(why.to_string()), "{p}");
        }
    }
}
