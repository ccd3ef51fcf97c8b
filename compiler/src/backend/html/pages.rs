//! The data each page template gets: the frame (header, language switch, footer) and what the
//! view needs. Decisions are made here, in Rust; templates only place them.

use super::fields::PageFields;
use super::ui_text::{t, tn};
use super::values::{self, display_lines, path_id};
use super::{Ctx, Links, View};
use crate::eval::{evaluate_showing, instance_path, Answers, FieldError, Outcome};
use crate::expr::Value;
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
    let mut pf = PageFields::new(form, ctx.lang, page, answers, outcome, &errors);
    let fields = pf.build();
    let summary: Vec<ErrorLink> = errors
        .iter()
        .map(|e| ErrorLink {
            href: pf.targets.get(&e.path).map(|id| format!("#{id}")),
            text: e.message.get(ctx.lang).to_string(),
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
    let mut needed: BTreeSet<FieldId> = BTreeSet::new();
    let mut seen_computed: BTreeSet<FieldId> = BTreeSet::new();
    while let Some(e) = exprs.pop() {
        for r in e.refs() {
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
    let picked: serde_json::Map<String, Json> = needed
        .iter()
        .filter_map(|&id| {
            let path = &form.fields[id].path;
            answers.get(path).map(|v| (path.clone(), v.clone()))
        })
        .collect();
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
            text: e.message.get(ctx.lang).to_string(),
        })
        .collect();
    let back = (0..form.pages.len())
        .rev()
        .find(|&p| outcome.page_visible.get(p).copied().unwrap_or(true))
        .map(|p| links.page(ctx.base, &form.pages[p].id))
        .unwrap_or_else(|| links.page(ctx.base, ""));
    json!({
        "sections": summary(ctx, links, outcome, true),
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

/// The answers per visible page, as GOV.UK's summary list.
fn summary(ctx: &Ctx, links: &Links, outcome: &Outcome, changes: bool) -> Vec<Section> {
    let (form, lang) = (ctx.form, ctx.lang);
    let mut sections = Vec::new();
    for (p, page) in form.pages.iter().enumerate() {
        if !outcome.page_visible.get(p).copied().unwrap_or(false) {
            continue;
        }
        let mut rows = Vec::new();
        for &id in &page.fields {
            let f = &form.fields[id];
            if f.kind == FieldType::Info || f.hidden || !outcome.is_visible(&f.path) {
                continue;
            }
            let mut row = Row {
                key: f.label.get(lang).to_string(),
                lines: Vec::new(),
                blocks: Vec::new(),
                change: (changes && f.kind.is_input())
                    .then(|| change_href(ctx, links, id, &f.path)),
            };
            if f.kind == FieldType::Repeat {
                let n = outcome.rows.get(&f.path).copied().unwrap_or(0);
                for i in 0..n {
                    let lines = f
                        .children
                        .iter()
                        .filter(|&&c| {
                            form.fields[c].kind != FieldType::Info && !form.fields[c].hidden
                        })
                        .filter_map(|&c| {
                            let path = instance_path(form, c, &[i]);
                            if !outcome.is_visible(&path) {
                                return None;
                            }
                            let v = outcome.values.get(&path).cloned().unwrap_or(Value::Null);
                            let shown = display_lines(form, c, &v, lang).join(", ");
                            let shown = if shown.is_empty() {
                                t(lang, "not_answered").to_string()
                            } else {
                                shown
                            };
                            Some(format!("{}: {shown}", form.fields[c].label.get(lang)))
                        })
                        .collect();
                    row.blocks.push((tn(lang, "row", i + 1), lines));
                }
            } else {
                let v = outcome.values.get(&f.path).cloned().unwrap_or(Value::Null);
                row.lines = display_lines(form, id, &v, lang);
            }
            if row.lines.is_empty() && row.blocks.is_empty() {
                row.lines.push(t(lang, "not_answered").to_string());
            }
            rows.push(row);
        }
        if !rows.is_empty() {
            sections.push(Section {
                title: page.title.get(lang).to_string(),
                rows,
            });
        }
    }
    sections
}
