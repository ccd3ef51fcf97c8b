//! Files as a citizen uploads them, end to end: uploaded through the pages (a file on a page,
//! in a repeat row, in a fragment in a row), shown, listed on check-your-answers and the
//! receipt, and delivered byte for byte in the SHS message to the test mailbox; and the
//! refusals: a posted text is no file, a replaced file is never delivered, uploads are bounded,
//! file names are cleaned and one problem is one error.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_runtime::app::AppState;
use blankett_runtime::outbox::{DeliveryConfig, Target};
use blankett_runtime::shs::Message;
use blankett_runtime::test_mailbox::{self as mailbox, Mailbox};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use support::{csrf_of, Client};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";

/// A PDF whose bytes say which one it is.
fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.7\n% {tag}\n%%EOF\n").into_bytes()
}

/// A JPEG whose bytes say which one it is.
fn jpeg(tag: &str) -> Vec<u8> {
    let mut b = JPEG[..JPEG.len() - 2].to_vec();
    b.extend_from_slice(tag.as_bytes());
    b.extend_from_slice(b"\xFF\xD9");
    b
}

async fn mailbox() -> (String, Arc<Mailbox>) {
    let dir = std::env::temp_dir().join(format!("blankett-mb-{}", uuid::Uuid::new_v4()));
    let mb = Mailbox::open(&dir, Some("brevladans-nyckel".into())).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(mailbox::serve(listener, mb.clone()));
    (url, mb)
}

fn delivery_to(url: &str) -> DeliveryConfig {
    DeliveryConfig {
        backoff_base_ms: 5,
        backoff_cap_ms: 200,
        poll_ms: 10,
        canary_interval_seconds: 0,
        targets: vec![Target::new("diariet", "shs", url, "urn:X-shs:2120001439")],
        ..DeliveryConfig::default()
    }
}

