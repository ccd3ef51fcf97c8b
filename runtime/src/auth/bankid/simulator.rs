//! A local BankID: the RP API v6.0 as the real service answers it (endpoints, fields, error
//! codes, hint-code sequences, the animated QR code), for tests and for `blankett dev`. No
//! app exists, so a test API plays the person: `test/progress` (the app started, the person is
//! signing), `test/complete` (done, as a given personnummer), `test/fail` and `test/qr` (is this
//! QR code right now?). Its signatures are not real XML signatures: `signature` holds the
//! signed data in BankID's `bankIdSignedData` layout, unsigned, so nothing can mistake it for
//! evidence.

use super::client::{CollectResponse, CompletionData, Device, ErrorBody, OrderRequest, User};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An order not completed in this time fails with `expiredTransaction`, as BankID's do.
pub const ORDER_LIFETIME: Duration = Duration::from_secs(180);

#[derive(Clone)]
struct Order {
    sign: bool,
    personal_number: Option<String>,
    user_visible_data: Option<String>,
    user_non_visible_data: Option<String>,
    end_user_ip: String,
    qr_start_token: String,
    qr_start_secret: String,
    started: Instant,
    status: &'static str,
    hint: Option<String>,
    completion: Option<CompletionData>,
}

#[derive(Clone, Default)]
pub struct Simulator {
    orders: Arc<Mutex<HashMap<String, Order>>>,
}

fn error(status: StatusCode, code: &str, details: &str) -> Response {
    (
        status,
        axum::Json(ErrorBody {
            error_code: code.into(),
            details: details.into(),
        }),
    )
        .into_response()
}

fn invalid(details: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalidParameters", details)
}

/// The API takes JSON only, and says so with `unsupportedMediaType`.
#[allow(clippy::result_large_err)] // the error is the answer itself, made once per request
fn json_body<T: for<'de> serde::Deserialize<'de>>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupportedMediaType",
            "Content-Type must be application/json",
        ));
    }
    serde_json::from_slice(body).map_err(|_| invalid("Invalid JSON in request body"))
}

fn b64_ok(s: &str, max: usize) -> bool {
    s.len() <= max && base64::engine::general_purpose::STANDARD.decode(s).is_ok()
}

