//! Resolving a form's structure: fragments expanded, paths assigned, per-type settings checked.

use super::library::LibraryView;
use super::texts::Texts;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::expr::{self, Expr};
use crate::ir::FieldType;
use crate::ir::{self, Choice, FieldId, Limit, Required};
use crate::source::Span;
use crate::syntax::model::{self as m, Sp};
use std::collections::BTreeMap;

/// Where an expression was written: which fragment prefixes and which repeat row it sees.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    /// Prefixes to try, innermost first; the last is always "" (the form itself).
    pub prefixes: Vec<String>,
    /// The repeat whose row the expression is evaluated in.
    pub row: Option<FieldId>,
}

/// Every expression in the form with its context, checked after the structure is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExprSlot {
    PageCondition(usize),
    FieldCondition(FieldId, usize),
    FieldRequired(FieldId),
    FieldValue(FieldId),
    Rule(usize),
}

pub struct Resolver<'a> {
    pub lib: LibraryView<'a>,
    pub texts: Texts<'a>,
    pub diags: Vec<Diagnostic>,
    pub form: ir::Form,
    pub scopes: Vec<Scope>,
    pub page_scope: Scope,
    /// Choice lists by name; fragments add theirs while they are expanded.
    lists: BTreeMap<String, (Vec<Choice>, Span)>,
    /// Overlay replacements of whole lists (kommun services).
    pub list_overrides: BTreeMap<String, Vec<Choice>>,
    defined: BTreeMap<String, Span>,
    /// The paths fragment uses' `as` give their groups, and where each was written.
    prefixes: BTreeMap<String, Span>,
    /// Paths of fields and fragment uses whose mistake was reported: references to them and
    /// below them are not reported again as unknown.
    pub broken: std::collections::BTreeSet<String>,
    fragment_stack: Vec<String>,
    pub page_spans: Vec<Span>,
    pub computed_types: BTreeMap<FieldId, expr::Type>,
    /// Every field each computed field's value refers to.
    pub value_deps: BTreeMap<FieldId, Vec<FieldId>>,
    /// Every field each field's conditions (`visible_if`, its fragment's) refer to.
    pub condition_deps: BTreeMap<FieldId, Vec<FieldId>>,
    /// Fields whose definition says `required:` itself: a use's `required: false` leaves them be.
    pub explicit_required: std::collections::BTreeSet<FieldId>,
    /// The scope of each rule (by index in `form.rules`) a fragment brought: its names are the
    /// fragment's. Form rules are not here; they see the form's names.
    pub rule_scopes: BTreeMap<usize, Scope>,
}

pub fn is_snake_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub fn suggest_id(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        let c = match c.to_ascii_lowercase() {
            'å' | 'ä' | 'Å' | 'Ä' => 'a',
            'ö' | 'Ö' => 'o',
            'é' | 'É' => 'e',
            c => c.to_ascii_lowercase(),
        };
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("f_{out}")
    } else {
        out
    }
}

impl<'a> Resolver<'a> {
    pub fn new(lib: LibraryView<'a>, texts: Texts<'a>) -> Self {
        Resolver {
            lib,
            texts,
            diags: Vec::new(),
            form: empty_form(),
            scopes: Vec::new(),
            page_scope: Scope {
                prefixes: vec![String::new()],
                row: None,
            },
            lists: BTreeMap::new(),
            list_overrides: BTreeMap::new(),
            defined: BTreeMap::new(),
            prefixes: BTreeMap::new(),
            broken: Default::default(),
            fragment_stack: Vec::new(),
            page_spans: Vec::new(),
            computed_types: BTreeMap::new(),
            value_deps: BTreeMap::new(),
            condition_deps: BTreeMap::new(),
            explicit_required: Default::default(),
            rule_scopes: BTreeMap::new(),
        }
    }

    pub fn id(&mut self, id: &Sp<String>, what: &str) -> bool {
        if is_snake_id(&id.value) {
            return true;
        }
        let suggestion = suggest_id(&id.value);
        self.diags.push(
            Diagnostic::error(
                Code::InvalidId,
                format!("`{}` is not a valid {what} id", id.value),
            )
            .at(
                id.span,
                "ids are lowercase ASCII letters, digits and `_`, starting with a letter",
            )
            .help(if suggestion.is_empty() {
                "write the id in snake_case, e.g. `sokande_namn`".to_string()
            } else {
                format!("write `{suggestion}`")
            }),
        );
        false
    }

