-- The builtin signature provider's CA and the officials' certificates (SPEC §7): each
-- certificate in DER and its private key sealed under the installation's signing key
-- (AES-256-GCM; the owner is bound as associated data, so a key moved to another row does not
-- open). `owner` is 'ca' or 'user:ID'.
CREATE TABLE signing_keys (
    id           INTEGER PRIMARY KEY,
    owner        TEXT NOT NULL UNIQUE,
    certificate  BLOB NOT NULL,
    sealed_key   BLOB NOT NULL,
    created_at   TEXT NOT NULL
);
