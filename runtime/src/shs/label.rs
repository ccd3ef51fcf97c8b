//! The SHS 1.2 label (`shs-label-1.2.dtd`): who sends what to whom, and the list of data
//! parts. Written as ISO-8859-1 like Inera Axel does; read in ISO-8859-1 or UTF-8.

use super::xml::{self, escape, Element};
use super::ShsError;
use chrono::{NaiveDateTime, Timelike};
use std::fmt;
use uuid::Uuid;

/// `yyyy-MM-ddTHH:mm:ss`, the only form SHS nodes write (Axel's `TimestampConverter`).
pub const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S";

/// An SHS address: an organisation number, optionally with a sub-address
/// (`urn:X-shs:2120001439` or `urn:X-shs:2120001439.diarium`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    pub orgnr: String,
    pub sub: Option<String>,
}

impl Address {
    /// Reads `urn:X-shs:<digits>[.<sub>]` (prefix in any case) or the bare number. A dash in
    /// the organisation number (`212000-1439`) is dropped.
    pub fn parse(s: &str) -> Result<Address, ShsError> {
        let s = s.trim();
        let value = strip_urn(s).unwrap_or(s);
        let (num, sub) = match value.split_once('.') {
            Some((n, sub)) => (n, Some(sub.to_string())),
            None => (value, None),
        };
        let orgnr: String = num.chars().filter(|c| *c != '-').collect();
        if orgnr.is_empty() || !orgnr.chars().all(|c| c.is_ascii_digit()) {
            return Err(ShsError::Label(format!(
                "`{s}` is not an SHS address: write `urn:X-shs:` and the organisation number's digits, e.g. `urn:X-shs:2120001439`"
            )));
        }
        Ok(Address { orgnr, sub })
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "urn:X-shs:{}", self.orgnr)?;
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

fn strip_urn(s: &str) -> Option<&str> {
    let prefix = "urn:x-shs:";
    // `get`, not indexing: the text may have a multi-byte character at that position.
    s.get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .and_then(|_| s.get(prefix.len()..))
}

/// A sender, receiver, originator or end recipient: an address and a display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub address: Address,
    pub name: Option<String>,
}

impl Party {
    pub fn new(address: Address, name: impl Into<String>) -> Party {
        Party {
            address,
            name: Some(name.into()),
        }
    }
}

/// The product (message type) of a message: a service's UUID, or one of SHS's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductId {
    Id(Uuid),
    Confirm,
    Error,
    Agreement,
}

impl ProductId {
    pub fn parse(s: &str) -> Result<ProductId, ShsError> {
        let s = s.trim();
        let value = strip_urn(s).unwrap_or(s);
        Ok(match value.to_ascii_lowercase().as_str() {
            "confirm" => ProductId::Confirm,
            "error" => ProductId::Error,
            "agreement" => ProductId::Agreement,
            v => ProductId::Id(Uuid::parse_str(v).map_err(|_| {
                ShsError::Label(format!(
                    "the product `{s}` is neither a UUID nor confirm/error/agreement"
                ))
            })?),
        })
    }
}

impl fmt::Display for ProductId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProductId::Id(u) => write!(f, "urn:X-shs:{u}"),
            ProductId::Confirm => f.write_str("urn:X-shs:confirm"),
            ProductId::Error => f.write_str("urn:X-shs:error"),
            ProductId::Agreement => f.write_str("urn:X-shs:agreement"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub id: ProductId,
    pub name: Option<String>,
}

