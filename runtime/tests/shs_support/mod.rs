//! Shared by the SHS tests: a sample label and parts, the reference folder, xmllint.

// Test support fails loudly where it unwraps, which is what a test should do; clippy.toml's
// allow-unwrap-in-tests covers #[test] functions, not helpers like these.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![allow(dead_code)]

use blankett_runtime::shs::label::{Address, Party, Product, ProductId, SequenceType, Status};
use blankett_runtime::shs::{Label, Part};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// A file or folder of `../shared/reference/` beside the repository, or `None` (with a note)
/// where it is absent: these tests belong to the conformance suite.
pub fn reference(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference")
        .join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("note: skipped, {} is absent", p.display());
        None
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

pub fn sample_label() -> Label {
    let mut label = Label::new(
        Uuid::parse_str("6f1c0a52-3b8e-4d5c-9a61-0c2e4f7b9d10").unwrap(),
        Uuid::parse_str("0b9e4d7a-1c3f-4a2b-8e5d-6f7a8b9c0d1e").unwrap(),
        Party::new(
            Address::parse("urn:X-shs:2120001439.etjanst").unwrap(),
            "Orusts kommun e-tjänster",
        ),
        Party::new(
            Address::parse("urn:X-shs:2120001439").unwrap(),
            "Orusts kommun å",
        ),
        Product {
            id: ProductId::Id(Uuid::parse_str("3d9c1b2a-5e6f-4a7b-8c9d-0e1f2a3b4c5d").unwrap()),
            name: Some("felanmalan".into()),
        },
        SequenceType::Request,
    );
    label.status = Status::Test;
    label.datetime = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(7, 5, 0)
        .unwrap();
    label
}

pub fn sample_parts() -> Vec<Part> {
    let mut binary: Vec<u8> = (0..=255u8).collect();
    binary.extend_from_slice(b"\r\n--\r\n\n\r--boundary\r\n");
    vec![
        Part::new(
            "erms",
            "text/xml; charset=UTF-8",
            Some("arende.xml".into()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<erms><title>Trasig gatlykta på Storgatan</title></erms>\n".as_bytes().to_vec(),
        ),
        Part::new(
            "xml",
            "text/xml; charset=UTF-8",
            Some("ansokan.xml".into()),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svar>åäö</svar>".as_bytes().to_vec(),
        ),
        Part::new(
            "txt",
            "text/plain; charset=ISO-8859-1",
            Some("läs mig.txt".into()),
            b"R\xe4tt text i Latin-1\r\n".to_vec(),
        ),
        Part::new("pdf", "application/pdf", Some("ritning.pdf".into()), binary),
    ]
}

/// Runs `xmllint --noout --dtdvalid DTD -` on `xml`; skips with a note when xmllint is absent.
pub fn xmllint_valid(dtd: &Path, xml: &[u8]) {
    use std::io::Write;
    let child = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--dtdvalid")
        .arg(dtd)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("note: skipped the DTD check, xmllint is not installed");
        return;
    };
    child.stdin.take().unwrap().write_all(xml).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "xmllint refused:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(xml)
    );
}
