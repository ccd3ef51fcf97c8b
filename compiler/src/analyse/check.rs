//! Checking a resolved form's expressions: names, types, computed cycles, forward references.

use super::conditions::Written;
use super::resolve::{Resolver, Scope};
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::{self, Expr, Lookup, LookupError, Ref, Type, TypeEnv};
use crate::ir::FieldType;
use crate::ir::{FieldId, Form, Required};
use std::collections::{BTreeMap, BTreeSet};

/// The expression type of a field's answer.
pub fn field_type(form: &Form, id: FieldId, computed: &BTreeMap<FieldId, Type>) -> Option<Type> {
    let f = &form.fields[id];
    Some(match f.kind {
        FieldType::Text
        | FieldType::Textarea
        | FieldType::Email
        | FieldType::Phone
        | FieldType::Postnummer
        | FieldType::Personnummer
        | FieldType::Orgnummer
        | FieldType::Fastighetsbeteckning
        | FieldType::Choice => Type::Text,
        FieldType::Integer | FieldType::Decimal | FieldType::Money => Type::Number,
        FieldType::Date => Type::Date,
        FieldType::YesNo | FieldType::Consent => Type::Bool,
        FieldType::MultiChoice => Type::List(Box::new(Type::Text)),
        FieldType::File if f.max_files > 1 => Type::list(Type::File),
        FieldType::File => Type::File,
        FieldType::Position => Type::Position,
        FieldType::Repeat => Type::List(Box::new(Type::Row)),
        FieldType::Computed => computed.get(&id).cloned().unwrap_or(Type::Any),
        FieldType::Info => return None,
    })
}

/// Name resolution for one expression's scope.
pub struct Env<'a> {
    pub form: &'a Form,
    pub scope: &'a Scope,
    pub computed: &'a BTreeMap<FieldId, Type>,
    /// Fields and fragment uses whose mistake was reported; see [`Resolver::broken`].
    pub broken: &'a BTreeSet<String>,
    /// Every field the expression referred to (for dependency graphs).
    pub seen: std::cell::RefCell<Vec<FieldId>>,
}

impl Env<'_> {
    /// The repeats enclosing the scope's row, innermost first.
    fn rows(&self) -> Vec<FieldId> {
        let mut out = Vec::new();
        let mut r = self.scope.row;
        while let Some(id) = r {
            out.push(id);
            r = self.form.fields[id].parent;
        }
        out
    }

    fn resolve_from(&self, prefix: &str, r: &Ref) -> Option<Result<Lookup, LookupError>> {
        let names: Vec<&str> = r.segments.iter().map(|s| s.name.as_str()).collect();
        let path = super::resolve::join(prefix, &names.join("."));
        let id = self.form.field(&path)?;
        self.seen.borrow_mut().push(id);
        let rows = self.rows();
        // Walk the path's repeats: outside a row a repeat must be traversed with [*].
        let mut list = false;
        let mut cur = String::new();
        let prefix_depth = if prefix.is_empty() {
            0
        } else {
            prefix.split('.').count()
        };
        let mut canonical = prefix.to_string();
        for (i, seg) in r.segments.iter().enumerate() {
            cur = super::resolve::join(if i == 0 { prefix } else { &cur }, &seg.name);
            canonical = super::resolve::join(&canonical, &seg.name);
            let Some(fid) = self.form.field(&cur) else {
                continue;
            };
            let is_repeat = self.form.fields[fid].kind == FieldType::Repeat;
            let last = i + 1 == r.segments.len();
            if is_repeat && seg.all && !last && rows.contains(&fid) {
                let rest: Vec<&str> = r.segments[i + 1..]
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect();
                return Some(Err(LookupError::OwnRowThroughStar {
                    repeat: seg.name.clone(),
                    field: rest.join("."),
                }));
            }
            if is_repeat && !last && !rows.contains(&fid) {
                if !seg.all {
                    return Some(Err(LookupError::NotAValue {
                        why: format!(
                            "`{}` is a repeat: write `{}[*]` to mean the list over all its rows",
                            seg.name, seg.name
                        ),
                    }));
                }
                list = true;
                canonical.push_str("[*]");
            } else if seg.all && !is_repeat {
                return Some(Err(LookupError::NotAValue {
                    why: format!("`{}` is not a repeat; remove `[*]`", seg.name),
                }));
            } else if seg.all {
                canonical.push_str("[*]");
            }
        }
        let _ = prefix_depth;
        let f = &self.form.fields[id];
        let Some(ty) = field_type(self.form, id, self.computed) else {
            return Some(Err(LookupError::NotAValue {
                why: format!("`{path}` is an info text, which has no value"),
            }));
        };
        let ty = if list { Type::List(Box::new(ty)) } else { ty };
        let choices =
            (!f.choices.is_empty()).then(|| f.choices.iter().map(|c| c.value.clone()).collect());
        Some(Ok(Lookup {
            ty,
            canonical,
            choices,
        }))
    }
}

