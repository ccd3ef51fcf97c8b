//! The OpenID Connect relying party against a small fake provider on loopback (discovery,
//! JWKS, token endpoint; ID tokens signed with a test key): a good log-in, and the refusals:
//! wrong issuer, wrong audience, expired, badly signed, a replayed state, a replayed nonce
//! (an earlier ID token sent again), a state from another session, and PKCE checked.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use blankett_runtime::auth::oidc::SwedishClaims;
use blankett_runtime::config::OidcConfig;
use openidconnect::core::{
    CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRsaPrivateSigningKey,
};
use openidconnect::{
    Audience, EndUserName, IdToken, IdTokenClaims, IssuerUrl, JsonWebKeyId, Nonce,
    PrivateSigningKey, StandardClaims, SubjectIdentifier,
};
use sha2::Digest;
use std::sync::{Arc, Mutex};
use support::{app_with, Client};

const KEY: &str = r#"-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEAw3MMoiksMAxp4pyHn1GOPPfeOEuAyzwRshwcj5UAV6lueNRx
W/JitF6o3Y6rniyTuann2j8325xQ+olpsh4jt1FcEJ3vpXEYyYI7XudcC9yrgPxh
k2rWJL0qBHpIm5HmvE/nleijy3w/mkDl27Ut017vpHsrqVDGzpHX075e0G7wWWNT
GX1E74gtP7vf0gJCcYit93xyK38Q+w5ew80IeoAhbiuOfLJc/HKRCQkK8L66i1yR
5gM0mFnpGyqIFTO1cLclovqkbV6sh78eqVQFdD9SYNXPAriBNObcAID5cVvVUdmB
3zDfcLk+Z2DEP7sExcpQ6XU/51me/56ABxov6wIDAQABAoIBAFVwDwc6GVNdsdG6
XDzkUVnMfqs8Mi5lcVTbHg8T8uTfL2gJcg5gDA7NzGKhsdrAoMkKAUyx0vCgyfNj
Kz2OGE3T9ntbFv3KzSuVTu/DEkUrLxuA+ASRsM+5k0sGy4OaCXOrOFCbNDLI+yKq
mPBsqH4cI4TSxPjMU0PMlDy/HMJe4Qh7ZNV+an2aqvjxUzfRypdVKprfljOpB3gC
+SeXlXID0DQbNRyPCRQTykdWWsImknQ4/kAmckYEOSKxPKJ7r2OnfRKFTnS7OKQc
50+aQJ4r36BCHnPOOlf2wjjWMXUMOVB2TRDa74XVXF7r0D9i1MGVFgvn5lyLEKim
d+2bJlkCgYEA4G2CGrKlY2n7zOohNxNyl8GViKpfb0B2oaPY7pB78xYQ1L8/A2ll
T+CYIzjoZGjxoRXC7r9eHlF2qx5Pth5TeMTJqOXZxwbfI+1bQTJK+5uDfy28esgP
M19G2G6V9yhdPh+RRk8PwsUwjTqy0oAjEQPZe5C42SDde1v/hfjuJeMCgYEA3vHr
zC9AN3L10//n/3Yj4Ni+i4zDEikYW4eHtad0VdiXFIfls21x6j6Q3rU8/WaWhJ/7
yzxxNdorS52fIUOVUKvreqgZTQJmsops/B+9bzGZ62fgahdryJXMrIQBbSyV7h+G
UatEhGCt0sjNI1YdEaYf7cp0Yntts5OdnQTELFkCgYAa/rEWmwRvx9DE3iiuokU3
Yc6lyLCABkX+vWGbmH+ARtgxbuuacnQAPqiuG+tAIKtnz+FJrHUaunvGq3e1FUK/
FRSYn0UpvnbasHM4jV8dkqAnjQ3NywChEkXIRMz/FLjafxuPVHU13VgwtK3LyiPt
qQPg7BB/9YcOjotWxxGGNwKBgEnJ8kxLW0q+7uQy79tag7d4pWBUv3+0QE6TBfS2
rsd2/1IZRIplb+2itZowjDYmjSzqMpFquOGlCu1lBvUghDwGGtMm7fDSGaGANWAh
NTanSRVj9R/IDrF9+xciPcKfniQJJRDEydGymfWI5nSKnOZpgGnYtzqdNYrZEbKV
kERJAoGBALB/CK/an19C2I9cZXpTTfAxrA4ASCqurC1zgKGWYSLGI6EAs7oqFEqr
CfLkh49N6GcvTRrrwOn07TKiK2W6JvhRSzj40DlSnWWBYIgAJZBt6N6DE2wv7+Ra
DQW2HoylnaxlyUwge6xP8HvV50bTRQZZy2Qz0Rud7VkihSLLSw9/
-----END RSA PRIVATE KEY-----"#;
/// Another key: a token signed with it, under the same key id, is badly signed.
const OTHER_KEY: &str = r#"-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEA3/nqaB/bspxgCa+JUW9NutM2MMB8jTxV3pT/fWHQudZTO9/8
EApq8faKOtZvEhlGmXDMEnrHY53m/4puD6IDhxjVvEJQPbAzSPk1MUz7GIvg/UhY
O/WcqUGcal1gc1/J/LhxEgz8bYkYyM4rpO67sBBKJG+pELL5EPK0d8amz1c5pfGz
Sq6fOdbD+dACtmyvD3k4CQwXX2fZ/IDMCjPGiEgR/uPeEJVIdXktCz7E0sfoAR6M
1nFnNy7lbaZrogbKFBCy3ldtlYE2DGmsTht6hVna/Nfl7w+AI4UAsywO3x1MN/P4
L4h3spkh/XxdmdWesrEEIR4hHhtNtd0RftzlnwIDAQABAoIBAENa2DvE7OBLN3Ri
NgTn2HPJBaBmmm4syVP88dJGYqsoQXKdmqNGRsAKGKq2BsPmFv2Y1r3t711NRITv
n8aSvcXYWZpaROAwR1P4IZ94W4CXvCrfIS2y4JBj20J/XzyC/27BFrvLbPQRyQLG
QYjBhG7fjzRi4fBUKiOHIW9trYdnTzfVWS0DlXmlEZsL7Sc1bTZU278cOEsP/HGz
s1V1BoPAmbwOswKxIgzlBiLJhpqEGNYoXxOixrSHOLmTlRop/MBDH6tBdiwpe75n
V9azyHk3RMz8RjRx7T93aDa8aH6XYjPhqkYDNYEPjJVI1s+Xmci4s0X3paLWq0xq
CPj1CUkCgYEA8WbbmfGn3ASHn7k+1UmSNhtOHB+rh8c3jy2F4xJ9/Yleh8zZ4ios
cecJq7IfpcjYVnaKa4zWKXoKqsrgNmzlDz4mhNRN2EiXc5fSuzUeav361VV+XyRh
yABedZCxK60qZZhYM7k7hRXcGOD+gKtmD08X72IWInNybaVCYjUFwncCgYEA7YVK
8H+F/I9CdfXEhzL6fFWKupiXLqh0Qj1XjKTcC6jqPCP97dPYjlyEQwV2NaVr/sCQ
59eYNdFhPJE/ZwFhksydtMQYQW1C0MplW8CYOOgCMZY3QHH5CrY4WXmDbMp9kIUz
8Rj8S/tVGy59RvoiQXs+x4QbMRC9H7LN1OYsWBkCgYABBiSsVIAXyNUiclC36uX5
4MfGCsRZgRjVPKYyvmNWbfy+qrnJ4c/qc8ZwugK0W1O/miUgK6rE5kWhT9b/pBqc
o/DZ42SpJDWwQdadAK6uWYF04jX1BVx80rOT4BdATi293JWTMpf0CpGycVHjDdcS
/YzmcQ4S+1Zi7K6JaBwsJQKBgQDqRfuphQ6iEqeJ89RZSfX4puMDszgC5FJvd1Og
PIdx1LTcht+SMc66dBRcismSlkwT5NnIY0UVaCTRea4gqiMUiU/QGU6XUe6CQ+9/
dVJvZp+rSy/KF+B9KUghMJJpvrvkzQ1zc6J+SzMhcVRNqrAZCDfe0LWFSq5P0qvk
nvcEGQKBgQDOsjUUPmFSt0ONwYQmRbFm7K0dV7vfFJFWEUdFyfUKB+/zJqDL2KiJ
fXO3C6niXIW5jJYDWtXnLcF9QuaDWitdYv/IldxI+0hOC733XPdvAAn6odE3UXwB
KKMhbUsJWvX8xIqV5eUSJGgyPtXSsUNGHrLEqC7aA8PU2T4+z/e34w==
-----END RSA PRIVATE KEY-----"#;
const CLIENT_ID: &str = "blankett-orust";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Good,
    WrongIssuer,
    WrongAudience,
    Expired,
    BadSignature,
    /// The token endpoint answers with the last ID token it gave out (an attacker's replay).
    Replay,
}

