//! Date arithmetic of the language: `add_days`, `add_months`, `add_years`, `years_between`.
//! The browser's copy is in `backend/js/blankett.js`; both bound the step the same way so that
//! neither has to reason about numbers a double cannot hold exactly.

use chrono::{Datelike, Days, NaiveDate};

/// Steps larger than this (in days, months or years) give no date: far outside any form's
/// use, and small enough that every step is a whole number a double holds exactly.
const MAX_STEP: f64 = 1e9;

/// A whole step under [`MAX_STEP`], or `None`.
fn step(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < MAX_STEP).then_some(n as i64)
}

pub fn add_days(d: NaiveDate, n: f64) -> Option<NaiveDate> {
    let n = step(n)?;
    let days = Days::new(n.unsigned_abs());
    if n >= 0 {
        d.checked_add_days(days)
    } else {
        d.checked_sub_days(days)
    }
}

/// So many months on; a day the target month lacks becomes its last day (31 January and one
/// month is 28 or 29 February), as a person counts months.
pub fn add_months(d: NaiveDate, n: f64) -> Option<NaiveDate> {
    shift_months(d, step(n)?)
}

/// So many years on: twelve months each, so 29 February becomes 28 February in a common year.
pub fn add_years(d: NaiveDate, n: f64) -> Option<NaiveDate> {
    shift_months(d, step(n)?.checked_mul(12)?)
}

fn shift_months(d: NaiveDate, months: i64) -> Option<NaiveDate> {
    let total = i64::from(d.year()) * 12 + i64::from(d.month0()) + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    (1..=d.day())
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
}

/// Whole years from `a` to `b` (negative when `b` is earlier), counted as birthdays are: a
/// year is full on the same day and month, and 29 February's on 1 March in a common year.
pub fn years_between(a: NaiveDate, b: NaiveDate) -> i32 {
    if b < a {
        return -years_between(b, a);
    }
    let before_anniversary = (b.month(), b.day()) < (a.month(), a.day());
    b.year() - a.year() - i32::from(before_anniversary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_month_after_the_31st_is_the_last_day_of_a_shorter_month() {
        assert_eq!(add_months(day(2025, 1, 31), 1.0), Some(day(2025, 2, 28)));
        assert_eq!(add_months(day(2024, 1, 31), 1.0), Some(day(2024, 2, 29)));
        assert_eq!(add_months(day(2024, 3, 31), -1.0), Some(day(2024, 2, 29)));
        assert_eq!(add_months(day(2024, 11, 15), 3.0), Some(day(2025, 2, 15)));
        assert_eq!(add_months(day(2024, 1, 15), 0.5), None);
    }

    #[test]
    fn years_are_twelve_months_and_29_february_becomes_28_february() {
        assert_eq!(add_years(day(2024, 2, 29), 1.0), Some(day(2025, 2, 28)));
        assert_eq!(add_years(day(2024, 2, 29), 4.0), Some(day(2028, 2, 29)));
        assert_eq!(add_years(day(2026, 6, 15), -10.0), Some(day(2016, 6, 15)));
        assert_eq!(add_years(day(2026, 6, 15), 1e12), None);
    }

    #[test]
    fn days_go_both_ways_and_stop_at_the_calendar_s_end() {
        assert_eq!(add_days(day(2024, 2, 28), 1.0), Some(day(2024, 2, 29)));
        assert_eq!(add_days(day(2024, 3, 1), -1.0), Some(day(2024, 2, 29)));
        assert_eq!(add_days(NaiveDate::MAX, 1.0), None);
        assert_eq!(add_days(day(2024, 3, 1), 1.5), None);
    }

    #[test]
    fn whole_years_are_counted_as_birthdays() {
        assert_eq!(years_between(day(2016, 6, 15), day(2026, 6, 14)), 9);
        assert_eq!(years_between(day(2016, 6, 15), day(2026, 6, 15)), 10);
        assert_eq!(years_between(day(2026, 6, 15), day(2016, 6, 15)), -10);
        assert_eq!(years_between(day(2000, 2, 29), day(2025, 2, 28)), 24);
        assert_eq!(years_between(day(2000, 2, 29), day(2025, 3, 1)), 25);
    }
}
