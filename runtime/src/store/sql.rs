//! The SQL implementations. SQLite and PostgreSQL share every statement: statements are written
//! with `$1…$n` and SQLite's copy turns them into its numbered `?1…?n`.

use super::delivery::{delivery_impl, insert_delivery_jobs, job_row};
use super::invitation::{invitation_impl, mail_row};
use super::*;
use sqlx::Row;

const SQLITE_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_outbox.sql")),
    (
        4,
        include_str!("../../migrations/sqlite/0004_signatures.sql"),
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_invitation_mails.sql"),
    ),
];
const POSTGRES_MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (2, include_str!("../../migrations/postgres/0002_outbox.sql")),
    (
        4,
        include_str!("../../migrations/postgres/0004_signatures.sql"),
    ),
    (
        7,
        include_str!("../../migrations/postgres/0007_invitation_mails.sql"),
    ),
];

/// Reads go to `pool`; writes to `writer`, which has one connection. SQLite lets one writer in
/// at a time: with one connection, writers wait their turn in order in the process instead of
/// each retrying the file lock (`busy_timeout` sleeps of up to 100 ms, the worst of a latency
/// tail under load). Readers never wait for the writer (WAL).
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
    writer: sqlx::SqlitePool,
}

pub struct PgStore {
    pool: sqlx::PgPool,
    /// The same pool: PostgreSQL has no single-writer limit.
    writer: sqlx::PgPool,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self> {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        use std::str::FromStr;
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a receipt is shown only after the submission is on disk, power loss included.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(std::time::Duration::from_secs(10))
            .foreign_keys(true);
        // A local file needs no liveness check before each use (sqlx's default pings the
        // connection's worker thread first: a round trip per query).
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        // An in-memory database exists once per connection: there, one pool does both.
        let pool = if path.contains(":memory:") || path.contains("mode=memory") {
            writer.clone()
        } else {
            SqlitePoolOptions::new()
                .max_connections(8)
                .test_before_acquire(false)
                .connect_with(opts)
                .await?
        };
        let store = SqliteStore { pool, writer };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS blankett_migrations (version INTEGER PRIMARY KEY)",
        )
        .execute(&self.writer)
        .await?;
        for (version, sql) in SQLITE_MIGRATIONS {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM blankett_migrations WHERE version = ?1")
                    .bind(version)
                    .fetch_optional(&self.writer)
                    .await?;
            if done.is_none() {
                let mut tx = self.writer.begin().await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO blankett_migrations (version) VALUES (?1)")
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self> {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        let store = PgStore {
            writer: pool.clone(),
            pool,
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        // Several instances may start at once: one migrates, the others wait on the lock.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(4242)")
            .execute(&mut *tx)
            .await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS blankett_migrations (version BIGINT PRIMARY KEY)",
        )
        .execute(&mut *tx)
        .await?;
        for (version, sql) in POSTGRES_MIGRATIONS {
            let done: Option<i64> =
                sqlx::query_scalar("SELECT version FROM blankett_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            if done.is_none() {
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO blankett_migrations (version) VALUES ($1)")
                    .bind(version)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

/// SQLite has one writer (one connection), so a claim needs no row locks: the clause
/// PostgreSQL uses to let instances skip each other's rows is dropped.
fn sqlite_sql(s: &str) -> String {
    s.replace(" FOR UPDATE SKIP LOCKED", "").replace('$', "?")
}

fn pg_sql(s: &str) -> String {
    s.to_string()
}

const SESSION_COLS: &str = "id, person_pnr, person_name, csrf, created_at, last_seen_at";
const DRAFT_COLS: &str =
    "id, owner, kommun, form, form_hash, answers, page, created_at, updated_at";
const SUBMISSION_COLS: &str =
    "id, reference, draft_id, owner, kommun, form, form_version, form_hash, answers, xml, json, status, case_number, submitted_at";
const SIGNATURE_COLS: &str =
    "id, submission_id, role, signer_pnr, signer_name, digest, signature, ocsp_response, signed_at";
const ATTACHMENT_COLS: &str =
    "id, owner, draft_id, submission_id, field_path, filename, mime, size, sha256, created_at";

macro_rules! row_to {
    (Session, $r:expr) => {
        Session {
            id: $r.try_get("id")?,
            person_pnr: $r.try_get("person_pnr")?,
            person_name: $r.try_get("person_name")?,
            csrf: $r.try_get("csrf")?,
            created_at: $r.try_get("created_at")?,
            last_seen_at: $r.try_get("last_seen_at")?,
        }
    };
    (Draft, $r:expr) => {
        Draft {
            id: $r.try_get("id")?,
            owner: $r.try_get("owner")?,
            kommun: $r.try_get("kommun")?,
            form: $r.try_get("form")?,
            form_hash: $r.try_get("form_hash")?,
            answers: $r.try_get("answers")?,
            page: $r.try_get("page")?,
            created_at: $r.try_get("created_at")?,
            updated_at: $r.try_get("updated_at")?,
        }
    };
    (Submission, $r:expr) => {
        Submission {
            id: $r.try_get("id")?,
            reference: $r.try_get("reference")?,
            draft_id: $r.try_get("draft_id")?,
            owner: $r.try_get("owner")?,
            kommun: $r.try_get("kommun")?,
            form: $r.try_get("form")?,
            form_version: $r.try_get("form_version")?,
            form_hash: $r.try_get("form_hash")?,
            answers: $r.try_get("answers")?,
            xml: $r.try_get("xml")?,
            json: $r.try_get("json")?,
            status: $r.try_get("status")?,
            case_number: $r.try_get("case_number")?,
            submitted_at: $r.try_get("submitted_at")?,
        }
    };
    (EidOrder, $r:expr) => {
        EidOrder {
            id: $r.try_get("id")?,
            session_id: $r.try_get("session_id")?,
            kind: $r.try_get("kind")?,
            data: $r.try_get("data")?,
            created_at: $r.try_get("created_at")?,
        }
    };
    (Signature, $r:expr) => {
        Signature {
            id: $r.try_get("id")?,
            submission_id: $r.try_get("submission_id")?,
            role: $r.try_get("role")?,
            signer_pnr: $r.try_get("signer_pnr")?,
            signer_name: $r.try_get("signer_name")?,
            digest: $r.try_get("digest")?,
            signature: $r.try_get("signature")?,
            ocsp_response: $r.try_get("ocsp_response")?,
            signed_at: $r.try_get("signed_at")?,
        }
    };
    (Cosigner, $r:expr) => {
        Cosigner {
            submission_id: $r.try_get("submission_id")?,
            pnr: $r.try_get("pnr")?,
            invite: $r.try_get("invite")?,
            deadline: $r.try_get("deadline")?,
        }
    };
    (Attachment, $r:expr) => {
        Attachment {
            id: $r.try_get("id")?,
            owner: $r.try_get("owner")?,
            draft_id: $r.try_get("draft_id")?,
            submission_id: $r.try_get("submission_id")?,
            field_path: $r.try_get("field_path")?,
            filename: $r.try_get("filename")?,
            mime: $r.try_get("mime")?,
            size: $r.try_get("size")?,
            sha256: $r.try_get("sha256")?,
            created_at: $r.try_get("created_at")?,
        }
    };
}

/// One implementation, instantiated for each database: the statements are the same text.
macro_rules! sql_store {
    ($store:ident, $sql:ident) => {
        #[async_trait]
        impl Store for $store {
            async fn put_session(&self, s: &Session) -> Result<()> {
                let q = $sql(&format!(
                    "INSERT INTO sessions ({SESSION_COLS}) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (id) DO UPDATE SET person_pnr = excluded.person_pnr, person_name = excluded.person_name,
                     csrf = excluded.csrf, last_seen_at = excluded.last_seen_at"
                ));
                sqlx::query(&q)
                    .bind(&s.id)
                    .bind(&s.person_pnr)
                    .bind(&s.person_name)
                    .bind(&s.csrf)
                    .bind(&s.created_at)
                    .bind(&s.last_seen_at)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }
            async fn session(&self, id: &str) -> Result<Option<Session>> {
                let q = $sql(&format!("SELECT {SESSION_COLS} FROM sessions WHERE id = $1"));
                let row = sqlx::query(&q).bind(id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(Session, r)),
                    None => None,
                })
            }
            async fn delete_session(&self, id: &str) -> Result<()> {
                sqlx::query(&$sql("DELETE FROM sessions WHERE id = $1")).bind(id).execute(&self.writer).await?;
                Ok(())
            }

            async fn put_draft(&self, d: &Draft) -> Result<()> {
                let q = $sql(&format!(
                    "INSERT INTO drafts ({DRAFT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (id) DO UPDATE SET answers = excluded.answers, page = excluded.page,
                     form_hash = excluded.form_hash, updated_at = excluded.updated_at"
                ));
                sqlx::query(&q)
                    .bind(&d.id)
                    .bind(&d.owner)
                    .bind(&d.kommun)
                    .bind(&d.form)
                    .bind(&d.form_hash)
                    .bind(&d.answers)
                    .bind(&d.page)
                    .bind(&d.created_at)
                    .bind(&d.updated_at)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }
            async fn draft(&self, id: &str) -> Result<Option<Draft>> {
                let q = $sql(&format!("SELECT {DRAFT_COLS} FROM drafts WHERE id = $1"));
                let row = sqlx::query(&q).bind(id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(Draft, r)),
                    None => None,
                })
            }
            async fn drafts_of(&self, owner: &str) -> Result<Vec<Draft>> {
                let q = $sql(&format!("SELECT {DRAFT_COLS} FROM drafts WHERE owner = $1 ORDER BY updated_at DESC"));
                let rows = sqlx::query(&q).bind(owner).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(row_to!(Draft, r));
                }
                Ok(out)
            }
            async fn delete_draft(&self, id: &str) -> Result<()> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(&$sql("DELETE FROM attachments WHERE draft_id = $1 AND submission_id IS NULL")).bind(id).execute(&mut *tx).await?;
                sqlx::query(&$sql("DELETE FROM drafts WHERE id = $1")).bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn put_attachment(&self, a: &Attachment, data: &[u8]) -> Result<()> {
                let q = $sql(&format!("INSERT INTO attachments ({ATTACHMENT_COLS}, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"));
                sqlx::query(&q)
                    .bind(&a.id)
                    .bind(&a.owner)
                    .bind(&a.draft_id)
                    .bind(&a.submission_id)
                    .bind(&a.field_path)
                    .bind(&a.filename)
                    .bind(&a.mime)
                    .bind(a.size)
                    .bind(&a.sha256)
                    .bind(&a.created_at)
                    .bind(data)
                    .execute(&self.writer)
                    .await?;
                Ok(())
            }
            async fn attachment(&self, id: &str) -> Result<Option<(Attachment, Vec<u8>)>> {
                let q = $sql(&format!("SELECT {ATTACHMENT_COLS}, data FROM attachments WHERE id = $1"));
                let row = sqlx::query(&q).bind(id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => {
                        let data: Vec<u8> = r.try_get("data")?;
                        Some((row_to!(Attachment, r), data))
                    }
                    None => None,
                })
            }
            async fn attachments_of_draft(&self, draft_id: &str) -> Result<Vec<Attachment>> {
                let q = $sql(&format!("SELECT {ATTACHMENT_COLS} FROM attachments WHERE draft_id = $1 ORDER BY created_at"));
                let rows = sqlx::query(&q).bind(draft_id).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(row_to!(Attachment, r));
                }
                Ok(out)
            }
            async fn attachments_of_submission(&self, submission_id: &str) -> Result<Vec<Attachment>> {
                let q = $sql(&format!("SELECT {ATTACHMENT_COLS} FROM attachments WHERE submission_id = $1 ORDER BY created_at"));
                let rows = sqlx::query(&q).bind(submission_id).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(row_to!(Attachment, r));
                }
                Ok(out)
            }

