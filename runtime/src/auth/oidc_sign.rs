//! Signing through the OpenID Connect provider, for a kommun that reaches e-ID only through an
//! OIDC broker: OIDC Sweden's *Signature Extension for OpenID Connect* (v1.2).
//!
//! The request is an authentication request whose signed Request Object (RS256, the key in
//! `[oidc] request_key`) carries `https://id.oidc.se/param/signRequest`: `tbs_data` is the
//! SHA-256 of the exact submission XML (the same 32 bytes BankID gets as `userNonVisibleData`)
//! and `sign_message` the readable summary (`message#sv`, `text/plain`). The scope includes
//! `https://id.oidc.se/scope/sign`, `prompt` is `login consent` (a signature never rides on an
//! earlier log-in), and the `claims` parameter binds the signature to the expected signer's
//! personnummer (essential, with its value), so the provider refuses anyone else.
//!
//! The provider answers like a log-in; the ID token is checked by `auth::oidc::redeem` exactly
//! as a log-in's, then it must carry `https://id.oidc.se/claim/userSignature`, be the expected
//! signer's, and the signature must cover our hash (`signing::covers`: the format the claim
//! mapping of OIDC Sweden gives brokers of BankID, BankID's signature XML). It is stored by
//! `signing::signed` like a BankID signature, so the receipt, Mina sidor and the sender's check
//! before delivery treat both alike.
//!
//! A browser's form POST cannot end at another site (CSP `form-action 'self'`), so the sign
//! buttons lead to a page of ours (`GET /auth/oidc/underskrift/{state}`) with a link onwards.

use super::oidc::{self, Refused};
use crate::app::AppState;
use crate::config::{OidcConfig, SigningMethod};
use crate::error::{Error, Texts};
use crate::store::{EidOrder, EidOrderKind, Session};
use crate::submission::signing::{b64, covers, refused, Pending};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Router};
use base64::Engine;
use blankett_compiler::eval::Outcome;
use blankett_compiler::ir::Form;
use openidconnect::core::{CoreJsonWebKeySet, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PkceCodeChallenge, PrivateSigningKey};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The kind of the e-ID order a signature request is kept as until the provider answers.
pub const KIND: EidOrderKind = EidOrderKind::OidcSign;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/underskrift/{id}", get(page))
        .route("/auth/oidc/jwks.json", get(jwks))
}
pub const SIGN_SCOPE: &str = "https://id.oidc.se/scope/sign";
pub const SIGN_REQUEST: &str = "https://id.oidc.se/param/signRequest";
pub const USER_SIGNATURE: &str = "https://id.oidc.se/claim/userSignature";
/// The sign message rides in the authorization URL (a Request Object by value): kept short
/// enough that the URL stays well inside the 8–16 KB servers accept in a request line.
const MESSAGE_BYTES: usize = 3000;
/// A Request Object is good for five minutes (its `exp`).
const REQUEST_SECONDS: i64 = 300;

/// What a started signature keeps until the provider sends the person back.
#[derive(Serialize, Deserialize)]
struct Order {
    nonce: String,
    verifier: String,
    /// The provider's authorization URL, with the Request Object.
    url: String,
    pending: Pending,
}

/// Whether submissions are signed through the OIDC provider here.
pub fn chosen(state: &AppState) -> bool {
    state.config.signing_method() == SigningMethod::Oidc && state.config.oidc.is_some()
}

/// The provider's name, for buttons ("Skriv under med …").
pub fn provider_name(state: &AppState) -> String {
    state
        .config
        .oidc
        .as_ref()
        .and_then(|o| o.name.clone())
        .unwrap_or_else(|| "e-legitimation".into())
}

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The sign message: the form's title and the answers as plain text (the MIME type every
/// provider must take), cut at [`MESSAGE_BYTES`] with a note that it was.
pub fn sign_message(form: &Form, outcome: &Outcome) -> String {
    crate::submission::shown::visible_text(
        form,
        outcome,
        crate::submission::shown::Style::Plain,
        MESSAGE_BYTES,
    )
}

/// The Request Object key from `[oidc] request_key`, its key id the RFC 7638 thumbprint of
/// its public key (so a new key gets a new id, and the provider can compute it too).
fn request_key(cfg: &OidcConfig) -> Result<CoreRsaPrivateSigningKey, String> {
    let path = cfg
        .request_key
        .as_ref()
        .ok_or("`[oidc] request_key` is not set")?;
    let pem = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let bad = |e: String| {
        format!(
            "`{}` is not an RSA private key in PEM (PKCS#1, `BEGIN RSA PRIVATE KEY`): {e}",
            path.display()
        )
    };
    let plain = CoreRsaPrivateSigningKey::from_pem(&pem, None).map_err(bad)?;
    let public = serde_json::to_value(plain.as_verification_key()).unwrap_or_default();
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        public["e"].as_str().unwrap_or_default(),
        public["n"].as_str().unwrap_or_default()
    );
    let kid = b64url(&<sha2::Sha256 as sha2::Digest>::digest(
        canonical.as_bytes(),
    ));
    CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(kid))).map_err(bad)
}

