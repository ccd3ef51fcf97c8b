//! The accessible HTML journey: start page, question pages, check your answers, receipt and
//! accessibility statement, after the GOV.UK Design System's patterns in Swedish.
//!
//! One function, [`render`], draws every page; the runtime calls it per request and
//! [`preview`] calls it for the static preview `blankett build` writes. Pages work fully
//! without JavaScript: a POST of a page is read back with [`answers_from_form`], and
//! `blankett.js`/`form.js` only enhance (hide conditional fields, count characters, fill
//! rule messages, find the position). Nothing inline: the pages run under a CSP of
//! `default-src 'self'` with no `unsafe-inline`, so colours come from a theme stylesheet.
//!
//! URLs of a journey at `base`: `{base}/` (start), `{base}/{page_id}`, `{base}/kontrollera`,
//! `{base}/kvitto`, `{base}/tillganglighet`; `?lang=en` switches language. Forms post to their
//! own URL, so `?tillbaka=kontrollera` survives the POST. Logging out is a form that posts to
//! the runtime's [`LOGOUT_URL`] with the CSRF token.

mod answers;
mod attrs;
mod fields;
mod grouping;
mod pages;
mod preview;
#[cfg(test)]
mod tests;
pub mod ui_text;
mod values;

/// Where the header's "Logga ut" posts: the runtime's one way to log out. A POST with the
/// CSRF token, never a link, so no other site can log a person out with an image or a link.
pub const LOGOUT_URL: &str = "/auth/logga-ut";

pub use answers::{
    answers_from_form, answers_from_post, errors_to_show, page_action, FileLookup, PageAction,
    RowsRefused, MAX_ROWS,
};
pub use grouping::{
    answer_context, answer_sections, signed_sections, AnswerGroup, AnswerRow, AnswerSection,
};
pub use preview::preview;
pub use values::display_value;

use super::Branding;
use crate::eval::{Answers, FieldError, Outcome};
use crate::ir::Form;
use minijinja::{Environment, UndefinedBehavior};
use std::sync::OnceLock;

/// Who and where a page is drawn for.
pub struct Ctx<'a> {
    pub form: &'a Form,
    pub branding: &'a Branding,
    /// `"sv"` or `"en"`.
    pub lang: &'a str,
    /// URL prefix of this journey, e.g. `/orust/felanmalan`, or `.` in previews.
    pub base: &'a str,
    /// URL prefix of the shared assets, e.g. `/assets` or `../../assets`.
    pub assets: &'a str,
    /// The CSRF token: a hidden `_csrf` input in every POST form when set.
    pub csrf: Option<&'a str>,
    /// The logged-in person's name, shown with a log-out button.
    pub user: Option<&'a str>,
}

/// Which page to draw.
pub enum View<'a> {
    Start,
    /// A question page with the answers so far (the page's own as entered) and its errors.
    Question {
        page: usize,
        answers: &'a Answers,
        errors: &'a [FieldError],
        /// `answers` evaluated with this page shown ([`crate::eval::evaluate_showing`]), when
        /// the caller has it already; otherwise the page evaluates them itself.
        outcome: Option<&'a Outcome>,
    },
    Check {
        answers: &'a Answers,
        outcome: &'a Outcome,
    },
    Receipt {
        reference: &'a str,
        /// RFC 3339 (shown as "15 juni 2026 kl. 14:05"), or text shown as it is.
        submitted_at: &'a str,
        outcome: &'a Outcome,
    },
    /// The accessibility statement (tillgänglighetsredogörelse) the footer links to.
    Accessibility,
}

/// Draws one page.
pub fn render(ctx: &Ctx, view: &View) -> String {
    render_with(ctx, view, &Links::Server, chrono::Local::now().date_naive())
}

/// How links are written: to the runtime's routes, or to the files of a static preview
/// (`felet.html`, `en/felet.html`).
pub(crate) enum Links {
    Server,
    /// `root` is the form's preview folder relative to the page: `.` or `..` (from `en/`).
    Static {
        root: String,
    },
}

impl Links {
    /// The URL of a page of the journey by name: `""` is the start page.
    pub fn page(&self, base: &str, name: &str) -> String {
        match self {
            Links::Server if name.is_empty() => format!("{base}/"),
            Links::Server => format!("{base}/{name}"),
            Links::Static { .. } => format!("{base}/{}.html", static_name(name)),
        }
    }

    /// The same page in another language.
    pub fn lang(&self, base: &str, name: &str, lang: &str) -> String {
        match self {
            Links::Server => format!("{}?lang={lang}", self.page(base, name)),
            Links::Static { root } if lang == "sv" => format!("{root}/{}.html", static_name(name)),
            Links::Static { root } => format!("{root}/{lang}/{}.html", static_name(name)),
        }
    }

    /// A file of the journey itself (`form.js`, `theme.css`).
    pub fn file(&self, base: &str, name: &str) -> String {
        match self {
            Links::Server => format!("{base}/{name}"),
            Links::Static { root } => format!("{root}/{name}"),
        }
    }

