//! The accessible HTML journey. (Filled in by the HTML backend work.)

use super::Branding;
use crate::ir::Form;

/// Static files every page uses (CSS, the client runtime).
pub fn assets(add: &mut dyn FnMut(&str, Vec<u8>)) {
    let _ = add;
}

/// Every page of the journey, empty and in its error state, as files for a static preview.
pub fn preview(form: &Form, branding: &Branding) -> Vec<(String, String)> {
    let _ = (form, branding);
    Vec::new()
}
