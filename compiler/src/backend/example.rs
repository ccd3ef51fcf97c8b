//! Example answers for a form: its first test's answers when they are a complete, valid
//! application, otherwise answers generated from the fields.
//!
//! Generated answers give every field a valid value of its type (within its bounds, matching
//! its pattern, of an accepted file type) and then look for a combination the evaluator
//! accepts: each field has a list of candidate answers, and a field the evaluation still
//! complains about moves on to its next candidate (another choice, a later date, leaving an
//! optional field out) until nothing is wrong or nothing is left to try.

use super::xsd::pattern::Pattern;
use crate::eval::{evaluate, testing::default_today, Answers};
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, Limit, Required};
use chrono::{Days, NaiveDate};
use serde_json::{json, Value as Json};

/// Valid values of the domain types, several of each, for forms that ask for two that must
/// differ (two guardians).
const PERSONNUMMER: &[&str] = &["19121212-1212", "19850315-9819", "19880412-9834"];
const ORGNUMMER: &[&str] = &["212000-1439", "556036-0793"];
const EMAIL: &[&str] = &["namn@example.se", "annan@example.se"];
const PHONE: &[&str] = &["070-123 45 67", "0304-123 45"];
const POSTNUMMER: &[&str] = &["474 80", "473 31"];
const FASTIGHET: &[&str] = &["Orust Henån 1:23", "Orust Myckleby 2:4"];

/// How many rounds of the search; each round evaluates the form once.
const ROUNDS: usize = 64;

/// The example answers of `form`, evaluated as `blankett build` evaluates them.
pub fn answers(form: &Form) -> Answers {
    let today = default_today();
    if let Some(t) = form.tests.first() {
        let expects_none = t.errors.as_ref().is_none_or(|e| e.is_empty());
        // Also for `errors: []`: the test may run on another day than the build does.
        if expects_none && evaluate(form, &t.answers, today).errors.is_empty() {
            return t.answers.clone();
        }
    }
    generated(form, today)
}

