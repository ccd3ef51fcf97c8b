//! The handbook stays true to the code.
//!
//! 1. Its table of diagnostic codes lists exactly the codes blankett reports.
//!    `BLESS=1 cargo test --test book` rewrites the table.
//! 2. Every ```yaml block in `book/src` is checked. A block whose first key is `form:`,
//!    `fragment:`, `library:` or `kommun:` is a whole file and must compile with no errors,
//!    next to a copy of the library `forms/` (so `use: common/…` and kommun projects with
//!    `path: ../../forms` work), and a whole form's own `tests:` must pass. Every other block
//!    must parse as YAML. A block marked
//!    ```yaml,ignore is skipped: use it only for a deliberate mistake. An ignored whole file
//!    that compiles without errors fails the test, since it is then no mistake.
//! 3. Every ```console block is run. The convention:
//!
//!    ```console
//!    $ blankett check forms
//!    checked 38 forms, 0 kommuner (0 services): 0 errors, 0 warnings
//!    ```
//!
//!    A line starting `$ blankett ` is a command; the lines after it, up to the next `$ ` line,
//!    are its output (stdout, then stderr), compared line by line with trailing spaces
//!    trimmed. In an output line `…` matches any text (times, sizes); a line that is only `…`
//!    matches any number of lines. The console blocks of one page run in order in one fresh
//!    folder holding copies of `forms/` and `examples/`, so a page can build on its earlier
//!    commands (`blankett new kommun tjorn`, then `blankett check tjorn`). Only `blankett`
//!    commands are run; show other commands in ```sh blocks.
//! 4. Every link between pages leads to a page that exists, and to a heading on it.
//! 5. The operations chapter (`drift.md`) has a row for every setting in `runtime/src/config.rs`
//!    and names every `BLANKETT_*` environment variable read there.

// A test fails loudly where it unwraps, which is what a test should do. clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not this test crate's helper functions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use blankett_compiler::diagnostic::{self, Code};
use blankett_compiler::eval::testing;
use blankett_compiler::source::{FileId, MemFs};
use blankett_compiler::syntax::yaml;
use std::path::{Path, PathBuf};

const START: &str = "<!-- codes:start -->";
const END: &str = "<!-- codes:end -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn table() -> String {
    let mut t = String::from("| kod | betyder |\n|---|---|\n");
    for c in Code::ALL {
        t.push_str(&format!("| `{c}` | {} |\n", c.describe()));
    }
    t
}

#[test]
fn the_code_table_lists_every_code() {
    let path = root().join("book/src/reference/diagnostics.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (Some(a), Some(b)) = (text.find(START), text.find(END)) else {
        panic!("diagnostics.md lacks the {START} … {END} markers")
    };
    let current = &text[a + START.len()..b];
    let wanted = format!("\n{}", table());
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(
            &path,
            format!("{}{START}{wanted}{}", &text[..a], &text[b..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        current, wanted,
        "the code table in diagnostics.md is out of date: run `BLESS=1 cargo test --test book`"
    );
}

/// A fenced block of a page: where it starts, its info string and its text (dedented).
struct Block {
    page: PathBuf,
    line: usize,
    info: String,
    text: String,
}

impl Block {
    fn place(&self) -> String {
        format!("{}:{}", self.page.display(), self.line)
    }
}

fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(root().join("book/src"))
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    pages
}

/// The fenced blocks of a page, also those indented in list items.
fn blocks(page: &Path) -> Vec<Block> {
    let text = std::fs::read_to_string(page).unwrap();
    let rel = page.strip_prefix(root()).unwrap().to_path_buf();
    let mut out = Vec::new();
    let mut open: Option<(usize, usize, String, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some((i + 1, indent, info.trim().to_string(), String::new()));
                }
            }
            Some((start, ind, info, body)) => {
                if trimmed.starts_with("```") {
                    out.push(Block {
                        page: rel.clone(),
                        line: *start,
                        info: info.clone(),
                        text: std::mem::take(body),
                    });
                    open = None;
                } else {
                    let cut = line.len().min(*ind).min(indent);
                    body.push_str(&line[cut..]);
                    body.push('\n');
                }
            }
        }
    }
    out
}

/// The library `forms/` as files in memory under `forms/`.
fn library(with_forms: bool) -> MemFs {
    let mut fs = MemFs::new();
    for e in walkdir::WalkDir::new(root().join("forms"))
        .into_iter()
        .flatten()
    {
        let p = e.path();
        let rel = p.strip_prefix(root()).unwrap();
        let name = rel.to_string_lossy();
        let wanted = name.ends_with("blankett.yaml")
            || name.ends_with(".fragment.yaml")
            || (with_forms && name.ends_with(".form.yaml"));
        if p.is_file() && wanted {
            fs.files
                .insert(rel.to_path_buf(), std::fs::read_to_string(p).unwrap());
        }
    }
    fs
}

