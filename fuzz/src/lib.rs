//! Fuzz targets for every input blankett reads from outside (issue 21): the YAML form and the
//! whole `check` (diagnostics rendered too), the expression language, SHS messages and labels,
//! urlencoded and multipart form posts to a served journey, and the status callback's JSON.
//!
//! A target is a function of bytes; a finding is a panic, or a 500 from the server (bad input
//! must get a clear answer, never an internal error). The harness in `main.rs` runs them with
//! the mutator of `mutate.rs` on stable Rust; `tests/regressions.rs` runs every saved finding
//! and a brief campaign per target in CI.

pub mod compile;
pub mod mutate;
pub mod web;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    FormYaml,
    Expression,
    ShsMessage,
    ShsLabel,
    UrlencodedPost,
    MultipartPost,
    StatusJson,
}

impl Target {
    pub const ALL: [Target; 7] = [
        Target::FormYaml,
        Target::Expression,
        Target::ShsMessage,
        Target::ShsLabel,
        Target::UrlencodedPost,
        Target::MultipartPost,
        Target::StatusJson,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Target::FormYaml => "form_yaml",
            Target::Expression => "expression",
            Target::ShsMessage => "shs_message",
            Target::ShsLabel => "shs_label",
            Target::UrlencodedPost => "urlencoded_post",
            Target::MultipartPost => "multipart_post",
            Target::StatusJson => "status_json",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// The repository's root (the fuzz crate's parent), where the library forms are.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Where a finding is kept as a regression input: `fuzz/regressions/<target>/`.
pub fn regressions_dir(target: Target) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target.name())
}

/// One target, ready to run many inputs (the served targets keep one server and session).
pub struct Harness {
    pub target: Target,
    web: Option<web::Served>,
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

thread_local! {
    /// Whether this thread is inside a target, where a panic is a finding to report.
    static IN_TARGET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A panic inside a target is kept (message and place) for the harness to report; any other
/// panic (a failing test's own) goes to the hook that was there before. Installed once.
fn keep_target_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if IN_TARGET.with(std::cell::Cell::get) {
                if let Ok(mut m) = PANIC_MESSAGE.lock() {
                    *m = Some(info.to_string());
                }
            } else {
                previous(info);
            }
        }));
    });
}

impl Harness {
    pub fn new(target: Target) -> Result<Harness, String> {
        keep_target_panics();
        let web = match target {
            Target::UrlencodedPost | Target::MultipartPost | Target::StatusJson => {
                Some(web::Served::start()?)
            }
            _ => None,
        };
        Ok(Harness { target, web })
    }

    /// Runs one input; `Err` describes a finding.
    pub fn run(&mut self, input: &[u8]) -> Result<(), String> {
        let target = self.target;
        let web = &mut self.web;
        IN_TARGET.with(|t| t.set(true));
        let outcome = catch_unwind(AssertUnwindSafe(|| match target {
            Target::FormYaml => {
                compile::form_yaml(input);
                Ok(())
            }
            Target::Expression => {
                compile::expression(input);
                Ok(())
            }
            Target::ShsMessage => {
                let _ = blankett_runtime::shs::Message::parse(input);
                Ok(())
            }
            Target::ShsLabel => {
                let _ = blankett_runtime::shs::label::Label::parse(input, None);
                Ok(())
            }
            Target::UrlencodedPost | Target::MultipartPost | Target::StatusJson => match web {
                Some(w) => w.post(target, input),
                None => Err("the served target has no server".into()),
            },
        }));
        IN_TARGET.with(|t| t.set(false));
        match outcome {
            Ok(r) => r,
            Err(_) => {
                let message = PANIC_MESSAGE
                    .lock()
                    .ok()
                    .and_then(|mut m| m.take())
                    .unwrap_or_else(|| "a panic".into());
                Err(format!("panic: {message}"))
            }
        }
    }

    /// The inputs a campaign starts from: real ones where they exist.
    pub fn seeds(&self) -> Vec<Vec<u8>> {
        match self.target {
            Target::FormYaml => compile::form_seeds(),
            Target::Expression => compile::expression_seeds(),
            Target::ShsMessage => shs_samples(),
            Target::ShsLabel => shs_samples().iter().filter_map(|m| label_of(m)).collect(),
            Target::UrlencodedPost | Target::MultipartPost | Target::StatusJson => {
                web::seeds(self.target)
            }
        }
    }

    /// Tokens the mutator inserts: the syntax each input is made of.
    pub fn dictionary(&self) -> &'static [&'static [u8]] {
        match self.target {
            Target::FormYaml => &[
                b"\n  - id: ",
                b"type: ",
                b"visible_if: ",
                b"repeat",
                b"fields:",
                b"use: ",
                b"[*]",
                b"{sv: ",
                b"&a ",
                b"*a",
                b"!!str ",
                b": |\n",
                b"- ",
                b"\"",
                b"'",
                b"\t",
                b"\xe2\x80\xae",
            ],
            Target::Expression => &[
                b" == ",
                b" and ",
                b" or ",
                b"not ",
                b"(",
                b")",
                b"[*]",
                b".",
                b"\"",
                b"'",
                b"age(",
                b"sum(",
                b"count(",
                b"today()",
                b"answered(",
                b" in [",
                b"]",
                b",",
                b"1e308",
                b"-",
                b"/",
                b"0",
            ],
            Target::ShsMessage | Target::ShsLabel => &[
                b"\r\n",
                b"--",
                b"Content-Type: ",
                b"multipart/mixed; boundary=",
                b"charset=",
                b"<shs.label",
                b"</shs.label>",
                b"<![CDATA[",
                b"&amp;",
                b"&#",
                b"<!DOCTYPE",
                b"tx.id=\"",
                b"=?UTF-8?B?",
            ],
            Target::UrlencodedPost => &[b"&", b"=", b"%", b"%00", b"[", b"]", b"+", b"%E2%80%AE"],
            Target::MultipartPost => &[
                b"\r\n--FUZZ",
                b"--\r\n",
                b"Content-Disposition: form-data; name=\"",
                b"\"; filename=\"",
                b"Content-Type: ",
                b"\r\n\r\n",
                b"\x00",
                b"\x89PNG\r\n\x1a\n",
            ],
            Target::StatusJson => &[
                b"{",
                b"}",
                b"\"reference\":",
                b"\"status\":",
                b"\"case_number\":",
                b"\"tx_id\":",
                b"null",
                b"\\u0000",
                b"\\u202e",
                b"[",
                b"]",
                b",",
            ],
        }
    }
}

/// The SHS samples of the shared reference folder, where it is (never copied into the repo).
fn shs_samples() -> Vec<Vec<u8>> {
    let dir = repo_root().join("../shared/reference/shs/samples");
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "mime"))
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    if out.is_empty() {
        out.push(
            b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/xml\r\n\r\n<shs.label version=\"1.2\" tx.id=\"00000000-0000-0000-0000-000000000000\"/>\r\n--b--\r\n"
                .to_vec(),
        );
    }
    out
}

/// The label part of an SHS message: from `<?xml` or `<shs.label` to `</shs.label>`.
fn label_of(message: &[u8]) -> Option<Vec<u8>> {
    let text = String::from_utf8_lossy(message);
    let start = text.find("<?xml").or_else(|| text.find("<shs.label"))?;
    let end = text[start..].find("</shs.label>")? + start + "</shs.label>".len();
    Some(text[start..end].as_bytes().to_vec())
}
