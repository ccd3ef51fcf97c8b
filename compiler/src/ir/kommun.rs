//! A kommun project as analysis resolved it: the kommun's facts and its services, each a
//! library form with the kommun's overrides applied.

use super::Form;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kommun {
    pub id: String,
    pub name: String,
    pub orgnr: String,
    pub dir: PathBuf,
    pub logo: Option<String>,
    pub primary_color: String,
    pub primary_text_color: String,
    pub contact: Contact,
    pub shs_address: Option<String>,
    pub shs_to: Option<String>,
    pub shs_url: Option<String>,
    /// The services, each its form with the kommun's overrides applied.
    pub forms: Vec<Form>,
    /// SHS product id per form id.
    pub shs_products: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub web: Option<String>,
}
