//! BankID's animated QR code: `bankid.<qrStartToken>.<t>.<qrAuthCode>`, where `t` is the whole
//! seconds since the order was answered and `qrAuthCode` is HMAC-SHA256(qrStartSecret, t) in
//! lowercase hex. The secret stays on the server; the code is made anew every second.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub fn qr_data(qr_start_token: &str, qr_start_secret: &str, seconds: u64) -> String {
    format!(
        "bankid.{qr_start_token}.{seconds}.{}",
        auth_code(qr_start_secret, seconds)
    )
}

// HMAC takes a key of any length: `new_from_slice` cannot fail here.
#[allow(clippy::expect_used)]
pub fn auth_code(qr_start_secret: &str, seconds: u64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(qr_start_secret.as_bytes())
        .expect("HMAC accepts any key length");
    mac.update(seconds.to_string().as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The QR code as an SVG image.
pub fn svg(data: &str) -> String {
    match qrcode::QrCode::new(data.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(240, 240)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}
