//! Checking the per-type settings of a field: choices, bounds, lengths, patterns, files.

use super::resolve::{Resolver, Settings};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::FieldType;
use crate::ir::Limit;
use crate::source::Span;
use crate::syntax::model::{self as m, Sp};

impl Resolver<'_> {
    pub fn settings(&mut self, f: &m::FieldDef) -> Settings {
        let kind = f.ty.value;
        let mut s = Settings::default();
        self.choices_setting(f, &mut s);
        let bounded = kind.is_numeric() || kind == FieldType::Date;
        s.min = f
            .min
            .as_ref()
            .and_then(|b| self.limit(b, "min", kind, bounded));
        s.max = f
            .max
            .as_ref()
            .and_then(|b| self.limit(b, "max", kind, bounded));
        if let (Some(Limit::Number(lo)), Some(Limit::Number(hi)), Some(m::Bound::Number(b))) =
            (&s.min, &s.max, &f.max)
        {
            if lo > hi {
                self.bounds_error(b.span, "min", "max", &format!("{lo} > {hi}"));
            }
        }
        if let (Some(Limit::Date(lo)), Some(Limit::Date(hi)), Some(m::Bound::Text(b))) =
            (&s.min, &s.max, &f.max)
        {
            if lo > hi {
                self.bounds_error(b.span, "min", "max", &format!("{lo} is after {hi}"));
            }
        }
        let textual = kind.is_textual();
        s.min_length = self.count(f.min_length.as_ref(), "min_length", kind, textual);
        s.max_length = self.count(f.max_length.as_ref(), "max_length", kind, textual);
        if let (Some(lo), Some(hi), Some(b)) = (s.min_length, s.max_length, &f.max_length) {
            if lo > hi {
                self.bounds_error(b.span, "min_length", "max_length", &format!("{lo} > {hi}"));
            }
        }
        if let Some(p) = &f.pattern {
            if !textual {
                self.not_applicable(p.span, "pattern", kind);
            } else {
                match crate::eval::validate::check_field_pattern(&p.value) {
                    Ok(_) => s.pattern = Some(p.value.clone()),
                    Err(e) => self.diags.push(
                        Diagnostic::error(Code::InvalidPattern, "this pattern is not a valid regular expression")
                            .at(p.span, first_line(&e.to_string()))
                            .help("check brackets and backslashes; in YAML, quote the pattern with single quotes: '^[0-9]{4}$'"),
                    ),
                }
            }
        }
        if let Some(pm) = &f.pattern_message {
            if !textual {
                self.not_applicable(pm.span, "pattern_message", kind);
            } else if f.pattern.is_none() {
                self.diags.push(
                    Diagnostic::error(Code::MissingKey, "a `pattern_message` without a `pattern`")
                        .at(pm.span, "this message is never shown")
                        .help("add `pattern:` with the regular expression, or remove the message"),
                );
            }
        }
        let file = kind == FieldType::File;
        if let Some(accept) = &f.accept {
            if !file {
                if let Some(first) = accept.first() {
                    self.not_applicable(first.span, "accept", kind);
                }
            } else {
                s.accept = accept.iter().filter_map(|a| self.accept(a)).collect();
            }
        }
        if let Some(size) = &f.max_size {
            if !file {
                self.not_applicable(size.span, "max_size", kind);
            } else {
                s.max_size = self.size(size);
            }
        }
        s.max_files = self.count(f.max_files.as_ref(), "max_files", kind, file);
        s.min_files = self.count(f.min_files.as_ref(), "min_files", kind, file);
        if let Some(b) = f.max_files.as_ref().filter(|_| s.max_files == Some(0)) {
            self.diags.push(
                Diagnostic::error(Code::InvalidBounds, "`max_files` is 0")
                    .at(b.span, "a file field takes at least one file")
                    .help("write 1 or more; leave `max_files` out for one file"),
            );
        }
        if let (Some(lo), Some(b)) = (s.min_files, &f.min_files) {
            let hi = s.max_files.unwrap_or(1);
            if lo > hi {
                self.bounds_error(b.span, "min_files", "max_files", &format!("{lo} > {hi}"));
            }
        }
        if let Some(size) = &f.max_total_size {
            if !file {
                self.not_applicable(size.span, "max_total_size", kind);
            } else {
                s.max_total_size = self.size(size);
            }
        }
        if let Some(c) = &f.capture {
            if !file {
                self.not_applicable(c.span, "capture", kind);
            }
        }
        if let Some(v) = &f.value {
            if kind != FieldType::Computed {
                self.not_applicable(v.span, "value", kind);
            }
        }
        if let Some(show) = &f.show {
            if kind != FieldType::Computed {
                self.not_applicable(show.span, "show", kind);
            }
        }
        let repeat = kind == FieldType::Repeat;
        if let Some(items) = &f.fields {
            if !repeat {
                let span = f.id.span;
                if !items.is_empty() {
                    self.not_applicable(span, "fields", kind);
                }
            }
        }
        s.min_items = self.count(f.min_items.as_ref(), "min_items", kind, repeat);
        s.max_items = self.count(f.max_items.as_ref(), "max_items", kind, repeat);
        if let (Some(lo), Some(hi), Some(b)) = (s.min_items, s.max_items, &f.max_items) {
            if lo > hi {
                self.bounds_error(b.span, "min_items", "max_items", &format!("{lo} > {hi}"));
            }
        }
        s
    }

    fn choices_setting(&mut self, f: &m::FieldDef, s: &mut Settings) {
        let kind = f.ty.value;
        let takes = matches!(kind, FieldType::Choice | FieldType::MultiChoice);
        match (&f.choices, takes) {
            (None, true) => self.diags.push(
                Diagnostic::error(Code::MissingChoices, format!("the {} field `{}` has no choices", kind.name(), f.id.value))
                    .at(f.ty.span, "a choice field needs `choices`")
                    .help("add `choices: <list name>` naming a list under the form's `choices:`, or an inline list of `{value, label}`"),
            ),
            (Some(c), false) => {
                let item_span = |i: &m::ChoiceItem| match i {
                    m::ChoiceItem::Full { value, .. } => value.span,
                    m::ChoiceItem::Plain(v) => v.span,
                };
                let span = match c {
                    m::ChoicesRef::Named(n) => n.span,
                    // The list itself, from its first choice to its last.
                    m::ChoicesRef::Inline(items) => match (items.first(), items.last()) {
                        (Some(a), Some(b)) => item_span(a).to(item_span(b)),
                        _ => f.id.span,
                    },
                };
                self.not_applicable(span, "choices", kind);
            }
            (Some(m::ChoicesRef::Inline(items)), true) => {
                s.choices = self.choices(items);
                if s.choices.is_empty() {
                    self.empty_choices(f.ty.span, &f.id.value);
                }
            }
            (Some(m::ChoicesRef::Named(name)), true) => match self.list(&name.value) {
                Some(list) => {
                    s.choices = list.clone();
                    s.choice_list = Some(name.value.clone());
                    if s.choices.is_empty() {
                        self.empty_choices(name.span, &f.id.value);
                    }
                }
                None => {
                    let names = self.list_names();
                    self.diags.push(
                        Diagnostic::error(Code::UnknownChoiceList, format!("unknown choice list `{}`", name.value))
                            .at(name.span, "no list with this name under `choices:`")
                            .help(did_you_mean(&name.value, names.iter().map(String::as_str)).unwrap_or_else(|| {
                                if names.is_empty() {
                                    "the form has no choice lists; add them under `choices:` at the top of the form".into()
                                } else {
                                    format!("the form's lists are: {}", names.join(", "))
                                }
                            })),
                    );
                }
            },
            (None, false) => {}
        }
    }

    fn empty_choices(&mut self, span: Span, id: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::MissingChoices,
                format!("the field `{id}` has an empty list of choices"),
            )
            .at(span, "nothing to choose from")
            .help("add at least one `{value, label}` to the list"),
        );
    }

    fn bounds_error(&mut self, span: Span, lo: &str, hi: &str, what: &str) {
        self.diags.push(
            Diagnostic::error(
                Code::InvalidBounds,
                format!("`{lo}` is greater than `{hi}` ({what})"),
            )
            .at(span, "no answer can satisfy both")
            .help(format!(
                "swap the values or correct one of them so that `{lo}` ≤ `{hi}`"
            )),
        );
    }

    fn limit(&mut self, b: &m::Bound, key: &str, kind: FieldType, applies: bool) -> Option<Limit> {
        let span = match b {
            m::Bound::Number(n) => n.span,
            m::Bound::Text(t) => t.span,
        };
        if !applies {
            self.not_applicable(span, key, kind);
            return None;
        }
        match (b, kind == FieldType::Date) {
            (m::Bound::Number(n), false) => Some(Limit::Number(n.value)),
            (m::Bound::Text(t), true) if t.value == "today" => Some(Limit::Today),
            (m::Bound::Text(t), true) => {
                match chrono::NaiveDate::parse_from_str(&t.value, "%Y-%m-%d") {
                    Ok(d) => Some(Limit::Date(d)),
                    Err(_) => {
                        self.diags.push(
                            Diagnostic::error(
                                Code::InvalidDate,
                                format!("`{}` is not a date", t.value),
                            )
                            .at(t.span, "expected YYYY-MM-DD or `today`")
                            .help("write a real date such as `2026-01-31`, or `today`"),
                        );
                        None
                    }
                }
            }
            (m::Bound::Number(n), true) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::WrongValueType,
                        format!("`{key}` of a date field must be a date"),
                    )
                    .at(n.span, "this is a number")
                    .help("write a date such as `2026-01-31`, or `today`"),
                );
                None
            }
            (m::Bound::Text(t), false) => {
                self.diags.push(
                    Diagnostic::error(Code::WrongValueType, format!("`{key}` must be a number"))
                        .at(t.span, "this is text")
                        .help("write the number without quotes, e.g. `0` or `12.5`"),
                );
                None
            }
        }
    }

    fn count(
        &mut self,
        v: Option<&Sp<i64>>,
        key: &str,
        kind: FieldType,
        applies: bool,
    ) -> Option<u32> {
        let v = v?;
        if !applies {
            self.not_applicable(v.span, key, kind);
            return None;
        }
        match u32::try_from(v.value) {
            Ok(n) => Some(n),
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(Code::InvalidBounds, format!("`{key}` cannot be negative"))
                        .at(v.span, "expected 0 or more")
                        .help("write a whole number from 0 upwards"),
                );
                None
            }
        }
    }

    fn accept(&mut self, a: &Sp<String>) -> Option<String> {
        let v = a.value.trim();
        let ok = match v.split_once('/') {
            Some((t, sub)) => {
                ["image", "application", "text", "audio", "video"].contains(&t)
                    && !sub.is_empty()
                    && sub
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.*".contains(c))
            }
            None => false,
        };
        if ok {
            return Some(v.to_string());
        }
        let guess = match v.trim_start_matches('.').to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Some("image/jpeg"),
            "png" => Some("image/png"),
            "pdf" => Some("application/pdf"),
            "heic" => Some("image/heic"),
            _ => None,
        };
        self.diags.push(
            Diagnostic::error(Code::InvalidAccept, format!("`{v}` is not a file type"))
                .at(a.span, "expected a MIME type such as `image/jpeg`")
                .help(match guess {
                    Some(g) => format!("write `{g}`"),
                    None => {
                        "write MIME types: `image/jpeg`, `image/png`, `application/pdf`".to_string()
                    }
                }),
        );
        None
    }

    fn size(&mut self, s: &Sp<String>) -> Option<u64> {
        match parse_size(&s.value) {
            Some(n) => Some(n),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidSize,
                        format!("`{}` is not a file size", s.value),
                    )
                    .at(s.span, "expected a number and a unit")
                    .help("write e.g. `500 kB` or `10 MB` (units: B, kB, MB)"),
                );
                None
            }
        }
    }
}

/// `10 MB`, `500kB`, `2048 B` → bytes (1 kB = 1000 B, as people read them).
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.' && c != ',')?;
    let (num, unit) = s.split_at(split);
    let num: f64 = num.replace(',', ".").parse().ok()?;
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        _ => return None,
    };
    let bytes = num * factor;
    (1.0..1e12).contains(&bytes).then_some(bytes as u64)
}

/// The regex crate's reason, without its `error: ` prefix.
fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| s.lines().last().unwrap_or(""));
    line.trim_start_matches("error:").trim().to_string()
}
