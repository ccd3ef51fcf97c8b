//! The runtime's one error type. Handlers return [`Result`] and use `?`; the error becomes the
//! message page with the right status. The page is drawn in Swedish here and redrawn in the
//! visitor's language by [`localize`], which knows the request (an error value does not).
//!
//! The rule: a store failure is never "not found" or an empty list. It is a 503 that says
//! nothing was lost, and the log names the cause.

use crate::store::StoreError;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub type Result<T = Response, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Does not exist, or is not the visitor's (the two look the same on purpose).
    #[error("not found")]
    NotFound,
    /// A POST without the session's CSRF token.
    #[error("the form's CSRF token is missing or wrong")]
    Csrf,
    /// A page that needs a permission the visitor does not have (the admin token).
    #[error("not authorized")]
    Unauthorized,
    #[error("too many requests")]
    TooManyRequests,
    /// A body over the size limit.
    #[error("the request body is too large")]
    TooLarge,
    /// A body that cannot be read: malformed (no multipart boundary, cut short) or too slow.
    #[error("the request body cannot be read")]
    Unreadable,
    /// A request that cannot be served as sent; the texts say what to do (Swedish, English).
    #[error("{heading}")]
    Refused {
        status: StatusCode,
        heading: Texts,
        body: Texts,
    },
    /// The database failed: nothing is lost, the visitor is asked to try again.
    #[error("storage failed")]
    Store(#[from] StoreError),
    /// A service we depend on (an e-ID provider) failed; logged with its cause.
    #[error("{what} is unavailable: {cause}")]
    Unavailable { what: &'static str, cause: String },
    /// What we stored cannot be read back (a bug or a damaged database); logged.
    #[error("stored data cannot be read: {0}")]
    Corrupt(String),
    /// The page needs a logged-in person: on to the log-in page (`to`), which leads back.
    #[error("log-in required")]
    LogInFirst { to: String },
    /// `blankett dev`: the forms do not compile; the errors are shown until fixed.
    #[error("the forms do not compile")]
    DevCompile(String),
}

/// A text in Swedish and English.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    pub sv: &'static str,
    pub en: &'static str,
}

impl std::fmt::Display for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sv)
    }
}

impl Texts {
    pub const fn new(sv: &'static str, en: &'static str) -> Self {
        Texts { sv, en }
    }

    fn get(&self, lang: &str) -> &'static str {
        if lang == "en" {
            self.en
        } else {
            self.sv
        }
    }
}

impl Error {
    /// A refusal that says what went wrong and what to do, in Swedish and English.
    pub fn refused(status: StatusCode, heading: Texts, body: Texts) -> Error {
        Error::Refused {
            status,
            heading,
            body,
        }
    }

