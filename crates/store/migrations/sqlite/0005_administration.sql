-- Issue 10 (administration). Keep in step with ../postgres/0005_administration.sql.
--
-- SQLite cannot drop the UNIQUE (name) of `apis` nor add a CHECK to `user_roles` in place, so
-- both tables are rebuilt. sqlx runs every migration inside a transaction, where foreign keys
-- cannot be switched off; they are deferred instead, so that dropping `apis` (whose rows
-- `requests` and `api_access` point at) is only judged at COMMIT, by which time the same rows
-- are back under the same ids. Its requirements, which the drop cascades away, are copied
-- aside first and restored.
PRAGMA defer_foreign_keys = ON;

-- Whether an organization provides APIs (only those can own an API of the catalogue).
ALTER TABLE organizations ADD COLUMN provides_apis INTEGER NOT NULL DEFAULT 0 CHECK (provides_apis IN (0, 1));
UPDATE organizations SET provides_apis = 1 WHERE id IN (SELECT provider_id FROM apis);

-- A role counts only inside its period: both ends optional and inclusive, as YYYY-MM-DD text
-- (which sorts as dates do).
CREATE TABLE user_roles_new (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('manager', 'it_director', 'technical_lead', 'provider_analyst', 'program_admin')),
    starts_on  TEXT,
    ends_on    TEXT,
    PRIMARY KEY (user_id, role),
    CHECK (starts_on IS NULL OR ends_on IS NULL OR starts_on <= ends_on)
);
INSERT INTO user_roles_new (user_id, role) SELECT user_id, role FROM user_roles;
DROP TABLE user_roles;
ALTER TABLE user_roles_new RENAME TO user_roles;

-- An API's name is unique per provider (two providers may both offer an "API Consulta"), and
-- an API may stop accepting new requests while staying in the catalogue.
CREATE TABLE apis_old AS SELECT * FROM apis;
CREATE TABLE api_attachment_requirements_old AS SELECT * FROM api_attachment_requirements;
DROP TABLE apis;
CREATE TABLE apis (
    id                  INTEGER PRIMARY KEY,
    provider_id         INTEGER NOT NULL REFERENCES organizations (id),
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    accepting_requests  INTEGER NOT NULL DEFAULT 1 CHECK (accepting_requests IN (0, 1)),
    created_at          TEXT NOT NULL,
    UNIQUE (provider_id, name)
);
INSERT INTO apis (id, provider_id, name, description, active, created_at)
    SELECT id, provider_id, name, description, active, created_at FROM apis_old;
INSERT INTO api_attachment_requirements
    (id, api_id, kind, mandatory, model_filename, model_media_type, model_content)
    SELECT id, api_id, kind, mandatory, model_filename, model_media_type, model_content
    FROM api_attachment_requirements_old;
DROP TABLE apis_old;
DROP TABLE api_attachment_requirements_old;
CREATE INDEX apis_provider ON apis (provider_id);

-- Who changed what in the administration, and when (issue 10). `changes` is a JSON array of
-- {"field", "before", "after"}; passwords and hashes never appear in it.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER NOT NULL REFERENCES users (id),
    entity     TEXT NOT NULL CHECK (entity IN ('organization', 'user', 'api')),
    entity_id  INTEGER NOT NULL,
    action     TEXT NOT NULL,
    changes    TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);

-- Searches of the administration lists.
CREATE INDEX users_name ON users (name);
