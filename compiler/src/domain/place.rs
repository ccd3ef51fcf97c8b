//! Where things are: postnummer and fastighetsbeteckning.

use super::DomainError;

fn postnummer_format() -> DomainError {
    DomainError::new(
        "Skriv postnumret med fem siffror, till exempel 123 45.",
        "Enter the postcode as five digits, for example 123 45.",
    )
}

fn postnummer_zero() -> DomainError {
    DomainError::new(
        "Ett postnummer börjar aldrig med 0. Kontrollera siffrorna.",
        "A Swedish postcode never starts with 0. Check the digits.",
    )
}

fn fastighet_format() -> DomainError {
    DomainError::new(
        "Skriv fastighetsbeteckningen som kommun, trakt och nummer, till exempel Orust Kärr 1:23.",
        "Enter the property designation as municipality, district and number, for example Orust Kärr 1:23.",
    )
}

/// Validates a postnummer and returns it as PostNord prints it, `123 45`.
pub fn postnummer(input: &str) -> Result<String, DomainError> {
    let s = input.trim();
    let b = s.as_bytes();
    let digits: [u8; 5] = match b.len() {
        5 if b.iter().all(u8::is_ascii_digit) => [b[0], b[1], b[2], b[3], b[4]],
        6 if b[3] == b' ' && b[..3].iter().chain(&b[4..]).all(u8::is_ascii_digit) => {
            [b[0], b[1], b[2], b[4], b[5]]
        }
        _ => return Err(postnummer_format()),
    };
    if digits[0] == b'0' {
        return Err(postnummer_zero());
    }
    let text = |d: &[u8]| d.iter().map(|&b| char::from(b)).collect::<String>();
    Ok(format!("{} {}", text(&digits[..3]), text(&digits[3..])))
}

/// Letters allowed in kommun and trakt names: ASCII and Latin-1 letters (å, ä, ö, é, ü, …).
///
/// Kept to exactly the class the schema patterns spell out, `A-Za-zÀ-ÖØ-öø-ÿ`, so that a name
/// the validator accepts is one every XSD and JSON Schema engine accepts too.
pub(crate) fn is_name_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, 'À'..='Ö' | 'Ø'..='ö' | 'ø'..='ÿ')
}

/// Composes the decomposed Swedish letters (a + ring above, o + diaeresis, e + acute, …) that
/// text copied on macOS often carries, which would otherwise fail the letter class.
fn compose(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let composed = match (out.chars().next_back(), c) {
            (Some(base), '\u{030A}') => match base {
                'a' => Some('å'),
                'A' => Some('Å'),
                _ => None,
            },
            (Some(base), '\u{0308}') => match base {
                'a' => Some('ä'),
                'A' => Some('Ä'),
                'o' => Some('ö'),
                'O' => Some('Ö'),
                'u' => Some('ü'),
                'U' => Some('Ü'),
                _ => None,
            },
            (Some(base), '\u{0301}') => match base {
                'e' => Some('é'),
                'E' => Some('É'),
                _ => None,
            },
            _ => None,
        };
        match composed {
            Some(letter) => {
                out.pop();
                out.push(letter);
            }
            None => out.push(c),
        }
    }
    out
}

