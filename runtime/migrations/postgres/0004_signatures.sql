-- e-ID orders in progress: an OIDC login's state (the key), nonce and PKCE verifier, or a
-- BankID order. Bound to the session that started it; taken (deleted) when used, so once only.
CREATE TABLE eid_orders (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL
);
-- Signatures of a submission: who signed its XML (digest = SHA-256 of the exact bytes), when,
-- and the e-ID's evidence (BankID: the signature XML and the OCSP response, base64).
CREATE TABLE signatures (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    role TEXT NOT NULL,
    signer_pnr TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    digest TEXT NOT NULL,
    signature TEXT NOT NULL,
    ocsp_response TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    UNIQUE (submission_id, signer_pnr)
);
CREATE INDEX signatures_submission ON signatures (submission_id);
-- The co-signers a submission waits for (signing: guardians), each with an invitation token.
CREATE TABLE cosigners (
    submission_id TEXT NOT NULL,
    pnr TEXT NOT NULL,
    invite TEXT NOT NULL UNIQUE,
    deadline TEXT NOT NULL,
    PRIMARY KEY (submission_id, pnr)
);
