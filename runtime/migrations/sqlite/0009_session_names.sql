-- The logged-in person's given and family names as the e-ID gave them, apart: forms read them
-- as `inloggad.fornamn` and `inloggad.efternamn`, and a full name cannot be split reliably.
ALTER TABLE sessions ADD COLUMN person_given_name TEXT;
ALTER TABLE sessions ADD COLUMN person_family_name TEXT;
