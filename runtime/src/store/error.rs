//! What can go wrong in the store, sorted by what a caller does about it.

/// A store operation failed. The database's own error is kept as the source.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached, is overloaded or is shutting down: the same request may
    /// work in a moment (HTTP 503).
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A row with the same unique key is stored already (`constraint` names the key when the
    /// database says which): a second reference with the same number, an e-ID order, an
    /// invitation or an attachment id used twice.
    #[error("already stored ({}): {source}", constraint.as_deref().unwrap_or("a unique key"))]
    Duplicate {
        constraint: Option<String>,
        #[source]
        source: sqlx::Error,
    },
    /// A stored value does not read as its type: a status or time no version of blankett wrote.
    #[error("a stored value cannot be read: {0}")]
    Corrupt(#[source] sqlx::Error),
    /// The schema could not be brought up to date when the store was opened.
    #[error("the database schema cannot be migrated: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other error of the database (a bug in a statement, a full disk, a permission).
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// Whether trying again later may work: the caller answers 503 (or retries), not 500.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }

    /// Whether a unique key was already taken.
    pub fn is_duplicate(&self) -> bool {
        matches!(self, StoreError::Duplicate { .. })
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match &e {
            E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => {
                StoreError::Unavailable(e)
            }
            E::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                constraint: db.constraint().map(str::to_string),
                source: e,
            },
            E::Database(db) if transient(db.code().as_deref()) => StoreError::Unavailable(e),
            E::ColumnDecode { .. } | E::Decode(_) | E::ColumnNotFound(_) => StoreError::Corrupt(e),
            _ => StoreError::Database(e),
        }
    }
}

/// Database error codes that pass: SQLite's busy and locked (another writer held the file
/// past `busy_timeout`), PostgreSQL's connection errors (class 08), too many connections,
/// shutting down, and serialization failures and deadlocks (the transaction may be retried).
fn transient(code: Option<&str>) -> bool {
    let Some(code) = code else { return false };
    matches!(
        code,
        "5" | "6"
            | "261"
            | "262"
            | "517"
            | "773"
            | "53300"
            | "57P01"
            | "57P02"
            | "57P03"
            | "40001"
            | "40P01"
    ) || code.starts_with("08")
}

/// A word in a fixed-set column (`text_enum!`) that is not one of the set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}
