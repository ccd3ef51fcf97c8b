//! The data each page template gets: the frame (header, language switch, footer) and what the
//! view needs. Decisions are made here, in Rust; templates only place them.

use super::fields::PageFields;
use super::grouping::{answer_context, answer_sections};
use super::ui_text::{t, tn};
use super::values::{self, path_id};
use super::{Ctx, Links, View};
use crate::eval::{evaluate_showing, Answers, FieldError, Outcome};
use crate::ir::FieldType;
use crate::ir::{FieldId, Identification, Signing};
use serde::Serialize;
use serde_json::{json, Value as Json};

/// The template to draw and its data.
///
/// The data is made as template values directly, not through `serde_json` values: converting a
/// question page's fields into JSON and then into template values was a sixth of a render.
pub fn context(
    ctx: &Ctx,
    view: &View,
    links: &Links,
    today: chrono::NaiveDate,
) -> (&'static str, minijinja::Value) {
    let lang = ctx.lang;
    let form = ctx.form;
    let form_title = form.title.get(lang);
    let tv = |j: Json| minijinja::Value::from_serialize(&j);
    let (template, name, heading, has_errors, body) = match view {
        View::Start => (
            "start.html",
            String::new(),
            None,
            false,
            tv(start(ctx, links)),
        ),
        View::Question {
            page,
            answers,
            errors,
            outcome,
        } => {
            let page = (*page).min(form.pages.len().saturating_sub(1));
            let body = question(ctx, links, page, answers, errors, *outcome, today);
            let has_errors = !body.errors.is_empty();
            let body = minijinja::Value::from_serialize(&body);
            let p = &form.pages[page];
            (
                "question.html",
                p.id.clone(),
                Some(p.title.get(lang).to_string()),
                has_errors,
                body,
            )
        }
        View::Check { answers, outcome } => {
            let _ = answers;
            let body = tv(check(ctx, links, outcome));
            (
                "check.html",
                "kontrollera".into(),
                Some(t(lang, "check_title").to_string()),
                !outcome.errors.is_empty(),
                body,
            )
        }
        View::Receipt {
            reference,
            submitted_at,
            outcome,
        } => (
            "receipt.html",
            "kvitto".into(),
            Some(t(lang, "receipt_title").to_string()),
            false,
            tv(receipt(ctx, links, reference, submitted_at, outcome)),
        ),
        View::Accessibility => (
            "accessibility.html",
            "tillganglighet".into(),
            Some(t(lang, "accessibility").to_string()),
            false,
            tv(json!({ "back": links.page(ctx.base, "") })),
        ),
    };
    let mut title = match &heading {
        Some(h) => format!("{h} – {form_title} – {}", ctx.branding.name),
        None => format!("{form_title} – {}", ctx.branding.name),
    };
    // WCAG 3.3.1 and DIGG: the title tells at once that the page came back with errors.
    if has_errors {
        title = format!("{}{title}", t(lang, "error_prefix"));
    }
    let b = ctx.branding;
    let languages: Vec<Json> = ["sv", "en"]
        .iter()
        .filter(|l| **l == "sv" || form.languages.iter().any(|fl| fl == *l))
        .map(|l| {
            json!({
                "code": l,
                "label": if *l == "sv" { "Svenska" } else { "English" },
                "href": links.lang(ctx.base, &name, l),
                "current": *l == lang,
            })
        })
        .collect();
    let data = json!({
        "lang": lang,
        "title": title,
        "form_title": form_title,
        "csrf": ctx.csrf,
        "user": ctx.user,
        "urls": {
            "css": format!("{}/blankett.css", ctx.assets),
            "js": format!("{}/blankett.js", ctx.assets),
            "theme": links.theme(ctx.base),
            "form_js": links.file(ctx.base, "form.js"),
            "start": links.page(ctx.base, ""),
            "accessibility": links.page(ctx.base, "tillganglighet"),
            "logout": super::LOGOUT_URL,
        },
        "languages": if languages.len() > 1 { languages } else { Vec::new() },
        "kommun": {
            "name": b.name,
            "logo": b.logo.as_deref().map(|l| links.kommun_file(ctx.base, l)),
            "email": b.contact_email,
            "phone": b.contact_phone,
            "phone_href": b.contact_phone.as_deref().map(|p| {
                format!("tel:{}", p.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect::<String>())
            }),
            "web": b.contact_web,
            "contact_title": t(lang, "contact").replace("{name}", &b.name),
        },
    });
    (
        template,
        minijinja::context! { page => body, ..minijinja::Value::from_serialize(&data) },
    )
}