/// Compiles a whole file shown in the book; the rendered errors, or None when it has none.
fn compile_block(kind: &str, name: &str, text: &str) -> Option<String> {
    let (mut fs, target) = match kind {
        "form" => {
            let mut fs = library(false);
            fs.files.insert(
                PathBuf::from(format!("forms/{name}/{name}.form.yaml")),
                text.into(),
            );
            (fs, "forms")
        }
        "fragment" => {
            // A fragment is checked where a form uses it.
            let mut fs = library(false);
            fs.files.insert(
                PathBuf::from(format!("forms/common/{name}.fragment.yaml")),
                text.into(),
            );
            fs.files.insert(
                PathBuf::from("forms/bokprov/bokprov.form.yaml"),
                format!(
                    "form: bokprov\nversion: 1.0.0\ntitle: {{sv: Prov, en: Test}}\npages:\n  - id: sidan\n    title: {{sv: Sidan, en: Page}}\n    fields:\n      - use: common/{name}\n        as: delen\n"
                ),
            );
            (fs, "forms")
        }
        "library" => {
            let mut fs = library(false);
            fs.files
                .insert(PathBuf::from("forms/blankett.yaml"), text.into());
            (fs, "forms")
        }
        "kommun" => {
            let mut fs = library(true);
            fs.files
                .insert(PathBuf::from("examples/bok/kommun.yaml"), text.into());
            fs.files.insert(
                PathBuf::from("examples/bok/logo.svg"),
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>".into(),
            );
            (fs, "examples/bok")
        }
        _ => unreachable!(),
    };
    fs.files.retain(|_, t| !t.is_empty());
    let c = blankett_compiler::compile(&fs, &[PathBuf::from(target)]);
    if c.has_errors() {
        let errors: Vec<_> = c
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect();
        return Some(diagnostic::render(&c.sources, &errors, false));
    }
    // A form shown whole also passes its own tests, as `blankett test` would run them.
    let failed: Vec<String> = c
        .forms
        .iter()
        .filter(|f| kind == "form" && f.id == name)
        .flat_map(testing::run)
        .filter(|r| !r.passed())
        .map(|r| format!("test `{}` failed: {}", r.name, r.failures.join("; ")))
        .collect();
    (!failed.is_empty()).then(|| failed.join("\n"))
}

const WHOLE_FILES: [&str; 4] = ["form", "fragment", "library", "kommun"];

#[test]
fn every_yaml_block_in_the_book_is_valid() {
    let mut problems = Vec::new();
    let (mut whole, mut parsed, mut ignored) = (0, 0, 0);
    for page in pages() {
        for b in blocks(&page) {
            let ignore = match b.info.as_str() {
                "yaml" => false,
                "yaml,ignore" => true,
                _ => continue,
            };
            let node = match yaml::parse(FileId(0), &b.text) {
                Ok(n) => n,
                Err(e) if !ignore => {
                    problems.push(format!("{}: not valid YAML: {}", b.place(), e.message));
                    continue;
                }
                Err(_) => {
                    ignored += 1;
                    continue;
                }
            };
            let first = node
                .as_map()
                .and_then(|m| m.first())
                .map(|(k, v)| (k.name.clone(), v.scalar_text(&b.text).unwrap_or_default()));
            match first {
                Some((kind, name)) if WHOLE_FILES.contains(&kind.as_str()) => {
                    let errors = compile_block(&kind, &name, &b.text);
                    match (ignore, errors) {
                        (false, Some(e)) => problems.push(format!(
                            "{}: this `{kind}:` file has errors:\n{e}",
                            b.place()
                        )),
                        (true, None) => problems.push(format!(
                            "{}: marked `yaml,ignore` but compiles without errors: \
                             remove `,ignore` so that it is checked",
                            b.place()
                        )),
                        (false, None) => whole += 1,
                        (true, Some(_)) => ignored += 1,
                    }
                }
                _ if ignore => ignored += 1,
                _ => parsed += 1,
            }
        }
    }
    eprintln!("{whole} whole files compiled, {parsed} excerpts parsed, {ignored} ignored");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    assert!(whole > 0 && parsed > 0, "no yaml blocks found");
}

/// `…` in an expected line matches any text.
fn line_matches(want: &str, got: &str) -> bool {
    let parts: Vec<&str> = want.split('…').collect();
    if parts.len() == 1 {
        return want == got;
    }
    let mut rest = got;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(at) = rest.find(part) else {
                return false;
            };
            rest = &rest[at + part.len()..];
        }
    }
    true
}

/// Expected lines against actual ones; a line `…` matches any number of lines.
fn output_matches(want: &[&str], got: &[&str]) -> bool {
    match want.split_first() {
        None => got.is_empty(),
        Some((&"…", rest)) => (0..=got.len()).any(|skip| output_matches(rest, &got[skip..])),
        Some((w, rest)) => {
            !got.is_empty() && line_matches(w, got[0]) && output_matches(rest, &got[1..])
        }
    }
}

