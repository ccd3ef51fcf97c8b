//! Writes one `#[test]` per folder of `tests/cases/` for `tests/cases.rs` to include: one test
//! per case, so a failing case does not hide the others and a case can be run by name
//! (`cargo test -p blankett-compiler --test cases case_duplicate_id_page`).

use std::path::Path;

fn main() -> std::io::Result<()> {
    // A directory is watched as a whole: a case added, removed or renamed reruns this.
    println!("cargo:rerun-if-changed=tests/cases");
    let mut names: Vec<String> = match std::fs::read_dir("tests/cases") {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().into_string().ok())
            .collect(),
        // A packaged crate has no cases: the file is empty and `tests/cases.rs` has none to run.
        Err(_) => Vec::new(),
    };
    names.sort();
    let mut out = String::new();
    for name in &names {
        let ident: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        out.push_str(&format!(
            "#[test]\nfn case_{ident}() {{\n    run({name:?});\n}}\n\n"
        ));
    }
    let dir =
        std::env::var_os("OUT_DIR").ok_or_else(|| std::io::Error::other("OUT_DIR is not set"))?;
    std::fs::write(Path::new(&dir).join("cases.rs"), out)
}
