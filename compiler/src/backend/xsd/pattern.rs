//! An author's `pattern` (a Rust regex) carried into the schemas, and a sample that matches it.
//!
//! The evaluator checks an answer with `^(?:pattern)$` in Rust's dialect. XSD and ECMAScript
//! differ from it in ways that would make a schema reject answers the e-service accepted (a
//! Unicode `\w`, a `.` that stops at `\r`, ASCII-only `\d` in ECMAScript, flags, look-arounds),
//! so only a small subset whose meaning is the same in all three is translated. Anything else
//! gives `None`, and the schema leaves the check to the e-service and says so.

/// One alternative of a group: a sequence of pieces.
type Branch = Vec<Piece>;

#[derive(Debug, Clone, PartialEq)]
struct Piece {
    atom: Atom,
    min: u32,
    /// `None` is unbounded.
    max: Option<u32>,
}

impl Piece {
    fn once(atom: Atom) -> Piece {
        Piece {
            atom,
            min: 1,
            max: Some(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Char(char),
    Class {
        negated: bool,
        items: Vec<Item>,
    },
    /// `.`: any character but `\n` in Rust's default mode.
    Dot,
    /// Any character at all (never parsed; built for file types).
    Any,
    /// `\d` (or `\D` when negated): Unicode decimal digits, as in XSD.
    Digit {
        negated: bool,
    },
    Group(Vec<Branch>),
}

#[derive(Debug, Clone, PartialEq)]
enum Item {
    Char(char),
    Range(char, char),
    Digit,
}

/// A pattern understood well enough to be translated and sampled.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern(Vec<Branch>);

impl Pattern {
    /// Parses the subset; `None` when the pattern uses anything outside it, or when Rust itself
    /// rejects it (then the evaluator accepts every answer, and so must the schema).
    pub(crate) fn parse(source: &str) -> Option<Pattern> {
        // The evaluator's own compiled pattern (cached per thread: every build asks for each
        // pattern several times, and compiling a regex costs more than the rest of this).
        crate::eval::validate::field_pattern_matches("", source)?;
        // Anchors at the very ends repeat what the evaluator's wrapping already says.
        let body = source.strip_prefix('^').unwrap_or(source);
        let body = match body.strip_suffix('$') {
            Some(b) if !ends_escaped(b) => b,
            _ => body,
        };
        let mut p = Parser {
            chars: body.chars().collect(),
            pos: 0,
        };
        let alt = p.alternation()?;
        (p.pos == p.chars.len()).then_some(Pattern(alt))
    }

    /// The body of an `xs:pattern` (XSD patterns are anchored by definition).
    pub(crate) fn xsd(&self) -> Option<String> {
        let mut out = String::new();
        alternation(&self.0, Flavour::Xsd, &mut out)?;
        Some(out)
    }

    /// An anchored ECMAScript pattern for JSON Schema.
    pub(crate) fn ecma(&self) -> Option<String> {
        let mut out = String::from("^(?:");
        alternation(&self.0, Flavour::Ecma, &mut out)?;
        out.push_str(")$");
        Some(out)
    }

    /// The media types a file field's `accept` lets through, as the evaluator compares them:
    /// `image/*` matches on the major type exactly, a full type ignoring ASCII case.
    pub(crate) fn media_types(accept: &[String]) -> Pattern {
        let chars = |s: &str, fold: bool| -> Branch {
            s.chars()
                .map(|c| {
                    let atom = if fold && c.is_ascii_alphabetic() {
                        let items = vec![
                            Item::Char(c.to_ascii_lowercase()),
                            Item::Char(c.to_ascii_uppercase()),
                        ];
                        Atom::Class {
                            negated: false,
                            items,
                        }
                    } else {
                        Atom::Char(c)
                    };
                    Piece::once(atom)
                })
                .collect()
        };
        let branches = accept
            .iter()
            .map(|a| match a.strip_suffix("/*") {
                Some(major) => {
                    let mut b = chars(major, false);
                    let mut rest = chars("/", false);
                    rest.push(Piece {
                        atom: Atom::Any,
                        min: 0,
                        max: None,
                    });
                    b.push(Piece {
                        atom: Atom::Group(vec![rest]),
                        min: 0,
                        max: Some(1),
                    });
                    b
                }
                None => chars(a, true),
            })
            .collect();
        Pattern(branches)
    }

    /// A short string the pattern matches: each repetition taken as few times as it may, but
    /// at least once, so that an optional part shows in an example too.
    pub(crate) fn sample(&self) -> String {
        let mut out = String::new();
        sample_alternation(&self.0, &mut out);
        out
    }
}

/// Whether the last character of `s` is escaped by an odd run of backslashes before it.
fn ends_escaped(s: &str) -> bool {
    s.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn eat(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = self
            .chars
            .get(self.pos..self.pos + n)
            .is_some_and(|w| w.iter().copied().eq(s.chars()));
        if matches {
            self.pos += n;
        }
        matches
    }

    fn alternation(&mut self) -> Option<Vec<Branch>> {
        let mut branches = vec![self.branch()?];
        while self.eat("|") {
            branches.push(self.branch()?);
        }
        Some(branches)
    }

    fn branch(&mut self) -> Option<Branch> {
        let mut pieces: Branch = Vec::new();
        while let Some(c) = self.peek() {
            match c {
                '|' | ')' => break,
                '*' | '+' | '?' | '{' => {
                    let (min, max) = self.quantifier()?;
                    let last = pieces.last_mut()?;
                    // A second quantifier on the same atom is not in the subset.
                    if (last.min, last.max) != (1, Some(1)) {
                        return None;
                    }
                    last.min = min;
                    last.max = max;
                    // Laziness changes which match is found, never whether the whole answer
                    // matches, so it can be dropped.
                    self.eat("?");
                }
                _ => {
                    let atom = self.atom()?;
                    pieces.push(Piece::once(atom));
                }
            }
        }
        Some(pieces)
    }

    fn quantifier(&mut self) -> Option<(u32, Option<u32>)> {
        match self.next()? {
            '*' => Some((0, None)),
            '+' => Some((1, None)),
            '?' => Some((0, Some(1))),
            _ => {
                let min = self.number()?;
                let max = if self.eat(",") {
                    match self.peek() {
                        Some('}') => None,
                        _ => Some(self.number()?),
                    }
                } else {
                    Some(min)
                };
                self.eat("}").then_some(())?;
                Some((min, max))
            }
        }
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        digits.parse().ok()
    }

    fn atom(&mut self) -> Option<Atom> {
        match self.next()? {
            '(' => {
                if self.eat("?") {
                    // Non-capturing and named groups match like plain groups; flags do not.
                    if !self.eat(":") {
                        let named = self.eat("P<") || self.eat("<");
                        if !named {
                            return None;
                        }
                        while self.peek()? != '>' {
                            let c = self.next()?;
                            if !(c.is_ascii_alphanumeric() || c == '_') {
                                return None;
                            }
                        }
                        self.next();
                    }
                }
                let inner = self.alternation()?;
                self.eat(")").then_some(Atom::Group(inner))
            }
            '[' => self.class(),
            '.' => Some(Atom::Dot),
            '\\' => match self.next()? {
                'd' => Some(Atom::Digit { negated: false }),
                'D' => Some(Atom::Digit { negated: true }),
                c => escaped(c).map(Atom::Char),
            },
            // Anchors anywhere but the ends, and what Rust would reject anyway.
            '^' | '$' | ')' | ']' => None,
            c => Some(Atom::Char(c)),
        }
    }

    fn class(&mut self) -> Option<Atom> {
        let negated = self.eat("^");
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.next()?;
            match c {
                ']' if !first => break,
                // Nested classes, POSIX classes and set operations are Rust's own.
                '[' => return None,
                '&' | '-' | '~' if self.peek() == Some(c) => return None,
                _ => {}
            }
            first = false;
            let start = match c {
                '\\' => match self.next()? {
                    'd' => {
                        items.push(Item::Digit);
                        continue;
                    }
                    e => escaped(e)?,
                },
                c => c,
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1) != Some(&']') {
                self.pos += 1;
                let end = match self.next()? {
                    '\\' => escaped(self.next()?)?,
                    '[' => return None,
                    e => e,
                };
                if end < start {
                    return None;
                }
                items.push(Item::Range(start, end));
            } else {
                items.push(Item::Char(start));
            }
        }
        Some(Atom::Class { negated, items })
    }
}

/// The character an escape outside `\d` stands for, when it means the same everywhere.
fn escaped(c: char) -> Option<char> {
    match c {
        'n' => Some('\n'),
        't' => Some('\t'),
        'r' => Some('\r'),
        // `\<` and `\>` are word boundaries in Rust, not characters.
        c if c.is_ascii_punctuation() && c != '<' && c != '>' => Some(c),
        // `\w`, `\s`, `\b`, `\p{…}`, `\x…` and the like differ between the dialects.
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Flavour {
    Xsd,
    Ecma,
}

fn alternation(branches: &[Branch], fl: Flavour, out: &mut String) -> Option<()> {
    for (i, branch) in branches.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        for piece in branch {
            atom(&piece.atom, fl, out)?;
            match (piece.min, piece.max) {
                (1, Some(1)) => {}
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (n, Some(m)) if n == m => out.push_str(&format!("{{{n}}}")),
                (n, None) => out.push_str(&format!("{{{n},}}")),
                (n, Some(m)) => out.push_str(&format!("{{{n},{m}}}")),
            }
        }
    }
    Some(())
}

fn atom(a: &Atom, fl: Flavour, out: &mut String) -> Option<()> {
    match a {
        Atom::Char(c) => literal(*c, fl, false, out),
        Atom::Dot => {
            out.push_str(r"[^\n]");
            Some(())
        }
        Atom::Any => {
            out.push_str(r"[\s\S]");
            Some(())
        }
        // ECMAScript's `\d` is ASCII only: stricter than the evaluator.
        Atom::Digit { .. } if fl == Flavour::Ecma => None,
        Atom::Digit { negated } => {
            out.push_str(if *negated { r"\D" } else { r"\d" });
            Some(())
        }
        Atom::Class { negated, items } => {
            out.push('[');
            if *negated {
                out.push('^');
            }
            for item in items {
                match item {
                    Item::Char(c) => literal(*c, fl, true, out)?,
                    Item::Range(a, b) => {
                        literal(*a, fl, true, out)?;
                        out.push('-');
                        literal(*b, fl, true, out)?;
                    }
                    Item::Digit if fl == Flavour::Ecma => return None,
                    Item::Digit => out.push_str(r"\d"),
                }
            }
            out.push(']');
            Some(())
        }
        Atom::Group(inner) => {
            out.push('(');
            alternation(inner, fl, out)?;
            out.push(')');
            Some(())
        }
    }
}

fn literal(c: char, fl: Flavour, in_class: bool, out: &mut String) -> Option<()> {
    let special: &[char] = match (fl, in_class) {
        // XSD 1.0's metacharacters; `^`, `$` and `-` are plain outside a class there.
        (Flavour::Xsd, false) => &['\\', '.', '?', '*', '+', '{', '}', '(', ')', '|', '[', ']'],
        (Flavour::Xsd, true) | (Flavour::Ecma, true) => &['\\', '[', ']', '^', '-'],
        (Flavour::Ecma, false) => &[
            '\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}', '/',
        ],
    };
    match c {
        '\n' => out.push_str(r"\n"),
        '\t' => out.push_str(r"\t"),
        '\r' => out.push_str(r"\r"),
        // Other control characters cannot be written in an XML attribute or a portable pattern.
        c if c.is_control() => return None,
        // Outside the BMP, an ECMAScript engine without the `u` flag sees two code units.
        c if fl == Flavour::Ecma && (c as u32) > 0xFFFF => return None,
        c if special.contains(&c) => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
    Some(())
}

fn sample_alternation(branches: &[Branch], out: &mut String) {
    if let Some(branch) = branches.first() {
        for piece in branch {
            let times = piece.min.max(1).min(piece.max.unwrap_or(u32::MAX));
            for _ in 0..times {
                sample_atom(&piece.atom, out);
            }
        }
    }
}

fn sample_atom(a: &Atom, out: &mut String) {
    match a {
        Atom::Char(c) => out.push(*c),
        Atom::Dot | Atom::Any | Atom::Digit { negated: true } => out.push('a'),
        Atom::Digit { negated: false } => out.push('0'),
        Atom::Group(inner) => sample_alternation(inner, out),
        Atom::Class { negated, items } => {
            let inside = |c: char| {
                items.iter().any(|i| match i {
                    Item::Char(x) => *x == c,
                    Item::Range(a, b) => (*a..=*b).contains(&c),
                    Item::Digit => c.is_numeric(),
                })
            };
            let pick = if *negated {
                ['a', 'x', 'A', '0', ' ', '_']
                    .into_iter()
                    .find(|&c| !inside(c))
            } else {
                items.first().map(|i| match i {
                    Item::Char(c) | Item::Range(c, _) => *c,
                    Item::Digit => '0',
                })
            };
            if let Some(c) = pick {
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn both(p: &str) -> (Option<String>, Option<String>) {
        match Pattern::parse(p) {
            Some(pat) => (pat.xsd(), pat.ecma()),
            None => (None, None),
        }
    }

    #[test]
    fn time_of_day_translates() {
        let (xsd, ecma) = both("^([01][0-9]|2[0-3]):[0-5][0-9]$");
        assert_eq!(xsd.as_deref(), Some("([01][0-9]|2[0-3]):[0-5][0-9]"));
        assert_eq!(ecma.as_deref(), Some("^(?:([01][0-9]|2[0-3]):[0-5][0-9])$"));
    }

    #[test]
    fn metacharacters_are_escaped_per_dialect() {
        let (xsd, ecma) = both(r"a\.b\$c-d/e\^");
        assert_eq!(xsd.as_deref(), Some(r"a\.b$c-d/e^"));
        assert_eq!(ecma.as_deref(), Some(r"^(?:a\.b\$c-d\/e\^)$"));
        let (xsd, _) = both(r"[a\-z^]+?");
        assert_eq!(xsd.as_deref(), Some(r"[a\-z\^]+"));
    }

    #[test]
    fn dot_and_digits_keep_their_rust_meaning() {
        let (xsd, ecma) = both(r"\d{3}.");
        assert_eq!(xsd.as_deref(), Some(r"\d{3}[^\n]"));
        assert_eq!(ecma, None, "ECMAScript's \\d is ASCII only");
    }

    #[test]
    fn unsafe_constructs_are_refused() {
        for p in [
            r"\w+",
            r"\s",
            r"(?i)abc",
            r"a^b",
            r"[[:alpha:]]",
            r"[a-z&&[^x]]",
            r"\bword",
            r"\p{L}",
            "(",
        ] {
            assert_eq!(Pattern::parse(p), None, "{p}");
        }
    }

    #[test]
    fn media_types_follow_the_evaluator() {
        let p = Pattern::media_types(&["image/*".into(), "application/pdf".into()]);
        assert_eq!(
            p.xsd().as_deref(),
            Some(r"image(/[\s\S]*)?|[aA][pP][pP][lL][iI][cC][aA][tT][iI][oO][nN]/[pP][dD][fF]")
        );
        let re = regex::Regex::new(&p.ecma().unwrap()).unwrap();
        for ok in ["image/png", "image", "APPLICATION/PDF"] {
            assert!(re.is_match(ok), "{ok}");
        }
        for bad in ["Image/png", "application/pdfx", "text/plain"] {
            assert!(!re.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn samples_match_the_rust_pattern() {
        for p in [
            "^([01][0-9]|2[0-3]):[0-5][0-9]$",
            r"[A-Z]{2}\d{4}",
            "(?:ab|c)*x?",
            "[^abc]+",
            r"\D\.[a-]",
        ] {
            let s = Pattern::parse(p).map(|pat| pat.sample());
            let re = regex::Regex::new(&format!("^(?:{p})$")).unwrap();
            assert!(s.as_deref().is_some_and(|s| re.is_match(s)), "{p}: {s:?}");
        }
    }
}