impl TypeEnv for Env<'_> {
    fn lookup(&self, r: &Ref) -> Result<Lookup, LookupError> {
        // Reserved: no field may be called `inloggad`, so nothing is shadowed here.
        if let Some(found) = crate::expr::inloggad::lookup(r) {
            return found;
        }
        // Inside a repeat row, the row's own fields come first.
        let mut prefixes: Vec<String> = self
            .rows()
            .iter()
            .map(|&id| self.form.fields[id].path.clone())
            .collect();
        prefixes.extend(self.scope.prefixes.iter().cloned());
        for p in &prefixes {
            if let Some(found) = self.resolve_from(p, r) {
                return found;
            }
        }
        let wanted = r
            .segments
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        // A field whose own definition has a mistake exists: it is not unknown, and its type
        // is not known, so it fits anywhere rather than causing a second message.
        for p in &prefixes {
            let path = super::resolve::join(p, &wanted);
            if super::resolve::is_broken(self.broken, &path) {
                return Ok(Lookup {
                    ty: Type::Any,
                    canonical: path,
                    choices: None,
                });
            }
        }
        let local: Vec<String> = self
            .form
            .fields
            .iter()
            .filter(|f| f.kind != FieldType::Info)
            .flat_map(|f| {
                prefixes.iter().filter_map(move |p| {
                    if p.is_empty() {
                        Some(f.path.clone())
                    } else {
                        f.path.strip_prefix(&format!("{p}.")).map(str::to_string)
                    }
                })
            })
            .collect();
        let suggestion = crate::diagnostic::closest(&wanted, local.iter().map(String::as_str))
            .map(str::to_string);
        Err(LookupError::Unknown { suggestion })
    }
}

impl Resolver<'_> {
    /// Type-checks every expression and reports cycles and forward references.
    pub fn check_expressions(&mut self) {
        let computed = self.check_computed();
        let mut warned = BTreeSet::new();
        for p in 0..self.form.pages.len() {
            if let Some(mut e) = self.form.pages[p].visible_if.take() {
                let deps = self.check_one(
                    &mut e,
                    &self.page_scope.clone(),
                    Some(&Type::Bool),
                    &computed,
                );
                self.forward_refs(&e, &deps, p, true);
                self.constant_condition(&e, Written::PageVisibleIf, &mut warned);
                if matches!(e.kind, expr::ExprKind::Bool(false)) {
                    self.diags.push(
                        Diagnostic::warning(
                            Code::UnreachablePage,
                            format!("the page `{}` is never shown", self.form.pages[p].id),
                        )
                        .at(e.span, "this condition is always false")
                        .help("remove the page, or give it a condition that can be true"),
                    );
                }
                self.form.pages[p].visible_if = Some(e);
            }
        }
        for id in 0..self.form.fields.len() {
            let scope = self.scopes[id].clone();
            let conds = std::mem::take(&mut self.form.fields[id].conditions);
            let mut checked = Vec::new();
            for mut c in conds {
                let deps = self.check_one(&mut c, &scope, Some(&Type::Bool), &computed);
                self.forward_refs(&c, &deps, self.form.fields[id].page, false);
                self.constant_condition(&c, Written::VisibleIf, &mut warned);
                self.condition_deps.entry(id).or_default().extend(deps);
                checked.push(c);
            }
            self.form.fields[id].conditions = checked;
            if let Required::When(e) = &self.form.fields[id].required {
                let mut e = e.clone();
                let deps = self.check_one(&mut e, &scope, Some(&Type::Bool), &computed);
                self.forward_refs(&e, &deps, self.form.fields[id].page, false);
                self.constant_condition(&e, Written::Required, &mut warned);
                self.required_on_itself(id, &e, &deps);
                self.form.fields[id].required = Required::When(e);
            }
        }
        for r in 0..self.form.rules.len() {
            let mut e = self.form.rules[r].when.clone();
            let field = self.form.rules[r].field;
            let scope = self.rule_scopes.get(&r).cloned().unwrap_or(Scope {
                prefixes: vec![String::new()],
                row: self.form.fields[field].parent,
            });
            self.check_one(&mut e, &scope, Some(&Type::Bool), &computed);
            self.form.rules[r].when = e;
        }
        for (&id, ty) in &computed {
            self.form.fields[id].computed_type = Some(ty.clone());
        }
        self.computed_types = computed;
        self.condition_cycles();
    }

    pub fn check_one(
        &mut self,
        e: &mut Expr,
        scope: &Scope,
        expected: Option<&Type>,
        computed: &BTreeMap<FieldId, Type>,
    ) -> Vec<FieldId> {
        let env = Env {
            form: &self.form,
            scope,
            computed,
            broken: &self.broken,
            seen: Default::default(),
        };
        let mut diags = Vec::new();
        expr::check(e, &env, expected, &mut diags);
        self.diags.extend(diags);
        env.seen.into_inner()
    }

    /// Computed fields in dependency order, with their types; a cycle is an error.
    fn check_computed(&mut self) -> BTreeMap<FieldId, Type> {
        let ids: Vec<FieldId> = (0..self.form.fields.len())
            .filter(|&i| self.form.fields[i].value.is_some())
            .collect();
        let mut deps: BTreeMap<FieldId, Vec<FieldId>> = BTreeMap::new();
        for &id in &ids {
            let mut e = self.form.fields[id]
                .value
                .clone()
                .unwrap_or_else(unreachable_expr);
            let scope = self.scopes[id].clone();
            let env = Env {
                form: &self.form,
                scope: &scope,
                computed: &BTreeMap::new(),
                broken: &self.broken,
                seen: Default::default(),
            };
            let mut sink = Vec::new();
            expr::check(&mut e, &env, None, &mut sink);
            let seen = env.seen.into_inner();
            deps.insert(
                id,
                seen.iter().copied().filter(|d| ids.contains(d)).collect(),
            );
            self.value_deps.insert(id, seen);
        }
        let mut order = Vec::new();
        let mut state: BTreeMap<FieldId, u8> = BTreeMap::new();
        let mut reported = BTreeSet::new();
        for &id in &ids {
            self.visit(
                id,
                &deps,
                &mut state,
                &mut order,
                &mut Vec::new(),
                &mut reported,
            );
        }
        let mut types = BTreeMap::new();
        for id in order {
            let Some(mut e) = self.form.fields[id].value.take() else {
                continue;
            };
            let scope = self.scopes[id].clone();
            let env = Env {
                form: &self.form,
                scope: &scope,
                computed: &types,
                broken: &self.broken,
                seen: Default::default(),
            };
            let mut diags = Vec::new();
            let ty = if reported.contains(&id) {
                Type::Any
            } else {
                expr::check(&mut e, &env, None, &mut diags)
            };
            self.diags.extend(diags);
            types.insert(id, ty);
            self.form.fields[id].value = Some(e);
        }
        types
    }

    fn visit(
        &mut self,
        id: FieldId,
        deps: &BTreeMap<FieldId, Vec<FieldId>>,
        state: &mut BTreeMap<FieldId, u8>,
        order: &mut Vec<FieldId>,
        stack: &mut Vec<FieldId>,
        reported: &mut BTreeSet<FieldId>,
    ) {
        match state.get(&id) {
            Some(2) => return,
            Some(1) => {
                let start = stack.iter().position(|&s| s == id).unwrap_or(0);
                let cycle: Vec<FieldId> = stack[start..].to_vec();
                // A second circle through a field already reported is a second mistake (fixing
                // one circle leaves the other), so it is reported unless all of it was.
                if cycle.iter().any(|c| !reported.contains(c)) {
                    self.report_computed_cycle(id, &cycle);
                }
                reported.extend(cycle);
                return;
            }
            _ => {}
        }
        state.insert(id, 1);
        stack.push(id);
        for &d in deps.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
            self.visit(d, deps, state, order, stack, reported);
        }
        stack.pop();
        state.insert(id, 2);
        order.push(id);
    }
}

