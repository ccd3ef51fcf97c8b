//! Example answers for a form: its first test's answers, completed with generated values.

use crate::eval::Answers;
use crate::ir::Form;

pub fn answers(form: &Form) -> Answers {
    form.tests
        .first()
        .map(|t| t.answers.clone())
        .unwrap_or_default()
}
