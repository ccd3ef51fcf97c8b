//! Personnummer, samordningsnummer and organisationsnummer: numbers with a date or a group
//! code, protected by the Luhn check digit over their ten-digit form.

use super::DomainError;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// A valid personnummer or samordningsnummer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Personnummer {
    /// `YYYYMMDD-NNNN`; a samordningsnummer keeps its day + 60, as Skatteverket writes it.
    pub normalized: String,
    /// The real date of birth (for a samordningsnummer, the day without the 60).
    pub birth_date: NaiveDate,
    pub samordningsnummer: bool,
}

/// Nobody alive was born earlier; a year before this is a typo (e.g. a dropped "9" in "1912"),
/// and the check digit alone would not notice because it covers only the last ten digits.
const EARLIEST_BIRTH_YEAR: i32 = 1800;

fn pnr_format() -> DomainError {
    DomainError::new(
        "Skriv personnumret med 10 eller 12 siffror, till exempel ÅÅÅÅMMDD-NNNN.",
        "Enter the personal identity number with 10 or 12 digits, for example YYYYMMDD-NNNN.",
    )
}

fn pnr_date() -> DomainError {
    DomainError::new(
        "Datumet i personnumret är inte ett möjligt födelsedatum. Kontrollera de första siffrorna.",
        "The date in the personal identity number is not a possible date of birth. Check the first digits.",
    )
}

fn pnr_future() -> DomainError {
    DomainError::new(
        "Födelsedatumet i personnumret ligger i framtiden. Kontrollera årtalet.",
        "The date of birth in the personal identity number is in the future. Check the year.",
    )
}

fn pnr_check() -> DomainError {
    DomainError::new(
        "Personnumret stämmer inte. Kontrollera siffrorna.",
        "The personal identity number is not correct. Check the digits.",
    )
}

fn org_format() -> DomainError {
    DomainError::new(
        "Skriv organisationsnumret med 10 siffror, till exempel 556036-0793.",
        "Enter the organisation number with 10 digits, for example 556036-0793.",
    )
}

fn org_check() -> DomainError {
    DomainError::new(
        "Organisationsnumret stämmer inte. Kontrollera siffrorna.",
        "The organisation number is not correct. Check the digits.",
    )
}

/// A number as typed: its ASCII digits and where its one separator stood, counted in digits.
struct Typed {
    digits: Vec<u8>,
    separator: Option<(usize, char)>,
}

/// `None` for any other character or a second separator, so Unicode digits never slip through.
fn split_digits(s: &str, separators: &[char]) -> Option<Typed> {
    let mut digits = Vec::with_capacity(12);
    let mut separator = None;
    for c in s.chars() {
        if c.is_ascii_digit() {
            // No accepted form has more than 12 digits; stop early on pasted junk.
            if digits.len() == 12 {
                return None;
            }
            digits.push(c as u8 - b'0');
        } else if separator.is_none() && separators.contains(&c) {
            separator = Some((digits.len(), c));
        } else {
            return None;
        }
    }
    Some(Typed { digits, separator })
}

fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, &d| n * 10 + u32::from(d))
}

fn text(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

/// The Luhn check over a ten-digit number: weights 2, 1, 2, … from the left.
fn luhn_ok(ten: &[u8]) -> bool {
    if ten.len() != 10 {
        return false;
    }
    let sum: u32 = ten[..9]
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v = u32::from(d) * if i % 2 == 0 { 2 } else { 1 };
            v / 10 + v % 10
        })
        .sum();
    (10 - sum % 10) % 10 == u32::from(ten[9])
}

/// Month, the real day and whether it is a samordningsnummer, from `YYMMDD…`.
fn month_day(ten: &[u8]) -> (u32, u32, bool) {
    let month = number(&ten[2..4]);
    let day = number(&ten[4..6]);
    if day > 60 {
        (month, day - 60, true)
    } else {
        (month, day, false)
    }
}

