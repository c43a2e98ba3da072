-- Adesão schema, SQLite flavour. Keep in step with ../postgres/0001_initial.sql: the same tables,
-- columns and constraints; only the types differ.
--
-- Conventions shared by both backends, so that one set of queries serves both:
--   * ids are 64-bit integers;
--   * timestamps are RFC 3339 text in UTC with microseconds (YYYY-MM-DDTHH:MM:SS.ffffffZ), which
--     sorts correctly as text;
--   * flags are integers 0/1 (the sqlx Any driver cannot decode SQLite booleans);
--   * codes (roles, statuses, kinds) are text checked against their closed sets.

CREATE TABLE organizations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    acronym     TEXT NOT NULL UNIQUE,
    cnpj        TEXT NOT NULL UNIQUE,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id),
    cpf              TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    mobile           TEXT NOT NULL,
    password_hash    TEXT NOT NULL,
    active           INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at       TEXT NOT NULL
);
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE user_roles (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('manager', 'it_director', 'technical_lead', 'provider_analyst', 'program_admin')),
    PRIMARY KEY (user_id, role)
);

-- API catalogue. Each API belongs to one provider organization.
CREATE TABLE apis (
    id           INTEGER PRIMARY KEY,
    provider_id  INTEGER NOT NULL REFERENCES organizations (id),
    name         TEXT NOT NULL UNIQUE,
    description  TEXT NOT NULL DEFAULT '',
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   TEXT NOT NULL
);
CREATE INDEX apis_provider ON apis (provider_id);

-- Attachments an API asks for (SPEC §6), each with an optional model file to fill in.
CREATE TABLE api_attachment_requirements (
    id                INTEGER PRIMARY KEY,
    api_id            INTEGER NOT NULL REFERENCES apis (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('form', 'official_letter', 'other')),
    mandatory         INTEGER NOT NULL CHECK (mandatory IN (0, 1)),
    model_filename    TEXT,
    model_media_type  TEXT,
    model_content     BLOB,
    UNIQUE (api_id, kind)
);

-- Yearly, gapless request numbers: the counter row is incremented in the transaction that
-- creates the request, so a rollback gives the number back.
CREATE TABLE request_number_sequences (
    year        INTEGER PRIMARY KEY,
    last_value  INTEGER NOT NULL
);

CREATE TABLE requests (
    id                      INTEGER PRIMARY KEY,
    number                  TEXT NOT NULL UNIQUE,
    number_year             INTEGER NOT NULL,
    number_sequence         INTEGER NOT NULL,
    request_type            TEXT NOT NULL CHECK (request_type IN ('adhesion', 'volume_change')),
    status                  TEXT NOT NULL CHECK (status IN ('draft', 'awaiting_signatures', 'provider_review', 'refused', 'approved', 'granted', 'cancelled')),
    api_id                  INTEGER NOT NULL REFERENCES apis (id),
    requester_id            INTEGER NOT NULL REFERENCES organizations (id),
    -- The API's provider, copied so that lists filter and scope by it without a join.
    provider_id             INTEGER NOT NULL REFERENCES organizations (id),
    it_director_id          INTEGER NOT NULL REFERENCES users (id),
    technical_lead_id       INTEGER NOT NULL REFERENCES users (id),
    requested_volume        INTEGER NOT NULL CHECK (requested_volume > 0),
    current_volume          INTEGER NOT NULL DEFAULT 0 CHECK (current_volume >= 0),
    authorized_volume       INTEGER CHECK (authorized_volume > 0),
    -- Purpose (Finalidade), one column per section of the LGPD template (SPEC §5).
    basis_public_policy     INTEGER NOT NULL DEFAULT 0 CHECK (basis_public_policy IN (0, 1)),
    basis_legal_obligation  INTEGER NOT NULL DEFAULT 0 CHECK (basis_legal_obligation IN (0, 1)),
    basis_other             INTEGER NOT NULL DEFAULT 0 CHECK (basis_other IN (0, 1)),
    basis_other_text        TEXT NOT NULL DEFAULT '',
    data_usage              TEXT NOT NULL DEFAULT '',
    public_policies         TEXT NOT NULL DEFAULT '',
    legal_provision         TEXT NOT NULL DEFAULT '',
    citizen_results         TEXT NOT NULL DEFAULT '',
    retention               TEXT NOT NULL DEFAULT '',
    copied_from_id          INTEGER REFERENCES requests (id),
    created_by              INTEGER NOT NULL REFERENCES users (id),
    created_at              TEXT NOT NULL,
    last_event_at           TEXT NOT NULL,
    -- Optimistic lock: every transition bumps it, so a concurrent second one finds it changed.
    version                 INTEGER NOT NULL DEFAULT 1,
    UNIQUE (number_year, number_sequence)
);
-- The list is read newest first, scoped by requester or by provider, often filtered by status.
CREATE INDEX requests_requester ON requests (requester_id, status, last_event_at);
CREATE INDEX requests_provider ON requests (provider_id, status, last_event_at);
CREATE INDEX requests_status ON requests (status, last_event_at);
CREATE INDEX requests_last_event ON requests (last_event_at);
CREATE INDEX requests_api ON requests (api_id, requester_id, request_type, status);