impl Simulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// The RP API under `/rp/v6.0/` and the test API under `/test/`.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/rp/v6.0/auth", post(auth))
            .route("/rp/v6.0/sign", post(sign))
            .route("/rp/v6.0/collect", post(collect))
            .route("/rp/v6.0/cancel", post(cancel))
            .route("/test/progress", post(test_progress))
            .route("/test/complete", post(test_complete))
            .route("/test/fail", post(test_fail))
            .route("/test/qr", post(test_qr))
            .with_state(self.clone())
    }

    fn start(&self, req: OrderRequest, sign: bool) -> Response {
        if req.end_user_ip.parse::<std::net::IpAddr>().is_err() {
            return invalid("Incorrect endUserIp");
        }
        if sign && req.user_visible_data.is_none() {
            return invalid("Missing userVisibleData");
        }
        if let Some(d) = &req.user_visible_data {
            if !b64_ok(d, 40_000) || d.is_empty() {
                return invalid("Incorrect userVisibleData");
            }
        }
        if let Some(d) = &req.user_non_visible_data {
            if !b64_ok(d, 200_000) || d.is_empty() {
                return invalid("Incorrect userNonVisibleData");
            }
        }
        if let Some(f) = &req.user_visible_data_format {
            if f != "simpleMarkdownV1" {
                return invalid("Incorrect userVisibleDataFormat");
            }
        }
        let pnr = req
            .requirement
            .as_ref()
            .and_then(|r| r.personal_number.clone());
        if let Some(p) = &pnr {
            if p.len() != 12 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return invalid("Incorrect personalNumber");
            }
        }
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        self.expire(&mut orders);
        if let Some(p) = &pnr {
            // BankID aborts the order already in progress for the person and creates none.
            let mut clash = false;
            for o in orders.values_mut() {
                if o.status == "pending" && o.personal_number.as_deref() == Some(p) {
                    o.status = "failed";
                    o.hint = Some("cancelled".into());
                    clash = true;
                }
            }
            if clash {
                return error(
                    StatusCode::BAD_REQUEST,
                    "alreadyInProgress",
                    "Order already in progress for pno",
                );
            }
        }
        let order_ref = uuid::Uuid::new_v4().to_string();
        let auto_start_token = uuid::Uuid::new_v4().to_string();
        let order = Order {
            sign,
            personal_number: pnr,
            user_visible_data: req.user_visible_data,
            user_non_visible_data: req.user_non_visible_data,
            end_user_ip: req.end_user_ip,
            qr_start_token: uuid::Uuid::new_v4().to_string(),
            qr_start_secret: uuid::Uuid::new_v4().to_string(),
            started: Instant::now(),
            status: "pending",
            hint: Some("outstandingTransaction".into()),
            completion: None,
        };
        let body = serde_json::json!({
            "orderRef": order_ref,
            "autoStartToken": auto_start_token,
            "qrStartToken": order.qr_start_token,
            "qrStartSecret": order.qr_start_secret,
        });
        orders.insert(order_ref, order);
        axum::Json(body).into_response()
    }

    fn expire(&self, orders: &mut HashMap<String, Order>) {
        for o in orders.values_mut() {
            if o.status == "pending" && o.started.elapsed() > ORDER_LIFETIME {
                o.status = "failed";
                o.hint = Some("expiredTransaction".into());
            }
        }
    }

    /// Plays the app: the person identified or signed as `pnr`. Returns false for an order
    /// that is not pending, or one that required another personnummer.
    pub fn complete(&self, order_ref: &str, pnr: &str, given_name: &str, surname: &str) -> bool {
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        self.expire(&mut orders);
        let Some(o) = orders.get_mut(order_ref) else {
            return false;
        };
        if o.status != "pending" {
            return false;
        }
        if o.personal_number.as_deref().is_some_and(|p| p != pnr) {
            // The app would not offer the order to another person at all.
            return false;
        }
        let signed = format!(
            "<bankIdSignedData xmlns=\"http://www.bankid.com/signature/v1.0.0/types\" Id=\"bidSignedData\">\
             {}{}<srvInfo><nonce>{}</nonce></srvInfo><clientInfo><funcId>{}</funcId><host><ipAddr>{}</ipAddr></host></clientInfo>\
             </bankIdSignedData>",
            o.user_visible_data
                .as_deref()
                .map(|d| format!("<usrVisibleData charset=\"UTF-8\" visible=\"wysiwys\">{d}</usrVisibleData>"))
                .unwrap_or_default(),
            o.user_non_visible_data
                .as_deref()
                .map(|d| format!("<usrNonVisibleData>{d}</usrNonVisibleData>"))
                .unwrap_or_default(),
            uuid::Uuid::new_v4(),
            if o.sign { "Signing" } else { "Identification" },
            o.end_user_ip,
        );
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\
             <Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignatureValue>SIMULATOR-NOT-SIGNED</SignatureValue>\
             <Object>{signed}</Object></Signature>"
        );
        let b64 = base64::engine::general_purpose::STANDARD;
        o.status = "complete";
        o.hint = None;
        o.completion = Some(CompletionData {
            user: User {
                personal_number: pnr.into(),
                name: format!("{given_name} {surname}"),
                given_name: given_name.into(),
                surname: surname.into(),
            },
            device: Device {
                ip_address: o.end_user_ip.clone(),
                uhi: Some("SIMULATOR".into()),
            },
            bank_id_issue_date: Some(chrono::Utc::now().format("%Y-%m-%dZ").to_string()),
            signature: b64.encode(xml),
            ocsp_response: b64.encode(b"BankID simulator: no OCSP response"),
        });
        true
    }

    /// Whether a pending order requires another personnummer than `pnr`: the real app would
    /// not offer it to that person, and [`Simulator::complete`] refuses it.
    pub fn asks_for_another(&self, order_ref: &str, pnr: &str) -> bool {
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        orders.get(order_ref).is_some_and(|o| {
            o.status == "pending" && o.personal_number.as_deref().is_some_and(|p| p != pnr)
        })
    }

    /// Moves a pending order on: `started` (the app has it), `userSign` (PIN asked), …
    pub fn progress(&self, order_ref: &str, hint: &str) -> bool {
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        match orders.get_mut(order_ref) {
            Some(o) if o.status == "pending" => {
                o.hint = Some(hint.into());
                true
            }
            _ => false,
        }
    }

    /// Ends an order as failed with `hint` (`userCancel`, `expiredTransaction`, …).
    pub fn fail(&self, order_ref: &str, hint: &str) -> bool {
        let mut orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        match orders.get_mut(order_ref) {
            Some(o) if o.status == "pending" => {
                o.status = "failed";
                o.hint = Some(hint.into());
                true
            }
            _ => false,
        }
    }

    /// Whether `qr` is a QR code of the order: its start token, a time not in the future and
    /// the HMAC of that time under the order's secret.
    pub fn qr_valid(&self, order_ref: &str, qr: &str) -> bool {
        let orders = self.orders.lock().unwrap_or_else(|e| e.into_inner());
        let Some(o) = orders.get(order_ref) else {
            return false;
        };
        let parts: Vec<&str> = qr.split('.').collect();
        let [prefix, token, t, code] = parts.as_slice() else {
            return false;
        };
        let Ok(t) = t.parse::<u64>() else {
            return false;
        };
        *prefix == "bankid"
            && *token == o.qr_start_token
            && t <= o.started.elapsed().as_secs() + 1
            && *code == super::qr::auth_code(&o.qr_start_secret, t)
    }
}

