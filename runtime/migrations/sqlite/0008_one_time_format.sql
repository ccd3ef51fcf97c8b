-- One text format for every time: RFC 3339 in UTC with `+00:00` and the fraction of a second
-- in groups of three digits, none when it is zero (chrono's `to_rfc3339`, and what sqlx writes
-- for a `DateTime<Utc>`). The other tables have always been written so; the outbox's and the
-- invitation mails' times were written with six digits and a `Z`, which sorts differently
-- next to it (`Z` after the digits, `+` before them). Rewritten here, so text order is time
-- order across all rows.
UPDATE delivery_jobs SET
    next_attempt_at = CASE WHEN next_attempt_at LIKE '____-__-__T__:__:__.______Z' THEN substr(next_attempt_at, 1, 19) ||
        CASE WHEN substr(next_attempt_at, 21, 6) = '000000' THEN '' WHEN substr(next_attempt_at, 24, 3) = '000'
        THEN substr(next_attempt_at, 20, 4) ELSE substr(next_attempt_at, 20, 7) END || '+00:00' ELSE next_attempt_at END,
    lease_until = CASE WHEN lease_until LIKE '____-__-__T__:__:__.______Z' THEN substr(lease_until, 1, 19) ||
        CASE WHEN substr(lease_until, 21, 6) = '000000' THEN '' WHEN substr(lease_until, 24, 3) = '000'
        THEN substr(lease_until, 20, 4) ELSE substr(lease_until, 20, 7) END || '+00:00' ELSE lease_until END,
    created_at = CASE WHEN created_at LIKE '____-__-__T__:__:__.______Z' THEN substr(created_at, 1, 19) ||
        CASE WHEN substr(created_at, 21, 6) = '000000' THEN '' WHEN substr(created_at, 24, 3) = '000'
        THEN substr(created_at, 20, 4) ELSE substr(created_at, 20, 7) END || '+00:00' ELSE created_at END,
    delivered_at = CASE WHEN delivered_at LIKE '____-__-__T__:__:__.______Z' THEN substr(delivered_at, 1, 19) ||
        CASE WHEN substr(delivered_at, 21, 6) = '000000' THEN '' WHEN substr(delivered_at, 24, 3) = '000'
        THEN substr(delivered_at, 20, 4) ELSE substr(delivered_at, 20, 7) END || '+00:00' ELSE delivered_at END;
UPDATE delivery_attempts SET
    started_at = CASE WHEN started_at LIKE '____-__-__T__:__:__.______Z' THEN substr(started_at, 1, 19) ||
        CASE WHEN substr(started_at, 21, 6) = '000000' THEN '' WHEN substr(started_at, 24, 3) = '000'
        THEN substr(started_at, 20, 4) ELSE substr(started_at, 20, 7) END || '+00:00' ELSE started_at END,
    finished_at = CASE WHEN finished_at LIKE '____-__-__T__:__:__.______Z' THEN substr(finished_at, 1, 19) ||
        CASE WHEN substr(finished_at, 21, 6) = '000000' THEN '' WHEN substr(finished_at, 24, 3) = '000'
        THEN substr(finished_at, 20, 4) ELSE substr(finished_at, 20, 7) END || '+00:00' ELSE finished_at END;
UPDATE delivery_canaries SET
    checked_at = CASE WHEN checked_at LIKE '____-__-__T__:__:__.______Z' THEN substr(checked_at, 1, 19) ||
        CASE WHEN substr(checked_at, 21, 6) = '000000' THEN '' WHEN substr(checked_at, 24, 3) = '000'
        THEN substr(checked_at, 20, 4) ELSE substr(checked_at, 20, 7) END || '+00:00' ELSE checked_at END,
    last_ok_at = CASE WHEN last_ok_at LIKE '____-__-__T__:__:__.______Z' THEN substr(last_ok_at, 1, 19) ||
        CASE WHEN substr(last_ok_at, 21, 6) = '000000' THEN '' WHEN substr(last_ok_at, 24, 3) = '000'
        THEN substr(last_ok_at, 20, 4) ELSE substr(last_ok_at, 20, 7) END || '+00:00' ELSE last_ok_at END;
UPDATE invitation_mails SET
    next_attempt_at = CASE WHEN next_attempt_at LIKE '____-__-__T__:__:__.______Z' THEN substr(next_attempt_at, 1, 19) ||
        CASE WHEN substr(next_attempt_at, 21, 6) = '000000' THEN '' WHEN substr(next_attempt_at, 24, 3) = '000'
        THEN substr(next_attempt_at, 20, 4) ELSE substr(next_attempt_at, 20, 7) END || '+00:00' ELSE next_attempt_at END,
    sent_at = CASE WHEN sent_at LIKE '____-__-__T__:__:__.______Z' THEN substr(sent_at, 1, 19) ||
        CASE WHEN substr(sent_at, 21, 6) = '000000' THEN '' WHEN substr(sent_at, 24, 3) = '000'
        THEN substr(sent_at, 20, 4) ELSE substr(sent_at, 20, 7) END || '+00:00' ELSE sent_at END,
    created_at = CASE WHEN created_at LIKE '____-__-__T__:__:__.______Z' THEN substr(created_at, 1, 19) ||
        CASE WHEN substr(created_at, 21, 6) = '000000' THEN '' WHEN substr(created_at, 24, 3) = '000'
        THEN substr(created_at, 20, 4) ELSE substr(created_at, 20, 7) END || '+00:00' ELSE created_at END;
