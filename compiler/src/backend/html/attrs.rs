//! The attributes of single inputs: options and their ids, input type, keyboard, width,
//! autofill purpose, the character count text and `aria-describedby`; and which questions
//! depend on answers on their own page.

use super::fields::FieldView;
use super::ui_text::{t, tn};
use super::values::raw_part;
use crate::expr::ast::{BinOp, ExprKind};
use crate::ir::FieldType;
use crate::ir::{FieldId, Form};
use serde_json::Value as Json;
use std::collections::BTreeSet;

/// The choices of a radio or checkbox field: a yes/no question's are Ja and Nej.
pub fn options(form: &Form, id: FieldId, lang: &str) -> Vec<(String, String)> {
    let f = &form.fields[id];
    if f.kind == FieldType::YesNo {
        return vec![
            ("true".into(), t(lang, "yes").into()),
            ("false".into(), t(lang, "no").into()),
        ];
    }
    f.choices
        .iter()
        .map(|c| (c.value.clone(), c.label.get(lang).to_string()))
        .collect()
}

/// GOV.UK's item ids: the first option has the field's id (what error links and change links
/// point at), the others `-2`, `-3`…
pub fn item_id(id: &str, n: usize) -> String {
    if n == 0 {
        id.to_string()
    } else {
        format!("{id}-{}", n + 1)
    }
}

/// A stored answer against an option's value, with the spellings the evaluator accepts.
pub fn same_option(answer: &str, value: &str) -> bool {
    let norm = |s: &str| match s.trim().to_lowercase().as_str() {
        "true" | "ja" | "yes" | "on" | "1" => "true".to_string(),
        "false" | "nej" | "no" | "off" | "0" => "false".to_string(),
        other => other.to_string(),
    };
    if value == "true" || value == "false" {
        norm(answer) == value
    } else {
        answer == value
    }
}

pub fn date_part(raw: Option<&Json>, k: &str) -> String {
    match raw {
        Some(Json::String(s)) => crate::eval::answer::parse_date(s.trim())
            .map(|d| {
                use chrono::Datelike;
                match k {
                    "day" => d.day().to_string(),
                    "month" => d.month().to_string(),
                    _ => d.year().to_string(),
                }
            })
            .unwrap_or_default(),
        other => {
            let sv = match k {
                "day" => "dag",
                "month" => "manad",
                _ => "ar",
            };
            raw_part(other, &[k, sv])
        }
    }
}

/// Type, keyboard, width and autofill purpose of a one-line input.
pub fn text_input(v: &mut FieldView, form: &Form, id: FieldId) {
    let f = &form.fields[id];
    let (input_type, inputmode, width, spell_off) = match f.kind {
        FieldType::Email => ("email", None, None, true),
        FieldType::Phone => ("tel", None, Some("w20"), false),
        FieldType::Postnummer => ("text", Some("numeric"), Some("w6"), true),
        FieldType::Personnummer => ("text", Some("numeric"), Some("w13"), true),
        FieldType::Orgnummer => ("text", Some("numeric"), Some("w13"), true),
        FieldType::Fastighetsbeteckning => ("text", None, Some("w20"), true),
        FieldType::Integer => ("text", Some("numeric"), Some("w10"), false),
        // A numeric keypad has no decimal comma on every phone; `decimal` has.
        FieldType::Decimal | FieldType::Money => ("text", Some("decimal"), Some("w10"), false),
        _ => match f.max_length {
            Some(m) if m <= 10 => ("text", None, Some("w10"), false),
            Some(m) if m <= 20 => ("text", None, Some("w20"), false),
            _ => ("text", None, None, false),
        },
    };
    v.input_type = input_type;
    v.inputmode = inputmode;
    v.width = width;
    v.spellcheck_off = spell_off;
    if f.kind == FieldType::Money {
        v.suffix = Some("kr");
    }
    v.autocomplete = autocomplete(form, id);
}

