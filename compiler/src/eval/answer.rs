//! An answer as it arrives (JSON from a test, or text from a web form) into a typed value,
//! or the message a citizen sees when it is not acceptable.
//!
//! The browser reads its inputs the same way (`parseAnswer` in `backend/js/answers.js`) before
//! it decides what to show, so each rule here has its twin there, and the differential test
//! compares the two over random answers.

use crate::domain;
use crate::expr::Value;
use crate::ir::FieldType;
use crate::ir::{Field, Text};
use chrono::NaiveDate;
use serde_json::Value as Json;

/// Parses one answer; `Ok(Value::Null)` means unanswered.
pub fn parse(field: &Field, raw: &Json, today: NaiveDate) -> Result<Value, Text> {
    if is_empty(raw) {
        return Ok(Value::Null);
    }
    let text = || scalar_text(raw);
    let domain_err = |e: domain::DomainError| Text::sv_en(e.sv, e.en);
    match field.kind {
        FieldType::Text | FieldType::Textarea => text()
            .map(|s| Value::Text(s.trim().to_string()))
            .ok_or_else(not_text),
        FieldType::Email => domain::email(&text().ok_or_else(not_text)?)
            .map(Value::Text)
            .map_err(domain_err),
        FieldType::Phone => domain::phone(&text().ok_or_else(not_text)?)
            .map(Value::Text)
            .map_err(domain_err),
        FieldType::Postnummer => domain::postnummer(&text().ok_or_else(not_text)?)
            .map(Value::Text)
            .map_err(domain_err),
        FieldType::Personnummer => domain::personnummer(&text().ok_or_else(not_text)?, today)
            .map(|p| Value::Text(p.normalized))
            .map_err(domain_err),
        FieldType::Orgnummer => domain::orgnummer(&text().ok_or_else(not_text)?)
            .map(Value::Text)
            .map_err(domain_err),
        FieldType::Fastighetsbeteckning => {
            domain::fastighetsbeteckning(&text().ok_or_else(not_text)?)
                .map(Value::Text)
                .map_err(domain_err)
        }
        FieldType::Integer => integer(raw),
        FieldType::Decimal | FieldType::Money => decimal(raw),
        FieldType::Date => date(raw),
        FieldType::YesNo | FieldType::Consent => boolean(raw),
        FieldType::Choice => text().map(Value::Text).ok_or_else(not_text),
        FieldType::MultiChoice => match raw {
            Json::Array(items) => Ok(Value::List(
                items
                    .iter()
                    .filter_map(scalar_text)
                    .filter(|s| !s.is_empty())
                    .map(Value::Text)
                    .collect(),
            )),
            other => scalar_text(other)
                .map(|s| Value::List(vec![Value::Text(s)]))
                .ok_or_else(not_text),
        },
        FieldType::File => files(field, raw),
        FieldType::Position => position(raw),
        FieldType::Repeat | FieldType::Computed | FieldType::Info => Ok(Value::Null),
    }
}

pub fn is_empty(raw: &Json) -> bool {
    match raw {
        Json::Null => true,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(a) => a.is_empty(),
        Json::Object(o) => o.values().all(is_empty),
        _ => false,
    }
}

fn scalar_text(raw: &Json) -> Option<String> {
    match raw {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => n.as_f64().map(number_text),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number given where text is wanted (`namn: 50` in a test), written as JavaScript's
/// `String(n)` writes it: `50`, `0.1`, `1e+21`, `-0` as `0`.
///
/// JSON has one kind of number. serde_json keeps `50` and `50.0` apart and prints them
/// differently (`50`, `50.0`), which the browser, holding a double, cannot do; so the server
/// takes the number as a double too and prints it by ECMAScript's rules (Number::toString),
/// on the shortest round-trip digits that Rust's `{:e}` and JavaScript both produce.
pub fn number_text(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_nan() {
            "NaN".into()
        } else if x == 0.0 {
            "0".into()
        } else if x > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if x < 0.0 {
        return format!("-{}", number_text(-x));
    }
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    // The decimal point sits after the first n digits.
    let n = exp.parse::<i32>().unwrap_or(0) + 1;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        format!("{first}{rest}e{sign}{}", e.abs())
    }
}

fn not_text() -> Text {
    Text::sv_en("Svaret ska vara text.", "The answer should be text.")
}

/// "1 000", "1 000" (no-break space) and "1000" are the same number to a person.
fn clean_number(s: &str) -> String {
    s.trim()
        .trim_end_matches("kr")
        .trim_end_matches(":-")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect::<String>()
        .replace(',', ".")
        .replace('−', "-")
}

fn integer(raw: &Json) -> Result<Value, Text> {
    let err = || {
        Text::sv_en(
            "Ange ett heltal, till exempel 12.",
            "Enter a whole number, for example 12.",
        )
    };
    let n = match raw {
        Json::Number(n) => n.as_f64().ok_or_else(err)?,
        Json::String(s) => clean_number(s).parse::<f64>().map_err(|_| err())?,
        _ => return Err(err()),
    };
    if n.fract() != 0.0 || !n.is_finite() || n.abs() > 9e15 {
        return Err(err());
    }
    Ok(Value::Number(n))
}

fn decimal(raw: &Json) -> Result<Value, Text> {
    let err = || {
        Text::sv_en(
            "Ange ett tal, till exempel 12,5.",
            "Enter a number, for example 12.5.",
        )
    };
    let n = match raw {
        Json::Number(n) => n.as_f64().ok_or_else(err)?,
        Json::String(s) => clean_number(s).parse::<f64>().map_err(|_| err())?,
        _ => return Err(err()),
    };
    if !n.is_finite() || n.abs() > 9e15 {
        return Err(err());
    }
    Ok(Value::Number(n))
}

fn date(raw: &Json) -> Result<Value, Text> {
    let err = || {
        Text::sv_en(
            "Ange ett datum som finns, till exempel 2026-03-27.",
            "Enter a real date, for example 2026-03-27.",
        )
    };
    match raw {
        Json::String(s) => parse_date(s.trim()).map(Value::Date).ok_or_else(err),
        Json::Object(o) => {
            let part = |keys: &[&str]| {
                keys.iter()
                    .find_map(|k| o.get(*k))
                    .and_then(scalar_text)
                    .and_then(|s| s.trim().parse::<u32>().ok())
            };
            let (Some(y), Some(m), Some(d)) = (
                part(&["year", "ar"]),
                part(&["month", "manad"]),
                part(&["day", "dag"]),
            ) else {
                return Err(err());
            };
            i32::try_from(y)
                .ok()
                .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
                .filter(plausible_year)
                .map(Value::Date)
                .ok_or_else(err)
        }
        _ => Err(err()),
    }
}

/// `2026-03-27`, also `2026-3-7` and `20260327` as people type it: a year of four digits, a
/// month and a day of one or two, all ASCII.
///
/// Written out rather than left to chrono's `%Y-%m-%d`, which also takes signs, years of any
/// length and spaces inside (`+2026- 3- 7`): the browser's reading of a date (`blankett.js`)
/// must be the same, and a rule this short can be.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let digits =
        |t: &str, lens: &[usize]| lens.contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit());
    let (y, m, d) = match s.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] if digits(y, &[4]) && digits(m, &[1, 2]) && digits(d, &[1, 2]) => (y, m, d),
        [all] if digits(all, &[8]) => (&all[..4], &all[4..6], &all[6..]),
        _ => return None,
    };
    let (y, m, d) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    NaiveDate::from_ymd_opt(y, m, d).filter(plausible_year)
}

