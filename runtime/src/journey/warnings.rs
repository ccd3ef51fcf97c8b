//! Warnings (rules with `severity: warning`) are shown once: posting the page again with the
//! same warning continues. The warnings a person was shown are kept with the draft's answers,
//! under a key no field can have (field ids start with a letter), so they survive a reload and
//! a "save and continue later".

use blankett_compiler::eval::{Answers, FieldError};
use serde_json::Value as Json;

const SHOWN: &str = "_visade_varningar";

/// Whether an answer's key is the journey's own (the person, the warnings shown), not a field's.
pub fn is_journey_key(key: &str) -> bool {
    key == blankett_compiler::expr::inloggad::NAME || key.starts_with('_')
}

/// A warning by its place and words: changed words are a new warning, shown again.
fn key(w: &FieldError) -> String {
    format!("{}\u{1f}{}", w.path, w.message.get("sv"))
}

fn shown(answers: &Answers) -> Vec<String> {
    match answers.get(SHOWN) {
        Some(Json::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether any of `warnings` has not been shown yet.
pub fn any_unseen(answers: &Answers, warnings: &[&FieldError]) -> bool {
    let seen = shown(answers);
    warnings.iter().any(|w| !seen.contains(&key(w)))
}

/// Records `warnings` as shown.
pub fn mark_shown(answers: &mut Answers, warnings: &[&FieldError]) {
    let mut seen = shown(answers);
    for w in warnings {
        let k = key(w);
        if !seen.contains(&k) {
            seen.push(k);
        }
    }
    answers.insert(
        SHOWN.to_string(),
        Json::Array(seen.into_iter().map(Json::String).collect()),
    );
}
