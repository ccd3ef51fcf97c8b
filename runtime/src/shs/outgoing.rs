//! A submission's SHS message: the label addressed from the kommun to the case system, then
//! the parts (the case XML, the submission XML, the attachments). The outbox's message builder
//! calls this on every attempt with the job's tx.id and corr.id, so the same bytes go out.

use super::label::{Address, Party, Product, ProductId, SequenceType, Status};
use super::mime::{Message, Part};
use super::Label;
use blankett_compiler::ir::Kommun;
use uuid::Uuid;

/// Who sends what to whom, for one submission.
#[derive(Debug, Clone)]
pub struct Envelope<'a> {
    /// The kommun's SHS address (`kommun.yaml` `shs.address`) and name.
    pub from: &'a str,
    pub from_name: &'a str,
    /// The case system's SHS address (the delivery target's `to_address`).
    pub to: &'a str,
    /// The service's SHS product UUID (`shs_product` in `kommun.yaml`, see `product_of`).
    pub product: &'a str,
    /// The form id, written as the product's name.
    pub form: &'a str,
    /// The submission's reference (e.g. `OFEL-2026-0001`): the subject and
    /// `<meta name="referens">`, which the case system's reply carries back.
    pub reference: &'a str,
    /// The job's ids, the same on every attempt; corr.id ties replies to the submission.
    pub tx_id: &'a str,
    pub corr_id: &'a str,
    /// `Test` for the canary: the receiver takes it but makes no case of it.
    pub status: Status,
    /// The label's datetime: when the submission was made (local time), so that every attempt
    /// sends the same bytes.
    pub datetime: chrono::NaiveDateTime,
}

/// The message for one submission; the same envelope and parts give the same bytes. Errors
/// are permanent (a wrong address or id).
pub fn submission_message(e: &Envelope<'_>, parts: Vec<Part>) -> Result<Message, String> {
    let uuid = |what: &str, s: &str| {
        Uuid::parse_str(s).map_err(|_| format!("the {what} `{s}` is not a UUID"))
    };
    let address = |s: &str| Address::parse(s).map_err(|e| e.to_string());
    let mut label = Label::new(
        uuid("tx.id", e.tx_id)?,
        uuid("corr.id", e.corr_id)?,
        Party::new(address(e.from)?, e.from_name),
        Party {
            address: address(e.to)?,
            name: None,
        },
        Product {
            id: ProductId::parse(e.product).map_err(|e| e.to_string())?,
            name: Some(e.form.to_string()),
        },
        SequenceType::Request,
    );
    label.status = e.status;
    label.datetime = e.datetime;
    // One content per message: its id is the tx.id, not a new random one per attempt.
    label.content.content_id = label.tx_id.to_string();
    label.subject = Some(e.reference.to_string());
    label
        .meta
        .push(("referens".into(), e.reference.to_string()));
    Ok(Message::new(label, parts))
}

/// The SHS product of `form` in the kommun's `kommun.yaml`, or what to write there.
pub fn product_of<'k>(kommun: &'k Kommun, form: &str) -> Result<&'k str, String> {
    kommun
        .shs_products
        .iter()
        .find(|(f, _)| f == form)
        .map(|(_, p)| p.as_str())
        .ok_or_else(|| {
            format!(
                "the service `{form}` in `{}` has no `shs_product` (its SHS product UUID)",
                kommun.dir.join("kommun.yaml").display()
            )
        })
}

/// The submission's own XML as a part (`datapartType="xml"`).
pub fn submission_xml_part(reference: &str, xml: &str) -> Part {
    Part::new(
        "xml",
        "text/xml; charset=UTF-8",
        Some(format!("{reference}.xml")),
        xml.as_bytes().to_vec(),
    )
}

/// A stored e-signature as parts (`datapartType="underskrift"` and `"ocsp"`): what the e-ID
/// signed (BankID: its signature XML) and the OCSP response that shows the signer's
/// certificate was valid, so the case system keeps the evidence with the case. `n` numbers a
/// submission's signatures (the applicant's and each guardian's) in the file names.
pub fn signature_parts(reference: &str, n: usize, sig: &crate::store::Signature) -> Vec<Part> {
    use base64::Engine;
    let decode = |s: &str| base64::engine::general_purpose::STANDARD.decode(s).ok();
    let mut parts = Vec::new();
    let signature = decode(&sig.signature).unwrap_or_else(|| sig.signature.as_bytes().to_vec());
    let xml = signature.trim_ascii_start().starts_with(b"<");
    parts.push(Part::new(
        "underskrift",
        if xml {
            "text/xml; charset=UTF-8"
        } else {
            "application/octet-stream"
        },
        Some(format!(
            "{reference}.underskrift-{n}-{}.{}",
            sig.role,
            if xml { "xml" } else { "sig" }
        )),
        signature,
    ));
    if let Some(ocsp) = decode(&sig.ocsp_response).filter(|b| !b.is_empty()) {
        parts.push(Part::new(
            "ocsp",
            "application/ocsp-response",
            Some(format!("{reference}.underskrift-{n}-{}.ocsp", sig.role)),
            ocsp,
        ));
    }
    parts
}

/// A stored attachment as a part: its sniffed MIME type and its safe file name; the label's
/// `datapartType` is `bilaga`.
pub fn attachment_part(a: &crate::store::Attachment, bytes: Vec<u8>) -> Part {
    Part::new("bilaga", a.mime.clone(), Some(a.filename.clone()), bytes)
}
