//! Converting texts, and warning where a declared language is missing.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir;
use crate::syntax::model as m;
use std::cell::RefCell;

pub struct Texts<'a> {
    pub languages: &'a [String],
    pub diags: RefCell<Vec<Diagnostic>>,
}

impl<'a> Texts<'a> {
    pub fn new(languages: &'a [String]) -> Self {
        Texts {
            languages,
            diags: RefCell::new(Vec::new()),
        }
    }

    pub fn text(&self, t: &m::Text) -> ir::Text {
        for lang in self.languages {
            // A text with a key that is no language code was reported already, and the key was
            // most likely meant as one of the missing languages.
            if !t.by_lang.contains_key(lang) && !t.by_lang.is_empty() && !t.bad_language {
                self.diags.borrow_mut().push(
                    Diagnostic::warning(Code::MissingTranslation, format!("this text has no `{lang}` version"))
                        .at(t.span, format!("`{lang}` is missing"))
                        .help(format!("the library declares `{lang}`; write the text as a map: {{sv: …, {lang}: …}}")),
                );
            }
        }
        for (lang, v) in &t.by_lang {
            if !self.languages.is_empty() && !self.languages.contains(lang) {
                self.diags.borrow_mut().push(
                    Diagnostic::warning(
                        Code::UnknownLanguage,
                        format!("the library does not declare the language `{lang}`"),
                    )
                    .at(v.span, "not among the library's `languages`")
                    .help(format!(
                        "add `{lang}` to `languages:` in blankett.yaml, or remove this text"
                    )),
                );
            }
        }
        ir::Text(
            t.by_lang
                .iter()
                .map(|(k, v)| (k.clone(), v.value.clone()))
                .collect(),
        )
    }

    pub fn take(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diags.borrow_mut())
    }
}
