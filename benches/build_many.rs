//! `cargo bench --bench build_many -- LIBRARY`: how many forms per second blankett checks, and
//! checks and builds (every output `blankett build` writes), for a library folder such as the
//! 201 converted XLSForms of `benches/pyxform/run.sh`. A benchmark, not a test: it prints figures
//! and asserts nothing. The folder can also be given as `BLANKETT_BENCH_LIB`.
//!
//! Each measurement is one process, single-threaded (as the compiler is), the sources read from
//! disk every run (the page cache is warm after the first); outputs stay in memory, as
//! pyxform's `convert()` returns its XForm as a string. `--write DIR` adds a run that also writes
//! every file, as the CLI does.

use blankett_compiler::backend::{self, example, html, json_schema, submission, xsd, Branding};
use blankett_compiler::ir::Compilation;
use blankett_compiler::source::RealFs;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `blankett` command uses (src/main.rs), so the figures are the command's.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Seconds this thread has been on a CPU (Linux): unlike the wall clock, not stretched while
/// other work on a shared machine has the core.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

/// (wall median, wall min, wall max, CPU median) over `runs` runs after one warm-up run.
fn median_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, f64, f64, f64) {
    std::hint::black_box(f());
    let mut s: Vec<(f64, f64)> = (0..runs)
        .map(|_| {
            let c = cpu_seconds();
            let t = Instant::now();
            std::hint::black_box(f());
            let wall = t.elapsed().as_secs_f64();
            (wall, c.zip(cpu_seconds()).map_or(wall, |(a, b)| b - a))
        })
        .collect();
    let mut cpu: Vec<f64> = s.iter().map(|x| x.1).collect();
    cpu.sort_by(f64::total_cmp);
    s.sort_by(|a, b| a.0.total_cmp(&b.0));
    (
        s[s.len() / 2].0,
        s[0].0,
        s[s.len() - 1].0,
        cpu[cpu.len() / 2],
    )
}

fn report(
    label: &str,
    forms: usize,
    runs: usize,
    (median, min, max, cpu): (f64, f64, f64, f64),
) -> (f64, f64) {
    println!(
        "{label:<44} {:>8.1} ms  {:>7.0} forms/s  {:>6.3} ms/form  (min {:.1}, max {:.1}, {runs} runs; on-CPU {:.0} forms/s)",
        median * 1e3,
        forms as f64 / median,
        median * 1e3 / forms as f64,
        min * 1e3,
        max * 1e3,
        forms as f64 / cpu,
    );
    (forms as f64 / median, forms as f64 / cpu)
}

