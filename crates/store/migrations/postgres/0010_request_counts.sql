-- How many requests there are per requester, provider, API, type and status, kept by a trigger
-- (issue 15). Every list shows its total; counting the matching rows of `requests` cost a scan
-- of the matching index entries on every page (capped at 10,000, so totals above it were only
-- "more than"). A list's filters are all columns of this table (the number filter apart, which
-- the unique index answers), so its total is the sum of a few hundred rows here, exact at any
-- size. Keep in step with ../sqlite/0010_request_counts.sql.
CREATE TABLE request_counts (
    requester_id  BIGINT NOT NULL,
    provider_id   BIGINT NOT NULL,
    api_id        BIGINT NOT NULL,
    request_type  TEXT NOT NULL,
    status        TEXT NOT NULL,
    n             BIGINT NOT NULL CHECK (n >= 0),
    PRIMARY KEY (requester_id, provider_id, api_id, request_type, status)
);
-- The provider's scope (its APIs, from provider review on) and the status filter alone.
CREATE INDEX request_counts_provider ON request_counts (provider_id, status);
CREATE INDEX request_counts_status ON request_counts (status);
CREATE INDEX request_counts_api ON request_counts (api_id);

INSERT INTO request_counts (requester_id, provider_id, api_id, request_type, status, n)
SELECT requester_id, provider_id, api_id, request_type, status, COUNT(*)
FROM requests
GROUP BY requester_id, provider_id, api_id, request_type, status;

-- Adds `delta` to one count, creating its row at the first request. A decrement is a plain
-- UPDATE (its row exists): an upsert would have PostgreSQL check `n >= 0` on the row it proposes
-- to insert, -1, before it finds the conflict.
CREATE FUNCTION request_counts_add(
    p_requester BIGINT, p_provider BIGINT, p_api BIGINT, p_type TEXT, p_status TEXT, delta BIGINT
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF delta < 0 THEN
        UPDATE request_counts SET n = n + delta
        WHERE requester_id = p_requester AND provider_id = p_provider AND api_id = p_api
          AND request_type = p_type AND status = p_status;
    ELSE
        INSERT INTO request_counts (requester_id, provider_id, api_id, request_type, status, n)
        VALUES (p_requester, p_provider, p_api, p_type, p_status, delta)
        ON CONFLICT (requester_id, provider_id, api_id, request_type, status)
        DO UPDATE SET n = request_counts.n + EXCLUDED.n;
    END IF;
END;
$$;

-- A count's row stays locked until its transaction ends. A transition touches two rows (the old
-- status's and the new one's); were they taken in the order of the change, two transitions in
-- opposite directions (A→B and B→A for the same requester and API) could each hold one and wait
-- for the other. Taking the smaller key first gives every transaction the same order.
CREATE FUNCTION request_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM request_counts_add(NEW.requester_id, NEW.provider_id, NEW.api_id,
                                   NEW.request_type, NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM request_counts_add(OLD.requester_id, OLD.provider_id, OLD.api_id,
                                   OLD.request_type, OLD.status, -1);
    ELSIF (OLD.requester_id, OLD.provider_id, OLD.api_id, OLD.request_type, OLD.status)
          IS DISTINCT FROM
          (NEW.requester_id, NEW.provider_id, NEW.api_id, NEW.request_type, NEW.status) THEN
        IF (OLD.requester_id, OLD.provider_id, OLD.api_id, OLD.request_type, OLD.status)
           < (NEW.requester_id, NEW.provider_id, NEW.api_id, NEW.request_type, NEW.status) THEN
            PERFORM request_counts_add(OLD.requester_id, OLD.provider_id, OLD.api_id,
                                       OLD.request_type, OLD.status, -1);
            PERFORM request_counts_add(NEW.requester_id, NEW.provider_id, NEW.api_id,
                                       NEW.request_type, NEW.status, 1);
        ELSE
            PERFORM request_counts_add(NEW.requester_id, NEW.provider_id, NEW.api_id,
                                       NEW.request_type, NEW.status, 1);
            PERFORM request_counts_add(OLD.requester_id, OLD.provider_id, OLD.api_id,
                                       OLD.request_type, OLD.status, -1);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER request_counts_keep
AFTER INSERT OR DELETE OR UPDATE OF requester_id, provider_id, api_id, request_type, status
ON requests FOR EACH ROW EXECUTE FUNCTION request_counts_keep();
