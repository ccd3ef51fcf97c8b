//! Snapshots of rendered pages of the library's forms (the form and the view, then the HTML),
//! and what a POST of a page means.

use super::*;
use crate::eval::evaluate;
use crate::eval::testing::default_today;
use crate::source::RealFs;
use serde_json::json;
use std::path::PathBuf;
use std::sync::OnceLock;

fn forms() -> &'static [Form] {
    static FORMS: OnceLock<Vec<Form>> = OnceLock::new();
    FORMS.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../forms");
        let c = crate::compile(&RealFs, &[dir]);
        assert!(!c.has_errors(), "the library does not compile");
        c.forms
    })
}

pub(crate) fn form(id: &str) -> &'static Form {
    forms()
        .iter()
        .find(|f| f.id == id)
        .expect("form in the library")
}

fn orust() -> Branding {
    Branding {
        kommun_id: "orust".into(),
        name: "Orust kommun".into(),
        logo: Some("logo.svg".into()),
        primary_color: "#005a8c".into(),
        primary_text_color: "#ffffff".into(),
        contact_email: Some("kommun@orust.se".into()),
        contact_phone: Some("0304-33 40 00".into()),
        contact_web: Some("https://www.orust.se".into()),
    }
}

/// Renders as the runtime would, at `/orust/<form>`, on the preview's fixed day.
fn page(form: &Form, lang: &str, user: Option<&str>, view: &View) -> String {
    let branding = orust();
    let base = format!("/orust/{}", form.id);
    let ctx = Ctx {
        form,
        branding: &branding,
        lang,
        base: &base,
        assets: "/assets",
        csrf: Some("token123"),
        user,
    };
    render_with(&ctx, view, &Links::Server, default_today())
}

fn snap(name: &str, what: &str, html: &str) {
    insta::assert_snapshot!(name, format!("{what}\n────────\n{html}"));
}

fn answers(v: serde_json::Value) -> Answers {
    serde_json::from_value(v).unwrap()
}

fn question(form: &Form, page_id: &str, a: &Answers, lang: &str) -> (usize, Vec<FieldError>) {
    let p = form.page(page_id).unwrap();
    let errors = evaluate(form, a, default_today())
        .errors
        .into_iter()
        .filter(|e| form.fields[e.field].page == p)
        .collect();
    let _ = lang;
    (p, errors)
}

#[test]
fn start_page() {
    let f = form("felanmalan");
    snap(
        "felanmalan_start",
        "forms/felanmalan, Start, sv",
        &page(f, "sv", None, &View::Start),
    );
}

#[test]
fn question_page_in_its_error_state_with_revealed_questions() {
    let f = form("felanmalan");
    let a = answers(json!({"kategori": "annat", "beskrivning": "Hål"}));
    let (p, errors) = question(f, "felet", &a, "sv");
    let html = page(
        f,
        "sv",
        None,
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &errors,
        },
    );
    snap("felanmalan_felet_fel", "forms/felanmalan, Question felet, answers {kategori: annat, beskrivning: Hål}, their errors", &html);
}

#[test]
fn single_question_page_has_the_legend_as_heading() {
    let f = form("felanmalan");
    let a = Answers::new();
    let (p, _) = question(f, "aterkoppling", &a, "sv");
    let html = page(
        f,
        "sv",
        None,
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &[],
        },
    );
    assert!(html.contains("<h1 class=\"bk-fieldset__heading\">Vill du få återkoppling"));
    snap(
        "felanmalan_aterkoppling",
        "forms/felanmalan, Question aterkoppling, no answers",
        &html,
    );
}

#[test]
fn position_page_keeps_what_was_typed() {
    let f = form("felanmalan");
    let a = answers(json!({"kategori": "gata", "position": {"lat": "58,1", "lon": "elva"}}));
    let (p, errors) = question(f, "plats", &a, "sv");
    let html = page(
        f,
        "sv",
        None,
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &errors,
        },
    );
    snap(
        "felanmalan_plats_fel",
        "forms/felanmalan, Question plats, position typed as {lat: 58,1, lon: elva}",
        &html,
    );
}

#[test]
fn english_page_for_a_logged_in_person() {
    let f = form("felanmalan");
    let a = answers(json!({"vill_ha_aterkoppling": true, "kontakt.epost": "anna@"}));
    let (p, errors) = question(f, "kontaktuppgifter", &a, "en");
    let html = page(
        f,
        "en",
        Some("Anna Lindqvist"),
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &errors,
        },
    );
    snap(
        "felanmalan_kontaktuppgifter_en",
        "forms/felanmalan, Question kontaktuppgifter, en, user Anna Lindqvist, e-mail `anna@`",
        &html,
    );
}

#[test]
fn repeat_rows_with_remove_and_add_buttons() {
    let f = form("barnomsorg");
    let a = answers(json!({"omsorgstider": [
        {"dag": "mandag", "lamning": "07:30", "hamtning": "16:15", "timmar": "8,75"},
        {"dag": "tisdag", "lamning": "7.30", "hamtning": "", "timmar": ""}
    ]}));
    let (p, errors) = question(f, "tider", &a, "sv");
    let html = page(
        f,
        "sv",
        None,
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &errors,
        },
    );
    snap(
        "barnomsorg_tider_fel",
        "forms/barnomsorg, Question tider, two rows, the second incomplete",
        &html,
    );
}

