//! The expression language of conditions (`visible_if`, `required`, rules), computed values
//! and mapping templates.
//!
//! One pipeline, four steps: [`parse()`] turns the text of an expression into an [`Expr`] whose
//! every node carries its place in the YAML file; [`check()`] gives it a static [`Type`],
//! resolves its references through a [`TypeEnv`] and reports every problem; [`eval()`]
//! computes its [`Value`] over answers. The JavaScript backend compiles the same semantics,
//! so every rule the evaluator follows is written down in its doc comments and in the book
//! (`book/src/reference/expressions.md`); a change here is a change there.

pub mod ast;
pub mod check;
mod dates;
pub mod eval;
pub mod functions;
pub mod inloggad;
pub mod parse;
pub mod pattern;
mod pnr;
mod syntax_error;
pub mod types;
pub mod value;

pub use ast::{BinOp, Call, Expr, ExprKind, Ref, Segment, UnOp};
pub use check::check;
pub use eval::{eval, ValueEnv};
pub use parse::parse;
pub use types::{Lookup, LookupError, Type, TypeEnv};
pub use value::Value;
