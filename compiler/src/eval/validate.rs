//! The constraints of one answer: required, bounds, lengths, patterns, choices, files, rows.
//! Messages follow DIGG's advice: say what is wrong and how to put it right, in Swedish first.

use crate::expr::Value;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, Limit, Text};
use chrono::NaiveDate;

fn quote_sv(label: &Text) -> String {
    format!("”{}”", label.get("sv").trim_end_matches(['?', ':', '.']))
}

fn quote_en(label: &Text) -> String {
    format!("“{}”", label.get("en").trim_end_matches(['?', ':', '.']))
}

/// The message for an unanswered required field.
pub fn missing(form: &Form, id: FieldId) -> Text {
    let f = &form.fields[id];
    let (sv, en) = (quote_sv(&f.label), quote_en(&f.label));
    match f.kind {
        FieldType::Choice | FieldType::YesNo => Text::sv_en(
            format!("Välj ett svar på {sv}."),
            format!("Select an answer to {en}."),
        ),
        FieldType::MultiChoice => Text::sv_en(
            format!("Välj minst ett alternativ för {sv}."),
            format!("Select at least one option for {en}."),
        ),
        FieldType::Consent => Text::sv_en(
            format!("Du behöver kryssa i {sv} för att gå vidare."),
            format!("You need to tick {en} to continue."),
        ),
        FieldType::File => Text::sv_en(
            format!("Välj en fil för {sv}."),
            format!("Choose a file for {en}."),
        ),
        FieldType::Date => Text::sv_en(
            format!("Ange ett datum för {sv}."),
            format!("Enter a date for {en}."),
        ),
        FieldType::Position => Text::sv_en(
            format!("Ange platsen för {sv}."),
            format!("Enter the place for {en}."),
        ),
        _ => Text::sv_en(format!("Fyll i {sv}."), format!("Enter {en}.")),
    }
}

fn fmt_num(n: f64) -> (String, String) {
    let en = if n.fract() == 0.0 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    };
    (en.replace('.', ","), en)
}

fn limit_date(l: &Limit, today: NaiveDate) -> Option<NaiveDate> {
    match l {
        Limit::Date(d) => Some(*d),
        Limit::Today => Some(today),
        Limit::Number(_) => None,
    }
}