/// The WCAG 1.3.5 input purpose. A field inside a fragment gets a `section-` of its prefix,
/// so a browser fills the applicant's own name and the child's name as separate groups.
pub fn autocomplete(form: &Form, id: FieldId) -> Option<String> {
    let f = &form.fields[id];
    if let Some(a) = &f.autocomplete {
        return Some(a.clone());
    }
    let token = match (f.kind, f.id.as_str()) {
        // Personnummer has no autocomplete token; a made-up one is invalid HTML.
        (FieldType::Personnummer, _) => return None,
        (FieldType::Email, _) => "email",
        (FieldType::Phone, _) => "tel",
        (FieldType::Postnummer, _) => "postal-code",
        (FieldType::Text, "fornamn") => "given-name",
        (FieldType::Text, "efternamn") => "family-name",
        (FieldType::Text, "namn") => "name",
        // `street-address` is for a multi-line textarea; a one-line input is `address-line1`
        // (the Nu checker rejects the former on `<input>`).
        (FieldType::Text, "gatuadress") => "address-line1",
        (FieldType::Text, "postort") => "address-level2",
        (FieldType::Text, "foretagsnamn") => "organization",
        _ => return None,
    };
    let prefix = f.path.rsplit_once('.').map(|(p, _)| p);
    Some(match prefix {
        Some(p) => format!("section-{} {token}", p.replace('.', "-")),
        None => token.to_string(),
    })
}

pub fn count_text(lang: &str, max: u32, used: usize) -> String {
    let max = max as usize;
    match used {
        0 => tn(lang, "count_empty", super::values::number(max as f64, lang)),
        u if u <= max && max - u == 1 => t(lang, "count_left_one").into(),
        u if u <= max => tn(
            lang,
            "count_left",
            super::values::number((max - u) as f64, lang),
        ),
        u if u - max == 1 => t(lang, "count_over_one").into(),
        u => tn(
            lang,
            "count_over",
            super::values::number((u - max) as f64, lang),
        ),
    }
}

/// Hint, error, character count and rule message, in reading order.
pub fn describedby(v: &FieldView) -> Option<String> {
    let mut ids = Vec::new();
    if v.hint.is_some() && v.kind != "info" {
        ids.push(format!("{}-hint", v.id));
    }
    if v.error.is_some() {
        ids.push(format!("{}-error", v.id));
    }
    if v.count.is_some() {
        ids.push(format!("{}-info", v.id));
    }
    if v.current_file.is_some() {
        ids.push(format!("{}-current", v.id));
    }
    if v.warning.is_some() {
        ids.push(format!("{}-warning", v.id));
    }
    if v.has_rule {
        ids.push(format!("{}-rule", v.id));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// When `child` is shown only for one option of `radio` (`kategori == "annat"`), that option.
pub fn reveal_value(form: &Form, radio: FieldId, child: FieldId) -> Option<String> {
    let (r, c) = (&form.fields[radio], &form.fields[child]);
    if c.parent != r.parent || c.group.is_some() || r.group.is_some() {
        return None;
    }
    if c.kind == FieldType::Repeat || c.conditions.len() != 1 {
        return None;
    }
    let ExprKind::Binary(BinOp::Eq, a, b) = &c.conditions[0].kind else {
        return None;
    };
    let (reference, literal) = match (&a.kind, &b.kind) {
        (ExprKind::Ref(x), lit) | (lit, ExprKind::Ref(x)) => (x, lit),
        _ => return None,
    };
    if reference.resolved.as_deref() != Some(r.path.as_str()) {
        return None;
    }
    match literal {
        ExprKind::Text(s) if r.choices.iter().any(|ch| &ch.value == s) => Some(s.clone()),
        ExprKind::Bool(b) if r.kind == FieldType::YesNo => Some(b.to_string()),
        _ => None,
    }
}

/// Whether a field's conditions read, directly or through computed fields, an answer given on
/// `page`.
pub fn depends_on_page(form: &Form, id: FieldId, page: usize) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&crate::expr::Expr> = form.fields[id].conditions.iter().collect();
    while let Some(e) = stack.pop() {
        for r in e.refs() {
            let Some(canonical) = &r.resolved else {
                continue;
            };
            let Some(dep) = form.field(&canonical.replace("[*]", "")) else {
                continue;
            };
            if !seen.insert(dep) {
                continue;
            }
            let d = &form.fields[dep];
            if d.kind == FieldType::Computed {
                stack.extend(d.value.iter());
                stack.extend(d.conditions.iter());
            } else if d.page == page {
                return true;
            }
        }
    }
    false
}
