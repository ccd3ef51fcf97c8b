//! Properties that hold across the validators and the schema patterns.

use super::*;
use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

type Validate = fn(&str) -> Result<String, DomainError>;

/// Text put before and after a character under test.
type Around = &'static [(&'static str, &'static str)];

struct Patterns {
    xsd: Regex,
    json: Regex,
}

/// Every pattern compiled once; the XSD flavour anchored the way `xs:pattern` implicitly is.
static PATTERNS: LazyLock<HashMap<Kind, Patterns>> = LazyLock::new(|| {
    Kind::ALL
        .iter()
        .map(|&kind| {
            let xsd = Regex::new(&format!("^(?:{})$", xsd_pattern(kind))).unwrap();
            let json = Regex::new(json_pattern(kind)).unwrap();
            (kind, Patterns { xsd, json })
        })
        .collect()
});

fn matches_xsd(kind: Kind, s: &str) -> bool {
    PATTERNS[&kind].xsd.is_match(s)
}

fn matches_json(kind: Kind, s: &str) -> bool {
    PATTERNS[&kind].json.is_match(s)
}

fn assert_matches_patterns(kind: Kind, normalized: &str) {
    assert!(
        matches_xsd(kind, normalized),
        "{kind:?} xsd: {normalized:?}"
    );
    assert!(
        matches_json(kind, normalized),
        "{kind:?} json: {normalized:?}"
    );
    if let Some(max) = max_length(kind) {
        assert!(
            normalized.chars().count() <= max,
            "{kind:?} length: {normalized:?}"
        );
    }
}

