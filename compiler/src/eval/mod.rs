//! Evaluating a resolved form over answers: visibility, requiredness, computed values, type
//! and domain validation, rule errors. Pure; shared by `blankett test` and the runtime.

pub mod answer;
pub mod expect;
pub mod form;
pub mod prefill;
pub mod signers;
pub mod testing;
pub mod validate;

pub use form::{
    evaluate, evaluate_showing, field_path, instance_path, Answers, FieldError, Outcome,
};