    pub fn parse_expr(&mut self, src: &m::ExprSrc) -> Option<Expr> {
        match expr::parse(&src.text, src.span) {
            Ok(e) => Some(e),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// Adds named lists. Fragments' lists join the form's, so a name may be used once: the
    /// same fragment used twice brings the same lists (same place) again, which is fine.
    pub fn choice_lists(&mut self, lists: &m::ChoiceLists) {
        for (name, items) in &lists.0 {
            if let Some((_, first)) = self.lists.get(&name.value) {
                if *first != name.span {
                    self.diags.push(
                        Diagnostic::error(
                            Code::DuplicateId,
                            format!("the choice list `{}` is defined twice", name.value),
                        )
                        .at(name.span, "defined again here")
                        .also(*first, "first defined here")
                        .help("a fragment's choice lists join the form's, so their names must differ; rename one of them"),
                    );
                }
                continue;
            }
            let choices = self.choices(items);
            self.lists.insert(name.value.clone(), (choices, name.span));
        }
    }

    /// Whether `path` is, or is inside, a field or fragment use whose mistake was reported.
    pub fn is_broken(&self, path: &str) -> bool {
        is_broken(&self.broken, path)
    }

    pub fn choices(&mut self, items: &[m::ChoiceItem]) -> Vec<Choice> {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut out = Vec::new();
        for item in items {
            let (value, label) = match item {
                m::ChoiceItem::Full { value, label } => (value, self.texts.text(label)),
                m::ChoiceItem::Plain(value) => (value, ir::Text::sv(value.value.clone())),
            };
            if let Some(first) = seen.get(&value.value) {
                self.diags.push(
                    Diagnostic::error(
                        Code::DuplicateChoiceValue,
                        format!("the choice `{}` is listed twice", value.value),
                    )
                    .at(value.span, "listed again here")
                    .also(*first, "first listed here")
                    .help("each choice needs its own value; remove one or give it another value"),
                );
                continue;
            }
            seen.insert(value.value.clone(), value.span);
            self.choice_value_is_an_id(value, matches!(item, m::ChoiceItem::Plain(_)));
            out.push(Choice {
                value: value.value.clone(),
                label,
            });
        }
        out
    }

    /// Choice values are ids (`a-z`, `0-9`, `_`): they are what conditions compare, the
    /// submission carries and the case system maps, so they must not change with a label.
    fn choice_value_is_an_id(&mut self, value: &Sp<String>, plain: bool) {
        let v = &value.value;
        let is_id = !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if is_id {
            return;
        }
        let mut id = suggest_id(v);
        // A value may start with a digit (`1_2_rum`): undo `suggest_id`'s prefix for ids.
        if let Some(rest) = id.strip_prefix("f_") {
            if rest.starts_with(|c: char| c.is_ascii_digit()) && !v.starts_with("f_") {
                id = rest.to_string();
            }
        }
        if id.is_empty() {
            id = "annat".to_string();
        }
        let write = if plain {
            format!(
                "write `{{value: {id}, label: {}}}`: the value is an id, the label the text shown",
                quoted(v)
            )
        } else {
            format!("write `value: {id}`; the label is the text shown")
        };
        self.diags.push(
            Diagnostic::error(
                Code::InvalidId,
                format!("the choice value `{v}` is not an id"),
            )
            .at(value.span, "only a-z, 0-9 and _ here")
            .help(write),
        );
    }

    pub fn page(&mut self, page: &m::PageDef, index: usize) {
        let visible_if = page.visible_if.as_ref().and_then(|e| self.parse_expr(e));
        let title = self.texts.text(&page.title);
        self.page_spans.push(page.id.span);
        self.form.pages.push(ir::Page {
            id: page.id.value.clone(),
            title,
            visible_if,
            fields: Vec::new(),
            end: page.end.as_ref().is_some_and(|e| e.value),
        });
        let scope = Scope {
            prefixes: vec![String::new()],
            row: None,
        };
        let ids = self.items(&page.fields, index, &scope, None, &[], None);
        self.form.pages[index].fields = ids;
    }

    /// Resolves a list of fields and uses; returns the ids of the top-level ones.
    #[allow(clippy::too_many_arguments)]
    pub fn items(
        &mut self,
        items: &[m::FieldItem],
        page: usize,
        scope: &Scope,
        parent: Option<FieldId>,
        conditions: &[Expr],
        group: Option<usize>,
    ) -> Vec<FieldId> {
        let mut out = Vec::new();
        for item in items {
            match item {
                m::FieldItem::Field(f) => {
                    if let Some(id) = self.field(f, page, scope, parent, conditions, group) {
                        out.push(id);
                    }
                }
                m::FieldItem::Use(u) => {
                    out.extend(self.use_fragment(u, page, scope, parent, conditions))
                }
                m::FieldItem::Broken(id) => {
                    let base = match parent {
                        Some(p) if scope.prefixes[0].is_empty() => self.form.fields[p].path.clone(),
                        _ => scope.prefixes[0].clone(),
                    };
                    self.broken.insert(join(&base, &id.value));
                }
            }
        }
        out
    }

    fn use_fragment(
        &mut self,
        u: &m::UseDef,
        page: usize,
        scope: &Scope,
        parent: Option<FieldId>,
        conditions: &[Expr],
    ) -> Vec<FieldId> {
        // Inside a repeat's row the group belongs to the row (`barn.adress.gata`), as a field
        // there does (`barn.namn`).
        let base = match parent {
            Some(p) if scope.prefixes[0].is_empty() => self.form.fields[p].path.clone(),
            _ => scope.prefixes[0].clone(),
        };
        let prefix = join(&base, &u.prefix.value);
        self.reserved_name(&u.prefix, "fragment prefix (`as`)");
        if !self.id(&u.prefix, "fragment prefix (`as`)") {
            self.broken.insert(prefix);
            return vec![];
        }
        let Some((frag, _)) = self.lib.fragment(&u.fragment.value) else {
            self.broken.insert(prefix);
            let names = self.lib.fragment_names();
            self.diags.push(
                Diagnostic::error(Code::UnknownFragment, format!("unknown fragment `{}`", u.fragment.value))
                    .at(u.fragment.span, "no fragment with this name in the library")
                    .help(did_you_mean(&u.fragment.value, names.iter().map(String::as_str)).unwrap_or_else(|| {
                        if names.is_empty() {
                            "the library has no fragments; create `<name>.fragment.yaml` in the library folder".into()
                        } else {
                            format!("the library's fragments are: {}", names.join(", "))
                        }
                    })),
            );
            return vec![];
        };
        if self.fragment_stack.contains(&u.fragment.value) {
            self.broken.insert(prefix);
            let start = self
                .fragment_stack
                .iter()
                .position(|f| *f == u.fragment.value)
                .unwrap_or(0);
            let through: Vec<String> = self.fragment_stack[start + 1..]
                .iter()
                .map(|f| format!("`{f}`"))
                .collect();
            let message = if through.is_empty() {
                format!("the fragment `{}` uses itself", u.fragment.value)
            } else {
                format!(
                    "the fragment `{}` uses itself, through {}",
                    u.fragment.value,
                    through.join(" and ")
                )
            };
            self.diags.push(
                Diagnostic::error(Code::FragmentCycle, message)
                .at(u.fragment.span, "this use closes a circle")
                .help(format!(
                    "the chain is {} → {}; remove one of these uses, since a fragment cannot contain itself",
                    self.fragment_stack[start..].join(" → "),
                    u.fragment.value
                )),
            );
            return vec![];
        }
        // Two uses with one `as` would define every field of the fragment twice; said once,
        // at the second `as`, rather than once per field at the fragment's own ids.
        let clash = self
            .prefixes
            .get(&prefix)
            .or_else(|| self.defined.get(&prefix))
            .copied();
        if let Some(first) = clash {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("the `as` name `{}` is used twice", u.prefix.value),
                )
                .at(u.prefix.span, "used again here")
                .also(first, "first used here")
                .help("each `as` names its own group of fields, as `sokande` and `ombud`; give this one another name"),
            );
            return vec![];
        }
        self.prefixes.insert(prefix.clone(), u.prefix.span);
        let mut conditions = conditions.to_vec();
        if let Some(c) = u.visible_if.as_ref().and_then(|e| self.parse_expr(e)) {
            conditions.push(c);
        }
        let group = u.label.as_ref().map(|l| {
            let label = self.texts.text(l);
            self.form.groups.push(ir::Group {
                prefix: prefix.clone(),
                label,
            });
            self.form.groups.len() - 1
        });
        if let Some(lists) = &frag.choices {
            self.choice_lists(lists);
        }
        let mut inner = scope.clone();
        inner.prefixes.insert(0, prefix.clone());
        self.fragment_stack.push(u.fragment.value.clone());
        let first = self.form.fields.len();
        let ids = self.items(&frag.fields, page, &inner, parent, &conditions, group);
        self.fragment_stack.pop();
        self.apply_use_params(u, &prefix, first..self.form.fields.len());
        self.fragment_rules(frag.rules.iter().flatten(), &u.fragment.value, &inner);
        ids
    }