/// Runs every validator on `input`; whatever is accepted must be a fixed point that the
/// patterns accept.
fn check_all(input: &str, today: NaiveDate) {
    if let Ok(pnr) = personnummer(input, today) {
        assert_eq!(personnummer(&pnr.normalized, today), Ok(pnr.clone()));
        assert_matches_patterns(Kind::Personnummer, &pnr.normalized);
        let _ = age_on(&pnr, today);
        let _ = age_on(&pnr, NaiveDate::MIN);
        let _ = age_on(&pnr, NaiveDate::MAX);
    }
    let kinds: [(Kind, Validate); 5] = [
        (Kind::Orgnummer, orgnummer),
        (Kind::Postnummer, postnummer),
        (Kind::Fastighetsbeteckning, fastighetsbeteckning),
        (Kind::Email, email),
        (Kind::Phone, phone),
    ];
    for (kind, validate) in kinds {
        if let Ok(normalized) = validate(input) {
            assert_eq!(validate(&normalized).as_ref(), Ok(&normalized), "{kind:?}");
            assert_matches_patterns(kind, &normalized);
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn patterns_compile_and_have_the_right_anchoring() {
    for &kind in Kind::ALL {
        let xsd = xsd_pattern(kind);
        let json = json_pattern(kind);
        // XSD has neither anchors nor non-capturing groups nor \x/\u escapes.
        assert!(!xsd.starts_with('^') && !xsd.ends_with('$'), "{kind:?}");
        assert!(!xsd.contains("(?") && !xsd.contains(r"\x") && !xsd.contains(r"\u"));
        assert!(json.starts_with('^') && json.ends_with('$'), "{kind:?}");
        // ECMAScript without the `u` flag knows no \p{…}.
        assert!(!json.contains(r"\p"), "{kind:?}");
    }
    LazyLock::force(&PATTERNS);
}

#[test]
fn examples_match_patterns() {
    let today = date(2025, 6, 15);
    for input in [
        "19121212-1212",
        "121212+1212",
        "701063-2391",
        "20000229-1235",
    ] {
        let pnr = personnummer(input, today).unwrap();
        assert_matches_patterns(Kind::Personnummer, &pnr.normalized);
    }
    let cases: [(Kind, Validate, &str); 8] = [
        (Kind::Orgnummer, orgnummer, "165560360793"),
        (Kind::Orgnummer, orgnummer, "19121212-1212"),
        (Kind::Postnummer, postnummer, "12345"),
        (
            Kind::Fastighetsbeteckning,
            fastighetsbeteckning,
            " Stockholm  Sankt Göran 25 : 7",
        ),
        (Kind::Fastighetsbeteckning, fastighetsbeteckning, "Kärr S:1"),
        (Kind::Email, email, "namn@åre.se"),
        (Kind::Phone, phone, "+46 (0)70-123 45 67"),
        (Kind::Phone, phone, "(08) 123 45 67"),
    ];
    for (kind, validate, input) in cases {
        assert_matches_patterns(kind, &validate(input).unwrap());
    }
    // Near misses the patterns must refuse.
    for (kind, s) in [
        (Kind::Personnummer, "19121312-1212"),
        (Kind::Personnummer, "191212121212"),
        (Kind::Orgnummer, "5560360793"),
        (Kind::Postnummer, "012 34"),
        (Kind::Fastighetsbeteckning, "Kärr  1:23"),
        (Kind::Email, "a b@example.se"),
        (Kind::Phone, " 070-123 45 67"),
        (Kind::Phone, "070-123 45 67 "),
    ] {
        assert!(
            !matches_xsd(kind, s) && !matches_json(kind, s),
            "{kind:?}: {s:?}"
        );
    }
}

/// For the kinds whose pattern can say everything (all but the length of an e-mail), a string
/// matches the pattern exactly when the validator returns it unchanged. Every character is
/// tried in a position where it changes the outcome; beyond the BMP, where neither the letter
/// class nor Z and Cc have members, a sample stands for the rest.
#[test]
fn patterns_agree_with_validators_for_every_character() {
    let templates: [(Kind, Validate, Around); 4] = [
        (
            Kind::Email,
            email,
            &[("a", "b@example.se"), ("ab@ex", "ample.se")],
        ),
        (
            Kind::Fastighetsbeteckning,
            fastighetsbeteckning,
            &[("Orust K", "rr 1:23"), ("Kärr ", ":1"), ("Kärr 1:2", "")],
        ),
        (
            Kind::Phone,
            phone,
            &[("", "0701234567"), ("070", "1234567"), ("0701234567", "")],
        ),
        (Kind::Postnummer, postnummer, &[("12", "45"), ("", "2345")]),
    ];
    let characters = (0..=0xFFFF_u32).chain((0x10000..=0x10FFFF).step_by(251));
    for c in characters.filter_map(char::from_u32) {
        for (kind, validate, around) in &templates {
            for (before, after) in *around {
                let s = format!("{before}{c}{after}");
                let fixed_point = validate(&s).as_ref() == Ok(&s);
                assert_eq!(fixed_point, matches_xsd(*kind, &s), "{kind:?} xsd: {s:?}");
                assert_eq!(fixed_point, matches_json(*kind, &s), "{kind:?} json: {s:?}");
            }
        }
    }
}

fn luhn_digit(nine: &[u8]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn digits_text(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

/// Any date chrono can represent, and more often one from the last few centuries.
fn any_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        3 => 657_072..=803_533_i32, // 1800-01-01 ..= 2200-12-31
        1 => any::<i32>(),
    ]
    .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap_or(NaiveDate::MIN))
}

/// Strings that look like the domain types, so that the near-valid corners get exercised.
fn plausible_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9]{0,13}",
        "[0-9]{6,8}[-+ ]?[0-9]{4}",
        "[ \t]?(16|19|20)?[0-9]{2}[0-1][0-9][0-9]{2}[-+]?[0-9]{4}[ \t]?",
        "[1-9 ]{3}[ ]?[0-9]{2,3}",
        "[A-Za-zåäöÅÄÖ -]{1,20} ([0-9]{1,3}|[sS]|ga):?[0-9]{0,3}",
        "[a-zåäö.@+ \u{a0}-]{0,20}",
        "[+]?[0-9 ()\\-]{0,25}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_validator_panics_and_outputs_are_fixed_points(
        input in plausible_input(),
        today in any_date(),
    ) {
        check_all(&input, today);
    }

    #[test]
    fn generated_personnummer_validate(
        today in (693_596..=803_533_i32).prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap()),
        back in 0..90_000_i64,
        serial in proptest::collection::vec(0..10_u8, 3),
        samordning: bool,
        form in 0..4_u8,
    ) {
        let Some(born) = today.checked_sub_signed(chrono::Duration::days(back)) else {
            return Ok(());
        };
        prop_assume!(born.year() >= 1800);
        let day = born.day() as u8 + if samordning { 60 } else { 0 };
        let mut ten = vec![
            (born.year() % 100 / 10) as u8, (born.year() % 10) as u8,
            (born.month() / 10) as u8, (born.month() % 10) as u8,
            day / 10, day % 10,
        ];
        ten.extend(&serial);
        ten.push(luhn_digit(&ten));
        let century = digits_text(&[(born.year() / 1000) as u8, (born.year() / 100 % 10) as u8]);
        let normalized = format!("{century}{}-{}", digits_text(&ten[..6]), digits_text(&ten[6..]));
        let tuple = |years: i32| (born.year() + years, born.month(), born.day());
        let now = (today.year(), today.month(), today.day());
        let separator = if tuple(100) > now { Some('-') } else if tuple(200) > now { Some('+') } else { None };
        let input = match (form, separator) {
            (0, _) | (_, None) => normalized.replace('-', ""),
            (1, _) => normalized.clone(),
            (2, Some('-')) => digits_text(&ten),
            (_, Some(sep)) => format!("{}{sep}{}", digits_text(&ten[..6]), digits_text(&ten[6..])),
        };
        let pnr = personnummer(&input, today);
        prop_assert_eq!(pnr.as_ref().map(|p| p.birth_date), Ok(born), "{}", input);
        let pnr = pnr.unwrap();
        prop_assert_eq!(&pnr.normalized, &normalized);
        prop_assert_eq!(pnr.samordningsnummer, samordning);
        let age = age_on(&pnr, today);
        match separator {
            Some('-') => prop_assert!((0..=100).contains(&age)),
            _ => prop_assert!(age >= 100),
        }
        check_all(&input, today);
        // A sole trader's organisationsnummer is the same number.
        let short = format!("{}-{}", digits_text(&ten[..6]), digits_text(&ten[6..]));
        prop_assert_eq!(orgnummer(&normalized), Ok(short.clone()));
        prop_assert_eq!(orgnummer(&short), Ok(short));
        // Luhn catches every single wrong digit in the check position.
        for wrong in 1..10 {
            let mut bad = ten.clone();
            bad[9] = (bad[9] + wrong) % 10;
            let bad = format!("{century}{}-{}", digits_text(&bad[..6]), digits_text(&bad[6..]));
            prop_assert!(personnummer(&bad, today).is_err());
            prop_assert!(orgnummer(&bad).is_err());
        }
    }

    #[test]
    fn generated_orgnummer_validate(
        first in 1..10_u8,
        second in 0..10_u8,
        third in 2..10_u8,
        rest in proptest::collection::vec(0..10_u8, 6),
        form in 0..4_u8,
    ) {
        let mut ten = vec![first, second, third];
        ten.extend(&rest);
        ten.push(luhn_digit(&ten));
        let normalized = format!("{}-{}", digits_text(&ten[..6]), digits_text(&ten[6..]));
        let input = match form {
            0 => normalized.clone(),
            1 => digits_text(&ten),
            2 => format!("16{}", digits_text(&ten)),
            _ => format!("16{normalized}"),
        };
        prop_assert_eq!(orgnummer(&input), Ok(normalized.clone()));
        check_all(&input, date(2025, 6, 15));
        let mut bad = ten.clone();
        bad[9] = (bad[9] + 1) % 10;
        prop_assert!(orgnummer(&digits_text(&bad)).is_err());
    }

    #[test]
    fn strings_matching_the_postnummer_pattern_are_normalized(
        s in proptest::string::string_regex(xsd_pattern(Kind::Postnummer)).unwrap()
    ) {
        prop_assert_eq!(postnummer(&s), Ok(s.clone()));
    }

    #[test]
    fn strings_matching_the_fastighet_pattern_are_normalized(
        s in proptest::string::string_regex(xsd_pattern(Kind::Fastighetsbeteckning)).unwrap()
    ) {
        prop_assert_eq!(fastighetsbeteckning(&s), Ok(s.clone()));
    }

    #[test]
    fn strings_matching_the_phone_pattern_are_normalized(
        s in proptest::string::string_regex(xsd_pattern(Kind::Phone)).unwrap()
    ) {
        prop_assert_eq!(phone(&s), Ok(s.clone()));
    }

    #[test]
    fn strings_matching_the_email_pattern_are_normalized(
        s in proptest::string::string_regex(xsd_pattern(Kind::Email)).unwrap()
    ) {
        prop_assert!(matches_json(Kind::Email, &s));
        if s.chars().count() <= EMAIL_MAX_CHARS {
            prop_assert_eq!(email(&s), Ok(s.clone()));
        } else {
            prop_assert!(email(&s).is_err());
        }
    }
}
