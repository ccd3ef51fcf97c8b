//! What every area's handlers share: drawing the runtime's own pages (layout, messages),
//! redirects, the language of a request, form bodies, and the extractors (`extract`).

pub(crate) mod extract;
pub use extract::{CheckedForm, Lang, OwnedSubmission};

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
            ("layout.html", include_str!("../../templates/layout.html")),
            ("index.html", include_str!("../../templates/index.html")),
            ("message.html", include_str!("../../templates/message.html")),
            ("dev_login.html", include_str!("../../templates/dev_login.html")),
            ("mina_sidor.html", include_str!("../../templates/mina_sidor.html")),
            ("admin.html", include_str!("../../templates/admin.html")),
            ("login.html", include_str!("../../templates/login.html")),
            ("bankid.html", include_str!("../../templates/bankid.html")),
            ("cosign.html", include_str!("../../templates/cosign.html")),
            ("oidc_sign.html", include_str!("../../templates/oidc_sign.html")),
            ("signatures.html", include_str!("../../templates/signatures.html")),
            ("shs_mailbox.html", include_str!("../../templates/shs_mailbox.html")),
            ("shs_message.html", include_str!("../../templates/shs_message.html")),
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

/// 303, so a POST followed by reload does not post again. Only ever to a path on this site
/// ([`is_local_path`]): anything else would be an open redirect, so it is logged as the bug it
/// is and the visitor goes to `/` instead.
pub fn redirect(to: &str) -> Response {
    if is_local_path(to) {
        see_other(to)
    } else {
        tracing::error!(location = %to.escape_debug(), "refused to redirect off the site; sent to / instead");
        see_other("/")
    }
}

/// 303 to the configured e-ID provider: the one redirect that leaves the site on purpose.
pub fn redirect_to_provider(url: &str) -> Response {
    see_other(url)
}

fn see_other(to: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Whether a browser reads `to`, as a Location, as a path on this site. It must start with one
/// `/` and hold only visible ASCII; percent-decoded, it must still not start with `//` nor hold
/// `\`, whitespace or control characters. Browsers drop tabs and newlines from a URL and read
/// `\` as `/`, so `/\t/evil.example` and `/\evil.example` lead to another host.
pub fn is_local_path(to: &str) -> bool {
    let raw = to.as_bytes();
    let decoded: Vec<u8> = percent_encoding::percent_decode(raw).collect();
    let same_site = |b: &[u8]| {
        b.first() == Some(&b'/')
            && b.get(1) != Some(&b'/')
            && !b
                .iter()
                .any(|&c| c == b'\\' || c.is_ascii_whitespace() || c.is_ascii_control())
    };
    raw.iter().all(u8::is_ascii_graphic) && same_site(raw) && same_site(&decoded)
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

/// `blankett dev`'s page for forms that do not compile (500: the server cannot serve them).
pub fn dev_error_page(heading: &str, errors: &str) -> Response {
    let body = render(
        "message.html",
        "sv",
        json!({"title": "Fel i formuläret", "heading": heading, "body": errors, "back": "Ladda om när felen är rättade", "back_href": ""}),
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `application/x-www-form-urlencoded` body → pairs, in order.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The language of a request: `?lang=` when given (remembered in a cookie), else the cookie,
/// else Swedish. Only `sv` and `en` exist.
pub fn lang_of(uri: &axum::http::Uri, headers: &axum::http::HeaderMap) -> String {
    let from_query = uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.into_owned())
    });
    let from_cookie = || {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|kv| kv.trim().strip_prefix("blankett_lang=").map(str::to_string))
    };
    match from_query.or_else(from_cookie).as_deref() {
        Some("en") => "en".into(),
        _ => "sv".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn location(to: &str) -> String {
        redirect(to).headers()[header::LOCATION]
            .to_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_redirect_stays_on_the_site() {
        for ok in [
            "/",
            "/orust/felanmalan/",
            "/mina-sidor?sparad=1",
            "/admin?token=a%2Bb",
            "/a%C3%A5",
        ] {
            assert_eq!(location(ok), ok);
        }
        for off in [
            "//evil.example/x/",
            "/\\evil.example/x/",
            "/\t/evil.example/",
            "/%09/evil.example/",
            "/%2F%2Fevil.example",
            "/%2fevil.example",
            "/%5Cevil.example",
            "/ok\r\nSet-Cookie: x=1",
            "/a b",
            "/%20",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil.example",
            " /x",
            "",
            "/å",
        ] {
            assert_eq!(location(off), "/", "{off:?}");
            assert!(!is_local_path(off), "{off:?}");
        }
    }
}
