//! Lowering YAML nodes into the syntax model, reporting every problem on the way.

use super::model::*;
use super::reader::{Ctx, Obj};
use super::yaml::{Node, NodeKind};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::{FieldType, Identification, Signing};
use std::collections::BTreeMap;

pub fn text(ctx: &Ctx, node: &Node, key: &str) -> Option<Text> {
    match &node.kind {
        NodeKind::Map(entries) => {
            let mut by_lang = BTreeMap::new();
            let mut bad_language = false;
            for (k, v) in entries {
                if !is_lang_code(&k.name) {
                    bad_language = true;
                    let help = match language_code(&k.name) {
                        Some(code) => {
                            format!("write the language as its two-letter code: `{code}`")
                        }
                        None => {
                            "texts are maps by language such as `{sv: Hej, en: Hello}`".to_string()
                        }
                    };
                    ctx.report(
                        Diagnostic::error(
                            Code::UnknownLanguage,
                            format!("`{}` is not a language code", k.name),
                        )
                        .at(k.span, "expected a two-letter language code")
                        .help(help),
                    );
                    continue;
                }
                if let Some(t) = ctx.text_of(v, key) {
                    empty_text(ctx, &t, key);
                    by_lang.insert(k.name.clone(), t);
                }
            }
            if !by_lang.contains_key("sv") && !entries.is_empty() {
                ctx.report(
                    Diagnostic::error(
                        Code::MissingSwedish,
                        format!("the text of `{key}` has no Swedish version"),
                    )
                    .at(node.span, "`sv` is missing here")
                    .help("every text needs `sv:`; other languages are optional"),
                );
            }
            Some(Text {
                span: node.span,
                by_lang,
                bad_language,
            })
        }
        NodeKind::Null => {
            ctx.report(
                Diagnostic::error(Code::WrongValueType, format!("`{key}` is empty"))
                    .at(node.span, "a text is needed here")
                    .help("write the text after the colon, or remove the key"),
            );
            None
        }
        NodeKind::Seq(_) => {
            ctx.text_of(node, key);
            None
        }
        _ => {
            let s = ctx.text_of(node, key)?;
            empty_text(ctx, &s, key);
            let mut by_lang = BTreeMap::new();
            by_lang.insert("sv".to_string(), s);
            Some(Text {
                span: node.span,
                by_lang,
                bad_language: false,
            })
        }
    }
}

/// `label: ""` leaves a question without words, which a screen reader reads as nothing.
fn empty_text(ctx: &Ctx, t: &Sp<String>, key: &str) {
    if t.value.trim().is_empty() {
        ctx.report(
            Diagnostic::error(Code::WrongValueType, format!("`{key}` is empty"))
                .at(t.span, "a text is needed here")
                .help("write the text, or remove the key if it is optional"),
        );
    }
}

fn is_lang_code(s: &str) -> bool {
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_lowercase())
}

/// The code of a language written by name (`english`, `svenska`) or in capitals (`EN`).
fn language_code(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    if is_lang_code(&lower) {
        return Some(lower);
    }
    let code = match lower.as_str() {
        "svenska" | "swedish" => "sv",
        "engelska" | "english" => "en",
        "finska" | "finnish" | "suomi" => "fi",
        "arabiska" | "arabic" => "ar",
        "somaliska" | "somali" => "so",
        "persiska" | "persian" | "farsi" => "fa",
        "tyska" | "german" | "deutsch" => "de",
        "spanska" | "spanish" => "es",
        "franska" | "french" => "fr",
        "polska" | "polish" => "pl",
        "ukrainska" | "ukrainian" => "uk",
        "samiska" | "nordsamiska" | "sami" => "se",
        "meänkieli" | "meankieli" => "fit",
        _ => return None,
    };
    Some(code.to_string())
}

pub fn expr(ctx: &Ctx, node: &Node, key: &str) -> Option<ExprSrc> {
    let text = ctx.text_of(node, key)?;
    let span = match node.kind {
        NodeKind::Str(_) => node.content_span(ctx.source),
        _ => node.span,
    };
    Some(ExprSrc {
        text: text.value,
        span,
    })
}

fn opt_text(o: &Obj, key: &'static str) -> Option<Text> {
    o.get(key).and_then(|n| text(o.ctx, n, key))
}

