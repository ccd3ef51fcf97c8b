//! OpenID Connect relying party: the kommun's client at a provider (a broker for Freja, BankID
//! or Sweden Connect). Authorization code flow with PKCE; `state`, `nonce` and the PKCE
//! verifier are stored as an e-ID order bound to the session and taken once, so a state or an
//! ID token cannot be replayed. The ID token's signature is checked against the provider's JWKS,
//! and its issuer, audience, expiry and nonce; the personnummer is the Swedish claim
//! `https://id.oidc.se/claim/personalIdentityNumber`, from the ID token or else from userinfo.

use super::Person;
use crate::app::AppState;
use crate::config::OidcConfig;
use crate::error::{Error, Texts};
use crate::store::{EidOrder, EidOrderKind, Session};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Router};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse, UserInfoClaims,
};
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc", get(start))
        .route("/auth/oidc/callback", get(callback))
}

pub const PNR_SCOPE: &str = "https://id.oidc.se/scope/naturalPersonNumber";
pub const PNR_CLAIM: &str = "https://id.oidc.se/claim/personalIdentityNumber";
/// How long a started log-in may take before its state is worth nothing.
const ORDER_MINUTES: i64 = 10;

/// The claims of the Swedish OIDC profile this runtime reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SwedishClaims {
    #[serde(
        rename = "https://id.oidc.se/claim/personalIdentityNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub personal_identity_number: Option<String>,
    /// The Signature Extension's result: the signature the person made at the provider
    /// (base64; a BankID broker gives BankID's signature XML). Only asked for when signing.
    #[serde(
        rename = "https://id.oidc.se/claim/userSignature",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub user_signature: Option<String>,
    /// Evidence of the authentication or signature (a BankID broker: the OCSP response, base64).
    #[serde(
        rename = "https://id.oidc.se/claim/authnEvidence",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub authn_evidence: Option<String>,
}

impl AdditionalClaims for SwedishClaims {}

type SwedishIdToken = IdToken<
    SwedishClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// What a started log-in keeps until the provider sends the person back.
#[derive(Serialize, Deserialize)]
struct Pending {
    nonce: String,
    verifier: String,
    next: String,
}

/// Why a log-in was refused. Only the kind is logged: never a token or a personnummer.
#[derive(Debug)]
pub enum Refused {
    Provider(String),
    UnknownState,
    OtherSession,
    Expired,
    Token(String),
    IdToken(String),
    NoPersonnummer,
    /// Our own database failed: not the person's fault, and not the provider's.
    Store(crate::store::StoreError),
}

impl From<crate::store::StoreError> for Refused {
    fn from(e: crate::store::StoreError) -> Self {
        Refused::Store(e)
    }
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Provider(e) => write!(f, "the provider answered with an error: {e}"),
            Refused::UnknownState => write!(f, "unknown or already used state"),
            Refused::OtherSession => write!(f, "the state belongs to another session"),
            Refused::Expired => write!(f, "the log-in took too long"),
            Refused::Token(e) => write!(f, "the token request failed: {e}"),
            Refused::IdToken(e) => write!(f, "the ID token was refused: {e}"),
            Refused::NoPersonnummer => write!(f, "no personnummer in the ID token or userinfo"),
            Refused::Store(e) => write!(f, "{e}"),
        }
    }
}

pub(super) fn http() -> Result<openidconnect::reqwest::Client, Refused> {
    // Following redirects would let a provider point the server at any address (SSRF).
    openidconnect::reqwest::ClientBuilder::new()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(15))
        .build()
        .map_err(|e| Refused::Provider(e.to_string()))
}

pub(super) async fn metadata(
    cfg: &OidcConfig,
    http: &openidconnect::reqwest::Client,
) -> Result<CoreProviderMetadata, Refused> {
    let issuer =
        IssuerUrl::new(cfg.issuer.clone()).map_err(|e| Refused::Provider(e.to_string()))?;
    // Discovery checks that the document's issuer is the configured one.
    CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| Refused::Provider(format!("discovery: {e}")))
}

