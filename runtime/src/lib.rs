//! blankett-runtime: serves compiled forms, stores submissions durably and (later) delivers them.

pub mod store;

pub use blankett_compiler as compiler;