fn birth_date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !(EARLIEST_BIRTH_YEAR..=9999).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Validates a personnummer or samordningsnummer; `today` decides the century of a ten-digit
/// number and rejects births in the future.
pub fn personnummer(input: &str, today: NaiveDate) -> Result<Personnummer, DomainError> {
    let Typed { digits, separator } =
        split_digits(input.trim(), &['-', '+']).ok_or_else(pnr_format)?;
    let (century, ten, hundred_or_older) = match (digits.len(), separator) {
        (10, None | Some((6, '-'))) => (None, &digits[..], false),
        (10, Some((6, '+'))) => (None, &digits[..], true),
        (12, None | Some((8, '-'))) => (Some(number(&digits[..2])), &digits[2..], false),
        _ => return Err(pnr_format()),
    };
    let (month, day, samordningsnummer) = month_day(ten);
    let yy = number(&ten[..2]) as i32;
    let year = match century {
        Some(century) => century as i32 * 100 + yy,
        None => {
            // The latest year ending in YY that is not after today; `+` is Skatteverket's mark
            // for someone who has turned 100, one century further back.
            let mut year = today.year() - today.year().rem_euclid(100) + yy;
            if (year, month, day) > (today.year(), today.month(), today.day()) {
                year -= 100;
            }
            if hundred_or_older {
                year -= 100;
            }
            year
        }
    };
    let birth_date = birth_date(year, month, day).ok_or_else(pnr_date)?;
    if birth_date > today {
        return Err(pnr_future());
    }
    if !luhn_ok(ten) {
        return Err(pnr_check());
    }
    Ok(Personnummer {
        normalized: format!("{year:04}{}-{}", text(&ten[2..6]), text(&ten[6..])),
        birth_date,
        samordningsnummer,
    })
}

/// Age in whole years on `on`; negative when `on` is before the birth.
///
/// Someone born on 29 February gets a year older on 28 February in common years: lag
/// (1930:173) om beräkning av lagstadgad tid lets a period that would end on a day the month
/// lacks end on the month's last day.
pub fn age_on(pnr: &Personnummer, on: NaiveDate) -> i64 {
    let born = pnr.birth_date;
    let mut birthday = (born.month(), born.day());
    if birthday == (2, 29) && NaiveDate::from_ymd_opt(on.year(), 2, 29).is_none() {
        birthday = (2, 28);
    }
    let mut years = i64::from(on.year()) - i64::from(born.year());
    if (on.month(), on.day()) < birthday {
        years -= 1;
    }
    years
}