#[derive(Default)]
struct Fake {
    base: String,
    mode: Option<ModeBox>,
    /// The nonce and PKCE challenge of the last authorization request.
    nonce: String,
    challenge: String,
    last_token: Option<String>,
    verifier_ok: Option<bool>,
}

struct ModeBox(Mode);

type Shared = Arc<Mutex<Fake>>;

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new("k1".into()))).unwrap()
}

type SwedishIdToken = IdToken<
    SwedishClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

fn id_token(fake: &Fake, mode: Mode) -> String {
    let now = chrono::Utc::now();
    let issuer = if mode == Mode::WrongIssuer {
        "http://127.0.0.1:1/other".to_string()
    } else {
        fake.base.clone()
    };
    let audience = if mode == Mode::WrongAudience {
        "someone-else"
    } else {
        CLIENT_ID
    };
    let exp = if mode == Mode::Expired {
        now - chrono::Duration::minutes(5)
    } else {
        now + chrono::Duration::minutes(5)
    };
    let mut name = openidconnect::LocalizedClaim::new();
    name.insert(None, EndUserName::new("Tolvan Tolvansson".into()));
    let claims = IdTokenClaims::new(
        IssuerUrl::new(issuer).unwrap(),
        vec![Audience::new(audience.into())],
        exp,
        now - chrono::Duration::minutes(6),
        StandardClaims::new(SubjectIdentifier::new("abc-123".into())).set_name(Some(name)),
        SwedishClaims {
            personal_identity_number: Some("191212121212".into()),
            ..Default::default()
        },
    )
    .set_nonce(Some(Nonce::new(fake.nonce.clone())));
    let signer = key(if mode == Mode::BadSignature {
        OTHER_KEY
    } else {
        KEY
    });
    SwedishIdToken::new(
        claims,
        &signer,
        CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        None,
        None,
    )
    .unwrap()
    .to_string()
}

