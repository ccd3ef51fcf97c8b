//! The forms being served: each kommun's services (the library forms with the kommun's
//! overrides), compiled once at start (and again on every save in `blankett dev`).

use blankett_compiler::backend::{self, Branding};
use blankett_compiler::ir::Form;
use blankett_compiler::ir::{Compilation, Kommun};
use blankett_compiler::source::RealFs;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Service {
    pub form: Arc<Form>,
    pub js: String,
}

pub struct KommunEntry {
    pub info: Option<Kommun>,
    pub branding: Branding,
    pub services: BTreeMap<String, Service>,
}

#[derive(Default)]
pub struct Registry {
    pub kommuner: BTreeMap<String, KommunEntry>,
}

impl Registry {
    /// Compiles the projects; `Err` carries the compilation so its diagnostics can be shown.
    pub fn compile(paths: &[PathBuf]) -> Result<Registry, Compilation> {
        let c = blankett_compiler::compile(&RealFs, paths);
        if c.has_errors() {
            return Err(c);
        }
        Ok(Registry::from_compilation(&c))
    }

    pub fn from_compilation(c: &Compilation) -> Registry {
        let mut kommuner = BTreeMap::new();
        for k in &c.kommuner {
            kommuner.insert(
                k.id.clone(),
                KommunEntry {
                    info: Some(k.clone()),
                    branding: Branding::of(k),
                    services: services(&k.forms),
                },
            );
        }
        if !c.forms.is_empty() && kommuner.is_empty() {
            let b = Branding::neutral();
            kommuner.insert(
                b.kommun_id.clone(),
                KommunEntry {
                    info: None,
                    branding: b,
                    services: services(&c.forms),
                },
            );
        }
        Registry { kommuner }
    }

    pub fn service(&self, kommun: &str, form: &str) -> Option<(&KommunEntry, &Service)> {
        let k = self.kommuner.get(kommun)?;
        Some((k, k.services.get(form)?))
    }
}

fn services(forms: &[Form]) -> BTreeMap<String, Service> {
    forms
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                Service {
                    form: Arc::new(f.clone()),
                    js: backend::js::generate(f),
                },
            )
        })
        .collect()
}
