//! SHS on the wire: labels checked by xmllint against the real DTD, the recorded samples
//! of Inera Axel parsed, and write → parse round trips.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod shs_support;

use blankett_runtime::shs::label::{Address, Party, Product, ProductId, SequenceType, Status};
use blankett_runtime::shs::{Label, Message, Part};
use shs_support::*;

#[test]
fn every_written_label_is_valid_against_the_shs_label_dtd() {
    let Some(dtd) = reference("shs/shs-label-1.2.dtd") else {
        return;
    };
    let mut label = sample_label();
    label.subject = Some("Felanmälan <gatubelysning> & \"annat\"".into());
    label
        .meta
        .push(("referens".into(), "OFEL-2026-0001".into()));
    label.to.as_mut().unwrap().name = Some("Orusts kommun – diariet €".into());
    let message = Message::new(label, sample_parts());
    let minimal = Message::new(
        Label {
            to: None,
            ..sample_label()
        },
        vec![Part::new("xml", "text/xml", None, b"<a/>".to_vec())],
    );
    for m in [message, minimal] {
        xmllint_valid(&dtd, &m.label.to_xml());
    }
}

#[test]
fn round_trip_keeps_label_parts_latin1_and_binary_bytes() {
    let message = Message::new(sample_label(), sample_parts());
    let bytes = message.to_mime();
    let back = Message::parse(&bytes).unwrap();
    assert_eq!(back.label, message.label);
    assert_eq!(back.parts.len(), message.parts.len());
    for (a, b) in back.parts.iter().zip(&message.parts) {
        assert_eq!(a.body, b.body, "{}", b.datapart_type);
        assert_eq!(a.filename, b.filename);
        assert_eq!(a.datapart_type, b.datapart_type);
    }
    // The label is ISO-8859-1 on the wire: "å" is one byte 0xE5.
    let label_at = find(&bytes, b"<shs.label").unwrap();
    assert!(bytes[label_at..].starts_with(b"<shs.label"));
    assert!(find(&bytes, b"Orusts kommun \xe5").is_some());
    // Binary parts travel as base64, XML parts as they are.
    assert!(find(&bytes, b"Content-Transfer-Encoding: base64").is_some());
}

#[test]
fn lf_line_ends_are_read_like_crlf() {
    let message = Message::new(sample_label(), sample_parts());
    let crlf = message.to_mime();
    // Only the MIME structure's line ends change; the binary part is base64 and unaffected.
    let mut lf = Vec::new();
    for (i, &b) in crlf.iter().enumerate() {
        if !(b == b'\r' && crlf.get(i + 1) == Some(&b'\n')) {
            lf.push(b);
        }
    }
    let text_parts =
        |m: &Message| -> Vec<Vec<u8>> { m.parts.iter().map(|p| p.body.clone()).collect() };
    let a = Message::parse(&crlf).unwrap();
    let b = Message::parse(&lf).unwrap();
    assert_eq!(a.label, b.label);
    assert_eq!(text_parts(&a)[3], text_parts(&b)[3], "the binary part");
}

