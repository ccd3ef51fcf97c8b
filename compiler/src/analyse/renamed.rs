//! Names a library renamed (`renamed:` in its `blankett.yaml`). A kommun overlay written for an
//! older version may still use an old name; instead of "unknown field" it is told what the name
//! is now and since which version, so an upgrade is a search-and-replace, not detective work.

use super::library::Library;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::syntax::model as m;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Field,
    Page,
    List,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Field => "field",
            Kind::Page => "page",
            Kind::List => "choice list",
        }
    }
    fn old(self, r: &m::RenameDef) -> Option<&m::Sp<String>> {
        match self {
            Kind::Field => r.field.as_ref(),
            Kind::Page => r.page.as_ref(),
            Kind::List => r.list.as_ref(),
        }
    }
}

/// The new name of `name` in `form`, if the library renamed it. A renamed group renames the
/// paths under it too: `sokande.namn` becomes `person.namn` when `sokande` became `person`.
fn new_name<'a>(
    lib: &'a Library,
    form: &str,
    kind: Kind,
    name: &str,
) -> Option<(&'a m::RenameDef, String)> {
    lib.renamed
        .iter()
        .filter(|r| r.form.value == form)
        .find_map(|r| {
            let old = &kind.old(r)?.value;
            if name == old {
                return Some((r, r.to.value.clone()));
            }
            let rest = name.strip_prefix(old.as_str())?.strip_prefix('.')?;
            (kind == Kind::Field).then(|| (r, format!("{}.{rest}", r.to.value)))
        })
}

/// `what` names the kind of thing ("the field"), `of` what it belongs to (" of `felanmalan`").
fn renamed(
    lib: &Library,
    r: &m::RenameDef,
    what: &str,
    of: &str,
    old: &str,
    new: &str,
    at: Span,
) -> Diagnostic {
    Diagnostic::error(
        Code::RenamedInLibrary,
        format!(
            "{what} `{old}`{of} was renamed to `{new}` in {} {}",
            lib.name, r.since.value
        ),
    )
    .at(at, "the old name, which the library no longer has")
    .also(r.to.span, "renamed here")
    .help(format!(
        "write `{new}` instead of `{old}`; the library's CHANGELOG.md says what else changed in {}",
        r.since.value
    ))
}

/// A service naming a form the library has renamed.
pub fn service(libs: &[&Library], service: &m::ServiceDef) -> Option<Diagnostic> {
    libs.iter().find_map(|lib| {
        let r = lib.renamed.iter().find(|r| {
            r.form.value == service.form.value
                && r.field.is_none()
                && r.page.is_none()
                && r.list.is_none()
        })?;
        Some(renamed(
            lib,
            r,
            "the form",
            "",
            &service.form.value,
            &r.to.value,
            service.form.span,
        ))
    })
}

/// Replaces the "unknown …" diagnostics at a service's overrides that use names the library
/// renamed with ones that give the new name.
pub fn explain(lib: &Library, service: &m::ServiceDef, diags: &mut [Diagnostic]) {
    let form = &service.form.value;
    let fields = service
        .fields
        .iter()
        .flat_map(|o| o.0.iter().map(|(p, _)| (p, Kind::Field)));
    let lists = service
        .choices
        .iter()
        .flat_map(|c| c.0.iter().map(|(n, _)| (n, Kind::List)));
    let pages = service
        .add_fields
        .iter()
        .flatten()
        .map(|a| (&a.page, Kind::Page));
    for (name, kind) in fields.chain(lists).chain(pages) {
        let Some((r, new)) = new_name(lib, form, kind, &name.value) else {
            continue;
        };
        let unknown = [
            Code::UnknownField,
            Code::UnknownChoiceList,
            Code::UnknownPage,
        ];
        for d in diags.iter_mut() {
            let here = d.primary.as_ref().is_some_and(|l| l.span == name.span);
            if here && unknown.contains(&d.code) {
                let what = format!("the {}", kind.noun());
                let of = format!(" of `{form}`");
                *d = renamed(lib, r, &what, &of, &name.value, &new, name.span);
            }
        }
    }
}