/// Checks one visible answer; `rows` is the number of rows of a repeat.
pub fn check(
    form: &Form,
    id: FieldId,
    value: &Value,
    required: bool,
    today: NaiveDate,
    rows: Option<usize>,
) -> Option<Text> {
    let f = &form.fields[id];
    if f.kind == FieldType::Repeat {
        let n = rows.unwrap_or(0);
        if let Some(min) = f.min_items.filter(|&m| n < m as usize) {
            return Some(Text::sv_en(
                format!("Lägg till minst {min} i {}.", quote_sv(&f.label)),
                format!("Add at least {min} to {}.", quote_en(&f.label)),
            ));
        }
        if let Some(max) = f.max_items.filter(|&m| n > m as usize) {
            return Some(Text::sv_en(
                format!("Du kan lägga till högst {max} i {}.", quote_sv(&f.label)),
                format!("You can add at most {max} to {}.", quote_en(&f.label)),
            ));
        }
        return None;
    }
    let answered =
        value.is_answered() && !(f.kind == FieldType::Consent && *value == Value::Bool(false));
    if !answered {
        return required.then(|| missing(form, id));
    }
    match (f.kind, value) {
        (FieldType::Text | FieldType::Textarea, Value::Text(s)) => {
            let n = s.chars().count();
            if let Some(max) = f.max_length.filter(|&m| n > m as usize) {
                return Some(Text::sv_en(
                    format!("Texten får vara högst {max} tecken. Nu är den {n} tecken."),
                    format!("The text can be at most {max} characters. It is now {n}."),
                ));
            }
            if let Some(min) = f.min_length.filter(|&m| n < m as usize) {
                return Some(Text::sv_en(
                    format!("Skriv minst {min} tecken."),
                    format!("Write at least {min} characters."),
                ));
            }
            if let Some(p) = &f.pattern {
                // Compiled once per thread, not on every validation: a pattern is checked on
                // every page a person sends.
                let ok = field_pattern_matches(s, p).unwrap_or(true);
                if !ok {
                    return Some(f.pattern_message.clone().unwrap_or_else(|| {
                        Text::sv_en(
                            format!("Kontrollera hur du har skrivit {}.", quote_sv(&f.label)),
                            format!("Check how you wrote {}.", quote_en(&f.label)),
                        )
                    }));
                }
            }
        }
        (FieldType::Integer | FieldType::Decimal | FieldType::Money, Value::Number(n)) => {
            if let Some(Limit::Number(min)) = &f.min {
                if n < min {
                    let (sv, en) = fmt_num(*min);
                    return Some(Text::sv_en(
                        format!("Ange ett tal som är {sv} eller större."),
                        format!("Enter a number that is {en} or more."),
                    ));
                }
            }
            if let Some(Limit::Number(max)) = &f.max {
                if n > max {
                    let (sv, en) = fmt_num(*max);
                    return Some(Text::sv_en(
                        format!("Ange ett tal som är {sv} eller mindre."),
                        format!("Enter a number that is {en} or less."),
                    ));
                }
            }
        }
        (FieldType::Date, Value::Date(d)) => {
            if let Some(min) = f.min.as_ref().and_then(|l| limit_date(l, today)) {
                if *d < min {
                    return Some(Text::sv_en(
                        format!("Datumet kan tidigast vara {min}."),
                        format!("The date can be {min} at the earliest."),
                    ));
                }
            }
            if let Some(max) = f.max.as_ref().and_then(|l| limit_date(l, today)) {
                if *d > max {
                    return Some(Text::sv_en(
                        format!("Datumet kan senast vara {max}."),
                        format!("The date can be {max} at the latest."),
                    ));
                }
            }
        }
        (FieldType::Choice, Value::Text(s)) if !f.choices.iter().any(|c| &c.value == s) => {
            return Some(Text::sv_en(
                "Välj ett av alternativen.",
                "Select one of the options.",
            ));
        }
        (FieldType::MultiChoice, Value::List(items)) => {
            let ok = items
                .iter()
                .all(|i| matches!(i, Value::Text(s) if f.choices.iter().any(|c| &c.value == s)));
            if !ok {
                return Some(Text::sv_en(
                    "Välj bland alternativen.",
                    "Select from the options.",
                ));
            }
        }
        (FieldType::File, Value::List(files)) => return check_files(f, files, required),
        (FieldType::File, Value::File { size, mime, .. }) => {
            if !f.accept.is_empty() && !f.accept.iter().any(|a| accepts(a, mime)) {
                let kinds = f
                    .accept
                    .iter()
                    .map(|a| a.rsplit('/').next().unwrap_or(a).to_uppercase())
                    .collect::<Vec<_>>()
                    .join(", ");
                return Some(Text::sv_en(
                    format!("Filen måste vara av typen {kinds}."),
                    format!("The file must be {kinds}."),
                ));
            }
            if let Some(max) = f.max_size.filter(|m| size > m) {
                let mb = max as f64 / 1e6;
                return Some(Text::sv_en(
                    format!(
                        "Filen är för stor. Den får vara högst {} MB.",
                        fmt_num(mb).0
                    ),
                    format!(
                        "The file is too large. It can be at most {} MB.",
                        fmt_num(mb).1
                    ),
                ));
            }
        }
        _ => {}
    }
    None
}

