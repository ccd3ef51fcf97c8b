//! The resolved form as a file the runtime loads without the sources.

use crate::ir::Form;

/// The bundle: the IR as JSON, carrying its content hash. Compact: it is for the runtime, not
/// for reading, and indenting the deep expression trees made it six times larger (half a
/// megabyte for a big form) and a fifth of a build's time.
pub fn to_json(form: &Form) -> String {
    serde_json::to_string(form).unwrap_or_default()
}

pub fn from_json(text: &str) -> Result<Form, serde_json::Error> {
    let mut form: Form = serde_json::from_str(text)?;
    form.index_fields();
    Ok(form)
}
