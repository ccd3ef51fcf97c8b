//! Signing through the OpenID Connect provider (OIDC Sweden's Signature Extension), end to end
//! against the real npm `oidc-provider` (tests/browser/oidc-provider.mjs with OIDC_SIGN_KEY:
//! the provider side of the extension), walked over HTTP like a browser: `signing: applicant`
//! (bygglov) signed and stored as signed, and no longer signed once its XML changes;
//! `signing: guardians` (barnomsorg) where the second guardian signs through the provider, and
//! another person is refused both by the provider (the claims binding) and, when a provider
//! ignores the binding, by the runtime; a signature over other data than our hash is refused;
//! a provider that does not declare the sign scope is not asked. Delivery starts only when all
//! have signed, and a changed XML becomes a dead letter.
//! Needs node and tests/browser/node_modules (scripts/setup.sh installs them).

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use base64::Engine;
use blankett_runtime::app::AppState;
use blankett_runtime::config::{Config, OidcConfig, SigningMethod};
use blankett_runtime::outbox::{DeliveryConfig, Target};
use blankett_runtime::store::EventKind;
use blankett_runtime::submission::signing::{self, SignatureState};
use blankett_runtime::submission::SubmissionStatus;
use blankett_runtime::test_mailbox::loopback::LoopbackMailbox as Receiver;
use std::collections::HashMap;
use std::path::PathBuf;
use support::{app_with, csrf_of, draft, Client};

const MARIA: &str = "199001012385"; // "Erik Eriksson" at the provider
const ANNA: &str = "198112289874";
const TOLVAN: &str = "191212121212";
const REDIRECT: &str = "http://127.0.0.1:8080/auth/oidc/callback";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn key_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oidc-request-key.pem")
}

/// oidc-provider in its signing mode, stopped (by its own process id) when dropped.
struct Provider {
    child: std::process::Child,
    base: String,
    log: PathBuf,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn provider() -> Provider {
    provider_with(true).await
}

/// `signing`: with OIDC_SIGN_KEY (the Signature Extension), or a provider for log-in only.
async fn provider_with(signing: bool) -> Provider {
    let script = repo().join("tests/browser/oidc-provider.mjs");
    assert!(
        repo()
            .join("tests/browser/node_modules/oidc-provider")
            .is_dir(),
        "tests/browser/node_modules is missing: run scripts/setup.sh"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = std::env::temp_dir().join(format!("blankett-oidc-sign-{}.log", uuid::Uuid::new_v4()));
    let mut node = std::process::Command::new("node");
    node.arg(&script)
        .env("OIDC_PORT", port.to_string())
        .env("OIDC_REDIRECT", REDIRECT);
    if signing {
        node.env("OIDC_SIGN_KEY", key_path());
    }
    let child = node
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("node runs tests/browser/oidc-provider.mjs");
    let p = Provider {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    };
    let http = reqwest::Client::new();
    for _ in 0..200 {
        let url = format!("{}/.well-known/openid-configuration", p.base);
        if http
            .get(&url)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return p;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "oidc-provider did not start: {}",
        std::fs::read_to_string(&p.log).unwrap_or_default()
    );
}

/// The runtime signing through the provider, delivering (once its outbox is spawned) to
/// `receiver` as the case system.
async fn setup(receiver: &Receiver) -> (axum::Router, AppState, Provider) {
    setup_with(receiver, provider().await).await
}

async fn setup_with(receiver: &Receiver, p: Provider) -> (axum::Router, AppState, Provider) {
    let issuer = p.base.clone();
    let (router, state) = app_with(|c| {
        c.delivery = DeliveryConfig {
            poll_ms: 10,
            backoff_base_ms: 5,
            canary_interval_seconds: 0,
            targets: vec![Target::new(
                "diariet",
                "shs",
                &receiver.url(),
                "urn:X-shs:2120001439",
            )],
            ..DeliveryConfig::default()
        };
        c.oidc = Some(OidcConfig {
            issuer,
            client_id: "blankett-test".into(),
            client_secret: "test-secret".into(),
            redirect_url: REDIRECT.into(),
            name: Some("Test-IdP".into()),
            scopes: vec![],
            request_key: Some(key_path()),
        });
        // `--dev` would choose the BankID simulator; this kommun signs through the provider.
        c.signing = Some(SigningMethod::Oidc);
    })
    .await;
    (router, state, p)
}

/// A browser at the provider: its cookies, no automatic redirects.
struct Browser {
    http: reqwest::Client,
    cookies: HashMap<String, String>,
    base: String,
}

struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

impl Browser {
    fn new(base: &str) -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: HashMap::new(),
            base: base.to_string(),
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let r = req.header("cookie", jar.join("; ")).send().await.unwrap();
        for c in r.headers().get_all("set-cookie") {
            let pair = c.to_str().unwrap().split(';').next().unwrap();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.trim().into(), v.trim().into());
            }
        }
        let status = r.status().as_u16();
        let location = r.headers().get("location").map(|l| {
            let l = l.to_str().unwrap();
            if l.starts_with('/') {
                format!("{}{l}", self.base)
            } else {
                l.to_string()
            }
        });
        Page {
            status,
            location,
            body: r.text().await.unwrap(),
        }
    }

    /// From the authorization URL through log-in (as `pnr`, the password field choosing a
    /// test fault) and the signature, until the provider sends the person back to the runtime.
    /// Returns the callback's path and query, and the signature page the person was shown.
    async fn sign(&mut self, url: &str, pnr: &str, password: &str) -> (String, String) {
        let mut url = url.to_string();
        let mut shown = String::new();
        for _ in 0..12 {
            let page = self.send(self.http.get(&url)).await;
            let next = if let Some(loc) = page.location {
                loc
            } else {
                assert_eq!(page.status, 200, "{url}: {}", page.body);
                let pairs: Vec<(&str, &str)> = if page.body.contains("name=\"login\"") {
                    vec![("prompt", "login"), ("login", pnr), ("password", password)]
                } else {
                    shown = page.body.clone();
                    vec![("prompt", "consent")]
                };
                let r = self.send(self.http.post(&url).form(&pairs)).await;
                r.location
                    .unwrap_or_else(|| panic!("{url}: {} {}", r.status, r.body))
            };
            if let Some(back) = next.strip_prefix("http://127.0.0.1:8080") {
                return (back.to_string(), shown);
            }
            url = next;
        }
        panic!("the provider never sent the person back");
    }
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x3d;", "=")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Our page before the provider: the link onwards (the provider's authorization URL).
async fn link_to_provider(c: &mut Client, page: &str, provider: &Provider) -> String {
    assert!(page.starts_with("/auth/oidc/underskrift/"), "{page}");
    let r = c.get(page).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Skriv under med Test-IdP"), "{}", r.body);
    let body = unescape(&r.body);
    let start = body
        .find(&format!("href=\"{}/auth?", provider.base))
        .unwrap_or_else(|| panic!("a link to the provider: {body}"));
    body[start + 6..].split('"').next().unwrap().to_string()
}