fn req_text(o: &Obj, key: &'static str) -> Option<Text> {
    o.req(key).and_then(|n| text(o.ctx, n, key))
}

fn opt_expr(o: &Obj, key: &'static str) -> Option<ExprSrc> {
    o.get(key).and_then(|n| expr(o.ctx, n, key))
}

fn enum_value<T: Copy>(o: &Obj, key: &'static str, allowed: &[(&str, T)]) -> Option<Sp<T>> {
    let s = o.str(key)?;
    match allowed.iter().find(|(n, _)| *n == s.value) {
        Some((_, v)) => Some(Sp::new(*v, s.span)),
        None => {
            let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
            o.ctx.report(
                Diagnostic::error(
                    Code::InvalidValue,
                    format!("`{}` is not a value of `{key}`", s.value),
                )
                .at(s.span, format!("expected one of {}", names.join(", ")))
                .help(
                    did_you_mean(&s.value, names.iter().copied())
                        .unwrap_or_else(|| format!("write one of: {}", names.join(", "))),
                ),
            );
            None
        }
    }
}

fn list<T>(o: &Obj, key: &'static str, mut each: impl FnMut(&Node) -> Option<T>) -> Option<Vec<T>> {
    let items = o.seq(key)?;
    Some(items.iter().filter_map(&mut each).collect())
}

fn req_list<T>(o: &Obj, key: &'static str, each: impl FnMut(&Node) -> Option<T>) -> Option<Vec<T>> {
    if o.has(key) {
        list(o, key, each)
    } else {
        o.req(key);
        None
    }
}

fn str_list(ctx: &Ctx, node: &Node, key: &str) -> Option<Vec<Sp<String>>> {
    let items = ctx.seq_of(node, key)?;
    Some(items.iter().filter_map(|n| ctx.text_of(n, key)).collect())
}

pub fn form(ctx: &Ctx, root: &Node) -> Option<FormFile> {
    let o = ctx.obj(root, "a form")?;
    let form = o.req_str("form");
    let version = o.req_str("version");
    let title = req_text(&o, "title");
    let description = opt_text(&o, "description");
    let category = o.str("category");
    let identification = enum_value(
        &o,
        "identification",
        &[
            ("none", Identification::None),
            ("optional", Identification::Optional),
            ("required", Identification::Required),
        ],
    );
    let signing = match o.get("signing") {
        Some(n) if n.as_seq().is_some() => {
            list(&o, "signing", |n| signer(ctx, n)).map(|l| SigningDef::Signers(Sp::new(l, n.span)))
        }
        _ => enum_value(
            &o,
            "signing",
            &[
                ("none", Signing::None),
                ("applicant", Signing::Applicant),
                ("guardians", Signing::Guardians),
            ],
        )
        .map(SigningDef::Kind),
    };
    let guardians = list(&o, "guardians", |n| guardian(ctx, n));
    let reference_prefix = o.str("reference_prefix");
    let duration_minutes = o.int("duration_minutes");
    let you_need = list(&o, "you_need", |n| text(ctx, n, "you_need"));
    if let Some(d) = duration_minutes.as_ref().filter(|d| d.value <= 0) {
        ctx.report(
            Diagnostic::error(Code::InvalidValue, "`duration_minutes` must be at least 1")
                .at(d.span, "a form takes some minutes to fill in")
                .help("write about how many minutes the form takes, e.g. `5`, or remove the line"),
        );
    }
    let choices = o.get("choices").and_then(|n| choice_lists(ctx, n));
    let pages = req_list(&o, "pages", |n| page(ctx, n));
    // Said here, where the list is written: a page dropped for its own mistake does not also
    // make the form look empty.
    if let (Some(n), Some(f)) = (o.get("pages"), &form) {
        if n.as_seq().is_some_and(<[Node]>::is_empty) || n.kind == NodeKind::Null {
            ctx.report(
                Diagnostic::error(
                    Code::MissingKey,
                    format!("the form `{}` has no pages", f.value),
                )
                .at(f.span, "nothing to ask")
                .help("add `pages:` with at least one page of fields"),
            );
        }
    }
    let rules = list(&o, "rules", |n| rule(ctx, n));
    let mapping = o
        .get("mapping")
        .and_then(|n| mapping(ctx, n))
        .map(|m| with_span(m, o.key_span("mapping")));
    let tests = list(&o, "tests", |n| test(ctx, n));
    o.finish();
    Some(FormFile {
        form: form?,
        version: version?,
        // A missing title is reported; the form is still read, so its fields are known.
        title: title.unwrap_or_default(),
        description,
        identification,
        signing,
        guardians,
        reference_prefix,
        duration_minutes,
        category,
        you_need,
        choices,
        pages: pages?,
        rules,
        mapping,
        tests,
    })
}

