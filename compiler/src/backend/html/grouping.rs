//! The answers as people read them back: per page, and inside a page per fragment group and
//! repeat row, each under its heading ("Inomhus", "Omsorgstider, rad 2"). Check-your-answers,
//! the receipt (and so Mina sidor) and the error summary draw from here, and so can any other
//! page that shows answers (the signing page): the same headings everywhere, so "Från klockan"
//! never stands twice without saying which.

use super::ui_text::{t, tn};
use super::values::display_lines;
use crate::eval::{instance_path, Outcome};
use crate::expr::Value;
use crate::ir::{FieldId, FieldType, Form};

/// The answers of one visible page.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerSection {
    pub page: usize,
    /// The page's title.
    pub title: String,
    /// Runs of answers, each under one heading (none for fields outside labelled groups).
    pub groups: Vec<AnswerGroup>,
}

/// Consecutive answers that share a heading.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerGroup {
    /// The labels of the fragment uses around the answers, outermost first, joined by " – ".
    pub heading: Option<String>,
    pub rows: Vec<AnswerRow>,
}

/// One answered (or unanswered) question.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerRow {
    pub field: FieldId,
    /// The instance path, as errors and change links name it.
    pub path: String,
    pub label: String,
    /// The answer as lines; empty for a repeat, whose rows are in `blocks`.
    pub lines: Vec<String>,
    /// A repeat's rows: a title ("Rad 1") and a "label: answer" line per question.
    pub blocks: Vec<(String, Vec<String>)>,
}

/// The answers per visible page, grouped under the labels of the fragments they came from.
pub fn answer_sections(form: &Form, outcome: &Outcome, lang: &str) -> Vec<AnswerSection> {
    sections(form, outcome, lang, false)
}

/// As [`answer_sections`], with the hidden computed values (`show: false`) too: what a signer
/// signs is the whole submission, helpers included, so a signer is shown all of it.
pub fn signed_sections(form: &Form, outcome: &Outcome, lang: &str) -> Vec<AnswerSection> {
    sections(form, outcome, lang, true)
}

fn sections(form: &Form, outcome: &Outcome, lang: &str, hidden: bool) -> Vec<AnswerSection> {
    let shown = |f: &crate::ir::Field| f.kind != FieldType::Info && (hidden || !f.hidden);
    let mut sections = Vec::new();
    for (p, page) in form.pages.iter().enumerate() {
        if !outcome.page_visible.get(p).copied().unwrap_or(false) {
            continue;
        }
        let mut groups: Vec<AnswerGroup> = Vec::new();
        for &id in &page.fields {
            let f = &form.fields[id];
            if !shown(f) || !outcome.is_visible(&f.path) {
                continue;
            }
            let row = answer_row(form, outcome, id, lang, &shown);
            let heading = group_heading(form, &f.path, lang);
            match groups.last_mut() {
                Some(last) if last.heading == heading => last.rows.push(row),
                _ => groups.push(AnswerGroup {
                    heading,
                    rows: vec![row],
                }),
            }
        }
        if !groups.is_empty() {
            sections.push(AnswerSection {
                page: p,
                title: page.title.get(lang).to_string(),
                groups,
            });
        }
    }
    sections
}

fn answer_row(
    form: &Form,
    outcome: &Outcome,
    id: FieldId,
    lang: &str,
    shown: &dyn Fn(&crate::ir::Field) -> bool,
) -> AnswerRow {
    let f = &form.fields[id];
    let mut row = AnswerRow {
        field: id,
        path: f.path.clone(),
        label: f.label.get(lang).to_string(),
        lines: Vec::new(),
        blocks: Vec::new(),
    };
    if f.kind == FieldType::Repeat {
        let n = outcome.rows.get(&f.path).copied().unwrap_or(0);
        for i in 0..n {
            let lines = f
                .children
                .iter()
                .filter(|&&c| shown(&form.fields[c]))
                .filter_map(|&c| {
                    let path = instance_path(form, c, &[i]);
                    if !outcome.is_visible(&path) {
                        return None;
                    }
                    let v = outcome.values.get(&path).cloned().unwrap_or(Value::Null);
                    let shown = display_lines(form, c, &v, lang).join(", ");
                    let shown = if shown.is_empty() {
                        t(lang, "not_answered").to_string()
                    } else {
                        shown
                    };
                    let child = &form.fields[c];
                    // A group inside the row ("Adress") is named before its questions.
                    let label = match row_group_heading(form, c, lang) {
                        Some(g) => format!("{g}: {}", child.label.get(lang)),
                        None => child.label.get(lang).to_string(),
                    };
                    Some(format!("{label}: {shown}"))
                })
                .collect();
            row.blocks.push((tn(lang, "row", i + 1), lines));
        }
    } else {
        let v = outcome.values.get(&f.path).cloned().unwrap_or(Value::Null);
        row.lines = display_lines(form, id, &v, lang);
    }
    if row.lines.is_empty() && row.blocks.is_empty() {
        row.lines.push(t(lang, "not_answered").to_string());
    }
    row
}

