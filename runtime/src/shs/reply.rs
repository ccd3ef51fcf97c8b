//! What comes back: SHS confirm and error messages (`shs-management-1.2.dtd`) and replies
//! that carry the case number (diarienummer) the case system gave a submission.
//!
//! A case number is read from, in this order:
//! - a confirm message's `<appinfo name="diarienummer">` (also `arendenummer`, `caseNumber`);
//! - any XML data part of a message with `sequence-type="reply"`: the first element called
//!   `diarienummer`, `arendenummer` or `caseNumber`, in any namespace. The test mailbox
//!   answers with such a part (`arende.xml`, see `mailbox::case_reply`).
//!
//! Every reply is matched to its submission by `corr.id`: the sender sets a submission's
//! messages' corr.id, and SHS keeps it on confirms, errors and replies.

use super::label::{ProductId, SequenceType};
use super::mime::Message;
use super::xml::{self, Element};
use super::ShsError;
use uuid::Uuid;

const CASE_NUMBER_NAMES: [&str; 4] = ["diarienummer", "arendenummer", "caseNumber", "case-number"];

/// A `shs.management` document: a confirm or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Management {
    pub corr_id: String,
    pub content_id: String,
    pub datetime: String,
    pub outcome: ManagementOutcome,
    /// `appinfo` name → text.
    pub appinfo: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagementOutcome {
    Confirmation,
    Error { code: String, info: Option<String> },
}

impl Management {
    pub fn parse(bytes: &[u8], charset: Option<&str>) -> Result<Management, ShsError> {
        let root = xml::parse_bytes(bytes, charset).map_err(|e| {
            ShsError::Reply(format!("the management part is not readable XML: {e}"))
        })?;
        if root.name != "shs.management" {
            return Err(ShsError::Reply(format!(
                "the management part is `<{}>`, not `<shs.management>`",
                root.name
            )));
        }
        let (outcome, holder) = if let Some(c) = root.child("confirmation") {
            (ManagementOutcome::Confirmation, c)
        } else if let Some(e) = root.child("error") {
            (
                ManagementOutcome::Error {
                    code: e.attr("errorcode").unwrap_or("OtherError").to_string(),
                    info: e.attr("errorinfo").map(str::to_string),
                },
                e,
            )
        } else {
            return Err(ShsError::Reply(
                "the management part has neither `<confirmation>` nor `<error>`".into(),
            ));
        };
        Ok(Management {
            corr_id: root.attr("corr.id").unwrap_or("").trim().to_string(),
            content_id: root.attr("content.id").unwrap_or("").trim().to_string(),
            datetime: root.child_text("datetime").unwrap_or_default(),
            outcome,
            appinfo: holder
                .children_named("appinfo")
                .map(|a| {
                    (
                        a.attr("name").unwrap_or("").to_string(),
                        a.text.trim().to_string(),
                    )
                })
                .collect(),
        })
    }

    /// The document as ISO-8859-1 XML with the DOCTYPE of `shs-management-1.2.dtd`.
    pub fn to_xml(&self) -> Vec<u8> {
        let e = xml::escape;
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE shs.management SYSTEM \"shs-management-1.2.dtd\">\n");
        s += &format!(
            "<shs.management version=\"1.2\" corr.id=\"{}\" content.id=\"{}\">\n  <datetime>{}</datetime>\n",
            e(&self.corr_id),
            e(&self.content_id),
            e(&self.datetime)
        );
        let appinfo: String = self
            .appinfo
            .iter()
            .map(|(n, v)| format!("    <appinfo name=\"{}\">{}</appinfo>\n", e(n), e(v)))
            .collect();
        match &self.outcome {
            ManagementOutcome::Confirmation => {
                s += &format!("  <confirmation>\n{appinfo}  </confirmation>\n")
            }
            ManagementOutcome::Error { code, info } => {
                let info = info
                    .as_ref()
                    .map(|i| format!(" errorinfo=\"{}\"", e(i)))
                    .unwrap_or_default();
                s += &format!(
                    "  <error errorcode=\"{}\"{info}>\n{appinfo}  </error>\n",
                    e(code)
                )
            }
        }
        s += "</shs.management>\n";
        xml::to_latin1(&s)
    }
}

/// What a reply means for the submission it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyStatus {
    /// The receiver confirmed delivery (an SHS confirm without a case number).
    Delivered,
    /// The case system registered the submission under a case number.
    Registered,
    /// The receiver refused it: an SHS error message.
    Failed { code: String, info: Option<String> },
}

