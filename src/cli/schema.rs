//! `blankett schema`: the JSON Schema of the form language, for editors.

use std::process::ExitCode;

pub fn run() -> Result<ExitCode, String> {
    let schema = blankett_compiler::syntax::language_schema();
    let text = serde_json::to_string_pretty(&schema).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}
