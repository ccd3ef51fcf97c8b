//! The expectations of a scenario test about warnings and stop pages.

use super::form::{field_path, FieldError, Outcome};
use crate::ir::Form;

/// `expect: {warnings: […]}`: exactly these fields (or instance paths) show a warning.
pub fn warnings(expected: &[String], got: &[FieldError]) -> Vec<String> {
    let mut failures = Vec::new();
    for e in expected {
        let hit = got
            .iter()
            .any(|w| &w.path == e || (!e.contains('[') && field_path(&w.path) == *e));
        if !hit {
            failures.push(format!("`{e}` should have a warning, but has none"));
        }
    }
    for w in got {
        if !expected
            .iter()
            .any(|x| x == &w.path || x == &field_path(&w.path))
        {
            failures.push(format!(
                "unexpected warning at `{}`: {}",
                w.path,
                w.message.get("sv")
            ));
        }
    }
    failures
}

/// `expect: {ends_at: page}`: the journey ends at that stop page, the first one shown.
pub fn ends_at(form: &Form, o: &Outcome, page: &str) -> Vec<String> {
    match o.stop_page(form) {
        Some(p) if form.pages[p].id == page => Vec::new(),
        Some(p) => vec![format!(
            "the journey should end at `{page}`, but ends earlier at `{}`",
            form.pages[p].id
        )],
        None => vec![format!(
            "the journey should end at `{page}`, but the page is not shown and the journey goes on"
        )],
    }
}