#[test]
fn date_page_keeps_a_partial_date() {
    let f = form("barnomsorg");
    let a = answers(
        json!({"omsorgsform": "forskola", "startdatum": {"day": "31", "month": "2", "year": "2027"}}),
    );
    let (p, errors) = question(f, "placering", &a, "sv");
    let html = page(
        f,
        "sv",
        None,
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &errors,
        },
    );
    snap(
        "barnomsorg_placering_fel",
        "forms/barnomsorg, Question placering, omsorgsform forskola, startdatum 31/2/2027",
        &html,
    );
}

#[test]
fn checkboxes_and_a_computed_value_not_shown() {
    let f = form("bygglov");
    let a = answers(json!({"atgard": ["nybyggnad", "rivning"]}));
    let (p, _) = question(f, "arendet", &a, "sv");
    let html = page(
        f,
        "sv",
        None,
        &View::Question {
            outcome: None,
            page: p,
            answers: &a,
            errors: &[],
        },
    );
    // `kraver_kontrollansvarig` has `show: false`: computed, but not drawn.
    assert!(!html.contains("kraver_kontrollansvarig"), "{html}");
    snap(
        "bygglov_arendet",
        "forms/bygglov, Question arendet, atgard [nybyggnad, rivning]",
        &html,
    );
}

#[test]
fn check_and_receipt_pages() {
    let f = form("bygglov");
    let a = crate::backend::example::answers(f);
    let outcome = evaluate(f, &a, default_today());
    let html = page(
        f,
        "sv",
        Some("Erik Johansson"),
        &View::Check {
            answers: &a,
            outcome: &outcome,
        },
    );
    snap(
        "bygglov_kontrollera",
        "forms/bygglov, Check, the first test's answers",
        &html,
    );
    let html = page(
        f,
        "sv",
        None,
        &View::Receipt {
            reference: "BLOV-2026-000123",
            submitted_at: "2026-06-15T14:05:00+02:00",
            outcome: &outcome,
        },
    );
    snap(
        "bygglov_kvitto",
        "forms/bygglov, Receipt BLOV-2026-000123",
        &html,
    );
}

#[test]
fn accessibility_statement() {
    let f = form("barnomsorg");
    snap(
        "barnomsorg_tillganglighet",
        "forms/barnomsorg, Accessibility, sv",
        &page(f, "sv", None, &View::Accessibility),
    );
}

#[test]
fn every_preview_page_renders_and_error_pages_say_so() {
    for f in forms() {
        let files = preview(f, &Branding::neutral());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for must in [
            "index.html",
            "kontrollera.html",
            "kvitto.html",
            "en/index.html",
            "theme.css",
        ] {
            assert!(names.contains(&must), "{}: no {must}", f.id);
        }
        for p in &f.pages {
            assert!(
                names.contains(&format!("{}.html", p.id).as_str()),
                "{}: {}",
                f.id,
                p.id
            );
        }
        for (name, html) in &files {
            if !name.ends_with(".html") {
                continue;
            }
            let title = html.split("<title>").nth(1).unwrap_or("");
            let error_page = html.contains("class=\"bk-error-summary\"");
            assert_eq!(
                title.starts_with("Fel: ") || title.starts_with("Error: "),
                error_page,
                "{}/{name}",
                f.id
            );
            if name.ends_with("-fel.html") {
                assert!(error_page, "{}/{name} shows no errors", f.id);
            }
            assert!(!html.contains(" style="), "{}/{name}: inline style", f.id);
            assert!(!html.contains("<script>"), "{}/{name}: inline script", f.id);
        }
    }
}

#[test]
fn values_read_as_people_write_them() {
    use crate::expr::Value;
    let f = form("felanmalan");
    let kategori = f.field("kategori").unwrap();
    assert_eq!(
        display_value(f, kategori, &Value::Text("belysning".into()), "sv"),
        "Gatubelysning"
    );
    assert_eq!(
        display_value(f, kategori, &Value::Text("belysning".into()), "en"),
        "Street lighting"
    );
    let svar = f.field("vill_ha_aterkoppling").unwrap();
    assert_eq!(display_value(f, svar, &Value::Bool(true), "sv"), "Ja");
    let foto = f.field("foto").unwrap();
    let file = Value::File {
        name: "IMG_2041.HEIC".into(),
        size: 3_400_000,
        mime: "image/heic".into(),
    };
    assert_eq!(
        display_value(f, foto, &file, "sv"),
        "IMG_2041.HEIC (3,4 MB)"
    );
    let b = form("barnomsorg");
    let start = b.field("startdatum").unwrap();
    let d = Value::Date(chrono::NaiveDate::from_ymd_opt(2026, 3, 27).unwrap());
    assert_eq!(display_value(b, start, &d, "sv"), "27 mars 2026");
    let inkomst = b.field("hushallets_inkomst").unwrap();
    assert_eq!(
        display_value(b, inkomst, &Value::Number(42500.0), "sv"),
        "42\u{a0}500 kr"
    );
}

#[test]
fn autocomplete_tokens_only_where_a_purpose_exists() {
    let f = form("bygglov");
    let ac = |p: &str| attrs::autocomplete(f, f.field(p).unwrap());
    assert_eq!(
        ac("sokande.fornamn").as_deref(),
        Some("section-sokande given-name")
    );
    assert_eq!(ac("sokande.personnummer"), None);
    assert_eq!(
        ac("adress.postnummer").as_deref(),
        Some("section-adress postal-code")
    );
    assert_eq!(
        ac("adress.postort").as_deref(),
        Some("section-adress address-level2")
    );
    assert_eq!(
        ac("kontakt.epost").as_deref(),
        Some("section-kontakt email")
    );
    assert_eq!(
        ac("kontakt.telefon").as_deref(),
        Some("section-kontakt tel")
    );
    assert_eq!(ac("beskrivning"), None);
}