#[test]
fn every_recorded_sample_parses() {
    let Some(dir) = reference("shs/samples") else {
        return;
    };
    let mut seen = Vec::new();
    for name in [
        "shsTextMessage.mime",
        "shsTextMessageNoFileName.mime",
        "shsErrorMessage.mime",
    ] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let m = Message::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        seen.push(format!(
            "{name}: tx.id {} corr.id {} {} from {} to {} product {}; parts: {}",
            m.label.tx_id,
            m.label.corr_id,
            m.label.sequence_type.as_str(),
            m.label.sender().unwrap().address,
            m.label.to.as_ref().unwrap().address,
            m.label.product.id,
            m.parts
                .iter()
                .map(|p| format!(
                    "{} {} {:?} {} bytes",
                    p.datapart_type,
                    p.mime_type(),
                    p.filename,
                    p.body.len()
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    insta::assert_snapshot!(seen.join("\n"));
}

#[test]
fn the_totally_broken_sample_is_refused_with_a_clear_error() {
    let Some(dir) = reference("shs/samples") else {
        return;
    };
    let bytes = std::fs::read(dir.join("shsTextMessageTotallyBroken.mime")).unwrap();
    let err = Message::parse(&bytes).unwrap_err();
    insta::assert_snapshot!(err.to_string());
}

#[test]
fn structural_errors_are_named() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("not multipart", b"Content-Type: text/plain\r\n\r\nhej".to_vec()),
        ("no boundary", b"Content-Type: multipart/mixed\r\n\r\nhej".to_vec()),
        (
            "one part",
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--b--\r\n".to_vec(),
        ),
        (
            "label not xml",
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhej\r\n--b\r\n\r\nx\r\n--b--\r\n".to_vec(),
        ),
        (
            "not a label",
            b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/xml\r\n\r\n<a/>\r\n--b\r\n\r\nx\r\n--b--\r\n".to_vec(),
        ),
        (
            "bad base64",
            {
                let mut m = Message::new(sample_label(), sample_parts()).to_mime();
                let at = find(&m, b"Content-Transfer-Encoding: base64\r\n").unwrap();
                let body = find(&m[at..], b"\r\n\r\n").unwrap() + at + 4;
                m[body] = b'*';
                m
            },
        ),
    ];
    let out: Vec<String> = cases
        .iter()
        .map(|(what, bytes)| format!("{what}: {}", Message::parse(bytes).unwrap_err()))
        .collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn a_utf8_label_and_parts_without_file_names_are_read() {
    let labelled = Message::new(sample_label(), sample_parts()).label;
    let label = String::from_utf8(
        labelled
            .to_xml()
            .iter()
            .map(|&b| b as char)
            .collect::<String>()
            .into_bytes(),
    )
    .unwrap()
    .replace("ISO-8859-1", "UTF-8");
    let mime = format!(
        "MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary=\"xyz\"\n\npreamble\n--xyz\nContent-Type: text/xml; charset=UTF-8\n\n{label}\n--xyz\nContent-Type: text/plain\n\nrad 1\nrad 2\n--xyz--\n"
    );
    let m = Message::parse(mime.as_bytes()).unwrap();
    assert_eq!(m.label.to.unwrap().name.as_deref(), Some("Orusts kommun å"));
    assert_eq!(m.parts[0].body, b"rad 1\nrad 2");
    assert_eq!(
        m.parts[0].filename.as_deref(),
        Some("arende.xml"),
        "from the label"
    );
}

#[test]
fn a_body_without_mime_headers_is_read_from_its_first_boundary() {
    let full = Message::new(sample_label(), sample_parts()).to_mime();
    let body_at = find(&full, b"\r\n\r\n").unwrap() + 4;
    let m = Message::parse(&full[body_at..]).unwrap();
    assert_eq!(m.parts.len(), 4);
    assert_eq!(m.parts[3].body, sample_parts()[3].body);
}

#[test]
fn addresses_and_products_are_read_leniently_and_written_canonically() {
    assert_eq!(
        Address::parse("URN:X-SHS:212000-1439").unwrap().to_string(),
        "urn:X-shs:2120001439"
    );
    assert_eq!(
        Address::parse("5565317129").unwrap().to_string(),
        "urn:X-shs:5565317129"
    );
    assert_eq!(
        Address::parse("urn:X-shs:0000000000.junit")
            .unwrap()
            .sub
            .as_deref(),
        Some("junit")
    );
    assert!(Address::parse("urn:X-shs:kommunen").is_err());
    assert_eq!(
        ProductId::parse("urn:x-shs:confirm").unwrap(),
        ProductId::Confirm
    );
    assert!(ProductId::parse("urn:X-shs:nonsense").is_err());
    let _ = (
        Party::new(Address::parse("1").unwrap(), "x"),
        Product {
            id: ProductId::Error,
            name: None,
        },
        SequenceType::Adm,
        Status::Test,
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
    #[test]
    fn no_input_makes_the_parser_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
        let _ = Message::parse(&bytes);
    }

    #[test]
    fn cut_or_damaged_messages_never_panic(cut in 0usize..3000, flip in 0usize..3000, byte in proptest::prelude::any::<u8>()) {
        let mut m = Message::new(sample_label(), sample_parts()).to_mime();
        if flip < m.len() { m[flip] = byte; }
        m.truncate(cut.min(m.len()));
        let _ = Message::parse(&m);
    }
}

#[test]
fn a_submission_message_is_addressed_from_its_envelope() {
    use blankett_runtime::compiler::ir::Kommun;
    use blankett_runtime::shs::outgoing::{self, Envelope};
    let kommun = Kommun {
        id: "orust".into(),
        name: "Orusts kommun".into(),
        orgnr: "212000-1439".into(),
        dir: "examples/orust".into(),
        logo: None,
        primary_color: "#005a8c".into(),
        primary_text_color: "#ffffff".into(),
        contact: Default::default(),
        shs_address: Some("urn:X-shs:2120001439".into()),
        shs_to: None,
        shs_url: None,
        forms: vec![],
        shs_products: vec![(
            "felanmalan".into(),
            "3d9c1b2a-5e6f-4a7b-8c9d-0e1f2a3b4c5d".into(),
        )],
    };
    let (tx, corr) = (
        uuid::Uuid::new_v4().to_string(),
        uuid::Uuid::new_v4().to_string(),
    );
    let envelope = Envelope {
        from: kommun.shs_address.as_deref().unwrap(),
        from_name: &kommun.name,
        to: "urn:X-shs:2120001439.diarium",
        product: outgoing::product_of(&kommun, "felanmalan").unwrap(),
        form: "felanmalan",
        reference: "OFEL-2026-0001",
        tx_id: &tx,
        corr_id: &corr,
        status: Status::Production,
        datetime: sample_label().datetime,
    };
    let mut parts = vec![outgoing::submission_xml_part("OFEL-2026-0001", "<svar/>")];
    parts.extend(sample_parts());
    let m = outgoing::submission_message(&envelope, parts).unwrap();
    assert_eq!(m.label.tx_id.to_string(), tx);
    assert_eq!(
        m.label.to.as_ref().unwrap().address.to_string(),
        "urn:X-shs:2120001439.diarium"
    );
    assert_eq!(
        m.label.meta,
        vec![("referens".to_string(), "OFEL-2026-0001".to_string())]
    );
    assert_eq!(
        m.label.content.data[0].filename.as_deref(),
        Some("OFEL-2026-0001.xml")
    );
    if let Some(dtd) = reference("shs/shs-label-1.2.dtd") {
        xmllint_valid(&dtd, &m.label.to_xml());
    }
    assert_eq!(Message::parse(&m.to_mime()).unwrap().label, m.label);
    // Every attempt sends the same bytes.
    let again = outgoing::submission_message(&envelope, m.parts.clone()).unwrap();
    assert_eq!(again.to_mime(), m.to_mime());
    assert!(outgoing::product_of(&kommun, "bygglov")
        .unwrap_err()
        .contains("has no `shs_product`"));
    let bad = Envelope {
        tx_id: "job-1",
        ..envelope
    };
    assert!(outgoing::submission_message(&bad, vec![])
        .unwrap_err()
        .contains("tx.id `job-1` is not a UUID"));
}
