//! E-ID orders in progress, signatures of submissions and the co-signers a submission waits
//! for (`crate::signing`).

use super::Result;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

super::text_enum! {
    /// What an e-ID order is for.
    pub enum EidOrderKind {
        /// An OpenID Connect log-in (keyed by its `state`).
        Oidc = "oidc",
        /// A signature through the OpenID Connect provider (`auth::oidc_sign`).
        OidcSign = "oidc_sign",
        BankidAuth = "bankid-auth",
        BankidSign = "bankid-sign",
    }
}

impl EidOrderKind {
    pub fn is_bankid(self) -> bool {
        matches!(self, EidOrderKind::BankidAuth | EidOrderKind::BankidSign)
    }
}

super::text_enum! {
    /// In what capacity a person signed.
    pub enum SignatureRole {
        /// The one who submitted it.
        Applicant = "applicant",
        /// A co-signer the form names (`signing: guardians`).
        Guardian = "guardian",
    }
}

/// An e-ID order in progress, bound to the session that started it: an OIDC login (keyed by
/// its `state`) or a BankID order. `data` is the kind's own JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct EidOrder {
    pub id: String,
    pub session_id: String,
    pub kind: EidOrderKind,
    pub data: String,
    pub created_at: DateTime<Utc>,
}

/// One person's signature of a submission's exact XML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Signature {
    pub id: String,
    pub submission_id: String,
    pub role: SignatureRole,
    pub signer_pnr: String,
    pub signer_name: String,
    /// SHA-256 (hex) of the submission XML that was signed.
    pub digest: String,
    /// The e-ID's signature (BankID: the signature XML, base64).
    pub signature: String,
    /// The OCSP response that shows the certificate was valid (base64).
    pub ocsp_response: String,
    pub signed_at: DateTime<Utc>,
}

/// A person a submission waits for before it is complete (`signing: guardians`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Cosigner {
    pub submission_id: String,
    pub pnr: String,
    /// The secret of the invitation link.
    pub invite: String,
    pub deadline: DateTime<Utc>,
}

#[async_trait]
pub trait SigningStore: Send + Sync {
    async fn put_eid_order(&self, o: &EidOrder) -> Result<()>;
    async fn eid_order(&self, id: &str) -> Result<Option<EidOrder>>;
    /// Returns the order and deletes it, in one statement: only one caller ever gets it.
    async fn take_eid_order(&self, id: &str) -> Result<Option<EidOrder>>;
    /// Deletes e-ID orders started before `before` (abandoned log-ins and signatures).
    async fn purge_eid_orders(&self, before: DateTime<Utc>) -> Result<u64>;

    /// Stores a signature; a second signature by the same person of the same submission is
    /// ignored (returns `false`).
    async fn put_signature(&self, s: &Signature) -> Result<bool>;
    async fn signatures_of(&self, submission_id: &str) -> Result<Vec<Signature>>;
    /// Adds a co-signer; the same person again for the same submission is ignored.
    async fn put_cosigner(&self, c: &Cosigner) -> Result<()>;
    async fn cosigners_of(&self, submission_id: &str) -> Result<Vec<Cosigner>>;
    async fn cosigner_by_invite(&self, invite: &str) -> Result<Option<Cosigner>>;
    /// Moves a submission from waiting for signatures to received; true for the one caller
    /// that made the move (so completion happens once, however many sign at the same time).
    async fn mark_fully_signed(&self, submission_id: &str) -> Result<bool>;
}
