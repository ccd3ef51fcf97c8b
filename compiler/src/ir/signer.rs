//! Who signs a submission: the list `signing:` gives, or the one its shorthands stand for.
//! Analysis writes it (`analyse::signers`), `eval::signers` finds who must sign a given set
//! of answers, and the runtime asks them.

use super::Text;
use crate::expr::Expr;
use serde::{Deserialize, Serialize};

/// One signer: in what role, and expressions over the answers (and `inloggad.*`, the person
/// who sends) for who they are and whether they sign at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signer {
    /// An id: `sokande`, `vardnadshavare`, `firmatecknare`.
    pub role: String,
    /// The role as people read it (receipt, Mina sidor, invitation).
    pub label: Text,
    /// Text, or a list of texts: one signer per personnummer.
    pub personnummer: Expr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<Expr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Expr>,
    /// Only when this holds is the signer asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Expr>,
}