fn start(ctx: &Ctx, links: &Links) -> Json {
    let (lang, form) = (ctx.lang, ctx.form);
    let duration = form.duration_minutes.map(|n| match n {
        1 => t(lang, "duration_one").to_string(),
        n => tn(lang, "duration", n),
    });
    let eid = match form.identification {
        Identification::Required => "eid_required",
        Identification::Optional => "eid_optional",
        Identification::None => "eid_none",
    };
    let signing = match form.signing {
        Signing::None => None,
        Signing::Applicant => Some(t(lang, "sign_applicant")),
        Signing::Guardians => Some(t(lang, "sign_guardians")),
        Signing::Signers => Some(t(lang, "sign_signers")),
    };
    let first = form.pages.first().map(|p| p.id.as_str()).unwrap_or("");
    json!({
        "description": form.description.as_ref().map(|d| d.get(lang)),
        "you_need": form.you_need.iter().map(|n| n.get(lang)).collect::<Vec<_>>(),
        "duration": duration,
        "eid": t(lang, eid),
        "signing": signing,
        "start_href": links.page(ctx.base, first),
    })
}

#[derive(Serialize)]
struct ErrorLink {
    href: Option<String>,
    text: String,
}

fn question(
    ctx: &Ctx,
    links: &Links,
    page: usize,
    answers: &Answers,
    errors: &[FieldError],
    given: Option<&Outcome>,
    today: chrono::NaiveDate,
) -> QuestionPage {
    let form = ctx.form;
    // The runtime asks for this page, so draw it whatever its own condition says: only the
    // fields' conditions decide what is left out.
    let evaluated;
    let outcome = match given {
        Some(o) => o,
        None => {
            evaluated = evaluate_showing(form, answers, today, Some(page));
            &evaluated
        }
    };
    let errors: Vec<FieldError> = errors
        .iter()
        .filter(|e| form.fields.get(e.field).is_some_and(|f| f.page == page))
        .cloned()
        .collect();
    // The warnings to show are those of the outcome the caller gives (the runtime's, when a
    // page is posted); an outcome evaluated here is a page being looked at, which warns of
    // nothing.
    let warnings: Vec<FieldError> = given
        .map(|o| {
            o.warnings_on_page(form, page)
                .into_iter()
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut pf = PageFields::new(form, ctx.lang, page, answers, outcome, &errors);
    pf.warnings = warnings.iter().map(|w| (w.path.as_str(), w)).collect();
    let fields = pf.build();
    let warning_links: Vec<ErrorLink> = warnings
        .iter()
        .map(|w| ErrorLink {
            href: pf.targets.get(&w.path).map(|id| format!("#{id}")),
            text: w.message.get(ctx.lang).to_string(),
        })
        .collect();
    let summary: Vec<ErrorLink> = errors
        .iter()
        .map(|e| ErrorLink {
            href: pf.targets.get(&e.path).map(|id| format!("#{id}")),
            text: summary_text(ctx, e),
        })
        .collect();
    let back = (0..page)
        .rev()
        .find(|&p| outcome.page_visible[p])
        .map(|p| links.page(ctx.base, &form.pages[p].id))
        .unwrap_or_else(|| links.page(ctx.base, ""));
    let ids: Vec<FieldId> = form
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.page == page)
        .map(|(i, _)| i)
        .collect();
    QuestionPage {
        heading: form.pages[page].title.get(ctx.lang).to_string(),
        page_id: form.pages[page].id.clone(),
        context_answers: context_answers(form, page, answers),
        single: fields.len() == 1 && fields[0].heading,
        fields,
        multipart: ids.iter().any(|&i| form.fields[i].kind == FieldType::File),
        has_repeat: ids
            .iter()
            .any(|&i| form.fields[i].kind == FieldType::Repeat),
        errors: summary,
        error_title: error_title(ctx.lang, errors.len()),
        warnings: warning_links,
        end: form.pages[page].end,
        start: links.page(ctx.base, ""),
        back,
    }
}

/// `page` of a question page.
#[derive(Serialize)]
struct QuestionPage {
    heading: String,
    page_id: String,
    context_answers: String,
    single: bool,
    fields: Vec<super::fields::FieldView>,
    multipart: bool,
    has_repeat: bool,
    errors: Vec<ErrorLink>,
    error_title: String,
    warnings: Vec<ErrorLink>,
    /// A stop page: its text and a way back, nothing to post.
    end: bool,
    start: String,
    back: String,
}

/// The answers from other pages that this page's conditions, computed values and rules read,
/// as JSON for `data-answers`: the browser evaluates them over these and the page's own inputs.
/// Only what is read is included, so the page carries no more personal data than it needs.
fn context_answers(form: &crate::ir::Form, page: usize, answers: &Answers) -> String {
    use std::collections::BTreeSet;
    let top = |path: &str| -> Option<FieldId> {
        let id = form.field(&path.replace("[*]", ""))?;
        let mut id = id;
        while let Some(p) = form.fields[id].parent {
            id = p;
        }
        Some(id)
    };
    // The page's own condition too: the browser decides the page's fields' visibility with it.
    let mut exprs: Vec<&crate::expr::Expr> = form.pages[page].visible_if.iter().collect();
    for f in form.fields.iter().filter(|f| f.page == page) {
        exprs.extend(f.conditions.iter());
        if let crate::ir::Required::When(e) = &f.required {
            exprs.push(e);
        }
        exprs.extend(f.value.iter());
    }
    exprs.extend(
        form.rules
            .iter()
            .filter(|r| form.fields[r.field].page == page)
            .map(|r| &r.when),
    );
    // A locked field of this page has no input to read: the browser gets its value here.
    let mut needed: BTreeSet<FieldId> = form
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.page == page && f.locked)
        .map(|(i, _)| i)
        .collect();
    let mut seen_computed: BTreeSet<FieldId> = BTreeSet::new();
    let mut reads_person = false;
    while let Some(e) = exprs.pop() {
        for r in e.refs() {
            if crate::expr::inloggad::is_reference(r) {
                reads_person = true;
                continue;
            }
            let Some(id) = r.resolved.as_deref().and_then(top) else {
                continue;
            };
            let f = &form.fields[id];
            // A computed field elsewhere is recomputed in the browser: it needs its own inputs.
            if f.kind == FieldType::Computed {
                if seen_computed.insert(id) {
                    exprs.extend(f.value.iter());
                }
            } else if f.page != page {
                needed.insert(id);
            }
        }
    }
    let mut picked: serde_json::Map<String, Json> = needed
        .iter()
        .filter_map(|&id| {
            let path = &form.fields[id].path;
            answers.get(path).map(|v| (path.clone(), v.clone()))
        })
        .collect();
    let person = crate::expr::inloggad::NAME;
    if let Some(who) = answers.get(person).filter(|_| reads_person) {
        picked.insert(person.to_string(), who.clone());
    }
    serde_json::to_string(&picked).unwrap_or_else(|_| "{}".into())
}

