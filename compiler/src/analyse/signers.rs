//! `signing:` into the one list of who signs ([`ir::Signer`]): the list as written, checked
//! (role ids once each, expressions of the right type over known fields), or the list the
//! shorthands stand for. `applicant`: the one who sends. `guardians`: each guardian the form
//! names (`guardians:`, or every `personnummer` under a `vardnadshavare…` group), then the
//! one who sends.

use super::check::Env;
use super::resolve::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::signers::{LOGGED_IN, LOGGED_IN_FIELDS};
use crate::expr::{self, Expr, Lookup, LookupError, Ref, Type, TypeEnv};
use crate::ir::{self, Signing};
use crate::source::Span;
use crate::syntax::model::{self as m, Sp};
use std::collections::BTreeMap;

/// The form's names, and `inloggad.*`: the person who sends.
struct SignerTypes<'a> {
    form: Env<'a>,
}

impl TypeEnv for SignerTypes<'_> {
    fn lookup(&self, r: &Ref) -> Result<Lookup, LookupError> {
        let names: Vec<&str> = r.segments.iter().map(|s| s.name.as_str()).collect();
        match names.as_slice() {
            [LOGGED_IN] => Err(LookupError::NotAValue {
                why: format!(
                    "`{LOGGED_IN}` is the person who sends; write `{LOGGED_IN}.personnummer`, `{LOGGED_IN}.fornamn` or `{LOGGED_IN}.efternamn`"
                ),
            }),
            [LOGGED_IN, field] if LOGGED_IN_FIELDS.contains(field) => Ok(Lookup {
                ty: Type::Text,
                canonical: format!("{LOGGED_IN}.{field}"),
                choices: None,
            }),
            _ => self.form.lookup(r),
        }
    }
}

pub fn resolve(r: &mut Resolver, s: &m::FormFile) {
    match &s.signing {
        None => {}
        Some(m::SigningDef::Kind(k)) => match k.value {
            Signing::None | Signing::Signers => {}
            Signing::Applicant => push_applicant(r, k.span),
            Signing::Guardians => {
                for path in guardian_paths(r) {
                    let (pnr, email) = path;
                    let personnummer = reference(r, &pnr, k.span);
                    let email = email.and_then(|e| reference(r, &e, k.span));
                    if let Some(personnummer) = personnummer {
                        r.form.signers.push(ir::Signer {
                            role: "vardnadshavare".into(),
                            label: default_label("vardnadshavare", &r.form.languages),
                            personnummer,
                            name: None,
                            email,
                            when: None,
                        });
                    }
                }
                push_applicant(r, k.span);
            }
        },
        Some(m::SigningDef::Signers(list)) => {
            if list.value.is_empty() {
                r.diags.push(
                    Diagnostic::error(Code::InvalidValue, "`signing` lists no signer")
                        .at(list.span, "nobody signs")
                        .help("add a signer, e.g. `- {role: sokande, personnummer: inloggad.personnummer}`, or write `signing: none`"),
                );
            }
            let mut roles: BTreeMap<String, Span> = BTreeMap::new();
            for def in &list.value {
                signer(r, def, &mut roles);
            }
        }
    }
}

/// `applicant`: the person who sends signs.
fn push_applicant(r: &mut Resolver, at: Span) {
    if let Some(personnummer) = reference(r, &format!("{LOGGED_IN}.personnummer"), at) {
        r.form.signers.push(ir::Signer {
            role: "sokande".into(),
            label: default_label("sokande", &r.form.languages),
            personnummer,
            name: None,
            email: None,
            when: None,
        });
    }
}

/// The personnummer and e-mail paths of the guardians `signing: guardians` names.
fn guardian_paths(r: &Resolver) -> Vec<(String, Option<String>)> {
    if !r.form.guardians.is_empty() {
        return r
            .form
            .guardians
            .iter()
            .map(|g| (g.personnummer.clone(), g.email.clone()))
            .collect();
    }
    r.form
        .fields
        .iter()
        .filter(|f| {
            f.parent.is_none()
                && f.path.starts_with("vardnadshavare")
                && f.path.ends_with(".personnummer")
        })
        .map(|f| (f.path.clone(), None))
        .collect()
}

