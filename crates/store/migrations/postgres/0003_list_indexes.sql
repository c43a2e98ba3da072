-- The list filtered by API (with or without status) reads newest first; measured with
-- `cargo run --release --example list_bench` (BENCHMARKS.md). The release check "same
-- requester, API and type in the pipeline" is served by the first of these too.
DROP INDEX requests_api;
CREATE INDEX requests_api_status ON requests (api_id, status, last_event_at);
CREATE INDEX requests_api_recent ON requests (api_id, last_event_at);
