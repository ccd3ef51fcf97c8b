//! blankett-compiler: form definitions in YAML → a resolved, typed form (IR) → outputs.
//!
//! Phases are modules: [`source`] → [`syntax`] → [`analyse`] → [`ir`]; [`eval`] evaluates a
//! resolved form over answers. Every phase reports [`diagnostic::Diagnostic`]s and never stops
//! at the first problem.

pub mod diagnostic;
pub mod expr;
pub mod source;
