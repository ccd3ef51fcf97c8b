//! What a `use` gives the fragment it places: `required: false`, other `labels` and `hints`
//! for its fields, and the fragment's own `rules`, applied to this use's fields.

use super::resolve::{join, Resolver, Scope};
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::ir::{self, FieldId, Required};
use crate::syntax::model as m;
use std::ops::Range;

impl Resolver<'_> {
    /// Applies a use's parameters to the fields it placed (`placed`, which includes those of
    /// fragments used inside it, so `labels: {adress.postort: …}` reaches into them too).
    pub(super) fn apply_use_params(&mut self, u: &m::UseDef, prefix: &str, placed: Range<FieldId>) {
        if u.required.as_ref().is_some_and(|r| !r.value) {
            for id in placed.clone() {
                let f = &self.form.fields[id];
                // A field the fragment marks itself keeps its own say: "optional unless it says
                // otherwise".
                if f.required == Required::Always && !self.explicit_required.contains(&id) {
                    self.form.fields[id].required = Required::Never;
                }
            }
        }
        for (key, texts) in [("labels", &u.labels), ("hints", &u.hints)] {
            for (id, text) in texts.iter().flat_map(|t| t.0.iter()) {
                let path = join(prefix, &id.value);
                let found = placed.clone().find(|&i| self.form.fields[i].path == path);
                let Some(field) = found else {
                    if !self.is_broken(&path) {
                        self.unknown_use_field(u, prefix, &placed, id, key);
                    }
                    continue;
                };
                let text = self.texts.text(text);
                if key == "labels" {
                    self.form.fields[field].label = text;
                } else {
                    self.form.fields[field].hint = Some(text);
                }
            }
        }
    }

    fn unknown_use_field(
        &mut self,
        u: &m::UseDef,
        prefix: &str,
        placed: &Range<FieldId>,
        id: &m::Sp<String>,
        key: &str,
    ) {
        let own: Vec<String> = placed
            .clone()
            .map(|i| &self.form.fields[i])
            .filter_map(|f| f.path.strip_prefix(&format!("{prefix}.")))
            .map(str::to_string)
            .collect();
        let help = did_you_mean(&id.value, own.iter().map(String::as_str))
            .unwrap_or_else(|| format!("the fragment's fields are: {}", own.join(", ")));
        self.diags.push(
            Diagnostic::error(
                Code::UnknownField,
                format!(
                    "the fragment `{}` has no field `{}` for `{key}`",
                    u.fragment.value, id.value
                ),
            )
            .at(id.span, "no field of the fragment has this id")
            .help(help),
        );
    }

    /// The fragment's `rules:` for this use: `field` and the names in `when` are the
    /// fragment's own, read from where the fragment's fields are (`scope`).
    pub(super) fn fragment_rules<'r>(
        &mut self,
        rules: impl Iterator<Item = &'r m::RuleDef>,
        fragment: &str,
        scope: &Scope,
    ) {
        let prefix = scope.prefixes.first().cloned().unwrap_or_default();
        for rule in rules {
            let path = join(&prefix, &rule.field.value.replace("[*]", ""));
            let field = match self.form.field(&path) {
                Some(id) => Some(id),
                None if self.is_broken(&path) => None,
                None => {
                    let own: Vec<String> = self
                        .form
                        .fields
                        .iter()
                        .filter_map(|f| f.path.strip_prefix(&format!("{prefix}.")))
                        .map(str::to_string)
                        .collect();
                    self.diags.push(
                        Diagnostic::error(
                            Code::UnknownField,
                            format!("unknown field `{}`", rule.field.value),
                        )
                        .at(
                            rule.field.span,
                            format!("the fragment `{fragment}` has no field with this id"),
                        )
                        .help(
                            did_you_mean(&rule.field.value, own.iter().map(String::as_str))
                                .unwrap_or_else(|| {
                                    "a fragment's rule names the fragment's own fields, by id"
                                        .into()
                                }),
                        ),
                    );
                    None
                }
            };
            let when = self.parse_expr(&rule.when);
            let message = self.texts.text(&rule.message);
            if let (Some(field), Some(when)) = (field, when) {
                self.rule_scopes
                    .insert(self.form.rules.len(), scope.clone());
                self.form.rules.push(ir::Rule {
                    when,
                    message,
                    field,
                    severity: rule.severity.as_ref().map(|s| s.value).unwrap_or_default(),
                });
            }
        }
    }
}
