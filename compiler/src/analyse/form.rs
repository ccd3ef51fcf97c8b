//! One form from syntax to IR: header, choices, pages, rules, mapping and tests.

use super::library::LibraryView;
use super::resolve::{Resolver, Scope};
use super::texts::Texts;
use super::Checks;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::expr::ast::{Expr, ExprKind};
use crate::expr::{self, Type};
use crate::ir::{self, FieldType, Identification, Signing, TemplatePart};
use crate::source::Span;
use crate::syntax::model::{self as m, Sp};
use std::collections::BTreeMap;

/// What a kommun's service changes in a form before it is resolved.
#[derive(Default)]
pub struct Overlay<'a> {
    pub service: Option<&'a m::ServiceDef>,
}

pub fn compile_form(
    lib: LibraryView,
    syntax: &m::FormFile,
    overlay: Overlay,
    checks: &Checks,
) -> (ir::Form, Vec<Diagnostic>) {
    let texts = Texts::new(lib.languages());
    let mut r = Resolver::new(lib, texts);
    r.form.languages = if lib.languages().is_empty() {
        vec!["sv".into()]
    } else {
        lib.languages().to_vec()
    };
    // Set first: problems found on the way (a mapping without a title) point at the form.
    r.form.source_span = Some(syntax.form.span);
    header(&mut r, syntax);
    if let Some(lists) = &syntax.choices {
        r.choice_lists(lists);
    }
    let mut pages: Vec<m::PageDef> = syntax.pages.clone();
    if let Some(service) = overlay.service {
        super::overlay::before_resolve(&mut r, &mut pages, service);
    }
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        r.id(&page.id, "page");
        if let Some(first) = seen.get(&page.id.value) {
            r.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("the page `{}` is defined twice", page.id.value),
                )
                .at(page.id.span, "defined again here")
                .also(*first, "first defined here")
                .help("give one of the pages another id"),
            );
        }
        seen.insert(page.id.value.clone(), page.id.span);
        r.page(page, i);
    }
    for rule in syntax.rules.iter().flatten() {
        self::rule(&mut r, rule);
    }
    if let Some(service) = overlay.service {
        super::overlay::after_resolve(&mut r, service);
    }
    r.check_expressions();
    guardians(&mut r, syntax);
    super::signers::resolve(&mut r, syntax);
    let mut mapping_def = merged_mapping(
        syntax.mapping.as_ref(),
        overlay.service.and_then(|s| s.mapping.as_ref()),
    );
    if let Some(service) = overlay.service {
        service_codes(&mut r, &mut mapping_def, service);
    }
    if let Some(md) = &mapping_def {
        let before = r.diags.iter().filter(|d| d.is_error()).count();
        r.form.mapping = mapping(&mut r, md);
        // Only a mapping whose names resolved can be judged for translation.
        if r.form.mapping.is_some() && r.diags.iter().filter(|d| d.is_error()).count() == before {
            r.diags.extend((checks.mapping)(&r.form));
        }
    }
    r.check_prefills();
    super::stop_pages::check(&mut r, &pages);
    let before_tests = r.diags.len();
    super::tests::check_names(&mut r, syntax.tests.iter().flatten());
    for t in syntax.tests.iter().flatten() {
        if let Some(tc) = super::tests::test_case(&mut r, t) {
            r.form.tests.push(tc);
        }
    }
    if overlay.service.is_some() {
        // The library's tests are the library's: they were checked, at their place, when the
        // library was. A kommun sees only what its own overrides change.
        r.diags.truncate(before_tests);
    }
    r.form.seal();
    let mut diags = r.diags;
    diags.extend(r.texts.take());
    (r.form, diags)
}

