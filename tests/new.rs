//! `blankett new kommun` and `blankett new form` make projects that pass `check` and `test`
//! unchanged, and refuse to overwrite or to take a name that cannot be an id.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn blankett(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_blankett"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn a_new_kommun_with_a_new_form_passes_check_and_test() {
    let dir = fresh_dir("new-kommun");
    let made = blankett(
        &dir,
        &["new", "kommun", "tjorn", "--display-name", "Tjörns kommun"],
    );
    assert!(made.status.success(), "{}", text(&made));
    let form = blankett(&dir, &["new", "form", "parkering", "--dir", "tjorn"]);
    assert!(form.status.success(), "{}", text(&form));
    let kommun = std::fs::read_to_string(dir.join("tjorn/kommun.yaml")).unwrap();
    assert!(kommun.contains("name: \"Tjörns kommun\""));
    assert!(
        kommun.ends_with("  - form: kontakt\n  - form: parkering\n"),
        "{kommun}"
    );

    let check = blankett(&dir, &["check", "tjorn"]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        text(&check).contains("0 errors, 0 warnings"),
        "{}",
        text(&check)
    );
    let test = blankett(&dir, &["test", "tjorn"]);
    assert!(test.status.success(), "{}", text(&test));
    assert!(
        text(&test).contains("4 passed, 0 failed"),
        "{}",
        text(&test)
    );
}

#[test]
fn a_new_form_in_a_library_passes_check_and_test() {
    let dir = fresh_dir("new-form-in-library");
    std::fs::write(
        dir.join("blankett.yaml"),
        "library: egna\nversion: 1.0.0\nlanguages: [sv, en]\n",
    )
    .unwrap();
    let form = blankett(
        &dir,
        &["new", "form", "synpunkt", "--title", "Lämna en synpunkt"],
    );
    assert!(form.status.success(), "{}", text(&form));
    assert!(text(&form).contains("add `- form: synpunkt` under `services:`"));
    let check = blankett(&dir, &["check"]);
    assert!(
        text(&check).contains("0 errors, 0 warnings"),
        "{}",
        text(&check)
    );
    let test = blankett(&dir, &["test"]);
    assert!(
        text(&test).contains("2 passed, 0 failed"),
        "{}",
        text(&test)
    );
}

#[test]
fn new_refuses_bad_names_and_never_overwrites() {
    let dir = fresh_dir("new-refuses");
    let bad = blankett(&dir, &["new", "kommun", "Tjörn"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad).contains("`Tjörn` cannot be an id"),
        "{}",
        text(&bad)
    );
    assert!(blankett(&dir, &["new", "kommun", "tjorn"]).status.success());
    let again = blankett(&dir, &["new", "kommun", "tjorn"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again).contains("already exists"));
    let twice = blankett(&dir, &["new", "form", "kontakt", "--dir", "tjorn"]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(text(&twice).contains("already exists"), "{}", text(&twice));
    let nowhere = blankett(&dir, &["new", "form", "x"]);
    assert!(
        text(&nowhere).contains("neither a library"),
        "{}",
        text(&nowhere)
    );
    let orgnr = blankett(
        &dir,
        &["new", "kommun", "lysekil", "--orgnr", "212000-1430"],
    );
    assert!(
        text(&orgnr).contains("not a valid organisation number"),
        "{}",
        text(&orgnr)
    );
}