/// Answers made up from the fields, with as few errors as could be found.
pub fn generated(form: &Form, today: NaiveDate) -> Answers {
    let candidates: Vec<Vec<Option<Json>>> = (0..form.fields.len())
        .map(|id| candidates(form, id, today))
        .collect();
    let mut choice = vec![0usize; form.fields.len()];
    let mut best: Option<(usize, Answers)> = None;
    for _ in 0..ROUNDS {
        let answers = assemble(form, &candidates, &choice);
        let outcome = evaluate(form, &answers, today);
        let errors = outcome.errors.len();
        if best.as_ref().is_none_or(|(n, _)| errors < *n) {
            best = Some((errors, answers));
        }
        if errors == 0 {
            break;
        }
        let mut moved = false;
        let mut seen = Vec::new();
        for e in &outcome.errors {
            if seen.contains(&e.field) {
                continue;
            }
            seen.push(e.field);
            if choice[e.field] + 1 < candidates[e.field].len() {
                choice[e.field] += 1;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    best.map(|(_, a)| a).unwrap_or_default()
}

fn assemble(form: &Form, candidates: &[Vec<Option<Json>>], choice: &[usize]) -> Answers {
    let mut answers = Answers::new();
    for (id, f) in form.fields.iter().enumerate() {
        if f.parent.is_none() {
            if let Some(v) = answer(form, id, candidates, choice) {
                answers.insert(f.path.clone(), v);
            }
        }
    }
    answers
}

fn answer(
    form: &Form,
    id: FieldId,
    candidates: &[Vec<Option<Json>>],
    choice: &[usize],
) -> Option<Json> {
    let f = &form.fields[id];
    if f.kind != FieldType::Repeat {
        return candidates[id].get(choice[id]).cloned().flatten();
    }
    let rows = f
        .min_items
        .unwrap_or(1)
        .max(1)
        .min(f.max_items.unwrap_or(u32::MAX));
    let row = |_| {
        let mut m = serde_json::Map::new();
        for &c in &f.children {
            if let Some(v) = answer(form, c, candidates, choice) {
                m.insert(form.fields[c].row_key(form).to_string(), v);
            }
        }
        Json::Object(m)
    };
    Some(Json::Array((0..rows).map(row).collect()))
}

/// The answers to try for one field, best first; `None` leaves it unanswered.
fn candidates(form: &Form, id: FieldId, today: NaiveDate) -> Vec<Option<Json>> {
    let f = &form.fields[id];
    let texts = |list: &[&str]| list.iter().map(|s| Some(json!(s))).collect::<Vec<_>>();
    let mut out: Vec<Option<Json>> = match f.kind {
        FieldType::Text | FieldType::Textarea => text(f),
        FieldType::Integer | FieldType::Decimal | FieldType::Money => numbers(f),
        FieldType::Date => dates(f, today),
        FieldType::YesNo => vec![Some(json!(true)), Some(json!(false))],
        FieldType::Consent => vec![Some(json!(true))],
        FieldType::Choice => f.choices.iter().map(|c| Some(json!(c.value))).collect(),
        FieldType::MultiChoice => f.choices.iter().map(|c| Some(json!([c.value]))).collect(),
        FieldType::Personnummer => texts(PERSONNUMMER),
        FieldType::Orgnummer => texts(ORGNUMMER),
        FieldType::Email => texts(EMAIL),
        FieldType::Phone => texts(PHONE),
        FieldType::Postnummer => texts(POSTNUMMER),
        FieldType::Fastighetsbeteckning => texts(FASTIGHET),
        FieldType::File => files(f),
        FieldType::Position => vec![Some(json!({"lat": 58.2255, "lon": 11.6744}))],
        FieldType::Repeat | FieldType::Computed | FieldType::Info => Vec::new(),
    };
    if f.required != Required::Always || out.is_empty() {
        out.push(None);
    }
    out
}

fn text(f: &crate::ir::Field) -> Vec<Option<Json>> {
    let min = f.min_length.unwrap_or(0) as usize;
    let max = f.max_length.map_or(usize::MAX, |m| m as usize);
    let mut out = Vec::new();
    if let Some(p) = &f.pattern {
        // Only a sample the evaluator's own regex accepts is worth trying.
        if let Some(sample) = Pattern::parse(p).map(|p| p.sample()) {
            if crate::eval::validate::field_pattern_matches(&sample, p) == Some(true) {
                out.push(Some(json!(sample)));
            }
        }
    }
    let base = if f.kind == FieldType::Textarea {
        "Det här är ett exempel på ett längre svar, skrivet för att visa hur svaret ser ut."
    } else {
        "Exempel"
    };
    out.push(Some(json!(fit(base, min, max))));
    out
}

/// `base`, lengthened with more words or shortened, to between `min` and `max` characters;
/// never ending in a space, which the evaluator would trim away.
fn fit(base: &str, min: usize, max: usize) -> String {
    let mut s: String = base.to_string();
    while s.chars().count() < min {
        s.push_str(" exempel");
    }
    let mut s: String = s
        .chars()
        .take(max)
        .collect::<String>()
        .trim_end()
        .to_string();
    while s.chars().count() < min {
        s.push('x');
    }
    s
}

fn numbers(f: &crate::ir::Field) -> Vec<Option<Json>> {
    let limit = |l: &Option<Limit>| match l {
        Some(Limit::Number(n)) if n.is_finite() => Some(*n),
        _ => None,
    };
    let whole = f.kind == FieldType::Integer;
    let (mut lo, mut hi) = (limit(&f.min), limit(&f.max));
    if whole {
        lo = lo.map(f64::ceil);
        hi = hi.map(f64::floor);
    }
    let clamp = |n: f64| {
        let n = lo.map_or(n, |l| n.max(l));
        hi.map_or(n, |h| n.min(h))
    };
    let preferred = match f.kind {
        FieldType::Money => 1500.0,
        FieldType::Decimal => 8.5,
        _ => 3.0,
    };
    let mid = match (lo, hi) {
        (Some(l), Some(h)) if whole => ((l + h) / 2.0).floor(),
        (Some(l), Some(h)) => (l + h) / 2.0,
        _ => preferred,
    };
    let mut out: Vec<Option<Json>> = Vec::new();
    for n in [preferred, mid, 1.0, 100.0]
        .into_iter()
        .map(clamp)
        .chain(lo)
        .chain(hi)
    {
        let v = if n.fract() == 0.0 {
            json!(n as i64)
        } else {
            json!(n)
        };
        if !out.contains(&Some(v.clone())) {
            out.push(Some(v));
        }
    }
    out
}

fn dates(f: &crate::ir::Field, today: NaiveDate) -> Vec<Option<Json>> {
    let limit = |l: &Option<Limit>| match l {
        Some(Limit::Date(d)) => Some(*d),
        Some(Limit::Today) => Some(today),
        _ => None,
    };
    let (lo, hi) = (limit(&f.min), limit(&f.max));
    let clamp = |d: NaiveDate| {
        let d = lo.map_or(d, |l| d.max(l));
        hi.map_or(d, |h| d.min(h))
    };
    let later = |days: u64| today.checked_add_days(Days::new(days)).unwrap_or(today);
    let earlier = |days: u64| today.checked_sub_days(Days::new(days)).unwrap_or(today);
    // Half a year ahead suits the usual "from when" question and its notice periods.
    let tries = [later(183), later(30), later(730), earlier(365), today];
    let mut out: Vec<Option<Json>> = Vec::new();
    for d in tries.into_iter().map(clamp).chain(lo).chain(hi) {
        let v = Some(json!(d.format("%Y-%m-%d").to_string()));
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn files(f: &crate::ir::Field) -> Vec<Option<Json>> {
    let one = one_file(f);
    if !f.takes_several_files() {
        return one;
    }
    // Several files: as many as the field needs, at least two, within its total size.
    let n = f.min_files.unwrap_or(1).max(2).min(f.max_files) as u64;
    one.into_iter()
        .map(|candidate| {
            let file = candidate?;
            let size = file["size"].as_u64().unwrap_or(0);
            let size = f.max_total_size.map_or(size, |t| size.min(t / n));
            let name = file["name"].as_str().unwrap_or("bilaga.pdf").to_string();
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "bin"));
            Some(Json::Array(
                (1..=n)
                    .map(|i| json!({"name": format!("{stem}-{i}.{ext}"), "size": size, "type": file["type"]}))
                    .collect(),
            ))
        })
        .collect()
}

fn one_file(f: &crate::ir::Field) -> Vec<Option<Json>> {
    let size = f.max_size.map_or(120_000, |m| m.min(120_000));
    let accepted: Vec<String> = if f.accept.is_empty() {
        vec!["application/pdf".to_string()]
    } else {
        f.accept.clone()
    };
    accepted
        .iter()
        .map(|a| {
            let mime = match a.strip_suffix("/*") {
                Some("image") => "image/png".to_string(),
                Some("text") => "text/plain".to_string(),
                Some(major) => format!("{major}/octet-stream"),
                None => a.clone(),
            };
            let ext = match mime.to_ascii_lowercase().as_str() {
                "application/pdf" => "pdf",
                "image/jpeg" => "jpg",
                "image/png" => "png",
                "image/heic" => "heic",
                "text/plain" => "txt",
                _ => "bin",
            };
            Some(json!({"name": format!("bilaga.{ext}"), "size": size, "type": mime}))
        })
        .collect()
}