-- Histórico: append-only.
CREATE TABLE request_events (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests (id),
    at           TEXT NOT NULL,
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    action       TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    comment      TEXT
);
CREATE INDEX request_events_request ON request_events (request_id, id);

CREATE TABLE attachments (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests (id),
    kind         TEXT NOT NULL CHECK (kind IN ('form', 'official_letter', 'other')),
    filename     TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size > 0),
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users (id),
    uploaded_at  TEXT NOT NULL
);
CREATE INDEX attachments_request ON attachments (request_id);

-- Authorisation to sign (SPEC §7): a one-time code sent by SMS; once accepted, the session
-- authorises signatures until authorized_until.
CREATE TABLE signing_sessions (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id),
    code_hash         TEXT NOT NULL,
    code_expires_at   TEXT NOT NULL,
    attempts          INTEGER NOT NULL DEFAULT 0,
    sends             INTEGER NOT NULL DEFAULT 1,
    last_sent_at      TEXT NOT NULL,
    authorized_until  TEXT,
    voided_at         TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX signing_sessions_user ON signing_sessions (user_id, created_at);

CREATE TABLE signatures (
    id                  INTEGER PRIMARY KEY,
    request_id          INTEGER NOT NULL REFERENCES requests (id),
    signer_id           INTEGER NOT NULL REFERENCES users (id),
    role                TEXT NOT NULL CHECK (role IN ('it_director', 'technical_lead')),
    signed_at           TEXT NOT NULL,
    method              TEXT NOT NULL,
    dsi_sha256          TEXT NOT NULL,
    signing_session_id  INTEGER REFERENCES signing_sessions (id),
    -- Set when Alterar sends the request back to draft: the signature no longer counts.
    voided_at           TEXT
);
CREATE UNIQUE INDEX signatures_valid_per_role ON signatures (request_id, role) WHERE voided_at IS NULL;

-- Messages to send, written in the same transaction as the event that causes them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL DEFAULT '',
    body             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    next_attempt_at  TEXT NOT NULL,
    request_id       INTEGER REFERENCES requests (id),
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_created ON outbox (created_at);

-- Browser sessions. Only a SHA-256 of the cookie's token is stored.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Bearer tokens of the JSON API. Only a SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_used_at  TEXT
);
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);

-- Failed logins, counted per CPF and per client address to rate-limit guessing.
CREATE TABLE auth_failures (
    id      INTEGER PRIMARY KEY,
    bucket  TEXT NOT NULL CHECK (bucket IN ('cpf', 'ip')),
    key     TEXT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX auth_failures_lookup ON auth_failures (bucket, key, at);
