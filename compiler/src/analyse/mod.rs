//! The analysis phase: libraries and kommun projects loaded, forms resolved and checked.

pub mod check;
mod conditions;
pub mod form;
pub mod fragment_use;
pub mod inloggad;
pub mod kommun;
pub mod library;
pub mod order;
pub mod overlay;
pub mod renamed;
pub mod resolve;
pub mod settings;
pub mod signers;
pub mod stop_pages;
pub mod tests;
pub mod texts;

use crate::diagnostic::{self, Code, Diagnostic};
use crate::ir::{self, Compilation};
use crate::source::FileSystem;
use library::{LibraryView, Loader};
use std::path::{Path, PathBuf};

/// What the backends check of a resolved form, given by the driver ([`crate::compile`]) so that
/// analysis does not depend on the backends. Analysis runs the checks where it judges a form,
/// not after it: a kommun's service is judged with and without the kommun's overrides, and only
/// what the overrides cause is reported as the kommun's.
#[derive(Clone, Copy)]
pub struct Checks {
    /// What in a form's mapping the case-system stylesheets cannot carry; asked only of a
    /// mapping that resolved without errors.
    pub mapping: fn(&ir::Form) -> Vec<Diagnostic>,
}

/// What a path given on the command line turned out to be.
enum Target {
    Library(PathBuf),
    Kommun(PathBuf),
    Form(PathBuf, PathBuf),
    Fragment(PathBuf),
}

/// Analyses the forms, libraries and kommun projects found at `paths`; callers use
/// [`crate::compile`], which gives the backends' checks.
pub fn run(fs: &dyn FileSystem, paths: &[PathBuf], checks: &Checks) -> Compilation {
    let mut loader = Loader::new(fs);
    let mut targets = Vec::new();
    for p in paths {
        discover(fs, &library::normalize(p), &mut targets, &mut loader.diags);
    }
    let mut forms = Vec::new();
    let mut kommuner = Vec::new();
    let mut done_libs = Vec::new();
    for t in targets {
        match t {
            Target::Library(dir) => {
                if let Some(li) = loader.library(&dir) {
                    if !done_libs.contains(&li) {
                        done_libs.push(li);
                        for i in 0..loader.libraries[li].forms.len() {
                            let syntax = loader.libraries[li].forms[i].syntax.clone();
                            let (f, d) = form::compile_form(
                                LibraryView {
                                    all: &loader.libraries,
                                    index: li,
                                },
                                &syntax,
                                Default::default(),
                                checks,
                            );
                            loader.diags.extend(d);
                            forms.push(f);
                        }
                    }
                }
            }
            Target::Form(root, path) => {
                if let Some(li) = loader.library(&root) {
                    let found = loader.libraries[li]
                        .forms
                        .iter()
                        .find(|f| f.path == path)
                        .map(|f| f.syntax.clone());
                    if let Some(syntax) = found {
                        if !forms.iter().any(|f: &ir::Form| f.id == syntax.form.value) {
                            let (f, d) = form::compile_form(
                                LibraryView {
                                    all: &loader.libraries,
                                    index: li,
                                },
                                &syntax,
                                Default::default(),
                                checks,
                            );
                            loader.diags.extend(d);
                            forms.push(f);
                        }
                    }
                }
            }
            Target::Fragment(root) => {
                loader.library(&root);
            }
            Target::Kommun(dir) => {
                if let Some(k) = kommun::load(&mut loader, &dir, checks) {
                    kommuner.push(k);
                }
            }
        }
    }
    let mut diagnostics = loader.diags;
    diagnostic::sort(&mut diagnostics);
    Compilation {
        sources: loader.sources,
        diagnostics,
        forms,
        kommuner,
    }
}

fn library_root(fs: &dyn FileSystem, file: &Path) -> PathBuf {
    let mut dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    loop {
        if fs.exists(&dir.join("blankett.yaml")) {
            return dir;
        }
        if !dir.pop() || dir.as_os_str().is_empty() {
            return file.parent().map(Path::to_path_buf).unwrap_or_default();
        }
    }
}

fn discover(fs: &dyn FileSystem, p: &Path, out: &mut Vec<Target>, diags: &mut Vec<Diagnostic>) {
    if fs.is_dir(p) {
        if fs.exists(&p.join("kommun.yaml")) {
            out.push(Target::Kommun(p.to_path_buf()));
            return;
        }
        if fs.exists(&p.join("blankett.yaml")) {
            out.push(Target::Library(p.to_path_buf()));
            return;
        }
        let files = fs.walk(p).unwrap_or_default();
        let mut roots: Vec<PathBuf> = files
            .iter()
            .filter(|f| {
                matches!(
                    f.file_name().and_then(|n| n.to_str()),
                    Some("kommun.yaml" | "blankett.yaml")
                )
            })
            .filter_map(|f| f.parent().map(Path::to_path_buf))
            .collect();
        roots.sort();
        roots.dedup();
        // Outermost projects only: a library's own subfolders are part of it.
        let tops: Vec<PathBuf> = roots
            .iter()
            .filter(|r| !roots.iter().any(|o| o != *r && r.starts_with(o)))
            .cloned()
            .collect();
        for r in &tops {
            discover(fs, r, out, diags);
        }
        for f in files
            .iter()
            .filter(|f| !tops.iter().any(|t| f.starts_with(t)))
        {
            let name = f.to_string_lossy();
            if name.ends_with(".form.yaml") || name.ends_with(".fragment.yaml") {
                discover(fs, f, out, diags);
            }
        }
        if tops.is_empty()
            && !files
                .iter()
                .any(|f| f.to_string_lossy().ends_with(".form.yaml"))
        {
            diags.push(
                Diagnostic::error(Code::Io, format!("no forms, libraries or kommun projects in `{}`", p.display()))
                    .help("blankett reads `*.form.yaml`, `*.fragment.yaml`, `blankett.yaml` and `kommun.yaml`"),
            );
        }
        return;
    }
    if !fs.exists(p) {
        // A misspelt name is the usual cause: offer the nearest file or folder next to it.
        let parent = p.parent().unwrap_or(Path::new(""));
        let siblings: Vec<String> = fs
            .walk(parent)
            .unwrap_or_default()
            .iter()
            .filter_map(|f| f.strip_prefix(parent).ok()?.components().next())
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        let wanted = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let help = diagnostic::did_you_mean(&wanted, siblings.iter().map(String::as_str))
            .unwrap_or_else(|| "check the path".to_string());
        diags.push(
            Diagnostic::error(Code::Io, format!("`{}` does not exist", p.display())).help(help),
        );
        return;
    }
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let parent = p.parent().map(Path::to_path_buf).unwrap_or_default();
    match name {
        "kommun.yaml" => out.push(Target::Kommun(parent)),
        "blankett.yaml" => out.push(Target::Library(parent)),
        n if n.ends_with(".form.yaml") => {
            out.push(Target::Form(library_root(fs, p), p.to_path_buf()))
        }
        n if n.ends_with(".fragment.yaml") => out.push(Target::Fragment(library_root(fs, p))),
        _ => {
            diags.push(
                Diagnostic::error(Code::InvalidFileName, format!("`{}` is not a blankett file", p.display()))
                    .help("blankett reads `<id>.form.yaml`, `<name>.fragment.yaml`, `blankett.yaml` and `kommun.yaml`"),
            );
        }
    }
}
