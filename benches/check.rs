//! `cargo bench --bench check`: how long `blankett check` takes on the shared library and on
//! 1,000 generated forms. A benchmark, not a test: it prints figures and asserts nothing.

// A benchmark has no caller to hand an error to: a broken setup should stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_compiler::eval::testing;
use blankett_compiler::source::MemFs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `blankett` command uses (src/main.rs), so the figures are the command's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn library_fs() -> MemFs {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("forms");
    let mut fs = MemFs::new();
    for e in walkdir::WalkDir::new(&root).into_iter().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yaml") {
            fs.files.insert(
                Path::new("forms").join(p.strip_prefix(&root).unwrap()),
                std::fs::read_to_string(p).unwrap(),
            );
        }
    }
    fs
}

/// The library plus `n` variants of its forms, each under its own id.
fn generated(n: usize) -> MemFs {
    let mut fs = library_fs();
    let forms: Vec<(PathBuf, String)> = fs
        .files
        .iter()
        .filter(|(p, _)| p.to_string_lossy().ends_with(".form.yaml"))
        .map(|(p, t)| (p.clone(), t.clone()))
        .collect();
    for i in 0..n {
        let (path, text) = &forms[i % forms.len()];
        let stem = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".form.yaml")
            .to_string();
        let id = format!("{stem}_{i:04}");
        let text = text.replacen(&format!("form: {stem}"), &format!("form: {id}"), 1);
        fs.files.insert(
            PathBuf::from(format!("forms/generated/{id}.form.yaml")),
            text,
        );
    }
    fs
}

fn time<T>(label: &str, runs: usize, mut f: impl FnMut() -> T) -> f64 {
    f();
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    println!(
        "{label:<48} median {:>9.2} ms  (min {:.2}, max {:.2}, {runs} runs)",
        median * 1e3,
        samples[0] * 1e3,
        samples[runs - 1] * 1e3
    );
    median
}

fn main() {
    println!(
        "blankett check benchmark ({} cores)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let lib = library_fs();
    let forms_in_lib = lib
        .files
        .keys()
        .filter(|p| p.to_string_lossy().ends_with(".form.yaml"))
        .count();
    let t = time(&format!("check forms/ ({forms_in_lib} forms)"), 30, || {
        blankett_compiler::compile(&lib, &[PathBuf::from("forms")])
    });
    println!("{:<48} {:>9.0} forms/s", "", forms_in_lib as f64 / t);
    let c = blankett_compiler::compile(&lib, &[PathBuf::from("forms")]);
    let tests: usize = c.forms.iter().map(|f| f.tests.len()).sum();
    let t = time(
        &format!("test forms/ ({tests} scenario tests, compiled)"),
        30,
        || c.forms.iter().map(testing::run).count(),
    );
    println!("{:<48} {:>9.0} tests/s", "", tests as f64 / t);
    let texts: Vec<String> = lib.files.values().cloned().collect();
    time("  of which: YAML → syntax model, every file", 30, || {
        texts
            .iter()
            .map(|t| {
                blankett_compiler::syntax::read(
                    Default::default(),
                    t,
                    blankett_compiler::syntax::lower::form,
                )
                .1
                .len()
            })
            .sum::<usize>()
    });
    time(
        "  of which: serde-saphyr to JSON values, no spans",
        30,
        || {
            texts
                .iter()
                .map(|t| {
                    serde_saphyr::from_str::<serde_json::Value>(t)
                        .map(|_| 1)
                        .unwrap_or(0)
                })
                .sum::<usize>()
        },
    );
    let big = generated(1000);
    let n = big
        .files
        .keys()
        .filter(|p| p.to_string_lossy().ends_with(".form.yaml"))
        .count();
    let t = time(
        &format!("check {n} forms (1,000 generated + library)"),
        5,
        || {
            let c = blankett_compiler::compile(&big, &[PathBuf::from("forms")]);
            assert!(!c.has_errors(), "generated forms should be clean");
            c.forms.len()
        },
    );
    println!("{:<48} {:>9.0} forms/s", "", n as f64 / t);
}

#[allow(dead_code)]
fn parse_only() {}
