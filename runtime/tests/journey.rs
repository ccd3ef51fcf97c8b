//! The journey end to end, in process: fill in, check, submit, receipt; and the refusals:
//! others' data, CSRF, bad uploads, markup in answers.

// A test fails loudly where it unwraps; clippy.toml's allow-unwrap-in-tests covers #[test]
// functions, not this crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::StatusCode;
use blankett_runtime::submission::SubmissionStatus;
use support::{app, csrf_of, Client};

const BASE: &str = "/orust/felanmalan";

/// Fills in felanmälan with `beskrivning`, anonymously, up to the check page.
async fn fill_felanmalan(c: &mut Client, beskrivning: &str) {
    let start = c.get(&format!("{BASE}/")).await;
    assert_eq!(start.status, StatusCode::OK);
    let page = c.get(&format!("{BASE}/felet")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let token = csrf_of(&page.body).expect("a CSRF token on the page");
    let r = c
        .post(
            &format!("{BASE}/felet"),
            &[
                ("_csrf", &token),
                ("kategori", "gata"),
                ("beskrivning", beskrivning),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.location.as_deref(), Some("/orust/felanmalan/plats"));
    let r = c
        .post(
            &format!("{BASE}/plats"),
            &[("_csrf", &token), ("platsbeskrivning", "Strandvägen")],
        )
        .await;
    assert_eq!(
        r.location.as_deref(),
        Some("/orust/felanmalan/aterkoppling"),
        "{}",
        r.body
    );
    let r = c
        .post(
            &format!("{BASE}/aterkoppling"),
            &[("_csrf", &token), ("vill_ha_aterkoppling", "false")],
        )
        .await;
    // The contact page is hidden when no feedback is wanted: straight to the check page.
    assert_eq!(
        r.location.as_deref(),
        Some("/orust/felanmalan/kontrollera"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_journey_ends_with_a_receipt_and_submitting_twice_gives_the_same_one() {
    let (router, state) = app().await;
    let mut c = Client::new(router);
    fill_felanmalan(&mut c, "Stort hål i asfalten mitt i cykelbanan.").await;
    let check = c.get(&format!("{BASE}/kontrollera")).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(
        check.body.contains("Stort hål i asfalten"),
        "the check page shows the answers"
    );
    let token = csrf_of(&check.body).unwrap();
    let first = c
        .post(&format!("{BASE}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let receipt_url = first.location.clone().unwrap();
    assert!(receipt_url.starts_with("/orust/felanmalan/kvitto/"));
    let receipt = c.get(&receipt_url).await;
    assert_eq!(receipt.status, StatusCode::OK);
    assert!(
        receipt.body.contains("OFEL-"),
        "the receipt shows the reference number: {}",
        receipt.body
    );
    // Double click, or back and submit again: the same receipt, no second submission.
    let again = c
        .post(&format!("{BASE}/kontrollera"), &[("_csrf", &token)])
        .await;
    assert_eq!(again.location.as_deref(), Some(receipt_url.as_str()));
    let id = receipt_url.rsplit('/').next().unwrap();
    let stored = state.store.submission(id).await.unwrap().unwrap();
    assert!(stored.xml.contains("Stort hål i asfalten"));
    assert_eq!(stored.status, SubmissionStatus::Mottagen);
}

#[tokio::test]
async fn errors_keep_the_values_and_say_what_is_wrong() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let token = c.csrf(&format!("{BASE}/felet")).await;
    let r = c
        .post(
            &format!("{BASE}/felet"),
            &[("_csrf", &token), ("beskrivning", "kort")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "errors re-render the page");
    assert!(
        r.body.contains("<title>Fel: "),
        "the title starts with Fel:"
    );
    assert!(r.body.contains("kort"), "the value typed is kept");
}

#[tokio::test]
async fn a_post_without_a_valid_csrf_token_is_refused() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    c.get(&format!("{BASE}/felet")).await;
    let r = c
        .post(&format!("{BASE}/felet"), &[("kategori", "gata")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = c
        .post(
            &format!("{BASE}/felet"),
            &[("_csrf", "0000"), ("kategori", "gata")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Av säkerhetsskäl"));
}

#[tokio::test]
async fn nobody_sees_another_persons_drafts_or_submissions() {
    let (router, state) = app().await;
    let mut anna = Client::new(router.clone());
    anna.login("198112289874").await;
    fill_felanmalan(&mut anna, "Annas anmälan om ett hål i gatan.").await;
    let token = anna.csrf(&format!("{BASE}/kontrollera")).await;
    let receipt_url = anna
        .post(&format!("{BASE}/kontrollera"), &[("_csrf", &token)])
        .await
        .location
        .unwrap();
    let id = receipt_url.rsplit('/').next().unwrap().to_string();
    let mina = anna.get("/mina-sidor").await;
    assert!(
        mina.body.contains("OFEL-"),
        "Anna sees her submission on Mina sidor"
    );
    assert_eq!(
        anna.get(&format!("/mina-sidor/inlamning/{id}/ansokan.xml"))
            .await
            .status,
        StatusCode::OK
    );

    let mut erik = Client::new(router);
    erik.login("199001012385").await;
    for url in [
        receipt_url.clone(),
        format!("/mina-sidor/inlamning/{id}/ansokan.xml"),
        format!("/mina-sidor/inlamning/{id}/ansokan.json"),
    ] {
        let r = erik.get(&url).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "Erik must not reach {url}");
        assert!(!r.body.contains("Annas anmälan"));
    }
    assert!(!erik.get("/mina-sidor").await.body.contains("OFEL-"));
    // A draft belongs to its owner too: Erik starting the same form gets his own, empty one.
    let anna_drafts = state.store.drafts_of("pnr:198112289874").await.unwrap();
    assert!(anna_drafts.is_empty(), "Anna's draft became her submission");
    let mut anon = Client::new(erik.app.clone());
    assert_eq!(anon.get(&receipt_url).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn markup_in_answers_is_escaped_on_every_page() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    fill_felanmalan(&mut c, evil).await;
    for path in ["felet", "kontrollera"] {
        let page = c.get(&format!("{BASE}/{path}")).await;
        assert!(
            !page.body.contains("<script>alert"),
            "{path} contains raw markup"
        );
        assert!(
            !page.body.contains("<img src=x"),
            "{path} contains raw markup"
        );
    }
    let token = c.csrf(&format!("{BASE}/kontrollera")).await;
    let receipt = c
        .post(&format!("{BASE}/kontrollera"), &[("_csrf", &token)])
        .await
        .location
        .unwrap();
    let page = c.get(&receipt).await;
    assert!(!page.body.contains("<script>alert"));
}

#[tokio::test]
async fn uploads_are_checked_by_content_and_size() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let token = c.csrf(&format!("{BASE}/felet")).await;
    let fields = [
        ("_csrf", token.as_str()),
        ("kategori", "gata"),
        ("beskrivning", "Ett hål i asfalten vid skolan."),
    ];
    // An HTML file renamed to .jpg is not a photo.
    let r = c
        .post_file(
            &format!("{BASE}/felet"),
            &fields,
            "foto",
            "bild.jpg",
            b"<html><script>x</script></html>",
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the page is shown again with the error"
    );
    assert!(
        r.body.contains("inte en av de tillåtna filtyperna"),
        "{}",
        r.body
    );
    // Too large.
    let mut big = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00".to_vec();
    big.resize(10_000_001, 0);
    let r = c
        .post_file(&format!("{BASE}/felet"), &fields, "foto", "stor.jpg", &big)
        .await;
    assert!(r.body.contains("för stor"), "{}", r.status);
    // A real JPEG with a dangerous name is stored under a safe name.
    let jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
    let r = c
        .post_file(
            &format!("{BASE}/felet"),
            &fields,
            "foto",
            "../../etc/<b>hål</b>.jpg",
            jpeg,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

#[tokio::test]
async fn the_dev_provider_exists_only_in_dev_mode_and_pages_carry_security_headers() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let r = c.get(&format!("{BASE}/")).await;
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
    let cookie = c.cookie.clone().unwrap();
    assert!(cookie.starts_with("blankett_session="));

    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/orust");
    let registry = blankett_runtime::registry::Registry::compile(&[root])
        .ok()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("blankett-prod-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = blankett_runtime::config::Config {
        dev: false,
        data: dir.clone(),
        ..Default::default()
    };
    let store = blankett_runtime::store::open(dir.join("p.db").to_str().unwrap())
        .await
        .unwrap();
    let prod = blankett_runtime::app::router(blankett_runtime::app::AppState::new(
        config, store, registry,
    ));
    let mut p = Client::new(prod);
    let res = p.get("/auth/dev").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let set_cookie = res.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(
        set_cookie.contains("Secure")
            && set_cookie.contains("HttpOnly")
            && set_cookie.contains("SameSite")
    );
}

#[tokio::test]
async fn forms_that_require_e_id_send_you_to_log_in() {
    let (router, _) = app().await;
    let mut c = Client::new(router);
    let r = c.get("/orust/bygglov/sokande").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location.unwrap().starts_with("/auth/dev?next="));
}

#[tokio::test]
async fn the_index_lists_the_services_in_their_categories() {
    let mut c = Client::new(app().await.0);
    let index = c.get("/").await;
    assert_eq!(index.status, StatusCode::OK);
    let body = index.body.replace("&#x2f;", "/");
    // The library's order of categories, and within one by title as a Swede sorts.
    let at = |s: &str| {
        body.find(s)
            .unwrap_or_else(|| panic!("{s} not on the index:\n{body}"))
    };
    assert!(at(">Bygga, bo och miljö</h3>") < at(">Förskola och skola</h3>"));
    assert!(at(">Förskola och skola</h3>") < at(">Omsorg och stöd</h3>"));
    let streets = at(">Gator, parker och trafik</h3>");
    let felanmalan = at("href=\"/orust/felanmalan/\"");
    assert!(streets < felanmalan && felanmalan < at(">Förskola och skola</h3>"));
    assert!(at(">Ansökan om hemtjänst<") < at(">Ansökan om trygghetslarm<"));
}
