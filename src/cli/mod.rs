//! Command-line parsing and dispatch.

mod backup;
mod build;
mod check;
mod new;
mod schema;
mod serve;
mod shs;
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
    /// Start a new form or kommun project that passes `check` and `test` as it is.
    New {
        #[command(subcommand)]
        what: new::What,
    },
    /// Serve a kommun project's e-services.
    Serve {
        /// The kommun project (a folder with kommun.yaml), or a library.
        paths: Vec<PathBuf>,
        #[command(flatten)]
        opts: ServeOpts,
    },
    /// Copy the embedded database while the server runs (SQLite; PostgreSQL: pg_dump).
    Backup {
        /// The kommun project, for its blankett.toml (default: the current folder).
        paths: Vec<PathBuf>,
        /// The backup file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        opts: ServeOpts,
    },
    /// Put a backup in place as the database of a new, empty data folder.
    Restore {
        paths: Vec<PathBuf>,
        /// The backup file written by `blankett backup`.
        #[arg(long)]
        from: PathBuf,
        #[command(flatten)]
        opts: ServeOpts,
    },
    /// SHS messages: look inside one.
    Shs {
        #[command(subcommand)]
        command: ShsCommand,
    },
    /// A local SHS test mailbox that plays the kommun's case system.
    ShsMailbox {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8090")]
        listen: String,
        /// Folder for the received messages (raw MIME files named by tx.id) and the replies.
        #[arg(long, default_value = "shs-mailbox")]
        dir: PathBuf,
        /// The token of its delivery service (default: a random one, printed at start).
        #[arg(long)]
        token: Option<String>,
    },
    /// Serve for local development: test e-ID, recompile and reload on every save.
    Dev {
        paths: Vec<PathBuf>,
        #[command(flatten)]
        opts: ServeOpts,
    },
}

#[derive(Subcommand, Debug)]
pub enum ShsCommand {
    /// Print an SHS message's label fields and parts (type, file name, size, SHA-256, the
    /// first lines of XML parts, the case an ERMS/FGS part describes).
    Show {
        /// The message: a MIME file as sent or received.
        file: PathBuf,
        /// The same as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct ServeOpts {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long)]
    listen: Option<String>,
    /// Folder for the embedded database (default ./blankett-data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// PostgreSQL instead of SQLite: postgres://user:password@host/db
    #[arg(long)]
    database: Option<String>,
    /// Configuration file (default: blankett.toml in the project).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Local development mode: the test e-ID provider, cookies without Secure.
    #[arg(long)]
    dev: bool,
    /// Logs as JSON lines.
    #[arg(long)]
    json_logs: bool,
}

impl ServeOpts {
    fn into_args(self, paths: Vec<PathBuf>, dev: bool) -> serve::ServeArgs {
        serve::ServeArgs {
            paths: serve::project_paths(paths),
            listen: self.listen,
            data: self.data,
            database: self.database,
            config: self.config,
            dev: self.dev || dev,
            json_logs: self.json_logs,
        }
    }
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
        Command::New { what } => new::run(what).map(|()| ExitCode::SUCCESS),
        Command::Serve { paths, opts } => serve::run(opts.into_args(paths, false), false),
        Command::Dev { paths, opts } => serve::run(opts.into_args(paths, true), true),
        Command::Backup { paths, to, opts } => {
            backup::backup(opts.into_args(default_paths(paths), false), &to)
        }
        Command::Restore { paths, from, opts } => {
            backup::restore(opts.into_args(default_paths(paths), false), &from)
        }
        Command::Shs {
            command: ShsCommand::Show { file, json },
        } => shs::show(&file, json),
        Command::ShsMailbox { listen, dir, token } => shs::mailbox(&listen, &dir, token),
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
