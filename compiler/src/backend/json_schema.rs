//! JSON Schema of a form's submissions. (Filled in by the JSON Schema backend work.)

use crate::ir::Form;

pub fn generate(form: &Form) -> serde_json::Value {
    let _ = form;
    serde_json::json!({})
}
