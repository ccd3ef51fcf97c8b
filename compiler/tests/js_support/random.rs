//! A small deterministic random source and the value pools the differential tests draw from:
//! the edge cases of numbers, texts, dates and personnummer that the two evaluators must agree
//! on.

use blankett_compiler::expr::Value;
use chrono::{Datelike, NaiveDate};

/// SplitMix64: one `u64` of state, the same sequence on every machine, so a failure reproduces
/// from its seed alone.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// Numbers where rounding, sign and range go wrong first.
pub const NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    0.5,
    -0.5,
    1.005,
    -1.005,
    2.5,
    -2.5,
    0.1,
    0.2,
    0.3,
    1.0,
    3.0,
    7.0,
    15.0,
    123.456,
    1234.5,
    9e15,
    -9e15,
    1e21,
    1e300,
    -1e300,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    0.000_001,
    1e-7,
    4.35,
    1.45,
    8.345,
    0.125,
];

pub fn number(rng: &mut Rng) -> f64 {
    match rng.below(4) {
        0 | 1 => rng.pick(NUMBERS),
        2 => rng.range(-1000, 1000) as f64 / [1.0, 10.0, 100.0, 1000.0][rng.below(4)],
        _ => loop {
            let x = f64::from_bits(rng.next());
            if x.is_finite() {
                break x;
            }
        },
    }
}

pub const TEXTS: &[&str] = &[
    "",
    " ",
    "a",
    "A",
    "ab",
    "b",
    "åäö",
    "ÅÄÖ",
    "Åsa",
    "ärende",
    "😀",
    "a😀",
    "\u{fb01}",
    "e\u{301}",
    "é",
    "annat",
    "gata",
    "belysning",
    "cykel",
    "123 45",
    "12345",
    "0",
    "x\ny",
    "\r",
    "tab\t",
    "\"",
    "\\",
    "ord här",
    "٣",
    "\u{a0}",
    "\u{85}",
    "\u{feff}",
    "Z",
    "z",
    "ß",
    "ordet gatlykta",
];

pub const DATES: &[(i32, u32, u32)] = &[
    (2026, 6, 15),
    (2026, 6, 14),
    (2026, 6, 16),
    (2024, 2, 29),
    (2000, 2, 29),
    (2025, 2, 28),
    (2025, 3, 1),
    (1900, 3, 1),
    (1970, 1, 1),
    (1, 1, 1),
    (9999, 12, 31),
    (2026, 12, 31),
];

pub fn date(rng: &mut Rng) -> NaiveDate {
    if rng.chance(50) {
        let (y, m, d) = rng.pick(DATES);
        return day(y, m, d);
    }
    let days = rng.range(-30_000, 50_000);
    NaiveDate::from_num_days_from_ce_opt(719_163 + days as i32).expect("in range")
}

/// The days `today()` is in a case: leap days and their neighbours among them.
pub const TODAYS: &[(i32, u32, u32)] = &[
    (2026, 6, 15),
    (2024, 2, 29),
    (2025, 2, 28),
    (2025, 3, 1),
    (2028, 2, 29),
    (2000, 1, 1),
    (2099, 12, 31),
];

fn luhn_digit(nine: &str) -> u32 {
    let sum: u32 = nine
        .bytes()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0') * if i % 2 == 0 { 2 } else { 1 };
            d / 10 + d % 10
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A personnummer or something close to one: every written form, samordningsnummer, 29
/// February, future births, a wrong check digit now and then.
pub fn personnummer(rng: &mut Rng) -> String {
    // 29 February of leap and common years alike (1900 was not a leap year).
    let (y, m, d) = if rng.chance(25) {
        (rng.pick(&[1900, 1996, 2000, 2023, 2024, 2028, 1904]), 2, 29)
    } else {
        let born = NaiveDate::from_num_days_from_ce_opt(rng.range(690_000, 740_000) as i32)
            .expect("in range");
        (born.year(), born.month(), born.day())
    };
    let day_part = d + if rng.chance(20) { 60 } else { 0 };
    let short = format!("{:02}{m:02}{day_part:02}{:03}", y % 100, rng.below(1000));
    let mut check = luhn_digit(&short);
    if rng.chance(15) {
        check = (check + 1) % 10;
    }
    let (date, serial) = short.split_at(6);
    let long = format!("{}{}", y / 100, date);
    match rng.below(7) {
        0 => format!("{date}-{serial}{check}"),
        1 => format!("{date}+{serial}{check}"),
        2 => format!("{date}{serial}{check}"),
        3 => format!("{long}-{serial}{check}"),
        4 => format!("{long}{serial}{check}"),
        5 => format!("{long}+{serial}{check}"),
        _ => format!(" {date}-{serial}{check}\t"),
    }
}

pub fn text(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => personnummer(rng),
        1 => {
            let n = rng.below(5);
            (0..n).map(|_| rng.pick(TEXTS)).collect()
        }
        _ => rng.pick(TEXTS).to_string(),
    }
}

pub fn position(rng: &mut Rng) -> Value {
    Value::Position {
        lat: rng.range(-90_000, 90_000) as f64 / 1000.0,
        lon: if rng.chance(10) { -0.0 } else { 11.6744 },
    }
}

pub fn file(rng: &mut Rng) -> Value {
    Value::File {
        name: rng.pick(&["foto.jpg", "a.PDF", "x"]).to_string(),
        size: rng.below(3) as u64 * 1000,
        mime: "image/jpeg".into(),
    }
}