fn header(r: &mut Resolver, s: &m::FormFile) {
    r.id(&s.form, "form");
    r.form.id = s.form.value.clone();
    r.form.version = s.version.value.clone();
    if semver::Version::parse(&s.version.value).is_err() {
        r.diags.push(super::library::version_error(&s.version));
    }
    r.form.title = r.texts.text(&s.title);
    r.form.description = s.description.as_ref().map(|d| r.texts.text(d));
    r.form.identification = s
        .identification
        .as_ref()
        .map(|i| i.value)
        .unwrap_or(Identification::None);
    let (signing, signing_span) = match &s.signing {
        Some(m::SigningDef::Kind(k)) => (k.value, Some(k.span)),
        Some(m::SigningDef::Signers(l)) => (Signing::Signers, Some(l.span)),
        None => (Signing::None, None),
    };
    r.form.signing = signing;
    if let (Some(span), Identification::None | Identification::Optional) =
        (signing_span, r.form.identification)
    {
        if signing != Signing::None {
            r.diags.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    "signing needs `identification: required`",
                )
                .at(span, "only a logged-in person can sign")
                .help("set `identification: required` on the form, or remove `signing`"),
            );
        }
    }
    r.form.reference_prefix = match &s.reference_prefix {
        Some(p) => {
            if let Some(d) = reference_prefix_error(p, &s.form.value) {
                r.diags.push(d);
            }
            p.value.clone()
        }
        None => default_prefix(&s.form.value),
    };
    if let Some(c) = &s.category {
        category(r, c);
    }
    r.form.duration_minutes = s
        .duration_minutes
        .as_ref()
        .and_then(|d| u32::try_from(d.value).ok());
    r.form.you_need = s
        .you_need
        .iter()
        .flatten()
        .map(|t| r.texts.text(t))
        .collect();
}

fn category(r: &mut Resolver, c: &Sp<String>) {
    match r.lib.category(&c.value) {
        Some((order, def)) => {
            r.form.category = Some(ir::Category {
                id: def.id.value.clone(),
                title: r.texts.text(&def.title),
                order,
            })
        }
        None => {
            let ids: Vec<String> = r
                .lib
                .all_categories()
                .iter()
                .map(|c| c.id.value.clone())
                .collect();
            let help = did_you_mean(&c.value, ids.iter().map(String::as_str)).unwrap_or_else(|| {
                if ids.is_empty() {
                    "list the categories in the library's blankett.yaml: `categories: [{id: bygga_bo, title: \"Bygga och bo\"}]`".into()
                } else {
                    format!("the library's categories are: {}", ids.join(", "))
                }
            });
            r.diags.push(
                Diagnostic::error(
                    Code::UnknownCategory,
                    format!("unknown category `{}`", c.value),
                )
                .at(c.span, "no category with this id in the library")
                .help(help),
            );
        }
    }
}

/// A receipt number's prefix is 2 to 6 capital letters A–Z (a form's, or a kommun's own).
pub fn reference_prefix_error(p: &Sp<String>, form: &str) -> Option<Diagnostic> {
    let ok = (2..=6).contains(&p.value.len()) && p.value.chars().all(|c| c.is_ascii_uppercase());
    if ok {
        return None;
    }
    let upper: String = p
        .value
        .chars()
        .map(|c| match c {
            'å' | 'ä' | 'Å' | 'Ä' => 'A',
            'ö' | 'Ö' => 'O',
            c => c.to_ascii_uppercase(),
        })
        .filter(char::is_ascii_uppercase)
        .take(6)
        .collect();
    let fix = if upper.len() >= 2 {
        upper
    } else {
        default_prefix(form)
    };
    Some(
        Diagnostic::error(
            Code::InvalidValue,
            format!("`{}` is not a reference prefix", p.value),
        )
        .at(p.span, "expected 2 to 6 capital letters A–Z")
        .help(format!(
            "receipt numbers look like `{fix}-2026-000123`; write e.g. `{fix}`"
        )),
    )
}

pub fn default_prefix(id: &str) -> String {
    let p: String = id
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    if p.len() < 2 {
        "ANS".into()
    } else {
        p
    }
}

/// Finds a field by the path an author wrote, with did-you-mean when it is not there.
pub fn field_ref(r: &mut Resolver, path: &Sp<String>, what: &str) -> Option<ir::FieldId> {
    let wanted = path.value.replace("[*]", "");
    if let Some(id) = r.form.field(&wanted) {
        return Some(id);
    }
    if r.is_broken(&wanted) {
        return None;
    }
    let names: Vec<&str> = r.form.fields.iter().map(|f| f.path.as_str()).collect();
    r.diags.push(
        Diagnostic::error(Code::UnknownField, format!("unknown field `{}`", path.value))
            .at(path.span, format!("no field with this path {what}"))
            .help(did_you_mean(&wanted, names.iter().copied()).unwrap_or_else(|| "field paths are the field's id, prefixed by the `as` of its fragment: `sokande.namn`".into())),
    );
    None
}

