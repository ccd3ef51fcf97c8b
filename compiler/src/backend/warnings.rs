//! The warnings a citizen was shown and went past, as the submission carries them.
//!
//! A case officer reads them with the answers: "the applicant was told the opening date is
//! close and kept it". So they are part of the submission, after the answers, as the element
//! `visadeVarningar` (XML) and the property `visadeVarningar` (JSON): each warning with the
//! instance path of its field and its message in Swedish. A field id is snake_case, so the
//! camelCase name can never be a field's element. The schemas declare it only for forms that
//! have warnings at all.

use crate::eval::FieldError;
use crate::ir::{Form, RuleSeverity};
use quick_xml::events::BytesText;
use quick_xml::Writer;
use serde_json::{json, Value};
use std::io;

pub const ELEMENT: &str = "visadeVarningar";
const ITEM: &str = "varning";
const FIELD: &str = "falt";

/// Whether the form has rules that warn: only then do its schemas know the element.
pub fn has_warnings(form: &Form) -> bool {
    form.rules
        .iter()
        .any(|r| r.severity == RuleSeverity::Warning)
}

/// `<visadeVarningar><varning falt="…">…</varning>…</visadeVarningar>`, nothing when none.
pub fn write_xml(w: &mut Writer<Vec<u8>>, warnings: &[FieldError]) -> io::Result<()> {
    if warnings.is_empty() {
        return Ok(());
    }
    w.create_element(ELEMENT).write_inner_content(|w| {
        for warning in warnings {
            let message = super::submission::xml_safe(warning.message.get("sv"));
            w.create_element(ITEM)
                .with_attribute((FIELD, super::submission::xml_safe(&warning.path).as_str()))
                .write_text_content(BytesText::new(&message))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// `[{falt, meddelande}, …]`, or `None` when none were shown.
pub fn json(warnings: &[FieldError]) -> Option<Value> {
    (!warnings.is_empty()).then(|| {
        Value::Array(
            warnings
                .iter()
                .map(|w| json!({ FIELD: w.path, "meddelande": w.message.get("sv") }))
                .collect(),
        )
    })
}

/// The XSD declaration of the element, inside the root's sequence.
pub fn write_xsd(w: &mut Writer<Vec<u8>>) -> io::Result<()> {
    w.create_element("xs:element")
        .with_attribute(("name", ELEMENT))
        .with_attribute(("minOccurs", "0"))
        .write_inner_content(|w| {
            w.create_element("xs:annotation").write_inner_content(|w| {
                w.create_element("xs:documentation")
                    .with_attribute(("xml:lang", "sv"))
                    .write_text_content(BytesText::new(
                        "Varningar som visades för den sökande, som gick vidare med svaren som de är.",
                    ))?;
                Ok(())
            })?;
            w.create_element("xs:complexType").write_inner_content(|w| {
                w.create_element("xs:sequence").write_inner_content(|w| {
                    w.create_element("xs:element")
                        .with_attribute(("name", ITEM))
                        .with_attribute(("maxOccurs", "unbounded"))
                        .write_inner_content(|w| {
                            w.create_element("xs:complexType").write_inner_content(|w| {
                                w.create_element("xs:simpleContent").write_inner_content(|w| {
                                    w.create_element("xs:extension")
                                        .with_attribute(("base", "xs:string"))
                                        .write_inner_content(|w| {
                                            w.create_element("xs:attribute")
                                                .with_attribute(("name", FIELD))
                                                .with_attribute(("type", "xs:string"))
                                                .with_attribute(("use", "required"))
                                                .write_empty()?;
                                            Ok(())
                                        })?;
                                    Ok(())
                                })?;
                                Ok(())
                            })?;
                            Ok(())
                        })?;
                    Ok(())
                })?;
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

/// The JSON Schema property.
pub fn json_schema() -> Value {
    json!({
        "type": "array",
        "title": "Visade varningar",
        "$comment": "Warnings shown to the applicant, who went on with the answers as they are.",
        "items": {
            "type": "object",
            "properties": {
                FIELD: {"type": "string"},
                "meddelande": {"type": "string"},
            },
            "required": [FIELD, "meddelande"],
            "additionalProperties": false,
        },
    })
}
