CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    person_pnr TEXT,
    person_name TEXT,
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
CREATE TABLE drafts (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    kommun TEXT NOT NULL,
    form TEXT NOT NULL,
    form_hash TEXT NOT NULL,
    answers TEXT NOT NULL,
    page TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX drafts_owner ON drafts (owner);
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
CREATE TABLE submissions (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    draft_id TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    kommun TEXT NOT NULL,
    form TEXT NOT NULL,
    form_version TEXT NOT NULL,
    form_hash TEXT NOT NULL,
    answers TEXT NOT NULL,
    xml TEXT NOT NULL,
    json TEXT NOT NULL,
    status TEXT NOT NULL,
    case_number TEXT,
    submitted_at TEXT NOT NULL
);
CREATE INDEX submissions_owner ON submissions (owner);
CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    draft_id TEXT NOT NULL,
    submission_id TEXT,
    field_path TEXT NOT NULL,
    filename TEXT NOT NULL,
    mime TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX attachments_draft ON attachments (draft_id);
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    kommun TEXT NOT NULL,
    form TEXT NOT NULL,
    kind TEXT NOT NULL,
    page TEXT,
    draft_id TEXT,
    at TEXT NOT NULL
);
CREATE TABLE form_versions (
    hash TEXT PRIMARY KEY,
    kommun TEXT NOT NULL,
    form TEXT NOT NULL,
    version TEXT NOT NULL,
    bundle TEXT NOT NULL,
    created_at TEXT NOT NULL
);
