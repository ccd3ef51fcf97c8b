//! The client logic: the expression language compiled to JavaScript.

use crate::ir::Form;

pub fn generate(form: &Form) -> String {
    let _ = form;
    String::new()
}