/// The labels of the fragment uses a field (outside repeats) sits in, outermost first.
fn group_heading(form: &Form, path: &str, lang: &str) -> Option<String> {
    let labels: Vec<&str> = form
        .groups
        .iter()
        .filter(|g| is_inside(path, &g.prefix))
        .map(|g| g.label.get(lang))
        .collect();
    (!labels.is_empty()).then(|| labels.join(" – "))
}

/// The labels of the groups inside a repeat's row that a row's field sits in.
fn row_group_heading(form: &Form, child: FieldId, lang: &str) -> Option<String> {
    let f = &form.fields[child];
    let row = f.parent.map(|p| form.fields[p].path.as_str())?;
    let labels: Vec<&str> = form
        .groups
        .iter()
        .filter(|g| is_inside(&g.prefix, row) && is_inside(&f.path, &g.prefix))
        .map(|g| g.label.get(lang))
        .collect();
    (!labels.is_empty()).then(|| labels.join(" – "))
}

/// Where an answer sits, as a heading: the labels of the fragment uses around it and, in a
/// repeat, the repeat's label with the row number, outermost first ("Sökande – Barn, rad 2").
/// `None` for a question outside any labelled group or repeat. Error summaries put it before
/// the message ("Inomhus: Fyll i ”Från klockan”."), since the message names only the question.
pub fn answer_context(form: &Form, field: FieldId, instance: &str, lang: &str) -> Option<String> {
    let f = form.fields.get(field)?;
    let rows = row_numbers(instance);
    // Every repeat the field is in, outermost first, with its row.
    let mut repeats = Vec::new();
    let mut p = f.parent;
    while let Some(id) = p {
        repeats.push(id);
        p = form.fields[id].parent;
    }
    repeats.reverse();
    // Headings by where they start in the path, so groups and rows interleave as nested.
    let mut parts: Vec<(usize, String)> = form
        .groups
        .iter()
        .filter(|g| is_inside(&f.path, &g.prefix))
        .map(|g| (g.prefix.len(), g.label.get(lang).to_string()))
        .collect();
    for (depth, &rep) in repeats.iter().enumerate() {
        let r = &form.fields[rep];
        let Some(&n) = rows.get(depth) else { continue };
        let text = t(lang, "row_of")
            .replace(
                "{name}",
                r.label.get(lang).trim_end_matches(['?', ':', '.']),
            )
            .replace("{n}", &(n + 1).to_string());
        // A repeat's rows start where the repeat's path ends: after a group that holds it.
        parts.push((r.path.len() + 1, text));
    }
    parts.sort_by_key(|(at, _)| *at);
    let parts: Vec<String> = parts.into_iter().map(|(_, s)| s).collect();
    (!parts.is_empty()).then(|| parts.join(" – "))
}

/// The row numbers of an instance path: `barn[1].syskon[0].namn` → `[1, 0]`.
fn row_numbers(instance: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = instance;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            break;
        };
        if let Ok(n) = rest[open + 1..open + close].parse() {
            out.push(n);
        }
        rest = &rest[open + close + 1..];
    }
    out
}

/// Whether `path` is below `prefix` (`inne.fran` is inside `inne`; `inneslutning` is not).
fn is_inside(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|r| r.starts_with('.'))
}
