//! XML Schema (1.0) of a form's submissions.
//!
//! One schema per form, in the form's namespace ([`super::namespace`]). Every element is
//! declared locally, in form order, so the schema reads like the form: fragments become
//! elements around their fields, repeats hold `rad` elements, multi-choices `val` elements.
//! An element is required only when every valid submission has it (see
//! [`model::always_present`]); what a schema cannot say (a bound of `today`, a pattern outside
//! the portable subset) is written in the element's annotation instead.

pub(crate) mod model;
pub(crate) mod pattern;

use crate::ir::{Form, Text};
use model::{fmt_date, fmt_number, Base, Body, Bound, Elem, Simple};
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::io;

type W = Writer<Vec<u8>>;

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// The `source` of a documentation that is a note about the schema, not a label.
const NOTE: &str = "urn:blankett:note";

/// The schema, as text.
pub fn generate(form: &Form) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    // Writing into a Vec cannot fail; an empty schema would be caught by any test.
    match schema(&mut w, form) {
        Ok(()) => String::from_utf8(w.into_inner()).unwrap_or_default() + "\n",
        Err(_) => String::new(),
    }
}

fn schema(w: &mut W, form: &Form) -> io::Result<()> {
    let ns = super::namespace(form);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("xs:schema")
        .with_attribute(("xmlns:xs", XS))
        .with_attribute(("xmlns", ns.as_str()))
        .with_attribute(("targetNamespace", ns.as_str()))
        .with_attribute(("elementFormDefault", "qualified"))
        .with_attribute(("version", form.version.as_str()))
        .write_inner_content(|w| {
            annotation(w, Some(&form.title), &[])?;
            w.create_element("xs:element")
                .with_attribute(("name", form.id.as_str()))
                .write_inner_content(|w| {
                    w.create_element("xs:complexType")
                        .write_inner_content(|w| {
                            let fields = model::fields(form);
                            if super::warnings::has_warnings(form) {
                                w.create_element("xs:sequence").write_inner_content(|w| {
                                    for c in &fields {
                                        element(
                                            w,
                                            c,
                                            if c.required { "1" } else { "0" },
                                            None,
                                            false,
                                        )?;
                                    }
                                    super::warnings::write_xsd(w)
                                })?;
                            } else {
                                sequence(w, &fields)?;
                            }
                            attribute(w, "formVersion", &Simple::of(Base::String))?;
                            let hash = Simple {
                                xsd_pattern: Some("[0-9a-f]{64}".into()),
                                ..Simple::of(Base::String)
                            };
                            attribute(w, "formHash", &hash)
                        })?;
                    Ok(())
                })?;
            Ok(())
        })?;
    Ok(())
}

