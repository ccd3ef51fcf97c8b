//! The development e-ID provider: pick one of Skatteverket's test persons. It exists only in
//! `--dev`; in production the route answers 404, so it cannot be reached by mistake.

use crate::app::AppState;
use crate::error::{Error, Result, Texts};
use crate::store::Session;
use crate::web::CheckedForm;
use axum::extract::{FromRequest, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/auth/dev", get(page).post(login))
}

/// Test persons (personnummer from Skatteverket's published test series).
pub const TEST_PERSONS: &[(&str, &str)] = &[
    ("191212121212", "Tolvan Tolvansson"),
    ("198112289874", "Anna Andersson"),
    ("199001012385", "Erik Eriksson"),
    ("197010102387", "Maria Larsson"),
];

use super::{safe_next, Next};

async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<Next>,
) -> Result {
    if !state.config.dev {
        return Err(Error::NotFound);
    }
    let persons: Vec<serde_json::Value> = TEST_PERSONS
        .iter()
        .map(|(pnr, name)| json!({"pnr": pnr, "name": name, "pnr_display": format!("{}-{}", &pnr[..8], &pnr[8..])}))
        .collect();
    let body = crate::web::render(
        "dev_login.html",
        "sv",
        json!({"title": "Logga in (test)", "persons": persons, "csrf": session.csrf, "next": safe_next(q.next.as_deref())}),
    );
    Ok(crate::web::html_page(body, false))
}

async fn login(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    client: crate::client::ClientAddr,
    req: axum::extract::Request,
) -> Result {
    // Outside `--dev` this address does not exist, whatever was posted to it.
    if !state.config.dev {
        return Err(Error::NotFound);
    }
    crate::auth::login_allowed(&state, &client)?;
    let form = CheckedForm::from_request(req, &state).await?;
    let Some((pnr, name)) = TEST_PERSONS
        .iter()
        .find(|(p, _)| Some(*p) == form.get("person"))
    else {
        return Err(Error::refused(
            StatusCode::BAD_REQUEST,
            Texts::new("Välj en testperson", "Choose a test person"),
            Texts::new(
                "Gå tillbaka och välj en av testpersonerna.",
                "Go back and choose one of the test persons.",
            ),
        ));
    };
    // The test persons have one given name and one family name each.
    let (given, family) = name.split_once(' ').unwrap_or((name, ""));
    let person = crate::auth::Person {
        pnr: pnr.to_string(),
        name: name.to_string(),
        given_name: Some(given.to_string()),
        family_name: Some(family.to_string()),
    };
    crate::auth::log_in(&state, &session, &person, form.get("next").unwrap_or("")).await
}
