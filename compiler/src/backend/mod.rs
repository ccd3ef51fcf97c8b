//! Backends: the outputs a kommun takes into use, each from the resolved form (IR).
//!
//! - [`html`]: the accessible journey (start, question pages, check answers, receipt), rendered by
//!   one function the runtime also uses;
//! - [`xsd`] and [`json_schema`]: schemas of a form's submission;
//! - [`submission`]: a submission as XML and JSON (valid against those schemas);
//! - [`example`]: example answers (from the form's first test, or generated);
//! - [`js`]: the client logic, the expression language compiled to JavaScript;
//! - [`bundle`]: the resolved form as the runtime loads it.
//!
//! [`build`] only dispatches: it asks each backend for its files.

pub mod build;
pub mod bundle;
pub mod example;
pub mod html;
pub mod js;
pub mod json_schema;
pub mod mapping;
pub mod submission;
pub mod warnings;
pub mod xsd;

pub use build::{build, BuildOutput, OutputFile};

/// The kommun a form is shown for: its name, colours and contacts. Library previews use
/// [`Branding::neutral`].
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Branding {
    pub kommun_id: String,
    pub name: String,
    pub logo: Option<String>,
    pub primary_color: String,
    pub primary_text_color: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_web: Option<String>,
}

impl Branding {
    pub fn neutral() -> Self {
        Branding {
            kommun_id: "bibliotek".into(),
            name: "Formulärbiblioteket".into(),
            logo: None,
            primary_color: "#1d4f91".into(),
            primary_text_color: "#ffffff".into(),
            contact_email: None,
            contact_phone: None,
            contact_web: None,
        }
    }

    pub fn of(k: &crate::ir::Kommun) -> Self {
        Branding {
            kommun_id: k.id.clone(),
            name: k.name.clone(),
            logo: k.logo.clone(),
            primary_color: k.primary_color.clone(),
            primary_text_color: k.primary_text_color.clone(),
            contact_email: k.contact.email.clone(),
            contact_phone: k.contact.phone.clone(),
            contact_web: k.contact.web.clone(),
        }
    }
}

/// The target namespace of a form's submissions: one per form and major version, so a
/// case system can tell incompatible versions apart.
pub fn namespace(form: &crate::ir::Form) -> String {
    let major = form.version.split('.').next().unwrap_or("1");
    format!("urn:blankett:{}:v{major}", form.id)
}
