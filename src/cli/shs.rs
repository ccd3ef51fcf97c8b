//! `blankett shs show FILE`: what an SHS message holds, for operators chasing a transport
//! problem; `blankett shs-mailbox`: the local test mailbox that plays the case system.

use blankett_runtime::shs::Message;
use blankett_runtime::test_mailbox::describe;
use blankett_runtime::test_mailbox::{self as mailbox, Mailbox};
use serde_json::Value;
use std::path::Path;
use std::process::ExitCode;

/// Prints the message's label and parts; exit 1 when it is not a readable SHS message.
pub fn show(file: &Path, json: bool) -> Result<ExitCode, String> {
    let bytes =
        std::fs::read(file).map_err(|e| format!("cannot read `{}`: {e}", file.display()))?;
    let message = match Message::parse(&bytes) {
        Ok(m) => m,
        Err(e) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"file": file.display().to_string(), "size": bytes.len(), "error": e.to_string()})
                );
            } else {
                eprintln!("{}: {e}", file.display());
            }
            return Ok(ExitCode::from(1));
        }
    };
    let d = describe::message(&message, bytes.len());
    if json {
        let mut d = d;
        d["file"] = Value::String(file.display().to_string());
        println!("{}", serde_json::to_string_pretty(&d).unwrap_or_default());
    } else {
        print!("{}", human(&file.display().to_string(), &d));
    }
    Ok(ExitCode::SUCCESS)
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => "–".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn party(v: &Value) -> String {
    if v.is_null() {
        return "–".into();
    }
    match v["name"].as_str() {
        Some(n) => format!("{n} ({})", s(&v["address"])),
        None => s(&v["address"]),
    }
}

/// The description as text: one field a line, the parts below.
pub fn human(file: &str, d: &Value) -> String {
    let l = &d["label"];
    let mut out = format!("SHS message {file} ({} bytes)\n", s(&d["size"]));
    let mut row = |k: &str, v: String| out.push_str(&format!("  {k:<15}{v}\n"));
    row("tx.id", s(&l["tx_id"]));
    row("corr.id", s(&l["corr_id"]));
    row("content.id", s(&l["content_id"]));
    row("sequence-type", s(&l["sequence_type"]));
    row("status", s(&l["status"]));
    row("transfer-type", s(&l["transfer_type"]));
    if !l["originator"].is_null() {
        row("originator", party(&l["originator"]));
    }
    row("from", party(&l["from"]));
    row("to", party(&l["to"]));
    if !l["end_recipient"].is_null() {
        row("end-recipient", party(&l["end_recipient"]));
    }
    let product = &l["product"];
    row(
        "product",
        match product["name"].as_str() {
            Some(n) => format!("{n} ({})", s(&product["id"])),
            None => s(&product["id"]),
        },
    );
    row("datetime", s(&l["datetime"]));
    if !l["subject"].is_null() {
        row("subject", s(&l["subject"]));
    }
    if !l["shs_agreement"].is_null() {
        row("agreement", s(&l["shs_agreement"]));
    }
    for m in l["meta"].as_array().into_iter().flatten() {
        row(&format!("meta {}", s(&m["name"])), s(&m["value"]));
    }
    for h in l["history"].as_array().into_iter().flatten() {
        row(
            "history",
            format!(
                "{} {} {}",
                s(&h["node_id"]),
                s(&h["datetime"]),
                h["comment"].as_str().unwrap_or("")
            )
            .trim_end()
            .to_string(),
        );
    }
    let parts = d["parts"].as_array().cloned().unwrap_or_default();
    out.push_str(&format!("parts ({}):\n", parts.len()));
    for p in &parts {
        out.push_str(&format!(
            "  {}. {}  {}  {}  {} bytes  {}\n     sha256 {}\n",
            s(&p["index"]),
            p["datapart_type"]
                .as_str()
                .filter(|t| !t.is_empty())
                .unwrap_or("(no datapartType)"),
            s(&p["content_type"]),
            p["filename"].as_str().unwrap_or("(no file name)"),
            s(&p["size"]),
            p["transfer_encoding"].as_str().unwrap_or(""),
            s(&p["sha256"]),
        ));
        for line in p["first_lines"].as_array().into_iter().flatten() {
            out.push_str(&format!("     | {}\n", s(line)));
        }
        let c = &p["case"];
        if !c.is_null() {
            let counterparts: Vec<String> = c["counterparts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(s)
                .collect();
            out.push_str(&format!(
                "     case ({}): {} | classification {} | counterpart {}\n",
                s(&c["format"]),
                s(&c["title"]),
                s(&c["classification"]),
                if counterparts.is_empty() {
                    "–".into()
                } else {
                    counterparts.join(", ")
                }
            ));
        }
    }
    for w in d["warnings"].as_array().into_iter().flatten() {
        out.push_str(&format!("warning: {}\n", s(w)));
    }
    out
}

/// Runs the test mailbox until Ctrl-C.
pub fn mailbox(listen: &str, dir: &Path, token: Option<String>) -> Result<ExitCode, String> {
    super::serve::init_logs(false);
    let mb = Mailbox::open(dir, token)?;
    let rt = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        print_started(&addr.to_string(), dir, mb.token());
        tokio::select! {
            r = mailbox::serve(listener, mb.clone()) => r.map_err(|e| format!("the mailbox stopped: {e}")),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn print_started(addr: &str, dir: &Path, token: &str) {
    eprintln!(
        "SHS test mailbox on http://{addr}/ (messages in {})",
        dir.display()
    );
    eprintln!("  receive service:  http://{addr}/shs/rs");
    eprintln!("  delivery service: http://{addr}/shs/ds/<orgnr>  (Authorization: Bearer {token})");
}
