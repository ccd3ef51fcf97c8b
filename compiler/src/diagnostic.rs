//! The one diagnostic type every phase reports, and its rendering through miette.

use crate::source::{SourceMap, Span};
use serde::Serialize;
use std::fmt;

macro_rules! codes {
    ($($variant:ident => $name:literal, $what:literal;)*) => {
        /// Every diagnostic code blankett reports. The fixture suite covers each one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Code { $($variant),* }
        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];
            /// The short name, as in `blankett::unknown_field`.
            pub fn name(self) -> &'static str { match self { $(Code::$variant => $name),* } }
            /// One line on what the code means (for the handbook's table).
            pub fn describe(self) -> &'static str { match self { $(Code::$variant => $what),* } }
        }
    };
}

codes! {
    Io => "io", "a file could not be read";
    YamlSyntax => "yaml_syntax", "the file is not well-formed YAML";
    UnknownKey => "unknown_key", "a key that this place in the form does not have";
    MissingKey => "missing_key", "a key that must be present is missing";
    WrongValueType => "wrong_value_type", "a value of the wrong YAML kind (text, number, list, map)";
    InvalidValue => "invalid_value", "a value outside the allowed set";
    InvalidId => "invalid_id", "an id that is not ASCII snake_case";
    DuplicateId => "duplicate_id", "two things with the same id";
    InvalidVersion => "invalid_version", "a version that is not semver, or a requirement that does not parse";
    MissingSwedish => "missing_swedish", "a text without its Swedish (`sv`) version";
    MissingTranslation => "missing_translation", "a text lacks a language the library declares";
    UnknownLanguage => "unknown_language", "a text in a language the library does not declare";
    UnknownFieldType => "unknown_field_type", "a field type that does not exist";
    UnknownField => "unknown_field", "a reference to a field that does not exist";
    UnknownChoiceList => "unknown_choice_list", "a reference to a choice list that does not exist";
    UnknownChoiceValue => "unknown_choice_value", "a value that is not among a choice field's choices";
    UnknownFragment => "unknown_fragment", "a `use` of a fragment that does not exist";
    FragmentCycle => "fragment_cycle", "fragments that use each other in a circle";
    UnknownFunction => "unknown_function", "a call of a function the expression language does not have";
    WrongArgumentCount => "wrong_argument_count", "a function called with too few or too many arguments";
    ExpressionSyntax => "expression_syntax", "an expression that does not parse";
    TypeMismatch => "type_mismatch", "an expression whose type does not fit where it is used";
    ComputedCycle => "computed_cycle", "computed fields whose values depend on each other in a circle";
    ConditionCycle => "condition_cycle", "a field whose condition depends on its own answer, directly or through other fields";
    ForwardReference => "forward_reference", "a condition that depends on a question asked later";
    UnreachablePage => "unreachable_page", "a page that can never be shown";
    EmptyPage => "empty_page", "a page without fields";
    NotApplicable => "not_applicable", "a setting that does not apply to this field type";
    MissingChoices => "missing_choices", "a choice field without choices";
    DuplicateChoiceValue => "duplicate_choice_value", "two choices with the same value";
    InvalidBounds => "invalid_bounds", "a lower bound above the upper bound";
    InvalidPattern => "invalid_pattern", "a regular expression that does not compile";
    InvalidSize => "invalid_size", "a file size that does not parse (write e.g. `10 MB`)";
    InvalidAccept => "invalid_accept", "an `accept` entry that is not a file type";
    InvalidDate => "invalid_date", "a date that does not exist or is not written YYYY-MM-DD";
    InvalidTestAnswer => "invalid_test_answer", "a test answer of the wrong shape for its field";
    InvalidMapping => "invalid_mapping", "a mapping to the case system of the wrong shape";
    MissingMapping => "missing_mapping", "a required target of the case-system mapping is not mapped";
    UntranslatableMapping => "untranslatable_mapping", "an expression in the mapping that XSLT 1.0 cannot compute";
    UnknownLibrary => "unknown_library", "a dependency on a library that cannot be found";
    LibraryCycle => "library_cycle", "libraries that depend on each other in a circle";
    VersionMismatch => "version_mismatch", "a library whose version does not meet the requirement";
    UnknownService => "unknown_service", "a kommun service naming a form the libraries lack";
    UnknownCategory => "unknown_category", "a form's category that its library does not list";
    RenamedInLibrary => "renamed_in_library", "a kommun overlay using a name its library has since renamed";
    UnknownPage => "unknown_page", "a reference to a page that does not exist";
    InvalidFileName => "invalid_file_name", "a file whose name does not say what it is";
    InvalidOrgnr => "invalid_orgnr", "an organisation number that fails its check digit";
    LowContrast => "low_contrast", "a colour pair under the 4.5:1 contrast WCAG requires";
    NeedsIdentification => "needs_identification", "`inloggad` (the logged-in person) in a form with `identification: none`";
    ReservedName => "reserved_name", "a field or `as` named `inloggad`, which expressions reserve for the logged-in person";
    QuestionOnStopPage => "question_on_stop_page", "a stop page (`end: true`) with a field that asks something";
    ConstantCondition => "constant_condition", "a condition that reads no answer, so it is always true or always false";
    RequiredOnItself => "required_on_itself", "a `required` that depends on the field's own answer";
    StarInOwnRow => "star_in_own_row", "a `[*]` reference, inside a row, to the row's own repeat: the list over all rows where the row's field was meant";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "blankett::{}", self.name())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A problem found by any phase: a code, a lowercase headline, the exact place and a fix.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is. `None` only for problems with no place (a missing file).
    pub primary: Option<Label>,
    /// Related places: "first defined here".
    pub secondary: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
        }
    }
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Self::error(code, message)
        }
    }
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            message: label.into(),
        });
        self
    }
    pub fn also(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: label.into(),
        });
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
    fn sort_key(&self) -> (u32, u32, u32, Code) {
        match &self.primary {
            Some(l) => (l.span.file.0, l.span.start, l.span.end, self.code),
            None => (0, 0, 0, self.code),
        }
    }
}