    /// The kommun's theme stylesheet: the kommun's folder on a server; a preview carries a
    /// copy in each form's folder so it can be opened on its own.
    pub fn theme(&self, base: &str) -> String {
        match self {
            Links::Server => self.kommun_file(base, "theme.css"),
            Links::Static { .. } => self.file(base, "theme.css"),
        }
    }

    /// A file of the kommun (its theme, its logo): the folder above the journey's.
    pub fn kommun_file(&self, base: &str, name: &str) -> String {
        if name.starts_with('/') || name.starts_with("data:") || name.contains("://") {
            return name.to_string();
        }
        match self {
            Links::Server => match base.rfind('/') {
                Some(i) => format!("{}/{name}", &base[..i]),
                None => format!("{base}/../{name}"),
            },
            Links::Static { root } => format!("{root}/../{name}"),
        }
    }
}

fn static_name(name: &str) -> &str {
    if name.is_empty() {
        "index"
    } else {
        name
    }
}

/// [`render`] with the link style and the day conditions are evaluated on.
pub(crate) fn render_with(
    ctx: &Ctx,
    view: &View,
    links: &Links,
    today: chrono::NaiveDate,
) -> String {
    // Only Swedish and English have interface texts; anything else is drawn in Swedish, so
    // `<html lang>` always names the language the page is in.
    let lang = if ctx.lang == "en" { "en" } else { "sv" };
    let ctx = &Ctx { lang, ..*ctx };
    let (template, data) = pages::context(ctx, view, links, today);
    // The interface texts are the same on every page: converted for the templates once per
    // language, not on every render.
    let data = minijinja::context! { ui => ui_texts(lang), ..data };
    env()
        .get_template(template)
        .and_then(|t| t.render(data))
        // The templates are compiled in and every page kind is tested: a failure here is a
        // bug, and an empty page would hide it.
        .unwrap_or_else(|e| panic!("template {template}: {e:#}"))
}

/// `ui` of every page: the interface texts in `lang` (Swedish unless English).
fn ui_texts(lang: &str) -> minijinja::Value {
    static UI: OnceLock<[minijinja::Value; 2]> = OnceLock::new();
    let [sv, en] = UI.get_or_init(|| {
        [
            minijinja::Value::from_serialize(ui_text::all("sv")),
            minijinja::Value::from_serialize(ui_text::all("en")),
        ]
    });
    if lang == "en" {
        en.clone()
    } else {
        sv.clone()
    }
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A misspelt variable must fail the tests, not leave a hole in a page.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        // minijinja's HTML escaping also writes `/` as `&#x2f;`, which is safe but makes every
        // URL unreadable in the page source and the snapshots. Inside quoted attributes and
        // text, `& < > " '` are all that need escaping.
        env.set_formatter(|out, state, value| {
            if state.auto_escape() == minijinja::AutoEscape::Html && !value.is_safe() {
                if let Some(s) = value.as_str() {
                    return write_escaped(out, s).map_err(minijinja::Error::from);
                }
            }
            minijinja::escape_formatter(out, state, value)
        });
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e:#}"));
        }
        env
    })
}

/// Writes `s` escaped straight into the page: every value of every page passes here, so the
/// unchanged stretches are written as they are, without a copy.
fn write_escaped(out: &mut minijinja::Output, s: &str) -> std::fmt::Result {
    let mut rest = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.write_str(&s[rest..i])?;
        out.write_str(entity)?;
        rest = i + 1;
    }
    out.write_str(&s[rest..])
}

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("templates/layout.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("field.html", include_str!("templates/field.html")),
    ("start.html", include_str!("templates/start.html")),
    ("question.html", include_str!("templates/question.html")),
    ("check.html", include_str!("templates/check.html")),
    ("receipt.html", include_str!("templates/receipt.html")),
    (
        "accessibility.html",
        include_str!("templates/accessibility.html"),
    ),
];

const CSS: &str = include_str!("blankett.css");

/// Static files every page uses.
pub fn assets(add: &mut dyn FnMut(&str, Vec<u8>)) {
    add("blankett.css", CSS.as_bytes().to_vec());
    add("blankett.js", super::js::RUNTIME_JS.as_bytes().to_vec());
}

/// The kommun's colours as CSS custom properties: a stylesheet of its own, since the CSP
/// forbids inline styles. Served at `{kommun}/theme.css` (see [`Links::kommun_file`]).
pub fn theme_css(branding: &Branding) -> String {
    // The analyser has checked both colours and their contrast; anything else falls back to
    // the neutral theme rather than reach a stylesheet.
    let color = |c: &str, fallback: &str| {
        let ok =
            c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
        if ok {
            c.to_string()
        } else {
            fallback.to_string()
        }
    };
    format!(
        "/* {} */\n:root {{\n  --bk-primary: {};\n  --bk-primary-text: {};\n}}\n",
        branding.name.replace("*/", ""),
        color(&branding.primary_color, "#1d4f91"),
        color(&branding.primary_text_color, "#ffffff"),
    )
}
