//! The client logic: the expression language compiled to JavaScript.

use crate::ir::Form;

pub fn generate(form: &Form) -> String {
    let _ = form;
    String::new()
}

/// The client runtime (replaced by the JS backend work).
pub const RUNTIME_JS: &str = "";
