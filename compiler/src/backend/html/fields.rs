//! The fields of one question page as the templates draw them: every id, name, attribute and
//! text decided here, so the markup rules (label `for`, `aria-describedby`, autocomplete
//! tokens) are Rust that tests can read, and the templates only place them.

use super::ui_text::{t, tn};
use super::values::{display_value, path_id, raw_part, raw_text};
use crate::eval::{instance_path, Answers, FieldError, Outcome};
use crate::expr::ast::{BinOp, ExprKind};
use crate::expr::Value;
use crate::ir::{FieldId, Form, Required};
use crate::syntax::model::FieldType;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Serialize, Default)]
pub struct FieldView {
    /// `text`, `textarea`, `radios`, `checkboxes`, `consent`, `date`, `position`, `file`,
    /// `repeat`, `computed`, `info` or `group`.
    pub kind: &'static str,
    /// The instance path: `data-field`, and the name of simple inputs.
    pub path: String,
    pub id: String,
    pub label: String,
    /// The label (or legend) is the page's `h1`: a page with a single question.
    pub heading: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    /// For a field that has rules: the live region JS fills; the server fills it too when a
    /// rule's message is the field's error.
    pub rule: Option<String>,
    pub has_rule: bool,
    pub describedby: Option<String>,
    pub input_type: &'static str,
    pub autocomplete: Option<String>,
    pub inputmode: Option<&'static str>,
    pub spellcheck_off: bool,
    pub width: Option<&'static str>,
    pub suffix: Option<&'static str>,
    pub value: String,
    pub checked: bool,
    pub inline: bool,
    pub items: Vec<ItemView>,
    pub parts: Vec<PartView>,
    pub accept: Option<String>,
    pub capture: bool,
    pub current_file: Option<String>,
    pub maxlength: Option<u32>,
    pub count: Option<String>,
    pub rows: Vec<RowView>,
    pub add_label: Option<String>,
    pub children: Vec<FieldView>,
}

#[derive(Serialize)]
pub struct ItemView {
    pub id: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
    /// Questions revealed by this option (GOV.UK's conditional reveal). Shown without JS.
    pub conditional: Vec<FieldView>,
}

/// One input of a date (Dag/Månad/År) or a position (Latitud/Longitud).
#[derive(Serialize)]
pub struct PartView {
    pub id: String,
    pub name: String,
    pub label: &'static str,
    pub value: String,
    pub width: &'static str,
    pub inputmode: &'static str,
    pub autocomplete: Option<&'static str>,
}

#[derive(Serialize)]
pub struct RowView {
    pub legend: String,
    pub fields: Vec<FieldView>,
    pub remove_value: Option<String>,
    pub remove_label: String,
}

/// Builds the views of one page's fields.
pub struct PageFields<'a> {
    pub form: &'a Form,
    pub lang: &'a str,
    pub page: usize,
    pub answers: &'a Answers,
    pub outcome: &'a Outcome,
    pub errors: BTreeMap<&'a str, &'a FieldError>,
    /// Fields whose visibility depends on answers on this same page.
    pub dynamic: BTreeSet<FieldId>,
    /// Instance path → the id an error-summary link focuses.
    pub targets: BTreeMap<String, String>,
}

