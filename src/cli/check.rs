//! `blankett check`: every problem in one run, exit 0 clean, 1 problems, 2 I/O.

use super::{plural, use_color, Format};
use blankett_compiler::diagnostic::{self, Code};
use blankett_compiler::ir::Compilation;
use blankett_compiler::source::RealFs;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(paths: &[PathBuf], format: Format) -> ExitCode {
    let c = blankett_compiler::compile(&RealFs, paths);
    report(&c, format);
    exit_code(&c)
}

pub fn report(c: &Compilation, format: Format) {
    let errors = c.diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = c.diagnostics.len() - errors;
    match format {
        Format::Json => {
            let out = serde_json::json!({
                "diagnostics": c.diagnostics.iter().map(|d| diagnostic::to_json(&c.sources, d)).collect::<Vec<_>>(),
                "forms": c.forms.len(),
                "kommuner": c.kommuner.len(),
                "errors": errors,
                "warnings": warnings,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Human => {
            eprint!(
                "{}",
                diagnostic::render(&c.sources, &c.diagnostics, use_color())
            );
            let services: usize = c.kommuner.iter().map(|k| k.forms.len()).sum();
            eprintln!(
                "checked {}, {} ({}): {}, {}",
                plural(c.forms.len(), "form", "forms"),
                plural(c.kommuner.len(), "kommun", "kommuner"),
                plural(services, "service", "services"),
                plural(errors, "error", "errors"),
                plural(warnings, "warning", "warnings"),
            );
        }
    }
}

pub fn exit_code(c: &Compilation) -> ExitCode {
    if c.diagnostics.iter().any(|d| d.code == Code::Io) {
        ExitCode::from(2)
    } else if c.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
