//! Stop pages (`end: true`): the journey ends where one is shown, so it only tells.

use super::resolve::Resolver;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::FieldType;
use crate::syntax::model as m;

/// A question on a stop page could never be answered: nothing is posted from it.
pub fn check(r: &mut Resolver, pages: &[m::PageDef]) {
    for (p, def) in pages.iter().enumerate() {
        let Some(end) = def.end.as_ref().filter(|e| e.value) else {
            continue;
        };
        let asking: Vec<usize> = r
            .form
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.page == p && f.parent.is_none() && f.kind != FieldType::Info)
            .map(|(i, _)| i)
            .collect();
        for id in asking {
            let f = &r.form.fields[id];
            r.diags.push(
                Diagnostic::error(
                    Code::QuestionOnStopPage,
                    format!(
                        "the stop page `{}` has the {} field `{}`",
                        def.id.value,
                        f.kind.name(),
                        f.path
                    ),
                )
                .at(f.span, "a stop page asks nothing: the journey ends on it")
                .also(end.span, "a stop page")
                .help("keep only `info` fields on a stop page, and move this question to a page of its own"),
            );
        }
    }
}
