//! blankett-compiler: form definitions in YAML → a resolved, typed form (IR) → outputs.
//!
//! Phases are modules: [`source`] → [`syntax`] → [`analyse`] → [`ir`] → [`backend`]; [`eval`]
//! evaluates a resolved form over answers, [`expr`] is the expression language and [`domain`]
//! the Swedish domain types. Every phase reports [`diagnostic::Diagnostic`]s and never stops at
//! the first problem. [`compile`] runs analysis with the backends' checks: analysis and the
//! backends share the types of [`ir`] and do not import each other.

pub mod analyse;
pub mod backend;
pub mod diagnostic;
pub mod domain;
pub mod eval;
pub mod expr;
pub mod ir;
pub mod source;
pub mod syntax;

use std::path::PathBuf;

/// Compiles the forms, libraries and kommun projects found at `paths`, with the diagnostics of
/// analysis and of the backends' checks of each resolved form.
pub fn compile(fs: &dyn source::FileSystem, paths: &[PathBuf]) -> ir::Compilation {
    let checks = analyse::Checks {
        mapping: backend::mapping::check,
    };
    analyse::run(fs, paths, &checks)
}
