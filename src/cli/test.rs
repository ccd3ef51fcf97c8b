//! `blankett test`: runs every form's scenario tests and ends with `N passed, N failed`.

use super::{check, use_color, Format};
use blankett_compiler::eval::testing::{self, TestResult};
use blankett_compiler::source::RealFs;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(paths: &[PathBuf], format: Format) -> ExitCode {
    let c = blankett_compiler::compile(&RealFs, paths);
    // Forms that do not compile cannot be tested; their problems are what the author needs.
    if c.has_errors() {
        check::report(&c, format);
        return check::exit_code(&c);
    }
    let mut results: Vec<TestResult> = Vec::new();
    for form in &c.forms {
        results.extend(testing::run(form));
    }
    for k in &c.kommuner {
        for form in &k.forms {
            results.extend(testing::run(form).into_iter().map(|mut r| {
                r.form = format!("{}/{}", k.id, r.form);
                r
            }));
        }
    }
    let passed = results.iter().filter(|r| r.passed()).count();
    let failed = results.len() - passed;
    match format {
        Format::Json => {
            let out = serde_json::json!({ "results": results, "passed": passed, "failed": failed });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Human => {
            let (green, red, reset) = if use_color() {
                ("\x1b[32m", "\x1b[31m", "\x1b[0m")
            } else {
                ("", "", "")
            };
            for r in &results {
                if r.passed() {
                    println!("{green}ok{reset}   {} › {}", r.form, r.name);
                } else {
                    println!("{red}FAIL{reset} {} › {}", r.form, r.name);
                    for f in &r.failures {
                        println!("       {f}");
                    }
                }
            }
            println!("{passed} passed, {failed} failed");
        }
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
