//! The diagnostic fixture suite: every folder in `tests/cases/` is compiled in memory and its
//! files and rendered diagnostics are snapshotted together, input beside output.
//!
//! A case folder holds the files of a library or kommun project. An optional `check.txt` lists
//! the paths to check (relative to the case), one a line; by default the whole folder is.

use blankett_compiler::diagnostic::{self, Code};
use blankett_compiler::source::MemFs;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

fn load(case: &Path) -> (MemFs, Vec<PathBuf>) {
    let name = case.file_name().unwrap().to_string_lossy().to_string();
    let mut fs = MemFs::new();
    let mut stack = vec![case.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().unwrap() != "check.txt" {
                let rel = Path::new(&name).join(path.strip_prefix(case).unwrap());
                fs.files
                    .insert(rel, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let targets = match std::fs::read_to_string(case.join("check.txt")) {
        Ok(list) => list
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| Path::new(&name).join(l.trim()))
            .collect(),
        Err(_) => vec![PathBuf::from(&name)],
    };
    (fs, targets)
}

fn run_case(case: &Path) -> (String, BTreeSet<Code>) {
    let (fs, targets) = load(case);
    let c = blankett_compiler::compile(&fs, &targets);
    let mut out = String::new();
    for (path, text) in &fs.files {
        out.push_str(&format!("──── {} ────\n", path.display()));
        for (i, line) in text.lines().enumerate() {
            out.push_str(&format!("{:>3} │ {line}\n", i + 1));
        }
    }
    out.push_str("──── diagnostics ────\n");
    out.push_str(&diagnostic::render(&c.sources, &c.diagnostics, false));
    let codes = c.diagnostics.iter().map(|d| d.code).collect();
    (out, codes)
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_case_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.bind(|| {
        for dir in case_dirs() {
            let name = dir.file_name().unwrap().to_string_lossy().to_string();
            let (out, _) = run_case(&dir);
            insta::assert_snapshot!(name, out);
        }
    });
}

/// Every code blankett can report is shown by at least one case.
#[test]
fn every_code_has_a_case() {
    let mut seen = BTreeSet::new();
    for dir in case_dirs() {
        seen.extend(run_case(&dir).1);
    }
    let missing: Vec<String> = Code::ALL
        .iter()
        .filter(|c| !seen.contains(c))
        .map(|c| c.to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a fixture case: {}",
        missing.join(", ")
    );
    assert!(
        case_dirs().len() >= 40,
        "the suite has {} cases; it should have at least 40",
        case_dirs().len()
    );
}

/// Each case is about its own code: the folder name starts with the code it shows.
#[test]
fn case_names_name_their_code() {
    for dir in case_dirs() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        if name.starts_with("clean_") || name.starts_with("many_") {
            continue;
        }
        let (_, codes) = run_case(&dir);
        assert!(
            codes.iter().any(|c| name.starts_with(c.name())),
            "case `{name}` does not report the code its name starts with (it reports {codes:?})"
        );
    }
}
