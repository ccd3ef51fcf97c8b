//! A message described for people: its label fields, its parts (type, name, size, SHA-256,
//! the first lines of XML) and, for an ERMS or FGS part, the case it describes. Used by
//! `blankett shs show` and the test mailbox's pages.

use crate::shs::label::{Label, Party};
use crate::shs::mime::{Message, Part};
use crate::shs::xml::{self, Element};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Lines of an XML part shown.
const FIRST_LINES: usize = 8;

fn party(p: &Option<Party>) -> Value {
    match p {
        Some(p) => json!({"address": p.address.to_string(), "name": p.name}),
        None => Value::Null,
    }
}

pub fn label(l: &Label) -> Value {
    json!({
        "tx_id": l.tx_id.to_string(),
        "corr_id": l.corr_id.to_string(),
        "content_id": l.content.content_id,
        "sequence_type": l.sequence_type.as_str(),
        "transfer_type": l.transfer_type.as_str(),
        "status": l.status.as_str(),
        "shs_agreement": l.shs_agreement,
        "from": party(&l.from),
        "originator": party(&l.originator),
        "to": party(&l.to),
        "end_recipient": party(&l.end_recipient),
        "product": {"id": l.product.id.to_string(), "name": l.product.name},
        "subject": l.subject,
        "meta": l.meta.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
        "datetime": l.datetime.format(crate::shs::label::DATETIME_FORMAT).to_string(),
        "data": l.content.data.iter().map(|d| json!({"datapart_type": d.datapart_type, "filename": d.filename, "no_of_bytes": d.no_of_bytes})).collect::<Vec<_>>(),
        "history": l.history.iter().map(|h| json!({"node_id": h.node_id, "datetime": h.datetime, "comment": h.comment, "tx_id": h.tx_id, "to": h.to})).collect::<Vec<_>>(),
    })
}

pub fn part(index: usize, p: &Part) -> Value {
    let first_lines: Option<Vec<String>> = (p.is_xml()).then(|| {
        let text = xml::decode(&p.body, p.charset().as_deref())
            .unwrap_or_else(|_| String::from_utf8_lossy(&p.body).into_owned());
        text.lines()
            .take(FIRST_LINES)
            .map(|l| l.chars().take(200).collect())
            .collect()
    });
    json!({
        "index": index,
        "datapart_type": p.datapart_type,
        "content_type": p.content_type,
        "filename": p.filename,
        "transfer_encoding": p.transfer_encoding,
        "size": p.body.len(),
        "sha256": hex::encode(Sha256::digest(&p.body)),
        "first_lines": first_lines,
        "case": case_of(p),
    })
}

/// The whole message: label, parts, and what does not add up.
pub fn message(m: &Message, raw_size: usize) -> Value {
    let mut warnings = Vec::new();
    if m.label.content.data.len() != m.parts.len() {
        warnings.push(format!(
            "the label lists {} data part(s) but the message has {}",
            m.label.content.data.len(),
            m.parts.len()
        ));
    }
    for (i, (d, p)) in m.label.content.data.iter().zip(&m.parts).enumerate() {
        if let Some(n) = d.no_of_bytes {
            if n != p.body.len() as u64 {
                warnings.push(format!(
                    "part {}: the label says {n} bytes, the part has {}",
                    i + 1,
                    p.body.len()
                ));
            }
        }
    }
    json!({
        "size": raw_size,
        "label": label(&m.label),
        "parts": m.parts.iter().enumerate().map(|(i, p)| part(i + 1, p)).collect::<Vec<_>>(),
        "warnings": warnings,
    })
}

/// The case an ERMS (FGS Ärendehantering 2.0) or FGS 1.x part describes: its title
/// (ärendemening), classification and counterparts.
pub fn case_of(p: &Part) -> Value {
    if !p.is_xml() && !p.body.starts_with(b"<?xml") {
        return Value::Null;
    }
    let Ok(root) = xml::parse_bytes(&p.body, p.charset().as_deref()) else {
        return Value::Null;
    };
    match root.name.as_str() {
        "erms" => erms_case(&root),
        "Leveransobjekt" => fgs_case(&root),
        _ => Value::Null,
    }
}

fn erms_case(root: &Element) -> Value {
    let all = root.descendants();
    let case = all
        .iter()
        .find(|e| e.name == "aggregation" && e.attr("aggregationType") == Some("caseFile"))
        .or_else(|| all.iter().find(|e| e.name == "aggregation"))
        .copied()
        .unwrap_or(root);
    let classification = case
        .find("classification")
        .or_else(|| root.find("classification"))
        .map(|c| {
            let code = c
                .attr("classificationCode")
                .or_else(|| c.attr("fullyQualifiedClassificationCode"))
                .unwrap_or("");
            format!("{code} {}", c.all_text()).trim().to_string()
        });
    let counterparts: Vec<String> = case
        .descendants()
        .into_iter()
        .filter(|e| e.name == "agent" && e.attr("agentType") == Some("counterpart"))
        .map(|a| {
            a.child("name")
                .map(|n| n.all_text())
                .unwrap_or_else(|| a.all_text())
        })
        .collect();
    json!({
        "format": "ERMS",
        "title": case.find("title").map(|t| t.all_text()),
        "classification": classification,
        "counterparts": counterparts,
    })
}

fn fgs_case(root: &Element) -> Value {
    let case = root.find("ArkivobjektArende").unwrap_or(root);
    json!({
        "format": "FGS",
        "title": case.find("Arendemening").map(|t| t.all_text()),
        "classification": case.find("Klass").map(|k| k.all_text()),
        "counterparts": case.children_named("Motpart").map(|m| m.child("Namn").map(|n| n.all_text()).unwrap_or_else(|| m.all_text())).collect::<Vec<_>>(),
    })
}
