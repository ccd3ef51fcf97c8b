//! Birth dates from Swedish personnummer and samordningsnummer, for `age(…)`.

use chrono::{Datelike, NaiveDate};

/// The birth date a personnummer or samordningsnummer encodes, on the calendar of `today`
/// (which decides the century of a 10-digit number). `None` for anything that is not one,
/// including a wrong check digit and a birth date after `today`.
///
/// Accepted: `YYMMDD-NNNC`, `YYMMDD+NNNC`, `YYMMDDNNNC`, `YYYYMMDD-NNNC`, `YYYYMMDDNNNC`
/// (and `+` in the 12-digit form, where it changes nothing), with surrounding whitespace.
/// A 10-digit number is of the most recent century that puts the birth date on or before
/// `today`; `+` (used from the year a person turns 100) moves it one century back. A
/// samordningsnummer has 60 added to the day.
pub(crate) fn birth_date(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let s = text.trim();
    let (date, sep, tail) = match s.find(['-', '+']) {
        Some(i) => (s.get(..i)?, s.get(i..i + 1), s.get(i + 1..)?),
        None if s.len() == 12 => (s.get(..8)?, None, s.get(8..)?),
        None => (s.get(..6)?, None, s.get(6..)?),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !digits(date) || !digits(tail) || tail.len() != 4 || !(date.len() == 6 || date.len() == 8) {
        return None;
    }
    let short = &date[date.len() - 6..];
    if !luhn_ok(&format!("{short}{tail}")) {
        return None;
    }
    let num = |t: &str| t.parse::<u32>().ok();
    let (month, mut day) = (num(&short[2..4])?, num(&short[4..6])?);
    if day > 60 {
        day -= 60;
    }
    let year = if date.len() == 8 {
        num(&date[..4])? as i32
    } else {
        let yy = num(&short[..2])? as i32;
        let mut year = today.year() - today.year().rem_euclid(100) + yy;
        if (year, month, day) > (today.year(), today.month(), today.day()) {
            year -= 100;
        }
        if sep == Some("+") {
            year -= 100;
        }
        year
    };
    NaiveDate::from_ymd_opt(year, month, day).filter(|born| *born <= today)
}

/// Whole years from `born` to `today`. Someone born on 29 February turns a year older on
/// 1 March in years without that day.
pub(crate) fn age_on(born: NaiveDate, today: NaiveDate) -> Option<u32> {
    let had_birthday = (today.month(), today.day()) >= (born.month(), born.day());
    let years = today.year() - born.year() - i32::from(!had_birthday);
    u32::try_from(years).ok()
}

/// The Luhn check over the ten digits `YYMMDDNNNC`.
fn luhn_ok(ten: &str) -> bool {
    let sum: u32 = ten
        .bytes()
        .take(9)
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    let check = (10 - sum % 10) % 10;
    ten.as_bytes()
        .get(9)
        .is_some_and(|b| u32::from(b - b'0') == check)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn luhn() {
        assert!(luhn_ok("8112189876"));
        assert!(!luhn_ok("8112189875"));
    }

    #[test]
    fn centuries() {
        let today = day(2026, 3, 1);
        assert_eq!(birth_date("811218-9876", today), Some(day(1981, 12, 18)));
        assert_eq!(birth_date("8112189876", today), Some(day(1981, 12, 18)));
        assert_eq!(birth_date("198112189876", today), Some(day(1981, 12, 18)));
        assert_eq!(birth_date("19811218-9876", today), Some(day(1981, 12, 18)));
        assert_eq!(birth_date("811218+9876", today), Some(day(1881, 12, 18)));
        // Samordningsnummer: day 18 + 60.
        assert_eq!(birth_date("811278-9873", today), Some(day(1981, 12, 18)));
        assert_eq!(birth_date("81121-89876", today), None);
        assert_eq!(birth_date("åäöåäö-9876", today), None);
        assert_eq!(birth_date("", today), None);
    }

    #[test]
    fn birthdays() {
        assert_eq!(age_on(day(2000, 2, 29), day(2025, 2, 28)), Some(24));
        assert_eq!(age_on(day(2000, 2, 29), day(2025, 3, 1)), Some(25));
        assert_eq!(age_on(day(2000, 5, 1), day(2026, 5, 1)), Some(26));
    }
}
