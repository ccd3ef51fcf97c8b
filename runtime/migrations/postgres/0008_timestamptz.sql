-- Times as TIMESTAMPTZ, not RFC 3339 text: compared and ordered as times whatever the text
-- looked like (`Z` or `+00:00`, three, six or nine digits). The canary's result as a boolean.
ALTER TABLE sessions
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz,
    ALTER COLUMN last_seen_at TYPE TIMESTAMPTZ USING last_seen_at::timestamptz;
ALTER TABLE drafts
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz,
    ALTER COLUMN updated_at TYPE TIMESTAMPTZ USING updated_at::timestamptz;
ALTER TABLE submissions
    ALTER COLUMN submitted_at TYPE TIMESTAMPTZ USING submitted_at::timestamptz;
ALTER TABLE attachments
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz;
ALTER TABLE events
    ALTER COLUMN at TYPE TIMESTAMPTZ USING at::timestamptz;
ALTER TABLE form_versions
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz;
ALTER TABLE delivery_jobs
    ALTER COLUMN next_attempt_at TYPE TIMESTAMPTZ USING next_attempt_at::timestamptz,
    ALTER COLUMN lease_until TYPE TIMESTAMPTZ USING lease_until::timestamptz,
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz,
    ALTER COLUMN delivered_at TYPE TIMESTAMPTZ USING delivered_at::timestamptz;
ALTER TABLE delivery_attempts
    ALTER COLUMN started_at TYPE TIMESTAMPTZ USING started_at::timestamptz,
    ALTER COLUMN finished_at TYPE TIMESTAMPTZ USING finished_at::timestamptz;
ALTER TABLE delivery_canaries
    ALTER COLUMN checked_at TYPE TIMESTAMPTZ USING checked_at::timestamptz,
    ALTER COLUMN last_ok_at TYPE TIMESTAMPTZ USING last_ok_at::timestamptz;
ALTER TABLE eid_orders
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz;
ALTER TABLE signatures
    ALTER COLUMN signed_at TYPE TIMESTAMPTZ USING signed_at::timestamptz;
ALTER TABLE cosigners
    ALTER COLUMN deadline TYPE TIMESTAMPTZ USING deadline::timestamptz;
ALTER TABLE invitation_mails
    ALTER COLUMN next_attempt_at TYPE TIMESTAMPTZ USING next_attempt_at::timestamptz,
    ALTER COLUMN sent_at TYPE TIMESTAMPTZ USING sent_at::timestamptz,
    ALTER COLUMN created_at TYPE TIMESTAMPTZ USING created_at::timestamptz;
ALTER TABLE delivery_canaries ALTER COLUMN ok TYPE BOOLEAN USING ok <> 0;
