//! Schema patterns for the normalized forms.
//!
//! One body serves both flavours where it can. XSD regular expressions have no `(?:…)`, no
//! anchors and no `\x`/`\u` escapes, so the bodies use plain groups and literal characters;
//! JSON Schema wraps the same body in `^…$`. Only the e-mail character class differs: XSD says
//! "no Z or Cc" with category escapes, which ECMAScript understands only in `u` mode, so the
//! JSON flavour lists the same characters as code-point ranges.

use super::{Kind, EMAIL_MAX_CHARS};

macro_rules! personnummer {
    () => {
        "(1[89]|[2-9][0-9])[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01]|6[1-9]|[78][0-9]|9[01])-[0-9]{4}"
    };
}

macro_rules! orgnummer {
    () => {
        "[0-9]{6}-[0-9]{4}"
    };
}

macro_rules! postnummer {
    () => {
        "[1-9][0-9]{2} [0-9]{2}"
    };
}

macro_rules! fastighetsbeteckning {
    () => {
        "[A-Za-zÀ-ÖØ-öø-ÿ]+(-[A-Za-zÀ-ÖØ-öø-ÿ]+)*( [A-Za-zÀ-ÖØ-öø-ÿ]+(-[A-Za-zÀ-ÖØ-öø-ÿ]+)*)* (([0-9]+|[A-Za-z]{1,3}):)?[0-9]+"
    };
}

// The leading and trailing parts only admit separators other than a space, because the
// validator trims; the digit part's separators are unambiguous, so engines do not backtrack.
macro_rules! phone {
    () => {
        r"(\+[ \-()]*|[\-()][ \-()]*)?[0-9]([ \-()]*[0-9]){6,14}([ \-()]*[\-()])?"
    };
}

const EMAIL_XSD: &str = r"[^@\p{Z}\p{Cc}]+@[^@.\p{Z}\p{Cc}]+(\.[^@.\p{Z}\p{Cc}]+)+";

const EMAIL_JSON: &str = concat!(
    r"^[^@\x00-\x20\x7F-\x9F\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+",
    r"@[^@.\x00-\x20\x7F-\x9F\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+",
    r"(\.[^@.\x00-\x20\x7F-\x9F\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+)+$",
);

/// An `xs:pattern` (implicitly anchored) that matches the normalized form of `kind`.
pub fn xsd_pattern(kind: Kind) -> &'static str {
    match kind {
        Kind::Personnummer => personnummer!(),
        Kind::Orgnummer => orgnummer!(),
        Kind::Postnummer => postnummer!(),
        Kind::Fastighetsbeteckning => fastighetsbeteckning!(),
        Kind::Email => EMAIL_XSD,
        Kind::Phone => phone!(),
    }
}

/// A JSON Schema `pattern` (ECMAScript, anchored) that matches the normalized form of `kind`.
pub fn json_pattern(kind: Kind) -> &'static str {
    match kind {
        Kind::Personnummer => concat!("^", personnummer!(), "$"),
        Kind::Orgnummer => concat!("^", orgnummer!(), "$"),
        Kind::Postnummer => concat!("^", postnummer!(), "$"),
        Kind::Fastighetsbeteckning => concat!("^", fastighetsbeteckning!(), "$"),
        Kind::Email => EMAIL_JSON,
        Kind::Phone => concat!("^", phone!(), "$"),
    }
}

/// The longest normalized form of `kind` in characters, for `maxLength`, where the pattern
/// cannot say it; `None` when there is no limit.
pub fn max_length(kind: Kind) -> Option<usize> {
    match kind {
        Kind::Personnummer => Some(13),
        Kind::Orgnummer => Some(11),
        Kind::Postnummer => Some(6),
        Kind::Email => Some(EMAIL_MAX_CHARS),
        Kind::Fastighetsbeteckning | Kind::Phone => None,
    }
}
