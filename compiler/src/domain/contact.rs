//! How to reach someone: e-mail and phone numbers.

use super::DomainError;

/// The longest address SMTP can carry in a forward path (RFC 5321, 4.5.3.1.3).
pub const EMAIL_MAX_CHARS: usize = 254;

fn email_format() -> DomainError {
    DomainError::new(
        "Skriv en e-postadress, till exempel namn@exempel.se.",
        "Enter an email address, for example name@example.se.",
    )
}

fn email_too_long() -> DomainError {
    DomainError::new(
        "E-postadressen är för lång. Den får vara högst 254 tecken.",
        "The email address is too long. It can be at most 254 characters.",
    )
}

fn phone_characters() -> DomainError {
    DomainError::new(
        "Skriv telefonnumret med siffror. Du kan använda mellanslag, bindestreck, parenteser och + först.",
        "Enter the phone number with digits. You can use spaces, hyphens, brackets and a leading +.",
    )
}

fn phone_length() -> DomainError {
    DomainError::new(
        "Telefonnumret ska ha mellan 7 och 15 siffror. Kontrollera numret.",
        "The phone number should have between 7 and 15 digits. Check the number.",
    )
}

/// Characters an address may not contain anywhere: the separator and anything invisible.
///
/// Whitespace and control characters together are exactly Unicode's Z and Cc categories, the
/// set the schema patterns exclude, so validator and patterns agree character for character.
pub(crate) fn is_email_excluded(c: char) -> bool {
    c == '@' || c.is_whitespace() || c.is_control()
}

/// Validates an e-mail address pragmatically and returns it trimmed.
///
/// Only what catches real typos is checked (one `@`, a dot in the domain, no spaces); the
/// RFC 5322 grammar would accept addresses no mail provider hands out and refuse none that
/// people actually mistype, and internationalised addresses (`namn@åre.se`) must pass.
pub fn email(input: &str) -> Result<String, DomainError> {
    let s = input.trim();
    if s.chars().count() > EMAIL_MAX_CHARS {
        return Err(email_too_long());
    }
    let (local, domain) = s.split_once('@').ok_or_else(email_format)?;
    let local_ok = !local.is_empty() && !local.chars().any(is_email_excluded);
    let domain_ok = domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.chars().any(is_email_excluded));
    if local_ok && domain_ok {
        Ok(s.to_owned())
    } else {
        Err(email_format())
    }
}

/// Validates a Swedish or international phone number and returns it trimmed, as written.
///
/// People write numbers in many groupings (`070-123 45 67`, `+46 (0)70 123 45 67`); keeping
/// theirs avoids guessing where an international number's area code ends. Seven digits still
/// lets a local number without area code through; fifteen is the E.164 maximum.
pub fn phone(input: &str) -> Result<String, DomainError> {
    let s = input.trim();
    let rest = s.strip_prefix('+').unwrap_or(s);
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')'))
    {
        return Err(phone_characters());
    }
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&digits) {
        return Err(phone_length());
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_email() {
        for (input, normalized) in [
            ("anna@example.se", "anna@example.se"),
            (
                "  Anna.Svensson+kommun@Example.SE ",
                "Anna.Svensson+kommun@Example.SE",
            ),
            ("namn@åre.se", "namn@åre.se"),
            ("a@b.c", "a@b.c"),
            ("x@mail.kommun.se", "x@mail.kommun.se"),
        ] {
            assert_eq!(email(input).as_deref(), Ok(normalized), "{input}");
        }
        let longest = format!("{}@example.se", "a".repeat(EMAIL_MAX_CHARS - 11));
        assert_eq!(email(&longest).as_deref(), Ok(longest.as_str()));
    }

    #[test]
    fn invalid_email() {
        for input in [
            "",
            "anna",
            "anna@",
            "@example.se",
            "anna@example",
            "anna@@example.se",
            "anna@ex@ample.se",
            "anna svensson@example.se",
            "anna@example .se",
            "anna@.example.se",
            "anna@example.se.",
            "anna@example..se",
            "anna\u{a0}@example.se",
            "anna\u{0}@example.se",
        ] {
            assert_eq!(email(input), Err(email_format()), "{input:?}");
        }
        let too_long = format!("{}@example.se", "a".repeat(EMAIL_MAX_CHARS - 10));
        assert_eq!(email(&too_long), Err(email_too_long()));
    }

    #[test]
    fn valid_phone() {
        for input in [
            "070-123 45 67",
            "0701234567",
            "+46 70 123 45 67",
            "+46 (0)70-123 45 67",
            "08-123 456",
            "(08) 123 45 67",
            "+1 (555) 123-4567",
            "+ 46 70 123 45 67",
            "1234567",
            "123456789012345",
        ] {
            assert_eq!(phone(input).as_deref(), Ok(input), "{input}");
        }
        assert_eq!(phone("  070-123 45 67\n").as_deref(), Ok("070-123 45 67"));
    }

    #[test]
    fn invalid_phone() {
        for input in [
            "070/123 45 67",
            "070.123.45.67",
            "46+70 123 45 67",
            "++46 70 123 45 67",
            "070-ABC",
            "070\t123 45 67",
            "０７０1234567",
        ] {
            assert_eq!(phone(input), Err(phone_characters()), "{input:?}");
        }
        for input in ["", "+", "123456", "1234567890123456", "( ) -"] {
            assert_eq!(phone(input), Err(phone_length()), "{input:?}");
        }
    }
}