/// A reference to `path`, checked (so it is resolved), for a shorthand's signer.
fn reference(r: &mut Resolver, path: &str, at: Span) -> Option<Expr> {
    let mut e = expr::parse(path, at).ok()?;
    check(r, &mut e, None);
    Some(e)
}

fn check(r: &mut Resolver, e: &mut Expr, expected: Option<&Type>) -> Type {
    let scope = r.page_scope.clone();
    let env = SignerTypes {
        form: Env {
            form: &r.form,
            scope: &scope,
            computed: &r.computed_types,
            broken: &r.broken,
            seen: Default::default(),
        },
    };
    let mut diags = Vec::new();
    let ty = expr::check(e, &env, expected, &mut diags);
    r.diags.extend(diags);
    ty
}

/// A text expression, or a list of texts (one signer per item): `key` names it in messages.
fn text_expr(r: &mut Resolver, src: &m::ExprSrc, key: &str) -> Option<Expr> {
    let mut e = r.parse_expr(src)?;
    let ty = check(r, &mut e, None);
    if ty.fits(&Type::Text) || ty.fits(&Type::list(Type::Text)) {
        return Some(e);
    }
    let help = match key {
        "personnummer" => format!(
            "name the field that holds the signer's personnummer, e.g. `firmatecknare.personnummer`, or `{LOGGED_IN}.personnummer` for the one who sends"
        ),
        "email" => "name the field that holds the signer's e-mail address".to_string(),
        _ => "name the field that holds the signer's name, or write a text".to_string(),
    };
    r.diags.push(
        Diagnostic::error(
            Code::TypeMismatch,
            format!("a signer's `{key}` must be text, found {}", ty.noun()),
        )
        .at(e.span, format!("this is {}", ty.noun()))
        .help(help),
    );
    None
}

fn signer(r: &mut Resolver, def: &m::SignerDef, roles: &mut BTreeMap<String, Span>) {
    let role: &Sp<String> = &def.role;
    let valid = r.id(role, "signer role");
    if let Some(first) = roles.get(&role.value) {
        r.diags.push(
            Diagnostic::error(
                Code::DuplicateId,
                format!("the signer role `{}` is given twice", role.value),
            )
            .at(role.span, "given again here")
            .also(*first, "first given here")
            .help("give each signer its own role; a role whose `personnummer` is a list (`agare[*].personnummer`) asks each of them"),
        );
    } else {
        roles.insert(role.value.clone(), role.span);
    }
    let personnummer = text_expr(r, &def.personnummer, "personnummer");
    let name = def.name.as_ref().and_then(|n| text_expr(r, n, "name"));
    let email = def.email.as_ref().and_then(|n| text_expr(r, n, "email"));
    let when = def.when.as_ref().and_then(|w| {
        let mut e = r.parse_expr(w)?;
        check(r, &mut e, Some(&Type::Bool));
        Some(e)
    });
    let label = match &def.label {
        Some(t) => r.texts.text(t),
        None => default_label(&role.value, &r.form.languages),
    };
    if let (true, Some(personnummer)) = (valid, personnummer) {
        r.form.signers.push(ir::Signer {
            role: role.value.clone(),
            label,
            personnummer,
            name,
            email,
            when,
        });
    }
}

/// A role's label when the form gives none: the known roles' names, else the id as words.
fn default_label(role: &str, languages: &[String]) -> ir::Text {
    let known = [
        ("sokande", "Sökande", "Applicant"),
        ("medsokande", "Medsökande", "Co-applicant"),
        ("vardnadshavare", "Vårdnadshavare", "Guardian"),
        ("firmatecknare", "Firmatecknare", "Authorised signatory"),
        ("fastighetsagare", "Fastighetsägare", "Property owner"),
        ("ombud", "Ombud", "Representative"),
        ("fullmaktsgivare", "Fullmaktsgivare", "Principal"),
    ];
    let (sv, en) = match known.iter().find(|(id, _, _)| *id == role) {
        Some((_, sv, en)) => (sv.to_string(), en.to_string()),
        None => {
            let words = role.replace('_', " ");
            let mut c = words.chars();
            let shown = match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            };
            (shown.clone(), shown)
        }
    };
    let mut by_lang = BTreeMap::new();
    by_lang.insert("sv".to_string(), sv);
    if languages.iter().any(|l| l == "en") {
        by_lang.insert("en".to_string(), en);
    }
    ir::Text(by_lang)
}
