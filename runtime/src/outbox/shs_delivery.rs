//! The outbox's SHS seams: `ShsTransport` sends through the SHS client, `ShsMessages` builds a
//! submission's SHS message: the label, the case as an ERMS document (what the case system
//! imports), the submission XML, and the attachments.

use super::config::Target;
use super::transport::{MessageBuilder, MessageInput, MessageStatus, SendOutcome, Transport};
use crate::shs::client::{self, ShsClient, ShsClientConfig};
use crate::shs::label::Status;
use crate::shs::mime::Part;
use crate::shs::outgoing;
use async_trait::async_trait;
use blankett_compiler::backend::mapping;
use std::time::Duration;

/// One target's SHS client; the tx.id is the job's, the same on every attempt.
pub struct ShsTransport(ShsClient);

impl ShsTransport {
    pub fn new(t: &Target, send_timeout: Duration) -> Result<ShsTransport, String> {
        client_for(t, send_timeout).map(ShsTransport)
    }
}

/// The SHS client of a target: its URL, its TLS files, the send timeout.
pub fn client_for(t: &Target, timeout: Duration) -> Result<ShsClient, String> {
    let config = ShsClientConfig {
        client_cert: t.tls_cert.clone(),
        client_key: t.tls_key.clone(),
        ca: t.tls_ca.clone(),
        timeout,
        ..ShsClientConfig::new(&t.url)
    };
    ShsClient::new(&config).map_err(|e| format!("delivery target `{}`: {e}", t.name))
}

#[async_trait]
impl Transport for ShsTransport {
    async fn send(&self, tx_id: &str, message: &[u8]) -> SendOutcome {
        let Ok(tx) = uuid::Uuid::parse_str(tx_id) else {
            return SendOutcome::Permanent(format!("the tx.id `{tx_id}` is not a UUID"));
        };
        match self.0.send(tx, message).await {
            client::SendOutcome::Accepted { .. } => SendOutcome::Accepted,
            client::SendOutcome::Duplicate { .. } => SendOutcome::Duplicate,
            client::SendOutcome::Retryable { reason } => SendOutcome::Retryable(reason),
            client::SendOutcome::Permanent { code, message } => {
                SendOutcome::Permanent(format!("{code}: {message}"))
            }
        }
    }
}

/// Builds the SHS message of a submission from what is stored and the form as served now.
pub struct ShsMessages;

impl MessageBuilder for ShsMessages {
    fn build(&self, m: &MessageInput<'_>) -> Result<Vec<u8>, String> {
        let s = m.submission;
        let entry = m
            .kommun
            .ok_or_else(|| format!("the kommun `{}` is no longer served", s.kommun))?;
        let kommun = entry.info.as_ref().ok_or_else(|| {
            format!(
                "`{}` is a library, not a kommun: it has no SHS address",
                s.kommun
            )
        })?;
        let from = m
            .target
            .from_address
            .as_deref()
            .or(kommun.shs_address.as_deref())
            .ok_or_else(|| {
                format!(
                    "the kommun `{}` has no SHS address: write `shs: {{address: \"urn:X-shs:…\"}}` in its kommun.yaml",
                    s.kommun
                )
            })?;
        let submitted = s.submitted_at.fixed_offset();
        let mut parts = Vec::new();
        if m.status == MessageStatus::Production {
            if let Some(case) = case_document(m, kommun, submitted)? {
                parts.push(Part::new(
                    "arende",
                    "text/xml; charset=UTF-8",
                    Some(format!("{}.erms.xml", s.reference)),
                    case.into_bytes(),
                ));
            }
        }
        parts.push(outgoing::submission_xml_part(&s.reference, &s.xml));
        for (n, sig) in m.signatures.iter().enumerate() {
            parts.extend(outgoing::signature_parts(&s.reference, n + 1, sig));
        }
        for (a, bytes) in m.attachments {
            parts.push(outgoing::attachment_part(a, bytes.clone()));
        }
        let envelope = outgoing::Envelope {
            from,
            from_name: &kommun.name,
            to: &m.target.to_address,
            product: outgoing::product_of(kommun, &s.form)?,
            form: &s.form,
            reference: &s.reference,
            tx_id: m.tx_id,
            corr_id: m.corr_id,
            status: match m.status {
                MessageStatus::Production => Status::Production,
                MessageStatus::Test => Status::Test,
            },
            datetime: submitted.with_timezone(&chrono::Local).naive_local(),
        };
        Ok(outgoing::submission_message(&envelope, parts)?.to_mime())
    }
}

/// The case as an ERMS document, mapped from the stored answers by the form as served now;
/// `None` for a form without `mapping:`.
fn case_document(
    m: &MessageInput<'_>,
    kommun: &blankett_compiler::ir::Kommun,
    submitted: chrono::DateTime<chrono::FixedOffset>,
) -> Result<Option<String>, String> {
    let s = m.submission;
    let Some(service) = m.kommun.and_then(|k| k.services.get(&s.form)) else {
        return Err(format!("the service `{}` is no longer served", s.form));
    };
    let form = &service.form;
    let answers = crate::submission::parse_answers(&s.answers).map_err(|e| e.to_string())?;
    let outcome = blankett_compiler::eval::evaluate(form, &answers, submitted.date_naive());
    let person = s.owner.strip_prefix("pnr:").map(|pnr| mapping::Person {
        personnummer: pnr.to_string(),
        name: String::new(),
    });
    let envelope = mapping::Envelope {
        reference: s.reference.clone(),
        submitted,
        person,
        attachments: m
            .attachments
            .iter()
            .map(|(a, _)| mapping::Attachment {
                field_path: a.field_path.clone(),
                filename: a.filename.clone(),
                mime: a.mime.clone(),
                sha256: a.sha256.clone(),
                size: u64::try_from(a.size).unwrap_or(0),
            })
            .collect(),
    };
    match mapping::to_erms(form, Some(kommun), &outcome, &envelope) {
        Ok(xml) => Ok(Some(xml)),
        Err(mapping::MappingError::NoMapping) => Ok(None),
        Err(e) => Err(format!("the case document cannot be made: {e}")),
    }
}