/// `GET /auth/oidc?next=…`: starts a log-in and sends the person to the provider. A link,
/// not a form: the strict CSP's `form-action 'self'` stops a form's redirect to another site.
/// Starting a log-in changes nothing for the session but a new pending state bound to it.
async fn start(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    client: crate::client::ClientAddr,
    Query(q): Query<super::Next>,
) -> crate::error::Result {
    let cfg = state.config.oidc.clone().ok_or(Error::NotFound)?;
    // Each start stores an e-ID order and may fetch the provider's metadata: limited like a
    // log-in (issue 21: 60 starts in 0.7 s each stored an order).
    super::login_allowed(&state, &client)?;
    let next = super::safe_next(q.next.as_deref());
    match authorize_url(&state, &cfg, &session, &next).await {
        Ok(url) => Ok(crate::web::redirect_to_provider(&url)),
        Err(Refused::Store(e)) => Err(e.into()),
        Err(e) => Err(Error::Unavailable {
            what: "the OIDC provider",
            cause: e.to_string(),
        }),
    }
}

async fn authorize_url(
    state: &AppState,
    cfg: &OidcConfig,
    session: &Session,
    next: &str,
) -> Result<String, Refused> {
    let http = http()?;
    let meta = metadata(cfg, &http).await?;
    let redirect =
        RedirectUrl::new(cfg.redirect_url.clone()).map_err(|e| Refused::Provider(e.to_string()))?;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(cfg.client_id.clone()),
        Some(ClientSecret::new(cfg.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut req = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".into()))
        .add_scope(Scope::new(PNR_SCOPE.into()))
        .set_pkce_challenge(challenge);
    for s in &cfg.scopes {
        req = req.add_scope(Scope::new(s.clone()));
    }
    let (url, csrf, nonce) = req.url();
    let pending = Pending {
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        next: next.to_string(),
    };
    state
        .store
        .put_eid_order(&EidOrder {
            id: csrf.secret().clone(),
            session_id: session.id.clone(),
            kind: EidOrderKind::Oidc,
            data: serde_json::to_string(&pending).map_err(|e| Refused::Provider(e.to_string()))?,
            created_at: chrono::Utc::now(),
        })
        .await?;
    Ok(url.to_string())
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/oidc/callback`: the provider sends the person back with a code, from a log-in
/// or from a signature (`auth::oidc_sign`), told apart by the order the state names.
async fn callback(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(q): Query<Callback>,
) -> crate::error::Result {
    // The state is taken (deleted) first, whatever follows: it is good for one try only.
    let order = match q.state.as_deref() {
        Some(s) if !s.is_empty() => state.store.take_eid_order(s).await?,
        _ => None,
    };
    if let Some(order) = order.as_ref().filter(|o| o.kind == super::oidc_sign::KIND) {
        return super::oidc_sign::finish(&state, &session, order, q).await;
    }
    match finish(&state, &session, order, q).await {
        Ok((person, next)) => super::log_in(&state, &session, &person, &next).await,
        Err(Refused::Store(e)) => Err(e.into()),
        Err(e) => {
            tracing::warn!(error = %e, "OIDC log-in refused");
            Err(Error::refused(
                StatusCode::BAD_REQUEST,
                Texts::new(
                    "Inloggningen kunde inte slutföras",
                    "The log-in could not be completed",
                ),
                Texts::new(
                    "Inloggningen avbröts eller gick ut. Börja om och logga in igen.",
                    "The log-in was cancelled or ran out of time. Start again and log in.",
                ),
            ))
        }
    }
}

/// Checks a log-in's order and everything the provider sent back, and returns the person who
/// logged in.
async fn finish(
    state: &AppState,
    session: &Session,
    order: Option<EidOrder>,
    q: Callback,
) -> Result<(Person, String), Refused> {
    let cfg = state.config.oidc.clone().ok_or(Refused::UnknownState)?;
    let order = order
        .filter(|o| o.kind == EidOrderKind::Oidc)
        .ok_or(Refused::UnknownState)?;
    let code = check_order(&order, session, q)?;
    let pending: Pending = serde_json::from_str(&order.data).map_err(|_| Refused::UnknownState)?;
    let (person, _) = redeem(&cfg, code, pending.verifier, pending.nonce).await?;
    Ok((person, pending.next))
}

/// The provider's answer to an order taken from the store: no error, the session that started
/// it, not too old, and a code. Returns the code.
pub(super) fn check_order(
    order: &EidOrder,
    session: &Session,
    q: Callback,
) -> Result<String, Refused> {
    if let Some(e) = q.error {
        return Err(Refused::Provider(e));
    }
    if order.session_id != session.id {
        return Err(Refused::OtherSession);
    }
    if chrono::Utc::now() - order.created_at > chrono::Duration::minutes(ORDER_MINUTES) {
        return Err(Refused::Expired);
    }
    q.code.ok_or(Refused::Token("no code".into()))
}

/// Redeems a code (with its PKCE verifier) at the token endpoint and checks the ID token:
/// signature (JWKS), issuer, audience, expiry and nonce. Returns the person and the Swedish
/// claims of the ID token.
pub(super) async fn redeem(
    cfg: &OidcConfig,
    code: String,
    verifier: String,
    nonce: String,
) -> Result<(Person, SwedishClaims), Refused> {
    let http = http()?;
    let meta = metadata(cfg, &http).await?;
    let redirect =
        RedirectUrl::new(cfg.redirect_url.clone()).map_err(|e| Refused::Provider(e.to_string()))?;
    let client = CoreClient::from_provider_metadata(
        meta,
        ClientId::new(cfg.client_id.clone()),
        Some(ClientSecret::new(cfg.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Refused::Token(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .map_err(|e| Refused::Token(e.to_string()))?;
    let raw = token
        .id_token()
        .ok_or(Refused::IdToken("no ID token".into()))?
        .to_string();
    let id_token: SwedishIdToken = raw
        .parse()
        .map_err(|e: serde_json::Error| Refused::IdToken(format!("not a JWT: {e}")))?;
    // Signature (JWKS), issuer, audience, expiry and nonce.
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(nonce))
        .map_err(|e| Refused::IdToken(e.to_string()))?;
    let mut pnr = claims.additional_claims().personal_identity_number.clone();
    let mut given = claims
        .given_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string());
    let mut family = claims
        .family_name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string());
    let mut name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string())
        .or_else(|| {
            let given = claims.given_name().and_then(|n| n.get(None))?;
            let family = claims.family_name().and_then(|n| n.get(None))?;
            Some(format!("{} {}", given.as_str(), family.as_str()))
        });
    if pnr.is_none() || name.is_none() || given.is_none() || family.is_none() {
        // Many providers give profile claims only at userinfo; the subject must be the same.
        let info =
            match client.user_info(token.access_token().clone(), Some(claims.subject().clone())) {
                Ok(req) => req
                    .request_async::<SwedishClaims, _, CoreGenderClaim>(&http)
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
        // Without userinfo the ID token's claims decide: no personnummer there refuses below.
        match info {
            Ok(info) => {
                let info: UserInfoClaims<SwedishClaims, CoreGenderClaim> = info;
                pnr = pnr.or_else(|| info.additional_claims().personal_identity_number.clone());
                name =
                    name.or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
                given = given.or_else(|| {
                    info.given_name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.as_str().to_string())
                });
                family = family.or_else(|| {
                    info.family_name()
                        .and_then(|n| n.get(None))
                        .map(|n| n.as_str().to_string())
                });
            }
            Err(e) => tracing::warn!(error = %e, "OIDC userinfo could not be read"),
        }
    }
    let pnr = pnr
        .map(|p| p.replace('-', ""))
        .filter(|p| p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()))
        .ok_or(Refused::NoPersonnummer)?;
    let name = name.unwrap_or_else(|| pnr.clone());
    Ok((
        Person {
            pnr,
            name,
            given_name: given,
            family_name: family,
        },
        claims.additional_claims().clone(),
    ))
}
