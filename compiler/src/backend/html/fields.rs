//! The fields of one question page as the templates draw them: every id, name, attribute and
//! text decided here, so the markup rules (label `for`, `aria-describedby`, autocomplete
//! tokens) are Rust that tests can read, and the templates only place them.

use super::attrs::{
    count_text, date_part, depends_on_page, describedby, item_id, options, reveal_value,
    same_option, text_input,
};
use super::ui_text::{t, tn};
use super::values::{display_value, path_id, raw_part, raw_text};
use crate::eval::{instance_path, Answers, FieldError, Outcome};
use crate::expr::Value;
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, Required};
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
    /// A rule's warning (`severity: warning`): shown once, when the page is posted.
    pub warning: Option<String>,
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
    /// A file field's uploaded files: each kept by a hidden input, each with its remove button.
    pub files: Vec<FileItemView>,
    /// Whether the file input is offered: a field of several files while it has room.
    pub can_add: bool,
    /// The file input takes several files at once.
    pub multiple: bool,
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
pub struct FileItemView {
    pub name: String,
    pub size: u64,
    /// The type the upload's bytes showed.
    pub mime: String,
    /// The upload's id, posted back to keep it; none in previews, which have no uploads.
    pub id: Option<String>,
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
    /// The warnings to show, by instance path.
    pub warnings: BTreeMap<&'a str, &'a FieldError>,
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
            warnings: BTreeMap::new(),
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
        if self.form.fields[id].hidden {
            return false;
        }
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
            warning: self
                .warnings
                .get(path.as_str())
                .map(|w| w.message.get(lang).to_string()),
            input_type: "text",
            ..Default::default()
        };
        let mut target = html_id.clone();
        // A locked field's prefilled value is shown, not asked: there is no input to post.
        let locked = rows.is_empty() && self.outcome.locked.contains(&id);
        match f.kind {
            _ if locked => {
                v.kind = "locked";
                let value = self
                    .outcome
                    .values
                    .get(&path)
                    .cloned()
                    .unwrap_or(Value::Null);
                v.value = display_value(form, id, &value, lang);
                v.label = f.label.get(lang).to_string();
                v.hint = Some(match v.hint.take() {
                    Some(h) => format!("{h} {}", t(lang, "locked_hint")),
                    None => t(lang, "locked_hint").to_string(),
                });
            }
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
                v.files = file_items(raw);
                let max = f.max_files.max(1) as usize;
                v.multiple = max > 1;
                v.can_add = v.files.len() < max || max == 1;
                v.current_file = match (max, v.files.as_slice()) {
                    (_, []) => None,
                    (1, [one]) => Some(t(lang, "file_current").replace("{name}", &one.name)),
                    (_, files) => Some(
                        t(lang, "files_current")
                            .replace("{n}", &files.len().to_string())
                            .replace("{max}", &max.to_string()),
                    ),
                };
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

/// The files a stored file answer holds: one (an object, or a name in a test's answers) or a
/// list of them.
fn file_items(raw: Option<&Json>) -> Vec<FileItemView> {
    let one = |v: &Json| match v {
        Json::String(s) if !s.trim().is_empty() => Some(FileItemView {
            name: s.clone(),
            size: 0,
            mime: String::new(),
            id: None,
        }),
        Json::Object(o) => o.get("name").map(|n| FileItemView {
            name: raw_text(Some(n)),
            size: o.get("size").and_then(Json::as_u64).unwrap_or(0),
            mime: raw_text(o.get("type")),
            id: o.get("id").and_then(Json::as_str).map(str::to_string),
        }),
        _ => None,
    };
    match raw {
        Some(Json::Array(items)) => items.iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    }
}
