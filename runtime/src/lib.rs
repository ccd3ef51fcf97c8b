pub use blankett_compiler as compiler;
