//! The audit trail: who did what, when and from where, for the events a kommun's security
//! officer asks about: log-ins and log-outs, staff on the admin page (opening it, retries),
//! citizens' downloads of submissions and attachments, retention purges and the case system's
//! acknowledgements. Append-only, kept `audit_retention_days`, shown and exported on the admin
//! page. It names submissions by reference and files by id: never any answer content.

use crate::store::{AuditEntry, DynStore};

tokio::task_local! {
    /// The client of the request being served (set by `client::layer`); none for the server's
    /// own work (delivery, retention).
    pub static CLIENT: crate::client::ClientAddr;
}

/// Appends an event. The deed is done whether or not it is logged, so a failure to write the
/// entry is logged as an error rather than undoing it.
pub async fn record(store: &DynStore, actor: &str, action: &str, target: &str) {
    let client = crate::client::ClientAddr::current()
        .0
        .map(|ip| ip.to_string());
    let entry = AuditEntry {
        id: uuid::Uuid::new_v4().to_string(),
        at: chrono::Utc::now(),
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        client,
    };
    if let Err(e) = store.record_audit(&entry).await {
        tracing::error!(error = %e, action, "the audit trail could not be written");
    }
}

/// The entries as CSV (RFC 4180), oldest last as on the page.
pub fn csv(entries: &[AuditEntry]) -> String {
    let field = |s: &str| {
        // Leading =, +, - or @ would be a formula in a spreadsheet.
        let s = if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        };
        format!("\"{}\"", s.replace('"', "\"\""))
    };
    let mut out = String::from("tid,vem,handling,vad,varifran\r\n");
    for e in entries {
        let row = [
            e.at.to_rfc3339(),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone(),
            e.client.clone().unwrap_or_default(),
        ];
        let row: Vec<String> = row.iter().map(|s| field(s)).collect();
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let e = AuditEntry {
            id: "1".into(),
            at: chrono::DateTime::from_timestamp(0, 0).unwrap(),
            actor: "=HYPERLINK(\"x\")".into(),
            action: "login".into(),
            target: "a,b".into(),
            client: None,
        };
        let text = csv(&[e]);
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert!(text.contains("\"a,b\""), "{text}");
    }
}
