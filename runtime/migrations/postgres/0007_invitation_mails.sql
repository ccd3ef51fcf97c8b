-- Co-signers' invitations by e-mail (when [smtp] is configured): queued when the submission
-- starts waiting for signatures, sent by the mail sender, retried with backoff. `state` is
-- `queued`, `sent`, `cancelled` (signed, withdrawn or expired before it went) or `dead`.
-- A claimed row's `next_attempt_at` is its lease: a sender that stops mid-send is retried.
CREATE TABLE invitation_mails (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    pnr TEXT NOT NULL,
    email TEXT NOT NULL,
    lang TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    sent_at TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (submission_id, pnr)
);
CREATE INDEX invitation_mails_due ON invitation_mails (state, next_attempt_at);
