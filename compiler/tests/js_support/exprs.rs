//! Random expressions over a small fixed form, typed by construction: each generator writes the
//! text of an expression of one type, so nearly all of them pass the checker. Every compound
//! part is parenthesized, which the parser forgets, so precedence never needs thought here.

use super::random::{self, Rng};
use blankett_compiler::expr::{Lookup, LookupError, Ref, Type, TypeEnv, Value};
use chrono::Datelike;
use std::collections::BTreeMap;

/// The fields: path as written (and canonical), type, choices.
pub fn fields() -> Vec<(&'static str, Type, Option<Vec<String>>)> {
    let choices = |xs: &[&str]| Some(xs.iter().map(|s| s.to_string()).collect());
    vec![
        ("antal", Type::Number, None),
        ("yta", Type::Number, None),
        ("pris", Type::Number, None),
        ("namn", Type::Text, None),
        ("kod", Type::Text, None),
        ("pnr", Type::Text, None),
        ("sokande.namn", Type::Text, None),
        (
            "kategori",
            Type::Text,
            choices(&["gata", "belysning", "annat"]),
        ),
        (
            "tillval",
            Type::list(Type::Text),
            choices(&["parkering", "cykel", "laddning"]),
        ),
        ("start", Type::Date, None),
        ("slut", Type::Date, None),
        ("godkand", Type::Bool, None),
        ("samtycke", Type::Bool, None),
        ("barn", Type::list(Type::Row), None),
        ("barn[*].alder", Type::list(Type::Number), None),
        ("barn[*].namn", Type::list(Type::Text), None),
        ("barn[*].fodd", Type::list(Type::Date), None),
        ("plats", Type::Position, None),
        ("foto", Type::File, None),
    ]
}

