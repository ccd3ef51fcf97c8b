//! Kommun projects (`kommun.yaml`): the kommun's facts and its services, each a library form
//! with the kommun's overrides applied.

use super::form::{compile_form, Overlay};
use super::library::{LibraryView, Loader};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir;
use crate::syntax::{self, model as m};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kommun {
    pub id: String,
    pub name: String,
    pub orgnr: String,
    pub dir: PathBuf,
    pub logo: Option<String>,
    pub primary_color: String,
    pub primary_text_color: String,
    pub contact: Contact,
    pub shs_address: Option<String>,
    pub shs_to: Option<String>,
    pub shs_url: Option<String>,
    /// The services, each its form with the kommun's overrides applied.
    pub forms: Vec<ir::Form>,
    /// SHS product id per form id.
    pub shs_products: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Contact {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub web: Option<String>,
}

pub fn load(loader: &mut Loader, dir: &Path) -> Option<Kommun> {
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
        )
    }
    if let Err(e) = crate::domain::orgnummer(&k.orgnr.value) {
        diags.push(
            Diagnostic::error(Code::InvalidOrgnr, format!("`{}` is not a valid organisation number", k.orgnr.value))
                .at(k.orgnr.span, e.en.trim_end_matches('.').to_lowercase())
                .help("write the kommun's organisation number as NNNNNN-NNNN, as Bolagsverket lists it (e.g. Orust: 212000-1439)"),
        );
    }
    let (primary, text) = colors(&k, &mut diags);
    let mut forms = Vec::new();
    let mut products = Vec::new();
    for service in &k.services {
        let found = libs.iter().find_map(|&li| {
            loader.libraries[li]
                .forms
                .iter()
                .find(|f| f.syntax.form.value == service.form.value)
                .map(|f| (li, f.syntax.clone()))
        });
        let Some((li, form)) = found else {
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
                            format!("the libraries' forms are: {}", names.join(", "))
                        }),
                ),
            );
            continue;
        };
        let view = LibraryView {
            all: &loader.libraries,
            index: li,
        };
        let (f, d) = compile_form(
            view,
            &form,
            Overlay {
                service: Some(service),
            },
        );
        // A kommun's diagnostics about the library form itself were already reported by the library.
        diags.extend(d.into_iter().filter(|d| {
            d.primary
                .as_ref()
                .map(|l| {
                    loader
                        .sources
                        .get(l.span.file)
                        .path
                        .ends_with("kommun.yaml")
                })
                .unwrap_or(true)
        }));
        if let Some(p) = &service.shs_product {
            products.push((f.id.clone(), p.value.clone()));
        }
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
