//! Evaluating a resolved form over a set of answers: what is shown, what is computed and what
//! is wrong. Pure: no I/O. The runtime validates with this, and `blankett test` runs on it.

use super::answer;
use crate::expr::inloggad::{self, Inloggad};
use crate::expr::{self, Ref, Value, ValueEnv};
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, Required, Text};
use chrono::NaiveDate;
use serde_json::Value as Json;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// Answers by field path; a repeat's answer is a list of rows keyed by the row's field ids.
pub type Answers = BTreeMap<String, Json>;

/// One problem with one answer, as the citizen is told.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: FieldId,
    /// The instance path: `namn`, or `barn[0].alder` in a repeat's first row.
    pub path: String,
    pub message: Text,
}

/// The answers as the form sees them.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub page_visible: Vec<bool>,
    /// Visibility by instance path.
    pub visible: BTreeMap<String, bool>,
    /// Typed values by instance path (hidden fields are `Null`), computed fields included.
    pub values: BTreeMap<String, Value>,
    pub errors: Vec<FieldError>,
    /// The messages of rules with `severity: warning` that hold: shown, never blocking.
    pub warnings: Vec<FieldError>,
    /// Locked fields whose prefill has a value: drawn as values, not inputs.
    pub locked: std::collections::BTreeSet<FieldId>,
    /// Rows per repeat path.
    pub rows: BTreeMap<String, usize>,
}

impl Outcome {
    pub fn is_visible(&self, path: &str) -> bool {
        self.visible.get(path).copied().unwrap_or(false)
    }
    pub fn errors_on_page(&self, form: &Form, page: usize) -> Vec<&FieldError> {
        self.errors
            .iter()
            .filter(|e| form.fields[e.field].page == page)
            .collect()
    }
    pub fn warnings_on_page(&self, form: &Form, page: usize) -> Vec<&FieldError> {
        self.warnings
            .iter()
            .filter(|e| form.fields[e.field].page == page)
            .collect()
    }
    /// The stop page the journey ends at: the first shown page with `end: true`.
    pub fn stop_page(&self, form: &Form) -> Option<usize> {
        (0..form.pages.len())
            .find(|&p| form.pages[p].end && self.page_visible.get(p) == Some(&true))
    }
}

/// The field path of an instance path: `barn[0].alder` → `barn.alder`.
pub fn field_path(instance: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in instance.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// `barn.alder` in rows `[0]` → `barn[0].alder`.
pub fn instance_path(form: &Form, field: FieldId, rows: &[usize]) -> String {
    let mut chain = Vec::new();
    let mut p = form.fields[field].parent;
    while let Some(id) = p {
        chain.push(id);
        p = form.fields[id].parent;
    }
    chain.reverse();
    let mut path = form.fields[field].path.clone();
    // Insert indices from the innermost repeat outwards so earlier offsets stay valid.
    for (depth, &rep) in chain.iter().enumerate().rev() {
        if let Some(&i) = rows.get(depth) {
            let prefix = &form.fields[rep].path;
            path = format!("{prefix}[{i}]{}", &path[prefix.len()..]);
        }
    }
    path
}

/// Memo of a per-instance result: `Some(None)` while it is being computed (a cycle),
/// `Some(Some(v))` once known. Instances outside repeats (no rows), nearly all of them, sit in a
/// vector by field id: hashing the key of every lookup was a large part of an evaluation.
struct Memo<T> {
    top: RefCell<Vec<Option<Option<T>>>>,
    in_rows: RefCell<InRows<T>>,
}

/// Results of instances inside repeats, by field and row indices.
type InRows<T> = HashMap<(FieldId, Vec<usize>), Option<T>>;

impl<T: Clone> Memo<T> {
    fn new(fields: usize) -> Self {
        Memo {
            top: RefCell::new(vec![None; fields]),
            in_rows: RefCell::new(HashMap::new()),
        }
    }
    fn get(&self, id: FieldId, rows: &[usize]) -> Option<Option<T>> {
        if rows.is_empty() {
            self.top.borrow().get(id).cloned().flatten()
        } else {
            self.in_rows.borrow().get(&(id, rows.to_vec())).cloned()
        }
    }
    fn set(&self, id: FieldId, rows: &[usize], v: Option<T>) {
        if rows.is_empty() {
            if let Some(slot) = self.top.borrow_mut().get_mut(id) {
                *slot = Some(v);
                return;
            }
        }
        self.in_rows.borrow_mut().insert((id, rows.to_vec()), v);
    }
}

struct State<'a> {
    form: &'a Form,
    today: NaiveDate,
    /// The logged-in person kept with the answers.
    inloggad: Option<Inloggad>,
    /// Parsed answers by instance path.
    parsed: BTreeMap<String, Value>,
    parse_errors: BTreeMap<String, Text>,
    rows: BTreeMap<String, usize>,
    visible_memo: Memo<bool>,
    page_memo: RefCell<Vec<Option<Option<bool>>>>,
    computed_memo: Memo<Value>,
    /// A page taken as shown whatever its condition says (see [`evaluate_showing`]).
    shown_page: Option<usize>,
}

