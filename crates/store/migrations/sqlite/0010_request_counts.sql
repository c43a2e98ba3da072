-- How many requests there are per requester, provider, API, type and status, kept by triggers
-- (issue 15). Every list shows its total; counting the matching rows of `requests` cost a scan
-- of the matching index entries on every page (3 ms of CPU at 10,000, capped there, so totals
-- above it were only "more than"). A list's filters are all columns of this table (the number
-- filter apart, which the unique index answers), so its total is the sum of a few hundred rows
-- here, exact at any size. Keep in step with ../postgres/0010_request_counts.sql.
CREATE TABLE request_counts (
    requester_id  INTEGER NOT NULL,
    provider_id   INTEGER NOT NULL,
    api_id        INTEGER NOT NULL,
    request_type  TEXT NOT NULL,
    status        TEXT NOT NULL,
    n             INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (requester_id, provider_id, api_id, request_type, status)
) WITHOUT ROWID;
-- The provider's scope (its APIs, from provider review on) and the status filter alone.
CREATE INDEX request_counts_provider ON request_counts (provider_id, status);
CREATE INDEX request_counts_status ON request_counts (status);
CREATE INDEX request_counts_api ON request_counts (api_id);

INSERT INTO request_counts (requester_id, provider_id, api_id, request_type, status, n)
SELECT requester_id, provider_id, api_id, request_type, status, COUNT(*)
FROM requests
GROUP BY requester_id, provider_id, api_id, request_type, status;

CREATE TRIGGER request_counts_insert AFTER INSERT ON requests
BEGIN
    INSERT INTO request_counts (requester_id, provider_id, api_id, request_type, status, n)
    VALUES (NEW.requester_id, NEW.provider_id, NEW.api_id, NEW.request_type, NEW.status, 1)
    ON CONFLICT (requester_id, provider_id, api_id, request_type, status) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER request_counts_delete AFTER DELETE ON requests
BEGIN
    UPDATE request_counts SET n = n - 1
    WHERE requester_id = OLD.requester_id AND provider_id = OLD.provider_id
      AND api_id = OLD.api_id AND request_type = OLD.request_type AND status = OLD.status;
END;

CREATE TRIGGER request_counts_update
AFTER UPDATE OF requester_id, provider_id, api_id, request_type, status ON requests
WHEN OLD.requester_id IS NOT NEW.requester_id OR OLD.provider_id IS NOT NEW.provider_id
  OR OLD.api_id IS NOT NEW.api_id OR OLD.request_type IS NOT NEW.request_type
  OR OLD.status IS NOT NEW.status
BEGIN
    UPDATE request_counts SET n = n - 1
    WHERE requester_id = OLD.requester_id AND provider_id = OLD.provider_id
      AND api_id = OLD.api_id AND request_type = OLD.request_type AND status = OLD.status;
    INSERT INTO request_counts (requester_id, provider_id, api_id, request_type, status, n)
    VALUES (NEW.requester_id, NEW.provider_id, NEW.api_id, NEW.request_type, NEW.status, 1)
    ON CONFLICT (requester_id, provider_id, api_id, request_type, status) DO UPDATE SET n = n + 1;
END;
