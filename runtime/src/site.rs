//! The site around the e-services: the index of e-services, health, metrics, static assets and
//! the kommuner's themes, and the page for addresses nothing serves.

use crate::app::AppState;
use crate::error::Error;
use crate::store::Session;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use blankett_compiler::backend::html;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/assets/{file}", get(asset))
        .route("/_dev/version", get(dev_version))
        .route("/{kommun}/theme.css", get(theme))
}

/// The e-services in their library's categories, in the library's order; within a category by
/// title as a Swede sorts (å, ä, ö after z). Uncategorised ones come last.
fn groups<'a>(
    forms: impl Iterator<Item = (String, &'a blankett_compiler::ir::Form)>,
    lang: &str,
) -> Vec<serde_json::Value> {
    let mut by_group: std::collections::BTreeMap<(usize, String), Vec<(String, String)>> =
        Default::default();
    for (href, form) in forms {
        let key = match &form.category {
            Some(c) => (c.order, c.title.get(lang).to_string()),
            None => (
                usize::MAX,
                if lang == "en" {
                    "Other e-services"
                } else {
                    "Övriga e-tjänster"
                }
                .into(),
            ),
        };
        by_group
            .entry(key)
            .or_default()
            .push((form.title.get(lang).to_string(), href));
    }
    by_group
        .into_iter()
        .map(|((_, title), mut services)| {
            services.sort_by_key(|(t, _)| swedish_order(t));
            let services: Vec<_> = services
                .into_iter()
                .map(|(t, h)| json!({"title": t, "href": h}))
                .collect();
            json!({"title": title, "services": services})
        })
        .collect()
}

/// A sort key that puts å, ä and ö after z, as in Swedish.
fn swedish_order(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'å' => '{',
            'ä' | 'æ' => '|',
            'ö' | 'ø' => '}',
            c => c,
        })
        .collect()
}

async fn index(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    crate::web::Lang(lang): crate::web::Lang,
) -> Response {
    let reg = state.registry();
    let kommuner: Vec<serde_json::Value> = reg
        .kommuner
        .iter()
        .map(|(id, k)| {
            let forms = k
                .services
                .iter()
                .map(|(fid, s)| (format!("/{id}/{fid}/"), &*s.form));
            json!({"name": k.branding.name, "groups": groups(forms, &lang)})
        })
        .collect();
    let title = if lang == "en" {
        "E-services"
    } else {
        "E-tjänster"
    };
    crate::web::html_page(
        crate::web::render(
            "index.html",
            &lang,
            json!({"title": title, "kommuner": kommuner, "user": session.person_name}),
        ),
        lang == "en",
    )
}

/// An address no route knows: "Sidan finns inte", in the person's language.
pub async fn fallback() -> Error {
    Error::NotFound
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.session("healthz").await {
        Ok(_) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, format!("storage: {e}\n")).into_response(),
    }
}

async fn metrics(State(state): State<AppState>) -> crate::error::Result {
    let delivery = crate::admin::delivery::metrics_text(&state).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render() + &delivery,
    )
        .into_response())
}

pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    if file == "bankid.js" {
        return (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            include_str!("../assets/bankid.js"),
        )
            .into_response();
    }
    let mut found: Option<(&'static str, Vec<u8>)> = None;
    html::assets(&mut |name, bytes| {
        if name == file {
            let ty = if name.ends_with(".css") {
                "text/css; charset=utf-8"
            } else {
                "text/javascript; charset=utf-8"
            };
            found = Some((ty, bytes));
        }
    });
    match found {
        Some((ty, bytes)) => ([(header::CONTENT_TYPE, ty)], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn theme(State(state): State<AppState>, Path(kommun): Path<String>) -> Response {
    let reg = state.registry();
    match reg.kommuner.get(&kommun) {
        Some(k) => (
            [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
            html::theme_css(&k.branding),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `blankett dev`: the recompile counter pages poll to reload themselves (404 outside dev).
async fn dev_version(State(state): State<AppState>) -> Response {
    if !state.config.dev {
        return StatusCode::NOT_FOUND.into_response();
    }
    state
        .dev_version
        .load(std::sync::atomic::Ordering::Relaxed)
        .to_string()
        .into_response()
}

/// Appended to form.js in `blankett dev`: reload the page after every recompile.
pub const DEV_RELOAD_JS: &str = "\n;(function(){var seen=null;setInterval(function(){fetch('/_dev/version').then(function(r){return r.text();}).then(function(v){if(seen!==null&&v!==seen){location.reload();}seen=v;}).catch(function(){});},1000);})();\n";
