//! Answers longer than their question takes are not stored (issue 21: a 10 MB answer to a
//! `max_length: 2000` textarea was stored and echoed on every later view).

use blankett_compiler::eval::Answers;
use blankett_compiler::ir::Form;
use serde_json::Value as Json;

/// The posted answers' paths whose text is longer than the field's `max_length`.
pub fn too_long(form: &Form, answers: &Answers) -> Vec<String> {
    let mut found = Vec::new();
    for (key, value) in answers {
        walk(form, key, key, value, &mut found);
    }
    found
}

/// `field_path` is the field's path (`barn.namn`), `at` the instance's (`barn[0].namn`).
fn walk(form: &Form, field_path: &str, at: &str, value: &Json, found: &mut Vec<String>) {
    match value {
        Json::String(s) => {
            let max = form
                .field(field_path)
                .and_then(|f| form.fields[f].max_length);
            // Browsers count a line break as one character and send it as two (CR LF).
            let n = s.chars().filter(|&c| c != '\r').count();
            if max.is_some_and(|m| n > m as usize) {
                found.push(at.to_string());
            }
        }
        Json::Array(rows) => {
            for (i, row) in rows.iter().enumerate() {
                walk(form, field_path, &format!("{at}[{i}]"), row, found);
            }
        }
        Json::Object(map) => {
            for (k, v) in map {
                walk(
                    form,
                    &format!("{field_path}.{k}"),
                    &format!("{at}.{k}"),
                    v,
                    found,
                );
            }
        }
        _ => {}
    }
}