/// Sorts by file and position so output reads top to bottom, and drops exact repeats.
pub fn sort(diags: &mut Vec<Diagnostic>) {
    diags.sort_by_key(|d| d.sort_key());
    diags.dedup();
}

/// "did you mean `x`?", when one candidate is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate most like `wrong`, if any is plausibly what was meant.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_l = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            let c_l = c.to_lowercase();
            // Paths that share their groups (`sokande.`, `common/`) are told apart by the rest:
            // the shared part would make every sibling look alike.
            let (w, r) = strip_common_groups(&wrong_l, &c_l);
            let mut score = strsim::jaro_winkler(w, r);
            // Authors shorten long ids (`pnr` for `personnummer`, `tel` for `telefon`); a
            // shortening keeps the letters in order, which a mere look-alike does not, so it
            // beats a similar-looking id (`sokande.pnr` means `sokande.personnummer`, not
            // `sokande.namn`).
            if is_abbreviation(&wrong_l, &c_l) {
                score = score.max(0.8) + 0.1;
            }
            (score, c)
        })
        .filter(|(score, c)| {
            *score >= 0.8
                || (c.len() > 3 && c.to_lowercase().contains(&wrong_l) && wrong_l.len() >= 3)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// `a.b.x`, `a.b.y` → `x`, `y`: the common leading groups up to a `.` or `/`, removed.
fn strip_common_groups<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    let mut cut = 0;
    for ((i, ca), cb) in a.char_indices().zip(b.chars()) {
        if ca != cb {
            break;
        }
        if ca == '.' || ca == '/' {
            cut = i + 1;
        }
    }
    (&a[cut..], &b[cut..])
}

/// `pnr` of `personnummer`: every dotted segment of `short` starts like the same segment of
/// `long` and keeps its letters in order, and at least one segment is really shortened.
fn is_abbreviation(short: &str, long: &str) -> bool {
    let (s, l): (Vec<&str>, Vec<&str>) = (short.split('.').collect(), long.split('.').collect());
    if s.len() != l.len() || short == long {
        return false;
    }
    s.iter().zip(&l).all(|(a, b)| {
        let mut rest = b.chars();
        a.len() >= 2.min(b.len())
            && a.chars().next() == b.chars().next()
            && a.chars().all(|c| rest.any(|d| d == c))
    })
}

/// A diagnostic's place as the author sees it.
#[derive(Serialize, Debug, Clone)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn position(sources: &SourceMap, span: Span) -> Position {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    Position {
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
    }
}

/// The machine-readable form (`--format json`).
pub fn to_json(sources: &SourceMap, d: &Diagnostic) -> serde_json::Value {
    let label = |l: &Label| serde_json::json!({ "message": l.message, "position": position(sources, l.span) });
    serde_json::json!({
        "code": d.code.to_string(),
        "severity": d.severity,
        "message": d.message,
        "position": d.primary.as_ref().map(|l| position(sources, l.span)),
        "label": d.primary.as_ref().map(|l| l.message.clone()),
        "related": d.secondary.iter().map(label).collect::<Vec<_>>(),
        "help": d.help,
    })
}

/// A diagnostic bound to its source text, as miette wants it.
#[derive(Debug)]
struct Bound {
    diag: Diagnostic,
    /// A related place in another file ("first defined here"): shown as advice, not as a
    /// warning of its own.
    advice: bool,
    source: Option<miette::NamedSource<String>>,
    labels: Vec<miette::LabeledSpan>,
    related: Vec<Bound>,
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}
impl std::error::Error for Bound {}

