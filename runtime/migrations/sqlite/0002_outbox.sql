-- The outbox: one delivery job per submission and target, created in the submission's
-- transaction; workers claim due jobs with a lease. Times are UTC RFC 3339 with microseconds
-- and a Z, so they sort as text.
CREATE TABLE delivery_jobs (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    target TEXT NOT NULL,
    -- Fixed at creation: every resend carries it, so the receiver can drop duplicates.
    tx_id TEXT NOT NULL UNIQUE,
    corr_id TEXT NOT NULL,
    -- queued | in_flight | delivered | dead
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    lease_owner TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (submission_id, target)
);
CREATE INDEX delivery_jobs_due ON delivery_jobs (target, state, next_attempt_at);
CREATE TABLE delivery_attempts (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    -- started (never finished: the worker stopped) | accepted | duplicate | retryable | permanent
    outcome TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX delivery_attempts_job ON delivery_attempts (job_id);
-- The canary's last result per target.
CREATE TABLE delivery_canaries (
    target TEXT PRIMARY KEY,
    ok INTEGER NOT NULL,
    detail TEXT,
    checked_at TEXT NOT NULL,
    last_ok_at TEXT
);