/// Validates an organisationsnummer and returns it as `NNNNNN-NNNN`.
///
/// A sole trader has no number of their own: Bolagsverket registers the firm under the owner's
/// personnummer (or samordningsnummer), so one is accepted too, in its ten-digit form.
pub fn orgnummer(input: &str) -> Result<String, DomainError> {
    let Typed { digits, separator } = split_digits(input.trim(), &['-']).ok_or_else(org_format)?;
    let ten = match (digits.len(), separator) {
        (10, None | Some((6, '-'))) => &digits[..],
        (12, None | Some((8, '-'))) if digits[..2] == [1, 6] => {
            // The "16" century stands in for legal persons in twelve-digit registers, so what
            // follows must be a legal person's number, never a personnummer.
            if digits[4] < 2 {
                return Err(org_check());
            }
            &digits[2..]
        }
        (12, None | Some((8, '-'))) => {
            let (month, day, _) = month_day(&digits[2..]);
            let year = number(&digits[..4]) as i32;
            if birth_date(year, month, day).is_none() {
                return Err(org_check());
            }
            &digits[2..]
        }
        _ => return Err(org_format()),
    };
    // Legal persons' numbers have 20 or more where a date has its month, which is what keeps
    // them apart from personnummer.
    if ten[2] < 2 {
        let (month, day, _) = month_day(ten);
        // Without a century, 29 February is possible whenever YY is a multiple of four (2000
        // was a leap year).
        let year = 2000 + number(&ten[..2]) as i32;
        if NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(org_check());
        }
    }
    if !luhn_ok(ten) {
        return Err(org_check());
    }
    Ok(format!("{}-{}", text(&ten[..6]), text(&ten[6..])))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn today() -> NaiveDate {
        date(2025, 6, 15)
    }

    #[test]
    fn luhn_matches_known_numbers() {
        for ok in ["1212121212", "7010632391", "5560360793", "5560160680"] {
            let d: Vec<u8> = ok.bytes().map(|b| b - b'0').collect();
            assert!(luhn_ok(&d), "{ok}");
        }
        assert!(!luhn_ok(&[1, 2, 1, 2, 1, 2, 1, 2, 1, 3]));
        assert!(!luhn_ok(&[1, 2, 3]));
    }

    #[test]
    fn valid_personnummer() {
        // (input, normalized, birth date, samordningsnummer)
        let table: &[(&str, &str, NaiveDate, bool)] = &[
            // Skatteverket's own example number, in every way people write it.
            ("19121212-1212", "19121212-1212", date(1912, 12, 12), false),
            ("191212121212", "19121212-1212", date(1912, 12, 12), false),
            ("121212+1212", "19121212-1212", date(1912, 12, 12), false),
            (
                "  19121212-1212\t",
                "19121212-1212",
                date(1912, 12, 12),
                false,
            ),
            // Without `+`, the same ten digits are someone born in 2012.
            ("121212-1212", "20121212-1212", date(2012, 12, 12), false),
            ("1212121212", "20121212-1212", date(2012, 12, 12), false),
            ("20100101-0006", "20100101-0006", date(2010, 1, 1), false),
            ("201001010014", "20100101-0014", date(2010, 1, 1), false),
            ("100101-1236", "20100101-1236", date(2010, 1, 1), false),
            ("991231-1231", "19991231-1231", date(1999, 12, 31), false),
            // Leap days: 2000 and 2024 were leap years.
            ("000229-1235", "20000229-1235", date(2000, 2, 29), false),
            ("240229-1237", "20240229-1237", date(2024, 2, 29), false),
            // Samordningsnummer: day + 60.
            ("701063-2391", "19701063-2391", date(1970, 10, 3), true),
            ("197010632391", "19701063-2391", date(1970, 10, 3), true),
        ];
        for (input, normalized, born, samordning) in table {
            let pnr = personnummer(input, today()).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(pnr.normalized, *normalized, "{input}");
            assert_eq!(pnr.birth_date, *born, "{input}");
            assert_eq!(pnr.samordningsnummer, *samordning, "{input}");
        }
    }

    #[test]
    fn century_follows_today() {
        let born = |input: &str, on: NaiveDate| personnummer(input, on).map(|p| p.birth_date);
        // Born today is this century; one day later is a century earlier.
        assert_eq!(born("250615-1238", today()), Ok(date(2025, 6, 15)));
        assert_eq!(born("250616-1237", today()), Ok(date(1925, 6, 16)));
        assert_eq!(born("251231-1230", today()), Ok(date(1925, 12, 31)));
        assert_eq!(
            born("251231-1230", date(2026, 1, 1)),
            Ok(date(2025, 12, 31))
        );
        // `+` means one hundred or older, whatever the date.
        assert_eq!(born("250615+1238", today()), Ok(date(1925, 6, 15)));
        assert_eq!(born("250616+1237", today()), Ok(date(1825, 6, 16)));
        // Twelve digits name the century and may not be in the future.
        assert_eq!(born("20250616-1237", today()), Err(pnr_future()));
    }

    #[test]
    fn invalid_personnummer() {
        let format = pnr_format();
        let date_msg = pnr_date();
        let future = pnr_future();
        let check = pnr_check();
        let table: &[(&str, &DomainError)] = &[
            ("", &format),
            ("12121212", &format),
            ("19121212-121", &format),
            ("1912121212120", &format),
            ("191212+121212", &format),
            ("19121212+1212", &format),
            ("1212-121212", &format),
            ("121212--1212", &format),
            ("121212 1212", &format),
            ("12121a-1212", &format),
            ("١٢١٢١٢-١٢١٢", &format),
            ("19121312-1212", &date_msg),
            ("19120012-1212", &date_msg),
            ("19121232-1212", &date_msg),
            ("19121260-1212", &date_msg),
            ("19121292-1212", &date_msg),
            ("19230229-1234", &date_msg),
            ("000229+1235", &date_msg), // 1900 was not a leap year
            ("17991231-1231", &date_msg),
            ("20991231-1231", &future),
            ("20250616-1231", &future),
            ("19121212-1213", &check),
            ("121212-1213", &check),
            ("701063-2392", &check),
        ];
        for (input, expected) in table {
            assert_eq!(
                personnummer(input, today()).as_ref(),
                Err(*expected),
                "{input}"
            );
        }
    }

    #[test]
    fn messages_differ_and_are_bilingual() {
        let all = [pnr_format(), pnr_date(), pnr_future(), pnr_check()];
        for (i, a) in all.iter().enumerate() {
            assert!(!a.sv.is_empty() && !a.en.is_empty());
            for b in &all[i + 1..] {
                assert_ne!(a.sv, b.sv);
                assert_ne!(a.en, b.en);
            }
        }
        assert_eq!(
            pnr_check().sv,
            "Personnumret stämmer inte. Kontrollera siffrorna."
        );
    }

    #[test]
    fn age() {
        let pnr = personnummer("19121212-1212", today()).unwrap();
        assert_eq!(age_on(&pnr, date(2012, 12, 11)), 99);
        assert_eq!(age_on(&pnr, date(2012, 12, 12)), 100);
        assert_eq!(age_on(&pnr, date(1912, 12, 12)), 0);
        assert_eq!(age_on(&pnr, date(1912, 12, 11)), -1);
        let plus = personnummer("121212+1212", today()).unwrap();
        assert!(age_on(&plus, today()) >= 100);
        let leap = personnummer("20000229-1235", today()).unwrap();
        assert_eq!(age_on(&leap, date(2018, 2, 27)), 17);
        assert_eq!(age_on(&leap, date(2018, 2, 28)), 18);
        assert_eq!(age_on(&leap, date(2020, 2, 28)), 19);
        assert_eq!(age_on(&leap, date(2020, 2, 29)), 20);
        let samordning = personnummer("701063-2391", today()).unwrap();
        assert_eq!(age_on(&samordning, date(2020, 10, 3)), 50);
        assert_eq!(age_on(&samordning, date(2020, 10, 2)), 49);
    }

    #[test]
    fn valid_orgnummer() {
        let table: &[(&str, &str)] = &[
            ("556036-0793", "556036-0793"),
            ("5560360793", "556036-0793"),
            (" 556016-0680 ", "556016-0680"),
            ("202100-5513", "202100-5513"),
            ("165560360793", "556036-0793"),
            ("16556036-0793", "556036-0793"),
            // Sole traders: the owner's personnummer or samordningsnummer.
            ("121212-1212", "121212-1212"),
            ("19121212-1212", "121212-1212"),
            ("191212121212", "121212-1212"),
            ("701063-2391", "701063-2391"),
            ("000229-1235", "000229-1235"),
        ];
        for (input, normalized) in table {
            assert_eq!(orgnummer(input).as_deref(), Ok(*normalized), "{input}");
        }
    }

    #[test]
    fn invalid_orgnummer() {
        let format = org_format();
        let check = org_check();
        let table: &[(&str, &DomainError)] = &[
            ("", &format),
            ("556036079", &format),
            ("55603607930", &format),
            ("5560-360793", &format),
            ("556036+0793", &format),
            ("556036 0793", &format),
            ("55603607x3", &format),
            ("556036-0794", &check),
            ("165560360794", &check),
            // "16" + a personnummer is not a legal person's number.
            ("161212121212", &check),
            // A personnummer-shaped number needs a real date…
            ("121312-1212", &check),
            ("010229-1231", &check),
            ("19000229-1235", &check),
            // …and the check digit.
            ("121212-1213", &check),
        ];
        for (input, expected) in table {
            assert_eq!(orgnummer(input).as_ref(), Err(*expected), "{input}");
        }
    }
}
