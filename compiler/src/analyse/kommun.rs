//! Kommun projects (`kommun.yaml`): the kommun's facts and its services, each a library form
//! with the kommun's overrides applied.

use super::form::{compile_form, Overlay};
use super::library::{LibraryView, Loader};
use super::Checks;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::{Contact, Kommun};
use crate::syntax::{self, model as m};
use std::path::Path;

pub fn load(loader: &mut Loader, dir: &Path, checks: &Checks) -> Option<Kommun> {
    let (k, _) = loader.parse(&dir.join("kommun.yaml"), syntax::lower::kommun)?;
    let libs: Vec<usize> = k
        .libraries
        .iter()
        .filter_map(|d| loader.dependency(dir, d))
        .collect();
    let mut diags = Vec::new();
    if !super::resolve::is_snake_id(&k.kommun.value) {
        diags.push(
            Diagnostic::error(
                Code::InvalidId,
                format!("`{}` is not a valid kommun id", k.kommun.value),
            )
            .at(
                k.kommun.span,
                "ids are lowercase ASCII letters, digits and `_`",
            )
            .help(format!(
                "write `{}`",
                super::resolve::suggest_id(&k.kommun.value)
            )),
        );
    }
    if let Err(e) = crate::domain::orgnummer(&k.orgnr.value) {
        diags.push(
            Diagnostic::error(Code::InvalidOrgnr, format!("`{}` is not a valid organisation number", k.orgnr.value))
                .at(k.orgnr.span, sentence_as_label(&e.en))
                .help("write the kommun's organisation number as NNNNNN-NNNN, as Bolagsverket lists it (e.g. Orust: 212000-1439)"),
        );
    }
    let (primary, text) = colors(&k, &mut diags);
    facts(loader, dir, &k, &mut diags);
    // A library that could not be found was reported; its forms are unknown, not missing.
    let all_libraries = libs.len() == k.libraries.len();
    let mut forms = Vec::new();
    let mut products = Vec::new();
    let mut seen: Vec<&m::Sp<String>> = Vec::new();
    let mut prefixes: Vec<(String, (String, crate::source::Span))> = Vec::new();
    for service in &k.services {
        if let Some(first) = seen.iter().find(|s| s.value == service.form.value) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("the service `{}` is listed twice", service.form.value),
                )
                .at(service.form.span, "listed again here")
                .also(first.span, "first listed here")
                .help("list each form once; put all its overrides under that one entry"),
            );
            continue;
        }
        seen.push(&service.form);
        let found = libs.iter().find_map(|&li| {
            loader.libraries[li]
                .forms
                .iter()
                .find(|f| f.syntax.form.value == service.form.value)
                .map(|f| (li, f.syntax.clone()))
        });
        let Some((li, form)) = found else {
            if !all_libraries {
                continue;
            }
            let lib_refs: Vec<&super::library::Library> =
                libs.iter().map(|&li| &loader.libraries[li]).collect();
            if let Some(d) = super::renamed::service(&lib_refs, service) {
                diags.push(d);
                continue;
            }
            let names: Vec<String> = libs
                .iter()
                .flat_map(|&li| {
                    loader.libraries[li]
                        .forms
                        .iter()
                        .map(|f| f.syntax.form.value.clone())
                })
                .collect();
            diags.push(
                Diagnostic::error(
                    Code::UnknownService,
                    format!("no library has a form `{}`", service.form.value),
                )
                .at(service.form.span, "this service names no form")
                .help(
                    did_you_mean(&service.form.value, names.iter().map(String::as_str))
                        .unwrap_or_else(|| {
                            if names.is_empty() {
                                "the kommun's libraries have no forms".to_string()
                            } else {
                                format!("the libraries' forms are: {}", names.join(", "))
                            }
                        }),
                ),
            );
            continue;
        };
        let view = LibraryView {
            all: &loader.libraries,
            index: li,
        };
        let (f, mut d) = compile_form(
            view,
            &form,
            Overlay {
                service: Some(service),
            },
            checks,
        );
        super::renamed::explain(&loader.libraries[li], service, &mut d);
        // A problem in the library's file that only the kommun's overrides cause (a replaced
        // choice list without a value the form's conditions use) is the kommun's.
        let (_, base) = compile_form(view, &form, Overlay::default(), checks);
        // The library form's own errors break the kommun's service too, and a kommun may be
        // checked without its library: they are reported (once, if the library is checked
        // as well). Its warnings are the library maintainers' business.
        diags.extend(base.iter().filter(|d| d.is_error()).cloned());
        for d in d {
            let in_kommun = d.primary.as_ref().is_none_or(|l| {
                loader
                    .sources
                    .get(l.span.file)
                    .path
                    .ends_with("kommun.yaml")
            });
            // The same problem at the same place may be worded differently with the kommun's
            // lists (its help names their choices); it is still the library's problem.
            let in_base = base.iter().any(|b| {
                b.code == d.code
                    && b.message == d.message
                    && b.primary.as_ref().map(|l| l.span) == d.primary.as_ref().map(|l| l.span)
            });
            if in_kommun {
                diags.push(d);
            } else if !in_base {
                diags.push(caused_by_overrides(d, service));
            }
        }
        if let Some(p) = &service.shs_product {
            if !is_uuid(&p.value) {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, format!("`{}` is not an SHS product id", p.value))
                        .at(p.span, "expected a UUID such as `0b6e1c5e-7f4a-4c7e-9a53-2f1d3c4b5a69`")
                        .help("copy the product id exactly as the case system's SHS configuration lists it: 32 hexadecimal digits in groups of 8-4-4-4-12"),
                );
            }
            products.push((f.id.clone(), p.value.clone()));
        }
        // Receipt numbers name the service by their prefix: two services with one prefix
        // would hand out numbers nobody can tell apart.
        let at = service
            .reference_prefix
            .as_ref()
            .map_or(service.form.span, |p| p.span);
        if let Some((other, first)) = prefixes
            .iter()
            .find(|(_, (p, _))| *p == f.reference_prefix)
            .map(|(o, v)| (o.clone(), v.1))
        {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("the services `{other}` and `{}` both number their receipts `{}-…`", f.id, f.reference_prefix),
                )
                .at(at, format!("`{}` gets the reference prefix `{}`", f.id, f.reference_prefix))
                .also(first, format!("so does `{other}`"))
                .help(format!(
                    "give one of the services its own `reference_prefix:`, e.g. `reference_prefix: {}`",
                    super::form::default_prefix(&f.id)
                )),
            );
        }
        prefixes.push((f.id.clone(), (f.reference_prefix.clone(), at)));
        forms.push(f);
    }
    loader.diags.extend(diags);
    Some(Kommun {
        id: k.kommun.value.clone(),
        name: k.name.value.clone(),
        orgnr: k.orgnr.value.clone(),
        dir: dir.to_path_buf(),
        logo: k.logo.as_ref().map(|l| l.value.clone()),
        primary_color: primary,
        primary_text_color: text,
        contact: k
            .contact
            .as_ref()
            .map(|c| Contact {
                email: c.email.as_ref().map(|s| s.value.clone()),
                phone: c.phone.as_ref().map(|s| s.value.clone()),
                address: c.address.as_ref().map(|s| s.value.clone()),
                web: c.web.as_ref().map(|s| s.value.clone()),
            })
            .unwrap_or_default(),
        shs_address: k
            .shs
            .as_ref()
            .and_then(|s| s.address.as_ref().map(|a| a.value.clone())),
        shs_to: k
            .shs
            .as_ref()
            .and_then(|s| s.to.as_ref().map(|a| a.value.clone())),
        shs_url: k
            .shs
            .as_ref()
            .and_then(|s| s.url.as_ref().map(|a| a.value.clone())),
        forms,
        shs_products: products,
    })
}