/// A command line's words; `"…"` keeps spaces inside one word, as a shell does.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                word.get_or_insert_with(String::new);
            }
            c if c.is_whitespace() && !quoted => out.extend(word.take()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

#[test]
fn every_console_example_in_the_book_gives_the_output_shown() {
    let mut problems = Vec::new();
    let mut ran = 0;
    for page in pages() {
        let console: Vec<Block> = blocks(&page)
            .into_iter()
            .filter(|b| b.info == "console")
            .collect();
        if console.is_empty() {
            continue;
        }
        let name = page.file_stem().unwrap().to_string_lossy().to_string();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("book-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        copy_dir(&root().join("forms"), &dir.join("forms"));
        copy_dir(&root().join("examples"), &dir.join("examples"));
        for b in console {
            let mut commands: Vec<(String, Vec<&str>)> = Vec::new();
            for line in b.text.lines() {
                if let Some(cmd) = line.strip_prefix("$ ") {
                    commands.push((cmd.to_string(), Vec::new()));
                } else if let Some((_, out)) = commands.last_mut() {
                    out.push(line);
                }
            }
            for (cmd, want) in commands {
                let Some(args) = cmd.strip_prefix("blankett ") else {
                    problems.push(format!(
                        "{}: `{cmd}` is not a blankett command; show it in a ```sh block",
                        b.place()
                    ));
                    continue;
                };
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_blankett"))
                    .args(words(args))
                    .current_dir(&dir)
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap();
                ran += 1;
                let text = format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                )
                .replace(&dir.display().to_string(), ".");
                let got: Vec<&str> = text.lines().map(str::trim_end).collect();
                let want: Vec<&str> = want.iter().map(|l| l.trim_end()).collect();
                if !output_matches(&want, &got) {
                    problems.push(format!(
                        "{}: `{cmd}` printed\n{}\nbut the book shows\n{}",
                        b.place(),
                        got.join("\n"),
                        want.join("\n")
                    ));
                }
            }
        }
    }
    eprintln!("{ran} commands run");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn the_output_patterns_match_as_documented() {
    assert!(line_matches("time … ms", "time 12 ms"));
    assert!(!line_matches("time … ms", "time 12 s"));
    assert!(output_matches(&["a", "…", "d"], &["a", "b", "c", "d"]));
    assert!(output_matches(&["a", "…"], &["a"]));
    assert!(!output_matches(&["a", "d"], &["a", "b", "d"]));
    assert_eq!(
        words(r#"new kommun tjorn --display-name "Tjörns kommun""#),
        ["new", "kommun", "tjorn", "--display-name", "Tjörns kommun"]
    );
}

/// A heading's anchor as mdBook makes it: lowercase, spaces to `-`, punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            c if c.is_whitespace() => Some('-'),
            c if c.is_alphanumeric() || c == '_' || c == '-' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(page: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(page).unwrap_or_default();
    let mut in_code = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#').replace('`', "").as_str()));
        }
    }
    out
}

#[test]
fn every_link_between_pages_leads_somewhere() {
    let mut problems = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (i, line) in text.lines().enumerate() {
            for part in line.split("](").skip(1) {
                let Some(end) = part.find(')') else { continue };
                let link = &part[..end];
                if link.contains("://") || link.starts_with("mailto:") {
                    continue;
                }
                let (file, anchor) = link.split_once('#').unwrap_or((link, ""));
                let target = if file.is_empty() {
                    page.clone()
                } else {
                    page.parent().unwrap().join(file)
                };
                let place = format!("{}:{}", page.strip_prefix(root()).unwrap().display(), i + 1);
                if !target.is_file() {
                    problems.push(format!("{place}: `{link}`: no such page"));
                } else if !anchor.is_empty() && !anchors(&target).iter().any(|a| a == anchor) {
                    problems.push(format!("{place}: `{link}`: no such heading"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The fields of `pub struct Config` in runtime/src/config.rs, read from the source.
fn config_keys(source: &str) -> Vec<String> {
    let start = source
        .find("pub struct Config {")
        .expect("runtime/src/config.rs has `pub struct Config`");
    let body = &source[start..];
    let body = &body[..body.find("\n}").unwrap_or(body.len())];
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("pub "))
        .filter_map(|l| l.split_once(':').map(|(name, _)| name.trim().to_string()))
        .filter(|name| !name.starts_with("struct"))
        .collect()
}

#[test]
fn the_operations_chapter_lists_every_setting() {
    let source = std::fs::read_to_string(root().join("runtime/src/config.rs")).unwrap();
    let drift = std::fs::read_to_string(root().join("book/src/drift.md")).unwrap();
    let mut missing = Vec::new();
    let keys = config_keys(&source);
    assert!(keys.contains(&"listen".to_string()), "{keys:?}");
    for key in keys {
        if !drift.contains(&format!("| `{key}")) {
            missing.push(format!("the setting `{key}` has no row in the table"));
        }
    }
    let vars: std::collections::BTreeSet<String> = source
        .split("\"BLANKETT_")
        .skip(1)
        .map(|part| format!("BLANKETT_{}", &part[..part.find('"').unwrap_or(0)]))
        .collect();
    for var in vars {
        if !drift.contains(&format!("`{var}`")) {
            missing.push(format!("the environment variable `{var}` is not named"));
        }
    }
    assert!(
        missing.is_empty(),
        "book/src/drift.md (Inställningar) is out of date with runtime/src/config.rs:\n{}",
        missing.join("\n")
    );
}