/// The Request Object's part `n` (0 the header, 1 the claims), read (not verified: the
/// provider does that) from the URL.
fn request_part(url: &str, n: usize) -> serde_json::Value {
    let query = url.split_once('?').unwrap().1;
    let request = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "request")
        .unwrap()
        .1
        .to_string();
    let payload = request.split('.').nth(n).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn request_object(url: &str) -> serde_json::Value {
    request_part(url, 1)
}

fn request_header(url: &str) -> serde_json::Value {
    request_part(url, 0)
}

/// The check page's "sign and send": returns our page before the provider.
async fn sign_and_send(c: &mut Client, form: &str) -> String {
    let check = c.get(&format!("/orust/{form}/kontrollera")).await;
    assert_eq!(check.status, StatusCode::OK, "{}", check.body);
    let token = csrf_of(&check.body).unwrap();
    let r = c
        .post(&format!("/orust/{form}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location.unwrap()
}

async fn fully_signed_events(state: &AppState, form: &str) -> usize {
    let events = state.store.events("orust", form).await.unwrap();
    events
        .iter()
        .filter(|e| e.kind == EventKind::FullySigned)
        .count()
}

/// Waits for `what`; a hang fails after a minute, a slow run does not.
async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..6000 {
        if done().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("never happened: {what}");
}

async fn tamper(state: &AppState, sql: &str, id: &str) {
    let path = state.config.data.join("t.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query(sql).bind(id).execute(&pool).await.unwrap();
}

#[tokio::test]
async fn an_applicant_signs_through_the_provider_and_a_changed_xml_is_not_delivered() {
    let receiver = Receiver::start(
        &std::env::temp_dir().join(format!("blankett-oidcsign-{}", uuid::Uuid::new_v4())),
    )
    .await
    .unwrap();
    let (router, state, provider) = setup(&receiver).await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let ours = sign_and_send(&mut c, "bygglov").await;
    let url = link_to_provider(&mut c, &ours, &provider).await;

    // The signature request as the extension has it.
    let object = request_object(&url);
    assert_eq!(object["iss"], "blankett-test");
    assert_eq!(object["aud"], provider.base.as_str());
    assert_eq!(object["prompt"], "login consent");
    let scope = object["scope"].as_str().unwrap();
    assert!(scope.split(' ').any(|s| s == "openid"));
    assert!(scope
        .split(' ')
        .any(|s| s == "https://id.oidc.se/scope/sign"));
    assert_eq!(
        object["claims"]["id_token"]["https://id.oidc.se/claim/personalIdentityNumber"],
        serde_json::json!({"essential": true, "value": MARIA})
    );
    let sign_request = &object["https://id.oidc.se/param/signRequest"];
    assert_eq!(sign_request["sign_message"]["mime_type"], "text/plain");
    let message = base64::engine::general_purpose::STANDARD
        .decode(sign_request["sign_message"]["message#sv"].as_str().unwrap())
        .unwrap();
    let message = String::from_utf8(message).unwrap();
    assert!(message.starts_with("Ansökan om bygglov"), "{message}");
    assert!(
        state
            .store
            .submissions_of(&format!("pnr:{MARIA}"))
            .await
            .unwrap()
            .is_empty(),
        "nothing is stored before it is signed"
    );
    // Our published key is the one the Request Object names.
    let jwks = c.get("/auth/oidc/jwks.json").await;
    assert_eq!(jwks.status, StatusCode::OK);
    let jwks: serde_json::Value = serde_json::from_str(&jwks.body).unwrap();
    assert_eq!(jwks["keys"][0]["kty"], "RSA");
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    assert_eq!(jwks["keys"][0]["kid"], request_header(&url)["kid"]);

    let mut browser = Browser::new(&provider.base);
    let (back, shown) = browser.sign(&url, MARIA, "x").await;
    assert!(
        shown.contains("Du skriver under") && shown.contains("Ansökan om bygglov"),
        "the provider shows the sign message: {shown} (back: {back})"
    );
    let receipt = c.get(&back).await;
    assert_eq!(receipt.status, StatusCode::SEE_OTHER, "{}", receipt.body);
    let receipt = receipt.location.unwrap();
    assert!(receipt.starts_with("/orust/bygglov/kvitto/"), "{receipt}");
    let id = receipt.rsplit('/').next().unwrap().to_string();
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::Mottagen);
    let sigs = state.store.signatures_of(&id).await.unwrap();
    assert_eq!(sigs.len(), 1);
    assert_eq!(sigs[0].signer_pnr, MARIA);
    assert_eq!(sigs[0].signer_name, "Erik Eriksson");
    assert_eq!(sigs[0].digest, signing::digest(&s.xml));
    // tbs_data was the SHA-256 of exactly the stored XML, and the signature covers it.
    assert_eq!(
        sign_request["tbs_data"].as_str().unwrap(),
        base64::engine::general_purpose::STANDARD.encode(sha2::Digest::finalize(
            <sha2::Sha256 as sha2::Digest>::new_with_prefix(s.xml.as_bytes())
        ))
    );
    assert!(signing::verify(&s.xml, &sigs[0]));
    assert_eq!(fully_signed_events(&state, "bygglov").await, 1);
    let page = c.get(&receipt).await;
    assert!(
        page.body
            .contains("Underskriven av <strong>Erik Eriksson</strong>"),
        "{}",
        page.body
    );
    let mina = c.get("/mina-sidor").await;
    assert!(mina.body.contains("Underskriven av") && mina.body.contains("Erik Eriksson"));

    assert_eq!(
        state.store.delivery_jobs_of(&id).await.unwrap().len(),
        1,
        "queued once signed"
    );

    // The stored XML changed after signing (before the sender ran): the signature no longer
    // holds, and the sender makes it a dead letter instead of delivering it as signed.
    tamper(
        &state,
        "UPDATE submissions SET xml = replace(xml, 'Henån', 'Henan') WHERE id = ?1",
        &id,
    )
    .await;
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert!(!signing::verify(&s.xml, &sigs[0]));
    assert_eq!(
        signing::signature_state(&state, &s).await.unwrap(),
        SignatureState::Invalid
    );
    assert!(c
        .get(&receipt)
        .await
        .body
        .contains("Underskriften stämmer inte med ansökan"));
    state.outbox.clone().expect("an outbox").spawn();
    eventually("the dead letter", async || {
        !state.store.dead_deliveries(10).await.unwrap().is_empty()
    })
    .await;
    let dead = state.store.dead_deliveries(10).await.unwrap();
    let why = dead[0].last_error.clone().unwrap_or_default();
    assert!(why.contains("changed after signing"), "{why}");
    assert_eq!(
        receiver.mailbox.counts().stored,
        0,
        "nothing reached the case system"
    );
}

#[tokio::test]
async fn a_signature_over_other_data_than_our_hash_is_refused() {
    let receiver = Receiver::start(
        &std::env::temp_dir().join(format!("blankett-oidcsign-{}", uuid::Uuid::new_v4())),
    )
    .await
    .unwrap();
    let (router, state, provider) = setup(&receiver).await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let ours = sign_and_send(&mut c, "bygglov").await;
    let url = link_to_provider(&mut c, &ours, &provider).await;
    let (back, _) = Browser::new(&provider.base)
        .sign(&url, MARIA, "fault:wrong-tbs")
        .await;
    let r = c.get(&back).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.body.contains("Underskriften gäller inte ansökan"),
        "{}",
        r.body
    );
    assert!(state
        .store
        .submissions_of(&format!("pnr:{MARIA}"))
        .await
        .unwrap()
        .is_empty());
}

/// Barnomsorg with two guardians: Maria (the applicant, signing through the provider) and
/// Anna. Returns the submission id and Anna's invitation.
async fn two_guardians(c: &mut Client, state: &AppState, provider: &Provider) -> (String, String) {
    c.login(MARIA).await;
    draft(
        state,
        "barnomsorg",
        1,
        MARIA,
        &[
            ("vardnadshavare_1.person.personnummer", "19900101-2385"),
            ("vardnadshavare_2.person.personnummer", "19811228-9874"),
        ],
    )
    .await;
    let ours = sign_and_send(c, "barnomsorg").await;
    let url = link_to_provider(c, &ours, provider).await;
    let (back, _) = Browser::new(&provider.base).sign(&url, MARIA, "x").await;
    let receipt = c.get(&back).await.location.unwrap();
    assert!(
        receipt.starts_with("/orust/barnomsorg/kvitto/"),
        "{receipt}"
    );
    let id = receipt.rsplit('/').next().unwrap().to_string();
    let page = c.get(&receipt).await;
    assert!(page.body.contains("Väntar på underskrift"), "{}", page.body);
    let body = page.body.replace("&#x2f;", "/");
    let start = body.find("/underskrift/").unwrap();
    let invite = body[start..].split('"').next().unwrap().to_string();
    (id, invite)
}

/// Anna, logged in, opens her invitation and asks to sign: the provider's URL.
async fn anna_starts_signing(anna: &mut Client, invite: &str, provider: &Provider) -> String {
    let page = anna.get(invite).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Skriv under med Test-IdP"),
        "{}",
        page.body
    );
    let token = csrf_of(&page.body).unwrap();
    let r = anna.post(invite, &[("_csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    link_to_provider(anna, &r.location.unwrap(), provider).await
}

#[tokio::test]
async fn the_second_guardian_signs_through_the_provider_and_another_person_is_refused() {
    let receiver = Receiver::start(
        &std::env::temp_dir().join(format!("blankett-oidcsign-{}", uuid::Uuid::new_v4())),
    )
    .await
    .unwrap();
    let (router, state, provider) = setup(&receiver).await;
    state.outbox.clone().expect("an outbox").spawn();
    let mut maria = Client::new(router.clone());
    let (id, invite) = two_guardians(&mut maria, &state, &provider).await;
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(s.status, SubmissionStatus::VantarPaUnderskrift);
    assert_eq!(fully_signed_events(&state, "barnomsorg").await, 0);

    let mut anna = Client::new(router.clone());
    anna.login(ANNA).await;

    // Tolvan legitimates himself at the provider for Anna's signature: the provider refuses
    // (the request binds the signature to Anna's personnummer), and nothing is signed.
    let url = anna_starts_signing(&mut anna, &invite, &provider).await;
    let object = request_object(&url);
    assert_eq!(
        object["claims"]["id_token"]["https://id.oidc.se/claim/personalIdentityNumber"]["value"],
        ANNA
    );
    let (back, shown) = Browser::new(&provider.base).sign(&url, TOLVAN, "x").await;
    assert!(
        shown.is_empty(),
        "the sign message is never shown to Tolvan"
    );
    assert!(back.contains("error=access_denied"), "{back}");
    let r = anna.get(&back).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Underskriften kunde inte slutföras"));

    // A provider that ignores the binding: the runtime itself refuses Tolvan's signature.
    let url = anna_starts_signing(&mut anna, &invite, &provider).await;
    let (back, _) = Browser::new(&provider.base)
        .sign(&url, TOLVAN, "fault:ignore-binding")
        .await;
    let r = anna.get(&back).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.body);
    assert!(
        r.body.contains("Underskriften gjordes av någon annan"),
        "{}",
        r.body
    );
    assert_eq!(state.store.signatures_of(&id).await.unwrap().len(), 1);
    let s = state.store.submission(&id).await.unwrap().unwrap();
    assert_eq!(
        s.status,
        SubmissionStatus::VantarPaUnderskrift,
        "still waiting for Anna"
    );
    assert_eq!(fully_signed_events(&state, "barnomsorg").await, 0);
    assert!(
        state.store.delivery_jobs_of(&id).await.unwrap().is_empty(),
        "no delivery before every guardian has signed"
    );

    // Anna herself signs: now, and only now, it is complete.
    let url = anna_starts_signing(&mut anna, &invite, &provider).await;
    let (back, shown) = Browser::new(&provider.base).sign(&url, ANNA, "x").await;
    assert!(
        shown.contains("Elsa") || shown.contains("barnomsorg") || shown.contains("Ansökan"),
        "{shown}"
    );
    let r = anna.get(&back).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some(invite.as_str()));
    assert!(anna
        .get(&invite)
        .await
        .body
        .contains("Du har skrivit under"));
    let s = state.store.submission(&id).await.unwrap().unwrap();
    // Complete: received, or already delivered by the outbox that runs beside this test.
    assert!(
        matches!(
            s.status,
            SubmissionStatus::Mottagen | SubmissionStatus::Levererad
        ),
        "{:?}",
        s.status
    );
    let sigs = state.store.signatures_of(&id).await.unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(
        sigs.iter().all(|g| signing::verify(&s.xml, g)),
        "both signed the same bytes"
    );
    assert!(sigs
        .iter()
        .any(|g| g.signer_pnr == ANNA && g.signer_name == "Anna Andersson"));
    assert_eq!(fully_signed_events(&state, "barnomsorg").await, 1);
    let receipt = maria.get(&format!("/orust/barnomsorg/kvitto/{id}")).await;
    assert_eq!(receipt.body.matches("Underskriven av <strong>").count(), 2);
    eventually("the delivery", async || {
        receiver.mailbox.counts().stored == 1
    })
    .await;
}

#[tokio::test]
async fn a_provider_without_the_sign_scope_is_not_asked_to_sign() {
    let receiver = Receiver::start(
        &std::env::temp_dir().join(format!("blankett-oidcsign-{}", uuid::Uuid::new_v4())),
    )
    .await
    .unwrap();
    let (router, state, _provider) = setup_with(&receiver, provider_with(false).await).await;
    let mut c = Client::new(router);
    c.login(MARIA).await;
    draft(&state, "bygglov", 0, MARIA, &[]).await;
    let check = c.get("/orust/bygglov/kontrollera").await;
    let token = csrf_of(&check.body).unwrap();
    let r = c
        .post("/orust/bygglov/kontrollera", &[("_csrf", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.body);
    assert!(r.body.contains("Underskriften är inte tillgänglig"));
    assert!(state
        .store
        .submissions_of(&format!("pnr:{MARIA}"))
        .await
        .unwrap()
        .is_empty());
}

#[test]
fn a_kommun_with_only_oidc_signs_through_it() {
    let oidc = OidcConfig {
        issuer: "https://idp.example.se".into(),
        client_id: "c".into(),
        client_secret: "s".into(),
        redirect_url: "https://e.example.se/auth/oidc/callback".into(),
        name: None,
        scopes: vec![],
        request_key: Some(key_path()),
    };
    let only_oidc = Config {
        oidc: Some(oidc.clone()),
        ..Config::default()
    };
    assert_eq!(only_oidc.signing_method(), SigningMethod::Oidc);
    let dev = Config {
        dev: true,
        ..only_oidc.clone()
    };
    assert_eq!(
        dev.signing_method(),
        SigningMethod::Bankid,
        "--dev has the simulator"
    );
    let mut no_key = Config {
        signing: Some(SigningMethod::Oidc),
        oidc: Some(OidcConfig {
            request_key: None,
            ..oidc
        }),
        ..Config::default()
    };
    let e = no_key.apply_env(|_| None).unwrap_err();
    assert!(e.contains("request_key"), "{e}");
}