fn compile(lib: &Path) -> Compilation {
    blankett_compiler::compile(&RealFs, &[lib.to_path_buf()])
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let mut lib: Option<PathBuf> = std::env::var_os("BLANKETT_BENCH_LIB").map(PathBuf::from);
    let mut write: Option<PathBuf> = None;
    let mut runs = 9usize;
    let mut json = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--write" => write = args.next().map(PathBuf::from),
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).unwrap_or(runs),
            "--json" => json = true,
            s if s.starts_with("--") => {}
            s => lib = Some(PathBuf::from(s)),
        }
    }
    // Plain `cargo bench` runs every bench target: without a library this one only says how.
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pyxform-bench/lib");
    let Some(lib) = lib.or_else(|| default.join("blankett.yaml").exists().then_some(default))
    else {
        println!(
            "usage: cargo bench --bench build_many -- LIBRARY [--runs N] [--write DIR] [--json]"
        );
        println!("(benches/pyxform/run.sh makes target/pyxform-bench/lib, the default)");
        return;
    };
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let c = compile(&lib);
    let errors = c.diagnostics.iter().filter(|d| d.is_error()).count();
    let forms = c.forms.len() + c.kommuner.iter().map(|k| k.forms.len()).sum::<usize>();
    let fields: usize = c.forms.iter().map(|f| f.fields.len()).sum();
    let pages: usize = c.forms.iter().map(|f| f.pages.len()).sum();
    println!(
        "blankett build_many: {} ({forms} forms, {pages} pages, {fields} fields; {errors} errors, {} warnings; {cores} cores, one used)",
        lib.display(),
        c.diagnostics.len() - errors
    );
    if errors > 0 {
        eprint!(
            "{}",
            blankett_compiler::diagnostic::render(&c.sources, &c.diagnostics, false)
        );
        eprintln!("the library has errors: its figures would not mean much");
        std::process::exit(1);
    }
    let out = backend::build(&c);
    let bytes: usize = out.files.iter().map(|f| f.bytes.len()).sum();
    println!(
        "one build: {} files, {:.1} MB ({:.0} files and {:.0} kB per form)",
        out.files.len(),
        bytes as f64 / 1e6,
        out.files.len() as f64 / forms as f64,
        bytes as f64 / 1e3 / forms as f64
    );
    drop(out);

    let check = report(
        "check (read + parse + resolve + type-check)",
        forms,
        runs,
        median_of(runs, || compile(&lib).forms.len()),
    );
    let build = report(
        "check + build (every output, in memory)",
        forms,
        runs,
        median_of(runs, || {
            let c = compile(&lib);
            backend::build(&c).files.len()
        }),
    );
    let mut write_rate = None;
    if let Some(dir) = &write {
        write_rate = Some(report(
            "check + build + write the files",
            forms,
            runs.min(5),
            median_of(runs.min(5), || {
                let c = compile(&lib);
                let out = backend::build(&c);
                for f in &out.files {
                    let p = dir.join(&f.path);
                    if let Some(parent) = p.parent() {
                        let _ = std::fs::create_dir_all(parent);
                    }
                    let _ = std::fs::write(&p, &f.bytes);
                }
                out.files.len()
            }),
        ));
    }

    // Where a build's time goes: each backend over every form of the compilation made above.
    println!("of which, per backend over {forms} forms:");
    let neutral = Branding::neutral();
    let r = runs.min(5);
    let part = |label: &str, t: (f64, f64, f64, f64)| {
        println!(
            "  {label:<42} {:>8.1} ms  {:>6.3} ms/form  (on-CPU {:.3} ms/form)",
            t.0 * 1e3,
            t.0 * 1e3 / forms as f64,
            t.3 * 1e3 / forms as f64
        );
    };
    part(
        "xsd",
        median_of(r, || {
            c.forms
                .iter()
                .map(|f| xsd::generate(f).len())
                .sum::<usize>()
        }),
    );
    part(
        "json schema (pretty)",
        median_of(r, || {
            c.forms
                .iter()
                .map(|f| {
                    serde_json::to_string_pretty(&json_schema::generate(f))
                        .unwrap_or_default()
                        .len()
                })
                .sum::<usize>()
        }),
    );
    part(
        "example answers + evaluate + xml + json",
        median_of(r, || {
            c.forms
                .iter()
                .map(|f| {
                    let a = example::answers(f);
                    let o = blankett_compiler::eval::evaluate(
                        f,
                        &a,
                        blankett_compiler::eval::testing::default_today(),
                    );
                    submission::to_xml(f, &o).len()
                        + serde_json::to_string_pretty(&submission::to_json(f, &o))
                            .unwrap_or_default()
                            .len()
                })
                .sum::<usize>()
        }),
    );
    part(
        "client js",
        median_of(r, || {
            c.forms
                .iter()
                .map(|f| backend::js::generate(f).len())
                .sum::<usize>()
        }),
    );
    part(
        "bundle (IR as JSON)",
        median_of(r, || {
            c.forms
                .iter()
                .map(|f| backend::bundle::to_json(f).len())
                .sum::<usize>()
        }),
    );
    part(
        "html preview pages (sv + en)",
        median_of(r, || {
            c.forms
                .iter()
                .map(|f| html::preview(f, &neutral).len())
                .sum::<usize>()
        }),
    );

    if json {
        println!(
            "{}",
            serde_json::json!({
                "forms": forms, "check_forms_per_s": check.0, "build_forms_per_s": build.0,
                "check_forms_per_cpu_s": check.1, "build_forms_per_cpu_s": build.1,
                "write_forms_per_s": write_rate.map(|r| r.0), "cores": cores,
            })
        );
    }
}