/// `guardians:`: each entry's paths name fields of the right type, outside any repeat, and
/// only a form signed by guardians has them.
fn guardians(r: &mut Resolver, s: &m::FormFile) {
    let Some(list) = &s.guardians else {
        return;
    };
    if let Some(first) = list.first() {
        if r.form.signing != Signing::Guardians {
            r.diags.push(
                Diagnostic::error(Code::InvalidValue, "`guardians` needs `signing: guardians`")
                    .at(
                        first.personnummer.span,
                        "only guardians who sign are listed",
                    )
                    .help("set `signing: guardians` on the form, or remove `guardians`"),
            );
        }
    }
    for g in list {
        let personnummer = guardian_field(r, &g.personnummer, FieldType::Personnummer);
        let email = match &g.email {
            Some(e) => guardian_field(r, e, FieldType::Email),
            None => None,
        };
        if let Some(p) = personnummer {
            r.form.guardians.push(ir::Guardian {
                personnummer: p,
                email,
            });
        }
    }
}

/// The path of a guardian's field when it names a field of type `kind` outside a repeat.
fn guardian_field(r: &mut Resolver, path: &Sp<String>, kind: FieldType) -> Option<String> {
    let key = if kind == FieldType::Email {
        "email"
    } else {
        "personnummer"
    };
    let id = field_ref(r, path, &format!("for the guardian's `{key}`"))?;
    let f = &r.form.fields[id];
    if f.kind == kind && f.parent.is_none() {
        return Some(f.path.clone());
    }
    let fitting: Vec<&str> = r
        .form
        .fields
        .iter()
        .filter(|f| f.kind == kind && f.parent.is_none())
        .map(|f| f.path.as_str())
        .collect();
    let what = if f.parent.is_some() {
        "a field inside a repeat".to_string()
    } else {
        format!("a `{}` field", type_name(f.kind))
    };
    let help = match fitting.as_slice() {
        [] => format!(
            "add a field of type `{}` for the guardian and write its path here",
            type_name(kind)
        ),
        some => format!(
            "the form's `{}` fields are: {}",
            type_name(kind),
            some.join(", ")
        ),
    };
    r.diags.push(
        Diagnostic::error(
            Code::TypeMismatch,
            format!(
                "the guardian's `{key}` must name a field of type `{}`, not {what}",
                type_name(kind)
            ),
        )
        .at(path.span, format!("`{}` is {what}", path.value))
        .help(help),
    );
    None
}

fn type_name(t: FieldType) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn rule(r: &mut Resolver, rule: &m::RuleDef) {
    let field = field_ref(r, &rule.field, "for this rule's message");
    let when = r.parse_expr(&rule.when);
    let message = r.texts.text(&rule.message);
    if let (Some(field), Some(when)) = (field, when) {
        r.form.rules.push(ir::Rule {
            when,
            message,
            field,
            severity: rule.severity.as_ref().map(|s| s.value).unwrap_or_default(),
        });
    }
}

fn merged_mapping(
    base: Option<&m::MappingDef>,
    over: Option<&m::MappingDef>,
) -> Option<m::MappingDef> {
    match (base, over) {
        (None, None) => None,
        (Some(b), None) => Some(b.clone()),
        (None, Some(o)) => Some(o.clone()),
        (Some(b), Some(o)) => Some(m::MappingDef {
            span: b.span,
            arendemening: o.arendemening.clone().or_else(|| b.arendemening.clone()),
            arendetyp: o.arendetyp.clone().or_else(|| b.arendetyp.clone()),
            klassificering: o
                .klassificering
                .clone()
                .or_else(|| b.klassificering.clone()),
            motpart: o.motpart.clone().or_else(|| b.motpart.clone()),
            handlingar: o.handlingar.clone().or_else(|| b.handlingar.clone()),
            extra: o.extra.clone().or_else(|| b.extra.clone()),
        }),
    }
}

