//! Swedish domain types: personnummer, organisationsnummer, postnummer, fastighetsbeteckning,
//! e-mail and phone numbers.
//!
//! Every validator is a pure function from what a citizen typed to either the normalized value
//! or a [`DomainError`] worded for that citizen. They never panic, whatever the input, because
//! they run on untrusted answers both in the compiler (test answers) and at runtime.
//!
//! The schema patterns in [`xsd_pattern`] and [`json_pattern`] describe the *normalized* forms,
//! so a backend can emit them next to the value the validator produced; they cannot carry the
//! check digit, the calendar or a length limit, which is why the validators stay the authority.

mod contact;
mod identity;
mod patterns;
mod place;
#[cfg(test)]
mod tests;

use serde::Serialize;
use std::fmt;

pub use contact::{email, phone, EMAIL_MAX_CHARS};
pub use identity::{age_on, orgnummer, personnummer, Personnummer};
pub use patterns::{json_pattern, max_length, xsd_pattern};
pub use place::{fastighetsbeteckning, postnummer};

/// Why an answer was refused, in the words shown to the citizen.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct DomainError {
    pub sv: String,
    pub en: String,
}

impl DomainError {
    pub(crate) fn new(sv: &str, en: &str) -> Self {
        DomainError {
            sv: sv.to_owned(),
            en: en.to_owned(),
        }
    }
}

impl fmt::Display for DomainError {
    // Swedish first: it is the language every form must have.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sv)
    }
}

impl std::error::Error for DomainError {}

/// The domain types that have a schema pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Kind {
    Personnummer,
    Orgnummer,
    Postnummer,
    Fastighetsbeteckning,
    Email,
    Phone,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::Personnummer,
        Kind::Orgnummer,
        Kind::Postnummer,
        Kind::Fastighetsbeteckning,
        Kind::Email,
        Kind::Phone,
    ];
}