impl Resolver<'_> {
    /// One diagnostic per field the circles start from: a second circle through the same
    /// field joins the first one's message, since one change to that value may break both.
    fn report_computed_cycle(&mut self, id: FieldId, cycle: &[FieldId]) {
        let names: Vec<String> = cycle
            .iter()
            .chain(std::iter::once(&id))
            .map(|&c| format!("`{}`", self.form.fields[c].path))
            .collect();
        let f = &self.form.fields[id];
        let at = f.value.as_ref().map(|v| v.span).unwrap_or(f.span);
        let labels: Vec<(crate::source::Span, String)> = cycle[1..]
            .iter()
            .map(|&c| {
                let cf = &self.form.fields[c];
                let span = cf.value.as_ref().map(|v| v.span).unwrap_or(cf.span);
                (span, format!("`{}` is part of the circle", cf.path))
            })
            .collect();
        let circle = names.join(" → ");
        let existing = self.diags.iter_mut().find(|d| {
            d.code == Code::ComputedCycle && d.primary.as_ref().is_some_and(|p| p.span == at)
        });
        if let Some(d) = existing {
            for (span, label) in labels {
                if !d.secondary.iter().any(|l| l.span == span) {
                    d.secondary.push(crate::diagnostic::Label {
                        span,
                        message: label,
                    });
                }
            }
            let help = d.help.take().unwrap_or_default();
            d.help = Some(format!("{help}, and the circle {circle}"));
            return;
        }
        let mut d = Diagnostic::error(
            Code::ComputedCycle,
            format!("the computed field `{}` depends on itself", f.path),
        )
        .at(at, "this value needs itself to be computed")
        .help(format!("break the circle {circle}"));
        for (span, label) in labels {
            d = d.also(span, label);
        }
        self.diags.push(d);
    }
}

fn unreachable_expr() -> Expr {
    Expr {
        kind: expr::ExprKind::Bool(true),
        span: Default::default(),
    }
}