async fn auth(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match json_body::<OrderRequest>(&headers, &body) {
        Ok(req) => sim.start(req, false),
        Err(r) => r,
    }
}

async fn sign(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    match json_body::<OrderRequest>(&headers, &body) {
        Ok(req) => sim.start(req, true),
        Err(r) => r,
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderRef {
    order_ref: String,
}

async fn collect(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let req: OrderRef = match json_body(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut orders = sim.orders.lock().unwrap_or_else(|e| e.into_inner());
    sim.expire(&mut orders);
    let Some(o) = orders.get(&req.order_ref) else {
        return invalid("No such order");
    };
    axum::Json(CollectResponse {
        order_ref: req.order_ref.clone(),
        status: o.status.into(),
        hint_code: o.hint.clone(),
        completion_data: o.completion.clone(),
    })
    .into_response()
}

async fn cancel(
    State(sim): State<Simulator>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let req: OrderRef = match json_body(&headers, &body) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let mut orders = sim.orders.lock().unwrap_or_else(|e| e.into_inner());
    match orders.get(&req.order_ref) {
        Some(o) if o.status == "pending" => {
            orders.remove(&req.order_ref);
            axum::Json(serde_json::json!({})).into_response()
        }
        _ => invalid("No such order"),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TestCall {
    order_ref: String,
    #[serde(default)]
    hint_code: String,
    #[serde(default)]
    personal_number: String,
    #[serde(default)]
    given_name: String,
    #[serde(default)]
    surname: String,
    #[serde(default)]
    qr_data: String,
}

fn test_answer(ok: bool) -> Response {
    if ok {
        axum::Json(serde_json::json!({})).into_response()
    } else {
        invalid("No such pending order")
    }
}

async fn test_progress(
    State(sim): State<Simulator>,
    axum::Json(t): axum::Json<TestCall>,
) -> Response {
    test_answer(sim.progress(&t.order_ref, &t.hint_code))
}

async fn test_complete(
    State(sim): State<Simulator>,
    axum::Json(t): axum::Json<TestCall>,
) -> Response {
    test_answer(sim.complete(&t.order_ref, &t.personal_number, &t.given_name, &t.surname))
}

async fn test_fail(State(sim): State<Simulator>, axum::Json(t): axum::Json<TestCall>) -> Response {
    test_answer(sim.fail(&t.order_ref, &t.hint_code))
}

async fn test_qr(State(sim): State<Simulator>, axum::Json(t): axum::Json<TestCall>) -> Response {
    axum::Json(serde_json::json!({"valid": sim.qr_valid(&t.order_ref, &t.qr_data)})).into_response()
}