    fn field(
        &mut self,
        f: &m::FieldDef,
        page: usize,
        scope: &Scope,
        parent: Option<FieldId>,
        conditions: &[Expr],
        group: Option<usize>,
    ) -> Option<FieldId> {
        self.id(&f.id, "field");
        self.reserved_name(&f.id, "field");
        let base = match parent {
            Some(p) if scope.prefixes[0].is_empty() => self.form.fields[p].path.clone(),
            _ => scope.prefixes[0].clone(),
        };
        let path = join(&base, &f.id.value);
        if let Some(first) = self.defined.get(&path).or_else(|| self.prefixes.get(&path)) {
            self.diags.push(
                Diagnostic::error(
                    Code::DuplicateId,
                    format!("the field `{path}` is defined twice"),
                )
                .at(f.id.span, "defined again here")
                .also(*first, "first defined here")
                .help("give one of them another id; field ids must be unique in a form"),
            );
            return None;
        }
        self.defined.insert(path.clone(), f.id.span);
        let kind = f.ty.value;
        let mut conds = conditions.to_vec();
        let own_condition = f.visible_if.as_ref().and_then(|e| self.parse_expr(e));
        conds.extend(own_condition);
        let label = self.texts.text(&f.label);
        let hint = f.hint.as_ref().map(|h| self.texts.text(h));
        let settings = self.settings(f);
        let id = self.form.fields.len();
        self.form.fields.push(ir::Field {
            path: path.clone(),
            id: f.id.value.clone(),
            kind,
            label,
            hint,
            required: Required::Never,
            conditions: conds,
            page,
            parent,
            children: Vec::new(),
            group,
            choices: settings.choices,
            choice_list: settings.choice_list,
            min: settings.min,
            max: settings.max,
            min_length: settings.min_length,
            max_length: settings.max_length,
            pattern: settings.pattern,
            pattern_message: f.pattern_message.as_ref().map(|t| self.texts.text(t)),
            accept: settings.accept,
            max_size: settings.max_size,
            max_files: settings.max_files.unwrap_or(1),
            min_files: settings.min_files,
            max_total_size: settings.max_total_size,
            capture: f.capture.as_ref().map(|c| c.value).unwrap_or(false),
            value: None,
            hidden: f.show.as_ref().is_some_and(|s| !s.value),
            computed_type: None,
            min_items: settings.min_items,
            max_items: settings.max_items,
            autocomplete: f.autocomplete.as_ref().map(|a| a.value.clone()),
            prefill: None,
            locked: false,
            span: f.id.span,
        });
        self.scopes.push(scope.clone());
        self.required(f, id);
        self.prefill_keys(f, id);
        if kind == FieldType::Computed {
            match &f.value {
                Some(v) => self.form.fields[id].value = self.parse_expr(v),
                None => self.diags.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        format!("the computed field `{path}` has no `value`"),
                    )
                    .at(f.ty.span, "a computed field needs an expression")
                    .help("add `value: <expression>`, e.g. `value: sum(rum[*].yta)`"),
                ),
            }
        }
        if kind == FieldType::Repeat {
            match &f.fields {
                Some(items) if !items.is_empty() => {
                    let row_scope = Scope {
                        prefixes: vec![String::new()]
                            .into_iter()
                            .chain(scope.prefixes.iter().skip(1).cloned())
                            .collect(),
                        row: Some(id),
                    };
                    let row_scope = Scope {
                        prefixes: dedup_keep_last_empty(row_scope.prefixes),
                        ..row_scope
                    };
                    let children = self.items(items, page, &row_scope, Some(id), &[], None);
                    self.form.fields[id].children = children;
                }
                _ => self.diags.push(
                    Diagnostic::error(
                        Code::MissingKey,
                        format!("the repeat `{path}` has no `fields`"),
                    )
                    .at(f.ty.span, "a repeat needs the fields of one row")
                    .help("add `fields:` with the questions asked for each row"),
                ),
            }
        }
        Some(id)
    }

    fn required(&mut self, f: &m::FieldDef, id: FieldId) {
        let kind = f.ty.value;
        if f.required.is_some() {
            self.explicit_required.insert(id);
        }
        let required = match &f.required {
            None => {
                if kind.is_input() && kind != FieldType::Repeat {
                    Required::Always
                } else {
                    Required::Never
                }
            }
            Some(r) if !kind.is_input() => {
                let span = match r {
                    m::RequiredDef::Always(b) => b.span,
                    m::RequiredDef::When(e) => e.span,
                };
                self.not_applicable(span, "required", kind);
                Required::Never
            }
            Some(m::RequiredDef::Always(b)) => {
                if b.value {
                    Required::Always
                } else {
                    Required::Never
                }
            }
            Some(m::RequiredDef::When(e)) => self
                .parse_expr(e)
                .map(Required::When)
                .unwrap_or(Required::Never),
        };
        self.form.fields[id].required = required;
    }

    pub fn not_applicable(&mut self, span: Span, key: &str, kind: FieldType) {
        let applies = applies_to(key);
        self.diags.push(
            Diagnostic::error(
                Code::NotApplicable,
                format!(
                    "`{key}` does not apply to a field of type `{}`",
                    kind.name()
                ),
            )
            .at(span, format!("{} field has no `{key}`", a_type(kind)))
            .help(format!("`{key}` applies to {applies}; remove it here")),
        );
    }

    pub fn list(&self, name: &str) -> Option<&Vec<Choice>> {
        self.list_overrides
            .get(name)
            .or_else(|| self.lists.get(name).map(|(c, _)| c))
    }

    pub fn list_names(&self) -> Vec<String> {
        self.lists.keys().cloned().collect()
    }
}