/// Years outside 1000–9999 are typing mistakes in a form, and `xs:date` cannot hold year 0.
fn plausible_year(d: &NaiveDate) -> bool {
    use chrono::Datelike;
    (1000..=9999).contains(&d.year())
}

fn boolean(raw: &Json) -> Result<Value, Text> {
    let err = || Text::sv_en("Svara ja eller nej.", "Answer yes or no.");
    match raw {
        Json::Bool(b) => Ok(Value::Bool(*b)),
        Json::String(s) => match s.trim().to_lowercase().as_str() {
            "true" | "ja" | "yes" | "on" | "1" => Ok(Value::Bool(true)),
            "false" | "nej" | "no" | "off" | "0" => Ok(Value::Bool(false)),
            _ => Err(err()),
        },
        _ => Err(err()),
    }
}

/// A file field's answer: one file, or for a field that takes several (`max_files`) a list of
/// them (one given alone is a list of one).
fn files(field: &Field, raw: &Json) -> Result<Value, Text> {
    match raw {
        Json::Array(items) if field.max_files > 1 => items
            .iter()
            .filter(|i| !is_empty(i))
            .map(file)
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        _ if field.max_files > 1 => file(raw).map(|f| Value::List(vec![f])),
        _ => file(raw),
    }
}

fn file(raw: &Json) -> Result<Value, Text> {
    let err = || Text::sv_en("Välj en fil.", "Choose a file.");
    match raw {
        Json::String(name) => Ok(Value::File {
            name: name.clone(),
            size: 0,
            mime: mime_from_name(name).to_string(),
        }),
        Json::Object(o) => {
            let name = o.get("name").and_then(scalar_text).ok_or_else(err)?;
            // A size is a whole number of bytes, however the JSON writes it (`5` or `5.0`).
            let size = o
                .get("size")
                .and_then(Json::as_f64)
                .filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n < u64::MAX as f64)
                .map_or(0, |n| n as u64);
            let mime = o
                .get("type")
                .and_then(scalar_text)
                .unwrap_or_else(|| mime_from_name(&name).to_string());
            Ok(Value::File { name, size, mime })
        }
        _ => Err(err()),
    }
}

pub fn mime_from_name(name: &str) -> &'static str {
    let ext = name.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match ext.as_str() {
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "heic" => "image/heic",
        "gif" => "image/gif",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ => "application/octet-stream",
    }
}

fn position(raw: &Json) -> Result<Value, Text> {
    let err = || {
        Text::sv_en(
            "Ange platsen som latitud och longitud, till exempel 58.10, 11.79.",
            "Enter the place as latitude and longitude, for example 58.10, 11.79.",
        )
    };
    let (lat, lon) = match raw {
        Json::Object(o) => {
            let num = |k: &str| {
                o.get(k).and_then(|v| {
                    v.as_f64()
                        .or_else(|| scalar_text(v).and_then(|s| clean_number(&s).parse().ok()))
                })
            };
            (num("lat").ok_or_else(err)?, num("lon").ok_or_else(err)?)
        }
        Json::String(s) => {
            let (a, b) = s.split_once([';', ' ', ',']).ok_or_else(err)?;
            let (a, b) = (
                a.trim().parse::<f64>().map_err(|_| err())?,
                b.trim()
                    .trim_start_matches(',')
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| err())?,
            );
            (a, b)
        }
        _ => return Err(err()),
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(err());
    }
    Ok(Value::Position { lat, lon })
}
