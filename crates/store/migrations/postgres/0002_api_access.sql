-- Access already granted: the current yearly volume of a requester for an API. Written when a
-- request is granted (Deferida); read as the "Volumetria atual" of new requests and to allow a
-- volume change only over a granted adhesion.
CREATE TABLE api_access (
    requester_id         BIGINT NOT NULL REFERENCES organizations (id),
    api_id               BIGINT NOT NULL REFERENCES apis (id),
    current_volume       BIGINT NOT NULL CHECK (current_volume > 0),
    granted_request_id   BIGINT NOT NULL REFERENCES requests (id),
    updated_at           TEXT NOT NULL,
    PRIMARY KEY (requester_id, api_id)
);
-- The list is also read newest first without a status filter.
CREATE INDEX requests_requester_recent ON requests (requester_id, last_event_at);
CREATE INDEX requests_provider_recent ON requests (provider_id, last_event_at);