/// A compact JWS (RS256) of `claims`.
fn signed_jwt(
    key: &CoreRsaPrivateSigningKey,
    claims: &serde_json::Value,
) -> Result<String, String> {
    let kid = serde_json::to_value(key.as_verification_key()).unwrap_or_default()["kid"].clone();
    let header = json!({"alg": "RS256", "typ": "oauth-authz-req+jwt", "kid": kid});
    let input = format!(
        "{}.{}",
        b64url(header.to_string().as_bytes()),
        b64url(claims.to_string().as_bytes())
    );
    let sig = key
        .sign(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            input.as_bytes(),
        )
        .map_err(|e| format!("cannot sign the request object: {e}"))?;
    Ok(format!("{input}.{}", b64url(&sig)))
}

/// Starts a signature at the provider for `pending` (its digest, its one allowed signer) and
/// sends the person to our page that leads there.
pub async fn begin(
    state: &AppState,
    session: &Session,
    pending: Pending,
    message: String,
) -> crate::error::Result {
    match request(state, session, pending, &message).await {
        Ok(id) => Ok(crate::web::redirect(&format!(
            "/auth/oidc/underskrift/{id}"
        ))),
        Err(Refused::Store(e)) => Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "OIDC signature could not start");
            Err(Error::refused(
                StatusCode::SERVICE_UNAVAILABLE,
                Texts::new(
                    "Underskriften är inte tillgänglig just nu",
                    "Signing is not available right now",
                ),
                Texts::new(
                    "Det gick inte att nå e-legitimationstjänsten. Försök igen om en stund. Ingenting har skickats in.",
                    "The e-ID service could not be reached. Try again in a while. Nothing has been sent.",
                ),
            ))
        }
    }
}