impl<'a> PageFields<'a> {
    pub fn new(
        form: &'a Form,
        lang: &'a str,
        page: usize,
        answers: &'a Answers,
        outcome: &'a Outcome,
        errors: &'a [FieldError],
    ) -> Self {
        let dynamic = form
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.page == page)
            .filter(|(id, _)| depends_on_page(form, *id, page))
            .map(|(id, _)| id)
            .collect();
        PageFields {
            form,
            lang,
            page,
            answers,
            outcome,
            errors: errors.iter().map(|e| (e.path.as_str(), e)).collect(),
            dynamic,
            targets: BTreeMap::new(),
        }
    }

    /// The page's fields, grouped, with conditional questions nested under their option.
    pub fn build(&mut self) -> Vec<FieldView> {
        let ids = self.form.pages[self.page].fields.clone();
        let mut views = self.list(&ids, &[], None);
        // A lone question is the page's heading (GOV.UK's question page).
        if let [only] = views.as_mut_slice() {
            let simple = !matches!(
                only.kind,
                "info" | "computed" | "group" | "repeat" | "consent"
            ) && only.items.iter().all(|i| i.conditional.is_empty());
            only.heading = simple;
        }
        views
    }

    /// Views of sibling fields, in order; runs of one fragment group become a fieldset.
    fn list(&mut self, ids: &[FieldId], rows: &[usize], row: Option<&Json>) -> Vec<FieldView> {
        let mut out: Vec<FieldView> = Vec::new();
        let mut open_group: Option<usize> = None;
        let mut i = 0;
        while i < ids.len() {
            let id = ids[i];
            i += 1;
            if !self.shown(id, rows) {
                continue;
            }
            let mut view = self.field(id, rows, row);
            // Consecutive questions shown only for one option of this radio are nested under
            // that option.
            if matches!(
                self.form.fields[id].kind,
                FieldType::Choice | FieldType::YesNo
            ) {
                while i < ids.len() {
                    let Some(value) = reveal_value(self.form, id, ids[i]) else {
                        break;
                    };
                    let nested = self.field(ids[i], rows, row);
                    if let Some(item) = view.items.iter_mut().find(|it| it.value == value) {
                        item.conditional.push(nested);
                    }
                    i += 1;
                }
                // GOV.UK: inline radios cannot reveal questions (they would sit in the row).
                if view.items.iter().any(|it| !it.conditional.is_empty()) {
                    view.inline = false;
                }
            }
            let group = self.form.fields[id].group;
            match (group, out.last_mut()) {
                (Some(g), Some(last)) if open_group == Some(g) => last.children.push(view),
                (Some(g), _) => {
                    open_group = Some(g);
                    out.push(FieldView {
                        kind: "group",
                        path: self.form.groups[g].prefix.clone(),
                        id: path_id(&self.form.groups[g].prefix),
                        label: self.form.groups[g].label.get(self.lang).to_string(),
                        children: vec![view],
                        ..Default::default()
                    });
                }
                (None, _) => {
                    open_group = None;
                    out.push(view);
                }
            }
        }
        out
    }

    /// Fields hidden by answers on earlier pages are left out; those that depend on this
    /// page's answers are drawn, so the page works without JavaScript.
    fn shown(&self, id: FieldId, rows: &[usize]) -> bool {
        if self.dynamic.contains(&id) {
            return true;
        }
        let path = instance_path(self.form, id, rows);
        match self.outcome.visible.get(&path) {
            Some(v) => *v,
            // A blank repeat row the answers do not have yet.
            None => self.form.fields[id].conditions.is_empty(),
        }
    }

    fn field(&mut self, id: FieldId, rows: &[usize], row: Option<&Json>) -> FieldView {
        let form = self.form;
        let lang = self.lang;
        let f = &form.fields[id];
        let path = instance_path(form, id, rows);
        let html_id = path_id(&path);
        let raw = match row {
            Some(r) => r.get(f.row_key(form)),
            None => self.answers.get(&f.path),
        };
        let mut label = f.label.get(lang).to_string();
        // A repeat with a minimum number of rows is not optional, whatever `required` says.
        let optional = match f.kind {
            FieldType::Repeat => f.min_items.unwrap_or(0) == 0,
            _ => f.required == Required::Never,
        };
        if optional && f.kind.is_input() {
            label = format!("{label} {}", t(lang, "optional"));
        }
        let error = self.errors.get(path.as_str()).copied();
        let has_rule = form.rules.iter().any(|r| r.field == id);
        let rule_error = error.is_some_and(|e| {
            form.rules
                .iter()
                .any(|r| r.field == id && r.message == e.message)
        });
        let message = error.map(|e| e.message.get(lang).to_string());
        let mut v = FieldView {
            path: path.clone(),
            id: html_id.clone(),
            label,
            hint: f.hint.as_ref().map(|h| h.get(lang).to_string()),
            error: if rule_error { None } else { message.clone() },
            rule: if rule_error { message } else { None },
            has_rule,
            input_type: "text",
            ..Default::default()
        };
        let mut target = html_id.clone();
        match f.kind {
            FieldType::Info => v.kind = "info",
            FieldType::Computed => {
                v.kind = "computed";
                let value = self
                    .outcome
                    .values
                    .get(&path)
                    .cloned()
                    .unwrap_or(Value::Null);
                v.value = display_value(form, id, &value, lang);
            }
            FieldType::Textarea => {
                v.kind = "textarea";
                v.value = raw_text(raw);
                if let Some(max) = f.max_length {
                    v.maxlength = Some(max);
                    v.count = Some(count_text(lang, max, v.value.chars().count()));
                }
            }
            FieldType::Choice | FieldType::YesNo => {
                v.kind = "radios";
                v.inline = f.kind == FieldType::YesNo;
                let chosen = raw_text(raw);
                v.items = options(form, id, lang)
                    .into_iter()
                    .enumerate()
                    .map(|(n, (value, label))| ItemView {
                        id: item_id(&html_id, n),
                        checked: same_option(&chosen, &value),
                        value,
                        label,
                        conditional: Vec::new(),
                    })
                    .collect();
            }
            FieldType::MultiChoice => {
                v.kind = "checkboxes";
                let chosen: Vec<String> = match raw {
                    Some(Json::Array(a)) => a.iter().map(|x| raw_text(Some(x))).collect(),
                    other => vec![raw_text(other)],
                };
                v.items = options(form, id, lang)
                    .into_iter()
                    .enumerate()
                    .map(|(n, (value, label))| ItemView {
                        id: item_id(&html_id, n),
                        checked: chosen.contains(&value),
                        value,
                        label,
                        conditional: Vec::new(),
                    })
                    .collect();
            }
            FieldType::Consent => {
                v.kind = "consent";
                v.checked = same_option(&raw_text(raw), "true");
            }
            FieldType::Date => {
                v.kind = "date";
                // GOV.UK's date input always says what to type.
                v.hint
                    .get_or_insert_with(|| t(lang, "date_hint").to_string());
                let part = |k: &str, label, width, ac| PartView {
                    id: format!("{html_id}-{k}"),
                    name: format!("{path}.{k}"),
                    label: t(lang, label),
                    value: date_part(raw, k),
                    width,
                    inputmode: "numeric",
                    autocomplete: ac,
                };
                v.parts = vec![
                    part("day", "day", "w2", None),
                    part("month", "month", "w2", None),
                    part("year", "year", "w4", None),
                ];
                target = format!("{html_id}-day");
            }
            FieldType::Position => {
                v.kind = "position";
                // Without JavaScript (or a location) the coordinates are typed in.
                v.hint = Some(match v.hint.take() {
                    Some(h) => format!("{h} {}", t(lang, "position_hint")),
                    None => t(lang, "position_hint").to_string(),
                });
                let part = |k: &str, label| PartView {
                    id: format!("{html_id}-{k}"),
                    name: format!("{path}.{k}"),
                    label: t(lang, label),
                    value: raw_part(raw, &[k]),
                    width: "w10",
                    inputmode: "decimal",
                    autocomplete: None,
                };
                v.parts = vec![part("lat", "latitude"), part("lon", "longitude")];
                target = format!("{html_id}-lat");
            }
            FieldType::File => {
                v.kind = "file";
                v.accept = (!f.accept.is_empty()).then(|| f.accept.join(","));
                v.capture = f.capture;
                v.current_file = match raw {
                    Some(Json::String(s)) if !s.is_empty() => Some(s.clone()),
                    Some(Json::Object(o)) => o.get("name").map(|n| raw_text(Some(n))),
                    _ => None,
                }
                .map(|name| t(lang, "file_current").replace("{name}", &name));
            }
            FieldType::Repeat => {
                v.kind = "repeat";
                target = self.repeat(&mut v, id, rows, raw);
            }
            _ => {
                v.kind = "text";
                v.value = raw_text(raw);
                text_input(&mut v, form, id);
            }
        }
        v.describedby = describedby(&v);
        self.targets.insert(path, target);
        v
    }

    /// Fills a repeat's rows and buttons; returns the id its errors link to.
    fn repeat(
        &mut self,
        v: &mut FieldView,
        id: FieldId,
        rows: &[usize],
        raw: Option<&Json>,
    ) -> String {
        let form = self.form;
        let f = &form.fields[id];
        let stored: Vec<Json> = match raw {
            Some(Json::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        let max = f.max_items.map(|m| m as usize).unwrap_or(usize::MAX);
        // Always offer the rows the form needs, at least one: a blank row is no answer.
        let n = stored
            .len()
            .max((f.min_items.unwrap_or(0).max(1) as usize).min(max));
        for i in 0..n {
            let mut inner = rows.to_vec();
            inner.push(i);
            let fields = self.list(
                &f.children,
                &inner,
                Some(stored.get(i).unwrap_or(&Json::Null)),
            );
            v.rows.push(RowView {
                legend: tn(self.lang, "row", i + 1),
                fields,
                remove_value: (n > 1).then(|| format!("remove:{}:{i}", v.path)),
                remove_label: tn(self.lang, "remove_row", i + 1),
            });
        }
        if n < max {
            v.add_label = Some(t(self.lang, "add_row").to_string());
            format!("{}-add", v.id)
        } else {
            v.id.clone()
        }
    }
}

/// The choices of a radio or checkbox field: a yes/no question's are Ja and Nej.
fn options(form: &Form, id: FieldId, lang: &str) -> Vec<(String, String)> {
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
fn item_id(id: &str, n: usize) -> String {
    if n == 0 {
        id.to_string()
    } else {
        format!("{id}-{}", n + 1)
    }
}

/// A stored answer against an option's value, with the spellings the evaluator accepts.
fn same_option(answer: &str, value: &str) -> bool {
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

fn date_part(raw: Option<&Json>, k: &str) -> String {
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
fn text_input(v: &mut FieldView, form: &Form, id: FieldId) {
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

fn count_text(lang: &str, max: u32, used: usize) -> String {
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
fn describedby(v: &FieldView) -> Option<String> {
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
    if v.has_rule {
        ids.push(format!("{}-rule", v.id));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// When `child` is shown only for one option of `radio` (`kategori == "annat"`), that option.
fn reveal_value(form: &Form, radio: FieldId, child: FieldId) -> Option<String> {
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
fn depends_on_page(form: &Form, id: FieldId, page: usize) -> bool {
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
