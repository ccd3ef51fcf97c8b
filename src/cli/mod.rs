//! Command-line parsing and dispatch.

mod build;
mod check;
mod schema;
mod test;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "blankett",
    version,
    about = "Build, share and run municipal e-services from YAML forms"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check forms, libraries and kommun projects; report every problem at once.
    Check {
        /// Files or folders (default: the current folder).
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Run the scenario tests (`tests:`) of every form.
    Test {
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build every output: HTML journey, XSD, JSON Schema, examples, client logic, bundle.
    Build {
        paths: Vec<PathBuf>,
        /// The folder to write to.
        #[arg(short = 'o', long = "out", default_value = "out")]
        out: PathBuf,
    },
    /// Print the JSON Schema of the form language (for editors).
    Schema,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Check { paths, format } => Ok(check::run(&default_paths(paths), format)),
        Command::Test { paths, format } => Ok(test::run(&default_paths(paths), format)),
        Command::Build { paths, out } => build::run(&default_paths(paths), &out),
        Command::Schema => schema::run(),
    }
}

fn default_paths(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths
    }
}

/// Colour only for a person at a terminal who has not asked for none.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