/// A problem in a library form that appears only with a kommun's overrides, pointed at them.
fn caused_by_overrides(mut d: Diagnostic, service: &m::ServiceDef) -> Diagnostic {
    let lists: Vec<&m::Sp<String>> = service
        .choices
        .iter()
        .flat_map(|c| c.0.iter().map(|(n, _)| n))
        .collect();
    d.message = format!("with the kommun's overrides, {}", d.message);
    let help = d.help.take().unwrap_or_default();
    match lists.as_slice() {
        // The one list the kommun replaced lacks a value the form's conditions use.
        [list] if d.code == Code::UnknownChoiceValue => d
            .also(list.span, format!("the kommun's list `{}` replaces the form's", list.value))
            .help(format!(
                "the library form uses this value, so a condition on it could never be true: add it to the kommun's list `{}` ({help})",
                list.value
            )),
        _ => d
            .also(
                service.form.span,
                format!("the kommun's overrides of `{}`", service.form.value),
            )
            .help(format!(
                "the library form is fine on its own; change the kommun's overrides so that it still works ({help})"
            )),
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.trim().split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `"The organisation number is not correct. Check the digits."` as a label under the value.
fn sentence_as_label(s: &str) -> String {
    let lower_first = |part: &str| {
        let mut c = part.chars();
        c.next()
            .map(|f| f.to_lowercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    s.trim()
        .trim_end_matches('.')
        .split(". ")
        .map(lower_first)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The kommun's own facts that citizens see on every page and receipt: the logo file and the
/// contact details must be real.
fn facts(loader: &Loader, dir: &Path, k: &m::KommunFile, diags: &mut Vec<Diagnostic>) {
    if let Some(logo) = &k.logo {
        let path = super::library::normalize(&dir.join(&logo.value));
        if !loader.fs.exists(&path) || loader.fs.is_dir(&path) {
            // A misspelt or misplaced file: name the nearest file the project has.
            let files: Vec<String> = loader
                .fs
                .walk(dir)
                .unwrap_or_default()
                .iter()
                .filter_map(|f| {
                    Some(
                        f.strip_prefix(dir)
                            .ok()?
                            .to_string_lossy()
                            .replace('\\', "/"),
                    )
                })
                .filter(|f| !f.ends_with(".yaml"))
                .collect();
            let wanted = logo.value.rsplit('/').next().unwrap_or(&logo.value);
            let near = files
                .iter()
                .find(|f| f.rsplit('/').next() == Some(wanted))
                .cloned()
                .or_else(|| {
                    crate::diagnostic::closest(&logo.value, files.iter().map(String::as_str))
                        .map(str::to_string)
                });
            diags.push(
                Diagnostic::error(Code::Io, format!("the logo `{}` does not exist", logo.value))
                    .at(logo.span, "no file at this path in the kommun project")
                    .help(match near {
                        Some(f) => format!("did you mean `{f}`? the path is relative to the folder of kommun.yaml"),
                        None => "the path is relative to the folder of kommun.yaml; put the logo file there, e.g. `logo.svg`".to_string(),
                    }),
            );
        }
    }
    // The kommun's own SHS address carries its organisation number; another number there is
    // usually a copied example, and messages would go out in another kommun's name.
    if let Some(addr) = k.shs.as_ref().and_then(|s| s.address.as_ref()) {
        let digits: String = k.orgnr.value.chars().filter(char::is_ascii_digit).collect();
        let want = format!("urn:X-shs:{digits}");
        if !addr.value.trim().eq_ignore_ascii_case(&want) {
            diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("the SHS address `{}` is not the kommun's", addr.value),
                )
                .at(addr.span, format!("expected `{want}`, from `orgnr`"))
                .also(k.orgnr.span, "the kommun's organisation number")
                .help(format!("a kommun's own SHS address is `urn:X-shs:` and its organisation number without the dash: write `{want}`")),
            );
        }
    }
    let Some(c) = &k.contact else { return };
    type Check = fn(&str) -> Result<String, crate::domain::DomainError>;
    let checks: [(&Option<m::Sp<String>>, &str, Check); 2] = [
        (&c.email, "an email address", crate::domain::email),
        (&c.phone, "a phone number", crate::domain::phone),
    ];
    for (value, what, check) in checks {
        let Some(v) = value else { continue };
        if let Err(e) = check(&v.value) {
            diags.push(
                Diagnostic::error(Code::InvalidValue, format!("`{}` is not {what}", v.value))
                    .at(v.span, sentence_as_label(&e.en))
                    .help("citizens see the kommun's contact details on every page and receipt; write them as they should be used"),
            );
        }
    }
}

fn colors(k: &m::KommunFile, diags: &mut Vec<Diagnostic>) -> (String, String) {
    let default = ("#1d4f91".to_string(), "#ffffff".to_string());
    let Some(c) = &k.colors else { return default };
    let mut parse = |v: &Option<m::Sp<String>>,
                     fallback: &str|
     -> Option<(String, [f64; 3], crate::source::Span)> {
        let Some(v) = v else {
            return Some((fallback.to_string(), rgb(fallback)?, k.kommun.span));
        };
        match rgb(&v.value) {
            Some(c) => Some((v.value.to_ascii_lowercase(), c, v.span)),
            None => {
                diags.push(
                    Diagnostic::error(Code::InvalidValue, format!("`{}` is not a colour", v.value))
                        .at(v.span, "expected a hex colour")
                        .help("write the colour as `#rrggbb`, e.g. `#005a8c`"),
                );
                None
            }
        }
    };
    let primary = parse(&c.primary, &default.0);
    let text = parse(&c.text, &default.1);
    let (Some(p), Some(t)) = (primary, text) else {
        return default;
    };
    let ratio = contrast(p.1, t.1);
    if ratio < 4.5 {
        diags.push(
            Diagnostic::error(Code::LowContrast, format!("the colours {} and {} have a contrast of {ratio:.2}:1", p.0, t.0))
                .at(t.2, "text in this colour on the primary colour is hard to read")
                .also(p.2, "the primary colour")
                .help("WCAG 2.1 AA requires at least 4.5:1 for text; darken the primary colour or use white or black text"),
        );
    }
    (p.0, t.0)
}

fn rgb(s: &str) -> Option<[f64; 3]> {
    let h = s.strip_prefix('#')?;
    let h = match h.len() {
        6 => h.to_string(),
        3 => h.chars().flat_map(|c| [c, c]).collect(),
        _ => return None,
    };
    let v = u32::from_str_radix(&h, 16).ok()?;
    Some([
        ((v >> 16) & 255) as f64,
        ((v >> 8) & 255) as f64,
        (v & 255) as f64,
    ])
}

/// WCAG 2.1 contrast ratio of two sRGB colours.
pub fn contrast(a: [f64; 3], b: [f64; 3]) -> f64 {
    let lum = |c: [f64; 3]| {
        let ch = |v: f64| {
            let v = v / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}