pub struct Fields(Vec<(&'static str, Type, Option<Vec<String>>)>);

impl Fields {
    pub fn new() -> Self {
        Fields(fields())
    }
}

impl TypeEnv for Fields {
    fn lookup(&self, r: &Ref) -> Result<Lookup, LookupError> {
        let path = r.to_string();
        match self.0.iter().find(|(p, ..)| *p == path) {
            Some((p, ty, choices)) => Ok(Lookup {
                ty: ty.clone(),
                canonical: p.to_string(),
                choices: choices.clone(),
            }),
            None if path == "sokande" => Err(LookupError::NotAValue {
                why: "a group".into(),
            }),
            None => Err(LookupError::Unknown { suggestion: None }),
        }
    }
}

/// Random answers for every field, by canonical path; about one in five unanswered.
pub fn answers(rng: &mut Rng) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let maybe = |rng: &mut Rng, v: Value| if rng.chance(20) { Value::Null } else { v };
    for key in ["antal", "yta", "pris"] {
        let v = Value::Number(random::number(rng));
        out.insert(key.to_string(), maybe(rng, v));
    }
    for key in ["namn", "kod", "sokande.namn"] {
        let v = Value::Text(random::text(rng));
        out.insert(key.to_string(), maybe(rng, v));
    }
    let pnr = Value::Text(random::personnummer(rng));
    out.insert("pnr".into(), maybe(rng, pnr));
    let kategori = Value::Text(rng.pick(&["gata", "belysning", "annat", ""]).to_string());
    out.insert("kategori".into(), maybe(rng, kategori));
    let tillval = ["parkering", "cykel", "laddning"]
        .iter()
        .filter(|_| rng.chance(40))
        .map(|s| Value::Text(s.to_string()))
        .collect();
    out.insert("tillval".into(), maybe(rng, Value::List(tillval)));
    for key in ["start", "slut"] {
        let v = Value::Date(random::date(rng));
        out.insert(key.to_string(), maybe(rng, v));
    }
    for key in ["godkand", "samtycke"] {
        let v = Value::Bool(rng.chance(50));
        out.insert(key.to_string(), maybe(rng, v));
    }
    // The rows and the lists through them agree, as the form evaluator makes them.
    let rows: Vec<BTreeMap<String, Value>> = (0..rng.below(4))
        .map(|_| {
            let mut row = BTreeMap::new();
            let alder = Value::Number(rng.range(0, 18) as f64);
            row.insert("alder".to_string(), maybe(rng, alder));
            let namn = Value::Text(random::text(rng));
            row.insert("namn".to_string(), maybe(rng, namn));
            let fodd = Value::Date(random::date(rng));
            row.insert("fodd".to_string(), maybe(rng, fodd));
            row
        })
        .collect();
    for key in ["alder", "namn", "fodd"] {
        let list = rows.iter().map(|r| r[key].clone()).collect();
        out.insert(format!("barn[*].{key}"), Value::List(list));
    }
    out.insert(
        "barn".into(),
        Value::List(rows.into_iter().map(Value::Row).collect()),
    );
    let plats = random::position(rng);
    out.insert("plats".into(), maybe(rng, plats));
    let foto = random::file(rng);
    out.insert("foto".into(), maybe(rng, foto));
    out
}

/// The patterns of `matches`: the dialect's classes, anchors and repetitions, and some it
/// refuses (which the checker drops).
const PATTERNS: &[&str] = &[
    "[0-9]{3} ?[0-9]{2}",
    r"\d+",
    r"\d{3} ?\d{2}",
    r"\w+",
    r"\W*",
    r"\s*",
    r"\S+",
    r"\D+",
    ".*",
    ".",
    "a|b",
    "[A-Za-zÅÄÖåäö]+",
    "[^a]+",
    "😀+",
    "(ab){2,3}",
    r"\.",
    "x{0,2}y?",
    r"[\d-]+",
    r"\bord\b.*",
    r".*\Bnd.*",
    r"^\d*$",
    "(?:a|)b*?",
    "",
    "(?i)a",
    "[",
];

const PATTERN_TEXT: &[&str] = &[
    "a", "b", "c", "å", "😀", " ", "1", "_", ".", "-", "\n", "\r", "\u{a0}", "٣", "é", "A",
];

/// A random pattern of the dialect (and now and then just outside it).
fn pattern(rng: &mut Rng, depth: u32) -> String {
    const ATOMS: &[&str] = &[
        "a",
        "b",
        "å",
        "😀",
        ".",
        r"\d",
        r"\w",
        r"\s",
        r"\D",
        r"\W",
        r"\S",
        "[a-c]",
        "[^a]",
        r"[\d_]",
        r"[\s\-]",
        r"\.",
        "-",
        " ",
        r"\x{e5}",
        r"\u00e9",
        "[å-ö]",
        r"[\w😀]",
    ];
    const ANCHORS: &[&str] = &["^", "$", r"\b", r"\B", r"\A", r"\z"];
    const REPEATS: &[&str] = &[
        "*", "+", "?", "{2}", "{1,2}", "{0,}", "*?", "+?", "??", "{1,3}?",
    ];
    let n = 1 + rng.below(3);
    let mut out = String::new();
    for _ in 0..n {
        match rng.below(10) {
            0 if depth > 0 => out.push_str(&format!("({})", pattern(rng, depth - 1))),
            1 if depth > 0 => out.push_str(&format!(
                "(?:{}|{})",
                pattern(rng, depth - 1),
                pattern(rng, depth - 1)
            )),
            2 => out.push_str(rng.pick(ANCHORS)),
            _ => out.push_str(rng.pick(ATOMS)),
        }
        if rng.chance(35) {
            out.push_str(rng.pick(REPEATS));
        }
    }
    out
}

/// Literal texts, written as the expression language quotes them.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Expressions written out rather than drawn: every pairing of the edge cases where the two
/// evaluators are likeliest to part (rounding on the decimal digit 5, ages around 29 February,
/// code points against UTF-16 units, every pattern against every text).
pub fn targeted() -> Vec<String> {
    let mut out = Vec::new();
    let literal = |x: f64| {
        if x < 0.0 || (x == 0.0 && x.is_sign_negative()) {
            format!("(-{})", -x)
        } else {
            format!("{x}")
        }
    };
    for &x in random::NUMBERS.iter().filter(|x| x.abs() < 1e22) {
        for n in -3..=4 {
            out.push(format!("round({}, {})", literal(x), literal(f64::from(n))));
        }
        for y in [0.5, 1.005, 3.0, 1e300] {
            out.push(format!(
                "(({} * {}) / {})",
                literal(x),
                literal(y),
                literal(y)
            ));
        }
    }
    for t in random::TEXTS {
        out.push(format!("len({})", quote(t)));
        for u in random::TEXTS.iter().step_by(3) {
            out.push(format!("({} < {})", quote(t), quote(u)));
            out.push(format!("contains({}, {})", quote(t), quote(u)));
        }
        for p in PATTERNS {
            out.push(format!("matches({}, {})", quote(t), quote(p)));
        }
    }
    let mut rng = Rng::new(7);
    for _ in 0..1500 {
        let text: String = (0..rng.below(7)).map(|_| rng.pick(PATTERN_TEXT)).collect();
        out.push(format!(
            "matches({}, {})",
            quote(&text),
            quote(&pattern(&mut rng, 3))
        ));
    }
    for _ in 0..200 {
        out.push("age(pnr)".into());
        out.push("days_between(start, today())".into());
        out.push("years_between(start, slut)".into());
        out.push("weekday(start)".into());
        out.push("unique(barn[*].namn)".into());
        out.push("unique(barn[*].fodd)".into());
    }
    // Month ends, leap days and the calendar's edges.
    let dates = [
        "2024-01-31",
        "2025-01-31",
        "2024-02-29",
        "2023-03-31",
        "2000-02-29",
        "1900-02-28",
        "2024-12-31",
        "9999-12-31",
        "0001-01-01",
    ];
    for d in dates {
        for n in [-13, -12, -1, 0, 1, 2, 11, 12, 48, 1_000_000] {
            let n = if n < 0 {
                format!("(-{})", -n)
            } else {
                n.to_string()
            };
            for f in ["add_days", "add_months", "add_years"] {
                out.push(format!("{f}(date(\"{d}\"), {n})"));
            }
        }
        for e in dates {
            out.push(format!("years_between(date(\"{d}\"), date(\"{e}\"))"));
        }
        out.push(format!("weekday(date(\"{d}\"))"));
    }
    out
}

#[derive(Clone, Copy)]
enum Item {
    Number,
    Text,
    Date,
}

pub struct Gen<'r> {
    pub rng: &'r mut Rng,
}