fn with_span(mut m: MappingDef, key: Option<crate::source::Span>) -> MappingDef {
    if let Some(k) = key {
        m.span = k;
    }
    m
}

pub fn fragment(ctx: &Ctx, root: &Node) -> Option<FragmentFile> {
    let o = ctx.obj(root, "a fragment")?;
    let fragment = o.req_str("fragment");
    let description = opt_text(&o, "description");
    let choices = o.get("choices").and_then(|n| choice_lists(ctx, n));
    let fields = req_list(&o, "fields", |n| field_item(ctx, n));
    let rules = list(&o, "rules", |n| rule(ctx, n));
    o.finish();
    Some(FragmentFile {
        fragment: fragment?,
        description,
        choices,
        fields: fields?,
        rules,
    })
}

pub fn choice_lists(ctx: &Ctx, node: &Node) -> Option<ChoiceLists> {
    match &node.kind {
        NodeKind::Map(entries) => Some(ChoiceLists(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    let items = ctx.seq_of(v, "choices")?;
                    let items = items.iter().filter_map(|i| choice_item(ctx, i)).collect();
                    Some((Sp::new(k.name.clone(), k.span), items))
                })
                .collect(),
        )),
        NodeKind::Null => Some(ChoiceLists::default()),
        _ => {
            ctx.report(
                Diagnostic::error(
                    Code::WrongValueType,
                    format!("`choices` must be a map, not {}", node.kind_name()),
                )
                .at(node.span, "expected `list_name:` lines, each with a list of choices")
                .help("write each list as `name:` followed by its choices, one `- {value: …, label: …}` a line"),
            );
            None
        }
    }
}

fn choice_item(ctx: &Ctx, node: &Node) -> Option<ChoiceItem> {
    if let NodeKind::Map(_) = node.kind {
        let o = ctx.obj(node, "a choice")?;
        let value = o.req_str("value");
        let label = req_text(&o, "label");
        o.finish();
        Some(ChoiceItem::Full {
            value: value?,
            label: label?,
        })
    } else {
        ctx.text_of(node, "choices").map(ChoiceItem::Plain)
    }
}

fn guardian(ctx: &Ctx, node: &Node) -> Option<GuardianDef> {
    let o = ctx.obj(node, "a guardian")?;
    let personnummer = o.req_str("personnummer");
    let email = o.str("email");
    o.finish();
    Some(GuardianDef {
        personnummer: personnummer?,
        email,
    })
}

fn signer(ctx: &Ctx, node: &Node) -> Option<SignerDef> {
    let o = ctx.obj(node, "a signer")?;
    let role = o.req_str("role");
    let label = opt_text(&o, "label");
    let personnummer = o
        .req("personnummer")
        .and_then(|n| expr(ctx, n, "personnummer"));
    let name = opt_expr(&o, "name");
    let email = opt_expr(&o, "email");
    let when = opt_expr(&o, "when");
    o.finish();
    Some(SignerDef {
        role: role?,
        label,
        personnummer: personnummer?,
        name,
        email,
        when,
    })
}

fn page(ctx: &Ctx, node: &Node) -> Option<PageDef> {
    let o = ctx.obj(node, "a page")?;
    let id = o.req_str("id");
    let title = req_text(&o, "title");
    let visible_if = opt_expr(&o, "visible_if");
    let end = o.bool("end");
    let fields = req_list(&o, "fields", |n| field_item(ctx, n));
    // An empty list is the page's own mistake; a list whose every field has a mistake of its
    // own is not, and is not reported again.
    if let Some(n) = o.get("fields") {
        if n.as_seq().is_some_and(<[Node]>::is_empty) || n.kind == NodeKind::Null {
            let (span, name) = match &id {
                Some(id) => (id.span, format!("the page `{}`", id.value)),
                None => (o.head(), "this page".to_string()),
            };
            ctx.report(
                Diagnostic::error(Code::EmptyPage, format!("{name} has no fields"))
                    .at(span, "nothing to ask on this page")
                    .help("add fields to the page, or remove it"),
            );
        }
    }
    o.finish();
    // Only the id is needed to keep the page: its title and fields were reported if wrong,
    // and dropping the page would make every reference to its fields an error too.
    Some(PageDef {
        id: id?,
        title: title.unwrap_or_default(),
        visible_if,
        end,
        fields: fields.unwrap_or_default(),
    })
}

