//! A client of BankID's RP API v6.0: auth, sign, collect and cancel, JSON over HTTPS with
//! mutual TLS (the RP certificate) against a pinned CA.

use serde::{Deserialize, Serialize};

pub const TEST_URL: &str = "https://appapi2.test.bankid.com/rp/v6.0/";
pub const PRODUCTION_URL: &str = "https://appapi2.bankid.com/rp/v6.0/";

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Requirement {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pin_code: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_policies: Option<Vec<String>>,
}

/// The body of `auth` and `sign` (`userVisibleData` is required for `sign`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderRequest {
    pub end_user_ip: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    /// Base64 of UTF-8 text, shown in the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_visible_data: Option<String>,
    /// Base64 of bytes signed but not shown (here: the SHA-256 of the submission XML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_non_visible_data: Option<String>,
    /// `simpleMarkdownV1` when `userVisibleData` is markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_visible_data_format: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderResponse {
    pub order_ref: String,
    pub auto_start_token: String,
    pub qr_start_token: String,
    pub qr_start_secret: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub personal_number: String,
    pub name: String,
    pub given_name: String,
    pub surname: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub ip_address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uhi: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CompletionData {
    pub user: User,
    pub device: Device,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_id_issue_date: Option<String>,
    /// The signature XML, base64.
    pub signature: String,
    /// The OCSP response, base64.
    pub ocsp_response: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CollectResponse {
    pub order_ref: String,
    /// `pending`, `failed` or `complete`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_data: Option<CompletionData>,
}

/// An error body of the RP API: `{"errorCode": …, "details": …}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub error_code: String,
    #[serde(default)]
    pub details: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// BankID answered with an error code (`invalidParameters`, `alreadyInProgress`, …).
    Api {
        status: u16,
        code: String,
        details: String,
    },
    /// No answer, or one that is not the API's.
    Transport(String),
}

impl ApiError {
    pub fn code(&self) -> &str {
        match self {
            ApiError::Api { code, .. } => code,
            ApiError::Transport(_) => "transport",
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Api {
                status,
                code,
                details,
            } => write!(f, "BankID {status} {code}: {details}"),
            ApiError::Transport(e) => write!(f, "BankID could not be reached: {e}"),
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    base: reqwest::Url,
}

impl Client {
    /// `base` ends in `/rp/v6.0/`. `identity` is the RP certificate and key (PEM); `ca` the
    /// CA certificate (PEM) the server is checked against instead of the usual roots.
    pub fn new(base: &str, identity: Option<&[u8]>, ca: Option<&[u8]>) -> Result<Self, ApiError> {
        let mut base = reqwest::Url::parse(base).map_err(|e| ApiError::Transport(e.to_string()))?;
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(20))
            .use_rustls_tls();
        if let Some(pem) = identity {
            let id = reqwest::Identity::from_pem(pem)
                .map_err(|e| ApiError::Transport(format!("the RP certificate: {e}")))?;
            b = b.identity(id);
        }
        if let Some(pem) = ca {
            let ca = reqwest::Certificate::from_pem(pem)
                .map_err(|e| ApiError::Transport(format!("the CA certificate: {e}")))?;
            b = b.tls_built_in_root_certs(false).add_root_certificate(ca);
        }
        let http = b.build().map_err(|e| ApiError::Transport(e.to_string()))?;
        Ok(Client { http, base })
    }

    async fn call<B: Serialize, R: for<'de> Deserialize<'de>>(
        &self,
        endpoint: &str,
        body: &B,
    ) -> Result<R, ApiError> {
        let url = self
            .base
            .join(endpoint)
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let res = self
            .http
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let status = res.status();
        let bytes = res
            .bytes()
            .await
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        if status.is_success() {
            serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::Transport(format!("{endpoint}: {e}")))
        } else {
            match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(e) => Err(ApiError::Api {
                    status: status.as_u16(),
                    code: e.error_code,
                    details: e.details,
                }),
                Err(_) => Err(ApiError::Transport(format!("{endpoint}: HTTP {status}"))),
            }
        }
    }

    pub async fn auth(&self, req: &OrderRequest) -> Result<OrderResponse, ApiError> {
        self.call("auth", req).await
    }

    pub async fn sign(&self, req: &OrderRequest) -> Result<OrderResponse, ApiError> {
        self.call("sign", req).await
    }

    pub async fn collect(&self, order_ref: &str) -> Result<CollectResponse, ApiError> {
        self.call("collect", &serde_json::json!({"orderRef": order_ref}))
            .await
    }

    pub async fn cancel(&self, order_ref: &str) -> Result<(), ApiError> {
        let _: serde_json::Value = self
            .call("cancel", &serde_json::json!({"orderRef": order_ref}))
            .await?;
        Ok(())
    }
}