fn is_name_word(word: &str) -> bool {
    word.split('-')
        .all(|part| !part.is_empty() && part.chars().all(is_name_letter))
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// `block:enhet`, or just `enhet`.
///
/// Lantmäteriet writes trakts as `block:enhet` (`Kärr 1:23`); a trakt named after a town block
/// (kvartersnamn) has no block number (`Stockholm Pilen 23`); samfälligheter and
/// gemensamhetsanläggningar take a letter block (`Kärr s:1`, `Berga ga:1`).
fn is_designation(s: &str) -> bool {
    match s.split_once(':') {
        None => is_number(s),
        Some((block, unit)) => {
            let letters =
                (1..=3).contains(&block.len()) && block.bytes().all(|b| b.is_ascii_alphabetic());
            (is_number(block) || letters) && is_number(unit)
        }
    }
}

/// Validates a fastighetsbeteckning (`[kommun] trakt [block:]enhet`) and returns it trimmed,
/// with single spaces and none around the colon.
pub fn fastighetsbeteckning(input: &str) -> Result<String, DomainError> {
    let joined = compose(input)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let normalized = joined.replace(" :", ":").replace(": ", ":");
    let (name, designation) = normalized.rsplit_once(' ').ok_or_else(fastighet_format)?;
    if !is_designation(designation) || !name.split(' ').all(is_name_word) {
        return Err(fastighet_format());
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_postnummer() {
        for (input, normalized) in [
            ("12345", "123 45"),
            ("123 45", "123 45"),
            ("  474 31 ", "474 31"),
            ("98139", "981 39"),
        ] {
            assert_eq!(postnummer(input).as_deref(), Ok(normalized), "{input}");
        }
    }

    #[test]
    fn invalid_postnummer() {
        for input in [
            "",
            "1234",
            "123456",
            "12 345",
            "123  45",
            "123-45",
            "1234a",
            "SE-12345",
            "１２３４５",
            "123 4",
        ] {
            assert_eq!(postnummer(input), Err(postnummer_format()), "{input}");
        }
        for input in ["01234", "012 34"] {
            assert_eq!(postnummer(input), Err(postnummer_zero()), "{input}");
        }
    }

    #[test]
    fn valid_fastighetsbeteckning() {
        for (input, normalized) in [
            ("Orust Kärr 1:23", "Orust Kärr 1:23"),
            ("Henån 1:105", "Henån 1:105"),
            ("Stockholm Sankt Göran 25:7", "Stockholm Sankt Göran 25:7"),
            ("Tjörn Klövedal 2:1", "Tjörn Klövedal 2:1"),
            ("  Orust   Kärr\t1:23 ", "Orust Kärr 1:23"),
            ("Orust Kärr 1 : 23", "Orust Kärr 1:23"),
            ("Kärr S:1", "Kärr S:1"),
            ("Oskarshamn Berga ga:1", "Oskarshamn Berga ga:1"),
            ("NACKA SALTSJÖ-BOO 1:123", "NACKA SALTSJÖ-BOO 1:123"),
            (
                "Upplands-Bro Kungsängen 3:45",
                "Upplands-Bro Kungsängen 3:45",
            ),
            ("Stockholm Pilen 23", "Stockholm Pilen 23"),
            ("Malmö Bülow 5:2", "Malmö Bülow 5:2"),
            ("Orust Ka\u{0308}rr 1:23", "Orust Kärr 1:23"),
            ("A\u{030A}re Ta\u{0308}ngsta 1:2", "Åre Tängsta 1:2"),
        ] {
            assert_eq!(
                fastighetsbeteckning(input).as_deref(),
                Ok(normalized),
                "{input}"
            );
        }
    }

    #[test]
    fn invalid_fastighetsbeteckning() {
        for input in [
            "",
            "Kärr",
            "1:23",
            "Kärr 1:",
            "Kärr :23",
            "Kärr 1:2:3",
            "Kärr 1:2a",
            "Kärr ABCD:1",
            "Kärr 1-23",
            "Kärr1:23",
            "Orust -Kärr 1:23",
            "Orust Kärr- 1:23",
            "Orust K--ärr 1:23",
            "Orust Kärr 1:23 extra",
            "Orust 3Kärr 1:23",
            "Orust Kärr, 1:23",
            "Orust Kx\u{0308}rr 1:23", // a combining mark that composes to no Latin-1 letter
            "Orust Kärr 1:٢",
        ] {
            assert_eq!(
                fastighetsbeteckning(input),
                Err(fastighet_format()),
                "{input}"
            );
        }
    }
}