fn dedup_keep_last_empty(mut prefixes: Vec<String>) -> Vec<String> {
    prefixes.dedup();
    if prefixes.last().map(|p| !p.is_empty()).unwrap_or(true) {
        prefixes.push(String::new());
    }
    prefixes
}

/// Whether `path` is, or is inside, one of the `broken` paths.
pub fn is_broken(broken: &std::collections::BTreeSet<String>, path: &str) -> bool {
    broken.iter().any(|b| {
        path == b
            || path
                .strip_prefix(b.as_str())
                .is_some_and(|r| r.starts_with('.'))
    })
}

/// "a text field", "an integer field".
pub fn a_type(kind: FieldType) -> String {
    let name = kind.name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

pub fn applies_to(key: &str) -> &'static str {
    match key {
        "choices" => "`choice` and `multi_choice` fields",
        "min" | "max" => "`integer`, `decimal`, `money` and `date` fields",
        "min_length" | "max_length" | "pattern" | "pattern_message" => {
            "`text` and `textarea` fields"
        }
        "accept" | "max_size" | "capture" | "max_files" | "min_files" | "max_total_size" => {
            "`file` fields"
        }
        "value" | "show" => "`computed` fields",
        "fields" | "min_items" | "max_items" => "`repeat` fields",
        "required" => "fields that take an answer (not `computed` or `info`)",
        _ => "other field types",
    }
}