pub fn field_item(ctx: &Ctx, node: &Node) -> Option<FieldItem> {
    let o = ctx.obj(node, "a field")?;
    if o.has("use") {
        let o = Obj::rename(o, "a fragment use");
        let fragment = o.req_str("use");
        let prefix = o.req_str("as");
        let label = opt_text(&o, "label");
        let visible_if = opt_expr(&o, "visible_if");
        let required = o.bool("required");
        let labels = o.get("labels").and_then(|n| texts_by_id(ctx, n, "labels"));
        let hints = o.get("hints").and_then(|n| texts_by_id(ctx, n, "hints"));
        o.finish();
        return match (fragment, prefix) {
            (Some(fragment), Some(prefix)) => Some(FieldItem::Use(UseDef {
                fragment,
                prefix,
                label,
                visible_if,
                required,
                labels,
                hints,
            })),
            (None, Some(prefix)) => Some(FieldItem::Broken(prefix)),
            _ => None,
        };
    }
    match field(&o) {
        Ok(f) => Some(FieldItem::Field(Box::new(f))),
        Err(id) => id.map(FieldItem::Broken),
    }
}

fn field_type(o: &Obj) -> Option<Sp<FieldType>> {
    let s = o.req_str("type")?;
    match FieldType::from_name(&s.value) {
        Some(t) => Some(Sp::new(t, s.span)),
        None => {
            let names = FieldType::ALL.iter().map(|t| t.name());
            o.ctx.report(
                Diagnostic::error(
                    Code::UnknownFieldType,
                    format!("unknown field type `{}`", s.value),
                )
                .at(s.span, "not a field type")
                .help(did_you_mean(&s.value, names.clone()).unwrap_or_else(|| {
                    format!("the types are: {}", names.collect::<Vec<_>>().join(", "))
                })),
            );
            None
        }
    }
}

/// A field, or the id of one with a mistake that was reported (to keep its name known).
fn field(o: &Obj) -> Result<FieldDef, Option<Sp<String>>> {
    let ctx = o.ctx;
    let id = o.req_str("id");
    let ty = field_type(o);
    let label = req_text(o, "label");
    let hint = opt_text(o, "hint");
    let required = o.get("required").and_then(|n| required(ctx, n));
    let visible_if = opt_expr(o, "visible_if");
    let choices = o.get("choices").and_then(|n| match n.kind {
        NodeKind::Seq(ref items) => Some(ChoicesRef::Inline(
            items.iter().filter_map(|i| choice_item(ctx, i)).collect(),
        )),
        _ => ctx.text_of(n, "choices").map(ChoicesRef::Named),
    });
    let min = o.get("min").and_then(|n| bound(ctx, n, "min"));
    let max = o.get("max").and_then(|n| bound(ctx, n, "max"));
    let min_length = o.int("min_length");
    let max_length = o.int("max_length");
    let pattern = o.str("pattern");
    let pattern_message = opt_text(o, "pattern_message");
    let accept = o.get("accept").and_then(|n| str_list(ctx, n, "accept"));
    let max_size = o.str("max_size");
    let max_files = o.int("max_files");
    let min_files = o.int("min_files");
    let max_total_size = o.str("max_total_size");
    let capture = o.bool("capture");
    let value = opt_expr(o, "value");
    let show = o.bool("show");
    let fields = list(o, "fields", |n| field_item(ctx, n));
    let min_items = o.int("min_items");
    let max_items = o.int("max_items");
    let autocomplete = o.str("autocomplete");
    let prefill = opt_expr(o, "prefill");
    let locked = o.bool("locked");
    o.finish();
    let (Some(id), Some(ty)) = (id.clone(), ty) else {
        return Err(id);
    };
    Ok(FieldDef {
        id,
        ty,
        // A missing label is reported; the field is still real for the rest of the form.
        label: label.unwrap_or_default(),
        hint,
        required,
        visible_if,
        choices,
        min,
        max,
        min_length,
        max_length,
        pattern,
        pattern_message,
        accept,
        max_size,
        max_files,
        min_files,
        max_total_size,
        capture,
        value,
        show,
        fields,
        min_items,
        max_items,
        autocomplete,
        prefill,
        locked,
    })
}

