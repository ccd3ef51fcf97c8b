//! blankett-compiler: form definitions in YAML → a resolved, typed form (IR) → outputs.
//!
//! Phases are modules: [`source`] → [`syntax`] → [`analyse`] → [`ir`]; [`eval`] evaluates a
//! resolved form over answers, [`expr`] is the expression language and [`domain`] the Swedish
//! domain types. Every phase reports [`diagnostic::Diagnostic`]s and never stops at the first
//! problem.

pub mod analyse;
pub mod backend;
pub mod diagnostic;
pub mod domain;
pub mod eval;
pub mod expr;
pub mod ir;
pub mod source;
pub mod syntax;