fn mapping(r: &mut Resolver, md: &m::MappingDef) -> Option<ir::Mapping> {
    let mut out = ir::Mapping::default();
    match &md.arendemening {
        Some(t) => out.arendemening = template(r, t),
        None => r.diags.push(
            Diagnostic::error(Code::MissingMapping, "the mapping has no `arendemening`")
                .at(md.span, "every case needs a title (ärendemening)")
                .help("add `arendemening: \"Ansökan om …: {field}\"` under `mapping:`"),
        ),
    }
    out.arendetyp = md.arendetyp.as_ref().map(|s| s.value.clone());
    out.klassificering = md.klassificering.as_ref().map(|s| s.value.clone());
    if let Some(mp) = &md.motpart {
        let entries = [
            ("namn", &mp.namn),
            ("personnummer", &mp.personnummer),
            ("orgnummer", &mp.orgnummer),
            ("adress", &mp.adress),
            ("postnummer", &mp.postnummer),
            ("postort", &mp.postort),
            ("epost", &mp.epost),
            ("telefon", &mp.telefon),
        ];
        for (name, src) in entries {
            let Some(src) = src else { continue };
            let Some(mut e) = r.parse_expr(src) else {
                continue;
            };
            let scope = Scope {
                prefixes: vec![String::new()],
                row: None,
            };
            let computed = r.computed_types.clone();
            r.check_one(&mut e, &scope, Some(&Type::Text), &computed);
            out.motpart.insert(name.to_string(), e);
        }
        for (key, kind, what) in [
            ("personnummer", FieldType::Personnummer, "a personnummer"),
            ("orgnummer", FieldType::Orgnummer, "an organisation number"),
        ] {
            if let Some(e) = out.motpart.get(key) {
                if let Some((span, found)) = not_of_kind(&r.form, e, kind) {
                    r.diags.push(
                        Diagnostic::error(
                            Code::InvalidMapping,
                            format!("the counterpart's `{key}` must come from {what} field"),
                        )
                        .at(span, found)
                        .help(format!(
                            "name a field of type `{}` here, so the case system gets a checked number",
                            kind.name()
                        )),
                    );
                }
            }
        }
        if mp.namn.is_none() {
            r.diags.push(
                Diagnostic::error(
                    Code::MissingMapping,
                    "the counterpart (`motpart`) has no `namn`",
                )
                .at(mp.span, "the case system needs the counterpart's name")
                .help("add `namn: <field>` under `motpart:`"),
            );
        }
    }
    if md.motpart.is_none() {
        r.diags.push(
            Diagnostic::error(
                Code::MissingMapping,
                "the mapping has no counterpart (`motpart`)",
            )
            .at(md.span, "every case needs a counterpart (motpart)")
            .help("add `motpart:` with at least `namn: <field>` under `mapping:`"),
        );
    }
    for (code, what, check) in [
        (
            &md.klassificering,
            "classification code",
            is_classification as fn(&str) -> bool,
        ),
        (&md.arendetyp, "case type", is_case_type as fn(&str) -> bool),
    ] {
        if let Some(v) = code {
            if !check(&v.value) {
                r.diags.push(code_error(v, what));
            }
        }
    }
    for h in md.handlingar.iter().flatten() {
        let typ = h.typ.value.as_str();
        if typ != "ansokan" && typ != "bilaga" {
            r.diags.push(
                Diagnostic::error(Code::InvalidMapping, format!("`{typ}` is not a kind of document"))
                    .at(h.typ.span, "expected `ansokan` or `bilaga`")
                    .help(did_you_mean(typ, ["ansokan", "bilaga"]).unwrap_or_else(|| "write `ansokan` for the application itself or `bilaga` for an attached file".into())),
            );
            continue;
        }
        let field = match (&h.falt, typ) {
            (Some(f), "bilaga") => {
                let id = field_ref(r, f, "to attach");
                if let Some(id) = id {
                    if r.form.fields[id].kind != FieldType::File {
                        r.diags.push(
                            Diagnostic::error(
                                Code::InvalidMapping,
                                format!("`{}` is not a file field", f.value),
                            )
                            .at(
                                f.span,
                                format!("this is a {} field", r.form.fields[id].kind.name()),
                            )
                            .help("an attachment (`bilaga`) must name a field of type `file`"),
                        );
                    }
                }
                id
            }
            (None, "bilaga") => {
                r.diags.push(
                    Diagnostic::error(
                        Code::InvalidMapping,
                        "an attachment (`bilaga`) without `falt`",
                    )
                    .at(h.typ.span, "which file field is attached?")
                    .help("add `falt: <file field>`"),
                );
                None
            }
            (Some(f), _) => {
                r.diags.push(
                    Diagnostic::error(
                        Code::InvalidMapping,
                        "the application (`ansokan`) takes no `falt`",
                    )
                    .at(f.span, "the application is the whole submission")
                    .help("remove `falt`, or use `typ: bilaga` for a file"),
                );
                None
            }
            (None, _) => None,
        };
        out.handlingar.push(ir::Handling {
            typ: typ.to_string(),
            field,
            rubrik: h.rubrik.as_ref().map(|s| s.value.clone()),
        });
    }
    for x in md.extra.iter().flatten() {
        let parts = template(r, &x.varde);
        out.extra.push((x.namn.value.clone(), parts));
    }
    Some(out)
}

