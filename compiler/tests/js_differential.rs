//! The proof that the browser and the server agree: random well-typed expressions over random
//! answers, evaluated by the Rust evaluator and by the compiled JavaScript on the `blankett.js`
//! runtime in one node process, must give identical values (numbers exactly, -0 equal to 0).
//! Random raw answers must be read alike by `eval::answer::parse` and the runtime's
//! `parseAnswer` too, since the browser reads its inputs before it evaluates anything.
//!
//! Deterministic: the generator is seeded (`BLANKETT_JS_SEED` picks another seed,
//! `BLANKETT_JS_CASES` another count), so a failure reproduces and prints what differs.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod js_support;

use blankett_compiler::backend::js;
use blankett_compiler::eval::answer;
use blankett_compiler::expr::{self, Ref, Value, ValueEnv};
use blankett_compiler::source::{FileId, Span};
use chrono::NaiveDate;
use js_support::exprs::{self, Fields, Gen};
use js_support::random::{self, Rng};
use js_support::{encode, harness, raw, temp_file};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

const DEFAULT_SEED: u64 = 0x626c_616e_6b65_7474;
const DEFAULT_CASES: usize = 16_000;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Answers by canonical path, as the form evaluator hands them to expressions.
struct Answers {
    values: BTreeMap<String, Value>,
    today: NaiveDate,
}

impl ValueEnv for Answers {
    fn get(&self, r: &Ref) -> Value {
        r.resolved
            .as_ref()
            .and_then(|c| self.values.get(c))
            .cloned()
            .unwrap_or(Value::Null)
    }
    fn today(&self) -> NaiveDate {
        self.today
    }
}

struct Case {
    text: String,
    function: String,
    answers: Json,
    today: Json,
    expected: Json,
}

/// Well-typed expressions with answers and their Rust values; how many generated texts the
/// checker refused.
fn expression_cases(rng: &mut Rng, wanted: usize) -> (Vec<Case>, usize) {
    let fields = Fields::new();
    let mut cases = Vec::with_capacity(wanted);
    let mut refused = 0;
    let mut targeted = exprs::targeted().into_iter();
    while cases.len() < wanted {
        let depth = 1 + rng.below(4) as u32;
        let text = targeted.next().unwrap_or_else(|| {
            let mut g = Gen { rng };
            match g.rng.below(5) {
                0 | 1 => g.boolean(depth),
                2 => g.number(depth),
                3 => g.text(depth),
                _ => g.date(depth),
            }
        });
        let span = Span::new(FileId(0), 0, text.len());
        let Ok(mut e) = expr::parse(&text, span) else {
            panic!("the generator wrote something that does not parse: {text}");
        };
        let mut diags = Vec::new();
        expr::check(&mut e, &fields, None, &mut diags);
        if !diags.is_empty() {
            refused += 1;
            continue;
        }
        let (y, m, d) = rng.pick(random::TODAYS);
        let env = Answers {
            values: exprs::answers(rng),
            today: random::day(y, m, d),
        };
        let expected = encode(&expr::eval(&e, &env));
        let answers: serde_json::Map<String, Json> = env
            .values
            .iter()
            .map(|(k, v)| (k.clone(), encode(v)))
            .collect();
        cases.push(Case {
            function: js::function(&e),
            text,
            answers: Json::Object(answers),
            today: encode(&Value::Date(env.today)),
            expected,
        });
    }
    (cases, refused)
}

/// Raw answers of every kind with what `answer::parse` makes of them (`"refused"` for an
/// error).
fn answer_cases(rng: &mut Rng, count: usize) -> Vec<Json> {
    (0..count)
        .map(|_| {
            let kind = rng.pick(raw::KINDS);
            let raw_answer = raw::raw(rng, kind);
            let (y, m, d) = rng.pick(random::TODAYS);
            let today = random::day(y, m, d);
            let expected = match answer::parse(&raw::field(kind), &raw_answer, today) {
                Ok(v) => encode(&v),
                Err(_) => json!("refused"),
            };
            json!({
                "kind": raw::kind_name(kind),
                "raw": raw_answer,
                "today": encode(&Value::Date(today)),
                "expected": expected,
            })
        })
        .collect()
}

#[test]
fn browser_and_server_agree() {
    let seed = setting("BLANKETT_JS_SEED", DEFAULT_SEED);
    let wanted = setting("BLANKETT_JS_CASES", DEFAULT_CASES as u64) as usize;
    let mut rng = Rng::new(seed);
    let (cases, refused) = expression_cases(&mut rng, wanted);
    let answers = answer_cases(&mut rng, wanted / 2);

    let functions = format!(
        "(function (B) {{ return [\n{}\n]; }})(blankett.B)\n",
        cases
            .iter()
            .map(|c| c.function.as_str())
            .collect::<Vec<_>>()
            .join(",\n")
    );
    let data = json!({
        "exprs": cases.iter().map(|c| json!({
            "answers": c.answers, "today": c.today, "expected": c.expected,
        })).collect::<Vec<_>>(),
        "answers": answers,
    });
    let fns_file = temp_file("differential.js", &functions);
    let data_file = temp_file("differential.json", &data.to_string());
    let result = harness("expr", &[fns_file, data_file]);

    let count = |k: &str| result[k].as_u64().unwrap_or(0) as usize;
    println!(
        "js differential (seed {seed}): {} expression/answers pairs and {} raw answers \
         evaluated alike by Rust and JavaScript; {refused} generated expressions were ill-typed \
         and dropped",
        count("exprs"),
        count("answers")
    );
    let mut report = Vec::new();
    for m in result["mismatches"]
        .as_array()
        .into_iter()
        .flatten()
        .take(10)
    {
        let c = &cases[m["index"].as_u64().unwrap_or(0) as usize];
        report.push(format!(
            "expression: {}\njavascript: {}\nanswers:    {}\ntoday:      {}\nrust:       {}\nbrowser:    {}\n",
            c.text, c.function, c.answers, c.today, c.expected, m["got"]
        ));
    }
    for m in result["answer_mismatches"]
        .as_array()
        .into_iter()
        .flatten()
        .take(10)
    {
        let c = &answers[m["index"].as_u64().unwrap_or(0) as usize];
        report.push(format!(
            "answer of kind {}: {}\ntoday:   {}\nrust:    {}\nbrowser: {}\n",
            c["kind"], c["raw"], c["today"], c["expected"], m["got"]
        ));
    }
    let total = result["mismatches"].as_array().map_or(0, Vec::len)
        + result["answer_mismatches"].as_array().map_or(0, Vec::len);
    assert!(
        total == 0,
        "{total} results differ between Rust and JavaScript (seed {seed}); the first:\n\n{}",
        report.join("\n")
    );
    assert_eq!(count("exprs"), cases.len());
    assert!(cases.len() >= 10_000 || wanted < 10_000);
}
