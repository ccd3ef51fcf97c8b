//! A draft's files: which stored uploads its answers name, and which of them a submission
//! carries. A file answer is only ever an upload this runtime stored (`journey::upload`); the
//! answers hold its id, and what is delivered and kept is exactly what the answers name.

use crate::app::AppState;
use crate::error::Result;
use crate::store::{Attachment, Draft, SubmittedFile};
use blankett_compiler::eval::{self, Answers, Outcome};
use blankett_compiler::ir::{FieldId, FieldType, Form};
use serde_json::{Map, Value as Json};
use std::collections::BTreeSet;

/// A stored upload as the answers hold it: what the evaluator reads (`name`, `size`, `type`)
/// and the attachment's `id`.
pub fn answer_of(a: &Attachment) -> Json {
    serde_json::json!({"name": a.filename, "size": a.size, "type": a.mime, "id": a.id})
}

/// The page's file lookup: a posted id names a file only when it is an upload of this draft,
/// made for the same field (in any row: rows move when one is removed).
pub fn lookup(stored: &[Attachment]) -> impl Fn(&str, &str) -> Option<Json> + '_ {
    move |field_path: &str, id: &str| {
        stored
            .iter()
            .find(|a| a.id == id)
            .filter(|a| eval::field_path(&a.field_path) == field_path)
            .map(answer_of)
    }
}

/// One file the answers hold.
pub struct HeldFile {
    /// The field's instance path (`bilagor[1].fil`).
    pub field_instance: String,
    /// The file's own: the field's, or with its number in a field of several (`ritningar[2]`),
    /// as the submission's `id` attributes name it.
    pub path: String,
    pub field: FieldId,
    pub answer: Map<String, Json>,
}

/// Every file the answers hold, wherever its field stands (a page, a row, a fragment in a
/// row).
pub fn files_in(form: &Form, answers: &Answers) -> Vec<HeldFile> {
    let mut out = Vec::new();
    for (id, f) in form.fields.iter().enumerate() {
        if f.parent.is_none() {
            if let Some(v) = answers.get(&f.path) {
                walk(form, id, &f.path, v, &mut out);
            }
        }
    }
    out
}

fn walk(form: &Form, id: FieldId, instance: &str, v: &Json, out: &mut Vec<HeldFile>) {
    let f = &form.fields[id];
    match f.kind {
        FieldType::File => {
            let items: Vec<&Json> = match v {
                Json::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            let several = f.takes_several_files();
            for (i, item) in items.into_iter().enumerate() {
                let Json::Object(o) = item else { continue };
                if !o.get("id").is_some_and(Json::is_string) {
                    continue;
                }
                out.push(HeldFile {
                    field_instance: instance.to_string(),
                    path: if several {
                        format!("{instance}[{i}]")
                    } else {
                        instance.to_string()
                    },
                    field: id,
                    answer: o.clone(),
                });
            }
        }
        FieldType::Repeat => {
            let Json::Array(rows) = v else { return };
            for (i, row) in rows.iter().enumerate() {
                let Json::Object(row) = row else { continue };
                for &c in &f.children {
                    let key = form.fields[c].row_key(form);
                    if let Some(cv) = row.get(key) {
                        walk(form, c, &format!("{instance}[{i}].{key}"), cv, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The ids of the uploads the answers name.
pub fn named_ids(form: &Form, answers: &Answers) -> BTreeSet<String> {
    files_in(form, answers)
        .into_iter()
        .filter_map(|h| {
            h.answer
                .get("id")
                .and_then(Json::as_str)
                .map(str::to_string)
        })
        .collect()
}

/// The uploads a submission carries: those its answers name on a shown question, with the
/// instance path each now stands at (rows move as rows are removed). A file of a hidden
/// question is not in the submission, so it is neither delivered nor kept.
pub fn submitted(form: &Form, answers: &Answers, outcome: &Outcome) -> Vec<SubmittedFile> {
    let mut seen = BTreeSet::new();
    files_in(form, answers)
        .into_iter()
        .filter(|h| {
            outcome.is_visible(&h.field_instance)
                && outcome
                    .values
                    .get(&h.field_instance)
                    .is_some_and(|v| *v != blankett_compiler::expr::Value::Null)
        })
        .filter_map(|h| {
            let id = h.answer.get("id").and_then(Json::as_str)?.to_string();
            seen.insert(id.clone()).then_some(SubmittedFile {
                id,
                field_path: h.path,
            })
        })
        .collect()
}

/// The uploads a stored (or about to be stored) submission carries, by its own answers and
/// the form it was made with.
pub async fn submitted_of(
    state: &AppState,
    s: &crate::store::Submission,
) -> Result<Vec<SubmittedFile>> {
    let Some(form) = super::form_of_submission(state, s).await? else {
        return Ok(Vec::new());
    };
    let answers = super::parse_answers(&s.answers)?;
    let outcome = eval::evaluate(&form, &answers, super::today());
    Ok(submitted(&form, &answers, &outcome))
}

/// Deletes the draft's uploads its answers no longer name: replaced, removed, or in a row that
/// was removed. Nothing else keeps them, and nothing of them is delivered.
pub async fn forget_unnamed(
    state: &AppState,
    form: &Form,
    draft: &Draft,
    answers: &Answers,
    stored: &[Attachment],
) -> Result<()> {
    let named = named_ids(form, answers);
    let gone: Vec<String> = stored
        .iter()
        .filter(|a| a.submission_id.is_none() && !named.contains(&a.id))
        .map(|a| a.id.clone())
        .collect();
    if !gone.is_empty() {
        state
            .store
            .delete_draft_attachments(&draft.id, &gone)
            .await?;
    }
    Ok(())
}