/// The environment an expression of `field` in `rows` is evaluated in.
struct Env<'s, 'a> {
    st: &'s State<'a>,
    rows: Vec<usize>,
}

impl ValueEnv for Env<'_, '_> {
    fn get(&self, r: &Ref) -> Value {
        match &r.resolved {
            Some(c) => inloggad::value_of(c, self.st.inloggad.as_ref())
                .unwrap_or_else(|| self.st.get_canonical(c, &self.rows)),
            None => Value::Null,
        }
    }
    fn today(&self) -> NaiveDate {
        self.st.today
    }
}

impl<'a> State<'a> {
    fn new(form: &'a Form, answers: &Answers, today: NaiveDate, shown_page: Option<usize>) -> Self {
        let mut st = State {
            shown_page,
            form,
            today,
            inloggad: Inloggad::of_answers(answers),
            parsed: BTreeMap::new(),
            parse_errors: BTreeMap::new(),
            rows: BTreeMap::new(),
            visible_memo: Memo::new(form.fields.len()),
            page_memo: RefCell::new(vec![None; form.pages.len()]),
            computed_memo: Memo::new(form.fields.len()),
        };
        for (id, f) in form.fields.iter().enumerate() {
            if f.parent.is_none() {
                let raw = answers.get(&f.path).cloned().unwrap_or(Json::Null);
                st.parse_field(id, &raw, &[]);
            }
        }
        st
    }

    fn parse_field(&mut self, id: FieldId, raw: &Json, rows: &[usize]) {
        let f = &self.form.fields[id];
        let path = instance_path(self.form, id, rows);
        if f.kind == FieldType::Repeat {
            let items: Vec<Json> = match raw {
                Json::Array(a) => a.clone(),
                _ => Vec::new(),
            };
            self.rows.insert(path, items.len());
            for (i, row) in items.iter().enumerate() {
                let mut inner = rows.to_vec();
                inner.push(i);
                for &c in &f.children.clone() {
                    let key = self.form.fields[c].row_key(self.form).to_string();
                    let v = row.get(&key).cloned().unwrap_or(Json::Null);
                    self.parse_field(c, &v, &inner);
                }
            }
            return;
        }
        if !f.kind.is_input() {
            return;
        }
        match answer::parse(f, raw, self.today) {
            Ok(v) => {
                self.parsed.insert(path, v);
            }
            Err(msg) => {
                self.parsed.insert(path.clone(), Value::Null);
                self.parse_errors.insert(path, msg);
            }
        }
    }

    fn eval_in(&self, e: &expr::Expr, rows: &[usize]) -> Value {
        expr::eval(
            e,
            &Env {
                st: self,
                rows: rows.to_vec(),
            },
        )
    }

    fn page_visible(&self, p: usize) -> bool {
        if let Some(v) = self.page_memo.borrow().get(p).copied().flatten() {
            return v.unwrap_or(false);
        }
        self.page_memo.borrow_mut()[p] = Some(None);
        let v = match &self.form.pages[p].visible_if {
            _ if self.shown_page == Some(p) => true,
            Some(e) => self.eval_in(e, &[]).truthy(),
            None => true,
        };
        self.page_memo.borrow_mut()[p] = Some(Some(v));
        v
    }

    fn visible(&self, id: FieldId, rows: &[usize]) -> bool {
        if let Some(v) = self.visible_memo.get(id, rows) {
            // A condition that reaches itself is taken as hidden.
            return v.unwrap_or(false);
        }
        self.visible_memo.set(id, rows, None);
        let f = &self.form.fields[id];
        let parent_ok = match f.parent {
            Some(p) => self.visible(p, &rows[..rows.len().saturating_sub(1)]),
            None => self.page_visible(f.page),
        };
        let v = parent_ok && f.conditions.iter().all(|c| self.eval_in(c, rows).truthy());
        self.visible_memo.set(id, rows, Some(v));
        v
    }