async fn fake_provider() -> Shared {
    let shared: Shared = Arc::new(Mutex::new(Fake::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    shared.lock().unwrap().base = base.clone();
    let discovery = serde_json::json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/auth"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "userinfo_endpoint": format!("{base}/me"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
    });
    let jwks =
        serde_json::to_value(CoreJsonWebKeySet::new(vec![key(KEY).as_verification_key()])).unwrap();
    let s = shared.clone();
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { axum::Json(discovery) }))
        .route("/jwks", get(move || async move { axum::Json(jwks) }))
        .route(
            "/token",
            post(move |body: String| async move {
                let pairs: Vec<(String, String)> =
                    form_urlencoded::parse(body.as_bytes()).into_owned().collect();
                let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                let mut f = s.lock().unwrap();
                let verifier = get("code_verifier").unwrap_or_default();
                let challenge = base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    sha2::Sha256::digest(verifier.as_bytes()),
                );
                f.verifier_ok = Some(challenge == f.challenge);
                let mode = f.mode.as_ref().map(|m| m.0).unwrap_or(Mode::Good);
                let token = match (mode, &f.last_token) {
                    (Mode::Replay, Some(t)) => t.clone(),
                    _ => id_token(&f, mode),
                };
                f.last_token = Some(token.clone());
                axum::Json(serde_json::json!({
                    "access_token": "at-1", "token_type": "Bearer", "expires_in": 300, "id_token": token,
                }))
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    shared
}

async fn app_and_provider() -> (Client, Shared, axum::Router) {
    let fake = fake_provider().await;
    let issuer = fake.lock().unwrap().base.clone();
    let (router, _) = app_with(|c| {
        c.oidc = Some(OidcConfig {
            issuer,
            client_id: CLIENT_ID.into(),
            client_secret: "test-secret".into(),
            redirect_url: "http://127.0.0.1:8080/auth/oidc/callback".into(),
            name: Some("Freja eID".into()),
            scopes: vec![],
            request_key: None,
        })
    })
    .await;
    (Client::new(router.clone()), fake, router)
}

/// Starts a log-in: the provider's authorization URL's query, read into the fake.
async fn start(c: &mut Client, fake: &Shared) -> Vec<(String, String)> {
    let page = c.get("/auth/logga-in?next=/mina-sidor").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Freja eID"),
        "the log-in page offers the provider: {}",
        page.body
    );
    assert!(page.body.contains("/auth/oidc?next=%2Fmina-sidor"));
    let r = c.get("/auth/oidc?next=%2Fmina-sidor").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let url = r.location.unwrap();
    let base = fake.lock().unwrap().base.clone();
    assert!(url.starts_with(&format!("{base}/auth?")), "{url}");
    let query: Vec<(String, String)> =
        form_urlencoded::parse(url.split_once('?').unwrap().1.as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| {
        query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(get("response_type"), "code");
    assert_eq!(get("client_id"), CLIENT_ID);
    assert_eq!(get("code_challenge_method"), "S256");
    assert!(get("scope")
        .split(' ')
        .any(|s| s == "https://id.oidc.se/scope/naturalPersonNumber"));
    let mut f = fake.lock().unwrap();
    f.nonce = get("nonce");
    f.challenge = get("code_challenge");
    query
}

fn state_of(query: &[(String, String)]) -> String {
    query.iter().find(|(k, _)| k == "state").unwrap().1.clone()
}

async fn back(c: &mut Client, state: &str) -> support::Response {
    c.get(&format!("/auth/oidc/callback?code=code-1&state={state}"))
        .await
}

async fn refused(mode: Mode) {
    let (mut c, fake, _) = app_and_provider().await;
    let q = start(&mut c, &fake).await;
    fake.lock().unwrap().mode = Some(ModeBox(mode));
    let r = back(&mut c, &state_of(&q)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body.contains("Inloggningen kunde inte slutföras"));
    let mina = c.get("/mina-sidor").await;
    assert_eq!(mina.status, StatusCode::SEE_OTHER, "not logged in");
}

#[tokio::test]
async fn a_good_id_token_logs_in_with_the_personnummer_and_pkce_is_used() {
    let (mut c, fake, _) = app_and_provider().await;
    let q = start(&mut c, &fake).await;
    let r = back(&mut c, &state_of(&q)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/mina-sidor"));
    assert_eq!(
        fake.lock().unwrap().verifier_ok,
        Some(true),
        "the PKCE verifier matches the challenge"
    );
    let mina = c.get("/mina-sidor").await;
    assert_eq!(mina.status, StatusCode::OK);
    assert!(mina.body.contains("Tolvan Tolvansson"));
}

#[tokio::test]
async fn an_id_token_from_another_issuer_is_refused() {
    refused(Mode::WrongIssuer).await;
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    refused(Mode::WrongAudience).await;
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    refused(Mode::Expired).await;
}

#[tokio::test]
async fn a_badly_signed_id_token_is_refused() {
    refused(Mode::BadSignature).await;
}

#[tokio::test]
async fn a_state_is_good_for_one_callback_only() {
    let (mut c, fake, _) = app_and_provider().await;
    let q = start(&mut c, &fake).await;
    let first = back(&mut c, &state_of(&q)).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let again = back(&mut c, &state_of(&q)).await;
    assert_eq!(
        again.status,
        StatusCode::BAD_REQUEST,
        "a replayed state is refused"
    );
}

#[tokio::test]
async fn a_replayed_id_token_fails_on_its_nonce() {
    let (mut c, fake, _) = app_and_provider().await;
    let q = start(&mut c, &fake).await;
    assert_eq!(
        back(&mut c, &state_of(&q)).await.status,
        StatusCode::SEE_OTHER
    );
    // A second log-in, and the provider (or an attacker in between) answers with the first
    // ID token: correctly signed, not expired, but made for the first log-in's nonce.
    let mut c2 = Client::new(c.app.clone());
    let q2 = start(&mut c2, &fake).await;
    fake.lock().unwrap().mode = Some(ModeBox(Mode::Replay));
    let r = back(&mut c2, &state_of(&q2)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
}

#[tokio::test]
async fn a_state_started_by_another_session_is_refused() {
    let (mut c, fake, router) = app_and_provider().await;
    let q = start(&mut c, &fake).await;
    let mut other = Client::new(router);
    let r = back(&mut other, &state_of(&q)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // And the state is spent: the rightful session cannot use it after that either.
    assert_eq!(
        back(&mut c, &state_of(&q)).await.status,
        StatusCode::BAD_REQUEST
    );
}