fn sequence(w: &mut W, children: &[Elem]) -> io::Result<()> {
    if children.is_empty() {
        w.create_element("xs:sequence").write_empty()?;
        return Ok(());
    }
    w.create_element("xs:sequence").write_inner_content(|w| {
        for c in children {
            let min = if c.required { "1" } else { "0" };
            element(w, c, min, None, false)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// One element declaration. `max` is `maxOccurs` when not 1 (`None` inside is unbounded).
fn element(
    w: &mut W,
    e: &Elem,
    min: &str,
    max: Option<Option<u32>>,
    nillable: bool,
) -> io::Result<()> {
    let mut start = w
        .create_element("xs:element")
        .with_attribute(("name", e.name.as_str()));
    if min != "1" {
        start = start.with_attribute(("minOccurs", min));
    }
    let max = max.map(|m| m.map_or("unbounded".to_string(), |n| n.to_string()));
    if let Some(max) = &max {
        start = start.with_attribute(("maxOccurs", max.as_str()));
    }
    if nillable {
        start = start.with_attribute(("nillable", "true"));
    }
    // A plain built-in type goes in `type`; anything restricted gets its own simple type.
    let plain = match &e.body {
        Body::Simple(s) if s.is_plain() => Some(base_name(s.base)),
        _ => None,
    };
    if let Some(t) = plain {
        start = start.with_attribute(("type", t));
    }
    let notes = match &e.body {
        Body::Simple(s) => notes(s),
        Body::Any => vec![(
            "Värdet beräknas av e-tjänsten och kan ha vilken form som helst.".to_string(),
            "The value is computed by the e-service and may take any form.".to_string(),
        )],
        _ => Vec::new(),
    };
    if e.label.is_none() && notes.is_empty() && (plain.is_some() || matches!(e.body, Body::Any)) {
        start.write_empty()?;
        return Ok(());
    }
    start.write_inner_content(|w| {
        annotation(w, e.label.as_ref(), &notes)?;
        match &e.body {
            Body::Simple(s) if plain.is_none() => simple_type(w, s),
            Body::Simple(_) | Body::Any => Ok(()),
            Body::Object {
                children,
                id_attribute,
            } => {
                w.create_element("xs:complexType")
                    .write_inner_content(|w| {
                        sequence(w, children)?;
                        if *id_attribute {
                            attribute(w, "id", &Simple::of(Base::String))?;
                        }
                        Ok(())
                    })?;
                Ok(())
            }
            Body::List {
                item,
                min,
                max,
                nullable,
            } => {
                w.create_element("xs:complexType")
                    .write_inner_content(|w| {
                        w.create_element("xs:sequence").write_inner_content(|w| {
                            element(w, item, &min.to_string(), Some(*max), *nullable)
                        })?;
                        Ok(())
                    })?;
                Ok(())
            }
        }
    })?;
    Ok(())
}

/// A required attribute of a simple type.
fn attribute(w: &mut W, name: &str, s: &Simple) -> io::Result<()> {
    let start = w
        .create_element("xs:attribute")
        .with_attribute(("name", name))
        .with_attribute(("use", "required"));
    if s.is_plain() {
        start
            .with_attribute(("type", base_name(s.base)))
            .write_empty()?;
    } else {
        start.write_inner_content(|w| simple_type(w, s))?;
    }
    Ok(())
}

impl Simple {
    /// Nothing beyond the built-in type.
    fn is_plain(&self) -> bool {
        self.enumeration.is_empty()
            && self.min_length.is_none()
            && self.max_length.is_none()
            && self.xsd_pattern.is_none()
            && self.fraction_digits.is_none()
            && !matches!(self.min, Some(Bound::Number(_) | Bound::Date(_)))
            && !matches!(self.max, Some(Bound::Number(_) | Bound::Date(_)))
    }
}

fn base_name(b: Base) -> &'static str {
    match b {
        Base::String => "xs:string",
        Base::Integer => "xs:integer",
        Base::NonNegativeInteger => "xs:nonNegativeInteger",
        Base::Decimal => "xs:decimal",
        Base::Date => "xs:date",
        Base::Boolean => "xs:boolean",
    }
}

fn bound(b: &Option<Bound>) -> Option<String> {
    match b {
        Some(Bound::Number(n)) => Some(fmt_number(*n)),
        Some(Bound::Date(d)) => Some(fmt_date(*d)),
        Some(Bound::Today) | None => None,
    }
}

fn simple_type(w: &mut W, s: &Simple) -> io::Result<()> {
    let mut facets: Vec<(&str, String)> = Vec::new();
    facets.extend(s.min_length.map(|n| ("xs:minLength", n.to_string())));
    facets.extend(s.max_length.map(|n| ("xs:maxLength", n.to_string())));
    facets.extend(bound(&s.min).map(|v| ("xs:minInclusive", v)));
    facets.extend(bound(&s.max).map(|v| ("xs:maxInclusive", v)));
    facets.extend(
        s.fraction_digits
            .map(|n| ("xs:fractionDigits", n.to_string())),
    );
    facets.extend(s.xsd_pattern.clone().map(|p| ("xs:pattern", p)));
    facets.extend(
        s.enumeration
            .iter()
            .map(|v| ("xs:enumeration", super::submission::xml_safe(v))),
    );
    w.create_element("xs:simpleType").write_inner_content(|w| {
        w.create_element("xs:restriction")
            .with_attribute(("base", base_name(s.base)))
            .write_inner_content(|w| {
                for (facet, value) in &facets {
                    w.create_element(*facet)
                        .with_attribute(("value", value.as_str()))
                        .write_empty()?;
                }
                Ok(())
            })?;
        Ok(())
    })?;
    Ok(())
}

/// What the e-service checks but this schema cannot, in Swedish and English.
fn notes(s: &Simple) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let (Some(p), None) = (&s.source_pattern, &s.xsd_pattern) {
        out.push((
            format!("Svaret ska också matcha mönstret {p}, vilket e-tjänsten kontrollerar."),
            format!(
                "The answer must also match the pattern {p}, which the e-service checks; \
                 XML Schema cannot express it exactly."
            ),
        ));
    }
    if s.min == Some(Bound::Today) {
        out.push((
            "Datumet kan tidigast vara den dag formuläret fylls i.".to_string(),
            "The date cannot be earlier than the day the form is filled in.".to_string(),
        ));
    }
    if s.max == Some(Bound::Today) {
        out.push((
            "Datumet kan senast vara den dag formuläret fylls i.".to_string(),
            "The date cannot be later than the day the form is filled in.".to_string(),
        ));
    }
    out
}

/// The label in every language (Swedish first), then the notes.
fn annotation(w: &mut W, label: Option<&Text>, notes: &[(String, String)]) -> io::Result<()> {
    let mut docs: Vec<(&str, &str)> = Vec::new();
    if let Some(t) = label {
        docs.extend(t.0.get("sv").map(|s| ("sv", s.as_str())));
        docs.extend(
            t.0.iter()
                .filter(|(lang, _)| *lang != "sv")
                .map(|(l, s)| (l.as_str(), s.as_str())),
        );
    }
    let labels = docs.len();
    for (sv, en) in notes {
        docs.push(("sv", sv));
        docs.push(("en", en));
    }
    if docs.is_empty() {
        return Ok(());
    }
    w.create_element("xs:annotation").write_inner_content(|w| {
        for (i, (lang, text)) in docs.iter().enumerate() {
            let mut doc = w
                .create_element("xs:documentation")
                .with_attribute(("xml:lang", *lang));
            // Notes are marked, so a reader that takes the first text as the label still can.
            if i >= labels {
                doc = doc.with_attribute(("source", NOTE));
            }
            let text = super::submission::xml_safe(text);
            doc.write_text_content(BytesText::from_escaped(partial_escape(text.as_str())))?;
        }
        Ok(())
    })?;
    Ok(())
}