/// A field's several files: how many (`min_files` where required, `max_files`), each file as
/// one file is checked, and all together against `max_total_size`.
fn check_files(f: &crate::ir::Field, files: &[Value], required: bool) -> Option<Text> {
    let n = files.len();
    let (sv, en) = (quote_sv(&f.label), quote_en(&f.label));
    let min = f.min_files.unwrap_or(1) as usize;
    if required && n < min {
        return Some(Text::sv_en(
            format!("Välj minst {min} filer för {sv}."),
            format!("Choose at least {min} files for {en}."),
        ));
    }
    let max = f.max_files.max(1) as usize;
    if n > max {
        return Some(Text::sv_en(
            format!("Du kan ladda upp högst {max} filer för {sv}."),
            format!("You can upload at most {max} files for {en}."),
        ));
    }
    let mut total = 0u64;
    for file in files {
        let Value::File { size, mime, .. } = file else {
            continue;
        };
        total = total.saturating_add(*size);
        if !f.accept.is_empty() && !f.accept.iter().any(|a| accepts(a, mime)) {
            let kinds = accept_kinds(f);
            return Some(Text::sv_en(
                format!("Filerna måste vara av typen {kinds}."),
                format!("The files must be {kinds}."),
            ));
        }
        if let Some(max) = f.max_size.filter(|m| size > m) {
            let mb = max as f64 / 1e6;
            return Some(Text::sv_en(
                format!(
                    "En av filerna är för stor. Varje fil får vara högst {} MB.",
                    fmt_num(mb).0
                ),
                format!(
                    "One of the files is too large. Each file can be at most {} MB.",
                    fmt_num(mb).1
                ),
            ));
        }
    }
    if let Some(max) = f.max_total_size.filter(|m| total > *m) {
        let mb = max as f64 / 1e6;
        return Some(Text::sv_en(
            format!(
                "Filerna är för stora tillsammans. De får vara högst {} MB sammanlagt.",
                fmt_num(mb).0
            ),
            format!(
                "The files are too large together. They can be at most {} MB in all.",
                fmt_num(mb).1
            ),
        ));
    }
    None
}

/// An `accept` list as people read it: `PDF, JPEG`.
pub fn accept_kinds(f: &crate::ir::Field) -> String {
    f.accept
        .iter()
        .map(|a| a.rsplit('/').next().unwrap_or(a).to_uppercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a file of type `mime` meets an `accept` entry (`image/jpeg`, or `image/*`).
pub fn accepts(pattern: &str, mime: &str) -> bool {
    match pattern.strip_suffix("/*") {
        Some(major) => mime.split('/').next() == Some(major),
        None => pattern.eq_ignore_ascii_case(mime),
    }
}

thread_local! {
    /// Field patterns, compiled once per thread (and the error of one that does not compile).
    static FIELD_PATTERNS: std::cell::RefCell<
        std::collections::HashMap<String, Result<regex::Regex, regex::Error>>,
    > = std::cell::RefCell::new(std::collections::HashMap::new());
}

/// A field's `pattern:` is a regular expression of the `regex` crate, anchored at both ends;
/// the schemas carry it only where XSD and ECMAScript read it alike (`backend/xsd/pattern.rs`).
/// `None` when it does not compile (analysis reports that).
pub(crate) fn field_pattern_matches(text: &str, pattern: &str) -> Option<bool> {
    with_field_pattern(pattern, |re| re.ok().map(|re| re.is_match(text)))
}

/// Whether a field's `pattern:` compiles, and the regex crate's error when it does not. The
/// analyser asks for every field of every form; the compiled pattern is the one the evaluator
/// and the backends then use.
pub(crate) fn check_field_pattern(pattern: &str) -> Result<(), regex::Error> {
    with_field_pattern(pattern, |re| re.map(|_| ()).map_err(Clone::clone))
}

fn with_field_pattern<T>(
    pattern: &str,
    f: impl FnOnce(Result<&regex::Regex, &regex::Error>) -> T,
) -> T {
    FIELD_PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Looked up by `&str` first: a hit, the common case, allocates nothing.
        if let Some(re) = cache.get(pattern) {
            return f(re.as_ref());
        }
        if cache.len() > 256 {
            cache.clear();
        }
        let compiled = regex::Regex::new(&format!("^(?:{pattern})$"));
        f(cache
            .entry(pattern.to_string())
            .or_insert(compiled)
            .as_ref())
    })
}