macro_rules! keyword_enum {
    ($name:ident, $what:literal, $($variant:ident = $text:literal),+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Result<$name, ShsError> {
                match s.trim() {
                    $($text => Ok($name::$variant),)+
                    other => Err(ShsError::Label(format!(
                        concat!("the ", $what, " `{}` is not one of: {}"),
                        other,
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}

keyword_enum!(
    SequenceType,
    "sequence-type",
    Event = "event",
    Request = "request",
    Reply = "reply",
    Adm = "adm"
);
keyword_enum!(Status, "status", Test = "test", Production = "production");
keyword_enum!(
    TransferType,
    "transfer-type",
    Asynch = "asynch",
    Synch = "synch"
);

/// One `content/data` element: describes the data part at the same position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataRef {
    pub datapart_type: String,
    pub filename: Option<String>,
    pub no_of_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    /// Axel cuts content ids to 36 characters ("some vendors cannot handle" longer ones).
    pub content_id: String,
    pub data: Vec<DataRef>,
    pub comment: Option<String>,
}

/// A node's note of having handled the message (written by SHS nodes, kept as read).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    pub node_id: String,
    pub tx_id: Option<String>,
    pub content_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub local_id: Option<String>,
    pub datetime: String,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub tx_id: Uuid,
    pub corr_id: Uuid,
    pub shs_agreement: Option<String>,
    pub transfer_type: TransferType,
    pub sequence_type: SequenceType,
    pub status: Status,
    pub originator: Option<Party>,
    pub from: Option<Party>,
    pub to: Option<Party>,
    pub end_recipient: Option<Party>,
    pub product: Product,
    pub meta: Vec<(String, String)>,
    pub subject: Option<String>,
    pub datetime: NaiveDateTime,
    pub content: Content,
    pub history: Vec<History>,
}

impl Label {
    /// A new asynchronous message's label, status production, dated now (local time, as
    /// SHS nodes write it); `content.data` is filled in by `Message::new`.
    pub fn new(
        tx_id: Uuid,
        corr_id: Uuid,
        from: Party,
        to: Party,
        product: Product,
        sequence_type: SequenceType,
    ) -> Label {
        Label {
            tx_id,
            corr_id,
            shs_agreement: None,
            transfer_type: TransferType::Asynch,
            sequence_type,
            status: Status::Production,
            originator: None,
            from: Some(from),
            to: Some(to),
            end_recipient: None,
            product,
            meta: Vec::new(),
            subject: None,
            datetime: chrono::Local::now()
                .naive_local()
                .with_nanosecond(0)
                .unwrap_or_default(),
            content: Content {
                content_id: Uuid::new_v4().to_string(),
                data: Vec::new(),
                comment: None,
            },
            history: Vec::new(),
        }
    }

    /// Who sent it: `from`, else `originator`.
    pub fn sender(&self) -> Option<&Party> {
        self.from.as_ref().or(self.originator.as_ref())
    }

    /// The label as ISO-8859-1 XML with the DOCTYPE of `shs-label-1.2.dtd`.
    pub fn to_xml(&self) -> Vec<u8> {
        xml::to_latin1(&self.to_xml_string())
    }

    fn to_xml_string(&self) -> String {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<!DOCTYPE shs.label SYSTEM \"shs-label-1.2.dtd\">\n");
        s += &format!(
            "<shs.label version=\"1.2\" tx.id=\"{}\" corr.id=\"{}\"",
            self.tx_id, self.corr_id
        );
        if let Some(a) = &self.shs_agreement {
            s += &format!(" shs.agreement=\"{}\"", escape(a));
        }
        s += &format!(
            " transfer-type=\"{}\" message-type=\"simple\" document-type=\"simple\" sequence-type=\"{}\" status=\"{}\">\n",
            self.transfer_type.as_str(),
            self.sequence_type.as_str(),
            self.status.as_str()
        );
        let party = |tag: &str, name_attr: &str, p: &Party, required: bool| {
            let name = match (&p.name, required) {
                (Some(n), _) => format!(" {name_attr}=\"{}\"", escape(n)),
                // `from/@commonName` is #REQUIRED; the address is the best name we have.
                (None, true) => format!(" {name_attr}=\"{}\"", p.address),
                (None, false) => String::new(),
            };
            format!("  <{tag}{name}>{}</{tag}>\n", p.address)
        };
        if let Some(p) = &self.originator {
            s += &party("originator", "name", p, false);
        }
        if let Some(p) = &self.from {
            s += &party("from", "commonName", p, true);
        }
        if let Some(p) = &self.to {
            s += &party("to", "commonName", p, false);
        }
        if let Some(p) = &self.end_recipient {
            s += &party("end-recipient", "name", p, false);
        }
        let product_name = self
            .product
            .name
            .as_ref()
            .map(|n| format!(" commonName=\"{}\"", escape(n)))
            .unwrap_or_default();
        s += &format!("  <product{product_name}>{}</product>\n", self.product.id);
        for (name, value) in &self.meta {
            s += &format!(
                "  <meta name=\"{}\">{}</meta>\n",
                escape(name),
                escape(value)
            );
        }
        if let Some(subject) = &self.subject {
            s += &format!("  <subject>{}</subject>\n", escape(subject));
        }
        s += &format!(
            "  <datetime>{}</datetime>\n",
            self.datetime.format(DATETIME_FORMAT)
        );
        s += &format!(
            "  <content content.id=\"{}\">\n",
            escape(&content_id(&self.content.content_id))
        );
        for d in &self.content.data {
            s += &format!("    <data datapartType=\"{}\"", escape(&d.datapart_type));
            if let Some(f) = &d.filename {
                s += &format!(" filename=\"{}\"", escape(f));
            }
            if let Some(n) = d.no_of_bytes {
                s += &format!(" no-of-bytes=\"{n}\"");
            }
            s += "/>\n";
        }
        if let Some(c) = &self.content.comment {
            s += &format!("    <comment>{}</comment>\n", escape(c));
        }
        s += "  </content>\n";
        for h in &self.history {
            s += &format!("  <history node.id=\"{}\"", escape(&h.node_id));
            for (name, v) in [
                ("content.id", &h.content_id),
                ("tx.id", &h.tx_id),
                ("from", &h.from),
                ("to", &h.to),
                ("local.id", &h.local_id),
            ] {
                if let Some(v) = v {
                    s += &format!(" {name}=\"{}\"", escape(v));
                }
            }
            s += &format!(">\n    <datetime>{}</datetime>\n", escape(&h.datetime));
            if let Some(c) = &h.comment {
                s += &format!("    <comment>{}</comment>\n", escape(c));
            }
            s += "  </history>\n";
        }
        s += "</shs.label>\n";
        s
    }

    /// Reads a label from its bytes (`charset` is the MIME part's, used only when the XML
    /// declaration names none).
    pub fn parse(bytes: &[u8], charset: Option<&str>) -> Result<Label, ShsError> {
        let root = xml::parse_bytes(bytes, charset)
            .map_err(|e| ShsError::Label(format!("the label is not readable XML: {e}")))?;
        Label::from_element(&root)
    }

    pub fn from_element(root: &Element) -> Result<Label, ShsError> {
        if root.name != "shs.label" {
            return Err(ShsError::Label(format!(
                "the first part is `<{}>`, not an SHS label `<shs.label>`",
                root.name
            )));
        }
        let required = |name: &str| {
            root.attr(name)
                .ok_or_else(|| ShsError::Label(format!("the label has no `{name}` attribute")))
        };
        let uuid = |name: &str| -> Result<Uuid, ShsError> {
            let v = required(name)?;
            Uuid::parse_str(v.trim())
                .map_err(|_| ShsError::Label(format!("the label's {name} `{v}` is not a UUID")))
        };
        let party = |tag: &str, name_attr: &str| -> Result<Option<Party>, ShsError> {
            root.child(tag)
                .filter(|e| !e.text.trim().is_empty())
                .map(|e| {
                    Ok(Party {
                        address: Address::parse(&e.text)?,
                        name: e.attr(name_attr).map(str::to_string),
                    })
                })
                .transpose()
        };
        let from = party("from", "commonName")?;
        let originator = party("originator", "name")?;
        if from.is_none() && originator.is_none() {
            return Err(ShsError::Label(
                "the label names no sender: it has neither `<from>` nor `<originator>`".into(),
            ));
        }
        let product_el = root
            .child("product")
            .ok_or_else(|| ShsError::Label("the label has no `<product>`".into()))?;
        let datetime_text = root
            .child_text("datetime")
            .ok_or_else(|| ShsError::Label("the label has no `<datetime>`".into()))?;
        let content_el = root
            .child("content")
            .ok_or_else(|| ShsError::Label("the label has no `<content>`".into()))?;
        Ok(Label {
            tx_id: uuid("tx.id")?,
            corr_id: uuid("corr.id")?,
            shs_agreement: root.attr("shs.agreement").map(str::to_string),
            transfer_type: root
                .attr("transfer-type")
                .map(TransferType::parse)
                .transpose()?
                .unwrap_or(TransferType::Asynch),
            sequence_type: SequenceType::parse(required("sequence-type")?)?,
            status: root
                .attr("status")
                .map(Status::parse)
                .transpose()?
                .unwrap_or(Status::Production),
            originator,
            from,
            to: party("to", "commonName")?,
            end_recipient: party("end-recipient", "name")?,
            product: Product {
                id: ProductId::parse(&product_el.text)?,
                name: product_el.attr("commonName").map(str::to_string),
            },
            meta: root
                .children_named("meta")
                .map(|m| {
                    (
                        m.attr("name").unwrap_or("").to_string(),
                        m.text.trim().to_string(),
                    )
                })
                .collect(),
            subject: root.child_text("subject"),
            datetime: parse_datetime(&datetime_text)?,
            content: Content {
                content_id: content_el
                    .attr("content.id")
                    .or_else(|| content_el.attr("uuid"))
                    .unwrap_or("")
                    .to_string(),
                data: content_el
                    .children_named("data")
                    .map(|d| DataRef {
                        datapart_type: d.attr("datapartType").unwrap_or("").to_string(),
                        filename: d.attr("filename").map(str::to_string),
                        no_of_bytes: d.attr("no-of-bytes").and_then(|n| n.trim().parse().ok()),
                    })
                    .collect(),
                comment: content_el.child_text("comment"),
            },
            history: root
                .children_named("history")
                .map(|h| History {
                    node_id: h.attr("node.id").unwrap_or("").to_string(),
                    tx_id: h.attr("tx.id").map(str::to_string),
                    content_id: h.attr("content.id").map(str::to_string),
                    from: h.attr("from").map(str::to_string),
                    to: h.attr("to").map(str::to_string),
                    local_id: h.attr("local.id").map(str::to_string),
                    datetime: h.child_text("datetime").unwrap_or_default(),
                    comment: h.child_text("comment"),
                })
                .collect(),
        })
    }
}

/// Axel's limit: content ids longer than 36 characters are cut.
fn content_id(id: &str) -> String {
    id.chars().take(36).collect()
}

/// `yyyy-MM-ddTHH:mm:ss`, also with fractions or a zone (which is dropped), or a bare date.
pub fn parse_datetime(s: &str) -> Result<NaiveDateTime, ShsError> {
    let s = s.trim();
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(d.naive_local());
    }
    for f in [DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(d);
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default());
    }
    Err(ShsError::Label(format!(
        "the datetime `{s}` is not of the form yyyy-MM-ddTHH:mm:ss"
    )))
}