impl miette::Diagnostic for Bound {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        if self.advice {
            return Some(miette::Severity::Advice);
        }
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

impl Bound {
    fn without_source(diag: &Diagnostic) -> Bound {
        Bound {
            diag: diag.clone(),
            advice: false,
            source: None,
            labels: vec![],
            related: vec![],
        }
    }
}

fn bind(sources: &SourceMap, diag: &Diagnostic) -> Bound {
    let Some(primary) = &diag.primary else {
        return Bound::without_source(diag);
    };
    let file = sources.get(primary.span.file);
    let same_file = std::iter::once(primary)
        .chain(&diag.secondary)
        .filter(|l| l.span.file == primary.span.file);
    if same_file
        .into_iter()
        .any(|l| line_around(&file.text, l.span.start as usize).len() > LONGEST_DRAWN_LINE)
    {
        // Drawn without the source; `render` adds an excerpt of the line instead.
        return Bound::without_source(diag);
    }
    let labeled = |l: &Label, is_primary: bool| {
        let (start, len) = (l.span.start as usize, l.span.len());
        let text = (!l.message.is_empty()).then(|| l.message.clone());
        if is_primary {
            miette::LabeledSpan::new_primary_with_span(text, (start, len))
        } else {
            miette::LabeledSpan::new_with_span(text, (start, len))
        }
    };
    let mut labels = vec![labeled(primary, true)];
    let mut related = Vec::new();
    for l in &diag.secondary {
        if l.span.file == primary.span.file {
            labels.push(labeled(l, false));
        } else {
            // miette shows one source per diagnostic; a place in another file becomes an advice.
            let note = Diagnostic::error(diag.code, l.message.clone()).at(l.span, "");
            let mut b = bind(sources, &note);
            b.advice = true;
            related.push(b);
        }
    }
    Bound {
        diag: diag.clone(),
        advice: false,
        source: Some(
            miette::NamedSource::new(file.name.clone(), file.text.clone()).with_language("yaml"),
        ),
        labels,
        related,
    }
}

/// Lines longer than this (bytes) are not drawn whole under a diagnostic: miette draws the
/// whole line and cannot underline past column 65,535. Such a line comes from a pasted or
/// generated file; the diagnostic shows an excerpt around the place instead.
const LONGEST_DRAWN_LINE: usize = 1_000;

/// `at`, moved back to the start of the character it falls in: a span may end inside a
/// multi-byte character (found by fuzzing), and slicing there would panic.
fn char_start(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The line of `text` that holds byte `at`.
fn line_around(text: &str, at: usize) -> &str {
    let at = char_start(text, at);
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    &text[start..end]
}

/// For a diagnostic on an overlong line: where it is and the text around it, on one line.
fn excerpt(sources: &SourceMap, label: &Label) -> String {
    let file = sources.get(label.span.file);
    let at = char_start(&file.text, label.span.start as usize);
    let line = line_around(&file.text, at);
    let p = position(sources, label.span);
    let before: String = {
        let start = at - (line.as_ptr() as usize - file.text.as_ptr() as usize);
        let chars: Vec<char> = line[..start].chars().collect();
        chars[chars.len().saturating_sub(40)..].iter().collect()
    };
    let after: String = file.text[at..]
        .chars()
        .take(60)
        .take_while(|c| *c != '\n')
        .collect();
    format!(
        "  at column {} of a line {} characters long: …{before}⟨here⟩{after}…\n",
        p.column,
        line.chars().count()
    )
}

/// Renders diagnostics as the author reads them in a terminal.
pub fn render(sources: &SourceMap, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_context_lines(1);
    let mut out = String::new();
    for d in diags {
        let bound = bind(sources, d);
        if let Some(l) = &d.primary {
            let p = position(sources, l.span);
            out.push_str(&format!("{}:{}:{}\n", p.file, p.line, p.column));
        }
        let mut report = String::new();
        let _ = handler.render_report(&mut report, &bound);
        out.push_str(&same_columns(sources, d, report));
        if let (Some(l), None) = (&d.primary, &bound.source) {
            out.push_str(&excerpt(sources, l));
        }
        out.push('\n');
    }
    out
}

/// miette counts the column in its `╭─[file:line:column]` header in bytes, so after an `å` it
/// disagrees with the position line above it and with editors. Its header is rewritten to
/// the column in characters that [`position`] gives.
fn same_columns(sources: &SourceMap, d: &Diagnostic, mut report: String) -> String {
    let labels = d.primary.iter().chain(&d.secondary);
    for l in labels {
        let file = sources.get(l.span.file);
        let p = position(sources, l.span);
        let Some(before) = file.text.get(..l.span.start as usize) else {
            continue;
        };
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let byte_col = l.span.start as usize - line_start + 1;
        if byte_col != p.column {
            let from = format!("[{}:{}:{}]", p.file, p.line, byte_col);
            let to = format!("[{}:{}:{}]", p.file, p.line, p.column);
            report = report.replacen(&from, &to, 1);
        }
    }
    report
}
