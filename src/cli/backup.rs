//! `blankett backup` and `blankett restore`: the embedded database, copied while the server runs
//! and put back into a fresh data folder. PostgreSQL has its own tools.

use super::serve::{self, ServeArgs};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn sqlite_file(args: &ServeArgs) -> Result<PathBuf, String> {
    let config = serve::config(args)?;
    if config.database.is_some() {
        return Err("this project uses PostgreSQL: back it up with `pg_dump --format=custom --file=blankett.dump <database URL>` and restore with `pg_restore --dbname=<new database URL> blankett.dump` (see the handbook, Drift → Säkerhetskopiering och återställning)".into());
    }
    Ok(PathBuf::from(config.database_url()))
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Runtime::new().map_err(|e| e.to_string())
}

pub fn backup(args: ServeArgs, to: &Path) -> Result<ExitCode, String> {
    let db = sqlite_file(&args)?;
    let s = runtime()?.block_on(blankett_runtime::store::backup::backup(&db, to))?;
    eprintln!(
        "backed up `{}` to `{}`: {} and {}, checked",
        db.display(),
        to.display(),
        super::plural(s.submissions as usize, "submission", "submissions"),
        super::plural(s.attachments as usize, "attachment", "attachments"),
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: ServeArgs, from: &Path) -> Result<ExitCode, String> {
    let db = sqlite_file(&args)?;
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the data folder `{}`: {e}", dir.display()))?;
    }
    let s = runtime()?.block_on(blankett_runtime::store::backup::restore(from, &db))?;
    eprintln!(
        "restored `{}` into `{}`: {} and {}; serve with the same `--data` to use it",
        from.display(),
        db.display(),
        super::plural(s.submissions as usize, "submission", "submissions"),
        super::plural(s.attachments as usize, "attachment", "attachments"),
    );
    Ok(ExitCode::SUCCESS)
}