    /// The value of a field instance as expressions see it: `Null` when hidden.
    fn value(&self, id: FieldId, rows: &[usize]) -> Value {
        if !self.visible(id, rows) {
            return Value::Null;
        }
        let f = &self.form.fields[id];
        match f.kind {
            FieldType::Computed => self.computed(id, rows),
            FieldType::Repeat => {
                let n = self
                    .rows
                    .get(&instance_path(self.form, id, rows))
                    .copied()
                    .unwrap_or(0);
                Value::List(
                    (0..n)
                        .map(|i| {
                            let mut inner = rows.to_vec();
                            inner.push(i);
                            Value::Row(
                                f.children
                                    .iter()
                                    .map(|&c| {
                                        (
                                            self.form.fields[c].row_key(self.form).to_string(),
                                            self.value(c, &inner),
                                        )
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
            }
            // A field outside repeats has its path as its instance path: no need to build it.
            _ if f.parent.is_none() => self.parsed.get(&f.path).cloned().unwrap_or(Value::Null),
            _ => self
                .parsed
                .get(&instance_path(self.form, id, rows))
                .cloned()
                .unwrap_or(Value::Null),
        }
    }

    fn computed(&self, id: FieldId, rows: &[usize]) -> Value {
        if let Some(v) = self.computed_memo.get(id, rows) {
            return v.unwrap_or(Value::Null);
        }
        self.computed_memo.set(id, rows, None);
        let v = self.form.fields[id]
            .value
            .as_ref()
            .map(|e| self.eval_in(e, rows))
            .unwrap_or(Value::Null);
        self.computed_memo.set(id, rows, Some(v.clone()));
        v
    }

    /// Resolves a canonical reference (`sokande.namn`, `barn[*].alder`, `barn.alder` in a row).
    fn get_canonical(&self, canonical: &str, rows: &[usize]) -> Value {
        // Most references name a field outside any repeat: the walk below would reach it with
        // no rows too, after building every prefix of its path.
        if !canonical.contains('[') {
            if let Some(id) = self.form.field(canonical) {
                if self.form.fields[id].parent.is_none() {
                    return self.value(id, &[]);
                }
            }
        }
        let segments: Vec<(&str, bool)> = canonical
            .split('.')
            .map(|s| match s.strip_suffix("[*]") {
                Some(n) => (n, true),
                None => (s, false),
            })
            .collect();
        self.walk(&segments, 0, String::new(), rows, 0)
    }

    fn walk(
        &self,
        segs: &[(&str, bool)],
        i: usize,
        prefix: String,
        ctx: &[usize],
        depth: usize,
    ) -> Value {
        let path = if prefix.is_empty() {
            segs[i].0.to_string()
        } else {
            format!("{prefix}.{}", segs[i].0)
        };
        let last = i + 1 == segs.len();
        let Some(id) = self.form.field(&path) else {
            return if last {
                Value::Null
            } else {
                self.walk(segs, i + 1, path, ctx, depth)
            };
        };
        let is_repeat = self.form.fields[id].kind == FieldType::Repeat;
        if last {
            return self.value(id, &ctx[..depth.min(ctx.len())]);
        }
        if !is_repeat {
            return self.walk(segs, i + 1, path, ctx, depth);
        }
        let outer = &ctx[..depth.min(ctx.len())];
        if segs[i].1 {
            if !self.visible(id, outer) {
                return Value::List(Vec::new());
            }
            let n = self
                .rows
                .get(&instance_path(self.form, id, outer))
                .copied()
                .unwrap_or(0);
            let items = (0..n)
                .map(|r| {
                    let mut inner = outer.to_vec();
                    inner.push(r);
                    self.walk(segs, i + 1, path.clone(), &inner, depth + 1)
                })
                .collect();
            Value::List(items)
        } else {
            self.walk(segs, i + 1, path, ctx, depth + 1)
        }
    }
}

/// Evaluates the whole form. `today` is what `today()` returns.
pub fn evaluate(form: &Form, answers: &Answers, today: NaiveDate) -> Outcome {
    evaluate_showing(form, answers, today, None)
}

/// [`evaluate`] with page `shown` taken as visible whatever its `visible_if` says: a page
/// asked for by address is drawn, and only its fields' own conditions leave questions out.
/// The same as evaluating a copy of the form without that page's condition, without the copy.
pub fn evaluate_showing(
    form: &Form,
    answers: &Answers,
    today: NaiveDate,
    shown: Option<usize>,
) -> Outcome {
    let st = State::new(form, answers, today, shown);
    let mut out = Outcome {
        page_visible: (0..form.pages.len()).map(|p| st.page_visible(p)).collect(),
        rows: st.rows.clone(),
        ..Default::default()
    };
    for (id, f) in form.fields.iter().enumerate() {
        if f.parent.is_none() {
            collect(&st, id, &[], &mut out);
        }
    }
    for rule in &form.rules {
        let f = &form.fields[rule.field];
        for rows in instances(&st, rule.field) {
            if st.visible(rule.field, &rows) && st.eval_in(&rule.when, &rows).truthy() {
                let path = instance_path(form, rule.field, &rows);
                let list = match rule.severity {
                    crate::ir::RuleSeverity::Error => &mut out.errors,
                    crate::ir::RuleSeverity::Warning => &mut out.warnings,
                };
                if !list.iter().any(|e| e.path == path) {
                    list.push(FieldError {
                        field: rule.field,
                        path,
                        message: rule.message.clone(),
                    });
                }
            }
        }
        let _ = f;
    }
    out.errors.sort_by_key(|e| error_order(form, e));
    out.warnings.sort_by_key(|e| error_order(form, e));
    out.locked = (0..form.fields.len())
        .filter(|&id| super::prefill::is_locked(form, id, st.inloggad.as_ref(), today))
        .collect();
    out
}

/// Where an error stands in the summary: by page, then by the question it belongs to on the
/// page (a repeat's errors together), then row by row, then by field within the row. Paths
/// as text would put `rum[10]` before `rum[2]`, and every row's `namn` before any `yta`.
fn error_order(form: &Form, e: &FieldError) -> (usize, FieldId, Vec<usize>, FieldId) {
    let mut outermost = e.field;
    while let Some(p) = form.fields[outermost].parent {
        outermost = p;
    }
    let rows = e
        .path
        .split('[')
        .skip(1)
        .filter_map(|part| part.split(']').next()?.parse().ok())
        .collect();
    (form.fields[e.field].page, outermost, rows, e.field)
}

/// Every row-index vector at which `field` exists.
fn instances(st: &State, field: FieldId) -> Vec<Vec<usize>> {
    let f = &st.form.fields[field];
    match f.parent {
        None => vec![vec![]],
        Some(p) => instances(st, p)
            .into_iter()
            .flat_map(|outer| {
                let n = st
                    .rows
                    .get(&instance_path(st.form, p, &outer))
                    .copied()
                    .unwrap_or(0);
                (0..n).map(move |i| {
                    let mut v = outer.clone();
                    v.push(i);
                    v
                })
            })
            .collect(),
    }
}

fn collect(st: &State, id: FieldId, rows: &[usize], out: &mut Outcome) {
    let f = &st.form.fields[id];
    let path = instance_path(st.form, id, rows);
    let visible = st.visible(id, rows);
    out.visible.insert(path.clone(), visible);
    let value = st.value(id, rows);
    out.values.insert(path.clone(), value.clone());
    if f.kind == FieldType::Repeat {
        let n = st.rows.get(&path).copied().unwrap_or(0);
        for i in 0..n {
            let mut inner = rows.to_vec();
            inner.push(i);
            for &c in &f.children {
                collect(st, c, &inner, out);
            }
        }
    }
    if !visible || !f.kind.is_input() {
        return;
    }
    let error = match st.parse_errors.get(&path) {
        Some(msg) => Some(msg.clone()),
        None => super::validate::check(
            st.form,
            id,
            &value,
            required(st, id, rows),
            st.today,
            st.rows.get(&path).copied(),
        ),
    };
    if let Some(message) = error {
        out.errors.push(FieldError {
            field: id,
            path,
            message,
        });
    }
}

fn required(st: &State, id: FieldId, rows: &[usize]) -> bool {
    match &st.form.fields[id].required {
        Required::Always => true,
        Required::Never => false,
        Required::When(e) => st.eval_in(e, rows).truthy(),
    }
}
