//! Small pieces every handler uses: the runtime's own pages (index, messages, Mina sidor),
//! redirects, language choice and form bodies.

use crate::app::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{Environment, UndefinedBehavior};
use serde_json::json;
use std::sync::OnceLock;

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut e = Environment::new();
        e.set_undefined_behavior(UndefinedBehavior::Strict);
        e.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, src) in [
            ("layout.html", include_str!("../templates/layout.html")),
            ("index.html", include_str!("../templates/index.html")),
            ("message.html", include_str!("../templates/message.html")),
            ("dev_login.html", include_str!("../templates/dev_login.html")),
            ("mina_sidor.html", include_str!("../templates/mina_sidor.html")),
            ("admin.html", include_str!("../templates/admin.html")),
            ("login.html", include_str!("../templates/login.html")),
            ("bankid.html", include_str!("../templates/bankid.html")),
            ("cosign.html", include_str!("../templates/cosign.html")),
            ("oidc_sign.html", include_str!("../templates/oidc_sign.html")),
            ("signatures.html", include_str!("../templates/signatures.html")),
            ("shs_mailbox.html", include_str!("../templates/shs_mailbox.html")),
            ("shs_message.html", include_str!("../templates/shs_message.html")),
        ] {
            if let Err(e) = e.add_template(name, src) {
                tracing::error!(error = %e, template = name, "a built-in template does not compile");
            }
        }
        e
    })
}

/// Interface texts of the runtime's own pages.
pub fn texts(lang: &str) -> serde_json::Value {
    if lang == "en" {
        json!({"skip": "Skip to main content", "logged_in_as": "Logged in as", "mina_sidor": "My pages", "services": "E-services",
            "drafts": "Not submitted yet", "no_drafts": "You have nothing saved.", "submissions": "Submitted", "no_submissions": "You have not submitted anything.",
            "reference": "Reference", "service": "E-service", "submitted": "Submitted", "status": "Status", "download": "Download", "case_number": "case number",
            "saved": "Your answers are saved. You can continue where you left off.", "saved_at": "saved", "log_out": "Log out",
            "as_xml": "Your answers as an XML file", "as_json": "Your answers as a JSON file",
            "signed_by": "Signed by", "withdraw": "Withdraw"})
    } else {
        json!({"skip": "Hoppa till huvudinnehållet", "logged_in_as": "Inloggad som", "mina_sidor": "Mina sidor", "services": "E-tjänster",
            "drafts": "Inte inskickat ännu", "no_drafts": "Du har inget sparat.", "submissions": "Inskickat", "no_submissions": "Du har inte skickat in något.",
            "reference": "Referensnummer", "service": "E-tjänst", "submitted": "Inskickat", "status": "Status", "download": "Ladda ner", "case_number": "diarienummer",
            "saved": "Dina svar är sparade. Du kan fortsätta där du slutade.", "saved_at": "sparat", "log_out": "Logga ut",
            "as_xml": "Dina svar som XML-fil", "as_json": "Dina svar som JSON-fil",
            "signed_by": "Underskriven av", "withdraw": "Återkalla"})
    }
}

/// Renders one of the runtime's own templates; the layout's common values are added here.
pub fn render(name: &str, lang: &str, mut ctx: serde_json::Value) -> String {
    if let Some(o) = ctx.as_object_mut() {
        o.entry("lang").or_insert(json!(lang));
        o.entry("t").or_insert(texts(lang));
        o.entry("site").or_insert(json!("blankett"));
        o.entry("user").or_insert(json!(null));
        o.entry("theme").or_insert(json!(null));
    }
    match env().get_template(name).and_then(|t| t.render(&ctx)) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, template = name, "a page could not be drawn");
            "<!DOCTYPE html><html lang=\"sv\"><head><title>Fel</title></head><body><main><h1>Något gick fel</h1></main></body></html>".into()
        }
    }
}

pub fn html_page(body: String, english: bool) -> Response {
    let mut res = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    if english {
        res.headers_mut()
            .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static("en"));
    }
    res
}

