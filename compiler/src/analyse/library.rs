//! Loading libraries (`blankett.yaml` folders): their forms, fragments and dependencies.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileSystem, SourceMap, Span};
use crate::syntax::{self, model as m};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct Library {
    pub root: PathBuf,
    pub name: String,
    pub version: Option<semver::Version>,
    pub languages: Vec<String>,
    pub fragments: BTreeMap<String, (m::FragmentFile, Span)>,
    pub forms: Vec<LoadedForm>,
    /// Libraries this one depends on, as indexes into the loader's list.
    pub depends: Vec<usize>,
    /// What the library renamed, for kommun overlays written against an older version.
    pub renamed: Vec<m::RenameDef>,
    /// The groups e-services are listed in, in the library's order.
    pub categories: Vec<m::CategoryDef>,
}

#[derive(Debug, Clone)]
pub struct LoadedForm {
    pub path: PathBuf,
    pub syntax: m::FormFile,
}

/// A library as the resolver sees it: its own fragments, then its dependencies'.
#[derive(Clone, Copy)]
pub struct LibraryView<'a> {
    pub all: &'a [Library],
    pub index: usize,
}

impl<'a> LibraryView<'a> {
    pub fn fragment(&self, name: &str) -> Option<(&'a m::FragmentFile, Span)> {
        Library::fragment_in(self.all, self.index, name)
    }
    pub fn fragment_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut stack = vec![self.index];
        let mut seen = Vec::new();
        while let Some(i) = stack.pop() {
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            names.extend(self.all[i].fragments.keys().cloned());
            stack.extend(self.all[i].depends.iter().copied());
        }
        names.sort();
        names.dedup();
        names
    }
    /// The category `id` and its place in the list, from this library or its dependencies.
    pub fn category(&self, id: &str) -> Option<(usize, &'a m::CategoryDef)> {
        self.all_categories()
            .into_iter()
            .enumerate()
            .find(|(_, c)| c.id.value == id)
    }
    /// This library's categories, then its dependencies' (the order the index shows them in).
    pub fn all_categories(&self) -> Vec<&'a m::CategoryDef> {
        let mut out = Vec::new();
        let mut queue = std::collections::VecDeque::from([self.index]);
        let mut seen = Vec::new();
        while let Some(i) = queue.pop_front() {
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            out.extend(self.all[i].categories.iter());
            queue.extend(self.all[i].depends.iter().copied());
        }
        out
    }
    pub fn languages(&self) -> &'a [String] {
        &self.all[self.index].languages
    }
}

impl Library {
    /// The fragment in this library or, breadth first, in its dependencies. Each library is
    /// asked once, so even a circle of dependencies (reported when loading) ends.
    pub fn fragment_in<'a>(
        all: &'a [Library],
        index: usize,
        name: &str,
    ) -> Option<(&'a m::FragmentFile, Span)> {
        let mut queue = std::collections::VecDeque::from([index]);
        let mut seen = Vec::new();
        while let Some(i) = queue.pop_front() {
            if seen.contains(&i) {
                continue;
            }
            seen.push(i);
            if let Some((f, s)) = all[i].fragments.get(name) {
                return Some((f, *s));
            }
            queue.extend(all[i].depends.iter().copied());
        }
        None
    }
}

/// Normalizes `a/./b/../c` to `a/c` without touching the disk (the file system may be in memory).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

pub struct Loader<'a> {
    pub fs: &'a dyn FileSystem,
    pub sources: SourceMap,
    pub diags: Vec<Diagnostic>,
    pub libraries: Vec<Library>,
    /// The libraries being loaded, outermost first: a dependency on one of them is a circle.
    loading: Vec<PathBuf>,
}

impl<'a> Loader<'a> {
    pub fn new(fs: &'a dyn FileSystem) -> Self {
        Loader {
            fs,
            sources: SourceMap::new(),
            diags: Vec::new(),
            libraries: Vec::new(),
            loading: Vec::new(),
        }
    }

