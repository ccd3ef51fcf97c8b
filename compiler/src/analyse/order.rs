//! What a condition may depend on: answers asked before it is decided, and never, directly or
//! through other conditions, the answer of the field it shows or hides.

use super::resolve::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::expr::Expr;
use crate::ir::FieldId;
use crate::ir::FieldType;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

/// Where in `e` the field at `path` is referred to.
fn ref_span(e: &Expr, path: &str) -> Option<Span> {
    e.refs()
        .into_iter()
        .find(|r| {
            r.resolved
                .as_deref()
                .map(|c| c.replace("[*]", ""))
                .as_deref()
                == Some(path)
        })
        .and_then(|r| {
            let first = r.segments.first()?.span;
            Some(first.to(r.segments.last().map_or(first, |l| l.span)))
        })
}

impl Resolver<'_> {
    /// The questions a reference to `d` depends on: `d` itself, or for a computed field
    /// (which is asked nowhere) the questions its value is computed from, transitively.
    fn asked(&self, d: FieldId) -> Vec<FieldId> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![d];
        while let Some(f) = stack.pop() {
            if !seen.insert(f) {
                continue;
            }
            if self.form.fields[f].kind == FieldType::Computed {
                stack.extend(self.value_deps.get(&f).into_iter().flatten().copied());
            } else {
                out.push(f);
            }
        }
        out
    }

    /// A condition may only depend on what was asked before it was shown.
    pub fn forward_refs(&mut self, e: &Expr, deps: &[FieldId], page: usize, is_page: bool) {
        let mut reported = BTreeSet::new();
        for &d in deps {
            for asked in self.asked(d) {
                let dep = &self.form.fields[asked];
                let later = if is_page {
                    dep.page >= page
                } else {
                    dep.page > page
                };
                if !later || !reported.insert(asked) {
                    continue;
                }
                let where_ = if dep.page == page {
                    "on this same page".to_string()
                } else {
                    format!("on the later page `{}`", self.form.pages[dep.page].id)
                };
                let through = if asked == d {
                    String::new()
                } else {
                    format!(" through the computed field `{}`", self.form.fields[d].path)
                };
                let span = ref_span(e, &self.form.fields[d].path).unwrap_or(e.span);
                self.diags.push(
                    Diagnostic::error(Code::ForwardReference, format!("this condition depends on `{}`{through}, which is asked {where_}", dep.path))
                        .at(span, "not answered yet when this is decided")
                        .also(dep.span, "asked here")
                        .help(if is_page {
                            "a page's condition can only use answers from earlier pages; move the question to an earlier page"
                        } else {
                            "move the question to this page or an earlier one, or put the condition on a later field"
                        }),
                );
            }
        }
    }

    /// A field is shown when its conditions hold, and a hidden field has no answer: a
    /// condition that needs the field's own answer, directly or through other fields'
    /// conditions or computed values, decides nothing (the evaluator takes it as hidden).
    pub fn condition_cycles(&mut self) {
        let mut edges: BTreeMap<FieldId, Vec<FieldId>> = BTreeMap::new();
        for (&f, deps) in &self.condition_deps {
            edges.entry(f).or_default().extend(deps);
        }
        for (&f, deps) in &self.value_deps {
            edges.entry(f).or_default().extend(deps);
        }
        let mut state: BTreeMap<FieldId, u8> = BTreeMap::new();
        let mut reported: BTreeSet<FieldId> = BTreeSet::new();
        let starts: Vec<FieldId> = self.condition_deps.keys().copied().collect();
        for f in starts {
            let mut stack = Vec::new();
            self.cycle_from(f, &edges, &mut state, &mut stack, &mut reported);
        }
    }

    fn cycle_from(
        &mut self,
        f: FieldId,
        edges: &BTreeMap<FieldId, Vec<FieldId>>,
        state: &mut BTreeMap<FieldId, u8>,
        stack: &mut Vec<FieldId>,
        reported: &mut BTreeSet<FieldId>,
    ) {
        match state.get(&f) {
            Some(2) => return,
            Some(1) => {
                let start = stack.iter().position(|&s| s == f).unwrap_or(0);
                let cycle = stack[start..].to_vec();
                // A circle of computed values alone is a computed cycle, reported as such.
                let through_condition = cycle.iter().enumerate().any(|(i, c)| {
                    let next = cycle[(i + 1) % cycle.len()];
                    self.condition_deps
                        .get(c)
                        .is_some_and(|d| d.contains(&next))
                });
                if through_condition && cycle.iter().any(|c| !reported.contains(c)) {
                    self.report_condition_cycle(&cycle);
                }
                reported.extend(cycle);
                return;
            }
            _ => {}
        }
        state.insert(f, 1);
        stack.push(f);
        let mut next: Vec<FieldId> = edges.get(&f).cloned().unwrap_or_default();
        next.sort();
        next.dedup();
        for n in next {
            self.cycle_from(n, edges, state, stack, reported);
        }
        stack.pop();
        state.insert(f, 2);
    }

    /// Where `from`'s condition (or computed value) refers to `to`.
    fn edge_span(&self, from: FieldId, to: FieldId) -> Span {
        let f = &self.form.fields[from];
        let path = &self.form.fields[to].path;
        f.conditions
            .iter()
            .chain(f.value.as_ref())
            .find_map(|e| ref_span(e, path))
            .unwrap_or(f.span)
    }

    fn report_condition_cycle(&mut self, cycle: &[FieldId]) {
        let name = |id: FieldId| format!("`{}`", self.form.fields[id].path);
        let first = cycle[0];
        let next = |i: usize| cycle[(i + 1) % cycle.len()];
        let (message, label) = if cycle.len() == 1 {
            (
                format!(
                    "the condition of {} depends on {} itself",
                    name(first),
                    name(first)
                ),
                "the field's own answer".to_string(),
            )
        } else {
            let names: Vec<String> = cycle.iter().map(|&c| name(c)).collect();
            (
                format!(
                    "the conditions of {} depend on each other",
                    names.join(" and ")
                ),
                format!("{} depends on {} here", name(first), name(next(0))),
            )
        };
        let mut d = Diagnostic::error(Code::ConditionCycle, message)
            .at(self.edge_span(first, next(0)), label);
        for (i, &c) in cycle.iter().enumerate().skip(1) {
            d = d.also(
                self.edge_span(c, next(i)),
                format!("{} depends on {} here", name(c), name(next(i))),
            );
        }
        let chain: Vec<String> = cycle.iter().chain([&first]).map(|&c| name(c)).collect();
        let why = if cycle.len() == 1 {
            "whether a field is shown cannot depend on its own answer, since a hidden field has no answer".to_string()
        } else {
            format!(
                "whether these fields are shown depends in a circle ({})",
                chain.join(" → ")
            )
        };
        self.diags.push(d.help(format!(
            "{why}; make the condition use a question asked before the field"
        )));
    }
}
