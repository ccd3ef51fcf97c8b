//! Configuration: `blankett.toml` beside the project (or given with `--config`), then
//! environment variables `BLANKETT_<KEY>` over it, then command-line flags over both.

use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Folder for the SQLite database and the cookie key.
    pub data: PathBuf,
    /// `postgres://…` to use PostgreSQL instead of SQLite.
    pub database: Option<String>,
    /// Local development: the test e-ID provider, cookies without `Secure`.
    pub dev: bool,
    /// Minutes without a request before a session ends.
    pub idle_timeout_minutes: i64,
    /// The largest request body (uploads included), in bytes.
    pub max_request_bytes: usize,
    /// A token that opens the admin pages (`Authorization: Bearer …` or `?token=`).
    pub admin_token: Option<String>,
    /// Retention (gallring) in days: drafts untouched and submissions kept.
    pub retention_draft_days: i64,
    pub retention_submission_days: i64,
    /// Submissions per minute from one session before it is slowed down.
    pub submit_rate_per_minute: u32,
    /// Log-ins per minute from one address.
    pub login_rate_per_minute: u32,
    /// Retention per form id, over the defaults above: `[retention.bygglov] submission_days = 3650`.
    pub retention: std::collections::BTreeMap<String, Retention>,
}

/// How long one form's drafts and submissions are kept, in days.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub draft_days: Option<i64>,
    pub submission_days: Option<i64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("blankett-data"),
            database: None,
            dev: false,
            idle_timeout_minutes: 15,
            max_request_bytes: 25 * 1024 * 1024,
            admin_token: None,
            retention_draft_days: 30,
            retention_submission_days: 365,
            submit_rate_per_minute: 10,
            login_rate_per_minute: 20,
            retention: Default::default(),
        }
    }
}

impl Config {
    /// Reads `path` when it exists, then applies `BLANKETT_*` environment variables.
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        let mut c = match path {
            Some(p) if p.exists() => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
                toml::from_str(&text)
                    .map_err(|e| format!("`{}` is not a valid configuration: {e}", p.display()))?
            }
            Some(p) if p.file_name().is_some_and(|n| n != "blankett.toml") => {
                return Err(format!(
                    "the configuration file `{}` does not exist",
                    p.display()
                ))
            }
            _ => Config::default(),
        };
        c.apply_env(|k| std::env::var(k).ok())?;
        Ok(c)
    }

    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let num = |k: &str, v: String| {
            v.parse::<i64>()
                .map_err(|_| format!("{k} must be a whole number, not `{v}`"))
        };
        if let Some(v) = get("BLANKETT_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = get("BLANKETT_DATA") {
            self.data = v.into();
        }
        if let Some(v) = get("BLANKETT_DATABASE") {
            self.database = Some(v);
        }
        if let Some(v) = get("BLANKETT_ADMIN_TOKEN") {
            self.admin_token = Some(v);
        }
        if let Some(v) = get("BLANKETT_IDLE_TIMEOUT_MINUTES") {
            self.idle_timeout_minutes = num("BLANKETT_IDLE_TIMEOUT_MINUTES", v)?;
        }
        if let Some(v) = get("BLANKETT_RETENTION_DRAFT_DAYS") {
            self.retention_draft_days = num("BLANKETT_RETENTION_DRAFT_DAYS", v)?;
        }
        if let Some(v) = get("BLANKETT_RETENTION_SUBMISSION_DAYS") {
            self.retention_submission_days = num("BLANKETT_RETENTION_SUBMISSION_DAYS", v)?;
        }
        Ok(())
    }

    /// Days to keep `form`'s drafts and submissions.
    pub fn retention_days(&self, form: &str) -> (i64, i64) {
        let r = self.retention.get(form);
        (
            r.and_then(|r| r.draft_days)
                .unwrap_or(self.retention_draft_days),
            r.and_then(|r| r.submission_days)
                .unwrap_or(self.retention_submission_days),
        )
    }

    /// The store's URL: PostgreSQL when configured, else SQLite in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database {
            Some(url) => url.clone(),
            None => self.data.join("blankett.db").display().to_string(),
        }
    }
}
