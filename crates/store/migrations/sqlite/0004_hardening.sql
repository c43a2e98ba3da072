-- Issue 8. Keep in step with ../postgres/0004_hardening.sql.

-- Failed logins are now counted per CPF and client together ('cpf_client', key "CPF|CLIENT") as
-- well as per CPF and per client, so that a stranger's failures do not lock the owner out. The
-- table only holds the last fifteen minutes of failures: it is recreated rather than altered
-- (SQLite cannot change a CHECK constraint in place).
DROP TABLE auth_failures;
CREATE TABLE auth_failures (
    id      INTEGER PRIMARY KEY,
    bucket  TEXT NOT NULL CHECK (bucket IN ('cpf', 'ip', 'cpf_client')),
    key     TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX auth_failures_lookup ON auth_failures (bucket, key, at);

-- At most one request per requester, API and type in the pipeline (awaiting signatures, in
-- provider review, approved): the rule of SPEC §4 as an invariant of the database, whatever
-- the interleaving of concurrent releases.
CREATE UNIQUE INDEX requests_one_in_pipeline ON requests (requester_id, api_id, request_type)
    WHERE status IN ('awaiting_signatures', 'provider_review', 'approved');

-- Browsers a user has logged in from (a long-lived cookie; only its SHA-256 here): their login
-- attempts are counted apart, so failures from elsewhere do not lock the owner out.
CREATE TABLE known_devices (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT NOT NULL
);
CREATE INDEX known_devices_unused ON known_devices (last_used_at);