/// 303, so a POST followed by reload does not post again.
pub fn redirect(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

pub fn message(status: StatusCode, lang: &str, heading: &str, body: &str) -> Response {
    let back = if lang == "en" {
        "Go to the start page"
    } else {
        "Gå till startsidan"
    };
    let page = render(
        "message.html",
        lang,
        json!({"title": heading, "heading": heading, "body": body, "back": back, "back_href": "/"}),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}

pub fn not_found(_state: &AppState, lang: impl AsRef<str>) -> Response {
    let lang = lang.as_ref();
    if lang == "en" {
        message(
            StatusCode::NOT_FOUND,
            lang,
            "Page not found",
            "Check the address, or start from the list of e-services.",
        )
    } else {
        message(
            StatusCode::NOT_FOUND,
            lang,
            "Sidan finns inte",
            "Kontrollera adressen, eller börja från listan över e-tjänster.",
        )
    }
}

pub fn forbidden_csrf(lang: &str) -> Response {
    if lang == "en" {
        message(
            StatusCode::FORBIDDEN,
            lang,
            "The page had expired",
            "For your security the form could not be sent. Go back, reload the page and try again.",
        )
    } else {
        message(StatusCode::FORBIDDEN, lang, "Sidan hade gått ut", "Av säkerhetsskäl kunde formuläret inte skickas. Gå tillbaka, ladda om sidan och försök igen.")
    }
}

pub fn too_many(lang: &str) -> Response {
    if lang == "en" {
        message(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            "Too many attempts",
            "Wait a minute and try again.",
        )
    } else {
        message(
            StatusCode::TOO_MANY_REQUESTS,
            lang,
            "För många försök",
            "Vänta en minut och försök igen.",
        )
    }
}

pub fn too_large() -> Response {
    message(
        StatusCode::PAYLOAD_TOO_LARGE,
        "sv",
        "Det du skickade var för stort",
        "Välj en mindre fil, eller skicka filerna en i taget. Dina andra svar är sparade.",
    )
}

/// A storage failure: nothing was lost, the person is asked to try again.
pub fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "storage failed");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "sv",
        "Tjänsten är tillfälligt otillgänglig",
        "Det du har skickat in tidigare är sparat. Försök igen om en stund.",
    )
}

/// `application/x-www-form-urlencoded` body → pairs, in order.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// A POSTed form's fields, once its CSRF token (`_csrf`) is the session's; otherwise the
/// refusal to send back. (The refusal goes straight back to axum as the response: boxing it
/// would only add an allocation to every refused POST.)
#[allow(clippy::result_large_err)]
pub fn checked_form(
    session: &crate::store::Session,
    body: &[u8],
) -> Result<Vec<(String, String)>, Response> {
    let pairs = form_pairs(body);
    let token = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str());
    if crate::session::csrf_ok(session, token) {
        Ok(pairs)
    } else {
        Err(forbidden_csrf("sv"))
    }
}

pub fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The language: `?lang=` when given (remembered in a cookie), else the cookie, else Swedish.
pub struct Lang(Option<String>);

impl Lang {
    pub fn get(&self, q: &crate::journey::PageQuery) -> String {
        match q.lang.as_deref().or(self.0.as_deref()) {
            Some("en") => "en".into(),
            _ => "sv".into(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let from_query = parts.uri.query().and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("lang=").map(str::to_string))
        });
        let from_cookie = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|kv| kv.trim().strip_prefix("blankett_lang=").map(str::to_string));
        Ok(Lang(from_query.or(from_cookie)))
    }
}

/// `page` with `block` added at the end of its `<main>` (the runtime's own part of a page the
/// compiler drew, such as the receipt's signatures).
pub fn before_main_end(page: String, block: &str) -> String {
    if block.is_empty() {
        return page;
    }
    match page.rfind("</main>") {
        Some(i) => format!("{}{block}{}", &page[..i], &page[i..]),
        None => page,
    }
}
