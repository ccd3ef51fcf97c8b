//! Answers as stored: JSON of field path → answer.

use crate::error::Error;
use blankett_compiler::eval::Answers;
use blankett_compiler::ir::{FieldType, Form};

/// The answers stored with a draft or a submission. We wrote them; JSON that does not read
/// back is damage, reported as such (never taken as "no answers").
pub fn parse_answers(json: &str) -> Result<Answers, Error> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("stored answers: {e}")))
}

/// A draft can move to a new form version when every answered field still exists there, with
/// the same type, and every chosen value is still a choice.
pub fn compatible(new: &Form, answers: &Answers) -> bool {
    answers.iter().all(|(path, value)| {
        if value.is_null() || crate::journey::warnings::is_journey_key(path) {
            return true;
        }
        let Some(id) = new.field(path) else {
            return false;
        };
        let f = &new.fields[id];
        match (f.kind, value) {
            (FieldType::Choice, serde_json::Value::String(s)) => {
                f.choices.iter().any(|c| &c.value == s)
            }
            _ => true,
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn damaged_answers_are_an_error_not_an_empty_draft() {
        assert!(super::parse_answers("{\"a\": 1}").is_ok());
        assert!(matches!(
            super::parse_answers("{not json"),
            Err(crate::error::Error::Corrupt(_))
        ));
    }
}
