//! The `blankett` command: a thin layer over the compiler and the runtime.
//! Only this crate prints and chooses exit codes.

mod cli;

/// mimalloc instead of the system allocator: compiling, building and serving make many small,
/// short-lived allocations, and glibc's malloc spent about a quarter of a build's time in
/// itself (benches/build_many, `perf`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
