//! Random raw answers, as a page posts them or a scenario test writes them, for every kind of
//! field: what `eval::answer::parse` and the browser's `parseAnswer` must read alike.

use super::random::{self, Rng};
use blankett_compiler::ir::{Field, FieldType, Required, Text};
use blankett_compiler::source::Span;
use serde_json::{json, Value as Json};

/// A field of `kind` with nothing else set: answer parsing looks at the kind only.
pub fn field(kind: FieldType) -> Field {
    Field {
        path: "x".into(),
        id: "x".into(),
        kind,
        label: Text::sv("x"),
        hint: None,
        required: Required::Never,
        conditions: vec![],
        page: 0,
        parent: None,
        children: vec![],
        group: None,
        choices: vec![],
        choice_list: None,
        min: None,
        max: None,
        min_length: None,
        max_length: None,
        pattern: None,
        pattern_message: None,
        accept: vec![],
        max_size: None,
        max_files: 1,
        min_files: None,
        max_total_size: None,
        capture: false,
        value: None,
        hidden: false,
        computed_type: None,
        min_items: None,
        max_items: None,
        autocomplete: None,
        prefill: None,
        locked: false,
        span: Span::default(),
    }
}

/// Its name in the generated JavaScript (serde's).
pub fn kind_name(kind: FieldType) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

const NUMBER_TEXTS: &[&str] = &[
    "1 000",
    "1\u{a0}000",
    "1\u{202f}000",
    "12,5",
    "12.5",
    "1.5e3",
    "1E3",
    "inf",
    "-inf",
    "NaN",
    "infinity",
    "-0",
    "+7",
    "+.5",
    "5.",
    ".",
    "",
    "0x10",
    "١٢",
    "9e15",
    "9000000000000001",
    "-9e15",
    "100 kr",
    "100kr",
    "1 000:-",
    "5 kr:-",
    "−3",
    "1,000.5",
    "1_000",
    " 42 ",
    "4.2.1",
    "e5",
    "1e",
    "1e400",
    "0.1",
    "2.5",
    "12,",
    ",5",
    "3\u{85}",
    "3\u{feff}",
    "1\u{3000}2",
];

const DATE_TEXTS: &[&str] = &[
    "2026-03-27",
    "2026-3-7",
    "20260327",
    "2026-02-30",
    "2024-02-29",
    "2023-02-29",
    "+2026-01-01",
    " 2026-01-01 ",
    "2026- 1- 1",
    "26-01-01",
    "02026-01-01",
    "2026-001-01",
    "2026/01/01",
    "2026-13-01",
    "0000-01-01",
    "9999-12-31",
    "2026-1-1x",
    "١٢٣٤-01-01",
    "",
];

const TEXTS: &[&str] = &[
    "anna@example.se",
    " Anna.S+k@Example.SE ",
    "namn@åre.se",
    "a@b.c",
    "anna@example",
    "anna@@example.se",
    "anna svensson@example.se",
    "anna@.example.se",
    "anna\u{a0}@x.se",
    "070-123 45 67",
    "+46 (0)70-123 45 67",
    "070/123 45 67",
    "++46 70 123 45 67",
    "123456",
    "123456789012345",
    "1234567890123456",
    "12345",
    "123 45",
    "  474 31 ",
    "01234",
    "12 345",
    "123-45",
    "１２３４５",
    "556036-0793",
    "5560360793",
    "165560360793",
    "161212121212",
    "121212-1212",
    "19121212-1212",
    "191212121212",
    "121212+1212",
    "19121212+1212",
    "000229-1235",
    "000229+1235",
    "701063-2391",
    "17991231-1231",
    "20991231-1231",
    "Orust Kärr 1:23",
    "Henån 1:105",
    "  Orust   Kärr\t1:23 ",
    "Orust Kärr 1 : 23",
    "Kärr S:1",
    "Oskarshamn Berga ga:1",
    "NACKA SALTSJÖ-BOO 1:123",
    "Orust Ka\u{308}rr 1:23",
    "A\u{30a}re Ta\u{308}ngsta 1:2",
    "Kärr ABCD:1",
    "Orust -Kärr 1:23",
    "Kärr1:23",
    "Orust Kx\u{308}rr 1:23",
    "Orust Kärr 1:٢",
    "ja",
    "JA",
    "Nej",
    "yes",
    "on",
    "OFF",
    "1",
    "0",
    "true",
    "sant",
    " false ",
    "åäö",
    "😀",
    "",
    "   ",
    "\u{85}",
    "\u{feff}",
];

