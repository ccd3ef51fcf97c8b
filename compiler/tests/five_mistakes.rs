//! The fixture `many_five_mistakes` is one form with five different mistakes. Each must be
//! reported once, at its own place: no mistake hides another, none is reported twice, and a
//! mistake does not set off messages about the correct lines around it.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_compiler::diagnostic::{position, Code};
use blankett_compiler::source::MemFs;
use std::path::{Path, PathBuf};

/// The case folder as `cases.rs` reads it: every file, in memory, under the folder's name.
fn load(case: &Path) -> MemFs {
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
    fs
}

#[test]
fn five_mistakes_give_five_diagnostics_at_their_places() {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases/many_five_mistakes");
    let fs = load(&case);
    let c = blankett_compiler::compile(&fs, &[PathBuf::from("many_five_mistakes")]);
    let got: Vec<(Code, usize, usize)> = c
        .diagnostics
        .iter()
        .map(|d| {
            let label = d.primary.as_ref().expect("every mistake has a place");
            let p = position(&c.sources, label.span);
            assert_eq!(p.file, "many_five_mistakes/bygglov.form.yaml");
            (d.code, p.line, p.column)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            // `choices: atgarder`: the list is called `atgard`.
            (Code::UnknownChoiceList, 15, 18),
            // The second `id: bruttoarea`.
            (Code::DuplicateId, 23, 13),
            // `visible_if: bruttarea > 200`: a typo of `bruttoarea`.
            (Code::UnknownField, 30, 21),
            // `visible_if: atgard = "nybyggnad"`: the single `=`.
            (Code::ExpressionSyntax, 34, 28),
            // `'"Area: " + bruttoarea'`: text plus a number, blamed on the number.
            (Code::TypeMismatch, 38, 28),
        ]
    );
    assert!(c.diagnostics.iter().all(|d| d.is_error()));
}
