//! SHS 1.2 (Spridnings- och hämtningssystem), the protocol only: the label and the MIME
//! message (`label`, `mime`), sending to a receive service (`client`), the delivery service
//! receivers poll (`delivery`), replies (`reply`) and the messages we send (`outgoing`). It
//! draws no pages; the local test mailbox that plays the case system is `crate::test_mailbox`.
//! Facts: `protocols.md` §1 in the shared reference folder; the DTDs beside it.

pub mod client;
pub mod delivery;
pub mod label;
pub mod mime;
pub mod outgoing;
pub mod reply;
pub mod xml;

pub use client::{SendOutcome, ShsClient, ShsClientConfig, ShsTransport};
pub use label::{Address, Label, Party, Product, ProductId, SequenceType, Status};
pub use mime::{Message, Part};
pub use reply::{apply_reply, AppliedReply, ReplyStatus};

/// Why an SHS message could not be read or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShsError {
    /// The MIME structure is wrong.
    Mime(String),
    /// The label is missing or wrong.
    Label(String),
    /// A confirm, error or reply could not be understood.
    Reply(String),
}

impl std::fmt::Display for ShsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShsError::Mime(m) => write!(f, "not a readable SHS message: {m}"),
            ShsError::Label(m) => write!(f, "the SHS label is wrong: {m}"),
            ShsError::Reply(m) => write!(f, "the SHS reply cannot be used: {m}"),
        }
    }
}

impl std::error::Error for ShsError {}