/// `required: true`, `false` or a condition. YAML 1.2 reads `yes` and `ja` as text, which
/// would otherwise be taken for a condition naming a field `yes`.
fn required(ctx: &Ctx, n: &Node) -> Option<RequiredDef> {
    if let NodeKind::Bool(b) = n.kind {
        return Some(RequiredDef::Always(Sp::new(b, n.span)));
    }
    if let NodeKind::Str(s) = &n.kind {
        let word = s.trim().to_lowercase();
        let fix = match word.as_str() {
            "yes" | "ja" | "y" | "on" | "sant" => Some("true"),
            "no" | "nej" | "n" | "off" | "falskt" => Some("false"),
            _ if s.trim() != word && (word == "true" || word == "false") => Some(word.as_str()),
            _ => None,
        };
        if let Some(fix) = fix {
            ctx.report(
                Diagnostic::error(
                    Code::WrongValueType,
                    format!("`required` must be `true`, `false` or a condition, not `{}`", s.trim()),
                )
                .at(n.span, format!("write `{fix}` here"))
                .help(format!("blankett reads YAML 1.2, where only `true` and `false` are yes and no: write `required: {fix}`")),
            );
            return None;
        }
    }
    expr(ctx, n, "required").map(RequiredDef::When)
}

fn bound(ctx: &Ctx, node: &Node, key: &str) -> Option<Bound> {
    match node.kind {
        NodeKind::Int(i) => Some(Bound::Number(Sp::new(i as f64, node.span))),
        NodeKind::Float(f) => Some(Bound::Number(Sp::new(f, node.span))),
        _ => ctx.text_of(node, key).map(Bound::Text),
    }
}

fn rule(ctx: &Ctx, node: &Node) -> Option<RuleDef> {
    let o = ctx.obj(node, "a rule")?;
    let when = o.req("when").and_then(|n| expr(ctx, n, "when"));
    let message = req_text(&o, "message");
    let field = o.req_str("field");
    let severity = enum_value(
        &o,
        "severity",
        &[
            ("error", RuleSeverity::Error),
            ("warning", RuleSeverity::Warning),
        ],
    );
    o.finish();
    Some(RuleDef {
        when: when?,
        message: message.unwrap_or_default(),
        field: field?,
        severity,
    })
}

fn test(ctx: &Ctx, node: &Node) -> Option<TestDef> {
    let o = ctx.obj(node, "a test")?;
    let name = o.req_str("name");
    let answers = o.get("answers").and_then(|n| keyed(ctx, n, "answers"));
    let expect = o.get("expect").and_then(|n| expect(ctx, n));
    let today = o.str("today");
    let inloggad = o.get("inloggad").and_then(|n| {
        let p = ctx.obj(n, "the logged-in person (`inloggad`)")?;
        let personnummer = p.req_str("personnummer");
        let fornamn = p.str("fornamn");
        let efternamn = p.str("efternamn");
        p.finish();
        Some(InloggadDef {
            personnummer: personnummer?,
            fornamn,
            efternamn,
        })
    });
    o.finish();
    Some(TestDef {
        name: name?,
        answers,
        expect,
        today,
        inloggad,
    })
}

fn expect(ctx: &Ctx, node: &Node) -> Option<ExpectDef> {
    let o = ctx.obj(node, "a test's `expect`")?;
    let visible = o.get("visible").and_then(|n| str_list(ctx, n, "visible"));
    let hidden = o.get("hidden").and_then(|n| str_list(ctx, n, "hidden"));
    let errors = o.get("errors").and_then(|n| str_list(ctx, n, "errors"));
    let values = o.get("values").and_then(|n| keyed(ctx, n, "values"));
    let warnings = o.get("warnings").and_then(|n| str_list(ctx, n, "warnings"));
    let ends_at = o.str("ends_at");
    o.finish();
    Some(ExpectDef {
        visible,
        hidden,
        errors,
        values,
        warnings,
        ends_at,
    })
}