    /// Reads a file into the source map; a read error becomes a diagnostic.
    pub fn read(&mut self, path: &Path) -> Option<crate::source::FileId> {
        if let Some(id) = self.sources.find(path) {
            return Some(id);
        }
        match self.fs.read(path) {
            Ok(text) => Some(self.sources.add(
                path.display().to_string(),
                path.to_path_buf(),
                text,
            )),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(Code::Io, format!("cannot read `{}`: {e}", path.display()))
                        .help("check that the file exists, is readable and is saved as UTF-8"),
                );
                None
            }
        }
    }

    pub fn parse<T>(
        &mut self,
        path: &Path,
        lower: impl FnOnce(&syntax::reader::Ctx, &syntax::yaml::Node) -> Option<T>,
    ) -> Option<(T, Span)> {
        let file = self.read(path)?;
        let text = self.sources.get(file).text.clone();
        if text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            // One message for the file, not one per key it lacks.
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            let start = match name.as_str() {
                "blankett.yaml" => "`library: <name>` and `version: 1.0.0`",
                "kommun.yaml" => "`kommun: <id>`, `name:`, `orgnr:`, `libraries:` and `services:`",
                n if n.ends_with(".fragment.yaml") => "`fragment: <name>` and `fields:`",
                _ => "`form: <id>`, `version: 1.0.0`, `title:` and `pages:`",
            };
            self.diags.push(
                Diagnostic::error(Code::MissingKey, format!("`{name}` is empty"))
                    .at(Span::new(file, 0, 0), "nothing in this file")
                    .help(format!(
                        "write its content, starting with {start}, or delete the file"
                    )),
            );
            return None;
        }
        let (value, diags) = syntax::read(file, &text, lower);
        self.diags.extend(diags);
        value.map(|v| (v, Span::new(file, 0, 0)))
    }

    /// Loads the library in `dir` (once), with its dependencies.
    pub fn library(&mut self, dir: &Path) -> Option<usize> {
        let dir = normalize(dir);
        if let Some(i) = self.libraries.iter().position(|l| l.root == dir) {
            return Some(i);
        }
        let index = self.libraries.len();
        self.libraries.push(Library {
            root: dir.clone(),
            ..Default::default()
        });
        let manifest = dir.join("blankett.yaml");
        let mut depends = Vec::new();
        if self.fs.exists(&manifest) {
            if let Some((lib, _)) = self.parse(&manifest, syntax::lower::library) {
                let version = self.version(&lib.version);
                let l = &mut self.libraries[index];
                l.name = lib.library.value.clone();
                l.version = version;
                l.languages = lib
                    .languages
                    .iter()
                    .flatten()
                    .map(|s| s.value.clone())
                    .collect();
                l.renamed = lib.renamed.unwrap_or_default();
                l.categories = lib.categories.unwrap_or_default();
                for (i, c) in l.categories.iter().enumerate() {
                    if let Some(first) = l.categories[..i].iter().find(|f| f.id.value == c.id.value)
                    {
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateId,
                                format!("the category `{}` is listed twice", c.id.value),
                            )
                            .at(c.id.span, "listed again here")
                            .also(first.id.span, "first listed here")
                            .help("give each category its own id"),
                        );
                    }
                }
                depends = lib.depends.unwrap_or_default();
            }
        }
        self.loading.push(dir.clone());
        let deps: Vec<usize> = depends
            .iter()
            .filter_map(|d| self.dependency(&dir, d))
            .collect();
        self.loading.pop();
        self.libraries[index].depends = deps;
        self.load_files(index, &dir);
        Some(index)
    }

    pub fn version(&mut self, v: &m::Sp<String>) -> Option<semver::Version> {
        match semver::Version::parse(&v.value) {
            Ok(ver) => Some(ver),
            Err(_) => {
                self.diags.push(version_error(v));
                None
            }
        }
    }

    /// Resolves a `{path, version}` dependency relative to `from`.
    pub fn dependency(&mut self, from: &Path, d: &m::DependDef) -> Option<usize> {
        let dir = normalize(&from.join(&d.path.value));
        if !self.fs.exists(&dir.join("blankett.yaml")) {
            self.diags.push(
                Diagnostic::error(Code::UnknownLibrary, format!("no library at `{}`", d.path.value))
                    .at(d.path.span, format!("`{}` has no blankett.yaml", dir.display()))
                    .help("the path is relative to this file's folder and must name a folder with a `blankett.yaml`"),
            );
            return None;
        }
        if let Some(at) = self.loading.iter().position(|l| *l == dir) {
            // Libraries by the names they give themselves, or their folder before that is known.
            let name = |root: &PathBuf| {
                let lib = self.libraries.iter().find(|l| l.root == *root);
                match lib.map(|l| l.name.as_str()).filter(|n| !n.is_empty()) {
                    Some(n) => format!("`{n}`"),
                    None => format!("`{}`", root.display()),
                }
            };
            let names: Vec<String> = self.loading[at..].iter().chain([&dir]).map(name).collect();
            let through = &names[1..names.len() - 1];
            let message = if through.is_empty() {
                format!("the library {} depends on itself", names[0])
            } else {
                format!(
                    "the library {} depends on itself, through {}",
                    names[0],
                    through.join(" and ")
                )
            };
            self.diags.push(
                Diagnostic::error(Code::LibraryCycle, message)
                .at(d.path.span, "this dependency closes a circle")
                .help(format!(
                    "the chain is {}; a library cannot depend on one that depends on it, so remove this dependency",
                    names.join(" → ")
                )),
            );
            return None;
        }
        let req = match semver::VersionReq::parse(&d.version.value) {
            Ok(r) => Some(r),
            Err(e) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::InvalidVersion,
                        format!("`{}` is not a version requirement", d.version.value),
                    )
                    .at(d.version.span, e.to_string())
                    .help(
                        "write a requirement such as `^1.2` (1.2 or later, below 2.0) or `=1.2.3`",
                    ),
                );
                None
            }
        };
        let index = self.library(&dir)?;
        if let (Some(req), Some(have)) = (req, self.libraries[index].version.clone()) {
            if !req.matches(&have) {
                let name = self.libraries[index].name.clone();
                self.diags.push(
                    Diagnostic::error(Code::VersionMismatch, format!("the library `{name}` is version {have}, which does not meet `{}`", d.version.value))
                        .at(d.version.span, format!("requires {}", d.version.value))
                        .help(format!("change the requirement to `^{}.{}` after checking the library's changelog, or use a library version that meets it", have.major, have.minor)),
                );
            }
        }
        Some(index)
    }

    fn load_files(&mut self, index: usize, dir: &Path) {
        let files = match self.fs.walk(dir) {
            Ok(f) => f,
            Err(e) => {
                self.diags.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot list `{}`: {e}", dir.display()),
                ));
                return;
            }
        };
        let nested: Vec<PathBuf> = files
            .iter()
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                (name == "blankett.yaml" || name == "kommun.yaml") && p.parent() != Some(dir)
            })
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .collect();
        for path in files {
            if nested.iter().any(|n| path.starts_with(n)) {
                continue;
            }
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if let Some(stem) = name.strip_suffix(".form.yaml") {
                if let Some((form, _)) = self.parse(&path, syntax::lower::form) {
                    if form.form.value != stem {
                        self.diags.push(
                            Diagnostic::error(
                                Code::InvalidFileName,
                                format!(
                                    "the form `{}` is in a file named `{name}`",
                                    form.form.value
                                ),
                            )
                            .at(form.form.span, format!("the file name says `{stem}`"))
                            .help(format!(
                                "rename the file to `{}.form.yaml`, or the form to `{stem}`",
                                form.form.value
                            )),
                        );
                    }
                    // Services and the runtime find a form by its id: a second form with the
                    // same id would never be found.
                    let first = self.libraries[index]
                        .forms
                        .iter()
                        .find(|f| f.syntax.form.value == form.form.value)
                        .map(|f| f.syntax.form.span);
                    if let Some(first) = first {
                        self.diags.push(
                            Diagnostic::error(
                                Code::DuplicateId,
                                format!("the library has two forms `{}`", form.form.value),
                            )
                            .at(form.form.span, "defined again here")
                            .also(first, "first defined here")
                            .help("a form's id is its name in the library; give one of them another id and file name"),
                        );
                        continue;
                    }
                    self.libraries[index].forms.push(LoadedForm {
                        path: path.clone(),
                        syntax: form,
                    });
                }
            } else if name.ends_with(".fragment.yaml") {
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                let key = rel.trim_end_matches(".fragment.yaml").to_string();
                if let Some((frag, span)) = self.parse(&path, syntax::lower::fragment) {
                    // The file name is what `use` names, so a different `fragment:` inside is
                    // a name nobody can use: the author renamed one and not the other.
                    let stem = name.trim_end_matches(".fragment.yaml");
                    if frag.fragment.value != stem {
                        self.diags.push(
                            Diagnostic::error(
                                Code::InvalidFileName,
                                format!(
                                    "the fragment `{}` is in a file named `{name}`",
                                    frag.fragment.value
                                ),
                            )
                            .at(
                                frag.fragment.span,
                                format!("`use: {key}` names this file"),
                            )
                            .help(format!(
                                "rename the file to `{}.fragment.yaml`, or the fragment to `{stem}`",
                                frag.fragment.value
                            )),
                        );
                    }
                    self.libraries[index].fragments.insert(key, (frag, span));
                }
            } else if name.ends_with(".form.yml") || name.ends_with(".fragment.yml") {
                let file = self.read(&path);
                let mut d =
                    Diagnostic::error(Code::InvalidFileName, format!("`{name}` ends in `.yml`"))
                        .help(format!(
                            "rename it to `{}.yaml` so blankett reads it",
                            name.trim_end_matches(".yml")
                        ));
                if let Some(f) = file {
                    d = d.at(Span::new(f, 0, 0), "this file is skipped");
                }
                self.diags.push(d);
            }
        }
    }
}

/// A library's or a form's version that is not semver, with the likely fix.
pub fn version_error(v: &m::Sp<String>) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidVersion,
        format!("`{}` is not a version", v.value),
    )
    .at(v.span, "expected three numbers, MAJOR.MINOR.PATCH")
    .help(match fix_version(&v.value) {
        Some(f) => format!("versions have three numbers: write `{f}`"),
        None => "versions have three numbers, MAJOR.MINOR.PATCH, e.g. `1.0.0`".to_string(),
    })
}

/// `1.0` → `1.0.0`, `v2` → `2.0.0`.
fn fix_version(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches('v');
    let parts: Vec<&str> = v.split('.').collect();
    if parts.is_empty()
        || parts.len() > 3
        || !parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let mut p: Vec<String> = parts
        .iter()
        .map(|s| s.trim_start_matches('0').to_string())
        .map(|s| if s.is_empty() { "0".into() } else { s })
        .collect();
    while p.len() < 3 {
        p.push("0".into());
    }
    Some(p.join("."))
}