async fn request(
    state: &AppState,
    session: &Session,
    pending: Pending,
    message: &str,
) -> Result<String, Refused> {
    let provider = |e: String| Refused::Provider(e);
    let cfg = state
        .config
        .oidc
        .clone()
        .ok_or_else(|| provider("`[oidc]` is not set".into()))?;
    let key = request_key(&cfg).map_err(provider)?;
    let http = oidc::http()?;
    let meta = oidc::metadata(&cfg, &http).await?;
    // The extension's RP rule: sign only where the provider declares the sign scope.
    if !meta
        .scopes_supported()
        .is_some_and(|s| s.iter().any(|s| s.as_str() == SIGN_SCOPE))
    {
        return Err(provider(format!(
            "the provider does not declare the scope {SIGN_SCOPE} (scopes_supported)"
        )));
    }
    let tbs = hex::decode(&pending.digest).map_err(|e| provider(e.to_string()))?;
    let id = crate::session::token();
    let nonce = crate::session::token();
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut scope = vec![
        "openid".to_string(),
        "profile".into(),
        oidc::PNR_SCOPE.into(),
        SIGN_SCOPE.into(),
    ];
    scope.extend(cfg.scopes.iter().cloned());
    let now = chrono::Utc::now().timestamp();
    let object = json!({
        "iss": cfg.client_id,
        "aud": cfg.issuer,
        "iat": now,
        "exp": now + REQUEST_SECONDS,
        "jti": crate::session::token(),
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": cfg.redirect_url,
        "scope": scope.join(" "),
        "state": id,
        "nonce": nonce,
        "prompt": "login consent",
        "code_challenge": challenge.as_str(),
        "code_challenge_method": "S256",
        "claims": {"id_token": {
            oidc::PNR_CLAIM: {"essential": true, "value": pending.signer_pnr},
            USER_SIGNATURE: {"essential": true},
            "auth_time": {"essential": true},
        }},
        SIGN_REQUEST: {
            "tbs_data": b64(&tbs),
            "sign_message": {"message#sv": b64(message.as_bytes()), "mime_type": "text/plain"},
        },
    });
    let jwt = signed_jwt(&key, &object).map_err(provider)?;
    // OpenID Connect Core 6.1: response_type, client_id and scope (with openid) outside too.
    let mut url = meta.authorization_endpoint().url().clone();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &cfg.client_id)
        .append_pair("scope", &scope.join(" "))
        .append_pair("request", &jwt);
    let order = Order {
        nonce,
        verifier: verifier.secret().clone(),
        url: url.to_string(),
        pending,
    };
    state
        .store
        .put_eid_order(&EidOrder {
            id: id.clone(),
            session_id: session.id.clone(),
            kind: KIND,
            data: serde_json::to_string(&order).map_err(|e| provider(e.to_string()))?,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(id)
}

/// `GET /auth/oidc/underskrift/{id}`: what is about to be signed, and the link to the provider.
async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> crate::error::Result {
    let stored = state
        .store
        .eid_order(&id)
        .await?
        .filter(|o| o.kind == KIND && o.session_id == session.id)
        .ok_or(Error::NotFound)?;
    let order = serde_json::from_str::<Order>(&stored.data)
        .map_err(|e| Error::Corrupt(format!("a stored OIDC signature order: {e}")))?;
    let provider = provider_name(&state);
    let body = crate::web::render(
        "oidc_sign.html",
        "sv",
        json!({"title": format!("Skriv under med {provider}"), "provider": provider,
            "form_title": order.pending.title, "href": order.url, "back": order.pending.back,
            "user": session.person_name}),
    );
    Ok(crate::web::html_page(body, false))
}

/// The provider sent the person back from a signature: check it as a log-in, then that it
/// carries a signature by the expected signer of exactly our hash, and store it.
pub async fn finish(
    state: &AppState,
    session: &Session,
    order: &EidOrder,
    q: oidc::Callback,
) -> crate::error::Result {
    let redeemed = async {
        let cfg = state.config.oidc.clone().ok_or(Refused::UnknownState)?;
        let code = oidc::check_order(order, session, q)?;
        let o: Order = serde_json::from_str(&order.data).map_err(|_| Refused::UnknownState)?;
        let (person, claims) = oidc::redeem(&cfg, code, o.verifier, o.nonce).await?;
        Ok::<_, Refused>((o.pending, person, claims))
    }
    .await;
    let (pending, person, claims) = match redeemed {
        Ok(x) => x,
        Err(Refused::Store(e)) => return Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "OIDC signature refused");
            let body = match e {
                // Also what a provider answers when someone else than the expected signer
                // legitimates themselves (the claims binding).
                Refused::Provider(_) => Texts::new(
                    "Underskriften avbröts hos e-legitimationstjänsten, eller så gick den inte att nå. Bara den som ansökan ska skrivas under av kan skriva under. Ingenting har skrivits under.",
                    "The signature was cancelled at the e-ID service, or it could not be reached. Only the person the application is to be signed by can sign. Nothing has been signed.",
                ),
                _ => Texts::new(
                    "Underskriften avbröts eller gick ut. Ingenting har skrivits under. Börja om och skriv under igen.",
                    "The signature was cancelled or ran out of time. Nothing has been signed. Start again and sign.",
                ),
            };
            return Err(Error::refused(
                StatusCode::BAD_REQUEST,
                Texts::new(
                    "Underskriften kunde inte slutföras",
                    "The signature could not be completed",
                ),
                body,
            ));
        }
    };
    let Some(signature) = claims.user_signature.filter(|s| !s.is_empty()) else {
        tracing::warn!("OIDC signature refused: the ID token has no userSignature claim");
        return Err(refused(
            Texts::new("Ingen underskrift kom tillbaka", "No signature came back"),
            Texts::new(
                "E-legitimationstjänsten skickade ingen underskrift. Ingenting har skrivits under.",
                "The e-ID service sent no signature. Nothing has been signed.",
            ),
        ));
    };
    if !covers(&signature, &pending.digest) {
        tracing::warn!("OIDC signature refused: it does not cover the submission's SHA-256");
        return Err(refused(
            Texts::new(
                "Underskriften gäller inte ansökan",
                "The signature is not of the application",
            ),
            Texts::new(
                "Det som skrevs under är inte ansökan som den ser ut här. Ingenting har skrivits under.",
                "What was signed is not the application as it stands here. Nothing has been signed.",
            ),
        ));
    }
    let evidence = claims.authn_evidence.unwrap_or_default();
    crate::signing::finish(state, pending, &person, &signature, &evidence).await
}

/// `GET /auth/oidc/jwks.json`: the public key of `request_key`, for the provider to check our
/// Request Objects by (register this URL as the client's `jwks_uri`, or its contents as `jwks`).
async fn jwks(State(state): State<AppState>) -> crate::error::Result {
    let cfg = state
        .config
        .oidc
        .as_ref()
        .filter(|c| c.request_key.is_some())
        .ok_or(Error::NotFound)?;
    let unavailable = |cause: String| Error::Unavailable {
        what: "the OIDC request key",
        cause,
    };
    let key = request_key(cfg).map_err(unavailable)?;
    let mut set = serde_json::to_value(CoreJsonWebKeySet::new(vec![key.as_verification_key()]))
        .map_err(|e| unavailable(e.to_string()))?;
    if let Some(k) = set["keys"].get_mut(0) {
        k["alg"] = json!("RS256");
    }
    Ok(axum::Json(set).into_response())
}