    /// A body that could not be read, by the status axum gives the reason: over the size limit
    /// (413) or anything else (400: malformed, cut short, too slow).
    pub fn body(status: StatusCode) -> Error {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge
        } else {
            Error::Unreadable
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::LogInFirst { .. } => StatusCode::SEE_OTHER,
            Error::Csrf => StatusCode::FORBIDDEN,
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Error::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Error::Unreadable => StatusCode::BAD_REQUEST,
            Error::Refused { status, .. } => *status,
            Error::Store(_) | Error::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Error::Corrupt(_) | Error::DevCompile(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message page's heading and text in `lang`.
    fn page_texts(&self, lang: &str) -> (String, String) {
        let t = |heading: Texts, body: Texts| (heading.get(lang).into(), body.get(lang).into());
        match self {
            Error::NotFound => t(
                Texts::new("Sidan finns inte", "Page not found"),
                Texts::new(
                    "Kontrollera adressen, eller börja från listan över e-tjänster.",
                    "Check the address, or start from the list of e-services.",
                ),
            ),
            Error::Csrf => t(
                Texts::new("Sidan hade gått ut", "The page had expired"),
                Texts::new(
                    "Av säkerhetsskäl kunde formuläret inte skickas. Gå tillbaka, ladda om sidan och försök igen.",
                    "For your security the form could not be sent. Go back, reload the page and try again.",
                ),
            ),
            Error::Unauthorized => t(
                Texts::new("Logga in som handläggare", "Log in as staff"),
                Texts::new(
                    "Den här sidan kräver behörighet.",
                    "This page needs a permission.",
                ),
            ),
            Error::TooManyRequests => t(
                Texts::new("För många försök", "Too many attempts"),
                Texts::new(
                    "Vänta en minut och försök igen.",
                    "Wait a minute and try again.",
                ),
            ),
            Error::TooLarge => t(
                Texts::new("Det du skickade var för stort", "What you sent was too large"),
                Texts::new(
                    "Välj en mindre fil, eller skicka filerna en i taget. Dina andra svar är sparade.",
                    "Choose a smaller file, or send the files one at a time. Your other answers are saved.",
                ),
            ),
            Error::Unreadable => t(
                Texts::new("Det du skickade kunde inte läsas", "What you sent could not be read"),
                Texts::new(
                    "Sidan kom inte fram hel. Dina tidigare svar finns kvar. Gå tillbaka, ladda om sidan och försök igen.",
                    "The page did not arrive whole. Your earlier answers are kept. Go back, reload the page and try again.",
                ),
            ),
            Error::Refused { heading, body, .. } => t(*heading, *body),
            Error::Store(_) | Error::Unavailable { .. } => t(
                Texts::new(
                    "Tjänsten är tillfälligt otillgänglig",
                    "The service is temporarily unavailable",
                ),
                Texts::new(
                    "Det du har skickat in tidigare är sparat. Försök igen om en stund.",
                    "What you have sent before is saved. Try again in a while.",
                ),
            ),
            Error::Corrupt(_) => t(
                Texts::new("Något gick fel", "Something went wrong"),
                Texts::new(
                    "Det här är ett fel hos oss. Det du har skickat in tidigare är sparat. Kontakta kommunen om det händer igen.",
                    "This is our fault. What you have sent before is saved. Contact the municipality if it happens again.",
                ),
            ),
            Error::DevCompile(errors) => ("Formuläret har fel".into(), errors.clone()),
            Error::LogInFirst { .. } => t(
                Texts::new("Logga in", "Log in"),
                Texts::new("Logga in för att fortsätta.", "Log in to go on."),
            ),
        }
    }

    /// The page for this error in `lang`.
    pub fn page(&self, lang: &str) -> Response {
        let (heading, body) = self.page_texts(lang);
        let mut res = match self {
            Error::LogInFirst { to } => return crate::web::redirect(to),
            Error::DevCompile(_) => crate::web::dev_error_page(&heading, &body),
            _ => crate::web::message(self.status(), lang, &heading, &body),
        };
        *res.status_mut() = self.status();
        res
    }

    /// Logs what an operator must know: the causes of 5xx answers.
    fn log(&self) {
        match self {
            Error::Store(e) => {
                tracing::error!(error = %e, cause = ?std::error::Error::source(e), "storage failed; answered 503")
            }
            Error::Unavailable { what, cause } => {
                tracing::error!(service = what, cause = %cause, "a service is unavailable; answered 503")
            }
            Error::Corrupt(why) => tracing::error!(cause = %why, "stored data cannot be read"),
            _ => {}
        }
    }
}

/// Marks an error response so [`localize`] can redraw it in the visitor's language.
#[derive(Clone)]
struct ErrorPage(std::sync::Arc<Error>);

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        self.log();
        let mut res = self.page("sv");
        res.extensions_mut()
            .insert(ErrorPage(std::sync::Arc::new(self)));
        res
    }
}

/// Redraws error pages in the language of the request (`?lang=` or the language cookie).
pub async fn localize(req: Request, next: Next) -> Response {
    let lang = crate::web::lang_of(req.uri(), req.headers());
    let res = next.run(req).await;
    if lang == "sv" {
        return res;
    }
    match res.extensions().get::<ErrorPage>() {
        Some(ErrorPage(e)) => {
            let mut page = e.page(&lang);
            page.headers_mut().insert(
                axum::http::header::CONTENT_LANGUAGE,
                axum::http::HeaderValue::from_static("en"),
            );
            page
        }
        None => res,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_status_and_a_page_in_both_languages() {
        let errors = [
            Error::NotFound,
            Error::Csrf,
            Error::Unauthorized,
            Error::TooManyRequests,
            Error::TooLarge,
            Error::Unreadable,
            Error::Store(StoreError::from(sqlx::Error::PoolClosed)),
            Error::Corrupt("x".into()),
        ];
        for e in errors {
            let (sv, _) = e.page_texts("sv");
            let (en, _) = e.page_texts("en");
            assert_ne!(sv, en, "{e:?}");
            assert!(e.status().as_u16() >= 400);
        }
        assert_eq!(
            Error::Store(StoreError::from(sqlx::Error::PoolClosed)).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }
}