fn error_title(lang: &str, n: usize) -> String {
    if n == 1 {
        t(lang, "error_summary_one").to_string()
    } else {
        tn(lang, "error_summary_many", n)
    }
}

fn check(ctx: &Ctx, links: &Links, outcome: &Outcome) -> Json {
    let form = ctx.form;
    let errors: Vec<ErrorLink> = outcome
        .errors
        .iter()
        .map(|e| ErrorLink {
            href: Some(change_href(ctx, links, e.field, &e.path)),
            text: summary_text(ctx, e),
        })
        .collect();
    let back = (0..form.pages.len())
        .rev()
        .find(|&p| outcome.page_visible.get(p).copied().unwrap_or(true))
        .map(|p| links.page(ctx.base, &form.pages[p].id))
        .unwrap_or_else(|| links.page(ctx.base, ""));
    let warnings: Vec<ErrorLink> = outcome
        .warnings
        .iter()
        .map(|w| ErrorLink {
            href: Some(change_href(ctx, links, w.field, &w.path)),
            text: w.message.get(ctx.lang).to_string(),
        })
        .collect();
    json!({
        "sections": summary(ctx, links, outcome, true),
        "warnings": warnings,
        "errors": errors,
        "error_title": error_title(ctx.lang, outcome.errors.len()),
        "send_label": t(ctx.lang, if form.signing == Signing::None { "send" } else { "send_and_sign" }),
        "back": back,
    })
}

