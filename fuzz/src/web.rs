//! The served targets: the example kommun's router in process, with a logged-in citizen's
//! session and its CSRF token, taking fuzzed page posts (urlencoded and multipart) and a
//! delivery target's status reports. A 500 is a finding: bad input gets a clear 4xx.

use crate::Target;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use blankett_runtime::app::AppState;
use blankett_runtime::config::Config;
use blankett_runtime::outbox::{DeliveryConfig, Target as DeliveryTarget};
use blankett_runtime::registry::Registry;
use http_body_util::BodyExt;
use tower::ServiceExt;

const STATUS_TOKEN: &str = "fuzz-statusnyckel-0123456789";
const BOUNDARY: &str = "FUZZ";
/// Pages posted to: one with a photo (multipart), one with repeat rows (logged in).
const PAGES: [&str; 2] = ["/orust/felanmalan/felet", "/orust/koldmedium/aggregaten"];

pub struct Served {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    cookie: String,
    csrf: String,
    _dir: TempDir,
}

/// The data folder, on /dev/shm where there is one (a campaign's millions of saved drafts
/// would otherwise wait for the disk), removed at the end.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Served {
    pub fn start() -> Result<Served, String> {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            std::path::PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("blankett-fuzz-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let dir = TempDir(dir);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let root = crate::repo_root().join("examples/orust");
        let registry = Registry::compile(&[root])
            .map_err(|c| format!("the example does not compile: {:?}", c.diagnostics))?;
        let config = Config {
            dev: true,
            data: dir.0.clone(),
            delivery: DeliveryConfig {
                canary_interval_seconds: 0,
                targets: vec![DeliveryTarget {
                    status_token: Some(STATUS_TOKEN.into()),
                    ..DeliveryTarget::new(
                        "diariet",
                        "shs",
                        "http://127.0.0.1:9",
                        "urn:X-shs:2120001439",
                    )
                }],
                ..DeliveryConfig::default()
            },
            ..Config::default()
        };
        let db = dir.0.join("fuzz.db");
        let router = rt.block_on(async {
            let store = blankett_runtime::store::open(&db.display().to_string())
                .await
                .map_err(|e| e.to_string())?;
            let state = AppState::new(config, store, registry);
            Ok::<_, String>(blankett_runtime::app::router(state))
        })?;
        let mut served = Served {
            rt,
            router,
            cookie: String::new(),
            csrf: String::new(),
            _dir: dir,
        };
        served.log_in()?;
        Ok(served)
    }

    fn send(&mut self, req: Request<Body>) -> Result<(StatusCode, String), String> {
        let router = self.router.clone();
        let (status, cookie, body) = self.rt.block_on(async move {
            let res = router.oneshot(req).await.map_err(|e| e.to_string())?;
            let status = res.status();
            let cookie = res
                .headers()
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter_map(|v| v.split(';').next())
                .find(|p| p.starts_with("blankett_session="))
                .map(str::to_string);
            let bytes = res
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?
                .to_bytes();
            Ok::<_, String>((status, cookie, String::from_utf8_lossy(&bytes).into_owned()))
        })?;
        if let Some(c) = cookie {
            self.cookie = c;
        }
        Ok((status, body))
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let b = Request::builder().method(method).uri(path);
        if self.cookie.is_empty() {
            b
        } else {
            b.header(header::COOKIE, &self.cookie)
        }
    }

    /// The dev login, so the posts reach pages that need a person.
    fn log_in(&mut self) -> Result<(), String> {
        let req = self
            .request("GET", "/auth/dev")
            .body(Body::empty())
            .map_err(|e| e.to_string())?;
        let (_, page) = self.send(req)?;
        self.csrf = csrf_of(&page).ok_or("no CSRF token on the login page")?;
        let body = format!("_csrf={}&person=198112289874&next=%2Fmina-sidor", self.csrf);
        let req = self
            .request("POST", "/auth/dev")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .map_err(|e| e.to_string())?;
        let (status, page) = self.send(req)?;
        if status != StatusCode::SEE_OTHER {
            return Err(format!("the dev login answered {status}: {page}"));
        }
        // The session was renewed at login: its token is on any page.
        let req = self
            .request("GET", PAGES[0])
            .body(Body::empty())
            .map_err(|e| e.to_string())?;
        let (_, page) = self.send(req)?;
        self.csrf = csrf_of(&page).ok_or("no CSRF token on the first page")?;
        Ok(())
    }

    /// Posts the input as the target says; a 500 is a finding.
    pub fn post(&mut self, target: Target, input: &[u8]) -> Result<(), String> {
        let page = PAGES[input.first().map_or(0, |b| (b & 1) as usize)];
        let req = match target {
            Target::UrlencodedPost => {
                let mut body = format!("_csrf={}&", self.csrf).into_bytes();
                body.extend_from_slice(input);
                self.request("POST", page)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(body))
            }
            Target::MultipartPost => {
                let mut body = format!(
                    "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
                    self.csrf
                )
                .into_bytes();
                body.extend_from_slice(input);
                self.request("POST", page)
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(Body::from(body))
            }
            _ => self
                .request("POST", "/api/leverans/status")
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::AUTHORIZATION, format!("Bearer {STATUS_TOKEN}"))
                .body(Body::from(input.to_vec())),
        }
        .map_err(|e| format!("the request could not be built: {e}"))?;
        let (status, body) = self.send(req)?;
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            return Err(format!(
                "{status}: {}",
                body.chars().take(400).collect::<String>()
            ));
        }
        Ok(())
    }
}

fn csrf_of(html: &str) -> Option<String> {
    let rest = &html[html.find("name=\"_csrf\"")?..];
    let v = rest.find("value=\"")? + 7;
    Some(rest[v..v + rest[v..].find('"')?].to_string())
}

/// Posts as the journeys send them.
pub fn seeds(target: Target) -> Vec<Vec<u8>> {
    let seeds: Vec<String> = match target {
        Target::UrlencodedPost => vec![
            "kategori=gata&beskrivning=H%C3%A5l+i+asfalten".into(),
            "\u{1}aggregat%5B0%5D.benamning=KA1&aggregat%5B0%5D.koldmedium=r410a&aggregat%5B1%5D.benamning=KA2&_action=add".into(),
            "\u{1}aggregat%5B3%5D.benamning=x&_action=remove%3Aaggregat%5B3%5D".into(),
        ],
        Target::MultipartPost => vec![
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"kategori\"\r\n\r\ngata\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"foto\"; filename=\"hal.png\"\r\nContent-Type: image/png\r\n\r\n\u{89}PNG\r\n\u{1a}\n\r\n--{BOUNDARY}--\r\n"),
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"beskrivning\"\r\n\r\nH\u{e5}l\r\n--{BOUNDARY}--\r\n"),
        ],
        _ => vec![
            r#"{"reference": "OFEL-2026-000001", "status": "registrerad", "case_number": "KS 2026/417"}"#.into(),
            r#"{"tx_id": "00000000-0000-0000-0000-000000000000", "status": "levererad"}"#.into(),
        ],
    };
    seeds.into_iter().map(String::into_bytes).collect()
}
