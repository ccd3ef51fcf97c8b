//! The ERMS 3 document (E-ARK CITS ERMS, Riksarkivet's FGS Ärendehantering 2.0): one case file
//! (`aggregation` of type `caseFile`) holding the incoming application as a `record`, whose
//! components (the submission XML and each attached file) are `appendix` entries.

use super::doc::{Doc, FileProp, Node, Param, V};
use super::Parts;

pub(crate) const NAMESPACE: &str = "https://DILCIS.eu/XML/ERMS";

fn el(name: &'static str, children: Vec<Node>) -> Node {
    Node::El(name, Vec::new(), children)
}

fn el_a(name: &'static str, attrs: Vec<(&'static str, V)>, children: Vec<Node>) -> Node {
    Node::El(name, attrs, children)
}

fn lit(s: &str) -> V {
    V::Lit(s.to_string())
}

fn text(name: &'static str, v: V) -> Node {
    el(name, vec![Node::Text(v)])
}

/// The text element only when the value is not empty.
fn opt(name: &'static str, attrs: Vec<(&'static str, V)>, v: Option<&V>) -> Node {
    match v {
        Some(v) => Node::When(
            vec![v.clone()],
            vec![el_a(name, attrs, vec![Node::Text(v.clone())])],
        ),
        None => Node::When(Vec::new(), Vec::new()),
    }
}

pub(crate) fn document(p: &Parts) -> Doc {
    let reference = V::Param(Param::Reference);
    let submitted = V::Param(Param::Submitted);
    let control = el(
        "control",
        vec![
            el_a(
                "identification",
                vec![("identificationType", lit("submission"))],
                vec![Node::Text(reference.clone())],
            ),
            el(
                "maintenanceInformation",
                vec![
                    el_a("maintenanceStatus", vec![("value", lit("new"))], vec![]),
                    el(
                        "maintenanceAgency",
                        vec![text("agencyName", lit(&p.agency))],
                    ),
                    el(
                        "maintenanceHistory",
                        vec![el(
                            "maintenanceEvent",
                            vec![
                                el_a("eventType", vec![("value", lit("created"))], vec![]),
                                text("eventDateTime", submitted.clone()),
                                el_a(
                                    "agent",
                                    vec![("agentType", lit("creator"))],
                                    vec![text("name", lit(&p.form_label))],
                                ),
                            ],
                        )],
                    ),
                ],
            ),
        ],
    );
    let mut case = vec![text("objectId", reference.clone())];
    if let Some(c) = &p.classification {
        case.push(el_a(
            "classification",
            vec![("classificationCode", lit(c))],
            vec![Node::Text(lit(c))],
        ));
    }
    case.push(text("title", p.title.clone()));
    case.push(el_a("status", vec![("value", lit("received"))], vec![]));
    let mut own = vec![text("ownElementDescription", lit(&p.form_label))];
    if let Some(t) = &p.casetype {
        own.push(el_a(
            "ownElement",
            vec![("name", lit("arendetyp"))],
            vec![text("value", lit(t))],
        ));
    }
    for (name, value, tests) in &p.extras {
        let e = el_a(
            "ownElement",
            vec![("name", lit(name))],
            vec![text("value", value.clone())],
        );
        own.push(if tests.is_empty() {
            e
        } else {
            Node::When(tests.clone(), vec![e])
        });
    }
    case.push(el("additionalInformation", vec![el("ownElement", own)]));
    if p.has_motpart {
        case.push(el("agents", vec![counterpart(p)]));
    }
    case.push(el(
        "dates",
        vec![el_a(
            "date",
            vec![("dateType", lit("received"))],
            vec![Node::Text(submitted.clone())],
        )],
    ));
    case.push(record(p));
    let root = el(
        "erms",
        vec![
            control,
            el(
                "aggregations",
                vec![el_a(
                    "aggregation",
                    vec![
                        ("systemIdentifier", reference),
                        ("aggregationType", lit("caseFile")),
                    ],
                    case,
                )],
            ),
        ],
    );
    Doc {
        root,
        slots: p.slots.clone(),
        describe: p.describe.clone(),
        namespace: NAMESPACE,
        schema_location: None,
    }
}

fn counterpart(p: &Parts) -> Node {
    let m = |k: &str| p.motpart.get(k);
    let empty = V::Lit(String::new());
    let id = Node::Choose(
        [
            ("personnummer", "personnummer"),
            ("orgnummer", "organisationsnummer"),
        ]
        .iter()
        .filter_map(|(k, kind)| {
            m(k).map(|v| {
                (
                    vec![v.clone()],
                    vec![el_a(
                        "idNumber",
                        vec![("idNumberType", lit(kind))],
                        vec![Node::Text(v.clone())],
                    )],
                )
            })
        })
        .collect(),
        Vec::new(),
    );
    let lines: Vec<(&str, &'static str, &'static str, &str)> = vec![
        ("adress", "addressLine", "addressType", "postal_address"),
        ("postnummer", "addressLine", "addressType", "postal_code"),
        ("postort", "addressLine", "addressType", "postal_city"),
        ("telefon", "contactLine", "contactType", "phonenumber"),
        ("epost", "contactLine", "contactType", "email"),
    ];
    let present: Vec<V> = lines.iter().filter_map(|l| m(l.0).cloned()).collect();
    let contact = Node::When(
        present,
        vec![el(
            "addressContactInformation",
            lines
                .iter()
                .map(|(k, name, attr, kind)| opt(name, vec![(attr, lit(kind))], m(k)))
                .collect(),
        )],
    );
    el_a(
        "agent",
        vec![("agentType", lit("counterpart"))],
        vec![
            text("name", m("namn").cloned().unwrap_or(empty)),
            id,
            contact,
        ],
    )
}

fn record(p: &Parts) -> Node {
    let reference = V::Param(Param::Reference);
    let id = V::Concat(vec![reference, lit("-1")]);
    let name = V::Param(Param::PersonName);
    let pnr = V::Param(Param::PersonId);
    let sender = Node::When(
        vec![name.clone(), pnr.clone()],
        vec![el(
            "agents",
            vec![el_a(
                "agent",
                vec![("agentType", lit("sender"))],
                vec![
                    text("name", name),
                    opt(
                        "idNumber",
                        vec![("idNumberType", lit("personnummer"))],
                        Some(&pnr),
                    ),
                ],
            )],
        )],
    );
    let appendix = |attrs| el_a("appendix", attrs, vec![]);
    el_a(
        "record",
        vec![
            ("systemIdentifier", id.clone()),
            ("recordType", lit("ansokan")),
        ],
        vec![
            text("objectId", id),
            text("title", lit(&p.application_title)),
            el_a("status", vec![("value", lit("received"))], vec![]),
            text("runningNumber", lit("1")),
            el_a(
                "direction",
                vec![("directionDefinition", lit("incoming"))],
                vec![],
            ),
            sender,
            el(
                "dates",
                vec![el_a(
                    "date",
                    vec![("dateType", lit("received"))],
                    vec![Node::Text(V::Param(Param::Submitted))],
                )],
            ),
            el(
                "additionalInformation",
                vec![
                    appendix(vec![
                        ("name", lit(&p.submission_file)),
                        ("description", lit(&p.application_title)),
                        ("fileFormat", lit("application/xml")),
                        ("path", lit(&p.submission_file)),
                    ]),
                    Node::Files(vec![appendix(vec![
                        ("name", V::File(FileProp::Name)),
                        ("description", V::File(FileProp::Description)),
                        ("fileFormat", V::File(FileProp::Mime)),
                        ("path", V::File(FileProp::Path)),
                    ])]),
                ],
            ),
        ],
    )
}