impl Gen<'_> {
    pub fn boolean(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(15) {
            return self
                .rng
                .pick(&["true", "false", "godkand", "samtycke"])
                .to_string();
        }
        let d = depth - 1;
        let ops = ["==", "!=", "<", "<=", ">", ">="];
        match self.rng.below(14) {
            0 => format!(
                "({} {} {})",
                self.number(d),
                self.rng.pick(&ops),
                self.number(d)
            ),
            1 => format!(
                "({} {} {})",
                self.text(d),
                self.rng.pick(&ops),
                self.text(d)
            ),
            2 => format!(
                "({} {} {})",
                self.date(d),
                self.rng.pick(&ops),
                self.date(d)
            ),
            3 => format!(
                "({} {} {})",
                self.boolean(d),
                self.rng.pick(&["==", "!="]),
                self.boolean(d)
            ),
            4 => {
                let value = self.rng.pick(&["gata", "annat", "belysning"]);
                format!(
                    "(kategori {} {})",
                    self.rng.pick(&["==", "!="]),
                    quote(value)
                )
            }
            5 => {
                let item = self.item();
                format!("({} in {})", self.of(item, d), self.list(item, d))
            }
            6 => format!(
                "({} {} {})",
                self.boolean(d),
                self.rng.pick(&["and", "or"]),
                self.boolean(d)
            ),
            7 => format!("(not {})", self.boolean(d)),
            8 => format!("answered({})", self.any(d)),
            9 => {
                let pattern: &str = self.rng.pick(PATTERNS);
                format!("matches({}, {})", self.text(d), quote(pattern))
            }
            10 => {
                let item = self.item();
                format!("contains({}, {})", self.list(item, d), self.of(item, d))
            }
            11 => format!("contains({}, {})", self.text(d), self.text(d)),
            12 => format!(
                "if({}, {}, {})",
                self.boolean(d),
                self.boolean(d),
                self.boolean(d)
            ),
            13 if self.rng.chance(50) => {
                let item = self.item();
                format!("unique({})", self.list(item, d))
            }
            _ => self
                .rng
                .pick(&["(plats in [plats])", "answered(barn)", "answered(foto)"])
                .to_string(),
        }
    }

    pub fn number(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(20) {
            return self.number_leaf();
        }
        let d = depth - 1;
        match self.rng.below(17) {
            0 => format!("(-{})", self.number(d)),
            1..=4 => format!(
                "({} {} {})",
                self.number(d),
                self.rng.pick(&["+", "-", "*", "/"]),
                self.number(d)
            ),
            5 => format!("sum({})", self.list(Item::Number, d)),
            6 => {
                let item = self.item();
                let list = if self.rng.chance(30) {
                    "barn".to_string()
                } else {
                    self.list(item, d)
                };
                format!("count({list})")
            }
            7 => {
                let item = self.item();
                let x = if self.rng.chance(50) {
                    self.text(d)
                } else {
                    self.list(item, d)
                };
                format!("len({x})")
            }
            8 => format!(
                "{}({})",
                self.rng.pick(&["min", "max"]),
                self.list(Item::Number, d)
            ),
            9 => {
                let n = 2 + self.rng.below(2);
                let args: Vec<String> = (0..n).map(|_| self.number(d)).collect();
                format!("{}({})", self.rng.pick(&["min", "max"]), args.join(", "))
            }
            10 | 11 => {
                let n = if self.rng.chance(80) {
                    let n = self.rng.range(-16, 16);
                    if n < 0 {
                        format!("(-{})", -n)
                    } else {
                        n.to_string()
                    }
                } else {
                    self.number(d)
                };
                format!("round({}, {n})", self.number(d))
            }
            12 => format!(
                "age({})",
                if self.rng.chance(70) {
                    "pnr".to_string()
                } else {
                    self.text(d)
                }
            ),
            13 => format!("days_between({}, {})", self.date(d), self.date(d)),
            14 => match self.rng.below(3) {
                0 => format!("year({})", self.date(d)),
                1 => format!("weekday({})", self.date(d)),
                _ => format!("years_between({}, {})", self.date(d), self.date(d)),
            },
            15 => format!(
                "if({}, {}, {})",
                self.boolean(d),
                self.number(d),
                self.number(d)
            ),
            _ => self.number_leaf(),
        }
    }

    fn number_leaf(&mut self) -> String {
        match self.rng.below(6) {
            0..=2 => self.rng.pick(&["antal", "yta", "pris"]).to_string(),
            3 => {
                let x = random::number(self.rng).abs();
                // Display never uses an exponent, which the grammar does not have.
                format!("{x}")
            }
            _ => self
                .rng
                .pick(&[
                    "0",
                    "0.5",
                    "1",
                    "1.005",
                    "2.5",
                    "3",
                    "10",
                    "0.1",
                    "15",
                    "16",
                    "9000000000000000",
                    "0.0000001",
                ])
                .to_string(),
        }
    }

    pub fn text(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(30) {
            return match self.rng.below(3) {
                0 => self
                    .rng
                    .pick(&["namn", "kod", "pnr", "kategori", "sokande.namn"])
                    .to_string(),
                _ => quote(&random::text(self.rng)),
            };
        }
        let d = depth - 1;
        match self.rng.below(3) {
            0 | 1 => format!("({} + {})", self.text(d), self.text(d)),
            _ => format!(
                "if({}, {}, {})",
                self.boolean(d),
                self.text(d),
                self.text(d)
            ),
        }
    }

    pub fn date(&mut self, depth: u32) -> String {
        if depth == 0 || self.rng.chance(40) {
            return match self.rng.below(4) {
                0 => "today()".into(),
                1 => self.rng.pick(&["start", "slut"]).to_string(),
                _ => {
                    let d = random::date(self.rng);
                    format!("date(\"{:04}-{:02}-{:02}\")", d.year(), d.month(), d.day())
                }
            };
        }
        let d = depth - 1;
        match self.rng.below(4) {
            3 => {
                let step = if self.rng.chance(70) {
                    self.step()
                } else {
                    self.number(d)
                };
                format!(
                    "{}({}, {step})",
                    self.rng.pick(&["add_days", "add_months", "add_years"]),
                    self.date(d)
                )
            }
            0 => format!(
                "{}({}, {})",
                self.rng.pick(&["min", "max"]),
                self.date(d),
                self.date(d)
            ),
            1 => format!(
                "{}({})",
                self.rng.pick(&["min", "max"]),
                self.list(Item::Date, d)
            ),
            _ => format!(
                "if({}, {}, {})",
                self.boolean(d),
                self.date(d),
                self.date(d)
            ),
        }
    }

    /// A step of date arithmetic: mostly small whole numbers, some at the edges.
    fn step(&mut self) -> String {
        let n: i64 = match self.rng.below(5) {
            0 => self
                .rng
                .pick(&[999_999_999, 1_000_000_000, 3_000_000, 100_000]),
            _ => self.rng.range(-40, 40),
        };
        if n < 0 {
            format!("(-{})", -n)
        } else {
            n.to_string()
        }
    }

    fn item(&mut self) -> Item {
        self.rng.pick(&[Item::Number, Item::Text, Item::Date])
    }

    fn of(&mut self, item: Item, depth: u32) -> String {
        match item {
            Item::Number => self.number(depth),
            Item::Text => self.text(depth),
            Item::Date => self.date(depth),
        }
    }

    fn list(&mut self, item: Item, depth: u32) -> String {
        let field = match item {
            Item::Number => "barn[*].alder",
            Item::Text => self.rng.pick(&["barn[*].namn", "tillval"]),
            Item::Date => "barn[*].fodd",
        };
        if depth == 0 || self.rng.chance(40) {
            return field.to_string();
        }
        let d = depth - 1;
        if self.rng.chance(15) {
            return format!(
                "if({}, {}, {})",
                self.boolean(d),
                self.list(item, d),
                self.list(item, d)
            );
        }
        let n = self.rng.below(4);
        let items: Vec<String> = (0..n).map(|_| self.of(item, d)).collect();
        format!("[{}]", items.join(", "))
    }

    fn any(&mut self, depth: u32) -> String {
        match self.rng.below(6) {
            0 => self.number(depth),
            1 => self.text(depth),
            2 => self.date(depth),
            3 => self.boolean(depth),
            4 => {
                let item = self.item();
                self.list(item, depth)
            }
            _ => self
                .rng
                .pick(&["barn", "plats", "foto", "tillval"])
                .to_string(),
        }
    }
}