/// `labels:` and `hints:` of a use: a text per field id.
fn texts_by_id(ctx: &Ctx, node: &Node, key: &str) -> Option<TextsById> {
    let KeyedValues(entries) = keyed(ctx, node, key)?;
    Some(TextsById(
        entries
            .into_iter()
            .filter_map(|(id, v)| Some((id, text(ctx, &v.0, key)?)))
            .collect(),
    ))
}

fn keyed(ctx: &Ctx, node: &Node, key: &str) -> Option<KeyedValues> {
    match &node.kind {
        NodeKind::Map(entries) => Some(KeyedValues(
            entries
                .iter()
                .map(|(k, v)| (Sp::new(k.name.clone(), k.span), AnyValue(v.clone())))
                .collect(),
        )),
        NodeKind::Null => Some(KeyedValues::default()),
        _ => {
            ctx.report(
                Diagnostic::error(
                    Code::WrongValueType,
                    format!("`{key}` must be a map, not {}", node.kind_name()),
                )
                .at(node.span, "expected `field: answer` lines here"),
            );
            None
        }
    }
}

pub fn mapping(ctx: &Ctx, node: &Node) -> Option<MappingDef> {
    let o = ctx.obj(node, "the mapping")?;
    let arendemening = o.str("arendemening");
    let arendetyp = o.str("arendetyp");
    let klassificering = o.str("klassificering");
    let motpart = o.get("motpart").and_then(|n| motpart(ctx, n)).map(|mut m| {
        m.span = o.key_span("motpart").unwrap_or(m.span);
        m
    });
    let handlingar = list(&o, "handlingar", |n| handling(ctx, n));
    let extra = list(&o, "extra", |n| extra(ctx, n));
    o.finish();
    Some(MappingDef {
        span: node.span,
        arendemening,
        arendetyp,
        klassificering,
        motpart,
        handlingar,
        extra,
    })
}

fn motpart(ctx: &Ctx, node: &Node) -> Option<MotpartDef> {
    let o = ctx.obj(node, "the counterpart (`motpart`)")?;
    let m = MotpartDef {
        span: node.span,
        namn: opt_expr(&o, "namn"),
        personnummer: opt_expr(&o, "personnummer"),
        orgnummer: opt_expr(&o, "orgnummer"),
        adress: opt_expr(&o, "adress"),
        postnummer: opt_expr(&o, "postnummer"),
        postort: opt_expr(&o, "postort"),
        epost: opt_expr(&o, "epost"),
        telefon: opt_expr(&o, "telefon"),
    };
    o.finish();
    Some(m)
}

fn handling(ctx: &Ctx, node: &Node) -> Option<HandlingDef> {
    let o = ctx.obj(node, "a document (`handlingar`)")?;
    let typ = o.req_str("typ");
    let falt = o.str("falt");
    let rubrik = o.str("rubrik");
    o.finish();
    Some(HandlingDef {
        typ: typ?,
        falt,
        rubrik,
    })
}

fn extra(ctx: &Ctx, node: &Node) -> Option<ExtraDef> {
    let o = ctx.obj(node, "an extra element")?;
    let namn = o.req_str("namn");
    let varde = o.req_str("varde");
    o.finish();
    Some(ExtraDef {
        namn: namn?,
        varde: varde?,
    })
}

pub fn library(ctx: &Ctx, root: &Node) -> Option<LibraryFile> {
    let o = ctx.obj(root, "a library (`blankett.yaml`)")?;
    let library = o.req_str("library");
    let version = o.req_str("version");
    let languages = o
        .get("languages")
        .and_then(|n| str_list(ctx, n, "languages"));
    let description = opt_text(&o, "description");
    let depends = list(&o, "depends", |n| depend(ctx, n));
    let renamed = list(&o, "renamed", |n| rename(ctx, n));
    let categories = list(&o, "categories", |n| category(ctx, n));
    o.finish();
    Some(LibraryFile {
        library: library?,
        version: version?,
        languages,
        description,
        depends,
        renamed,
        categories,
    })
}

fn category(ctx: &Ctx, node: &Node) -> Option<CategoryDef> {
    let o = ctx.obj(node, "a category")?;
    let id = o.req_str("id");
    let title = req_text(&o, "title");
    o.finish();
    Some(CategoryDef {
        id: id?,
        title: title?,
    })
}