/// `"Bygglov: {fastighet.beteckning}"` → literal and expression parts.
fn template(r: &mut Resolver, t: &Sp<String>) -> Vec<TemplatePart> {
    let mut parts = Vec::new();
    let text = &t.value;
    // The template's own characters start after an opening quote, if any.
    let mut rest = 0;
    while let Some(open) = text[rest..].find('{') {
        let open = rest + open;
        if open > rest {
            parts.push(TemplatePart::Literal(text[rest..open].to_string()));
        }
        let base = t.span.start as usize
            + usize::from(matches!(t.span.len().checked_sub(text.len()), Some(2)));
        let Some(close) = text[open..].find('}') else {
            // At the `{` itself when the template's characters are where its text says.
            let at = if t.span.len() >= text.len() {
                Span::new(t.span.file, base + open, base + open + 1)
            } else {
                t.span
            };
            r.diags.push(
                Diagnostic::error(
                    Code::ExpressionSyntax,
                    "a `{` without its `}` in this template",
                )
                .at(at, "this `{` is never closed")
                .help(format!(
                    "close the expression with `}}`, as in `{{{}}}`",
                    text[open + 1..].trim()
                )),
            );
            return parts;
        };
        let close = open + close;
        let inner = &text[open + 1..close];
        let span = Span::new(t.span.file, base + open + 1, base + close);
        match expr::parse(inner, span) {
            Ok(mut e) => {
                let scope = Scope {
                    prefixes: vec![String::new()],
                    row: None,
                };
                let computed = r.computed_types.clone();
                r.check_one(&mut e, &scope, None, &computed);
                parts.push(TemplatePart::Expr(e));
            }
            Err(d) => r.diags.push(d),
        }
        rest = close + 1;
    }
    if rest < text.len() {
        parts.push(TemplatePart::Literal(text[rest..].to_string()));
    }
    parts
}

/// A code in a classification scheme (klassificeringsstruktur): numbers joined by dots, `2.1.1`.
fn is_classification(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').count() <= 8
        && s.split('.')
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
}

/// A case type as case systems name them: letters, digits, `_` and `-`, no spaces.
fn is_case_type(s: &str) -> bool {
    !s.is_empty()
        && s.chars().count() <= 40
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn code_error(v: &Sp<String>, what: &str) -> Diagnostic {
    let (label, help) = if what == "case type" {
        (
            "letters, digits, `_` and `-` only, at most 40",
            "write the case type as the case system names it, e.g. `BYGGLOV`",
        )
    } else {
        (
            "numbers joined by dots",
            "write the code from the kommun's classification scheme, e.g. `4.2.1`",
        )
    };
    Diagnostic::error(
        Code::InvalidMapping,
        format!("`{}` is not a {what}", v.value),
    )
    .at(v.span, label)
    .help(help)
}

/// The kommun's `klassificering` and `arendetyp` of a service, over the form's.
fn service_codes(r: &mut Resolver, md: &mut Option<m::MappingDef>, s: &m::ServiceDef) {
    if s.klassificering.is_none() && s.arendetyp.is_none() {
        return;
    }
    let Some(md) = md else {
        let span = s
            .klassificering
            .as_ref()
            .or(s.arendetyp.as_ref())
            .map(|v| v.span);
        if let Some(span) = span {
            r.diags.push(
                Diagnostic::error(
                    Code::InvalidMapping,
                    format!("the form `{}` has no mapping to override", s.form.value),
                )
                .at(span, "there is no case-system mapping for this to change")
                .help("give the library form a `mapping:` first, or write a whole `mapping:` under the service"),
            );
        }
        return;
    };
    if let Some(k) = &s.klassificering {
        md.klassificering = Some(k.clone());
    }
    if let Some(a) = &s.arendetyp {
        md.arendetyp = Some(a.clone());
    }
}

/// Where an expression can give something other than a field of `kind`, and what it gives.
fn not_of_kind(form: &ir::Form, e: &Expr, kind: FieldType) -> Option<(Span, String)> {
    match &e.kind {
        ExprKind::Ref(r) => {
            let id = r.resolved.as_deref().and_then(|p| form.field(p))?;
            let f = &form.fields[id];
            (f.kind != kind).then(|| (e.span, format!("this is a {} field", f.kind.name())))
        }
        ExprKind::Call(c) if c.name == "if" && c.args.len() == 3 => {
            not_of_kind(form, &c.args[1], kind).or_else(|| not_of_kind(form, &c.args[2], kind))
        }
        _ => Some((e.span, "this is not a field".to_string())),
    }
}
