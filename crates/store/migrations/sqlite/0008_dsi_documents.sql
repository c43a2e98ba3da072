-- The DSI as a PDF (SPEC §7): made when the request is released, and carrying the signatures
-- embedded in it (each an incremental update over the bytes before it). Alterar voids it with
-- the signatures; a voided document stays, marked, for the audit trail.
CREATE TABLE dsi_documents (
    id               INTEGER PRIMARY KEY,
    request_id       INTEGER NOT NULL REFERENCES requests (id),
    -- The SHA-256 of the DSI's canonical text the PDF shows (what a signature covers).
    dsi_sha256       TEXT NOT NULL,
    pdf              BLOB NOT NULL,
    -- How many signatures the PDF carries (one per signer: whoever holds both roles signs once).
    signature_count  INTEGER NOT NULL DEFAULT 0 CHECK (signature_count >= 0),
    created_at       TEXT NOT NULL,
    voided_at        TEXT
);
CREATE UNIQUE INDEX dsi_documents_current ON dsi_documents (request_id) WHERE voided_at IS NULL;