fn receipt(
    ctx: &Ctx,
    links: &Links,
    reference: &str,
    submitted_at: &str,
    outcome: &Outcome,
) -> Json {
    let lang = ctx.lang;
    let when = chrono::DateTime::parse_from_rfc3339(submitted_at)
        .map(|d| {
            let at = if lang == "en" { "at" } else { "kl." };
            format!(
                "{} {at} {}",
                values::date(d.date_naive(), lang),
                d.format("%H:%M")
            )
        })
        .unwrap_or_else(|_| submitted_at.to_string());
    let mut next = vec![t(lang, "receipt_next")];
    if ctx.form.signing == Signing::Guardians {
        next.push(t(lang, "receipt_next_guardians"));
    }
    if ctx.form.signing == Signing::Signers {
        next.push(t(lang, "receipt_next_signers"));
    }
    json!({
        "reference": reference,
        "submitted": t(lang, "receipt_submitted").replace("{when}", &when),
        "next": next,
        "sections": summary(ctx, links, outcome, false),
    })
}

/// `{page}?tillbaka=kontrollera#{id}`: back to the question, then back to the check page.
fn change_href(ctx: &Ctx, links: &Links, field: FieldId, path: &str) -> String {
    let page = &ctx.form.pages[ctx.form.fields[field].page];
    format!(
        "{}?tillbaka=kontrollera#{}",
        links.page(ctx.base, &page.id),
        path_id(path)
    )
}

#[derive(Serialize)]
struct Section {
    title: String,
    groups: Vec<Group>,
}

/// Answers under one heading: a fragment use's label, or none.
#[derive(Serialize)]
struct Group {
    heading: Option<String>,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct Row {
    key: String,
    lines: Vec<String>,
    /// A repeat's rows: a title ("Rad 1") and "label: value" lines each.
    blocks: Vec<(String, Vec<String>)>,
    change: Option<String>,
}

/// The answers per visible page, as GOV.UK's summary list, under their groups' headings.
fn summary(ctx: &Ctx, links: &Links, outcome: &Outcome, changes: bool) -> Vec<Section> {
    answer_sections(ctx.form, outcome, ctx.lang)
        .into_iter()
        .map(|s| Section {
            title: s.title,
            groups: s
                .groups
                .into_iter()
                .map(|g| Group {
                    heading: g.heading,
                    rows: g
                        .rows
                        .into_iter()
                        .map(|r| Row {
                            change: (changes && ctx.form.fields[r.field].kind.is_input())
                                .then(|| change_href(ctx, links, r.field, &r.path)),
                            key: r.label,
                            lines: r.lines,
                            blocks: r.blocks,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// An error as the summary lists it: after where its question sits ("Inomhus: …"), since a
/// message names only the question and the same question may stand in several groups.
fn summary_text(ctx: &Ctx, e: &FieldError) -> String {
    let message = e.message.get(ctx.lang);
    match answer_context(ctx.form, e.field, &e.path, ctx.lang) {
        Some(context) => format!("{context}: {message}"),
        None => message.to_string(),
    }
}
