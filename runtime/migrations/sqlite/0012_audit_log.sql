-- The audit trail: who did what, when and from where, for security-relevant events (log-ins,
-- staff actions, downloads, manual retries, retention purges, delivery acknowledgements).
-- Append-only: rows are only inserted, and deleted by the audit log's own retention. Never any
-- answer content.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    client TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