            async fn submit(&self, n: NewSubmission) -> Result<Submission> {
                if let Some(existing) = self.submission_by_draft(&n.submission.draft_id).await? {
                    return Ok(existing);
                }
                let mut tx = self.writer.begin().await?;
                let counter = format!("{}-{}", n.reference_prefix, n.year);
                let q = $sql("INSERT INTO counters (name, value) VALUES ($1, 1)
                     ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value");
                let number: i64 = sqlx::query_scalar(&q).bind(&counter).fetch_one(&mut *tx).await?;
                let mut s = n.submission;
                s.reference = format!("{counter}-{number:06}");
                let q = $sql(&format!(
                    "INSERT INTO submissions ({SUBMISSION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                ));
                let inserted = sqlx::query(&q)
                    .bind(&s.id)
                    .bind(&s.reference)
                    .bind(&s.draft_id)
                    .bind(&s.owner)
                    .bind(&s.kommun)
                    .bind(&s.form)
                    .bind(&s.form_version)
                    .bind(&s.form_hash)
                    .bind(&s.answers)
                    .bind(&s.xml)
                    .bind(&s.json)
                    .bind(&s.status)
                    .bind(&s.case_number)
                    .bind(&s.submitted_at)
                    .execute(&mut *tx)
                    .await;
                if let Err(e) = inserted {
                    // Two clicks racing: the other one won; its receipt is the receipt.
                    drop(tx);
                    return match self.submission_by_draft(&s.draft_id).await? {
                        Some(existing) => Ok(existing),
                        None => Err(e.into()),
                    };
                }
                sqlx::query(&$sql("UPDATE attachments SET submission_id = $1 WHERE draft_id = $2")).bind(&s.id).bind(&s.draft_id).execute(&mut *tx).await?;
                sqlx::query(&$sql("DELETE FROM drafts WHERE id = $1")).bind(&s.draft_id).execute(&mut *tx).await?;
                // The statistics event goes with the submission: one commit (one fsync) for both.
                sqlx::query(&$sql("INSERT INTO events (kommun, form, kind, page, draft_id, at) VALUES ($1, $2, 'submit', NULL, $3, $4)"))
                    .bind(&s.kommun)
                    .bind(&s.form)
                    .bind(&s.draft_id)
                    .bind(&s.submitted_at)
                    .execute(&mut *tx)
                    .await?;
                // Its delivery jobs too: a stored submission is never without its way out.
                let now = utc_stamp(chrono::Utc::now());
                insert_delivery_jobs!($sql, tx, &s.id, &n.delivery_targets, &now);
                tx.commit().await?;
                Ok(s)
            }
            async fn submission(&self, id: &str) -> Result<Option<Submission>> {
                let q = $sql(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE id = $1"));
                let row = sqlx::query(&q).bind(id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(Submission, r)),
                    None => None,
                })
            }
            async fn submission_by_reference(&self, reference: &str) -> Result<Option<Submission>> {
                let q = $sql(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE reference = $1"));
                let row = sqlx::query(&q).bind(reference).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(Submission, r)),
                    None => None,
                })
            }
            async fn submission_by_draft(&self, draft_id: &str) -> Result<Option<Submission>> {
                let q = $sql(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE draft_id = $1"));
                let row = sqlx::query(&q).bind(draft_id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(Submission, r)),
                    None => None,
                })
            }
            async fn submissions_of(&self, owner: &str) -> Result<Vec<Submission>> {
                let q = $sql(&format!("SELECT {SUBMISSION_COLS} FROM submissions WHERE owner = $1 ORDER BY submitted_at DESC"));
                let rows = sqlx::query(&q).bind(owner).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(row_to!(Submission, r));
                }
                Ok(out)
            }
            async fn set_status(&self, id: &str, status: &str, case_number: Option<&str>) -> Result<()> {
                let q = $sql("UPDATE submissions SET status = $1, case_number = COALESCE($2, case_number) WHERE id = $3");
                sqlx::query(&q).bind(status).bind(case_number).bind(id).execute(&self.writer).await?;
                Ok(())
            }

            async fn put_form_version(&self, hash: &str, kommun: &str, form: &str, version: &str, bundle: &str) -> Result<()> {
                let q = $sql("INSERT INTO form_versions (hash, kommun, form, version, bundle, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (hash) DO NOTHING");
                sqlx::query(&q).bind(hash).bind(kommun).bind(form).bind(version).bind(bundle).bind(chrono::Utc::now().to_rfc3339()).execute(&self.writer).await?;
                Ok(())
            }
            async fn form_version(&self, hash: &str) -> Result<Option<String>> {
                let q = $sql("SELECT bundle FROM form_versions WHERE hash = $1");
                Ok(sqlx::query_scalar(&q).bind(hash).fetch_optional(&self.pool).await?)
            }

            async fn record(&self, e: &Event) -> Result<()> {
                let q = $sql("INSERT INTO events (kommun, form, kind, page, draft_id, at) VALUES ($1, $2, $3, $4, $5, $6)");
                sqlx::query(&q).bind(&e.kommun).bind(&e.form).bind(&e.kind).bind(&e.page).bind(&e.draft_id).bind(&e.at).execute(&self.writer).await?;
                Ok(())
            }
            async fn events(&self, kommun: &str, form: &str) -> Result<Vec<Event>> {
                let q = $sql("SELECT kommun, form, kind, page, draft_id, at FROM events WHERE kommun = $1 AND form = $2 ORDER BY id");
                let rows = sqlx::query(&q).bind(kommun).bind(form).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(Event {
                        kommun: r.try_get("kommun")?,
                        form: r.try_get("form")?,
                        kind: r.try_get("kind")?,
                        page: r.try_get("page")?,
                        draft_id: r.try_get("draft_id")?,
                        at: r.try_get("at")?,
                    });
                }
                Ok(out)
            }

            async fn purge(&self, kommun: &str, form: &str, drafts_before: &str, submissions_before: &str) -> Result<(u64, u64)> {
                let mut tx = self.writer.begin().await?;
                sqlx::query(&$sql(
                    "DELETE FROM attachments WHERE submission_id IS NULL AND draft_id IN
                     (SELECT id FROM drafts WHERE kommun = $1 AND form = $2 AND updated_at < $3)",
                ))
                .bind(kommun)
                .bind(form)
                .bind(drafts_before)
                .execute(&mut *tx)
                .await?;
                let d = sqlx::query(&$sql("DELETE FROM drafts WHERE kommun = $1 AND form = $2 AND updated_at < $3"))
                    .bind(kommun)
                    .bind(form)
                    .bind(drafts_before)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                // A submission goes with everything of it: attachments, delivery jobs and their log.
                for q in [
                    "DELETE FROM attachments WHERE submission_id IN
                     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
                    "DELETE FROM delivery_attempts WHERE job_id IN (SELECT id FROM delivery_jobs WHERE submission_id IN
                     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3))",
                    "DELETE FROM delivery_jobs WHERE submission_id IN
                     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
                    "DELETE FROM signatures WHERE submission_id IN
                     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
                    "DELETE FROM cosigners WHERE submission_id IN
                     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
                    "DELETE FROM invitation_mails WHERE submission_id IN
                     (SELECT id FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3)",
                ] {
                    sqlx::query(&$sql(q))
                        .bind(kommun)
                        .bind(form)
                        .bind(submissions_before)
                        .execute(&mut *tx)
                        .await?;
                }
                let s = sqlx::query(&$sql("DELETE FROM submissions WHERE kommun = $1 AND form = $2 AND submitted_at < $3"))
                    .bind(kommun)
                    .bind(form)
                    .bind(submissions_before)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok((d, s))
            }

            // Delivery (the SQL is in `delivery.rs`).
            async fn enqueue_delivery(&self, submission_id: &str, targets: &[String]) -> Result<()> {
                self.d_enqueue(submission_id, targets).await
            }
            async fn claim_deliveries(&self, c: &Claim) -> Result<Vec<ClaimedJob>> {
                self.d_claim(c).await
            }
            async fn finish_delivery(&self, f: &FinishedAttempt) -> Result<bool> {
                self.d_finish(f).await
            }
            async fn retry_delivery(&self, job_id: &str, now: &str) -> Result<bool> {
                self.d_retry(job_id, now).await
            }
            async fn delivery_job(&self, job_id: &str) -> Result<Option<DeliveryJob>> {
                self.d_job(job_id).await
            }
            async fn delivery_jobs_of(&self, submission_id: &str) -> Result<Vec<DeliveryJob>> {
                self.d_jobs_where("submission_id = $1 ORDER BY target", submission_id, i64::MAX).await
            }
            async fn delivery_attempts(&self, job_id: &str) -> Result<Vec<DeliveryAttempt>> {
                self.d_attempts(job_id).await
            }
            async fn delivery_overview(&self) -> Result<Vec<TargetOverview>> {
                self.d_overview().await
            }
            async fn dead_deliveries(&self, limit: i64) -> Result<Vec<DeliveryJob>> {
                self.d_jobs_where("state = $1 ORDER BY next_attempt_at DESC", "dead", limit).await
            }
            async fn waiting_deliveries(&self, target: &str, limit: i64) -> Result<Vec<DeliveryJob>> {
                self.d_jobs_where("target = $1 AND state IN ('queued', 'in_flight') ORDER BY created_at, id", target, limit).await
            }
            async fn delivery_job_by_tx(&self, tx_id: &str) -> Result<Option<DeliveryJob>> {
                Ok(self.d_jobs_where("tx_id = $1", tx_id, 1).await?.pop())
            }
            async fn settle_offered(&self, s: &OfferSettled) -> Result<bool> {
                self.d_settle_offered(s).await
            }
            async fn record_canary(&self, r: &CanaryResult) -> Result<()> {
                self.d_record_canary(r).await
            }
            async fn canaries(&self) -> Result<Vec<CanaryResult>> {
                self.d_canaries().await
            }

            // Signatures
            async fn put_eid_order(&self, o: &EidOrder) -> Result<()> {
                let q = $sql("INSERT INTO eid_orders (id, session_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)");
                sqlx::query(&q).bind(&o.id).bind(&o.session_id).bind(&o.kind).bind(&o.data).bind(&o.created_at).execute(&self.writer).await?;
                Ok(())
            }
            async fn eid_order(&self, id: &str) -> Result<Option<EidOrder>> {
                let q = $sql("SELECT id, session_id, kind, data, created_at FROM eid_orders WHERE id = $1");
                let row = sqlx::query(&q).bind(id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(EidOrder, r)),
                    None => None,
                })
            }
            async fn take_eid_order(&self, id: &str) -> Result<Option<EidOrder>> {
                let q = $sql("DELETE FROM eid_orders WHERE id = $1 RETURNING id, session_id, kind, data, created_at");
                let row = sqlx::query(&q).bind(id).fetch_optional(&self.writer).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(EidOrder, r)),
                    None => None,
                })
            }
            async fn put_signature(&self, s: &Signature) -> Result<bool> {
                let q = $sql(&format!("INSERT INTO signatures ({SIGNATURE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (submission_id, signer_pnr) DO NOTHING"));
                let n = sqlx::query(&q)
                    .bind(&s.id)
                    .bind(&s.submission_id)
                    .bind(&s.role)
                    .bind(&s.signer_pnr)
                    .bind(&s.signer_name)
                    .bind(&s.digest)
                    .bind(&s.signature)
                    .bind(&s.ocsp_response)
                    .bind(&s.signed_at)
                    .execute(&self.writer)
                    .await?
                    .rows_affected();
                Ok(n == 1)
            }
            async fn signatures_of(&self, submission_id: &str) -> Result<Vec<Signature>> {
                let q = $sql(&format!("SELECT {SIGNATURE_COLS} FROM signatures WHERE submission_id = $1 ORDER BY signed_at, id"));
                let rows = sqlx::query(&q).bind(submission_id).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(row_to!(Signature, r));
                }
                Ok(out)
            }
            async fn put_cosigner(&self, c: &Cosigner) -> Result<()> {
                let q = $sql("INSERT INTO cosigners (submission_id, pnr, invite, deadline) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (submission_id, pnr) DO NOTHING");
                sqlx::query(&q).bind(&c.submission_id).bind(&c.pnr).bind(&c.invite).bind(&c.deadline).execute(&self.writer).await?;
                Ok(())
            }
            async fn cosigners_of(&self, submission_id: &str) -> Result<Vec<Cosigner>> {
                let q = $sql("SELECT submission_id, pnr, invite, deadline FROM cosigners WHERE submission_id = $1 ORDER BY pnr");
                let rows = sqlx::query(&q).bind(submission_id).fetch_all(&self.pool).await?;
                let mut out = Vec::new();
                for r in rows {
                    out.push(row_to!(Cosigner, r));
                }
                Ok(out)
            }
            async fn mark_fully_signed(&self, submission_id: &str) -> Result<bool> {
                let q = $sql("UPDATE submissions SET status = 'mottagen' WHERE id = $1 AND status = 'vantar_pa_underskrift'");
                let n = sqlx::query(&q).bind(submission_id).execute(&self.writer).await?.rows_affected();
                Ok(n == 1)
            }
            async fn purge_eid_orders(&self, before: &str) -> Result<u64> {
                let q = $sql("DELETE FROM eid_orders WHERE created_at < $1");
                Ok(sqlx::query(&q).bind(before).execute(&self.writer).await?.rows_affected())
            }
            async fn cosigner_by_invite(&self, invite: &str) -> Result<Option<Cosigner>> {
                let q = $sql("SELECT submission_id, pnr, invite, deadline FROM cosigners WHERE invite = $1");
                let row = sqlx::query(&q).bind(invite).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(row_to!(Cosigner, r)),
                    None => None,
                })
            }

            // Invitation mails (the SQL is in `invitation.rs`).
            async fn queue_invitation_mail(&self, m: &InvitationMail) -> Result<()> {
                self.m_queue(m).await
            }
            async fn claim_invitation_mails(&self, now: &str, lease_until: &str, limit: i64) -> Result<Vec<InvitationMail>> {
                self.m_claim(now, lease_until, limit).await
            }
            async fn finish_invitation_mail(&self, f: &FinishedMail) -> Result<()> {
                self.m_finish(f).await
            }
            async fn invitation_mails_of(&self, submission_id: &str) -> Result<Vec<InvitationMail>> {
                self.m_of(submission_id).await
            }
        }
        delivery_impl!($store, $sql);
        invitation_impl!($store, $sql);
    };
}

sql_store!(SqliteStore, sqlite_sql);
sql_store!(PgStore, pg_sql);
