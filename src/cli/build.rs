//! `blankett build PATH… -o DIR`: every output of every form, then a summary table.

use super::{check, Format};
use blankett_compiler::backend;
use blankett_compiler::source::RealFs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

pub fn run(paths: &[PathBuf], out_dir: &Path) -> Result<ExitCode, String> {
    let started = Instant::now();
    let c = blankett_compiler::compile(&RealFs, paths);
    if c.has_errors() || !c.diagnostics.is_empty() {
        check::report(&c, Format::Human);
    }
    if c.has_errors() {
        eprintln!("nothing was built: fix the errors above first");
        return Ok(check::exit_code(&c));
    }
    let out = backend::build(&c);
    let mut bytes = 0usize;
    for f in &out.files {
        let path = out_dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&path, &f.bytes)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        bytes += f.bytes.len();
    }
    let elapsed = started.elapsed();
    println!("{:<12} {:>8}", "forms", out.forms);
    println!("{:<12} {:>8}", "pages", out.pages);
    println!("{:<12} {:>8}", "fields", out.fields);
    println!(
        "{:<12} {:>8}  ({:.1} MB in {})",
        "files",
        out.files.len(),
        bytes as f64 / 1e6,
        out_dir.display()
    );
    println!("{:<12} {:>8.0}  ms", "time", elapsed.as_secs_f64() * 1e3);
    Ok(ExitCode::SUCCESS)
}