/// `root` served (the file fixture or the example kommun), delivering to a fresh test mailbox.
async fn served(root: PathBuf) -> (Client, AppState, Arc<Mailbox>) {
    let (url, mb) = mailbox().await;
    let dir = std::env::temp_dir().join(format!("blankett-rt-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = blankett_runtime::store::open(dir.join("t.db").to_str().unwrap())
        .await
        .unwrap();
    let (router, state) =
        support::app_serving(root, store, dir, |c| c.delivery = delivery_to(&url)).await;
    state.outbox.clone().expect("an outbox").spawn();
    (Client::new(router), state, mb)
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/filer/kommun")
}

fn orust() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/orust")
}

/// The one message the mailbox got, parsed.
async fn delivered(mb: &Mailbox) -> Message {
    for _ in 0..600 {
        if !mb.received().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received = mb.received();
    assert_eq!(received.len(), 1, "one message delivered");
    Message::parse(&received[0].2).expect("an SHS message")
}

/// The attachments of a message: file name and bytes, sorted by name.
fn attachments(m: &Message) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = m
        .parts
        .iter()
        .filter(|p| p.datapart_type == "bilaga")
        .map(|p| (p.filename.clone().unwrap_or_default(), p.body.clone()))
        .collect();
    out.sort();
    out
}

/// The ids of the files a page keeps for the file input `name`: its hidden inputs.
fn kept(html: &str, name: &str) -> Vec<String> {
    let needle = format!("type=\"hidden\" name=\"{name}\" value=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

const F: &str = "/filkommun/filer";

/// Submits from the check page and returns the receipt's address.
async fn submit(c: &mut Client, base: &str) -> String {
    let check = c.get(&format!("{base}/kontrollera")).await;
    assert_eq!(check.status, StatusCode::OK, "{:?}", check.location);
    let token = csrf_of(&check.body).unwrap();
    let r = c
        .post(&format!("{base}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location.expect("a receipt")
}

#[tokio::test]
async fn a_file_on_a_page_in_a_row_and_in_a_fragment_in_a_row_arrives_byte_for_byte() {
    let (mut c, state, mb) = served(fixture()).await;
    c.get(&format!("{F}/")).await;
    let t = c.csrf(&format!("{F}/sida")).await;
    let foto = jpeg("fotot");
    let r = c
        .post_files(
            &format!("{F}/sida"),
            &[("_csrf", &t), ("namn", "Test Testsson")],
            &[("foto", "foto.jpg", &foto)],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/filkommun/filer/rader"),
        "{}",
        r.body
    );

    // A file in a row, with a text column beside it.
    let plan = pdf("planen");
    let r = c
        .post_files(
            &format!("{F}/rader"),
            &[("_csrf", &t), ("handlingar[0].beskrivning", "Planen")],
            &[("handlingar[0].fil", "plan.pdf", &plan)],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/filkommun/filer/fragment"),
        "{}",
        r.body
    );
    // Shown again on its page, in its row.
    let page = c.get(&format!("{F}/rader")).await;
    assert!(page.body.contains("plan.pdf"), "{}", page.body);
    assert_eq!(kept(&page.body, "handlingar[0].fil").len(), 1);

    // A file in a fragment in a row, the only other column a name.
    let intyg = pdf("intyget");
    let r = c
        .post_files(
            &format!("{F}/fragment"),
            &[
                ("_csrf", &t),
                ("personer[0].namn", "Anna"),
                ("personer[0].intyg.vad", "Kunskapsprovet"),
            ],
            &[("personer[0].intyg.fil", "intyg.pdf", &intyg)],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/filkommun/filer/flera"),
        "{}",
        r.body
    );

    // Several files in one field: two at once, then one more, then the field is full.
    let flera = format!("{F}/flera");
    let (a, b, c3, d) = (pdf("a"), pdf("b"), pdf("c"), pdf("d"));
    let r = c
        .post_files(
            &flera,
            &[("_csrf", &t)],
            &[("ritningar", "a.pdf", &a), ("ritningar", "b.pdf", &b)],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/filkommun/filer/kontrollera"),
        "{}",
        r.body
    );
    let page = c.get(&flera).await;
    let two = kept(&page.body, "ritningar");
    assert_eq!(two.len(), 2, "{}", page.body);
    assert!(page.body.contains("2 av högst 3 filer"), "{}", page.body);
    assert!(
        page.body.contains("type=\"file\" multiple"),
        "room for more"
    );
    let mut pairs = vec![("_csrf", t.as_str())];
    pairs.extend(two.iter().map(|id| ("ritningar", id.as_str())));
    let r = c
        .post_files(&flera, &pairs, &[("ritningar", "c.pdf", &c3)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&flera).await;
    let three = kept(&page.body, "ritningar");
    assert_eq!(three.len(), 3);
    assert!(
        !page.body.contains("name=\"ritningar\" type=\"file\""),
        "full: no more"
    );
    // A fourth is refused, once, and the three stay.
    let mut pairs = vec![("_csrf", t.as_str())];
    pairs.extend(three.iter().map(|id| ("ritningar", id.as_str())));
    let r = c
        .post_files(&flera, &pairs, &[("ritningar", "d.pdf", &d)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    assert_eq!(
        r.body.matches("id=\"ritningar-error\"").count(),
        1,
        "{}",
        r.body
    );
    assert!(r.body.contains("högst 3 filer"), "{}", r.body);
    assert_eq!(kept(&r.body, "ritningar"), three);

    let check = c.get(&format!("{F}/kontrollera")).await;
    assert_eq!(check.status, StatusCode::OK, "{:?}", check.location);
    for name in [
        "foto.jpg",
        "plan.pdf",
        "intyg.pdf",
        "a.pdf",
        "b.pdf",
        "c.pdf",
    ] {
        assert!(check.body.contains(name), "{name} on check-your-answers");
    }
    assert!(!check.body.contains("Inte besvarad"), "{}", check.body);
    let receipt = submit(&mut c, F).await;
    let page = c.get(&receipt).await;
    for name in [
        "foto.jpg",
        "plan.pdf",
        "intyg.pdf",
        "a.pdf",
        "b.pdf",
        "c.pdf",
    ] {
        assert!(page.body.contains(name), "{name} on the receipt");
    }

    let message = delivered(&mb).await;
    assert_eq!(
        attachments(&message),
        vec![
            ("a.pdf".to_string(), a),
            ("b.pdf".to_string(), b),
            ("c.pdf".to_string(), c3),
            ("foto.jpg".to_string(), foto),
            ("intyg.pdf".to_string(), intyg),
            ("plan.pdf".to_string(), plan),
        ]
    );
    // The case names each as a document of its own, with its checksum.
    let case = String::from_utf8(message.parts[0].body.clone()).unwrap();
    assert!(
        case.contains("bilagor/handlingar[0].fil/plan.pdf"),
        "{case}"
    );
    assert!(
        case.contains("bilagor/personer[0].intyg.fil/intyg.pdf"),
        "{case}"
    );
    assert!(case.contains("bilagor/ritningar[2]/c.pdf"), "{case}");
    let xml = String::from_utf8(message.parts[1].body.clone()).unwrap();
    assert!(
        xml.contains("plan.pdf") && xml.contains("intyg.pdf"),
        "{xml}"
    );
    let id = receipt.rsplit('/').next().unwrap();
    assert_eq!(
        state
            .store
            .attachments_of_submission(id)
            .await
            .unwrap()
            .len(),
        6
    );
}

#[tokio::test]
async fn a_row_added_a_file_uploaded_the_row_removed_and_another_added() {
    let (mut c, state, mb) = served(fixture()).await;
    c.get(&format!("{F}/")).await;
    let t = c.csrf(&format!("{F}/sida")).await;
    let r = c
        .post_files(
            &format!("{F}/sida"),
            &[("_csrf", &t), ("namn", "Test")],
            &[("foto", "foto.jpg", JPEG)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let rader = format!("{F}/rader");
    let (ett, tva, tre) = (pdf("ett"), pdf("två"), pdf("tre"));

    // Upload into row 0 and add a row (no JavaScript: the page comes back with two rows).
    let r = c
        .post_files(
            &rader,
            &[("_csrf", &t), ("_action", "add:handlingar")],
            &[("handlingar[0].fil", "ett.pdf", &ett)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    let first = kept(&r.body, "handlingar[0].fil");
    assert_eq!(first.len(), 1, "{}", r.body);

    // Upload into row 1, and remove row 0 in the same post.
    let r = c
        .post_files(
            &rader,
            &[
                ("_csrf", &t),
                ("handlingar[0].fil", &first[0]),
                ("_action", "remove:handlingar:0"),
            ],
            &[("handlingar[1].fil", "två.pdf", &tva)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    assert!(
        !r.body.contains("ett.pdf"),
        "the removed row's file is gone"
    );
    let second = kept(&r.body, "handlingar[0].fil");
    assert_eq!(second.len(), 1, "{}", r.body);
    assert_ne!(second, first);
    // The removed row's upload is deleted, not kept aside.
    assert!(state.store.attachment(&first[0]).await.unwrap().is_none());

    // Add another row and upload into it.
    let r = c
        .post(
            &rader,
            &[
                ("_csrf", &t),
                ("handlingar[0].fil", &second[0]),
                ("_action", "add:handlingar"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = c
        .post_files(
            &rader,
            &[("_csrf", &t), ("handlingar[0].fil", &second[0])],
            &[("handlingar[1].fil", "tre.pdf", &tre)],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/filkommun/filer/fragment"),
        "{}",
        r.body
    );
    let r = c
        .post_files(
            &format!("{F}/fragment"),
            &[("_csrf", &t), ("personer[0].namn", "Anna")],
            &[("personer[0].intyg.fil", "intyg.pdf", &pdf("intyg"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = c
        .post_files(
            &format!("{F}/flera"),
            &[("_csrf", &t)],
            &[
                ("ritningar", "r1.pdf", &pdf("r1")),
                ("ritningar", "r2.pdf", &pdf("r2")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    submit(&mut c, F).await;
    let names: Vec<String> = attachments(&delivered(&mb).await)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "foto.jpg",
            "intyg.pdf",
            "r1.pdf",
            "r2.pdf",
            "tre.pdf",
            "två.pdf"
        ]
    );
}

#[tokio::test]
async fn a_file_is_removed_and_replaced_without_javascript() {
    let (mut c, state, _) = served(fixture()).await;
    c.get(&format!("{F}/")).await;
    let t = c.csrf(&format!("{F}/sida")).await;
    let sida = format!("{F}/sida");
    c.post_files(
        &sida,
        &[("_csrf", &t), ("namn", "X")],
        &[("foto", "a.jpg", &jpeg("a"))],
    )
    .await;
    let page = c.get(&sida).await;
    let a = kept(&page.body, "foto");
    assert_eq!(a.len(), 1);
    // Its remove button.
    assert!(
        page.body
            .contains(&format!("value=\"remove-file:{}\"", a[0])),
        "{}",
        page.body
    );
    // Replaced: the new one is kept, the old one deleted.
    let r = c
        .post_files(
            &sida,
            &[("_csrf", &t), ("namn", "X"), ("foto", &a[0])],
            &[("foto", "b.jpg", &jpeg("b"))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&sida).await;
    let b = kept(&page.body, "foto");
    assert_eq!(b.len(), 1);
    assert_ne!(a, b);
    assert!(page.body.contains("b.jpg") && !page.body.contains("a.jpg"));
    assert!(state.store.attachment(&a[0]).await.unwrap().is_none());
    // Removed: the page comes back without it, and it is gone.
    let r = c
        .post(
            &sida,
            &[
                ("_csrf", &t),
                ("namn", "X"),
                ("foto", &b[0]),
                ("_action", &format!("remove-file:{}", b[0])),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("b.jpg"), "{}", r.body);
    assert!(state.store.attachment(&b[0]).await.unwrap().is_none());
}

/// The attack: a file field given as text, with no upload.
#[tokio::test]
async fn a_posted_text_is_no_file() {
    let (mut c, state, _) = served(orust()).await;
    c.login("198112289874").await;
    support::draft(
        &state,
        "koldmedium",
        0,
        "198112289874",
        &[("kontrollrapporter", "")],
    )
    .await;
    let base = "/orust/koldmedium";
    let t = c.csrf(&format!("{base}/kylforetaget")).await;
    let evil = "../../etc/<b>passwd</b>\u{202e}fdp.exe.pdf";
    let r = c
        .post(
            &format!("{base}/kylforetaget"),
            &[
                ("_csrf", &t),
                ("kylforetag_namn", "Västkustens Kyl AB"),
                ("kylforetag_certifikat", "F-gas 12345"),
                ("kontrollrapporter", evil),
            ],
        )
        .await;
    // Not passed: the required attachment is still missing.
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    assert!(
        r.body.contains("Välj en fil för ”Kontrollrapporter”"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("passwd"));
    let draft = state.store.drafts_of("pnr:198112289874").await.unwrap();
    assert!(!draft[0].answers.contains("passwd"), "{}", draft[0].answers);
    // The check page sends the person back to upload it; nothing can be submitted.
    let check = c.get(&format!("{base}/kontrollera")).await;
    assert_eq!(
        check.location.as_deref(),
        Some("/orust/koldmedium/kylforetaget?tillbaka=kontrollera")
    );
    // In a multipart post too, a text part under the file's name is no file.
    let r = c
        .post_files(
            &format!("{base}/kylforetaget"),
            &[
                ("_csrf", &t),
                ("kylforetag_namn", "Västkustens Kyl AB"),
                ("kylforetag_certifikat", "F-gas 12345"),
                ("kontrollrapporter", evil),
            ],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    assert!(!r.body.contains("passwd"));
}

/// The other attack: 100 photos, one replacement, submit.
#[tokio::test]
async fn only_the_files_the_answers_name_are_delivered_and_uploads_are_bounded() {
    let (mut c, state, mb) = served(orust()).await;
    let base = "/orust/felanmalan";
    c.get(&format!("{base}/")).await;
    let t = c.csrf(&format!("{base}/felet")).await;
    let fields = [
        ("_csrf", t.as_str()),
        ("kategori", "gata"),
        ("beskrivning", "Stort hål i asfalten mitt i cykelbanan."),
    ];
    let photos: Vec<Vec<u8>> = (0..100).map(|i| jpeg(&format!("foto {i}"))).collect();
    // A hundred in one post: one field takes one file.
    let files: Vec<(&str, &str, &[u8])> = photos
        .iter()
        .map(|p| ("foto", "foto.jpg", p.as_slice()))
        .collect();
    let r = c
        .post_files(&format!("{base}/felet"), &fields, &files)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    assert!(r.body.contains("högst 1 fil"), "{}", r.body);
    // And a hundred, one post each.
    for p in &photos {
        c.post_files(
            &format!("{base}/felet"),
            &fields,
            &[("foto", "foto.jpg", p)],
        )
        .await;
    }
    let replacement = jpeg("den riktiga");
    let r = c
        .post_files(
            &format!("{base}/felet"),
            &fields,
            &[("foto", "ersatt.jpg", &replacement)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.post(
        &format!("{base}/plats"),
        &[("_csrf", &t), ("platsbeskrivning", "Skolvägen")],
    )
    .await;
    c.post(
        &format!("{base}/aterkoppling"),
        &[("_csrf", &t), ("vill_ha_aterkoppling", "false")],
    )
    .await;
    let receipt = submit(&mut c, base).await;
    let id = receipt.rsplit('/').next().unwrap();
    let message = delivered(&mb).await;
    assert_eq!(
        attachments(&message),
        vec![("ersatt.jpg".to_string(), replacement)]
    );
    assert_eq!(
        state
            .store
            .attachments_of_submission(id)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn one_problem_is_one_error_and_file_names_are_cleaned_or_refused() {
    let (mut c, _, _) = served(orust()).await;
    let base = "/orust/felanmalan";
    c.get(&format!("{base}/")).await;
    let t = c.csrf(&format!("{base}/felet")).await;
    let fields = [
        ("_csrf", t.as_str()),
        ("kategori", "gata"),
        ("beskrivning", "Stort hål i asfalten mitt i cykelbanan."),
    ];
    // A wrong type: one error on the field, one line in the summary.
    let r = c
        .post_files(
            &format!("{base}/felet"),
            &fields,
            &[("foto", "bild.jpg", b"<html><script>x</script></html>")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body.matches("id=\"foto-error\"").count(), 1, "{}", r.body);
    assert_eq!(r.body.matches("href=\"#foto\"").count(), 1, "{}", r.body);

    // A name longer than the case system takes is refused, and says why.
    let long = format!("{}.jpg", "å".repeat(130));
    let r = c
        .post_files(&format!("{base}/felet"), &fields, &[("foto", &long, JPEG)])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.location);
    assert!(r.body.contains("Filnamnet är för långt"), "{}", r.body);

    // Right-to-left overrides and folders are taken out of a name.
    let r = c
        .post_files(
            &format!("{base}/felet"),
            &fields,
            &[("foto", "../../etc/<b>bild</b>\u{202e}gpj.exe.jpg", JPEG)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = c.get(&format!("{base}/felet")).await;
    assert!(page.body.contains("bgpj.exe.jpg"), "{}", page.body);
    assert!(!page.body.contains('\u{202e}'));
}