/// A string from the pools, sometimes with one character put in somewhere.
fn some_text(rng: &mut Rng, pool: &[&str]) -> String {
    let mut s = rng.pick(pool).to_string();
    if rng.chance(15) {
        let extras = [
            " ", "\t", "\u{a0}", "\u{85}", "\u{feff}", "\u{3000}", "-", "+", "0", "a", "å",
        ];
        let at = s
            .char_indices()
            .map(|(i, _)| i)
            .nth(rng.below(s.chars().count() + 1))
            .unwrap_or(s.len());
        let extra: &str = rng.pick(&extras);
        s.insert_str(at, extra);
    }
    s
}

fn one_of(rng: &mut Rng, xs: Vec<Json>) -> Json {
    let i = rng.below(xs.len());
    xs[i].clone()
}

pub fn raw(rng: &mut Rng, kind: FieldType) -> Json {
    // Any kind now and then gets something of another shape.
    if rng.chance(8) {
        return match rng.below(6) {
            0 => Json::Null,
            1 => json!(rng.chance(50)),
            2 => json!(random::number(rng)),
            3 => json!([]),
            4 => json!({}),
            _ => json!(rng.range(-100, 100)),
        };
    }
    match kind {
        FieldType::Integer | FieldType::Decimal | FieldType::Money => match rng.below(3) {
            0 => json!(random::number(rng)),
            _ => json!(some_text(rng, NUMBER_TEXTS)),
        },
        FieldType::Date => match rng.below(3) {
            0 => json!(some_text(rng, DATE_TEXTS)),
            1 => {
                let d = random::date(rng);
                json!(d.format("%Y-%m-%d").to_string())
            }
            _ => {
                let parts = [
                    "2024",
                    "2",
                    "29",
                    "+5",
                    "05",
                    "",
                    " 7 ",
                    "x",
                    "4294967296",
                    "262143",
                    "0",
                    "-1",
                    "2026",
                ];
                let mut o = serde_json::Map::new();
                for keys in [["year", "ar"], ["month", "manad"], ["day", "dag"]] {
                    if rng.chance(90) {
                        let key = keys[usize::from(rng.chance(10))];
                        let v = if rng.chance(10) {
                            Json::Null
                        } else {
                            json!(rng.pick(&parts))
                        };
                        o.insert(key.to_string(), v);
                    }
                }
                Json::Object(o)
            }
        },
        FieldType::MultiChoice => match rng.below(3) {
            0 => json!(some_text(rng, TEXTS)),
            _ => Json::Array(
                (0..rng.below(4))
                    .map(|_| json!(rng.pick(&["cykel", "", " ", "laddning"])))
                    .collect(),
            ),
        },
        FieldType::Personnummer if rng.chance(50) => json!(random::personnummer(rng)),
        FieldType::Orgnummer if rng.chance(30) => json!(random::personnummer(rng)),
        FieldType::File => match rng.below(3) {
            0 => json!(rng.pick(&["foto.JPG", "a.pdf", "x", "bild.heic", "doc.DOCX"])),
            1 => {
                json!({ "name": rng.pick(&["a.png", "b"]), "size": one_of(rng, vec![json!(10), json!(-1), json!("5"), json!(1.5)]) })
            }
            _ => {
                json!({ "name": "a.png", "type": one_of(rng, vec![json!("image/png"), json!(null), json!(3)]) })
            }
        },
        FieldType::Position => match rng.below(3) {
            0 => json!(rng.pick(&[
                "58.10, 11.79",
                "58.1;11.7",
                "58,1 11,7",
                "91 0",
                "58.1 , 11.7",
                "inf 0",
                "58.1",
                " 58.1  11.7 "
            ])),
            1 => json!({ "lat": some_text(rng, NUMBER_TEXTS), "lon": "11,79" }),
            _ => {
                json!({ "lat": random::number(rng), "lon": one_of(rng, vec![json!(180), json!(-180.5), json!(true), json!("0")]) })
            }
        },
        _ => json!(some_text(rng, TEXTS)),
    }
}

pub const KINDS: &[FieldType] = &[
    FieldType::Text,
    FieldType::Textarea,
    FieldType::Integer,
    FieldType::Decimal,
    FieldType::Money,
    FieldType::Date,
    FieldType::YesNo,
    FieldType::Consent,
    FieldType::Choice,
    FieldType::MultiChoice,
    FieldType::Email,
    FieldType::Phone,
    FieldType::Postnummer,
    FieldType::Personnummer,
    FieldType::Orgnummer,
    FieldType::Fastighetsbeteckning,
    FieldType::File,
    FieldType::Position,
    FieldType::Computed,
    FieldType::Info,
];
