//! The FGS Ärendehantering 1.x document (`Leveransobjekt`, namespace
//! `http://xml.ra.se/e-arkiv/FGS-ERMS`): one `ArkivobjektArende` with the application as its
//! `ArkivobjektHandling`, the submission XML and each attached file as `Bilaga`.
//! Element order follows the 1.x schema as digested in `protocols.md` §2.1.

use super::doc::{Doc, FileProp, Node, Param, V};
use super::Parts;

pub(crate) const NAMESPACE: &str = "http://xml.ra.se/e-arkiv/FGS-ERMS";

fn el(name: &'static str, children: Vec<Node>) -> Node {
    Node::El(name, Vec::new(), children)
}

fn lit(s: &str) -> V {
    V::Lit(s.to_string())
}

fn text(name: &'static str, v: V) -> Node {
    el(name, vec![Node::Text(v)])
}

fn opt(name: &'static str, v: Option<&V>) -> Node {
    match v {
        Some(v) => Node::When(vec![v.clone()], vec![text(name, v.clone())]),
        None => Node::When(Vec::new(), Vec::new()),
    }
}

pub(crate) fn document(p: &Parts) -> Doc {
    let reference = V::Param(Param::Reference);
    // FGS 1.x times have no offset (`EgetTidDatum`): the local time of the submission.
    let submitted = V::Param(Param::SubmittedLocal);
    let mut case = vec![text("ArkivobjektID", reference.clone())];
    if let Some(t) = &p.casetype {
        case.push(text("ArendeTyp", lit(t)));
    }
    if let Some(c) = &p.classification {
        case.push(text("Klass", lit(c)));
    }
    if p.has_motpart {
        case.push(motpart(p));
    }
    case.push(text("Inkommen", submitted.clone()));
    case.push(text("StatusArande", lit("Öppet")));
    case.push(text("Arendemening", p.title.clone()));
    let mut own = vec![text("EgnaElementBeskrivning", lit(&p.form_label))];
    for (name, value, tests) in &p.extras {
        let e = Node::El(
            "EgetElement",
            vec![("Namn", lit(name)), ("DataTyp", lit("string"))],
            vec![text("Varde", value.clone())],
        );
        own.push(if tests.is_empty() {
            e
        } else {
            Node::When(tests.clone(), vec![e])
        });
    }
    case.push(el("EgnaElement", own));
    case.push(el("ArkivobjektListaHandlingar", vec![handling(p)]));
    let root = el(
        "Leveransobjekt",
        vec![el(
            "ArkivobjektListaArenden",
            vec![Node::El(
                "ArkivobjektArende",
                vec![("Systemidentifierare", reference)],
                case,
            )],
        )],
    );
    Doc {
        root,
        slots: p.slots.clone(),
        describe: p.describe.clone(),
        namespace: NAMESPACE,
        schema_location: Some("http://xml.ra.se/e-arkiv/FGS-ERMS/arendehantering.xsd"),
    }
}

fn motpart(p: &Parts) -> Node {
    let m = |k: &str| p.motpart.get(k);
    let id = Node::Choose(
        ["personnummer", "orgnummer"]
            .iter()
            .filter_map(|k| {
                // Without hyphen, with the century: `198503159819`, `2120001439`.
                m(k).map(|v| {
                    (
                        vec![v.clone()],
                        vec![text("IDnummer", V::Digits(Box::new(v.clone())))],
                    )
                })
            })
            .collect(),
        Vec::new(),
    );
    el(
        "Motpart",
        vec![
            text("Namn", m("namn").cloned().unwrap_or(V::Lit(String::new()))),
            opt("Postadress", m("adress")),
            opt("Postnummer", m("postnummer")),
            opt("Postort", m("postort")),
            id,
            opt("Telefon", m("telefon")),
            opt("EPost", m("epost")),
        ],
    )
}

fn handling(p: &Parts) -> Node {
    let id = V::Concat(vec![V::Param(Param::Reference), lit("-1")]);
    let name = V::Param(Param::PersonName);
    let pnr = V::Param(Param::PersonId);
    let sha = V::File(FileProp::Sha256);
    el(
        "ArkivobjektHandling",
        vec![
            text("ArkivobjektID", id),
            text("Handlingstyp", lit("Ansökan")),
            Node::When(
                vec![name.clone(), pnr.clone()],
                vec![el(
                    "Avsandare",
                    vec![
                        text("Namn", name),
                        Node::When(
                            vec![pnr.clone()],
                            vec![text("IDnummer", V::Digits(Box::new(pnr.clone())))],
                        ),
                    ],
                )],
            ),
            text("Inkommen", V::Param(Param::SubmittedLocal)),
            text("Lopnummer", lit("1")),
            text("Rubrik", lit(&p.application_title)),
            text("StatusHandling", lit("Inkommen")),
            Node::El(
                "Bilaga",
                vec![
                    ("Namn", lit(&p.submission_file)),
                    ("Lank", lit(&p.submission_file)),
                    ("Beskrivning", lit(&p.application_title)),
                    ("Mimetyp", lit("application/xml")),
                ],
                vec![],
            ),
            Node::Files(vec![Node::El(
                "Bilaga",
                vec![
                    ("Namn", V::File(FileProp::Name)),
                    ("Lank", V::File(FileProp::Path)),
                    ("Beskrivning", V::File(FileProp::Description)),
                    ("Storlek", V::File(FileProp::Size)),
                    ("Mimetyp", V::File(FileProp::Mime)),
                    ("Checksumma", sha.clone()),
                    ("ChecksummaMetod", V::IfSet(Box::new(sha), "SHA-256".into())),
                ],
                vec![],
            )]),
        ],
    )
}