fn rename(ctx: &Ctx, node: &Node) -> Option<RenameDef> {
    let o = ctx.obj(node, "a rename")?;
    let since = o.req_str("since");
    let form = o.req_str("form");
    let field = o.str("field");
    let page = o.str("page");
    let list = o.str("list");
    let to = o.req_str("to");
    o.finish();
    Some(RenameDef {
        since: since?,
        form: form?,
        field,
        page,
        list,
        to: to?,
    })
}

fn depend(ctx: &Ctx, node: &Node) -> Option<DependDef> {
    let o = ctx.obj(node, "a library dependency")?;
    let path = o.req_str("path");
    let version = o.req_str("version");
    o.finish();
    Some(DependDef {
        path: path?,
        version: version?,
    })
}

pub fn kommun(ctx: &Ctx, root: &Node) -> Option<KommunFile> {
    let o = ctx.obj(root, "a kommun project (`kommun.yaml`)")?;
    let kommun = o.req_str("kommun");
    let name = o.req_str("name");
    let orgnr = o.req_str("orgnr");
    let logo = o.str("logo");
    let colors = o.get("colors").and_then(|n| {
        let c = ctx.obj(n, "`colors`")?;
        let v = ColorsDef {
            primary: c.str("primary"),
            text: c.str("text"),
        };
        c.finish();
        Some(v)
    });
    let contact = o.get("contact").and_then(|n| {
        let c = ctx.obj(n, "`contact`")?;
        let v = ContactDef {
            email: c.str("email"),
            phone: c.str("phone"),
            address: c.str("address"),
            web: c.str("web"),
        };
        c.finish();
        Some(v)
    });
    let libraries = req_list(&o, "libraries", |n| depend(ctx, n));
    let shs = o.get("shs").and_then(|n| {
        let c = ctx.obj(n, "`shs`")?;
        let v = ShsDef {
            address: c.str("address"),
            to: c.str("to"),
            url: c.str("url"),
        };
        c.finish();
        Some(v)
    });
    let services = req_list(&o, "services", |n| service(ctx, n));
    o.finish();
    Some(KommunFile {
        kommun: kommun?,
        name: name?,
        orgnr: orgnr?,
        logo,
        colors,
        contact,
        libraries: libraries?,
        shs,
        services: services?,
    })
}

fn service(ctx: &Ctx, node: &Node) -> Option<ServiceDef> {
    let o = ctx.obj(node, "a service")?;
    let form = o.req_str("form");
    let title = opt_text(&o, "title");
    let description = opt_text(&o, "description");
    let reference_prefix = o.str("reference_prefix");
    let choices = o.get("choices").and_then(|n| choice_lists(ctx, n));
    let fields = o.get("fields").and_then(|n| match &n.kind {
        NodeKind::Map(entries) => Some(Overrides(
            entries
                .iter()
                .filter_map(|(k, v)| {
                    Some((Sp::new(k.name.clone(), k.span), field_override(ctx, v)?))
                })
                .collect(),
        )),
        _ => {
            ctx.report(
                Diagnostic::error(
                    Code::WrongValueType,
                    format!("`fields` must be a map, not {}", n.kind_name()),
                )
                .at(n.span, "expected `field.path: {label: …}` lines here"),
            );
            None
        }
    });
    let add_fields = list(&o, "add_fields", |n| {
        let a = ctx.obj(n, "an `add_fields` entry")?;
        let page = a.req_str("page");
        let fields = req_list(&a, "fields", |f| field_item(ctx, f));
        a.finish();
        Some(AddFields {
            page: page?,
            fields: fields?,
        })
    });
    let mapping = o
        .get("mapping")
        .and_then(|n| mapping(ctx, n))
        .map(|m| with_span(m, o.key_span("mapping")));
    let klassificering = o.str("klassificering");
    let arendetyp = o.str("arendetyp");
    let shs_product = o.str("shs_product");
    o.finish();
    Some(ServiceDef {
        form: form?,
        title,
        description,
        reference_prefix,
        choices,
        fields,
        add_fields,
        mapping,
        klassificering,
        arendetyp,
        shs_product,
    })
}

fn field_override(ctx: &Ctx, node: &Node) -> Option<FieldOverride> {
    let o = ctx.obj(node, "a field override")?;
    let label = opt_text(&o, "label");
    let hint = opt_text(&o, "hint");
    let required = o.get("required").and_then(|n| required(ctx, n));
    o.finish();
    Some(FieldOverride {
        label,
        hint,
        required,
    })
}
