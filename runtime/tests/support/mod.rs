//! An in-process client for the runtime: requests go straight into the router (no network),
//! with a cookie jar of one session cookie, like one browser.

// Test support fails loudly where it unwraps, which is what a test should do; clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not helpers like these.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use blankett_runtime::app::{self, AppState};
use blankett_runtime::config::Config;
use blankett_runtime::registry::Registry;
use http_body_util::BodyExt;
use std::path::PathBuf;
use tower::ServiceExt;

pub mod bankid;

pub struct Response {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    pub headers: axum::http::HeaderMap,
}

pub struct Client {
    pub app: Router,
    pub cookie: Option<String>,
    /// The admin page's cookie, once `admin` has exchanged the token for it.
    pub admin_cookie: Option<String>,
    /// An `X-Forwarded-For` the client writes on every request (a spoofing attempt: no proxy
    /// is trusted in tests).
    pub forwarded_for: Option<String>,
}

pub async fn app() -> (Router, AppState) {
    app_with(|_| {}).await
}

/// The example kommun with its configuration changed by `adjust` (e.g. `[oidc]`, `[bankid]`,
/// `[delivery]`), and an outbox when that configures one.
pub async fn app_with(adjust: impl FnOnce(&mut Config)) -> (Router, AppState) {
    let dir = std::env::temp_dir().join(format!("blankett-rt-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = blankett_runtime::store::open(dir.join("t.db").to_str().unwrap())
        .await
        .unwrap();
    app_on(store, dir, adjust).await
}

/// The example kommun served from `store`, with its data folder `dir`.
pub async fn app_on(
    store: blankett_runtime::store::DynStore,
    dir: PathBuf,
    adjust: impl FnOnce(&mut Config),
) -> (Router, AppState) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/orust");
    app_serving(root, store, dir, adjust).await
}

/// The kommun project at `root` served from `store`, with its data folder `dir`.
pub async fn app_serving(
    root: PathBuf,
    store: blankett_runtime::store::DynStore,
    dir: PathBuf,
    adjust: impl FnOnce(&mut Config),
) -> (Router, AppState) {
    let registry = Registry::compile(&[root])
        .unwrap_or_else(|c| panic!("the example does not compile: {:?}", c.diagnostics));
    let mut config = Config {
        dev: true,
        data: dir,
        ..Config::default()
    };
    adjust(&mut config);
    let state = AppState::new(config, store, registry)
        .with_configured_outbox()
        .unwrap();
    state.remember_versions().await;
    (app::router(state.clone()), state)
}

impl Client {
    pub fn new(app: Router) -> Self {
        Client {
            app,
            cookie: None,
            admin_cookie: None,
            forwarded_for: None,
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Response {
        let res = self.app.clone().oneshot(req).await.unwrap();
        for v in res.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap().to_string();
            if v.contains("Max-Age=0") {
                self.cookie = None;
            } else if pair.starts_with("blankett_session=") {
                self.cookie = Some(pair);
            } else if pair.starts_with("blankett_admin=") {
                self.admin_cookie = Some(pair);
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let location = headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let body = String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes())
            .into_owned();
        Response {
            status,
            location,
            body,
            headers,
        }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder().method(method).uri(path);
        let cookies: Vec<&str> = [&self.cookie, &self.admin_cookie]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies.join("; "));
        }
        if let Some(hop) = &self.forwarded_for {
            b = b.header("x-forwarded-for", hop);
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> Response {
        let req = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    /// Opens the admin page with `token` as staff do (`/admin?token=…`, exchanged for a cookie).
    pub async fn admin(&mut self, token: &str) -> Response {
        let exchanged = self.get(&format!("/admin?token={token}")).await;
        assert_eq!(
            exchanged.status,
            StatusCode::SEE_OTHER,
            "{}",
            exchanged.body
        );
        assert_eq!(exchanged.location.as_deref(), Some("/admin"));
        self.get("/admin").await
    }

    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Response {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A POST of `body` as `content_type`, as sent (malformed bodies included).
    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Response {
        let req = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// A multipart POST with one file.
    pub async fn post_file(
        &mut self,
        path: &str,
        pairs: &[(&str, &str)],
        file_field: &str,
        filename: &str,
        bytes: &[u8],
    ) -> Response {
        self.post_files(path, pairs, &[(file_field, filename, bytes)])
            .await
    }

    /// A multipart POST: the pairs, then each file as `(field, file name, bytes)`, in order.
    pub async fn post_files(
        &mut self,
        path: &str,
        pairs: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Response {
        let boundary = "XbLaNkEtTbOuNdArYx";
        let mut body = Vec::new();
        for (k, v) in pairs {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, filename, bytes) in files {
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = self
            .request("POST", path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// The CSRF token on the last page, read from its hidden input.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        csrf_of(&page.body).unwrap_or_else(|| panic!("no CSRF token on {path}: {}", page.status))
    }

    pub async fn login(&mut self, pnr: &str) {
        let token = self.csrf("/auth/dev").await;
        let res = self
            .post(
                "/auth/dev",
                &[("_csrf", &token), ("person", pnr), ("next", "/mina-sidor")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    }
}

pub fn csrf_of(html: &str) -> Option<String> {
    let i = html.find("name=\"_csrf\"")?;
    let rest = &html[i..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

/// Fills felanmälan (a street fault, no feedback wanted) up to its check page.
pub async fn fill_felanmalan_anonymously(c: &mut Client) {
    c.get("/orust/felanmalan/").await;
    let page = c.get("/orust/felanmalan/felet").await;
    let t = csrf_of(&page.body).unwrap();
    c.post(
        "/orust/felanmalan/felet",
        &[
            ("_csrf", &t),
            ("kategori", "gata"),
            ("beskrivning", "Stort hål i asfalten mitt i cykelbanan."),
        ],
    )
    .await;
    c.post(
        "/orust/felanmalan/plats",
        &[("_csrf", &t), ("platsbeskrivning", "Skolvägen")],
    )
    .await;
    c.post(
        "/orust/felanmalan/aterkoppling",
        &[("_csrf", &t), ("vill_ha_aterkoppling", "false")],
    )
    .await;
}

/// A draft of orust's `form` for `pnr` holding the answers of the form's own test case `case`,
/// with `changes` over them: a person who has filled the form in, at its check page.
pub async fn draft(state: &AppState, form: &str, case: usize, pnr: &str, changes: &[(&str, &str)]) {
    let reg = state.registry();
    let (_, svc) = reg.service("orust", form).unwrap();
    let mut answers = svc.form.tests[case].answers.clone();
    for (k, v) in changes {
        answers.insert(k.to_string(), serde_json::json!(v));
    }
    let now = chrono::Utc::now();
    state
        .store
        .put_draft(&blankett_runtime::store::Draft {
            id: uuid::Uuid::new_v4().to_string(),
            owner: format!("pnr:{pnr}"),
            kommun: "orust".into(),
            form: form.into(),
            form_hash: svc.form.hash.clone(),
            answers: serde_json::to_string(&answers).unwrap(),
            page: svc.form.pages[0].id.clone(),
            created_at: now,
            updated_at: now,
        })
        .await
        .unwrap();
}