/// A YAML text in double quotes.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn join(prefix: &str, id: &str) -> String {
    if prefix.is_empty() {
        id.to_string()
    } else {
        format!("{prefix}.{id}")
    }
}

fn empty_form() -> ir::Form {
    ir::Form {
        id: String::new(),
        version: String::new(),
        hash: String::new(),
        title: ir::Text::default(),
        description: None,
        identification: ir::Identification::None,
        signing: ir::Signing::None,
        guardians: Vec::new(),
        signers: Vec::new(),
        reference_prefix: String::new(),
        duration_minutes: None,
        category: None,
        you_need: Vec::new(),
        languages: Vec::new(),
        pages: Vec::new(),
        fields: Vec::new(),
        groups: Vec::new(),
        rules: Vec::new(),
        mapping: None,
        tests: Vec::new(),
        source_span: None,
        field_index: Default::default(),
    }
}

/// The per-type settings of a field after checking.
#[derive(Default)]
pub struct Settings {
    pub choices: Vec<Choice>,
    pub choice_list: Option<String>,
    pub min: Option<Limit>,
    pub max: Option<Limit>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub pattern: Option<String>,
    pub accept: Vec<String>,
    pub max_size: Option<u64>,
    pub max_files: Option<u32>,
    pub min_files: Option<u32>,
    pub max_total_size: Option<u64>,
    pub min_items: Option<u32>,
    pub max_items: Option<u32>,
}
