//! Values as a person reads them: "Ja", a choice's label, "27 mars 2026", "12 500 kr",
//! and the raw answers as they go back into inputs.

use super::ui_text::{month, t};
use crate::expr::Value;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form};
use serde_json::Value as Json;

/// How an answer reads on the check page and the receipt.
pub fn display_value(form: &Form, field: FieldId, value: &Value, lang: &str) -> String {
    display_lines(form, field, value, lang).join(", ")
}

/// Like [`display_value`], but a multiple choice gives one line per chosen option, which reads
/// better in a summary list than a long comma-separated line.
pub fn display_lines(form: &Form, field: FieldId, value: &Value, lang: &str) -> Vec<String> {
    let f = &form.fields[field];
    let choice_label = |s: &str| {
        f.choices
            .iter()
            .find(|c| c.value == s)
            .map(|c| c.label.get(lang).to_string())
            .unwrap_or_else(|| s.to_string())
    };
    match value {
        Value::Null => Vec::new(),
        Value::Bool(b) => vec![t(lang, if *b { "yes" } else { "no" }).to_string()],
        Value::Number(n) if f.kind == FieldType::Money => {
            vec![format!("{} {}", money(*n, lang), t(lang, "money_suffix"))]
        }
        Value::Number(n) => vec![number(*n, lang)],
        Value::Text(s) if matches!(f.kind, FieldType::Choice | FieldType::MultiChoice) => {
            vec![choice_label(s)]
        }
        Value::Text(s) => vec![s.clone()],
        Value::Date(d) => vec![date(*d, lang)],
        Value::List(items) => items
            .iter()
            .flat_map(|v| match v {
                Value::Text(s) => vec![choice_label(s)],
                other => display_lines(form, field, other, lang),
            })
            .collect(),
        Value::Position { lat, lon } => vec![format!(
            "{} {}, {} {}",
            t(lang, "latitude"),
            number(*lat, lang),
            t(lang, "longitude").to_lowercase(),
            number(*lon, lang)
        )],
        Value::File { name, size, .. } if *size > 0 => {
            vec![format!("{name} ({})", file_size(*size, lang))]
        }
        Value::File { name, .. } => vec![name.clone()],
        Value::Row(_) => Vec::new(),
    }
}

/// "27 mars 2026", "27 March 2026".
pub fn date(d: chrono::NaiveDate, lang: &str) -> String {
    use chrono::Datelike;
    format!("{} {} {}", d.day(), month(lang, d.month()), d.year())
}

/// Swedish numbers group thousands with a no-break space and use a decimal comma
/// (Språkrådet); English ones a comma and a point. Up to four decimals, no trailing zeros.
pub fn number(n: f64, lang: &str) -> String {
    let (group, point) = if lang == "en" {
        (",", ".")
    } else {
        ("\u{a0}", ",")
    };
    let s = format!("{:.4}", n.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push_str(group);
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 && (int != "0" || !frac.is_empty()) {
        "−"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}{point}{frac}")
    }
}

/// An amount: whole kronor as they are ("12 500"), and öre always with two decimals
/// ("500 000,50", not "500 000,5"), rounded to the öre.
pub fn money(n: f64, lang: &str) -> String {
    // Rounded on the decimal digits, as `round(x, 2)` is: 12.345 is 12,35.
    let rounded = match crate::expr::eval::round_decimal(n, 2) {
        Value::Number(r) => r,
        _ => n,
    };
    let s = number(rounded, lang);
    let point = if lang == "en" { '.' } else { ',' };
    match s.split_once(point) {
        Some((_, decimals)) if decimals.chars().count() == 1 => format!("{s}0"),
        _ => s,
    }
}

fn file_size(bytes: u64, lang: &str) -> String {
    if bytes >= 1_000_000 {
        format!("{} MB", number((bytes as f64 / 1e5).round() / 10.0, lang))
    } else {
        format!("{} kB", number((bytes as f64 / 1e3).ceil(), lang))
    }
}

/// An instance path as an HTML id: `barn[0].alder` → `barn-0-alder`. Ids are snake_case, so
/// `-` cannot clash with a path's own characters, and the id needs no escaping in a CSS
/// selector or a URL fragment.
pub fn path_id(path: &str) -> String {
    path.replace(['.', '['], "-").replace(']', "")
}

/// A raw answer as the text that goes back into an input: what the person typed, kept even
/// when it did not validate.
pub fn raw_text(raw: Option<&Json>) -> String {
    match raw {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        Some(Json::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// One part of a raw answer given as an object (`day` of a date, `lat` of a position).
pub fn raw_part(raw: Option<&Json>, keys: &[&str]) -> String {
    match raw {
        Some(Json::Object(o)) => raw_text(keys.iter().find_map(|k| o.get(*k))),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_swedish_way() {
        assert_eq!(number(12500.0, "sv"), "12\u{a0}500");
        assert_eq!(number(142.5, "sv"), "142,5");
        assert_eq!(number(142.5, "en"), "142.5");
        assert_eq!(number(1234567.25, "en"), "1,234,567.25");
        assert_eq!(number(-3.0, "sv"), "−3");
        assert_eq!(number(0.0, "sv"), "0");
        assert_eq!(number(999.0, "sv"), "999");
    }

    #[test]
    fn amounts_show_ore_with_two_decimals() {
        assert_eq!(money(500000.5, "sv"), "500\u{a0}000,50");
        assert_eq!(money(500000.0, "sv"), "500\u{a0}000");
        assert_eq!(money(12.345, "sv"), "12,35");
        assert_eq!(money(0.1, "en"), "0.10");
        assert_eq!(money(-3.5, "sv"), "−3,50");
    }

    #[test]
    fn dates_read_with_month_names() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 27).unwrap();
        assert_eq!(date(d, "sv"), "27 mars 2026");
        assert_eq!(date(d, "en"), "27 March 2026");
    }

    #[test]
    fn paths_become_ids() {
        assert_eq!(path_id("barn[0].alder"), "barn-0-alder");
        assert_eq!(path_id("kontakt.epost"), "kontakt-epost");
        assert_eq!(path_id("namn"), "namn");
    }
}