impl ReplyStatus {
    /// The status text the store keeps (`Store::set_status`), as Mina sidor shows it.
    pub fn store_status(&self) -> crate::submission::SubmissionStatus {
        use crate::submission::SubmissionStatus;
        match self {
            ReplyStatus::Delivered => SubmissionStatus::Levererad,
            ReplyStatus::Registered => SubmissionStatus::Registrerad,
            ReplyStatus::Failed { .. } => SubmissionStatus::Leveransfel,
        }
    }
}

/// A reply read: which submission (by corr.id), what happened, and its case number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedReply {
    /// The corr.id of the submission's messages.
    pub corr_id: Uuid,
    pub status: ReplyStatus,
    pub case_number: Option<String>,
    /// The submission's reference (e.g. `OFEL-2026-0001`) when the reply names it.
    pub reference: Option<String>,
}

/// Reads a reply message: a confirm, an error, or a reply with a case number. The caller
/// finds the submission by `corr_id` and calls
/// `store.set_status(id, r.status.store_status(), r.case_number.as_deref())`.
pub fn apply_reply(message: &Message) -> Result<AppliedReply, ShsError> {
    let label = &message.label;
    let management = matches!(label.product.id, ProductId::Confirm | ProductId::Error)
        || message
            .parts
            .iter()
            .any(|p| p.datapart_type == "confirm" || p.datapart_type == "error");
    if management {
        let part = message
            .parts
            .first()
            .ok_or_else(|| ShsError::Reply("the confirm/error message has no data part".into()))?;
        let m = Management::parse(&part.body, part.charset().as_deref())?;
        // The management document's corr.id is the one SHS keeps; fall back to the label's.
        let corr_id = Uuid::parse_str(&m.corr_id).unwrap_or(label.corr_id);
        return Ok(match m.outcome {
            ManagementOutcome::Error { code, info } => AppliedReply {
                corr_id,
                status: ReplyStatus::Failed { code, info },
                case_number: None,
                reference: None,
            },
            ManagementOutcome::Confirmation => {
                let case_number = m
                    .appinfo
                    .iter()
                    .find(|(n, v)| CASE_NUMBER_NAMES.contains(&n.as_str()) && !v.is_empty())
                    .map(|(_, v)| v.clone());
                let reference = m
                    .appinfo
                    .iter()
                    .find(|(n, _)| n == "referens" || n == "reference")
                    .map(|(_, v)| v.clone());
                AppliedReply {
                    corr_id,
                    status: if case_number.is_some() {
                        ReplyStatus::Registered
                    } else {
                        ReplyStatus::Delivered
                    },
                    case_number,
                    reference,
                }
            }
        });
    }
    if label.sequence_type != SequenceType::Reply {
        return Err(ShsError::Reply(format!(
            "the message is a `{}`, not a reply, confirm or error",
            label.sequence_type.as_str()
        )));
    }
    for part in message
        .parts
        .iter()
        .filter(|p| p.is_xml() || p.body.starts_with(b"<?xml"))
    {
        let Ok(root) = xml::parse_bytes(&part.body, part.charset().as_deref()) else {
            continue;
        };
        if let Some(case_number) = first_text(&root, &CASE_NUMBER_NAMES) {
            return Ok(AppliedReply {
                corr_id: label.corr_id,
                status: ReplyStatus::Registered,
                case_number: Some(case_number),
                reference: first_text(&root, &["referens", "reference"]),
            });
        }
    }
    Err(ShsError::Reply(
        "the reply has no case number: no XML part has a `diarienummer` element".into(),
    ))
}

fn first_text(root: &Element, names: &[&str]) -> Option<String> {
    root.descendants()
        .into_iter()
        .find(|e| names.contains(&e.name.as_str()) && !e.text.trim().is_empty())
        .map(|e| e.text.trim().to_string())
}

/// One message fetched from a delivery service, read as a reply.
#[derive(Debug)]
pub struct FetchedReply {
    /// The fetched message's own tx.id: acknowledge it with `ShsClient::ack` once applied.
    pub tx_id: String,
    pub reply: Result<AppliedReply, ShsError>,
}

/// Lists what waits for `orgnr` in a delivery service (the kommun's SHS node, or the test
/// mailbox), fetches each message and reads it with `apply_reply`. Nothing is acknowledged
/// here: the caller sets each submission's status first, then acks, so a stop in between
/// fetches the reply again instead of losing it.
pub async fn fetch_replies(
    client: &super::ShsClient,
    orgnr: &str,
    bearer: Option<&str>,
) -> Result<Vec<FetchedReply>, String> {
    let mut out = Vec::new();
    for listed in client.list(orgnr, bearer).await? {
        let bytes = client.fetch(orgnr, &listed.tx_id, bearer).await?;
        let reply = Message::parse(&bytes).and_then(|m| apply_reply(&m));
        out.push(FetchedReply {
            tx_id: listed.tx_id,
            reply,
        });
    }
    Ok(out)
}
